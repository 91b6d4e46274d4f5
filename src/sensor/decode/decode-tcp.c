/* decode-tcp.c — TCP header (RFC 9293) and options: MSS, window scale (RFC 7323), SACK
 * (RFC 2018), timestamps; events and when they fire as Suricata's decode-tcp.c. */
#include "sensor/decode/decode-int.h"

#define TCP_HDR_LEN 20

enum {
	TCPOPT_EOL = 0,
	TCPOPT_NOP = 1,
	TCPOPT_MSS = 2,
	TCPOPT_WS = 3,
	TCPOPT_SACKOK = 4,
	TCPOPT_SACK = 5,
	TCPOPT_TS = 8,
	TCPOPT_MD5 = 19, /* RFC 2385 */
	TCPOPT_AO = 29,  /* RFC 5925 */
	TCPOPT_TFO = 34, /* RFC 7413 */
	TCPOPT_EXP1 = 253,
	TCPOPT_EXP2 = 254,
};

/* Options: bad lengths of the common options are recorded; an option running past the
 * header (which ends the walk), or a malformed MD5/AO option, also counts the packet as
 * invalid, as Suricata does, while its flow is still tracked. */
static void tcp_options(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *o,
                        size_t len)
{
	size_t off = 0;
	bool tfo = false;
	while (off < len) {
		uint8_t type = o[off];
		if (type == TCPOPT_EOL)
			break;
		if (type == TCPOPT_NOP) {
			off++;
			continue;
		}
		size_t left = len - off;
		if (left < 2)
			break;
		uint8_t olen = o[off + 1];
		if (olen < 2 || olen > left) {
			setu_pkt_set_event(p, SETU_EV_TCP_OPT_INVALID_LEN);
			dc->soft_invalid = true;
			return;
		}
		const uint8_t *v = o + off + 2;
		switch (type) {
		case TCPOPT_MSS:
			if (olen != 4)
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_INVALID_LEN);
			else if (p->tcp.has_mss)
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_DUPLICATE);
			else {
				p->tcp.has_mss = true;
				p->tcp.mss = setu_be16(v);
			}
			break;
		case TCPOPT_WS:
			if (olen != 3)
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_INVALID_LEN);
			else if (p->tcp.has_wscale)
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_DUPLICATE);
			else {
				p->tcp.has_wscale = true;
				p->tcp.wscale = v[0];
			}
			break;
		case TCPOPT_SACKOK:
			if (olen != 2)
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_INVALID_LEN);
			else if (p->tcp.sack_ok)
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_DUPLICATE);
			else
				p->tcp.sack_ok = true;
			break;
		case TCPOPT_TS:
			if (olen != 10)
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_INVALID_LEN);
			else if (p->tcp.has_ts)
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_DUPLICATE);
			else {
				p->tcp.has_ts = true;
				p->tcp.tsval = setu_be32(v);
				p->tcp.tsecr = setu_be32(v + 4);
			}
			break;
		case TCPOPT_SACK:
			/* 1 to 4 blocks of 8 bytes (an empty SACK is tolerated). */
			if (olen != 2 && (olen < 10 || olen > 34 || (olen - 2) % 8))
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_INVALID_LEN);
			else if (p->tcp.has_sack)
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_DUPLICATE);
			else
				p->tcp.has_sack = true;
			break;
		case TCPOPT_TFO:
			/* Empty (cookie request) or a cookie of 4-16 bytes, even length.
			 */
			if (olen != 2 && (olen < 6 || olen > 18 || (olen - 2) % 2))
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_INVALID_LEN);
			else if (tfo)
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_DUPLICATE);
			else
				tfo = true;
			break;
		case TCPOPT_EXP1:
		case TCPOPT_EXP2:
			/* Experimental options; magic 0xf989 is the pre-RFC TFO. */
			if (olen != 4 && olen != 12)
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_INVALID_LEN);
			else if (setu_be16(v) == 0xf989) {
				if (tfo)
					setu_pkt_set_event(p, SETU_EV_TCP_OPT_DUPLICATE);
				tfo = true;
			}
			break;
		case TCPOPT_MD5:
			if (olen != 18) {
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_INVALID_LEN);
				dc->soft_invalid = true;
			}
			break;
		case TCPOPT_AO:
			if (olen < 4) {
				setu_pkt_set_event(p, SETU_EV_TCP_OPT_INVALID_LEN);
				dc->soft_invalid = true;
			}
			break;
		default:
			break;
		}
		off += olen;
	}
}

int decode_tcp(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_TCP);
	if (len < TCP_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_TCP_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	setu_rd_t r = setu_rd_init(buf, len);
	uint16_t sp = setu_rd_be16(&r);
	uint16_t dp = setu_rd_be16(&r);
	uint32_t seq = setu_rd_be32(&r);
	uint32_t ack = setu_rd_be32(&r);
	uint8_t off = setu_rd_u8(&r);
	uint8_t flags = setu_rd_u8(&r);
	uint16_t win = setu_rd_be16(&r);
	setu_rd_be16(&r); /* checksum */
	uint16_t urg = setu_rd_be16(&r);
	size_t hlen = (size_t)(off >> 4) * 4;
	if (len < hlen) {
		setu_pkt_set_event(p, SETU_EV_TCP_HLEN_TOO_SMALL);
		return SETU_EMALFORMED;
	}
	if (hlen < TCP_HDR_LEN) {
		/* A data offset below 5 leaves "negative" option space. */
		setu_pkt_set_event(p, SETU_EV_TCP_INVALID_OPTLEN);
		return SETU_EMALFORMED;
	}
	p->sp = sp;
	p->dp = dp;
	p->tcp.seq = seq;
	p->tcp.ack = ack;
	p->tcp.flags = flags;
	p->tcp.win = win;
	p->tcp.urg = urg;
	p->tcp.hlen = (uint8_t)hlen;
	if (hlen > TCP_HDR_LEN)
		tcp_options(dc, p, buf + TCP_HDR_LEN, hlen - TCP_HDR_LEN);

	p->l4 = buf;
	p->l4_len = (uint32_t)len;
	p->payload = buf + hlen;
	p->payload_len = (uint32_t)(len - hlen);
	p->flags |= SETU_PKT_HAS_L4;
	if (dc->cfg.checksum_validate && !setu_csum_l4_ok(p, 6, buf, len))
		p->flags |= SETU_PKT_TCP_CSUM_BAD;
	return 0;
}
