/* test_intel_pattern.c — STIX 2.1 pattern parser (STIX 2.1 OS part 9): every construct,
 * the AST it builds, and each error path with its column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/pattern.h"
#include "common/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static setu_pattern_t *ok(const char *src)
{
	setu_pattern_t *p = NULL;
	setu_diag_t d;
	memset(&d, 0, sizeof(d));
	int rc = setu_pattern_parse(src, strlen(src), &p, &d);
	if (rc != 0)
		fail_msg("pattern should parse: %s\n  error col %u: %s", src, d.column,
		         d.msg);
	assert_non_null(p);
	return p;
}

/* Parse must fail at column col with a message containing want. */
static void bad(const char *src, unsigned col, const char *want)
{
	setu_pattern_t *p = NULL;
	setu_diag_t d;
	memset(&d, 0, sizeof(d));
	int rc = setu_pattern_parse(src, strlen(src), &p, &d);
	if (rc == 0)
		fail_msg("pattern should fail: %s", src);
	assert_null(p);
	assert_int_equal(rc, SETU_EPARSE);
	if (d.column != col || strstr(d.msg, want) == NULL)
		fail_msg("pattern %s\n  got col %u '%s'\n  want col %u '...%s...'", src,
		         d.column, d.msg, col, want);
}

static const setu_pat_node_t *cmp_of(const setu_pattern_t *p)
{
	const setu_pat_node_t *r = setu_pattern_root(p);
	assert_int_equal(r->kind, SETU_PAT_OBSERVATION);
	assert_int_equal(r->nchildren, 1);
	return r->children[0];
}

static void test_simple_comparison(void **state)
{
	(void)state;
	setu_pattern_t *p = ok("[ipv4-addr:value = '198.51.100.7']");
	const setu_pat_node_t *c = cmp_of(p);
	assert_int_equal(c->kind, SETU_PAT_COMPARISON);
	assert_string_equal(c->path.object_type, "ipv4-addr");
	assert_int_equal(c->path.nsteps, 1);
	assert_string_equal(c->path.steps[0].key, "value");
	assert_int_equal(c->op, SETU_PAT_OP_EQ);
	assert_false(c->negated);
	assert_int_equal(c->value.kind, SETU_PAT_V_STRING);
	assert_string_equal(c->value.bytes, "198.51.100.7");
	assert_int_equal(c->value.column, 20);
	assert_int_equal(c->column, 2);
	assert_int_equal(setu_pattern_ncomparisons(p), 1);
	setu_pattern_free(p);
}

static void test_paths(void **state)
{
	(void)state;
	char buf[128];
	setu_pattern_t *p =
	    ok("[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]");
	const setu_pat_node_t *c = cmp_of(p);
	assert_int_equal(c->path.nsteps, 5);
	assert_string_equal(c->path.steps[1].key, "windows-pebinary-ext");
	assert_int_equal(c->path.steps[3].kind, SETU_PAT_STEP_ANY);
	assert_int_equal(c->op, SETU_PAT_OP_GT);
	assert_int_equal(c->value.kind, SETU_PAT_V_FLOAT);
	assert_true(c->value.f == 7.0);
	setu_pat_path_format(&c->path, buf, sizeof(buf));
	assert_string_equal(buf, "extensions.windows-pebinary-ext.sections.*.entropy");
	setu_pattern_free(p);

	p = ok("[network-connection:extended_properties[0].source_payload MATCHES 'x']");
	c = cmp_of(p);
	assert_true(setu_pat_path_is(&c->path, "network-connection",
	                             "extended_properties.0.source_payload"));
	assert_false(setu_pat_path_is(&c->path, "network-connection",
	                              "extended_properties.1.source_payload"));
	assert_int_equal(c->path.steps[1].kind, SETU_PAT_STEP_INDEX);
	assert_int_equal(c->path.steps[1].index, 0);
	setu_pat_path_format(&c->path, buf, sizeof(buf));
	assert_string_equal(buf, "extended_properties.0.source_payload");
	setu_pattern_free(p);

	/* quoted first component, negative index, escaped quote in a key */
	p = ok("[x-thing:'first name'[-1].'it\\'s' = 1]");
	c = cmp_of(p);
	assert_string_equal(c->path.steps[0].key, "first name");
	assert_int_equal(c->path.steps[1].index, -1);
	assert_string_equal(c->path.steps[2].key, "it's");
	setu_pattern_free(p);

	p = ok("[network-traffic:extensions.'http-request-ext'.request_method = 'get']");
	c = cmp_of(p);
	assert_true(setu_pat_path_is(&c->path, "network-traffic",
	                             "extensions.http-request-ext.request_method"));
	assert_false(
	    setu_pat_path_is(&c->path, "network-traffic", "extensions.http-request-ext"));
	assert_false(setu_pat_path_is(&c->path, "network-traffic",
	                              "extensions.http-request-ext.request_method.x"));
	assert_false(setu_pat_path_is(&c->path, "file",
	                              "extensions.http-request-ext.request_method"));
	setu_pat_path_format(&c->path, buf, sizeof(buf));
	assert_string_equal(buf, "extensions.http-request-ext.request_method");
	/* truncation keeps the full length and terminates */
	assert_int_equal(setu_pat_path_format(&c->path, buf, 8),
	                 strlen("extensions.http-request-ext.request_method"));
	assert_string_equal(buf, "extensi");
	setu_pattern_free(p);
}

