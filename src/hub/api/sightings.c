/* sightings.c — GET /api/sightings/top: sightings summed per indicator, organisation and
 * day, over what the requester may read (store object_query applies the ACL per row). */
#include "sightings.h"

#include "hub/auth/token.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct agg {
	setu_store_t *s;
	json_t *by_ind; /* indicator id → {"sightings": n, "by_org": {...}, "by_day":
	                   {...}} */
	json_t *names;  /* indicator id → name, for visible indicators */
	const setu_acl_ctx_t *acl;
	int64_t coll;
} agg_t;

static void bump(json_t *obj, const char *key, json_int_t n)
{
	json_t *v = json_object_get(obj, key);
	json_object_set_new(obj, key, json_integer(json_integer_value(v) + n));
}

static int on_sighting(void *user, const setu_obj_row_t *row)
{
	agg_t *a = user;
	json_t *o = json_loadb(row->body, row->body_len, 0, NULL);
	const char *ind = json_string_value(json_object_get(o, "sighting_of_ref"));
	if (ind == NULL || strncmp(ind, "indicator--", 11) != 0) {
		json_decref(o);
		return 0;
	}
	json_int_t count = json_is_integer(json_object_get(o, "count"))
	                       ? json_integer_value(json_object_get(o, "count"))
	                       : 1;
	const char *org = json_string_value(
	    json_array_get(json_object_get(o, "where_sighted_refs"), 0));
	const char *first = json_string_value(json_object_get(o, "first_seen"));
	if (first == NULL)
		first = json_string_value(json_object_get(o, "created"));
	char day[11] = "unknown";
	if (first != NULL && strlen(first) >= 10) {
		memcpy(day, first, 10);
		day[10] = '\0';
	}
	json_t *e = json_object_get(a->by_ind, ind);
	if (e == NULL) {
		e = json_pack("{s:I, s:{}, s:{}}", "sightings", (json_int_t)0, "by_org",
		              "by_day");
		json_object_set_new(a->by_ind, ind, e);
	}
	bump(e, "sightings", count);
	bump(json_object_get(e, "by_org"), org != NULL ? org : "unknown", count);
	bump(json_object_get(e, "by_day"), day, count);
	json_decref(o);
	return 0;
}

static int on_indicator(void *user, const setu_obj_row_t *row)
{
	agg_t *a = user;
	json_t *o = json_loadb(row->body, row->body_len, 0, NULL);
	const char *name = json_string_value(json_object_get(o, "name"));
	json_object_set_new(a->names, row->stix_id,
	                    json_string(name != NULL ? name : ""));
	json_decref(o);
	return 0;
}

typedef struct coll_walk {
	agg_t *a;
	const setu_principal_t *who;
	bool second_pass; /* look the indicators up */
	int rc;
} coll_walk_t;

static int on_collection(void *user, const setu_collection_t *c)
{
	coll_walk_t *w = user;
	if (!setu_acl_collection_can_read(w->who, c->is_public, c->grant_read))
		return 0;
	setu_acl_ctx_t ctx = {
	    .who = w->who, .coll_public = c->is_public, .coll_member = c->grant_read};
	setu_obj_query_t q = {.collection_id = c->id, .v_last = true, .acl = &ctx};
	bool more = false;
	if (!w->second_pass) {
		static const char *const types[] = {"sighting"};
		q.types = types;
		q.n_types = 1;
		w->rc = w->a->s->ops->object_query(w->a->s, &q, on_sighting, w->a, &more);
		return w->rc;
	}
	/* the indicators sighted, as this requester may see them in this collection */
	size_t n = json_object_size(w->a->by_ind);
	const char **ids = calloc(n > 0 ? n : 1, sizeof(*ids));
	if (ids == NULL)
		return w->rc = SETU_ENOMEM;
	size_t k = 0;
	const char *id;
	json_t *v;
	json_object_foreach(w->a->by_ind, id, v) ids[k++] = id;
	static const char *const itypes[] = {"indicator"};
	q.ids = ids;
	q.n_ids = k;
	q.types = itypes;
	q.n_types = 1;
	w->rc = k > 0 ? w->a->s->ops->object_query(w->a->s, &q, on_indicator, w->a, &more)
	              : 0;
	free(ids);
	return w->rc;
}

