/* detect.h — the detection engine: Suricata rule files loaded into a read-only engine
 * (shared by workers), a per-worker thread context, and packet/stream inspection that
 * reports alerts through a callback. Semantics follow Suricata's rule language. */
#ifndef SETU_DETECT_H
#define SETU_DETECT_H

#include "sensor/decode/packet.h"
#include "setu/error.h"

#include <stddef.h>
#include <stdint.h>

/* Rule actions (header keyword). drop/reject are logged as would-drop (no inline mode).
 */
typedef enum setu_action {
	SETU_ACTION_ALERT = 0,
	SETU_ACTION_PASS,
	SETU_ACTION_DROP,
	SETU_ACTION_REJECT,
	SETU_ACTION_REJECTSRC,
	SETU_ACTION_REJECTDST,
	SETU_ACTION_REJECTBOTH,
} setu_action_t;

const char *setu_action_name(setu_action_t a);

/* What an alert says about its rule (EVE alert block). Owned by the engine. */
typedef struct setu_rule_info {
	uint32_t gid, sid, rev;
	const char *msg; /* unescaped; "" if none */
	setu_action_t action;
	const char *classtype;       /* NULL if none */
	const char *category;        /* classification description; NULL if none */
	int priority;                /* classtype's or `priority:`; 3 if neither */
	const char *const *metadata; /* "key value" strings as written, trimmed */
	size_t nmetadata;
	const char *const *references; /* "type,value" (URL prefix applied if known) */
	size_t nreferences;
	const char *target; /* "src_ip", "dest_ip" or NULL */
	const char *file;   /* rule file (borrowed from the load call's list) */
	unsigned line;
} setu_rule_info_t;

/* Rule-loading settings. Vars not given take Suricata's defaults (HOME_NET
 * [192.168.0.0/16,10.0.0.0/8,172.16.0.0/12], EXTERNAL_NET !$HOME_NET, HTTP_PORTS 80...).
 */
typedef struct setu_detect_var {
	const char *name;  /* without '$' */
	const char *value; /* an address or port expression */
} setu_detect_var_t;

typedef struct setu_detect_config {
	const char *classification_file; /* NULL: classification.config beside the first
	                                    rule file, if any */
	const char *reference_file; /* NULL: reference.config beside the first rule file,
	                               if any */
	const char *threshold_file; /* NULL: none */
	const setu_detect_var_t *address_vars; /* override/extend defaults; may be NULL */
	size_t naddress_vars;
	const setu_detect_var_t *port_vars;
	size_t nport_vars;
	/* Threads compiling the Hyperscan databases: 0 = one per CPU, up to
	 * SETU_DETECT_COMPILE_THREADS (a first load: fastest); 1 for a reload beside a
	 * running set, where the compiles' temporaries, one per thread, add to the
	 * memory peak (ET Open 2019: peak 1.61x steady with 2 threads, 1.47x with 1). */
	unsigned compile_threads;
} setu_detect_config_t;

/* One line per rule that was skipped (unsupported keyword) or failed (syntax/validation).
 * `skipped` is true for an unsupported-keyword skip; `keyword` then names it. */
typedef struct setu_detect_problem {
	const setu_diag_t *diag; /* file, line, column, message */
	bool skipped;
	const char *keyword; /* unsupported keyword (skips only), else NULL */
} setu_detect_problem_t;
typedef void (*setu_detect_report_cb)(void *user, const setu_detect_problem_t *pb);

/* Counters of a load. */
typedef struct setu_detect_kwcount {
	const char *keyword;
	size_t count;
} setu_detect_kwcount_t;

typedef struct setu_detect_stats {
	size_t rules_total;      /* rule lines seen (not commented) */
	size_t loaded;           /* parsed and active (includes app-layer pending) */
	size_t applayer_pending; /* loaded, header is an app-layer protocol setu does not
	                            parse (smtp, ftp, http2 ...): never matches */
	size_t skipped;          /* unsupported keyword */
	size_t failed;           /* parse/validation error */
	size_t duplicate; /* same gid:sid seen again: later one dropped (Suricata does
	                     too) */
	size_t prefilter_rules; /* loaded rules with a Hyperscan fast pattern */
	size_t groups;
	size_t patterns;                          /* distinct fast patterns compiled */
	const setu_detect_kwcount_t *unsupported; /* sorted by count, descending */
	size_t nunsupported;
	unsigned
	    fingerprints; /* SETU_DETECT_USES_*: TLS fingerprints loaded rules read */
} setu_detect_stats_t;

/* setu_detect_stats_t.fingerprints: a loaded rule reads a JA3/JA3S buffer (ja3.hash,
 * ja3.string, ja3s.hash, ja3s.string) or the JA4 one (ja4.hash). Suricata's "auto"
 * value of app-layer.protocols.tls.ja3-fingerprints / ja4-fingerprints enables (and
 * logs) the fingerprints when one of these is set. */
#define SETU_DETECT_USES_JA3 (1u << 0)
#define SETU_DETECT_USES_JA4 (1u << 1)

typedef struct setu_detect_engine setu_detect_engine_t; /* read-only after load; shared */
typedef struct setu_detect_thread setu_detect_thread_t; /* one per worker */

/* Load rule files. Per-rule problems go to `report` (may be NULL) and are counted;
 * returns NULL with diag filled only on fatal errors (file unreadable, bad config,
 * Hyperscan). */
