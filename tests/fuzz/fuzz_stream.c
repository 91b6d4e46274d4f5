/* fuzz_stream.c — libFuzzer target for TCP tracking and reassembly: the input is a small
 * config header and a list of synthetic segments of one flow (both directions):
 *   header: cfg(1) isn_client(4) isn_server(4); cfg bits: 1 midstream, 2 async-oneside,
 *     4 depth 300, 8 no raw window, 16 small reassembly memcap, 32 3 segments max,
 *     64 deliver when in order (else on ACK)
 *   record: ctl(1) seq_delta(2) ack_delta(2) len(1) payload(len)
 *     ctl bit 7 = direction (1 = server to client), bits 0-5 = TCP flags (FIN..URG),
 *     seq = sender's ISN + seq_delta, ack = receiver's ISN + ack_delta (wrapping);
 *     a SYN with an odd ack_delta carries the TCP Fast Open option; a segment whose
 *     seq_delta has bit 1 set carries a TCP timestamp option, tsval = ack_delta >> 2
 *     (0 when ack_delta < 4: the invalid value), tsecr = seq_delta.
 * Invariants checked: delivered offsets never go backwards, data chunks are non-empty. */
#include "sensor/flow/flow.h"
#include "sensor/stream/stream.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Per-flow invariant state, kept in the flow's app-layer storage slot (freed with it). */
typedef struct fz_flow {
	uint64_t next_off[2];
	int eof[2];
} fz_flow_t;

typedef struct fz {
	setu_stream_ctx_t *sc;
} fz_t;

static fz_flow_t *flow_state(setu_flow_t *f)
{
	if (!f->storage[SETU_FLOW_STORAGE_APPLAYER].ptr) {
		fz_flow_t *s = calloc(1, sizeof(*s));
		if (!s)
			abort();
		f->storage[SETU_FLOW_STORAGE_APPLAYER].ptr = s;
		f->storage[SETU_FLOW_STORAGE_APPLAYER].free_fn = free;
	}
	return f->storage[SETU_FLOW_STORAGE_APPLAYER].ptr;
}

static void on_data(void *user, setu_flow_t *f, int dir, const uint8_t *d, size_t len,
                    uint64_t off, unsigned flags)
{
	(void)user;
	fz_flow_t *z = flow_state(f);
	if (dir < 0 || dir > 1)
		abort();
	if (flags & SETU_STREAM_DATA_EOF) {
		if (len != 0 || z->eof[dir])
			abort(); /* one EOF per direction, without data */
		z->eof[dir] = 1;
		return;
	}
	if (len == 0 || !d || off < z->next_off[dir] || z->eof[dir])
		abort();
	volatile uint8_t sink = d[0] ^ d[len - 1]; /* touch the bytes: ASan checks them */
	(void)sink;
	z->next_off[dir] = off + len;
}

/* The raw window ends where the last delivered chunk ended; its holes lie inside it,
 * in order, and read as zeros. */
static void check_raw(setu_flow_t *f, int dir)
{
	const uint8_t *raw;
	size_t rl;
	uint64_t ro;
	if (setu_stream_raw_window(f, dir, &raw, &rl, &ro) != 0)
		return;
	fz_flow_t *z = flow_state(f);
	if (rl == 0 || ro + rl != z->next_off[dir])
		abort();
	setu_stream_gap_t g[16];
	size_t n = setu_stream_raw_gaps(f, dir, g, 16);
	uint64_t prev = ro;
	for (size_t i = 0; i < n; i++) {
		if (g[i].len == 0 || g[i].offset < prev ||
		    g[i].offset + g[i].len > ro + rl)
			abort();
		for (uint64_t b = g[i].offset; b < g[i].offset + g[i].len; b++)
			if (raw[b - ro] != 0)
				abort();
		prev = g[i].offset + g[i].len;
	}
}

static void sum_memuse(void *user, const char *name, uint64_t value)
{
	if (strcmp(name, "tcp.memuse") == 0 ||
	    strcmp(name, "tcp.reassembly_memuse") == 0 ||
	    strcmp(name, "tcp.active_sessions") == 0)
		*(uint64_t *)user += value;
}

static void on_end(void *user, setu_flow_t *f)
{
	fz_t *z = user;
	setu_stream_flow_end(z->sc, f, on_data, z);
}

