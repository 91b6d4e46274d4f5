/* decode-pppoe.c — PPP over Ethernet (RFC 2516): discovery stage
 * (PADI/PADO/PADR/PADS/PADT and their tags) and session stage carrying PPP; events as
 * Suricata's decode-pppoe.c. */
#include "sensor/decode/decode-int.h"

#define PPPOE_HDR_LEN 6

enum {
	PPPOE_CODE_PADI = 0x09,
	PPPOE_CODE_PADO = 0x07,
	PPPOE_CODE_PADR = 0x19,
	PPPOE_CODE_PADS = 0x65,
	PPPOE_CODE_PADT = 0xa7,
};

int decode_pppoe_discovery(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                           size_t len)
{
	setu_dc_inc(dc, SETU_DC_PPPOE);
	if (len < PPPOE_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_PPPOE_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	setu_rd_t r = setu_rd_init(buf, len);
	setu_rd_u8(&r); /* version and type */
	uint8_t code = setu_rd_u8(&r);
	setu_rd_be16(&r); /* session id */
	uint16_t plen = setu_rd_be16(&r);
	switch (code) {
	case PPPOE_CODE_PADI:
	case PPPOE_CODE_PADO:
	case PPPOE_CODE_PADR:
	case PPPOE_CODE_PADS:
	case PPPOE_CODE_PADT:
		break;
	default:
		setu_pkt_set_event(p, SETU_EV_PPPOE_WRONG_CODE);
		return SETU_EMALFORMED;
	}
	/* Tags: type(2) length(2) value; they must fit in the payload length. */
	size_t left = plen <= setu_rd_left(&r) ? plen : setu_rd_left(&r);
	setu_rd_t t = setu_rd_init(setu_rd_ptr(&r), left);
	while (setu_rd_left(&t) > 0) {
		if (setu_rd_left(&t) < 4) {
			setu_pkt_set_event(p, SETU_EV_PPPOE_MALFORMED_TAGS);
			return SETU_EMALFORMED;
		}
		uint16_t type = setu_rd_be16(&t);
		uint16_t tlen = setu_rd_be16(&t);
		if (type == 0x0000) /* End-Of-List */
			break;
		if (!setu_rd_skip(&t, tlen)) {
			setu_pkt_set_event(p, SETU_EV_PPPOE_MALFORMED_TAGS);
			return SETU_EMALFORMED;
		}
	}
	return 0;
}

int decode_pppoe_session(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                         size_t len)
{
	setu_dc_inc(dc, SETU_DC_PPPOE);
	if (len < PPPOE_HDR_LEN + 1) {
		setu_pkt_set_event(p, SETU_EV_PPPOE_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	int rc = decode_layer_enter(dc, p);
	if (rc < 0)
		return rc;
	setu_rd_t r = setu_rd_init(buf, len);
	setu_rd_skip(&r, 4); /* version/type, code (0 in session), session id */
	uint16_t plen = setu_rd_be16(&r);
	/* The PPPoE length bounds the PPP frame; Ethernet padding may follow it. */
	size_t left = setu_rd_left(&r);
	if (plen < left)
		left = plen;
	uint16_t proto = 0;
	size_t n = decode_ppp_proto(setu_rd_ptr(&r), left, &proto);
	if (n == 0) {
		setu_pkt_set_event(p, SETU_EV_PPPOE_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	return decode_ppp_payload(dc, p, proto, setu_rd_ptr(&r) + n, left - n);
}
