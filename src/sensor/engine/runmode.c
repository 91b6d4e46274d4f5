/* runmode.c — how packets reach workers: "single" (the reader inspects) and "workers"
 * (one reader hands packets to N workers by a symmetric IP-pair hash, so both directions
 * and all fragments of a flow meet in the same worker; packets are copied into bounded
 * single-producer/single-consumer rings). */
#include "engine-int.h"
#include "sensor/engine/ring.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Emit one stats record of counters already collected in st (capture counters added). */
static void emit_stats(setu_engine_t *e, setu_stats_t *st, const setu_capture_t *cap,
                       const struct timeval *ts)
{
	if (cap != NULL) {
		setu_capture_stats_t cs;
		setu_capture_get_stats(cap, &cs);
		setu_stats_add(st, "capture.kernel_drops", cs.kernel_drops);
	}
	struct timeval now;
	gettimeofday(&now, NULL);
	uint64_t uptime = (uint64_t)(now.tv_sec - e->started.tv_sec);
	setu_buf_t b;
	setu_buf_init(&b, SETU_EVE_RECORD_MAX);
	setu_json_t j;
	setu_json_init(&j, &b);
	setu_eve_write_stats(&j, &e->cfg.eve, st, ts, uptime);
	if (setu_buf_ok(&b))
		setu_eve_sink_write(e->eve, b.data, b.len);
	setu_buf_free(&b);
}

static bool stats_wanted(const setu_engine_t *e)
{
	return e->eve != NULL && (e->cfg.eve.types & SETU_EVE_T(STATS)) &&
	       e->cfg.eve.stats_totals;
}

/* A stats record of the workers' counters, read in their own thread (single mode and
 * after the workers have stopped). */
static void write_stats(setu_engine_t *e, setu_worker_t *const *w, unsigned n,
                        const setu_capture_t *cap, const struct timeval *ts)
{
	if (!stats_wanted(e))
		return;
	setu_stats_t st;
	setu_stats_init(&st);
	for (unsigned i = 0; i < n; i++)
		setu_worker_counters(w[i], setu_stats_add, &st);
	emit_stats(e, &st, cap, ts);
	setu_stats_free(&st);
}

/* ---- the reader's periodic work: progress on a terminal, stats records ---- */

typedef struct monitor {
	setu_engine_t *e;
	const setu_capture_t *cap;
	bool progress; /* stderr is a terminal and the input is a file */
	struct timespec start, last_progress, last_stats;
	unsigned tick;
} monitor_t;

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void monitor_init(monitor_t *m, setu_engine_t *e, const setu_capture_t *cap)
{
	memset(m, 0, sizeof(*m));
	m->e = e;
	m->cap = cap;
	setu_capture_stats_t cs;
	setu_capture_get_stats(cap, &cs);
	m->progress = isatty(STDERR_FILENO) && cs.file_size > 0;
	clock_gettime(CLOCK_MONOTONIC, &m->start);
	m->last_progress = m->last_stats = m->start;
}

static void progress_line(monitor_t *m, const struct timespec *now, bool final)
{
	setu_capture_stats_t cs;
	setu_capture_get_stats(m->cap, &cs);
	double secs = elapsed(&m->start, now);
	if (secs <= 0)
		secs = 1e-9;
	double gbps = (double)cs.bytes * 8 / secs / 1e9;
	double mpps = (double)cs.packets / secs / 1e6;
	double frac = cs.file_size > 0 ? (double)cs.file_pos / (double)cs.file_size : 0;
	if (frac > 1)
		frac = 1;
	double eta = frac > 0 ? secs / frac - secs : 0;
	fprintf(stderr,
	        "\rsetu sensor: %5.1f%% %llu packets %.2f Gbit/s %.3f Mpps ETA %ds   %s",
	        frac * 100, (unsigned long long)cs.packets, gbps, mpps, (int)eta,
	        final ? "\n" : "");
	fflush(stderr);
}

