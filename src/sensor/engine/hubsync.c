/* hubsync.c — pull shared indicators and rules from a hub into the running sensor. */
#include "hubsync.h"

#include "engine-int.h"
#include "sighting.h"

#include "common/log.h"
#include "taxii/taxii.h"

#include <errno.h>
#include <jansson.h>
#include <stdatomic.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct setu_hubsync {
	setu_engine_t *e;
	setu_hubsync_config_t cfg;
	setu_taxii_client_t *client;
	char ioc_path[PATH_MAX], rules_path[PATH_MAX], state_path[PATH_MAX];
	json_t *objects;             /* id → newest version */
	json_t *bookmarks;           /* collection id → bookmark */
	setu_sightings_t *sightings; /* owned; published to the engine for the workers */
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* the pull thread waits on it (interval, hint, stop) */
	bool stop;
	atomic_bool abort; /* stop: cancel requests in progress and retry waits */
	uint64_t pulls, failures, objects_seen, reloads;
	/* push hint: a thread of its own holds the long poll (hint_main) */
	setu_taxii_client_t *hint_client; /* owned; used by the hint thread only */
	pthread_t hint_tid;
	bool hint_started;
	pthread_cond_t hint_cond; /* the hint thread waits on it (next round, stop) */
	bool hinted;              /* under lock: pull now */
	uint64_t round_gen;       /* under lock: pull rounds finished */
	char hint_after[SETU_HUBSYNC_MAX_COLLECTIONS][SETU_TAXII_TS_MAX]; /* under lock */
	uint64_t hints; /* hints that led to a pull */
};

/* Write path atomically and durably: temp file, fsync, rename. */
static int write_file(const char *path, const char *data, size_t len, setu_diag_t *diag)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (f == NULL || fwrite(data, 1, len, f) != len || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0) {
		int err = errno;
		if (f != NULL)
			fclose(f);
		if (diag != NULL) {
			diag->file = path;
			diag->line = 0;
		}
		return setu_diag_set(diag, SETU_EIO, "cannot write: %s", strerror(err));
	}
	fclose(f);
	if (rename(tmp, path) != 0) {
		if (diag != NULL)
			diag->file = path;
		return setu_diag_set(diag, SETU_EIO, "cannot rename: %s",
		                     strerror(errno));
	}
	return 0;
}

static const char empty_bundle[] =
    "{\"type\":\"bundle\",\"id\":\"bundle--00000000-0000-4000-8000-000000000000\","
    "\"objects\":[]}\n";

int setu_hubsync_prepare(const char *state_dir, char *ioc_path, char *rules_path,
                         setu_diag_t *diag)
{
	if (mkdir(state_dir, 0750) != 0 && errno != EEXIST) {
		if (diag != NULL)
			diag->file = state_dir;
		return setu_diag_set(diag, SETU_EIO, "cannot create the state folder: %s",
		                     strerror(errno));
	}
	snprintf(ioc_path, PATH_MAX, "%s/hub-indicators.json", state_dir);
	snprintf(rules_path, PATH_MAX, "%s/hub.rules", state_dir);
	int rc = 0;
	if (access(ioc_path, F_OK) != 0)
		rc = write_file(ioc_path, empty_bundle, sizeof(empty_bundle) - 1, diag);
	if (rc == 0 && access(rules_path, F_OK) != 0)
		rc = write_file(rules_path, "", 0, diag);
	return rc;
}

/* Keep the newest version of every object (TAXII may hand older ones too). */
static int on_object(void *user, const json_t *obj, const char *date_added)
{
	setu_hubsync_t *h = user;
	(void)date_added;
	const char *id = json_string_value(json_object_get(obj, "id"));
	if (id == NULL)
		return 0;
	h->objects_seen++;
	const json_t *old = json_object_get(h->objects, id);
	const char *om =
	    old != NULL ? json_string_value(json_object_get(old, "modified")) : NULL;
	const char *nm = json_string_value(json_object_get(obj, "modified"));
	/* RFC 3339 UTC timestamps of one format compare as strings */
	if (om != NULL && nm != NULL && strcmp(nm, om) <= 0)
		return 0;
	json_object_set(h->objects, id, (json_t *)obj);
	return 0;
}

