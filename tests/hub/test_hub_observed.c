/* test_hub_observed.c — sightings with their observed-data (issue 7, docs/tlp.md
 * "Sightings"): a sensor's organisation posts, for indicators a CERT published at
 * TLP:GREEN, AMBER, AMBER+STRICT and RED, the observed-data and the sighting the sensor
 * makes (the indicator's marking and recipients, the observation's SCOs inside, its
 * x_setu_indicator_ref), and the hub must (1) validate and store both, and (2) let
 * exactly the same requesters read the observed-data as the sighting, for every kind of
 * requester: indicator producer, its colleague, the sensor's member and colleague,
 * another collection member, an outsider. The expected table for the sighting is written
 * out below, not computed. */
#include "hub_fixture.h"

#include "hub/auth/acl.h"
#include "intel/tlp.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { R_ALICE, R_CARL, R_SENSOR, R_PETE, R_WALT, R_DAVE, NR };
static const char *const rname[NR] = {"indicator producer", "producer's colleague",
                                      "sensor member",      "sensor's colleague",
                                      "other member",       "outsider"};

typedef struct level_case {
	setu_tlp_t level;
	bool sees[NR];    /* who reads the sighting (and so the observed-data) */
	bool third_party; /* the indicator's created_by_ref is WaterCo, not the CERT */
} level_case_t;

static const level_case_t levels[] = {
    /*                    alice carl sensor pete walt dave */
    {SETU_TLP_GREEN, {true, true, true, true, true, false}, false},
    {SETU_TLP_AMBER, {true, true, true, true, false, false}, false},
    {SETU_TLP_AMBER_STRICT, {true, true, true, true, false, false}, false},
    /* RED reaches named members only (docs/tlp.md): the sensor names the CERT as an
     * organisation (created_by_ref), so its own member alone reads it */
    {SETU_TLP_RED, {false, false, true, false, false, false}, false},
    /* the CERT relays WaterCo's indicator: the sensor names WaterCo (created_by_ref)
     * and PowerCo; the hub narrows the sighting to the indicator's named recipients
     * (PowerCo), so WaterCo must not read the observation either (narrowed alike by
     * its x_setu_indicator_ref) */
    {SETU_TLP_AMBER, {false, false, true, true, false, false}, true},
};
#define NL (sizeof(levels) / sizeof(levels[0]))

typedef struct world {
	hubfx_t fx;
	char tok[NR][SETU_TOKEN_LEN + 1];
	setu_member_t m[NR];
	char cert[64], powerco[64], waterco[64];
	char coll[40];
	char ind[NL][80], sighting[NL][80], observed[NL][80];
} world_t;

static int post(world_t *w, int who, const char *objects, int want_success)
{
	char path[128];
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", w->coll);
	size_t n = strlen(objects) + 32;
	char *body = malloc(n);
	snprintf(body, n, "{\"objects\":[%s]}", objects);
	hubres_t r;
	int rc = hubfx_req(&w->fx, "POST", path, w->tok[who], NULL, NULL, body, &r);
	free(body);
	int ok =
	    rc == 0 && r.status == 202 &&
	    json_integer_value(json_object_get(r.json, "success_count")) == want_success;
	if (!ok)
		fprintf(stderr, "POST: %ld %s\n", r.status, r.body != NULL ? r.body : "");
	hubres_free(&r);
	return ok ? 0 : -1;
}

