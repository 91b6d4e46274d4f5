/* test_stream_events.c — every stream-event name used by Suricata's
 * rules/stream-events.rules
 * (../shared/testdata) resolves to one of our stream events, with the old spellings
 * mapped through SETU_STREAM_EVENT_ALIASES; and every stream event has a "stream." name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sensor/engine/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULES \
	SETU_SOURCE_DIR "/../shared/testdata/rules/oisf-suricata/stream-events.rules"

static const char *canonical(const char *rule_name)
{
#define ALIAS(from, to)                   \
	if (strcmp(rule_name, from) == 0) \
		return to;
	SETU_STREAM_EVENT_ALIASES(ALIAS)
#undef ALIAS
	return rule_name;
}

static void test_rules_file_names_resolve(void **state)
{
	(void)state;
	FILE *fp = fopen(RULES, "r");
	assert_non_null(fp);
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof(line), fp)) {
		const char *k = strstr(line, "stream-event:");
		if (!k)
			continue;
		k += strlen("stream-event:");
		while (*k == ' ')
			k++;
		char name[128];
		size_t i = 0;
		while (k[i] && k[i] != ';' && k[i] != ' ' && i < sizeof(name) - 1) {
			name[i] = k[i];
			i++;
		}
		name[i] = '\0';
		char full[160];
		snprintf(full, sizeof(full), "stream.%s", canonical(name));
		setu_event_t e = setu_event_by_name(full);
		if (e == SETU_EV_NONE)
			fail_msg("stream-event %s (%s) is unknown", name, full);
		assert_int_equal(setu_event_kind(e), SETU_EVKIND_STREAM);
		n++;
	}
	fclose(fp);
	assert_true(n >= 60);
}

static void test_all_stream_events_named(void **state)
{
	(void)state;
	int n = 0;
#define CHECK(id, name)                                           \
	assert_string_equal(setu_event_name(SETU_EV_##id), name); \
	assert_int_equal(setu_event_by_name(name), SETU_EV_##id); \
	assert_int_equal(strncmp(name, "stream.", 7), 0);         \
	n++;
	SETU_STREAM_EVENTS(CHECK)
#undef CHECK
	assert_true(n >= 65);
}

int main(void)
{
	FILE *fp = fopen(RULES, "r");
	if (!fp) {
		fprintf(stderr, "shared testdata absent: %s\n", RULES);
		return 77;
	}
	fclose(fp);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_file_names_resolve),
	    cmocka_unit_test(test_all_stream_events_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
