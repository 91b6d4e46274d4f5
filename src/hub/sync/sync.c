/* sync.c — pull federation over TAXII 2.1 (OASIS TAXII 2.1 §3.4 added_after, §3.5
 * pagination; STIX 2.1 objects keep ids, versions, created_by_ref and markings): each
 * page's objects, their transfer records and the new bookmark are committed together, so
 * a hub killed mid-sync resumes at the first page not yet durable (re-adding a version it
 * holds changes nothing: no duplicates, no gaps). docs/federation.md. */
#include "hub/sync/sync.h"

#include "hub/auth/acl.h"
#include "hub/auth/marking.h"
#include "hub/auth/token.h"
#include "hub/stix/tlp.h"
#include "hub/stix/validate.h"
#include "hub/sync/policy.h"
#include "hub/taxii/envelope.h"
#include "taxii/taxii.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* intel/tlp.h's level into the hub's stored one (acl.h); the same mapping as
 * auth/marking.c, which keeps its own private. */
static int hub_level(setu_tlp_t t)
{
	switch (t) {
	case SETU_TLP_CLEAR:
		return SETU_HUB_TLP_CLEAR;
	case SETU_TLP_GREEN:
		return SETU_HUB_TLP_GREEN;
	case SETU_TLP_AMBER:
		return SETU_HUB_TLP_AMBER;
	case SETU_TLP_AMBER_STRICT:
		return SETU_HUB_TLP_AMBER_STRICT;
	case SETU_TLP_RED:
		return SETU_HUB_TLP_RED;
	case SETU_TLP_NONE:
		break;
	}
	return SETU_HUB_TLP_UNMARKED;
}

typedef struct pull {
	setu_store_t *s;
	const setu_peer_t *p;
	const setu_agreement_t *a;
	const setu_log_t *log;
	const setu_sync_opts_t *o;
	setu_release_rule_t rule;
	char readers[SETU_RECIPIENTS_MAX]; /* recipients of received AMBER content */
	setu_sync_report_t *rep;
	setu_sync_state_t *st;
} pull_t;

static int record(pull_t *x, const char *id, const char *version, int tlp,
                  const char *outcome, const char *detail)
{
	setu_transfer_t t = {.direction = "in",
	                     .peer_id = x->p->id,
	                     .agreement_id = x->a->id,
	                     .object_id = id != NULL ? id : "",
	                     .version = version != NULL ? version : "",
	                     .tlp = tlp,
	                     .outcome = outcome,
	                     .detail = detail};
	return x->s->ops->transfer_add(x->s, &t);
}

/* Refuse one object: logged with the reason, on record, counted; the sync goes on. */
static int reject(pull_t *x, const char *id, const char *version, int tlp,
                  const char *why)
{
	SETU_WARN(x->log, "sync %s/%s: rejected %s: %s", x->p->name, x->a->name,
	          id != NULL ? id : "(no id)", why);
	x->rep->rejected++;
	x->st->rejected++;
	return record(x, id, version, tlp, "rejected", why);
}

/* The effective level of a received object in the landing collection: its own TLP
 * markings and those of what it references there (docs/tlp.md). */
static int received_level(pull_t *x, const json_t *obj, int *tlp)
{
	*tlp = hub_level(setu_tlp_of_object(obj));
	const char *refs[64];
	size_t n = setu_hub_object_refs(obj, refs, 64);
	char rec[SETU_RECIPIENTS_MAX] = ",";
	for (size_t i = 0; i < n && i < 64; i++) {
		int rt;
		char rr[SETU_RECIPIENTS_MAX];
		int rc = x->s->ops->object_marking(x->s, x->a->local_collection_id,
		                                   refs[i], &rt, rr, sizeof(rr));
		if (rc == SETU_ENOENT)
			continue;
		if (rc != 0)
			return rc;
		setu_hub_marking_inherit(tlp, rec, rt, rr);
	}
	return 0;
}

/* One received object, inside the page's transaction. Returns 0 (stored, duplicate or
 * rejected: all recorded) or a store error that aborts the page. */
