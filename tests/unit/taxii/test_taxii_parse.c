/* test_taxii_parse.c — TAXII 2.1 response parsing without a network: resource shapes
 * (§3.6.1 error, §3.7 envelope, §4.1-4.3, §5.1-5.8), media types (§1.6.8), timestamps
 * (§3.2), error summaries, status counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "taxii/taxii.h"

#include <string.h>

static int parse(setu_taxii_kind_t k, const char *s, setu_diag_t *d)
{
	json_t *o = NULL;
	int rc = setu_taxii_parse(k, s, strlen(s), &o, d);
	if (rc == 0) {
		assert_non_null(o);
		json_decref(o);
	}
	return rc;
}

static void test_kinds_valid(void **state)
{
	(void)state;
	setu_diag_t d = {0};
	assert_int_equal(
	    parse(SETU_TAXII_DISCOVERY,
	          "{\"title\":\"t\",\"api_roots\":[\"https://h/a/\"],\"x_custom\":1}",
	          &d),
	    0);
	assert_int_equal(
	    parse(
	        SETU_TAXII_API_ROOT,
	        "{\"title\":\"r\",\"versions\":[\"application/taxii+json;version=2.1\"],"
	        "\"max_content_length\":10485760}",
	        &d),
	    0);
	assert_int_equal(parse(SETU_TAXII_COLLECTIONS, "{}", &d), 0);
	assert_int_equal(
	    parse(SETU_TAXII_COLLECTIONS,
	          "{\"collections\":[{\"id\":\"c1\",\"title\":\"C\",\"can_read\":true,"
	          "\"can_write\":false,\"media_types\":[]}]}",
	          &d),
	    0);
	assert_int_equal(parse(SETU_TAXII_ENVELOPE, "{}", &d), 0);
	assert_int_equal(
	    parse(SETU_TAXII_ENVELOPE,
	          "{\"more\":true,\"next\":\"n\",\"objects\":[{\"type\":\"indicator\","
	          "\"id\":\"indicator--1\"}]}",
	          &d),
	    0);
	assert_int_equal(
	    parse(SETU_TAXII_MANIFEST,
	          "{\"objects\":[{\"id\":\"a\",\"date_added\":\"2024-01-01T00:00:00Z\","
	          "\"version\":\"2024-01-01T00:00:00Z\"}]}",
	          &d),
	    0);
	assert_int_equal(parse(SETU_TAXII_VERSIONS, "{\"versions\":[\"v\"]}", &d), 0);
	assert_int_equal(
	    parse(SETU_TAXII_STATUS,
	          "{\"id\":\"s\",\"status\":\"complete\",\"total_count\":1,"
	          "\"success_count\":1,\"failure_count\":0,\"pending_count\":0,"
	          "\"successes\":[{\"id\":\"a\",\"version\":\"v\"}]}",
	          &d),
	    0);
	assert_int_equal(parse(SETU_TAXII_ERROR, "{\"title\":\"e\",\"details\":{}}", &d),
	                 0);
}

static void test_kinds_invalid(void **state)
{
	(void)state;
	static const struct {
		setu_taxii_kind_t k;
		const char *body;
		const char *msg; /* expected in the diagnostic */
	} bad[] = {
	    {SETU_TAXII_DISCOVERY, "", "invalid JSON"},
	    {SETU_TAXII_DISCOVERY, "[]", "not a JSON object"},
	    {SETU_TAXII_DISCOVERY, "{\"title\":1}", "'title' is not a string"},
	    {SETU_TAXII_DISCOVERY, "{\"title\":\"t\",\"api_roots\":[1]}",
	     "list of strings"},
	    {SETU_TAXII_DISCOVERY, "{\"title\":\"a\",\"title\":\"b\"}", "invalid JSON"},
	    {SETU_TAXII_API_ROOT, "{\"title\":\"r\",\"versions\":[]}",
	     "max_content_length"},
	    {SETU_TAXII_API_ROOT,
	     "{\"title\":\"r\",\"versions\":[],\"max_content_length\":-1}",
	     "integer >= 0"},
	    {SETU_TAXII_COLLECTIONS, "{\"collections\":{}}", "not a list"},
	    {SETU_TAXII_COLLECTIONS, "{\"collections\":[{\"id\":\"c\",\"title\":\"t\"}]}",
	     "collections[0]: required member 'can_read'"},
	    {SETU_TAXII_COLLECTION,
	     "{\"id\":\"c\",\"title\":\"t\",\"can_read\":\"yes\","
	     "\"can_write\":true}",
	     "a boolean"},
	    {SETU_TAXII_ENVELOPE, "{\"more\":\"true\"}", "'more' is not a boolean"},
	    {SETU_TAXII_ENVELOPE, "{\"objects\":[1]}", "objects[0] is not an object"},
	    {SETU_TAXII_ENVELOPE, "{\"objects\":[{\"type\":\"x\"}]}", "'id' missing"},
	    {SETU_TAXII_MANIFEST,
	     "{\"objects\":[{\"id\":\"a\",\"date_added\":\"today\",\"version\":\"v\"}]}",
	     "timestamp"},
	    {SETU_TAXII_VERSIONS, "{\"versions\":[1]}", "list of strings"},
	    {SETU_TAXII_STATUS,
	     "{\"id\":\"s\",\"status\":\"done\",\"total_count\":0,"
	     "\"success_count\":0,\"failure_count\":0,\"pending_count\":0}",
	     "neither complete nor pending"},
	    {SETU_TAXII_STATUS, "{\"id\":\"s\",\"status\":\"pending\",\"total_count\":1}",
	     "'success_count' missing"},
	    {SETU_TAXII_STATUS,
	     "{\"id\":\"s\",\"status\":\"pending\",\"total_count\":1,"
	     "\"success_count\":0,\"failure_count\":0,\"pending_count\":1,"
	     "\"pendings\":[{\"id\":\"a\"}]}",
	     "'version' missing"},
	    {SETU_TAXII_ERROR, "{\"description\":\"d\"}", "'title' missing"},
	    {SETU_TAXII_ERROR, "{\"title\":\"t\\u0000x\"}", "invalid JSON"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setu_diag_t d = {0};
		json_t *o = NULL;
		int rc =
		    setu_taxii_parse(bad[i].k, bad[i].body, strlen(bad[i].body), &o, &d);
		if (rc != SETU_EMALFORMED || strstr(d.msg, bad[i].msg) == NULL)
			fail_msg("case %zu (%s): rc %d, diag '%s'", i, bad[i].body, rc,
			         d.msg);
		assert_null(o);
	}
	/* `next` longer than we keep: refused, not truncated. */
	char big[600];
	memset(big, 'n', sizeof(big));
	int n = snprintf(big, sizeof(big), "{\"next\":\"");
	memset(big + n, 'x', 400);
	snprintf(big + n + 400, sizeof(big) - (size_t)n - 400, "\"}");
	setu_diag_t d = {0};
	assert_int_equal(parse(SETU_TAXII_ENVELOPE, big, &d), SETU_EMALFORMED);
	assert_non_null(strstr(d.msg, "'next' longer"));
}

