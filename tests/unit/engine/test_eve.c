/* test_eve.c — EVE options from configuration, timestamps, stats nesting, IP-pair hash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/conf.h"
#include "common/limits.h"
#include "sensor/engine/ring.h"
#include "sensor/output/eve-records.h"
#include "sensor/output/eve.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void test_defaults_and_types(void **state)
{
	(void)state;
	setu_eve_opts_t o;
	setu_eve_opts_default(&o);
	assert_true(o.types & SETU_EVE_T(FLOW));
	assert_true(o.alert_metadata);
	assert_false(o.anomaly_decode);
	assert_true(o.anomaly_applayer);
	const char *y = "outputs:\n"
	                "  - eve-log:\n"
	                "      community-id: yes\n"
	                "      types:\n"
	                "        - flow\n"
	                "        - anomaly:\n"
	                "            types:\n"
	                "              decode: yes\n"
	                "        - smtp\n";
	setu_conf_t *c = setu_conf_new();
	setu_diag_t d = {0};
	assert_int_equal(setu_conf_load_string(c, y, strlen(y), "e.yaml", &d), 0);
	assert_int_equal(setu_eve_opts_from_conf(&o, c, &d), 0);
	assert_int_equal(o.types, SETU_EVE_T(FLOW) | SETU_EVE_T(ANOMALY));
	assert_true(o.anomaly_decode);
	assert_true(o.community_id);
	/* a bad value is an error naming the key */
	assert_int_equal(
	    setu_conf_set_arg(c, "outputs.eve-log.community-id-seed=70000", &d), 0);
	assert_int_equal(setu_eve_opts_from_conf(&o, c, &d), SETU_ECONFIG);
	assert_non_null(strstr(d.msg, "community-id-seed"));
	setu_conf_free(c);
}

static void test_timestamp(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	struct timeval tv = {1259098124, 153925};
	char buf[SETU_EVE_TS_LEN];
	setu_eve_timestamp(&tv, buf);
	assert_string_equal(buf, "2009-11-24T21:28:44.153925+0000");
	/* zones with minutes, both sides of UTC (POSIX TZ strings: no tzdata needed) */
	setenv("TZ", "IST-5:30", 1);
	tzset();
	setu_eve_timestamp(&tv, buf);
	assert_string_equal(buf, "2009-11-25T02:58:44.153925+0530");
	setenv("TZ", "NST3:30", 1);
	tzset();
	struct timeval t0 = {0, 7};
	setu_eve_timestamp(&t0, buf);
	assert_string_equal(buf, "1969-12-31T20:30:00.000007-0330");
	setenv("TZ", "UTC", 1);
	tzset();
	struct timeval end = {4294967295, 999999}; /* the last pcap second */
	setu_eve_timestamp(&end, buf);
	assert_string_equal(buf, "2106-02-07T06:28:15.999999+0000");
}

static long file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fclose(f);
	return n;
}

static void test_sink_buffering(void **state)
{
	(void)state;
	char path[] = "/tmp/setu-test-eve-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	setu_diag_t d = {0};
	setu_eve_sink_t *s = setu_eve_sink_open(path, &d);
	assert_non_null(s);
	/* records are buffered ... */
	assert_int_equal(setu_eve_sink_write(s, "{\"a\":1}", 7), 0);
	assert_int_equal(file_size(path), 0);
	/* ... until a record comes SETU_EVE_FLUSH_MS after the oldest buffered one */
	struct timespec nap = {0, (long)(SETU_EVE_FLUSH_MS + 50) * 1000000L};
	nanosleep(&nap, NULL);
	assert_int_equal(setu_eve_sink_write(s, "{\"b\":2}", 7), 0);
	assert_int_equal(file_size(path), 16);
	/* ... or an explicit flush */
	assert_int_equal(setu_eve_sink_write(s, "{\"c\":3}", 7), 0);
	assert_int_equal(file_size(path), 16);
	assert_int_equal(setu_eve_sink_flush(s), 0);
	assert_int_equal(file_size(path), 24);
	assert_int_equal(s->records, 3);
	/* a worker's gathered block: whole records, counted as such */
	const char blk[] = "{\"d\":4}\n{\"e\":5}\n";
	assert_int_equal(setu_eve_sink_write_block(s, blk, sizeof(blk) - 1, 2), 0);
	assert_int_equal(setu_eve_sink_flush(s), 0);
	assert_int_equal(file_size(path), 40);
	assert_int_equal(s->records, 5);
	assert_int_equal(s->bytes, 40);
	setu_eve_sink_close(s);
	unlink(path);
}

static void test_stats_nesting(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	setu_stats_t st;
	setu_stats_init(&st);
	setu_stats_add(&st, "decoder.pkts", 10);
	setu_stats_add(&st, "flow.tcp", 3);
	setu_stats_add(&st, "decoder.event.ipv4.trunc_pkt", 2);
	setu_stats_add(&st, "decoder.pkts", 5);
	setu_stats_add(&st, "decoder.zero", 0);
	setu_eve_opts_t o;
	setu_eve_opts_default(&o);
	setu_buf_t b;
	setu_buf_init(&b, 0);
	setu_json_t j;
	setu_json_init(&j, &b);
	struct timeval tv = {0, 0};
	setu_eve_write_stats(&j, &o, &st, &tv, 7);
	assert_string_equal(
	    b.data, "{\"timestamp\":\"1970-01-01T00:00:00.000000+0000\",\"event_type\":"
	            "\"stats\",\"stats\":{\"uptime\":7,\"decoder\":{\"event\":{\"ipv4\":{"
	            "\"trunc_pkt\":2}},\"pkts\":15},\"flow\":{\"tcp\":3}}}");
	setu_buf_free(&b);
	setu_stats_free(&st);
}

static void test_ippair_hash_symmetric(void **state)
{
	(void)state;
	uint8_t a[34] = {0}, b[34] = {0};
	a[12] = b[12] = 0x08; /* IPv4 */
	a[14] = b[14] = 0x45;
	const uint8_t s[4] = {192, 0, 2, 1}, t[4] = {198, 51, 100, 7};
	memcpy(a + 26, s, 4);
	memcpy(a + 30, t, 4);
	memcpy(b + 26, t, 4);
	memcpy(b + 30, s, 4);
	uint32_t ha = setu_ippair_hash(1, a, sizeof(a));
	assert_int_equal(ha, setu_ippair_hash(1, b, sizeof(b)));
	assert_int_not_equal(ha, 0);
	assert_int_equal(setu_ippair_hash(1, a, 20), 0); /* truncated: no IP */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_and_types),
	    cmocka_unit_test(test_timestamp),
	    cmocka_unit_test(test_sink_buffering),
	    cmocka_unit_test(test_stats_nesting),
	    cmocka_unit_test(test_ippair_hash_symmetric),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
