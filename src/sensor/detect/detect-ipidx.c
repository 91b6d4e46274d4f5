/* detect-ipidx.c — address index of the rules a group verifies without a fast pattern
 * (the idea of Suricata's IP-only engine, written for setu's groups): each rule is keyed
 * by its more selective address side, per address family, in interval maps over the
 * address space; a packet finds its candidates with one binary search per address.
 * The index is a superset filter: header_match still verifies every candidate. */
#include "detect-int.h"

#include <stdlib.h>
#include <string.h>

/* ---- range items and rule lists ---- */

typedef struct item {
	u128 lo, hi;
	uint32_t rule;
} item_t;

typedef struct items {
	item_t *v;
	size_t n, cap;
} items_t;

static int items_push(items_t *it, u128 lo, u128 hi, uint32_t rule)
{
	if (it->n == it->cap) {
		size_t nc = it->cap ? it->cap * 2 : 256;
		item_t *nv = realloc(it->v, nc * sizeof(*nv));
		if (nv == NULL)
			return SETU_ENOMEM;
		it->v = nv;
		it->cap = nc;
	}
	it->v[it->n].lo = lo;
	it->v[it->n].hi = hi;
	it->v[it->n].rule = rule;
	it->n++;
	return 0;
}

/* builder state: the pool of deduplicated rule lists (count, ids...) */
typedef struct builder {
	uint32_t *pool;
	size_t npool, cap;
	/* open addressing: pool offsets of the lists made so far (0 = empty slot; the
	 * empty list at offset 0 is never hashed) */
	uint32_t *ht;
	size_t htcap, htn;
} builder_t;

static uint64_t list_hash(const uint32_t *v, uint32_t n)
{
	uint64_t h = 1469598103934665603ULL ^ n;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ v[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static int pool_reserve(builder_t *b, size_t more)
{
	if (b->npool + more <= b->cap)
		return 0;
	size_t nc = b->cap ? b->cap : 1024;
	while (nc < b->npool + more)
		nc *= 2;
	if (nc > SETU_DETECT_IPIDX_MAX_ENTRIES)
		return SETU_ELIMIT;
	uint32_t *np = realloc(b->pool, nc * sizeof(*np));
	if (np == NULL)
		return SETU_ENOMEM;
	b->pool = np;
	b->cap = nc;
	return 0;
}

static int ht_grow(builder_t *b)
{
	size_t nc = b->htcap ? b->htcap * 2 : 1024;
	uint32_t *nt = calloc(nc, sizeof(*nt));
	if (nt == NULL)
		return SETU_ENOMEM;
	for (size_t i = 0; i < b->htcap; i++) {
		uint32_t off = b->ht[i];
		if (off == 0)
			continue;
		size_t h = list_hash(&b->pool[off + 1], b->pool[off]) & (nc - 1);
		while (nt[h] != 0)
			h = (h + 1) & (nc - 1);
		nt[h] = off;
	}
	free(b->ht);
	b->ht = nt;
	b->htcap = nc;
	return 0;
}

/* Offset in the pool of list v[0..n) (ascending), stored once. */
static int pool_list(builder_t *b, const uint32_t *v, uint32_t n, uint32_t *off)
{
	if (n == 0) {
		*off = 0;
		return 0;
	}
	if ((b->htn + 1) * 2 > b->htcap) {
		int rc = ht_grow(b);
		if (rc != 0)
			return rc;
	}
	size_t h = list_hash(v, n) & (b->htcap - 1);
	while (b->ht[h] != 0) {
		uint32_t o = b->ht[h];
		if (b->pool[o] == n && memcmp(&b->pool[o + 1], v, n * sizeof(*v)) == 0) {
			*off = o;
			return 0;
		}
		h = (h + 1) & (b->htcap - 1);
	}
	int rc = pool_reserve(b, (size_t)n + 1);
	if (rc != 0)
		return rc;
	*off = (uint32_t)b->npool;
	b->pool[b->npool] = n;
	memcpy(&b->pool[b->npool + 1], v, n * sizeof(*v));
	b->npool += (size_t)n + 1;
	b->ht[h] = *off;
	b->htn++;
	return 0;
}

/* ---- interval map construction (a sweep over the range boundaries) ---- */

typedef struct event {
	u128 pos;
	uint32_t rule;
	bool add;
} event_t;

static int cmp_event(const void *a, const void *b)
{
	const event_t *x = a, *y = b;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return 0;
}

/* sorted set of rule ids: insert/remove keep it ascending */
static void active_add(uint32_t *act, uint32_t *n, uint32_t rule)
{
	uint32_t lo = 0, hi = *n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (act[mid] < rule)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&act[lo + 1], &act[lo], (*n - lo) * sizeof(*act));
	act[lo] = rule;
	(*n)++;
}

static void active_del(uint32_t *act, uint32_t *n, uint32_t rule)
{
	uint32_t lo = 0, hi = *n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (act[mid] < rule)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < *n && act[lo] == rule) {
		memmove(&act[lo], &act[lo + 1], (*n - lo - 1) * sizeof(*act));
		(*n)--;
	}
}