static int setup(void **state)
{
	world_t *w = calloc(1, sizeof(*w));
	assert_int_equal(hubfx_init(&w->fx, 1u << 20), 0);
	assert_int_equal(hubfx_org(&w->fx, "CERT", w->cert, sizeof(w->cert)), 0);
	assert_int_equal(hubfx_org(&w->fx, "PowerCo", w->powerco, sizeof(w->powerco)), 0);
	assert_int_equal(hubfx_org(&w->fx, "WaterCo", w->waterco, sizeof(w->waterco)), 0);
	assert_int_equal(hubfx_org(&w->fx, "Outsider", NULL, 0), 0);
	static const struct {
		const char *org, *name;
		int role;
	} people[NR] = {
	    {"CERT", "alice", SETU_ROLE_CONTRIBUTOR},
	    {"CERT", "carl", SETU_ROLE_READER},
	    {"PowerCo", "sensor", SETU_ROLE_CONTRIBUTOR},
	    {"PowerCo", "pete", SETU_ROLE_READER},
	    {"WaterCo", "walt", SETU_ROLE_READER},
	    {"Outsider", "dave", SETU_ROLE_READER},
	};
	for (int i = 0; i < NR; i++)
		assert_int_equal(hubfx_member(&w->fx, people[i].org, people[i].name,
		                              people[i].role, w->tok[i], &w->m[i]),
		                 0);
	assert_int_equal(hubfx_collection(&w->fx, "shared", false, w->coll), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->coll, "CERT", true, true), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->coll, "PowerCo", true, true), 0);
	assert_int_equal(hubfx_grant(&w->fx, w->coll, "WaterCo", true, false), 0);
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

/* The recipients extension, or "" (GREEN). */
static void recipients(char *out, size_t size, const char *orgs, const char *users)
{
	char o[256] = "", u[256] = "";
	if (orgs != NULL)
		snprintf(o, sizeof(o), ",\"recipient_orgs\":[%s]", orgs);
	if (users != NULL)
		snprintf(u, sizeof(u), ",\"recipient_users\":[%s]", users);
	snprintf(
	    out, size,
	    ",\"extensions\":{\"%s\":{\"extension_type\":\"property-extension\"%s%s}}",
	    SETU_RECIPIENTS_EXTENSION_ID, o, u);
}

