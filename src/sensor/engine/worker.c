/* worker.c — the spine: the whole per-packet path of the sensor on one screen.
 *   decode → flow → stream (→ app-layer → detect) → output
 * One worker owns its flows, stream state and buffers; it takes no locks except when a
 * finished EVE record is written to the shared sink. */
#include "runmode-int.h"
#include "sensor/engine/sighting.h"
#include "sensor/output/eve-alert.h"

#include <stdlib.h>
#include <string.h>

void setu_worker_eve_flush(setu_worker_t *w)
{
	if (w->out.len > 0 && w->e->eve != NULL)
		setu_eve_sink_write_block(w->e->eve, w->out.data, w->out.len,
		                          w->out_records);
	setu_buf_reset(&w->out);
	w->out_records = 0;
}

void setu_worker_emit(setu_worker_t *w)
{
	if (w->e->eve != NULL && setu_buf_ok(&w->rec) && w->rec.len > 0) {
		int64_t now = setu_eve_coarse_ms();
		size_t before = w->out.len;
		if (before == 0)
			w->out_ms = now;
		if (setu_buf_append(&w->out, w->rec.data, w->rec.len) == 0 &&
		    setu_buf_putc(&w->out, '\n') == 0) {
			w->out_records++;
			if (w->out.len >= SETU_EVE_WORKER_BUFFER ||
			    now - w->out_ms >= (int64_t)SETU_EVE_FLUSH_MS)
				setu_worker_eve_flush(w);
		} else {
			/* no memory to gather it: the records gathered (without the
			 * part of this one), then this one, directly */
			w->out.len = before;
			w->out.oom = false;
			if (w->out.data != NULL)
				w->out.data[before] = '\0';
			setu_worker_eve_flush(w);
			setu_eve_sink_write(w->e->eve, w->rec.data, w->rec.len);
		}
		w->eve_records++;
	}
	setu_buf_reset(&w->rec);
	setu_json_init(&w->json, &w->rec);
}

static bool eve_type(const setu_worker_t *w, uint32_t t)
{
	return w->e->eve != NULL && (w->e->cfg.eve.types & t) != 0;
}

/* A flow's stand-in packet for work done without one (stream flushes at flow end):
 * the flow's tuple in direction dir, at the flow's last time, with no bytes. */
static setu_pkt_t *pseudo_packet(setu_worker_t *w, setu_flow_t *f, int dir)
{
	setu_pkt_t *p = w->pseudo;
	setu_pkt_reset(p);
	p->ts = f->last;
	p->ip_ver = f->src.family;
	p->proto = f->proto;
	p->src = dir == 0 ? f->src : f->dst;
	p->dst = dir == 0 ? f->dst : f->src;
	p->sp = dir == 0 ? f->sp : f->dp;
	p->dp = dir == 0 ? f->dp : f->sp;
	p->vlan_count = f->vlan_count;
	memcpy(p->vlan_id, f->vlan_id, sizeof(p->vlan_id));
	p->flags = SETU_PKT_PSEUDO | SETU_PKT_HAS_L4 |
	           (dir == 0 ? SETU_PKT_TOSERVER : SETU_PKT_TOCLIENT);
	p->flow = f;
	return p;
}

