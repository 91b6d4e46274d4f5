/* test_intel_pattern_oom.c — allocation-failure loop over the STIX pattern parser and the
 * indicator validator: fail the Nth allocation for every N, expect SETU_ENOMEM (or
 * success) and no leak. Interposes malloc/calloc/realloc/free for the whole program
 * (glibc exports the __libc_* originals); skipped under AddressSanitizer, which owns the
 * allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/pattern.h"
#include "intel/stix-validate.h"

#include <stdio.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define SETU_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SETU_HAVE_ASAN 1
#endif
#endif

#ifndef SETU_HAVE_ASAN

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
void free(void *p);

/* The interposer's state has to be global: malloc() has no context argument. */
static long g_fail_at = -1; /* fail the allocation with this index; -1 = never */
static long g_count;        /* allocations seen since arming */
static long g_live;         /* blocks currently allocated through us */

static bool should_fail(void)
{
	if (g_fail_at < 0)
		return false;
	return g_count++ == g_fail_at;
}

void *malloc(size_t n)
{
	if (should_fail())
		return NULL;
	void *p = __libc_malloc(n);
	if (p != NULL)
		g_live++;
	return p;
}

void *calloc(size_t n, size_t m)
{
	if (should_fail())
		return NULL;
	void *p = __libc_calloc(n, m);
	if (p != NULL)
		g_live++;
	return p;
}

void *realloc(void *p, size_t n)
{
	if (p == NULL)
		return malloc(n);
	if (should_fail())
		return NULL;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (p != NULL)
		g_live--;
	__libc_free(p);
}

static void oom_loop(const char *pattern)
{
	long n;
	for (n = 0; n < 100000; n++) {
		long live = g_live;
		setu_pattern_t *p = NULL;
		setu_diag_t d;
		memset(&d, 0, sizeof(d));
		g_count = 0;
		g_fail_at = n;
		int rc = setu_pattern_parse(pattern, strlen(pattern), &p, &d);
		g_fail_at = -1;
		setu_pattern_free(p);
		if (g_live != live)
			fail_msg("leak of %ld blocks when allocation %ld fails: %s",
			         g_live - live, n, pattern);
		if (rc == 0)
			break;
		if (rc != SETU_ENOMEM)
			fail_msg("allocation %ld failing gave %d (%s), want SETU_ENOMEM",
			         n, rc, d.msg);
		assert_null(p);
	}
	assert_true(n > 0); /* at least one allocation was made and failed */
	print_message("parser: %ld allocation failures survived\n", n);
}

static void test_parser_oom(void **state)
{
	(void)state;
	oom_loop("[ipv4-addr:value = '198.51.100.7']");
	oom_loop(
	    "([file:hashes.'SHA-256' = "
	    "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' OR "
	    "file:name IN ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j')] FOLLOWEDBY "
	    "[a:b[*].'c d' = h'ff' AND a:e = b'aGk=' AND a:f = t'2024-01-01T00:00:00Z' "
	    "OR "
	    "a:g = 1 OR a:h = 2 OR a:i = 3 OR a:j = 4 OR a:k = 5]) WITHIN 5 SECONDS "
	    "REPEATS 2 "
	    "TIMES START t'2024-01-01T00:00:00Z' STOP t'2024-01-02T00:00:00Z'");
}

static void test_validator_oom(void **state)
{
	(void)state;
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "indicator",
	              "spec_version", "2.1", "id",
	              "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "created",
	              "2024-03-01T10:00:00.000Z", "modified", "2024-03-01T10:00:00.000Z",
	              "pattern", "[a:b = 1 OR a:c = 2 OR a:d = 3]", "pattern_type",
	              "stix", "valid_from", "2024-03-01T10:00:00Z");
	assert_non_null(o);
	long n;
	for (n = 0; n < 10000; n++) {
		long live = g_live;
		setu_diag_t d;
		memset(&d, 0, sizeof(d));
		g_count = 0;
		g_fail_at = n;
		int rc = setu_stix_validate_object(o, &d);
		g_fail_at = -1;
		assert_int_equal(g_live, live);
		if (rc == 0)
			break;
		/* a pattern the parser could not finish for lack of memory is reported as
		 * such */
		assert_int_equal(rc, SETU_ENOMEM);
		assert_int_equal(d.code, SETU_ENOMEM);
	}
	assert_true(n > 0);
	print_message("validator: %ld allocation failures survived\n", n);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parser_oom),
	    cmocka_unit_test(test_validator_oom),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void)
{
	fprintf(
	    stderr,
	    "SKIP: the allocation-failure loop needs the plain allocator (not ASan)\n");
	return 77;
}

#endif
