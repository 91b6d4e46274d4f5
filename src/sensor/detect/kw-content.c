/* kw-content.c — content and its modifiers (nocase, depth, offset, distance, within,
 * startswith, endswith, fast_pattern, rawbytes), isdataat and dsize, with Suricata's
 * validation rules and fast-pattern selection (Suricata docs: "Payload Keywords"). */
#include "detect-int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Content string: optional quotes, |hex| blocks, escapes \\ \" \; \: */
static int content_decode(parse_ctx_t *pc, const char *kw, const char *s, uint8_t **out,
                          uint32_t *olen)
{
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	} else if (n > 0 && (s[0] == '"' || s[n - 1] == '"')) {
		return perr(pc, "%s: unbalanced quotes", kw);
	}
	if (n == 0)
		return perr(pc, "%s: empty pattern", kw);
	uint8_t *b = malloc(n);
	if (b == NULL)
		return SETU_ENOMEM;
	size_t w = 0;
	bool hex = false;
	int hi = -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (hex) {
			if (c == '|') {
				if (hi >= 0) {
					free(b);
					return perr(pc, "%s: odd number of hex digits",
					            kw);
				}
				hex = false;
				continue;
			}
			if (c == ' ' || c == '\t')
				continue;
			int v = hexval((unsigned char)c);
			if (v < 0) {
				free(b);
				return perr(pc, "%s: invalid hex character '%c'", kw, c);
			}
			if (hi < 0) {
				hi = v;
			} else {
				b[w++] = (uint8_t)(hi << 4 | v);
				hi = -1;
			}
			continue;
		}
		if (c == '|') {
			hex = true;
			continue;
		}
		if (c == '\\') {
			if (i + 1 >= n) {
				free(b);
				return perr(pc, "%s: trailing backslash", kw);
			}
			char e = s[++i];
			if (e != '\\' && e != '"' && e != ';' && e != ':' && e != '|') {
				free(b);
				return perr(pc, "%s: invalid escape '\\%c'", kw, e);
			}
			b[w++] = (uint8_t)e;
			continue;
		}
		b[w++] = (uint8_t)c;
	}
	if (hex) {
		free(b);
		return perr(pc, "%s: unterminated hex block (missing '|')", kw);
	}
	if (w == 0) {
		free(b);
		return perr(pc, "%s: empty pattern", kw);
	}
	*out = b;
	*olen = (uint32_t)w;
	return 0;
}

int kw_content_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	bool neg = false;
	while (*arg == ' ')
		arg++;
	if (*arg == '!') {
		neg = true;
		arg++;
		while (*arg == ' ')
			arg++;
	}
	if (r->lists[LIST_PMATCH].n >= SETU_DETECT_MAX_PAYLOAD_KW)
		return perr(pc, "too many payload keywords in one rule (max %u)",
		            SETU_DETECT_MAX_PAYLOAD_KW);
	sm_content_t *ct = calloc(1, sizeof(*ct));
	if (ct == NULL)
		return SETU_ENOMEM;
	int rc = content_decode(pc, "content", arg, &ct->pat, &ct->len);
	if (rc != 0) {
		free(ct);
		return rc;
	}
	if (neg)
		ct->flags |= CT_NEGATED;
	ct->depth.var = ct->offset.var = ct->distance.var = ct->within.var = -1;
	sm_t *sm = rule_add_sm(r, LIST_PMATCH, SM_CONTENT);
	if (sm == NULL) {
		free(ct->pat);
		free(ct);
		return SETU_ENOMEM;
	}
	sm->u.ct = ct;
	return 0;
}

static sm_content_t *last_content(parse_ctx_t *pc, setu_rule_t *r, const char *kw,
                                  int *rc)
{
	sm_t *sm = rule_last_pmatch(r, 0);
	if (sm == NULL || sm->type != SM_CONTENT) {
		/* Suricata binds modifiers to the last content even if other payload
		 * keywords follow it; find it. */
		sm = rule_last_pmatch(r, SM_CONTENT);
	}
	if (sm == NULL) {
		*rc = perr(pc, "%s needs a preceding content option", kw);
		return NULL;
	}
	return sm->u.ct;
}