static void on_alert(void *user, const setu_pkt_t *p, const setu_alert_t *a)
{
	setu_worker_t *w = user;
	setu_flow_t *f = p->flow;
	if (f != NULL)
		f->alerted = true;
	/* a shared indicator or rule: counted for a sighting to its hub */
	setu_sightings_t *sg =
	    atomic_load_explicit(&w->e->sightings, memory_order_relaxed);
	for (size_t i = 0; sg != NULL && i < a->rule->nmetadata; i++) {
		const char *m = a->rule->metadata[i];
		if (strncmp(m, "stix_indicator ", 15) == 0)
			setu_sightings_note(sg, m + 15, &p->ts);
	}
	if (!eve_type(w, SETU_EVE_T(ALERT)))
		return;
	const setu_eve_opts_t *o = &w->e->cfg.eve;
	setu_eve_alert_begin(&w->json, o, p, a);
	if (f != NULL && f->app_proto != SETU_ALPROTO_UNKNOWN)
		setu_json_str(&w->json, "app_proto",
		              setu_alproto_name((setu_alproto_t)f->app_proto));
	/* a transaction's alert names it and, with alert metadata on (Suricata's
	 * default), carries its app-layer block ("http": {...}, "dns": ..., "tls": ...)
	 */
	if (a->flags & SETU_ALERT_TX) {
		setu_json_u64(&w->json, "tx_id", a->tx_id);
		if (o->alert_metadata && a->tx != NULL)
			setu_applayer_eve_tx(&w->json, (setu_alproto_t)a->tx_proto, a->tx,
			                     setu_worker_applayer_eve_opts(w));
	}
	setu_stream_gap_t gaps[SETU_EVE_MAX_GAPS];
	size_t ngaps = 0;
	if ((a->flags & SETU_ALERT_STREAM_MATCH) && f != NULL && w->stream_dir >= 0)
		ngaps = setu_stream_raw_gaps(f, w->stream_dir, gaps, SETU_EVE_MAX_GAPS);
	setu_eve_alert_end(&w->json, o, p, a, gaps, ngaps);
	setu_worker_emit(w);
}

/* Reverse the flow everywhere it keeps a direction, as Suricata's FlowSwap does: its
 * tuple, counters and flags (and p's direction), the TCP session's two streams, the
 * app-layer's sense of direction and the detect engine's per-direction progress. Only
 * all together do physical directions (packets, stream sides) and logical ones
 * (client/server) keep agreeing. Done between packets (the drain), never while the
 * stream is delivering. */
static void swap_flow(setu_flow_t *f, setu_alstate_t *st, setu_pkt_t *p)
{
	setu_flow_swap(f, p);
	setu_stream_swap(f); /* no-op without a TCP session */
	setu_alstate_swap(st);
	setu_detect_flow_swap(f);
}

/* A finished app-layer transaction: its own EVE record ("dns", "http", "tls"). */
static void on_tx(void *user, setu_flow_t *f, setu_alproto_t proto, const setu_altx_t *tx)
{
	setu_worker_t *w = user;
	/* app-layer rules (sticky buffers ...) on the handed-over tx, once, before its
	 * own record (detect.h: setu_detect_tx) */
	if (w->detect != NULL)
		setu_detect_tx(w->detect, w->cur, f, (int)proto, tx, on_alert, w);
	setu_ioc_match_tx(w, proto, tx,
	                  w->cur != NULL ? w->cur : pseudo_packet(w, f, tx->dir),
	                  on_alert);
	const setu_eve_opts_t *o = &w->e->cfg.eve;
	if (tx->events != 0 && eve_type(w, SETU_EVE_T(ANOMALY)) && o->anomaly_applayer) {
		for (unsigned bit = 0; bit < 32; bit++) {
			const char *ev = (tx->events & (1u << bit))
			                     ? setu_applayer_event_name(proto, bit)
			                     : NULL;
			if (ev == NULL)
				continue;
			setu_eve_write_applayer_anomaly(
			    &w->json, o, f, w->cur != NULL ? &w->cur->ts : &f->last,
			    setu_alproto_name(proto), ev, "proto_parser", tx->id);
			setu_worker_emit(w);
		}
	}
	static const uint32_t type_of[SETU_ALPROTO_MAX] = {
	    [SETU_ALPROTO_DNS] = SETU_EVE_T(DNS),
	    [SETU_ALPROTO_HTTP] = SETU_EVE_T(HTTP),
	    [SETU_ALPROTO_TLS] = SETU_EVE_T(TLS),
	};
	if ((unsigned)proto >= SETU_ALPROTO_MAX || type_of[proto] == 0 ||
	    !eve_type(w, type_of[proto]) ||
	    !setu_applayer_tx_loggable(proto, tx, setu_worker_applayer_eve_opts(w)))
		return;
	/* a reply seen before its request (midstream, lost packets) tells the app-layer
	 * who the client is: swap the flow as Suricata does before logging */
	setu_alstate_t *st = setu_applayer_state(f);
	if (st != NULL && setu_alstate_reversed(st) && !f->swapped)
		swap_flow(f, st, w->cur != NULL ? w->cur : pseudo_packet(w, f, tx->dir));
	setu_eve_tuple_t t;
	setu_eve_tuple_of_flow(&t, f);
	if (tx->dir == 1) { /* a record about the server's message: server → client */
		setu_addr_t a = t.src;
		uint16_t port = t.sp;
		t.src = t.dst;
		t.sp = t.dp;
		t.dst = a;
		t.dp = port;
	}
	const struct timeval *ts = w->cur != NULL ? &w->cur->ts : &f->last;
	setu_eve_begin(&w->json, ts, f->flow_id, setu_alproto_name(proto), &t);
	setu_eve_packet_fields(&w->json, w->cur);
	setu_eve_flow_extras(&w->json, &w->e->cfg.eve, f);
	setu_eve_ether_flow_dir(&w->json, &w->e->cfg.eve, w->cur);
	setu_json_u64(&w->json, "tx_id", tx->id);
	setu_applayer_eve_tx(&w->json, proto, tx, setu_worker_applayer_eve_opts(w));
	setu_json_close_object(&w->json);
	setu_worker_emit(w);
}