static int take(pull_t *x, const json_t *obj)
{
	setu_diag_t d = {0};
	setu_envelope_meta_t m;
	const char *id =
	    json_is_object(obj) ? json_string_value(json_object_get(obj, "id")) : NULL;
	if (setu_envelope_object_meta(obj, &m, &d) != 0)
		return reject(x, id, NULL, SETU_HUB_TLP_UNMARKED, d.msg);
	if (setu_stix_validate_object(obj, &d) != 0)
		return reject(x, m.id, m.version_text, SETU_HUB_TLP_UNMARKED, d.msg);
	int tlp;
	int rc = received_level(x, obj, &tlp);
	if (rc != 0)
		return rc;
	/* The same policy on the way in: a misconfigured or hostile partner cannot push
	 * what the agreement does not allow. The partner released it to this hub, so it
	 * counts as named and as the partner's own. */
	setu_release_obj_t ro = {.tlp = tlp,
	                         .type = m.type,
	                         .origin = SETU_ORIGIN_LOCAL,
	                         .names_partner = true};
	setu_release_verdict_t v = setu_sync_release(&x->rule, &ro);
	if (v != SETU_RELEASE_OK)
		return reject(x, m.id, m.version_text, tlp, setu_sync_verdict_text(v));
	char *body = json_dumps(obj, JSON_COMPACT);
	if (body == NULL)
		return SETU_ENOMEM;
	const char *refs[SETU_HUB_MAX_REFS > 256 ? 256 : SETU_HUB_MAX_REFS];
	size_t nrefs = setu_hub_object_refs(obj, refs, sizeof(refs) / sizeof(refs[0]));
	if (nrefs > sizeof(refs) / sizeof(refs[0])) {
		free(body);
		return reject(x, m.id, m.version_text, tlp, "too many references");
	}
	setu_store_obj_t so = {.stix_id = m.id,
	                       .type = m.type,
	                       .spec_version = m.spec_version,
	                       .version_text = m.version_text,
	                       .version_us = m.version_us,
	                       .body = body,
	                       .tlp = tlp,
	                       .recipients = tlp >= SETU_HUB_TLP_AMBER ? x->readers : ",",
	                       .revoked = m.revoked,
	                       .refs = refs,
	                       .n_refs = nrefs};
	rc = x->s->ops->object_put(x->s, x->a->local_collection_id, x->p->org_id, 0, &so,
	                           &d);
	free(body);
	if (rc == SETU_EPERM) /* the id belongs to another producer here */
		return reject(x, m.id, m.version_text, tlp, d.msg);
	if (rc != 0)
		return rc;
	if (so.existed) {
		x->rep->duplicates++;
		return record(x, m.id, m.version_text, tlp, "duplicate", "");
	}
	rc = setu_hub_marking_spread(x->s, x->a->local_collection_id, m.id, tlp,
	                             so.recipients);
	if (rc != 0)
		return rc;
	x->rep->stored++;
	x->st->received++;
	return record(x, m.id, m.version_text, tlp, "stored", "");
}

/* Write one page: objects, their records, the bookmark; all or nothing. */
static int commit_page(pull_t *x, const json_t *objs, const char *last)
{
	setu_store_t *s = x->s;
	setu_sync_state_t saved = *x->st;
	setu_sync_report_t rsaved = *x->rep;
	int rc = s->ops->begin_write(s);
	if (rc != 0)
		return rc;
	size_t i;
	const json_t *o;
	json_array_foreach(objs, i, o)
	{
		if ((rc = take(x, o)) != 0)
			break;
	}
	if (rc == 0 && last != NULL && last[0] != '\0')
		snprintf(x->st->bookmark, sizeof(x->st->bookmark), "%s", last);
	if (rc == 0)
		rc = s->ops->sync_state_put(s, x->st);
	if (rc == 0)
		rc = s->ops->commit(s);
	if (rc != 0) {
		s->ops->rollback(s);
		*x->st = saved; /* nothing of the page happened */
		*x->rep = rsaved;
	} else if (x->rep->stored > rsaved.stored && x->o->on_stored != NULL) {
		x->o->on_stored(x->o->on_stored_user);
	}
	return rc;
}

