/* decode-null.c — BSD loopback link types: DLT_NULL (address family in the capturing
 * host's byte order) and DLT_LOOP (network order); events as Suricata's decode-null.c. */
#include "sensor/decode/decode-int.h"

#define NULL_HDR_LEN 4

/* AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD),
 * 30 (macOS). */
static int null_family(setu_decode_ctx_t *dc, setu_pkt_t *p, uint32_t af,
                       const uint8_t *buf, size_t len)
{
	switch (af) {
	case 2:
		return decode_ipv4(dc, p, buf, len);
	case 10:
	case 24:
	case 28:
	case 30:
		return decode_ipv6(dc, p, buf, len);
	default:
		setu_pkt_set_event(p, SETU_EV_LTNULL_UNSUPPORTED_TYPE);
		return 0;
	}
}

int decode_null(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_NULL_);
	if (len < NULL_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_LTNULL_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	/* The capturing host's byte order is unknown: a family fits in the low byte. */
	uint32_t af = setu_le32(buf);
	if (af > 0xffff)
		af = setu_be32(buf);
	return null_family(dc, p, af, buf + NULL_HDR_LEN, len - NULL_HDR_LEN);
}

int decode_loop(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_NULL_);
	if (len < NULL_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_LTNULL_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	return null_family(dc, p, setu_be32(buf), buf + NULL_HDR_LEN, len - NULL_HDR_LEN);
}
