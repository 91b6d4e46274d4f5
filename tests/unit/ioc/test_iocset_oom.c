/* test_iocset_oom.c — allocation-failure loop over the indicator sets: text loader,
 * builder API, build and match, failing the Nth allocation for every N; each step must
 * fail with SETU_ENOMEM (or succeed) and nothing may leak. Replaces
 * malloc/calloc/realloc/free for the program through glibc's __libc_* entry points;
 * skipped under AddressSanitizer, whose allocator must not be replaced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/ioc/iocset.h"

#include <stdio.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define IOC_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IOC_TEST_ASAN 1
#endif
#endif

#ifndef IOC_TEST_ASAN

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
void free(void *p);

/* malloc() takes no context, so the failure plan is program state (test only). */
static long fail_at = -1; /* index of the allocation to fail; -1 = none */
static long seen;         /* allocations since arming */
static long live;         /* blocks handed out and not freed */

static bool fail_now(void)
{
	return fail_at >= 0 && seen++ == fail_at;
}

void *malloc(size_t n)
{
	if (fail_now())
		return NULL;
	void *p = __libc_malloc(n);
	live += p != NULL;
	return p;
}

void *calloc(size_t n, size_t m)
{
	if (fail_now())
		return NULL;
	void *p = __libc_calloc(n, m);
	live += p != NULL;
	return p;
}

void *realloc(void *p, size_t n)
{
	if (p == NULL)
		return malloc(n);
	if (fail_now())
		return NULL;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	live -= p != NULL;
	__libc_free(p);
}

static const char text[] =
    "# every kind, grouped ids, metadata\n"
    "ipv4 192.0.2.1 id=i1 tlp=amber org=identity--a name=\"a b\"\n"
    "cidr 10.0.0.0/8 id=i1 dir=dst\n"
    "ipv6 2001:db8::1 id=i2\n"
    "cidr 2001:db8::/32 id=i2\n"
    "domain evil.example id=i3 valid_from=2020-01-01T00:00:00Z\n"
    "domain-exact only.example id=i3\n"
    "url http://evil.example/x id=i4\n"
    "md5 d41d8cd98f00b204e9800998ecf8427e\n"
    "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
    "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
    "ja3 e7d705a3286e19ea42f587b344ee6865 id=i1\n"
    "x509-sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 id=i5\n"
    "x509-sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 id=i5\n"
    "port 4444 id=i6\n"
    "port 6660-6669 id=i7 dir=dst\n"
    "domain evil.example id=i8\n"
    "ipv4 192.0.2.1 id=i9\n";

/* One full run; returns 0 or the first error (SETU_ENOMEM expected). */
static int run_once(int *matched)
{
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	if (b == NULL)
		return SETU_ENOMEM;
	setu_diag_t d = {0};
	int rc = setu_iocset_load_text(b, text, sizeof(text) - 1, "oom.ioc", &d);
	if (rc >= 0) {
		setu_ioc_indicator_t m = {.id = "api", .org = "identity--b"};
		uint32_t idx;
		uint8_t a0, a1;
		rc = setu_iocset_add_indicator(b, &m, &idx);
		if (rc == 0)
			rc = setu_iocset_add_atom(b, idx, SETU_IOC_IP_DST,
			                          "198.51.100.0/24", &a0, &d);
		if (rc == 0)
			rc = setu_iocset_add_value(b, idx, a0, "203.0.113.9", &d);
		if (rc == 0)
			rc = setu_iocset_add_atom(b, idx, SETU_IOC_PORT_DST, "443", &a1,
			                          &d);
		setu_ioc_op_t ops[] = {
		    {SETU_IOC_OP_ATOM, 0}, {SETU_IOC_OP_ATOM, 1}, {SETU_IOC_OP_AND, 0}};
		if (rc == 0)
			rc = setu_iocset_set_expr(b, idx, ops, 3, &d);
	}
	if (rc >= 0) {
		setu_iocset_t *s = setu_iocset_build(b, &d);
		if (s == NULL) {
			rc = d.code;
		} else {
			rc = 0;
			setu_addr_t a;
			setu_addr_parse(&a, "192.0.2.1");
			setu_ioc_facts_t f = {.src = &a,
			                      .dns_query = "x.evil.example",
			                      .dns_query_len = 14};
			*matched = setu_iocset_match(s, &f, 1700000000, NULL, NULL, NULL);
			setu_iocset_free(s);
		}
	}
	setu_iocset_builder_free(b);
	return rc;
}

static void test_oom_loop(void **state)
{
	(void)state;
	long n;
	int want = -1;
	for (n = 0; n < 100000; n++) {
		long before = live;
		int matched = -1;
		seen = 0;
		fail_at = n;
		int rc = run_once(&matched);
		fail_at = -1;
		if (live != before)
			fail_msg("%ld blocks leaked when allocation %ld fails",
			         live - before, n);
		if (rc == 0) {
			want = matched;
			break;
		}
		if (rc != SETU_ENOMEM)
			fail_msg("allocation %ld failing gave %d, want SETU_ENOMEM", n,
			         rc);
	}
	assert_true(n > 10);
	/* the run that had all its memory matched i1 (address), i3 and i8 (name), i9 */
	assert_int_equal(want, 4);
	print_message("iocset: %ld allocation failures survived\n", n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_oom_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void)
{
	fprintf(stderr,
	        "SKIP: the allocation-failure loop needs the plain allocator (not "
	        "ASan)\n");
	return 77;
}

#endif