/* ",a,b," → "a,b" for match[type]. */
static void types_param(const char *types, char *out, size_t size)
{
	snprintf(out, size, "%s", types[0] == ',' ? types + 1 : types);
	size_t n = strlen(out);
	if (n > 0 && out[n - 1] == ',')
		out[n - 1] = '\0';
}

static int pull_pages(pull_t *x, setu_taxii_client_t *c, const setu_sync_opts_t *o,
                      setu_diag_t *diag)
{
	char mtype[SETU_SYNC_TYPES_MAX];
	types_param(x->a->types, mtype, sizeof(mtype));
	unsigned pages = 0;
	for (;;) {
		setu_taxii_filter_t f = {
		    .added_after = x->st->bookmark[0] ? x->st->bookmark : NULL,
		    .match_type = mtype[0] ? mtype : NULL,
		    .limit = o->page_limit ? o->page_limit : SETU_SYNC_PAGE_LIMIT};
		setu_taxii_page_t page = {0};
		int rc = setu_taxii_get_objects(c, NULL, x->a->remote_collection, &f,
		                                &page, diag);
		if (rc != 0)
			return rc;
		const json_t *objs = json_object_get(page.envelope, "objects");
		size_t n = json_array_size(objs);
		if (n > 0 && page.date_added_last[0] == '\0') {
			setu_taxii_page_clear(&page);
			return setu_diag_set(
			    diag, SETU_EMALFORMED,
			    "peer '%s': a page of %zu objects without "
			    "X-TAXII-Date-Added-Last (nothing to resume from)",
			    x->p->name, n);
		}
		if (n > 0 && strcmp(page.date_added_last, x->st->bookmark) == 0 &&
		    page.more) {
			setu_taxii_page_clear(&page);
			return setu_diag_set(
			    diag, SETU_EMALFORMED,
			    "peer '%s': the page does not advance past %s", x->p->name,
			    x->st->bookmark);
		}
		rc = n > 0 || page.date_added_last[0]
		         ? commit_page(x, objs, page.date_added_last)
		         : 0;
		bool more = page.more && n > 0;
		setu_taxii_page_clear(&page);
		if (rc != 0)
			return setu_diag_set(diag, rc,
			                     "store: cannot write a page from '%s': %s",
			                     x->p->name, setu_strerror(rc));
		x->rep->pages++;
		if (o->stop_after_pages > 0 && ++pages >= o->stop_after_pages)
			return setu_diag_set(diag, SETU_EAGAIN,
			                     "stopped after %u pages (test option)",
			                     pages);
		if (!more)
			return 0;
	}
}

int setu_sync_agreement(setu_store_t *s, const setu_peer_t *p, const setu_agreement_t *a,
                        const setu_sync_opts_t *o, setu_sync_report_t *rep,
                        setu_diag_t *diag)
{
	setu_sync_state_t st;
	int rc = s->ops->sync_state_get(s, a->id, a->remote_collection, &st);
	if (rc != 0 && rc != SETU_ENOENT)
		return setu_diag_set(diag, rc, "store: sync state: %s",
		                     setu_strerror(rc));
	pull_t x = {.s = s,
	            .p = p,
	            .a = a,
	            .log = o->log,
	            .o = o,
	            .rule = {.max_tlp = a->max_tlp,
	                     .types = a->types,
	                     .third_party = a->third_party},
	            .rep = rep,
	            .st = &st};
	st.last_attempt_us = setu_now_us();
	rc = s->ops->collection_readers(s, a->local_collection_id, x.readers,
	                                sizeof(x.readers));
	if (rc != 0)
		setu_diag_set(diag, rc, "store: readers of the landing collection: %s",
		              setu_strerror(rc));
	setu_taxii_client_t *c = NULL;
	if (rc == 0) {
		setu_taxii_config_t cfg;
		setu_taxii_config_default(&cfg);
		cfg.url = p->url;
		cfg.token = p->token[0] ? p->token : NULL;
		if (o->max_retries)
			cfg.max_retries = o->max_retries;
		if (o->backoff_initial_ms)
			cfg.backoff_initial_ms = o->backoff_initial_ms;
		if (o->backoff_max_ms)
			cfg.backoff_max_ms = o->backoff_max_ms;
		if (o->timeout_ms) {
			cfg.timeout_ms = o->timeout_ms;
			cfg.connect_timeout_ms = o->timeout_ms;
		}
		c = setu_taxii_client_new(&cfg, diag);
		rc = c != NULL ? 0 : SETU_EINVAL;
	}
	if (rc == 0)
		rc = pull_pages(&x, c, o, diag);
	setu_taxii_client_free(c);
	if (rc == 0) {
		st.last_success_us = setu_now_us();
		st.consecutive = 0;
		st.last_error[0] = '\0';
	} else {
		st.failures++;
		st.consecutive++;
		snprintf(st.last_error, sizeof(st.last_error), "%s",
		         diag != NULL ? diag->msg : setu_strerror(rc));
		SETU_ERR(o->log, "sync %s/%s FAILED (%lld in a row): %s", p->name,
		         a->name, (long long)st.consecutive, st.last_error);
		rep->failures++;
	}
	int wr = s->ops->sync_state_put(s, &st);
	if (wr != 0)
		SETU_ERR(o->log, "sync %s/%s: cannot record the sync state: %s", p->name,
		         a->name, setu_strerror(wr));
	return rc;
}

