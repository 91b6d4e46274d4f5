/* detect-inspect.c — verification of a rule's payload keywords on one buffer, with
 * Suricata's relative matching and backtracking (detect-engine-content-inspection.c
 * semantics: a content that is followed by relative keywords is retried at its next
 * occurrence when they fail; recursion is bounded). */
#include "detect-int.h"

#include <stdlib.h>
#include <string.h>

/* ASCII case folding (rules' nocase is byte-wise ASCII, not locale-dependent) */
static inline uint8_t lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* first occurrence of pat in [buf+start, buf+end); -1 if none */
static int64_t find(const uint8_t *buf, int64_t start, int64_t end, const uint8_t *pat,
                    uint32_t plen, bool nocase)
{
	if (start < 0)
		start = 0;
	if (end - start < (int64_t)plen)
		return -1;
	if (!nocase) {
		const uint8_t *f = memmem(buf + start, (size_t)(end - start), pat, plen);
		return f != NULL ? (int64_t)(f - buf) : -1;
	}
	/* candidates: the first byte in either case, found with memchr (vectorised in
	 * libc; a byte-by-byte loop was a visible cost on 64 KiB stream windows) */
	uint8_t f0 = lc(pat[0]);
	uint8_t f1 = (f0 >= 'a' && f0 <= 'z') ? (uint8_t)(f0 - 32) : f0;
	const uint8_t *p = buf + start,
	              *stop = buf + end - plen + 1; /* candidates < stop */
	while (p < stop) {
		const uint8_t *a = memchr(p, f0, (size_t)(stop - p));
		const uint8_t *lim = a != NULL ? a : stop;
		const uint8_t *b = f1 != f0 ? memchr(p, f1, (size_t)(lim - p)) : NULL;
		const uint8_t *c = b != NULL ? b : a;
		if (c == NULL)
			return -1;
		uint32_t k = 1;
		while (k < plen && lc(c[k]) == lc(pat[k]))
			k++;
		if (k == plen)
			return (int64_t)(c - buf);
		p = c + 1;
	}
	return -1;
}

static int64_t nv(const inspect_ctx_t *ic, numval_t v)
{
	return v.var >= 0 ? (int64_t)ic->vars[v.var] : v.v;
}

/* Read nbytes at buf[off] per flags: binary big/little endian or a string number. */
static bool extract(const uint8_t *p, uint32_t nbytes, const sm_byte_t *by, uint64_t *out)
{
	uint64_t v = 0;
	if (by->flags & BY_STRING) {
		if (nbytes == 0)
			return false;
		for (uint32_t i = 0; i < nbytes; i++) {
			uint8_t c = p[i];
			unsigned d;
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				return false;
			if (d >= by->base)
				return false;
			if (v > (UINT64_MAX - d) / by->base)
				return false;
			v = v * by->base + d;
		}
	} else if (by->flags & BY_LITTLE) {
		for (int i = (int)nbytes - 1; i >= 0; i--)
			v = (v << 8) | p[i];
	} else {
		for (uint32_t i = 0; i < nbytes; i++)
			v = (v << 8) | p[i];
	}
	if (by->flags & BY_BITMASK) {
		v &= by->bitmask;
		uint64_t m = by->bitmask;
		while (m != 0 && (m & 1) == 0) {
			m >>= 1;
			v >>= 1;
		}
	}
	*out = v;
	return true;
}

static int inspect(const setu_rule_t *r, inspect_ctx_t *ic, uint32_t idx,
                   uint32_t max_end);

static int done(const setu_rule_t *r, inspect_ctx_t *ic, uint32_t idx, uint32_t max_end)
{
	if (idx + 1 < ic->pl->n)
		return inspect(r, ic, idx + 1, max_end);
	/* stream mode: the match must end in bytes not inspected before */
	if (ic->min_end != 0 && max_end != 0 && max_end <= ic->min_end)
		return 0;
	return 1;
}

