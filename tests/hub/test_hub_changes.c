/* test_hub_changes.c — the push hint, GET /api/changes (docs/push-hint.md), against a hub
 * on 127.0.0.1: argument errors, the same 401/403/404 as TAXII reads, an immediate
 * answer when something visible is already new, 204 after the wait, a wake-up within
 * moments of a visible Add Objects, NO wake-up for an object the requester may not read
 * (TLP:RED of another organisation) nor for a type it did not ask for, the cap on
 * waiters (503 with Retry-After and a retry delay in the body), and a hub that stops
 * while requests wait (each answered 204). Waits are suspended requests that hold no
 * HTTP thread (test_hub_changes_many.c: 20 waiters on 2 threads). */
#include "hub_fixture.h"

#include "hub/auth/acl.h"
#include "intel/tlp.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct world {
	hubfx_t fx;
	char alice[SETU_TOKEN_LEN + 1]; /* ACME contributor */
	char bob[SETU_TOKEN_LEN + 1];   /* ACME reader */
	char carol[SETU_TOKEN_LEN + 1]; /* Other reader of the shared collection */
	char dave[SETU_TOKEN_LEN + 1];  /* Outsider: no grants */
	char shared[40], secret[40];
	int serial;
} world_t;

static int setup(void **state)
{
	world_t *w = calloc(1, sizeof(*w));
	setu_member_t m;
	assert_int_equal(hubfx_init(&w->fx, 1u << 20), 0);
	assert_int_equal(hubfx_org(&w->fx, "ACME", NULL, 0), 0);
	assert_int_equal(hubfx_org(&w->fx, "Other", NULL, 0), 0);
	assert_int_equal(hubfx_org(&w->fx, "Outsider", NULL, 0), 0);
	assert_int_equal(
	    hubfx_member(&w->fx, "ACME", "alice", SETU_ROLE_CONTRIBUTOR, w->alice, &m),
	    0);
	assert_int_equal(
	    hubfx_member(&w->fx, "ACME", "bob", SETU_ROLE_READER, w->bob, &m), 0);
	assert_int_equal(
	    hubfx_member(&w->fx, "Other", "carol", SETU_ROLE_READER, w->carol, &m), 0);
	assert_int_equal(
	    hubfx_member(&w->fx, "Outsider", "dave", SETU_ROLE_READER, w->dave, &m), 0);
	assert_int_equal(hubfx_collection(&w->fx, "shared", false, w->shared), 0);
	assert_int_equal(hubfx_collection(&w->fx, "secret", false, w->secret), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->shared, "ACME", true, true), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->shared, "Other", true, false), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->secret, "ACME", true, true), 0);
	/* at most 2 waiters (the default cap is SETU_HUB_CHANGES_MAX_WAITERS) */
	w->fx.cfg.changes_max_waiters = 2;
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

static void now_ts(char *buf, size_t size)
{
	setu_ts_format(setu_now_us(), buf, size);
}

/* Add one object (type "indicator" or "sighting") at a TLP level as alice. */
static void add(world_t *w, const char *coll, const char *type, setu_tlp_t level)
{
	char uuid[37], body[2048], path[128];
	setu_uuid4(uuid);
	w->serial++;
	const char *mark = setu_tlp_marking_id(level);
	if (strcmp(type, "indicator") == 0)
		snprintf(
		    body, sizeof(body),
		    "{\"objects\":[{\"type\":\"indicator\",\"spec_version\":\"2.1\","
		    "\"id\":\"indicator--%s\",\"created\":\"2026-01-01T00:00:00.000Z\","
		    "\"modified\":\"2026-01-01T00:00:00.000Z\",\"name\":\"n%d\","
		    "\"pattern\":\"[ipv4-addr:value = '192.0.2.%d']\","
		    "\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\","
		    "\"object_marking_refs\":[\"%s\"]}]}",
		    uuid, w->serial, w->serial % 250 + 1, mark);
	else
		snprintf(
		    body, sizeof(body),
		    "{\"objects\":[{\"type\":\"sighting\",\"spec_version\":\"2.1\","
		    "\"id\":\"sighting--%s\",\"created\":\"2026-01-01T00:00:00.000Z\","
		    "\"modified\":\"2026-01-01T00:00:00.000Z\",\"sighting_of_ref\":"
		    "\"indicator--00000000-0000-4000-8000-000000000001\",\"count\":1,"
		    "\"object_marking_refs\":[\"%s\"]}]}",
		    uuid, mark);
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", coll);
	hubres_t r;
	assert_int_equal(hubfx_req(&w->fx, "POST", path, w->alice, NULL, NULL, body, &r),
	                 0);
	if (r.status != 202 ||
	    json_integer_value(json_object_get(r.json, "success_count")) != 1)
		fprintf(stderr, "POST: %ld %s\n", r.status, r.body);
	assert_int_equal(r.status, 202);
	hubres_free(&r);
}

