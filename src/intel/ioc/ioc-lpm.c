/* ioc-lpm.c — longest-prefix match over IPv4/IPv6 prefixes (RFC 4632 CIDR semantics) for
 * the indicator sets.
 *
 * Why this structure: the prefixes are flattened into a sorted array of disjoint address
 * ranges, each naming the most specific prefix that covers it; a lookup is one binary
 * search, and the less specific prefixes that also contain the address are reached
 * through each prefix's `parent` link (a packet can match a /8 of one indicator and a /32
 * of another: both are sightings). The set is read-only after build, so there is no need
 * for a trie's cheap inserts; what matters is memory and cache behaviour. With n prefixes
 * there are at most 2n+1 ranges, so an IPv4 entry costs 12 bytes (parent, posting and
 * length side by side; a prefix's first address is the looked-up address with its host
 * bits cleared, so it is not stored) plus at most 16 bytes of ranges (start + entry) — at
 * most 28 bytes, where a binary or level-compressed trie of a million random /32s needs
 * several nodes of 8-16 bytes per entry. For IPv4 a first-level index over the top 16
 * bits (256 KiB) narrows the search to the ranges of one /16, so a lookup is a few steps
 * over one or two cache lines. IPv6 uses the same ranges with 128-bit starts and a plain
 * binary search (IPv6 feeds are small). */
#include "intel/ioc/iocset-int.h"

#include <stdlib.h>
#include <string.h>

static int rec_cmp(const void *a, const void *b)
{
	const ioc_lpm_rec_t *x = a, *y = b;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->atom != y->atom)
		return x->atom < y->atom ? -1 : 1;
	return 0;
}

static ioc_u128 host_mask(unsigned width, unsigned len)
{
	ioc_u128 all = width == 128 ? ~(ioc_u128)0 : (ioc_u128)0xffffffffu;
	if (len == 0)
		return all;
	if (len >= width)
		return 0;
	return ((ioc_u128)1 << (width - len)) - 1;
}

typedef struct ranges {
	ioc_u128 *start;
	uint32_t *entry;
	size_t n, cap;
} ranges_t;

/* Range starts arrive in non-decreasing order; a later start at the same address replaces
 * the earlier one, and neighbours naming the same prefix are merged. */
static void emit(ranges_t *r, ioc_u128 start, uint32_t entry)
{
	if (r->n > 0 && r->start[r->n - 1] == start) {
		r->entry[r->n - 1] = entry;
		if (r->n > 1 && r->entry[r->n - 2] == entry)
			r->n--;
		return;
	}
	if (r->n > 0 && r->entry[r->n - 1] == entry)
		return;
	r->start[r->n] = start;
	r->entry[r->n] = entry;
	r->n++;
}

