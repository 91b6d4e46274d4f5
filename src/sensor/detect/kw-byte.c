/* kw-byte.c — byte_test, byte_jump, byte_extract and byte_math argument parsing with
 * Suricata's syntax and limits (Suricata docs: "Payload Keywords", byte_*). */
#include "detect-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* decimal or 0x hex, optionally negative */
static int parse_anynum(const char *s, int64_t *out)
{
	bool neg = false;
	if (*s == '-') {
		neg = true;
		s++;
	}
	uint64_t v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (s[2] == '\0')
			return SETU_EINVAL;
		char *end;
		v = strtoull(s + 2, &end, 16);
		if (*end != '\0')
			return SETU_EINVAL;
	} else if (parse_u64(s, UINT64_MAX, &v) != 0) {
		return SETU_EINVAL;
	}
	if (v > (uint64_t)INT64_MAX)
		*out = (int64_t)
		    v; /* large unsigned values (bitmasks) wrap, compared as u64 */
	else
		*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static int numval_or_var(parse_ctx_t *pc, setu_rule_t *r, const char *kw, const char *s,
                         numval_t *out)
{
	int64_t v;
	if (parse_anynum(s, &v) == 0) {
		out->v = v;
		out->var = -1;
		return 0;
	}
	int vi = rule_var_find(r, s);
	if (vi < 0)
		return perr(
		    pc,
		    "%s: '%s' is neither a number nor a byte_extract/byte_math variable",
		    kw, s);
	out->var = (int8_t)vi;
	out->v = 0;
	return 0;
}

static int add_var(parse_ctx_t *pc, setu_rule_t *r, const char *kw, const char *name)
{
	if (name[0] == '\0')
		return perr(pc, "%s: empty variable name", kw);
	if (rule_var_find(r, name) >= 0)
		return perr(pc, "%s: variable '%s' already defined in this rule", kw,
		            name);
	if (r->nvars >= DETECT_MAX_VARS)
		return perr(pc, "%s: too many variables in one rule (max %d)", kw,
		            DETECT_MAX_VARS);
	char *d = strdup(name);
	if (d == NULL)
		return SETU_ENOMEM;
	r->varnames[r->nvars] = d;
	return r->nvars++;
}

static int base_of(const char *s)
{
	if (strcmp(s, "hex") == 0)
		return 16;
	if (strcmp(s, "dec") == 0)
		return 10;
	if (strcmp(s, "oct") == 0)
		return 8;
	return 0;
}

/* common trailing options; returns 1 if consumed the arg (and maybe one more via *i) */
static int common_opt(parse_ctx_t *pc, const char *kw, char **a, int n, int *i,
                      sm_byte_t *by)
{
	const char *o = a[*i];
	if (strcmp(o, "relative") == 0) {
		by->flags |= BY_RELATIVE;
		return 1;
	}
	if (strcmp(o, "big") == 0) {
		by->flags &= ~BY_LITTLE;
		return 1;
	}
	if (strcmp(o, "little") == 0) {
		by->flags |= BY_LITTLE;
		return 1;
	}
	if (strcmp(o, "dce") == 0) {
		char k[32];
		snprintf(k, sizeof(k), "%s/dce", kw);
		return punsup(pc, k);
	}
	if (strcmp(o, "string") == 0) {
		by->flags |= BY_STRING;
		by->base = 10;
		if (*i + 1 < n && base_of(a[*i + 1]) != 0) {
			by->base = (uint8_t)base_of(a[*i + 1]);
			(*i)++;
		}
		return 1;
	}
	if (strncmp(o, "string ", 7) == 0) { /* byte_math form "string hex" */
		int b = base_of(str_trim((char *)o + 7));
		if (b == 0)
			return perr(pc, "%s: invalid string base '%s'", kw, o + 7);
		by->flags |= BY_STRING;
		by->base = (uint8_t)b;
		return 1;
	}
	if (strncmp(o, "bitmask", 7) == 0) {
		int64_t v;
		const char *m = str_trim((char *)o + 7);
		if (parse_anynum(m, &v) != 0 || v == 0)
			return perr(pc, "%s: invalid bitmask '%s'", kw, m);
		by->flags |= BY_BITMASK;
		by->bitmask = (uint64_t)v;
		return 1;
	}
	if (strncmp(o, "endian ", 7) == 0) {
		const char *e = str_trim((char *)o + 7);
		if (strcmp(e, "big") == 0)
			by->flags &= ~BY_LITTLE;
		else if (strcmp(e, "little") == 0)
			by->flags |= BY_LITTLE;
		else if (strcmp(e, "dce") == 0) {
			char k[32];
			snprintf(k, sizeof(k), "%s/dce", kw);
			return punsup(pc, k);
		} else
			return perr(pc, "%s: invalid endian '%s'", kw, e);
		return 1;
	}
	return 0;
}

