/* decode-icmpv6.c — ICMPv6 (RFC 4443) with MLD (RFC 2710, 3810) and neighbour discovery
 * (RFC 4861) type/code checks, echo ids, the offending packet's header in errors; events
 * and when they fire as Suricata's decode-icmpv6.c. */
#include "sensor/decode/decode-int.h"

#define ICMPV6_HDR_LEN 8

/* The IPv6 header quoted by an error message; a broken one counts the packet invalid
 * (as in Suricata) but the ICMPv6 packet is still handled. */
static void icmpv6_inner(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                         size_t len)
{
	if (len < 40) {
		setu_pkt_set_event(p, SETU_EV_ICMPV6_IPV6_TRUNC_PKT);
		dc->soft_invalid = true;
		return;
	}
	if ((buf[0] >> 4) != 6) {
		setu_pkt_set_event(p, SETU_EV_ICMPV6_IPV6_UNKNOWN_VERSION);
		dc->soft_invalid = true;
		return;
	}
	p->icmp.has_inner = true;
	setu_addr_set6(&p->icmp.inner_src, buf + 8);
	setu_addr_set6(&p->icmp.inner_dst, buf + 24);
	p->icmp.inner_proto = buf[6];
	if ((buf[6] == 6 || buf[6] == 17) && len >= 44) {
		p->icmp.inner_sp = setu_be16(buf + 40);
		p->icmp.inner_dp = setu_be16(buf + 42);
	}
}

int decode_icmpv6(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_ICMPV6);
	if (len < ICMPV6_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_ICMPV6_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	uint8_t type = buf[0], code = buf[1];
	p->icmp.type = type;
	p->icmp.code = code;
	p->l4 = buf;
	p->l4_len = (uint32_t)len;
	p->payload = buf + ICMPV6_HDR_LEN;
	p->payload_len = (uint32_t)(len - ICMPV6_HDR_LEN);
	p->flags |= SETU_PKT_HAS_L4;

	/* Per type: the largest code defined, and whether the type is an error quoting
	 * the offending packet (decoded only when the code is known) or an echo. */
	unsigned max_code = 0;
	bool err = false, echo = false, known = true;
	switch (type) {
	case 1: /* destination unreachable */
		max_code = 6;
		err = true;
		break;
	case 2: /* packet too big */
		err = true;
		break;
	case 3: /* time exceeded */
		max_code = 1;
		err = true;
		break;
	case 4: /* parameter problem */
		max_code = 2;
		err = true;
		break;
	case 128: /* echo request */
	case 129: /* echo reply */
		echo = true;
		break;
	case 130: /* MLD query */
	case 131: /* MLD report */
	case 132: /* MLD done */
		/* MLD messages are link-local: hop limit must be 1 (RFC 2710 §3). */
		if (p->ip.ttl != 1)
			setu_pkt_set_event(p, SETU_EV_ICMPV6_MLD_MESSAGE_WITH_INVALID_HL);
		break;
	case 138: /* router renumbering: 0, 1, 2 or 255 */
		max_code = code == 255 ? 255 : 2;
		break;
	case 139: /* node information query */
	case 140: /* node information reply */
		max_code = 2;
		break;
	case 155: /* RPL control: 0-3 and 128-132 */
		max_code = (code >= 128 && code <= 132) ? 132 : 3;
		break;
	case 150: /* experimental mobility */
	case 151:
	case 152:
	case 153: /* multicast router discovery */
		max_code = 255;
		break;
	case 133: /* router solicitation */
	case 134: /* router advertisement */
	case 135: /* neighbour solicitation */
	case 136: /* neighbour advertisement */
	case 137: /* redirect */
	case 141:
	case 142: /* inverse ND */
	case 143: /* MLDv2 report */
	case 144:
	case 145:
	case 146:
	case 147: /* mobile IPv6 */
	case 148:
	case 149: /* SEND certification path */
	case 154: /* FMIPv6 */
	case 156: /* ILNPv6 locator update */
	case 157:
	case 158: /* duplicate address request/confirmation */
	case 159: /* MPL control */
		break;
	default:
		/* IANA's registry: experimentation types, unassigned ranges, the rest
		 * (0, 127: reserved) unknown. */
		known = false;
		if (type == 100 || type == 101 || type == 200 || type == 201)
			setu_pkt_set_event(p, SETU_EV_ICMPV6_EXPERIMENTATION_TYPE);
		else if ((type > 4 && type < 100) || (type >= 102 && type < 127) ||
		         (type >= 160 && type < 200) || type >= 202)
			setu_pkt_set_event(p, SETU_EV_ICMPV6_UNASSIGNED_TYPE);
		else
			setu_pkt_set_event(p, SETU_EV_ICMPV6_UNKNOWN_TYPE);
		break;
	}
	bool full_hdr = false;
	if (known && code > max_code) {
		setu_pkt_set_event(p, SETU_EV_ICMPV6_UNKNOWN_CODE);
	} else if (err) {
		icmpv6_inner(dc, p, buf + ICMPV6_HDR_LEN, len - ICMPV6_HDR_LEN);
		full_hdr = true;
	} else if (echo) {
		p->icmp.has_id = true;
		p->icmp.id = setu_be16(buf + 4);
		p->icmp.seq = setu_be16(buf + 6);
		full_hdr = true;
	}
	/* Messages other than errors and echoes have a 4-byte fixed header (Suricata). */
	if (!full_hdr) {
		p->payload = buf + 4;
		p->payload_len = (uint32_t)(len - 4);
	}
	if (dc->cfg.checksum_validate && !setu_csum_l4_ok(p, 58, buf, len))
		p->flags |= SETU_PKT_ICMP_CSUM_BAD;
	return 0;
}
