/* test_iocset_random.c — longest-prefix match of the indicator sets against a brute-force
 * linear scan, on thousands of random overlapping IPv4 and IPv6 prefixes, some of them
 * revoked or outside their validity window; and random domain sets against a scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/ioc/iocset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NOW 5000

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

typedef struct pfx {
	uint8_t b[16];
	int len;
	bool active;
} pfx_t;

static bool contains(const pfx_t *p, const uint8_t *a)
{
	int full = p->len / 8, rest = p->len % 8;
	if (memcmp(p->b, a, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t m = (uint8_t)(0xff << (8 - rest));
	return (p->b[full] & m) == (a[full] & m);
}

static void mask_bits(uint8_t *b, int len, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		int bit0 = i * 8;
		if (bit0 >= len)
			b[i] = 0;
		else if (bit0 + 8 > len)
			b[i] &= (uint8_t)(0xff << (8 - (len - bit0)));
	}
}

static int count_cb(void *user, const setu_ioc_match_t *m)
{
	(void)m;
	(*(int *)user)++;
	return 0;
}

static void run_family(int fam, size_t nprefix, size_t nquery, uint64_t seed)
{
	int bytes = fam == 4 ? 4 : 16, maxlen = fam == 4 ? 32 : 128;
	pfx_t *p = calloc(nprefix, sizeof(*p));
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	uint64_t r = seed;
	for (size_t i = 0; i < nprefix; i++) {
		/* addresses from a few hot blocks so that prefixes nest and overlap a lot
		 */
		uint64_t x = rng_next(&r), y = rng_next(&r);
		memcpy(p[i].b, &x, 8);
		memcpy(p[i].b + 8, &y, 8);
		p[i].b[0] = (uint8_t)(10 + (x >> 60) % 3);
		if (fam == 6)
			p[i].b[1] = 0xb8;
		/* lengths biased to long prefixes, with every length present */
		uint64_t l = rng_next(&r);
		int minlen = fam == 4 ? 8 : 16; /* /0 etc. are in test_iocset.c: here they
		                                 * would make every query a hit */
		p[i].len =
		    (l & 3) == 0
		        ? minlen + (int)((l >> 8) % (unsigned)(maxlen - minlen + 1))
		        : maxlen - (int)((l >> 8) % (unsigned)(maxlen / 4 + 1));
		mask_bits(p[i].b, p[i].len, 16);
		char text[64], txt[80];
		setu_addr_t a;
		if (fam == 4)
			setu_addr_set4(&a, p[i].b);
		else
			setu_addr_set6(&a, p[i].b);
		snprintf(txt, sizeof(txt), "%s/%d", setu_addr_str(&a, text, sizeof(text)),
		         p[i].len);
		setu_ioc_indicator_t m = {.id = "r"};
		uint64_t v = rng_next(&r) % 10;
		if (v == 0)
			m.revoked = true;
		else if (v == 1)
			m.valid_until = NOW; /* expired */
		else if (v == 2)
			m.valid_from = NOW + 1; /* not yet */
		else if (v == 3)
			m.valid_from = NOW, m.valid_until = NOW + 1;
		p[i].active = v >= 3;
		uint32_t idx;
		assert_int_equal(setu_iocset_add_indicator(b, &m, &idx), 0);
		setu_diag_t d = {0};
		if (setu_iocset_add_atom(b, idx, SETU_IOC_IP_ANY, txt, NULL, &d) != 0)
			fail_msg("%s", d.msg);
	}
	setu_iocset_t *s = setu_iocset_build(b, NULL);
	assert_non_null(s);
	setu_iocset_builder_free(b);
	size_t hits = 0;
	for (size_t q = 0; q < nquery; q++) {
		uint8_t a[16];
		uint64_t x = rng_next(&r), y = rng_next(&r);
		memcpy(a, &x, 8);
		memcpy(a + 8, &y, 8);
		if (q % 2 == 0) {
			/* inside a random prefix, near its edges a quarter of the time */
			const pfx_t *pp = &p[rng_next(&r) % nprefix];
			uint8_t host[16];
			memcpy(host, a, 16);
			uint64_t e = rng_next(&r) % 4;
			if (e == 0)
				memset(host, 0, 16);
			else if (e == 1)
				memset(host, 0xff, 16);
			for (int i = 0; i < 16; i++) {
				uint8_t keep = 0;
				for (int bit = 0; bit < 8; bit++)
					if (i * 8 + bit < pp->len)
						keep |= (uint8_t)(0x80 >> bit);
				a[i] = (uint8_t)((pp->b[i] & keep) | (host[i] & ~keep));
			}
		} else {
			a[0] = (uint8_t)(10 + (x >> 60) % 4);
			if (fam == 6)
				a[1] = 0xb8;
		}
		if (fam == 4)
			memset(a + 4, 0, 12);
		int best = -1, count = 0;
		for (size_t i = 0; i < nprefix; i++)
			if (p[i].active && contains(&p[i], a)) {
				count++;
				if (p[i].len > best)
					best = p[i].len;
			}
		setu_addr_t addr, got;
		if (fam == 4)
			setu_addr_set4(&addr, a);
		else
			setu_addr_set6(&addr, a);
		int lr = setu_iocset_lookup_ip(s, &addr, NOW, &got);
		if (best < 0) {
			assert_int_equal(lr, SETU_ENOENT);
		} else {
			if (lr != best) {
				char t[64];
				fail_msg("%s: lpm %d, scan %d",
				         setu_addr_str(&addr, t, sizeof(t)), lr, best);
			}
			uint8_t want[16];
			memcpy(want, a, 16);
			mask_bits(want, best, 16);
			assert_memory_equal(got.b, want, (size_t)bytes);
			hits++;
		}
		/* the matcher reports every active containing prefix (each its own
		 * indicator) */
		int n = 0;
		setu_ioc_facts_t f = {.dst = &addr};
		setu_ioc_match_stats_t st;
		int mr = setu_iocset_match(s, &f, NOW, count_cb, &n, &st);
		if (st.candidates_dropped == 0) {
			assert_int_equal(mr, count);
			assert_int_equal(n, count);
		}
	}
	/* the queries must have exercised both outcomes */
	assert_true(hits > nquery / 4);
	assert_true(hits < nquery);
	setu_iocset_free(s);
	free(p);
}

