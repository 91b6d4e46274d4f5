/* test_hub_tlp_matrix.c — the TLP/ACL matrix (issue 6): every marking (TLP 2.0, TLP 1.0,
 * none, inherited through a reference) x every kind of requester (producer, colleague in
 * the producing organisation, named recipient, other member of the recipient
 * organisation, other member of the collection, non-member, anonymous) x every read
 * endpoint (objects, match[id], object by id, versions, manifest, paging with limit=1),
 * in a private and a public collection. The expected table is written out below, not
 * computed by acl.c: 0 leaks, 0 misses. The audit log must hold one read row per
 * AMBER/RED object served. */
#include "hub_fixture.h"

#include "hub/auth/acl.h"
#include "hub/auth/marking.h"
#include "intel/tlp.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	P_PRODUCER,
	P_COLLEAGUE,
	P_NAMED,
	P_RECIPIENT_ORG,
	P_OTHER_MEMBER,
	P_NON_MEMBER,
	P_ANON,
	NP
};
static const char *const pname[NP] = {"producer",      "colleague",    "named recipient",
                                      "recipient org", "other member", "non-member",
                                      "anonymous"};

typedef struct obj_case {
	const char *label;
	int level;       /* setu_tlp_t, or -1 none */
	bool tlp1;       /* use the TLP 1.0 id */
	const char *ext; /* recipients: "orgB", "userNamed", or NULL */
	bool ref_red;    /* unmarked relationship pointing at the RED object */
	bool audited;    /* AMBER and above */
	/* Expected visibility in the private collection, then in the public one. */
	bool see_priv[NP];
	bool see_pub[NP];
	bool ref_late; /* unmarked relationship to the next case, which is added after it
	                */
	bool late_target; /* the object that ref_late points at */
} obj_case_t;

/*                                   prod  coll  named rorg  other nonm  anon */
#define ROW(a, b, c, d, e, f, g)    \
	{                           \
		a, b, c, d, e, f, g \
	}
static const obj_case_t cases[] = {
    {"TLP:CLEAR", SETU_TLP_CLEAR, false, NULL, false, false, ROW(1, 1, 1, 1, 1, 0, 0),
     ROW(1, 1, 1, 1, 1, 1, 1), false, false},
    {"TLP:WHITE (1.0)", SETU_TLP_CLEAR, true, NULL, false, false,
     ROW(1, 1, 1, 1, 1, 0, 0), ROW(1, 1, 1, 1, 1, 1, 1), false, false},
    {"TLP:GREEN", SETU_TLP_GREEN, false, NULL, false, false, ROW(1, 1, 1, 1, 1, 0, 0),
     ROW(1, 1, 1, 1, 1, 0, 0), false, false},
    {"TLP:GREEN (1.0)", SETU_TLP_GREEN, true, NULL, false, false,
     ROW(1, 1, 1, 1, 1, 0, 0), ROW(1, 1, 1, 1, 1, 0, 0), false, false},
    {"unmarked", -1, false, NULL, false, false, ROW(1, 1, 1, 1, 1, 0, 0),
     ROW(1, 1, 1, 1, 1, 0, 0), false, false},
    {"TLP:AMBER to org B", SETU_TLP_AMBER, false, "orgB", false, true,
     ROW(1, 1, 1, 1, 0, 0, 0), ROW(1, 1, 1, 1, 0, 0, 0), false, false},
    {"TLP:AMBER (1.0) to org B", SETU_TLP_AMBER, true, "orgB", false, true,
     ROW(1, 1, 1, 1, 0, 0, 0), ROW(1, 1, 1, 1, 0, 0, 0), false, false},
    {"TLP:AMBER no recipients", SETU_TLP_AMBER, false, NULL, false, true,
     ROW(1, 1, 0, 0, 0, 0, 0), ROW(1, 1, 0, 0, 0, 0, 0), false, false},
    {"TLP:AMBER+STRICT to org B", SETU_TLP_AMBER_STRICT, false, "orgB", false, true,
     ROW(1, 1, 1, 1, 0, 0, 0), ROW(1, 1, 1, 1, 0, 0, 0), false, false},
    {"TLP:RED to the named member", SETU_TLP_RED, false, "userNamed", false, true,
     ROW(1, 0, 1, 0, 0, 0, 0), ROW(1, 0, 1, 0, 0, 0, 0), false, false},
    {"TLP:RED (1.0) to the named member", SETU_TLP_RED, true, "userNamed", false, true,
     ROW(1, 0, 1, 0, 0, 0, 0), ROW(1, 0, 1, 0, 0, 0, 0), false, false},
    {"unmarked relationship to a RED object", -1, false, NULL, true, true,
     ROW(1, 0, 0, 0, 0, 0, 0), ROW(1, 0, 0, 0, 0, 0, 0), false, false},
    /* Written before its target exists, restricted when the target arrives. */
    {"unmarked relationship to a later TLP:AMBER object", -1, false, NULL, false, true,
     ROW(1, 1, 0, 0, 0, 0, 0), ROW(1, 1, 0, 0, 0, 0, 0), true, false},
    {"TLP:AMBER to org B, added after its referrer", SETU_TLP_AMBER, false, "orgB", false,
     true, ROW(1, 1, 1, 1, 0, 0, 0), ROW(1, 1, 1, 1, 0, 0, 0), false, true},
};
#define NC (sizeof(cases) / sizeof(cases[0]))

