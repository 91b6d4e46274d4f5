/* bench_iocset.c — indicator set figures (issue 7): load time, bytes per entry and
 * lookups per second (hits and misses) for 1,000,000 random IPv4 addresses and /24-/32
 * prefixes and for 1,000,000 random domains. Prints figures; not a test. Usage:
 * bench_iocset [entries] (default 1000000). */
#include "intel/ioc/iocset.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOW 1700000000
/* Values per indicator (second argument): 1000 = a feed's list in one indicator; 1 = one
 * STIX indicator per value, where each value also pays for its indicator record and id.
 */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: the shared 2-core machine is often loaded by other builds, so
 * rates are computed from CPU time; wall time is printed beside the load figure. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

typedef struct text {
	char *p;
	size_t n, cap;
} text_t;

static void tput(text_t *t, const char *s, size_t n)
{
	if (t->n + n + 1 > t->cap) {
		t->cap = (t->cap + n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		if (t->p == NULL) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
	}
	memcpy(t->p + t->n, s, n);
	t->n += n;
	t->p[t->n] = '\0';
}

static void die_diag(const char *what, const setu_diag_t *d)
{
	char buf[512];
	setu_diag_format(d, buf, sizeof(buf));
	fprintf(stderr, "%s: %s\n", what, buf);
	exit(1);
}

/* Build a set from a text of `TYPE VALUE id=...` lines; returns build seconds too. */
static setu_iocset_t *load(const text_t *t, double *secs, double *wall)
{
	double t0 = cpu_s(), w0 = now_s();
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	setu_diag_t d = {0};
	if (setu_iocset_load_text(b, t->p, t->n, "bench", &d) < 0)
		die_diag("load", &d);
	setu_iocset_t *s = setu_iocset_build(b, &d);
	if (s == NULL)
		die_diag("build", &d);
	setu_iocset_builder_free(b);
	*secs = cpu_s() - t0;
	*wall = now_s() - w0;
	return s;
}

static void bench_ipv4(size_t n, size_t per_indicator)
{
	uint64_t r = 42;
	text_t t = {0};
	uint32_t *stored = malloc(n * sizeof(uint32_t));
	uint8_t *plen = malloc(n);
	char line[96];
	size_t nprefix = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t x = rng_next(&r);
		uint32_t a = (uint32_t)x;
		/* 3 in 10 are prefixes /24../31, the rest single addresses */
		int len = (x >> 32) % 10 < 3 ? 24 + (int)((x >> 40) % 8) : 32;
		if (len < 32)
			a &= ~((1u << (32 - len)) - 1), nprefix++;
		stored[i] = a;
		plen[i] = (uint8_t)len;
		int k =
		    len == 32
		        ? snprintf(line, sizeof(line), "ipv4 %u.%u.%u.%u id=ind-%zu\n",
		                   a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
		                   i / per_indicator)
		        : snprintf(line, sizeof(line), "cidr %u.%u.%u.%u/%d id=ind-%zu\n",
		                   a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, len,
		                   i / per_indicator);
		tput(&t, line, (size_t)k);
	}
	double secs, wall;
	setu_iocset_t *s = load(&t, &secs, &wall);
	setu_iocset_stats_t st;
	setu_iocset_stats(s, &st);
	printf("ipv4: %zu values (%zu prefixes /24-/31), %zu distinct entries, %zu "
	       "indicators\n",
	       n, nprefix, st.ipv4_entries, st.indicators);
	printf("ipv4: load (text parse + build) %.3f s CPU (%.3f s wall)\n", secs, wall);
	printf(
	    "ipv4: table bytes per entry %.1f (LPM %zu bytes); whole set %.1f bytes per "
	    "value\n",
	    (double)st.bytes_ipv4 / (double)st.ipv4_entries, st.bytes_ipv4,
	    (double)st.bytes_total / (double)n);

	enum { NQ = 4000000 };
	setu_addr_t *hit = malloc(NQ * sizeof(*hit)), *miss = malloc(NQ * sizeof(*miss));
	size_t nmiss = 0;
	for (size_t q = 0; q < NQ; q++) {
		size_t i = rng_next(&r) % n;
		uint32_t a = stored[i];
		if (plen[i] < 32)
			a |= (uint32_t)rng_next(&r) & ((1u << (32 - plen[i])) - 1);
		uint8_t b4[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16),
		                 (uint8_t)(a >> 8), (uint8_t)a};
		setu_addr_set4(&hit[q], b4);
	}
	while (nmiss < NQ) {
		uint32_t a = (uint32_t)rng_next(&r);
		uint8_t b4[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16),
		                 (uint8_t)(a >> 8), (uint8_t)a};
		setu_addr_set4(&miss[nmiss], b4);
		if (setu_iocset_lookup_ip(s, &miss[nmiss], NOW, NULL) < 0)
			nmiss++;
	}
	long sink = 0;
	double t0 = cpu_s();
	for (size_t q = 0; q < NQ; q++)
		sink += setu_iocset_lookup_ip(s, &hit[q], NOW, NULL);
	double th = cpu_s() - t0;
	t0 = cpu_s();
	for (size_t q = 0; q < NQ; q++)
		sink += setu_iocset_lookup_ip(s, &miss[q], NOW, NULL);
	double tm = cpu_s() - t0;
	printf("ipv4: lookup_ip  hits %.1f M/s, misses %.1f M/s\n", NQ / th / 1e6,
	       NQ / tm / 1e6);
	/* the per-packet matcher with both addresses known (one of them the probe) */
	t0 = cpu_s();
	for (size_t q = 0; q < NQ; q++) {
		setu_ioc_facts_t f = {.src = &miss[(q + 1) % NQ], .dst = &hit[q]};
		sink += setu_iocset_match(s, &f, NOW, NULL, NULL, NULL);
	}
	th = cpu_s() - t0;
	t0 = cpu_s();
	for (size_t q = 0; q < NQ; q++) {
		setu_ioc_facts_t f = {.src = &miss[(q + 1) % NQ], .dst = &miss[q]};
		sink += setu_iocset_match(s, &f, NOW, NULL, NULL, NULL);
	}
	tm = cpu_s() - t0;
	printf("ipv4: match(src+dst) packets with a hit %.1f M/s, without %.1f M/s "
	       "(checksum %ld)\n",
	       NQ / th / 1e6, NQ / tm / 1e6, sink);
	setu_iocset_free(s);
	free(hit);
	free(miss);
	free(stored);
	free(plen);
	free(t.p);
}

