/* test_stream_pool.c — stream segment blocks and raw window buffers recycled through the
 * context's free lists: flows one after the other on one context, segments of every size
 * class (and beyond 2 KiB) held out of order until ACKed, delivered bytes and raw windows
 * exact, the reassembly memcap accounting back to zero, no stale bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sensor/flow/flow.h"
#include "sensor/stream/stream.h"
#include "setu/error.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_BYTES 60000

typedef struct got {
	uint8_t buf[STREAM_BYTES];
	size_t total;
	int gaps, eofs;
} got_t;

static void on_data(void *user, setu_flow_t *f, int dir, const uint8_t *data, size_t len,
                    uint64_t offset, unsigned flags)
{
	got_t *g = user;
	(void)f;
	if (dir == 1) { /* the server sends no data: its FIN's EOF alone */
		assert_true(flags & SETU_STREAM_DATA_EOF);
		return;
	}
	assert_int_equal(dir, 0);
	if (flags & SETU_STREAM_DATA_GAP)
		g->gaps++;
	if (flags & SETU_STREAM_DATA_EOF) {
		g->eofs++;
		return;
	}
	assert_true(offset + len <= STREAM_BYTES);
	memcpy(g->buf + offset, data, len);
	g->total += len;
}

typedef struct rig {
	setu_flow_table_t *ft;
	setu_stream_ctx_t *sc;
	got_t *g;
	time_t now;
	uint16_t cport;
	setu_flow_t *f; /* the last packet's flow */
} rig_t;

static void end_cb(void *user, setu_flow_t *f)
{
	rig_t *r = user;
	setu_stream_flow_end(r->sc, f, on_data, r->g);
}

static void pkt(rig_t *r, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                const uint8_t *payload, size_t len)
{
	setu_pkt_t p;
	memset(&p, 0, sizeof(p));
	assert_int_equal(setu_addr_parse(&p.src, dir == 0 ? "10.0.0.1" : "10.0.0.2"), 0);
	assert_int_equal(setu_addr_parse(&p.dst, dir == 0 ? "10.0.0.2" : "10.0.0.1"), 0);
	p.ip_ver = 4;
	p.proto = IPPROTO_TCP;
	p.sp = dir == 0 ? r->cport : 80;
	p.dp = dir == 0 ? 80 : r->cport;
	p.flags = SETU_PKT_HAS_L4;
	p.ts.tv_sec = r->now;
	p.tcp.flags = flags;
	p.tcp.seq = seq;
	p.tcp.ack = ack;
	p.tcp.win = 65535;
	p.tcp.hlen = 20;
	p.payload = payload;
	p.payload_len = (uint32_t)len;
	p.len = p.wire_len = (uint32_t)(54 + len);
	setu_flow_t *f = setu_flow_handle_packet(r->ft, &p);
	assert_non_null(f);
	r->f = f;
	assert_int_equal(setu_stream_handle_packet(r->sc, f, &p, on_data, r->g), 0);
}

static void find_counter(void *user, const char *name, uint64_t value)
{
	if (strcmp(name, "tcp.reassembly_memuse") == 0)
		*(uint64_t *)user = value;
}

static uint64_t reasm_memuse(const rig_t *r)
{
	uint64_t v = UINT64_MAX;
	setu_stream_counters(r->sc, find_counter, &v);
	assert_int_not_equal(v, UINT64_MAX);
	return v;
}

/* One flow: handshake, then the stream cut into segments of the given sizes, sent in
 * pairs swapped (second before first) and ACKed after each pair; then FIN both ways. */