typedef struct world {
	hubfx_t fx;
	char tok[NP][SETU_TOKEN_LEN + 1];
	char org_b[64];
	char named_identity[64];
	char coll[2][40]; /* private, public */
	char ids[2][NC][80];
	char red_id[2][80];
	char late_id[2][80];
	long expected_audit_reads;
} world_t;

static int post(world_t *w, const char *coll, const char *json)
{
	char path[256], body[8192 + 16];
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", coll);
	snprintf(body, sizeof(body), "{\"objects\":[%.8191s]}", json);
	hubres_t r;
	int rc =
	    hubfx_req(&w->fx, "POST", path, w->tok[P_PRODUCER], NULL, NULL, body, &r);
	int ok = rc == 0 && r.status == 202 &&
	         json_integer_value(json_object_get(r.json, "success_count")) == 1;
	if (!ok)
		fprintf(stderr, "POST failed: %ld %s\n", r.status, r.body ? r.body : "");
	hubres_free(&r);
	return ok ? 0 : -1;
}

static void make_object(world_t *w, int ci, int k, char *out, size_t size)
{
	const obj_case_t *c = &cases[k];
	char uuid[37], marks[256] = "", ext[512] = "";
	setu_uuid4(uuid);
	if (c->level >= 0) {
		const char *mid = c->tlp1 ? setu_tlp_v1_marking_id((setu_tlp_t)c->level)
		                          : setu_tlp_marking_id((setu_tlp_t)c->level);
		snprintf(marks, sizeof(marks), ",\"object_marking_refs\":[\"%s\"]", mid);
	}
	if (c->ext != NULL)
		snprintf(
		    ext, sizeof(ext),
		    ",\"extensions\":{\"%s\":{\"extension_type\":\"property-extension\","
		    "\"%s\":[\"%s\"]}}",
		    SETU_TLP_EXTENSION_ID,
		    strcmp(c->ext, "orgB") == 0 ? "recipient_orgs" : "recipient_users",
		    strcmp(c->ext, "orgB") == 0 ? w->org_b : w->named_identity);
	const char *ts = "2026-01-02T03:04:05.000Z";
	if (c->ref_red || c->ref_late) {
		snprintf(w->ids[ci][k], sizeof(w->ids[ci][k]), "relationship--%s", uuid);
		snprintf(
		    out, size,
		    "{\"type\":\"relationship\",\"spec_version\":\"2.1\",\"id\":\"%s\","
		    "\"created\":\"%s\",\"modified\":\"%s\",\"relationship_type\":"
		    "\"indicates\",\"source_ref\":\"%s\",\"target_ref\":"
		    "\"malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061\"%s}",
		    w->ids[ci][k], ts, ts, c->ref_late ? w->late_id[ci] : w->red_id[ci],
		    marks);
		return;
	}
	if (c->late_target)
		snprintf(w->ids[ci][k], sizeof(w->ids[ci][k]), "%s", w->late_id[ci]);
	else
		snprintf(w->ids[ci][k], sizeof(w->ids[ci][k]), "indicator--%s", uuid);
	snprintf(
	    out, size,
	    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\",\"created\":"
	    "\"%s\",\"modified\":\"%s\",\"name\":\"%s\",\"pattern\":\"[ipv4-addr:value = "
	    "'198.51.100.%d']\",\"pattern_type\":\"stix\",\"valid_from\":\"%s\"%s%s}",
	    w->ids[ci][k], ts, ts, c->label, k + 1, ts, marks, ext);
	if (c->level == SETU_TLP_RED && !c->tlp1)
		snprintf(w->red_id[ci], sizeof(w->red_id[ci]), "%s", w->ids[ci][k]);
}

