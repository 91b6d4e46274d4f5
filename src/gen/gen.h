/* gen.h — setu's synthetic traffic generator: a reproducible Ethernet capture with a
 * realistic mix (DNS, HTTP/1.1, TLS 1.2/1.3, SSH, NTP, other TCP/UDP) plus attack flows
 * at known positions, and a ground-truth JSON file describing them (format below).
 *
 * Reproducible: the same configuration (seed included) gives byte-identical output on the
 * same platform. Nothing reads the wall clock; timestamps start at cfg.start_us.
 * Streaming: flows are built one at a time and merged by timestamp, so memory stays
 * bounded by SETU_GEN_ACTIVE_BYTES_MAX whatever the capture size.
 *
 * Ground truth (FILE.pcap.truth.json), format_version 1:
 *   { "generator": "setu gen", "format_version": 1, "pcap": "<file name>",
 *     "seed": N, "options": { flows, size, attacks, ipv6_share, bad_domain, bad_ip,
 *                             start_time, shares: {dns, http, tls, ssh, ntp, other_tcp,
 *                             other_udp} },
 *     "packets": N, "bytes": N (pcap file size), "first_ts": "...", "last_ts": "...",
 *     "counts": { "flows": {<app>: N...}, "packets": {<app>: N...}, "ipv6_flows": N },
 *     "attacks": [ { "id", "kind", "description", "proto", "src_ip", "src_port",
 *                    "dest_ip", "dest_port", "first_packet" (1-based packet number),
 *                    "timestamp" (Suricata format), "ts_us", "packets",
 *                    "indicators": [ {"type": "domain-name"|"ipv4-addr"|"ipv6-addr",
 *                                     "value"} ],
 *                    "sids": { "<ruleset>": [sid...] } } ] }
 * <app> is one of the names setu_gen_app_name() returns. Flows are 5-tuples (each port
 * probed by a scan is one flow). "sids" lists, per ET Open ruleset in
 * ../shared/testdata/rules, the rules the attack flow triggers with Suricata's default
 * HOME_NET (RFC 1918): attacked servers are in 10.10.0.0/24, attackers outside. It is
 * the set each attack must raise; benign flows may also raise informational rules
 * (ET POLICY, ET INFO), as real traffic does. */
#ifndef SETU_GEN_H
#define SETU_GEN_H

#include "setu/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a flow carries. Attack flows count under their protocol (http, tls, dns); the
 * probes of a port scan count as "scan". */
typedef enum setu_gen_app {
	SETU_GEN_APP_DNS = 0,
	SETU_GEN_APP_HTTP,
	SETU_GEN_APP_TLS,
	SETU_GEN_APP_SSH,
	SETU_GEN_APP_NTP,
	SETU_GEN_APP_OTHER_TCP,
	SETU_GEN_APP_OTHER_UDP,
	SETU_GEN_APP_SCAN,
	SETU_GEN_APP_MAX
} setu_gen_app_t;

/* "dns", "http", "tls", "ssh", "ntp", "other_tcp", "other_udp", "scan". */
const char *setu_gen_app_name(setu_gen_app_t app);

typedef struct setu_gen_config {
	uint64_t seed;    /* default 1 */
	uint64_t flows;   /* sessions to generate (default 250); ignored if size > 0 */
	uint64_t size;    /* target capture size in bytes; 0 = use flows */
	uint32_t attacks; /* attack flows, spread evenly (default 7: one of each kind) */
	uint32_t ipv6_share; /* percent of sessions over IPv6 (default 10) */
	uint32_t share[SETU_GEN_APP_SCAN]; /* relative weights of session kinds, by app */
	const char *bad_domain;            /* borrowed; default "malware-c2.example" */
	const char *bad_ip; /* borrowed; IPv4 or IPv6 text; default "203.0.113.66" */
	uint64_t start_us;  /* first timestamp, µs since the epoch (default
	                       2026-01-15T09:00:00Z) */
} setu_gen_config_t;

/* Fill cfg with the defaults above. */
void setu_gen_config_default(setu_gen_config_t *cfg);

/* One generated packet, valid only during the callback. */
typedef struct setu_gen_packet {
	uint64_t number;     /* 1-based position in the capture */
	uint64_t ts_us;      /* µs since the epoch */
	const uint8_t *data; /* an Ethernet frame */
	uint32_t len;
	setu_gen_app_t app;
	int attack; /* index into the summary's attacks, or -1 */
} setu_gen_packet_t;

/* Return 0 to go on; a negative SETU_E* code stops the run and is returned. */
typedef int (*setu_gen_packet_fn)(void *user, const setu_gen_packet_t *pkt);

#define SETU_GEN_MAX_SIDS 6
#define SETU_GEN_RULESETS 2
/* Names of the ET Open rulesets the sids refer to (folders of ../shared/testdata/rules).
 */
extern const char *const setu_gen_ruleset_names[SETU_GEN_RULESETS];

typedef struct setu_gen_attack {
	const char *kind;        /* static: "http-sqli", "port-scan", ... */
	const char *description; /* static */
	uint8_t proto;           /* 6 or 17 */
	char src_ip[46], dest_ip[46];
	uint16_t src_port, dest_port;
	uint64_t first_packet; /* 0 until emitted */
	uint64_t ts_us;
	uint64_t packets;
	const char
	    *indicator_type; /* NULL or "domain-name" / "ipv4-addr" / "ipv6-addr" */
	char indicator[256];
	uint32_t sids[SETU_GEN_RULESETS]
	             [SETU_GEN_MAX_SIDS]; /* 0-terminated per ruleset */
} setu_gen_attack_t;

typedef struct setu_gen_summary {
	uint64_t packets;
	uint64_t bytes; /* pcap bytes: 24-byte file header + 16 + len per packet */
	uint64_t first_ts_us, last_ts_us;
	uint64_t flows[SETU_GEN_APP_MAX];
	uint64_t app_packets[SETU_GEN_APP_MAX];
	uint64_t ipv6_flows;
	setu_gen_attack_t *attacks; /* owned; n_attacks entries */
	size_t n_attacks;
} setu_gen_summary_t;

void setu_gen_summary_free(setu_gen_summary_t *sum);

/* Generate packets in timestamp order into fn. sum (may be NULL) receives the counts
 * and attacks (free with setu_gen_summary_free, also on error). Bad options fill diag
 * and return SETU_EINVAL. */
int setu_gen_run(const setu_gen_config_t *cfg, setu_gen_packet_fn fn, void *user,
                 setu_gen_summary_t *sum, setu_diag_t *diag);

/* Write a classic pcap (LINKTYPE_ETHERNET) to path and the ground truth to
 * path + ".truth.json". */
int setu_gen_pcap(const setu_gen_config_t *cfg, const char *path, setu_diag_t *diag);
/* The same, also returning the run's summary (free with setu_gen_summary_free, also on
 * error). */
int setu_gen_pcap_summary(const setu_gen_config_t *cfg, const char *path,
                          setu_gen_summary_t *sum, setu_diag_t *diag);

/* The ground-truth document as JSON text (malloc'd, caller frees) for a finished run. */
char *setu_gen_truth_json(const setu_gen_config_t *cfg, const setu_gen_summary_t *sum,
                          const char *pcap_name);

#endif