static long changes(world_t *w, const char *tok, const char *query, hubres_t *r)
{
	char path[512];
	snprintf(path, sizeof(path), "/api/changes?%s", query);
	assert_int_equal(hubfx_req(&w->fx, "GET", path, tok, "", NULL, NULL, r), 0);
	return r->status;
}

/* A waiter in a thread of its own. */
typedef struct waiter {
	world_t *w;
	const char *tok;
	char query[400];
	long status;
	char first[64];
	double took;
	pthread_t th;
} waiter_t;

static void *wait_main(void *arg)
{
	waiter_t *x = arg;
	hubres_t r;
	double t0 = now_s();
	char path[512];
	snprintf(path, sizeof(path), "/api/changes?%s", x->query);
	if (hubfx_req(&x->w->fx, "GET", path, x->tok, "", NULL, NULL, &r) == 0) {
		x->status = r.status;
		const char *f =
		    json_string_value(json_object_get(r.json, "date_added_first"));
		snprintf(x->first, sizeof(x->first), "%s", f != NULL ? f : "");
		hubres_free(&r);
	}
	x->took = now_s() - t0;
	return NULL;
}

/* extra: more query arguments ("" or "&match%5Btype%5D=indicator") */
static void start_waiter(waiter_t *x, world_t *w, const char *tok, const char *coll,
                         const char *extra, const char *after, unsigned wait_s)
{
	memset(x, 0, sizeof(*x));
	x->w = w;
	x->tok = tok;
	snprintf(x->query, sizeof(x->query), "collection=%s%s&after=%s&wait=%u", coll,
	         extra, after, wait_s);
	assert_int_equal(pthread_create(&x->th, NULL, wait_main, x), 0);
}

/* until the hub counts n waiters (or 5 s) */
static void await_waiting(world_t *w, unsigned n)
{
	(void)w;
	for (int i = 0; i < 500; i++) {
		unsigned k;
		uint64_t refused;
		setu_hub_changes_stats(w->fx.hub, &k, &refused);
		if (k >= n)
			return;
		usleep(10000);
	}
	unsigned k;
	uint64_t refused;
	setu_hub_changes_stats(w->fx.hub, &k, &refused);
	fail_msg("the hub never counted %u waiters (%u waiting, %llu refused)", n, k,
	         (unsigned long long)refused);
}

static void test_errors(void **state)
{
	world_t *w = *state;
	hubres_t r;
	char q[256];
	assert_int_equal(changes(w, w->bob, "wait=1", &r), 400); /* no collection */
	hubres_free(&r);
	snprintf(q, sizeof(q), "collection=%s&after=yesterday", w->shared);
	assert_int_equal(changes(w, w->bob, q, &r), 400);
	hubres_free(&r);
	snprintf(q, sizeof(q), "collection=%s&wait=26", w->shared);
	assert_int_equal(changes(w, w->bob, q, &r), 400);
	hubres_free(&r);
	snprintf(q, sizeof(q), "collection=%s&match%%5Bid%%5D=x", w->shared);
	assert_int_equal(changes(w, w->bob, q, &r), 400); /* not applied: refused */
	hubres_free(&r);
	/* the same answers as a TAXII read of the collection */
	snprintf(q, sizeof(q), "collection=%s&wait=0", w->shared);
	assert_int_equal(changes(w, "Bearer setu_nope", q, &r), 401);
	assert_true(r.www_auth);
	hubres_free(&r);
	assert_int_equal(changes(w, NULL, q, &r), 401);
	hubres_free(&r);
	assert_int_equal(changes(w, w->dave, q, &r), 404);
	hubres_free(&r);
	snprintf(q, sizeof(q), "collection=%s&wait=0", w->secret);
	assert_int_equal(changes(w, w->carol, q, &r), 404);
	hubres_free(&r);
	assert_int_equal(changes(w, w->bob,
	                         "collection=00000000-0000-4000-8000-000000000000&wait=0",
	                         &r),
	                 404);
	hubres_free(&r);
	assert_int_equal(
	    hubfx_req(&w->fx, "POST", "/api/changes", w->bob, "", "x", "{}", &r), 0);
	assert_int_equal(r.status, 405);
	hubres_free(&r);
}

static void test_immediate_and_timeout(void **state)
{
	world_t *w = *state;
	char before[SETU_TS_LEN], q[256];
	now_ts(before, sizeof(before));
	add(w, w->shared, "indicator", SETU_TLP_GREEN);
	hubres_t r;
	/* something new since `before`: at once, with its date_added */
	snprintf(q, sizeof(q), "collection=%s&after=%s&wait=10", w->shared, before);
	double t0 = now_s();
	assert_int_equal(changes(w, w->carol, q, &r), 200);
	assert_true(now_s() - t0 < 1.0);
	const char *first =
	    json_string_value(json_object_get(r.json, "date_added_first"));
	assert_non_null(first);
	assert_true(strcmp(first, before) > 0);
	assert_string_equal(json_string_value(json_object_get(r.json, "collection")),
	                    w->shared);
	/* nothing after that: 204 once the wait is over, not before */
	char q2[256];
	snprintf(q2, sizeof(q2), "collection=%s&after=%s&wait=1", w->shared, first);
	hubres_free(&r);
	t0 = now_s();
	assert_int_equal(changes(w, w->carol, q2, &r), 204);
	double took = now_s() - t0;
	assert_true(took >= 0.9 && took < 3.0);
	assert_int_equal(r.len, 0);
	hubres_free(&r);
}

