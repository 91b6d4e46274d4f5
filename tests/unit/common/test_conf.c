/* test_conf.c — YAML configuration tree, dotted lookup, --set, typed getters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/conf.h"

#include <string.h>

static const char yaml[] = "%YAML 1.1\n---\n"
                           "stream:\n"
                           "  midstream: true\n"
                           "  reassembly:\n"
                           "    depth: 1mb\n"
                           "outputs:\n"
                           "  - fast:\n"
                           "      enabled: no\n"
                           "  - eve-log:\n"
                           "      enabled: yes\n"
                           "      types:\n"
                           "        - alert:\n"
                           "            payload: yes\n"
                           "        - flow\n"
                           "bad: maybe\n";

static void test_lookup(void **state)
{
	(void)state;
	setu_conf_t *c = setu_conf_new();
	setu_diag_t d = {0};
	assert_int_equal(setu_conf_load_string(c, yaml, strlen(yaml), "t.yaml", &d), 0);
	bool b = false;
	assert_int_equal(setu_conf_get_bool(c, "stream.midstream", &b, &d), 0);
	assert_true(b);
	uint64_t v = 0;
	assert_int_equal(setu_conf_get_size(c, "stream.reassembly.depth", &v, &d), 0);
	assert_int_equal(v, 1024 * 1024);
	assert_int_equal(setu_conf_get_bool(c, "outputs.eve-log.enabled", &b, &d), 0);
	assert_true(b);
	assert_int_equal(setu_conf_get_bool(c, "outputs.fast.enabled", &b, &d), 0);
	assert_false(b);
	assert_int_equal(
	    setu_conf_get_bool(c, "outputs.eve-log.types.alert.payload", &b, &d), 0);
	assert_true(b);
	assert_string_equal(setu_conf_get(c, "outputs.eve-log.types.1"), "flow");
	assert_int_equal(setu_conf_get_bool(c, "nope.key", &b, &d), SETU_ENOENT);
	/* a bad value names file, line and key */
	assert_int_equal(setu_conf_get_bool(c, "bad", &b, &d), SETU_ECONFIG);
	char buf[256];
	setu_diag_format(&d, buf, sizeof(buf));
	assert_non_null(strstr(buf, "t.yaml:16"));
	assert_non_null(strstr(buf, "'bad'"));
	setu_conf_free(c);
}

static void test_set(void **state)
{
	(void)state;
	setu_conf_t *c = setu_conf_new();
	setu_diag_t d = {0};
	assert_int_equal(setu_conf_load_string(c, yaml, strlen(yaml), "t.yaml", &d), 0);
	assert_int_equal(setu_conf_set_arg(c, "stream.midstream=false", &d), 0);
	assert_int_equal(setu_conf_set_arg(c, "a.b.c=1", &d), 0);
	bool b = true;
	assert_int_equal(setu_conf_get_bool(c, "stream.midstream", &b, &d), 0);
	assert_false(b);
	assert_string_equal(setu_conf_get(c, "a.b.c"), "1");
	assert_int_equal(setu_conf_set_arg(c, "novalue", &d), SETU_EINVAL);
	setu_conf_free(c);
}

static void test_bad_yaml(void **state)
{
	(void)state;
	setu_conf_t *c = setu_conf_new();
	setu_diag_t d = {0};
	const char *bad = "a: [1, 2\nb: c\n";
	assert_int_equal(setu_conf_load_string(c, bad, strlen(bad), "bad.yaml", &d),
	                 SETU_ECONFIG);
	assert_string_equal(d.file, "bad.yaml");
	assert_true(d.line > 0);
	const char *list = "- a\n- b\n";
	assert_int_equal(setu_conf_load_string(c, list, strlen(list), "l.yaml", &d),
	                 SETU_ECONFIG);
	assert_int_equal(setu_conf_load_file(c, "/nonexistent/x.yaml", &d), SETU_EIO);
	setu_conf_free(c);
}

static void test_sizes(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(setu_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(setu_parse_size("64kb", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(setu_parse_size("2 GiB", &v), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(setu_parse_size("1.5mb", &v), 0);
	assert_int_equal(v, 1572864);
	assert_int_equal(setu_parse_size("12 parsecs", &v), SETU_EINVAL);
	assert_int_equal(setu_parse_size("-1", &v), SETU_EINVAL);
	bool b;
	assert_int_equal(setu_parse_bool("Yes", &b), 0);
	assert_true(b);
	assert_int_equal(setu_parse_bool("perhaps", &b), SETU_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_set),
	    cmocka_unit_test(test_bad_yaml),
	    cmocka_unit_test(test_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