/* The indicator file and the rule file from the objects held. */
static int materialise(setu_hubsync_t *h, setu_diag_t *diag)
{
	json_t *bundle =
	    json_pack("{s:s, s:s, s:[]}", "type", "bundle", "id",
	              "bundle--00000000-0000-4000-8000-000000000001", "objects");
	json_t *list = json_object_get(bundle, "objects");
	setu_buf_t rules;
	setu_buf_init(&rules, 0);
	setu_buf_puts(&rules,
	              "# shared rules pulled from the hub by setu sensor; do not edit\n");
	const char *id;
	json_t *o;
	json_object_foreach(h->objects, id, o)
	{
		const char *type = json_string_value(json_object_get(o, "type"));
		const char *ptype = json_string_value(json_object_get(o, "pattern_type"));
		const char *pattern = json_string_value(json_object_get(o, "pattern"));
		if (type == NULL || strcmp(type, "indicator") != 0 || pattern == NULL ||
		    ptype == NULL || json_is_true(json_object_get(o, "revoked")))
			continue;
		if (strcmp(ptype, "stix") == 0) {
			json_array_append(list, o);
		} else if (strcmp(ptype, "suricata") == 0 &&
		           strchr(pattern, '\n') == NULL) {
			/* the rule carries its indicator's id, so that its alerts name it
			 * and become sightings */
			const char *close = strrchr(pattern, ')');
			if (close == NULL)
				continue;
			setu_buf_printf(&rules, "# %s\n", id);
			setu_buf_append(&rules, pattern, (size_t)(close - pattern));
			setu_buf_printf(&rules, " metadata:stix_indicator %s;%s\n", id,
			                close);
		}
	}
	char *text = json_dumps(bundle, JSON_COMPACT);
	int rc = text == NULL || !setu_buf_ok(&rules) ? SETU_ENOMEM : 0;
	if (rc == 0)
		rc = write_file(h->ioc_path, text, strlen(text), diag);
	if (rc == 0)
		rc = write_file(h->rules_path, rules.data != NULL ? rules.data : "",
		                rules.len, diag);
	free(text);
	json_decref(bundle);
	setu_buf_free(&rules);
	if (rc == 0) {
		/* what was pulled survives a restart: objects and bookmarks */
		json_t *state = json_pack("{s:O, s:O}", "objects", h->objects,
		                          "bookmarks", h->bookmarks);
		char *st = state != NULL ? json_dumps(state, JSON_COMPACT) : NULL;
		rc = st != NULL ? write_file(h->state_path, st, strlen(st), diag)
		                : SETU_ENOMEM;
		free(st);
		json_decref(state);
	}
	return rc;
}

