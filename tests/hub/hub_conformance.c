/* hub_conformance.c — runs the black-box TAXII 2.1 conformance script
 * (../shared/testdata/taxii/taxii_conformance.py) against a hub started here on
 * 127.0.0.1: all 76 MUST-level checks must pass (exit 77 = skip when the script or
 * python3 is absent). */
#include "hub_fixture.h"

#include "hub/auth/acl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	const char *script =
	    SETU_SOURCE_DIR "/../shared/testdata/taxii/taxii_conformance.py";
	if (access(script, R_OK) != 0) {
		printf("SKIP: %s not found (shared test data absent)\n", script);
		return 77;
	}
	if (system("python3 -c 'import sys' >/dev/null 2>&1") != 0) {
		printf("SKIP: python3 not available\n");
		return 77;
	}
	hubfx_t fx;
	char tok[SETU_TOKEN_LEN + 1], rw[40], wo[40], ro[40];
	setu_member_t m;
	if (hubfx_init(&fx, 1024 * 1024) != 0 || hubfx_org(&fx, "ACME", NULL, 0) != 0 ||
	    hubfx_member(&fx, "ACME", "alice", SETU_ROLE_CONTRIBUTOR, tok, &m) != 0 ||
	    hubfx_collection(&fx, "shared", false, rw) != 0 ||
	    hubfx_collection(&fx, "drop box", false, wo) != 0 ||
	    hubfx_collection(&fx, "advisories", false, ro) != 0 ||
	    hubfx_grant(&fx, rw, "ACME", true, true) != 0 ||
	    hubfx_grant(&fx, wo, "ACME", false, true) != 0 ||
	    hubfx_grant(&fx, ro, "ACME", true, false) != 0 || hubfx_start(&fx) != 0) {
		fprintf(stderr, "FAIL: cannot set up the hub\n");
		return 1;
	}
	char cmd[2048];
	snprintf(
	    cmd, sizeof(cmd),
	    "python3 %s --url %s/taxii2/ --token %s --collection %s --timeout 30 %s 2>&1",
	    script, fx.base, tok, rw,
	    getenv("SETU_CONFORMANCE_ARGS") != NULL ? getenv("SETU_CONFORMANCE_ARGS")
	                                            : "");
	FILE *p = popen(cmd, "r");
	if (p == NULL) {
		hubfx_free(&fx);
		return 1;
	}
	char line[4096], last[4096] = "";
	while (fgets(line, sizeof(line), p) != NULL) {
		fputs(line, stdout);
		snprintf(last, sizeof(last), "%s", line);
	}
	int st = pclose(p);
	hubfx_free(&fx);
	int passed = -1, failed = -1, skipped = -1;
	if (sscanf(last, "%d passed, %d failed, %d skipped", &passed, &failed,
	           &skipped) != 3) {
		fprintf(stderr, "FAIL: no summary line from the script\n");
		return 1;
	}
	if (st != 0 || failed != 0 || skipped != 0 || passed < 76) {
		fprintf(stderr,
		        "FAIL: %d passed, %d failed, %d skipped (need 76, 0, 0)\n",
		        passed, failed, skipped);
		return 1;
	}
	printf("conformance: %d MUST-level checks passed\n", passed);
	return 0;
}