/* Stream rules over the raw window of direction dir; the detect engine remembers what it
 * has inspected, so only matches ending in new bytes alert. */
static void inspect_stream(setu_worker_t *w, setu_pkt_t *p, setu_flow_t *f, int dir)
{
	const uint8_t *win;
	size_t wlen;
	uint64_t woff;
	if (w->detect == NULL ||
	    setu_stream_raw_window(f, dir, &win, &wlen, &woff) != 0 || wlen == 0)
		return;
	w->stream_dir = dir;
	setu_detect_stream(w->detect, p, dir, win, wlen, woff, on_alert, w);
	w->stream_dir = -1;
}

/* Reassembled, in-order TCP data of one direction (handed on once ACKed, as Suricata's
 * IDS mode): to the app-layer. Stream rules look at the raw window from the next packet
 * of the same direction (see the spine); at flow end, when the stream hands over what it
 * still held, from a pseudo packet, which EVE reports as pkt_src "stream (flow timeout)".
 */
static void on_stream_data(void *user, setu_flow_t *f, int dir, const uint8_t *data,
                           size_t len, uint64_t offset, unsigned flags)
{
	setu_worker_t *w = user;
	(void)offset;
	setu_applayer_handle(w->applayer, f, w->cur, dir, data, len, flags);
	if (w->cur == NULL && (flags & SETU_STREAM_DATA_EOF))
		inspect_stream(w, pseudo_packet(w, f, dir), f, dir);
}

/* What protocol detection raised while the app-layer took a packet's data (Suricata's
 * app-layer "packet" events): anomaly records of layer "proto_detect". */
static void log_detect_events(setu_worker_t *w, const struct timeval *ts, setu_flow_t *f)
{
	uint32_t ev = setu_applayer_take_detect_events(f);
	const setu_eve_opts_t *o = &w->e->cfg.eve;
	if (ev == 0 || !eve_type(w, SETU_EVE_T(ANOMALY)) || !o->anomaly_applayer)
		return;
	for (unsigned bit = 0; bit < SETU_AL_DEV_MAX; bit++) {
		if (!(ev & (1u << bit)))
			continue;
		setu_eve_write_applayer_anomaly(
		    &w->json, o, f, ts, setu_alproto_name((setu_alproto_t)f->app_proto),
		    setu_applayer_detect_event_name(bit), "proto_detect", UINT64_MAX);
		setu_worker_emit(w);
	}
}