static void test_constants(void **state)
{
	(void)state;
	setu_pattern_t *p =
	    ok("[x:a = -42 AND x:b = +7 AND x:c = -0.5 AND x:d = true AND "
	       "x:e = false AND x:f = h'ff00' AND x:g = b'aGk=' AND "
	       "x:h = t'2016-06-01T01:30:00.123Z' AND x:i = 'a\\\\b\\'c' AND "
	       "x:j = 9223372036854775807 AND x:k = -9223372036854775808 AND x:l = .5]");
	const setu_pat_node_t *a = cmp_of(p);
	assert_int_equal(a->kind, SETU_PAT_CMP_AND);
	assert_int_equal(a->nchildren, 12);
	const setu_pat_node_t *const *k = a->children;
	assert_int_equal(k[0]->value.kind, SETU_PAT_V_INT);
	assert_int_equal(k[0]->value.i, -42);
	assert_int_equal(k[1]->value.i, 7);
	assert_true(k[2]->value.f == -0.5);
	assert_true(k[3]->value.b);
	assert_false(k[4]->value.b);
	assert_int_equal(k[5]->value.kind, SETU_PAT_V_HEX);
	assert_int_equal(k[5]->value.len, 2);
	assert_memory_equal(k[5]->value.bytes, "\xff\x00", 2);
	assert_int_equal(k[6]->value.kind, SETU_PAT_V_BINARY);
	assert_int_equal(k[6]->value.len, 2);
	assert_memory_equal(k[6]->value.bytes, "hi", 2);
	assert_int_equal(k[7]->value.kind, SETU_PAT_V_TIMESTAMP);
	assert_int_equal(k[7]->value.ts_sec, 1464744600);
	assert_int_equal(k[7]->value.ts_nsec, 123000000);
	assert_string_equal(k[7]->value.bytes, "2016-06-01T01:30:00.123Z");
	assert_string_equal(k[8]->value.bytes, "a\\b'c");
	assert_int_equal(k[8]->value.len, 5);
	assert_true(k[9]->value.i == INT64_MAX);
	assert_true(k[10]->value.i == INT64_MIN);
	assert_true(k[11]->value.f == 0.5);
	setu_pattern_free(p);

	/* base64 with two pad characters and without padding; empty hex */
	p = ok("[artifact:payload_bin = b'aA==' OR artifact:payload_bin = b'aGVs' OR "
	       "file:magic_number_hex = h'']");
	const setu_pat_node_t *o = cmp_of(p);
	assert_int_equal(o->kind, SETU_PAT_CMP_OR);
	assert_int_equal(o->children[0]->value.len, 1);
	assert_int_equal(o->children[1]->value.len, 3);
	assert_memory_equal(o->children[1]->value.bytes, "hel", 3);
	assert_int_equal(o->children[2]->value.len, 0);
	setu_pattern_free(p);
}

