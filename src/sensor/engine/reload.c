/* reload.c — live rule reload and cross-thread counter snapshots.
 *
 * Reload: the reloader builds a new rule set beside the one in force and publishes it
 * with one atomic store. Each worker, between two packets, sees the new pointer, makes
 * its per-thread detect context for it and publishes which set it uses. The old set goes
 * on a retired list and is freed by the reloader (on this or a later call to reload/reap)
 * once no worker uses it any more. No packet waits: capture and inspection go on with
 * the old rules until each worker switches. Peak memory is one extra rule set (plus its
 * build's temporaries) for as long as the slowest worker takes to reach its next packet,
 * or its next idle tick (100 ms) when it has no traffic; the freed set's pages are then
 * given back (malloc_trim), so RSS returns to its steady level after each reload
 * (bench/reload.sh measures it).
 */
#include "engine-int.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void report_to_stderr(void *user, const setu_detect_problem_t *pb)
{
	(void)user;
	char buf[512];
	setu_diag_format(pb->diag, buf, sizeof(buf));
	fprintf(stderr, "setu sensor: %s: %s\n",
	        pb->skipped ? "rule skipped" : "rule error", buf);
}

/* A rule set and the dns/http/tls EVE options that go with it: JA3/JA4 "auto" logs the
 * fingerprints when the set's rules read them, so the options change with the rules.
 * They live in the set (immutable once published) rather than in the engine, so a
 * worker reads the options of the set it inspects with and a reload never writes what
 * a worker reads. `rs` is first: a setu_ruleset_t pointer is the box's address. */
typedef struct ruleset_box {
	setu_ruleset_t rs;
	setu_applayer_eve_opts_t al_eve;
} ruleset_box_t;

const setu_applayer_eve_opts_t *setu_worker_applayer_eve_opts(const setu_worker_t *w)
{
	const setu_ruleset_t *rs =
	    atomic_load_explicit(&((setu_worker_t *)w)->ruleset, memory_order_relaxed);
	if (rs == NULL)
		return &w->e->al_eve;
	return &((const ruleset_box_t *)(const void *)rs)->al_eve;
}

setu_ruleset_t *setu_ruleset_load(setu_engine_t *e, uint64_t gen, setu_diag_t *diag)
{
	const setu_sensor_config_t *c = &e->cfg;
	setu_detect_config_t dc = {
	    .classification_file =
	        c->classification_file[0] ? c->classification_file : NULL,
	    .reference_file = c->reference_file[0] ? c->reference_file : NULL,
	    .threshold_file = c->threshold_file[0] ? c->threshold_file : NULL,
	    .address_vars = c->address_vars,
	    .naddress_vars = c->naddress_vars,
	    .port_vars = c->port_vars,
	    .nport_vars = c->nport_vars,
	    /* a reload compiles on one thread: memory beside the running set */
	    .compile_threads = gen > 1 ? 1 : 0,
	};
	ruleset_box_t *box = calloc(1, sizeof(*box));
	if (box == NULL) {
		setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		return NULL;
	}
	setu_ruleset_t *rs = &box->rs;
	rs->gen = gen;
	if (c->nrule_files > 0) {
		rs->de = setu_detect_engine_load(
		    &dc, c->rule_files, c->nrule_files,
		    c->rule_report != NULL ? c->rule_report : report_to_stderr,
		    c->rule_report_user, diag);
		if (rs->de == NULL) {
			free(box);
			return NULL;
		}
	}
	setu_sensor_applayer_eve_opts(
	    c, rs->de != NULL ? setu_detect_engine_stats(rs->de)->fingerprints : 0,
	    &box->al_eve);
	if (c->nioc_files > 0 && setu_ioc_load(e, rs, diag) != 0) {
		setu_ruleset_free(rs);
		return NULL;
	}
	return rs;
}

void setu_ruleset_free(setu_ruleset_t *rs)
{
	if (rs == NULL)
		return;
	setu_detect_engine_free(rs->de);
	setu_ioc_rules_free(rs);
	free((ruleset_box_t *)(void *)rs);
}

/* Is rs still the set of some worker? Called with reload_lock held. */
static bool in_use(setu_engine_t *e, const setu_ruleset_t *rs)
{
	bool used = false;
	pthread_mutex_lock(&e->workers_lock);
	for (unsigned i = 0; i < e->nworkers && !used; i++)
		used = atomic_load(&e->workers[i]->ruleset) == rs;
	pthread_mutex_unlock(&e->workers_lock);
	return used;
}

/* Give the pages of what was just freed back to the system. A rule set is ~10^6 small
 * allocations spread over the heap between long-lived ones (flows, buffers): free() alone
 * leaves most of its pages resident, and the next reload then grows the heap again, so
 * RSS would climb by a rule set per reload instead of returning to its steady level. */
