/* test_detect_fingerprints.c — which TLS fingerprints (JA3/JA3S, JA4) loaded rules read
 * (setu_detect_stats_t.fingerprints) and Suricata's "auto" value of
 * app-layer.protocols.tls.ja3-fingerprints / ja4-fingerprints: the EVE options follow the
 * rule set in force, at load and across live reloads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/conf.h"
#include "sensor/detect/detect.h"
#include "sensor/engine/engine.h"
#include "sensor/engine/runmode-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned fingerprints_of(const char *rules)
{
	setu_diag_t d = {0};
	setu_detect_engine_t *de = setu_detect_engine_load_mem(
	    NULL, "t.rules", rules, strlen(rules), NULL, NULL, &d);
	assert_non_null(de);
	assert_int_equal(setu_detect_engine_stats(de)->failed, 0);
	unsigned f = setu_detect_engine_stats(de)->fingerprints;
	setu_detect_engine_free(de);
	return f;
}

static void test_rule_fingerprints(void **state)
{
	(void)state;
	assert_int_equal(fingerprints_of("alert tls any any -> any any (tls.sni; "
	                                 "content:\"a\"; sid:1;)\n"),
	                 0);
	assert_int_equal(fingerprints_of("alert tls any any -> any any (ja3.string; "
	                                 "content:\"771,\"; sid:1;)\n"),
	                 SETU_DETECT_USES_JA3);
	assert_int_equal(fingerprints_of("alert tls any any -> any any (ja3s.hash; "
	                                 "content:\"abc\"; sid:1;)\n"),
	                 SETU_DETECT_USES_JA3);
	assert_int_equal(fingerprints_of("alert tls any any -> any any (ja3_hash; "
	                                 "content:\"abc\"; sid:1;)\n"),
	                 SETU_DETECT_USES_JA3);
	assert_int_equal(fingerprints_of("alert tls any any -> any any (ja4.hash; "
	                                 "content:\"t13\"; sid:1;)\n"),
	                 SETU_DETECT_USES_JA4);
	assert_int_equal(
	    fingerprints_of(
	        "alert tls any any -> any any (ja4.hash; content:\"t\"; sid:1;)\n"
	        "alert tcp any any -> any any (content:\"x\"; sid:2;)\n"
	        "alert tls any any -> any any (ja3.hash; content:\"a\"; sid:3;)\n"),
	    SETU_DETECT_USES_JA3 | SETU_DETECT_USES_JA4);
}

static int apply_yaml(setu_sensor_config_t *cfg, const char *yaml)
{
	setu_diag_t d = {0};
	setu_conf_t *c = setu_conf_new();
	assert_non_null(c);
	int rc = setu_conf_load_string(c, yaml, strlen(yaml), "t.yaml", &d);
	assert_int_equal(rc, 0);
	setu_sensor_config_default(cfg);
	rc = setu_sensor_config_apply(cfg, c, &d);
	setu_conf_free(c);
	return rc;
}

static void test_auto_yes_no(void **state)
{
	(void)state;
	setu_sensor_config_t *cfg = malloc(sizeof(*cfg));
	assert_non_null(cfg);
	setu_applayer_eve_opts_t o;
	const unsigned both = SETU_DETECT_USES_JA3 | SETU_DETECT_USES_JA4;

	/* default: auto */
	setu_sensor_config_default(cfg);
	setu_sensor_applayer_eve_opts(cfg, 0, &o);
	assert_false(o.tls_ja3);
	assert_false(o.tls_ja4);
	setu_sensor_applayer_eve_opts(cfg, SETU_DETECT_USES_JA3, &o);
	assert_true(o.tls_ja3);
	assert_false(o.tls_ja4);
	setu_sensor_applayer_eve_opts(cfg, SETU_DETECT_USES_JA4, &o);
	assert_false(o.tls_ja3);
	assert_true(o.tls_ja4);

	/* explicit auto, then yes: on without rules */
	assert_int_equal(apply_yaml(cfg, "app-layer:\n  protocols:\n    tls:\n"
	                                 "      ja3-fingerprints: auto\n"),
	                 0);
	setu_sensor_applayer_eve_opts(cfg, 0, &o);
	assert_false(o.tls_ja3);
	assert_int_equal(apply_yaml(cfg, "app-layer:\n  protocols:\n    tls:\n"
	                                 "      ja3-fingerprints: yes\n"
	                                 "      ja4-fingerprints: yes\n"),
	                 0);
	setu_sensor_applayer_eve_opts(cfg, 0, &o);
	assert_true(o.tls_ja3);
	assert_true(o.tls_ja4);

	/* no: off even when rules read them, and over the eve ja4 option */
	assert_int_equal(apply_yaml(cfg, "app-layer:\n  protocols:\n    tls:\n"
	                                 "      ja3-fingerprints: no\n"
	                                 "      ja4-fingerprints: no\n"
	                                 "outputs:\n  - eve-log:\n      types:\n"
	                                 "        - tls:\n            ja4: yes\n"),
	                 0);
	setu_sensor_applayer_eve_opts(cfg, both, &o);
	assert_false(o.tls_ja3);
	assert_false(o.tls_ja4);

	/* the eve ja4 option alone turns JA4 on under auto */
	assert_int_equal(apply_yaml(cfg, "outputs:\n  - eve-log:\n      types:\n"
	                                 "        - tls:\n            ja4: yes\n"),
	                 0);
	setu_sensor_applayer_eve_opts(cfg, 0, &o);
	assert_false(o.tls_ja3);
	assert_true(o.tls_ja4);

	/* a bad value is an error */
	assert_int_not_equal(apply_yaml(cfg, "app-layer:\n  protocols:\n    tls:\n"
	                                     "      ja3-fingerprints: maybe\n"),
	                     0);
	free(cfg);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The options a worker logs with follow the rule set it uses: a reload that adds or
 * removes the only ja3 rule turns JA3 logging on or off, and the old set's options
 * stay valid for a worker that has not switched yet. */