static int map_build(builder_t *b, amap_t *m, int fam, const items_t *it, uint32_t nrules)
{
	if (it->n == 0)
		return 0;
	const u128 max = fam == 4 ? (u128)0xffffffffu : ~(u128)0;
	event_t *ev = malloc(it->n * 2 * sizeof(*ev));
	uint32_t *act = malloc((size_t)nrules * sizeof(*act));
	size_t nev = 0;
	int rc = 0;
	if (ev == NULL || act == NULL) {
		rc = SETU_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < it->n; i++) {
		ev[nev++] = (event_t){it->v[i].lo, it->v[i].rule, true};
		if (it->v[i].hi < max)
			ev[nev++] = (event_t){it->v[i].hi + 1, it->v[i].rule, false};
	}
	qsort(ev, nev, sizeof(*ev), cmp_event);
	/* intervals: at most one per distinct position, plus the one starting at 0 */
	size_t cap = nev + 1;
	m->list = malloc(cap * sizeof(*m->list));
	if (fam == 4)
		m->start4 = malloc(cap * sizeof(*m->start4));
	else
		m->start6 = malloc(cap * sizeof(*m->start6));
	if (m->list == NULL ||
	    (fam == 4 ? (void *)m->start4 : (void *)m->start6) == NULL) {
		rc = SETU_ENOMEM;
		goto out;
	}
	uint32_t nact = 0, n = 0;
	if (ev[0].pos > 0) {
		m->list[n] = 0;
		if (fam == 4)
			m->start4[n] = 0;
		else
			m->start6[n] = 0;
		n++;
	}
	for (size_t i = 0; i < nev;) {
		u128 pos = ev[i].pos;
		/* removals first: a rule whose range ends just before another of its
		 * ranges starts stays active (its ranges are disjoint and sorted) */
		size_t j = i;
		for (; j < nev && ev[j].pos == pos; j++)
			if (!ev[j].add)
				active_del(act, &nact, ev[j].rule);
		for (size_t k = i; k < j; k++)
			if (ev[k].add)
				active_add(act, &nact, ev[k].rule);
		i = j;
		uint32_t off;
		if ((rc = pool_list(b, act, nact, &off)) != 0)
			goto out;
		if (n > 0 && m->list[n - 1] == off)
			continue; /* same rules as the interval before: extend it */
		m->list[n] = off;
		if (fam == 4)
			m->start4[n] = (uint32_t)pos;
		else
			m->start6[n] = pos;
		n++;
	}
	m->n = n;
	/* keep only what is used (merged intervals leave most of cap unused) */
	uint32_t *nl = realloc(m->list, n * sizeof(*m->list));
	if (nl != NULL)
		m->list = nl;
	if (fam == 4) {
		uint32_t *ns = realloc(m->start4, n * sizeof(*m->start4));
		if (ns != NULL)
			m->start4 = ns;
	} else {
		u128 *ns = realloc(m->start6, n * sizeof(*m->start6));
		if (ns != NULL)
			m->start6 = ns;
	}
	if (fam == 4 && n > AMAP_STRIDE) {
		m->ntop = (n + AMAP_STRIDE - 1) / AMAP_STRIDE;
		m->top4 = malloc(m->ntop * sizeof(*m->top4));
		if (m->top4 == NULL) {
			rc = SETU_ENOMEM;
			goto out;
		}
		for (uint32_t i = 0; i < m->ntop; i++)
			m->top4[i] = m->start4[i * AMAP_STRIDE];
	}
out:
	free(ev);
	free(act);
	return rc;
}

/* ---- rule placement ---- */

/* addresses in a set's ranges of one family, minus one per range (saturating) */
static u128 cover(const ipset_t *s, int fam)
{
	u128 c = 0;
	if (fam == 4) {
		for (uint32_t i = 0; i < s->n32; i++)
			c += (u128)(s->r32[2 * i + 1] - s->r32[2 * i]) + 1;
		return c;
	}
	for (uint32_t i = 0; i < s->n6; i++) {
		u128 d = s->r6[2 * i + 1] - s->r6[2 * i];
		c = c + d < c ? ~(u128)0 : c + d;
	}
	return c;
}

