/* test_intel_compile.c — STIX patterns compiled into indicator sets: what compiles, what
 * is refused (and why), and what the compiled set matches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/compile.h"

#include <string.h>

static json_t *indicator(const char *pattern)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type",
	                      "indicator", "spec_version", "2.1", "id",
	                      "indicator--11111111-2222-4333-8444-555555555555",
	                      "created", "2026-01-01T00:00:00Z", "modified",
	                      "2026-01-01T00:00:00Z", "pattern", pattern, "pattern_type",
	                      "stix", "valid_from", "2026-01-01T00:00:00Z");
	assert_non_null(o);
	return o;
}

static int compile1(const char *pattern, setu_iocset_t **out, setu_diag_t *d)
{
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	json_t *o = indicator(pattern);
	memset(d, 0, sizeof(*d));
	int rc = setu_stix_compile_indicator(b, o, 0, d);
	json_decref(o);
	*out = setu_iocset_build(b, NULL);
	setu_iocset_builder_free(b);
	return rc;
}

static int count = 0;
static int on_match(void *user, const setu_ioc_match_t *m)
{
	(void)user;
	(void)m;
	count++;
	return 0;
}

static int match_ip(setu_iocset_t *s, const char *src, const char *dst, uint16_t dport)
{
	setu_addr_t a, b;
	setu_addr_parse(&a, src);
	setu_addr_parse(&b, dst);
	setu_ioc_facts_t f = {
	    .src = &a, .dst = &b, .has_ports = true, .sport = 40000, .dport = dport};
	count = 0;
	setu_iocset_match(s, &f, 1800000000, on_match, NULL, NULL);
	return count;
}

static int match_dns(setu_iocset_t *s, const char *name)
{
	setu_ioc_facts_t f = {.dns_query = name, .dns_query_len = strlen(name)};
	count = 0;
	setu_iocset_match(s, &f, 1800000000, on_match, NULL, NULL);
	return count;
}

static void test_compiles(void **state)
{
	(void)state;
	setu_iocset_t *s;
	setu_diag_t d;
	assert_int_equal(
	    compile1("[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]", &s, &d), 0);
	assert_int_equal(match_ip(s, "10.0.0.1", "192.0.2.2", 80), 1);
	assert_int_equal(match_ip(s, "10.0.0.1", "192.0.2.3", 80), 0);
	setu_iocset_free(s);

	assert_int_equal(
	    compile1("[network-traffic:dst_ref.value ISSUBSET '198.51.100.0/24' "
	             "AND network-traffic:dst_port = 443]",
	             &s, &d),
	    0);
	assert_int_equal(match_ip(s, "10.0.0.1", "198.51.100.9", 443), 1);
	assert_int_equal(match_ip(s, "10.0.0.1", "198.51.100.9", 80), 0);
	assert_int_equal(match_ip(s, "198.51.100.9", "10.0.0.1", 443), 0); /* dst only */
	setu_iocset_free(s);

	assert_int_equal(compile1("[domain-name:value LIKE '%.evil.example'] OR "
	                          "[domain-name:value = 'bad.example']",
	                          &s, &d),
	                 0);
	assert_int_equal(match_dns(s, "a.b.evil.example"), 1);
	assert_int_equal(match_dns(s, "bad.example"), 1);
	assert_int_equal(match_dns(s, "sub.bad.example"), 0); /* = is exact */
	assert_int_equal(match_dns(s, "notevil.example"), 0);
	setu_iocset_free(s);

	assert_int_equal(
	    compile1(
	        "[file:hashes.'SHA-256' = "
	        "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
	        &s, &d),
	    0);
	setu_iocset_free(s);
}

static void test_refused(void **state)
{
	(void)state;
	static const struct {
		const char *pattern, *why;
	} cases[] = {
	    {"[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '1.2.3.5']",
	     "FOLLOWEDBY"},
	    {"[ipv4-addr:value = '1.2.3.4'] AND [ipv4-addr:value = '1.2.3.5']", "AND"},
	    {"[ipv4-addr:value = '1.2.3.4'] REPEATS 5 TIMES", "qualifiers"},
	    {"[ipv4-addr:value != '1.2.3.4']", "operator"},
	    {"[ipv4-addr:value NOT = '1.2.3.4']", "NOT would match"},
	    {"[domain-name:value MATCHES '^evil']", "operator"},
	    {"[file:name = 'x.exe']", "does not observe"},
	    {"[network-traffic:dst_port = 70000]", "does not fit"},
	    {"[ipv4-addr:value = '300.1.1.1']", "not an address"},
	    {"[ipv4-addr:value = '1.2.3.4' AND file:name = 'x']", "does not observe"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setu_iocset_t *s;
		setu_diag_t d;
		int rc = compile1(cases[i].pattern, &s, &d);
		if (rc == 0 || strstr(d.msg, cases[i].why) == NULL)
			fail_msg("%s: rc %d, '%s'", cases[i].pattern, rc, d.msg);
		/* nothing half-compiled is left in the set */
		assert_int_equal(setu_iocset_indicator_count(s), 0);
		setu_iocset_free(s);
	}
}

static void test_bundle(void **state)
{
	(void)state;
	const char *doc =
	    "{\"type\":\"bundle\",\"id\":\"bundle--11111111-2222-4333-8444-"
	    "555555555555\","
	    "\"objects\":[{\"type\":\"identity\",\"id\":\"identity--11111111-2222-4333-"
	    "8444-"
	    "555555555555\"},{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern_"
	    "type\":"
	    "\"suricata\",\"pattern\":\"alert ip any any -> any any (sid:1;)\"},"
	    "{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern_type\":\"stix\","
	    "\"pattern\":\"[ipv4-addr:value = '192.0.2.1']\",\"valid_from\":"
	    "\"2026-01-01T00:00:00Z\"},{\"type\":\"indicator\",\"id\":\"indicator--3\","
	    "\"pattern_type\":\"stix\",\"pattern\":\"[ipv4-addr:value = \"}]}";
	json_error_t e;
	json_t *j = json_loads(doc, 0, &e);
	assert_non_null(j);
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	setu_stix_compile_stats_t st;
	assert_int_equal(setu_stix_compile_json(b, j, NULL, NULL, &st), 0);
	assert_int_equal(st.objects, 4);
	assert_int_equal(st.indicators, 3);
	assert_int_equal(st.compiled, 1);
	assert_int_equal(st.skipped, 1); /* the broken pattern */
	assert_int_equal(st.other, 2);   /* the identity and the suricata pattern */
	json_decref(j);
	setu_iocset_builder_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_compiles),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_bundle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
