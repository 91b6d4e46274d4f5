/* test_taxii_client.c — the TAXII 2.1 client against a real HTTP server on 127.0.0.1
 * (libmicrohttpd, in this process): headers, auth, filter encoding, both pagination
 * styles (§3.5), resumable sync, retries and backoff, errors (§3.6), limits, media
 * types, POST + status polling (§5.4, §4.3), keep-alive. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "taxii/taxii.h"
#include "taxii_fixture.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#define MEDIA "application/taxii+json;version=2.1"

/* ---- scripted responses: step i answers request i (the last step repeats) ---- */

typedef struct step {
	int status;
	const char *ct; /* NULL = TAXII media */
	const char *body;
	const char *last; /* X-TAXII-Date-Added-Last */
	const char *retry_after;
	bool chunked;
	size_t pad_to; /* pad the body with spaces to this size */
} step_t;

typedef struct script {
	step_t steps[16];
	size_t n, i;
} script_t;

static void script_handler(void *user, const fx_req_t *req, fx_resp_t *resp)
{
	(void)req;
	script_t *s = user;
	const step_t *st = &s->steps[s->i < s->n ? s->i : s->n - 1];
	s->i++;
	const char *b = st->body != NULL ? st->body : "";
	size_t n = strlen(b);
	size_t total = st->pad_to > n ? st->pad_to : n;
	resp->status = st->status;
	resp->body = malloc(total + 1);
	if (resp->body != NULL) {
		memcpy(resp->body, b, n);
		memset(resp->body + n, ' ', total - n);
		resp->body[total] = '\0';
		resp->body_len = total;
	}
	resp->content_type = st->ct;
	resp->chunked = st->chunked;
	if (st->last != NULL)
		snprintf(resp->last, sizeof(resp->last), "%s", st->last);
	if (st->retry_after != NULL)
		snprintf(resp->retry_after, sizeof(resp->retry_after), "%s",
		         st->retry_after);
}

/* ---- a collection of N objects served in pages (the server side of §3.5) ---- */

typedef struct coll_srv {
	size_t n;        /* objects in the collection */
	unsigned page;   /* server page size (a smaller `limit` wins) */
	bool use_next;   /* hand out `next` tokens; else clients page by added_after */
	bool no_dates;   /* omit the X-TAXII-Date-Added-* headers */
	bool stuck_more; /* say more=true without next or dates */
} coll_srv_t;

static void obj_date(size_t i, char *buf, size_t n)
{
	snprintf(buf, n, "2024-03-01T10:%02u:%02u.250Z", (unsigned)(i / 60 % 60),
	         (unsigned)(i % 60));
}

static void obj_id(size_t i, char *buf, size_t n)
{
	snprintf(buf, n, "indicator--00000000-0000-4000-8000-%012zu", i);
}

static void coll_handler(void *user, const fx_req_t *req, fx_resp_t *resp)
{
	coll_srv_t *s = user;
	if (strcmp(req->path, "/api1/collections/c1/objects/") != 0) {
		fx_body(resp, 404, "{\"title\":\"no such collection\"}");
		return;
	}
	size_t start = 0;
	if (req->has_next) {
		start = strtoul(req->next + 1, NULL, 10);
	} else if (req->has_added_after) {
		setu_taxii_ts_t after, t;
		if (setu_taxii_ts_parse(req->added_after, &after) != 0) {
			fx_body(resp, 400, "{\"title\":\"bad added_after\"}");
			return;
		}
		char d[40];
		while (start < s->n) {
			obj_date(start, d, sizeof(d));
			setu_taxii_ts_parse(d, &t);
			if (setu_taxii_ts_cmp(&t, &after) > 0)
				break;
			start++;
		}
	}
	size_t lim = s->page;
	if (req->limit[0] != '\0' && (size_t)atoi(req->limit) < lim)
		lim = (size_t)atoi(req->limit);
	size_t end = start + lim < s->n ? start + lim : s->n;
	json_t *env = json_object();
	json_t *objs = json_array();
	for (size_t i = start; i < end; i++) {
		char id[80];
		obj_id(i, id, sizeof(id));
		json_array_append_new(
		    objs, json_pack("{s:s, s:s, s:s, s:i}", "type", "indicator", "id", id,
		                    "spec_version", "2.1", "seq", (int)i));
	}
	bool more = end < s->n || s->stuck_more;
	json_object_set_new(env, "more", json_boolean(more));
	if (s->use_next && more) {
		char nx[32];
		snprintf(nx, sizeof(nx), "p%zu", end);
		json_object_set_new(env, "next", json_string(nx));
	}
	if (end > start)
		json_object_set_new(env, "objects", objs);
	else
		json_decref(objs);
	char *body = json_dumps(env, JSON_COMPACT);
	json_decref(env);
	fx_body(resp, 200, body);
	free(body);
	if (end > start && !s->no_dates) {
		obj_date(start, resp->first, sizeof(resp->first));
		obj_date(end - 1, resp->last, sizeof(resp->last));
	}
}

/* ---- helpers ---- */

static setu_taxii_client_t *client_for(fx_t *fx, const char *path, unsigned retries)
{
	char url[256];
	snprintf(url, sizeof(url), "%s%s", fx->base, path);
	setu_taxii_config_t cfg;
	setu_taxii_config_default(&cfg);
	cfg.url = url;
	cfg.max_retries = retries;
	cfg.backoff_initial_ms = 40;
	cfg.backoff_max_ms = 400;
	cfg.timeout_ms = 5000;
	setu_diag_t d = {0};
	setu_taxii_client_t *c = setu_taxii_client_new(&cfg, &d);
	assert_non_null(c);
	return c;
}

typedef struct collect {
	size_t seen[4096];
	size_t n;
	size_t fail_at; /* fail when this seq arrives (SIZE_MAX = never) */
	char last_date[40];
} collect_t;

static int collect_cb(void *user, const json_t *obj, const char *date_added)
{
	collect_t *c = user;
	size_t seq = (size_t)json_integer_value(json_object_get(obj, "seq"));
	if (seq == c->fail_at)
		return SETU_EIO;
	assert_true(c->n < 4096);
	c->seen[c->n++] = seq;
	assert_non_null(date_added);
	/* The page's Date-Added-Last is at or after the object's own date. */
	char d[40];
	obj_date(seq, d, sizeof(d));
	setu_taxii_ts_t a, b;
	assert_int_equal(setu_taxii_ts_parse(d, &a), 0);
	assert_int_equal(setu_taxii_ts_parse(date_added, &b), 0);
	assert_true(setu_taxii_ts_cmp(&a, &b) <= 0);
	snprintf(c->last_date, sizeof(c->last_date), "%s", date_added);
	return 0;
}

