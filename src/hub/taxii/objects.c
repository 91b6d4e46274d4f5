/* objects.c — TAXII 2.1 §5.3 get objects, §5.5 get an object, §5.6 delete an object,
 * §5.7 object versions and §5.4 manifest, with the §3.4 filters (match[id|type|version|
 * spec_version], added_after) and §3.5 pagination (limit, next, more). Every row comes
 * from store->object_query, which applies acl.c's read check to each candidate row. */
#include "common/buf.h"
#include "common/limits.h"
#include "hub/store/writer.h"
#include "hub/taxii/taxii.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXV SETU_HUB_MAX_MATCH_VALUES

typedef struct filters {
	const char *ids[MAXV];
	size_t n_ids;
	const char *types[MAXV];
	size_t n_types;
	const char *specs[MAXV];
	size_t n_specs;
	int64_t v_ts[MAXV];
	size_t n_v_ts;
	bool v_all, v_first, v_last, v_given;
	bool has_added_after;
	int64_t added_after;
	size_t limit;
	bool has_cursor;
	int64_t cur_added, cur_row;
	char
	    *copies[SETU_HUB_MAX_QUERY_ARGS]; /* owned: split copies of argument values */
	size_t n_copies;
} filters_t;

static void filters_free(filters_t *f)
{
	for (size_t i = 0; i < f->n_copies; i++)
		free(f->copies[i]);
}

/* Split a comma list into out[]; false when over the cap (error filled). */
static bool split_list(taxii_call_t *c, filters_t *f, const char *key, const char *val,
                       const char **out, size_t *n)
{
	if (f->n_copies == SETU_HUB_MAX_QUERY_ARGS) {
		taxii_error(c, 400, "Bad request", "too many query arguments");
		return false;
	}
	char *copy = strdup(val);
	if (copy == NULL) {
		taxii_error(c, 500, "Internal error", "out of memory");
		return false;
	}
	f->copies[f->n_copies++] = copy;
	char *save = NULL;
	for (char *p = strtok_r(copy, ",", &save); p != NULL;
	     p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			continue;
		if (*n == MAXV) {
			taxii_error(c, 400, "Bad request", "%s: more than %u values", key,
			            MAXV);
			return false;
		}
		out[(*n)++] = p;
	}
	return true;
}

static bool parse_next(const char *s, int64_t *added, int64_t *row)
{
	char *end = NULL;
	errno = 0;
	long long a = strtoll(s, &end, 16);
	if (errno != 0 || end == s || *end != '.' || a < 0)
		return false;
	const char *r = end + 1;
	long long b = strtoll(r, &end, 16);
	if (errno != 0 || end == r || *end != '\0' || b < 0)
		return false;
	*added = a;
	*row = b;
	return true;
}

/* Parse the filters this endpoint accepts. allow_version: match[version] is meaningful.
 */
static bool parse_filters(taxii_call_t *c, filters_t *f, bool allow_version,
                          bool allow_id)
{
	memset(f, 0, sizeof(*f));
	f->limit = SETU_HUB_PAGE_MAX;
	for (size_t i = 0; i < c->req->n_args; i++) {
		const char *k = c->req->args[i].key, *v = c->req->args[i].value;
		if (v == NULL)
			v = "";
		if (strcmp(k, "match[id]") == 0 && allow_id) {
			if (!split_list(c, f, k, v, f->ids, &f->n_ids))
				return false;
		} else if (strcmp(k, "match[type]") == 0 && allow_id) {
			if (!split_list(c, f, k, v, f->types, &f->n_types))
				return false;
		} else if (strcmp(k, "match[spec_version]") == 0) {
			if (!split_list(c, f, k, v, f->specs, &f->n_specs))
				return false;
		} else if (strcmp(k, "match[version]") == 0 && allow_version) {
			const char *vals[MAXV];
			size_t n = 0;
			if (!split_list(c, f, k, v, vals, &n))
				return false;
			f->v_given = true;
			for (size_t j = 0; j < n; j++) {
				if (strcmp(vals[j], "all") == 0)
					f->v_all = true;
				else if (strcmp(vals[j], "first") == 0)
					f->v_first = true;
				else if (strcmp(vals[j], "last") == 0)
					f->v_last = true;
				else if (setu_ts_parse(vals[j], &f->v_ts[f->n_v_ts]) == 0)
					f->n_v_ts++;
				else {
					taxii_error(c, 400, "Bad request",
					            "match[version]: '%s' is not all, "
					            "first, last or a "
					            "timestamp",
					            vals[j]);
					return false;
				}
			}
		} else if (strcmp(k, "added_after") == 0) {
			if (setu_ts_parse(v, &f->added_after) != 0) {
				taxii_error(c, 400, "Bad request",
				            "added_after: '%s' is not a timestamp "
				            "(YYYY-MM-DDTHH:MM:SS[.s]Z)",
				            v);
				return false;
			}
			f->has_added_after = true;
		} else if (strcmp(k, "limit") == 0) {
			char *end = NULL;
			errno = 0;
			unsigned long long l = strtoull(v, &end, 10);
			if (v[0] < '0' || v[0] > '9' || errno != 0 || *end != '\0' ||
			    l == 0) {
				taxii_error(c, 400, "Bad request",
				            "limit: '%s' is not a positive integer", v);
				return false;
			}
			f->limit = l > SETU_HUB_PAGE_MAX ? SETU_HUB_PAGE_MAX : (size_t)l;
		} else if (strcmp(k, "next") == 0) {
			if (!parse_next(v, &f->cur_added, &f->cur_row)) {
				taxii_error(
				    c, 400, "Bad request",
				    "next: '%s' is not a value this server handed out",
				    v);
				return false;
			}
			f->has_cursor = true;
		}
		/* Other arguments are ignored (§3.4: unknown filters are not an error).
		 */
	}
	return true;
}

