/* test_intel_stix_fixtures.c — STIX 2.1 object validation against the shared fixtures and
 * the OASIS examples in ../shared/testdata/stix (verdicts as in its USAGE.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/stix-validate.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STIX SETU_SOURCE_DIR "/../shared/testdata/stix"

typedef struct errs {
	char text[4096];
	unsigned n;
} errs_t;

static void collect(void *arg, const setu_diag_t *d)
{
	errs_t *e = arg;
	e->n++;
	size_t o = strlen(e->text);
	snprintf(e->text + o, sizeof(e->text) - o, "%s\n", d->msg);
}

/* Validate a file; returns the error count, *nobj the number of objects. */
static unsigned check(const char *rel, errs_t *e, size_t *nobj)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", STIX, rel);
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		fail_msg("%s: %s", path, jerr.text);
	memset(e, 0, sizeof(*e));
	unsigned n = setu_stix_validate_collection_all(doc, collect, e);
	const json_t *objs = json_object_get(doc, "objects");
	*nobj = json_is_array(objs) ? json_array_size(objs) : 1;
	json_decref(doc);
	return n;
}

static void test_fixtures(void **state)
{
	(void)state;
	errs_t e;
	size_t nobj;
	assert_int_equal(check("fixtures/good-indicator.json", &e, &nobj), 0);
	assert_int_equal(check("fixtures/envelope.json", &e, &nobj), 0);
	assert_int_equal(nobj, 6);
	assert_int_equal(check("fixtures/medallion-envelope.json", &e, &nobj), 0);
	assert_int_equal(nobj, 7);
	/* bad id, created not RFC 3339 Z, empty indicator_types, no pattern_type */
	assert_int_equal(check("fixtures/bad-indicator.json", &e, &nobj), 4);
	assert_non_null(strstr(e.text, "property 'id' must be 'indicator--'"));
	assert_non_null(strstr(e.text, "property 'created' is not an RFC 3339"));
	assert_non_null(
	    strstr(e.text, "property 'indicator_types' must not be an empty list"));
	assert_non_null(strstr(e.text, "indicator 'pattern_type' is required"));
	assert_int_equal(check("fixtures/bad-domain.json", &e, &nobj), 1);
	assert_non_null(strstr(e.text, "domain-name 'value' is not a valid domain name"));
}

static void test_oasis_examples(void **state)
{
	(void)state;
	static const char *const files[] = {
	    "indicator-for-c2-ip-address.json",
	    "indicator-to-campaign-relationship.json",
	    "indicators-for-C2-with-COA.json",
	    "infrastructure.json",
	    "interop-objectmarking-test.json",
	    "malicious-email-indicator-with-attachment.json",
	    "threat-reports/apt1.json",
	    "threat-reports/poisonivy.json",
	};
	size_t total = 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char rel[256];
		snprintf(rel, sizeof(rel), "cti-stix2-json-schemas/examples/%s",
		         files[i]);
		errs_t e;
		size_t nobj;
		if (check(rel, &e, &nobj) != 0)
			fail_msg("%s should be valid:\n%s", rel, e.text);
		total += nobj;
	}
	/* the same 260 objects the OASIS schemas accept */
	assert_int_equal(total, 260);
}

int main(void)
{
	if (access(STIX "/fixtures/good-indicator.json", R_OK) != 0) {
		fprintf(stderr, "SKIP: %s is absent (shared test data)\n", STIX);
		return 77;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_oasis_examples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