int ioc_lpm_build(ioc_lpm_t *l, unsigned width, ioc_lpm_rec_t *recs, size_t n,
                  ioc_u32vec_t *post)
{
	memset(l, 0, sizeof(*l));
	l->width = width;
	if (n == 0)
		return 0;
	qsort(recs, n, sizeof(*recs), rec_cmp);
	/* distinct prefixes (count first, to allocate exactly) */
	size_t np = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || recs[i].first != recs[i - 1].first ||
		    recs[i].len != recs[i - 1].len)
			np++;
	ioc_u128 *first = malloc(np * sizeof(*first));
	ranges_t r = {0};
	r.cap = 2 * np + 1;
	r.start = malloc(r.cap * sizeof(*r.start));
	r.entry = malloc(r.cap * sizeof(*r.entry));
	l->pfx = malloc(np * sizeof(*l->pfx));
	int rc = SETU_ENOMEM;
	if (first == NULL || r.start == NULL || r.entry == NULL || l->pfx == NULL)
		goto out;
	/* postings of each distinct prefix */
	size_t p = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && recs[j].first == recs[i].first &&
		       recs[j].len == recs[i].len)
			j++;
		first[p] = recs[i].first;
		l->pfx[p].len = recs[i].len;
		size_t distinct = 0;
		for (size_t k = i; k < j; k++)
			if (k == i || recs[k].atom != recs[k - 1].atom)
				distinct++;
		if (distinct == 1) {
			l->pfx[p].post = IOC_POST_SINGLE | recs[i].atom;
		} else {
			if (post->n >= IOC_POST_SINGLE)
				goto out;
			l->pfx[p].post = (uint32_t)post->n;
			if (ioc_u32vec_push(post, (uint32_t)distinct))
				goto out;
			for (size_t k = i; k < j; k++)
				if ((k == i || recs[k].atom != recs[k - 1].atom) &&
				    ioc_u32vec_push(post, recs[k].atom))
					goto out;
		}
		p++;
		i = j;
	}
	/* Sweep in (first, len) order with a stack of the prefixes that contain the
	 * current one: strictly nested prefixes have increasing lengths, so the stack is
	 * at most width + 1 deep. */
	uint32_t stack[129];
	size_t sp = 0;
	ioc_u128 maxaddr = host_mask(width, 0);
	emit(&r, 0, IOC_NONE);
	for (size_t i = 0; i <= np; i++) {
		while (sp > 0) {
			uint32_t t = stack[sp - 1];
			ioc_u128 tlast = first[t] | host_mask(width, l->pfx[t].len);
			if (i < np && tlast >= first[i])
				break;
			sp--;
			if (tlast != maxaddr)
				emit(&r, tlast + 1, sp > 0 ? stack[sp - 1] : IOC_NONE);
		}
		if (i == np)
			break;
		l->pfx[i].parent = sp > 0 ? stack[sp - 1] : IOC_NONE;
		emit(&r, first[i], (uint32_t)i);
		stack[sp++] = (uint32_t)i;
	}
	l->npfx = (uint32_t)np;
	l->nint = (uint32_t)r.n;
	if (width == 32) {
		l->rng4 = malloc(r.n * sizeof(ioc_range4_t));
		l->idx16 = malloc(65537 * sizeof(uint32_t));
		if (l->rng4 == NULL || l->idx16 == NULL)
			goto out;
		for (size_t i = 0; i < r.n; i++)
			l->rng4[i] = (ioc_range4_t){(uint32_t)r.start[i], r.entry[i]};
		size_t k = 0;
		for (uint32_t h = 0; h <= 65536; h++) {
			uint64_t base = (uint64_t)h << 16;
			while (k < r.n && l->rng4[k].start < base)
				k++;
			l->idx16[h] = (uint32_t)k;
		}
	} else {
		l->int_entry = realloc(r.entry, r.n * sizeof(uint32_t));
		if (l->int_entry == NULL)
			l->int_entry = r.entry;
		r.entry = NULL;
		l->int_start6 = realloc(r.start, r.n * sizeof(ioc_u128));
		if (l->int_start6 == NULL)
			l->int_start6 = r.start;
		r.start = NULL;
	}
	rc = 0;
out:
	free(first);
	free(r.start);
	free(r.entry);
	if (rc != 0)
		ioc_lpm_free(l);
	return rc;
}

void ioc_lpm_free(ioc_lpm_t *l)
{
	free(l->pfx);
	free(l->rng4);
	free(l->int_start6);
	free(l->int_entry);
	free(l->idx16);
	memset(l, 0, sizeof(*l));
}

size_t ioc_lpm_bytes(const ioc_lpm_t *l)
{
	size_t b = (size_t)l->npfx * sizeof(ioc_lpm_pfx_t);
	if (l->width == 32)
		b += (size_t)l->nint * sizeof(ioc_range4_t) + (l->idx16 ? 65537 * 4 : 0);
	else
		b += (size_t)l->nint * (16 + 4);
	return b;
}

uint32_t ioc_lpm_find4(const ioc_lpm_t *l, uint32_t a)
{
	if (l->nint == 0)
		return IOC_NONE;
	/* The answer is the last range starting at or before a. Ranges starting inside
	 * a's /16 block are [idx16[h], idx16[h+1]); if none of them starts at or before
	 * a, the answer is the range just before the block (range 0 starts at 0, so it
	 * exists). */
	uint32_t h = a >> 16;
	uint32_t lo = l->idx16[h], hi = l->idx16[h + 1];
	const ioc_range4_t *rg = l->rng4;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (rg[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return rg[lo - 1].entry;
}

uint32_t ioc_lpm_find6(const ioc_lpm_t *l, ioc_u128 a)
{
	if (l->nint == 0)
		return IOC_NONE;
	uint32_t lo = 0, hi = l->nint;
	const ioc_u128 *st = l->int_start6;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (st[mid] <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return l->int_entry[lo - 1];
}
