/* test_sighting.c — sightings and what was observed (sensor/engine/sighting.c,
 * docs/tlp.md "Sightings"): which patterns prove which SCOs (with STIX 2.1 deterministic
 * ids computed independently, by Python's uuid5 over the JCS form), the marking rule,
 * and the spool as delivered: each observed-data before its sighting, referenced,
 * with the same marking, count and times; a failed delivery keeps the spool and the
 * next one posts the same ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sensor/engine/sighting.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GREEN setu_tlp_marking_id(SETU_TLP_GREEN)
#define RED setu_tlp_marking_id(SETU_TLP_RED)

static json_t *indicator(const char *id, const char *ptype, const char *pattern,
                         const char *marking)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "type", "indicator", "id", id,
	                      "pattern_type", ptype, "pattern", pattern);
	if (marking != NULL)
		json_object_set_new(o, "object_marking_refs", json_pack("[s]", marking));
	return o;
}

/* The SCOs of a STIX pattern as "type=value=id" lines, or "" for none. */
static void scos_of(const char *pattern, char *out, size_t size)
{
	json_t *ind = indicator("indicator--00000000-0000-4000-8000-000000000001", "stix",
	                        pattern, NULL);
	json_t *scos = setu_sighting_observed_scos(ind);
	out[0] = '\0';
	size_t i;
	json_t *s;
	json_array_foreach(scos, i, s)
	{
		size_t n = strlen(out);
		snprintf(out + n, size - n, "%s%s=%s=%s", i ? "\n" : "",
		         json_string_value(json_object_get(s, "type")),
		         json_string_value(json_object_get(s, "value")),
		         json_string_value(json_object_get(s, "id")));
	}
	json_decref(scos);
	json_decref(ind);
}

static void test_proven_scos(void **state)
{
	(void)state;
	char got[1024];
	scos_of("[ipv4-addr:value = '127.0.0.2']", got, sizeof(got));
	assert_string_equal(
	    got, "ipv4-addr=127.0.0.2=ipv4-addr--f0f7b09e-7ab7-570c-b708-af5f844815ce");
	scos_of("[domain-name:value = 'evil.example']", got, sizeof(got));
	assert_string_equal(got, "domain-name=evil.example=domain-name--69228563-c8d2-"
	                         "54ae-aeca-5f4134cb59aa");
	scos_of("[url:value = 'http://evil.example/a/b?c=d']", got, sizeof(got));
	assert_string_equal(got, "url=http://evil.example/a/b?c=d=url--a96f96f9-494f-"
	                         "5f46-906b-af0d6ae0432c");
	scos_of("[ipv6-addr:value = '2001:db8::1']", got, sizeof(got));
	assert_string_equal(got, "ipv6-addr=2001:db8::1=ipv6-addr--6469e3a9-b053-5e34-"
	                         "a025-9396ae051d26");
	/* both must hold: both were seen (an equality on another property proves none) */
	scos_of("[domain-name:value = 'evil.example' AND ipv4-addr:value = '127.0.0.2' "
	        "AND network-traffic:dst_port = 443]",
	        got, sizeof(got));
	assert_string_equal(
	    got, "domain-name=evil.example=domain-name--69228563-c8d2-54ae-aeca-"
	         "5f4134cb59aa\nipv4-addr=127.0.0.2=ipv4-addr--f0f7b09e-7ab7-570c-b708-"
	         "af5f844815ce");
	/* no single value proven */
	static const char *const none[] = {
	    "[ipv4-addr:value = '127.0.0.2' OR ipv4-addr:value = '127.0.0.3']",
	    "[ipv4-addr:value ISSUBSET '10.0.0.0/8']",
	    "[domain-name:value LIKE '%.evil.example']",
	    "[ipv4-addr:value != '127.0.0.2']",
	    "[ipv4-addr:value = '127.0.0.2'] OR [ipv4-addr:value = '127.0.0.3']",
	    "[ipv4-addr:value = '127.0.0.2'] REPEATS 2 TIMES",
	    ("[file:hashes.'SHA-256' = "
	     "'0000000000000000000000000000000000000000000000000000000000000000']"),
	    "not a pattern",
	};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		scos_of(none[i], got, sizeof(got));
		if (got[0] != '\0')
			fail_msg("%s proved %s", none[i], got);
	}
	/* a shared Suricata rule names no value */
	json_t *rule =
	    indicator("indicator--00000000-0000-4000-8000-000000000002", "suricata",
	              "alert ip any any -> 127.0.0.2 any (sid:1;)", NULL);
	assert_null(setu_sighting_observed_scos(rule));
	json_decref(rule);
}

static void test_marking_rule(void **state)
{
	(void)state;
	const setu_tlp_t all[] = {SETU_TLP_NONE, SETU_TLP_CLEAR, SETU_TLP_GREEN,
	                          SETU_TLP_AMBER, SETU_TLP_AMBER_STRICT};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_true(setu_sighting_observed_allowed(all[i], true));
		assert_true(setu_sighting_observed_allowed(all[i], false));
	}
	assert_true(setu_sighting_observed_allowed(SETU_TLP_RED, true));
	assert_false(setu_sighting_observed_allowed(SETU_TLP_RED, false));
}

typedef struct posted {
	json_t *all;    /* every object accepted, in order */
	json_t *failed; /* every object of the posts that failed */
	int calls;
	int fail; /* answer this many calls with an error */
} posted_t;

