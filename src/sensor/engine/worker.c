/* worker.c — the spine: the whole per-packet path of the sensor on one screen.
 *   decode → flow → stream (→ app-layer → detect) → output
 * One worker owns its flows, stream state and buffers; it takes no locks except when a
 * finished EVE record is written to the shared sink. */
#include "engine-int.h"

#include <stdlib.h>
#include <string.h>

void setu_worker_emit(setu_worker_t *w)
{
	if (w->e->eve != NULL && setu_buf_ok(&w->rec) && w->rec.len > 0) {
		setu_eve_sink_write(w->e->eve, w->rec.data, w->rec.len);
		w->eve_records++;
	}
	setu_buf_reset(&w->rec);
	setu_json_init(&w->json, &w->rec);
}

static bool eve_type(const setu_worker_t *w, uint32_t t)
{
	return w->e->eve != NULL && (w->e->cfg.eve.types & t) != 0;
}

/* Reassembled, in-order TCP data of one direction. The app-layer and stream-inspecting
 * rules attach here. */
static void on_stream_data(void *user, setu_flow_t *f, int dir, const uint8_t *data,
                           size_t len, uint64_t offset, unsigned flags)
{
	(void)user;
	(void)f;
	(void)dir;
	(void)data;
	(void)len;
	(void)offset;
	(void)flags;
}

static void on_flow_end(void *user, setu_flow_t *f)
{
	setu_worker_t *w = user;
	if (f->proto == 6 && f->tcp != NULL)
		setu_stream_flow_end(w->stream, f, on_stream_data, w);
	if (!eve_type(w, SETU_EVE_T(FLOW)))
		return;
	setu_eve_write_flow(&w->json, &w->e->cfg.eve, f, NULL,
	                    f->proto == 6 && f->tcp != NULL ? setu_stream_state_name(f)
	                                                    : NULL);
	setu_worker_emit(w);
}

static void log_anomalies(setu_worker_t *w, const setu_pkt_t *p)
{
	const setu_eve_opts_t *o = &w->e->cfg.eve;
	if (!eve_type(w, SETU_EVE_T(ANOMALY)) ||
	    (!o->anomaly_decode && !o->anomaly_stream))
		return;
	for (unsigned i = 0; i < p->nevents; i++) {
		setu_event_t ev = (setu_event_t)p->events[i];
		bool stream = setu_event_kind(ev) == SETU_EVKIND_STREAM;
		if ((stream && !o->anomaly_stream) || (!stream && !o->anomaly_decode))
			continue;
		setu_eve_write_anomaly(&w->json, o, p, ev);
		setu_worker_emit(w);
		w->anomalies++;
	}
}

/* Checksum auto mode (see engine-int.h). */
static void checksum_policy(setu_worker_t *w, setu_pkt_t *p)
{
	const uint32_t bad = SETU_PKT_IPV4_CSUM_BAD | SETU_PKT_TCP_CSUM_BAD |
	                     SETU_PKT_UDP_CSUM_BAD | SETU_PKT_ICMP_CSUM_BAD;
	if (w->e->cfg.csum != SETU_CSUM_AUTO)
		return;
	if (w->csum_seen < SETU_CSUM_AUTO_SAMPLE && p->ip_ver != 0) {
		w->csum_seen++;
		if (p->flags & bad)
			w->csum_bad++;
		if (w->csum_seen == SETU_CSUM_AUTO_SAMPLE &&
		    w->csum_bad * 100 > w->csum_seen * SETU_CSUM_AUTO_BAD_PCT)
			w->csum_ignore = true;
	}
	if (w->csum_ignore)
		p->flags &= ~bad;
}

static void timers(setu_worker_t *w, const struct timeval *now)
{
	if (now->tv_sec == w->last_timeout_check)
		return;
	w->last_timeout_check = now->tv_sec;
	setu_flow_timeout(w->flows, now, on_flow_end, w);
	setu_decode_timeout(w->decode, now);
}

void setu_worker_packet(setu_worker_t *w, setu_pkt_t *p)
{
	w->pkts++;
	w->bytes += p->len;

	/* 1. decode */
	int rc = setu_decode(w->decode, p);
	if (rc != 0)
		w->invalid++;
	checksum_policy(w, p);

	/* 2. flow */
	setu_flow_t *f = NULL;
	if (!(p->flags & SETU_PKT_INVALID))
		f = setu_flow_handle_packet(w->flows, p);

	/* 3. stream */
	if (f != NULL && p->proto == 6 && (p->flags & SETU_PKT_HAS_L4))
		setu_stream_handle_packet(w->stream, f, p, on_stream_data, w);

	/* 4. output of what the packet raised */
	log_anomalies(w, p);

	/* 5. time-driven work, on packet time */
	timers(w, &p->ts);
}

void setu_worker_finish(setu_worker_t *w)
{
	setu_flow_flush(w->flows, on_flow_end, w);
}

setu_worker_t *setu_worker_new(setu_engine_t *e, unsigned id)
{
	setu_worker_t *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->e = e;
	w->id = id;
	w->decode = setu_decode_ctx_new(&e->cfg.decode);
	w->flows = setu_flow_table_new(&e->cfg.flow);
	w->stream = setu_stream_ctx_new(&e->cfg.stream);
	if (w->decode == NULL || w->flows == NULL || w->stream == NULL) {
		setu_worker_free(w);
		return NULL;
	}
	setu_flow_table_set_end_cb(w->flows, on_flow_end, w);
	setu_buf_init(&w->rec, SETU_EVE_RECORD_MAX);
	setu_json_init(&w->json, &w->rec);
	return w;
}

void setu_worker_free(setu_worker_t *w)
{
	if (w == NULL)
		return;
	if (w->flows != NULL)
		setu_flow_table_free(w->flows);
	setu_stream_ctx_free(w->stream);
	setu_decode_ctx_free(w->decode);
	setu_buf_free(&w->rec);
	free(w);
}

void setu_worker_counters(const setu_worker_t *w, setu_counter_cb cb, void *user)
{
	setu_decode_counters(w->decode, cb, user);
	setu_flow_counters(w->flows, cb, user);
	setu_stream_counters(w->stream, cb, user);
}
