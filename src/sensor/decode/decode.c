/* decode.c — the decoder's entry point: dispatch by link type, by ethertype and by IP
 * protocol, encapsulation depth, counters. Follows Suricata's
 * decode.c/DecodeNetworkLayer. */
#include "sensor/decode/decode-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cisco HDLC (DLT_C_HDLC). */
#define SETU_DLT_CHDLC 104

enum {
	ETH_IPV4 = 0x0800,
	ETH_ARP = 0x0806,
	ETH_IPV6 = 0x86dd,
	ETH_VLAN = 0x8100,
	ETH_QINQ = 0x88a8,
	ETH_QINQ_OLD = 0x9100,
	ETH_PPPOE_DISC = 0x8863,
	ETH_PPPOE_SESS = 0x8864,
	ETH_MPLS_UC = 0x8847,
	ETH_MPLS_MC = 0x8848,
	ETH_BRIDGE = 0x6558, /* transparent Ethernet bridging (GRE) */
	ETH_8021AH = 0x88e7,
	ETH_VNTAG = 0x8926,
	ETH_ETAG = 0x893f,
	ETH_DCE = 0x8903, /* Cisco FabricPath ("data center Ethernet") */
};

void setu_decode_config_default(setu_decode_config_t *cfg)
{
	cfg->checksum_validate = true;
	cfg->defrag_memcap = SETU_DEFRAG_MEMCAP_DEFAULT;
	cfg->defrag_timeout = SETU_DEFRAG_TIMEOUT_DEFAULT;
	cfg->defrag_max_trackers = SETU_DEFRAG_MAX_TRACKERS_DEFAULT;
}

setu_decode_ctx_t *setu_decode_ctx_new(const setu_decode_config_t *cfg)
{
	setu_decode_ctx_t *dc = calloc(1, sizeof(*dc));
	if (!dc)
		return NULL;
	if (cfg)
		dc->cfg = *cfg;
	else
		setu_decode_config_default(&dc->cfg);
	dc->reasm = malloc(SETU_DEFRAG_BUF_SIZE);
	dc->defrag = setu_defrag_new(&dc->cfg);
	if (!dc->reasm || !dc->defrag) {
		setu_decode_ctx_free(dc);
		return NULL;
	}
	return dc;
}

void setu_decode_ctx_free(setu_decode_ctx_t *dc)
{
	if (!dc)
		return;
	setu_defrag_free(dc->defrag);
	free(dc->reasm);
	free(dc);
}

bool setu_decode_linktype_supported(int linktype)
{
	switch (linktype) {
	case SETU_DLT_NULL:
	case SETU_DLT_LOOP:
	case SETU_DLT_EN10MB:
	case SETU_DLT_RAW:
	case SETU_DLT_RAW_OLD:
	case 14: /* DLT_RAW on OpenBSD */
	case SETU_DLT_IPV4:
	case SETU_DLT_IPV6:
	case SETU_DLT_LINUX_SLL:
	case SETU_DLT_LINUX_SLL2:
	case SETU_DLT_PPP:
	case SETU_DLT_CHDLC:
		return true;
	default:
		return false;
	}
}

int decode_layer_enter(setu_decode_ctx_t *dc, setu_pkt_t *p)
{
	if (++dc->depth > SETU_MAX_DECODE_DEPTH) {
		setu_pkt_set_event(p, SETU_EV_TOO_MANY_LAYERS);
		setu_dc_inc(dc, SETU_DC_TOO_MANY_LAYERS);
		return SETU_ELIMIT;
	}
	return 0;
}

int decode_tunnel_enter(setu_decode_ctx_t *dc, setu_pkt_t *p)
{
	int rc = decode_layer_enter(dc, p);
	if (rc < 0)
		return rc;
	p->flags |= SETU_PKT_TUNNEL;
	if (p->tunnel_depth < UINT8_MAX)
		p->tunnel_depth++;
	return 0;
}