static void test_sets_and_operators(void **state)
{
	(void)state;
	setu_pattern_t *p =
	    ok("[network-traffic:dst_port IN (443, 6443,8443) AND "
	       "network-traffic:src_packets != 0 AND file:name NOT LIKE 'a%' AND "
	       "ipv4-addr:value NOT ISSUBSET '10.0.0.0/8' AND "
	       "ipv6-addr:value ISSUPERSET '2001:db8::1' AND x:y <= 3 AND x:z >= 't' "
	       "AND x:w < 1 AND x:v <> 2 AND x:u == 3 AND x:t IN ()]");
	const setu_pat_node_t *a = cmp_of(p);
	assert_int_equal(a->nchildren, 11);
	const setu_pat_node_t *const *k = a->children;
	assert_int_equal(k[0]->op, SETU_PAT_OP_IN);
	assert_int_equal(k[0]->value.kind, SETU_PAT_V_SET);
	assert_int_equal(k[0]->value.nitems, 3);
	assert_int_equal(k[0]->value.items[2].i, 8443);
	assert_int_equal(k[1]->op, SETU_PAT_OP_NEQ);
	assert_int_equal(k[2]->op, SETU_PAT_OP_LIKE);
	assert_true(k[2]->negated);
	assert_int_equal(k[3]->op, SETU_PAT_OP_ISSUBSET);
	assert_true(k[3]->negated);
	assert_int_equal(k[4]->op, SETU_PAT_OP_ISSUPERSET);
	assert_int_equal(k[5]->op, SETU_PAT_OP_LE);
	assert_int_equal(k[6]->op, SETU_PAT_OP_GE);
	assert_int_equal(k[7]->op, SETU_PAT_OP_LT);
	assert_int_equal(k[8]->op, SETU_PAT_OP_NEQ);
	assert_int_equal(k[9]->op, SETU_PAT_OP_EQ);
	assert_int_equal(k[10]->value.nitems, 0);
	assert_string_equal(setu_pat_op_name(k[3]->op), "ISSUBSET");
	setu_pattern_free(p);

	p = ok("[EXISTS file:name AND NOT EXISTS file:size]");
	a = cmp_of(p);
	assert_int_equal(a->children[0]->kind, SETU_PAT_EXISTS);
	assert_false(a->children[0]->negated);
	assert_true(a->children[1]->negated);
	assert_int_equal(setu_pattern_ncomparisons(p), 2);
	setu_pattern_free(p);
}

static void test_precedence(void **state)
{
	(void)state;
	/* AND binds tighter than OR inside an observation; parentheses group */
	setu_pattern_t *p = ok("[a:b = 1 OR a:c = 2 AND a:d = 3]");
	const setu_pat_node_t *o = cmp_of(p);
	assert_int_equal(o->kind, SETU_PAT_CMP_OR);
	assert_int_equal(o->nchildren, 2);
	assert_int_equal(o->children[1]->kind, SETU_PAT_CMP_AND);
	setu_pattern_free(p);

	p = ok("[(a:b = 1 OR a:c = 2) AND a:d = 3]");
	o = cmp_of(p);
	assert_int_equal(o->kind, SETU_PAT_CMP_AND);
	assert_int_equal(o->children[0]->kind, SETU_PAT_CMP_OR);
	setu_pattern_free(p);

	/* observation level: AND > OR > FOLLOWEDBY */
	p = ok("[a:b = 1] FOLLOWEDBY [a:b = 2] OR [a:b = 3] AND [a:b = 4]");
	const setu_pat_node_t *r = setu_pattern_root(p);
	assert_int_equal(r->kind, SETU_PAT_FOLLOWEDBY);
	assert_int_equal(r->nchildren, 2);
	assert_int_equal(r->children[1]->kind, SETU_PAT_OBS_OR);
	assert_int_equal(r->children[1]->children[1]->kind, SETU_PAT_OBS_AND);
	setu_pattern_free(p);

	p = ok("([file:name = 'foo.dll'] AND [win-registry-key:key = 'k']) OR "
	       "[process:name = "
	       "'fooproc' OR process:name = 'procfoo']");
	r = setu_pattern_root(p);
	assert_int_equal(r->kind, SETU_PAT_OBS_OR);
	assert_int_equal(r->children[0]->kind, SETU_PAT_GROUP);
	assert_int_equal(r->children[0]->children[0]->kind, SETU_PAT_OBS_AND);
	assert_int_equal(setu_pattern_ncomparisons(p), 4);
	assert_string_equal(setu_pat_kind_name(r->children[0]->kind), "group");
	setu_pattern_free(p);
}