static const char discovery_body[] =
    "{\"title\":\"setu test hub\",\"default\":\"/api1/\",\"api_roots\":[\"/api1/\"]}";

/* ---- tests ---- */

static void test_headers_and_bearer(void **state)
{
	(void)state;
	script_t s = {.steps = {{200, NULL, discovery_body, NULL, NULL, false, 0}},
	              .n = 1};
	fx_t *fx = fx_new(script_handler, &s);
	assert_non_null(fx);
	char url[128];
	snprintf(url, sizeof(url), "%s/taxii2/", fx->base);
	setu_taxii_config_t cfg;
	setu_taxii_config_default(&cfg);
	cfg.url = url;
	cfg.token = "tok-123.abc";
	setu_diag_t d = {0};
	setu_taxii_client_t *c = setu_taxii_client_new(&cfg, &d);
	assert_non_null(c);
	json_t *disc = NULL;
	assert_int_equal(setu_taxii_discovery(c, &disc, &d), 0);
	assert_string_equal(json_string_value(json_object_get(disc, "title")),
	                    "setu test hub");
	json_decref(disc);
	assert_int_equal(setu_taxii_client_last_status(c), 200);
	assert_int_equal(fx_count(fx), 1);
	assert_string_equal(fx->reqs[0].method, "GET");
	assert_string_equal(fx->reqs[0].path, "/taxii2/");
	assert_string_equal(fx->reqs[0].accept, MEDIA);
	assert_string_equal(fx->reqs[0].auth, "Bearer tok-123.abc");
	setu_taxii_client_free(c);

	/* A token with a line break would inject headers: refused, and not echoed. */
	cfg.token = "abc\r\nX-Evil: 1";
	assert_null(setu_taxii_client_new(&cfg, &d));
	assert_int_equal(d.code, SETU_ECONFIG);
	assert_null(strstr(d.msg, "abc"));
	fx_free(fx);
}

static void test_basic_auth_and_secrets(void **state)
{
	(void)state;
	script_t s = {.steps = {{200, NULL, discovery_body, NULL, NULL, false, 0},
	                        {401, NULL, "{\"title\":\"bad credentials\"}", NULL, NULL,
	                         false, 0}},
	              .n = 2};
	fx_t *fx = fx_new(script_handler, &s);
	assert_non_null(fx);
	char url[160];
	/* user:password in the URL becomes Basic auth and leaves the URL we print. */
	snprintf(url, sizeof(url), "http://sensor1:s3cret@127.0.0.1:%u/taxii2/",
	         (unsigned)fx->port);
	setu_taxii_config_t cfg;
	setu_taxii_config_default(&cfg);
	cfg.url = url;
	setu_diag_t d = {0};
	setu_taxii_client_t *c = setu_taxii_client_new(&cfg, &d);
	assert_non_null(c);
	json_t *disc = NULL;
	assert_int_equal(setu_taxii_discovery(c, &disc, &d), 0);
	json_decref(disc);
	/* base64("sensor1:s3cret") */
	assert_string_equal(fx->reqs[0].auth, "Basic c2Vuc29yMTpzM2NyZXQ=");
	assert_int_equal(setu_taxii_discovery(c, &disc, &d), SETU_EPERM);
	char want[200];
	snprintf(want, sizeof(want),
	         "GET http://127.0.0.1:%u/taxii2/: 401 Unauthorized: bad credentials",
	         (unsigned)fx->port);
	assert_string_equal(d.msg, want);
	assert_null(strstr(d.msg, "s3cret"));
	setu_taxii_client_free(c);

	/* Explicit user/password. */
	snprintf(url, sizeof(url), "%s/taxii2/", fx->base);
	cfg.user = "alice";
	cfg.password = "pw";
	s.i = 0;
	fx_reset(fx);
	c = setu_taxii_client_new(&cfg, &d);
	assert_non_null(c);
	assert_int_equal(setu_taxii_discovery(c, &disc, &d), 0);
	json_decref(disc);
	assert_string_equal(fx->reqs[0].auth, "Basic YWxpY2U6cHc=");
	setu_taxii_client_free(c);
	fx_free(fx);
}

static void test_filter_encoding(void **state)
{
	(void)state;
	script_t s = {.steps = {{200, NULL, "{}", NULL, NULL, false, 0}}, .n = 1};
	fx_t *fx = fx_new(script_handler, &s);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/taxii2/", 0);
	setu_taxii_filter_t f = {
	    .added_after = "2024-01-01T00:00:00.000Z",
	    .match_type = "indicator,malware",
	    .match_id = "indicator--a b&c=d",
	    .match_version = "all",
	    .match_spec_version = "2.1",
	    .limit = 5,
	    .next = "a+b/c=?",
	};
	setu_taxii_page_t page = {0};
	setu_diag_t d = {0};
	assert_int_equal(setu_taxii_get_objects(c, "/api1/", "coll/1 x", &f, &page, &d),
	                 0);
	assert_false(page.more);
	assert_string_equal(page.next, "");
	assert_int_equal(page.http_status, 200);
	setu_taxii_page_clear(&page);
	assert_true(fx->nreq >= 1);
	const fx_req_t *r = &fx->reqs[0];
	/* Raw request: every reserved byte of ids and values is percent-encoded. (A copy:
	 * gcc -O3 cannot see the size of the fixture's array through the pointer.) */
	char uri[sizeof(r->uri)];
	snprintf(uri, sizeof(uri), "%s", r->uri);
	assert_non_null(strstr(uri, "/api1/collections/coll%2F1%20x/objects/?"));
	assert_non_null(strstr(uri, "added_after=2024-01-01T00%3A00%3A00.000Z"));
	assert_non_null(strstr(uri, "match%5Btype%5D=indicator%2Cmalware"));
	assert_non_null(strstr(uri, "match%5Bid%5D=indicator--a%20b%26c%3Dd"));
	assert_non_null(strstr(uri, "next=a%2Bb%2Fc%3D%3F"));
	assert_non_null(strstr(uri, "limit=5"));
	/* And the server decodes them back to what we meant. */
	assert_string_equal(r->added_after, "2024-01-01T00:00:00.000Z");
	assert_string_equal(r->match_type, "indicator,malware");
	assert_string_equal(r->match_id, "indicator--a b&c=d");
	assert_string_equal(r->match_version, "all");
	assert_string_equal(r->match_spec_version, "2.1");
	assert_string_equal(r->next, "a+b/c=?");
	assert_string_equal(r->limit, "5");

	/* Dot segments and empty ids are refused before any request. */
	assert_int_equal(setu_taxii_get_objects(c, "/api1/", "..", NULL, &page, &d),
	                 SETU_EINVAL);
	assert_int_equal(setu_taxii_get_objects(c, "/api1/", "", NULL, &page, &d),
	                 SETU_EINVAL);
	/* A non-http API root is refused. */
	assert_int_equal(setu_taxii_collections(c, "file:///etc/", NULL, &d),
	                 SETU_EINVAL);
	assert_int_equal(fx_count(fx), 1);

	/* Other endpoints' paths: relative and absolute API roots. */
	json_t *o = NULL;
	script_t s2 = {
	    .steps = {{200, NULL, "{\"collections\":[]}", NULL, NULL, false, 0}}, .n = 1};
	fx->user = &s2;
	assert_int_equal(setu_taxii_collections(c, "/api1/", &o, &d), 0);
	json_decref(o);
	char abs[128];
	snprintf(abs, sizeof(abs), "%s/api2", fx->base);
	assert_int_equal(setu_taxii_collections(c, abs, &o, &d), 0);
	json_decref(o);
	assert_string_equal(fx->reqs[1].path, "/api1/collections/");
	assert_string_equal(fx->reqs[2].path, "/api2/collections/");
	setu_taxii_client_free(c);
	fx_free(fx);
}

