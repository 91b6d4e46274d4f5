/* runmode.c — how packets reach workers: "single" (the reader inspects) and "workers"
 * (N workers, a packet's worker picked by a symmetric IP-pair hash, so both directions
 * and all fragments of a flow meet in the same worker). A classic pcap file read in
 * place has no reader thread: every worker walks the whole mapped file and inspects the
 * packets that hash to it. Other inputs (pcapng, stdin, libpcap live) have one reader
 * that hands packets to the workers through bounded single-producer/single-consumer
 * rings, copied. An AF_PACKET capture has no reader: see runmode-afp.c. */
#include "runmode-int.h"
#include "sensor/capture/capture-afp.h"
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
void setu_runmode_write_stats(setu_engine_t *e, setu_worker_t *const *w, unsigned n,
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

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void setu_monitor_init(setu_monitor_t *m, setu_engine_t *e, const setu_capture_t *cap)
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

static void progress_line(setu_monitor_t *m, const struct timespec *now, bool final)
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
void setu_monitor_tick(setu_monitor_t *m, bool idle, void (*stats)(void *), void *arg)
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

void setu_monitor_done(setu_monitor_t *m)
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
	setu_runmode_write_stats(a->e, &a->w, 1, a->cap, a->ts);
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
	setu_monitor_t mon;
	setu_monitor_init(&mon, e, cap);
	single_stats_arg_t sa = {e, w, cap, &last_ts};
	while (!atomic_load(&e->stop)) {
		int r = setu_capture_next(cap, p, diag);
		if (r == SETU_EAGAIN) {
			struct timeval now;
			gettimeofday(&now, NULL);
			setu_worker_idle(w, &now); /* a quiet link: timeouts, reload */
			setu_eve_sink_flush_if(e->eve);
			setu_monitor_tick(&mon, true, single_stats, &sa);
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
		if (cap->stable) /* done with this packet's pages */
			setu_capture_release(cap, p->data);
		setu_monitor_tick(&mon, false, single_stats, &sa);
	}
	setu_monitor_done(&mon);
	setu_worker_finish(w);
	if (last_ts.tv_sec == 0)
		gettimeofday(&last_ts, NULL);
	setu_runmode_write_stats(e, &w, 1, cap, &last_ts);
	if (e->eve != NULL)
		setu_eve_sink_flush(e->eve);
	free(p);
	setu_worker_free(w);
	return rc;
}

/* ---- workers ---- */

/* A worker waiting on its ring does its idle work this often. */
#define SETU_WORKER_IDLE_MS 100u

typedef struct worker_thread {
	setu_worker_t *w;
	setu_ring_t *ring;
	bool live; /* packet time is wall time: idle ticks may run flow timeouts */
	pthread_t tid;
	struct timeval last_ts;
} worker_thread_t;

static void *worker_main(void *arg)
{
	worker_thread_t *wt = arg;
	setu_pkt_t pkt, *p = &pkt;
	/* written per packet: kept here, not in wt, whose neighbours in the array belong
	 * to the other workers (one shared cache line written by every worker per packet)
	 */
	struct timeval last_ts = {0, 0};
	const setu_ring_slot_t *s;
	bool idle;
	for (;;) {
		s = setu_ring_pop_wait(wt->ring, SETU_WORKER_IDLE_MS, &idle);
		if (s == NULL && !idle)
			break; /* closed and drained */
		if (s == NULL) {
			/* nothing for a while: move to new rules (so a reload can free
			 * the old ones), publish counters; live, also run flow timeouts
			 */
			struct timeval now;
			gettimeofday(&now, NULL);
			setu_worker_idle(wt->w, wt->live ? &now : NULL);
			continue;
		}
		setu_pkt_reset(p);
		p->data = s->data;
		p->len = s->len;
		p->wire_len = s->wire_len;
		p->ts = s->ts;
		p->pcap_cnt = s->pcap_cnt;
		p->linktype = s->linktype;
		last_ts = p->ts;
		setu_worker_packet(wt->w, p);
		setu_ring_release(wt->ring);
	}
	setu_worker_finish(wt->w);
	wt->last_ts = last_ts;
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

void setu_runmode_snapshot_stats(setu_engine_t *e, const setu_capture_t *cap,
                                 const struct timeval *ts)
{
	atomic_fetch_add_explicit(&e->stats_gen, 1, memory_order_relaxed);
	if (!stats_wanted(e))
		return;
	setu_stats_t st;
	setu_stats_init(&st);
	setu_engine_collect_snapshots(e, &st);
	emit_stats(e, &st, cap, ts);
	setu_stats_free(&st);
}

static void workers_stats(void *arg)
{
	workers_stats_arg_t *a = arg;
	setu_runmode_snapshot_stats(a->e, a->cap, &a->last->ts);
}

/* ---- workers walking a file read in place ---- */

/* A walker publishes its position (for the progress line, stats records and dropping
 * pages) every this many records. */
#define SETU_WALK_PUBLISH 64u
/* A walker that skips this many records in a row does its idle work (move to new
 * rules, so that a reload can free the old ones; publish counters). */
#define SETU_WALK_IDLE_SKIPS 256u
/* How far (file bytes) a walker may run ahead of the slowest one before it waits: the
 * pages in between stay resident (counted in RSS) until every walker is past them. Like
 * the reader's deep rings (~20 MB of file pages per worker), it lets a worker absorb a
 * long burst of the other's flows without idling. */
#define SETU_WALK_MAX_LEAD (32u << 20)
/* How far ahead of the fastest walker the monitor has the file's pages mapped
 * (setu_capture_ahead): a few polls' worth of reading, resident with the lead above. */
#define SETU_WALK_AHEAD (8u << 20)
/* The monitor (calling thread) wakes this often while the walkers run, and at once when
 * the last one finishes. */
#define SETU_WALK_POLL_MS 20

/* How the walkers tell the monitor they have finished: it waits on cv between its
 * rounds, so the run ends as soon as the last walker does, not at the next round. */
typedef struct walk_sync {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	unsigned finished; /* guarded by mu */
} walk_sync_t;

/* One worker thread walking the whole file. Its first line holds what it publishes to
 * the monitor; the struct is a multiple of a cache line, allocated aligned, so no two
 * walkers share a line. */
typedef struct walker {
	_Alignas(64) _Atomic uint64_t done_off; /* every record below is done with */
	_Atomic uint64_t done_packets, done_bytes;
	_Atomic int64_t ts_sec, ts_usec; /* the latest record's time */
	atomic_bool finished;            /* out of the loop and flows flushed */
	/* set before the thread starts */
	setu_engine_t *e;
	setu_capture_t *cap;
	setu_worker_t *w;
	struct walker *all; /* the n walkers, this one included */
	walk_sync_t *sync;
	unsigned id, n;
	pthread_t tid;
	/* read after the thread is joined */
	int rc;
	setu_diag_t diag;
	struct timeval last_ts; /* the latest packet it inspected */
} walker_t;

static void walker_publish(walker_t *wk, const setu_capture_cursor_t *cur,
                           const struct timeval *ts)
{
	atomic_store_explicit(&wk->done_packets, cur->packets, memory_order_relaxed);
	atomic_store_explicit(&wk->done_bytes, cur->bytes, memory_order_relaxed);
	atomic_store_explicit(&wk->ts_sec, (int64_t)ts->tv_sec, memory_order_relaxed);
	atomic_store_explicit(&wk->ts_usec, (int64_t)ts->tv_usec, memory_order_relaxed);
	atomic_store_explicit(&wk->done_off, cur->off, memory_order_release);
}

/* Wait while this walker, at `off`, is more than SETU_WALK_MAX_LEAD ahead of the slowest
 * other one (which never waits: it is behind no one), or until the run stops. */
static void walker_pace(walker_t *wk, uint64_t off)
{
	for (;;) {
		uint64_t slow = UINT64_MAX;
		for (unsigned i = 0; i < wk->n; i++) {
			uint64_t o = atomic_load_explicit(&wk->all[i].done_off,
			                                  memory_order_relaxed);
			if (i != wk->id && o < slow)
				slow = o;
		}
		if (slow == UINT64_MAX || off <= slow + SETU_WALK_MAX_LEAD ||
		    atomic_load_explicit(&wk->e->stop, memory_order_relaxed))
			return;
		setu_worker_idle(wk->w, NULL); /* a reload may be waiting for us */
		struct timespec nap = {0, 1000000L};
		nanosleep(&nap, NULL);
	}
}

/* Every walker reads every record header (so pcap_cnt stays the file's record number)
 * and hashes its IP pair with the function the reader thread uses to pick a ring: the
 * worker it names inspects the packet, the others go on. A frame without IP (or too
 * short to tell) hashes to 0: worker 0 alone inspects it, so its decode events and
 * counters count once. Nothing is copied and nothing crosses threads on the packet
 * path; a packet's bytes are done with once setu_worker_packet returns (as in single
 * mode), so the position published before the next record is below all that is in use.
 */
static void *walker_main(void *arg)
{
	walker_t *wk = arg;
	setu_engine_t *e = wk->e;
	const setu_capture_t *cap = wk->cap;
	setu_capture_cursor_t cur;
	setu_capture_rec_t rec = {0};
	struct timeval rec_ts = {0, 0}, last_ts = {0, 0};
	setu_capture_walk_start(cap, &cur);
	setu_pkt_t *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		wk->rc = setu_diag_set(&wk->diag, SETU_ENOMEM, "out of memory");
		setu_engine_stop(e); /* the file would be inspected in part */
	}
	unsigned since_publish = 0, skipped = 0;
	while (p != NULL && !atomic_load_explicit(&e->stop, memory_order_relaxed)) {
		if (++since_publish == SETU_WALK_PUBLISH) {
			since_publish = 0;
			walker_publish(wk, &cur, &rec_ts);
			walker_pace(wk, cur.off);
		}
		int r = setu_capture_walk(cap, &cur, &rec, &wk->diag);
		if (r <= 0) {
			wk->rc = r; /* every walker stops at the same record */
			break;
		}
		rec_ts = rec.ts;
		if (wk->n > 1 &&
		    setu_ippair_hash(cap->linktype, rec.data, rec.len) % wk->n !=
		        wk->id) {
			if (++skipped == SETU_WALK_IDLE_SKIPS) {
				skipped = 0;
				setu_worker_idle(wk->w, NULL);
			}
			continue;
		}
		skipped = 0;
		setu_pkt_reset(p);
		setu_capture_rec_to_pkt(cap, &rec, p);
		last_ts = p->ts;
		setu_worker_packet(wk->w, p);
	}
	walker_publish(wk, &cur, &rec_ts);
	setu_worker_finish(wk->w);
	free(p);
	wk->last_ts = last_ts;
	atomic_store_explicit(&wk->finished, true, memory_order_release);
	pthread_mutex_lock(&wk->sync->mu);
	wk->sync->finished++;
	pthread_cond_signal(&wk->sync->cv);
	pthread_mutex_unlock(&wk->sync->mu);
	return NULL;
}

typedef struct walk_stats_arg {
	setu_engine_t *e;
	const setu_capture_t *cap;
	struct timeval ts; /* the slowest walker's latest record */
} walk_stats_arg_t;

static void walk_stats(void *arg)
{
	walk_stats_arg_t *a = arg;
	setu_runmode_snapshot_stats(a->e, a->cap, &a->ts);
}

/* The monitor's view of the walkers: the slowest one's position (told to the capture:
 * its stats, hence the progress line, and the pages every walker is past) and whether
 * all have finished. */
static bool walkers_poll(walker_t *wk, unsigned n, setu_capture_t *cap,
                         walk_stats_arg_t *sa)
{
	bool all_done = true;
	unsigned slow = 0;
	uint64_t min = UINT64_MAX, max = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!atomic_load_explicit(&wk[i].finished, memory_order_acquire))
			all_done = false;
		uint64_t off =
		    atomic_load_explicit(&wk[i].done_off, memory_order_acquire);
		if (off < min) {
			min = off;
			slow = i;
		}
		if (off > max)
			max = off;
	}
	if (!all_done)
		setu_capture_ahead(cap, max + SETU_WALK_AHEAD);
	setu_capture_cursor_t done = {
	    .off = min,
	    .packets = atomic_load_explicit(&wk[slow].done_packets, memory_order_relaxed),
	    .bytes = atomic_load_explicit(&wk[slow].done_bytes, memory_order_relaxed),
	};
	if (done.off > 0)
		setu_capture_walked(cap, &done);
	sa->ts.tv_sec =
	    (time_t)atomic_load_explicit(&wk[slow].ts_sec, memory_order_relaxed);
	sa->ts.tv_usec =
	    (suseconds_t)atomic_load_explicit(&wk[slow].ts_usec, memory_order_relaxed);
	return all_done;
}

