/* envelope.c — TAXII 2.1 §5.4 add objects: an envelope (§3.7) in, a status resource
 * (§4.3.1) out. The envelope is split into its objects, each kept as the bytes it was
 * sent as; each is validated (STIX 2.1, hub/stix/validate.h) and given its effective
 * TLP (auth/marking.c), and handed to the writer thread (store/writer.h), which stores
 * it while the next ones are validated and writes the status in the same transaction;
 * the answer (202) leaves only after COMMIT, so an acknowledged object is durable. A bad
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

/* ------------------------------------------------------------- the envelope's objects */

/* JSON whitespace (RFC 8259 §2). */
static const char *ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The end of the value starting at p: the first ',' ']' or '}' outside strings and
 * brackets (or end). Brackets are only counted, not matched: jansson parses the value's
 * bytes afterwards and rejects what is not one well-formed value. */
static const char *value_end(const char *p, const char *end)
{
	size_t depth = 0;
	while (p < end) {
		char ch = *p;
		if (ch == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			if (p >= end)
				return end;
		} else if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			if (depth == 0)
				return p;
			depth--;
		} else if (ch == ',' && depth == 0) {
			return p;
		}
		p++;
	}
	return end;
}

/* The envelope's objects, each parsed alone, with the bytes it came from. */
typedef struct env {
	json_t *whole;    /* the slow path's parse of the envelope, else NULL */
	json_t **objs;    /* n owned references */
	const char **raw; /* fast path: each object's bytes in the body, else NULL */
	size_t *raw_len;
	size_t n, cap;
	bool fast; /* split by split_fast: raw[] holds each object's bytes */
} env_t;

static void env_free(env_t *e)
{
	for (size_t i = 0; i < e->n; i++)
		json_decref(e->objs[i]);
	free(e->objs);
	free(e->raw);
	free(e->raw_len);
	json_decref(e->whole);
	memset(e, 0, sizeof(*e));
}

static bool env_push(env_t *e, json_t *o, const char *raw, size_t len)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 256;
		json_t **objs = realloc(e->objs, cap * sizeof(*objs));
		if (objs != NULL)
			e->objs = objs;
		const char **r = realloc(e->raw, cap * sizeof(*r));
		if (r != NULL)
			e->raw = r;
		size_t *rl = realloc(e->raw_len, cap * sizeof(*rl));
		if (rl != NULL)
			e->raw_len = rl;
		if (objs == NULL || r == NULL || rl == NULL)
			return false;
		e->cap = cap;
	}
	e->objs[e->n] = o;
	e->raw[e->n] = raw;
	e->raw_len[e->n] = len;
	e->n++;
	return true;
}

/* The fast path: split the body {"objects":[o1, o2, ...], "more": ..., ...} into its
 * objects without parsing the envelope as a whole, so that each stored object keeps the
 * bytes it was sent as (no re-serialisation) — jansson has no way to say where a child
 * value lies in its input. Every byte is checked: the glue (brackets, keys, separators)
 * here, every value by jansson. Returns 1 when done, 0 to take the slow path (anything
 * unusual, including every error, which the slow path words), or SETU_ENOMEM. */