static void run_sync_all(bool use_next)
{
	coll_srv_t srv = {.n = 25, .page = 10, .use_next = use_next};
	fx_t *fx = fx_new(coll_handler, &srv);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/api1/", 0);
	collect_t got = {.fail_at = SIZE_MAX};
	char bookmark[SETU_TAXII_TS_MAX] = "";
	setu_diag_t d = {0};
	/* The base filter travels with every page; its `next` is ignored. */
	setu_taxii_filter_t base = {
	    .match_type = "indicator", .limit = 10, .next = "stale"};
	assert_int_equal(
	    setu_taxii_sync_objects(c, NULL, "c1", &base, bookmark, collect_cb, &got, &d),
	    0);
	for (size_t i = 0; i < fx_count(fx); i++) {
		assert_string_equal(fx->reqs[i].match_type, "indicator");
		assert_string_equal(fx->reqs[i].limit, "10");
	}
	assert_int_equal(got.n, 25);
	for (size_t i = 0; i < 25; i++)
		assert_int_equal(got.seen[i], i);
	char want[40];
	obj_date(24, want, sizeof(want));
	assert_string_equal(bookmark, want);
	assert_int_equal(fx_count(fx), 3);
	assert_false(fx->reqs[0].has_next);
	assert_false(fx->reqs[0].has_added_after);
	char d9[40], d19[40];
	obj_date(9, d9, sizeof(d9));
	obj_date(19, d19, sizeof(d19));
	if (use_next) {
		assert_string_equal(fx->reqs[1].next, "p10");
		assert_string_equal(fx->reqs[2].next, "p20");
		assert_false(fx->reqs[1].has_added_after);
	} else {
		/* Paging by added_after = the previous page's X-TAXII-Date-Added-Last. */
		assert_false(fx->reqs[1].has_next);
		assert_string_equal(fx->reqs[1].added_after, d9);
		assert_string_equal(fx->reqs[2].added_after, d19);
	}
	/* Nothing new: one request, nothing delivered, bookmark unchanged. */
	got.n = 0;
	fx_reset(fx);
	assert_int_equal(
	    setu_taxii_sync_objects(c, NULL, "c1", NULL, bookmark, collect_cb, &got, &d),
	    0);
	assert_int_equal(got.n, 0);
	assert_int_equal(fx_count(fx), 1);
	assert_string_equal(fx->reqs[0].added_after, want);
	assert_string_equal(bookmark, want);
	setu_taxii_client_free(c);
	fx_free(fx);
}

static void test_pagination_next(void **state)
{
	(void)state;
	run_sync_all(true);
}

static void test_pagination_added_after(void **state)
{
	(void)state;
	run_sync_all(false);
}

static void test_get_objects_page(void **state)
{
	(void)state;
	coll_srv_t srv = {.n = 25, .page = 10, .use_next = true};
	fx_t *fx = fx_new(coll_handler, &srv);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/api1/", 0);
	setu_taxii_filter_t f = {.limit = 4};
	setu_taxii_page_t page = {0};
	setu_diag_t d = {0};
	assert_int_equal(setu_taxii_get_objects(c, NULL, "c1", &f, &page, &d), 0);
	assert_true(page.more);
	assert_string_equal(page.next, "p4");
	char d0[40], d3[40];
	obj_date(0, d0, sizeof(d0));
	obj_date(3, d3, sizeof(d3));
	assert_string_equal(page.date_added_first, d0);
	assert_string_equal(page.date_added_last, d3);
	assert_int_equal(json_array_size(json_object_get(page.envelope, "objects")), 4);
	setu_taxii_page_clear(&page);
	assert_null(page.envelope);
	setu_taxii_client_free(c);
	fx_free(fx);
}

static void run_resume(bool use_next)
{
	coll_srv_t srv = {.n = 25, .page = 10, .use_next = use_next};
	fx_t *fx = fx_new(coll_handler, &srv);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/api1/", 0);
	char bookmark[SETU_TAXII_TS_MAX] = "";
	setu_diag_t d = {0};
	/* The consumer fails on object 15 (the middle of the second page). */
	collect_t run1 = {.fail_at = 15};
	assert_int_equal(
	    setu_taxii_sync_objects(c, NULL, "c1", NULL, bookmark, collect_cb, &run1, &d),
	    SETU_EIO);
	assert_int_equal(run1.n, 15); /* 0..14 were handed over */
	char d9[40];
	obj_date(9, d9, sizeof(d9));
	/* Only the first page was completed: the bookmark is its Date-Added-Last. */
	assert_string_equal(bookmark, d9);
	assert_non_null(strstr(d.msg, "consumer stopped"));

	/* Second run (a restarted process): starts after the bookmark. */
	collect_t run2 = {.fail_at = SIZE_MAX};
	fx_reset(fx);
	assert_int_equal(
	    setu_taxii_sync_objects(c, NULL, "c1", NULL, bookmark, collect_cb, &run2, &d),
	    0);
	assert_string_equal(fx->reqs[0].added_after, d9);
	assert_int_equal(run2.n, 15); /* 10..24 */
	/* Union of what was confirmed (completed pages of run 1) and run 2: every object
	 * once. Redelivery is limited to the incomplete page (10..14). */
	unsigned count[25] = {0};
	for (size_t i = 0; i < run1.n; i++)
		if (run1.seen[i] < 10)
			count[run1.seen[i]]++;
	for (size_t i = 0; i < run2.n; i++)
		count[run2.seen[i]]++;
	for (size_t i = 0; i < 25; i++)
		assert_int_equal(count[i], 1);
	char d24[40];
	obj_date(24, d24, sizeof(d24));
	assert_string_equal(bookmark, d24);
	setu_taxii_client_free(c);
	fx_free(fx);
}

