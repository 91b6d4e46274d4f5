/* decode-udp.c — UDP (RFC 768), with VXLAN (RFC 7348, port 4789) handed on; events and
 * when they fire as Suricata's decode-udp.c. */
#include "sensor/decode/decode-int.h"

#define UDP_HDR_LEN 8
#define VXLAN_PORT 4789

int decode_udp(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_UDP);
	if (len < UDP_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_UDP_HLEN_TOO_SMALL);
		return SETU_ETRUNC;
	}
	setu_rd_t r = setu_rd_init(buf, len);
	uint16_t sp = setu_rd_be16(&r);
	uint16_t dp = setu_rd_be16(&r);
	uint16_t ulen = setu_rd_be16(&r);
	uint16_t csum = setu_rd_be16(&r);
	if (len < ulen) {
		setu_pkt_set_event(p, SETU_EV_UDP_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	if (len != ulen) {
		/* The IP length says more than UDP does: bytes hidden after the datagram.
		 * Recorded; the datagram itself can still be valid (as in Suricata 7+).
		 */
		setu_pkt_set_event(p, SETU_EV_UDP_HLEN_INVALID);
	}
	if (ulen < UDP_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_UDP_LEN_INVALID);
		return SETU_EMALFORMED;
	}
	p->sp = sp;
	p->dp = dp;
	p->l4 = buf;
	p->l4_len = ulen;
	p->payload = buf + UDP_HDR_LEN;
	p->payload_len = (uint32_t)ulen - UDP_HDR_LEN;
	p->flags |= SETU_PKT_HAS_L4;
	/* IPv4 may leave the checksum out (0); IPv6 may not (RFC 8200 §8.1). */
	if (dc->cfg.checksum_validate && (csum != 0 || p->ip_ver == 6) &&
	    !setu_csum_l4_ok(p, 17, buf, ulen))
		p->flags |= SETU_PKT_UDP_CSUM_BAD;

	if (dp == VXLAN_PORT) {
		int rc = decode_vxlan(dc, p, p->payload, p->payload_len);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	return 0;
}
