/* decode-mpls.c — MPLS label stacks (RFC 3032) and their payload (IPv4, IPv6, Ethernet
 * pseudowire with control word, RFC 4448); events as Suricata's decode-mpls.c. */
#include "sensor/decode/decode-int.h"

#define MPLS_SHIM_LEN 4
#define MPLS_PW_CW_LEN 4

enum {
	MPLS_LABEL_IPV4_NULL = 0,
	MPLS_LABEL_ROUTER_ALERT = 1,
	MPLS_LABEL_IPV6_NULL = 2,
	MPLS_LABEL_IMPLICIT_NULL = 3,
	MPLS_LABEL_MAX_RESERVED = 15,
};

int decode_mpls(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_MPLS);
	int rc = decode_layer_enter(dc, p);
	if (rc < 0)
		return rc;
	setu_rd_t r = setu_rd_init(buf, len);
	uint32_t shim = 0;
	unsigned n = 0;
	do {
		if (setu_rd_left(&r) < MPLS_SHIM_LEN) {
			setu_pkt_set_event(p, SETU_EV_MPLS_HEADER_TOO_SMALL);
			return SETU_ETRUNC;
		}
		if (++n > SETU_MPLS_MAX_LABELS) {
			setu_pkt_set_event(p, SETU_EV_TOO_MANY_LAYERS);
			setu_dc_inc(dc, SETU_DC_TOO_MANY_LAYERS);
			return SETU_ELIMIT;
		}
		shim = setu_rd_be32(&r);
	} while (!(shim & 0x100)); /* bottom of stack */

	uint32_t label = shim >> 12;
	const uint8_t *pl = setu_rd_ptr(&r);
	size_t plen = setu_rd_left(&r);
	switch (label) {
	case MPLS_LABEL_IPV4_NULL:
		return decode_ipv4(dc, p, pl, plen);
	case MPLS_LABEL_IPV6_NULL:
		return decode_ipv6(dc, p, pl, plen);
	case MPLS_LABEL_ROUTER_ALERT:
		setu_pkt_set_event(p, SETU_EV_MPLS_BAD_LABEL_ROUTER_ALERT);
		return SETU_EMALFORMED;
	case MPLS_LABEL_IMPLICIT_NULL:
		setu_pkt_set_event(p, SETU_EV_MPLS_BAD_LABEL_IMPLICIT_NULL);
		return SETU_EMALFORMED;
	default:
		if (label <= MPLS_LABEL_MAX_RESERVED) {
			setu_pkt_set_event(p, SETU_EV_MPLS_BAD_LABEL_RESERVED);
			return SETU_EMALFORMED;
		}
		break;
	}
	/* No payload type in MPLS: guess from the first nibble, as Suricata does. */
	if (plen < 1) {
		setu_pkt_set_event(p, SETU_EV_MPLS_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	switch (pl[0] >> 4) {
	case 4:
		return decode_ipv4(dc, p, pl, plen);
	case 6:
		return decode_ipv6(dc, p, pl, plen);
	case 0: /* Ethernet pseudowire control word */
		if (plen < MPLS_PW_CW_LEN + 14) {
			setu_pkt_set_event(p, SETU_EV_MPLS_PKT_TOO_SMALL);
			return SETU_ETRUNC;
		}
		return decode_ethernet(dc, p, pl + MPLS_PW_CW_LEN, plen - MPLS_PW_CW_LEN);
	default:
		setu_pkt_set_event(p, SETU_EV_MPLS_UNKNOWN_PAYLOAD_TYPE);
		return SETU_EMALFORMED;
	}
}
