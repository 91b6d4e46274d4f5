/* eve-records.h — the sensor's own EVE records: flow, anomaly and stats
 * (app-layer records live with their protocol under applayer/). */
#ifndef SETU_EVE_RECORDS_H
#define SETU_EVE_RECORDS_H

#include "sensor/decode/packet.h"
#include "sensor/flow/flow.h"
#include "sensor/output/eve.h"

/* The tuple of a flow (client → server) and of a packet (as seen on the wire). */
void setu_eve_tuple_of_flow(setu_eve_tuple_t *t, const setu_flow_t *f);
void setu_eve_tuple_of_packet(setu_eve_tuple_t *t, const setu_pkt_t *p);

/* After the tuple of a record made on a packet: "pcap_cnt" (when read from a file) and
 * "pkt_src", as Suricata's EVE header writes them. p may be NULL (nothing written). */
void setu_eve_packet_fields(setu_json_t *j, const setu_pkt_t *p);

/* Common fields after the tuple: community_id (if enabled and a flow exists). */
void setu_eve_flow_extras(setu_json_t *j, const setu_eve_opts_t *o, const setu_flow_t *f);

/* "ether": {"src_mac", "dest_mac"} of a packet, when outputs.eve-log.ethernet is on. */
void setu_eve_ether_packet(setu_json_t *j, const setu_eve_opts_t *o, const setu_pkt_t *p);
/* The same for records in the flow's direction (app-layer): a to-client packet's MACs are
 * swapped so that src_mac is the client side's. p may be NULL (nothing written). */
void setu_eve_ether_flow_dir(setu_json_t *j, const setu_eve_opts_t *o,
                             const setu_pkt_t *p);

/* MAC addresses seen on a flow, client side and server side, for the flow record's
 * "ether": {"src_macs": [...], "dest_macs": [...]} (Suricata's MacSet, newest first). */
#define SETU_EVE_MACSET_MAX 16
typedef struct setu_macset {
	uint8_t n[2]; /* 0: client side (src), 1: server side (dest) */
	uint8_t mac[2][SETU_EVE_MACSET_MAX][6];
} setu_macset_t;

/* Record p's MACs on its flow (allocating the set in the flow's output storage). */
void setu_eve_macset_add(setu_flow_t *f, const setu_pkt_t *p);

/* A "flow" record for a flow that ended. `tcp_state` may be NULL. */
void setu_eve_write_flow(setu_json_t *j, const setu_eve_opts_t *o, const setu_flow_t *f,
                         const char *app_proto, const char *tcp_state);

/* An "anomaly" record for event e raised on packet p (decode or stream). */
void setu_eve_write_anomaly(setu_json_t *j, const setu_eve_opts_t *o, const setu_pkt_t *p,
                            setu_event_t e);

/* An "anomaly" record for an app-layer event: {"type": "applayer", "event": NAME,
 * "layer": layer, "app_proto": proto}; the record is in the flow's direction. tx_id
 * UINT64_MAX: an event outside any transaction (layer "proto_detect"), no "tx_id". */
void setu_eve_write_applayer_anomaly(setu_json_t *j, const setu_eve_opts_t *o,
                                     const setu_flow_t *f, const struct timeval *ts,
                                     const char *app_proto, const char *event,
                                     const char *layer, uint64_t tx_id);

/* A stats tree from dotted counter names. */
typedef struct setu_stats_entry {
	char name[96];
	uint64_t value;
} setu_stats_entry_t;

typedef struct setu_stats {
	setu_stats_entry_t *v; /* owned */
	size_t n, cap;
} setu_stats_t;

void setu_stats_init(setu_stats_t *s);
void setu_stats_free(setu_stats_t *s);
void setu_stats_reset(setu_stats_t *s);
/* Adds value to the counter `name` (creating it); a setu_counter_cb. */
void setu_stats_add(void *stats, const char *name, uint64_t value);
/* "stats": { "uptime": N, "decoder": { "pkts": ... }, ... } from the collected counters;
 * zero counters are left out unless null_values. */
void setu_eve_write_stats(setu_json_t *j, const setu_eve_opts_t *o, setu_stats_t *s,
                          const struct timeval *ts, uint64_t uptime);

#endif
