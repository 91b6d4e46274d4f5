/* discovery.c — TAXII 2.1 §4.1 server discovery, §4.2 API root information, §4.3 status,
 * §5.1 collections and §5.2 a collection. */
#include "common/limits.h"
#include "hub/taxii/taxii.h"

#include <stdio.h>
#include <string.h>

typedef struct roots_ctx {
	json_t *arr;
	const char *base; /* "http://host" or "" */
} roots_ctx_t;

static int add_root(void *u, const setu_api_root_t *r)
{
	roots_ctx_t *x = u;
	char url[512];
	snprintf(url, sizeof(url), "%s/%s/", x->base, r->path);
	json_array_append_new(x->arr, json_string(url));
	return 0;
}

void taxii_discovery(taxii_call_t *c)
{
	const setu_http_req_t *req = c->req;
	char base[300] = "";
	/* Absolute URLs when the client told us the host it used (RFC 9110 Host). */
	if (req->host != NULL && req->host[0] != '\0' && strlen(req->host) < 256 &&
	    strpbrk(req->host, "/\\ \"") == NULL)
		snprintf(base, sizeof(base), "%s://%s", req->tls ? "https" : "http",
		         req->host);
	json_t *d = json_object();
	json_object_set_new(d, "title", json_string(c->t->title));
	if (c->t->description != NULL)
		json_object_set_new(d, "description", json_string(c->t->description));
	roots_ctx_t x = {json_array(), base};
	int rc = c->t->store->ops->api_root_list(c->t->store, add_root, &x);
	if (rc != 0) {
		json_decref(x.arr);
		json_decref(d);
		taxii_error(c, 500, "Internal error", "store: %s", setu_strerror(rc));
		return;
	}
	if (c->t->default_root != NULL) {
		char url[512];
		snprintf(url, sizeof(url), "%s/%s/", base, c->t->default_root);
		json_object_set_new(d, "default", json_string(url));
	}
	json_object_set_new(d, "api_roots", x.arr);
	taxii_json(c, 200, d);
}

void taxii_api_root(taxii_call_t *c)
{
	setu_api_root_t r;
	int rc = c->t->store->ops->api_root_find(c->t->store, c->seg[0], &r);
	if (rc == SETU_ENOENT) {
		taxii_error(c, 404, "Not found", "API root '%s' does not exist",
		            c->seg[0]);
		return;
	}
	if (rc != 0) {
		taxii_error(c, 500, "Internal error", "store: %s", setu_strerror(rc));
		return;
	}
	json_t *o =
	    json_pack("{s:s, s:[s], s:I}", "title", r.title, "versions", SETU_TAXII_MEDIA,
	              "max_content_length", (json_int_t)c->t->max_content_length);
	if (r.description[0] != '\0')
		json_object_set_new(o, "description", json_string(r.description));
	taxii_json(c, 200, o);
}

static json_t *collection_json(const taxii_call_t *c, const setu_collection_t *k)
{
	json_t *o = json_pack(
	    "{s:s, s:s, s:b, s:b, s:[s]}", "id", k->uuid, "title", k->title, "can_read",
	    setu_acl_collection_can_read(&c->who, k->is_public, k->grant_read),
	    "can_write", setu_acl_collection_can_write(&c->who, k->grant_write),
	    "media_types", SETU_STIX_MEDIA);
	if (o != NULL && k->description[0] != '\0')
		json_object_set_new(o, "description", json_string(k->description));
	return o;
}

typedef struct coll_ctx {
	const taxii_call_t *c;
	json_t *arr;
} coll_ctx_t;

static int add_coll(void *u, const setu_collection_t *k)
{
	coll_ctx_t *x = u;
	if (setu_acl_collection_visible(&x->c->who, k->is_public, k->grant_read,
	                                k->grant_write))
		json_array_append_new(x->arr, collection_json(x->c, k));
	return 0;
}

void taxii_collections(taxii_call_t *c)
{
	setu_store_t *s = c->t->store;
	int rc = s->ops->api_root_find(s, c->seg[0], &c->root);
	if (rc == SETU_ENOENT) {
		taxii_error(c, 404, "Not found", "API root '%s' does not exist",
		            c->seg[0]);
		return;
	}
	coll_ctx_t x = {c, json_array()};
	if (rc == 0)
		rc = s->ops->collection_list(s, c->root.id, c->who.org_id, add_coll, &x);
	if (rc != 0) {
		json_decref(x.arr);
		taxii_error(c, 500, "Internal error", "store: %s", setu_strerror(rc));
		return;
	}
	/* Anonymous: the public collections; with none, ask for credentials. */
	if (!c->who.authenticated && json_array_size(x.arr) == 0) {
		json_decref(x.arr);
		taxii_error(c, 401, "Unauthorized",
		            "listing collections needs credentials");
		return;
	}
	json_t *o = json_object();
	if (json_array_size(x.arr) > 0)
		json_object_set_new(o, "collections", x.arr);
	else
		json_decref(x.arr);
	taxii_json(c, 200, o);
}

void taxii_collection(taxii_call_t *c)
{
	if (!taxii_load_collection(c, 0))
		return;
	taxii_json(c, 200, collection_json(c, &c->coll));
}

void taxii_status(taxii_call_t *c)
{
	setu_store_t *s = c->t->store;
	setu_api_root_t r;
	int rc = s->ops->api_root_find(s, c->seg[0], &r);
	if (rc == SETU_ENOENT) {
		taxii_error(c, 404, "Not found", "API root '%s' does not exist",
		            c->seg[0]);
		return;
	}
	if (!c->who.authenticated) {
		taxii_error(c, 401, "Unauthorized", "status resources need credentials");
		return;
	}
	char *body = NULL;
	if (rc == 0)
		rc = s->ops->status_get(s, c->seg[2], c->who.org_id, &body);
	if (rc == SETU_ENOENT) {
		taxii_error(c, 404, "Not found", "status '%s' does not exist", c->seg[2]);
		return;
	}
	if (rc != 0) {
		taxii_error(c, 500, "Internal error", "store: %s", setu_strerror(rc));
		return;
	}
	taxii_body(c, 200, body, strlen(body));
}