static int split_fast(const char *body, size_t len, env_t *e)
{
	const char *p = body, *end = body + len;
	bool have_objects = false;
	char seen[8][16]; /* top-level keys (no duplicates, as JSON_REJECT_DUPLICATES) */
	size_t n_seen = 0;
	p = ws(p, end);
	if (p >= end || *p++ != '{')
		return 0;
	p = ws(p, end);
	if (p < end && *p == '}')
		return 0; /* no objects: the slow path says so */
	for (;;) {
		/* "key": plain ASCII keys only */
		if (p >= end || *p++ != '"')
			return 0;
		const char *k = p;
		while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20 &&
		       (unsigned char)*p < 0x80)
			p++;
		if (p >= end || *p != '"')
			return 0;
		size_t klen = (size_t)(p - k);
		p = ws(p + 1, end);
		if (p >= end || *p++ != ':' || klen >= sizeof(seen[0]) || n_seen == 8)
			return 0;
		for (size_t i = 0; i < n_seen; i++)
			if (strlen(seen[i]) == klen && memcmp(seen[i], k, klen) == 0)
				return 0;
		memcpy(seen[n_seen], k, klen);
		seen[n_seen++][klen] = '\0';
		p = ws(p, end);
		if (klen == 7 && memcmp(k, "objects", 7) == 0) {
			if (p >= end || *p++ != '[')
				return 0;
			have_objects = true;
			p = ws(p, end);
			if (p < end && *p == ']')
				p++;
			else
				for (;;) {
					const char *v = p, *ve = value_end(p, end);
					size_t vlen = (size_t)(ve - v);
					while (vlen > 0 && (v[vlen - 1] == ' ' ||
					                    v[vlen - 1] == '\t' ||
					                    v[vlen - 1] == '\n' ||
					                    v[vlen - 1] == '\r'))
						vlen--;
					json_t *o = json_loadb(v, vlen,
					                       JSON_REJECT_DUPLICATES |
					                           JSON_DECODE_ANY,
					                       NULL);
					if (o == NULL)
						return 0;
					if (e->n >= SETU_HUB_MAX_ENVELOPE_OBJECTS) {
						json_decref(o);
						return 0; /* the slow path answers 413 */
					}
					if (!env_push(e, o, v, vlen)) {
						json_decref(o);
						return SETU_ENOMEM;
					}
					p = ve;
					if (p >= end)
						return 0;
					if (*p == ']') {
						p++;
						break;
					}
					if (*p++ != ',')
						return 0;
					p = ws(p, end);
				}
		} else {
			/* Any other member ("more", "next", ...): checked by jansson. */
			const char *v = p, *ve = value_end(p, end);
			json_t *x =
			    json_loadb(v, (size_t)(ve - v),
			               JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
			if (x == NULL)
				return 0;
			json_decref(x);
			p = ve;
		}
		p = ws(p, end);
		if (p >= end)
			return 0;
		if (*p == '}')
			break;
		if (*p++ != ',')
			return 0;
		p = ws(p, end);
	}
	p = ws(p + 1, end);
	return p == end && have_objects ? 1 : 0;
}

/* The objects of the envelope, or an answer already sent (returns false). */
static bool load_envelope(taxii_call_t *c, env_t *e)
{
	const char *body = c->req->body != NULL ? c->req->body : "";
	size_t len = c->req->body_len;
	memset(e, 0, sizeof(*e));
	int fast = split_fast(body, len, e);
	if (fast == 1) {
		e->fast = true;
		return true;
	}
	env_free(e);
	if (fast < 0) {
		taxii_error(c, 500, "Internal error", "nothing was stored: %s",
		            setu_strerror(fast));
		return false;
	}
	/* The slow path: the envelope as one document (also words every error). */
	json_error_t jerr;
	e->whole = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (e->whole == NULL) {
		taxii_error(c, 400, "Bad request",
		            "body: invalid JSON at line %d column %d: %s", jerr.line,
		            jerr.column, jerr.text);
		return false;
	}
	json_t *objs = json_object_get(e->whole, "objects");
	if (!json_is_object(e->whole) || !json_is_array(objs)) {
		env_free(e);
		taxii_error(c, 400, "Bad request",
		            "objects: the envelope must be a JSON object with an "
		            "'objects' array");
		return false;
	}
	size_t n = json_array_size(objs);
	if (n > SETU_HUB_MAX_ENVELOPE_OBJECTS) {
		env_free(e);
		taxii_error(c, 413, "Request entity too large",
		            "objects: %zu objects; at most %u per envelope", n,
		            SETU_HUB_MAX_ENVELOPE_OBJECTS);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(objs, i);
		if (!env_push(e, json_incref(o), NULL, 0)) {
			json_decref(o);
			env_free(e);
			taxii_error(c, 500, "Internal error", "nothing was stored: %s",
			            setu_strerror(SETU_ENOMEM));
			return false;
		}
	}
	return true;
}

/* ------------------------------------------------------------------------ the status */

/* One status-details entry (TAXII 2.1 §4.3.1), whose version is required: an object with
 * neither modified nor created is versioned by its date_added (§3.4.1); one that was not
 * stored has none, and the request's timestamp stands in for it. */
