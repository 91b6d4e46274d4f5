/* router.c — TAXII 2.1 request dispatch: the static route table (§4-§5 endpoints),
 * authentication (§1.6.8: 401 without/with bad credentials), media-type negotiation
 * (§1.6.8.1: 406 on Accept, 415 on Content-Type), body limit (413) and error messages
 * (§3.6.1). */
#include "hub/auth/token.h"
#include "hub/taxii/taxii.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { M_GET = 1, M_POST = 2, M_DELETE = 4 };

typedef struct route {
	const char *pattern[7]; /* NULL-terminated; "*" matches one segment */
	int methods;
	const char *allow;
	bool wants_body;
	void (*get)(taxii_call_t *);
	void (*post)(taxii_call_t *);
	void (*del)(taxii_call_t *);
} route_t;

/* The whole TAXII 2.1 surface, in one table. seg[0] is the API root (or "taxii2"). */
static const route_t routes[] = {
    {{"taxii2", NULL}, M_GET, "GET", false, taxii_discovery, NULL, NULL},
    {{"*", NULL}, M_GET, "GET", false, taxii_api_root, NULL, NULL},
    {{"*", "collections", NULL}, M_GET, "GET", false, taxii_collections, NULL, NULL},
    {{"*", "collections", "*", NULL}, M_GET, "GET", false, taxii_collection, NULL, NULL},
    {{"*", "collections", "*", "objects", NULL},
     M_GET | M_POST,
     "GET, POST",
     true,
     taxii_objects_get,
     taxii_objects_post,
     NULL},
    {{"*", "collections", "*", "objects", "*", NULL},
     M_GET | M_DELETE,
     "GET, DELETE",
     false,
     taxii_object_get,
     NULL,
     taxii_object_delete},
    {{"*", "collections", "*", "objects", "*", "versions", NULL},
     M_GET,
     "GET",
     false,
     taxii_versions,
     NULL,
     NULL},
    {{"*", "collections", "*", "manifest", NULL},
     M_GET,
     "GET",
     false,
     taxii_manifest,
     NULL,
     NULL},
    {{"*", "status", "*", NULL}, M_GET, "GET", false, taxii_status, NULL, NULL},
};

void setu_http_resp_clear(setu_http_resp_t *resp)
{
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

void setu_http_resp_json(setu_http_resp_t *resp, int status, json_t *v)
{
	resp->status = status;
	resp->content_type = "application/json";
	resp->body = v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;
	resp->body_len = resp->body != NULL ? strlen(resp->body) : 0;
	json_decref(v);
}

void taxii_body(taxii_call_t *c, int status, char *body, size_t len)
{
	free(c->resp->body);
	c->resp->status = status;
	c->resp->body = body;
	c->resp->body_len = len;
	c->resp->content_type = body != NULL ? SETU_TAXII_MEDIA : NULL;
}

void taxii_json(taxii_call_t *c, int status, json_t *v)
{
	char *s = v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;
	json_decref(v);
	if (s == NULL) {
		static const char oom[] =
		    "{\"title\":\"Internal error\",\"http_status\":\"500\"}";
		char *b = strdup(oom);
		taxii_body(c, 500, b, b != NULL ? strlen(b) : 0);
		return;
	}
	taxii_body(c, status, s, strlen(s));
}

/* A description may quote the client's bytes (a parser's "near '...'") or be cut in the
 * middle of a character: every byte that is not part of a well-formed UTF-8 sequence
 * becomes '?', so the error body is always valid JSON text (RFC 8259 §8.1). */
static void utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p != 0) {
		unsigned n = p[0] < 0x80                    ? 0
		             : p[0] >= 0xc2 && p[0] <= 0xdf ? 1
		             : p[0] >= 0xe0 && p[0] <= 0xef ? 2
		             : p[0] >= 0xf0 && p[0] <= 0xf4 ? 3
		                                            : 4;
		bool ok = n < 4;
		for (unsigned k = 1; ok && k <= n; k++)
			ok = (p[k] & 0xc0) == 0x80;
		/* no overlong 3/4-byte forms, no surrogates, nothing above U+10FFFF */
		if (ok && n == 2)
			ok = !(p[0] == 0xe0 && p[1] < 0xa0) &&
			     !(p[0] == 0xed && p[1] >= 0xa0);
		if (ok && n == 3)
			ok = !(p[0] == 0xf0 && p[1] < 0x90) &&
			     !(p[0] == 0xf4 && p[1] >= 0x90);
		if (!ok) {
			*p++ = '?';
			continue;
		}
		p += n + 1;
	}
}