static void test_wakes_on_visible_add(void **state)
{
	world_t *w = *state;
	char after[SETU_TS_LEN];
	now_ts(after, sizeof(after));
	waiter_t x;
	start_waiter(&x, w, w->carol, w->shared, "&match%5Btype%5D=indicator", after, 20);
	await_waiting(w, 1);
	usleep(200000);
	double t0 = now_s();
	add(w, w->shared, "indicator", SETU_TLP_GREEN);
	pthread_join(x.th, NULL);
	assert_int_equal(x.status, 200);
	/* the commit wakes the waiter, not its periodic re-read (2 s) */
	assert_true(now_s() - t0 < 1.0);
	assert_true(strcmp(x.first, after) > 0);
}

static void test_no_wake_for_invisible_or_unasked(void **state)
{
	world_t *w = *state;
	char after[SETU_TS_LEN];
	now_ts(after, sizeof(after));
	/* carol (Other) waits on the shared collection for indicators */
	waiter_t x;
	start_waiter(&x, w, w->carol, w->shared, "&match%5Btype%5D=indicator", after, 3);
	await_waiting(w, 1);
	/* RED from ACME with no recipients: only ACME may read it */
	add(w, w->shared, "indicator", SETU_TLP_RED);
	/* AMBER without recipients: ACME only too */
	add(w, w->shared, "indicator", SETU_TLP_AMBER);
	/* a GREEN sighting she may read, but she asked for indicators only */
	add(w, w->shared, "sighting", SETU_TLP_GREEN);
	pthread_join(x.th, NULL);
	assert_int_equal(x.status, 204);
	assert_true(x.took >= 2.9);
	/* the ACME reader, on the same request, is told at once */
	hubres_t r;
	char q[256];
	snprintf(q, sizeof(q),
	         "collection=%s&after=%s&wait=3&match%%5Btype%%5D=indicator", w->shared,
	         after);
	double t0 = now_s();
	assert_int_equal(changes(w, w->bob, q, &r), 200);
	assert_true(now_s() - t0 < 1.0);
	hubres_free(&r);
}

static void test_cap_and_stop(void **state)
{
	world_t *w = *state;
	char after[SETU_TS_LEN];
	now_ts(after, sizeof(after));
	waiter_t a, b;
	start_waiter(&a, w, w->carol, w->shared, "", after, 20);
	start_waiter(&b, w, w->bob, w->secret, "", after, 20);
	unsigned k;
	uint64_t refused;
	for (int i = 0; i < 500; i++) {
		setu_hub_changes_stats(w->fx.hub, &k, &refused);
		if (k >= 2)
			break;
		usleep(10000);
	}
	if (k < 2)
		fprintf(stderr, "waiters: a %ld %.3f s, b %ld %.3f s\n", a.status, a.took,
		        b.status, b.took);
	await_waiting(w, 2);
	/* a third waiter is refused (the cap is 2), with a retry delay: the header and
	 * the body say the same */
	hubres_t r;
	char q[256];
	snprintf(q, sizeof(q), "collection=%s&after=%s&wait=20", w->shared, after);
	assert_int_equal(changes(w, w->carol, q, &r), 503);
	assert_true(json_integer_value(json_object_get(r.json, "retry_after")) > 0);
	assert_int_equal(atoi(r.retry_after),
	                 (int)json_integer_value(json_object_get(r.json, "retry_after")));
	hubres_free(&r);
	setu_hub_changes_stats(w->fx.hub, &k, &refused);
	assert_int_equal(k, 2);
	assert_true(refused >= 1);
	/* other requests are still served while two requests wait */
	char path[128];
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", w->shared);
	assert_int_equal(hubfx_req(&w->fx, "GET", path, w->bob, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	hubres_free(&r);
	/* the hub stops: the waiters are answered at once and the stop is quick */
	double t0 = now_s();
	setu_hub_stop(w->fx.hub);
	double took = now_s() - t0;
	pthread_join(a.th, NULL);
	pthread_join(b.th, NULL);
	assert_true(took < 2.0);
	assert_true(a.took < 5.0 && b.took < 5.0);
	/* each is answered (the listener lets resumed waits answer before it stops) */
	assert_int_equal(a.status, 204);
	assert_int_equal(b.status, 204);
	setu_hub_changes_stats(w->fx.hub, &k, &refused);
	assert_int_equal(k, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_immediate_and_timeout),
	    cmocka_unit_test(test_wakes_on_visible_add),
	    cmocka_unit_test(test_no_wake_for_invisible_or_unasked),
	    cmocka_unit_test(test_cap_and_stop),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