static void to_query(const taxii_call_t *c, const filters_t *f, const setu_acl_ctx_t *acl,
                     setu_obj_query_t *q)
{
	memset(q, 0, sizeof(*q));
	q->collection_id = c->coll.id;
	q->ids = f->ids;
	q->n_ids = f->n_ids;
	q->types = f->types;
	q->n_types = f->n_types;
	q->spec_versions = f->specs;
	q->n_spec_versions = f->n_specs;
	q->v_all = f->v_all;
	q->v_first = f->v_first;
	q->v_last = f->v_last;
	q->v_ts = f->v_ts;
	q->n_v_ts = f->n_v_ts;
	q->has_added_after = f->has_added_after;
	q->added_after_us = f->added_after;
	q->has_cursor = f->has_cursor;
	q->cursor_added_us = f->cur_added;
	q->cursor_row = f->cur_row;
	q->limit = f->limit;
	q->acl = acl;
}

/* ---------------------------------------------------------------- page writer */

enum page_kind { PAGE_OBJECTS, PAGE_MANIFEST, PAGE_VERSIONS };

typedef struct audit_item {
	char *id;
	char *version;
} audit_item_t;

typedef struct page {
	enum page_kind kind;
	setu_buf_t buf;
	setu_json_t j;
	size_t n;
	int64_t first_added, last_added, last_row;
	audit_item_t
	    *audit; /* AMBER/RED rows served, recorded before the answer leaves */
	size_t n_audit, cap_audit;
	bool oom;
} page_t;

static int page_row(void *u, const setu_obj_row_t *r)
{
	page_t *p = u;
	if (p->n == 0)
		p->first_added = r->date_added_us;
	p->last_added = r->date_added_us;
	p->last_row = r->row;
	p->n++;
	if (p->kind == PAGE_OBJECTS) {
		setu_json_raw(&p->j, NULL, r->body, r->body_len);
	} else if (p->kind == PAGE_VERSIONS) {
		setu_json_str(&p->j, NULL, r->version_text);
	} else {
		char ts[SETU_TS_LEN];
		setu_ts_format(r->date_added_us, ts, sizeof(ts));
		setu_json_open_object(&p->j, NULL);
		setu_json_str(&p->j, "id", r->stix_id);
		setu_json_str(&p->j, "date_added", ts);
		setu_json_str(&p->j, "version", r->version_text);
		setu_json_str(&p->j, "media_type", SETU_STIX_MEDIA);
		setu_json_close_object(&p->j);
	}
	if (setu_acl_read_is_audited(r->tlp) && p->kind != PAGE_VERSIONS) {
		if (p->n_audit == p->cap_audit) {
			size_t cap = p->cap_audit ? 2 * p->cap_audit : 16;
			audit_item_t *a = realloc(p->audit, cap * sizeof(*a));
			if (a == NULL) {
				p->oom = true;
				return SETU_ENOMEM;
			}
			p->audit = a;
			p->cap_audit = cap;
		}
		audit_item_t *it = &p->audit[p->n_audit++];
		it->id = strdup(r->stix_id);
		it->version = strdup(r->version_text);
		if (it->id == NULL || it->version == NULL) {
			p->oom = true;
			return SETU_ENOMEM;
		}
	}
	return setu_buf_ok(&p->buf) ? 0 : SETU_ENOMEM;
}

