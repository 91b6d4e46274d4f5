/* writer.c — group commit (see writer.h): the first request to find the writer idle
 * becomes the leader, takes every queued job, writes them in one transaction on its own
 * connection and commits once; the others wait for the commit. A failed group is retried
 * job by job, so one bad request cannot fail its neighbours. */
#include "hub/store/writer.h"

#include "hub/auth/acl.h"
#include "hub/auth/marking.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct setu_writer {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	setu_write_job_t *head, *tail; /* queued, not yet taken */
	bool busy;
	uint64_t groups, jobs;
};

setu_writer_t *setu_writer_new(void)
{
	setu_writer_t *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	return w;
}

void setu_writer_free(setu_writer_t *w)
{
	if (w == NULL)
		return;
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

/* Write one job's items (inside an open transaction). */
static int write_job(setu_store_t *s, setu_write_job_t *job)
{
	for (size_t i = 0; i < job->n; i++) {
		setu_write_item_t *it = &job->items[i];
		if (!it->write)
			continue;
		setu_diag_t d = {0};
		int rc = s->ops->object_put(s, job->collection_id, job->org_id,
		                            job->member_id, &it->so, &d);
		if (rc == 0 && !it->so.existed)
			rc =
			    setu_hub_marking_spread(s, job->collection_id, it->so.stix_id,
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
			continue;
		}
		if (rc != 0)
			return rc; /* the store failed: the transaction is abandoned */
		it->rc = 0;
	}
	return job->finish != NULL ? job->finish(job, s) : 0;
}

/* One transaction for the list; returns its outcome. */
static int write_group(setu_store_t *s, setu_write_job_t *list)
{
	int rc = s->ops->begin_write(s);
	for (setu_write_job_t *j = list; rc == 0 && j != NULL; j = j->next)
		rc = write_job(s, j);
	if (rc == 0)
		rc = s->ops->commit(s);
	if (rc != 0)
		s->ops->rollback(s);
	return rc;
}

static void run_group(setu_store_t *s, setu_write_job_t *list)
{
	int rc = write_group(s, list);
	if (rc != 0 && list->next != NULL) {
		/* Retry alone, so that the failure lands only on the job that causes it.
		 */
		for (setu_write_job_t *j = list; j != NULL; j = j->next) {
			setu_write_job_t *next = j->next;
			j->next = NULL;
			j->rc = write_group(s, j);
			j->next = next;
		}
		return;
	}
	for (setu_write_job_t *j = list; j != NULL; j = j->next)
		j->rc = rc;
}

int setu_writer_run(setu_writer_t *w, setu_store_t *s, setu_write_job_t *job)
{
	job->next = NULL;
	job->done = false;
	job->rc = 0;
	if (w == NULL) {
		run_group(s, job);
		return job->rc;
	}
	pthread_mutex_lock(&w->mu);
	if (w->tail != NULL)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	while (!job->done) {
		if (w->busy) {
			pthread_cond_wait(&w->cv, &w->mu);
			continue;
		}
		/* Lead: take the queue (it holds this job, which is not done yet). */
		setu_write_job_t *list = w->head;
		w->head = w->tail = NULL;
		w->busy = true;
		pthread_mutex_unlock(&w->mu);
		run_group(s, list);
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
		w->busy = false;
		pthread_cond_broadcast(&w->cv);
	}
	int rc = job->rc;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

void setu_writer_stats(setu_writer_t *w, uint64_t *groups, uint64_t *jobs)
{
	pthread_mutex_lock(&w->mu);
	*groups = w->groups;
	*jobs = w->jobs;
	pthread_mutex_unlock(&w->mu);
}