static int record(void *user, const json_t *env, setu_diag_t *diag)
{
	posted_t *p = user;
	p->calls++;
	if (p->fail > 0) {
		p->fail--;
		json_array_extend(p->failed, json_object_get(env, "objects"));
		return setu_diag_set(diag, SETU_ENET, "hub unreachable (test)");
	}
	json_array_extend(p->all, json_object_get(env, "objects"));
	return 0;
}

static void test_spool_carries_observed(void **state)
{
	(void)state;
	char dir[] = "/tmp/setu-sighting-XXXXXX";
	assert_non_null(mkdtemp(dir));
	const char *org = "identity--7c5e1f0b-2a94-4e8b-9a3d-6d5b0a4e2f1c";
	setu_sightings_t *s = setu_sightings_new(dir, org, NULL);
	assert_non_null(s);
	const char *ip = "indicator--00000000-0000-4000-8000-000000000001";
	const char *red = "indicator--00000000-0000-4000-8000-000000000002";
	const char *rule = "indicator--00000000-0000-4000-8000-000000000003";
	json_t *objects = json_object();
	json_object_set_new(
	    objects, ip, indicator(ip, "stix", "[ipv4-addr:value = '127.0.0.2']", GREEN));
	json_object_set_new(
	    objects, red,
	    indicator(red, "stix", "[url:value = 'http://evil.example/a/b?c=d']", RED));
	json_object_set_new(
	    objects, rule,
	    indicator(rule, "suricata", "alert ip any any -> any any (sid:1;)", GREEN));
	struct timeval t1 = {1767225600, 250000}, t2 = {1767225605, 0};
	setu_sightings_note(s, ip, &t2);
	setu_sightings_note(s, ip, &t1);
	setu_sightings_note(s, ip, &t2);
	setu_sightings_note(s, red, &t1);
	setu_sightings_note(s, rule, &t1);
	assert_int_equal(setu_sightings_flush(s, objects, NULL), 0);

	/* the hub is away: the spool stays */
	posted_t p = {.all = json_array(), .failed = json_array(), .fail = 1};
	setu_diag_t d = {0};
	assert_int_not_equal(setu_sightings_deliver(s, record, &p, &d), 0);
	assert_int_equal(json_array_size(p.all), 0);
	/* back: everything, in order */
	assert_int_equal(setu_sightings_deliver(s, record, &p, &d), 0);
	json_t *first = json_deep_copy(p.all);
	assert_int_equal(json_array_size(first), 5); /* 3 sightings, 2 observations */
	/* the same objects, ids and all, as the attempt that failed: stored once */
	assert_true(json_equal(first, p.failed));
	size_t i;
	json_t *o;
	int sightings = 0, observed = 0;
	json_array_foreach(first, i, o)
	{
		const char *type = json_string_value(json_object_get(o, "type"));
		if (strcmp(type, "observed-data") == 0) {
			observed++;
			continue;
		}
		assert_string_equal(type, "sighting");
		sightings++;
		const char *of = json_string_value(json_object_get(o, "sighting_of_ref"));
		json_t *refs = json_object_get(o, "observed_data_refs");
		if (strcmp(of, rule) == 0) {
			assert_null(refs);
			continue;
		}
		/* its observation came just before it, handled alike */
		assert_int_equal(json_array_size(refs), 1);
		json_t *od = json_array_get(first, i - 1);
		assert_string_equal(json_string_value(json_object_get(od, "id")),
		                    json_string_value(json_array_get(refs, 0)));
		assert_true(json_equal(json_object_get(od, "object_marking_refs"),
		                       json_object_get(o, "object_marking_refs")));
		json_t *e1 = json_object_get(od, "extensions"),
		       *e2 = json_object_get(o, "extensions");
		assert_true((e1 == NULL && e2 == NULL) || json_equal(e1, e2));
		assert_string_equal(
		    json_string_value(json_object_get(od, "x_setu_indicator_ref")), of);
		assert_int_equal(
		    json_integer_value(json_object_get(od, "number_observed")),
		    json_integer_value(json_object_get(o, "count")));
		assert_string_equal(
		    json_string_value(json_object_get(od, "first_observed")),
		    json_string_value(json_object_get(o, "first_seen")));
		assert_string_equal(
		    json_string_value(json_object_get(od, "last_observed")),
		    json_string_value(json_object_get(o, "last_seen")));
		json_t *sco = json_object_get(json_object_get(od, "objects"), "0");
		if (strcmp(of, ip) == 0) {
			assert_int_equal(json_integer_value(json_object_get(o, "count")),
			                 3);
			assert_string_equal(
			    json_string_value(json_object_get(o, "first_seen")),
			    "2026-01-01T00:00:00.250Z");
			assert_string_equal(
			    json_string_value(json_object_get(sco, "value")),
			    "127.0.0.2");
		} else {
			assert_string_equal(
			    json_string_value(json_object_get(sco, "type")), "url");
		}
	}
	assert_int_equal(sightings, 3);
	assert_int_equal(observed, 2);
	setu_sightings_counters_t c;
	setu_sightings_get_counters(s, &c);
	assert_int_equal(c.spooled, 3);
	assert_int_equal(c.observed, 2);
	assert_int_equal(c.spool_bytes, 0);
	/* nothing more to deliver */
	int calls = p.calls;
	assert_int_equal(setu_sightings_deliver(s, record, &p, &d), 0);
	assert_int_equal(p.calls, calls);
	json_decref(first);
	json_decref(p.all);
	json_decref(p.failed);
	json_decref(objects);
	setu_sightings_free(s);
	char path[512];
	snprintf(path, sizeof(path), "%s/sightings.spool", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sightings.seq", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_proven_scos),
	    cmocka_unit_test(test_marking_rule),
	    cmocka_unit_test(test_spool_carries_observed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
