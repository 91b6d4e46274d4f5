/* decode-ipv4.c — IPv4 (RFC 791): header checks, options (RFC 791, 1108, 1393, 2113,
 * 4782, CIPSO draft), checksum, fragments handed to defrag.c; events and when they fire
 * as Suricata's decode-ipv4.c. */
#include "sensor/decode/decode-int.h"

#define IPV4_HDR_LEN 20

enum {
	IPOPT_EOL = 0x00,
	IPOPT_NOP = 0x01,
	IPOPT_RR = 0x07,
	IPOPT_QS = 0x19,
	IPOPT_TS = 0x44,
	IPOPT_SEC = 0x82,
	IPOPT_ESEC = 0x85,
	IPOPT_LSRR = 0x83,
	IPOPT_CIPSO = 0x86,
	IPOPT_SID = 0x88,
	IPOPT_SSRR = 0x89,
	IPOPT_RTRALT = 0x94,
};

/* Route options: [type][len][ptr][addresses]; ptr is 1-based, >= 4, a multiple of 4
 * and at most len + 1. */
static int opt_route(setu_pkt_t *p, const uint8_t *o, uint8_t olen)
{
	if (olen < 3) {
		setu_pkt_set_event(p, SETU_EV_IPV4_OPT_INVALID_LEN);
		return SETU_EMALFORMED;
	}
	uint8_t ptr = o[2];
	if (ptr < 4 || (ptr % 4) || ptr > olen + 1) {
		setu_pkt_set_event(p, SETU_EV_IPV4_OPT_MALFORMED);
		return SETU_EMALFORMED;
	}
	return 0;
}

/* Timestamp: [type][len][ptr][oflw|flag][records]; a record is 4 bytes (timestamps) or
 * 8 (address + timestamp, flags 1 and 3). */
static int opt_timestamp(setu_pkt_t *p, const uint8_t *o, uint8_t olen)
{
	if (olen < 5) {
		setu_pkt_set_event(p, SETU_EV_IPV4_OPT_INVALID_LEN);
		return SETU_EMALFORMED;
	}
	uint8_t ptr = o[2];
	if (ptr < 5) {
		setu_pkt_set_event(p, SETU_EV_IPV4_OPT_MALFORMED);
		return SETU_EMALFORMED;
	}
	uint8_t flag = o[3] & 0x0f;
	unsigned rec = (flag == 1 || flag == 3) ? 8 : 4;
	if (((unsigned)ptr - 5) % rec || ptr > olen + 1) {
		setu_pkt_set_event(p, SETU_EV_IPV4_OPT_MALFORMED);
		return SETU_EMALFORMED;
	}
	return 0;
}

/* CIPSO: [type][len][doi(4)][tags]; each tag [ttype][tlen][...], tlen >= 4 and the
 * alignment octet 0 (except tag 7). */
static int opt_cipso(setu_pkt_t *p, const uint8_t *o, uint8_t olen)
{
	if (olen < 10) {
		setu_pkt_set_event(p, SETU_EV_IPV4_OPT_INVALID_LEN);
		return SETU_EMALFORMED;
	}
	setu_rd_t r = setu_rd_init(o + 6, (size_t)olen - 6);
	while (setu_rd_left(&r) > 0) {
		size_t left = setu_rd_left(&r);
		if (left < 2) {
			setu_pkt_set_event(p, SETU_EV_IPV4_OPT_MALFORMED);
			return SETU_EMALFORMED;
		}
		uint8_t ttype = setu_rd_u8(&r);
		uint8_t tlen = setu_rd_u8(&r);
		bool known =
		    ttype == 1 || ttype == 2 || ttype == 5 || ttype == 6 || ttype == 7;
		if (!known || tlen < 4 || tlen > left) {
			setu_pkt_set_event(p, SETU_EV_IPV4_OPT_MALFORMED);
			return SETU_EMALFORMED;
		}
		if (ttype != 7 && setu_rd_ptr(&r)[0] != 0) {
			setu_pkt_set_event(p, SETU_EV_IPV4_OPT_MALFORMED);
			return SETU_EMALFORMED;
		}
		setu_rd_skip(&r, (size_t)tlen - 2);
	}
	return 0;
}

static int opt_len_check(setu_pkt_t *p, bool ok)
{
	if (ok)
		return 0;
	setu_pkt_set_event(p, SETU_EV_IPV4_OPT_INVALID_LEN);
	return SETU_EMALFORMED;
}

/* Walk the options; an invalid one makes the packet invalid (as in Suricata), duplicates
 * and unknown types are only recorded. */
