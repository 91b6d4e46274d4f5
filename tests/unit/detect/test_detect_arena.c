/* test_detect_arena.c — the detect engine's rule arena: bump allocation, moving a parsed
 * rule into it (every field still readable, malloc'd pieces released: ASan/LSan check
 * both), and engine loads with duplicates that free everything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/limits.h"
#include "sensor/detect/detect-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_alloc(void **state)
{
	(void)state;
	detect_arena_t a = {0};
	unsigned char *p = detect_arena_alloc(&a, 3);
	unsigned char *q = detect_arena_alloc(&a, 17);
	assert_non_null(p);
	assert_non_null(q);
	assert_int_equal((uintptr_t)p % 16, 0);
	assert_int_equal((uintptr_t)q % 16, 0);
	assert_true(q >= p + 3);
	memset(p, 0xaa, 3);
	memset(q, 0xbb, 17);
	assert_int_equal(a.bytes, SETU_DETECT_ARENA_CHUNK);
	/* a big object gets its own chunk; the current one keeps filling */
	size_t big = SETU_DETECT_ARENA_CHUNK;
	unsigned char *b = detect_arena_alloc(&a, big);
	assert_non_null(b);
	memset(b, 0xcc, big);
	assert_int_equal(a.bytes, 2 * (size_t)SETU_DETECT_ARENA_CHUNK);
	unsigned char *r = detect_arena_alloc(&a, 8);
	assert_true(r > q && r < p + SETU_DETECT_ARENA_CHUNK);
	/* filling past a chunk opens another */
	size_t n = 0;
	while (a.bytes == 2 * (size_t)SETU_DETECT_ARENA_CHUNK) {
		assert_non_null(detect_arena_alloc(&a, 1000));
		n++;
	}
	assert_true(n >= SETU_DETECT_ARENA_CHUNK / 1008 - 1);
	assert_int_equal(p[2], 0xaa);
	assert_int_equal(q[16], 0xbb);
	assert_int_equal(b[big - 1], 0xcc);
	char *s = detect_arena_dup(&a, "hello", 6);
	assert_string_equal(s, "hello");
	assert_null(detect_arena_alloc(&a, SIZE_MAX - 4));
	detect_arena_free(&a);
	assert_null(a.head);
	assert_int_equal(a.bytes, 0);
	detect_arena_free(&a); /* idempotent */
}

typedef struct fixture {
	var_table_t av, pv;
	name_table_t fb, fi;
	class_entry_t classes[1];
	ref_entry_t refs[1];
	parse_ctx_t pc;
	setu_diag_t d;
} fixture_t;

static void fx_init(fixture_t *f)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(var_table_defaults(&f->av, &f->pv), 0);
	f->classes[0].name = "trojan-activity";
	f->classes[0].desc = "A Network Trojan was detected";
	f->classes[0].prio = 1;
	f->refs[0].name = "url";
	f->refs[0].url = "http://";
	f->pc.addr_vars = &f->av;
	f->pc.port_vars = &f->pv;
	f->pc.flowbits = &f->fb;
	f->pc.flowints = &f->fi;
	f->pc.classes = f->classes;
	f->pc.nclasses = 1;
	f->pc.refs = f->refs;
	f->pc.nrefs = 1;
	f->pc.diag = &f->d;
}

static void fx_free(fixture_t *f)
{
	var_table_free(&f->av);
	var_table_free(&f->pv);
	name_table_free(&f->fb);
	name_table_free(&f->fi);
}

static const char RULE[] =
    "alert http [10.0.0.0/8,2001:db8::/32] any -> $HOME_NET [80,8080:8090] "
    "(msg:\"ET arena \\\"test\\\"\"; flow:established,to_server; flags:AP; "
    "http.uri; content:\"/get\"; nocase; pcre:\"/\\/get\\?id=\\d+/i\"; "
    "content:\"|41 42|\"; distance:0; byte_extract:2,0,len,relative; "
    "byte_test:1,>,len,0,relative; isdataat:4,relative; dsize:>10; "
    "flowbits:isset,a.b|c; flowbits:noalert; flowint:cnt,+,1; "
    "reference:url,example.com/x; classtype:trojan-activity; "
    "metadata:created_at 2019_01_01, updated_at 2019_02_02; sid:7; rev:3;)";

