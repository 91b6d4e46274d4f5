/* test_intel_stix_validate.c — STIX 2.1 object validation (STIX 2.1 OS parts 3-8): a
 * valid minimal object of every type, and each rule's error message on a broken one. */
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

typedef struct errs {
	char text[8192]; /* all messages, one per line */
	unsigned n;
	unsigned first_column;
} errs_t;

static void collect(void *arg, const setu_diag_t *d)
{
	errs_t *e = arg;
	if (e->n == 0)
		e->first_column = d->column;
	e->n++;
	size_t o = strlen(e->text);
	snprintf(e->text + o, sizeof(e->text) - o, "%s\n", d->msg);
}

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (j == NULL)
		fail_msg("test JSON does not parse: %s: %s", jerr.text, text);
	return j;
}

static void expect_valid_json(const json_t *j, const char *what)
{
	errs_t e;
	memset(&e, 0, sizeof(e));
	unsigned n = setu_stix_validate_object_all(j, collect, &e);
	if (n != 0)
		fail_msg("%s should be valid, got %u errors:\n%s", what, n, e.text);
	setu_diag_t d;
	memset(&d, 0, sizeof(d));
	assert_int_equal(setu_stix_validate_object(j, &d), 0);
}

static void expect_valid(const char *text)
{
	json_t *j = parse(text);
	expect_valid_json(j, text);
	json_decref(j);
}

/* The object must be invalid with an error containing want; returns the error count. */
static unsigned expect_error_json(const json_t *j, const char *want)
{
	errs_t e;
	memset(&e, 0, sizeof(e));
	unsigned n = setu_stix_validate_object_all(j, collect, &e);
	if (n == 0 || strstr(e.text, want) == NULL)
		fail_msg("want an error containing \"%s\", got %u errors:\n%s", want, n,
		         e.text);
	setu_diag_t d;
	memset(&d, 0, sizeof(d));
	assert_int_equal(setu_stix_validate_object(j, &d), SETU_EMALFORMED);
	assert_true(d.msg[0] != '\0');
	return n;
}

static unsigned expect_error(const char *text, const char *want)
{
	json_t *j = parse(text);
	unsigned n = expect_error_json(j, want);
	json_decref(j);
	return n;
}

#define IND_HEAD                                                                       \
	"\"type\":\"indicator\",\"spec_version\":\"2.1\","                             \
	"\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\","                  \
	"\"created\":\"2024-03-01T10:00:00.000Z\",\"modified\":\"2024-03-01T10:00:00." \
	"000Z\","

static const char good_indicator[] =
    "{" IND_HEAD
    "\"pattern\":\"[ipv4-addr:value = '198.51.100.7']\",\"pattern_type\":\"stix\","
    "\"valid_from\":\"2024-03-01T10:00:00Z\"}";

/* Set one property of the good indicator (value given as JSON text; NULL deletes). */
static json_t *indicator_with(const char *prop, const char *json_value)
{
	json_t *j = parse(good_indicator);
	if (json_value == NULL)
		json_object_del(j, prop);
	else
		json_object_set_new(j, prop, parse(json_value));
	return j;
}

static void ind_error(const char *prop, const char *json_value, const char *want)
{
	json_t *j = indicator_with(prop, json_value);
	expect_error_json(j, want);
	json_decref(j);
}

static void ind_ok(const char *prop, const char *json_value)
{
	json_t *j = indicator_with(prop, json_value);
	expect_valid_json(j, prop);
	json_decref(j);
}

#define SDO(type, uuid, rest)                                                            \
	"{\"type\":\"" type "\",\"spec_version\":\"2.1\",\"id\":\"" type "--" uuid "\"," \
	"\"created\":\"2024-03-01T10:00:00.000Z\",\"modified\":\"2024-03-02T10:00:00."   \
	"000Z\"" rest "}"
#define U1 "b38dfe21-7477-40d1-aa90-5c8671ce51ca"
#define SCO(type, rest) "{\"type\":\"" type "\",\"id\":\"" type "--" U1 "\"" rest "}"