static int setup(void **state)
{
	world_t *w = calloc(1, sizeof(*w));
	setu_member_t m;
	assert_int_equal(hubfx_init(&w->fx, 0), 0);
	assert_int_equal(hubfx_org(&w->fx, "A", NULL, 0), 0);
	assert_int_equal(hubfx_org(&w->fx, "B", w->org_b, sizeof(w->org_b)), 0);
	assert_int_equal(hubfx_org(&w->fx, "C", NULL, 0), 0);
	assert_int_equal(hubfx_org(&w->fx, "D", NULL, 0), 0);
	static const struct {
		const char *org, *name;
		int role;
	} people[NP - 1] = {{"A", "producer", SETU_ROLE_CONTRIBUTOR},
	                    {"A", "colleague", SETU_ROLE_READER},
	                    {"B", "named", SETU_ROLE_READER},
	                    {"B", "b-other", SETU_ROLE_READER},
	                    {"C", "c-member", SETU_ROLE_READER},
	                    {"D", "d-outsider", SETU_ROLE_READER}};
	for (int p = 0; p < NP - 1; p++) {
		assert_int_equal(hubfx_member(&w->fx, people[p].org, people[p].name,
		                              people[p].role, w->tok[p], &m),
		                 0);
		if (p == P_NAMED)
			snprintf(w->named_identity, sizeof(w->named_identity), "%s",
			         m.identity);
	}
	for (int ci = 0; ci < 2; ci++) {
		assert_int_equal(hubfx_collection(&w->fx, ci ? "public" : "private",
		                                  ci == 1, w->coll[ci]),
		                 0);
		assert_int_equal(hubfx_grant(&w->fx, w->coll[ci], "A", true, true), 0);
		assert_int_equal(hubfx_grant(&w->fx, w->coll[ci], "B", true, false), 0);
		assert_int_equal(hubfx_grant(&w->fx, w->coll[ci], "C", true, false), 0);
	}
	assert_int_equal(hubfx_start(&w->fx), 0);
	char json[8192];
	for (int ci = 0; ci < 2; ci++) {
		char u[37];
		setu_uuid4(u);
		snprintf(w->late_id[ci], sizeof(w->late_id[ci]), "indicator--%s", u);
	}
	for (int ci = 0; ci < 2; ci++)
		for (size_t k = 0; k < NC; k++) {
			make_object(w, ci, (int)k, json, sizeof(json));
			assert_int_equal(post(w, w->coll[ci], json), 0);
		}
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

static bool contains_id(const json_t *arr, const char *key, const char *id)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v)
	{
		const char *s = key != NULL ? json_string_value(json_object_get(v, key))
		                            : json_string_value(v);
		if (s != NULL && strcmp(s, id) == 0)
			return true;
	}
	return false;
}

typedef struct tally {
	int leaks, misses, checks;
} tally_t;