static void test_paging(void **state)
{
	(void)state;
	json_t *o = NULL;
	const char *s = "{\"more\":true,\"next\":\"abc\"}";
	assert_int_equal(setu_taxii_parse(SETU_TAXII_ENVELOPE, s, strlen(s), &o, NULL),
	                 0);
	bool more = false;
	char next[SETU_TAXII_NEXT_MAX];
	setu_taxii_paging(o, &more, next);
	assert_true(more);
	assert_string_equal(next, "abc");
	json_decref(o);
	s = "{}";
	assert_int_equal(setu_taxii_parse(SETU_TAXII_ENVELOPE, s, strlen(s), &o, NULL),
	                 0);
	setu_taxii_paging(o, &more, next);
	assert_false(more);
	assert_string_equal(next, "");
	json_decref(o);
}

static void test_media_types(void **state)
{
	(void)state;
	const char *ok[] = {
	    "application/taxii+json;version=2.1",
	    "application/taxii+json; version=2.1",
	    "APPLICATION/TAXII+JSON;Version=\"2.1\"",
	    "application/taxii+json",
	    "application/taxii+json; charset=utf-8; version=2.1",
	};
	const char *bad[] = {
	    NULL,
	    "",
	    "application/json",
	    "application/stix+json;version=2.1",
	    "application/taxii+json;version=2.0",
	    "application/taxii+json;version=2.10",
	    "application/taxii+jsonx",
	    "application/taxii+json;version",
	    "application/taxii+json;version=\"2.1",
	    "application/taxii+json;version=2.1111111111111111111",
	    "text/html; application/taxii+json",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!setu_taxii_media_ok(ok[i]))
			fail_msg("refused '%s'", ok[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (setu_taxii_media_ok(bad[i]))
			fail_msg("accepted '%s'", bad[i] != NULL ? bad[i] : "(null)");
}

static void test_timestamps(void **state)
{
	(void)state;
	setu_taxii_ts_t a, b;
	assert_int_equal(setu_taxii_ts_parse("1970-01-01T00:00:00Z", &a), 0);
	assert_int_equal(a.sec, 0);
	assert_int_equal(a.nsec, 0);
	assert_int_equal(setu_taxii_ts_parse("2024-02-29T23:59:59.5Z", &a), 0);
	assert_int_equal(a.sec, 1709251199);
	assert_int_equal(a.nsec, 500000000);
	assert_int_equal(setu_taxii_ts_parse("1969-12-31T23:59:59.123456789Z", &b), 0);
	assert_int_equal(b.sec, -1);
	assert_int_equal(b.nsec, 123456789);
	/* Precision differs, order is by value (a string compare would get this wrong).
	 */
	assert_int_equal(setu_taxii_ts_parse("2024-01-01T00:00:00Z", &a), 0);
	assert_int_equal(setu_taxii_ts_parse("2024-01-01T00:00:00.5Z", &b), 0);
	assert_true(setu_taxii_ts_cmp(&a, &b) < 0);
	assert_true(setu_taxii_ts_cmp(&b, &a) > 0);
	assert_int_equal(setu_taxii_ts_parse("2024-01-01T00:00:00.000Z", &b), 0);
	assert_int_equal(setu_taxii_ts_cmp(&a, &b), 0);
	const char *bad[] = {
	    "",
	    "2024-01-01",
	    "2024-01-01T00:00:00",
	    "2024-01-01T00:00:00+00:00",
	    "2024-01-01 00:00:00Z",
	    "2023-02-29T00:00:00Z",
	    "2024-13-01T00:00:00Z",
	    "2024-04-31T00:00:00Z",
	    "2024-01-01T24:00:00Z",
	    "2024-01-01T00:00:00.Z",
	    "2024-01-01T00:00:00.1234567890Z",
	    "2024-01-01T00:00:00Zjunk",
	    "2024-01-01T00:00:00z",
	    "20a4-01-01T00:00:00Z",
	    "2024-01-01T00:00:00.000000000000000000000000000Z",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (setu_taxii_ts_parse(bad[i], &a) == 0)
			fail_msg("accepted '%s'", bad[i]);
}

static void test_error_summary_and_counts(void **state)
{
	(void)state;
	char buf[64];
	const char *e = "{\"title\":\"Forbidden\",\"description\":\"token lacks read\"}";
	assert_true(setu_taxii_error_summary(e, strlen(e), buf, sizeof(buf)));
	assert_string_equal(buf, "Forbidden (token lacks read)");
	e = "{\"title\":\"t\\r\\nX: y\"}";
	assert_true(setu_taxii_error_summary(e, strlen(e), buf, sizeof(buf)));
	assert_string_equal(buf, "t  X: y");
	e = "not json";
	assert_false(setu_taxii_error_summary(e, strlen(e), buf, sizeof(buf)));
	/* Truncated to the buffer, still terminated. */
	char small[8];
	e = "{\"title\":\"a long error title\"}";
	assert_true(setu_taxii_error_summary(e, strlen(e), small, sizeof(small)));
	assert_string_equal(small, "a long ");

	json_t *st = NULL;
	const char *s = "{\"id\":\"s\",\"status\":\"pending\",\"total_count\":10,"
	                "\"success_count\":4,\"failure_count\":1,\"pending_count\":5}";
	assert_int_equal(setu_taxii_parse(SETU_TAXII_STATUS, s, strlen(s), &st, NULL), 0);
	setu_taxii_status_counts_t n;
	setu_taxii_status_counts(st, &n);
	assert_false(n.complete);
	assert_int_equal(n.total, 10);
	assert_int_equal(n.success, 4);
	assert_int_equal(n.failure, 1);
	assert_int_equal(n.pending, 5);
	json_decref(st);
}

/* Allocation failures: fail the Nth allocation jansson makes; every outcome is an error
 * code, never a crash or a leak (ASan checks the latter). jansson reports some of its
 * allocation failures as syntax errors, so SETU_EMALFORMED is accepted besides
 * SETU_ENOMEM. jansson's allocator hook is process-wide, hence this test-only counter. */
static long alloc_left;

static void *failing_malloc(size_t n)
{
	if (alloc_left-- <= 0)
		return NULL;
	return malloc(n);
}

static void test_alloc_failures(void **state)
{
	(void)state;
	const char *bodies[] = {
	    "{\"more\":true,\"next\":\"n\",\"objects\":[{\"type\":\"indicator\",\"id\":"
	    "\"i--1\","
	    "\"labels\":[\"a\",\"b\"]},{\"type\":\"malware\",\"id\":\"m--1\"}]}",
	    "{\"id\":\"s\",\"status\":\"complete\",\"total_count\":1,\"success_count\":1,"
	    "\"failure_count\":0,\"pending_count\":0,\"successes\":[{\"id\":\"a\","
	    "\"version\":"
	    "\"v\"}]}",
	};
	for (size_t b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++) {
		bool succeeded = false;
		for (long n = 0; n < 200 && !succeeded; n++) {
			alloc_left = n;
			json_set_alloc_funcs(failing_malloc, free);
			json_t *o = NULL;
			int rc = setu_taxii_parse(b == 0 ? SETU_TAXII_ENVELOPE
			                                 : SETU_TAXII_STATUS,
			                          bodies[b], strlen(bodies[b]), &o, NULL);
			json_set_alloc_funcs(malloc, free);
			if (rc == 0) {
				succeeded = true;
				json_decref(o);
			} else if (rc != SETU_ENOMEM && rc != SETU_EMALFORMED) {
				fail_msg("body %zu, allocation %ld failed: rc %d", b, n,
				         rc);
			}
		}
		assert_true(succeeded);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kinds_valid),
	    cmocka_unit_test(test_kinds_invalid),
	    cmocka_unit_test(test_paging),
	    cmocka_unit_test(test_media_types),
	    cmocka_unit_test(test_timestamps),
	    cmocka_unit_test(test_error_summary_and_counts),
	    cmocka_unit_test(test_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
