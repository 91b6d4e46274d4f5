/* flow.h — the flow table: symmetric 5-tuple (+VLAN) key, per-flow counters and state,
 * state-dependent timeouts, memcap with emergency mode (Suricata flow engine semantics),
 * Suricata-shaped flow_id and Community ID v1 (corelight/community-id-spec). */
#ifndef SETU_FLOW_H
#define SETU_FLOW_H

#include "common/addr.h"
#include "common/counters.h"
#include "common/limits.h"
#include "sensor/decode/packet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

/* Protocol classes with their own timeouts (Suricata
 * flow-timeouts.{default,tcp,udp,icmp}). */
enum {
	SETU_FLOW_PROTO_DEFAULT = 0,
	SETU_FLOW_PROTO_TCP,
	SETU_FLOW_PROTO_UDP,
	SETU_FLOW_PROTO_ICMP, /* ICMPv4 and ICMPv6 */
	SETU_FLOW_PROTO_MAX
};

/* Timeout slots: normal and emergency-mode value per flow state (seconds). */
enum {
	SETU_FLOW_TO_NEW = 0,
	SETU_FLOW_TO_EST,
	SETU_FLOW_TO_CLOSED,
	SETU_FLOW_TO_EMERG_NEW,
	SETU_FLOW_TO_EMERG_EST,
	SETU_FLOW_TO_EMERG_CLOSED,
	SETU_FLOW_TO_MAX
};

typedef struct setu_flow_config {
	size_t memcap;               /* flow.memcap: bytes of flows + hash buckets */
	uint32_t hash_size;          /* flow.hash-size: number of buckets
	                                (1..SETU_FLOW_HASH_SIZE_MAX) */
	uint32_t emergency_recovery; /* flow.emergency-recovery, percent (0..100) */
	uint32_t timeouts[SETU_FLOW_PROTO_MAX][SETU_FLOW_TO_MAX]; /* flow-timeouts.* */
	bool midstream;     /* stream.midstream: a TCP SYN/ACK first packet makes its
	                       sender the server (Suricata swaps the flow) */
	uint32_t hash_seed; /* 0 = random per table (hash-flooding defence) */
} setu_flow_config_t;

void setu_flow_config_default(setu_flow_config_t *cfg);

/* Suricata's flow states, as EVE flow.state names them. */
typedef enum setu_flow_state {
	SETU_FLOW_STATE_NEW = 0,
	SETU_FLOW_STATE_ESTABLISHED,
	SETU_FLOW_STATE_CLOSED,
	SETU_FLOW_STATE_BYPASSED,
} setu_flow_state_t;

/* Why a flow ended (EVE flow.reason). */
typedef enum setu_flow_end_reason {
	SETU_FLOW_END_NONE = 0,
	SETU_FLOW_END_TIMEOUT,  /* "timeout": idle past its timeout */
	SETU_FLOW_END_FORCED,   /* "forced": evicted (memcap emergency, TCP port reuse) */
	SETU_FLOW_END_SHUTDOWN, /* "shutdown": end of capture / engine stop */
} setu_flow_end_reason_t;

/* Generic per-flow storage owned by the flow: freed with free_fn when the flow is freed.
 */
enum {
	SETU_FLOW_STORAGE_DETECT = 0,
	SETU_FLOW_STORAGE_APPLAYER,
	SETU_FLOW_STORAGE_OUTPUT, /* output/: MAC addresses seen, for EVE ether */
	SETU_FLOW_STORAGE_MAX
};

struct setu_tcp_session; /* stream/stream.h */

typedef struct setu_flow {
	/* --- table links (owned by the table; do not touch) --- */
	struct setu_flow *hnext; /* hash chain */
	/* the list of the flow's timeout class (protocol class x state slot), oldest
	 * activity first: its flows share one timeout, so the expired ones are a prefix
	 */
	struct setu_flow *lru_prev, *lru_next;
	struct setu_flow_table *table; /* the table linking the flow; NULL once ended */
	uint64_t seq;                  /* activity order across the table's lists */
	uint8_t tq;                    /* the timeout-class list the flow is in */
	uint32_t hash;                 /* symmetric key hash (also in flow_id) */

	/* --- key: src/sp is the client (first packet's sender unless swapped) --- */
	setu_addr_t src, dst;
	uint16_t sp, dp;
	uint8_t proto;
	uint8_t vlan_count;
	uint16_t vlan_id[SETU_MAX_VLAN];
	uint8_t icmp_type, icmp_code; /* first ICMP packet's type/code (community id) */
	uint8_t icmp_dtype; /* the type expected back (echo 8 -> reply 0); Suricata
	                       keys ICMP flows on this type pair */

	/* --- life --- */
	uint64_t flow_id; /* Suricata-shaped: positive, < 2^51 */
	struct timeval start, last;
	uint64_t pkts_toserver, pkts_toclient;
	uint64_t bytes_toserver, bytes_toclient; /* captured bytes of the packets */
	uint8_t tcp_flags_ts, tcp_flags_tc,
	    tcp_flags; /* SETU_TH_* seen toserver/toclient/all */
	setu_flow_state_t state;
	setu_flow_end_reason_t end_reason;
	bool alerted;
	bool swapped;       /* first packet was sent by the server (midstream SYN/ACK) */
	bool emergency;     /* created or ended while the table was in emergency mode */
	uint16_t app_proto; /* 0 = unknown; set by the app-layer */

	struct {
		void *ptr;
		void (*free_fn)(void *);
	} storage[SETU_FLOW_STORAGE_MAX];

	struct setu_tcp_session
	    *tcp; /* owned; TCP flows tracked by stream; freed with the flow */
} setu_flow_t;