static void judge(tally_t *t, bool expected, bool got, const char *what, int p, int k,
                  int ci)
{
	t->checks++;
	if (expected == got)
		return;
	if (got)
		t->leaks++;
	else
		t->misses++;
	fprintf(stderr, "%s: %s sees %s '%s' in the %s collection: expected %s\n",
	        got ? "LEAK" : "MISS", pname[p], what, cases[k].label,
	        ci ? "public" : "private", expected ? "visible" : "hidden");
}

static void test_matrix(void **state)
{
	world_t *w = *state;
	tally_t t = {0};
	long reads_served = 0;
	for (int ci = 0; ci < 2; ci++) {
		for (int p = 0; p < NP; p++) {
			const char *tok = p == P_ANON ? NULL : w->tok[p];
			char path[512];
			hubres_t list, man, page;
			/* The whole collection, objects and manifest. */
			snprintf(path, sizeof(path), "/api1/collections/%s/objects/",
			         w->coll[ci]);
			assert_int_equal(
			    hubfx_req(&w->fx, "GET", path, tok, NULL, NULL, NULL, &list),
			    0);
			snprintf(path, sizeof(path), "/api1/collections/%s/manifest/",
			         w->coll[ci]);
			assert_int_equal(
			    hubfx_req(&w->fx, "GET", path, tok, NULL, NULL, NULL, &man),
			    0);
			const json_t *lo = json_object_get(list.json, "objects");
			const json_t *mo = json_object_get(man.json, "objects");
			/* Paging one by one: ids, page count and `more` over visible
			 * objects only. */
			size_t expect_n = 0;
			for (size_t k = 0; k < NC; k++)
				expect_n +=
				    (ci ? cases[k].see_pub[p] : cases[k].see_priv[p]);
			json_t *paged = json_array();
			size_t pages = 0;
			char next[128] = "";
			bool more = true;
			while (more && pages < NC + 2) {
				snprintf(path, sizeof(path),
				         "/api1/collections/%s/objects/?limit=1%s%s",
				         w->coll[ci], next[0] ? "&next=" : "", next);
				assert_int_equal(hubfx_req(&w->fx, "GET", path, tok, NULL,
				                           NULL, NULL, &page),
				                 0);
				if (page.status != 200) {
					hubres_free(&page);
					break;
				}
				pages++;
				json_array_extend(paged,
				                  json_object_get(page.json, "objects"));
				more = json_is_true(json_object_get(page.json, "more"));
				const char *nx =
				    json_string_value(json_object_get(page.json, "next"));
				snprintf(next, sizeof(next), "%s", nx != NULL ? nx : "");
				if (more && nx == NULL)
					more = false;
				hubres_free(&page);
			}
			if (expect_n > 0)
				assert_int_equal(
				    pages,
				    expect_n); /* no empty pages: counts are exact */
			assert_int_equal(json_array_size(paged), expect_n);
			for (size_t k = 0; k < NC; k++) {
				bool exp =
				    ci ? cases[k].see_pub[p] : cases[k].see_priv[p];
				const char *id = w->ids[ci][k];
				judge(&t, exp,
				      list.status == 200 && contains_id(lo, "id", id),
				      "in objects", p, (int)k, ci);
				judge(&t, exp,
				      man.status == 200 && contains_id(mo, "id", id),
				      "in manifest", p, (int)k, ci);
				judge(&t, exp, contains_id(paged, "id", id), "in paging",
				      p, (int)k, ci);
				hubres_t r;
				snprintf(path, sizeof(path),
				         "/api1/collections/%s/objects/?match[id]=%s",
				         w->coll[ci], id);
				assert_int_equal(hubfx_req(&w->fx, "GET", path, tok, NULL,
				                           NULL, NULL, &r),
				                 0);
				judge(&t, exp,
				      r.status == 200 &&
				          contains_id(json_object_get(r.json, "objects"),
				                      "id", id),
				      "by match[id]", p, (int)k, ci);
				if (r.status == 200 && cases[k].audited && exp)
					reads_served++;
				hubres_free(&r);
				snprintf(path, sizeof(path),
				         "/api1/collections/%s/objects/%s/", w->coll[ci],
				         id);
				assert_int_equal(hubfx_req(&w->fx, "GET", path, tok, NULL,
				                           NULL, NULL, &r),
				                 0);
				judge(&t, exp,
				      r.status == 200 &&
				          contains_id(json_object_get(r.json, "objects"),
				                      "id", id),
				      "by id", p, (int)k, ci);
				if (!exp) /* hidden: indistinguishable from absent (or no
				             access) */
					assert_true(r.status == 404 || r.status == 401 ||
					            r.status == 403);
				if (r.status == 200 && cases[k].audited)
					reads_served++;
				hubres_free(&r);
				snprintf(path, sizeof(path),
				         "/api1/collections/%s/objects/%s/versions/",
				         w->coll[ci], id);
				assert_int_equal(hubfx_req(&w->fx, "GET", path, tok, NULL,
				                           NULL, NULL, &r),
				                 0);
				judge(&t, exp,
				      r.status == 200 && json_array_size(json_object_get(
				                             r.json, "versions")) == 1,
				      "in versions", p, (int)k, ci);
				hubres_free(&r);
				if (exp && cases[k].audited)
					reads_served += 3; /* list, manifest, its page */
			}
			json_decref(paged);
			hubres_free(&list);
			hubres_free(&man);
		}
	}
	fprintf(stderr, "matrix: %d checks, %d leaks, %d misses\n", t.checks, t.leaks,
	        t.misses);
	assert_int_equal(t.leaks, 0);
	assert_int_equal(t.misses, 0);
	assert_true(t.checks >= (int)(2 * NP * NC * 6));
	/* Every AMBER/RED object served was recorded (who, when, what). */
	int64_t reads = -1;
	assert_int_equal(w->fx.store->ops->audit_count(w->fx.store, "read", &reads), 0);
	assert_int_equal(reads, reads_served);
}