static void test_resumable_sync_next(void **state)
{
	(void)state;
	run_resume(true);
}

static void test_resumable_sync_added_after(void **state)
{
	(void)state;
	run_resume(false);
}

static void test_sync_refuses_bad_paging(void **state)
{
	(void)state;
	/* Objects without X-TAXII-Date-Added-Last: nothing to resume from. */
	coll_srv_t srv = {.n = 5, .page = 10, .no_dates = true};
	fx_t *fx = fx_new(coll_handler, &srv);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/api1/", 0);
	char bookmark[SETU_TAXII_TS_MAX] = "";
	collect_t got = {.fail_at = SIZE_MAX};
	setu_diag_t d = {0};
	assert_int_equal(
	    setu_taxii_sync_objects(c, NULL, "c1", NULL, bookmark, collect_cb, &got, &d),
	    SETU_EMALFORMED);
	assert_string_equal(bookmark, "");
	assert_non_null(strstr(d.msg, "X-TAXII-Date-Added-Last"));

	/* more=true with neither next nor progress: an error, not an endless loop. */
	srv.no_dates = false;
	srv.stuck_more = true;
	fx_reset(fx);
	got.n = 0;
	assert_int_equal(
	    setu_taxii_sync_objects(c, NULL, "c1", NULL, bookmark, collect_cb, &got, &d),
	    SETU_EMALFORMED);
	assert_int_equal(got.n, 5);
	assert_true(fx_count(fx) <= 2);
	/* A bookmark that is not a timestamp. */
	char bad[SETU_TAXII_TS_MAX] = "yesterday";
	assert_int_equal(
	    setu_taxii_sync_objects(c, NULL, "c1", NULL, bad, collect_cb, &got, &d),
	    SETU_EINVAL);
	setu_taxii_client_free(c);
	fx_free(fx);
}

static void test_retry_5xx_then_success(void **state)
{
	(void)state;
	script_t s = {.steps = {{503, "text/plain", "busy", NULL, NULL, false, 0},
	                        {502, "", "", NULL, NULL, false, 0},
	                        {200, NULL, discovery_body, NULL, NULL, false, 0}},
	              .n = 3};
	fx_t *fx = fx_new(script_handler, &s);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/taxii2/", 3);
	json_t *o = NULL;
	setu_diag_t d = {0};
	assert_int_equal(setu_taxii_discovery(c, &o, &d), 0);
	json_decref(o);
	assert_int_equal(fx_count(fx), 3);
	/* Backoff 40 ms then 80 ms, each with jitter in [d/2, d]. */
	uint64_t g1 = fx->reqs[1].t_ms - fx->reqs[0].t_ms;
	uint64_t g2 = fx->reqs[2].t_ms - fx->reqs[1].t_ms;
	assert_true(g1 >= 19);
	assert_true(g2 >= 39);
	assert_true(g1 < 1000 && g2 < 1000);

	/* Persistent 503: max_retries + 1 attempts, then EAGAIN naming the status. */
	script_t s2 = {
	    .steps = {{503, NULL, "{\"title\":\"maintenance\"}", NULL, NULL, false, 0}},
	    .n = 1};
	fx->user = &s2;
	fx_reset(fx);
	assert_int_equal(setu_taxii_discovery(c, &o, &d), SETU_EAGAIN);
	assert_int_equal(fx_count(fx), 4);
	assert_non_null(
	    strstr(d.msg, "503 Service Unavailable: maintenance (after retries)"));
	setu_taxii_client_free(c);
	fx_free(fx);
}

static void test_retry_after_header(void **state)
{
	(void)state;
	script_t s = {
	    .steps = {{429, NULL, "{\"title\":\"slow down\"}", NULL, "1", false, 0},
	              {200, NULL, discovery_body, NULL, NULL, false, 0}},
	    .n = 2};
	fx_t *fx = fx_new(script_handler, &s);
	assert_non_null(fx);
	char url[128];
	snprintf(url, sizeof(url), "%s/taxii2/", fx->base);
	setu_taxii_config_t cfg;
	setu_taxii_config_default(&cfg);
	cfg.url = url;
	cfg.max_retries = 2;
	cfg.backoff_initial_ms = 10;
	cfg.backoff_max_ms = 5000;
	setu_diag_t d = {0};
	setu_taxii_client_t *c = setu_taxii_client_new(&cfg, &d);
	assert_non_null(c);
	json_t *o = NULL;
	assert_int_equal(setu_taxii_discovery(c, &o, &d), 0);
	json_decref(o);
	assert_int_equal(fx_count(fx), 2);
	/* Retry-After: 1 outweighs the 10 ms backoff. */
	assert_true(fx->reqs[1].t_ms - fx->reqs[0].t_ms >= 990);
	setu_taxii_client_free(c);
	fx_free(fx);
}

typedef struct restart {
	fx_t *fx;
	uint16_t port;
	int rc;
} restart_t;

static void *restart_later(void *arg)
{
	restart_t *r = arg;
	usleep(300 * 1000);
	r->rc = fx_start(r->fx, r->port);
	return NULL;
}