static void page_free(page_t *p)
{
	for (size_t i = 0; i < p->n_audit; i++) {
		free(p->audit[i].id);
		free(p->audit[i].version);
	}
	free(p->audit);
	setu_buf_free(&p->buf);
}

/* Record the audited reads (who, when, what) in one transaction. */
typedef struct audit_ctx {
	const taxii_call_t *c;
	const page_t *p;
} audit_ctx_t;

static int audit_reads(setu_write_job_t *job, setu_store_t *s)
{
	const audit_ctx_t *x = job->user;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < x->p->n_audit; i++) {
		setu_audit_t a = {.member_id = x->c->who.member_id,
		                  .org_id = x->c->who.org_id,
		                  .action = "read",
		                  .collection_id = x->c->coll.id,
		                  .object_id = x->p->audit[i].id,
		                  .version = x->p->audit[i].version,
		                  .detail = x->c->req->path};
		rc = s->ops->audit_add(s, &a);
	}
	return rc;
}

/* Record the audited reads (who, when, what) durably before the answer leaves; the
 * records share the group commit of concurrent writes. */
static int write_audit(taxii_call_t *c, const page_t *p)
{
	if (p->n_audit == 0)
		return 0;
	audit_ctx_t x = {c, p};
	setu_write_job_t job = {.collection_id = c->coll.id,
	                        .org_id = c->who.org_id,
	                        .member_id = c->who.member_id,
	                        .finish = audit_reads,
	                        .user = &x};
	return setu_writer_run(c->t->writer, c->t->store, &job);
}

/* Run the query and answer with an envelope / manifest / versions resource. */
static void serve_page(taxii_call_t *c, const setu_obj_query_t *q, enum page_kind kind)
{
	page_t p = {.kind = kind};
	setu_buf_init(&p.buf, 0);
	setu_json_init(&p.j, &p.buf);
	setu_json_open_object(&p.j, NULL);
	setu_json_open_array(&p.j, kind == PAGE_OBJECTS    ? "objects"
	                           : kind == PAGE_MANIFEST ? "objects"
	                                                   : "versions");
	bool more = false;
	int rc = c->t->store->ops->object_query(c->t->store, q, page_row, &p, &more);
	if (rc == 0 && (p.oom || !setu_buf_ok(&p.buf)))
		rc = SETU_ENOMEM;
	if (rc == 0)
		rc = write_audit(c, &p);
	if (rc != 0) {
		page_free(&p);
		taxii_error(c, 500, "Internal error", "store: %s", setu_strerror(rc));
		return;
	}
	setu_json_close_array(&p.j);
	setu_json_bool(&p.j, "more", more);
	if (more) {
		char next[64];
		snprintf(next, sizeof(next), "%" PRIx64 ".%" PRIx64,
		         (uint64_t)p.last_added, (uint64_t)p.last_row);
		setu_json_str(&p.j, "next", next);
	}
	setu_json_close_object(&p.j);
	if (!setu_buf_ok(&p.buf)) {
		page_free(&p);
		taxii_error(c, 500, "Internal error", "out of memory");
		return;
	}
	if (p.n > 0) {
		setu_ts_format(p.first_added, c->resp->added_first,
		               sizeof(c->resp->added_first));
		setu_ts_format(p.last_added, c->resp->added_last,
		               sizeof(c->resp->added_last));
	}
	char *body = p.buf.data;
	size_t len = p.buf.len;
	p.buf.data = NULL;
	p.buf.len = p.buf.cap = 0;
	page_free(&p);
	taxii_body(c, 200, body, len);
}

/* ---------------------------------------------------------------- endpoints */

void taxii_objects_get(taxii_call_t *c)
{
	if (!taxii_load_collection(c, 'r'))
		return;
	filters_t f;
	if (parse_filters(c, &f, true, true)) {
		setu_acl_ctx_t acl;
		taxii_acl_ctx(c, &acl);
		setu_obj_query_t q;
		to_query(c, &f, &acl, &q);
		serve_page(c, &q, PAGE_OBJECTS);
	}
	filters_free(&f);
}

void taxii_manifest(taxii_call_t *c)
{
	if (!taxii_load_collection(c, 'r'))
		return;
	filters_t f;
	if (parse_filters(c, &f, true, true)) {
		setu_acl_ctx_t acl;
		taxii_acl_ctx(c, &acl);
		setu_obj_query_t q;
		to_query(c, &f, &acl, &q);
		serve_page(c, &q, PAGE_MANIFEST);
	}
	filters_free(&f);
}

static int count_row(void *u, const setu_obj_row_t *r)
{
	(void)r;
	(*(size_t *)u)++;
	return 0;
}

