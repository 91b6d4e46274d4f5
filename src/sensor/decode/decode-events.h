/* decode-events.h — decoder anomaly events (Suricata's decode-event names).
 * X(ID, "name"). Add new ones at the end of their protocol's group. */
#ifndef SETU_DECODE_EVENTS_H
#define SETU_DECODE_EVENTS_H

#define SETU_DECODE_EVENTS(X)                                           \
	X(IPV4_PKT_TOO_SMALL, "ipv4.pkt_too_small")                     \
	X(IPV4_HLEN_TOO_SMALL, "ipv4.hlen_too_small")                   \
	X(IPV4_IPLEN_SMALLER_THAN_HLEN, "ipv4.iplen_smaller_than_hlen") \
	X(IPV4_TRUNC_PKT, "ipv4.trunc_pkt")                             \
	X(IPV4_WRONG_IP_VERSION, "ipv4.wrong_ip_version")               \
	X(IPV6_TRUNC_PKT, "ipv6.trunc_pkt")                             \
	X(IPV6_WRONG_IP_VERSION, "ipv6.wrong_ip_version")               \
	X(TCP_PKT_TOO_SMALL, "tcp.pkt_too_small")                       \
	X(TCP_HLEN_TOO_SMALL, "tcp.hlen_too_small")                     \
	X(UDP_PKT_TOO_SMALL, "udp.pkt_too_small")                       \
	X(ICMPV4_PKT_TOO_SMALL, "icmpv4.pkt_too_small")                 \
	X(ETHERNET_PKT_TOO_SMALL, "ethernet.pkt_too_small")

#endif