/* Workers mode on a file read in place: no reader thread; the calling thread only
 * watches (progress, stats records, EVE flushes, dropping pages). */
static int run_walkers(setu_engine_t *e, setu_capture_t *cap, unsigned n,
                       setu_diag_t *diag)
{
	walker_t *wk = aligned_alloc(64, (size_t)n * sizeof(*wk));
	setu_worker_t **ws = calloc(n, sizeof(*ws));
	walk_sync_t sync = {.finished = 0};
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&sync.mu, NULL);
	pthread_cond_init(&sync.cv, &ca);
	pthread_condattr_destroy(&ca);
	int rc = 0;
	unsigned started = 0;
	if (wk == NULL || ws == NULL) {
		rc = setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		goto out;
	}
	memset(wk, 0, (size_t)n * sizeof(*wk));
	for (unsigned i = 0; i < n; i++) {
		atomic_init(&wk[i].done_off, 0);
		atomic_init(&wk[i].finished, false);
		wk[i].e = e;
		wk[i].cap = cap;
		wk[i].all = wk;
		wk[i].sync = &sync;
		wk[i].id = i;
		wk[i].n = n;
		wk[i].w = ws[i] = setu_worker_new(e, i);
		if (wk[i].w == NULL) {
			rc = setu_diag_set(diag, SETU_ENOMEM,
			                   "out of memory creating worker %u", i);
			goto out;
		}
	}
	for (; started < n; started++) {
		if (pthread_create(&wk[started].tid, NULL, walker_main, &wk[started]) !=
		    0) {
			rc = setu_diag_set(diag, SETU_ENOMEM,
			                   "cannot start worker thread %u", started);
			setu_engine_stop(e);
			break;
		}
		char name[16]; /* as the other run modes: W#01 ... */
		snprintf(name, sizeof(name), "W#%02u", started + 1);
		pthread_setname_np(wk[started].tid, name);
	}
	if (started == n) {
		setu_monitor_t mon;
		setu_monitor_init(&mon, e, cap);
		walk_stats_arg_t sa = {e, cap, {0, 0}};
		while (!walkers_poll(wk, n, cap, &sa)) {
			struct timespec until;
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_nsec += SETU_WALK_POLL_MS * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_mutex_lock(&sync.mu);
			while (sync.finished < n &&
			       pthread_cond_timedwait(&sync.cv, &sync.mu, &until) == 0)
				;
			pthread_mutex_unlock(&sync.mu);
			setu_eve_sink_flush_if(e->eve);
			setu_monitor_tick(&mon, true, walk_stats, &sa);
		}
		setu_monitor_done(&mon);
	}