typedef struct setu_flow_table setu_flow_table_t; /* one per worker thread */

/* NULL on bad config (hash_size 0 or too large) or out of memory. */
setu_flow_table_t *setu_flow_table_new(const setu_flow_config_t *cfg);
/* Frees every flow still in the table without callbacks (call setu_flow_flush first
 * to report them). */
void setu_flow_table_free(setu_flow_table_t *t);

typedef void (*setu_flow_end_cb)(void *user, setu_flow_t *f);
/* Callback for flows the table ends on its own while handling a packet (memcap emergency
 * pruning, TCP port reuse). Without one, such flows are freed silently. */
void setu_flow_table_set_end_cb(setu_flow_table_t *t, setu_flow_end_cb on_end,
                                void *user);

/* Find or create the flow of p (needs SETU_PKT_HAS_L4, or an L3 packet of a protocol
 * without ports); sets p->flow and SETU_PKT_TOSERVER/TOCLIENT, updates counters.
 * NULL if the packet has no flow (invalid, fragment) or the memcap refused a new flow
 * (counted as flow.memcap). */
setu_flow_t *setu_flow_handle_packet(setu_flow_table_t *t, setu_pkt_t *p);

/* Expire flows idle past their timeout at `now`; on_end (may be NULL) sees each before it
 * is freed, with f->end_reason = SETU_FLOW_END_TIMEOUT. Returns the number expired. */
size_t setu_flow_timeout(setu_flow_table_t *t, const struct timeval *now,
                         setu_flow_end_cb on_end, void *user);
/* End every flow (reason "shutdown", as Suricata at the end of a pcap file). */
void setu_flow_flush(setu_flow_table_t *t, setu_flow_end_cb on_end, void *user);

/* Counters with Suricata's EVE stats names ("flow.total", "flow.tcp", "flow.memcap" ...).
 */
void setu_flow_counters(const setu_flow_table_t *t, setu_counter_cb cb, void *user);
size_t setu_flow_table_active(const setu_flow_table_t *t);
size_t setu_flow_table_memuse(const setu_flow_table_t *t);

/* Community ID v1 ("1:base64(sha1)") of the flow; out >= 32 bytes. 0 or SETU_E*. */
#define SETU_COMMUNITY_ID_LEN 32
int setu_community_id(const setu_flow_t *f, uint16_t seed, char *out, size_t outlen);

/* "new", "established", "closed", "bypassed". */
const char *setu_flow_state_name(const setu_flow_t *f);
/* "timeout", "forced", "shutdown" (NULL if the flow has not ended). */
const char *setu_flow_end_reason_name(const setu_flow_t *f);

/* Set by the stream engine and the app-layer: moves state forward only
 * (new -> established -> closed). */
void setu_flow_set_state(setu_flow_t *f, setu_flow_state_t st);

/* Swap the flow's client and server (Suricata FlowSwap): the stream engine calls this
 * when it learns the first packet came from the server (e.g. a SYN seen toclient). Flips
 * the direction flags of p too. Counters move with their side. */
void setu_flow_swap(setu_flow_t *f, setu_pkt_t *p);

/* --- internals shared by flow*.c (not for other parts) --- */
typedef struct setu_flow_key {
	setu_addr_t a, b; /* ordered: a <= b (with ports as tie-break) */
	uint16_t pa, pb;
	uint8_t proto;
	uint8_t vlan_count;
	uint16_t vlan_id[SETU_MAX_VLAN];
} setu_flow_key_t;

/* Protocols whose flows are keyed on ports (TCP, UDP, SCTP, UDP-Lite). */
bool setu_flow_proto_has_ports(uint8_t proto);
/* The ICMP type answering `type` (echo/reply, timestamp, info, mask, router, ND, MLD...),
 * or -1 for a type without a pair (community-id-spec and Suricata use the same pairs). */
int setu_icmp_counter_type(uint8_t proto, uint8_t type);
/* Fill the symmetric key of p; false if the packet cannot have a flow. ICMP keys carry
 * the (type, answering type) pair in place of ports. */
bool setu_flow_key_from_packet(setu_flow_key_t *k, const setu_pkt_t *p);
/* Key of the packet an ICMPv4 destination-unreachable carries (Suricata attaches the
 * error to that flow); false if p is not such an error with a usable inner header. */
bool setu_flow_key_from_icmp_inner(setu_flow_key_t *k, const setu_pkt_t *p);
uint32_t setu_flow_key_hash(const setu_flow_key_t *k, uint32_t seed);
bool setu_flow_key_match(const setu_flow_key_t *k, const setu_flow_t *f);
uint64_t setu_flow_make_id(uint32_t hash, const struct timeval *start);

#endif
