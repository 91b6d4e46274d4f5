/* packet.h — the packet as it travels the sensor's data path (see engine/worker.c).
 * Capture fills the first block; decode fills L2-L4; flow/stream fill the last block.
 * A packet never owns its bytes: `data` is borrowed from capture (or a reassembly
 * buffer of the decode thread context) and valid until the next packet. */
#ifndef SETU_PACKET_H
#define SETU_PACKET_H

#include "common/addr.h"
#include "common/limits.h"
#include "sensor/engine/events.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

/* Link types we decode (values are libpcap DLT_* numbers). */
enum {
	SETU_DLT_NULL = 0,     /* BSD loopback */
	SETU_DLT_EN10MB = 1,   /* Ethernet */
	SETU_DLT_RAW = 101,    /* raw IPv4/IPv6 (LINKTYPE_RAW) */
	SETU_DLT_RAW_OLD = 12, /* DLT_RAW on some BSDs */
	SETU_DLT_IPV4 = 228,
	SETU_DLT_IPV6 = 229,
	SETU_DLT_LINUX_SLL = 113,
	SETU_DLT_LINUX_SLL2 = 276,
	SETU_DLT_PPP = 9,
	SETU_DLT_LOOP = 108, /* OpenBSD loopback */
};

/* p->flags */
#define SETU_PKT_IPV4_CSUM_BAD (1u << 0)
#define SETU_PKT_TCP_CSUM_BAD (1u << 1)
#define SETU_PKT_UDP_CSUM_BAD (1u << 2)
#define SETU_PKT_ICMP_CSUM_BAD (1u << 3)
#define SETU_PKT_IS_FRAGMENT \
	(1u << 4) /* an IP fragment that is not (yet) a whole datagram */
#define SETU_PKT_REASSEMBLED \
	(1u << 5) /* l3.. point into a defrag buffer: the whole datagram */
#define SETU_PKT_TUNNEL (1u << 6)  /* L3/L4 below are the innermost of a tunnel */
#define SETU_PKT_INVALID (1u << 7) /* decoding stopped on an error; no flow handling */
#define SETU_PKT_HAS_L4 (1u << 8)  /* sp/dp (or icmp) valid */
#define SETU_PKT_NOPAYLOAD_INSPECT (1u << 9)
#define SETU_PKT_PSEUDO (1u << 10)     /* made by the engine (flow end, stream flush) */
#define SETU_PKT_STREAM_EST (1u << 11) /* set by stream: flow is established */
#define SETU_PKT_TOSERVER (1u << 12)   /* direction as set by flow */
#define SETU_PKT_TOCLIENT (1u << 13)

/* TCP flag bits, as on the wire. */
#define SETU_TH_FIN 0x01
#define SETU_TH_SYN 0x02
#define SETU_TH_RST 0x04
#define SETU_TH_PUSH 0x08
#define SETU_TH_ACK 0x10
#define SETU_TH_URG 0x20
#define SETU_TH_ECN 0x40
#define SETU_TH_CWR 0x80

/* IPv4 option bits in p->ip.opts (for the ipopts keyword). */
#define SETU_IPOPT_RR (1u << 0)
#define SETU_IPOPT_EOL (1u << 1)
#define SETU_IPOPT_NOP (1u << 2)
#define SETU_IPOPT_TS (1u << 3)
#define SETU_IPOPT_SEC (1u << 4)
#define SETU_IPOPT_ESEC (1u << 5)
#define SETU_IPOPT_LSRR (1u << 6)
#define SETU_IPOPT_SSRR (1u << 7)
#define SETU_IPOPT_SATID (1u << 8)
#define SETU_IPOPT_ANY (1u << 15)

struct setu_flow; /* flow/flow.h */

