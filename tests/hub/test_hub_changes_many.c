/* test_hub_changes_many.c — push-hint waits hold no HTTP thread (docs/push-hint.md,
 * libmicrohttpd suspend/resume): on a hub with 2 pool threads, 20 requests wait in
 * GET /api/changes while ordinary TAXII requests, on fresh connections and on one
 * kept-alive connection, are each answered within a second; an Add Objects answers,
 * within a second, every waiter that may read the object (and none that may not); waits
 * whose client hung up are freed; a stop answers 20 waiters with 204 at once. With
 * threads held by waiters, the TAXII requests would stall behind them (and the cap would
 * be threads/2 = 1). */
#include "hub_fixture.h"

#include "hub/auth/acl.h"
#include "intel/tlp.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N_WAITERS 20
#define N_ORDINARY 20

typedef struct world {
	hubfx_t fx;
	char alice[SETU_TOKEN_LEN + 1]; /* ACME contributor */
	char bob[SETU_TOKEN_LEN + 1];   /* ACME reader */
	char carol[SETU_TOKEN_LEN + 1]; /* Other reader of the shared collection */
	char coll[40];
} world_t;

static int setup(void **state)
{
	world_t *w = calloc(1, sizeof(*w));
	setu_member_t m;
	assert_int_equal(hubfx_init(&w->fx, 1u << 20), 0);
	assert_int_equal(hubfx_org(&w->fx, "ACME", NULL, 0), 0);
	assert_int_equal(hubfx_org(&w->fx, "Other", NULL, 0), 0);
	assert_int_equal(
	    hubfx_member(&w->fx, "ACME", "alice", SETU_ROLE_CONTRIBUTOR, w->alice, &m),
	    0);
	assert_int_equal(
	    hubfx_member(&w->fx, "ACME", "bob", SETU_ROLE_READER, w->bob, &m), 0);
	assert_int_equal(
	    hubfx_member(&w->fx, "Other", "carol", SETU_ROLE_READER, w->carol, &m), 0);
	assert_int_equal(hubfx_collection(&w->fx, "shared", false, w->coll), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->coll, "ACME", true, true), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->coll, "Other", true, false), 0);
	w->fx.cfg.threads = 2; /* the default cap on waiters applies */
	assert_int_equal(hubfx_start(&w->fx), 0);
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

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void add(world_t *w, setu_tlp_t level, int serial)
{
	char uuid[37], body[2048], path[128];
	setu_uuid4(uuid);
	snprintf(body, sizeof(body),
	         "{\"objects\":[{\"type\":\"indicator\",\"spec_version\":\"2.1\","
	         "\"id\":\"indicator--%s\",\"created\":\"2026-01-01T00:00:00.000Z\","
	         "\"modified\":\"2026-01-01T00:00:00.000Z\",\"name\":\"n%d\","
	         "\"pattern\":\"[ipv4-addr:value = '198.51.100.%d']\","
	         "\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\","
	         "\"object_marking_refs\":[\"%s\"]}]}",
	         uuid, serial, serial % 250 + 1, setu_tlp_marking_id(level));
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", w->coll);
	hubres_t r;
	assert_int_equal(hubfx_req(&w->fx, "POST", path, w->alice, NULL, NULL, body, &r),
	                 0);
	if (r.status != 202 ||
	    json_integer_value(json_object_get(r.json, "success_count")) != 1)
		fprintf(stderr, "POST: %ld %s\n", r.status, r.body);
	assert_int_equal(r.status, 202);
	assert_int_equal(json_integer_value(json_object_get(r.json, "success_count")), 1);
	hubres_free(&r);
}

typedef struct waiter {
	world_t *w;
	const char *tok;
	char path[400];
	long status;
	double done; /* monotonic time of the answer */
	pthread_t th;
} waiter_t;

static void *wait_main(void *arg)
{
	waiter_t *x = arg;
	hubres_t r;
	if (hubfx_req(&x->w->fx, "GET", x->path, x->tok, "", NULL, NULL, &r) == 0) {
		x->status = r.status;
		hubres_free(&r);
	}
	x->done = now_s();
	return NULL;
}