static const char *const tlds[] = {"com",    "net",  "org", "info", "ru", "cn",
                                   "xyz",    "top",  "io",  "de",   "in", "jp",
                                   "online", "site", "biz", "co"};

static size_t rand_label(uint64_t *r, char *out)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint64_t x = rng_next(r);
	size_t len = 5 + x % 8;
	for (size_t i = 0; i < len; i++) {
		x = i % 8 == 7 ? rng_next(r) : x >> 6;
		out[i] = alpha[(x & 63) % 36];
	}
	return len;
}

static void bench_domains(size_t n, size_t per_indicator)
{
	uint64_t r = 7;
	text_t t = {0};
	char(*names)[64] = malloc(n * 64);
	for (size_t i = 0; i < n; i++) {
		char *p = names[i];
		size_t k = rand_label(&r, p);
		if (rng_next(&r) % 4 ==
		    0) { /* a quarter have two labels before the TLD */
			p[k++] = '.';
			k += rand_label(&r, p + k);
		}
		p[k++] = '.';
		const char *tld = tlds[rng_next(&r) % 16];
		strcpy(p + k, tld);
		char line[128];
		int m = snprintf(line, sizeof(line), "domain %s id=ind-%zu\n", p,
		                 i / per_indicator);
		tput(&t, line, (size_t)m);
	}
	double secs, wall;
	setu_iocset_t *s = load(&t, &secs, &wall);
	setu_iocset_stats_t st;
	setu_iocset_stats(s, &st);
	size_t chars = 0;
	for (size_t i = 0; i < n; i++)
		chars += strlen(names[i]);
	printf("domains: %zu values (mean length %.1f), %zu distinct entries\n", n,
	       (double)chars / (double)n, st.key_entries);
	printf("domains: load (text parse + build) %.3f s CPU (%.3f s wall)\n", secs,
	       wall);
	printf("domains: table bytes per entry %.1f (hash %zu bytes, strings included); "
	       "whole "
	       "set %.1f bytes per value\n",
	       (double)st.bytes_keys / (double)st.key_entries, st.bytes_keys,
	       (double)st.bytes_total / (double)n);

	enum { NQ = 2000000 };
	char(*hq)[80] = malloc(NQ * 80), (*mq)[80] = malloc(NQ * 80);
	for (size_t q = 0; q < NQ; q++) {
		/* hits: the name itself or a subdomain of it (parent-domain match) */
		const char *nm = names[rng_next(&r) % n];
		snprintf(hq[q], 80, q % 2 ? "%s" : "www.%s", nm);
		/* misses: a fresh random name under the same TLDs */
		char lab[16];
		size_t k = rand_label(&r, lab);
		lab[k] = '\0';
		snprintf(mq[q], 80, "cdn.%s.%s", lab, tlds[rng_next(&r) % 16]);
	}
	long sink = 0;
	double t0 = cpu_s();
	for (size_t q = 0; q < NQ; q++) {
		setu_ioc_facts_t f = {.dns_query = hq[q], .dns_query_len = strlen(hq[q])};
		sink += setu_iocset_match(s, &f, NOW, NULL, NULL, NULL);
	}
	double th = cpu_s() - t0;
	t0 = cpu_s();
	long misses = 0;
	for (size_t q = 0; q < NQ; q++) {
		setu_ioc_facts_t f = {.dns_query = mq[q], .dns_query_len = strlen(mq[q])};
		misses += setu_iocset_match(s, &f, NOW, NULL, NULL, NULL) == 0;
	}
	double tm = cpu_s() - t0;
	printf("domains: match(dns query) hits %.1f M/s (%ld matched), misses %.1f M/s "
	       "(%ld of %d missed)\n",
	       NQ / th / 1e6, sink, NQ / tm / 1e6, misses, NQ);
	setu_iocset_free(s);
	free(hq);
	free(mq);
	free(names);
	free(t.p);
}