static void test_every_type_minimal_valid(void **state)
{
	(void)state;
	static const char *const objs[] = {
	    good_indicator,
	    SDO("identity", U1, ",\"name\":\"CERT\",\"identity_class\":\"organization\""),
	    SDO("attack-pattern", U1, ",\"name\":\"Spearphishing\""),
	    SDO("campaign", U1,
	        ",\"name\":\"C\",\"first_seen\":\"2020-01-01T00:00:00Z\",\"last_seen\":"
	        "\"2020-01-"
	        "01T00:00:00Z\""),
	    SDO("course-of-action", U1, ",\"name\":\"Block\""),
	    SDO("grouping", U1,
	        ",\"context\":\"suspicious-activity\",\"object_refs\":[\"indicator--" U1
	        "\"]"),
	    SDO("infrastructure", U1, ",\"name\":\"C2\""),
	    SDO("intrusion-set", U1, ",\"name\":\"APT\""),
	    SDO("location", U1, ",\"country\":\"JP\""),
	    SDO("location", U1,
	        ",\"latitude\":35.6,\"longitude\":139.7,\"precision\":1000"),
	    SDO("malware", U1, ",\"is_family\":true,\"name\":\"Emotet\""),
	    SDO("malware", U1, ",\"is_family\":false,\"sample_refs\":[\"file--" U1 "\"]"),
	    SDO("malware-analysis", U1, ",\"product\":\"av\",\"result\":\"malicious\""),
	    SDO("note", U1,
	        ",\"content\":\"seen\",\"object_refs\":[\"malware--" U1 "\"]"),
	    SDO("observed-data", U1,
	        ",\"first_observed\":\"2024-01-01T00:00:00Z\",\"last_observed\":\"2024-"
	        "01-01T01:"
	        "00:00Z\",\"number_observed\":3,\"object_refs\":[\"ipv4-addr--" U1 "\"]"),
	    SDO("opinion", U1,
	        ",\"opinion\":\"agree\",\"object_refs\":[\"report--" U1 "\"]"),
	    SDO("report", U1,
	        ",\"name\":\"R\",\"published\":\"2024-03-01T00:00:00Z\",\"object_refs\":["
	        "\"indicator--" U1 "\"],\"report_types\":[\"threat-report\"]"),
	    SDO("threat-actor", U1,
	        ",\"name\":\"TA\",\"threat_actor_types\":[\"nation-state\"]"),
	    SDO("tool", U1, ",\"name\":\"nmap\""),
	    SDO("vulnerability", U1,
	        ",\"name\":\"CVE-2024-0001\",\"external_references\":[{\"source_name\":"
	        "\"cve\","
	        "\"external_id\":\"CVE-2024-0001\"}]"),
	    SDO("incident", U1, ",\"name\":\"I\""),
	    SDO("relationship", U1,
	        ",\"relationship_type\":\"indicates\",\"source_ref\":\"indicator--" U1
	        "\",\"target_ref\":\"malware--" U1
	        "\",\"start_time\":\"2024-01-01T00:00:00Z\","
	        "\"stop_time\":\"2024-01-02T00:00:00Z\""),
	    SDO("sighting", U1,
	        ",\"sighting_of_ref\":\"indicator--" U1 "\",\"count\":0,"
	        "\"where_sighted_refs\":[\"identity--" U1 "\",\"location--" U1 "\"],"
	        "\"observed_data_refs\":[\"observed-data--" U1 "\"],\"summary\":false"),
	    SDO("extension-definition", U1,
	        ",\"created_by_ref\":\"identity--" U1
	        "\",\"name\":\"ext\",\"schema\":\"https://x\","
	        "\"version\":\"1.0\",\"extension_types\":[\"toplevel-property-"
	        "extension\"],"
	        "\"extension_properties\":[\"x_score\"]"),
	    SDO("language-content", U1,
	        ",\"object_ref\":\"indicator--" U1
	        "\",\"contents\":{\"de\":{\"name\":\"X\"}}"),
	    "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-"
	    "definition--" U1
	    "\",\"created\":\"2024-01-01T00:00:00Z\",\"definition_type\":"
	    "\"statement\",\"definition\":{\"statement\":\"Copyright X\"}}",
	    SCO("ipv4-addr", ",\"value\":\"198.51.100.0/24\",\"spec_version\":\"2.1\""),
	    SCO("ipv6-addr", ",\"value\":\"2001:db8::1\""),
	    SCO("domain-name",
	        ",\"value\":\"xn--bcher-kva.example\",\"resolves_to_refs\":["
	        "\"ipv4-addr--" U1 "\"]"),
	    SCO("url", ",\"value\":\"https://evil.example.com/a?b=c\""),
	    SCO("file",
	        ",\"hashes\":{\"SHA-256\":"
	        "\"aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f\"},"
	        "\"size\":10"),
	    SCO("network-traffic",
	        ",\"dst_ref\":\"ipv4-addr--" U1 "\",\"dst_port\":443,"
	        "\"protocols\":[\"ipv4\",\"tcp\"],\"extensions\":{\"http-"
	        "request-ext\":{\"request_method\":\"get\"}}"),
	    SCO("email-addr", ",\"value\":\"a@example.org\""),
	    SCO("x509-certificate", ",\"serial_number\":\"01\""),
	    SCO("autonomous-system", ",\"number\":64512"),
	    SCO("mac-addr", ",\"value\":\"d2:fb:49:24:37:18\""),
	    SCO("user-account", ",\"user_id\":\"1001\""),
	    SCO("process", ",\"pid\":1"),
	    SCO("software", ",\"name\":\"Word\""),
	    SCO("directory", ",\"path\":\"C:\\\\Windows\""),
	    SCO("artifact", ",\"payload_bin\":\"aGk=\""),
	    SCO("artifact", ",\"url\":\"https://x.example/a\",\"hashes\":{\"MD5\":"
	                    "\"cead3f77f6cda6ec00f57d76c9a6879f\"}"),
	    SCO("mutex", ",\"name\":\"m\""),
	    SCO("windows-registry-key", ",\"key\":\"HKEY_LOCAL_MACHINE\\\\x\""),
	    SCO("email-message", ",\"is_multipart\":false,\"body\":\"hi\",\"from_ref\":"
	                         "\"email-addr--" U1 "\""),
	    /* a custom object: SDO rules because it has 'created' */
	    SDO("x-acme-widget", U1, ",\"widget\":1"),
	};
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		expect_valid(objs[i]);
}