static void test_retry_connection_refused(void **state)
{
	(void)state;
	script_t s = {.steps = {{200, NULL, discovery_body, NULL, NULL, false, 0}},
	              .n = 1};
	fx_t *fx = fx_new(script_handler, &s);
	assert_non_null(fx);
	uint16_t port = fx->port;
	fx_stop(fx);

	/* No retries: one attempt, a network error naming the URL. */
	setu_taxii_client_t *c = client_for(fx, "/taxii2/", 0);
	json_t *o = NULL;
	setu_diag_t d = {0};
	assert_int_equal(setu_taxii_discovery(c, &o, &d), SETU_ENET);
	char want[96];
	snprintf(want, sizeof(want), "GET http://127.0.0.1:%u/taxii2/: ", (unsigned)port);
	assert_memory_equal(d.msg, want, strlen(want));
	assert_non_null(strstr(d.msg, "(1 attempt)"));
	setu_taxii_client_free(c);

	/* With retries, the server coming back 300 ms later is reached. */
	c = client_for(fx, "/taxii2/", 8);
	restart_t r = {fx, port, -1};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, restart_later, &r), 0);
	uint64_t t0 = fx_now_ms();
	int rc = setu_taxii_discovery(c, &o, &d);
	pthread_join(th, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(rc, 0);
	json_decref(o);
	assert_true(fx_now_ms() - t0 >= 290);
	assert_int_equal(fx_count(fx), 1);
	setu_taxii_client_free(c);
	fx_free(fx);
}

static void test_no_retry_on_4xx(void **state)
{
	(void)state;
	script_t s = {
	    .steps =
	        {{403, NULL,
	          "{\"title\":\"no read access\",\"description\":\"ask the hub admin\","
	          "\"http_status\":\"403\"}",
	          NULL, NULL, false, 0}},
	    .n = 1};
	fx_t *fx = fx_new(script_handler, &s);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/api1/", 5);
	setu_taxii_page_t page = {0};
	setu_diag_t d = {0};
	assert_int_equal(setu_taxii_get_objects(c, NULL, "X", NULL, &page, &d),
	                 SETU_EPERM);
	assert_int_equal(page.http_status, 403);
	assert_null(page.envelope);
	assert_int_equal(fx_count(fx), 1);
	char want[200];
	snprintf(
	    want, sizeof(want),
	    "GET http://127.0.0.1:%u/api1/collections/X/objects/: 403 Forbidden: no read "
	    "access (ask the hub admin)",
	    (unsigned)fx->port);
	assert_string_equal(d.msg, want);
	assert_int_equal(d.code, SETU_EPERM);

	/* 404 with a body that is not JSON: status only. */
	script_t s2 = {
	    .steps = {{404, "text/html", "<h1>nope</h1>", NULL, NULL, false, 0}}, .n = 1};
	fx->user = &s2;
	fx_reset(fx);
	json_t *o = NULL;
	assert_int_equal(setu_taxii_collection(c, NULL, "c9", &o, &d), SETU_ENOENT);
	assert_int_equal(fx_count(fx), 1);
	snprintf(want, sizeof(want),
	         "GET http://127.0.0.1:%u/api1/collections/c9/: 404 Not Found",
	         (unsigned)fx->port);
	assert_string_equal(d.msg, want);

	/* Server text is kept on one line. */
	script_t s3 = {.steps = {{400, "application/json",
	                          "{\"title\":\"bad\\nfilter\",\"description\":\"\"}",
	                          NULL, NULL, false, 0}},
	               .n = 1};
	fx->user = &s3;
	assert_int_equal(setu_taxii_collections(c, NULL, &o, &d), SETU_EINVAL);
	assert_non_null(strstr(d.msg, "400 Bad Request: bad filter"));
	assert_null(strchr(d.msg, '\n'));
	setu_taxii_client_free(c);
	fx_free(fx);
}

static void test_oversized_refused(void **state)
{
	(void)state;
	const char *env = "{\"objects\":[]}";
	script_t s = {.steps = {{200, NULL, env, NULL, NULL, false, 4096},
	                        {200, NULL, env, NULL, NULL, false, 4097},
	                        {200, NULL, env, NULL, NULL, true, 100000},
	                        {200, NULL, env, NULL, NULL, true, 4096}},
	              .n = 4};
	fx_t *fx = fx_new(script_handler, &s);
	assert_non_null(fx);
	char url[128];
	snprintf(url, sizeof(url), "%s/api1/", fx->base);
	setu_taxii_config_t cfg;
	setu_taxii_config_default(&cfg);
	cfg.url = url;
	cfg.max_response_bytes = 4096;
	cfg.max_retries = 3;
	setu_diag_t d = {0};
	setu_taxii_client_t *c = setu_taxii_client_new(&cfg, &d);
	assert_non_null(c);
	setu_taxii_page_t page = {0};
	/* Exactly the limit: accepted. */
	assert_int_equal(setu_taxii_get_objects(c, NULL, "c1", NULL, &page, &d), 0);
	setu_taxii_page_clear(&page);
	/* One byte more (Content-Length known): refused, not retried. */
	assert_int_equal(setu_taxii_get_objects(c, NULL, "c1", NULL, &page, &d),
	                 SETU_ELIMIT);
	assert_non_null(strstr(d.msg, "larger than 4096 bytes"));
	assert_null(page.envelope);
	/* Chunked, no length: stopped while receiving. */
	assert_int_equal(setu_taxii_get_objects(c, NULL, "c1", NULL, &page, &d),
	                 SETU_ELIMIT);
	/* Chunked at the limit: fine. */
	assert_int_equal(setu_taxii_get_objects(c, NULL, "c1", NULL, &page, &d), 0);
	setu_taxii_page_clear(&page);
	assert_int_equal(fx_count(fx), 4);
	setu_taxii_client_free(c);
	fx_free(fx);
}