/* Called by the reader between packets: cheap unless a second has passed. `stats` writes
 * a stats record of the workers' counters as they are now. */
static void monitor_tick(monitor_t *m, bool idle, void (*stats)(void *), void *arg)
{
	if (!idle && (++m->tick & 1023u) != 0)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (m->progress && elapsed(&m->last_progress, &now) >= 0.5) {
		m->last_progress = now;
		progress_line(m, &now, false);
	}
	uint32_t iv = m->e->cfg.eve.stats_interval;
	if (iv > 0 && elapsed(&m->last_stats, &now) >= iv) {
		m->last_stats = now;
		stats(arg);
	}
}

static void monitor_done(monitor_t *m)
{
	if (!m->progress)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	progress_line(m, &now, true);
}

typedef struct single_stats_arg {
	setu_engine_t *e;
	setu_worker_t *w;
	const setu_capture_t *cap;
	const struct timeval *ts;
} single_stats_arg_t;

static void single_stats(void *arg)
{
	single_stats_arg_t *a = arg;
	write_stats(a->e, &a->w, 1, a->cap, a->ts);
}

static int run_single(setu_engine_t *e, setu_capture_t *cap, setu_diag_t *diag)
{
	setu_worker_t *w = setu_worker_new(e, 0);
	if (w == NULL)
		return setu_diag_set(diag, SETU_ENOMEM,
		                     "out of memory creating the worker");
	setu_pkt_t *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		setu_worker_free(w);
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	}
	int rc = 0;
	struct timeval last_ts = {0, 0};
	monitor_t mon;
	monitor_init(&mon, e, cap);
	single_stats_arg_t sa = {e, w, cap, &last_ts};
	while (!atomic_load(&e->stop)) {
		int r = setu_capture_next(cap, p, diag);
		if (r == SETU_EAGAIN) {
			setu_eve_sink_flush_if(e->eve);
			monitor_tick(&mon, true, single_stats, &sa);
			continue;
		}
		if (r == 0)
			break;
		if (r < 0) {
			rc = r;
			break;
		}
		last_ts = p->ts;
		setu_worker_packet(w, p);
		monitor_tick(&mon, false, single_stats, &sa);
	}
	monitor_done(&mon);
	setu_worker_finish(w);
	if (last_ts.tv_sec == 0)
		gettimeofday(&last_ts, NULL);
	write_stats(e, &w, 1, cap, &last_ts);
	if (e->eve != NULL)
		setu_eve_sink_flush(e->eve);
	free(p);
	setu_worker_free(w);
	return rc;
}

/* ---- workers ---- */

typedef struct worker_thread {
	setu_worker_t *w;
	setu_ring_t *ring;
	pthread_t tid;
	struct timeval last_ts;
} worker_thread_t;

static void *worker_main(void *arg)
{
	worker_thread_t *wt = arg;
	setu_pkt_t *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	const setu_ring_slot_t *s;
	while ((s = setu_ring_pop_wait(wt->ring)) != NULL) {
		setu_pkt_reset(p);
		p->data = s->data;
		p->len = s->len;
		p->wire_len = s->wire_len;
		p->ts = s->ts;
		p->pcap_cnt = s->pcap_cnt;
		p->linktype = s->linktype;
		wt->last_ts = p->ts;
		setu_worker_packet(wt->w, p);
		setu_ring_release(wt->ring);
	}
	setu_worker_finish(wt->w);
	free(p);
	return NULL;
}

/* Periodic stats in workers mode: ask the workers for snapshots (they publish between
 * packets) and sum the latest ones. A record is thus at most one interval behind; the
 * final record is exact (read after the workers have stopped). */
typedef struct workers_stats_arg {
	setu_engine_t *e;
	const setu_capture_t *cap;
	const setu_pkt_t
	    *last; /* the reader's latest packet (its time stamps the record) */
} workers_stats_arg_t;