static void entry(setu_json_t *j, const setu_write_item_t *it, const char *request_ts,
                  const char *message)
{
	char added[SETU_TS_LEN];
	const char *version = it->version;
	if (version == NULL || version[0] == '\0') {
		version = request_ts;
		if (it->rc == 0) {
			setu_ts_format(it->so.date_added_us, added, sizeof(added));
			version = added;
		}
	}
	setu_json_open_object(j, NULL);
	setu_json_str(j, "id", it->id != NULL ? it->id : "");
	setu_json_str(j, "version", version);
	if (message != NULL)
		setu_json_str(j, "message", message);
	setu_json_close_object(j);
}

/* What finish() needs to write the status resource inside the transaction. */
typedef struct post_ctx {
	const taxii_call_t *c;
	char uuid[37];
	int64_t started;
	char *status; /* out: the status resource as served (malloc) */
} post_ctx_t;

/* The status resource (TAXII 2.1 §4.3.1), written directly: building it as a jansson
 * tree cost more than the inserts of the objects it reports on. */
static int finish(setu_write_job_t *job, setu_store_t *s)
{
	post_ctx_t *x = job->user;
	size_t ok = 0;
	for (size_t i = 0; i < job->n; i++)
		ok += job->items[i].rc == 0;
	char ts[SETU_TS_LEN];
	setu_ts_format(x->started, ts, sizeof(ts));
	setu_buf_t b;
	setu_buf_init(&b, 0);
	setu_json_t j;
	setu_json_init(&j, &b);
	setu_json_open_object(&j, NULL);
	setu_json_str(&j, "id", x->uuid);
	setu_json_str(&j, "status", "complete");
	setu_json_str(&j, "request_timestamp", ts);
	setu_json_u64(&j, "total_count", job->n);
	setu_json_u64(&j, "success_count", ok);
	setu_json_u64(&j, "failure_count", job->n - ok);
	setu_json_u64(&j, "pending_count", 0);
	for (int pass = 0; pass < 2; pass++) {
		if ((pass == 0 ? ok : job->n - ok) == 0)
			continue;
		setu_json_open_array(&j, pass == 0 ? "successes" : "failures");
		for (size_t i = 0; i < job->n; i++) {
			const setu_write_item_t *it = &job->items[i];
			if (pass == 0 && it->rc == 0)
				entry(&j, it, ts, NULL);
			else if (pass == 1 && it->rc != 0)
				entry(&j, it, ts,
				      it->msg[0] ? it->msg : setu_strerror(it->rc));
		}
		setu_json_close_array(&j);
	}
	setu_json_close_object(&j);
	free(x->status); /* a retried group runs finish again */
	x->status = NULL;
	if (!setu_buf_ok(&b)) {
		setu_buf_free(&b);
		return SETU_ENOMEM;
	}
	x->status = b.data; /* the buffer's bytes, NUL-terminated */
	return s->ops->status_put(s, x->uuid, job->collection_id, job->member_id,
	                          job->org_id, x->status);
}

/* --------------------------------------------------------------------------- POST */

/* Objects handed to the writer at a time: small enough that the writer starts inserting
 * early, large enough that its wake-ups cost little. */
#define READY_STEP 32

/* Validate one object, work out its marking and fill its write item. Returns 0 (the
 * object's own failure is in it->rc) or a failure of the store or of memory. */