static void test_indicator_rules(void **state)
{
	(void)state;
	ind_error("valid_from", NULL, "indicator 'valid_from' is required");
	ind_error("pattern", NULL, "indicator 'pattern' is required");
	ind_error("pattern_type", NULL, "indicator 'pattern_type' is required");
	ind_error("modified", "\"2024-03-01T09:59:59.999Z\"",
	          "property 'modified' is earlier than 'created'");
	ind_ok("modified", "\"2024-03-01T10:00:00.001Z\"");
	ind_error("valid_until", "\"2024-03-01T10:00:00Z\"",
	          "property 'valid_until' is not later than 'valid_from'");
	ind_ok("valid_until", "\"2024-03-01T10:00:00.5Z\"");
	ind_error("valid_from", "\"2024-03-01\"", "'valid_from' is not an RFC 3339");
	ind_error("pattern_type", "5", "property 'pattern_type' must be a string");
	ind_error("indicator_types", "[]",
	          "property 'indicator_types' must not be an empty list");
	ind_error("indicator_types", "[3]",
	          "property 'indicator_types'[0] must be a string");
	/* a non-STIX pattern language is not parsed */
	json_t *j =
	    indicator_with("pattern", "\"alert tcp any any -> any any (sid:1;)\"");
	json_object_set_new(j, "pattern_type", json_string("suricata"));
	expect_valid_json(j, "suricata indicator");
	json_decref(j);

	/* a STIX pattern error names the position */
	j = indicator_with("pattern", "\"[ipv4-addr:value = ]\"");
	errs_t e;
	memset(&e, 0, sizeof(e));
	assert_int_equal(setu_stix_validate_object_all(j, collect, &e), 1);
	assert_non_null(
	    strstr(e.text, "indicator 'pattern' column 20: expected a constant"));
	assert_int_equal(e.first_column, 20);
	setu_diag_t d;
	memset(&d, 0, sizeof(d));
	d.file = "feed.json";
	assert_int_equal(setu_stix_validate_object(j, &d), SETU_EMALFORMED);
	assert_int_equal(d.column, 20);
	assert_string_equal(d.file, "feed.json"); /* the caller's file name is kept */
	json_decref(j);
	ind_error("pattern", "\"[file:hashes.MD5 = 'abc']\"",
	          "'abc' is not a valid MD5 hash");
	ind_error("pattern", "\"[a:b = 1]\\n AND [a:c = ]\"", "line 2 column 13");
}

static void test_common_rules(void **state)
{
	(void)state;
	ind_error("id", "\"indicator--not-a-uuid\"",
	          "property 'id' must be 'indicator--'");
	ind_error("id", "\"malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\"",
	          "property 'id' must be 'indicator--'");
	/* RFC 4122 variant and version */
	ind_error("id", "\"indicator--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f\"", "'id'");
	ind_error("id", "\"indicator--8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f\"", "'id'");
	ind_ok("id", "\"indicator--8E2E2D2B-17D4-5CBF-A38F-98EE46B3CD3F\"");
	ind_error("id", NULL, "indicator 'id' is required");
	/* an embedded NUL must not hide trailing junk from C string checks */
	ind_error("id", "\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\\u0000x\"",
	          "'id'");
	ind_error("created_by_ref",
	          "\"identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\\u0000\"",
	          "'created_by_ref' is not a STIX identifier");
	ind_error("valid_from", "\"2024-03-01T10:00:00Z\\u0000junk\"",
	          "'valid_from' is not an RFC 3339");
	ind_error("spec_version", "\"2.0\"", "'spec_version' must be \"2.1\"");
	ind_error("spec_version", NULL, "indicator 'spec_version' is required");
	ind_error("created", "\"2024-03-01T10:00:00Z\"",
	          "'created' must be precise to the millisecond");
	ind_error("created", "\"2024-02-30T10:00:00.000Z\"",
	          "'created' is not an RFC 3339");
	ind_error("created", "\"2024-03-01T10:00:00.000+00:00\"",
	          "'created' is not an RFC 3339");
	ind_error("modified", NULL, "indicator 'modified' is required");
	ind_error("created_by_ref", "\"malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\"",
	          "property 'created_by_ref' must refer to identity, not 'malware'");
	ind_error("created_by_ref", "\"identity--x\"",
	          "'created_by_ref' is not a STIX identifier");
	ind_error("created_by_ref", "7", "'created_by_ref' must be an identifier string");
	ind_error("object_marking_refs",
	          "[\"identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\"]",
	          "'object_marking_refs[0]' must refer to marking-definition");
	ind_error("object_marking_refs",
	          "\"marking-definition--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\"",
	          "'object_marking_refs' must be a list of identifiers");
	ind_error("object_marking_refs", "[]", "must not be an empty list");
	ind_error("revoked", "\"yes\"", "property 'revoked' must be true or false");
	ind_ok("revoked", "true");
	ind_error("confidence", "101", "'confidence' is 101, outside 0..100");
	ind_error("confidence", "\"high\"", "'confidence' must be an integer");
	ind_error("labels", "[]", "property 'labels' must not be an empty list");
	ind_error("labels", "[1]", "property 'labels'[0] must be a string");
	ind_error("lang", "5", "property 'lang' must be a string");
	ind_error("description", "null", "property 'description' must not be null");
	/* custom properties: any valid property name; invalid names are reported */
	ind_ok("x_acme_score", "5");
	ind_ok("acme_score", "\"x\"");
	ind_error("X-Bad", "1", "property name 'X-Bad' is invalid");
	ind_error("ab", "1", "property name 'ab' is invalid");
	ind_error("x_list", "[]", "'x_list' must not be an empty list");
	ind_error("external_references", "[{\"url\":\"https://x\"}]",
	          "external_references[0] 'source_name' is required");
	ind_error("external_references", "[{\"source_name\":\"x\"}]",
	          "needs 'description', 'url' or 'external_id'");
	ind_error(
	    "external_references",
	    "[{\"source_name\":\"x\",\"url\":\"u\",\"hashes\":{\"SHA-256\":\"00\"}}]",
	    "external_references[0].hashes 'SHA-256' is not a valid SHA-256 hash");
	ind_error("kill_chain_phases", "[{\"kill_chain_name\":\"lockheed\"}]",
	          "kill_chain_phases[0] needs 'kill_chain_name' and 'phase_name'");
	ind_ok("kill_chain_phases",
	       "[{\"kill_chain_name\":\"lockheed\",\"phase_name\":\"c2\"}]");
}

