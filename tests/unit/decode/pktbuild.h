/* pktbuild.h — hand-built frames for the decoder tests: a tiny writer with its own
 * checksum routine (independent of the one under test). */
#ifndef SETU_TEST_PKTBUILD_H
#define SETU_TEST_PKTBUILD_H

#include "sensor/decode/decode.h"

#include <stdint.h>
#include <string.h>

typedef struct pb {
	uint8_t b[70000];
	size_t n;
} pb_t;

static inline size_t pb_u8(pb_t *w, uint8_t v)
{
	w->b[w->n] = v;
	return w->n++;
}
static inline size_t pb_be16(pb_t *w, uint16_t v)
{
	size_t at = w->n;
	pb_u8(w, (uint8_t)(v >> 8));
	pb_u8(w, (uint8_t)v);
	return at;
}
static inline size_t pb_be32(pb_t *w, uint32_t v)
{
	size_t at = w->n;
	pb_be16(w, (uint16_t)(v >> 16));
	pb_be16(w, (uint16_t)v);
	return at;
}
static inline size_t pb_bytes(pb_t *w, const void *p, size_t n)
{
	size_t at = w->n;
	memcpy(w->b + w->n, p, n);
	w->n += n;
	return at;
}
static inline void pb_put16(pb_t *w, size_t at, uint16_t v)
{
	w->b[at] = (uint8_t)(v >> 8);
	w->b[at + 1] = (uint8_t)v;
}

/* RFC 1071, written plainly. */
static inline uint32_t tsum(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	return s;
}
static inline uint16_t tfold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static const uint8_t IP_A[4] = {10, 0, 0, 1}, IP_B[4] = {10, 0, 0, 2};
static const uint8_t IP6_A[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t IP6_B[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

static inline void pb_eth(pb_t *w, uint16_t type)
{
	static const uint8_t dst[6] = {0, 1, 2, 3, 4, 5}, src[6] = {6, 7, 8, 9, 10, 11};
	pb_bytes(w, dst, 6);
	pb_bytes(w, src, 6);
	pb_be16(w, type);
}

/* IPv4 header with options `opt` (olen multiple of 4); returns its offset. Total length
 * and checksum are fixed by pb_ip4_done(). */
static inline size_t pb_ip4(pb_t *w, uint8_t proto, uint16_t id, uint16_t frag,
                            const uint8_t *opt, size_t olen)
{
	size_t at = w->n;
	pb_u8(w, (uint8_t)(0x40 | ((20 + olen) / 4)));
	pb_u8(w, 0);
	pb_be16(w, 0);
	pb_be16(w, id);
	pb_be16(w, frag);
	pb_u8(w, 64);
	pb_u8(w, proto);
	pb_be16(w, 0);
	pb_bytes(w, IP_A, 4);
	pb_bytes(w, IP_B, 4);
	if (olen)
		pb_bytes(w, opt, olen);
	return at;
}
static inline void pb_ip4_done(pb_t *w, size_t ip)
{
	size_t hl = (size_t)(w->b[ip] & 0x0f) * 4;
	pb_put16(w, ip + 2, (uint16_t)(w->n - ip));
	pb_put16(w, ip + 10, 0);
	pb_put16(w, ip + 10, tfold(tsum(0, w->b + ip, hl)));
}

static inline size_t pb_ip6(pb_t *w, uint8_t nh)
{
	size_t at = w->n;
	pb_be32(w, 0x60000000u);
	pb_be16(w, 0);
	pb_u8(w, nh);
	pb_u8(w, 64);
	pb_bytes(w, IP6_A, 16);
	pb_bytes(w, IP6_B, 16);
	return at;
}
static inline void pb_ip6_done(pb_t *w, size_t ip)
{
	pb_put16(w, ip + 4, (uint16_t)(w->n - ip - 40));
}

/* L4 checksum at `csum_at` over [l4, end) with the pseudo header of IP at `ip`. */
static inline void pb_l4_csum(pb_t *w, size_t ip, size_t l4, size_t csum_at,
                              uint8_t proto)
{
	size_t len = w->n - l4;
	uint32_t s = 0;
	pb_put16(w, csum_at, 0);
	if ((w->b[ip] >> 4) == 4) {
		s = tsum(s, w->b + ip + 12, 8);
	} else {
		s = tsum(s, w->b + ip + 8, 32);
		s += (uint32_t)(len >> 16);
	}
	s += proto;
	s += (uint32_t)(len & 0xffff);
	s = tsum(s, w->b + l4, len);
	uint16_t c = tfold(s);
	if (proto == 17 && c == 0)
		c = 0xffff;
	pb_put16(w, csum_at, c);
}

/* TCP header (+ options) and payload; returns its offset. */
static inline size_t pb_tcp(pb_t *w, uint16_t sp, uint16_t dp, uint8_t flags,
                            const uint8_t *opt, size_t olen, const char *payload)
{
	size_t at = w->n;
	pb_be16(w, sp);
	pb_be16(w, dp);
	pb_be32(w, 1000);
	pb_be32(w, 2000);
	pb_u8(w, (uint8_t)(((20 + olen) / 4) << 4));
	pb_u8(w, flags);
	pb_be16(w, 8192);
	pb_be16(w, 0);
	pb_be16(w, 0);
	if (olen)
		pb_bytes(w, opt, olen);
	if (payload)
		pb_bytes(w, payload, strlen(payload));
	return at;
}

static inline size_t pb_udp(pb_t *w, uint16_t sp, uint16_t dp, const void *payload,
                            size_t n)
{
	size_t at = w->n;
	pb_be16(w, sp);
	pb_be16(w, dp);
	pb_be16(w, (uint16_t)(8 + n));
	pb_be16(w, 0);
	if (n)
		pb_bytes(w, payload, n);
	return at;
}

static inline void pkt_of(setu_pkt_t *p, const pb_t *w, int linktype)
{
	setu_pkt_reset(p);
	p->data = w->b;
	p->len = (uint32_t)w->n;
	p->wire_len = (uint32_t)w->n;
	p->linktype = linktype;
	p->ts.tv_sec = 1000;
}

#endif