int kw_nocase_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	int rc = 0;
	sm_content_t *ct = last_content(pc, r, "nocase", &rc);
	if (ct == NULL)
		return rc;
	if (ct->flags & CT_NOCASE)
		return perr(pc,
		            "can't use multiple nocase modifiers with the same content");
	ct->flags |= CT_NOCASE;
	return 0;
}

int kw_rawbytes_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	int rc = 0;
	sm_content_t *ct = last_content(pc, r, "rawbytes", &rc);
	if (ct == NULL)
		return rc;
	/* Without app-layer normalisation every payload buffer is raw: rawbytes is a
	 * no-op in Suricata for raw payload matches too. */
	ct->flags |= CT_RAWBYTES;
	return 0;
}

enum { MOD_DEPTH, MOD_OFFSET, MOD_DISTANCE, MOD_WITHIN };

static int content_mod(parse_ctx_t *pc, setu_rule_t *r, const char *arg, int which)
{
	static const char *const names[] = {"depth", "offset", "distance", "within"};
	static const uint32_t bits[] = {CT_DEPTH, CT_OFFSET, CT_DISTANCE, CT_WITHIN};
	const char *kw = names[which];
	int rc = 0;
	sm_content_t *ct = last_content(pc, r, kw, &rc);
	if (ct == NULL)
		return rc;
	if (ct->flags & bits[which])
		return perr(pc, "can't use multiple %s modifiers for the same content",
		            kw);
	bool relative = which == MOD_DISTANCE || which == MOD_WITHIN;
	if (relative && (ct->flags & (CT_DEPTH | CT_OFFSET)))
		return perr(
		    pc,
		    "can't use a relative keyword like within/distance with an absolute "
		    "keyword like depth/offset for the same content");
	if (!relative && (ct->flags & (CT_DISTANCE | CT_WITHIN)))
		return perr(
		    pc,
		    "can't use a relative keyword like within/distance with an absolute "
		    "keyword like depth/offset for the same content");
	if (ct->flags & (CT_STARTSWITH))
		return perr(pc, "%s can't be combined with startswith", kw);
	if ((ct->flags & CT_NEGATED) && (ct->flags & CT_FP_ONLY))
		return perr(pc, "%s can't be used with a fast_pattern:only content", kw);
	if (ct->flags & CT_FP_ONLY)
		return perr(pc, "%s can't be used with a fast_pattern:only content", kw);
	numval_t nv;
	rc = parse_numval(pc, r, arg, kw, which == MOD_DISTANCE, &nv);
	if (rc != 0)
		return rc;
	if (nv.var < 0) {
		if (which == MOD_DEPTH && nv.v == 0)
			return perr(pc, "depth can't be 0");
		if (which == MOD_DEPTH && (uint64_t)nv.v < ct->len)
			return perr(pc,
			            "depth %lld is smaller than the content length %u",
			            (long long)nv.v, ct->len);
		if (which == MOD_WITHIN && (uint64_t)nv.v < ct->len)
			return perr(
			    pc, "within argument %lld is less than the content length %u",
			    (long long)nv.v, ct->len);
		if (nv.v > SETU_DETECT_MAX_CONTENT_MOD)
			return perr(pc, "%s value %lld too large", kw, (long long)nv.v);
	}
	switch (which) {
	case MOD_DEPTH:
		ct->depth = nv;
		break;
	case MOD_OFFSET:
		ct->offset = nv;
		break;
	case MOD_DISTANCE:
		ct->distance = nv;
		break;
	default:
		ct->within = nv;
		break;
	}
	ct->flags |= bits[which];
	return 0;
}

int kw_depth_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return content_mod(pc, r, arg, MOD_DEPTH);
}
int kw_offset_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return content_mod(pc, r, arg, MOD_OFFSET);
}
int kw_distance_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return content_mod(pc, r, arg, MOD_DISTANCE);
}
int kw_within_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return content_mod(pc, r, arg, MOD_WITHIN);
}