static void workers_stats(void *arg)
{
	workers_stats_arg_t *a = arg;
	atomic_fetch_add_explicit(&a->e->stats_gen, 1, memory_order_relaxed);
	if (!stats_wanted(a->e))
		return;
	setu_stats_t st;
	setu_stats_init(&st);
	setu_engine_collect_snapshots(a->e, &st);
	emit_stats(a->e, &st, a->cap, &a->last->ts);
	setu_stats_free(&st);
}

static int run_workers(setu_engine_t *e, setu_capture_t *cap, setu_diag_t *diag)
{
	unsigned n = e->cfg.threads;
	if (n == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (unsigned)c : 1;
	}
	worker_thread_t *wt = calloc(n, sizeof(*wt));
	setu_worker_t **ws = calloc(n, sizeof(*ws));
	setu_pkt_t *p = calloc(1, sizeof(*p));
	int rc = 0;
	unsigned started = 0;
	if (wt == NULL || ws == NULL || p == NULL) {
		rc = setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		wt[i].w = ws[i] = setu_worker_new(e, i);
		wt[i].ring = setu_ring_new(SETU_RING_SLOTS);
		if (wt[i].w == NULL || wt[i].ring == NULL) {
			rc = setu_diag_set(diag, SETU_ENOMEM,
			                   "out of memory creating worker %u", i);
			goto out;
		}
	}
	for (; started < n; started++) {
		if (pthread_create(&wt[started].tid, NULL, worker_main, &wt[started]) !=
		    0) {
			rc = setu_diag_set(diag, SETU_ENOMEM,
			                   "cannot start worker thread %u", started);
			break;
		}
	}
	monitor_t mon;
	monitor_init(&mon, e, cap);
	workers_stats_arg_t wsa = {e, cap, p};
	while (rc == 0 && !atomic_load(&e->stop)) {
		int r = setu_capture_next(cap, p, diag);
		if (r == SETU_EAGAIN) {
			setu_eve_sink_flush_if(e->eve);
			monitor_tick(&mon, true, workers_stats, &wsa);
			continue;
		}
		if (r == 0)
			break;
		if (r < 0) {
			rc = r;
			break;
		}
		unsigned idx = setu_ippair_hash(p->linktype, p->data, p->len) % n;
		if (setu_ring_push_wait(wt[idx].ring, p) != 0) {
			rc = setu_diag_set(diag, SETU_ENOMEM,
			                   "out of memory queueing a packet");
			break;
		}
	}
out:
	for (unsigned i = 0; i < started; i++)
		setu_ring_close(wt[i].ring);
	struct timeval last = {0, 0};
	for (unsigned i = 0; i < started; i++) {
		pthread_join(wt[i].tid, NULL);
		if (timercmp(&wt[i].last_ts, &last, >))
			last = wt[i].last_ts;
	}
	if (rc == 0 || started == n) {
		if (last.tv_sec == 0)
			gettimeofday(&last, NULL);
		if (ws != NULL && started == n)
			write_stats(e, ws, n, cap, &last);
	}
	if (e->eve != NULL)
		setu_eve_sink_flush(e->eve);
	for (unsigned i = 0; wt != NULL && i < n; i++) {
		setu_worker_free(wt[i].w);
		setu_ring_free(wt[i].ring);
	}
	free(wt);
	free(ws);
	free(p);
	return rc;
}

int setu_engine_run(setu_engine_t *e, setu_capture_t *cap, setu_diag_t *diag)
{
	if (!setu_decode_linktype_supported(cap->linktype)) {
		if (diag != NULL) {
			diag->file = cap->source;
			diag->line = 0;
		}
		return setu_diag_set(diag, SETU_EUNSUPPORTED,
		                     "link type %d is not supported", cap->linktype);
	}
	atomic_store(&e->running, cap);
	int rc = e->cfg.runmode == SETU_RUNMODE_WORKERS ? run_workers(e, cap, diag)
	                                                : run_single(e, cap, diag);
	atomic_store(&e->running, NULL);
	return rc;
}