static void test_markings_and_extensions(void **state)
{
	(void)state;
	const char *gm_ok =
	    "[{\"marking_ref\":\"marking-definition--bab4a63c-aed9-4cf5-a766-"
	    "dfca5abac2bb\",\"selectors\":[\"pattern\","
	    "\"valid_from\"]},{\"lang\":\"en\",\"selectors\":"
	    "[\"pattern_type\"]}]";
	ind_ok("granular_markings", gm_ok);
	ind_error("granular_markings",
	          "[{\"marking_ref\":\"marking-definition--bab4a63c-aed9-4cf5-a766-"
	          "dfca5abac2bb\"}]",
	          "granular_markings[0] 'selectors' is required");
	ind_error("granular_markings",
	          "[{\"marking_ref\":\"marking-definition--bab4a63c-aed9-4cf5-a766-"
	          "dfca5abac2bb\","
	          "\"lang\":\"en\",\"selectors\":[\"name\"]}]",
	          "needs exactly one of 'marking_ref' and 'lang'");
	ind_error("granular_markings",
	          "[{\"marking_ref\":\"identity--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\","
	          "\"selectors\":[\"name\"]}]",
	          "granular_markings[0].marking_ref' must refer to marking-definition");
	ind_error("granular_markings", "[{\"lang\":\"en\",\"selectors\":[\"Name!\"]}]",
	          "granular_markings[0] selector 0 is not a valid selector");
	ind_error("granular_markings", "{}", "'granular_markings' must be a list");
	ind_error("granular_markings",
	          "[{\"lang\":\"en\",\"selectors\":[\"description\"]}]",
	          "selector 'description' does not refer to content of the object");
	ind_error("granular_markings",
	          "[{\"lang\":\"en\",\"selectors\":[\"pattern.[0]\"]}]",
	          "selector 'pattern.[0]' does not refer");
	json_t *j = indicator_with("kill_chain_phases",
	                           "[{\"kill_chain_name\":\"k\",\"phase_name\":\"p\"}]");
	json_object_set_new(
	    j, "granular_markings",
	    parse("[{\"lang\":\"en\",\"selectors\":[\"kill_chain_phases.[1]\"]}]"));
	expect_error_json(j, "selector 'kill_chain_phases.[1]' does not refer");
	json_object_set_new(
	    j, "granular_markings",
	    parse("[{\"lang\":\"en\",\"selectors\":[\"kill_chain_phases.[0].phase_name\","
	          "\"id\",\"pattern\"]}]"));
	expect_valid_json(j, "selectors into a list");
	json_decref(j);

	ind_ok("extensions",
	       "{\"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e\":"
	       "{\"extension_type\":\"property-extension\",\"rank\":5}}");
	ind_error("extensions",
	          "{\"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e\":"
	          "{\"rank\":5}}",
	          "needs 'extension_type'");
	ind_error("extensions",
	          "{\"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e\":"
	          "{\"extension_type\":\"new-thing\"}}",
	          "unknown extension_type 'new-thing'");
	ind_error("extensions",
	          "{\"extension-definition--zz\":{\"extension_type\":\"new-sdo\"}}",
	          "not a valid extension-definition id");
	ind_error("extensions", "{\"acme\":{\"a\":1}}",
	          "neither an extension-definition id nor a predefined '-ext' name");
	ind_error("extensions", "{}", "'extensions' must be a non-empty dictionary");
}