typedef struct round {
	setu_store_t *s;
	const setu_sync_opts_t *o;
	setu_sync_report_t *rep;
	setu_diag_t *diag;
	int first_rc;
	const setu_peer_t *peer;
} round_t;

static int round_agreement(void *u, const setu_agreement_t *a)
{
	round_t *r = u;
	if (a->direction != SETU_SYNC_PULL)
		return 0;
	setu_diag_t d = {0};
	int rc = setu_sync_agreement(r->s, r->peer, a, r->o, r->rep, &d);
	if (rc != 0 && r->first_rc == 0) {
		r->first_rc = rc;
		if (r->diag != NULL)
			*r->diag = d;
	}
	return 0;
}

static int round_peer(void *u, const setu_peer_t *p)
{
	round_t *r = u;
	if (!p->enabled)
		return 0;
	r->peer = p;
	return r->s->ops->agreement_list(r->s, p->id, round_agreement, r);
}

int setu_sync_round(setu_store_t *s, const setu_sync_opts_t *o, setu_sync_report_t *rep,
                    setu_diag_t *diag)
{
	round_t r = {.s = s, .o = o, .rep = rep, .diag = diag};
	int rc = s->ops->peer_list(s, round_peer, &r);
	if (rc != 0)
		return setu_diag_set(diag, rc, "store: peers: %s", setu_strerror(rc));
	return r.first_rc;
}

/* ------------------------------------------------------------------ the thread */

struct setu_syncd {
	setu_store_t *s;
	setu_sync_opts_t o;
	unsigned interval_ms;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	uint64_t rounds;
};

