/* fuzz_decode.c — libFuzzer target for the packet decoders (src/sensor/decode).
 * Input: byte 0 picks the link type; the rest is decoded once as a single frame, then
 * split into frames of [2-byte big-endian length][bytes] decoded in turn on the same
 * context, so fragments meet in the reassembler; checksums are validated on odd first
 * bytes so both paths run. */
#include "sensor/decode/decode.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
    SETU_DLT_EN10MB,     SETU_DLT_RAW,  SETU_DLT_LINUX_SLL,
    SETU_DLT_LINUX_SLL2, SETU_DLT_NULL, SETU_DLT_LOOP,
    SETU_DLT_PPP,        SETU_DLT_IPV4, SETU_DLT_IPV6,
    SETU_DLT_RAW_OLD,    104, /* Cisco HDLC */
};

static void count(void *user, const char *name, uint64_t v)
{
	(void)name;
	*(uint64_t *)user += v;
}

static void decode_one(setu_decode_ctx_t *dc, int lt, const uint8_t *b, size_t n,
                       long sec)
{
	setu_pkt_t p;
	setu_pkt_reset(&p);
	p.data = b;
	p.len = (uint32_t)n;
	p.wire_len = (uint32_t)n;
	p.linktype = lt;
	p.ts.tv_sec = sec;
	(void)setu_decode(dc, &p);
	/* Touch what the decoder pointed at, so ASan checks the bounds. */
	volatile uint8_t sink = 0;
	if (p.l3 && p.l3_len)
		sink ^= p.l3[p.l3_len - 1];
	if ((p.flags & SETU_PKT_HAS_L4) && p.l4 && p.l4_len)
		sink ^= p.l4[p.l4_len - 1];
	if (p.payload && p.payload_len)
		sink ^= p.payload[p.payload_len - 1];
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > SETU_MAX_FRAME)
		return 0;
	setu_decode_config_t cfg;
	setu_decode_config_default(&cfg);
	cfg.checksum_validate = data[0] & 1;
	cfg.defrag_memcap = 256 * 1024; /* small, so the memcap path runs too */
	cfg.defrag_timeout = 5;
	setu_decode_ctx_t *dc = setu_decode_ctx_new(&cfg);
	if (!dc)
		return 0;
	int lt = linktypes[(data[0] >> 1) % (sizeof(linktypes) / sizeof(linktypes[0]))];
	const uint8_t *b = data + 1;
	size_t n = size - 1;
	decode_one(dc, lt, b, n, 0);

	long sec = 0;
	while (n >= 2) {
		size_t fl = ((size_t)b[0] << 8) | b[1];
		b += 2;
		n -= 2;
		if (fl > n)
			fl = n;
		decode_one(dc, lt, b, fl, sec++);
		b += fl;
		n -= fl;
	}
	struct timeval later = {.tv_sec = 3};
	setu_decode_timeout(dc, &later);
	uint64_t total = 0;
	setu_decode_counters(dc, count, &total);
	setu_decode_ctx_free(dc);
	return 0;
}