static void test_reload_follows_rules(void **state)
{
	(void)state;
	char dir[] = "/tmp/setu-fp-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char rules[64];
	snprintf(rules, sizeof(rules), "%s/t.rules", dir);
	write_file(rules, "alert tcp any any -> any any (content:\"x\"; sid:1;)\n");

	setu_sensor_config_t *cfg = malloc(sizeof(*cfg));
	assert_non_null(cfg);
	setu_sensor_config_default(cfg);
	snprintf(cfg->log_dir, sizeof(cfg->log_dir), "%s", dir);
	cfg->eve.enabled = false;
	cfg->rule_files[0] = rules;
	cfg->nrule_files = 1;
	setu_diag_t d = {0};
	setu_engine_t *e = setu_engine_new(cfg, &d);
	assert_non_null(e);
	setu_worker_t *w = setu_worker_new(e, 0);
	assert_non_null(w);
	assert_false(setu_worker_applayer_eve_opts(w)->tls_ja3);

	write_file(rules,
	           "alert tls any any -> any any (ja3.hash; content:\"a\"; sid:2;)\n");
	assert_int_equal(setu_engine_reload(e, &d), 0);
	/* not switched yet: still the first set's options */
	assert_false(setu_worker_applayer_eve_opts(w)->tls_ja3);
	setu_worker_idle(w, NULL);
	assert_true(setu_worker_applayer_eve_opts(w)->tls_ja3);
	assert_false(setu_worker_applayer_eve_opts(w)->tls_ja4);

	write_file(rules,
	           "alert tls any any -> any any (ja4.hash; content:\"t\"; sid:3;)\n");
	assert_int_equal(setu_engine_reload(e, &d), 0);
	setu_worker_idle(w, NULL);
	assert_false(setu_worker_applayer_eve_opts(w)->tls_ja3);
	assert_true(setu_worker_applayer_eve_opts(w)->tls_ja4);
	assert_int_equal(setu_engine_reap(e), 0);

	setu_worker_free(w);
	setu_engine_free(e);
	free(cfg);
	unlink(rules);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule_fingerprints),
	    cmocka_unit_test(test_auto_yes_no),
	    cmocka_unit_test(test_reload_follows_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
