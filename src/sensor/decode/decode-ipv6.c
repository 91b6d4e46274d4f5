/* decode-ipv6.c — IPv6 (RFC 8200): header, extension headers (hop-by-hop, routing,
 * fragment, destination options, AH RFC 4302, ESP, no-next-header, mobility/HIP/shim6),
 * fragments handed to defrag.c; events and when they fire as Suricata's decode-ipv6.c. */
#include "sensor/decode/decode-int.h"

#define IPV6_HDR_LEN 40

enum {
	NH_HOPOPTS = 0,
	NH_ROUTING = 43,
	NH_FRAGMENT = 44,
	NH_ESP = 50,
	NH_AH = 51,
	NH_NONE = 59,
	NH_DSTOPTS = 60,
	NH_MH = 135,
	NH_HIP = 139,
	NH_SHIM6 = 140,
};

/* Options of a hop-by-hop or destination options header (RFC 8200 §4.2). */
static void ipv6_options(setu_pkt_t *p, bool hop, const uint8_t *o, size_t len)
{
	size_t off = 0, pads = 0, others = 0;
	while (off < len) {
		uint8_t type = o[off];
		if (type == 0x00) { /* Pad1 */
			pads++;
			off++;
			continue;
		}
		if (len - off < 2) {
			setu_pkt_set_event(p, SETU_EV_IPV6_EXTHDR_INVALID_OPTLEN);
			return;
		}
		uint8_t olen = o[off + 1];
		if ((size_t)olen + 2 > len - off) {
			setu_pkt_set_event(p, SETU_EV_IPV6_EXTHDR_INVALID_OPTLEN);
			return;
		}
		switch (type) {
		case 0x01: /* PadN */
			if (olen == 0)
				setu_pkt_set_event(p, SETU_EV_IPV6_ZERO_LEN_PADN);
			pads++;
			off += (size_t)olen + 2;
			continue;
		case 0x05: /* router alert (RFC 2711) */
		case 0xc2: /* jumbo payload (RFC 2675) */
		case 0xc9: /* home address (RFC 6275) */
		{
			size_t need = type == 0x05 ? 2 : type == 0xc2 ? 4 : 16;
			if (olen < need) {
				setu_pkt_set_event(p, SETU_EV_IPV6_EXTHDR_INVALID_OPTLEN);
				return;
			}
			break;
		}
		default:
			/* Like Suricata, only the options above are known: the rest
			 * (tunnel limit, CALIPSO, RPL...) are reported as unknown. */
			setu_pkt_set_event(p, hop ? SETU_EV_IPV6_HOPOPTS_UNKNOWN_OPT
			                          : SETU_EV_IPV6_DSTOPTS_UNKNOWN_OPT);
			break;
		}
		others++;
		off += (size_t)olen + 2;
	}
	if (pads > 0 && others == 0)
		setu_pkt_set_event(p, hop ? SETU_EV_IPV6_HOPOPTS_ONLY_PADDING
		                          : SETU_EV_IPV6_DSTOPTS_ONLY_PADDING);
}

/* Length of an extension header at buf[off] from its length byte; 0 if it does not fit
 * (event ipv6.trunc_exthdr). */
static size_t exthdr_len(setu_pkt_t *p, uint8_t nh, const uint8_t *buf, size_t off,
                         size_t end)
{
	size_t left = end - off;
	if (left < 2) {
		setu_pkt_set_event(p, SETU_EV_IPV6_TRUNC_EXTHDR);
		return 0;
	}
	size_t hl =
	    nh == NH_AH ? ((size_t)buf[off + 1] + 2) * 4 : ((size_t)buf[off + 1] + 1) * 8;
	if (hl > left) {
		setu_pkt_set_event(p, SETU_EV_IPV6_TRUNC_EXTHDR);
		return 0;
	}
	return hl;
}

