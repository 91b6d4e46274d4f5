/* decode-ppp.c — PPP in HDLC-like framing (RFC 1661, RFC 1662) for DLT_PPP, and the PPP
 * payload dispatch shared with PPPoE and PPTP/GRE; events as Suricata's decode-ppp.c. */
#include "sensor/decode/decode-int.h"

enum {
	PPP_IP = 0x0021,
	PPP_IPV6 = 0x0057,
	PPP_VJ_UCOMP = 0x002f,
};

/* Protocols Suricata knows but does not decode (control protocols, old network layers).
 */
static bool ppp_known_unsupported(uint16_t proto)
{
	static const uint16_t known[] = {
	    0x0023, 0x0025, 0x0027, 0x0029, 0x002b, 0x002d, 0x0031, 0x0033, 0x0035,
	    0x003d, 0x00fd, 0x0201, 0x0231, 0x0233, 0x0281, 0x0283, 0x8021, 0x8023,
	    0x8025, 0x8027, 0x8029, 0x802b, 0x8033, 0x8035, 0x8057, 0x80fd, 0x8281,
	    0xc021, 0xc023, 0xc025, 0xc223, 0xc029, 0xc02b, 0xc02d, 0x4021,
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i] == proto)
			return true;
	return false;
}

size_t decode_ppp_proto(const uint8_t *buf, size_t len, uint16_t *proto)
{
	/* Protocol field compression (PFC, RFC 1661 §6.5): protocol numbers are odd in
	 * their low byte and even in their high byte, so an odd first byte is a one-byte
	 * protocol. */
	if (len >= 1 && (buf[0] & 0x01)) {
		*proto = buf[0];
		return 1;
	}
	if (len >= 2) {
		*proto = setu_be16(buf);
		return 2;
	}
	return 0;
}

int decode_ppp_payload(setu_decode_ctx_t *dc, setu_pkt_t *p, uint16_t proto,
                       const uint8_t *buf, size_t len)
{
	switch (proto) {
	case PPP_IP:
		if (len < 20) {
			setu_pkt_set_event(p, SETU_EV_PPP_IP4_PKT_TOO_SMALL);
			return SETU_ETRUNC;
		}
		return decode_ipv4(dc, p, buf, len);
	case PPP_IPV6:
		if (len < 40) {
			setu_pkt_set_event(p, SETU_EV_PPP_IP6_PKT_TOO_SMALL);
			return SETU_ETRUNC;
		}
		return decode_ipv6(dc, p, buf, len);
	case PPP_VJ_UCOMP:
		if (len < 20) {
			setu_pkt_set_event(p, SETU_EV_PPP_VJU_PKT_TOO_SMALL);
			return SETU_ETRUNC;
		}
		if ((buf[0] >> 4) == 4)
			return decode_ipv4(dc, p, buf, len);
		return 0;
	default:
		if (ppp_known_unsupported(proto)) {
			setu_pkt_set_event(p, SETU_EV_PPP_UNSUP_PROTO);
			return 0;
		}
		setu_pkt_set_event(p, SETU_EV_PPP_WRONG_TYPE);
		return SETU_EMALFORMED;
	}
}

int decode_ppp(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_PPP);
	setu_rd_t r = setu_rd_init(buf, len);
	/* Address 0xff + control 0x03, unless compressed away (ACFC, RFC 1661 §6.6). */
	if (len >= 2 && buf[0] == 0xff && buf[1] == 0x03)
		setu_rd_skip(&r, 2);
	uint16_t proto = 0;
	size_t n = decode_ppp_proto(setu_rd_ptr(&r), setu_rd_left(&r), &proto);
	if (n == 0) {
		setu_pkt_set_event(p, SETU_EV_PPP_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	setu_rd_skip(&r, n);
	return decode_ppp_payload(dc, p, proto, setu_rd_ptr(&r), setu_rd_left(&r));
}
