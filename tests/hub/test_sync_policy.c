/* test_sync_policy.c — the federation release policy (src/hub/sync/policy.c,
 * docs/federation.md): every marking × producer (local / third party / received) ×
 * named-partner × agreement (max TLP, third party, types), against an independent
 * statement of the rules, plus the named cases. */
#include "hub/auth/acl.h"
#include "hub/sync/policy.h"
#include "setu/error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

static const int markings[] = {SETU_HUB_TLP_UNMARKED,     SETU_HUB_TLP_CLEAR,
                               SETU_HUB_TLP_GREEN,        SETU_HUB_TLP_AMBER,
                               SETU_HUB_TLP_AMBER_STRICT, SETU_HUB_TLP_RED};
static const int maxes[] = {SETU_HUB_TLP_CLEAR, SETU_HUB_TLP_GREEN, SETU_HUB_TLP_AMBER};

/* The rules as the issue states them, written as "may it cross?" (not as the code's
 * ordered checks). */
static bool oracle(int tlp, setu_origin_t origin, bool named, int max, bool third,
                   bool type_ok)
{
	int level = tlp == SETU_HUB_TLP_UNMARKED ? SETU_HUB_TLP_GREEN : tlp;
	bool never = level == SETU_HUB_TLP_RED || level == SETU_HUB_TLP_AMBER_STRICT;
	bool within_max = level <= max;
	bool amber_ok =
	    level != SETU_HUB_TLP_AMBER || (named && origin != SETU_ORIGIN_RECEIVED);
	bool producer_ok = origin == SETU_ORIGIN_LOCAL || third;
	return !never && within_max && amber_ok && producer_ok && type_ok;
}

static void test_matrix(void **state)
{
	(void)state;
	const char *type_lists[] = {"", ",indicator,sighting,", ",malware,"};
	size_t checked = 0, allowed = 0;
	for (size_t m = 0; m < sizeof(markings) / sizeof(markings[0]); m++)
		for (int origin = 0; origin < 3; origin++)
			for (int named = 0; named < 2; named++)
				for (size_t x = 0; x < 3; x++)
					for (int third = 0; third < 2; third++)
						for (size_t t = 0; t < 3; t++) {
							setu_release_rule_t r = {
							    .max_tlp = maxes[x],
							    .types = type_lists[t],
							    .third_party = third};
							setu_release_obj_t o = {
							    .tlp = markings[m],
							    .type = "indicator",
							    .origin =
							        (setu_origin_t)origin,
							    .names_partner = named};
							bool want = oracle(
							    markings[m],
							    (setu_origin_t)origin, named,
							    maxes[x], third, t != 2);
							setu_release_verdict_t v =
							    setu_sync_release(&r, &o);
							if ((v == SETU_RELEASE_OK) !=
							    want)
								fail_msg(
								    "tlp %d origin %d "
								    "named %d "
								    "max %d third %d "
								    "types '%s': "
								    "got %s",
								    markings[m], origin,
								    named, maxes[x],
								    third, type_lists[t],
								    setu_sync_verdict_text(
								        v));
							checked++;
							allowed += v == SETU_RELEASE_OK;
						}
	assert_int_equal(checked, 6 * 3 * 2 * 3 * 2 * 3);
	assert_true(allowed > 0 && allowed < checked);
}

