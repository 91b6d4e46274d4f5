/* writer.h — group commit for the hub's writes: one writer thread, on its own SQLite
 * connection, writes the Add Objects requests (and audited reads) of every HTTP thread in
 * one transaction and makes them durable with one fsync (WAL, synchronous=FULL); each
 * request is answered only after that commit. A request hands its objects over while it
 * is still parsing and validating the rest of its envelope (streaming), so the writer's
 * inserts overlap the request's own work, and the WAL checkpoint runs after the answers
 * have left. */
#ifndef SETU_HUB_STORE_WRITER_H
#define SETU_HUB_STORE_WRITER_H

#include "hub/store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct setu_write_item {
	setu_store_obj_t so; /* what to store; so.body owned by the caller */
	const char *id;      /* for the status resource (borrowed) */
	const char *version; /* borrowed; may be NULL */
	bool write;          /* false: failed before the store (rc and msg already set) */
	int rc;              /* out: 0, or SETU_EPERM / SETU_EINVAL for this object */
	char msg[SETU_DIAG_MSG_MAX];
} setu_write_item_t;

typedef struct setu_write_job {
	int64_t collection_id;
	int64_t org_id;    /* producer */
	int64_t member_id; /* producer */
	setu_write_item_t *items;
	size_t n; /* items the job will have (all of them must be made ready) */
	/* Called inside the transaction once the items are written (the status resource).
	 * May run more than once (a failed group is retried job by job). */
	int (*finish)(struct setu_write_job *job, setu_store_t *s);
	void *user;
	/* private (writer.c) */
	size_t ready;   /* items[0, ready) are final: the writer may write them */
	size_t written; /* items the writer has written in the current attempt */
	int abort_rc;   /* non-zero: the caller gave up; nothing of the job is stored */
	setu_store_t *local; /* non-NULL: written by the caller on this connection */
	int rc;
	bool done;
	struct setu_write_job *next;
} setu_write_job_t;

typedef struct setu_writer setu_writer_t;

setu_writer_t *setu_writer_new(void);
/* Stops the writer thread (after the jobs it holds) and closes its connection. */
void setu_writer_free(setu_writer_t *w);

/* Streaming use, by the thread that owns the job:
 *   setu_writer_begin(w, s, job);       job->items has room for job->n items
 *   fill items[0..k) ... setu_writer_ready(w, job, k);   (k grows up to job->n)
 *   rc = setu_writer_end(w, job, 0);     returns once the job is durable (0) or failed
 * The items given as ready must not change until setu_writer_end returns. To give up
 * (e.g. out of memory while preparing items) before all n items are ready, call
 * setu_writer_end(w, job, rc) with a negative rc: nothing of the job is stored, the other
 * jobs of its group are retried without it, and rc is returned. Every begin needs its
 * end: the writer waits for the job's items. s is the caller's connection: the writer
 * thread opens its own connection to the same database the first time (s->ops->reopen);
 * when that is not possible (an in-memory database) or w is NULL, the job is written on s
 * by the calling thread inside setu_writer_end. */
void setu_writer_begin(setu_writer_t *w, setu_store_t *s, setu_write_job_t *job);
void setu_writer_ready(setu_writer_t *w, setu_write_job_t *job, size_t ready);
int setu_writer_end(setu_writer_t *w, setu_write_job_t *job, int abort_rc);

/* All at once: begin + ready(n) + end. Returns 0 once the job is durable, or a negative
 * SETU_E* code with nothing of the job stored. */
int setu_writer_run(setu_writer_t *w, setu_store_t *s, setu_write_job_t *job);

/* Counters for tests and benchmarks: durable commits, and jobs they carried. */
void setu_writer_stats(setu_writer_t *w, uint64_t *groups, uint64_t *jobs);

#endif
