/* test_detect_nocase.c — case-insensitive content search (content + nocase, Suricata
 * "nocase"): a randomised differential test against a plain reference search, with the
 * pattern's first letter frequent in both cases, matches at the buffer's edges, and
 * patterns longer than the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sensor/detect/detect.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NPAT = 40 };

typedef struct hits {
	bool sid[NPAT + 1];
	int n;
} hits_t;

static void on_alert(void *user, const setu_pkt_t *p, const setu_alert_t *a)
{
	(void)p;
	hits_t *h = user;
	if (a->rule->sid >= 1 && a->rule->sid <= NPAT)
		h->sid[a->rule->sid] = true;
	h->n++;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* reference: pat (len m) in buf (len n), ignoring ASCII case */
static bool ref_find(const char *buf, size_t n, const char *pat, size_t m)
{
	for (size_t i = 0; i + m <= n; i++) {
		size_t k = 0;
		while (k < m && tolower((unsigned char)buf[i + k]) ==
		                    tolower((unsigned char)pat[k]))
			k++;
		if (k == m)
			return true;
	}
	return false;
}

static void test_nocase_differential(void **state)
{
	(void)state;
	static const char alpha[] = "aAbBx|";
	uint64_t seed = 0x1234567890abcdefULL;
	char pats[NPAT + 1][8];
	char rules[NPAT * 96];
	size_t w = 0;
	for (int i = 1; i <= NPAT; i++) {
		size_t m = 1 + rng_next(&seed) % 5;
		for (size_t k = 0; k < m; k++) {
			char c = alpha[rng_next(&seed) % 5]; /* no '|' in patterns */
			pats[i][k] = c;
		}
		pats[i][m] = '\0';
		/* the first pattern byte is a letter most of the time: both cases matter
		 */
		w += (size_t)snprintf(
		    rules + w, sizeof(rules) - w,
		    "alert udp any any -> any any (content:\"%s\"; nocase; "
		    "sid:%d;)\n",
		    pats[i], i);
	}
	setu_diag_t d = {0};
	setu_detect_engine_t *de =
	    setu_detect_engine_load_mem(NULL, "t.rules", rules, w, NULL, NULL, &d);
	if (de == NULL)
		print_error("load: %s\n", d.msg);
	assert_non_null(de);
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	assert_non_null(dt);
	int found = 0, missed = 0;
	for (int round = 0; round < 600; round++) {
		char buf[64];
		size_t n = rng_next(&seed) % sizeof(buf);
		for (size_t k = 0; k < n; k++)
			buf[k] = alpha[rng_next(&seed) % 6];
		setu_pkt_t p;
		memset(&p, 0, sizeof(p));
		assert_int_equal(setu_addr_parse(&p.src, "10.0.0.1"), 0);
		assert_int_equal(setu_addr_parse(&p.dst, "10.0.0.2"), 0);
		p.ip_ver = 4;
		p.proto = 17;
		p.sp = 1000;
		p.dp = 2000;
		p.flags = SETU_PKT_HAS_L4;
		p.payload = (const uint8_t *)buf;
		p.payload_len = (uint32_t)n;
		hits_t h = {0};
		setu_detect_packet(dt, &p, on_alert, &h);
		for (int i = 1; i <= NPAT; i++) {
			bool want = n > 0 && ref_find(buf, n, pats[i], strlen(pats[i]));
			if (h.sid[i] != want)
				print_error(
				    "buffer '%.*s' pattern '%s': got %d want %d\n",
				    (int)n, buf, pats[i], h.sid[i], want);
			assert_int_equal(h.sid[i], want);
			found += want;
			missed += !want;
		}
	}
	/* both outcomes were exercised plenty */
	assert_true(found > 1000 && missed > 1000);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nocase_differential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