static void test_sro_rules(void **state)
{
	(void)state;
	expect_error(SDO("sighting", U1,
	                 ",\"sighting_of_ref\":\"indicator--" U1
	                 "\",\"count\":1000000000"),
	             "'count' is 1000000000, outside 0..999999999");
	expect_error(SDO("sighting", U1, ",\"sighting_of_ref\":\"ipv4-addr--" U1 "\""),
	             "'sighting_of_ref' must refer to an SDO, not 'ipv4-addr'");
	expect_error(SDO("sighting", U1, ""), "sighting 'sighting_of_ref' is required");
	expect_error(SDO("sighting", U1,
	                 ",\"sighting_of_ref\":\"indicator--" U1
	                 "\",\"where_sighted_refs\":[\"malware--" U1 "\"]"),
	             "'where_sighted_refs[0]' must refer to identity or location");
	expect_error(SDO("sighting", U1,
	                 ",\"sighting_of_ref\":\"indicator--" U1
	                 "\",\"observed_data_refs\":[\"indicator--" U1 "\"]"),
	             "'observed_data_refs[0]' must refer to observed-data");
	expect_error(SDO("sighting", U1,
	                 ",\"sighting_of_ref\":\"indicator--" U1
	                 "\",\"first_seen\":\"2024-01-02T00:00:00Z\","
	                 "\"last_seen\":\"2024-01-01T00:00:00Z\""),
	             "property 'last_seen' is earlier than 'first_seen'");
	expect_error(SDO("relationship", U1,
	                 ",\"relationship_type\":\"uses\",\"source_ref\":"
	                 "\"malware--" U1 "\""),
	             "relationship 'target_ref' is required");
	expect_error(SDO("relationship", U1,
	                 ",\"relationship_type\":\"Uses\",\"source_ref\":"
	                 "\"malware--" U1 "\",\"target_ref\":\"tool--" U1 "\""),
	             "'relationship_type' must use only a-z, 0-9 and '-'");
	expect_error(SDO("relationship", U1,
	                 ",\"relationship_type\":\"x\",\"source_ref\":"
	                 "\"relationship--" U1 "\",\"target_ref\":\"tool--" U1 "\""),
	             "'source_ref' must refer to an SDO or an SCO, not 'relationship'");
	expect_error(SDO("relationship", U1,
	                 ",\"relationship_type\":\"x\",\"source_ref\":"
	                 "\"tool--" U1 "\",\"target_ref\":\"tool--" U1
	                 "\",\"start_time\":\"2024-01-01T00:00:00Z\","
	                 "\"stop_time\":\"2024-01-01T00:00:00Z\""),
	             "'stop_time' is not later than 'start_time'");
}

static void test_sdo_rules(void **state)
{
	(void)state;
	expect_error(
	    SDO("report", U1, ",\"name\":\"R\",\"object_refs\":[\"indicator--" U1 "\"]"),
	    "report 'published' is required");
	expect_error(SDO("opinion", U1,
	                 ",\"opinion\":\"maybe\",\"object_refs\":[\"report--" U1 "\"]"),
	             "property 'opinion' must be one of strongly-disagree");
	expect_error(
	    SDO("observed-data", U1,
	        ",\"first_observed\":\"2024-01-01T00:00:00Z\",\"last_observed\":\"2024-"
	        "01-01T00:00:00Z\",\"number_observed\":0,\"object_refs\":[\"ipv4-addr-"
	        "-" U1 "\"]"),
	    "'number_observed' is 0, outside 1..999999999");
	expect_error(
	    SDO("observed-data", U1,
	        ",\"first_observed\":\"2024-01-01T00:00:00Z\",\"last_observed\":\"2024-"
	        "01-01T00:00:00Z\",\"number_observed\":1,\"object_refs\":[\"malware--" U1
	        "\"]"),
	    "'object_refs[0]' must refer to an SCO or an SRO, not 'malware'");
	expect_error(SDO("location", U1, ",\"latitude\":10"),
	             "'latitude' and 'longitude' must be given together");
	expect_error(SDO("location", U1, ",\"latitude\":100,\"longitude\":10"),
	             "'latitude' must be a number in -90..90");
	expect_error(SDO("location", U1, ",\"name\":\"x\""),
	             "location needs 'region', 'country'");
	expect_error(SDO("malware", U1, ",\"name\":\"x\""),
	             "malware 'is_family' is required");
	expect_error(SDO("malware", U1, ",\"is_family\":true"),
	             "malware 'name' is required");
	expect_error(SDO("malware", U1,
	                 ",\"is_family\":false,\"operating_system_refs\":"
	                 "[\"tool--" U1 "\"]"),
	             "'operating_system_refs[0]' must refer to software");
	expect_error(SDO("malware-analysis", U1, ",\"product\":\"av\""),
	             "malware-analysis needs 'result' or 'analysis_sco_refs'");
	expect_error(SDO("identity", U1, ""), "identity 'name' is required");
	expect_error(SDO("grouping", U1, ",\"object_refs\":[\"indicator--" U1 "\"]"),
	             "grouping 'context' is required");
	expect_error(SDO("note", U1, ",\"content\":\"x\""),
	             "note 'object_refs' is required");
	expect_error(
	    SDO("extension-definition", U1,
	        ",\"name\":\"e\",\"schema\":\"s\",\"version\":\"1\",\"extension_types\":["
	        "\"property-extension\"]"),
	    "extension-definition 'created_by_ref' is required");
	expect_error(
	    SDO("extension-definition", U1,
	        ",\"created_by_ref\":\"identity--" U1 "\",\"name\":\"e\",\"schema\":"
	        "\"s\",\"version\":\"1\",\"extension_types\":[\"property-extension\"],"
	        "\"extension_properties\":[\"x_a\"]"),
	    "'extension_properties' is only for toplevel-property-extension");
	expect_error(SDO("extension-definition", U1,
	                 ",\"created_by_ref\":\"identity--" U1
	                 "\",\"name\":\"e\",\"schema\":"
	                 "\"s\",\"version\":\"1\",\"extension_types\":[\"other\"]"),
	             "extension_types[0] must be one of");
	expect_error(SDO("language-content", U1,
	                 ",\"object_ref\":\"indicator--" U1
	                 "\",\"contents\":{\"de\":\"x\"}"),
	             "contents 'de' must be a dictionary");
	/* a custom SDO-like object needs the SDO common properties */
	expect_error("{\"type\":\"x-acme\",\"spec_version\":\"2.1\",\"id\":\"x-acme--" U1
	             "\",\"created\":\"2024-03-01T10:00:00.000Z\"}",
	             "x-acme 'modified' is required");
}

