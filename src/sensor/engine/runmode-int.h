/* runmode-int.h — what the run modes (runmode.c, runmode-afp.c) share: the periodic
 * monitor (progress line, stats records), stats emission, and the worker's hooks for
 * live capture (idle ticks, checksums the kernel left to the NIC). engine/ only. */
#ifndef SETU_RUNMODE_INT_H
#define SETU_RUNMODE_INT_H

#include "engine-int.h"

#include <stdbool.h>
#include <sys/time.h>
#include <time.h>

/* The periodic work of the thread that drives a run (reader or, with AF_PACKET, the
 * thread that waits for the workers). */
typedef struct setu_monitor {
	setu_engine_t *e;
	const setu_capture_t *cap;
	bool progress; /* stderr is a terminal and the input is a file */
	struct timespec start, last_progress, last_stats;
	unsigned tick;
} setu_monitor_t;

void setu_monitor_init(setu_monitor_t *m, setu_engine_t *e, const setu_capture_t *cap);
/* Cheap unless a second has passed (or idle); `stats` writes a stats record. */
void setu_monitor_tick(setu_monitor_t *m, bool idle, void (*stats)(void *), void *arg);
void setu_monitor_done(setu_monitor_t *m);

/* A stats record of the workers' counters read directly (their threads have stopped, or
 * it is the caller's own worker), plus the capture's counters. */
void setu_runmode_write_stats(setu_engine_t *e, setu_worker_t *const *w, unsigned n,
                              const setu_capture_t *cap, const struct timeval *ts);
/* A stats record from the latest snapshots the running workers published (asks them for
 * new ones; a record is at most one interval behind). */
void setu_runmode_snapshot_stats(setu_engine_t *e, const setu_capture_t *cap,
                                 const struct timeval *ts);

/* The AF_PACKET run mode: one worker thread per socket of the fanout group, each reading
 * its own ring (runmode-afp.c). */
int setu_run_afp(setu_engine_t *e, setu_capture_t *cap, setu_diag_t *diag);

/* worker.c: the spine for a packet whose TCP/UDP checksum the sending host left to the
 * NIC (live capture of local traffic), so a bad checksum on it is not an anomaly. */
void setu_worker_packet_csum(setu_worker_t *w, setu_pkt_t *p, bool l4_csum_unverified);
/* worker.c: no packet for a while: move to new rules, publish counters, and (live
 * capture, `now` not NULL) run flow timeouts on wall-clock time `now`. */
void setu_worker_idle(setu_worker_t *w, const struct timeval *now);

#endif
