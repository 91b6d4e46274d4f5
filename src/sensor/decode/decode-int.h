/* decode-int.h — what the decoder files share and nothing outside decode/ may use: the
 * thread context, the counters, one prototype per protocol decoder, checksum helpers. */
#ifndef SETU_DECODE_INT_H
#define SETU_DECODE_INT_H

#include "common/bytes.h"
#include "setu/error.h"
#include "sensor/decode/decode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decoder counters: X(ID, "EVE stats name"). */
#define SETU_DECODE_COUNTERS(X)                           \
	X(PKTS, "decoder.pkts")                           \
	X(BYTES, "decoder.bytes")                         \
	X(INVALID, "decoder.invalid")                     \
	X(IPV4, "decoder.ipv4")                           \
	X(IPV6, "decoder.ipv6")                           \
	X(ETHERNET, "decoder.ethernet")                   \
	X(ARP, "decoder.arp")                             \
	X(UNKNOWN_ETHERTYPE, "decoder.unknown_ethertype") \
	X(RAW, "decoder.raw")                             \
	X(NULL_, "decoder.null")                          \
	X(SLL, "decoder.sll")                             \
	X(SLL2, "decoder.sll2")                           \
	X(TCP, "decoder.tcp")                             \
	X(UDP, "decoder.udp")                             \
	X(SCTP, "decoder.sctp")                           \
	X(ESP, "decoder.esp")                             \
	X(ICMPV4, "decoder.icmpv4")                       \
	X(ICMPV6, "decoder.icmpv6")                       \
	X(IGMP, "decoder.igmp")                           \
	X(PPP, "decoder.ppp")                             \
	X(PPPOE, "decoder.pppoe")                         \
	X(GRE, "decoder.gre")                             \
	X(ERSPAN, "decoder.erspan")                       \
	X(VLAN, "decoder.vlan")                           \
	X(VLAN_QINQ, "decoder.vlan_qinq")                 \
	X(VLAN_QINQINQ, "decoder.vlan_qinqinq")           \
	X(IEEE8021AH, "decoder.ieee8021ah")               \
	X(VNTAG, "decoder.vntag")                         \
	X(ETAG, "decoder.etag")                           \
	X(CHDLC, "decoder.chdlc")                         \
	X(VXLAN, "decoder.vxlan")                         \
	X(MPLS, "decoder.mpls")                           \
	X(IPV4_IN_IPV4, "decoder.ipv4_in_ipv4")           \
	X(IPV6_IN_IPV4, "decoder.ipv6_in_ipv4")           \
	X(IPV4_IN_IPV6, "decoder.ipv4_in_ipv6")           \
	X(IPV6_IN_IPV6, "decoder.ipv6_in_ipv6")           \
	X(TOO_MANY_LAYERS, "decoder.too_many_layers")     \
	X(MAX_PKT_SIZE, "decoder.max_pkt_size")

enum setu_dc_counter {
#define SETU_DC_ENUM(id, name) SETU_DC_##id,
	SETU_DECODE_COUNTERS(SETU_DC_ENUM)
#undef SETU_DC_ENUM
	    SETU_DC_MAX
};

typedef struct setu_defrag setu_defrag_t; /* defrag.c */

struct setu_decode_ctx {
	setu_decode_config_t cfg;
	uint64_t cnt[SETU_DC_MAX];
	uint64_t ev_cnt[SETU_EV_MAX];
	setu_defrag_t *defrag; /* owned */
	/* The reassembled datagram of the current packet (owned, SETU_DEFRAG_BUF_SIZE).
	 */
	uint8_t *reasm;
	unsigned depth; /* encapsulation layers entered for the current packet */
	/* Suricata marks some anomalies "invalid" yet goes on decoding and handles the
	 * packet's flow (bad TCP option lengths, a broken header quoted by ICMP): those
	 * count in decoder.invalid without setting SETU_PKT_INVALID. */
	bool soft_invalid;
};

static inline void setu_dc_inc(setu_decode_ctx_t *dc, enum setu_dc_counter c)
{
	dc->cnt[c]++;
}

