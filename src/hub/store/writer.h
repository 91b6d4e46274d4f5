/* writer.h — group commit for the hub's writes: concurrent Add Objects requests are
 * written in one SQLite transaction and made durable by one fsync, and each request is
 * answered only after that commit (leader/follower, no extra thread). */
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
	size_t n;
	/* Called inside the transaction once the items are written (the status resource).
	 */
	int (*finish)(struct setu_write_job *job, setu_store_t *s);
	void *user;
	/* private */
	int rc;
	bool done;
	struct setu_write_job *next;
} setu_write_job_t;

typedef struct setu_writer setu_writer_t;

setu_writer_t *setu_writer_new(void);
void setu_writer_free(setu_writer_t *w);

/* Write the job (with whatever other jobs are waiting) through store s, which must be the
 * caller's own connection. Returns 0 once the job is durable, or a negative SETU_E* code
 * with nothing of the job stored. w may be NULL: the job is written alone. */
int setu_writer_run(setu_writer_t *w, setu_store_t *s, setu_write_job_t *job);

/* Counters for tests and benchmarks. */
void setu_writer_stats(setu_writer_t *w, uint64_t *groups, uint64_t *jobs);

#endif
