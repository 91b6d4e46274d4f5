/* test_control.c — the control socket's request line: JSON object or bare word. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sensor/engine/control.h"

#include <string.h>

static const char *parse(const char *s, size_t n, char cmd[64])
{
	setu_control_parse(s, n, cmd);
	return cmd;
}

static void test_parse(void **state)
{
	(void)state;
	char c[64];
	assert_string_equal(parse("reload\n", 7, c), "reload");
	assert_string_equal(parse("stats", 5, c), "stats");
	assert_string_equal(parse("{\"command\": \"version\"}\nrest", 27, c), "version");
	/* the length bounds the read: "reloadXYZ" cut at 6 */
	assert_string_equal(parse("reloadXYZ", 6, c), "reload");
	/* not a command */
	assert_string_equal(parse("{\"command\": 5}", 14, c), "");
	assert_string_equal(parse("{\"command\": \"shutdown", 21, c), "");
	assert_string_equal(parse("{\"cmd\": \"reload\"}", 17, c), "");
	assert_string_equal(parse("", 0, c), "");
	assert_string_equal(parse("\n", 1, c), "");
	/* a NUL inside a JSON string never shortens it into another command */
	static const char nul[] = "{\"command\": \"shutdown\\u0000x\"}";
	assert_string_equal(parse(nul, sizeof(nul) - 1, c), "");
	/* long words are cut, never overflow */
	char big[300];
	memset(big, 'a', sizeof(big));
	assert_int_equal(strlen(parse(big, sizeof(big), c)), 63);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
