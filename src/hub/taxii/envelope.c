/* envelope.c — TAXII 2.1 §5.4 add objects: an envelope (§3.7) in, a status resource
 * (§4.3.1) out. Each object is validated (STIX 2.1, hub/stix/validate.h), given its
 * effective TLP (auth/marking.c) and written in one transaction with the status; the
 * answer (202) leaves only after COMMIT, so an acknowledged object is durable. A bad
 * object fails alone. */
#include "common/buf.h"
#include "common/limits.h"
#include "hub/auth/marking.h"
#include "hub/stix/validate.h"
#include "hub/store/writer.h"
#include "hub/taxii/envelope.h"
#include "hub/taxii/taxii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_uuid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		char ch = s[i];
		if (shape[i] == '-') {
			if (ch != '-')
				return false;
		} else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
		             (ch >= 'A' && ch <= 'F'))) {
			return false;
		}
	}
	return s[sizeof(shape) - 1] == '\0';
}

int setu_envelope_object_meta(const json_t *o, setu_envelope_meta_t *m, setu_diag_t *diag)
{
	memset(m, 0, sizeof(*m));
	if (!json_is_object(o))
		return setu_diag_set(diag, SETU_EINVAL, "object: not a JSON object");
	m->type = json_string_value(json_object_get(o, "type"));
	m->id = json_string_value(json_object_get(o, "id"));
	if (m->type == NULL)
		return setu_diag_set(diag, SETU_EINVAL, "type: missing or not a string");
	if (m->id == NULL)
		return setu_diag_set(diag, SETU_EINVAL, "id: missing or not a string");
	size_t tl = strlen(m->type);
	if (strncmp(m->id, m->type, tl) != 0 || strncmp(m->id + tl, "--", 2) != 0 ||
	    !is_uuid(m->id + tl + 2))
		return setu_diag_set(diag, SETU_EINVAL,
		                     "id: '%.80s' is not '%.40s--<UUID>' (lower-case)",
		                     m->id, m->type);
	m->spec_version = json_string_value(json_object_get(o, "spec_version"));
	if (m->spec_version == NULL)
		m->spec_version = "2.1"; /* SCOs may omit it (STIX 2.1 §6) */
	const char *keys[2] = {"modified", "created"};
	for (int k = 0; k < 2; k++) {
		const json_t *v = json_object_get(o, keys[k]);
		if (v == NULL)
			continue;
		const char *s = json_string_value(v);
		if (s == NULL || setu_ts_parse(s, &m->version_us) != 0)
			return setu_diag_set(diag, SETU_EINVAL,
			                     "%s: not a STIX timestamp", keys[k]);
		m->version_text = s;
		break;
	}
	if (m->version_text == NULL) {
		/* TAXII 2.1 §3.4.1: no modified/created — the version is date_added; one
		 * stored row per such object, re-adds are idempotent. */
		m->version_us = 0;
		m->version_text = "";
	}
	m->revoked = json_is_true(json_object_get(o, "revoked"));
	return 0;
}

static json_t *entry(const char *id, const char *version, const char *message)
{
	json_t *e = json_object();
	json_object_set_new(e, "id", json_string(id != NULL ? id : ""));
	if (version != NULL && version[0] != '\0')
		json_object_set_new(e, "version", json_string(version));
	if (message != NULL)
		json_object_set_new(e, "message", json_string(message));
	return e;
}

/* What finish() needs to write the status resource inside the transaction. */
typedef struct post_ctx {
	const taxii_call_t *c;
	char uuid[37];
	int64_t started;
	char *status; /* out: the status resource as served (malloc) */
} post_ctx_t;

static int finish(setu_write_job_t *job, setu_store_t *s)
{
	post_ctx_t *x = job->user;
	json_t *ok = json_array(), *bad = json_array();
	for (size_t i = 0; i < job->n; i++) {
		const setu_write_item_t *it = &job->items[i];
		if (it->rc == 0)
			json_array_append_new(ok, entry(it->id, it->version, NULL));
		else
			json_array_append_new(
			    bad, entry(it->id, it->version,
			               it->msg[0] ? it->msg : setu_strerror(it->rc)));
	}
	char ts[SETU_TS_LEN];
	setu_ts_format(x->started, ts, sizeof(ts));
	json_t *st = json_pack(
	    "{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "id", x->uuid, "status", "complete",
	    "request_timestamp", ts, "total_count", (json_int_t)job->n, "success_count",
	    (json_int_t)json_array_size(ok), "failure_count",
	    (json_int_t)json_array_size(bad), "pending_count", (json_int_t)0);
	if (st != NULL && json_array_size(ok) > 0)
		json_object_set(st, "successes", ok);
	if (st != NULL && json_array_size(bad) > 0)
		json_object_set(st, "failures", bad);
	json_decref(ok);
	json_decref(bad);
	free(x->status); /* a retried group runs finish again */
	x->status = st != NULL ? json_dumps(st, JSON_COMPACT) : NULL;
	json_decref(st);
	if (x->status == NULL)
		return SETU_ENOMEM;
	return s->ops->status_put(s, x->uuid, job->collection_id, job->member_id,
	                          job->org_id, x->status);
}