static void test_qualifiers(void **state)
{
	(void)state;
	setu_pattern_t *p =
	    ok("[ipv4-addr:value = '1.2.3.4'] REPEATS 5 TIMES WITHIN 1.5 SECONDS");
	const setu_pat_node_t *r = setu_pattern_root(p);
	assert_int_equal(r->nquals, 2);
	assert_int_equal(r->quals[0].kind, SETU_PAT_Q_REPEATS);
	assert_int_equal(r->quals[0].times, 5);
	assert_int_equal(r->quals[1].kind, SETU_PAT_Q_WITHIN);
	assert_true(r->quals[1].seconds == 1.5);
	setu_pattern_free(p);

	p = ok("[a:b = 1] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00.5Z'");
	r = setu_pattern_root(p);
	assert_int_equal(r->nquals, 1);
	assert_int_equal(r->quals[0].kind, SETU_PAT_Q_STARTSTOP);
	assert_int_equal(r->quals[0].stop.ts_sec - r->quals[0].start.ts_sec, 3000);
	assert_int_equal(r->quals[0].stop.ts_nsec, 500000000);
	setu_pattern_free(p);

	/* the qualifier binds to the last observation, not to the AND */
	p = ok("[a:b = 1] AND [a:b = 2] WITHIN 5 SECONDS");
	r = setu_pattern_root(p);
	assert_int_equal(r->kind, SETU_PAT_OBS_AND);
	assert_int_equal(r->nquals, 0);
	assert_int_equal(r->children[1]->nquals, 1);
	setu_pattern_free(p);

	/* a group may be qualified again (reference validator behaviour) */
	p = ok("([a:b = 1] WITHIN 5 SECONDS) WITHIN 6 SECONDS WITHIN 7 SECONDS");
	r = setu_pattern_root(p);
	assert_int_equal(r->kind, SETU_PAT_GROUP);
	assert_int_equal(r->nquals, 2);
	assert_int_equal(r->children[0]->nquals, 1);
	setu_pattern_free(p);
}

static void test_whitespace_and_comments(void **state)
{
	(void)state;
	setu_pattern_t *p = ok("/* c */ [ a:b\t=\n1 ] // trailing\n");
	setu_pattern_free(p);
	/* Unicode spaces from the grammar's WS set: U+00A0 and U+3000 */
	p = ok("[a:b\xc2\xa0=\xe3\x80\x80"
	       "1]");
	setu_pattern_free(p);
	/* errors on later lines name line and column */
	setu_pattern_t *q = NULL;
	setu_diag_t d;
	memset(&d, 0, sizeof(d));
	const char *src = "[a:b = 1]\n AND\n  [a:c = ]";
	assert_int_equal(setu_pattern_parse(src, strlen(src), &q, &d), SETU_EPARSE);
	assert_int_equal(d.line, 3);
	assert_int_equal(d.column, 10);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	bad("", 1, "empty pattern");
	bad("   ", 1, "empty pattern");
	bad("file:size = 1280", 1, "expected '[' to start an observation");
	bad("[file:size = ]", 14, "expected a constant");
	bad("[file:hashes.MD5 = cead3f]", 20, "expected a constant");
	bad("[file.size = 1280]", 6, "expected ':' between the object type");
	bad("[file:name MATCHES /x/]", 20, "unexpected character '/'");
	bad("[a:b = 1] WITHIN ]", 18, "positive number of seconds");
	bad("[a:b = 1] WITHIN 5 HOURS", 20, "expected SECONDS");
	bad("[a:b = 1] WITHIN -5 SECONDS", 18, "positive number of seconds");
	bad("[a:b = 1] REPEATS 2.5 TIMES", 19, "positive integer after REPEATS");
	bad("[a:b = 1] REPEATS 2 SECONDS", 21, "expected TIMES");
	bad("[a:b = 1] START '2016' STOP t'2016-06-01T01:30:00Z'", 17, "timestamp");
	bad("[a:b = 1] START t'2016-06-01T01:30:00Z' t'2016-06-01T01:30:00Z'", 41,
	    "expected STOP");
	bad("[a:b ISSUBSET ]", 15, "string constant after ISSUBSET");
	bad("[a:b LIKE 5]", 11, "string constant after LIKE");
	bad("[a:b MATCHES true]", 14, "string constant after MATCHES");
	bad("[a:b > true]", 8, "orderable constant after >");
	bad("[a:b IN 'x']", 9, "'(' to start a set");
	bad("[a:b IN ('x' 'y')]", 14, "',' or ')' in the set");
	bad("[a:b IN ('x', ]", 15, "a constant in the set");
	bad("[a:b =? 1]", 7, "unexpected character '?'");
	bad("[a:b ! 1]", 6, "did you mean '!='");
	bad("[a:b = 1] within 5 seconds", 11, "keywords are upper case");
	bad("[a:b = 1", 9, "expected ']'");
	bad("[a:b = 1] [a:b = 2]", 11, "expected AND, OR, FOLLOWEDBY");
	bad("[a:b = 1] AND", 14, "expected '['");
	bad("([a:b = 1]", 11, "expected ')'");
	bad("[(a:b = 1]", 10, "expected ')'");
	bad("[a:b NOT EXISTS]", 10, "comparison operator");
	bad("[NOT a:b = 1]", 6, "expected EXISTS after a leading NOT");
	bad("[a = 1]", 4, "':' after the object type");
	bad("[a: = 1]", 5, "property name after ':'");
	bad("[a:b. = 1]", 7, "property name after '.'");
	bad("[a:b-c = 1]", 4, "cannot contain '-' unquoted");
	bad("[a:b.c-d = 1]", 6, "cannot contain '-' unquoted");
	bad("[a:b[x] = 1]", 6, "list index or '*'");
	bad("[a:b[1 = 1]", 8, "']' after the list index");
	bad("[a:b[1.5] = 1]", 6, "list index or '*'");
	bad("[AND:b = 1]", 2, "expected an object path");
	bad("[a:true = 1]", 4, "property name");
	bad("[1:b = 1]", 2, "object path");
	bad("[a:b = 0123]", 9, "expected ']'");
	bad("[a:b = 198.51.100.7]", 14, "expected ']'");
	bad("[a:b = 'a''b']", 11, "expected ']'");
	bad("[a:b = 1] FOLLOWEDBY", 21, "expected '['");
	bad("[a:b = 1] /* open comment", 11, "unexpected character '/'");
	bad("[a:b = 1]\x01", 10, "unexpected byte 0x01");
}

