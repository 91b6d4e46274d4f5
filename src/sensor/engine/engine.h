/* engine.h — the sensor engine: configuration, the engine context (read-only once
 * loaded, shared by all workers) and the per-thread worker that runs the packet path. */
#ifndef SETU_ENGINE_H
#define SETU_ENGINE_H

#include "common/buf.h"
#include "common/conf.h"
#include "common/counters.h"
#include "sensor/capture/capture.h"
#include "sensor/applayer/applayer.h"
#include "sensor/decode/decode.h"
#include "sensor/detect/detect.h"
#include "sensor/flow/flow.h"
#include "sensor/output/eve.h"
#include "sensor/stream/stream.h"
#include "setu/error.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum setu_runmode {
	SETU_RUNMODE_SINGLE = 0, /* one thread reads and inspects */
	SETU_RUNMODE_WORKERS,    /* N workers, packets split by IP-pair hash (a pcap file:
	                            each worker walks it; else one reader and rings) */
} setu_runmode_t;

typedef enum setu_csum_mode {
	SETU_CSUM_AUTO = 0, /* validate; stop trusting bad checksums if most are bad */
	SETU_CSUM_ALL,      /* -k all */
	SETU_CSUM_NONE,     /* -k none */
} setu_csum_mode_t;

#define SETU_MAX_RULE_FILES 512
#define SETU_MAX_RULE_VARS 128
#define SETU_MAX_WORKERS 256

#define SETU_FP_AUTO 0
#define SETU_FP_YES 1
#define SETU_FP_NO 2

typedef struct setu_sensor_config {
	setu_decode_config_t decode;
	setu_flow_config_t flow;
	setu_stream_config_t stream;
	setu_eve_opts_t eve;
	setu_applayer_eve_opts_t al_eve; /* dns/http/tls record options */
	/* app-layer.protocols.tls.ja3-fingerprints / ja4-fingerprints: SETU_FP_AUTO (the
	 * default: on when a loaded rule reads them), SETU_FP_YES or SETU_FP_NO */
	int tls_ja3_fp, tls_ja4_fp;
	setu_csum_mode_t csum;
	setu_runmode_t runmode;
	unsigned threads; /* workers; 0 = one per core */
	char log_dir[PATH_MAX];
	/* detection */
	const char *rule_files[SETU_MAX_RULE_FILES]; /* borrowed (argv or conf) */
	size_t nrule_files;
	char classification_file[PATH_MAX];
	char reference_file[PATH_MAX];
	char threshold_file[PATH_MAX];
	/* vars.address-groups / vars.port-groups: borrowed from the configuration tree,
	 * which must outlive setu_engine_new (rules are compiled there) */
	setu_detect_var_t address_vars[SETU_MAX_RULE_VARS];
	size_t naddress_vars;
	setu_detect_var_t port_vars[SETU_MAX_RULE_VARS];
	size_t nport_vars;
	/* indicator files: STIX 2.1 JSON (bundle, envelope, list; compiled) or setu's
	 * text format (*.ioc); borrowed like rule_files */
	const char *ioc_files[SETU_MAX_RULE_FILES];
	size_t nioc_files;
	/* where per-rule load problems go (one line each); NULL = stderr */
	setu_detect_report_cb rule_report;
	void *rule_report_user;
} setu_sensor_config_t;

void setu_sensor_config_default(setu_sensor_config_t *cfg);
/* Apply a loaded configuration (YAML + --set overrides) on top of the defaults.
 * Unknown keys are ignored, as Suricata does; a bad value for a known key is an error
 * naming the file, line and key. */
int setu_sensor_config_apply(setu_sensor_config_t *cfg, const setu_conf_t *conf,
                             setu_diag_t *diag);

typedef struct setu_engine setu_engine_t;
typedef struct setu_worker setu_worker_t;

/* The dns/http/tls EVE options with a rule set whose rules read the TLS fingerprints
 * `fingerprints` (setu_detect_stats_t.fingerprints): cfg->al_eve with JA3/JA4 logged as
 * Suricata does: "yes" always, "no" never, "auto" when a rule reads them (JA4 also when
 * outputs.eve-log.types.tls.ja4 asks for it). */
void setu_sensor_applayer_eve_opts(const setu_sensor_config_t *cfg, unsigned fingerprints,
                                   setu_applayer_eve_opts_t *out);

/* Build the engine: open outputs, load rules. NULL + diag on a fatal error. */
setu_engine_t *setu_engine_new(const setu_sensor_config_t *cfg, setu_diag_t *diag);
void setu_engine_free(setu_engine_t *e);

setu_worker_t *setu_worker_new(setu_engine_t *e, unsigned id);
void setu_worker_free(setu_worker_t *w);
/* The spine: decode → flow → stream → (app-layer → detect) → output, for one packet. */
void setu_worker_packet(setu_worker_t *w, setu_pkt_t *p);
/* End every flow (end of input). */
void setu_worker_finish(setu_worker_t *w);
void setu_worker_counters(const setu_worker_t *w, setu_counter_cb cb, void *user);
/* The dns/http/tls EVE options in force for w: those of the rule set it inspects with
 * (they follow reloads, see setu_sensor_applayer_eve_opts), or the configured ones when
 * it has none. Valid until w's next packet; worker thread only. */
const setu_applayer_eve_opts_t *setu_worker_applayer_eve_opts(const setu_worker_t *w);

/* Run a capture to its end (or until setu_engine_stop). Writes the final stats record. */
int setu_engine_run(setu_engine_t *e, setu_capture_t *cap, setu_diag_t *diag);
/* Request to stop a running capture (from another thread). */
void setu_engine_stop(setu_engine_t *e);

/* Live reload: build a new rule set from the configured files beside the one in force and
 * swap it in without stopping capture; workers move to it between packets and the old
 * set is freed once none uses it. On failure the old rules stay and diag says why.
 * Thread-safe; call from a control thread, never from a worker. */
int setu_engine_reload(setu_engine_t *e, setu_diag_t *diag);
/* Free rule sets that no worker uses any more; returns how many are still waiting. */
unsigned setu_engine_reap(setu_engine_t *e);
/* Current counters of all workers as a stats object (JSON text appended to out), for
 * `setu ctl stats`; asks workers for fresh snapshots and waits up to wait_ms for them. */
int setu_engine_stats_json(setu_engine_t *e, setu_buf_t *out, unsigned wait_ms);
/* Generation of the rule set in force (0 = no rules), reloads done and failed. */
void setu_engine_reload_info(setu_engine_t *e, uint64_t *gen, uint64_t *ok,
                             uint64_t *failed);

#endif