static void test_lpm_random_v4(void **state)
{
	(void)state;
	run_family(4, 5000, 20000, 1);
	run_family(4, 300, 5000, 2);
}

static void test_lpm_random_v6(void **state)
{
	(void)state;
	run_family(6, 3000, 10000, 3);
}

/* Random names over a small alphabet, so that many are parents of others. */
static void test_domains_random(void **state)
{
	(void)state;
	enum { NSTORE = 2000, NQUERY = 20000 };
	/* stored names use the first 8 labels; queries also the last 2, which miss */
	static const char *const labels[] = {"a",  "b",    "evil", "Ex", "c-d",
	                                     "x1", "mail", "co",   "zz", "q"};
	char(*names)[64] = calloc(NSTORE, 64);
	bool *exact = calloc(NSTORE, sizeof(bool));
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	uint64_t r = 7;
	for (size_t i = 0; i < NSTORE; i++) {
		int nl = 1 + (int)(rng_next(&r) % 4);
		names[i][0] = '\0';
		for (int k = 0; k < nl; k++) {
			if (k)
				strcat(names[i], ".");
			strcat(names[i], labels[rng_next(&r) % 8]);
		}
		exact[i] = rng_next(&r) % 3 == 0;
		setu_ioc_indicator_t m = {.id = "d"};
		uint32_t idx;
		assert_int_equal(setu_iocset_add_indicator(b, &m, &idx), 0);
		assert_int_equal(setu_iocset_add_atom(b, idx,
		                                      exact[i] ? SETU_IOC_DOMAIN_EXACT
		                                               : SETU_IOC_DOMAIN,
		                                      names[i], NULL, NULL),
		                 0);
	}
	setu_iocset_t *s = setu_iocset_build(b, NULL);
	setu_iocset_builder_free(b);
	size_t hits = 0;
	for (size_t q = 0; q < NQUERY; q++) {
		char name[80] = "";
		int nl = 1 + (int)(rng_next(&r) % 6);
		for (int k = 0; k < nl; k++) {
			if (k)
				strcat(name, ".");
			strcat(name, labels[rng_next(&r) % 10]);
		}
		size_t n = strlen(name);
		int count = 0, best = -1;
		for (size_t i = 0; i < NSTORE; i++) {
			size_t sn = strlen(names[i]);
			bool m = sn == n && strcasecmp(names[i], name) == 0;
			if (!m && !exact[i] && sn < n && name[n - sn - 1] == '.' &&
			    strcasecmp(names[i], name + n - sn) == 0)
				m = true;
			if (m) {
				count++;
				if ((int)sn > best)
					best = (int)sn;
			}
		}
		setu_ioc_facts_t f = {.dns_query = name, .dns_query_len = n};
		setu_ioc_match_stats_t st;
		int got = setu_iocset_match(s, &f, NOW, NULL, NULL, &st);
		if (st.candidates_dropped == 0)
			assert_int_equal(got, count);
		assert_int_equal(setu_iocset_lookup_domain(s, name, n, NOW),
		                 best < 0 ? SETU_ENOENT : best);
		hits += count > 0;
	}
	assert_true(hits > NQUERY / 10 && hits < NQUERY);
	setu_iocset_free(s);
	free(names);
	free(exact);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lpm_random_v4),
	    cmocka_unit_test(test_lpm_random_v6),
	    cmocka_unit_test(test_domains_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