void decode_clear_l3(setu_pkt_t *p)
{
	p->ip_ver = 0;
	p->l3 = NULL;
	p->l3_len = 0;
	memset(&p->src, 0, sizeof(p->src));
	memset(&p->dst, 0, sizeof(p->dst));
	p->proto = 0;
	memset(&p->ip, 0, sizeof(p->ip));
	p->l4 = NULL;
	p->l4_len = 0;
	p->sp = p->dp = 0;
	memset(&p->tcp, 0, sizeof(p->tcp));
	memset(&p->icmp, 0, sizeof(p->icmp));
	p->payload = NULL;
	p->payload_len = 0;
	p->flags &= ~(SETU_PKT_HAS_L4 | SETU_PKT_IS_FRAGMENT);
}

int decode_ethertype(setu_decode_ctx_t *dc, setu_pkt_t *p, uint16_t type,
                     const uint8_t *buf, size_t len, setu_event_t unknown_ev)
{
	switch (type) {
	case ETH_IPV4:
		return decode_ipv4(dc, p, buf, len);
	case ETH_IPV6:
		return decode_ipv6(dc, p, buf, len);
	case ETH_VLAN:
	case ETH_QINQ:
	case ETH_QINQ_OLD:
		return decode_vlan(dc, p, buf, len);
	case ETH_PPPOE_DISC:
		return decode_pppoe_discovery(dc, p, buf, len);
	case ETH_PPPOE_SESS:
		return decode_pppoe_session(dc, p, buf, len);
	case ETH_MPLS_UC:
	case ETH_MPLS_MC:
		return decode_mpls(dc, p, buf, len);
	case ETH_8021AH:
		return decode_ieee8021ah(dc, p, buf, len);
	case ETH_VNTAG:
		return decode_vntag(dc, p, buf, len);
	case ETH_ETAG:
		return decode_etag(dc, p, buf, len);
	case ETH_DCE: {
		/* 2 bytes of FTag/TTL, then the whole original Ethernet frame. */
		if (len < 2 + 14) {
			setu_pkt_set_event(p, SETU_EV_DCE_PKT_TOO_SMALL);
			return SETU_ETRUNC;
		}
		int rc = decode_layer_enter(dc, p);
		return rc < 0 ? rc : decode_ethernet(dc, p, buf + 2, len - 2);
	}
	case ETH_ARP:
		/* Counted; ARP anomalies are not decoded yet. */
		setu_dc_inc(dc, SETU_DC_ARP);
		return 0;
	case ETH_BRIDGE: {
		int rc = decode_layer_enter(dc, p);
		return rc < 0 ? rc : decode_ethernet(dc, p, buf, len);
	}
	default:
		/* 802.3 length fields (< 0x0600) are not ethertypes: nothing to decode.
		 */
		if (type >= 0x0600) {
			setu_dc_inc(dc, SETU_DC_UNKNOWN_ETHERTYPE);
			if (unknown_ev != SETU_EV_NONE)
				setu_pkt_set_event(p, unknown_ev);
		}
		return 0;
	}
}