static void test_sco_rules(void **state)
{
	(void)state;
	expect_error(SCO("ipv4-addr", ",\"value\":\"1.2.3.256\""),
	             "ipv4-addr 'value' is not an IPv4 address or CIDR block");
	expect_error(SCO("ipv4-addr", ",\"value\":\"10.0.0.0/33\""),
	             "not an IPv4 address");
	expect_error(SCO("ipv4-addr", ",\"value\":\"2001:db8::1\""),
	             "not an IPv4 address");
	expect_error(SCO("ipv6-addr", ",\"value\":\"2001:db8::/129\""),
	             "not an IPv6 address");
	expect_error(SCO("ipv4-addr", ""), "ipv4-addr 'value' is required");
	expect_error(SCO("ipv4-addr", ",\"value\":\"1.2.3.4\",\"spec_version\":\"2.0\""),
	             "'spec_version' must be \"2.1\"");
	expect_error(SCO("ipv4-addr",
	                 ",\"value\":\"1.2.3.4\",\"belongs_to_refs\":[\"ipv4-addr--" U1
	                 "\"]"),
	             "'belongs_to_refs[0]' must refer to autonomous-system");
	expect_error(
	    SCO("domain-name", ",\"value\":\"bad domain.example\""),
	    "domain-name 'value' is not a valid domain name: 'bad domain.example'");
	expect_error(SCO("domain-name", ",\"value\":\"a..example\""),
	             "not a valid domain name");
	expect_error(SCO("domain-name", ",\"value\":\"http://x.example/\""),
	             "not a valid domain name");
	expect_error(SCO("url", ",\"value\":\"evil.example.com/a\""),
	             "url 'value' is not a URL");
	expect_error(SCO("url", ",\"value\":\"http://a b\""), "url 'value' is not a URL");
	expect_error(SCO("mac-addr", ",\"value\":\"D2:FB:49:24:37:18\""),
	             "mac-addr 'value' must be a lowercase colon-separated MAC-48");
	expect_error(SCO("email-addr", ",\"value\":\"nobody\""),
	             "email-addr 'value' is not");
	expect_error(SCO("file", ",\"size\":1"), "file needs 'hashes' or 'name'");
	expect_error(SCO("file", ",\"hashes\":{\"SHA 1\":\"xyz\"}"),
	             "hashes key 'SHA 1' must be 3 to 250 characters");
	expect_error(SCO("file", ",\"hashes\":{\"md\":\"xyz\"}"),
	             "hashes key 'md' must be");
	expect_error(SCO("file", ",\"hashes\":{\"tlsh\":5}"),
	             "hashes 'tlsh' must be a string");
	expect_error(SCO("file", ",\"hashes\":{}"), "non-empty dictionary of hashes");
	expect_valid(SCO("file", ",\"hashes\":{\"x-custom_hash\":\"anything\"}"));
	expect_error(SCO("file", ",\"hashes\":{\"MD5\":\"xyz\"}"),
	             "hashes 'MD5' is not a valid MD5 hash");
	expect_error(SCO("file", ",\"name\":\"a\",\"size\":-1"), "'size' is -1");
	expect_error(
	    SCO("file", ",\"name\":\"a\",\"parent_directory_ref\":\"file--" U1 "\""),
	    "'parent_directory_ref' must refer to directory");
	expect_error(SCO("network-traffic",
	                 ",\"dst_ref\":\"ipv4-addr--" U1
	                 "\",\"protocols\":[\"tcp\"],\"dst_port\":70000"),
	             "'dst_port' is 70000, outside 0..65535");
	expect_error(SCO("network-traffic", ",\"protocols\":[\"tcp\"]"),
	             "network-traffic needs 'src_ref' or 'dst_ref'");
	expect_error(SCO("network-traffic", ",\"dst_ref\":\"ipv4-addr--" U1 "\""),
	             "network-traffic 'protocols' is required");
	expect_error(SCO("network-traffic",
	                 ",\"dst_ref\":\"ipv4-addr--" U1
	                 "\",\"protocols\":[\"tcp\"],\"is_active\":true,"
	                 "\"end\":\"2024-01-01T00:00:00Z\""),
	             "with 'is_active' true must not have 'end'");
	expect_error(
	    SCO("network-traffic",
	        ",\"dst_ref\":\"file--" U1 "\",\"protocols\":[\"tcp\"]"),
	    "'dst_ref' must refer to ipv4-addr or ipv6-addr or mac-addr or domain-name");
	expect_error(SCO("email-message", ",\"is_multipart\":true,\"body\":\"x\""),
	             "with 'is_multipart' true must not have 'body'");
	expect_error(SCO("email-message", ",\"body\":\"x\""),
	             "email-message 'is_multipart' is required");
	expect_error(SCO("artifact", ",\"payload_bin\":\"aGk=\",\"url\":\"https://x\""),
	             "must not have both 'payload_bin' and 'url'");
	expect_error(SCO("artifact", ",\"url\":\"https://x\""),
	             "with 'url' needs 'hashes'");
	expect_error(SCO("artifact", ",\"payload_bin\":\"a*k=\""), "padded base64");
	expect_error(SCO("artifact",
	                 ",\"payload_bin\":\"aGk=\",\"encryption_algorithm\":\"rot13\""),
	             "'encryption_algorithm' must be AES-256-GCM");
	expect_error(
	    SCO("artifact", ",\"payload_bin\":\"aGk=\",\"decryption_key\":\"k\""),
	    "'decryption_key' needs 'encryption_algorithm'");
	expect_valid(SCO("artifact", ",\"payload_bin\":\"aGk=\",\"encryption_algorithm\":"
	                             "\"AES-256-GCM\",\"decryption_key\":\"k\""));
	expect_error(SCO("process", ",\"defanged\":true"),
	             "process must have at least one property of its own");
	expect_error(SCO("autonomous-system", ",\"number\":-5"), "'number' is -5");
	expect_error(SCO("mutex", ""), "mutex 'name' is required");
}