static void test_media_type_checked(void **state)
{
	(void)state;
	script_t s = {
	    .steps = {{200, "text/html", discovery_body, NULL, NULL, false, 0},
	              {200, "application/json", discovery_body, NULL, NULL, false, 0},
	              {200, "application/taxii+json;version=2.0", discovery_body, NULL,
	               NULL, false, 0},
	              {200, "", discovery_body, NULL, NULL, false, 0},
	              {200, "Application/TAXII+JSON; version=\"2.1\"", discovery_body,
	               NULL, NULL, false, 0},
	              {200, NULL, "{\"title\":", NULL, NULL, false, 0},
	              {200, NULL, "{\"api_roots\":[]}", NULL, NULL, false, 0},
	              {200, NULL, "[1,2]", NULL, NULL, false, 0}},
	    .n = 8};
	fx_t *fx = fx_new(script_handler, &s);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/taxii2/", 2);
	json_t *o = NULL;
	setu_diag_t d = {0};
	assert_int_equal(setu_taxii_discovery(c, &o, &d), SETU_EMALFORMED);
	assert_non_null(
	    strstr(d.msg, "/taxii2/: 200 OK: media type 'text/html' is not " MEDIA));
	assert_int_equal(setu_taxii_discovery(c, &o, &d), SETU_EMALFORMED);
	assert_int_equal(setu_taxii_discovery(c, &o, &d), SETU_EMALFORMED);
	assert_int_equal(setu_taxii_discovery(c, &o, &d), SETU_EMALFORMED);
	assert_int_equal(setu_taxii_discovery(c, &o, &d), 0);
	json_decref(o);
	assert_int_equal(setu_taxii_discovery(c, &o, &d), SETU_EMALFORMED);
	assert_non_null(strstr(d.msg, "invalid JSON"));
	assert_int_equal(setu_taxii_discovery(c, &o, &d), SETU_EMALFORMED);
	assert_non_null(strstr(d.msg, "'title' missing"));
	assert_int_equal(setu_taxii_discovery(c, &o, &d), SETU_EMALFORMED);
	/* Malformed answers are not retried. */
	assert_int_equal(fx_count(fx), 8);
	setu_taxii_client_free(c);
	fx_free(fx);
}

static void test_bad_date_header(void **state)
{
	(void)state;
	script_t s = {
	    .steps = {{200, NULL, "{\"objects\":[]}", "last tuesday", NULL, false, 0}},
	    .n = 1};
	fx_t *fx = fx_new(script_handler, &s);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/api1/", 0);
	setu_taxii_page_t page = {0};
	setu_diag_t d = {0};
	assert_int_equal(setu_taxii_get_objects(c, NULL, "c1", NULL, &page, &d),
	                 SETU_EMALFORMED);
	assert_non_null(strstr(d.msg, "X-TAXII-Date-Added"));
	setu_taxii_client_free(c);
	fx_free(fx);
}

/* The hub side of POST + status polling: pending for two polls, then complete. */
typedef struct post_srv {
	unsigned polls;
} post_srv_t;

static void post_handler(void *user, const fx_req_t *req, fx_resp_t *resp)
{
	post_srv_t *s = user;
	static const char pending[] =
	    "{\"id\":\"s-1\",\"status\":\"pending\",\"request_timestamp\":"
	    "\"2024-03-01T10:00:00.000Z\",\"total_count\":2,\"success_count\":0,"
	    "\"failure_count\":0,\"pending_count\":2}";
	static const char complete[] =
	    "{\"id\":\"s-1\",\"status\":\"complete\",\"total_count\":2,\"success_count\":"
	    "1,"
	    "\"successes\":[{\"id\":\"indicator--1\",\"version\":\"2024-03-01T10:00:00."
	    "000Z\"}],"
	    "\"failure_count\":1,\"failures\":[{\"id\":\"indicator--2\",\"version\":"
	    "\"2024-03-01T10:00:00.000Z\",\"message\":\"bad "
	    "pattern\"}],\"pending_count\":0}";
	if (strcmp(req->method, "POST") == 0 &&
	    strcmp(req->path, "/api1/collections/c1/objects/") == 0) {
		fx_body(resp, 202, pending);
	} else if (strcmp(req->method, "GET") == 0 &&
	           strcmp(req->path, "/api1/status/s-1/") == 0) {
		s->polls++;
		fx_body(resp, 200, s->polls > 2 ? complete : pending);
	} else if (strcmp(req->method, "DELETE") == 0) {
		resp->status = 200;
		resp->content_type = "";
	} else {
		fx_body(resp, 404, "{\"title\":\"not found\"}");
	}
}

static void test_post_and_status(void **state)
{
	(void)state;
	post_srv_t srv = {0};
	fx_t *fx = fx_new(post_handler, &srv);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/api1/", 0);
	json_t *env =
	    json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "objects", "type", "indicator",
	              "id", "indicator--1", "type", "indicator", "id", "indicator--2");
	json_t *st = NULL;
	setu_diag_t d = {0};
	assert_int_equal(setu_taxii_post_objects(c, NULL, "c1", env, &st, &d), 0);
	assert_int_equal(setu_taxii_client_last_status(c), 202);
	assert_string_equal(json_string_value(json_object_get(st, "id")), "s-1");
	const fx_req_t *r = &fx->reqs[0];
	assert_string_equal(r->content_type, MEDIA);
	assert_string_equal(r->accept, MEDIA);
	json_t *sent = json_loadb(r->body, r->body_len, 0, NULL);
	assert_non_null(sent);
	assert_true(json_equal(sent, env));
	json_decref(sent);
	json_decref(st);

	/* Poll until complete: 3 GETs. */
	assert_int_equal(setu_taxii_wait_status(c, NULL, "s-1", 5000, &st, &d), 0);
	setu_taxii_status_counts_t n;
	setu_taxii_status_counts(st, &n);
	assert_true(n.complete);
	assert_int_equal(n.total, 2);
	assert_int_equal(n.success, 1);
	assert_int_equal(n.failure, 1);
	assert_int_equal(n.pending, 0);
	json_decref(st);
	assert_int_equal(fx_count(fx), 4);
	assert_string_equal(fx->reqs[3].path, "/api1/status/s-1/");

	/* A status still pending at the deadline (1 ms: at most two polls, both pending):
	 * EAGAIN, and the last status is returned. */
	srv.polls = 0;
	fx_reset(fx);
	uint64_t t0 = fx_now_ms();
	int rc = setu_taxii_wait_status(c, NULL, "s-1", 1, &st, &d);
	assert_true(fx_now_ms() - t0 < 1000);
	assert_int_equal(rc, SETU_EAGAIN);
	assert_non_null(st);
	setu_taxii_status_counts(st, &n);
	assert_false(n.complete);
	assert_non_null(strstr(d.msg, "still pending"));
	json_decref(st);

	/* Unknown status: 404, ENOENT. */
	assert_int_equal(setu_taxii_get_status(c, NULL, "s-404", &st, &d), SETU_ENOENT);

	/* DELETE: method, path, filter. */
	setu_taxii_filter_t f = {.match_version = "all"};
	fx_reset(fx);
	assert_int_equal(setu_taxii_delete_object(c, NULL, "c1", "indicator--1", &f, &d),
	                 0);
	assert_string_equal(fx->reqs[0].method, "DELETE");
	assert_string_equal(fx->reqs[0].path,
	                    "/api1/collections/c1/objects/indicator--1/");
	assert_string_equal(fx->reqs[0].match_version, "all");

	/* Not an envelope: refused before sending. */
	json_t *bad = json_array();
	assert_int_equal(setu_taxii_post_objects(c, NULL, "c1", bad, &st, &d),
	                 SETU_EINVAL);
	json_decref(bad);
	json_decref(env);
	setu_taxii_client_free(c);
	fx_free(fx);
}