void taxii_objects_post(taxii_call_t *c)
{
	if (!taxii_load_collection(c, 'w'))
		return;
	json_error_t jerr;
	json_t *env = json_loadb(c->req->body != NULL ? c->req->body : "",
	                         c->req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (env == NULL) {
		taxii_error(c, 400, "Bad request",
		            "body: invalid JSON at line %d column %d: %s", jerr.line,
		            jerr.column, jerr.text);
		return;
	}
	json_t *objs = json_object_get(env, "objects");
	if (!json_is_object(env) || !json_is_array(objs)) {
		json_decref(env);
		taxii_error(c, 400, "Bad request",
		            "objects: the envelope must be a JSON object with an "
		            "'objects' array");
		return;
	}
	size_t n = json_array_size(objs);
	if (n > SETU_HUB_MAX_ENVELOPE_OBJECTS) {
		json_decref(env);
		taxii_error(c, 413, "Request entity too large",
		            "objects: %zu objects; at most %u per envelope", n,
		            SETU_HUB_MAX_ENVELOPE_OBJECTS);
		return;
	}
	post_ctx_t x = {.c = c, .started = setu_now_us()};
	setu_write_item_t *items = calloc(n > 0 ? n : 1, sizeof(*items));
	int rc = items != NULL ? setu_uuid4(x.uuid) : SETU_ENOMEM;

	/* Before the transaction: validate each object and work out its marking. */
	setu_store_t *s = c->t->store;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const json_t *o = json_array_get(objs, i);
		setu_write_item_t *it = &items[i];
		setu_diag_t d = {0};
		setu_envelope_meta_t m;
		int vr = setu_envelope_object_meta(o, &m, &d);
		if (vr == 0)
			vr = setu_stix_validate_object(o, &d);
		int tlp = SETU_HUB_TLP_UNMARKED;
		char recipients[SETU_RECIPIENTS_MAX];
		if (vr == 0)
			vr = setu_hub_object_marking(s, c->coll.id, o, &tlp, recipients,
			                             sizeof(recipients), &d);
		it->id = json_is_object(o) ? json_string_value(json_object_get(o, "id"))
		                           : NULL;
		it->version = m.version_text;
		if (vr != 0 && vr != SETU_EINVAL && vr != SETU_EMALFORMED &&
		    vr != SETU_ELIMIT) {
			rc = vr; /* the store or memory failed, not the object */
			break;
		}
		if (vr != 0) {
			it->rc = vr;
			memcpy(it->msg, d.msg, sizeof(it->msg));
			continue;
		}
		size_t n_refs = setu_hub_object_refs(o, NULL, 0);
		if (n_refs > SETU_HUB_MAX_REFS) {
			it->rc = SETU_ELIMIT;
			snprintf(it->msg, sizeof(it->msg),
			         "references: %zu *_ref/*_refs values; at most %u",
			         n_refs, SETU_HUB_MAX_REFS);
			continue;
		}
		const char **refs = n_refs > 0 ? malloc(n_refs * sizeof(*refs)) : NULL;
		if (n_refs > 0 && refs == NULL) {
			rc = SETU_ENOMEM;
			break;
		}
		setu_hub_object_refs(o, refs, n_refs);
		char *body = json_dumps(o, JSON_COMPACT);
		/* Named recipients are rare: keep a copy only when there are some. */
		bool named = strcmp(recipients, ",") != 0;
		char *rec = named ? strdup(recipients) : NULL;
		if (body == NULL || (named && rec == NULL)) {
			free(body);
			free(rec);
			free(refs);
			rc = SETU_ENOMEM;
			break;
		}
		it->write = true;
		it->so = (setu_store_obj_t){.stix_id = m.id,
		                            .type = m.type,
		                            .spec_version = m.spec_version,
		                            .version_text = m.version_text,
		                            .version_us = m.version_us,
		                            .body = body,
		                            .tlp = tlp,
		                            .recipients = rec,
		                            .refs = refs,
		                            .n_refs = n_refs,
		                            .revoked = m.revoked};
	}
	/* One durable transaction, shared with concurrent requests (group commit). */
	if (rc == 0) {
		setu_write_job_t job = {.collection_id = c->coll.id,
		                        .org_id = c->who.org_id,
		                        .member_id = c->who.member_id,
		                        .items = items,
		                        .n = n,
		                        .finish = finish,
		                        .user = &x};
		rc = setu_writer_run(c->t->writer, s, &job);
	}
	for (size_t i = 0; items != NULL && i < n; i++) {
		free((char *)items[i].so.body);
		free((char *)items[i].so.recipients);
		free((void *)items[i].so.refs);
	}
	free(items);
	json_decref(env);
	if (rc != 0) {
		free(x.status);
		taxii_error(c, rc == SETU_EAGAIN ? 503 : 500,
		            rc == SETU_EAGAIN ? "Service unavailable" : "Internal error",
		            "nothing was stored: %s", setu_strerror(rc));
		return;
	}
	taxii_body(c, 202, x.status, strlen(x.status));
}