/* Does any version of seg[4] exist that the requester may see? */
static int object_exists(taxii_call_t *c, const setu_acl_ctx_t *acl, bool *exists)
{
	const char *ids[1] = {c->seg[4]};
	setu_obj_query_t q = {.collection_id = c->coll.id,
	                      .ids = ids,
	                      .n_ids = 1,
	                      .v_all = true,
	                      .limit = 1,
	                      .acl = acl};
	size_t n = 0;
	bool more;
	int rc = c->t->store->ops->object_query(c->t->store, &q, count_row, &n, &more);
	*exists = n > 0;
	return rc;
}

static void one_object(taxii_call_t *c, enum page_kind kind)
{
	if (!taxii_load_collection(c, 'r'))
		return;
	filters_t f;
	setu_acl_ctx_t acl;
	taxii_acl_ctx(c, &acl);
	bool exists = false;
	int rc = object_exists(c, &acl, &exists);
	if (rc != 0) {
		taxii_error(c, 500, "Internal error", "store: %s", setu_strerror(rc));
		return;
	}
	if (!exists) {
		taxii_error(c, 404, "Not found",
		            "object '%s' does not exist in this collection", c->seg[4]);
		return;
	}
	if (parse_filters(c, &f, kind == PAGE_OBJECTS, false)) {
		const char *ids[1] = {c->seg[4]};
		f.n_ids = 0;
		setu_obj_query_t q;
		to_query(c, &f, &acl, &q);
		q.ids = ids;
		q.n_ids = 1;
		if (kind == PAGE_VERSIONS)
			q.v_all = true;
		serve_page(c, &q, kind);
	}
	filters_free(&f);
}

void taxii_object_get(taxii_call_t *c)
{
	one_object(c, PAGE_OBJECTS);
}

void taxii_versions(taxii_call_t *c)
{
	one_object(c, PAGE_VERSIONS);
}

void taxii_object_delete(taxii_call_t *c)
{
	/* §5.6: deleting needs write access to the collection. */
	if (!taxii_load_collection(c, 'w'))
		return;
	setu_acl_ctx_t acl;
	taxii_acl_ctx(c, &acl);
	bool exists = false;
	int rc = object_exists(c, &acl, &exists);
	if (rc != 0) {
		taxii_error(c, 500, "Internal error", "store: %s", setu_strerror(rc));
		return;
	}
	if (!exists) {
		taxii_error(c, 404, "Not found",
		            "object '%s' does not exist in this collection", c->seg[4]);
		return;
	}
	filters_t f;
	if (!parse_filters(c, &f, true, false)) {
		filters_free(&f);
		return;
	}
	const char *ids[1] = {c->seg[4]};
	setu_obj_query_t q;
	to_query(c, &f, &acl, &q);
	q.ids = ids;
	q.n_ids = 1;
	q.limit = 0;
	q.has_cursor = false;
	if (!f.v_given)
		q.v_all = true; /* no match[version]: every version goes */
	if (c->who.role != SETU_ROLE_ADMIN)
		q.producer_org =
		    c->who.org_id; /* only the producing organisation deletes */
	size_t deleted = 0;
	rc = c->t->store->ops->object_delete(c->t->store, &q, &deleted);
	filters_free(&f);
	if (rc != 0) {
		taxii_error(c, 500, "Internal error", "store: %s", setu_strerror(rc));
		return;
	}
	if (deleted == 0 && c->who.role != SETU_ROLE_ADMIN) {
		/* It exists and is visible: either another organisation produced it, or
		 * the version filter matched nothing. Tell which. */
		q.producer_org = 0;
		q.limit = 1;
		size_t n = 0;
		bool more;
		rc =
		    c->t->store->ops->object_query(c->t->store, &q, count_row, &n, &more);
		if (rc == 0 && n > 0) {
			taxii_error(c, 403, "Forbidden",
			            "object '%s' was produced by another organisation",
			            c->seg[4]);
			return;
		}
	}
	setu_store_t *s = c->t->store;
	char detail[64];
	snprintf(detail, sizeof(detail), "%zu version(s)", deleted);
	setu_audit_t a = {.member_id = c->who.member_id,
	                  .org_id = c->who.org_id,
	                  .action = "delete",
	                  .collection_id = c->coll.id,
	                  .object_id = c->seg[4],
	                  .detail = detail};
	rc = s->ops->begin_write(s);
	if (rc == 0)
		rc = s->ops->audit_add(s, &a);
	if (rc == 0)
		rc = s->ops->commit(s);
	if (rc != 0) {
		s->ops->rollback(s);
		taxii_error(c, 500, "Internal error", "audit: %s", setu_strerror(rc));
		return;
	}
	taxii_body(c, 200, NULL, 0);
}