static int prepare(taxii_call_t *c, const json_t *o, const char *raw, size_t raw_len,
                   setu_write_item_t *it, char **dumped)
{
	setu_store_t *s = c->t->store;
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
	it->id = json_is_object(o) ? json_string_value(json_object_get(o, "id")) : NULL;
	it->version = m.version_text;
	if (vr != 0 && vr != SETU_EINVAL && vr != SETU_EMALFORMED && vr != SETU_ELIMIT)
		return vr; /* the store or memory failed, not the object */
	if (vr != 0) {
		it->rc = vr;
		memcpy(it->msg, d.msg, sizeof(it->msg));
		return 0;
	}
	const char *few[16];
	size_t n_refs = setu_hub_object_refs(o, few, 16);
	if (n_refs > SETU_HUB_MAX_REFS) {
		it->rc = SETU_ELIMIT;
		snprintf(it->msg, sizeof(it->msg),
		         "references: %zu *_ref/*_refs values; at most %u", n_refs,
		         SETU_HUB_MAX_REFS);
		return 0;
	}
	const char **refs = n_refs > 0 ? malloc(n_refs * sizeof(*refs)) : NULL;
	if (n_refs > 0 && refs == NULL)
		return SETU_ENOMEM;
	if (n_refs > 16)
		setu_hub_object_refs(o, refs, n_refs);
	else if (n_refs > 0)
		memcpy(refs, few, n_refs * sizeof(*refs));
	/* The bytes as received when the envelope was split (fast path), else compact
	 * JSON of the parsed object. */
	const char *body = raw;
	if (body == NULL) {
		*dumped = json_dumps(o, JSON_COMPACT);
		body = *dumped;
		raw_len = 0;
	}
	/* Named recipients are rare: keep a copy only when there are some. */
	bool named = strcmp(recipients, ",") != 0;
	char *rec = named ? strdup(recipients) : NULL;
	if (body == NULL || (named && rec == NULL)) {
		free(rec);
		free(refs);
		return SETU_ENOMEM;
	}
	it->write = true;
	it->so = (setu_store_obj_t){.stix_id = m.id,
	                            .type = m.type,
	                            .spec_version = m.spec_version,
	                            .version_text = m.version_text,
	                            .version_us = m.version_us,
	                            .body = body,
	                            .body_len = raw_len,
	                            .tlp = tlp,
	                            .recipients = rec,
	                            .refs = refs,
	                            .n_refs = n_refs,
	                            .revoked = m.revoked};
	return 0;
}

void taxii_objects_post(taxii_call_t *c)
{
	if (!taxii_load_collection(c, 'w'))
		return;
	env_t e;
	if (!load_envelope(c, &e))
		return;
	size_t n = e.n;
	post_ctx_t x = {.c = c, .started = setu_now_us()};
	setu_write_item_t *items = calloc(n > 0 ? n : 1, sizeof(*items));
	char **dumped = !e.fast ? calloc(n > 0 ? n : 1, sizeof(*dumped)) : NULL;
	int rc = items != NULL && (e.fast || dumped != NULL) ? setu_uuid4(x.uuid)
	                                                     : SETU_ENOMEM;
	if (rc == 0) {
		/* Each object is validated and given its marking here, while the writer
		 * thread already stores the ones before it; one durable transaction,
		 * shared with concurrent requests (group commit), acknowledged after
		 * COMMIT. */
		setu_writer_t *w = c->t->writer;
		setu_write_job_t job = {.collection_id = c->coll.id,
		                        .org_id = c->who.org_id,
		                        .member_id = c->who.member_id,
		                        .items = items,
		                        .n = n,
		                        .finish = finish,
		                        .user = &x};
		setu_writer_begin(w, c->t->store, &job);
		for (size_t i = 0; rc == 0 && i < n; i++) {
			rc = prepare(c, e.objs[i], e.fast ? e.raw[i] : NULL,
			             e.fast ? e.raw_len[i] : 0, &items[i],
			             dumped != NULL ? &dumped[i] : NULL);
			if (rc == 0 && ((i + 1) % READY_STEP == 0 || i + 1 == n))
				setu_writer_ready(w, &job, i + 1);
		}
		rc = setu_writer_end(w, &job, rc);
	}
	for (size_t i = 0; items != NULL && i < n; i++) {
		free((char *)items[i].so.recipients);
		free((void *)items[i].so.refs);
		if (dumped != NULL)
			free(dumped[i]);
	}
	free(items);
	free(dumped);
	env_free(&e);
	if (rc != 0) {
		free(x.status);
		taxii_error(c, rc == SETU_EAGAIN ? 503 : 500,
		            rc == SETU_EAGAIN ? "Service unavailable" : "Internal error",
		            "nothing was stored: %s", setu_strerror(rc));
		return;
	}
	taxii_body(c, 202, x.status, strlen(x.status));
}
