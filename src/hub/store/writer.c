/* writer.c — group commit (see writer.h): one writer thread takes every queued job,
 * writes their items in one transaction on its own connection as the requests make them
 * ready, commits once (durable: WAL + synchronous=FULL), wakes the requests, and only
 * then checkpoints the WAL. A failed group is retried job by job, so one bad request
 * cannot fail its neighbours. */
#include "hub/store/writer.h"

#include "common/limits.h"
#include "hub/auth/acl.h"
#include "hub/auth/marking.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct setu_writer {
	pthread_mutex_t mu;
	pthread_cond_t
	    work; /* to the writer thread: a job was queued or made items ready */
	pthread_cond_t done;           /* to the requests: a group finished */
	setu_write_job_t *head, *tail; /* queued, not yet taken */
	setu_store_t *s;               /* the writer thread's own connection (owned) */
	pthread_t thread;
	bool started; /* the thread runs */
	bool local;   /* no thread could be started: jobs are written by their caller */
	bool stop;
	uint64_t groups, jobs;
};

/* write_group's outcome when a job of the group was abandoned by its caller (positive:
 * never a SETU_E* code, never returned to a caller). */
enum { ABANDONED = 1 };

static int abort_of(setu_writer_t *w, const setu_write_job_t *j)
{
	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->mu);
	int rc = j->abort_rc;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

setu_writer_t *setu_writer_new(void)
{
	setu_writer_t *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	return w;
}

void setu_writer_free(setu_writer_t *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->mu);
	if (w->started)
		pthread_join(w->thread, NULL);
	setu_store_close(w->s);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	free(w);
}

/* Write one item (inside the open transaction). Returns 0 (the item's own outcome is in
 * it->rc) or the store's failure, which abandons the transaction. */
static int write_item(setu_store_t *s, const setu_write_job_t *job, setu_write_item_t *it)
{
	setu_diag_t d = {0};
	int rc = s->ops->object_put(s, job->collection_id, job->org_id, job->member_id,
	                            &it->so, &d);
	if (rc == 0 && !it->so.existed)
		rc = setu_hub_marking_spread(s, job->collection_id, it->so.stix_id,
		                             it->so.tlp, it->so.recipients);
	if (rc == 0 && !it->so.existed) {
		setu_audit_t a = {.member_id = job->member_id,
		                  .org_id = job->org_id,
		                  .action = "add",
		                  .collection_id = job->collection_id,
		                  .object_id = it->so.stix_id,
		                  .version = it->so.version_text,
		                  .detail = setu_acl_tlp_name(it->so.tlp)};
		rc = s->ops->audit_add(s, &a);
	}
	if (rc == SETU_EPERM || rc == SETU_EINVAL) {
		it->rc = rc;
		memcpy(it->msg, d.msg, sizeof(it->msg));
		return 0;
	}
	if (rc == 0)
		it->rc = 0;
	return rc;
}

/* Under w->mu: move queued jobs into the group while it stays within
 * SETU_HUB_WRITER_GROUP_MAX_OBJECTS, so that requests arriving while the group waits for
 * items share its commit. Returns whether any was taken. */
static bool admit_locked(setu_writer_t *w, setu_write_job_t *list, size_t *objects)
{
	setu_write_job_t *tail = list;
	while (tail->next != NULL)
		tail = tail->next;
	bool any = false;
	while (w->head != NULL &&
	       *objects + w->head->n <= SETU_HUB_WRITER_GROUP_MAX_OBJECTS) {
		setu_write_job_t *j = w->head;
		w->head = j->next;
		if (w->head == NULL)
			w->tail = NULL;
		j->next = NULL;
		j->written = 0;
		tail->next = j;
		tail = j;
		*objects += j->n;
		any = true;
	}
	return any;
}

/* Write the items of `list` that are ready, waiting (on w, when there is one) for the
 * others until every job is complete; then the status of each job. One transaction,
 * committed when everything succeeded. While it waits, queued jobs join the group when
 * `admit` (never on a retry: run_group owns the list then). Returns the group's outcome;
 * a job that its caller abandoned fails the group with ABANDONED (run_group retries the
 * others without it). */
static int write_group(setu_writer_t *w, setu_store_t *s, setu_write_job_t *list,
                       bool admit)
{
	int rc = s->ops->begin_write(s);
	size_t objects = 0;
	for (setu_write_job_t *j = list; j != NULL; j = j->next) {
		j->written = 0;
		objects += j->n;
	}
	while (rc == 0) {
		bool complete = true, progress = false;
		for (setu_write_job_t *j = list; rc == 0 && j != NULL; j = j->next) {
			size_t ready = j->n;
			if (w != NULL) {
				pthread_mutex_lock(&w->mu);
				ready = j->ready;
				if (j->abort_rc != 0)
					rc = ABANDONED;
				pthread_mutex_unlock(&w->mu);
			}
			for (; rc == 0 && j->written < ready; j->written++) {
				setu_write_item_t *it = &j->items[j->written];
				if (it->write)
					rc = write_item(s, j, it);
				progress = true;
			}
			if (j->written < j->n)
				complete = false;
		}
		if (rc != 0 || complete)
			break;
		if (!progress && w != NULL) {
			/* Nothing ready: wait for a request to hand over more, or for a
			 * new one to join. */
			pthread_mutex_lock(&w->mu);
			bool more = false;
			while (!more) {
				for (setu_write_job_t *j = list; j != NULL; j = j->next)
					if (j->ready > j->written || j->abort_rc != 0)
						more = true;
				if (admit && admit_locked(w, list, &objects))
					more = true;
				if (!more)
					pthread_cond_wait(&w->work, &w->mu);
			}
			pthread_mutex_unlock(&w->mu);
		}
	}
	for (setu_write_job_t *j = list; rc == 0 && j != NULL; j = j->next)
		if (j->finish != NULL)
			rc = j->finish(j, s);
	for (setu_write_job_t *j = list; rc == 0 && j != NULL; j = j->next)
		if (abort_of(w, j) != 0)
			rc = ABANDONED;
	if (rc == 0)
		rc = s->ops->commit(s);
	if (rc != 0)
		s->ops->rollback(s);
	return rc;
}