/* The recipients extension is validated on write: unknown organisations are refused with
 * a message naming the property, and nothing is stored. */
static void test_bad_recipients(void **state)
{
	world_t *w = *state;
	char path[256], body[4096];
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", w->coll[0]);
	snprintf(
	    body, sizeof(body),
	    "{\"objects\":[{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
	    "\"indicator--5d1d5a0e-4c3b-4a39-8d1b-1b6f0c2f3a11\",\"created\":"
	    "\"2026-01-02T03:04:05.000Z\",\"modified\":\"2026-01-02T03:04:05.000Z\","
	    "\"pattern\":\"[ipv4-addr:value = '192.0.2.1']\",\"pattern_type\":\"stix\","
	    "\"valid_from\":\"2026-01-02T03:04:05.000Z\",\"object_marking_refs\":[\"%s\"]"
	    ","
	    "\"extensions\":{\"%s\":{\"extension_type\":\"property-extension\","
	    "\"recipient_orgs\":[\"identity--00000000-0000-4000-8000-000000000000\"]}}}]"
	    "}",
	    setu_tlp_marking_id(SETU_TLP_AMBER), SETU_TLP_EXTENSION_ID);
	hubres_t r;
	assert_int_equal(
	    hubfx_req(&w->fx, "POST", path, w->tok[P_PRODUCER], NULL, NULL, body, &r), 0);
	assert_int_equal(r.status, 202);
	assert_int_equal(json_integer_value(json_object_get(r.json, "failure_count")), 1);
	const char *msg = json_string_value(json_object_get(
	    json_array_get(json_object_get(r.json, "failures"), 0), "message"));
	assert_non_null(msg);
	assert_non_null(strstr(msg, "recipient_orgs[0]"));
	hubres_free(&r);
	snprintf(path, sizeof(path),
	         "/api1/collections/%s/objects/"
	         "indicator--5d1d5a0e-4c3b-4a39-8d1b-1b6f0c2f3a11/",
	         w->coll[0]);
	assert_int_equal(
	    hubfx_req(&w->fx, "GET", path, w->tok[P_PRODUCER], NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	hubres_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_matrix),
	    cmocka_unit_test(test_bad_recipients),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
