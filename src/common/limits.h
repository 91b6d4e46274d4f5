/* limits.h — every limit in setu, in one place, each with the reason for its value.
 * Defaults that a user may change through setu.yaml are marked (config: key). */
#ifndef SETU_LIMITS_H
#define SETU_LIMITS_H

/* Largest frame we accept from capture. 65535 covers IPv4/IPv6 max datagrams plus L2;
 * GRO/TSO-sized frames from live capture are up to 256 KiB on Linux. */
#define SETU_MAX_FRAME 262144u

/* Encapsulation depth (VLAN, PPPoE, GRE, VXLAN, IP-in-IP...). Suricata stops at a similar
 * depth; deeper nesting is an evasion or a loop, recorded as an anomaly. */
#define SETU_MAX_DECODE_DEPTH 8

/* Decode events stored on one packet. Real packets raise 0-2; beyond this we count
 * the overflow rather than grow. */
#define SETU_MAX_PKT_EVENTS 16

/* VLAN tags kept on a packet (QinQ = 2, Suricata keeps 3). */
#define SETU_MAX_VLAN 3

/* IPv4/IPv6 fragment reassembly: fragments per datagram and trackers in flight.
 * Windows and Linux accept ~64 fragments; more is an attack on the reassembler. */
#define SETU_DEFRAG_MAX_FRAGS 128u
#define SETU_DEFRAG_MEMCAP_DEFAULT (32u * 1024 * 1024) /* config: defrag.memcap */
#define SETU_DEFRAG_TIMEOUT_DEFAULT 60u                /* config: defrag.timeout */

/* Flow table. Suricata's defaults: memcap 128 MiB, hash size 65536, timeouts below. */
#define SETU_FLOW_MEMCAP_DEFAULT (128u * 1024 * 1024) /* config: flow.memcap */
#define SETU_FLOW_HASH_SIZE_DEFAULT 65536u            /* config: flow.hash-size */
#define SETU_FLOW_TIMEOUT_NEW_DEFAULT 30u        /* config: flow-timeouts.default.new */
#define SETU_FLOW_TIMEOUT_EST_DEFAULT 300u       /* ...default.established */
#define SETU_FLOW_TIMEOUT_CLOSED_DEFAULT 0u      /* ...default.closed */
#define SETU_FLOW_TIMEOUT_TCP_NEW_DEFAULT 60u    /* flow-timeouts.tcp.new */
#define SETU_FLOW_TIMEOUT_TCP_EST_DEFAULT 600u   /* flow-timeouts.tcp.established */
#define SETU_FLOW_TIMEOUT_TCP_CLOSED_DEFAULT 60u /* flow-timeouts.tcp.closed */
#define SETU_FLOW_TIMEOUT_UDP_NEW_DEFAULT 30u    /* flow-timeouts.udp.new */
#define SETU_FLOW_TIMEOUT_UDP_EST_DEFAULT 300u   /* flow-timeouts.udp.established */
#define SETU_FLOW_TIMEOUT_ICMP_NEW_DEFAULT 30u   /* flow-timeouts.icmp.new */
#define SETU_FLOW_TIMEOUT_ICMP_EST_DEFAULT 300u  /* flow-timeouts.icmp.established */

/* TCP reassembly. Suricata: stream.memcap 64 MiB, reassembly.memcap 256 MiB,
 * reassembly.depth 1 MiB per direction (enough for every app-layer we parse). */
#define SETU_STREAM_MEMCAP_DEFAULT (64u * 1024 * 1024) /* stream.memcap */
#define SETU_REASSEMBLY_MEMCAP_DEFAULT                                           \
	(256u * 1024 * 1024)                         /* stream.reassembly.memcap \
	                                              */
#define SETU_REASSEMBLY_DEPTH_DEFAULT (1024u * 1024) /* stream.reassembly.depth */
/* Out-of-order segments held per direction before we declare a gap: bounds memory
 * an attacker can pin with one flow. */
#define SETU_STREAM_MAX_SEGMENTS 65535u

/* Config file: largest YAML we read (a real setu.yaml is < 100 KiB). */
#define SETU_CONFIG_MAX_BYTES (4u * 1024 * 1024)

/* One EVE record. Payload-carrying alerts are base64 of up to 64 KiB plus fields. */
#define SETU_EVE_RECORD_MAX (1024u * 1024)

/* --- decode (owner: src/sensor/decode) --- */

/* --- flow and stream (owner: src/sensor/flow, src/sensor/stream) --- */

/* --- detect (owner: src/sensor/detect) --- */

/* --- applayer (owner: src/sensor/applayer) --- */

/* --- intel and STIX (owner: src/intel, src/hub/stix) --- */

/* --- hub (owner: src/hub) --- */

/* --- gen (owner: src/gen) --- */

#endif
