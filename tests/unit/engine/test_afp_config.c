/* test_afp_config.c — the `af-packet:` section (Suricata's keys): item selection by
 * interface, defaults, and one-line errors for bad values; opening errors that need no
 * privilege (unknown interface). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/conf.h"
#include "common/limits.h"
#include "sensor/capture/capture-afp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse(const char *yaml, const char *iface, setu_afp_config_t *c,
                 setu_diag_t *d)
{
	setu_conf_t *conf = setu_conf_new();
	assert_non_null(conf);
	assert_int_equal(setu_conf_load_string(conf, yaml, strlen(yaml), "s.yaml", d), 0);
	setu_afp_config_default(c, iface);
	int rc = setu_afp_config_from_conf(c, conf, d);
	c->bpf = NULL; /* borrowed from conf, freed below */
	setu_conf_free(conf);
	return rc;
}

static void test_defaults(void **state)
{
	(void)state;
	setu_afp_config_t c;
	setu_diag_t d = {0};
	assert_int_equal(parse("vars: {}\n", "eth0", &c, &d), 0);
	assert_string_equal(c.iface, "eth0");
	assert_int_equal(c.cluster_id, SETU_AFP_CLUSTER_ID_DEFAULT);
	assert_true(c.defrag);
	assert_true(c.promisc);
	assert_int_equal(c.block_size, SETU_AFP_BLOCK_SIZE_DEFAULT);
	assert_int_equal(c.ring_size, SETU_AFP_RING_SIZE_DEFAULT);
	assert_int_equal(c.block_timeout, SETU_AFP_BLOCK_TIMEOUT_MS_DEFAULT);
	assert_int_equal(c.threads, 0);
}

static const char *list_yaml = "af-packet:\n"
                               "  - interface: eth0\n"
                               "    threads: 4\n"
                               "    cluster-id: 98\n"
                               "    cluster-type: cluster_flow\n"
                               "    defrag: no\n"
                               "    use-mmap: yes\n"
                               "    tpacket-v3: yes\n"
                               "    ring-size: 100000\n"
                               "    block-size: 2mb\n"
                               "    block-timeout: 20\n"
                               "  - interface: default\n"
                               "    cluster-id: 97\n"
                               "    threads: auto\n";

static void test_list_items(void **state)
{
	(void)state;
	setu_afp_config_t c;
	setu_diag_t d = {0};
	assert_int_equal(parse(list_yaml, "eth0", &c, &d), 0);
	assert_int_equal(c.threads, 4);
	assert_int_equal(c.cluster_id, 98);
	assert_false(c.defrag);
	assert_int_equal(c.ring_size, 100000);
	assert_int_equal(c.block_size, 2 * 1024 * 1024);
	assert_int_equal(c.block_timeout, 20);
	/* another interface takes the 'default' item */
	assert_int_equal(parse(list_yaml, "eth1", &c, &d), 0);
	assert_int_equal(c.cluster_id, 97);
	assert_int_equal(c.threads, 0);
	assert_true(c.defrag);
	assert_int_equal(c.block_size, SETU_AFP_BLOCK_SIZE_DEFAULT);
}

static void test_mapping_and_bpf(void **state)
{
	(void)state;
	setu_afp_config_t c;
	setu_diag_t d = {0};
	setu_conf_t *conf = setu_conf_new();
	const char *y = "af-packet:\n  cluster-id: 5\n  bpf-filter: udp port 53\n";
	assert_int_equal(setu_conf_load_string(conf, y, strlen(y), "m.yaml", &d), 0);
	setu_afp_config_default(&c, "lo");
	assert_int_equal(setu_afp_config_from_conf(&c, conf, &d), 0);
	assert_int_equal(c.cluster_id, 5);
	assert_string_equal(c.bpf, "udp port 53");
	setu_conf_free(conf);
}

/* Each bad value: SETU_ECONFIG, the key named, the file and line given. */
static void test_bad_values(void **state)
{
	(void)state;
	static const struct {
		const char *line, *key;
	} bad[] = {
	    {"    block-size: 12345\n", "block-size"}, /* not a power of two */
	    {"    block-size: 1gb\n", "block-size"},   /* above the maximum */
	    {"    block-size: 1kb\n", "block-size"},   /* below a page */
	    {"    ring-size: 0\n", "ring-size"},
	    {"    ring-size: lots\n", "ring-size"},
	    {"    block-timeout: 0\n", "block-timeout"},
	    {"    cluster-id: 65536\n", "cluster-id"},
	    {"    cluster-type: cluster_cpu\n", "cluster-type"},
	    {"    defrag: maybe\n", "defrag"},
	    {"    use-mmap: no\n", "use-mmap"},
	    {"    tpacket-v3: no\n", "tpacket-v3"},
	    {"    threads: 0\n", "threads"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char y[256];
		snprintf(y, sizeof(y), "af-packet:\n  - interface: lo\n%s", bad[i].line);
		setu_afp_config_t c;
		setu_diag_t d = {0};
		assert_int_equal(parse(y, "lo", &c, &d), SETU_ECONFIG);
		char want[64];
		snprintf(want, sizeof(want), "key 'af-packet.0.%s'", bad[i].key);
		if (strstr(d.msg, want) == NULL)
			fail_msg("%s: got '%s'", bad[i].line, d.msg);
		assert_int_equal(d.line, 3);
		assert_null(strchr(d.msg, '\n'));
	}
}

static void test_open_errors(void **state)
{
	(void)state;
	setu_afp_config_t c;
	setu_diag_t d = {0};
	setu_afp_config_default(&c, "setu-no-such0");
	assert_null(setu_capture_open_afp(&c, 1, &d));
	assert_int_equal(d.code, SETU_ENOENT);
	assert_non_null(strstr(d.msg, "no such interface"));
	setu_afp_config_default(&c, "lo");
	assert_null(setu_capture_open_afp(&c, 0, &d));
	assert_int_equal(d.code, SETU_EINVAL);
	/* lo's 64 KiB MTU does not fit a 64 KiB block with its headers */
	c.block_size = 65536;
	assert_null(setu_capture_open_afp(&c, 1, &d));
	assert_int_equal(d.code, SETU_ECONFIG);
	assert_non_null(strstr(d.msg, "af-packet.block-size 65536"));
	assert_int_equal(setu_capture_afp_count(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),        cmocka_unit_test(test_list_items),
	    cmocka_unit_test(test_mapping_and_bpf), cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