/* A moved API root: redirects are followed (same method for 308), a redirect loop ends
 * with an error naming the URL. */
static void redirect_handler(void *user, const fx_req_t *req, fx_resp_t *resp)
{
	(void)user;
	if (strncmp(req->path, "/old/", 5) == 0) {
		fx_body(resp, 308, "");
		snprintf(resp->location, sizeof(resp->location), "/api1/%s",
		         req->path + 5);
	} else if (strncmp(req->path, "/loop/", 6) == 0) {
		fx_body(resp, 302, "");
		snprintf(resp->location, sizeof(resp->location), "%.200s", req->path);
	} else if (strcmp(req->path, "/api1/collections/c1/objects/") == 0 &&
	           strcmp(req->method, "POST") == 0) {
		fx_body(resp, 202,
		        "{\"id\":\"s-9\",\"status\":\"complete\",\"total_count\":0,"
		        "\"success_count\":0,\"failure_count\":0,\"pending_count\":0}");
	} else if (strcmp(req->path, "/api1/collections/") == 0) {
		fx_body(resp, 200, "{\"collections\":[]}");
	} else {
		fx_body(resp, 404, "{\"title\":\"not found\"}");
	}
}

static void test_redirects(void **state)
{
	(void)state;
	fx_t *fx = fx_new(redirect_handler, NULL);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/old/", 2);
	json_t *o = NULL;
	setu_diag_t d = {0};
	assert_int_equal(setu_taxii_collections(c, NULL, &o, &d), 0);
	json_decref(o);
	assert_int_equal(fx_count(fx), 2);
	assert_string_equal(fx->reqs[1].path, "/api1/collections/");
	json_t *env = json_pack("{s:[]}", "objects");
	assert_int_equal(setu_taxii_post_objects(c, NULL, "c1", env, &o, &d), 0);
	json_decref(o);
	json_decref(env);
	assert_string_equal(fx->reqs[3].method, "POST");
	assert_string_equal(fx->reqs[3].body, "{\"objects\":[]}");
	fx_reset(fx);
	assert_int_equal(setu_taxii_collections(c, "/loop/", &o, &d), SETU_ENET);
	assert_non_null(strstr(d.msg, "/loop/collections/: "));
	assert_non_null(strstr(d.msg, "redirects"));
	assert_int_equal(fx_count(fx), 4); /* first request + 3 redirects, not retried */
	setu_taxii_client_free(c);
	fx_free(fx);
}

static void test_keepalive(void **state)
{
	(void)state;
	script_t s = {.steps = {{200, NULL, discovery_body, NULL, NULL, false, 0}},
	              .n = 1};
	fx_t *fx = fx_new(script_handler, &s);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/taxii2/", 0);
	setu_diag_t d = {0};
	for (int i = 0; i < 5; i++) {
		json_t *o = NULL;
		assert_int_equal(setu_taxii_discovery(c, &o, &d), 0);
		json_decref(o);
	}
	assert_int_equal(fx_count(fx), 5);
	/* One TCP connection (same client port) carried all requests. */
	for (size_t i = 1; i < 5; i++)
		assert_int_equal(fx->reqs[i].client_port, fx->reqs[0].client_port);
	assert_true(fx->reqs[0].client_port != 0);
	setu_taxii_client_free(c);
	fx_free(fx);
}

/* Manifest and versions endpoints, and the counters. */
typedef struct counters_seen {
	uint64_t requests, retries, errors, objects;
} counters_seen_t;

static void count_cb(void *user, const char *name, uint64_t v)
{
	counters_seen_t *s = user;
	if (strcmp(name, "taxii_client.requests") == 0)
		s->requests = v;
	else if (strcmp(name, "taxii_client.retries") == 0)
		s->retries = v;
	else if (strcmp(name, "taxii_client.errors") == 0)
		s->errors = v;
	else if (strcmp(name, "taxii_client.objects") == 0)
		s->objects = v;
}

static void test_manifest_versions(void **state)
{
	(void)state;
	script_t s = {
	    .steps =
	        {{200, NULL,
	          "{\"more\":false,\"objects\":[{\"id\":\"indicator--1\",\"date_added\":"
	          "\"2024-03-01T10:00:00.000Z\",\"version\":\"2024-03-01T09:00:00.000Z\","
	          "\"media_type\":\"application/stix+json;version=2.1\"}]}",
	          "2024-03-01T10:00:00.000Z", NULL, false, 0},
	         {200, NULL,
	          "{\"more\":true,\"next\":\"v2\",\"versions\":[\"2024-03-01T09:00:00."
	          "000Z\"]}",
	          NULL, NULL, false, 0},
	         {200, NULL, "{\"objects\":[{\"id\":\"indicator--1\"}]}", NULL, NULL,
	          false, 0}},
	    .n = 3};
	fx_t *fx = fx_new(script_handler, &s);
	assert_non_null(fx);
	setu_taxii_client_t *c = client_for(fx, "/api1/", 0);
	setu_taxii_page_t page = {0};
	setu_diag_t d = {0};
	assert_int_equal(setu_taxii_get_manifest(c, NULL, "c1", NULL, &page, &d), 0);
	assert_string_equal(fx->reqs[0].path, "/api1/collections/c1/manifest/");
	assert_string_equal(page.date_added_last, "2024-03-01T10:00:00.000Z");
	setu_taxii_filter_t f = {.match_spec_version = "2.1"};
	assert_int_equal(
	    setu_taxii_get_versions(c, NULL, "c1", "indicator--1", &f, &page, &d), 0);
	assert_string_equal(fx->reqs[1].path,
	                    "/api1/collections/c1/objects/indicator--1/versions/");
	assert_true(page.more);
	assert_string_equal(page.next, "v2");
	/* An object without "type" is not a STIX object. */
	assert_int_equal(
	    setu_taxii_get_object(c, NULL, "c1", "indicator--1", NULL, &page, &d),
	    SETU_EMALFORMED);
	assert_string_equal(fx->reqs[2].path,
	                    "/api1/collections/c1/objects/indicator--1/");
	setu_taxii_page_clear(&page);
	counters_seen_t cs = {0};
	setu_taxii_client_counters(c, count_cb, &cs);
	assert_int_equal(cs.requests, 3);
	assert_int_equal(cs.errors, 1);
	assert_int_equal(cs.retries, 0);
	setu_taxii_client_free(c);
	fx_free(fx);
}