static void test_literal_errors(void **state)
{
	(void)state;
	bad("[a:b = 'abc]", 8, "unterminated string");
	bad("[a:b = 'a\\d']", 10, "invalid escape");
	bad("[a:b = t'2457-73-22T32:81:84.1Z']", 8, "invalid timestamp literal");
	bad("[a:b = t'2016-06-01T01:30:00']", 8, "invalid timestamp literal");
	bad("[a:b = t'2016-06-01T01:30:00.Z']", 8, "invalid timestamp literal");
	bad("[a:b = t'2023-02-29T00:00:00Z']", 8, "has no day 29");
	bad("[a:b = t'2016-04-31T00:00:00Z']", 8, "has no day 31");
	bad("[a:b = b'====']", 8, "invalid binary literal");
	bad("[a:b = b'']", 8, "invalid binary literal");
	bad("[a:b = b'abc']", 8, "invalid binary literal");
	bad("[a:b = b'a=bc']", 8, "invalid binary literal");
	bad("[a:b = h'abc']", 8, "invalid hex literal");
	bad("[a:b = h'zz']", 8, "invalid hex literal");
	bad("[a:b = 9223372036854775808]", 8, "out of the 64-bit range");
	bad("[a:b = -9223372036854775809]", 8, "out of the 64-bit range");
	bad("[a:b = 99999999999999999999999]", 8, "out of the 64-bit range");
	/* valid edge cases of the same literals */
	setu_pattern_free(ok("[a:b = t'2024-02-29T23:59:60Z']"));
	setu_pattern_free(ok("[a:b = t'2000-02-29T00:00:00.123456789123Z']"));
	setu_pattern_free(ok("[a:b = 'multi\nline']"));
}

static void test_semantic_errors(void **state)
{
	(void)state;
	bad("[file:hashes.'SHA-256' = 'f00']", 26, "'f00' is not a valid SHA-256 hash");
	bad("[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879g']", 20,
	    "valid MD5 hash");
	bad("[file:hashes.md5 != 5]", 21, "must be a string constant");
	bad("[file:hashes.'SHA-1' IN ('2fd4e1c67a2d28fced849ee1bb76e7391b93eb12', 'x')]",
	    70, "'x' is not a valid SHA-1 hash");
	bad("[x509-certificate:hashes.SSDEEP = 'bad space']", 35, "SSDEEP");
	/* LIKE/MATCHES take patterns, [*] and unknown algorithms are not checked */
	setu_pattern_free(ok("[file:hashes.MD5 LIKE 'cead%']"));
	setu_pattern_free(ok("[file:hashes[*] = 'abc']"));
	setu_pattern_free(ok("[file:hashes.'x-custom' = 'abc']"));
	setu_pattern_free(
	    ok("[file:hashes.'SHA3-256' = "
	       "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']"));
	setu_pattern_free(
	    ok("[file:hashes.MD6 = '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12']"));
	setu_pattern_free(ok("[file:hashes.SSDEEP = '96:abc+/:de.f']"));

	bad("[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS", 28, "duplicate WITHIN");
	bad("([a:b = 1] REPEATS 2 TIMES REPEATS 3 TIMES)", 28, "duplicate REPEATS");
	bad("[a:b = 1] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:30:00Z' "
	    "START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:30:00Z'",
	    70, "duplicate START/STOP");
}