/* allow_zero: byte_jump accepts 0 bytes (a pure post_offset move, as ET uses it) */
static int check_nbytes(parse_ctx_t *pc, const char *kw, const char *s, sm_byte_t *by,
                        bool allow_zero)
{
	uint64_t nb;
	if (parse_u64(s, 255, &nb) != 0 || (nb == 0 && !allow_zero))
		return perr(pc, "%s: invalid number of bytes '%s'", kw, s);
	by->nbytes = (uint8_t)nb;
	return 0;
}

/* byte_test and byte_jump (Suricata 7) also take the number of bytes from a variable */
static int check_nbytes_or_var(parse_ctx_t *pc, setu_rule_t *r, const char *kw,
                               const char *s, sm_byte_t *by, bool allow_zero)
{
	int vi = rule_var_find(r, s);
	if (vi >= 0) {
		by->nbytes_var = (int8_t)vi;
		by->nbytes = 0;
		return 0;
	}
	return check_nbytes(pc, kw, s, by, allow_zero);
}

static int check_nbytes_final(parse_ctx_t *pc, const char *kw, sm_byte_t *by)
{
	if (by->nbytes_var >= 0)
		return 0; /* checked against the limits when the value is known */
	if (by->nbytes == 0 && !(by->flags & BY_STRING) && strcmp(kw, "byte_test") == 0)
		return perr(pc, "byte_test: 0 bytes needs 'string'");
	if (by->flags & BY_STRING) {
		if (by->nbytes > 23)
			return perr(pc, "%s: can't process more than 23 bytes of string",
			            kw);
	} else if (by->nbytes > 8) {
		return perr(pc, "%s: can't process more than 8 bytes without 'string'",
		            kw);
	}
	if ((by->flags & BY_STRING) && (by->flags & BY_LITTLE))
		return perr(pc, "%s: 'string' can't be combined with an endianness", kw);
	return 0;
}

static int attach(parse_ctx_t *pc, setu_rule_t *r, uint8_t type, sm_byte_t *by, int rc)
{
	if (rc == 0) {
		if (r->lists[LIST_PMATCH].n >= SETU_DETECT_MAX_PAYLOAD_KW)
			rc = perr(pc, "too many payload keywords in one rule");
	}
	sm_t *sm = rc == 0 ? rule_add_sm(r, LIST_PMATCH, type) : NULL;
	if (rc == 0 && sm == NULL)
		rc = SETU_ENOMEM;
	if (rc != 0) {
		free(by);
		return rc;
	}
	sm->u.by = by;
	return 0;
}

int kw_byte_test_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	const char *kw = "byte_test";
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *a[16];
	int n = split_args(buf, a, 16);
	if (n < 4)
		return perr(pc, "byte_test: needs at least 4 arguments (bytes, operator, "
		                "value, offset)");
	sm_byte_t *by = calloc(1, sizeof(*by));
	if (by == NULL)
		return SETU_ENOMEM;
	by->nbytes_var = -1;
	by->result_var = -1;
	/* byte_test 0 bytes is accepted by Suricata (ET uses it with string on
	 * http.content_len): a 0-byte string never extracts, so it never matches */
	int rc = check_nbytes_or_var(pc, r, kw, a[0], by, true);
	const char *op = a[1];
	if (rc == 0 && *op == '!') {
		by->flags |= BY_NEGATE;
		op++;
	}
	if (rc == 0) {
		if (strcmp(op, "<") == 0)
			by->op = '<';
		else if (strcmp(op, ">") == 0)
			by->op = '>';
		else if (strcmp(op, "=") == 0)
			by->op = '=';
		else if (strcmp(op, "") == 0 && (by->flags & BY_NEGATE))
			by->op = '='; /* "!" alone: not equal */
		else if (strcmp(op, "&") == 0)
			by->op = '&';
		else if (strcmp(op, "^") == 0)
			by->op = '^';
		else if (strcmp(op, "<=") == 0)
			by->op = 'l';
		else if (strcmp(op, ">=") == 0)
			by->op = 'g';
		else
			rc = perr(pc, "byte_test: invalid operator '%s'", a[1]);
	}
	if (rc == 0)
		rc = numval_or_var(pc, r, kw, a[2], &by->value);
	if (rc == 0)
		rc = numval_or_var(pc, r, kw, a[3], &by->offset);
	for (int i = 4; rc == 0 && i < n; i++) {
		int c = common_opt(pc, kw, a, n, &i, by);
		if (c < 0)
			rc = c;
		else if (c == 0)
			rc = perr(pc, "byte_test: unknown option '%s'", a[i]);
	}
	if (rc == 0)
		rc = check_nbytes_final(pc, kw, by);
	return attach(pc, r, SM_BYTE_TEST, by, rc);
}