int decode_ipv6(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_IPV6);
	decode_clear_l3(p);
	if (len < IPV6_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_IPV6_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	if ((buf[0] >> 4) != 6) {
		setu_pkt_set_event(p, SETU_EV_IPV6_WRONG_IP_VERSION);
		return SETU_EMALFORMED;
	}
	setu_rd_t r = setu_rd_init(buf, len);
	uint32_t vtf = setu_rd_be32(&r);
	uint16_t plen = setu_rd_be16(&r);
	uint8_t nh = setu_rd_u8(&r);
	uint8_t hlim = setu_rd_u8(&r);
	if (len < (size_t)IPV6_HDR_LEN + plen) {
		setu_pkt_set_event(p, SETU_EV_IPV6_TRUNC_PKT);
		return SETU_ETRUNC;
	}
	size_t end = (size_t)IPV6_HDR_LEN + plen;

	p->ip_ver = 6;
	p->l3 = buf;
	p->l3_len = (uint32_t)end;
	setu_addr_set6(&p->src, buf + 8);
	setu_addr_set6(&p->dst, buf + 24);
	p->ip.ttl = hlim;
	p->ip.tos = (uint8_t)(vtf >> 20);
	p->ip.flow_label = vtf & 0xfffffu;

	size_t off = IPV6_HDR_LEN;
	size_t nh_off = 6; /* where the current next-header value was read */
	bool hh = false, rh = false, fh = false, ah = false;
	unsigned dh = 0;
	for (;;) {
		p->proto = nh;
		p->ip.hlen = off > UINT16_MAX ? UINT16_MAX : (uint16_t)off;
		size_t hl;
		switch (nh) {
		case NH_HOPOPTS:
		case NH_DSTOPTS:
			hl = exthdr_len(p, nh, buf, off, end);
			if (!hl)
				return SETU_ETRUNC;
			/* Duplicates are recorded and skipped; decoding goes on after
			 * them. */
			if (nh == NH_HOPOPTS) {
				if (hh) {
					setu_pkt_set_event(p,
					                   SETU_EV_IPV6_EXTHDR_DUPL_HH);
					break;
				}
				hh = true;
			} else if (++dh > 2) {
				/* RFC 8200 allows one before the routing header and one
				 * before the upper layer. */
				setu_pkt_set_event(p, SETU_EV_IPV6_EXTHDR_DUPL_DH);
				break;
			}
			ipv6_options(p, nh == NH_HOPOPTS, buf + off + 2, hl - 2);
			break;
		case NH_ROUTING:
			hl = exthdr_len(p, nh, buf, off, end);
			if (!hl)
				return SETU_ETRUNC;
			if (rh) {
				setu_pkt_set_event(p, SETU_EV_IPV6_EXTHDR_DUPL_RH);
				break;
			}
			rh = true;
			if (buf[off + 2] == 0) /* type 0, deprecated by RFC 5095 */
				setu_pkt_set_event(p, SETU_EV_IPV6_RH_TYPE_0);
			break;
		case NH_MH:
		case NH_HIP:
		case NH_SHIM6:
			hl = exthdr_len(p, nh, buf, off, end);
			if (!hl)
				return SETU_ETRUNC;
			break;
		case NH_AH:
			hl = exthdr_len(p, nh, buf, off, end);
			if (!hl)
				return SETU_ETRUNC;
			if (ah) {
				setu_pkt_set_event(p, SETU_EV_IPV6_EXTHDR_DUPL_AH);
				break;
			}
			ah = true;
			if (hl >= 4 && setu_be16(buf + off + 2) != 0)
				setu_pkt_set_event(p,
				                   SETU_EV_IPV6_EXTHDR_AH_RES_NOT_NULL);
			break;
		case NH_ESP:
			/* Encrypted: nothing further can be decoded (so a second ESP
			 * header, ipv6.exthdr_dupl_eh, is never seen). */
			setu_dc_inc(dc, SETU_DC_ESP);
			return 0;
		case NH_NONE:
			if (end > off)
				setu_pkt_set_event(p,
				                   SETU_EV_IPV6_DATA_AFTER_NONE_HEADER);
			return 0;
		case NH_FRAGMENT: {
			if (end - off < 8) {
				setu_pkt_set_event(p, SETU_EV_IPV6_TRUNC_EXTHDR);
				return SETU_ETRUNC;
			}
			hl = 8;
			uint16_t offm = setu_be16(buf + off + 2);
			if (buf[off + 1] != 0 || (offm & 0x0006))
				setu_pkt_set_event(
				    p, SETU_EV_IPV6_FH_NON_ZERO_RESERVED_FIELD);
			if (fh) {
				setu_pkt_set_event(p, SETU_EV_IPV6_EXTHDR_DUPL_FH);
				break;
			}
			fh = true;
			uint32_t fid = setu_be32(buf + off + 4);
			p->ip.frag_off = offm & 0xfff8u;
			p->ip.mf = (offm & 1u) != 0;
			p->ip.frag_id = fid;
			p->ip.id = (uint16_t)fid;
			if (p->ip.frag_off == 0 && !p->ip.mf) {
				/* An atomic fragment (RFC 6946): decode on as a whole
				 * packet. */
				setu_pkt_set_event(p, SETU_EV_IPV6_EXTHDR_USELESS_FH);
				break;
			}
			p->proto = buf[off];
			if (p->ip.mf && ((end - off - 8) % 8) != 0) {
				setu_pkt_set_event(p, SETU_EV_IPV6_FRAG_INVALID_LENGTH);
				p->flags |= SETU_PKT_IS_FRAGMENT;
				return 0;
			}
			size_t dlen = setu_defrag_ipv6(dc, p, buf, end, off, nh_off);
			if (dlen == 0) {
				p->flags |= SETU_PKT_IS_FRAGMENT;
				return 0;
			}
			/* The packet becomes the reassembled datagram (no fragment
			 * header). */
			int rc = decode_ipv6(dc, p, dc->reasm, dlen);
			dc->cnt[SETU_DC_IPV6]--; /* one packet, counted once */
			p->flags |= SETU_PKT_REASSEMBLED;
			return rc;
		}
		default:
			/* Upper layer (or a tunnel): done with extension headers. */
			switch (nh) {
			case 6:
			case 17:
			case 58:
			case 1:
			case 4:
			case 41:
			case 47:
			case 132:
				return decode_ip_payload(dc, p, nh, buf + off, end - off);
			default:
				setu_pkt_set_event(p, SETU_EV_IPV6_UNKNOWN_NEXT_HEADER);
				return 0;
			}
		}
		nh_off = off;
		nh = buf[off];
		off += hl;
	}
}
