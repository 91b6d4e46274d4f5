/* test_common.c — error model, bounded reader, buffer and JSON writer, addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/addr.h"
#include "common/buf.h"
#include "common/bytes.h"
#include "setu/error.h"

#include <string.h>

static void test_error_names(void **state)
{
	(void)state;
	assert_string_equal(setu_err_name(SETU_ENOMEM), "ENOMEM");
	assert_string_equal(setu_err_name(-9999), "EUNKNOWN");
	assert_string_equal(setu_strerror(SETU_EPARSE), "parse error");
	setu_diag_t d = {.file = "x.rules", .line = 3, .column = 7};
	assert_int_equal(setu_diag_set(&d, SETU_EPARSE, "bad %s", "thing"), SETU_EPARSE);
	char buf[128];
	setu_diag_format(&d, buf, sizeof(buf));
	assert_string_equal(buf, "x.rules:3:7: bad thing");
}

static void test_reader_bounds(void **state)
{
	(void)state;
	const uint8_t b[] = {0x12, 0x34, 0x56, 0x78, 0x9a};
	setu_rd_t r = setu_rd_init(b, sizeof(b));
	assert_int_equal(setu_rd_be16(&r), 0x1234);
	assert_int_equal(setu_rd_be16(&r), 0x5678);
	assert_false(r.err);
	assert_int_equal(setu_rd_be16(&r), 0); /* only one byte left */
	assert_true(r.err);
	assert_int_equal(setu_rd_u8(&r), 0); /* sticky */
}

static void test_json_writer(void **state)
{
	(void)state;
	setu_buf_t b;
	setu_buf_init(&b, 0);
	setu_json_t j;
	setu_json_init(&j, &b);
	setu_json_open_object(&j, NULL);
	setu_json_str(&j, "a", "x\"y\n");
	setu_json_u64(&j, "n", 42);
	/* 0xff is no UTF-8; "é" is; an overlong "/" (0xc0 0xaf) and a surrogate
	 * (0xed 0xa0 0x80) are not */
	const uint8_t raw[] = {'o',  'k',  0xff, 0xc3, 0xa9, 0x01,
	                       0xc0, 0xaf, 0xed, 0xa0, 0x80};
	setu_json_strn(&j, "r", raw, sizeof(raw));
	setu_json_open_array(&j, "l");
	setu_json_bool(&j, NULL, true);
	setu_json_null(&j, NULL);
	setu_json_close_array(&j);
	setu_json_close_object(&j);
	assert_true(setu_buf_ok(&b));
	assert_string_equal(b.data, "{\"a\":\"x\\\"y\\n\",\"n\":42,\"r\":"
	                            "\"ok\\\\xff\xc3\xa9\\u0001\\\\xc0\\\\xaf\\\\xed\\\\x"
	                            "a0\\\\x80\",\"l\":[true,null]}");
	setu_buf_free(&b);
}

static void test_json_numbers_keys(void **state)
{
	(void)state;
	setu_buf_t b;
	setu_buf_init(&b, 0);
	setu_json_t j;
	setu_json_init(&j, &b);
	setu_json_open_object(&j, NULL);
	setu_json_u64(&j, "z", 0);
	setu_json_u64(&j, "max", UINT64_MAX);
	setu_json_i64(&j, "min", INT64_MIN);
	setu_json_i64(&j, "m1", -1);
	setu_json_i64(&j, "p", 1234567);
	/* a key that needs escaping, and one longer than the short-key path */
	setu_json_bool(&j, "q\"k", false);
	setu_json_u64(
	    &j, "a-key-longer-than-sixty-four-bytes-is-written-by-the-general-path-0", 7);
	setu_json_close_object(&j);
	assert_true(setu_buf_ok(&b));
	assert_string_equal(
	    b.data,
	    "{\"z\":0,\"max\":18446744073709551615,\"min\":-9223372036854775808,"
	    "\"m1\":-1,\"p\":1234567,\"q\\\"k\":false,"
	    "\"a-key-longer-than-sixty-four-bytes-is-written-by-the-general-path-0\":7}");
	char d[20];
	assert_int_equal(setu_fmt_u64(d, 10), 2);
	assert_memory_equal(d, "10", 2);
	/* appends that fit inline and ones that grow keep the buffer NUL-terminated */
	setu_buf_reset(&b);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(setu_buf_append(&b, "xy", 2), 0);
	assert_int_equal(b.len, 2000);
	assert_int_equal(strlen(b.data), 2000);
	setu_buf_free(&b);
	/* reserve within max, then the limit still applies */
	setu_buf_init(&b, 8);
	assert_int_equal(setu_buf_reserve(&b, 8), 0);
	assert_true(b.cap >= 9);
	assert_int_equal(setu_buf_append(&b, "12345678", 8), 0);
	assert_int_equal(setu_buf_append(&b, "9", 1), SETU_ELIMIT);
	assert_string_equal(b.data, "12345678");
	setu_buf_free(&b);
}

static void test_buf_cap(void **state)
{
	(void)state;
	setu_buf_t b;
	setu_buf_init(&b, 4);
	assert_int_equal(setu_buf_puts(&b, "abcd"), 0);
	assert_int_equal(setu_buf_puts(&b, "e"), SETU_ELIMIT);
	assert_false(setu_buf_ok(&b));
	setu_buf_free(&b);
}

static void test_base64(void **state)
{
	(void)state;
	setu_buf_t b;
	setu_buf_init(&b, 0);
	setu_base64_append(&b, (const uint8_t *)"foobar", 6);
	setu_buf_putc(&b, '|');
	setu_base64_append(&b, (const uint8_t *)"fooba", 5);
	setu_buf_putc(&b, '|');
	setu_base64_append(&b, (const uint8_t *)"f", 1);
	assert_string_equal(b.data, "Zm9vYmFy|Zm9vYmE=|Zg==");
	setu_buf_free(&b);
}

static void test_addr(void **state)
{
	(void)state;
	setu_addr_t a, c;
	char s[SETU_ADDR_STRLEN];
	assert_int_equal(setu_addr_parse(&a, "192.0.2.1"), 0);
	assert_string_equal(setu_addr_str(&a, s, sizeof(s)), "192.0.2.1");
	assert_int_equal(setu_addr_parse(&a, "0.10.100.255"), 0);
	assert_string_equal(setu_addr_str(&a, s, sizeof(s)), "0.10.100.255");
	char small[8]; /* too short for the address: inet_ntop's empty answer */
	assert_string_equal(setu_addr_str(&a, small, sizeof(small)), "");
	assert_int_equal(setu_addr_parse(&c, "2001:db8:0:0:0:0:0:1"), 0);
	assert_string_equal(setu_addr_str(&c, s, sizeof(s)), "2001:db8::1");
	assert_true(setu_addr_cmp(&a, &c) < 0);
	assert_int_equal(setu_addr_parse(&a, "300.1.1.1"), SETU_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_error_names), cmocka_unit_test(test_reader_bounds),
	    cmocka_unit_test(test_json_writer), cmocka_unit_test(test_json_numbers_keys),
	    cmocka_unit_test(test_buf_cap),     cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_addr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