static int add_side(items_t *it, const ipset_t *s, int fam, uint32_t rule)
{
	int rc = 0;
	if (fam == 4) {
		for (uint32_t i = 0; i < s->n32 && rc == 0; i++)
			rc = items_push(it, s->r32[2 * i], s->r32[2 * i + 1], rule);
	} else {
		for (uint32_t i = 0; i < s->n6 && rc == 0; i++)
			rc = items_push(it, s->r6[2 * i], s->r6[2 * i + 1], rule);
	}
	return rc;
}

int ipidx_rule_event(const setu_rule_t *r)
{
	const sm_list_arr_t *l = &r->lists[LIST_MATCH];
	for (uint32_t i = 0; i < l->n; i++)
		if (l->v[i].type == SM_EVENT)
			return (int)(l->v[i].u.u32 & 0xffffu);
	return -1;
}

static int cmp_ev(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Rules that need an event: (event, rule) sorted. Returns 0 or SETU_ENOMEM. */
static int build_events(ipidx_t *x, const setu_detect_engine_t *de, const uint32_t *rules,
                        uint32_t n)
{
	uint32_t ne = 0;
	for (uint32_t i = 0; i < n; i++)
		ne += ipidx_rule_event(de->rules[rules[i]]) >= 0;
	if (ne == 0)
		return 0;
	uint64_t *pairs = malloc(ne * sizeof(*pairs));
	x->ev_key = malloc(ne * sizeof(*x->ev_key));
	x->ev_rule = malloc(ne * sizeof(*x->ev_rule));
	if (pairs == NULL || x->ev_key == NULL || x->ev_rule == NULL) {
		free(pairs);
		return SETU_ENOMEM;
	}
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		int ev = ipidx_rule_event(de->rules[rules[i]]);
		if (ev >= 0)
			pairs[k++] = (uint64_t)ev << 32 | rules[i];
	}
	qsort(pairs, ne, sizeof(*pairs), cmp_ev);
	for (uint32_t i = 0; i < ne; i++) {
		x->ev_key[i] = (uint16_t)(pairs[i] >> 32);
		x->ev_rule[i] = (uint32_t)pairs[i];
	}
	x->nev = ne;
	free(pairs);
	return 0;
}

uint32_t ipidx_event(const ipidx_t *x, uint16_t ev, const uint32_t **out)
{
	uint32_t lo = 0, hi = x->nev;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (x->ev_key[mid] < ev)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t e = lo;
	while (e < x->nev && x->ev_key[e] == ev)
		e++;
	*out = x->ev_rule != NULL ? &x->ev_rule[lo] : NULL;
	return e - lo;
}

void ipidx_free(ipidx_t *x)
{
	for (int f = 0; f < 2; f++) {
		for (int m = 0; m < 2; m++) {
			free(x->map[f][m].start4);
			free(x->map[f][m].start6);
			free(x->map[f][m].list);
			free(x->map[f][m].top4);
		}
		free(x->always[f]);
	}
	free(x->pool);
	free(x->ev_key);
	free(x->ev_rule);
	memset(x, 0, sizeof(*x));
}

/* Place the rules of one family; on SETU_ELIMIT the caller falls back to scanning. */
static int build_family(ipidx_t *x, builder_t *b, const setu_detect_engine_t *de,
                        const uint32_t *rules, uint32_t n, int f)
{
	int fam = f == 0 ? 4 : 6;
	/* above this coverage a side is not worth indexing: a sixteenth of the space */
	const u128 wide = fam == 4 ? (u128)1 << 28 : (u128)1 << 124;
	items_t it[2] = {{0}, {0}};
	int rc = 0;
	x->always[f] = malloc((n ? n : 1) * sizeof(*x->always[f]));
	if (x->always[f] == NULL)
		return SETU_ENOMEM;
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		const setu_rule_t *r = de->rules[rules[i]];
		if (r->ipver != 0 && r->ipver != fam)
			continue; /* ipv4/ipv6 header protocol of the other family */
		if (ipidx_rule_event(r) >= 0)
			continue; /* found by its event */
		const ipset_t *src = &r->src, *dst = &r->dst;
		bool src_empty = fam == 4 ? src->n32 == 0 : src->n6 == 0;
		bool dst_empty = fam == 4 ? dst->n32 == 0 : dst->n6 == 0;
		if (src_empty || dst_empty)
			continue; /* both addresses of a packet share its family */
		u128 cs = src->any ? ~(u128)0 : cover(src, fam);
		u128 cd = dst->any ? ~(u128)0 : cover(dst, fam);
		int side = cs <= cd ? 0 : 1;
		u128 c = side == 0 ? cs : cd;
		if (c >= wide) {
			x->always[f][x->nalways[f]++] = rules[i];
			continue;
		}
		const ipset_t *s = side == 0 ? src : dst;
		/* forward: the packet's address on that side; <>: also the other one */
		rc = add_side(&it[side], s, fam, rules[i]);
		if (rc == 0 && (r->flags & RF_BIDIR))
			rc = add_side(&it[1 - side], s, fam, rules[i]);
	}
	for (int m = 0; m < 2 && rc == 0; m++)
		rc = map_build(b, &x->map[f][m], fam, &it[m], de->nrules);
	free(it[0].v);
	free(it[1].v);
	return rc;
}