static void start_waiters(world_t *w, waiter_t *x, const char *after)
{
	for (int i = 0; i < N_WAITERS; i++) {
		memset(&x[i], 0, sizeof(x[i]));
		x[i].w = w;
		/* every fourth is carol's (Other), the rest bob's (ACME) */
		x[i].tok = i % 4 == 0 ? w->carol : w->bob;
		snprintf(x[i].path, sizeof(x[i].path),
		         "/api/changes?collection=%s&after=%s&wait=20", w->coll, after);
		assert_int_equal(pthread_create(&x[i].th, NULL, wait_main, &x[i]), 0);
	}
	for (int i = 0; i < 1000; i++) {
		unsigned k;
		uint64_t refused;
		setu_hub_changes_stats(w->fx.hub, &k, &refused);
		if (k >= N_WAITERS)
			return;
		usleep(10000);
	}
	fail_msg("the hub never counted %d waiters", N_WAITERS);
}

/* One TAXII read on a fresh connection; its latency. */
static double ordinary(world_t *w)
{
	char path[128];
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", w->coll);
	hubres_t r;
	double t0 = now_s();
	assert_int_equal(hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
	double took = now_s() - t0;
	assert_int_equal(r.status, 200);
	hubres_free(&r);
	return took;
}

static size_t sink(char *p, size_t sz, size_t n, void *u)
{
	(void)p;
	(void)u;
	return sz * n;
}

/* n TAXII reads on ONE kept-alive connection (as a sensor's pull thread does); the
 * longest latency. */
static double keepalive(world_t *w, int n)
{
	char url[256], auth[256];
	snprintf(url, sizeof(url), "%s/taxii2/", w->fx.base);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w->bob);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	struct curl_slist *hs = NULL;
	hs = curl_slist_append(hs, "Accept: application/taxii+json;version=2.1");
	hs = curl_slist_append(hs, auth);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	double worst = 0;
	long conns = 0;
	for (int i = 0; i < n; i++) {
		double t0 = now_s();
		assert_int_equal(curl_easy_perform(c), CURLE_OK);
		double took = now_s() - t0;
		worst = took > worst ? took : worst;
		long code = 0, opened = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &opened);
		assert_int_equal(code, 200);
		conns += opened;
	}
	assert_int_equal(conns, 1); /* one connection, kept alive */
	curl_slist_free_all(hs);
	curl_easy_cleanup(c);
	return worst;
}

static void test_waiters_hold_no_thread(void **state)
{
	world_t *w = *state;
	char after[SETU_TS_LEN];
	setu_ts_format(setu_now_us(), after, sizeof(after));
	waiter_t x[N_WAITERS];
	start_waiters(w, x, after);

	/* 2 pool threads, 20 waits: ordinary requests are served at once */
	double worst = 0;
	for (int i = 0; i < N_ORDINARY; i++) {
		double took = ordinary(w);
		worst = took > worst ? took : worst;
	}
	double worst_ka = keepalive(w, 10);
	fprintf(stderr,
	        "  20 waiting: TAXII read worst %.3f s (fresh), %.3f s (kept alive)\n",
	        worst, worst_ka);
	assert_true(worst < 1.0);
	assert_true(worst_ka < 1.0);
	for (int i = 0; i < N_WAITERS; i++)
		assert_int_equal(x[i].status, 0); /* all still waiting */
	unsigned k;
	uint64_t refused;
	setu_hub_changes_stats(w->fx.hub, &k, &refused);
	assert_int_equal(k, N_WAITERS);
	assert_int_equal(refused, 0);

	/* an AMBER object of ACME (no recipients named): bob's waiters answer, those of
	 * carol (Other) never do */
	double t0 = now_s();
	add(w, SETU_TLP_AMBER, 1);
	for (int i = 0; i < N_WAITERS; i++) {
		if (x[i].tok == w->carol)
			continue;
		pthread_join(x[i].th, NULL);
		assert_int_equal(x[i].status, 200);
		assert_true(x[i].done - t0 < 1.0);
	}
	usleep(300000);
	for (int i = 0; i < N_WAITERS; i += 4)
		assert_int_equal(x[i].status, 0);
	/* a wait leaves the count when it is answered, before the client reads it */
	setu_hub_changes_stats(w->fx.hub, &k, &refused);
	assert_int_equal(k, N_WAITERS / 4);
	/* a GREEN one: carol's answer too */
	t0 = now_s();
	add(w, SETU_TLP_GREEN, 2);
	for (int i = 0; i < N_WAITERS; i += 4) {
		pthread_join(x[i].th, NULL);
		assert_int_equal(x[i].status, 200);
		assert_true(x[i].done - t0 < 1.0);
	}
	setu_hub_changes_stats(w->fx.hub, &k, &refused);
	assert_int_equal(k, 0);
}

