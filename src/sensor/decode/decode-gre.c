/* decode-gre.c — GRE version 0 (RFC 1701, 2784, 2890) and version 1, enhanced GRE for
 * PPTP (RFC 2637); payloads IPv4, IPv6, PPP, Ethernet, VLAN, MPLS, ERSPAN II; events and
 * when they fire as Suricata's decode-gre.c and decode-erspan.c. */
#include "sensor/decode/decode-int.h"

#define GRE_HDR_LEN 4

enum {
	GRE_C = 0x80,   /* checksum present */
	GRE_R = 0x40,   /* routing present */
	GRE_K = 0x20,   /* key present */
	GRE_S = 0x10,   /* sequence present */
	GRE_SSR = 0x08, /* strict source route */
	GRE_RECUR = 0x07,
	GRE_A = 0x80,     /* second byte: acknowledgment present (v1) */
	GRE_FLAGS = 0x78, /* second byte: reserved flags */
	GRE_PROTO_PPP = 0x880b,
};

/* ERSPAN type II (draft-foschiano-erspan): an 8-byte header with version 1 and the
 * mirrored frame's VLAN, then that Ethernet frame; events as Suricata's decode-erspan.c.
 */
static int decode_erspan(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                         size_t len)
{
	setu_dc_inc(dc, SETU_DC_ERSPAN);
	if (len < 8) {
		setu_pkt_set_event(p, SETU_EV_ERSPAN_HEADER_TOO_SMALL);
		return SETU_ETRUNC;
	}
	uint16_t ver_vlan = setu_be16(buf);
	if ((ver_vlan >> 12) != 1) {
		setu_pkt_set_event(p, SETU_EV_ERSPAN_UNSUPPORTED_VERSION);
		return SETU_EMALFORMED;
	}
	uint16_t vlan = ver_vlan & 0x0fff;
	if (vlan) {
		if (p->vlan_count >= 2) {
			setu_pkt_set_event(p, SETU_EV_ERSPAN_TOO_MANY_VLAN_LAYERS);
			return SETU_ELIMIT;
		}
		p->vlan_id[p->vlan_count++] = vlan;
	}
	return decode_ethernet(dc, p, buf + 8, len - 8);
}

