/* eve.h — Suricata-compatible EVE JSON output: options (outputs.eve-log in setu.yaml),
 * a thread-safe line sink, and the common header every record starts with. */
#ifndef SETU_EVE_H
#define SETU_EVE_H

#include "common/addr.h"
#include "common/buf.h"
#include "common/conf.h"
#include "common/limits.h"
#include "setu/error.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

/* Event types we can write; a bit each in setu_eve_opts_t.types. */
#define SETU_EVE_TYPES(X)     \
	X(ALERT, "alert")     \
	X(ANOMALY, "anomaly") \
	X(HTTP, "http")       \
	X(DNS, "dns")         \
	X(TLS, "tls")         \
	X(FLOW, "flow")       \
	X(STATS, "stats")

enum {
#define SETU_EVE_BIT(id, name) SETU_EVE_BIT_##id,
	SETU_EVE_TYPES(SETU_EVE_BIT)
#undef SETU_EVE_BIT
};
#define SETU_EVE_T(id) (1u << SETU_EVE_BIT_##id)

/* Stream holes shown in one alert's payload; more are rare and shown as data. */
#define SETU_EVE_MAX_GAPS 16

typedef struct setu_eve_opts {
	bool enabled;
	char filename[256]; /* relative to the log dir unless absolute */
	uint32_t types;     /* SETU_EVE_T(...) */
	/* alert */
	bool alert_payload, alert_payload_printable, alert_packet, alert_metadata;
	bool alert_payload_length;
	uint32_t alert_payload_buffer_size;
	/* anomaly */
	bool anomaly_decode, anomaly_stream, anomaly_applayer, anomaly_packethdr;
	/* stats */
	bool stats_totals, stats_threads, stats_deltas, stats_null_values;
	uint32_t stats_interval; /* seconds; from stats.interval */
	/* app-layer record options */
	bool http_extended, tls_extended;
	int dns_version;
	/* global */
	bool community_id;
	uint16_t community_id_seed;
	bool ethernet;
	bool pcap_file;
} setu_eve_opts_t;

/* Suricata's default configuration (suricata.yaml.in). */
void setu_eve_opts_default(setu_eve_opts_t *o);
/* Read outputs.eve-log (and stats.*) from a configuration; keys absent keep their
 * default. When `types` is given it replaces the default list, as in Suricata. */
int setu_eve_opts_from_conf(setu_eve_opts_t *o, const setu_conf_t *c, setu_diag_t *diag);

/* A sink: whole records written atomically with respect to each other (one mutex). */
typedef struct setu_eve_sink {
	FILE *f;   /* owned */
	char *buf; /* owned: f's buffer, SETU_EVE_WRITE_BUFFER bytes */
	pthread_mutex_t lock;
	int64_t pending_ms; /* when the oldest unflushed record was written; 0: none */
	uint64_t records, bytes, errors;
} setu_eve_sink_t;

setu_eve_sink_t *setu_eve_sink_open(const char *path, setu_diag_t *diag);
/* Write one record (without newline); adds '\n'. */
int setu_eve_sink_write(setu_eve_sink_t *s, const char *rec, size_t len);
/* Write nrec whole records, each already ended by '\n' (len bytes in all). */
int setu_eve_sink_write_block(setu_eve_sink_t *s, const char *recs, size_t len,
                              uint64_t nrec);
/* A few-ms-resolution monotonic clock in ms (the sink's and workers' flush ages). */
int64_t setu_eve_coarse_ms(void);
int setu_eve_sink_flush(setu_eve_sink_t *s);
/* Flush when s is non-NULL (idle moments of live capture). */
static inline void setu_eve_sink_flush_if(setu_eve_sink_t *s)
{
	if (s != NULL)
		setu_eve_sink_flush(s);
}
void setu_eve_sink_close(setu_eve_sink_t *s);

/* "2009-11-24T21:28:44.153925+0000", in local time as Suricata writes it. */
#define SETU_EVE_TS_LEN 96
void setu_eve_timestamp(const struct timeval *tv, char out[SETU_EVE_TS_LEN]);
/* "TCP", "UDP", "ICMP", "IPv6-ICMP", ... or the number as a string. */
const char *setu_eve_proto_name(uint8_t proto, char buf[8]);

/* The 5-tuple part of a record. */
typedef struct setu_eve_tuple {
	setu_addr_t src, dst;
	uint16_t sp, dp;
	uint8_t proto;
	bool has_ports;
	uint8_t nvlan;
	uint16_t vlan[SETU_MAX_VLAN];
	uint8_t ip_ver;
} setu_eve_tuple_t;

/* Opens the record object and writes timestamp, flow_id (if non-zero), event_type,
 * vlan, addresses, ports, proto and ip_v; the caller adds its block and closes. */
void setu_eve_begin(setu_json_t *j, const struct timeval *ts, uint64_t flow_id,
                    const char *event_type, const setu_eve_tuple_t *t);

#endif