static void test_observed_like_sighting(void **state)
{
	world_t *w = *state;
	for (size_t k = 0; k < NL; k++) {
		const level_case_t *c = &levels[k];
		const char *mark = setu_tlp_marking_id(c->level);
		char uuid[37], ind_ext[700] = "", sg_ext[700] = "", q[160];
		/* the CERT publishes: AMBER to PowerCo, RED to the sensor's member */
		if (c->level == SETU_TLP_AMBER || c->level == SETU_TLP_AMBER_STRICT) {
			snprintf(q, sizeof(q), "\"%s\"", w->powerco);
			recipients(ind_ext, sizeof(ind_ext), q, NULL);
		} else if (c->level == SETU_TLP_RED) {
			snprintf(q, sizeof(q), "\"%s\"", w->m[R_SENSOR].identity);
			recipients(ind_ext, sizeof(ind_ext), NULL, q);
		}
		setu_uuid4(uuid);
		snprintf(w->ind[k], sizeof(w->ind[k]), "indicator--%s", uuid);
		char obj[4096];
		snprintf(
		    obj, sizeof(obj),
		    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\","
		    "\"created\":\"2026-01-01T00:00:00.000Z\","
		    "\"modified\":\"2026-01-01T00:00:00.000Z\",\"name\":\"c2 %zu\","
		    "\"pattern\":\"[ipv4-addr:value = '198.51.100.%zu']\","
		    "\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\","
		    "\"created_by_ref\":\"%s\",\"object_marking_refs\":[\"%s\"]%s}",
		    w->ind[k], k, k + 1, c->third_party ? w->waterco : w->cert, mark,
		    ind_ext);
		assert_int_equal(post(w, R_ALICE, obj, 1), 0);

		/* the sensor's sighting and observed-data (sighting.c): the indicator's
		 * marking; at AMBER and above its producer and recipients named */
		if (c->level == SETU_TLP_AMBER || c->level == SETU_TLP_AMBER_STRICT) {
			snprintf(q, sizeof(q), "\"%s\",\"%s\"",
			         c->third_party ? w->waterco : w->cert, w->powerco);
			recipients(sg_ext, sizeof(sg_ext), q, NULL);
		} else if (c->level == SETU_TLP_RED) {
			char o[100], u[100];
			snprintf(o, sizeof(o), "\"%s\"", w->cert);
			snprintf(u, sizeof(u), "\"%s\"", w->m[R_SENSOR].identity);
			recipients(sg_ext, sizeof(sg_ext), o, u);
		}
		setu_uuid4(uuid);
		snprintf(w->observed[k], sizeof(w->observed[k]), "observed-data--%s",
		         uuid);
		setu_uuid4(uuid);
		snprintf(w->sighting[k], sizeof(w->sighting[k]), "sighting--%s", uuid);
		char pair[8192];
		snprintf(
		    pair, sizeof(pair),
		    "{\"type\":\"observed-data\",\"spec_version\":\"2.1\",\"id\":\"%s\","
		    "\"created\":\"2026-02-01T00:00:00.000Z\","
		    "\"modified\":\"2026-02-01T00:00:00.000Z\","
		    "\"first_observed\":\"2026-02-01T00:00:00.000Z\","
		    "\"last_observed\":\"2026-02-01T00:00:05.000Z\",\"number_observed\":"
		    "3,"
		    "\"objects\":{\"0\":{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\","
		    "\"id\":\"ipv4-addr--f0f7b09e-7ab7-570c-b708-af5f844815ce\","
		    "\"value\":\"198.51.100.%zu\"}},\"x_setu_indicator_ref\":\"%s\","
		    "\"object_marking_refs\":[\"%s\"]%s},"
		    "{\"type\":\"sighting\",\"spec_version\":\"2.1\",\"id\":\"%s\","
		    "\"created\":\"2026-02-01T00:00:00.000Z\","
		    "\"modified\":\"2026-02-01T00:00:00.000Z\",\"sighting_of_ref\":\"%"
		    "s\","
		    "\"count\":3,\"first_seen\":\"2026-02-01T00:00:00.000Z\","
		    "\"last_seen\":\"2026-02-01T00:00:05.000Z\","
		    "\"where_sighted_refs\":[\"%s\"],\"observed_data_refs\":[\"%s\"],"
		    "\"object_marking_refs\":[\"%s\"]%s}",
		    w->observed[k], k + 1, w->ind[k], mark, sg_ext, w->sighting[k],
		    w->ind[k], w->powerco, w->observed[k], mark, sg_ext);
		/* both validate and are stored */
		assert_int_equal(post(w, R_SENSOR, pair, 2), 0);
	}
	for (size_t k = 0; k < NL; k++) {
		for (int r = 0; r < NR; r++) {
			bool seen[2];
			const char *ids[2] = {w->sighting[k], w->observed[k]};
			for (int j = 0; j < 2; j++) {
				char path[256];
				snprintf(path, sizeof(path),
				         "/api1/collections/%s/objects/%s/", w->coll,
				         ids[j]);
				hubres_t res;
				assert_int_equal(hubfx_req(&w->fx, "GET", path, w->tok[r],
				                           NULL, NULL, NULL, &res),
				                 0);
				assert_true(res.status == 200 || res.status == 404);
				seen[j] = res.status == 200;
				hubres_free(&res);
			}
			if (seen[0] != levels[k].sees[r] || seen[1] != seen[0])
				fail_msg(
				    "%s, %s: sighting %s (want %s), observed-data %s",
				    setu_tlp_name(levels[k].level), rname[r],
				    seen[0] ? "read" : "hidden",
				    levels[k].sees[r] ? "read" : "hidden",
				    seen[1] ? "read" : "hidden");
		}
	}
}

/* Get Objects with match[type]=observed-data over the whole collection gives each
 * requester exactly the observations whose sightings it may read. */
static void test_observed_listing(void **state)
{
	world_t *w = *state;
	for (int r = 0; r < NR; r++) {
		char path[256];
		snprintf(path, sizeof(path),
		         "/api1/collections/%s/objects/?match%%5Btype%%5D=observed-data",
		         w->coll);
		hubres_t res;
		assert_int_equal(
		    hubfx_req(&w->fx, "GET", path, w->tok[r], NULL, NULL, NULL, &res), 0);
		size_t want = 0, got = 0;
		for (size_t k = 0; k < NL; k++)
			want += levels[k].sees[r];
		if (res.status == 200)
			got = json_array_size(json_object_get(res.json, "objects"));
		else
			assert_int_equal(res.status,
			                 404); /* the outsider: no collection */
		if (got != want)
			fail_msg("%s lists %zu observations, wants %zu", rname[r], got,
			         want);
		hubres_free(&res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_observed_like_sighting),
	    cmocka_unit_test(test_observed_listing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