static void one_flow(rig_t *r, const uint8_t *data, const size_t *sizes, size_t nsizes,
                     uint8_t fill)
{
	const uint32_t cisn = 7000u * r->cport, sisn = 90000;
	size_t offs[64];
	size_t n = 0, off = 0;
	for (size_t i = 0; i < nsizes && off < STREAM_BYTES; i++) {
		offs[n++] = off;
		off += sizes[i];
	}
	assert_true(off <= STREAM_BYTES);
	memset(r->g, 0, sizeof(*r->g));
	memset(r->g->buf, fill, sizeof(r->g->buf));
	pkt(r, 0, SETU_TH_SYN, cisn, 0, NULL, 0);
	pkt(r, 1, SETU_TH_SYN | SETU_TH_ACK, sisn, cisn + 1, NULL, 0);
	pkt(r, 0, SETU_TH_ACK, cisn + 1, sisn + 1, NULL, 0);
	for (size_t i = 0; i < n; i += 2) {
		size_t a = i, b = i + 1 < n ? i + 1 : i;
		pkt(r, 0, SETU_TH_ACK | SETU_TH_PUSH, cisn + 1 + (uint32_t)offs[b],
		    sisn + 1, data + offs[b], sizes[b]);
		if (b != a)
			pkt(r, 0, SETU_TH_ACK | SETU_TH_PUSH,
			    cisn + 1 + (uint32_t)offs[a], sisn + 1, data + offs[a],
			    sizes[a]);
		/* held until ACKed (deliver-on-ACK): segments sit in their blocks */
		assert_true(reasm_memuse(r) > 0);
		pkt(r, 1, SETU_TH_ACK, sisn + 1,
		    cisn + 1 + (uint32_t)(offs[b] + sizes[b]), NULL, 0);
	}
	pkt(r, 0, SETU_TH_FIN | SETU_TH_ACK, cisn + 1 + (uint32_t)off, sisn + 1, NULL, 0);
	pkt(r, 1, SETU_TH_FIN | SETU_TH_ACK, sisn + 1, cisn + 2 + (uint32_t)off, NULL, 0);
	pkt(r, 0, SETU_TH_ACK, cisn + 2 + (uint32_t)off, sisn + 2, NULL, 0);
	assert_int_equal(r->g->total, off);
	assert_memory_equal(r->g->buf, data, off);
	assert_int_equal(r->g->gaps, 0);
	/* the raw window (grown through recycled buffers) holds the stream's last bytes
	 */
	const uint8_t *raw;
	size_t rlen;
	uint64_t roff;
	assert_int_equal(setu_stream_raw_window(r->f, 0, &raw, &rlen, &roff), 0);
	assert_true(rlen > 0);
	assert_int_equal(roff + rlen, off);
	assert_memory_equal(raw, data + roff, rlen);
	r->now++;
}

static void test_segments_recycled_across_flows(void **state)
{
	(void)state;
	uint8_t *data = malloc(STREAM_BYTES);
	assert_non_null(data);
	for (size_t i = 0; i < STREAM_BYTES; i++)
		data[i] = (uint8_t)(i * 131u + (i >> 8));
	/* every block class (64 B .. 2 KiB with the header), their edges, and larger */
	static const size_t sizes[] = {1,    20,   39,   40,   41,   100,  104,  105,
	                               232,  233,  500,  1000, 1460, 1460, 2000, 2024,
	                               2025, 3000, 1460, 7,    1460, 4096, 1,    1460};
	size_t nsizes = sizeof(sizes) / sizeof(sizes[0]);

	setu_stream_config_t scfg;
	setu_stream_config_default(&scfg);
	assert_true(scfg.deliver_on_ack);
	setu_flow_config_t fcfg;
	setu_flow_config_default(&fcfg);
	fcfg.hash_size = 64;
	fcfg.hash_seed = 3;
	rig_t r = {0};
	r.ft = setu_flow_table_new(&fcfg);
	r.sc = setu_stream_ctx_new(&scfg);
	r.g = calloc(1, sizeof(got_t));
	assert_non_null(r.ft);
	assert_non_null(r.sc);
	assert_non_null(r.g);
	r.now = 1000;
	setu_flow_table_set_end_cb(r.ft, end_cb, &r);
	/* the same sizes in a different order for each flow: blocks freed by one flow are
	 * handed to segments of other lengths by the next; the buffer the data lands in
	 * is pre-filled with a different byte each time, so stale or missing bytes show
	 */
	size_t order[sizeof(sizes) / sizeof(sizes[0])];
	for (int flow = 0; flow < 6; flow++) {
		for (size_t i = 0; i < nsizes; i++)
			order[i] = sizes[(i * 5 + (size_t)flow * 7) % nsizes];
		r.cport = (uint16_t)(40000 + flow);
		one_flow(&r, data + flow * 97, order, nsizes, (uint8_t)(0xa5 + flow));
		/* a flow's own delivered data is freed as soon as it is ACKed; its raw
		 * window stays until the flow ends */
		struct timeval later = {r.now + 4000, 0};
		assert_int_equal(setu_flow_timeout(r.ft, &later, end_cb, &r), 1);
		assert_int_equal(reasm_memuse(&r), 0);
		r.now = later.tv_sec;
	}
	/* a flow left with pending segments at flush: they go back too */
	r.cport = 50000;
	pkt(&r, 0, SETU_TH_SYN, 1, 0, NULL, 0);
	pkt(&r, 1, SETU_TH_SYN | SETU_TH_ACK, 100, 2, NULL, 0);
	pkt(&r, 0, SETU_TH_ACK, 2, 101, NULL, 0);
	pkt(&r, 0, SETU_TH_ACK | SETU_TH_PUSH, 3000, 101, data, 1460); /* out of order */
	pkt(&r, 0, SETU_TH_ACK | SETU_TH_PUSH, 2, 101, data, 100);
	assert_true(reasm_memuse(&r) >= 1560);
	setu_flow_flush(r.ft, end_cb, &r);
	assert_int_equal(reasm_memuse(&r), 0);
	setu_flow_table_free(r.ft);
	setu_stream_ctx_free(r.sc); /* frees the recycled blocks (ASan: nothing leaks) */
	free(r.g);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_segments_recycled_across_flows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