int decode_ip_payload(setu_decode_ctx_t *dc, setu_pkt_t *p, uint8_t proto,
                      const uint8_t *buf, size_t len)
{
	int rc;
	bool v4 = p->ip_ver == 4;
	switch (proto) {
	case 6:
		return decode_tcp(dc, p, buf, len);
	case 17:
		return decode_udp(dc, p, buf, len);
	case 1:
		if (!v4) {
			/* Suricata: ICMPv4 carried in IPv6 is an anomaly, not decoded. */
			setu_pkt_set_event(p, SETU_EV_IPV6_ICMPV4);
			return 0;
		}
		return decode_icmpv4(dc, p, buf, len);
	case 58:
		if (v4) {
			setu_pkt_set_event(p, SETU_EV_IPV4_ICMPV6);
			return 0;
		}
		return decode_icmpv6(dc, p, buf, len);
	case 47:
		return decode_gre(dc, p, buf, len);
	case 2:
		setu_dc_inc(dc, SETU_DC_IGMP);
		return 0;
	case 50:
		return decode_esp(dc, p, buf, len);
	case 132:
		setu_dc_inc(dc, SETU_DC_SCTP);
		return 0;
	case 4: /* IPv4 in IPv4 or in IPv6 */
		if (!v4) {
			setu_dc_inc(dc, SETU_DC_IPV4_IN_IPV6);
			if (len < 20) {
				setu_pkt_set_event(p,
				                   SETU_EV_IPV6_IPV4_IN_IPV6_TOO_SMALL);
				return SETU_ETRUNC;
			}
			if ((buf[0] >> 4) != 4) {
				setu_pkt_set_event(
				    p, SETU_EV_IPV6_IPV4_IN_IPV6_WRONG_VERSION);
				return SETU_EMALFORMED;
			}
		} else {
			setu_dc_inc(dc, SETU_DC_IPV4_IN_IPV4);
		}
		rc = decode_tunnel_enter(dc, p);
		return rc < 0 ? rc : decode_ipv4(dc, p, buf, len);
	case 41: /* IPv6 in IPv4 (6in4, RFC 4213) or in IPv6 */
		if (!v4) {
			setu_dc_inc(dc, SETU_DC_IPV6_IN_IPV6);
			if (len < 40) {
				setu_pkt_set_event(p,
				                   SETU_EV_IPV6_IPV6_IN_IPV6_TOO_SMALL);
				return SETU_ETRUNC;
			}
			if ((buf[0] >> 4) != 6) {
				setu_pkt_set_event(
				    p, SETU_EV_IPV6_IPV6_IN_IPV6_WRONG_VERSION);
				return SETU_EMALFORMED;
			}
		} else {
			setu_dc_inc(dc, SETU_DC_IPV6_IN_IPV4);
		}
		rc = decode_tunnel_enter(dc, p);
		return rc < 0 ? rc : decode_ipv6(dc, p, buf, len);
	case 137: /* MPLS in IP (RFC 4023) */
		rc = decode_tunnel_enter(dc, p);
		return rc < 0 ? rc : decode_mpls(dc, p, buf, len);
	default:
		/* A protocol the decoder does not know (OSPF, VRRP, PIM...): recorded, as
		 * Suricata's ipv4.unknown_protocol (its rule is rate-limited for that).
		 */
		if (v4)
			setu_pkt_set_event(p, SETU_EV_IPV4_UNKNOWN_PROTOCOL);
		return 0;
	}
}

