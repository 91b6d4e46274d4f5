/* test_intel_tlp.c — TLP markings: STIX 2.1 §7.2.1.4 predefined TLP 1.0 ids, FIRST/OASIS
 * TLP 2.0 marking-definitions, and an object's effective TLP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/stix-validate.h"
#include "intel/tlp.h"

#include <string.h>

static const struct {
	setu_tlp_t level;
	const char *v2_id;
	const char *v1_id;
	const char *name;
} expect[] = {
    {SETU_TLP_CLEAR, "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
     "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:CLEAR"},
    {SETU_TLP_GREEN, "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
     "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN"},
    {SETU_TLP_AMBER, "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
     "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER"},
    {SETU_TLP_AMBER_STRICT, "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
     NULL, "TLP:AMBER+STRICT"},
    {SETU_TLP_RED, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
     "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED"},
};

static void test_ids_and_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		assert_int_equal(setu_tlp_of_marking_id(expect[i].v2_id),
		                 expect[i].level);
		assert_string_equal(setu_tlp_marking_id(expect[i].level),
		                    expect[i].v2_id);
		assert_string_equal(setu_tlp_name(expect[i].level), expect[i].name);
		assert_int_equal(setu_tlp_from_name(expect[i].name), expect[i].level);
		assert_false(setu_tlp_is_v1_id(expect[i].v2_id));
		if (expect[i].v1_id != NULL) {
			assert_int_equal(setu_tlp_of_marking_id(expect[i].v1_id),
			                 expect[i].level);
			assert_string_equal(setu_tlp_v1_marking_id(expect[i].level),
			                    expect[i].v1_id);
			assert_true(setu_tlp_is_v1_id(expect[i].v1_id));
		} else {
			assert_null(setu_tlp_v1_marking_id(expect[i].level));
		}
	}
	/* ids compare case-insensitively (UUID hex digits) */
	assert_int_equal(setu_tlp_of_marking_id(
	                     "marking-definition--E828B379-4E03-4974-9AC4-E53A884C97C1"),
	                 SETU_TLP_RED);
	assert_int_equal(setu_tlp_of_marking_id(
	                     "marking-definition--b38dfe21-7477-40d1-aa90-5c8671ce51ca"),
	                 SETU_TLP_NONE);
	assert_int_equal(setu_tlp_of_marking_id(NULL), SETU_TLP_NONE);
	assert_false(setu_tlp_is_v1_id(NULL));
	assert_string_equal(setu_tlp_name(SETU_TLP_NONE), "none");
	assert_null(setu_tlp_marking_id(SETU_TLP_NONE));
	assert_int_equal(setu_tlp_from_name("white"), SETU_TLP_CLEAR);
	assert_int_equal(setu_tlp_from_name("TLP:WHITE"), SETU_TLP_CLEAR);
	assert_int_equal(setu_tlp_from_name("amber+strict"), SETU_TLP_AMBER_STRICT);
	assert_int_equal(setu_tlp_from_name("tlp:red"), SETU_TLP_RED);
	assert_int_equal(setu_tlp_from_name("TLP:PURPLE"), SETU_TLP_NONE);
	assert_int_equal(setu_tlp_from_name(NULL), SETU_TLP_NONE);
	assert_int_equal(setu_tlp_max(SETU_TLP_NONE, SETU_TLP_CLEAR), SETU_TLP_CLEAR);
	assert_int_equal(setu_tlp_max(SETU_TLP_RED, SETU_TLP_AMBER), SETU_TLP_RED);
	assert_int_equal(setu_tlp_max(SETU_TLP_AMBER, SETU_TLP_AMBER_STRICT),
	                 SETU_TLP_AMBER_STRICT);
}

static json_t *obj_with(const char *omr_json, const char *gm_json)
{
	json_t *o = json_pack("{s:s}", "type", "indicator");
	json_error_t e;
	if (omr_json != NULL)
		json_object_set_new(o, "object_marking_refs",
		                    json_loads(omr_json, 0, &e));
	if (gm_json != NULL)
		json_object_set_new(o, "granular_markings", json_loads(gm_json, 0, &e));
	return o;
}