static void check_rule(const setu_rule_t *r)
{
	assert_int_equal(r->info.sid, 7);
	assert_int_equal(r->info.rev, 3);
	assert_string_equal(r->info.msg, "ET arena \"test\"");
	assert_string_equal(r->info.classtype, "trojan-activity");
	assert_string_equal(r->info.category, "A Network Trojan was detected");
	assert_int_equal(r->info.nmetadata, 2);
	assert_string_equal(r->info.metadata[0], "created_at 2019_01_01");
	assert_string_equal(r->info.metadata[1], "updated_at 2019_02_02");
	assert_int_equal(r->info.nreferences, 1);
	assert_string_equal(r->info.references[0], "url,http://example.com/x");
	assert_string_equal(r->applayer, "http");
	assert_int_equal(r->nvars, 1);
	assert_string_equal(r->varnames[0], "len");
	assert_int_equal(r->src.n32, 1);
	assert_int_equal(r->src.n6, 1);
	assert_int_equal(r->dp.n32, 2);
	assert_int_equal(r->dp.r32[2], 8080);
	assert_int_equal(r->dp.r32[3], 8090);
	assert_true(r->nbl >= 1);
	const sm_list_arr_t *l = &r->bl[0].l;
	assert_true(l->n >= 6);
	assert_int_equal(l->v[0].type, SM_CONTENT);
	assert_int_equal(l->v[0].u.ct->len, 4);
	assert_memory_equal(l->v[0].u.ct->pat, "/get", 4);
	assert_int_equal(l->v[1].type, SM_PCRE);
	assert_non_null(l->v[1].u.rx->re);
	assert_int_equal(l->v[2].type, SM_CONTENT);
	assert_memory_equal(l->v[2].u.ct->pat, "AB", 2);
	assert_int_equal(l->v[3].type, SM_BYTE_EXTRACT);
	assert_int_equal(l->v[4].type, SM_BYTE_TEST);
	assert_int_equal(l->v[4].u.by->nbytes, 1);
	assert_int_equal(l->v[5].type, SM_ISDATAAT);
	bool flags = false, dsize = false, fbits = false, fint = false;
	for (int k = 0; k < LIST_COUNT; k++)
		for (uint32_t i = 0; i < r->lists[k].n; i++) {
			const sm_t *sm = &r->lists[k].v[i];
			if (sm->type == SM_FLAGS)
				flags = sm->u.bits->bits != 0;
			else if (sm->type == SM_DSIZE)
				dsize = sm->u.num->a == 10;
			else if (sm->type == SM_FLOWBITS && sm->u.fb->cmd == FB_ISSET)
				fbits = sm->u.fb->n == 2 && sm->u.fb->idx[1] == 1;
			else if (sm->type == SM_FLOWINT)
				fint = sm->u.fi->op == FI_ADD;
		}
	assert_true(flags);
	assert_true(dsize);
	assert_true(fbits);
	assert_true(fint);
}

static void test_move_rule(void **state)
{
	(void)state;
	fixture_t f;
	fx_init(&f);
	setu_rule_t *r = NULL;
	int rc = setu_rule_parse(&f.pc, RULE, strlen(RULE), &r);
	if (rc != 0)
		print_error("parse: %s\n", f.d.msg);
	assert_int_equal(rc, 0);
	check_rule(r);
	assert_false(r->arena);
	detect_arena_t a = {0};
	setu_rule_t *orig = r;
	assert_int_equal(setu_rule_to_arena(&a, &r), 0);
	assert_true(r->arena);
	assert_true(r->arena_sms); /* PCRE2 code and the dsize payload stay malloc'd */
	assert_ptr_not_equal(r, orig); /* the malloc'd struct was freed (ASan checks) */
	check_rule(r);
	/* every movable payload now sits in the arena; others stay malloc-owned */
	for (uint32_t i = 0; i < r->bl[0].l.n; i++)
		assert_int_equal(r->bl[0].l.v[i].arena, 1);
	for (int k = 0; k < LIST_COUNT; k++)
		for (uint32_t i = 0; i < r->lists[k].n; i++)
			if (r->lists[k].v[i].type == SM_DSIZE)
				assert_int_equal(r->lists[k].v[i].arena, 0);
	/* moving twice is a no-op */
	setu_rule_t *same = r;
	assert_int_equal(setu_rule_to_arena(&a, &r), 0);
	assert_ptr_equal(r, same);
	assert_true(a.bytes > 0);
	setu_rule_free(r); /* PCRE2 code, dsize payload */
	detect_arena_free(&a);
	fx_free(&f);
}

