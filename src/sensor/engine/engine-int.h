/* engine-int.h — engine and worker internals shared by the files of engine/ only. */
#ifndef SETU_ENGINE_INT_H
#define SETU_ENGINE_INT_H

#include "common/buf.h"
#include "sensor/engine/engine.h"
#include "sensor/applayer/applayer.h"
#include "intel/ioc/iocset.h"
#include "sensor/detect/detect.h"
#include "sensor/output/eve-records.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

struct setu_engine {
	setu_sensor_config_t cfg; /* copy; read-only after setu_engine_new */
	setu_eve_sink_t *eve;     /* owned; NULL when eve-log is disabled */
	atomic_bool stop;
	setu_capture_t *_Atomic running; /* borrowed while setu_engine_run runs */
	struct timeval started;          /* wall clock at start (stats uptime) */
	/* The rules in force. Workers move to a new set between packets; the set they
	 * left is freed by the reloader once no worker uses it (see reload.c). */
	struct setu_ruleset *_Atomic rules; /* owned; NULL without rule files */
	pthread_mutex_t reload_lock;        /* one reload at a time; guards retired */
	struct setu_ruleset *retired;       /* replaced sets still in use by a worker */
	uint64_t reloads, reload_failures;
	/* workers, for the reloader and `ctl stats` (registered by setu_worker_new) */
	pthread_mutex_t workers_lock;
	struct setu_worker *workers[SETU_MAX_WORKERS];
	unsigned nworkers;
	atomic_uint stats_gen; /* bumped to ask workers for a counter snapshot */
	/* alerts of shared indicators and rules counted for the hub (hubsync.c); NULL
	 * without a hub */
	struct setu_sightings *_Atomic sightings;
	setu_applayer_config_t applayer;
	setu_applayer_eve_opts_t al_eve;
};

/* Checksum "auto" mode: like Suricata, look at the first packets; if more than a tenth
 * of them have bad checksums (offloading on the capture host), stop trusting the flags.
 */
/* A loaded rule set with its generation. */
typedef struct setu_ruleset {
	setu_detect_engine_t *de; /* owned; NULL without rule files */
	setu_iocset_t *iocs;      /* owned; NULL without indicator files */
	/* per indicator: the rule-like identity its alerts carry (owned) */
	struct setu_ioc_rule *ioc_rules;
	uint64_t gen; /* 1 for the first load, +1 per reload */
	struct setu_ruleset *next_retired;
} setu_ruleset_t;

/* Load the configured rule files into a new set; NULL + diag on a fatal error. */
setu_ruleset_t *setu_ruleset_load(setu_engine_t *e, uint64_t gen, setu_diag_t *diag);
void setu_ruleset_free(setu_ruleset_t *rs);
/* Worker side: move to the current rule set if it changed (between packets). */
void setu_worker_sync_rules(struct setu_worker *w);
/* Worker side: publish a counter snapshot if one was asked for. */
void setu_worker_publish(struct setu_worker *w);
/* Reader side: sum the workers' latest snapshots into st. */
void setu_engine_collect_snapshots(setu_engine_t *e, setu_stats_t *st);

/* Indicators (intel.c): load the configured files into rs; match a packet's addresses
 * and ports, or a transaction's names, URLs and fingerprints. */
int setu_ioc_load(setu_engine_t *e, setu_ruleset_t *rs, setu_diag_t *diag);
void setu_ioc_rules_free(setu_ruleset_t *rs);
void setu_ioc_match_packet(struct setu_worker *w, setu_pkt_t *p, setu_alert_cb cb);
void setu_ioc_match_tx(struct setu_worker *w, setu_alproto_t proto, const setu_altx_t *tx,
                       setu_pkt_t *p, setu_alert_cb cb);

#define SETU_CSUM_AUTO_SAMPLE 1000u
#define SETU_CSUM_AUTO_BAD_PCT 10u

struct setu_worker {
	setu_engine_t *e; /* borrowed */
	unsigned id;
	setu_decode_ctx_t *decode;
	setu_flow_table_t *flows;
	setu_stream_ctx_t *stream;
	setu_applayer_ctx_t *applayer;
	setu_detect_thread_t *detect;         /* NULL without rules */
	struct setu_ruleset *_Atomic ruleset; /* the set `detect` was made from */
	/* counter snapshot for readers in other threads (stats_gen) */
	unsigned seen_stats_gen;
	pthread_mutex_t snap_lock;
	setu_stats_t snap;
	setu_pkt_t *cur;    /* the packet being handled (stream callbacks need it) */
	setu_pkt_t *pseudo; /* owned: stands for a flow's packet at flow end */
	int stream_dir;     /* direction of the stream being inspected, -1 outside */
	setu_buf_t rec;     /* EVE record being built */
	setu_json_t json;
	/* finished EVE records ('\n'-ended) not yet handed to the sink, since out_ms */
	setu_buf_t out;
	uint64_t out_records;
	int64_t out_ms;
	/* checksum auto mode */
	bool csum_ignore;
	uint64_t csum_seen, csum_bad;
	/* timers (packet time) */
	time_t last_timeout_check;
	/* counters */
	uint64_t pkts, bytes, invalid, eve_records;
	uint64_t anomalies;
};

void setu_worker_emit(setu_worker_t *w);
/* Hand the worker's gathered EVE records to the sink (idle moments, the end). */
void setu_worker_eve_flush(setu_worker_t *w);

#endif