typedef struct setu_pkt {
	/* --- capture --- */
	const uint8_t *data; /* borrowed: the whole frame */
	uint32_t len;        /* bytes in data (caplen) */
	uint32_t wire_len;   /* original length on the wire */
	struct timeval ts;
	uint64_t pcap_cnt; /* 1-based packet number in the capture */
	int linktype;      /* SETU_DLT_* */

	/* --- L2 --- */
	uint8_t eth_src[6], eth_dst[6];
	bool has_eth;
	uint8_t vlan_count;
	uint16_t vlan_id[SETU_MAX_VLAN];

	/* --- L3 --- */
	uint8_t ip_ver;    /* 0 (none), 4 or 6 */
	const uint8_t *l3; /* start of the (innermost) IP header */
	uint32_t l3_len;   /* IP header + payload as bounded by the IP total length */
	setu_addr_t src, dst;
	uint8_t proto; /* IPPROTO_*: the L4 protocol after IPv6 extension headers */
	struct {
		uint16_t hlen;     /* IPv4 header bytes (IPv6: 40 + extension headers) */
		uint8_t ttl;       /* IPv4 TTL or IPv6 hop limit */
		uint8_t tos;       /* IPv4 TOS or IPv6 traffic class */
		uint16_t id;       /* IPv4 id; IPv6 fragment header id (low 16 bits) */
		uint16_t frag_off; /* fragment offset in bytes */
		bool mf, df, rb;   /* more-fragments, don't-fragment, reserved bit */
		uint16_t opts;     /* SETU_IPOPT_* seen */
		uint32_t flow_label; /* IPv6 */
		uint32_t frag_id;    /* IPv6 fragment header id (all 32 bits); IPv4: id */
	} ip;

	/* --- L4 --- */
	const uint8_t *l4; /* start of the L4 header */
	uint32_t l4_len;   /* L4 header + payload */
	uint16_t sp, dp;   /* ports (host order); ICMP: 0 */
	struct {
		uint32_t seq, ack;
		uint16_t win;
		uint8_t flags; /* SETU_TH_* */
		uint8_t hlen;  /* header bytes incl. options */
		uint16_t urg;
		bool has_mss, has_wscale, sack_ok, has_ts, has_sack;
		uint16_t mss;
		uint8_t wscale;
		uint32_t tsval, tsecr;
	} tcp;
	struct {
		uint8_t type, code;
		uint16_t id, seq; /* echo / timestamp / info types only */
		bool has_id;
		/* ICMP errors carry the offending packet's header: */
		bool has_inner;
		setu_addr_t inner_src, inner_dst;
		uint8_t inner_proto;
		uint16_t inner_sp, inner_dp;
	} icmp;

	const uint8_t *payload; /* L7 bytes of this packet */
	uint32_t payload_len;

	/* --- state --- */
	uint32_t flags; /* SETU_PKT_* */
	uint8_t tunnel_depth;
	uint8_t nevents;
	bool events_overflow;
	uint16_t events[SETU_MAX_PKT_EVENTS]; /* setu_event_t values */

	/* --- set by flow and stream --- */
	struct setu_flow *flow; /* borrowed from the flow table; NULL without one */
} setu_pkt_t;

/* Reset a packet for reuse (keeps nothing from the previous one). */
void setu_pkt_reset(setu_pkt_t *p);

/* Record an anomaly on the packet; returns false if the event list was full. */
static inline bool setu_pkt_set_event(setu_pkt_t *p, setu_event_t e)
{
	for (unsigned i = 0; i < p->nevents; i++)
		if (p->events[i] == (uint16_t)e)
			return true;
	if (p->nevents >= SETU_MAX_PKT_EVENTS) {
		p->events_overflow = true;
		return false;
	}
	p->events[p->nevents++] = (uint16_t)e;
	return true;
}

static inline bool setu_pkt_has_event(const setu_pkt_t *p, setu_event_t e)
{
	for (unsigned i = 0; i < p->nevents; i++)
		if (p->events[i] == (uint16_t)e)
			return true;
	return false;
}

#endif
