/* changes.c — GET /api/changes: the push hint (long poll) in front of TAXII 2.1 §5.3
 * (the client then pulls with added_after). Visibility is the store's object query with
 * THE read check (acl.c) applied to every row, so a hint wakes only for what the
 * requester could pull; writes it may not see wake the waiter, which re-reads, finds
 * nothing and sleeps again, without answering. A wait holds no thread: between reads the
 * listener keeps the request suspended (http/server.c) and calls us again. */
#include "changes.h"

#include "common/limits.h"
#include "hub/auth/token.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct setu_changes {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	uint64_t gen;      /* bumped on every committed write */
	unsigned waiting, max_waiters;
	uint64_t refused;
	bool closed;
	void (*wake)(void *user); /* resumes the suspended waits (the listener) */
	void *wake_user;
};

setu_changes_t *setu_changes_new(unsigned max_waiters)
{
	setu_changes_t *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	c->max_waiters = max_waiters < SETU_HUB_CHANGES_MAX_WAITERS
	                     ? max_waiters
	                     : SETU_HUB_CHANGES_MAX_WAITERS;
	return c;
}

void setu_changes_free(setu_changes_t *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
}

void setu_changes_notify(setu_changes_t *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->gen++;
	pthread_cond_broadcast(&c->cv);
	if (c->wake != NULL)
		c->wake(c->wake_user);
	pthread_mutex_unlock(&c->mu);
}

void setu_changes_close(setu_changes_t *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->closed = true;
	pthread_cond_broadcast(&c->cv);
	if (c->wake != NULL)
		c->wake(c->wake_user);
	pthread_mutex_unlock(&c->mu);
}

void setu_changes_reopen(setu_changes_t *c)
{
	pthread_mutex_lock(&c->mu);
	c->closed = false;
	pthread_mutex_unlock(&c->mu);
}

void setu_changes_set_waker(setu_changes_t *c, void (*wake)(void *user), void *user)
{
	pthread_mutex_lock(&c->mu);
	c->wake = wake;
	c->wake_user = user;
	pthread_mutex_unlock(&c->mu);
}