static void *syncd_main(void *u)
{
	setu_syncd_t *d = u;
	pthread_mutex_lock(&d->mu);
	while (!d->stop) {
		pthread_mutex_unlock(&d->mu);
		setu_sync_report_t rep = {0};
		setu_diag_t diag = {0};
		setu_sync_round(d->s, &d->o, &rep, &diag);
		pthread_mutex_lock(&d->mu);
		d->rounds++;
		pthread_cond_broadcast(&d->cv);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += d->interval_ms / 1000;
		ts.tv_nsec += (long)(d->interval_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!d->stop && pthread_cond_timedwait(&d->cv, &d->mu, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

int setu_syncd_start(const char *db_uri, unsigned interval_ms, const setu_sync_opts_t *o,
                     setu_syncd_t **out, setu_diag_t *diag)
{
	*out = NULL;
	setu_syncd_t *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	int rc = setu_store_open(db_uri, &d->s, diag);
	if (rc != 0) {
		free(d);
		return rc;
	}
	d->o = *o;
	d->interval_ms = interval_ms > 0 ? interval_ms : 1000;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	if (pthread_create(&d->th, NULL, syncd_main, d) != 0) {
		setu_store_close(d->s);
		pthread_mutex_destroy(&d->mu);
		pthread_cond_destroy(&d->cv);
		free(d);
		return setu_diag_set(diag, SETU_ENOMEM, "cannot start the sync thread");
	}
	*out = d;
	return 0;
}

uint64_t setu_syncd_rounds(setu_syncd_t *d)
{
	pthread_mutex_lock(&d->mu);
	uint64_t n = d->rounds;
	pthread_mutex_unlock(&d->mu);
	return n;
}

void setu_syncd_stop(setu_syncd_t *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	d->stop = true;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->th, NULL);
	setu_store_close(d->s);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d);
}

/* ------------------------------------------------------------------ status */

static json_t *ts_or_null(int64_t us)
{
	if (us <= 0)
		return json_null();
	char b[SETU_TS_LEN];
	setu_ts_format(us, b, sizeof(b));
	return json_string(b);
}

typedef struct status_ctx {
	json_t *arr;
	int64_t failures;
	bool healthy;
} status_ctx_t;

static int status_row(void *u, const setu_sync_state_t *st, const setu_agreement_t *a)
{
	status_ctx_t *x = u;
	json_t *o = json_object();
	json_object_set_new(o, "agreement", json_string(a->name));
	json_object_set_new(o, "peer", json_string(a->peer_name));
	json_object_set_new(o, "remote_collection", json_string(a->remote_collection));
	json_object_set_new(o, "local_collection", json_string(a->local_collection));
	json_object_set_new(o, "bookmark", json_string(st->bookmark));
	json_object_set_new(o, "last_attempt", ts_or_null(st->last_attempt_us));
	json_object_set_new(o, "last_success", ts_or_null(st->last_success_us));
	json_object_set_new(o, "last_error",
	                    st->last_error[0] ? json_string(st->last_error)
	                                      : json_null());
	json_object_set_new(o, "failures", json_integer(st->failures));
	json_object_set_new(o, "consecutive_failures", json_integer(st->consecutive));
	json_object_set_new(o, "received", json_integer(st->received));
	json_object_set_new(o, "rejected", json_integer(st->rejected));
	bool ok = st->consecutive == 0;
	json_object_set_new(o, "healthy", json_boolean(ok));
	x->failures += st->failures;
	x->healthy = x->healthy && ok;
	json_array_append_new(x->arr, o);
	return 0;
}

int setu_sync_status_json(setu_store_t *s, json_t **out)
{
	status_ctx_t x = {.arr = json_array(), .healthy = true};
	int rc = s->ops->sync_state_list(s, status_row, &x);
	if (rc != 0) {
		json_decref(x.arr);
		return rc;
	}
	*out = json_pack("{s:o, s:I, s:b}", "agreements", x.arr, "failures",
	                 (json_int_t)x.failures, "healthy", x.healthy);
	return *out != NULL ? 0 : SETU_ENOMEM;
}

static void err_resp(setu_http_resp_t *resp, int status, const char *msg)
{
	setu_http_resp_json(resp, status, json_pack("{s:s}", "error", msg));
}

bool setu_sync_http(setu_store_t *s, const setu_http_req_t *req, setu_http_resp_t *resp)
{
	if (strncmp(req->path, "/api/sync/", 10) != 0)
		return false;
	memset(resp, 0, sizeof(*resp));
	setu_principal_t who = {0};
	int a = setu_auth_header(s, req->authorization, &who);
	if (a < 0) {
		err_resp(resp, 500, "authentication store error");
	} else if (a != SETU_AUTH_OK) {
		err_resp(resp, 401, "credentials needed (an admin token)");
		resp->www_authenticate = true;
	} else if (who.role != SETU_ROLE_ADMIN) {
		err_resp(resp, 403, "the sync status is for hub admins");
	} else if (strcmp(req->path, "/api/sync/status") != 0 &&
	           strcmp(req->path, "/api/sync/status/") != 0) {
		err_resp(resp, 404, "no such sync resource");
	} else if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		err_resp(resp, 405, "GET only");
		resp->allow = "GET";
	} else {
		json_t *v = NULL;
		int rc = setu_sync_status_json(s, &v);
		if (rc != 0)
			err_resp(resp, 500, setu_strerror(rc));
		else
			setu_http_resp_json(resp, 200, v);
	}
	return true;
}