static int ipv4_options(setu_pkt_t *p, const uint8_t *o, size_t len)
{
	uint16_t seen = 0; /* SETU_IPOPT_* of options already validated */
	size_t off = 0;
	while (off < len) {
		uint8_t type = o[off];
		if (type == IPOPT_EOL) {
			p->ip.opts |= SETU_IPOPT_EOL | SETU_IPOPT_ANY;
			break;
		}
		if (type == IPOPT_NOP) {
			p->ip.opts |= SETU_IPOPT_NOP | SETU_IPOPT_ANY;
			off++;
			continue;
		}
		size_t left = len - off;
		if (left < 2) {
			setu_pkt_set_event(p, SETU_EV_IPV4_OPT_EOL_REQUIRED);
			break;
		}
		uint8_t olen = o[off + 1];
		if (olen > left || olen < 2) {
			setu_pkt_set_event(p, SETU_EV_IPV4_OPT_INVALID_LEN);
			return SETU_EMALFORMED;
		}
		const uint8_t *opt = o + off;
		uint16_t bit = 0;
		int rc = 0;
		switch (type) {
		case IPOPT_RR:
			bit = SETU_IPOPT_RR;
			break;
		case IPOPT_LSRR:
			bit = SETU_IPOPT_LSRR;
			break;
		case IPOPT_SSRR:
			bit = SETU_IPOPT_SSRR;
			break;
		case IPOPT_TS:
			bit = SETU_IPOPT_TS;
			break;
		case IPOPT_SEC:
			bit = SETU_IPOPT_SEC;
			break;
		case IPOPT_ESEC:
			bit = SETU_IPOPT_ESEC;
			break;
		case IPOPT_SID:
			bit = SETU_IPOPT_SATID;
			break;
		case IPOPT_QS:
		case IPOPT_CIPSO:
		case IPOPT_RTRALT:
			bit = 0;
			break;
		default:
			setu_pkt_set_event(p, SETU_EV_IPV4_OPT_INVALID);
			p->ip.opts |= SETU_IPOPT_ANY;
			off += olen;
			continue;
		}
		/* Duplicates of options without a keyword bit are tracked by type. */
		static const uint8_t nobit_types[] = {IPOPT_QS, IPOPT_CIPSO,
		                                      IPOPT_RTRALT};
		uint16_t dupbit = bit;
		for (unsigned i = 0; i < 3 && !bit; i++)
			if (type == nobit_types[i])
				dupbit =
				    (uint16_t)(1u
				               << (9 + i)); /* bits 9-11: internal only */
		if (seen & dupbit) {
			setu_pkt_set_event(p, SETU_EV_IPV4_OPT_DUPLICATE);
			off += olen;
			continue;
		}
		switch (type) {
		case IPOPT_RR:
		case IPOPT_LSRR:
		case IPOPT_SSRR:
			rc = opt_route(p, opt, olen);
			break;
		case IPOPT_TS:
			rc = opt_timestamp(p, opt, olen);
			break;
		case IPOPT_CIPSO:
			rc = opt_cipso(p, opt, olen);
			break;
		case IPOPT_QS:
			rc = opt_len_check(p, olen >= 8);
			break;
		case IPOPT_SEC:
			rc = opt_len_check(p, olen == 11);
			break;
		case IPOPT_ESEC:
			rc = opt_len_check(p, olen >= 3);
			break;
		case IPOPT_SID:
		case IPOPT_RTRALT:
			rc = opt_len_check(p, olen == 4);
			break;
		default:
			break;
		}
		if (rc < 0)
			return rc;
		seen |= dupbit;
		p->ip.opts |= bit | SETU_IPOPT_ANY;
		off += olen;
	}
	return 0;
}

static int ipv4_decode(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                       size_t len, bool reassembled)
{
	if (!reassembled)
		setu_dc_inc(dc, SETU_DC_IPV4);
	decode_clear_l3(p);
	if (len < IPV4_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_IPV4_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	if ((buf[0] >> 4) != 4) {
		setu_pkt_set_event(p, SETU_EV_IPV4_WRONG_IP_VERSION);
		return SETU_EMALFORMED;
	}
	unsigned hlen = (buf[0] & 0x0fu) * 4;
	if (hlen < IPV4_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_IPV4_HLEN_TOO_SMALL);
		return SETU_EMALFORMED;
	}
	setu_rd_t r = setu_rd_init(buf, len);
	setu_rd_u8(&r);
	uint8_t tos = setu_rd_u8(&r);
	uint16_t iplen = setu_rd_be16(&r);
	uint16_t id = setu_rd_be16(&r);
	uint16_t frag = setu_rd_be16(&r);
	uint8_t ttl = setu_rd_u8(&r);
	uint8_t proto = setu_rd_u8(&r);
	if (iplen < hlen) {
		setu_pkt_set_event(p, SETU_EV_IPV4_IPLEN_SMALLER_THAN_HLEN);
		return SETU_EMALFORMED;
	}
	if (len < iplen) {
		setu_pkt_set_event(p, SETU_EV_IPV4_TRUNC_PKT);
		return SETU_ETRUNC;
	}

	p->ip_ver = 4;
	p->l3 = buf;
	p->l3_len = iplen;
	setu_addr_set4(&p->src, buf + 12);
	setu_addr_set4(&p->dst, buf + 16);
	p->proto = proto;
	p->ip.hlen = (uint16_t)hlen;
	p->ip.ttl = ttl;
	p->ip.tos = tos;
	p->ip.id = id;
	p->ip.frag_id = id;
	p->ip.frag_off = (uint16_t)((frag & 0x1fffu) * 8u);
	p->ip.rb = (frag & 0x8000u) != 0;
	p->ip.df = (frag & 0x4000u) != 0;
	p->ip.mf = (frag & 0x2000u) != 0;

	if (hlen > IPV4_HDR_LEN) {
		int rc = ipv4_options(p, buf + IPV4_HDR_LEN, hlen - IPV4_HDR_LEN);
		if (rc < 0)
			return rc;
	}
	if (dc->cfg.checksum_validate && !reassembled &&
	    setu_csum_fold(setu_csum_add(0, buf, hlen)) != 0)
		p->flags |= SETU_PKT_IPV4_CSUM_BAD;

	if (p->ip.mf || p->ip.frag_off) {
		size_t dlen = setu_defrag_ipv4(dc, p, buf, iplen);
		if (dlen == 0) {
			p->flags |= SETU_PKT_IS_FRAGMENT;
			return 0;
		}
		/* This fragment completed the datagram: the packet becomes the datagram.
		 */
		int rc = ipv4_decode(dc, p, dc->reasm, dlen, true);
		p->flags |= SETU_PKT_REASSEMBLED;
		return rc;
	}
	return decode_ip_payload(dc, p, proto, buf + hlen, iplen - hlen);
}

int decode_ipv4(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	return ipv4_decode(dc, p, buf, len, false);
}