void taxii_error(taxii_call_t *c, int status, const char *title, const char *fmt, ...)
{
	char desc[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	utf8_scrub(desc);
	char code[8];
	snprintf(code, sizeof(code), "%d", status);
	json_t *e = json_pack("{s:s, s:s, s:s}", "title", title, "description", desc,
	                      "http_status", code);
	c->resp->added_first[0] = c->resp->added_last[0] = '\0';
	taxii_json(c, status, e);
	if (status == 401)
		c->resp->www_authenticate = true;
}

const char *taxii_arg(const taxii_call_t *c, const char *key)
{
	for (size_t i = 0; i < c->req->n_args; i++)
		if (strcmp(c->req->args[i].key, key) == 0)
			return c->req->args[i].value;
	return NULL;
}

/* One media range of an Accept or Content-Type value: type/subtype and the version
 * parameter. Returns true when it names TAXII 2.1 (a bare application/taxii+json means
 * the newest version, which is 2.1; §1.6.8.1). For Accept, wildcards match too. */
static bool media_ok(const char *s, size_t n, bool wildcards)
{
	char buf[256];
	if (n >= sizeof(buf))
		return false;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			buf[k++] = s[i];
	buf[k] = '\0';
	char *semi = strchr(buf, ';');
	if (semi != NULL)
		*semi = '\0';
	const char *params = semi != NULL ? semi + 1 : "";
	if (wildcards &&
	    (strcasecmp(buf, "*/*") == 0 || strcasecmp(buf, "application/*") == 0))
		return true;
	if (strcasecmp(buf, "application/taxii+json") != 0)
		return false;
	/* Parameters: only version matters; an unknown version is refused. */
	char *save = NULL;
	char pbuf[256];
	snprintf(pbuf, sizeof(pbuf), "%s", params);
	for (char *p = strtok_r(pbuf, ";", &save); p != NULL;
	     p = strtok_r(NULL, ";", &save)) {
		if (strncasecmp(p, "version=", 8) == 0 && strcmp(p + 8, "2.1") != 0)
			return false;
	}
	return true;
}

static bool accept_ok(const char *accept)
{
	if (accept == NULL || accept[0] == '\0')
		return true;
	const char *p = accept;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		/* q=0 means "not acceptable"; treat any range with q=0 as absent. */
		char range[256];
		if (n < sizeof(range)) {
			memcpy(range, p, n);
			range[n] = '\0';
			bool q0 =
			    strstr(range, "q=0") != NULL && strstr(range, "q=0.") == NULL;
			if (!q0 && media_ok(p, n, true))
				return true;
		}
		if (comma == NULL)
			return false;
		p = comma + 1;
	}
}

