/* test_hub_api.c — TAXII 2.1 API tests against a hub on 127.0.0.1: every endpoint, media
 * types (406/415), authentication (401 + WWW-Authenticate), 403 vs 404, 413, error bodies
 * (§3.6.1), envelopes with good and bad objects, status, versions, pagination, delete. */
#include "hub_fixture.h"

#include "hub/auth/acl.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <microhttpd.h>
#include <openssl/evp.h>
#include <pthread.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct world {
	hubfx_t fx;
	char alice[SETU_TOKEN_LEN + 1]; /* ACME contributor */
	char bob[SETU_TOKEN_LEN + 1];   /* ACME reader */
	char carol[SETU_TOKEN_LEN + 1]; /* Other contributor (write on shared) */
	char dave[SETU_TOKEN_LEN + 1];  /* Outsider: no grants */
	char shared[40], wo[40], ro[40], secret[40];
	char cpath[128]; /* /api1/collections/<shared>/ */
} world_t;

#define MAX_BODY 4096

static int setup(void **state)
{
	world_t *w = calloc(1, sizeof(*w));
	setu_member_t m;
	assert_int_equal(hubfx_init(&w->fx, MAX_BODY), 0);
	assert_int_equal(hubfx_org(&w->fx, "ACME", NULL, 0), 0);
	assert_int_equal(hubfx_org(&w->fx, "Other", NULL, 0), 0);
	assert_int_equal(hubfx_org(&w->fx, "Outsider", NULL, 0), 0);
	assert_int_equal(
	    hubfx_member(&w->fx, "ACME", "alice", SETU_ROLE_CONTRIBUTOR, w->alice, &m),
	    0);
	assert_int_equal(
	    hubfx_member(&w->fx, "ACME", "bob", SETU_ROLE_READER, w->bob, &m), 0);
	assert_int_equal(
	    hubfx_member(&w->fx, "Other", "carol", SETU_ROLE_CONTRIBUTOR, w->carol, &m),
	    0);
	assert_int_equal(
	    hubfx_member(&w->fx, "Outsider", "dave", SETU_ROLE_CONTRIBUTOR, w->dave, &m),
	    0);
	assert_int_equal(hubfx_collection(&w->fx, "shared", false, w->shared), 0);
	assert_int_equal(hubfx_collection(&w->fx, "drop box", false, w->wo), 0);
	assert_int_equal(hubfx_collection(&w->fx, "advisories", false, w->ro), 0);
	assert_int_equal(hubfx_collection(&w->fx, "secret", false, w->secret), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->shared, "ACME", true, true), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->shared, "Other", true, true), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->wo, "ACME", false, true), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->ro, "ACME", true, false), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->secret, "Other", true, true), 0);
	assert_int_equal(hubfx_start(&w->fx), 0);
	snprintf(w->cpath, sizeof(w->cpath), "/api1/collections/%s/", w->shared);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	world_t *w = *state;
	hubfx_free(&w->fx);
	free(w);
	return 0;
}

/* A TAXII error message with this status (§3.6.1): taxii media type, title, http_status.
 */
static void assert_error(const hubres_t *r, long status)
{
	if (r->status != status)
		fprintf(stderr, "got %ld (want %ld): %s\n", r->status, status, r->body);
	assert_int_equal(r->status, status);
	assert_string_equal(r->ctype, "application/taxii+json;version=2.1");
	assert_non_null(r->json);
	assert_non_null(json_string_value(json_object_get(r->json, "title")));
	char code[8];
	snprintf(code, sizeof(code), "%ld", status);
	assert_string_equal(json_string_value(json_object_get(r->json, "http_status")),
	                    code);
}

static const char *desc(const hubres_t *r)
{
	const char *d = json_string_value(json_object_get(r->json, "description"));
	return d != NULL ? d : "";
}