/* A long poll whose client hangs up (timeout 300 ms). */
static void hang_up(world_t *w, unsigned wait_s)
{
	char url[512], auth[256];
	snprintf(url, sizeof(url),
	         "%s/api/changes?collection=%s&after=2100-01-01T00:00:00Z&wait=%u",
	         w->fx.base, w->coll, wait_s);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w->bob);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	struct curl_slist *hs = curl_slist_append(NULL, auth);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 300L);
	assert_int_equal(curl_easy_perform(c), CURLE_OPERATION_TIMEDOUT);
	curl_slist_free_all(hs);
	curl_easy_cleanup(c);
}

/* Clients that hang up while their request is suspended: libmicrohttpd cannot see it
 * meanwhile, so each keeps its place until the end of its wait, then is freed (the
 * answer fails to go out); those still suspended at the stop are freed by it (the next
 * test; ASan checks that nothing leaks). */
static void test_client_gone(void **state)
{
	world_t *w = *state;
	hang_up(w, 2);
	hang_up(w, 2);
	unsigned k;
	uint64_t refused;
	setu_hub_changes_stats(w->fx.hub, &k, &refused);
	assert_int_equal(k, 2);
	for (int i = 0; i < 400 && k > 0; i++) {
		usleep(10000);
		setu_hub_changes_stats(w->fx.hub, &k, &refused);
	}
	assert_int_equal(k, 0);
	/* the hub serves on */
	assert_true(ordinary(w) < 1.0);
	hang_up(w, 20);
	hang_up(w, 20);
}

static void test_stop_answers_all(void **state)
{
	world_t *w = *state;
	char after[SETU_TS_LEN];
	setu_ts_format(setu_now_us() + 3600 * 1000000LL, after, sizeof(after));
	waiter_t x[N_WAITERS];
	start_waiters(w, x, after); /* and 2 hung up (the test before) */
	double t0 = now_s();
	setu_hub_stop(w->fx.hub);
	double took = now_s() - t0;
	for (int i = 0; i < N_WAITERS; i++) {
		pthread_join(x[i].th, NULL);
		assert_int_equal(x[i].status, 204);
		assert_true(x[i].done - t0 < 2.0);
	}
	assert_true(took < 2.0);
	unsigned k;
	uint64_t refused;
	setu_hub_changes_stats(w->fx.hub, &k, &refused);
	assert_int_equal(k, 0); /* the listener stopped: every request ended */
	/* and the hub starts again, serving waits */
	assert_int_equal(setu_hub_start(w->fx.hub, NULL), 0);
	w->fx.port = setu_hub_port(w->fx.hub);
	snprintf(w->fx.base, sizeof(w->fx.base), "http://127.0.0.1:%u",
	         (unsigned)w->fx.port);
	char path[400];
	snprintf(path, sizeof(path), "/api/changes?collection=%s&wait=0", w->coll);
	hubres_t r;
	assert_int_equal(hubfx_req(&w->fx, "GET", path, w->carol, "", NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200); /* the GREEN object of the test before */
	hubres_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_waiters_hold_no_thread),
	    cmocka_unit_test(test_client_gone),
	    cmocka_unit_test(test_stop_answers_all),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