int kw_startswith_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	int rc = 0;
	sm_content_t *ct = last_content(pc, r, "startswith", &rc);
	if (ct == NULL)
		return rc;
	if (ct->flags & (CT_DEPTH | CT_OFFSET | CT_DISTANCE | CT_WITHIN))
		return perr(
		    pc,
		    "startswith can't be mixed with depth, offset, within or distance "
		    "for the same content");
	if (ct->flags & CT_STARTSWITH)
		return perr(
		    pc, "can't use multiple startswith modifiers for the same content");
	ct->flags |= CT_STARTSWITH;
	return 0;
}

int kw_endswith_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	int rc = 0;
	sm_content_t *ct = last_content(pc, r, "endswith", &rc);
	if (ct == NULL)
		return rc;
	if (ct->flags & CT_ENDSWITH)
		return perr(pc,
		            "can't use multiple endswith modifiers for the same content");
	ct->flags |= CT_ENDSWITH;
	return 0;
}

int kw_fast_pattern_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	int rc = 0;
	sm_content_t *ct = last_content(pc, r, "fast_pattern", &rc);
	if (ct == NULL)
		return rc;
	for (uint32_t i = 0; i < r->lists[LIST_PMATCH].n; i++) {
		const sm_t *sm = &r->lists[LIST_PMATCH].v[i];
		if (sm->type == SM_CONTENT && (sm->u.ct->flags & CT_FAST_PATTERN))
			return perr(
			    pc, "fast_pattern can be used on only one content in a rule");
	}
	if (arg == NULL || *arg == '\0') {
		ct->flags |= CT_FAST_PATTERN;
		return 0;
	}
	if (strcmp(arg, "only") == 0) {
		if (ct->flags & CT_NEGATED)
			return perr(
			    pc, "fast_pattern:only can't be used on a negated content");
		if (ct->flags & (CT_DEPTH | CT_OFFSET | CT_DISTANCE | CT_WITHIN))
			return perr(pc, "fast_pattern:only can't be used with depth, "
			                "offset, distance "
			                "or within");
		ct->flags |= CT_FAST_PATTERN | CT_FP_ONLY;
		return 0;
	}
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *parts[3];
	int n = split_args(buf, parts, 3);
	uint64_t off, len;
	if (n != 2 || parse_u64(parts[0], 65535, &off) != 0 ||
	    parse_u64(parts[1], 65535, &len) != 0)
		return perr(pc,
		            "fast_pattern: invalid argument '%s' (expected only or "
		            "<offset>,<length>)",
		            arg);
	if (len == 0 || off + len > ct->len)
		return perr(pc,
		            "fast_pattern: offset %llu + length %llu exceeds the content "
		            "length %u",
		            (unsigned long long)off, (unsigned long long)len, ct->len);
	if (ct->flags & CT_NEGATED)
		return perr(pc, "fast_pattern chop can't be used on a negated content");
	ct->fp_off = (uint32_t)off;
	ct->fp_len = (uint32_t)len;
	ct->flags |= CT_FAST_PATTERN | CT_FP_CHOP;
	return 0;
}

int kw_isdataat_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *parts[4];
	int n = split_args(buf, parts, 4);
	if (n < 1 || n > 3)
		return perr(pc, "isdataat: invalid argument '%s'", arg);
	sm_isdataat_t *da = calloc(1, sizeof(*da));
	if (da == NULL)
		return SETU_ENOMEM;
	char *v = parts[0];
	if (*v == '!') {
		da->negated = true;
		v = str_trim(v + 1);
	}
	int rc = parse_numval(pc, r, v, "isdataat", false, &da->n);
	for (int i = 1; rc == 0 && i < n; i++) {
		if (strcmp(parts[i], "relative") == 0)
			da->relative = true;
		else if (strcmp(parts[i], "rawbytes") == 0)
			;
		else
			rc = perr(pc, "isdataat: unknown option '%s'", parts[i]);
	}
	if (rc == 0 && da->n.var < 0 && da->n.v > 65535)
		rc = perr(pc, "isdataat: value %lld too large", (long long)da->n.v);
	sm_t *sm = rc == 0 ? rule_add_sm(r, LIST_PMATCH, SM_ISDATAAT) : NULL;
	if (rc == 0 && sm == NULL)
		rc = SETU_ENOMEM;
	if (rc != 0) {
		free(da);
		return rc;
	}
	sm->u.da = da;
	return 0;
}