static void indicator(char *out, size_t size, const char *uuid, const char *modified,
                      int n)
{
	snprintf(
	    out, size,
	    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--%s\","
	    "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"%s\",\"name\":"
	    "\"probe "
	    "%d\",\"pattern\":\"[ipv4-addr:value = "
	    "'192.0.2.%d']\",\"pattern_type\":\"stix\","
	    "\"valid_from\":\"2026-01-01T00:00:00Z\"}",
	    uuid, modified, n, n % 250 + 1);
}

static json_t *post_env(world_t *w, const char *tok, const char *coll_path,
                        const char *objs, long want)
{
	char path[256], *body = malloc(strlen(objs) + 32);
	sprintf(body, "{\"objects\":[%s]}", objs);
	snprintf(path, sizeof(path), "%sobjects/", coll_path);
	hubres_t r;
	assert_int_equal(hubfx_req(&w->fx, "POST", path, tok, NULL, NULL, body, &r), 0);
	free(body);
	if (r.status != want)
		fprintf(stderr, "POST: %ld %s\n", r.status, r.body);
	assert_int_equal(r.status, want);
	json_t *j = json_incref(r.json);
	hubres_free(&r);
	return j;
}

static void test_discovery_and_media_types(void **state)
{
	world_t *w = *state;
	hubres_t r;
	assert_int_equal(
	    hubfx_req(&w->fx, "GET", "/taxii2/", w->alice, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, "application/taxii+json;version=2.1");
	assert_string_equal(json_string_value(json_object_get(r.json, "title")),
	                    "setu hub");
	const char *root =
	    json_string_value(json_array_get(json_object_get(r.json, "api_roots"), 0));
	assert_non_null(root);
	assert_non_null(strstr(root, "/api1/"));
	hubres_free(&r);
	const char *bad[] = {"application/xml", "application/taxii+json;version=9.9",
	                     "application/stix+json;version=2.1", "text/html"};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(hubfx_req(&w->fx, "GET", "/taxii2/", w->alice, bad[i],
		                           NULL, NULL, &r),
		                 0);
		assert_error(&r, 406);
		hubres_free(&r);
	}
	const char *good[] = {"application/taxii+json", "*/*",
	                      "application/json, */*;q=0.1",
	                      "text/html, application/taxii+json;version=2.1", ""};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(hubfx_req(&w->fx, "GET", "/taxii2/", w->alice, good[i],
		                           NULL, NULL, &r),
		                 0);
		assert_int_equal(r.status, 200);
		hubres_free(&r);
	}
	/* API root information. */
	assert_int_equal(
	    hubfx_req(&w->fx, "GET", "/api1/", w->alice, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(
	    json_integer_value(json_object_get(r.json, "max_content_length")), MAX_BODY);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(r.json, "versions"), 0)),
	    "application/taxii+json;version=2.1");
	hubres_free(&r);
	assert_int_equal(
	    hubfx_req(&w->fx, "GET", "/nope/", w->alice, NULL, NULL, NULL, &r), 0);
	assert_error(&r, 404);
	hubres_free(&r);
	/* Unknown paths and methods. */
	assert_int_equal(
	    hubfx_req(&w->fx, "GET", "/api1/what/", w->alice, NULL, NULL, NULL, &r), 0);
	assert_error(&r, 404);
	hubres_free(&r);
	assert_int_equal(
	    hubfx_req(&w->fx, "PUT", "/api1/", w->alice, NULL, NULL, NULL, &r), 0);
	assert_error(&r, 405);
	hubres_free(&r);
}