static void test_named_cases(void **state)
{
	(void)state;
	/* Japan–India bilateral: AMBER when the producer named India. */
	setu_release_rule_t bilateral = {.max_tlp = SETU_HUB_TLP_AMBER};
	setu_release_obj_t o = {.tlp = SETU_HUB_TLP_AMBER,
	                        .type = "indicator",
	                        .origin = SETU_ORIGIN_LOCAL,
	                        .names_partner = true};
	assert_int_equal(setu_sync_release(&bilateral, &o), SETU_RELEASE_OK);
	o.names_partner = false;
	assert_int_equal(setu_sync_release(&bilateral, &o), SETU_RELEASE_AMBER_UNNAMED);
	/* RED and AMBER+STRICT never, whatever the agreement says. */
	setu_release_rule_t lax = {.max_tlp = SETU_HUB_TLP_RED, .third_party = true};
	o = (setu_release_obj_t){
	    .tlp = SETU_HUB_TLP_RED, .type = "indicator", .names_partner = true};
	assert_int_equal(setu_sync_release(&lax, &o), SETU_RELEASE_RED);
	o.tlp = SETU_HUB_TLP_AMBER_STRICT;
	assert_int_equal(setu_sync_release(&lax, &o), SETU_RELEASE_STRICT);
	/* Japan–ASEAN: GREEN max; AMBER received from India never goes on. */
	setu_release_rule_t asean = {.max_tlp = SETU_HUB_TLP_GREEN, .third_party = true};
	o = (setu_release_obj_t){.tlp = SETU_HUB_TLP_AMBER,
	                         .type = "indicator",
	                         .origin = SETU_ORIGIN_RECEIVED,
	                         .names_partner = true};
	assert_int_equal(setu_sync_release(&asean, &o), SETU_RELEASE_ABOVE_MAX);
	assert_int_equal(setu_sync_release(&lax, &o), SETU_RELEASE_RESHARE);
	/* Received GREEN goes on only where third-party content is allowed. */
	o.tlp = SETU_HUB_TLP_GREEN;
	assert_int_equal(setu_sync_release(&asean, &o), SETU_RELEASE_OK);
	asean.third_party = false;
	assert_int_equal(setu_sync_release(&asean, &o), SETU_RELEASE_THIRD_PARTY);
	o.origin = SETU_ORIGIN_THIRD_PARTY;
	assert_int_equal(setu_sync_release(&asean, &o), SETU_RELEASE_THIRD_PARTY);
	/* Unmarked counts as GREEN: not under a CLEAR-only agreement. */
	setu_release_rule_t clear = {.max_tlp = SETU_HUB_TLP_CLEAR};
	o = (setu_release_obj_t){.tlp = SETU_HUB_TLP_UNMARKED, .type = "indicator"};
	assert_int_equal(setu_sync_release(&clear, &o), SETU_RELEASE_ABOVE_MAX);
	o.tlp = SETU_HUB_TLP_CLEAR;
	assert_int_equal(setu_sync_release(&clear, &o), SETU_RELEASE_OK);
	/* Unknown levels are the worst. */
	o.tlp = 17;
	assert_int_equal(setu_sync_release(&lax, &o), SETU_RELEASE_RED);
	/* Types. */
	setu_release_rule_t only = {.max_tlp = SETU_HUB_TLP_GREEN, .types = ",sighting,"};
	o = (setu_release_obj_t){.tlp = SETU_HUB_TLP_GREEN, .type = "indicator"};
	assert_int_equal(setu_sync_release(&only, &o), SETU_RELEASE_TYPE);
	o.type = "sighting";
	assert_int_equal(setu_sync_release(&only, &o), SETU_RELEASE_OK);
	o.type = "sight";
	assert_int_equal(setu_sync_release(&only, &o), SETU_RELEASE_TYPE);
	o.type = NULL;
	assert_int_equal(setu_sync_release(&only, &o), SETU_RELEASE_TYPE);
	for (int v = SETU_RELEASE_OK; v <= SETU_RELEASE_TYPE; v++)
		assert_non_null(setu_sync_verdict_text((setu_release_verdict_t)v));
}

static void test_helpers(void **state)
{
	(void)state;
	char b[64];
	assert_int_equal(setu_sync_types_norm("indicator, sighting", b, sizeof(b)), 0);
	assert_string_equal(b, ",indicator,sighting,");
	assert_int_equal(setu_sync_types_norm("*", b, sizeof(b)), 0);
	assert_string_equal(b, "");
	assert_int_equal(setu_sync_types_norm(NULL, b, sizeof(b)), 0);
	assert_string_equal(b, "");
	assert_int_equal(setu_sync_types_norm("Indicator", b, sizeof(b)), SETU_EINVAL);
	assert_int_equal(setu_sync_types_norm("a,b';--", b, sizeof(b)), SETU_EINVAL);
	char small[8];
	assert_int_equal(setu_sync_types_norm("indicator", small, sizeof(small)),
	                 SETU_ELIMIT);
	assert_true(setu_sync_type_allowed(",a,b,", "b"));
	assert_false(setu_sync_type_allowed(",ab,", "b"));
	assert_false(setu_sync_type_allowed(",ba,", "b"));
	assert_true(setu_sync_type_allowed("", "anything"));
	assert_int_equal(setu_sync_tlp_parse("TLP:AMBER+STRICT"),
	                 SETU_HUB_TLP_AMBER_STRICT);
	assert_int_equal(setu_sync_tlp_parse("green"), SETU_HUB_TLP_GREEN);
	assert_int_equal(setu_sync_tlp_parse("white"), SETU_HUB_TLP_CLEAR);
	assert_int_equal(setu_sync_tlp_parse("purple"), -2);
	assert_int_equal(setu_sync_tlp_parse(NULL), -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_matrix),
	    cmocka_unit_test(test_named_cases),
	    cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