int kw_dsize_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	for (uint32_t i = 0; i < r->lists[LIST_MATCH].n; i++)
		if (r->lists[LIST_MATCH].v[i].type == SM_DSIZE)
			return perr(pc, "can't use 2 or more dsizes in the same rule");
	sm_num_t *num = calloc(1, sizeof(*num));
	if (num == NULL)
		return SETU_ENOMEM;
	int rc = parse_cmp(pc, "dsize", arg, 65535, num);
	sm_t *sm = rc == 0 ? rule_add_sm(r, LIST_MATCH, SM_DSIZE) : NULL;
	if (rc == 0 && sm == NULL)
		rc = SETU_ENOMEM;
	if (rc != 0) {
		free(num);
		return rc;
	}
	sm->u.num = num;
	return 0;
}

/* ---- rule finalisation: relative chaining, fast pattern ---- */

static bool sm_is_relative(const sm_t *sm)
{
	switch (sm->type) {
	case SM_CONTENT:
		return (sm->u.ct->flags & (CT_DISTANCE | CT_WITHIN)) != 0;
	case SM_PCRE:
		return (sm->u.rx->flags & RX_RELATIVE) != 0;
	case SM_BYTE_TEST:
	case SM_BYTE_JUMP:
	case SM_BYTE_EXTRACT:
	case SM_BYTE_MATH:
		return (sm->u.by->flags & BY_RELATIVE) != 0;
	case SM_ISDATAAT:
		return sm->u.da->relative;
	default:
		return false;
	}
}

static void sm_set_relnext(sm_t *sm)
{
	switch (sm->type) {
	case SM_CONTENT:
		sm->u.ct->flags |= CT_RELATIVE_NEXT;
		break;
	case SM_PCRE:
		sm->u.rx->flags |= RX_RELATIVE_NEXT;
		break;
	case SM_BYTE_TEST:
	case SM_BYTE_JUMP:
	case SM_BYTE_EXTRACT:
	case SM_BYTE_MATH:
		sm->u.by->flags |= BY_RELATIVE_NEXT;
		break;
	default:
		break;
	}
}

int kw_content_finalize(parse_ctx_t *pc, setu_rule_t *r)
{
	return kw_list_finalize(pc, &r->lists[LIST_PMATCH], &r->fp_index);
}

int kw_list_finalize(parse_ctx_t *pc, sm_list_arr_t *l, int32_t *fp_index)
{
	for (uint32_t i = 1; i < l->n; i++)
		if (sm_is_relative(&l->v[i]))
			sm_set_relnext(&l->v[i - 1]);
	/* depth/offset/within/distance sanity on literal values */
	for (uint32_t i = 0; i < l->n; i++) {
		if (l->v[i].type != SM_CONTENT)
			continue;
		sm_content_t *ct = l->v[i].u.ct;
		if ((ct->flags & CT_FP_ONLY) && (ct->flags & CT_RELATIVE_NEXT))
			return perr(
			    pc,
			    "fast_pattern:only content can't be followed by a relative "
			    "keyword");
	}
	/* Fast pattern (Suricata): the explicit one; else the longest positive content
	 * (ties: the first); negated contents only when nothing else exists — a negated
	 * fast pattern cannot prefilter, so such rules go to the non-prefilter list. */
	int best = -1;
	uint32_t best_len = 0;
	for (uint32_t i = 0; i < l->n; i++) {
		if (l->v[i].type != SM_CONTENT)
			continue;
		const sm_content_t *ct = l->v[i].u.ct;
		if (ct->flags & CT_FAST_PATTERN) {
			if (ct->flags & CT_NEGATED) {
				best = -1;
				break;
			}
			best = (int)i;
			break;
		}
		if (ct->flags & CT_NEGATED)
			continue;
		if (ct->len > best_len) {
			best = (int)i;
			best_len = ct->len;
		}
	}
	*fp_index = best;
	return 0;
}