/* ESP (RFC 4303): SPI and sequence number, then encrypted data (the payload). */
int decode_esp(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_ESP);
	if (len < 8) {
		setu_pkt_set_event(p, SETU_EV_ESP_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	p->l4 = buf;
	p->l4_len = (uint32_t)len;
	p->payload = buf + 8;
	p->payload_len = (uint32_t)(len - 8);
	return 0;
}

/* Forget what a previous decode of this packet filled (capture fields and flow stay). */
static void decode_reset(setu_pkt_t *p)
{
	memset(p->eth_src, 0, sizeof(p->eth_src));
	memset(p->eth_dst, 0, sizeof(p->eth_dst));
	p->has_eth = false;
	p->vlan_count = 0;
	memset(p->vlan_id, 0, sizeof(p->vlan_id));
	decode_clear_l3(p);
	p->flags &= ~(SETU_PKT_REASSEMBLED | SETU_PKT_IPV4_CSUM_BAD |
	              SETU_PKT_TCP_CSUM_BAD | SETU_PKT_UDP_CSUM_BAD |
	              SETU_PKT_ICMP_CSUM_BAD | SETU_PKT_TUNNEL | SETU_PKT_INVALID);
	p->tunnel_depth = 0;
	p->nevents = 0;
	p->events_overflow = false;
}

int setu_decode(setu_decode_ctx_t *dc, setu_pkt_t *p)
{
	decode_reset(p);
	dc->depth = 0;
	dc->soft_invalid = false;
	if (!setu_decode_linktype_supported(p->linktype))
		return SETU_EUNSUPPORTED;

	const uint8_t *buf = p->data;
	size_t len = p->data ? p->len : 0;
	setu_dc_inc(dc, SETU_DC_PKTS);
	dc->cnt[SETU_DC_BYTES] += len;
	if (len > dc->cnt[SETU_DC_MAX_PKT_SIZE])
		dc->cnt[SETU_DC_MAX_PKT_SIZE] = len;

	int rc;
	switch (p->linktype) {
	case SETU_DLT_EN10MB:
		rc = decode_ethernet(dc, p, buf, len);
		break;
	case SETU_DLT_LINUX_SLL:
		rc = decode_sll(dc, p, buf, len);
		break;
	case SETU_DLT_LINUX_SLL2:
		rc = decode_sll2(dc, p, buf, len);
		break;
	case SETU_DLT_NULL:
		rc = decode_null(dc, p, buf, len);
		break;
	case SETU_DLT_LOOP:
		rc = decode_loop(dc, p, buf, len);
		break;
	case SETU_DLT_PPP:
		rc = decode_ppp(dc, p, buf, len);
		break;
	case SETU_DLT_CHDLC:
		rc = decode_chdlc(dc, p, buf, len);
		break;
	case SETU_DLT_IPV4:
		setu_dc_inc(dc, SETU_DC_RAW);
		rc = decode_ipv4(dc, p, buf, len);
		break;
	case SETU_DLT_IPV6:
		setu_dc_inc(dc, SETU_DC_RAW);
		rc = decode_ipv6(dc, p, buf, len);
		break;
	default: /* the raw link types */
		rc = decode_raw(dc, p, buf, len);
		break;
	}

	if (rc < 0) {
		p->flags |= SETU_PKT_INVALID;
		p->flags &= ~SETU_PKT_HAS_L4;
	}
	if (rc < 0 || dc->soft_invalid)
		setu_dc_inc(dc, SETU_DC_INVALID);
	for (unsigned i = 0; i < p->nevents; i++)
		if (p->events[i] < SETU_EV_MAX)
			dc->ev_cnt[p->events[i]]++;
	return rc < 0 ? rc : 0;
}

static const char *const counter_names[SETU_DC_MAX] = {
#define SETU_DC_NAME(id, name) [SETU_DC_##id] = name,
    SETU_DECODE_COUNTERS(SETU_DC_NAME)
#undef SETU_DC_NAME
};

void setu_decode_counters(const setu_decode_ctx_t *dc, setu_counter_cb cb, void *user)
{
	for (int i = 0; i < SETU_DC_MAX; i++)
		cb(user, counter_names[i], dc->cnt[i]);
	uint64_t pkts = dc->cnt[SETU_DC_PKTS];
	cb(user, "decoder.avg_pkt_size", pkts ? dc->cnt[SETU_DC_BYTES] / pkts : 0);

	char name[96];
	for (int e = SETU_EV_NONE + 1; e < SETU_EV_MAX; e++) {
		/* Suricata counts too_many_layers as decoder.too_many_layers, not as an
		 * event. */
		if (setu_event_kind((setu_event_t)e) != SETU_EVKIND_DECODE ||
		    e == SETU_EV_TOO_MANY_LAYERS)
			continue;
		snprintf(name, sizeof(name), "decoder.event.%s",
		         setu_event_name((setu_event_t)e));
		cb(user, name, dc->ev_cnt[e]);
	}
	setu_defrag_counters(dc->defrag, cb, user);
}

void setu_decode_timeout(setu_decode_ctx_t *dc, const struct timeval *now)
{
	setu_defrag_timeout(dc->defrag, now);
}