static int cmp_total(const void *x, const void *y)
{
	json_int_t a =
	    json_integer_value(json_object_get(*(json_t *const *)x, "sightings"));
	json_int_t b =
	    json_integer_value(json_object_get(*(json_t *const *)y, "sightings"));
	return a < b ? 1 : a > b ? -1 : 0;
}

bool setu_api_sightings_http(setu_store_t *s, const char *default_root,
                             const setu_http_req_t *req, setu_http_resp_t *resp)
{
	if (strncmp(req->path, "/api/sightings/", 15) != 0)
		return false;
	memset(resp, 0, sizeof(*resp));
	setu_principal_t who = {0};
	int a = setu_auth_header(s, req->authorization, &who);
	if (a < 0) {
		setu_http_resp_json(
		    resp, 500, json_pack("{s:s}", "error", "authentication store error"));
		return true;
	}
	if (a != SETU_AUTH_OK) {
		setu_http_resp_json(resp, 401,
		                    json_pack("{s:s}", "error", "credentials needed"));
		resp->www_authenticate = true;
		return true;
	}
	if (strcmp(req->path, "/api/sightings/top") != 0 &&
	    strcmp(req->path, "/api/sightings/top/") != 0) {
		setu_http_resp_json(resp, 404,
		                    json_pack("{s:s}", "error", "no such resource"));
		return true;
	}
	if (strcmp(req->method, "GET") != 0) {
		setu_http_resp_json(resp, 405, json_pack("{s:s}", "error", "GET only"));
		resp->allow = "GET";
		return true;
	}
	long limit = 20;
	for (size_t i = 0; i < req->n_args; i++) {
		if (strcmp(req->args[i].key, "limit") != 0)
			continue;
		char *end;
		limit = strtol(req->args[i].value, &end, 10);
		if (*end != '\0' || limit < 1 || limit > 1000) {
			setu_http_resp_json(
			    resp, 400,
			    json_pack("{s:s}", "error",
			              "limit: a whole number from 1 to 1000"));
			return true;
		}
	}
	setu_api_root_t root;
	if (s->ops->api_root_find(s, default_root, &root) != 0) {
		setu_http_resp_json(resp, 500,
		                    json_pack("{s:s}", "error", "no API root"));
		return true;
	}
	agg_t ag = {.s = s, .by_ind = json_object(), .names = json_object()};
	coll_walk_t w = {.a = &ag, .who = &who};
	int rc = s->ops->collection_list(s, root.id, who.org_id, on_collection, &w);
	if (rc == 0 && w.rc == 0) {
		w.second_pass = true;
		rc = s->ops->collection_list(s, root.id, who.org_id, on_collection, &w);
	}
	if (rc != 0 || w.rc != 0) {
		json_decref(ag.by_ind);
		json_decref(ag.names);
		setu_http_resp_json(resp, 500,
		                    json_pack("{s:s}", "error", "store error"));
		return true;
	}
	/* keep the indicators the requester may see; most sighted first */
	size_t n = json_object_size(ag.names);
	json_t **rows = calloc(n > 0 ? n : 1, sizeof(*rows));
	size_t k = 0;
	const char *id;
	json_t *name;
	json_object_foreach(ag.names, id, name)
	{
		if (rows == NULL)
			break;
		json_t *e = json_object_get(ag.by_ind, id);
		json_t *r = json_pack(
		    "{s:s, s:O, s:O, s:O, s:O}", "indicator", id, "name", name,
		    "sightings", json_object_get(e, "sightings"), "by_org",
		    json_object_get(e, "by_org"), "by_day", json_object_get(e, "by_day"));
		if (r != NULL)
			rows[k++] = r;
	}
	if (k > 1)
		qsort(rows, k, sizeof(*rows), cmp_total);
	json_t *top = json_array();
	for (size_t i = 0; i < k; i++) {
		if ((long)i < limit)
			json_array_append(top, rows[i]);
		json_decref(rows[i]);
	}
	free(rows);
	json_decref(ag.by_ind);
	json_decref(ag.names);
	setu_http_resp_json(resp, 200, json_pack("{s:o}", "top", top));
	return true;
}