static void test_type_and_shape(void **state)
{
	(void)state;
	expect_error("[1,2]", "a STIX object must be a JSON object");
	expect_error("{\"id\":\"x\"}", "property 'type' is required");
	expect_error("{\"type\":\"Indicator\"}", "type 'Indicator' is invalid");
	expect_error("{\"type\":\"a--b\"}", "type 'a--b' is invalid");
	expect_error("{\"type\":\"ab\"}", "type 'ab' is invalid");
	expect_error("{\"type\":\"bundle\",\"id\":\"bundle--" U1 "\"}",
	             "cannot be nested");
	/* every error is reported, not only the first */
	unsigned n =
	    expect_error("{\"type\":\"indicator\",\"spec_version\":\"2.0\",\"id\":\"x\"}",
	                 "indicator 'valid_from' is required");
	assert_true(n >= 6);
	assert_int_equal(setu_stix_validate_object_all(NULL, NULL, NULL), 1);
}

static void test_marking_definitions(void **state)
{
	(void)state;
	for (int t = SETU_TLP_CLEAR; t <= SETU_TLP_RED; t++) {
		json_t *m = setu_tlp_marking_object((setu_tlp_t)t);
		assert_non_null(m);
		expect_valid_json(m, setu_tlp_name((setu_tlp_t)t));
		/* same content under another id: not the published TLP 2.0 marking */
		json_object_set_new(m, "id", json_string("marking-definition--" U1));
		expect_error_json(m, "TLP 2.0 markings must use the published id");
		json_decref(m);
		json_t *v1 = setu_tlp_v1_marking_object((setu_tlp_t)t);
		if (t == SETU_TLP_AMBER_STRICT) {
			assert_null(v1);
			continue;
		}
		assert_non_null(v1);
		expect_valid_json(v1, "TLP 1.0");
		json_object_set_new(v1, "id", json_string("marking-definition--" U1));
		expect_error_json(v1, "TLP 1.0 markings must use the predefined id");
		json_decref(v1);
	}
	/* the TLP:GREEN 2.0 id claiming to be amber */
	json_t *m = setu_tlp_marking_object(SETU_TLP_AMBER);
	json_object_set_new(m, "name", json_string("TLP:GREEN"));
	expect_error_json(m, "must be named 'TLP:AMBER'");
	json_decref(m);
	m = setu_tlp_marking_object(SETU_TLP_AMBER);
	json_object_set_new(
	    json_object_get(json_object_get(m, "extensions"), SETU_TLP2_EXTENSION_ID),
	    "tlp_2_0", json_string("orange"));
	expect_error_json(m,
	                  "'tlp_2_0' must be clear, green, amber, amber+strict or red");
	json_decref(m);
	/* a TLP 2.0 id used for something else */
	expect_error(
	    "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":"
	    "\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\",\"created\":"
	    "\"2022-10-01T00:00:00.000Z\",\"definition_type\":\"statement\","
	    "\"definition\":{\"statement\":\"x\"}}",
	    "must carry the TLP 2.0 extension");
	/* a TLP 1.0 id used for a statement */
	expect_error(
	    "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":"
	    "\"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9\",\"created\":"
	    "\"2017-01-20T00:00:00.000Z\",\"definition_type\":\"statement\","
	    "\"definition\":{\"statement\":\"x\"}}",
	    "predefined TLP 1.0 id and must have definition_type 'tlp'");
	expect_error("{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":"
	             "\"marking-definition--" U1
	             "\",\"created\":\"2017-01-20T00:00:00.000Z\","
	             "\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"purple\"}}",
	             "'definition.tlp' must be white, green, amber or red");
	expect_error("{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":"
	             "\"marking-definition--" U1
	             "\",\"created\":\"2017-01-20T00:00:00.000Z\","
	             "\"definition_type\":\"statement\",\"definition\":{}}",
	             "'definition.statement' is required");
	expect_error("{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":"
	             "\"marking-definition--" U1
	             "\",\"created\":\"2017-01-20T00:00:00.000Z\"}",
	             "needs 'definition_type' and 'definition', or 'extensions'");
	expect_error("{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":"
	             "\"marking-definition--" U1
	             "\",\"created\":\"2017-01-20T00:00:00.000Z\","
	             "\"definition_type\":\"statement\"}",
	             "must be given together");
}