static int pull_once(setu_hubsync_t *h, bool *changed, setu_diag_t *diag)
{
	*changed = false;
	for (size_t i = 0; i < h->cfg.ncollections; i++) {
		const char *col = h->cfg.collections[i];
		char bm[SETU_TAXII_TS_MAX] = "";
		const char *old = json_string_value(json_object_get(h->bookmarks, col));
		if (old != NULL)
			snprintf(bm, sizeof(bm), "%s", old);
		uint64_t before = h->objects_seen;
		/* the sensor uses indicators (STIX patterns and shared rules) only */
		setu_taxii_filter_t f = {.limit = 1000, .match_type = "indicator"};
		int rc = setu_taxii_sync_objects(h->client, NULL, col, &f, bm, on_object,
		                                 h, diag);
		json_object_set_new(h->bookmarks, col, json_string(bm));
		if (h->objects_seen != before)
			*changed = true;
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* POST a spooled envelope of sightings to the sightings collection with client c; an
 * envelope any object of which the hub refused is an error (it stays spooled). */
static int post_envelope(setu_hubsync_t *h, setu_taxii_client_t *c,
                         const json_t *envelope, setu_diag_t *diag)
{
	const char *col = h->cfg.sightings_collection != NULL
	                      ? h->cfg.sightings_collection
	                      : h->cfg.collections[0];
	json_t *status = NULL;
	int rc = setu_taxii_post_objects(c, NULL, col, envelope, &status, diag);
	if (rc == 0) {
		setu_taxii_status_counts_t sc;
		setu_taxii_status_counts(status, &sc);
		if (sc.failure > 0)
			rc = setu_diag_set(
			    diag, SETU_EINVAL, "the hub refused %llu of %llu sightings",
			    (unsigned long long)sc.failure, (unsigned long long)sc.total);
	}
	json_decref(status);
	return rc;
}

static int post_sightings(void *user, const json_t *envelope, setu_diag_t *diag)
{
	setu_hubsync_t *h = user;
	return post_envelope(h, h->client, envelope, diag);
}

/* Counts to the spool first (durable whatever the hub does), then to the hub. */
static void spool_sightings(setu_hubsync_t *h)
{
	setu_diag_t d = {0};
	if (setu_sightings_flush(h->sightings, h->objects, &d) != 0) {
		char buf[512];
		setu_diag_format(&d, buf, sizeof(buf));
		fprintf(stderr, "setu sensor: sightings: %s\n", buf);
		h->failures++;
	}
}

static void report_sightings(setu_hubsync_t *h)
{
	setu_diag_t d = {0};
	spool_sightings(h);
	int rc = setu_sightings_deliver(h->sightings, post_sightings, h, &d);
	if (rc != 0 && !atomic_load(&h->abort)) { /* at stop: last_delivery() says it */
		char buf[512];
		setu_diag_format(&d, buf, sizeof(buf));
		fprintf(stderr,
		        "setu sensor: sightings kept in the spool (will retry): %s\n",
		        buf);
		h->failures++;
	}
}

/* One round: pull, and apply what changed (files + reload) — also after a pull that
 * failed half-way, since the pages before the failure are in and bookmarked. */
static int round_once(setu_hubsync_t *h, setu_diag_t *d)
{
	bool changed = false;
	int rc = pull_once(h, &changed, d);
	h->pulls++;
	if (changed) {
		setu_diag_t d2 = {0};
		int arc = materialise(h, &d2);
		if (arc == 0)
			arc = setu_engine_reload(h->e, &d2);
		if (arc == 0) {
			h->reloads++;
			fprintf(stderr,
			        "setu sensor: hub: %zu shared objects held, rules and "
			        "indicators "
			        "reloaded\n",
			        json_object_size(h->objects));
		} else if (rc == 0) {
			*d = d2;
			rc = arc;
		}
	}
	return rc;
}

static struct timespec deadline_in(unsigned s)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += s;
	return t;
}

static bool passed(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec > t->tv_sec ||
	       (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* Hand the bookmarks to the hint thread and tell it a round finished. */
static void round_done(setu_hubsync_t *h)
{
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->cfg.ncollections; i++) {
		const char *bm = json_string_value(
		    json_object_get(h->bookmarks, h->cfg.collections[i]));
		snprintf(h->hint_after[i], sizeof(h->hint_after[i]), "%s",
		         bm != NULL ? bm : "");
	}
	h->round_gen++;
	pthread_cond_broadcast(&h->hint_cond);
	pthread_mutex_unlock(&h->lock);
}

/* The pull thread: a round at every interval and whenever the hint thread says so;
 * sightings go to the spool and the hub at every interval. */
static void *sync_main(void *arg)
{
	setu_hubsync_t *h = arg;
	unsigned interval = h->cfg.interval_s > 0 ? h->cfg.interval_s : 60;
	struct timespec next_report = deadline_in(0);
	pthread_mutex_lock(&h->lock);
	while (!h->stop) {
		pthread_mutex_unlock(&h->lock);
		bool report = passed(&next_report);
		if (report)
			spool_sightings(h);
		setu_diag_t d = {0};
		if (round_once(h, &d) != 0 && !atomic_load(&h->abort)) {
			/* loud, and retried at the next interval; what was pulled is kept
			 */
			char buf[512];
			setu_diag_format(&d, buf, sizeof(buf));
			fprintf(stderr,
			        "setu sensor: hub round failed (will retry): %s\n", buf);
			h->failures++;
		}
		round_done(h);
		if (report) {
			report_sightings(h);
			next_report = deadline_in(interval);
		}
		pthread_mutex_lock(&h->lock);
		/* the next interval round (pull and sightings) is due one interval after
		 * the last report, also when hinted rounds came in between */
		struct timespec until = next_report;
		while (!h->stop && !h->hinted &&
		       pthread_cond_timedwait(&h->cond, &h->lock, &until) != ETIMEDOUT) {
		}
		h->hinted = false;
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* Wait on the hint condition for s seconds or until stop (lock held). */
static void hint_pause(setu_hubsync_t *h, unsigned s)
{
	struct timespec until = deadline_in(s);
	while (!h->stop &&
	       pthread_cond_timedwait(&h->hint_cond, &h->lock, &until) != ETIMEDOUT) {
	}
}

/* The hint thread: long polls GET /api/changes with the bookmarks of the last round;
 * an answer 200 wakes the pull thread, which pulls at once. A hub without the endpoint
 * (404) or one that fails leaves the sensor on its interval. */
static void *hint_main(void *arg)
{
	setu_hubsync_t *h = arg;
	unsigned interval = h->cfg.interval_s > 0 ? h->cfg.interval_s : 60;
	bool announced = false, absent_told = false;
	const char *after[SETU_HUBSYNC_MAX_COLLECTIONS];
	char afterbuf[SETU_HUBSYNC_MAX_COLLECTIONS][SETU_TAXII_TS_MAX];
	pthread_mutex_lock(&h->lock);
	while (!h->stop) {
		/* bookmarks of a finished round: never hint on what is being pulled */
		while (!h->stop && h->round_gen == 0)
			pthread_cond_wait(&h->hint_cond, &h->lock);
		if (h->stop)
			break;
		for (size_t i = 0; i < h->cfg.ncollections; i++) {
			memcpy(afterbuf[i], h->hint_after[i], sizeof(afterbuf[i]));
			after[i] = afterbuf[i];
		}
		uint64_t gen = h->round_gen;
		pthread_mutex_unlock(&h->lock);
		bool changed = false;
		unsigned retry_after = 0;
		setu_diag_t d = {0};
		/* the first ask does not wait: it tells at once whether the hub offers
		 * the hint */
		int rc = setu_taxii_wait_changes(h->hint_client, h->cfg.collections,
		                                 after, h->cfg.ncollections, "indicator",
		                                 announced ? SETU_HUBSYNC_HINT_WAIT_S : 0,
		                                 &changed, &retry_after, &d);
		pthread_mutex_lock(&h->lock);
		if (h->stop)
			break;
		if (rc == 0) {
			if (!announced) {
				fprintf(
				    stderr,
				    "setu sensor: hub: push hint in use (pulls at once "
				    "on new content, and every %u s)\n",
				    interval);
				announced = true;
			}
			absent_told = false;
			if (!changed)
				continue; /* 204: nothing new, ask again */
			h->hints++;
			h->hinted = true;
			pthread_cond_signal(&h->cond);
			/* the pull that follows moves the bookmarks */
			while (!h->stop && h->round_gen == gen)
				pthread_cond_wait(&h->hint_cond, &h->lock);
			/* a hint whose pull brought nothing new (it would repeat at
			 * once): pause a second */
			bool moved = false;
			for (size_t i = 0; i < h->cfg.ncollections; i++)
				moved |= strcmp(afterbuf[i], h->hint_after[i]) != 0;
			if (!moved)
				hint_pause(h, 1);
			continue;
		}
		char buf[512];
		setu_diag_format(&d, buf, sizeof(buf));
		if (rc == SETU_ENOENT) {
			if (!absent_told)
				fprintf(
				    stderr,
				    "setu sensor: hub offers no push hint (%s); pulling "
				    "every %u s\n",
				    buf, interval);
			absent_told = true;
			announced = false;
			hint_pause(h, SETU_HUBSYNC_HINT_ABSENT_RETRY_S);
		} else if (rc == SETU_EAGAIN && retry_after > 0) {
			hint_pause(h, retry_after); /* 503: the hub's waiters are full */
		} else {
			/* unreachable, refused, 5xx: the interval pull reports it too */
			hint_pause(h, interval);
		}
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* At stop: one bounded attempt, the time left shared by the posts. */
typedef struct last_post {
	setu_hubsync_t *h;
	setu_taxii_client_t *client;
	struct timespec t0;
} last_post_t;

static int post_last(void *user, const json_t *envelope, setu_diag_t *diag)
{
	last_post_t *lp = user;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long used = (long)(now.tv_sec - lp->t0.tv_sec) * 1000 +
	            (now.tv_nsec - lp->t0.tv_nsec) / 1000000;
	long left = SETU_HUBSYNC_LAST_DELIVERY_MS - used;
	if (left <= 0)
		return setu_diag_set(diag, SETU_EAGAIN,
		                     "no time left for the last delivery");
	setu_taxii_client_set_limits(
	    lp->client,
	    left < SETU_HUBSYNC_LAST_CONNECT_MS ? left : SETU_HUBSYNC_LAST_CONNECT_MS,
	    left, 0);
	return post_envelope(lp->h, lp->client, envelope, diag);
}

static void last_delivery(setu_hubsync_t *h)
{
	setu_diag_t d = {0};
	spool_sightings(h); /* durable before anything else */
	setu_taxii_config_t tc;
	setu_taxii_config_default(&tc);
	tc.url = h->cfg.url;
	tc.token = h->cfg.token;
	tc.ca_file = h->cfg.ca_file;
	tc.connect_timeout_ms = SETU_HUBSYNC_LAST_CONNECT_MS;
	tc.timeout_ms = SETU_HUBSYNC_LAST_DELIVERY_MS;
	tc.max_retries = 0;
	last_post_t lp = {.h = h, .client = setu_taxii_client_new(&tc, &d)};
	clock_gettime(CLOCK_MONOTONIC, &lp.t0);
	int rc = lp.client != NULL
	             ? setu_sightings_deliver(h->sightings, post_last, &lp, &d)
	             : SETU_ENOMEM;
	setu_taxii_client_free(lp.client);
	if (rc != 0) {
		setu_sightings_counters_t c;
		setu_sightings_get_counters(h->sightings, &c);
		char buf[512];
		setu_diag_format(&d, buf, sizeof(buf));
		fprintf(stderr,
		        "setu sensor: sightings stay in the spool for the next start "
		        "(%llu bytes): %s\n",
		        (unsigned long long)c.spool_bytes, buf);
	}
}

static bool hint_wanted(const setu_hubsync_config_t *cfg)
{
	const char *env = getenv("SETU_HUB_PUSH_HINT");
	return !cfg->no_push_hint && (env == NULL || strcmp(env, "off") != 0);
}

/* The push hint's thread, unless turned off; without it the sensor pulls at the
 * interval, as before. */
static void start_hint(setu_hubsync_t *h)
{
	if (!hint_wanted(&h->cfg))
		return;
	setu_taxii_config_t tc;
	setu_taxii_config_default(&tc);
	tc.url = h->cfg.url;
	tc.token = h->cfg.token;
	tc.ca_file = h->cfg.ca_file;
	tc.max_retries = 0;
	tc.timeout_ms = (long)(SETU_HUBSYNC_HINT_WAIT_S + 10) * 1000;
	tc.fresh_connections = true;
	setu_diag_t d = {0};
	h->hint_client = setu_taxii_client_new(&tc, &d);
	if (h->hint_client == NULL)
		return; /* the same URL worked for the pull client: out of memory */
	setu_taxii_client_set_abort(h->hint_client, &h->abort);
	h->hint_started = pthread_create(&h->hint_tid, NULL, hint_main, h) == 0;
	if (!h->hint_started) {
		setu_taxii_client_free(h->hint_client);
		h->hint_client = NULL;
	}
}

setu_hubsync_t *setu_hubsync_start(setu_engine_t *e, const setu_hubsync_config_t *cfg,
                                   setu_diag_t *diag)
{
	setu_hubsync_t *h = calloc(1, sizeof(*h));
	if (h == NULL) {
		setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		return NULL;
	}
	h->e = e;
	h->cfg = *cfg;
	setu_taxii_config_t tc;
	setu_taxii_config_default(&tc);
	tc.url = cfg->url;
	tc.token = cfg->token;
	tc.ca_file = cfg->ca_file;
	/* with the push hint, the hub's thread serving our long poll is busy while it
	 * waits: pulls and posts go on connections of their own (docs/push-hint.md) */
	tc.fresh_connections = hint_wanted(cfg);
	h->client = setu_taxii_client_new(&tc, diag);
	atomic_init(&h->abort, false);
	if (h->client != NULL)
		setu_taxii_client_set_abort(h->client, &h->abort);
	char ioc[PATH_MAX], rules[PATH_MAX];
	if (h->client == NULL ||
	    setu_hubsync_prepare(cfg->state_dir, ioc, rules, diag) != 0) {
		setu_taxii_client_free(h->client);
		free(h);
		return NULL;
	}
	snprintf(h->ioc_path, sizeof(h->ioc_path), "%s", ioc);
	snprintf(h->rules_path, sizeof(h->rules_path), "%s", rules);
	snprintf(h->state_path, sizeof(h->state_path), "%s/hub-state.json",
	         cfg->state_dir);
	/* resume from what an earlier run pulled */
	json_t *state = json_load_file(h->state_path, 0, NULL);
	h->objects = json_incref(json_object_get(state, "objects"));
	h->bookmarks = json_incref(json_object_get(state, "bookmarks"));
	json_decref(state);
	if (!json_is_object(h->objects)) {
		json_decref(h->objects);
		h->objects = json_object();
	}
	if (!json_is_object(h->bookmarks)) {
		json_decref(h->bookmarks);
		h->bookmarks = json_object();
	}
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	pthread_cond_init(&h->hint_cond, NULL);
	h->sightings = setu_sightings_new(cfg->state_dir, cfg->identity, diag);
	if (h->sightings == NULL) {
		setu_taxii_client_free(h->client);
		json_decref(h->objects);
		json_decref(h->bookmarks);
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->cond);
		pthread_cond_destroy(&h->hint_cond);
		free(h);
		return NULL;
	}
	atomic_store(&e->sightings, h->sightings);
	if (cfg->first_pull_before_start) {
		int rc = round_once(h, diag);
		if (rc != 0) {
			atomic_store(&e->sightings, NULL);
			setu_sightings_free(h->sightings);
			setu_taxii_client_free(h->client);
			json_decref(h->objects);
			json_decref(h->bookmarks);
			pthread_mutex_destroy(&h->lock);
			pthread_cond_destroy(&h->cond);
			pthread_cond_destroy(&h->hint_cond);
			free(h);
			return NULL;
		}
	}
	if (pthread_create(&h->tid, NULL, sync_main, h) != 0) {
		atomic_store(&e->sightings, NULL);
		setu_sightings_free(h->sightings);
		setu_diag_set(diag, SETU_ENOMEM, "cannot start the hub thread");
		setu_taxii_client_free(h->client);
		json_decref(h->objects);
		json_decref(h->bookmarks);
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->cond);
		pthread_cond_destroy(&h->hint_cond);
		free(h);
		return NULL;
	}
	start_hint(h);
	return h;
}

void setu_hubsync_stop(setu_hubsync_t *h)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	pthread_cond_broadcast(&h->cond);
	pthread_cond_broadcast(&h->hint_cond);
	pthread_mutex_unlock(&h->lock);
	/* a pull, a post or a long poll in progress ends now, and no retry starts */
	atomic_store(&h->abort, true);
	pthread_join(h->tid, NULL);
	if (h->hint_started)
		pthread_join(h->hint_tid, NULL);
	/* the workers have stopped: what they noted last goes to the spool, then one
	 * short attempt to deliver the spool; the rest waits for the next start */
	atomic_store(&h->e->sightings, NULL);
	last_delivery(h);
	setu_sightings_free(h->sightings);
	setu_taxii_client_free(h->client);
	setu_taxii_client_free(h->hint_client);
	json_decref(h->objects);
	json_decref(h->bookmarks);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
	pthread_cond_destroy(&h->hint_cond);
	free(h);
}
