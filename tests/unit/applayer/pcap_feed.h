/* pcap_feed.h — a minimal capture reader for app-layer tests and benches: libpcap, the
 * common link types, IPv4/IPv6, TCP and UDP, a 5-tuple table, per-direction TCP sequence
 * tracking (in order, overlaps trimmed, holes reported as SETU_AL_GAP). Not the sensor's
 * decoder: just enough to feed the app-layer the payloads a capture holds. */
#ifndef SETU_PCAP_FEED_H
#define SETU_PCAP_FEED_H

#include "sensor/applayer/applayer.h"

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PF_TABLE 65536u

typedef struct pf_flow {
	bool used;
	uint8_t proto;
	uint8_t a[16], b[16]; /* a = client side */
	uint16_t ap, bp;
	uint8_t fam;
	bool seq_set[2], fin[2];
	uint32_t next[2];
	setu_alstate_t *st;
} pf_flow_t;

typedef struct pf_ctx {
	setu_applayer_ctx_t *ac;
	pf_flow_t *flows; /* PF_TABLE entries */
	setu_alstate_tx_cb cb;
	void *user;
	uint64_t pkts, bytes, payload_bytes, flows_n;
	pf_flow_t
	    *cur;    /* the flow being drained (for callbacks that need its addresses) */
	bool timing; /* account app-layer time and payload bytes per protocol */
	uint64_t ns_by[SETU_ALPROTO_MAX], bytes_by[SETU_ALPROTO_MAX];
	struct timeval ts; /* of the current packet */
} pf_ctx_t;

static inline uint32_t pf_hash(uint8_t proto, const uint8_t *x, const uint8_t *y,
                               uint16_t xp, uint16_t yp)
{
	/* symmetric: combine both endpoints order-independently */
	uint32_t h1 = 2166136261u, h2 = 2166136261u;
	for (int i = 0; i < 16; i++) {
		h1 = (h1 ^ x[i]) * 16777619u;
		h2 = (h2 ^ y[i]) * 16777619u;
	}
	h1 = (h1 ^ xp) * 16777619u;
	h2 = (h2 ^ yp) * 16777619u;
	return (h1 + h2) ^ proto;
}

static inline pf_flow_t *pf_lookup(pf_ctx_t *pc, uint8_t proto, uint8_t fam,
                                   const uint8_t *src, const uint8_t *dst, uint16_t sp,
                                   uint16_t dp, int *dir, bool syn_ack)
{
	uint32_t h = pf_hash(proto, src, dst, sp, dp) % PF_TABLE;
	for (uint32_t i = 0; i < PF_TABLE; i++) {
		pf_flow_t *f = &pc->flows[(h + i) % PF_TABLE];
		if (!f->used) {
			f->used = true;
			f->proto = proto;
			f->fam = fam;
			bool rev = syn_ack; /* first packet is the SYN-ACK: its dst is the
			                       client */
			memcpy(f->a, rev ? dst : src, 16);
			memcpy(f->b, rev ? src : dst, 16);
			f->ap = rev ? dp : sp;
			f->bp = rev ? sp : dp;
			f->st = setu_alstate_new(pc->ac, proto == 17, f->ap, f->bp);
			pc->flows_n++;
			*dir = rev ? 1 : 0;
			return f->st ? f : NULL;
		}
		if (f->proto != proto)
			continue;
		if (!memcmp(f->a, src, 16) && !memcmp(f->b, dst, 16) && f->ap == sp &&
		    f->bp == dp) {
			*dir = 0;
			return f;
		}
		if (!memcmp(f->a, dst, 16) && !memcmp(f->b, src, 16) && f->ap == dp &&
		    f->bp == sp) {
			*dir = 1;
			return f;
		}
	}
	return NULL;
}

static inline uint64_t pf_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* handle + drain one chunk, timed per protocol when asked */
static inline void pf_feed(pf_ctx_t *pc, pf_flow_t *f, int dir, const uint8_t *d,
                           size_t n, unsigned flags)
{
	uint64_t t0 = pc->timing ? pf_now_ns() : 0;
	pc->cur = f;
	setu_alstate_handle(pc->ac, f->st, dir, d, n, flags);
	setu_alstate_drain(pc->ac, f->st, false, pc->cb, pc->user);
	if (pc->timing) {
		setu_alproto_t p = setu_alstate_proto(f->st);
		pc->ns_by[p] += pf_now_ns() - t0;
		pc->bytes_by[p] += n;
	}
}