static void test_not_exists_flag(void **state)
{
	(void)state;
	const char *src = "[NOT EXISTS file:name]";
	setu_pattern_t *p = NULL;
	setu_diag_t d;
	memset(&d, 0, sizeof(d));
	assert_int_equal(setu_pattern_parse_ex(src, strlen(src), 0, &p, &d), 0);
	setu_pattern_free(p);
	p = NULL;
	assert_int_equal(
	    setu_pattern_parse_ex(src, strlen(src), SETU_PATTERN_NO_NOT_EXISTS, &p, &d),
	    SETU_EPARSE);
	assert_null(p);
	assert_int_equal(d.column, 2);
	/* EXISTS alone is fine in both modes */
	src = "[EXISTS file:name]";
	assert_int_equal(
	    setu_pattern_parse_ex(src, strlen(src), SETU_PATTERN_NO_NOT_EXISTS, &p, &d),
	    0);
	setu_pattern_free(p);
}

static void test_limits(void **state)
{
	(void)state;
	setu_pattern_t *p = NULL;
	setu_diag_t d;
	memset(&d, 0, sizeof(d));
	/* nesting deeper than the limit is refused, not a stack overflow */
	size_t depth = SETU_STIX_PATTERN_MAX_DEPTH + 5;
	char *s = malloc(depth * 2 + 32);
	assert_non_null(s);
	size_t o = 0;
	for (size_t i = 0; i < depth; i++)
		s[o++] = '(';
	memcpy(s + o, "[a:b = 1]", 9);
	o += 9;
	for (size_t i = 0; i < depth; i++)
		s[o++] = ')';
	assert_int_equal(setu_pattern_parse(s, o, &p, &d), SETU_ELIMIT);
	assert_null(p);
	/* the same inside an observation */
	o = 0;
	s[o++] = '[';
	for (size_t i = 0; i < depth; i++)
		s[o++] = '(';
	memcpy(s + o, "a:b=1", 5);
	o += 5;
	assert_int_equal(setu_pattern_parse(s, o, &p, &d), SETU_ELIMIT);
	free(s);
	/* over-long input */
	assert_int_equal(setu_pattern_parse("[", SETU_STIX_PATTERN_MAX_LEN + 1, &p, &d),
	                 SETU_ELIMIT);
	/* src need not be NUL-terminated: only len bytes are read */
	char buf[16];
	memcpy(buf, "[a:b = 1]XXXXXXX", 16);
	assert_int_equal(setu_pattern_parse(buf, 9, &p, &d), 0);
	setu_pattern_free(p);
	assert_int_equal(setu_pattern_parse(NULL, 0, NULL, &d), SETU_EINVAL);
	setu_pattern_free(NULL);
}

static void test_long_or_list(void **state)
{
	(void)state;
	/* 20000 alternatives: one flat node, not a 20000-deep tree */
	size_t n = 20000;
	char *s = malloc(n * 40 + 8);
	assert_non_null(s);
	size_t o = 0;
	s[o++] = '[';
	for (size_t i = 0; i < n; i++)
		o += (size_t)sprintf(s + o, "%sipv4-addr:value = '10.%zu.%zu.1'",
		                     i ? " OR " : "", (i >> 8) & 255, i & 255);
	s[o++] = ']';
	setu_pattern_t *p = NULL;
	setu_diag_t d;
	memset(&d, 0, sizeof(d));
	assert_int_equal(setu_pattern_parse(s, o, &p, &d), 0);
	const setu_pat_node_t *c = cmp_of(p);
	assert_int_equal(c->kind, SETU_PAT_CMP_OR);
	assert_int_equal(c->nchildren, n);
	assert_string_equal(c->children[n - 1]->value.bytes, "10.78.31.1");
	setu_pattern_free(p);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_simple_comparison),
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_constants),
	    cmocka_unit_test(test_sets_and_operators),
	    cmocka_unit_test(test_precedence),
	    cmocka_unit_test(test_qualifiers),
	    cmocka_unit_test(test_whitespace_and_comments),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_literal_errors),
	    cmocka_unit_test(test_semantic_errors),
	    cmocka_unit_test(test_not_exists_flag),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_long_or_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