static void test_authentication(void **state)
{
	world_t *w = *state;
	hubres_t r;
	/* No credentials on a private resource: 401 with a challenge. */
	assert_int_equal(
	    hubfx_req(&w->fx, "GET", "/api1/collections/", NULL, NULL, NULL, NULL, &r),
	    0);
	assert_error(&r, 401);
	assert_true(r.www_auth);
	hubres_free(&r);
	/* A wrong token: 401 everywhere, even on discovery. */
	assert_int_equal(
	    hubfx_req(&w->fx, "GET", "/taxii2/", "setu_0000", NULL, NULL, NULL, &r), 0);
	assert_error(&r, 401);
	assert_true(r.www_auth);
	hubres_free(&r);
	assert_int_equal(
	    hubfx_req(&w->fx, "GET", "/taxii2/", "Digest abc", NULL, NULL, NULL, &r), 0);
	assert_error(&r, 401);
	hubres_free(&r);
	/* Basic with the token as password (user name not checked). */
	char raw[200], b64[300], hdr[320];
	snprintf(raw, sizeof(raw), "alice:%s", w->alice);
	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)raw,
	                (int)strlen(raw));
	snprintf(hdr, sizeof(hdr), "Basic %s", b64);
	assert_int_equal(
	    hubfx_req(&w->fx, "GET", "/api1/collections/", hdr, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	hubres_free(&r);
	snprintf(raw, sizeof(raw), "alice:%sx", w->alice);
	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)raw,
	                (int)strlen(raw));
	snprintf(hdr, sizeof(hdr), "Basic %s", b64);
	assert_int_equal(
	    hubfx_req(&w->fx, "GET", "/api1/collections/", hdr, NULL, NULL, NULL, &r), 0);
	assert_error(&r, 401);
	hubres_free(&r);
	/* A revoked token stops working. */
	setu_member_t m;
	char tok[SETU_TOKEN_LEN + 1];
	assert_int_equal(hubfx_member(&w->fx, "ACME", "eve", SETU_ROLE_READER, tok, &m),
	                 0);
	assert_int_equal(
	    hubfx_req(&w->fx, "GET", "/api1/collections/", tok, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	hubres_free(&r);
	uint8_t hash[32];
	setu_token_hash(tok, strlen(tok), hash);
	setu_member_t who;
	assert_int_equal(w->fx.store->ops->token_lookup(w->fx.store, hash, &who), 0);
	/* tokens are numbered in creation order: eve's is the fifth */
	assert_int_equal(w->fx.store->ops->token_revoke(w->fx.store, 5), 0);
	assert_int_equal(
	    hubfx_req(&w->fx, "GET", "/api1/collections/", tok, NULL, NULL, NULL, &r), 0);
	assert_error(&r, 401);
	hubres_free(&r);
}

static void test_collections_access(void **state)
{
	world_t *w = *state;
	hubres_t r;
	char path[256];
	assert_int_equal(hubfx_req(&w->fx, "GET", "/api1/collections/", w->alice, NULL,
	                           NULL, NULL, &r),
	                 0);
	assert_int_equal(r.status, 200);
	const json_t *cols = json_object_get(r.json, "collections");
	assert_int_equal(json_array_size(cols),
	                 3); /* shared, drop box, advisories; not secret */
	size_t i;
	const json_t *c;
	json_array_foreach(cols, i, c)
	{
		const char *id = json_string_value(json_object_get(c, "id"));
		assert_string_not_equal(id, w->secret);
		bool rd = json_is_true(json_object_get(c, "can_read"));
		bool wr = json_is_true(json_object_get(c, "can_write"));
		if (strcmp(id, w->wo) == 0)
			assert_true(!rd && wr);
		if (strcmp(id, w->ro) == 0)
			assert_true(rd && !wr);
	}
	hubres_free(&r);
	/* bob is a reader: can_write false even where ACME may write. */
	snprintf(path, sizeof(path), "/api1/collections/%s/", w->shared);
	assert_int_equal(hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_false(json_is_true(json_object_get(r.json, "can_write")));
	hubres_free(&r);
	/* A collection without any grant is 404 (not revealed); with a grant but not this
	 * right, 403. */
	const struct {
		const char *coll, *what, *tok;
		long want;
	} cases[] = {
	    {w->secret, "", w->alice, 404},
	    {w->secret, "objects/", w->alice, 404},
	    {w->secret, "manifest/", w->alice, 404},
	    {w->wo, "objects/", w->alice, 403},
	    {w->wo, "manifest/", w->alice, 403},
	    {w->wo, "", w->alice, 200},
	    {w->ro, "objects/", w->alice, 200},
	    {w->shared, "objects/", w->dave, 404},
	    {"2b2b2b2b-0000-4000-8000-000000000000", "", w->alice, 404},
	    {w->shared, "objects/", NULL, 401},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		snprintf(path, sizeof(path), "/api1/collections/%s/%s", cases[k].coll,
		         cases[k].what);
		assert_int_equal(
		    hubfx_req(&w->fx, "GET", path, cases[k].tok, NULL, NULL, NULL, &r),
		    0);
		if (cases[k].want == 200)
			assert_int_equal(r.status, 200);
		else
			assert_error(&r, cases[k].want);
		hubres_free(&r);
	}
	/* Writes: read-only collection 403, reader role 403, no grant 404. */
	char obj[1024];
	indicator(obj, sizeof(obj), "11111111-1111-4111-8111-111111111111",
	          "2026-01-01T00:00:00.000Z", 1);
	char cp[128];
	snprintf(cp, sizeof(cp), "/api1/collections/%s/", w->ro);
	json_decref(post_env(w, w->alice, cp, obj, 403));
	json_decref(post_env(w, w->bob, w->cpath, obj, 403));
	snprintf(cp, sizeof(cp), "/api1/collections/%s/", w->secret);
	json_decref(post_env(w, w->alice, cp, obj, 404));
}

static void test_post_errors(void **state)
{
	world_t *w = *state;
	hubres_t r;
	char path[256];
	snprintf(path, sizeof(path), "%sobjects/", w->cpath);
	assert_int_equal(hubfx_req(&w->fx, "POST", path, w->alice, NULL,
	                           "application/json", "{\"objects\":[]}", &r),
	                 0);
	assert_error(&r, 415);
	hubres_free(&r);
	assert_int_equal(hubfx_req(&w->fx, "POST", path, w->alice, NULL,
	                           "application/taxii+json;version=2.0",
	                           "{\"objects\":[]}", &r),
	                 0);
	assert_error(&r, 415);
	hubres_free(&r);
	assert_int_equal(
	    hubfx_req(&w->fx, "POST", path, w->alice, NULL, NULL, "{not json", &r), 0);
	assert_error(&r, 400);
	assert_non_null(strstr(desc(&r), "line 1"));
	hubres_free(&r);
	assert_int_equal(
	    hubfx_req(&w->fx, "POST", path, w->alice, NULL, NULL, "[1,2]", &r), 0);
	assert_error(&r, 400);
	assert_non_null(strstr(desc(&r), "objects"));
	hubres_free(&r);
	assert_int_equal(hubfx_req(&w->fx, "POST", path, w->alice, NULL, NULL,
	                           "{\"objects\":{\"a\":1}}", &r),
	                 0);
	assert_error(&r, 400);
	hubres_free(&r);
	char *big = malloc(MAX_BODY + 64);
	memset(big, ' ', MAX_BODY + 63);
	memcpy(big, "{\"objects\":[]", 13);
	big[MAX_BODY + 62] = '}';
	big[MAX_BODY + 63] = '\0';
	assert_int_equal(hubfx_req(&w->fx, "POST", path, w->alice, NULL, NULL, big, &r),
	                 0);
	assert_error(&r, 413);
	hubres_free(&r);
	free(big);
	/* One good and three bad objects: each judged alone, the good one stored. */
	char good[1024], objs[4096];
	indicator(good, sizeof(good), "22222222-2222-4222-8222-222222222222",
	          "2026-01-01T00:00:00.000Z", 2);
	snprintf(
	    objs, sizeof(objs),
	    "%s,{\"type\":\"indicator\",\"id\":\"malware--22222222-2222-4222-8222-"
	    "222222222223\"},42,{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
	    "\"indicator--22222222-2222-4222-8222-222222222224\",\"created\":"
	    "\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
	    "\"pattern\":\"[ipv4-addr:value = "
	    "\",\"pattern_type\":\"stix\",\"valid_from\":"
	    "\"2026-01-01T00:00:00Z\"}",
	    good);
	json_t *st = post_env(w, w->alice, w->cpath, objs, 202);
	assert_string_equal(json_string_value(json_object_get(st, "status")), "complete");
	assert_int_equal(json_integer_value(json_object_get(st, "total_count")), 4);
	assert_int_equal(json_integer_value(json_object_get(st, "success_count")), 1);
	assert_int_equal(json_integer_value(json_object_get(st, "failure_count")), 3);
	assert_int_equal(json_integer_value(json_object_get(st, "pending_count")), 0);
	const json_t *f = json_object_get(st, "failures");
	assert_non_null(strstr(
	    json_string_value(json_object_get(json_array_get(f, 0), "message")), "id"));
	assert_non_null(
	    strstr(json_string_value(json_object_get(json_array_get(f, 2), "message")),
	           "pattern"));
	/* The status resource is kept, for its organisation only. */
	char sp[256];
	snprintf(sp, sizeof(sp), "/api1/status/%s/",
	         json_string_value(json_object_get(st, "id")));
	assert_int_equal(hubfx_req(&w->fx, "GET", sp, w->bob, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(json_equal(r.json, st));
	hubres_free(&r);
	assert_int_equal(hubfx_req(&w->fx, "GET", sp, w->carol, NULL, NULL, NULL, &r), 0);
	assert_error(&r, 404);
	hubres_free(&r);
	json_decref(st);
	assert_int_equal(hubfx_req(&w->fx, "GET",
	                           "/api1/status/00000000-0000-4000-8000-000000000000/",
	                           w->alice, NULL, NULL, NULL, &r),
	                 0);
	assert_error(&r, 404);
	hubres_free(&r);
	snprintf(path, sizeof(path),
	         "%sobjects/?match[id]=indicator--22222222-2222-4222-8222-222222222222,"
	         "indicator--22222222-2222-4222-8222-222222222224",
	         w->cpath);
	assert_int_equal(hubfx_req(&w->fx, "GET", path, w->alice, NULL, NULL, NULL, &r),
	                 0);
	assert_int_equal(json_array_size(json_object_get(r.json, "objects")), 1);
	hubres_free(&r);
	/* Another organisation may not version ACME's object. */
	char v2[1024];
	indicator(v2, sizeof(v2), "22222222-2222-4222-8222-222222222222",
	          "2026-02-01T00:00:00.000Z", 2);
	st = post_env(w, w->carol, w->cpath, v2, 202);
	assert_int_equal(json_integer_value(json_object_get(st, "failure_count")), 1);
	json_decref(st);
}

static void test_filters_versions_paging(void **state)
{
	world_t *w = *state;
	hubres_t r;
	char path[4096], objs[8192] = "", one[1024], ids[1024] = "";
	/* Seven objects; the fourth gets a second version later. */
	for (int i = 0; i < 7; i++) {
		char uuid[40];
		snprintf(uuid, sizeof(uuid), "33333333-3333-4333-8333-33333333333%d", i);
		indicator(one, sizeof(one), uuid, "2026-01-01T00:00:00.000Z", i);
		snprintf(objs + strlen(objs), sizeof(objs) - strlen(objs), "%s%s",
		         i ? "," : "", one);
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%sindicator--%s",
		         i ? "," : "", uuid);
	}
	json_decref(post_env(w, w->alice, w->cpath, objs, 202));
	indicator(one, sizeof(one), "33333333-3333-4333-8333-333333333333",
	          "2026-03-01T00:00:00.000Z", 3);
	json_decref(post_env(w, w->alice, w->cpath, one, 202));
	/* Identical re-add: success, stored once. */
	json_t *st = post_env(w, w->alice, w->cpath, one, 202);
	assert_int_equal(json_integer_value(json_object_get(st, "success_count")), 1);
	json_decref(st);

	const char *v3 = "indicator--33333333-3333-4333-8333-333333333333";
	const struct {
		const char *q;
		size_t n;
	} vq[] = {{"", 1},
	          {"&match[version]=all", 2},
	          {"&match[version]=first", 1},
	          {"&match[version]=last", 1},
	          {"&match[version]=first,last", 2},
	          {"&match[version]=2026-01-01T00:00:00Z", 1},
	          {"&match[version]=2026-01-01T00:00:00.5Z", 0},
	          {"&match[spec_version]=2.0", 0},
	          {"&match[spec_version]=2.1", 1},
	          {"&match[type]=malware", 0},
	          {"&match[type]=malware,indicator", 1}};
	for (size_t k = 0; k < sizeof(vq) / sizeof(vq[0]); k++) {
		snprintf(path, sizeof(path), "%sobjects/?match[id]=%s%s", w->cpath, v3,
		         vq[k].q);
		assert_int_equal(
		    hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
		assert_int_equal(r.status, 200);
		if (json_array_size(json_object_get(r.json, "objects")) != vq[k].n)
			fprintf(stderr, "%s -> %s\n", vq[k].q, r.body);
		assert_int_equal(json_array_size(json_object_get(r.json, "objects")),
		                 vq[k].n);
		hubres_free(&r);
	}
	snprintf(path, sizeof(path), "%sobjects/%s/versions/", w->cpath, v3);
	assert_int_equal(hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	const json_t *vs = json_object_get(r.json, "versions");
	assert_int_equal(json_array_size(vs), 2);
	assert_string_equal(json_string_value(json_array_get(vs, 0)),
	                    "2026-01-01T00:00:00.000Z");
	assert_string_equal(json_string_value(json_array_get(vs, 1)),
	                    "2026-03-01T00:00:00.000Z");
	hubres_free(&r);
	snprintf(path, sizeof(path), "%sobjects/%s/?match[version]=first", w->cpath, v3);
	assert_int_equal(hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(r.json, "objects"), 0), "modified")),
	    "2026-01-01T00:00:00.000Z");
	hubres_free(&r);

	/* Paging by 3 over the 7 (latest versions): 3 + 3 + 1, `more` and `next`,
	 * headers. */
	size_t seen = 0, pages = 0;
	char next[128] = "", last_hdr[64] = "";
	for (;;) {
		snprintf(path, sizeof(path), "%smanifest/?match[id]=%s&limit=3%s%s",
		         w->cpath, ids, next[0] ? "&next=" : "", next);
		assert_int_equal(
		    hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
		assert_int_equal(r.status, 200);
		const json_t *o = json_object_get(r.json, "objects");
		seen += json_array_size(o);
		pages++;
		assert_string_equal(
		    r.added_first, json_string_value(json_object_get(json_array_get(o, 0),
		                                                     "date_added")));
		assert_string_equal(
		    r.added_last,
		    json_string_value(json_object_get(
		        json_array_get(o, json_array_size(o) - 1), "date_added")));
		if (pages == 1)
			snprintf(last_hdr, sizeof(last_hdr), "%s", r.added_last);
		bool more = json_is_true(json_object_get(r.json, "more"));
		const char *nx = json_string_value(json_object_get(r.json, "next"));
		assert_int_equal(more, nx != NULL);
		snprintf(next, sizeof(next), "%s", nx != NULL ? nx : "");
		hubres_free(&r);
		if (!more)
			break;
	}
	assert_int_equal(seen, 7);
	assert_int_equal(pages, 3);
	/* added_after = the first page's X-TAXII-Date-Added-Last: the other 4. */
	snprintf(path, sizeof(path), "%sobjects/?match[id]=%s&added_after=%s", w->cpath,
	         ids, last_hdr);
	assert_int_equal(hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
	assert_int_equal(json_array_size(json_object_get(r.json, "objects")), 4);
	hubres_free(&r);
	/* Bad filter values: 400 naming the parameter. */
	const char *badq[] = {"limit=abc",
	                      "limit=0",
	                      "limit=-1",
	                      "next=zz",
	                      "added_after=yesterday",
	                      "match[version]=newest",
	                      "added_after=2026-13-01T00:00:00Z"};
	for (size_t k = 0; k < sizeof(badq) / sizeof(badq[0]); k++) {
		snprintf(path, sizeof(path), "%sobjects/?%s", w->cpath, badq[k]);
		assert_int_equal(
		    hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
		assert_error(&r, 400);
		char key[32];
		snprintf(key, sizeof(key), "%.*s", (int)strcspn(badq[k], "="), badq[k]);
		assert_non_null(strstr(desc(&r), key));
		hubres_free(&r);
	}
	/* Unknown object: 404. */
	snprintf(path, sizeof(path),
	         "%sobjects/indicator--44444444-4444-4444-8444-444444444444/", w->cpath);
	assert_int_equal(hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
	assert_error(&r, 404);
	hubres_free(&r);
	snprintf(path, sizeof(path),
	         "%sobjects/indicator--44444444-4444-4444-8444-444444444444/versions/",
	         w->cpath);
	assert_int_equal(hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
	assert_error(&r, 404);
	hubres_free(&r);

	/* Delete: not by another organisation (403), not by a reader (403); one version
	 * by match[version]; then the whole object. */
	snprintf(path, sizeof(path), "%sobjects/%s/", w->cpath, v3);
	assert_int_equal(
	    hubfx_req(&w->fx, "DELETE", path, w->carol, NULL, NULL, NULL, &r), 0);
	assert_error(&r, 403);
	hubres_free(&r);
	assert_int_equal(hubfx_req(&w->fx, "DELETE", path, w->bob, NULL, NULL, NULL, &r),
	                 0);
	assert_error(&r, 403);
	hubres_free(&r);
	snprintf(path, sizeof(path),
	         "%sobjects/%s/?match[version]=2026-03-01T00:00:00.000Z", w->cpath, v3);
	assert_int_equal(
	    hubfx_req(&w->fx, "DELETE", path, w->alice, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	hubres_free(&r);
	snprintf(path, sizeof(path), "%sobjects/%s/", w->cpath, v3);
	assert_int_equal(hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(r.json, "objects"), 0), "modified")),
	    "2026-01-01T00:00:00.000Z"); /* the older one is now the latest */
	hubres_free(&r);
	assert_int_equal(
	    hubfx_req(&w->fx, "DELETE", path, w->alice, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	hubres_free(&r);
	assert_int_equal(hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
	assert_error(&r, 404);
	hubres_free(&r);
	assert_int_equal(
	    hubfx_req(&w->fx, "DELETE", path, w->alice, NULL, NULL, NULL, &r), 0);
	assert_error(&r, 404);
	hubres_free(&r);
	/* Writes are in the audit log. */
	int64_t n = 0;
	assert_int_equal(w->fx.store->ops->audit_count(w->fx.store, "add", &n), 0);
	assert_true(n >= 9);
	assert_int_equal(w->fx.store->ops->audit_count(w->fx.store, "delete", &n), 0);
	assert_int_equal(n, 2);
}

/* Concurrent Add Objects requests (group commit): every object lands once, every status
 * counts its own objects. */
typedef struct poster {
	world_t *w;
	int id;
	int ok;
} poster_t;

static void *post_thread(void *arg)
{
	poster_t *p = arg;
	for (int b = 0; b < 5; b++) {
		char objs[8 * 600] = "", one[600];
		for (int i = 0; i < 8; i++) {
			char uuid[40];
			snprintf(uuid, sizeof(uuid), "55555555-%04x-4555-8555-%012x",
			         p->id, b * 100 + i);
			indicator(one, sizeof(one), uuid, "2026-01-01T00:00:00.000Z", i);
			snprintf(objs + strlen(objs), sizeof(objs) - strlen(objs), "%s%s",
			         i ? "," : "", one);
		}
		char path[256], body[sizeof(objs) + 32];
		snprintf(body, sizeof(body), "{\"objects\":[%s]}", objs);
		snprintf(path, sizeof(path), "%sobjects/", p->w->cpath);
		hubres_t r;
		if (hubfx_req(&p->w->fx, "POST", path, p->w->alice, NULL, NULL, body,
		              &r) == 0 &&
		    r.status == 202 &&
		    json_integer_value(json_object_get(r.json, "success_count")) == 8)
			p->ok++;
		hubres_free(&r);
	}
	return NULL;
}

static void test_concurrent_posts(void **state)
{
	world_t *w = *state;
	enum { T = 8 };
	pthread_t th[T];
	poster_t p[T];
	for (int i = 0; i < T; i++) {
		p[i] = (poster_t){.w = w, .id = i};
		assert_int_equal(pthread_create(&th[i], NULL, post_thread, &p[i]), 0);
	}
	for (int i = 0; i < T; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(p[i].ok, 5);
	}
	/* Page through the manifest: exactly T*5*8 of these ids, in date_added order. */
	size_t seen = 0;
	char next[128] = "", path[512];
	int64_t prev = -1;
	for (int guard = 0; guard < 100; guard++) {
		snprintf(path, sizeof(path), "%smanifest/?limit=170%s%s", w->cpath,
		         next[0] ? "&next=" : "", next);
		hubres_t r;
		assert_int_equal(
		    hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
		assert_int_equal(r.status, 200);
		size_t i;
		const json_t *m;
		json_array_foreach(json_object_get(r.json, "objects"), i, m)
		{
			const char *id = json_string_value(json_object_get(m, "id"));
			int64_t da;
			assert_int_equal(
			    setu_ts_parse(
			        json_string_value(json_object_get(m, "date_added")), &da),
			    0);
			assert_true(da >
			            prev); /* date_added strictly increasing, hub-wide */
			prev = da;
			if (strncmp(id, "indicator--55555555-", 20) == 0)
				seen++;
		}
		const char *nx = json_string_value(json_object_get(r.json, "next"));
		snprintf(next, sizeof(next), "%s", nx != NULL ? nx : "");
		bool more = json_is_true(json_object_get(r.json, "more"));
		hubres_free(&r);
		if (!more)
			break;
	}
	assert_int_equal(seen, T * 5 * 8);
}

/* TLS: the same API over HTTPS with a self-signed certificate (skipped without the
 * openssl tool or without TLS in libmicrohttpd). */
static void test_tls(void **state)
{
	(void)state;
	if (!MHD_is_feature_supported(MHD_FEATURE_TLS) ||
	    system("openssl version >/dev/null 2>&1") != 0) {
		fprintf(stderr,
		        "tls: skipped (no TLS in libmicrohttpd or no openssl tool)\n");
		return;
	}
	hubfx_t fx;
	assert_int_equal(hubfx_init(&fx, 0), 0);
	char cmd[1200];
	snprintf(fx.cfg.tls_cert, sizeof(fx.cfg.tls_cert), "%s/cert.pem", fx.dir);
	snprintf(fx.cfg.tls_key, sizeof(fx.cfg.tls_key), "%s/key.pem", fx.dir);
	snprintf(cmd, sizeof(cmd),
	         "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 1 "
	         "-subj /CN=127.0.0.1 >/dev/null 2>&1",
	         fx.cfg.tls_key, fx.cfg.tls_cert);
	assert_int_equal(system(cmd), 0);
	char tok[SETU_TOKEN_LEN + 1];
	setu_member_t m;
	assert_int_equal(hubfx_org(&fx, "T", NULL, 0), 0);
	assert_int_equal(hubfx_member(&fx, "T", "t", SETU_ROLE_READER, tok, &m), 0);
	assert_int_equal(hubfx_start(&fx), 0);
	hubres_t r;
	assert_int_equal(hubfx_req(&fx, "GET", "/taxii2/", tok, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(
	    json_string_value(json_array_get(json_object_get(r.json, "api_roots"), 0)),
	    "https://"));
	hubres_free(&r);
	unlink(fx.cfg.tls_cert);
	unlink(fx.cfg.tls_key);
	hubfx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_discovery_and_media_types),
	    cmocka_unit_test(test_authentication),
	    cmocka_unit_test(test_collections_access),
	    cmocka_unit_test(test_post_errors),
	    cmocka_unit_test(test_filters_versions_paging),
	    cmocka_unit_test(test_concurrent_posts),
	    cmocka_unit_test(test_tls),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