static inline void pf_l4(pf_ctx_t *pc, uint8_t fam, uint8_t proto, const uint8_t *src,
                         const uint8_t *dst, const uint8_t *l4, size_t n)
{
	if (proto == 17) {
		if (n < 8)
			return;
		uint16_t sp = (uint16_t)(l4[0] << 8 | l4[1]),
		         dp = (uint16_t)(l4[2] << 8 | l4[3]);
		int dir;
		pf_flow_t *f = pf_lookup(pc, 17, fam, src, dst, sp, dp, &dir, false);
		if (f == NULL)
			return;
		pc->payload_bytes += n - 8;
		pf_feed(pc, f, dir, l4 + 8, n - 8, 0);
		return;
	}
	if (proto != 6 || n < 20)
		return;
	uint16_t sp = (uint16_t)(l4[0] << 8 | l4[1]), dp = (uint16_t)(l4[2] << 8 | l4[3]);
	uint32_t seq =
	    (uint32_t)l4[4] << 24 | (uint32_t)l4[5] << 16 | (uint32_t)l4[6] << 8 | l4[7];
	size_t hl = (size_t)(l4[12] >> 4) * 4;
	uint8_t fl = l4[13];
	if (hl < 20 || hl > n)
		return;
	int dir;
	pf_flow_t *f = pf_lookup(pc, 6, fam, src, dst, sp, dp, &dir, (fl & 0x12) == 0x12);
	if (f == NULL)
		return;
	const uint8_t *pl = l4 + hl;
	size_t pn = n - hl;
	if (fl & 0x02) { /* SYN: data starts at seq+1 */
		f->next[dir] = seq + 1;
		f->seq_set[dir] = true;
		seq++;
	}
	unsigned flags = 0;
	if (pn > 0) {
		if (!f->seq_set[dir]) {
			f->next[dir] = seq;
			f->seq_set[dir] = true;
		}
		int32_t d = (int32_t)(seq - f->next[dir]);
		if (d < 0) { /* retransmission / overlap: keep only what is new */
			if ((size_t)(-d) >= pn)
				pn = 0;
			else {
				pl += -d;
				pn -= (size_t)(-d);
			}
		} else if (d > 0) {
			flags |= SETU_AL_GAP;
		}
		if (pn > 0)
			f->next[dir] = seq + (d < 0 ? (uint32_t)(-d) : 0) + (uint32_t)pn;
	}
	if ((fl & 0x05) && !f->fin[dir]) { /* FIN or RST */
		f->fin[dir] = true;
		flags |= SETU_AL_EOF;
	}
	if (pn == 0 && !(flags & SETU_AL_EOF))
		return;
	pc->payload_bytes += pn;
	pf_feed(pc, f, dir, pl, pn, flags);
}

static inline void pf_ip(pf_ctx_t *pc, const uint8_t *p, size_t n)
{
	uint8_t src[16] = {0}, dst[16] = {0};
	if (n < 1)
		return;
	if ((p[0] >> 4) == 4) {
		if (n < 20)
			return;
		size_t hl = (size_t)(p[0] & 15) * 4, tl = (size_t)(p[2] << 8 | p[3]);
		if (hl < 20 || tl < hl || tl > n)
			tl = n;
		if (hl < 20 || hl > tl)
			return;
		if ((p[6] & 0x3f) || p[7]) /* fragments: not reassembled here */
			return;
		memcpy(src, p + 12, 4);
		memcpy(dst, p + 16, 4);
		pf_l4(pc, 4, p[9], src, dst, p + hl, tl - hl);
	} else if ((p[0] >> 4) == 6) {
		if (n < 40)
			return;
		size_t pl = (size_t)(p[4] << 8 | p[5]);
		if (40 + pl > n)
			pl = n - 40;
		memcpy(src, p + 8, 16);
		memcpy(dst, p + 24, 16);
		pf_l4(pc, 6, p[6], src, dst, p + 40, pl);
	}
}

static inline void pf_frame(pf_ctx_t *pc, int dlt, const uint8_t *p, size_t n)
{
	uint16_t et = 0;
	size_t off = 0;
	switch (dlt) {
	case DLT_EN10MB:
		if (n < 14)
			return;
		et = (uint16_t)(p[12] << 8 | p[13]);
		off = 14;
		while ((et == 0x8100 || et == 0x88a8) && n >= off + 4) {
			et = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
			off += 4;
		}
		if (et != 0x0800 && et != 0x86dd)
			return;
		break;
	case DLT_LINUX_SLL:
		off = 16;
		break;
	case 276: /* LINUX_SLL2 */
		off = 20;
		break;
	case DLT_NULL:
	case DLT_LOOP:
		off = 4;
		break;
	case DLT_RAW: /* libpcap maps LINKTYPE_RAW (101) to it */
	case 101:
	case 14:
	case 228:
	case 229:
		off = 0;
		break;
	default:
		return;
	}
	if (off < n)
		pf_ip(pc, p + off, n - off);
}

static inline pf_ctx_t *pf_new(setu_applayer_ctx_t *ac, setu_alstate_tx_cb cb, void *user)
{
	pf_ctx_t *pc = calloc(1, sizeof(*pc));
	if (pc == NULL)
		return NULL;
	pc->flows = calloc(PF_TABLE, sizeof(pf_flow_t));
	if (pc->flows == NULL) {
		free(pc);
		return NULL;
	}
	pc->ac = ac;
	pc->cb = cb;
	pc->user = user;
	return pc;
}

/* End every flow: drain with flow_end and free. */
static inline void pf_end(pf_ctx_t *pc)
{
	for (uint32_t i = 0; i < PF_TABLE; i++) {
		pf_flow_t *f = &pc->flows[i];
		if (!f->used)
			continue;
		if (f->st != NULL) {
			pc->cur = f;
			setu_alstate_drain(pc->ac, f->st, true, pc->cb, pc->user);
			setu_alstate_free(f->st);
		}
		memset(f, 0, sizeof(*f));
	}
}

static inline void pf_free(pf_ctx_t *pc)
{
	if (pc == NULL)
		return;
	pf_end(pc);
	free(pc->flows);
	free(pc);
}

/* Read a whole capture; returns -1 if it cannot be opened. */
static inline int pf_file(pf_ctx_t *pc, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	if (p == NULL)
		return -1;
	int dlt = pcap_datalink(p);
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pcap_next_ex(p, &h, &d) == 1) {
		pc->pkts++;
		pc->bytes += h->caplen;
		pc->ts = h->ts;
		pf_frame(pc, dlt, d, h->caplen);
	}
	pcap_close(p);
	pf_end(pc);
	return 0;
}

#endif