static void test_engine_duplicates(void **state)
{
	(void)state;
	/* sid 2 is replaced by a higher rev (its first copy's arena bytes stay until the
	 * engine is freed), then a lower rev is dropped; a bad rule and an unsupported
	 * one are skipped without touching the arena */
	const char *text =
	    "alert tcp any any -> any any (msg:\"one\"; flow:established; "
	    "content:\"aaa\"; "
	    "sid:1;)\n"
	    "alert tcp any any -> any any (msg:\"two\"; content:\"bbb\"; "
	    "pcre:\"/b+c/\"; sid:2; rev:1;)\n"
	    "alert tcp any any -> any any (msg:\"two v2\"; content:\"ccc\"; "
	    "pcre:\"/c+d/\"; metadata:k v; sid:2; rev:2;)\n"
	    "alert tcp any any -> any any (msg:\"two old\"; content:\"ddd\"; "
	    "pcre:\"/d+/\"; sid:2; rev:0;)\n"
	    "alert tcp any any -> any any (msg:\"bad\"; content:\"x\"; depth:zz; "
	    "sid:3;)\n"
	    "alert tcp any any -> any any (msg:\"unsup\"; nosuchkeyword; sid:4;)\n";
	setu_diag_t d = {0};
	setu_detect_engine_t *de = setu_detect_engine_load_mem(
	    NULL, "t.rules", text, strlen(text), NULL, NULL, &d);
	assert_non_null(de);
	assert_int_equal(de->nrules, 2);
	bool seen2 = false;
	for (uint32_t i = 0; i < de->nrules; i++) {
		const setu_rule_t *r = de->rules[i];
		assert_true(r->arena);
		/* sid 1: content and flow only, nothing left to free per rule */
		assert_int_equal(r->arena_sms, r->info.sid == 2);
		if (r->info.sid == 2) {
			seen2 = true;
			assert_int_equal(r->info.rev, 2);
			assert_string_equal(r->info.msg, "two v2");
			assert_int_equal(r->info.nmetadata, 1);
			assert_string_equal(r->info.metadata[0], "k v");
		}
	}
	assert_true(seen2);
	assert_int_equal(de->arena.bytes, SETU_DETECT_ARENA_CHUNK);
	setu_detect_engine_free(de);
}

/* Many rules: several chunks; everything is released by setu_detect_engine_free. */
static void test_engine_many(void **state)
{
	(void)state;
	size_t n = 3000, cap = n * 200, off = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, cap - off,
		                        "alert tcp any any -> any %zu (msg:\"r %zu\"; "
		                        "content:\"pattern-%zu\"; sid:%zu;)\n",
		                        1000 + i, i, i, i + 1);
	setu_diag_t d = {0};
	setu_detect_engine_t *de =
	    setu_detect_engine_load_mem(NULL, "many", text, off, NULL, NULL, &d);
	free(text);
	assert_non_null(de);
	assert_int_equal(de->nrules, n);
	assert_true(de->arena.bytes > SETU_DETECT_ARENA_CHUNK);
	for (uint32_t i = 0; i < de->nrules; i++) {
		assert_true(de->rules[i]->arena);
		assert_false(de->rules[i]->arena_sms);
	}
	setu_detect_engine_free(de);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alloc),
	    cmocka_unit_test(test_move_rule),
	    cmocka_unit_test(test_engine_duplicates),
	    cmocka_unit_test(test_engine_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