/* ---- HTTPS: a self-signed certificate for 127.0.0.1, made for the test ---- */

static char *bio_string(BIO *b)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);
	char *s = malloc((size_t)n + 1);
	if (s != NULL) {
		memcpy(s, p, (size_t)n);
		s[n] = '\0';
	}
	return s;
}

static bool add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (e == NULL)
		return false;
	bool ok = X509_add_ext(x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok;
}

static void make_cert(char **cert_pem, char **key_pem)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	assert_non_null(k);
	X509 *x = X509_new();
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	                           (const unsigned char *)"setu test hub", -1, -1, 0);
	X509_set_issuer_name(x, n);
	assert_true(add_ext(x, NID_subject_alt_name, "IP:127.0.0.1"));
	assert_true(add_ext(x, NID_basic_constraints, "critical,CA:TRUE"));
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	BIO *bc = BIO_new(BIO_s_mem()), *bk = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_X509(bc, x) == 1);
	assert_true(PEM_write_bio_PrivateKey(bk, k, NULL, NULL, 0, NULL, NULL) == 1);
	*cert_pem = bio_string(bc);
	*key_pem = bio_string(bk);
	assert_non_null(*cert_pem);
	assert_non_null(*key_pem);
	BIO_free(bc);
	BIO_free(bk);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void test_https(void **state)
{
	(void)state;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		skip();
	char *cert = NULL, *key = NULL;
	make_cert(&cert, &key);
	char ca[] = "/tmp/setu-taxii-ca-XXXXXX";
	int fd = mkstemp(ca);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, cert, strlen(cert)), (ssize_t)strlen(cert));
	close(fd);

	script_t s = {.steps = {{200, NULL, discovery_body, NULL, NULL, false, 0}},
	              .n = 1};
	fx_t *fx = fx_new_tls(script_handler, &s, cert, key);
	assert_non_null(fx);
	char url[128];
	snprintf(url, sizeof(url), "%s/taxii2/", fx->base);
	assert_memory_equal(url, "https://", 8);
	setu_taxii_config_t cfg;
	setu_taxii_config_default(&cfg);
	cfg.url = url;
	cfg.token = "tls-token";
	cfg.max_retries = 3;
	cfg.backoff_initial_ms = 10;
	setu_diag_t d = {0};
	json_t *o = NULL;

	/* Our CA given: verified, the request goes through. */
	cfg.ca_file = ca;
	setu_taxii_client_t *c = setu_taxii_client_new(&cfg, &d);
	assert_non_null(c);
	assert_int_equal(setu_taxii_discovery(c, &o, &d), 0);
	json_decref(o);
	setu_taxii_client_free(c);
	assert_int_equal(fx_count(fx), 1);
	assert_string_equal(fx->reqs[0].auth, "Bearer tls-token");

	/* Without it: the certificate is refused, once (not a transient error), and the
	 * token never left the client. */
	cfg.ca_file = NULL;
	c = setu_taxii_client_new(&cfg, &d);
	assert_non_null(c);
	assert_int_equal(setu_taxii_discovery(c, &o, &d), SETU_ENET);
	assert_non_null(strstr(d.msg, "GET https://127.0.0.1:"));
	assert_non_null(strstr(d.msg, "(1 attempt)"));
	setu_taxii_client_free(c);
	assert_int_equal(fx_count(fx), 1);

	/* insecure (tests only): accepted without verification. */
	cfg.insecure = true;
	c = setu_taxii_client_new(&cfg, &d);
	assert_non_null(c);
	assert_int_equal(setu_taxii_discovery(c, &o, &d), 0);
	json_decref(o);
	setu_taxii_client_free(c);
	assert_int_equal(fx_count(fx), 2);

	fx_free(fx);
	unlink(ca);
	free(cert);
	free(key);
}

static void test_config_checked(void **state)
{
	(void)state;
	setu_taxii_config_t cfg;
	setu_taxii_config_default(&cfg);
	setu_diag_t d = {0};
	assert_null(setu_taxii_client_new(&cfg, &d));
	cfg.url = "ftp://127.0.0.1/taxii2/";
	assert_null(setu_taxii_client_new(&cfg, &d));
	assert_int_equal(d.code, SETU_ECONFIG);
	cfg.url = "http://127.0.0.1:1/taxii2/";
	cfg.backoff_initial_ms = cfg.backoff_max_ms + 1;
	assert_null(setu_taxii_client_new(&cfg, &d));
	setu_taxii_config_default(&cfg);
	cfg.url = "http://127.0.0.1:1/taxii2/";
	cfg.max_response_bytes = 0;
	assert_null(setu_taxii_client_new(&cfg, &d));
	cfg.max_response_bytes = 10;
	setu_taxii_client_t *c = setu_taxii_client_new(&cfg, &d);
	assert_non_null(c);
	setu_taxii_client_free(c);
	setu_taxii_client_free(NULL);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_headers_and_bearer),
	    cmocka_unit_test(test_basic_auth_and_secrets),
	    cmocka_unit_test(test_filter_encoding),
	    cmocka_unit_test(test_pagination_next),
	    cmocka_unit_test(test_pagination_added_after),
	    cmocka_unit_test(test_get_objects_page),
	    cmocka_unit_test(test_resumable_sync_next),
	    cmocka_unit_test(test_resumable_sync_added_after),
	    cmocka_unit_test(test_sync_refuses_bad_paging),
	    cmocka_unit_test(test_retry_5xx_then_success),
	    cmocka_unit_test(test_retry_after_header),
	    cmocka_unit_test(test_retry_connection_refused),
	    cmocka_unit_test(test_no_retry_on_4xx),
	    cmocka_unit_test(test_oversized_refused),
	    cmocka_unit_test(test_media_type_checked),
	    cmocka_unit_test(test_bad_date_header),
	    cmocka_unit_test(test_post_and_status),
	    cmocka_unit_test(test_redirects),
	    cmocka_unit_test(test_keepalive),
	    cmocka_unit_test(test_manifest_versions),
	    cmocka_unit_test(test_https),
	    cmocka_unit_test(test_config_checked),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