static int inspect_content(const setu_rule_t *r, inspect_ctx_t *ic, uint32_t idx,
                           uint32_t max_end, const sm_content_t *ct)
{
	const int64_t len = ic->len;
	const uint32_t prev = ic->buffer_offset;
	int64_t start, end = len;
	if (ct->flags & (CT_DISTANCE | CT_WITHIN)) {
		int64_t dist = (ct->flags & CT_DISTANCE) ? nv(ic, ct->distance) : 0;
		start = (int64_t)prev + dist;
		if (start < 0)
			start = 0;
		if (ct->flags & CT_WITHIN) {
			int64_t w = (int64_t)prev + dist + nv(ic, ct->within);
			if (w < end)
				end = w;
		}
	} else {
		start = (ct->flags & CT_OFFSET) ? nv(ic, ct->offset) : 0;
		if (ct->flags & CT_DEPTH) {
			int64_t d = start + nv(ic, ct->depth);
			if (d < end)
				end = d;
		}
	}
	if (ct->flags & CT_STARTSWITH) {
		start = 0;
		if ((int64_t)ct->len < end)
			end = ct->len;
	}
	bool nocase = (ct->flags & CT_NOCASE) != 0;
	for (;;) {
		int64_t pos;
		if (ct->flags & CT_ENDSWITH) {
			int64_t at = len - (int64_t)ct->len;
			pos = (at >= start && len <= end &&
			       find(ic->buf, at, len, ct->pat, ct->len, nocase) == at)
			          ? at
			          : -1;
		} else {
			pos = find(ic->buf, start, end, ct->pat, ct->len, nocase);
		}
		bool single =
		    !(ct->flags & (CT_DISTANCE | CT_WITHIN | CT_RELATIVE_NEXT)) &&
		    ct->depth.var < 0 && ct->offset.var < 0;
		if (ct->flags & CT_NEGATED) {
			if (pos >= 0)
				return single ? -1 : 0; /* an independent negated content:
				                           final */
			return done(r, ic, idx, max_end);
		}
		if (pos < 0)
			return single ? -1 : 0; /* an independent content absent: no retry
			                           helps */
		uint32_t mend = (uint32_t)(pos + ct->len);
		ic->buffer_offset = mend;
		int rc = done(r, ic, idx, mend > max_end ? mend : max_end);
		if (rc != 0)
			return rc;
		/* retry the next occurrence when relative keywords follow, or in stream
		 * mode where a later occurrence may end in the new bytes */
		if ((!(ct->flags & CT_RELATIVE_NEXT) && ic->min_end == 0) ||
		    (ct->flags & CT_ENDSWITH))
			return 0;
		ic->buffer_offset = prev;
		if (++ic->recursion > SETU_DETECT_INSPECT_RECURSION_LIMIT)
			return -1;
		start = pos + 1;
	}
}

static int inspect_pcre(const setu_rule_t *r, inspect_ctx_t *ic, uint32_t idx,
                        uint32_t max_end, const sm_pcre_t *rx)
{
	const uint32_t prev = ic->buffer_offset;
	uint32_t base = (rx->flags & RX_RELATIVE) ? prev : 0;
	if (base > ic->len)
		return 0;
	const uint8_t *subj = ic->buf + base;
	size_t slen = ic->len - base;
	size_t startoff = 0;
	for (;;) {
		if (startoff > slen)
			return 0;
		int m = pcre2_match(rx->re, subj, slen, startoff, 0, ic->md,
		                    (rx->flags & RX_NOLIMIT) ? NULL : ic->mctx);
		bool matched = m >= 0;
		if (rx->flags & RX_NEGATED) {
			if (matched)
				return 0;
			return done(r, ic, idx, max_end);
		}
		if (!matched)
			return 0;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ic->md);
		size_t mstart = ov[0], mendr = ov[1];
		uint32_t mend = (uint32_t)(base + mendr);
		ic->buffer_offset = mend;
		int rc = done(r, ic, idx, mend > max_end ? mend : max_end);
		if (rc != 0)
			return rc;
		if (!(rx->flags & RX_RELATIVE_NEXT) && ic->min_end == 0)
			return 0;
		ic->buffer_offset = prev;
		if (++ic->recursion > SETU_DETECT_INSPECT_RECURSION_LIMIT)
			return -1;
		startoff = mstart + 1;
	}
}

