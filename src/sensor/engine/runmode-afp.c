/* runmode-afp.c — the AF_PACKET run mode (Suricata's "workers" over af-packet): one
 * worker thread per socket of a PACKET_FANOUT group, each reading its own TPACKET_V3 ring
 * and running the whole packet path on it. There is no reader thread and no copy: the
 * kernel's fanout hash is the load balancer (symmetric, see capture-afp.c). The calling
 * thread only waits: it flushes EVE output and writes periodic stats records. */
#include "runmode-int.h"

#include "sensor/capture/capture-afp.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct afp_thread {
	setu_engine_t *e;     /* borrowed */
	setu_worker_t *w;     /* owned */
	setu_capture_t *sock; /* borrowed from the group */
	pthread_t tid;
	int rc; /* its capture error, 0 if none */
	setu_diag_t diag;
} afp_thread_t;

static void *afp_worker_main(void *arg)
{
	afp_thread_t *t = arg;
	setu_pkt_t *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		t->rc = setu_diag_set(&t->diag, SETU_ENOMEM, "out of memory");
		setu_engine_stop(t->e);
		return NULL;
	}
	while (!atomic_load_explicit(&t->e->stop, memory_order_relaxed)) {
		int r = setu_capture_next(t->sock, p, &t->diag);
		if (r == 1) {
			setu_worker_packet_csum(
			    t->w, p, setu_capture_afp_csum_unverified(t->sock));
			continue;
		}
		if (r == SETU_EAGAIN) { /* a quiet link: timeouts run on the wall clock */
			struct timeval now;
			gettimeofday(&now, NULL);
			setu_worker_idle(t->w, &now);
			continue;
		}
		if (r < 0) {
			t->rc = r;
			setu_engine_stop(t->e); /* the others stop too */
		}
		break;
	}
	setu_worker_finish(t->w);
	free(p);
	return NULL;
}

typedef struct afp_stats_arg {
	setu_engine_t *e;
	const setu_capture_t *cap;
} afp_stats_arg_t;

static void afp_stats(void *arg)
{
	afp_stats_arg_t *a = arg;
	struct timeval now;
	gettimeofday(&now, NULL);
	setu_runmode_snapshot_stats(a->e, a->cap, &now);
}

int setu_run_afp(setu_engine_t *e, setu_capture_t *cap, setu_diag_t *diag)
{
	unsigned n = setu_capture_afp_count(cap);
	afp_thread_t *t = calloc(n, sizeof(*t));
	setu_worker_t **ws = calloc(n, sizeof(*ws));
	int rc = 0;
	unsigned started = 0;
	if (t == NULL || ws == NULL) {
		rc = setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		t[i].e = e;
		t[i].sock = setu_capture_afp_socket(cap, i);
		t[i].w = ws[i] = setu_worker_new(e, i);
		if (t[i].w == NULL) {
			rc = setu_diag_set(diag, SETU_ENOMEM,
			                   "out of memory creating worker %u", i);
			goto out;
		}
	}
	for (; started < n; started++) {
		if (pthread_create(&t[started].tid, NULL, afp_worker_main, &t[started]) !=
		    0) {
			rc = setu_diag_set(diag, SETU_ENOMEM,
			                   "cannot start worker thread %u", started);
			setu_engine_stop(e);
			break;
		}
		char name[16]; /* as Suricata names its workers: per-thread CPU in top/ps
		                */
		snprintf(name, sizeof(name), "W#%02u", started + 1);
		pthread_setname_np(t[started].tid, name);
	}
	setu_monitor_t mon;
	setu_monitor_init(&mon, e, cap);
	afp_stats_arg_t sa = {e, cap};
	while (!atomic_load(&e->stop)) {
		struct timespec nap = {0, SETU_AFP_IDLE_POLL_MS * 1000000L};
		nanosleep(&nap, NULL);
		setu_eve_sink_flush_if(e->eve);
		setu_monitor_tick(&mon, true, afp_stats, &sa);
	}
	setu_monitor_done(&mon);
out:
	for (unsigned i = 0; i < started; i++) {
		pthread_join(t[i].tid, NULL);
		if (rc == 0 && t[i].rc != 0) {
			if (diag != NULL)
				*diag = t[i].diag;
			rc = t[i].rc;
		}
	}
	if (t != NULL && started == n) {
		struct timeval now;
		gettimeofday(&now, NULL);
		setu_runmode_write_stats(e, ws, n, cap, &now);
	}
	if (e->eve != NULL)
		setu_eve_sink_flush(e->eve);
	for (unsigned i = 0; t != NULL && i < n; i++)
		setu_worker_free(t[i].w);
	free(t);
	free(ws);
	return rc;
}