int decode_gre(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_GRE);
	if (len < GRE_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_GRE_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	uint8_t f0 = buf[0], f1 = buf[1];
	uint16_t proto = setu_be16(buf + 2);
	size_t hlen = GRE_HDR_LEN;
	switch (f1 & 0x07) {
	case 0:
		if (f0 & GRE_RECUR) {
			setu_pkt_set_event(p, SETU_EV_GRE_VERSION0_RECUR);
			return SETU_EMALFORMED;
		}
		if (f1 & GRE_FLAGS) {
			setu_pkt_set_event(p, SETU_EV_GRE_VERSION0_FLAGS);
			return SETU_EMALFORMED;
		}
		if (f0 & (GRE_C | GRE_R))
			hlen += 4; /* checksum + offset */
		if (f0 & GRE_K)
			hlen += 4;
		if (f0 & GRE_S)
			hlen += 4;
		if (hlen > len) {
			setu_pkt_set_event(p, SETU_EV_GRE_VERSION0_HDR_TOO_BIG);
			return SETU_ETRUNC;
		}
		if (f0 & GRE_R) {
			/* Source route entries (RFC 1701): af(2) offset(1) length(1)
			 * data, ending with af 0 and length 0. */
			setu_rd_t r = setu_rd_init(buf + hlen, len - hlen);
			for (;;) {
				uint16_t af = setu_rd_be16(&r);
				setu_rd_u8(&r);
				uint8_t sre_len = setu_rd_u8(&r);
				if (r.err || !setu_rd_skip(&r, sre_len)) {
					setu_pkt_set_event(
					    p, SETU_EV_GRE_VERSION0_MALFORMED_SRE_HDR);
					return SETU_EMALFORMED;
				}
				if (af == 0 && sre_len == 0)
					break;
			}
			hlen += r.off;
		}
		break;
	case 1:
		if (f0 & GRE_C) {
			setu_pkt_set_event(p, SETU_EV_GRE_VERSION1_CHKSUM);
			return SETU_EMALFORMED;
		}
		if (f0 & GRE_R) {
			setu_pkt_set_event(p, SETU_EV_GRE_VERSION1_ROUTE);
			return SETU_EMALFORMED;
		}
		if (f0 & GRE_SSR) {
			setu_pkt_set_event(p, SETU_EV_GRE_VERSION1_SSR);
			return SETU_EMALFORMED;
		}
		if (f0 & GRE_RECUR) {
			setu_pkt_set_event(p, SETU_EV_GRE_VERSION1_RECUR);
			return SETU_EMALFORMED;
		}
		if (f1 & GRE_FLAGS) {
			setu_pkt_set_event(p, SETU_EV_GRE_VERSION1_FLAGS);
			return SETU_EMALFORMED;
		}
		if (proto != GRE_PROTO_PPP) {
			setu_pkt_set_event(p, SETU_EV_GRE_VERSION1_WRONG_PROTOCOL);
			return SETU_EMALFORMED;
		}
		if (!(f0 & GRE_K)) {
			setu_pkt_set_event(p, SETU_EV_GRE_VERSION1_NO_KEY);
			return SETU_EMALFORMED;
		}
		hlen += 4; /* payload length + call id */
		if (f0 & GRE_S)
			hlen += 4;
		if (f1 & GRE_A)
			hlen += 4;
		if (hlen > len) {
			setu_pkt_set_event(p, SETU_EV_GRE_VERSION1_HDR_TOO_BIG);
			return SETU_ETRUNC;
		}
		break;
	default:
		setu_pkt_set_event(p, SETU_EV_GRE_WRONG_VERSION);
		return SETU_EMALFORMED;
	}

	const uint8_t *pl = buf + hlen;
	size_t plen = len - hlen;
	int rc;
	switch (proto) {
	case 0x0800:
	case 0x86dd:
		rc = decode_tunnel_enter(dc, p);
		if (rc < 0)
			return rc;
		return proto == 0x0800 ? decode_ipv4(dc, p, pl, plen)
		                       : decode_ipv6(dc, p, pl, plen);
	case GRE_PROTO_PPP: {
		if (plen == 0) /* PPTP acknowledgment only */
			return 0;
		rc = decode_tunnel_enter(dc, p);
		if (rc < 0)
			return rc;
		setu_rd_t r = setu_rd_init(pl, plen);
		if (plen >= 2 && pl[0] == 0xff && pl[1] == 0x03)
			setu_rd_skip(&r, 2);
		uint16_t pp = 0;
		size_t n = decode_ppp_proto(setu_rd_ptr(&r), setu_rd_left(&r), &pp);
		if (n == 0) {
			setu_pkt_set_event(p, SETU_EV_PPP_PKT_TOO_SMALL);
			return SETU_ETRUNC;
		}
		setu_rd_skip(&r, n);
		return decode_ppp_payload(dc, p, pp, setu_rd_ptr(&r), setu_rd_left(&r));
	}
	case 0x6558: /* transparent Ethernet bridging */
		rc = decode_tunnel_enter(dc, p);
		return rc < 0 ? rc : decode_ethernet(dc, p, pl, plen);
	case 0x8100:
	case 0x88a8:
		rc = decode_tunnel_enter(dc, p);
		return rc < 0 ? rc : decode_vlan(dc, p, pl, plen);
	case 0x8847:
	case 0x8848:
		rc = decode_tunnel_enter(dc, p);
		return rc < 0 ? rc : decode_mpls(dc, p, pl, plen);
	case 0x88be:
		/* ERSPAN type II carries a sequence number; type I (none) is off by
		 * default in Suricata and left undecoded here too. */
		if (!(f0 & GRE_S))
			return 0;
		rc = decode_tunnel_enter(dc, p);
		return rc < 0 ? rc : decode_erspan(dc, p, pl, plen);
	default:
		/* WCCP, keepalives...: not decoded. */
		return 0;
	}
}