static void release_pages(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

static unsigned reap_locked(setu_engine_t *e)
{
	unsigned waiting = 0, freed = 0;
	setu_ruleset_t **pp = &e->retired;
	while (*pp != NULL) {
		setu_ruleset_t *rs = *pp;
		if (in_use(e, rs)) {
			waiting++;
			pp = &rs->next_retired;
			continue;
		}
		*pp = rs->next_retired;
		setu_ruleset_free(rs);
		freed++;
	}
	if (freed > 0)
		release_pages();
	return waiting;
}

unsigned setu_engine_reap(setu_engine_t *e)
{
	pthread_mutex_lock(&e->reload_lock);
	unsigned n = reap_locked(e);
	pthread_mutex_unlock(&e->reload_lock);
	return n;
}

int setu_engine_reload(setu_engine_t *e, setu_diag_t *diag)
{
	if (e->cfg.nrule_files == 0)
		return setu_diag_set(diag, SETU_EINVAL,
		                     "no rule files configured: nothing to reload");
	pthread_mutex_lock(&e->reload_lock);
	/* free what can be freed first, so at most two sets live while we build */
	reap_locked(e);
	setu_ruleset_t *old = atomic_load(&e->rules);
	setu_ruleset_t *rs = setu_ruleset_load(e, old != NULL ? old->gen + 1 : 1, diag);
	if (rs == NULL) {
		e->reload_failures++;
		pthread_mutex_unlock(&e->reload_lock);
		return diag != NULL && diag->code != 0 ? diag->code : SETU_EINVAL;
	}
	atomic_store(&e->rules, rs);
	if (old != NULL) {
		old->next_retired = e->retired;
		e->retired = old;
	}
	e->reloads++;
	reap_locked(e);
	pthread_mutex_unlock(&e->reload_lock);
	return 0;
}

void setu_engine_reload_info(setu_engine_t *e, uint64_t *gen, uint64_t *ok,
                             uint64_t *failed)
{
	pthread_mutex_lock(&e->reload_lock);
	setu_ruleset_t *rs = atomic_load(&e->rules);
	*gen = rs != NULL ? rs->gen : 0;
	*ok = e->reloads;
	*failed = e->reload_failures;
	pthread_mutex_unlock(&e->reload_lock);
}

void setu_worker_sync_rules(setu_worker_t *w)
{
	setu_ruleset_t *cur = atomic_load_explicit(&w->e->rules, memory_order_acquire);
	setu_ruleset_t *mine = atomic_load_explicit(&w->ruleset, memory_order_relaxed);
	if (cur == mine)
		return;
	setu_detect_thread_t *dt =
	    cur != NULL && cur->de != NULL ? setu_detect_thread_new(cur->de) : NULL;
	if (cur != NULL && cur->de != NULL && dt == NULL)
		return; /* out of memory: keep the old rules, try again at the next packet
		         */
	setu_detect_thread_free(w->detect);
	w->detect = dt;
	/* after this store the reloader may free `mine` */
	atomic_store_explicit(&w->ruleset, cur, memory_order_release);
}

void setu_worker_publish(setu_worker_t *w)
{
	unsigned g = atomic_load_explicit(&w->e->stats_gen, memory_order_relaxed);
	if (g == w->seen_stats_gen)
		return;
	w->seen_stats_gen = g;
	pthread_mutex_lock(&w->snap_lock);
	setu_stats_reset(&w->snap);
	setu_worker_counters(w, setu_stats_add, &w->snap);
	pthread_mutex_unlock(&w->snap_lock);
}

void setu_engine_collect_snapshots(setu_engine_t *e, setu_stats_t *st)
{
	pthread_mutex_lock(&e->workers_lock);
	for (unsigned i = 0; i < e->nworkers; i++) {
		setu_worker_t *w = e->workers[i];
		pthread_mutex_lock(&w->snap_lock);
		for (size_t k = 0; k < w->snap.n; k++)
			setu_stats_add(st, w->snap.v[k].name, w->snap.v[k].value);
		pthread_mutex_unlock(&w->snap_lock);
	}
	pthread_mutex_unlock(&e->workers_lock);
}

int setu_engine_stats_json(setu_engine_t *e, setu_buf_t *out, unsigned wait_ms)
{
	atomic_fetch_add_explicit(&e->stats_gen, 1, memory_order_relaxed);
	struct timespec ts = {0, (long)wait_ms * 1000000L};
	while (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	nanosleep(&ts, NULL);
	setu_stats_t st;
	setu_stats_init(&st);
	setu_engine_collect_snapshots(e, &st);
	uint64_t gen, ok, failed;
	setu_engine_reload_info(e, &gen, &ok, &failed);
	setu_stats_add(&st, "detect.engines.generation", gen);
	setu_stats_add(&st, "detect.engines.reloads", ok);
	setu_stats_add(&st, "detect.engines.reload_failures", failed);
	setu_json_t j;
	setu_json_init(&j, out);
	struct timeval now;
	gettimeofday(&now, NULL);
	setu_eve_opts_t o = e->cfg.eve;
	o.stats_null_values = true;
	setu_eve_write_stats(&j, &o, &st, &now,
	                     (uint64_t)(now.tv_sec - e->started.tv_sec));
	setu_stats_free(&st);
	return setu_buf_ok(out) ? 0 : SETU_ENOMEM;
}