static void test_effective_level(void **state)
{
	(void)state;
	json_t *o = obj_with(NULL, NULL);
	assert_int_equal(setu_tlp_of_object(o), SETU_TLP_NONE);
	json_decref(o);
	/* a statement marking plus TLP:GREEN (2.0) */
	o = obj_with("[\"marking-definition--b38dfe21-7477-40d1-aa90-5c8671ce51ca\","
	             "\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\"]",
	             NULL);
	assert_int_equal(setu_tlp_of_object(o), SETU_TLP_GREEN);
	json_decref(o);
	/* TLP 1.0 WHITE and 2.0 AMBER+STRICT: the most restrictive wins */
	o = obj_with("[\"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9\","
	             "\"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003\"]",
	             NULL);
	assert_int_equal(setu_tlp_of_object(o), SETU_TLP_AMBER_STRICT);
	json_decref(o);
	/* a granular RED on one property makes the object RED */
	o = obj_with("[\"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487\"]",
	             "[{\"marking_ref\":\"marking-definition--5e57c739-391a-4eb3-b6be-"
	             "7d15ca92d5ed\","
	             "\"selectors\":[\"description\"]},{\"lang\":\"en\",\"selectors\":["
	             "\"name\"]}]");
	assert_int_equal(setu_tlp_of_object(o), SETU_TLP_RED);
	json_decref(o);
	/* malformed markings do not crash and count as none */
	o = obj_with("[5, null]", "[7, {\"marking_ref\": 3}]");
	assert_int_equal(setu_tlp_of_object(o), SETU_TLP_NONE);
	json_decref(o);
	o = obj_with("\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\"",
	             "{}");
	assert_int_equal(setu_tlp_of_object(o), SETU_TLP_NONE);
	json_decref(o);
	assert_int_equal(setu_tlp_of_object(NULL), SETU_TLP_NONE);
}

static void test_predefined_objects(void **state)
{
	(void)state;
	json_t *all = setu_tlp_predefined_markings();
	assert_non_null(all);
	assert_int_equal(json_array_size(all), 9);
	size_t i;
	json_t *m;
	json_array_foreach(all, i, m)
	{
		setu_diag_t d;
		memset(&d, 0, sizeof(d));
		if (setu_stix_validate_object(m, &d) != 0)
			fail_msg("predefined marking %zu invalid: %s", i, d.msg);
		const char *id = json_string_value(json_object_get(m, "id"));
		setu_tlp_t lvl = setu_tlp_of_marking_id(id);
		assert_int_not_equal(lvl, SETU_TLP_NONE);
		/* what the object declares matches what its id stands for */
		assert_int_equal(setu_tlp_declared_by(m), lvl);
	}
	json_decref(all);

	json_t *red = setu_tlp_marking_object(SETU_TLP_RED);
	assert_string_equal(json_string_value(json_object_get(red, "name")), "TLP:RED");
	assert_string_equal(json_string_value(json_object_get(red, "created")),
	                    "2022-10-01T00:00:00.000Z");
	json_t *ext =
	    json_object_get(json_object_get(red, "extensions"), SETU_TLP2_EXTENSION_ID);
	assert_string_equal(json_string_value(json_object_get(ext, "extension_type")),
	                    "property-extension");
	assert_string_equal(json_string_value(json_object_get(ext, "tlp_2_0")), "red");
	json_decref(red);
	json_t *white = setu_tlp_v1_marking_object(SETU_TLP_CLEAR);
	assert_string_equal(json_string_value(json_object_get(white, "name")),
	                    "TLP:WHITE");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(white, "definition"), "tlp")),
	                    "white");
	assert_string_equal(json_string_value(json_object_get(white, "created")),
	                    "2017-01-20T00:00:00.000Z");
	json_decref(white);
	assert_null(setu_tlp_marking_object(SETU_TLP_NONE));
	assert_null(setu_tlp_v1_marking_object(SETU_TLP_AMBER_STRICT));
	assert_int_equal(setu_tlp_declared_by(NULL), SETU_TLP_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids_and_names),
	    cmocka_unit_test(test_effective_level),
	    cmocka_unit_test(test_predefined_objects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
