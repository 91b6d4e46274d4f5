/* decode-icmpv4.c — ICMP for IPv4 (RFC 792, 950, 1256): type/code checks, echo/timestamp
 * ids, the offending packet's header in error messages; events and when they fire as
 * Suricata's decode-icmpv4.c. */
#include "sensor/decode/decode-int.h"

#define ICMP_HDR_LEN 8

/* The IPv4 header (and ports) quoted by an ICMP error. A broken one counts the packet
 * invalid (as in Suricata) but the ICMP packet itself is still handled. */
static void icmpv4_inner(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                         size_t len)
{
	if (len < 20) {
		setu_pkt_set_event(p, SETU_EV_ICMPV4_IPV4_TRUNC_PKT);
		dc->soft_invalid = true;
		return;
	}
	if ((buf[0] >> 4) != 4) {
		setu_pkt_set_event(p, SETU_EV_ICMPV4_IPV4_UNKNOWN_VER);
		dc->soft_invalid = true;
		return;
	}
	size_t hlen = (size_t)(buf[0] & 0x0f) * 4;
	if (hlen < 20)
		hlen = 20;
	p->icmp.has_inner = true;
	setu_addr_set4(&p->icmp.inner_src, buf + 12);
	setu_addr_set4(&p->icmp.inner_dst, buf + 16);
	p->icmp.inner_proto = buf[9];
	/* Ports: TCP needs only its first 4 bytes quoted, UDP its whole header. */
	size_t need = buf[9] == 6 ? 4 : 8;
	if ((buf[9] == 6 || buf[9] == 17) && len >= hlen + need) {
		p->icmp.inner_sp = setu_be16(buf + hlen);
		p->icmp.inner_dp = setu_be16(buf + hlen + 2);
	}
}

int decode_icmpv4(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_ICMPV4);
	if (len < ICMP_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_ICMPV4_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	uint8_t type = buf[0], code = buf[1];
	p->icmp.type = type;
	p->icmp.code = code;
	p->l4 = buf;
	p->l4_len = (uint32_t)len;
	p->flags |= SETU_PKT_HAS_L4;

	/* The types Suricata knows, with their largest code; errors quote a packet. */
	size_t hlen = ICMP_HDR_LEN;
	unsigned max_code = 0;
	bool err = false, has_id = false;
	switch (type) {
	case 0:  /* echo reply */
	case 8:  /* echo */
	case 15: /* information request */
	case 16: /* information reply */
	case 17: /* address mask request */
	case 18: /* address mask reply */
		has_id = true;
		break;
	case 13: /* timestamp */
	case 14: /* timestamp reply */
		has_id = true;
		/* originate, receive and transmit timestamps follow */
		if (len < ICMP_HDR_LEN + 12)
			setu_pkt_set_event(p, SETU_EV_ICMPV4_IPV4_TRUNC_PKT);
		else
			hlen += 12;
		break;
	case 3: /* destination unreachable */
		max_code = 15;
		err = true;
		break;
	case 4:  /* source quench */
	case 12: /* parameter problem */
		err = true;
		break;
	case 5: /* redirect */
		max_code = 3;
		err = true;
		break;
	case 11: /* time exceeded */
		max_code = 1;
		err = true;
		break;
	case 9: { /* router advertisement (RFC 1256): addresses follow the header */
		size_t adv = (size_t)buf[4] * buf[5] * 4;
		if (len < ICMP_HDR_LEN + adv)
			setu_pkt_set_event(p, SETU_EV_ICMPV4_IPV4_TRUNC_PKT);
		else
			hlen += adv;
		max_code = 255;
		break;
	}
	default:
		/* Router solicitation (10) included: Suricata has no case for it. */
		setu_pkt_set_event(p, SETU_EV_ICMPV4_UNKNOWN_TYPE);
		max_code = 255;
		break;
	}
	if (code > max_code) {
		setu_pkt_set_event(p, SETU_EV_ICMPV4_UNKNOWN_CODE);
	} else if (err && (len > ICMP_HDR_LEN || type == 4)) {
		icmpv4_inner(dc, p, buf + ICMP_HDR_LEN, len - ICMP_HDR_LEN);
	}
	if (has_id) {
		p->icmp.has_id = true;
		p->icmp.id = setu_be16(buf + 4);
		p->icmp.seq = setu_be16(buf + 6);
	}
	p->payload = buf + hlen;
	p->payload_len = (uint32_t)(len - hlen);
	if (dc->cfg.checksum_validate && setu_csum_fold(setu_csum_add(0, buf, len)) != 0)
		p->flags |= SETU_PKT_ICMP_CSUM_BAD;
	return 0;
}