setu_detect_engine_t *setu_detect_engine_load(const setu_detect_config_t *cfg,
                                              const char *const *files, size_t nfiles,
                                              setu_detect_report_cb report, void *user,
                                              setu_diag_t *diag);
/* Same, from rule text in memory (`name` is used in diagnostics). */
setu_detect_engine_t *setu_detect_engine_load_mem(const setu_detect_config_t *cfg,
                                                  const char *name, const char *text,
                                                  size_t len,
                                                  setu_detect_report_cb report,
                                                  void *user, setu_diag_t *diag);
void setu_detect_engine_free(setu_detect_engine_t *de);
const setu_detect_stats_t *setu_detect_engine_stats(const setu_detect_engine_t *de);

setu_detect_thread_t *setu_detect_thread_new(const setu_detect_engine_t *de);
void setu_detect_thread_free(setu_detect_thread_t *dt);

struct setu_altx;

/* alert flags */
#define SETU_ALERT_STREAM_MATCH (1u << 0) /* matched on reassembled stream data */
#define SETU_ALERT_NOALERT_TAG (1u << 1)  /* rule has a tag keyword (logged only) */
#define SETU_ALERT_RATE_CHANGED (1u << 2) /* rate_filter changed the action */
#define SETU_ALERT_TX (1u << 3) /* matched on an app-layer transaction: tx_id is set */

typedef struct setu_alert {
	const setu_rule_info_t *rule;
	setu_action_t action;   /* after rate_filter */
	uint8_t flags;          /* SETU_ALERT_* */
	uint64_t stream_offset; /* stream matches: offset of the inspected window */
	const uint8_t
	    *payload; /* the inspected buffer (packet payload or stream window) */
	size_t payload_len;
	uint64_t
	    tx_id; /* SETU_ALERT_TX: the transaction's id in its flow (EVE "tx_id") */
	/* SETU_ALERT_TX: the transaction itself and its protocol (setu_alproto_t), for
	 * the alert's app-layer block (setu_applayer_eve_tx); valid during the callback
	 * only */
	const struct setu_altx *tx;
	int tx_proto;
} setu_alert_t;

typedef void (*setu_alert_cb)(void *user, const setu_pkt_t *p, const setu_alert_t *a);

/* Packet vs stream, as Suricata: a TCP payload rule is inspected on the reassembled
 * stream; on packet payloads only while the session is not established (or the packet
 * has no flow), unless one of its contents is anchored with depth/offset, which makes it
 * inspect both. dsize and flow:no_stream make a rule packet-only, flow:only_stream
 * stream-only. A rule alerts at most once per packet. */

/* Inspect one packet (after flow/stream handling, so after setu_detect_stream calls made
 * for it); p->flow may be NULL. */
void setu_detect_packet(setu_detect_thread_t *dt, setu_pkt_t *p, setu_alert_cb cb,
                        void *user);

/* Inspect reassembled stream data of one direction of p's flow (dir 0 = to server,
 * 1 = to client); p is the packet that made the data available (it may travel in the
 * other direction, e.g. an ACK) or a pseudo packet at flow end. [data, data+len) is the
 * stream window starting at stream `offset`; it may repeat bytes already inspected (the
 * raw window): a rule alerts only for a match that ends in bytes not inspected before
 * (once per rule and stream segment). Bytes a SYN carried (TCP Fast Open) were inspected
 * per packet: here only stream-only rules (tcp-stream, flow:only_stream) see them. With
 * a flow-end pseudo packet (SETU_PKT_PSEUDO) the complete tx sides of dir are inspected
 * too, while the stream is still there for tx rules with raw payload keywords. */
void setu_detect_stream(setu_detect_thread_t *dt, setu_pkt_t *p, int dir,
                        const uint8_t *data, size_t len, uint64_t offset,
                        setu_alert_cb cb, void *user);

/* Inspect the app-layer rules (sticky buffers, app-layer-protocol, dns/http/tls rule
 * headers with buffer keywords) of protocol `proto` on transaction tx of flow f, once:
 * call it exactly once per tx, when the app-layer hands it over complete (drain
 * callback; at flow end incomplete ones too). p is the packet being processed (it made
 * the tx complete), or NULL at flow end. Request-side rules are matched against the
 * flow's client->server tuple, response-side ones server->client; their alerts carry
 * SETU_ALERT_TX and tx_id and report a packet with p's time and pcap_cnt in the rule's
 * direction (p itself when its direction is the rule's). A rule alerts at most once per
 * tx. */
struct setu_flow;
void setu_detect_tx(setu_detect_thread_t *dt, setu_pkt_t *p, struct setu_flow *f,
                    int proto, const struct setu_altx *tx, setu_alert_cb cb, void *user);

/* The flow's direction was reversed (setu_flow_swap after the app-layer learned that the
 * first sender was the server): swap the per-direction detect state (stream progress,
 * SYN data inspected, prefilter memory) as the stream swaps its two sides, so both keep
 * following the data (Suricata's FlowSwap swaps the TCP streams that hold its raw
 * progress). No-op without state. */
void setu_detect_flow_swap(struct setu_flow *f);

/* Free function for the per-flow detect state (flowbits, flowints, stream progress);
 * the flow table calls it through the storage slot's free_fn. */
void setu_detect_flow_state_free(void *state);

#endif