static void on_flow_end(void *user, setu_flow_t *f)
{
	setu_worker_t *w = user;
	setu_pkt_t *saved = w->cur;
	w->cur = NULL; /* no packet: data flushed now is the flow's */
	if (f->proto == 6 && f->tcp != NULL) {
		setu_stream_flow_end(w->stream, f, on_stream_data, w);
	}
	setu_applayer_drain(w->applayer, f, true, on_tx, w);
	log_detect_events(w, &f->last, f);
	w->cur = saved;
	if (!eve_type(w, SETU_EVE_T(FLOW)))
		return;
	const char *alp = f->app_proto != SETU_ALPROTO_UNKNOWN
	                      ? setu_alproto_name((setu_alproto_t)f->app_proto)
	                      : NULL;
	setu_eve_write_flow(&w->json, &w->e->cfg.eve, f, alp,
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

/* Checksum auto mode (see engine-int.h). A TCP/UDP checksum the sending host left to
 * the NIC (l4_unverified) is not yet computed in the captured copy: not an anomaly. */
static void checksum_policy(setu_worker_t *w, setu_pkt_t *p, bool l4_unverified)
{
	const uint32_t bad = SETU_PKT_IPV4_CSUM_BAD | SETU_PKT_TCP_CSUM_BAD |
	                     SETU_PKT_UDP_CSUM_BAD | SETU_PKT_ICMP_CSUM_BAD;
	if (l4_unverified)
		p->flags &= ~(SETU_PKT_TCP_CSUM_BAD | SETU_PKT_UDP_CSUM_BAD);
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
	/* live traffic without a quiet moment: gathered records still reach the file */
	if (w->out.len > 0 &&
	    setu_eve_coarse_ms() - w->out_ms >= (int64_t)SETU_EVE_FLUSH_MS)
		setu_worker_eve_flush(w);
}

static void spine(setu_worker_t *w, setu_pkt_t *p, bool l4_csum_unverified)
{
	setu_worker_sync_rules(w);
	w->pkts++;
	w->bytes += p->len;
	w->cur = p;

	/* 1. decode */
	if (setu_decode(w->decode, p) != 0)
		w->invalid++;
	checksum_policy(w, p, l4_csum_unverified);

	/* 2. flow */
	setu_flow_t *f = NULL;
	if (!(p->flags & SETU_PKT_INVALID))
		f = setu_flow_handle_packet(w->flows, p);
	if (f != NULL && w->e->cfg.eve.ethernet)
		setu_eve_macset_add(f, p);

	/* 3. stream (TCP) and app-layer: TCP data reaches the app-layer and the stream
	 * rules through on_stream_data; a UDP payload goes to the app-layer as it is. */
	if (f != NULL && p->proto == 6 && (p->flags & SETU_PKT_HAS_L4)) {
		setu_stream_handle_packet(w->stream, f, p, on_stream_data, w);
		inspect_stream(w, p, f, (p->flags & SETU_PKT_TOCLIENT) ? 1 : 0);
	} else if (f != NULL && p->proto == 17 && p->payload_len > 0) {
		int dir = (p->flags & SETU_PKT_TOCLIENT) ? 1 : 0;
		setu_applayer_handle(w->applayer, f, p, dir, p->payload, p->payload_len,
		                     0);
	}

	/* 4. detect on the packet: rules, then shared indicators */
	if (w->detect != NULL)
		setu_detect_packet(w->detect, p, on_alert, w);
	setu_ioc_match_packet(w, p, on_alert);

	/* 5. output: finished transactions, then what the packet raised */
	if (f != NULL) {
		setu_applayer_drain(w->applayer, f, false, on_tx, w);
		log_detect_events(w, &p->ts, f);
	}
	log_anomalies(w, p);

	/* 6. time-driven work, on packet time; counters for readers in other threads */
	timers(w, &p->ts);
	w->cur = NULL;
	setu_worker_publish(w);
}

void setu_worker_packet(setu_worker_t *w, setu_pkt_t *p)
{
	spine(w, p, false);
}

void setu_worker_packet_csum(setu_worker_t *w, setu_pkt_t *p, bool l4_csum_unverified)
{
	spine(w, p, l4_csum_unverified);
}

void setu_worker_idle(setu_worker_t *w, const struct timeval *now)
{
	setu_worker_sync_rules(w);
	if (now != NULL)
		timers(w, now);
	setu_worker_eve_flush(w); /* a quiet link: what was gathered reaches the file */
	setu_worker_publish(w);
}

void setu_worker_finish(setu_worker_t *w)
{
	setu_flow_flush(w->flows, on_flow_end, w);
	setu_worker_eve_flush(w);
}

setu_worker_t *setu_worker_new(setu_engine_t *e, unsigned id)
{
	/* cache-line aligned and padded: workers are made one after the other, and the
	 * counters one writes per packet must not share a line with the next one's */
	size_t size = (sizeof(setu_worker_t) + 63) / 64 * 64;
	setu_worker_t *w = aligned_alloc(64, size);
	if (w == NULL)
		return NULL;
	memset(w, 0, size);
	w->e = e;
	w->id = id;
	w->decode = setu_decode_ctx_new(&e->cfg.decode);
	w->flows = setu_flow_table_new(&e->cfg.flow);
	w->stream = setu_stream_ctx_new(&e->cfg.stream);
	w->applayer = setu_applayer_ctx_new(&e->applayer);
	w->pseudo = calloc(1, sizeof(*w->pseudo));
	w->stream_dir = -1;
	pthread_mutex_init(&w->snap_lock, NULL);
	setu_stats_init(&w->snap);
	atomic_init(&w->ruleset, NULL);
	/* register before taking a rule set, so a reload never frees a set we hold */
	bool registered = false;
	pthread_mutex_lock(&e->workers_lock);
	if (e->nworkers < SETU_MAX_WORKERS) {
		e->workers[e->nworkers++] = w;
		registered = true;
	}
	pthread_mutex_unlock(&e->workers_lock);
	setu_worker_sync_rules(w);
	if (!registered || w->decode == NULL || w->flows == NULL || w->stream == NULL ||
	    w->applayer == NULL || w->pseudo == NULL ||
	    (atomic_load(&e->rules) != NULL && atomic_load(&e->rules)->de != NULL &&
	     w->detect == NULL)) {
		setu_worker_free(w);
		return NULL;
	}
	setu_flow_table_set_end_cb(w->flows, on_flow_end, w);
	setu_buf_init(&w->rec, SETU_EVE_RECORD_MAX);
	setu_buf_init(&w->out, 0);
	setu_json_init(&w->json, &w->rec);
	return w;
}

void setu_worker_free(setu_worker_t *w)
{
	if (w == NULL)
		return;
	setu_engine_t *e = w->e;
	pthread_mutex_lock(&e->workers_lock);
	for (unsigned i = 0; i < e->nworkers; i++) {
		if (e->workers[i] == w) {
			e->workers[i] = e->workers[--e->nworkers];
			break;
		}
	}
	pthread_mutex_unlock(&e->workers_lock);
	if (w->flows != NULL)
		setu_flow_table_free(w->flows);
	setu_stream_ctx_free(w->stream);
	setu_applayer_ctx_free(w->applayer);
	setu_detect_thread_free(w->detect);
	setu_decode_ctx_free(w->decode);
	free(w->pseudo);
	setu_stats_free(&w->snap);
	pthread_mutex_destroy(&w->snap_lock);
	setu_worker_eve_flush(w); /* nothing gathered is lost */
	setu_buf_free(&w->out);
	setu_buf_free(&w->rec);
	free(w);
}

void setu_worker_counters(const setu_worker_t *w, setu_counter_cb cb, void *user)
{
	setu_decode_counters(w->decode, cb, user);
	setu_flow_counters(w->flows, cb, user);
	setu_stream_counters(w->stream, cb, user);
	setu_applayer_counters(w->applayer, cb, user);
}