static int inspect_byte(const setu_rule_t *r, inspect_ctx_t *ic, uint32_t idx,
                        uint32_t max_end, const sm_t *sm)
{
	const sm_byte_t *by = sm->u.by;
	int64_t base = (by->flags & BY_RELATIVE) ? ic->buffer_offset : 0;
	int64_t off = base + nv(ic, by->offset);
	uint32_t nb = by->nbytes;
	if (by->nbytes_var >= 0) {
		uint64_t v = ic->vars[by->nbytes_var];
		if (v > ((by->flags & BY_STRING) ? 23u : 8u))
			return 0;
		nb = (uint32_t)v;
	}
	if (off < 0 || off + nb > (int64_t)ic->len)
		return 0;
	uint64_t val;
	if (!extract(ic->buf + off, nb, by, &val))
		return 0;
	uint32_t read_end = (uint32_t)(off + nb);
	switch (sm->type) {
	case SM_BYTE_TEST: {
		uint64_t v = (uint64_t)nv(ic, by->value);
		bool ok;
		switch (by->op) {
		case '<':
			ok = val < v;
			break;
		case '>':
			ok = val > v;
			break;
		case '=':
			ok = val == v;
			break;
		case '&':
			ok = (val & v) != 0;
			break;
		case '^':
			ok = (val ^ v) != 0;
			break;
		case 'l':
			ok = val <= v;
			break;
		default:
			ok = val >= v;
			break;
		}
		if (by->flags & BY_NEGATE)
			ok = !ok;
		if (!ok)
			return 0;
		return done(r, ic, idx, max_end);
	}
	case SM_BYTE_JUMP: {
		uint64_t j = val * by->multiplier;
		if ((by->flags & BY_ALIGN) && (j % 4) != 0)
			j += 4 - (j % 4);
		int64_t np;
		if (by->flags & BY_BEGIN)
			np = (int64_t)j;
		else if (by->flags & BY_END)
			np = (int64_t)ic->len + (int64_t)j;
		else
			np = off + nb + (int64_t)j;
		np += by->post_offset;
		if (j > UINT32_MAX || np < 0 || np >= (int64_t)ic->len)
			return 0;
		uint32_t saved = ic->buffer_offset;
		ic->buffer_offset = (uint32_t)np;
		int rc = done(r, ic, idx, max_end);
		if (rc == 0)
			ic->buffer_offset = saved;
		return rc;
	}
	case SM_BYTE_EXTRACT: {
		uint64_t v = val * by->multiplier;
		if (by->align != 0 && (v % by->align) != 0)
			v += by->align - (v % by->align);
		ic->vars[by->result_var] = v;
		uint32_t saved = ic->buffer_offset;
		ic->buffer_offset = read_end;
		int rc = done(r, ic, idx, max_end);
		if (rc == 0)
			ic->buffer_offset = saved;
		return rc;
	}
	default: { /* byte_math */
		uint64_t rv = (uint64_t)nv(ic, by->value), res;
		switch (by->op) {
		case '+':
			res = val + rv;
			break;
		case '-':
			res = val - rv;
			break;
		case '*':
			res = val * rv;
			break;
		case '/':
			if (rv == 0)
				return 0;
			res = val / rv;
			break;
		case 'L':
			res = rv >= 64 ? 0 : val << rv;
			break;
		default:
			res = rv >= 64 ? 0 : val >> rv;
			break;
		}
		ic->vars[by->result_var] = res;
		return done(r, ic, idx, max_end);
	}
	}
}

static int inspect(const setu_rule_t *r, inspect_ctx_t *ic, uint32_t idx,
                   uint32_t max_end)
{
	const sm_t *sm = &ic->pl->v[idx];
	switch (sm->type) {
	case SM_BSIZE: /* size of the whole (transformed) buffer */
		return num_match(sm->u.num, ic->len) ? done(r, ic, idx, max_end) : 0;
	case SM_CONTENT:
		return inspect_content(r, ic, idx, max_end, sm->u.ct);
	case SM_PCRE:
		return inspect_pcre(r, ic, idx, max_end, sm->u.rx);
	case SM_ISDATAAT: {
		const sm_isdataat_t *da = sm->u.da;
		int64_t n = nv(ic, da->n);
		bool ok = da->relative
		              ? (int64_t)ic->buffer_offset + n <= (int64_t)ic->len
		              : n < (int64_t)ic->len;
		if (da->negated)
			ok = !ok;
		return ok ? done(r, ic, idx, max_end) : 0;
	}
	default:
		return inspect_byte(r, ic, idx, max_end, sm);
	}
}

int detect_inspect_payload(const setu_rule_t *r, inspect_ctx_t *ic)
{
	if (ic->pl == NULL)
		ic->pl = &r->lists[LIST_PMATCH];
	if (ic->pl->n == 0)
		return 1;
	ic->buffer_offset = 0;
	ic->recursion = 0;
	return inspect(r, ic, 0, 0) == 1;
}