static void test_collections(void **state)
{
	(void)state;
	char buf[4096];
	snprintf(buf, sizeof(buf),
	         "{\"type\":\"bundle\",\"id\":\"bundle--" U1 "\",\"objects\":[%s,%s]}",
	         good_indicator, SCO("ipv4-addr", ",\"value\":\"1.2.3.999\""));
	json_t *j = parse(buf);
	errs_t e;
	memset(&e, 0, sizeof(e));
	assert_int_equal(setu_stix_validate_collection_all(j, collect, &e), 1);
	assert_non_null(
	    strstr(e.text, "objects[1] ipv4-addr--" U1 ": ipv4-addr 'value'"));
	json_decref(j);

	j = parse("{\"type\":\"bundle\",\"id\":\"bundle--x\",\"spec_version\":\"2.1\","
	          "\"objects\":[]}");
	memset(&e, 0, sizeof(e));
	assert_int_equal(setu_stix_validate_collection_all(j, collect, &e), 3);
	assert_non_null(strstr(e.text, "bundle 'id' must be 'bundle--'"));
	assert_non_null(strstr(e.text, "must not have 'spec_version'"));
	assert_non_null(strstr(e.text, "'objects' must be a non-empty list"));
	json_decref(j);

	/* a TAXII envelope and a bare list */
	snprintf(buf, sizeof(buf), "{\"more\":false,\"objects\":[%s]}", good_indicator);
	j = parse(buf);
	assert_int_equal(setu_stix_validate_collection_all(j, NULL, NULL), 0);
	json_decref(j);
	snprintf(buf, sizeof(buf), "[%s, 5]", good_indicator);
	j = parse(buf);
	memset(&e, 0, sizeof(e));
	assert_int_equal(setu_stix_validate_collection_all(j, collect, &e), 1);
	assert_non_null(strstr(e.text, "objects[1] (no id): a STIX object must be"));
	json_decref(j);
	j = parse("{\"next\":\"x\"}");
	assert_int_equal(setu_stix_validate_collection_all(j, NULL, NULL), 1);
	json_decref(j);
	j = parse(good_indicator);
	assert_int_equal(setu_stix_validate_collection_all(j, NULL, NULL), 0);
	json_decref(j);
	j = json_string("x");
	assert_int_equal(setu_stix_validate_collection_all(j, NULL, NULL), 1);
	json_decref(j);
}

static void test_helpers(void **state)
{
	(void)state;
	int64_t sec = 0;
	int32_t ns = 0;
	unsigned digits = 0;
	assert_true(
	    setu_stix_parse_timestamp("1970-01-01T00:00:01.5Z", &sec, &ns, &digits));
	assert_int_equal(sec, 1);
	assert_int_equal(ns, 500000000);
	assert_int_equal(digits, 1);
	assert_true(setu_stix_parse_timestamp("2000-02-29T23:59:60Z", &sec, NULL, NULL));
	assert_false(setu_stix_parse_timestamp("1900-02-29T00:00:00Z", NULL, NULL, NULL));
	assert_false(setu_stix_parse_timestamp("2024-13-01T00:00:00Z", NULL, NULL, NULL));
	assert_false(setu_stix_parse_timestamp("2024-01-01T24:00:00Z", NULL, NULL, NULL));
	assert_false(
	    setu_stix_parse_timestamp("2024-01-01T00:00:00.Z", NULL, NULL, NULL));
	assert_false(
	    setu_stix_parse_timestamp("2024-01-01T00:00:00Zx", NULL, NULL, NULL));
	assert_false(setu_stix_parse_timestamp(NULL, NULL, NULL, NULL));
	assert_true(setu_stix_id_ok("x-a--" U1, "x-a"));
	assert_false(setu_stix_id_ok("x-a--" U1, "x-b"));
	assert_false(setu_stix_id_ok("--" U1, NULL));
	assert_false(setu_stix_id_ok(NULL, NULL));
	assert_true(setu_stix_type_name_ok("windows-registry-key"));
	assert_false(setu_stix_type_name_ok("1abc"));
	assert_false(setu_stix_type_name_ok("abc_d"));
	assert_true(setu_stix_is_sco_type("x509-certificate"));
	assert_false(setu_stix_is_sco_type("indicator"));
	assert_true(setu_stix_is_sdo_type("indicator"));
	assert_true(setu_stix_is_sro_type("sighting"));
	assert_false(setu_stix_is_sro_type("note"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_type_minimal_valid),
	    cmocka_unit_test(test_indicator_rules),
	    cmocka_unit_test(test_common_rules),
	    cmocka_unit_test(test_markings_and_extensions),
	    cmocka_unit_test(test_sro_rules),
	    cmocka_unit_test(test_sdo_rules),
	    cmocka_unit_test(test_sco_rules),
	    cmocka_unit_test(test_type_and_shape),
	    cmocka_unit_test(test_marking_definitions),
	    cmocka_unit_test(test_collections),
	    cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