void setu_changes_stats(setu_changes_t *c, unsigned *waiting, uint64_t *refused)
{
	pthread_mutex_lock(&c->mu);
	*waiting = c->waiting;
	*refused = c->refused;
	pthread_mutex_unlock(&c->mu);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fail(setu_http_resp_t *resp, int status, const char *msg)
{
	setu_http_resp_json(resp, status, json_pack("{s:s}", "error", msg));
}

/* The request, parsed: collections[i] pairs with after[i] (repeated keys, in order). */
typedef struct creq {
	const char *collection[SETU_HUB_CHANGES_MAX_COLLECTIONS];
	size_t n_coll;
	int64_t after_us[SETU_HUB_CHANGES_MAX_COLLECTIONS];
	size_t n_after;
	unsigned wait_s;
	const char *types[SETU_HUB_MAX_MATCH_VALUES];
	size_t n_types;
	char typebuf[1024];
} creq_t;

static bool parse_args(const setu_http_req_t *req, creq_t *r, setu_http_resp_t *resp)
{
	r->wait_s = SETU_HUB_CHANGES_WAIT_DEFAULT_S;
	if (req->too_many_args) {
		fail(resp, 400, "too many query arguments");
		return false;
	}
	for (size_t i = 0; i < req->n_args; i++) {
		const char *k = req->args[i].key, *v = req->args[i].value;
		if (strcmp(k, "collection") == 0) {
			if (r->n_coll == SETU_HUB_CHANGES_MAX_COLLECTIONS ||
			    v[0] == '\0') {
				fail(resp, 400, "collection: 1 to 16 collection ids");
				return false;
			}
			r->collection[r->n_coll++] = v;
		} else if (strcmp(k, "after") == 0) {
			if (r->n_after == SETU_HUB_CHANGES_MAX_COLLECTIONS ||
			    setu_ts_parse(v, &r->after_us[r->n_after]) != 0) {
				fail(resp, 400,
				     "after: a timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z) per "
				     "collection");
				return false;
			}
			r->n_after++;
		} else if (strcmp(k, "wait") == 0) {
			char *end;
			long w = strtol(v, &end, 10);
			if (*v == '\0' || *end != '\0' || w < 0 ||
			    w > (long)SETU_HUB_CHANGES_WAIT_MAX_S) {
				fail(resp, 400, "wait: whole seconds from 0 to 25");
				return false;
			}
			r->wait_s = (unsigned)w;
		} else if (strcmp(k, "match[type]") == 0) {
			/* a comma list (TAXII 2.1 §3.4.1); one key only */
			if (r->n_types > 0 || strlen(v) >= sizeof(r->typebuf)) {
				fail(resp, 400,
				     "match[type]: one comma list, < 1024 bytes");
				return false;
			}
			memcpy(r->typebuf, v, strlen(v) + 1);
			char *save = NULL;
			for (char *t = strtok_r(r->typebuf, ",", &save); t != NULL;
			     t = strtok_r(NULL, ",", &save)) {
				if (r->n_types == SETU_HUB_MAX_MATCH_VALUES) {
					fail(resp, 400, "match[type]: too many values");
					return false;
				}
				r->types[r->n_types++] = t;
			}
		} else {
			/* an unknown argument is refused, never ignored: a client that
			 * asks for a filter we do not apply would wake for the wrong
			 * things */
			setu_http_resp_json(resp, 400,
			                    json_pack("{s:s, s:s}", "error",
			                              "unknown query argument",
			                              "argument", k));
			return false;
		}
	}
	if (r->n_coll == 0) {
		fail(resp, 400, "collection: required (the collection's id)");
		return false;
	}
	if (r->n_after != 0 && r->n_after != r->n_coll) {
		fail(resp, 400, "after: none, or one per collection (in the same order)");
		return false;
	}
	return true;
}

/* One watched collection, as the requester may read it. */
typedef struct watch {
	setu_collection_t coll;
	setu_acl_ctx_t acl;
} watch_t;

typedef struct first_row {
	bool found;
	int64_t date_added_us;
} first_row_t;

static int on_row(void *user, const setu_obj_row_t *row)
{
	first_row_t *f = user;
	f->found = true;
	f->date_added_us = row->date_added_us;
	return 1; /* one is enough */
}

/* Is anything visible added after its `after` in one of the collections? The index of
 * the first such collection in *hit (or -1); 0, or a store error. The query is the one
 * a TAXII pull makes (match[version]=last, added_after): a hint promises a pull that
 * brings something. */
static int look(setu_store_t *s, const watch_t *w, const creq_t *r, int *hit,
                first_row_t *f)
{
	*hit = -1;
	for (size_t i = 0; i < r->n_coll; i++) {
		setu_obj_query_t q = {.collection_id = w[i].coll.id,
		                      .types = r->n_types > 0 ? r->types : NULL,
		                      .n_types = r->n_types,
		                      .v_last = true,
		                      .has_added_after = r->n_after > 0,
		                      .added_after_us =
		                          r->n_after > 0 ? r->after_us[i] : 0,
		                      .limit = 1,
		                      .acl = &w[i].acl};
		bool more = false;
		f->found = false;
		int rc = s->ops->object_query(s, &q, on_row, f, &more);
		if (rc != 0 && rc != 1)
			return rc;
		if (f->found) {
			*hit = (int)i;
			return 0;
		}
	}
	return 0;
}

/* Authenticate and resolve each collection exactly as TAXII reads do (router.c):
 * invisible is 404 (401 when anonymous), visible but unreadable 403. */
static bool admit(setu_store_t *s, const creq_t *r, const setu_http_req_t *req,
                  setu_principal_t *who, watch_t *w, setu_http_resp_t *resp)
{
	int a = setu_auth_header(s, req->authorization, who);
	if (a < 0) {
		fail(resp, 500, "authentication store error");
		return false;
	}
	if (a == SETU_AUTH_BAD) {
		fail(resp, 401, "the credentials are not valid");
		resp->www_authenticate = true;
		return false;
	}
	for (size_t i = 0; i < r->n_coll; i++) {
		setu_collection_t *coll = &w[i].coll;
		int rc = s->ops->collection_find(s, r->collection[i], who->org_id, coll);
		if (rc == 0 && strcmp(coll->uuid, r->collection[i]) != 0)
			rc = SETU_ENOENT; /* titles are for the CLI */
		if (rc != 0 && rc != SETU_ENOENT) {
			fail(resp, 500, "store error");
			return false;
		}
		if (rc != 0 ||
		    !setu_acl_collection_visible(who, coll->is_public, coll->grant_read,
		                                 coll->grant_write)) {
			if (!who->authenticated) {
				fail(resp, 401, "this resource needs credentials");
				resp->www_authenticate = true;
			} else {
				setu_http_resp_json(
				    resp, 404,
				    json_pack("{s:s, s:s}", "error", "no such collection",
				              "collection", r->collection[i]));
			}
			return false;
		}
		if (!setu_acl_collection_can_read(who, coll->is_public,
		                                  coll->grant_read)) {
			setu_http_resp_json(resp, 403,
			                    json_pack("{s:s, s:s}", "error",
			                              "no read access to this collection",
			                              "collection", r->collection[i]));
			return false;
		}
		w[i].acl.who = who;
		w[i].acl.coll_public = coll->is_public;
		w[i].acl.coll_member = who->authenticated && coll->grant_read;
	}
	return true;
}

static void answer_found(setu_http_resp_t *resp, const char *coll, int64_t added_us)
{
	char ts[SETU_TS_LEN];
	setu_ts_format(added_us, ts, sizeof(ts));
	setu_http_resp_json(
	    resp, 200,
	    json_pack("{s:s, s:s}", "collection", coll, "date_added_first", ts));
}

static void answer_busy(setu_http_resp_t *resp, const char *why)
{
	/* the delay as Retry-After (RFC 9110 §10.2.3) and in the body, for clients that
	 * read only the JSON */
	setu_http_resp_json(resp, 503,
	                    json_pack("{s:s, s:I}", "error", why, "retry_after",
	                              (json_int_t)SETU_HUB_CHANGES_RETRY_AFTER_S));
	resp->retry_after_s = SETU_HUB_CHANGES_RETRY_AFTER_S;
}

/* One admitted wait, kept between the calls for its request. */
typedef struct cwait {
	setu_changes_t *c;
	creq_t r;
	setu_principal_t who; /* w[i].acl.who points here */
	watch_t w[SETU_HUB_CHANGES_MAX_COLLECTIONS];
	int64_t deadline_ms;
	uint64_t gen; /* the write generation taken before the last read */
	bool counted; /* among c->waiting: from admission to the answer */
} cwait_t;

/* The wait is over (answered, or its request ended): its place is free at once, not
 * when the listener reports the request complete, which may come after the client
 * has read the answer and asked again. */
static void release(cwait_t *wt)
{
	if (!wt->counted)
		return;
	setu_changes_t *c = wt->c;
	pthread_mutex_lock(&c->mu);
	c->waiting--;
	pthread_mutex_unlock(&c->mu);
	wt->counted = false;
}

void setu_changes_state_free(void *state)
{
	cwait_t *wt = state;
	if (wt == NULL)
		return;
	release(wt);
	free(wt);
}

/* The first call: arguments, credentials, collections, a place among the waiters. NULL
 * with resp filled when the request is answered at once. */
static cwait_t *admit_wait(setu_changes_t *c, const setu_changes_pool_t *pool,
                           const setu_http_req_t *req, setu_http_resp_t *resp)
{
	if (strcmp(req->method, "GET") != 0) {
		fail(resp, 405, "GET only");
		resp->allow = "GET";
		return NULL;
	}
	cwait_t *wt = calloc(1, sizeof(*wt));
	if (wt == NULL) {
		fail(resp, 500, "out of memory");
		return NULL;
	}
	wt->c = c;
	if (!parse_args(req, &wt->r, resp))
		goto refuse;
	setu_store_t *s = pool->checkout(pool->user);
	bool ok = admit(s, &wt->r, req, &wt->who, wt->w, resp);
	pool->checkin(pool->user, s);
	if (!ok)
		goto refuse;
	/* the collection ids point into the request: admit() resolved them, the answer
	 * names w[i].coll.uuid */
	for (size_t i = 0; i < wt->r.n_coll; i++)
		wt->r.collection[i] = NULL;
	/* a place among the waiters (also for wait=0: it reads the store the same way) */
	pthread_mutex_lock(&c->mu);
	if (c->closed || c->waiting >= c->max_waiters) {
		c->refused += c->closed ? 0 : 1;
		bool closed = c->closed;
		pthread_mutex_unlock(&c->mu);
		answer_busy(resp, closed ? "the hub is stopping"
		                         : "too many waiting requests; poll instead");
		goto refuse;
	}
	c->waiting++;
	pthread_mutex_unlock(&c->mu);
	wt->counted = true;
	wt->deadline_ms = mono_ms() + (int64_t)wt->r.wait_s * 1000;
	return wt;
refuse:
	free(wt);
	return NULL;
}

/* One look: read through THE read check; answer 200 on a hit, 204 when the hub stops or
 * the wait is over (after a last read, so an object added just before the deadline
 * counts), else ask to be called again. */
static void look_once(cwait_t *wt, const setu_changes_pool_t *pool,
                      setu_http_resp_t *resp)
{
	setu_changes_t *c = wt->c;
	/* the generation is taken before the read, so a commit during the read is not
	 * missed (the blocking form waits for a later one; the listener's epoch does the
	 * same for a suspended request) */
	pthread_mutex_lock(&c->mu);
	wt->gen = c->gen;
	bool closed = c->closed;
	pthread_mutex_unlock(&c->mu);
	if (closed) {
		resp->status = 204; /* the hub stops: ask again later */
		return;
	}
	first_row_t f = {0};
	int hit = -1;
	setu_store_t *s = pool->checkout(pool->user);
	int rc = look(s, wt->w, &wt->r, &hit, &f);
	pool->checkin(pool->user, s);
	if (rc != 0) {
		fail(resp, 500, "store error");
		return;
	}
	if (hit >= 0) {
		answer_found(resp, wt->w[hit].coll.uuid, f.date_added_us);
		return;
	}
	int64_t left = wt->deadline_ms - mono_ms();
	if (left <= 0) {
		resp->status = 204; /* nothing new: ask again */
		return;
	}
	resp->suspend = true;
	resp->wake_after_ms = left < (int64_t)SETU_HUB_CHANGES_RECHECK_MS
	                          ? (unsigned)left
	                          : SETU_HUB_CHANGES_RECHECK_MS;
}

bool setu_api_changes_handle(setu_changes_t *c, const setu_changes_pool_t *pool,
                             const setu_http_req_t *req, setu_http_resp_t *resp,
                             void **state)
{
	if (strcmp(req->path, "/api/changes") != 0 &&
	    strcmp(req->path, "/api/changes/") != 0)
		return false;
	memset(resp, 0, sizeof(*resp));
	if (*state == NULL) {
		*state = admit_wait(c, pool, req, resp);
		if (*state == NULL)
			return true; /* answered */
	}
	look_once(*state, pool, resp);
	if (!resp->suspend)
		release(*state);
	return true;
}

bool setu_api_changes_http(setu_changes_t *c, const setu_changes_pool_t *pool,
                           const setu_http_req_t *req, setu_http_resp_t *resp)
{
	void *state = NULL;
	if (!setu_api_changes_handle(c, pool, req, resp, &state))
		return false;
	while (resp->suspend) {
		cwait_t *wt = state;
		int64_t until = mono_ms() + resp->wake_after_ms;
		pthread_mutex_lock(&c->mu);
		while (c->gen == wt->gen && !c->closed && mono_ms() < until) {
			struct timespec ts = {.tv_sec = (time_t)(until / 1000),
			                      .tv_nsec = (long)(until % 1000) * 1000000L};
			pthread_cond_timedwait(&c->cv, &c->mu, &ts);
		}
		pthread_mutex_unlock(&c->mu);
		setu_api_changes_handle(c, pool, req, resp, &state);
	}
	setu_changes_state_free(state);
	return true;
}