/* Write the list; on failure, each job again alone so that the failure lands only on the
 * job that causes it. Sets every job's rc. */
static void run_group(setu_writer_t *w, setu_store_t *s, setu_write_job_t *list)
{
	int rc = write_group(w, s, list, true);
	if (rc == 0 || (list->next == NULL && rc != ABANDONED)) {
		for (setu_write_job_t *j = list; j != NULL; j = j->next)
			j->rc = rc;
		return;
	}
	for (setu_write_job_t *j = list; j != NULL; j = j->next) {
		setu_write_job_t *next = j->next;
		j->next = NULL;
		j->rc = abort_of(w, j) != 0 ? ABANDONED : write_group(w, s, j, false);
		if (j->rc == ABANDONED) /* its caller gave up: it returns its own code */
			j->rc = abort_of(w, j);
		j->next = next;
	}
}

static void *writer_main(void *arg)
{
	setu_writer_t *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stop && w->head == NULL)
			pthread_cond_wait(&w->work, &w->mu);
		if (w->head == NULL)
			break; /* stopping, and nothing left */
		setu_write_job_t *list = w->head;
		w->head = w->tail = NULL;
		pthread_mutex_unlock(&w->mu);
		run_group(w, w->s, list);
		pthread_mutex_lock(&w->mu);
		size_t n = 0;
		for (setu_write_job_t *j = list, *next; j != NULL; j = next) {
			next = j->next;
			j->done =
			    true; /* after this, j belongs to its waiting thread again */
			n++;
		}
		w->groups++;
		w->jobs += n;
		pthread_cond_broadcast(&w->done);
		pthread_mutex_unlock(&w->mu);
		/* The answers are on their way: now copy the WAL into the database. */
		if (w->s->ops->checkpoint != NULL)
			(void)w->s->ops->checkpoint(w->s);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Under w->mu: start the thread on a connection of its own, once. */
static void start_locked(setu_writer_t *w, setu_store_t *s)
{
	if (w->started || w->local)
		return;
	setu_diag_t d = {0};
	if (s->ops->reopen == NULL || s->ops->reopen(s, &w->s, &d) != 0) {
		w->local = true;
		return;
	}
	if (w->s->ops->writer_mode != NULL)
		(void)w->s->ops->writer_mode(w->s);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		setu_store_close(w->s);
		w->s = NULL;
		w->local = true;
		return;
	}
	w->started = true;
}

void setu_writer_begin(setu_writer_t *w, setu_store_t *s, setu_write_job_t *job)
{
	job->next = NULL;
	job->done = false;
	job->rc = 0;
	job->ready = 0;
	job->written = 0;
	job->abort_rc = 0;
	job->local = s;
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	start_locked(w, s);
	if (w->started) {
		job->local = NULL;
		if (w->tail != NULL)
			w->tail->next = job;
		else
			w->head = job;
		w->tail = job;
		pthread_cond_signal(&w->work);
	}
	pthread_mutex_unlock(&w->mu);
}

void setu_writer_ready(setu_writer_t *w, setu_write_job_t *job, size_t ready)
{
	if (w == NULL || job->local != NULL) {
		job->ready = ready;
		return;
	}
	pthread_mutex_lock(&w->mu);
	job->ready = ready;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
}

int setu_writer_end(setu_writer_t *w, setu_write_job_t *job, int abort_rc)
{
	if (job->local != NULL) {
		if (abort_rc != 0)
			return abort_rc; /* nothing was written */
		job->ready = job->n;
		run_group(NULL, job->local, job);
		if (w != NULL) {
			pthread_mutex_lock(&w->mu);
			w->groups++;
			w->jobs++;
			pthread_mutex_unlock(&w->mu);
		}
		return job->rc;
	}
	pthread_mutex_lock(&w->mu);
	if (abort_rc != 0) {
		job->abort_rc = abort_rc;
		pthread_cond_signal(&w->work);
	}
	while (!job->done)
		pthread_cond_wait(&w->done, &w->mu);
	int rc = job->rc;
	pthread_mutex_unlock(&w->mu);
	return abort_rc != 0 ? abort_rc : rc;
}

int setu_writer_run(setu_writer_t *w, setu_store_t *s, setu_write_job_t *job)
{
	setu_writer_begin(w, s, job);
	setu_writer_ready(w, job, job->n);
	return setu_writer_end(w, job, 0);
}

void setu_writer_stats(setu_writer_t *w, uint64_t *groups, uint64_t *jobs)
{
	pthread_mutex_lock(&w->mu);
	*groups = w->groups;
	*jobs = w->jobs;
	pthread_mutex_unlock(&w->mu);
}