/* Split the path into at most 8 segments; false if deeper or malformed. */
static bool split(taxii_call_t *c, char *buf, size_t size, const char *path)
{
	if (path == NULL || path[0] != '/' || strlen(path) >= size)
		return false;
	snprintf(buf, size, "%s", path + 1);
	c->nseg = 0;
	char *p = buf;
	while (*p != '\0') {
		char *slash = strchr(p, '/');
		if (slash != NULL)
			*slash = '\0';
		if (*p == '\0') /* "//" */
			return false;
		if (c->nseg == sizeof(c->seg) / sizeof(c->seg[0]))
			return false;
		c->seg[c->nseg++] = p;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	return true;
}

static const route_t *match_route(const taxii_call_t *c)
{
	for (size_t r = 0; r < sizeof(routes) / sizeof(routes[0]); r++) {
		const route_t *rt = &routes[r];
		size_t n = 0;
		while (rt->pattern[n] != NULL)
			n++;
		if (n != c->nseg)
			continue;
		bool ok = true;
		for (size_t i = 0; ok && i < n; i++)
			ok = strcmp(rt->pattern[i], "*") == 0 ||
			     strcmp(rt->pattern[i], c->seg[i]) == 0;
		/* "taxii2" is the discovery path, never an API root name. */
		if (ok && r != 0 && strcmp(c->seg[0], "taxii2") == 0)
			ok = false;
		if (ok)
			return rt;
	}
	return NULL;
}

void setu_taxii_handle(const setu_taxii_t *t, const setu_http_req_t *req,
                       setu_http_resp_t *resp)
{
	memset(resp, 0, sizeof(*resp));
	taxii_call_t c = {.t = t, .req = req, .resp = resp};
	char segbuf[1024];

	int a = setu_auth_header(t->store, req->authorization, &c.who);
	if (a < 0) {
		taxii_error(&c, 500, "Internal error", "authentication store: %s",
		            setu_strerror(a));
		return;
	}
	if (a == SETU_AUTH_BAD) {
		taxii_error(&c, 401, "Unauthorized",
		            "the credentials are not valid (unknown, revoked or "
		            "malformed token)");
		return;
	}
	if (!split(&c, segbuf, sizeof(segbuf), req->path)) {
		taxii_error(&c, 404, "Not found", "no TAXII resource at this path");
		return;
	}
	const route_t *rt = match_route(&c);
	if (rt == NULL) {
		taxii_error(&c, 404, "Not found", "no TAXII resource at this path");
		return;
	}
	int m = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0
	            ? M_GET
	        : strcmp(req->method, "POST") == 0   ? M_POST
	        : strcmp(req->method, "DELETE") == 0 ? M_DELETE
	                                             : 0;
	if ((rt->methods & m) == 0) {
		taxii_error(&c, 405, "Method not allowed",
		            "%s is not allowed here (allowed: %s)", req->method,
		            rt->allow);
		resp->allow = rt->allow;
		return;
	}
	if (!accept_ok(req->accept)) {
		taxii_error(&c, 406, "Not acceptable",
		            "Accept: this server answers only with %s", SETU_TAXII_MEDIA);
		return;
	}
	if (req->too_many_args) {
		taxii_error(&c, 400, "Bad request", "too many query arguments");
		return;
	}
	if (m == M_POST) {
		const char *ct = req->content_type;
		if (ct == NULL || !media_ok(ct, strlen(ct), false)) {
			taxii_error(&c, 415, "Unsupported media type",
			            "Content-Type: '%s' is not %s",
			            ct != NULL ? ct : "(none)", SETU_TAXII_MEDIA);
			return;
		}
	}
	if (m == M_POST && req->body_too_large) {
		taxii_error(&c, 413, "Request entity too large",
		            "the body exceeds max_content_length (%zu bytes)",
		            t->max_content_length);
		return;
	}
	if (m == M_GET)
		rt->get(&c);
	else if (m == M_POST)
		rt->post(&c);
	else
		rt->del(&c);
}

void taxii_acl_ctx(const taxii_call_t *c, setu_acl_ctx_t *ctx)
{
	ctx->who = &c->who;
	ctx->coll_public = c->coll.is_public;
	ctx->coll_member = c->who.authenticated && c->coll.grant_read;
}

bool taxii_load_collection(taxii_call_t *c, int need)
{
	setu_store_t *s = c->t->store;
	int rc = s->ops->api_root_find(s, c->seg[0], &c->root);
	if (rc == SETU_ENOENT) {
		taxii_error(c, 404, "Not found", "API root '%s' does not exist",
		            c->seg[0]);
		return false;
	}
	if (rc == 0)
		rc = s->ops->collection_find(s, c->seg[2], c->who.org_id, &c->coll);
	if (rc == 0 &&
	    (c->coll.api_root_id != c->root.id || strcmp(c->coll.uuid, c->seg[2]) != 0))
		rc =
		    SETU_ENOENT; /* titles are for the CLI; URLs name collections by id */
	if (rc != 0 && rc != SETU_ENOENT) {
		taxii_error(c, 500, "Internal error", "store: %s", setu_strerror(rc));
		return false;
	}
	bool visible = rc == 0 && setu_acl_collection_visible(&c->who, c->coll.is_public,
	                                                      c->coll.grant_read,
	                                                      c->coll.grant_write);
	if (!visible) {
		/* §3.6: a collection the requester may not know about is "not found"; an
		 * anonymous requester is asked to authenticate instead. */
		if (!c->who.authenticated)
			taxii_error(c, 401, "Unauthorized",
			            "this resource needs credentials");
		else
			taxii_error(c, 404, "Not found",
			            "collection '%s' does not exist in '%s'", c->seg[2],
			            c->seg[0]);
		return false;
	}
	if (need == 'r' && !setu_acl_collection_can_read(&c->who, c->coll.is_public,
	                                                 c->coll.grant_read)) {
		taxii_error(c, 403, "Forbidden", "no read access to collection '%s'",
		            c->coll.uuid);
		return false;
	}
	if (need == 'w' && !setu_acl_collection_can_write(&c->who, c->coll.grant_write)) {
		if (!c->who.authenticated)
			taxii_error(c, 401, "Unauthorized", "writing needs credentials");
		else
			taxii_error(c, 403, "Forbidden",
			            c->coll.grant_write
			                ? "role '%s' may not write"
			                : "no write access to collection (role %s)",
			            setu_role_name(c->who.role));
		return false;
	}
	return true;
}