int kw_byte_jump_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	const char *kw = "byte_jump";
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *a[16];
	int n = split_args(buf, a, 16);
	if (n < 2)
		return perr(pc, "byte_jump: needs at least 2 arguments (bytes, offset)");
	sm_byte_t *by = calloc(1, sizeof(*by));
	if (by == NULL)
		return SETU_ENOMEM;
	by->nbytes_var = -1;
	by->result_var = -1;
	by->multiplier = 1;
	int rc = check_nbytes_or_var(pc, r, kw, a[0], by, true);
	if (rc == 0)
		rc = numval_or_var(pc, r, kw, a[1], &by->offset);
	for (int i = 2; rc == 0 && i < n; i++) {
		int c = common_opt(pc, kw, a, n, &i, by);
		if (c < 0) {
			rc = c;
		} else if (c == 1) {
			continue;
		} else if (strcmp(a[i], "align") == 0) {
			by->flags |= BY_ALIGN;
		} else if (strcmp(a[i], "from_beginning") == 0) {
			by->flags |= BY_BEGIN;
		} else if (strcmp(a[i], "from_end") == 0) {
			by->flags |= BY_END;
		} else if (strncmp(a[i], "multiplier", 10) == 0) {
			uint64_t m;
			if (parse_u64(str_trim(a[i] + 10), 65535, &m) != 0 || m == 0)
				rc = perr(pc, "byte_jump: invalid multiplier '%s'", a[i]);
			else
				by->multiplier = (uint32_t)m;
		} else if (strncmp(a[i], "post_offset", 11) == 0) {
			int64_t po;
			if (parse_i64(str_trim(a[i] + 11), &po) != 0 || po > 65535 ||
			    po < -65535)
				rc =
				    perr(pc, "byte_jump: invalid post_offset '%s'", a[i]);
			else
				by->post_offset = (int32_t)po;
		} else {
			rc = perr(pc, "byte_jump: unknown option '%s'", a[i]);
		}
	}
	if (rc == 0 && (by->flags & BY_BEGIN) && (by->flags & BY_END))
		rc = perr(pc, "byte_jump: from_beginning and from_end can't be combined");
	/* "byte_jump:0,...,string" loads in Suricata and never matches (no digits to
	 * read); extract() refuses 0 string bytes the same way. */
	if (rc == 0)
		rc = check_nbytes_final(pc, kw, by);
	return attach(pc, r, SM_BYTE_JUMP, by, rc);
}