out:;
	struct timeval last = {0, 0};
	for (unsigned i = 0; i < started; i++) {
		pthread_join(wk[i].tid, NULL);
		if (rc == 0 && wk[i].rc < 0) {
			if (diag != NULL)
				*diag = wk[i].diag;
			rc = wk[i].rc;
		}
		if (timercmp(&wk[i].last_ts, &last, >))
			last = wk[i].last_ts;
	}
	if (started == n && wk != NULL) {
		if (last.tv_sec == 0)
			gettimeofday(&last, NULL);
		setu_runmode_write_stats(e, ws, n, cap, &last);
	}
	if (e->eve != NULL)
		setu_eve_sink_flush(e->eve);
	for (unsigned i = 0; wk != NULL && ws != NULL && i < n; i++)
		setu_worker_free(ws[i]);
	free(wk);
	free(ws);
	pthread_cond_destroy(&sync.cv);
	pthread_mutex_destroy(&sync.mu);
	return rc;
}

static int run_workers(setu_engine_t *e, setu_capture_t *cap, setu_diag_t *diag)
{
	unsigned n = e->cfg.threads;
	if (n == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (unsigned)c : 1;
	}
	/* a file read in place: every worker walks it, no reader thread */
	if (setu_capture_walkable(cap) && !cap->live)
		return run_walkers(e, cap, n, diag);
	worker_thread_t *wt = calloc(n, sizeof(*wt));
	setu_worker_t **ws = calloc(n, sizeof(*ws));
	setu_pkt_t *p = calloc(1, sizeof(*p));
	int rc = 0;
	unsigned started = 0;
	setu_monitor_t mon;
	if (wt == NULL || ws == NULL || p == NULL) {
		rc = setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		wt[i].w = ws[i] = setu_worker_new(e, i);
		wt[i].live = cap->live;
		wt[i].ring =
		    setu_ring_new(cap->stable ? SETU_RING_SLOTS_BORROW : SETU_RING_SLOTS);
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
		char name[16]; /* as Suricata names its workers: per-thread CPU in top/ps
		                */
		snprintf(name, sizeof(name), "W#%02u", started + 1);
		pthread_setname_np(wt[started].tid, name);
	}
	setu_monitor_init(&mon, e, cap);
	workers_stats_arg_t wsa = {e, cap, p};
	/* a stable capture that cannot be walked goes to the workers by reference (no
	 * copy); its pages are dropped once no worker can still read them */
	const bool borrow = cap->stable;
	unsigned since_release = 0;
	while (rc == 0 && !atomic_load(&e->stop)) {
		int r = setu_capture_next(cap, p, diag);
		if (r == SETU_EAGAIN) {
			for (unsigned i = 0; i < n; i++)
				setu_ring_flush(wt[i].ring);
			setu_eve_sink_flush_if(e->eve);
			setu_monitor_tick(&mon, true, workers_stats, &wsa);
			continue;
		}
		if (r == 0)
			break;
		if (r < 0) {
			rc = r;
			break;
		}
		unsigned idx = setu_ippair_hash(p->linktype, p->data, p->len) % n;
		if (setu_ring_push_wait(wt[idx].ring, p, borrow) != 0) {
			rc = setu_diag_set(diag, SETU_ENOMEM,
			                   "out of memory queueing a packet");
			break;
		}
		if (cap->live)
			setu_ring_flush(wt[idx].ring); /* no batching: next may be late */
		if (borrow && ++since_release == 1024) {
			since_release = 0;
			const uint8_t *oldest = NULL;
			for (unsigned i = 0; i < n; i++) {
				const uint8_t *o = setu_ring_oldest(wt[i].ring);
				if (o != NULL && (oldest == NULL || o < oldest))
					oldest = o;
			}
			if (oldest != NULL)
				setu_capture_release(cap, oldest);
		}
		setu_monitor_tick(&mon, false, workers_stats, &wsa);
	}
	/* the input is read; the workers still have what their rings hold (up to
	 * SETU_RING_SLOTS_BORROW packets each): keep the progress line and the stats
	 * records going until they are through */
	for (unsigned i = 0; i < started; i++)
		setu_ring_close(wt[i].ring);
	for (bool busy = true; busy && started == n;) {
		busy = false;
		for (unsigned i = 0; i < n && !busy; i++)
			busy = setu_ring_oldest(wt[i].ring) != NULL;
		if (busy) {
			struct timespec nap = {0, 20 * 1000000L};
			nanosleep(&nap, NULL);
			setu_monitor_tick(&mon, true, workers_stats, &wsa);
		}
	}
	setu_monitor_done(&mon);
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
			setu_runmode_write_stats(e, ws, n, cap, &last);
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
	int rc;
	if (setu_capture_afp_count(cap) > 0) /* AF_PACKET: workers read their sockets */
		rc = setu_run_afp(e, cap, diag);
	else if (e->cfg.runmode == SETU_RUNMODE_WORKERS)
		rc = run_workers(e, cap, diag);
	else
		rc = run_single(e, cap, diag);
	atomic_store(&e->running, NULL);
	return rc;
}
