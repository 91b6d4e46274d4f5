/* test_intel_stix_schema.c — setu's STIX 2.1 validator against the OASIS STIX 2.1 JSON
 * schemas (ajv via tests/intel/stix-schema-check.sh): the predefined TLP
 * marking-definitions that the hub serves pass the schemas, and on the shared fixtures
 * and OASIS examples setu's verdict agrees with the schemas' verdict file by file. Skips
 * (77) without node/npm/shared data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/stix-validate.h"
#include "intel/tlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define STIX SETU_SOURCE_DIR "/../shared/testdata/stix"
#define SCRIPT SETU_SOURCE_DIR "/tests/intel/stix-schema-check.sh"
#define OUTDIR SETU_BINARY_DIR "/stix-schema"

/* Run the schema check on one file: 0 valid, 1 invalid, 77 skip, other = tool error. */
static int schema_check(const char *path)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s' > '%s.schema.log' 2>&1", SCRIPT,
	         SETU_BINARY_DIR, path, OUTDIR "/last");
	int st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_served_markings_pass_schemas(void **state)
{
	(void)state;
	json_t *all = setu_tlp_predefined_markings();
	assert_non_null(all);
	const char *path = OUTDIR "/tlp-markings.json";
	assert_int_equal(json_dump_file(all, path, JSON_INDENT(1)), 0);
	json_decref(all);
	int rc = schema_check(path);
	if (rc != 0)
		fail_msg(
		    "the TLP marking-definitions fail the OASIS schemas (rc %d), see %s",
		    rc, OUTDIR "/last.schema.log");
}

static unsigned setu_errors(const char *path)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	if (doc == NULL)
		fail_msg("%s: %s", path, jerr.text);
	unsigned n = setu_stix_validate_collection_all(doc, NULL, NULL);
	json_decref(doc);
	return n;
}

static void test_verdicts_agree(void **state)
{
	(void)state;
	/* relative to ../shared/testdata/stix; "examples/" is in cti-stix2-json-schemas
	 */
	static const char *const files[] = {
	    "fixtures/good-indicator.json",
	    "fixtures/bad-indicator.json",
	    "fixtures/envelope.json",
	    "fixtures/medallion-envelope.json",
	    "fixtures/bad-domain.json",
	    "examples/indicator-for-c2-ip-address.json",
	    "examples/indicator-to-campaign-relationship.json",
	    "examples/indicators-for-C2-with-COA.json",
	    "examples/infrastructure.json",
	    "examples/interop-objectmarking-test.json",
	    "examples/malicious-email-indicator-with-attachment.json",
	    "examples/threat-reports/apt1.json",
	    "examples/threat-reports/poisonivy.json",
	};
	unsigned agree = 0, valid = 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		bool ex = strncmp(files[i], "examples/", 9) == 0;
		snprintf(path, sizeof(path), "%s/%s%s", STIX,
		         ex ? "cti-stix2-json-schemas/" : "", files[i]);
		bool ours = setu_errors(path) == 0;
		int rc = schema_check(path);
		if (rc != 0 && rc != 1)
			fail_msg("schema check of %s failed to run (rc %d)", files[i],
			         rc);
		bool theirs = rc == 0;
		if (ours != theirs)
			fail_msg("%s: setu says %s, the OASIS schemas say %s", files[i],
			         ours ? "valid" : "invalid",
			         theirs ? "valid" : "invalid");
		agree++;
		valid += ours;
	}
	print_message("schema agreement: %u/%zu files (%u valid, %u invalid)\n", agree,
	              sizeof(files) / sizeof(files[0]), valid, agree - valid);
}

int main(void)
{
	mkdir(OUTDIR, 0755);
	/* probe once: the script skips without node, npm or the shared data */
	FILE *f = fopen(OUTDIR "/probe.json", "w");
	if (f == NULL)
		return 1;
	fputs("{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--ff26c055-6336-5bc5-b98d-"
	      "13d6226742dd\","
	      "\"value\":\"198.51.100.7\"}\n",
	      f);
	fclose(f);
	int rc = schema_check(OUTDIR "/probe.json");
	if (rc == 77) {
		fprintf(stderr, "SKIP: STIX schema check unavailable, see %s\n",
		        OUTDIR "/last.schema.log");
		return 77;
	}
	if (rc != 0) {
		fprintf(stderr, "schema check probe failed (rc %d), see %s\n", rc,
		        OUTDIR "/last.schema.log");
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_served_markings_pass_schemas),
	    cmocka_unit_test(test_verdicts_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