/* Enter one more encapsulation layer; SETU_ELIMIT (and the too_many_layers event) when
 * the frame nests deeper than SETU_MAX_DECODE_DEPTH. */
int decode_layer_enter(setu_decode_ctx_t *dc, setu_pkt_t *p);
/* Enter a tunnel whose inner packet replaces p's L3/L4: layer + SETU_PKT_TUNNEL. */
int decode_tunnel_enter(setu_decode_ctx_t *dc, setu_pkt_t *p);

/* Link layers. */
int decode_ethernet(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_vlan(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_ieee8021ah(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                      size_t len);
int decode_vntag(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_etag(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_sll(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_sll2(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_null(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_loop(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_chdlc(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_raw(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_ppp(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
/* Read a PPP protocol field (1 byte when compressed, else 2); returns bytes used, 0 if
 * too short. */
size_t decode_ppp_proto(const uint8_t *buf, size_t len, uint16_t *proto);
/* The PPP payload once its protocol number is known (PPPoE session, GRE/PPTP). */
int decode_ppp_payload(setu_decode_ctx_t *dc, setu_pkt_t *p, uint16_t proto,
                       const uint8_t *buf, size_t len);
int decode_pppoe_discovery(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                           size_t len);
int decode_pppoe_session(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                         size_t len);
int decode_mpls(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);

/* Dispatch by ethertype. `unknown_ev` is raised for a type we cannot decode
 * (ethernet.unknown_ethertype, vlan.unknown_type, ...; SETU_EV_NONE for none). */
int decode_ethertype(setu_decode_ctx_t *dc, setu_pkt_t *p, uint16_t type,
                     const uint8_t *buf, size_t len, setu_event_t unknown_ev);

/* Network and transport layers. */
int decode_ipv4(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_ipv6(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
/* The IP payload once the upper protocol is known (after IPv6 extension headers). */
int decode_ip_payload(setu_decode_ctx_t *dc, setu_pkt_t *p, uint8_t proto,
                      const uint8_t *buf, size_t len);
int decode_tcp(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_udp(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_icmpv4(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_icmpv6(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_esp(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
int decode_gre(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);
/* Returns 1 if buf was VXLAN and was decoded (rc of the inner decode if negative), 0 if
 * it is not VXLAN (the caller keeps it as plain UDP). */
int decode_vxlan(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len);

/* Clear what a (new, inner) IP layer fills: L3, L4, payload. */
void decode_clear_l3(setu_pkt_t *p);

/* Internet checksum (RFC 1071) helpers: partial sums, then fold. */
uint32_t setu_csum_add(uint32_t sum, const uint8_t *buf, size_t len);
uint16_t setu_csum_fold(uint32_t sum);
/* Sum of the IPv4/IPv6 pseudo header for an L4 segment of `len` bytes of `proto`. */
uint32_t setu_csum_pseudo(const setu_pkt_t *p, uint8_t proto, uint32_t len);
/* True when the L4 checksum over [buf, buf+len) with the pseudo header verifies. */
bool setu_csum_l4_ok(const setu_pkt_t *p, uint8_t proto, const uint8_t *buf, size_t len);

/* Defrag (defrag.c). */
setu_defrag_t *setu_defrag_new(const setu_decode_config_t *cfg);
void setu_defrag_free(setu_defrag_t *d);
/* Insert an IPv4 fragment (buf = whole IP packet, len = its total length). Returns the
 * length of the reassembled datagram written to dc->reasm when this fragment completed
 * it, 0 when it is held (or dropped), never negative. */
size_t setu_defrag_ipv4(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                        size_t len);
/* Insert an IPv6 fragment: buf = whole IPv6 packet (len = 40 + payload length),
 * fh_off = offset of the fragment header, nh_off = offset of the next-header byte that
 * names it. Same return as setu_defrag_ipv4. */
size_t setu_defrag_ipv6(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                        size_t len, size_t fh_off, size_t nh_off);
void setu_defrag_timeout(setu_defrag_t *d, const struct timeval *now);
void setu_defrag_counters(const setu_defrag_t *d, setu_counter_cb cb, void *user);

#endif