/* 20-byte TCP header + NOP NOP TFO(34, 2) NOP NOP NOP NOP */
static const uint8_t tfo_hdr[28] = {[12] = 0x70, [20] = 1, 1, 34, 2, 1, 1, 1, 1};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 9)
		return 0;
	uint8_t cfgb = data[0];
	uint32_t isn[2] = {((uint32_t)data[1] << 24) | ((uint32_t)data[2] << 16) |
	                       ((uint32_t)data[3] << 8) | data[4],
	                   ((uint32_t)data[5] << 24) | ((uint32_t)data[6] << 16) |
	                       ((uint32_t)data[7] << 8) | data[8]};
	size_t pos = 9;

	setu_stream_config_t scfg;
	setu_stream_config_default(&scfg);
	scfg.midstream = cfgb & 1;
	scfg.async_oneside = (cfgb >> 1) & 1;
	scfg.reassembly_depth = (cfgb & 4) ? 300 : 0;
	scfg.raw_window = (cfgb & 8) ? 0 : 2048;
	scfg.reassembly_memcap = (cfgb & 16) ? 6000 : 1u << 20;
	scfg.max_segments = (cfgb & 32) ? 3 : 64;
	scfg.deliver_on_ack = !(cfgb & 64);
	scfg.checksum_validate = true;
	setu_flow_config_t fcfg;
	setu_flow_config_default(&fcfg);
	fcfg.hash_size = 16;
	fcfg.hash_seed = 1;
	fcfg.midstream = scfg.midstream;

	fz_t z;
	memset(&z, 0, sizeof(z));
	setu_flow_table_t *ft = setu_flow_table_new(&fcfg);
	z.sc = setu_stream_ctx_new(&scfg);
	if (!ft || !z.sc) {
		setu_flow_table_free(ft);
		setu_stream_ctx_free(z.sc);
		return 0;
	}
	setu_flow_table_set_end_cb(ft, on_end, &z);

	time_t now = 1000;
	while (pos + 6 <= size) {
		uint8_t ctl = data[pos];
		uint16_t sd = (uint16_t)((data[pos + 1] << 8) | data[pos + 2]);
		uint16_t ad = (uint16_t)((data[pos + 3] << 8) | data[pos + 4]);
		size_t len = data[pos + 5];
		pos += 6;
		if (len > size - pos)
			len = size - pos;
		int dir = ctl >> 7;
		setu_pkt_t p;
		memset(&p, 0, sizeof(p));
		setu_addr_parse(&p.src, dir ? "192.0.2.2" : "192.0.2.1");
		setu_addr_parse(&p.dst, dir ? "192.0.2.1" : "192.0.2.2");
		p.ip_ver = 4;
		p.proto = IPPROTO_TCP;
		p.sp = dir ? 80 : 33000;
		p.dp = dir ? 33000 : 80;
		p.flags = SETU_PKT_HAS_L4;
		if (ctl & 0x40)
			now += 7; /* let time pass: flow timeouts run below */
		p.ts.tv_sec = now;
		p.tcp.flags = ctl & 0x3f;
		p.tcp.seq = isn[dir] + sd;
		p.tcp.ack = isn[1 - dir] + ad;
		p.tcp.win = (uint16_t)(ad * 7);
		p.tcp.has_wscale = (ctl & SETU_TH_SYN) && (sd & 1);
		p.tcp.wscale = (uint8_t)(sd >> 12);
		p.tcp.has_ts = (sd & 2) != 0; /* timestamp validation (PAWS-like) */
		p.tcp.tsval = (uint32_t)(ad >> 2);
		p.tcp.tsecr = sd;
		if ((ctl & SETU_TH_SYN) && (ad & 1)) { /* a TCP Fast Open option */
			p.l4 = tfo_hdr;
			p.tcp.hlen = sizeof(tfo_hdr);
			p.l4_len = (uint32_t)(sizeof(tfo_hdr) + len);
		}
		p.payload = len ? data + pos : NULL;
		p.payload_len = (uint32_t)len;
		p.len = p.wire_len = (uint32_t)(54 + len);
		pos += len;
		setu_flow_t *f = setu_flow_handle_packet(ft, &p);
		if (f)
			(void)setu_stream_handle_packet(z.sc, f, &p, on_data, &z);
		if (ctl & 0x40) {
			struct timeval tv = {now, 0};
			setu_flow_timeout(ft, &tv, on_end, &z);
		}
		if (f)
			check_raw(f, dir);
	}
	setu_flow_flush(ft, on_end, &z);
	setu_flow_table_free(ft);
	/* every byte charged to the memcaps was given back */
	uint64_t left = 0;
	setu_stream_counters(z.sc, sum_memuse, &left);
	if (left != 0)
		abort();
	setu_stream_ctx_free(z.sc);
	return 0;
}