/* IPv6 for scale: a tenth of the entries, /48 to /128 (feeds carry far fewer IPv6
 * values). */
static void bench_ipv6(size_t n, size_t per_indicator)
{
	uint64_t r = 99;
	text_t t = {0};
	setu_addr_t *stored = malloc(n * sizeof(*stored));
	for (size_t i = 0; i < n; i++) {
		uint8_t b[16];
		uint64_t x = rng_next(&r), y = rng_next(&r);
		memcpy(b, &x, 8);
		memcpy(b + 8, &y, 8);
		b[0] = 0x20, b[1] = 0x01; /* 2001::/16, like real global unicast feeds */
		setu_addr_set6(&stored[i], b);
		int len = (x >> 56) % 2 ? 128 : 48 + (int)((y >> 56) % 81);
		char a[SETU_ADDR_STRLEN], line[128];
		int k = snprintf(line, sizeof(line), "cidr %s/%d id=ind-%zu\n",
		                 setu_addr_str(&stored[i], a, sizeof(a)), len,
		                 i / per_indicator);
		tput(&t, line, (size_t)k);
	}
	double secs, wall;
	setu_iocset_t *s = load(&t, &secs, &wall);
	setu_iocset_stats_t st;
	setu_iocset_stats(s, &st);
	printf("ipv6: %zu values, %zu distinct entries; load %.3f s CPU (%.3f s wall); "
	       "table "
	       "bytes per entry %.1f\n",
	       n, st.ipv6_entries, secs, wall,
	       (double)st.bytes_ipv6 / (double)st.ipv6_entries);
	enum { NQ = 1000000 };
	long sink = 0;
	double t0 = cpu_s();
	for (size_t q = 0; q < NQ; q++)
		sink += setu_iocset_lookup_ip(s, &stored[rng_next(&r) % n], NOW, NULL);
	double th = cpu_s() - t0;
	setu_addr_t probe = stored[0];
	t0 = cpu_s();
	for (size_t q = 0; q < NQ; q++) {
		uint64_t x = rng_next(&r);
		memcpy(probe.b + 2, &x,
		       8); /* random within 2001::/16: nearly always a miss */
		sink += setu_iocset_lookup_ip(s, &probe, NOW, NULL);
	}
	double tm = cpu_s() - t0;
	printf("ipv6: lookup_ip  hits %.1f M/s, misses %.1f M/s (checksum %ld)\n",
	       NQ / th / 1e6, NQ / tm / 1e6, sink);
	setu_iocset_free(s);
	free(stored);
	free(t.p);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
	if (n == 0)
		n = 1000000;
	size_t per_indicator = 1000;
	if (argc > 2 && strtoull(argv[2], NULL, 10) > 0)
		per_indicator = (size_t)strtoull(argv[2], NULL, 10);
	printf("%zu entries, %zu values per indicator\n", n, per_indicator);
	bench_ipv4(n, per_indicator);
	bench_domains(n, per_indicator);
	bench_ipv6(n / 10 ? n / 10 : 1, per_indicator);
	return 0;
}
