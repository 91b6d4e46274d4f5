/* engine-int.h — engine and worker internals shared by the files of engine/ only. */
#ifndef SETU_ENGINE_INT_H
#define SETU_ENGINE_INT_H

#include "common/buf.h"
#include "sensor/engine/engine.h"
#include "sensor/applayer/applayer.h"
#include "sensor/detect/detect.h"
#include "sensor/output/eve-records.h"

#include <signal.h>
#include <stdatomic.h>

struct setu_engine {
	setu_sensor_config_t cfg; /* copy; read-only after setu_engine_new */
	setu_eve_sink_t *eve;     /* owned; NULL when eve-log is disabled */
	atomic_bool stop;
	setu_capture_t *_Atomic running; /* borrowed while setu_engine_run runs */
	struct timeval started;          /* wall clock at start (stats uptime) */
	setu_detect_engine_t *detect;    /* owned; NULL without rules */
	setu_applayer_config_t applayer;
	setu_applayer_eve_opts_t al_eve;
};

/* Checksum "auto" mode: like Suricata, look at the first packets; if more than a tenth
 * of them have bad checksums (offloading on the capture host), stop trusting the flags.
 */
#define SETU_CSUM_AUTO_SAMPLE 1000u
#define SETU_CSUM_AUTO_BAD_PCT 10u

struct setu_worker {
	setu_engine_t *e; /* borrowed */
	unsigned id;
	setu_decode_ctx_t *decode;
	setu_flow_table_t *flows;
	setu_stream_ctx_t *stream;
	setu_applayer_ctx_t *applayer;
	setu_detect_thread_t *detect; /* NULL without rules */
	setu_pkt_t *cur;    /* the packet being handled (stream callbacks need it) */
	setu_pkt_t *pseudo; /* owned: stands for a flow's packet at flow end */
	setu_buf_t rec;     /* EVE record being built */
	setu_json_t json;
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

#endif