int kw_byte_extract_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	const char *kw = "byte_extract";
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *a[16];
	int n = split_args(buf, a, 16);
	if (n < 3)
		return perr(
		    pc, "byte_extract: needs at least 3 arguments (bytes, offset, name)");
	sm_byte_t *by = calloc(1, sizeof(*by));
	if (by == NULL)
		return SETU_ENOMEM;
	by->nbytes_var = -1;
	by->multiplier = 1;
	int rc = check_nbytes(pc, kw, a[0], by, false);
	int64_t off = 0;
	if (rc == 0 && (parse_i64(a[1], &off) != 0 || off > 65535 || off < -65535))
		rc = perr(pc, "byte_extract: invalid offset '%s'", a[1]);
	by->offset.v = off;
	by->offset.var = -1;
	for (int i = 3; rc == 0 && i < n; i++) {
		int c = common_opt(pc, kw, a, n, &i, by);
		if (c < 0) {
			rc = c;
		} else if (c == 1) {
			continue;
		} else if (strncmp(a[i], "multiplier", 10) == 0) {
			uint64_t m;
			if (parse_u64(str_trim(a[i] + 10), 65535, &m) != 0 || m == 0)
				rc = perr(pc, "byte_extract: invalid multiplier '%s'",
				          a[i]);
			else
				by->multiplier = (uint32_t)m;
		} else if (strncmp(a[i], "align", 5) == 0) {
			uint64_t al;
			if (parse_u64(str_trim(a[i] + 5), 4, &al) != 0 ||
			    (al != 2 && al != 4))
				rc = perr(pc, "byte_extract: align must be 2 or 4");
			else {
				by->align = (uint32_t)al;
				by->flags |= BY_ALIGN;
			}
		} else {
			rc = perr(pc, "byte_extract: unknown option '%s'", a[i]);
		}
	}
	if (rc == 0)
		rc = check_nbytes_final(pc, kw, by);
	if (rc == 0) {
		int vi = add_var(pc, r, kw, a[2]);
		if (vi < 0)
			rc = vi;
		else
			by->result_var = (int8_t)vi;
	}
	return attach(pc, r, SM_BYTE_EXTRACT, by, rc);
}

int kw_byte_math_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	const char *kw = "byte_math";
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *a[16];
	int n = split_args(buf, a, 16);
	sm_byte_t *by = calloc(1, sizeof(*by));
	if (by == NULL)
		return SETU_ENOMEM;
	by->nbytes_var = -1;
	by->offset.var = -1;
	const char *result = NULL;
	bool have_bytes = false, have_off = false, have_oper = false, have_rv = false;
	int rc = 0;
	for (int i = 0; rc == 0 && i < n; i++) {
		char *o = a[i];
		char *sp = strpbrk(o, " \t");
		char *v = sp != NULL ? str_trim(sp + 1) : NULL;
		if (strncmp(o, "bytes", 5) == 0 && v != NULL) {
			rc = check_nbytes(pc, kw, v, by, false);
			have_bytes = true;
		} else if (strncmp(o, "offset", 6) == 0 && v != NULL) {
			int64_t off;
			if (parse_i64(v, &off) != 0 || off > 65535 || off < -65535)
				rc = perr(pc, "byte_math: invalid offset '%s'", v);
			by->offset.v = off;
			have_off = true;
		} else if (strncmp(o, "oper", 4) == 0 && v != NULL) {
			if (strcmp(v, "+") == 0 || strcmp(v, "-") == 0 ||
			    strcmp(v, "*") == 0 || strcmp(v, "/") == 0)
				by->op = (uint8_t)v[0];
			else if (strcmp(v, "<<") == 0)
				by->op = 'L';
			else if (strcmp(v, ">>") == 0)
				by->op = 'R';
			else
				rc = perr(pc, "byte_math: invalid operator '%s'", v);
			have_oper = true;
		} else if (strncmp(o, "rvalue", 6) == 0 && v != NULL) {
			rc = numval_or_var(pc, r, kw, v, &by->value);
			have_rv = true;
		} else if (strncmp(o, "result", 6) == 0 && v != NULL) {
			result = v;
		} else {
			int c = common_opt(pc, kw, a, n, &i, by);
			if (c < 0)
				rc = c;
			else if (c == 0)
				rc = perr(pc, "byte_math: unknown option '%s'", o);
		}
	}
	if (rc == 0 &&
	    (!have_bytes || !have_off || !have_oper || !have_rv || result == NULL))
		rc = perr(
		    pc, "byte_math: bytes, offset, oper, rvalue and result are required");
	if (rc == 0 && by->value.var < 0 && by->op == '/' && by->value.v == 0)
		rc = perr(pc, "byte_math: division by zero");
	if (rc == 0)
		rc = check_nbytes_final(pc, kw, by);
	if (rc == 0) {
		int vi = add_var(pc, r, kw, result);
		if (vi < 0)
			rc = vi;
		else
			by->result_var = (int8_t)vi;
	}
	return attach(pc, r, SM_BYTE_MATH, by, rc);
}