int ipidx_build(ipidx_t *x, const setu_detect_engine_t *de, const uint32_t *rules,
                uint32_t n)
{
	memset(x, 0, sizeof(*x));
	builder_t b = {0};
	int rc = pool_reserve(&b, 1);
	if (rc == 0) {
		b.pool[0] = 0; /* the empty list */
		b.npool = 1;
	}
	for (int f = 0; f < 2 && rc == 0; f++)
		rc = build_family(x, &b, de, rules, n, f);
	free(b.ht);
	if (rc == 0)
		rc = build_events(x, de, rules, n);
	if (rc == SETU_ELIMIT) {
		/* too many (interval, rule) pairs: every rule is verified on every packet
		 * of the group, as without an index */
		free(b.pool);
		ipidx_free(x); /* every rule in the always lists, event rules too */
		for (int f = 0; f < 2; f++) {
			x->always[f] = malloc((n ? n : 1) * sizeof(*x->always[f]));
			if (x->always[f] == NULL)
				return SETU_ENOMEM;
			memcpy(x->always[f], rules, n * sizeof(*rules));
			x->nalways[f] = n;
		}
		return 0;
	}
	if (rc != 0) {
		free(b.pool);
		ipidx_free(x);
		return rc;
	}
	/* keep only what is used */
	uint32_t *shrunk = realloc(b.pool, b.npool * sizeof(*b.pool));
	x->pool = shrunk != NULL ? shrunk : b.pool;
	x->npool = b.npool;
	for (int f = 0; f < 2; f++)
		if (x->nalways[f] == 0) {
			free(x->always[f]);
			x->always[f] = NULL;
		}
	return 0;
}

/* largest i with start[i] <= key (start[0] == 0) */
static uint32_t find4(const uint32_t *start, uint32_t n, uint32_t key)
{
	uint32_t lo = 0, hi = n;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (start[mid] <= key)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t find6(const u128 *start, uint32_t n, u128 key)
{
	uint32_t lo = 0, hi = n;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (start[mid] <= key)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

uint32_t ipidx_lookup(const ipidx_t *x, const setu_addr_t *src, const setu_addr_t *dst,
                      const uint32_t *lists[3], uint32_t lens[3])
{
	int f = src->family == 4 ? 0 : src->family == 6 ? 1 : -1;
	uint32_t k = 0;
	if (f < 0 || src->family != dst->family)
		return 0;
	if (x->nalways[f] > 0) {
		lists[k] = x->always[f];
		lens[k++] = x->nalways[f];
	}
	const setu_addr_t *a[2] = {src, dst};
	for (int m = 0; m < 2; m++) {
		const amap_t *mp = &x->map[f][m];
		if (mp->n == 0)
			continue;
		uint32_t i;
		if (f == 0 && mp->ntop > 0) {
			uint32_t key = detect_addr_v4(a[m]);
			uint32_t t = find4(mp->top4, mp->ntop, key) * AMAP_STRIDE;
			uint32_t len = mp->n - t < AMAP_STRIDE ? mp->n - t : AMAP_STRIDE;
			i = t + find4(mp->start4 + t, len, key);
		} else if (f == 0) {
			i = find4(mp->start4, mp->n, detect_addr_v4(a[m]));
		} else {
			i = find6(mp->start6, mp->n, detect_addr_v6(a[m]));
		}
		const uint32_t *l = &x->pool[mp->list[i]];
		if (l[0] > 0) {
			lists[k] = l + 1;
			lens[k++] = l[0];
		}
	}
	return k;
}

size_t ipidx_bytes(const ipidx_t *x)
{
	size_t s = x->npool * sizeof(*x->pool) +
	           x->nev * (sizeof(*x->ev_key) + sizeof(*x->ev_rule));
	for (int f = 0; f < 2; f++) {
		s += x->nalways[f] * sizeof(uint32_t);
		for (int m = 0; m < 2; m++)
			s += x->map[f][m].n *
			         (sizeof(uint32_t) +
			          (f == 0 ? sizeof(uint32_t) : sizeof(u128))) +
			     x->map[f][m].ntop * sizeof(uint32_t);
	}
	return s;
}
