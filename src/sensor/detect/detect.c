/* detect.c — per-packet and per-stream-chunk detection: Hyperscan prefilter per protocol
 * group (stream chunks scanned once, their patterns remembered per flow direction) and
 * the address/event index of the rules without a fast pattern, header keywords, payload
 * verification, flowbits/flowint (per-flow state in the flow's detect storage slot),
 * thresholds (Suricata "Rule Thresholding" and threshold.config), suppress and
 * rate_filter, and alert reporting. */
#include "detect-int.h"
#include "detect-tx.h"
#include "sensor/applayer/kwbuf.h"
#include "sensor/flow/flow.h"
#include "sensor/stream/stream.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- per-flow state ---- */

typedef struct flow_th {
	uint32_t rule; /* rule sid:gid hash is not enough across reloads: keep gid/sid */
	uint32_t gid, sid;
	uint32_t count;
	uint64_t next;
	uint64_t first_us;
} flow_th_t;

/* a fast pattern found on a stream direction: pattern id, and the end of the last scan
 * that found it (all its occurrences end before) */
struct smem_hit {
	uint32_t id;
	uint64_t s1;
};

typedef struct detect_flow_state {
	uint8_t *bits; /* owned bitset */
	uint32_t nbits;
	uint64_t *bit_expire_us; /* owned, lazily: setx expiry per bit (0 = none) */
	struct fint {
		bool set;
		uint32_t v;
	} * ints; /* owned */
	uint32_t nints;
	uint64_t raw_progress[2]; /* stream bytes inspected per direction */
	/* payload bytes of SYN packets inspected per packet: if the stream later delivers
	 * them, they are the direction's first bytes and are not inspected again (one
	 * alert per rule and data, as Suricata) */
	uint64_t pkt_inspected[2];
	/* a packet of this TCP flow left it established: flow:established holds from
	 * the next packet on (Suricata flags a packet by the flow's state before the
	 * stream handles it, so the ACK completing the handshake is not established) */
	bool tcp_est;
	/* per direction: the prefilter patterns seen in the stream's raw window, so that
	 * the next chunk scans its new bytes only (setu_detect_stream) */
	struct smem {
		bool valid;           /* hit holds every pattern in [.., end) */
		uint8_t group;        /* the group scanned */
		uint16_t n;           /* entries in hit */
		uint64_t end;         /* stream offset the scans reached */
		struct smem_hit *hit; /* owned [SETU_DETECT_STREAM_HITS_MAX], lazily */
	} sm[2];
	flow_th_t *th;      /* owned: by_flow threshold counters */
	uint64_t engine_id; /* engine whose flowbit/flowint numbering this state uses */
	uint32_t nth;
	/* app-layer txs in progress: which (rule, side) pairs were inspected already
	 * (2 bits per rule of the protocol's tx rule list); entries are reused */
	struct txdone {
		bool used;
		uint8_t proto;
		uint64_t id;
		uint8_t *bits; /* owned */
		size_t nbytes;
		uint8_t sides; /* bit d: side d was inspected once it was complete */
		/* bit d: side d was inspected when the whole tx was complete (its
		 * buffers final: not scanned again at hand-over), unless retry has
		 * bit d (a rule of side d waits for a buffer) */
		uint8_t final, retry;
	} * txd; /* owned */
	uint32_t ntxd;
} detect_flow_state_t;

static void smem_free(detect_flow_state_t *st)
{
	for (int d = 0; d < 2; d++) {
		free(st->sm[d].hit);
		memset(&st->sm[d], 0, sizeof(st->sm[d]));
	}
}

static void txd_free(detect_flow_state_t *st)
{
	for (uint32_t i = 0; i < st->ntxd; i++)
		free(st->txd[i].bits);
	free(st->txd);
	st->txd = NULL;
	st->ntxd = 0;
}

void setu_detect_flow_state_free(void *state)
{
	detect_flow_state_t *st = state;
	if (st == NULL)
		return;
	free(st->bits);
	free(st->bit_expire_us);
	free(st->ints);
	free(st->th);
	txd_free(st);
	smem_free(st);
	free(st);
}

static detect_flow_state_t *fstate(const setu_detect_engine_t *de, setu_flow_t *f,
                                   bool create)
{
	if (f == NULL)
		return NULL;
	detect_flow_state_t *st = f->storage[SETU_FLOW_STORAGE_DETECT].ptr;
	if (st != NULL && st->engine_id != de->id) {
		/* rules were reloaded: the old numbering means nothing now */
		free(st->bits);
		free(st->bit_expire_us);
		free(st->ints);
		free(st->th);
		st->bits = NULL;
		st->bit_expire_us = NULL;
		st->ints = NULL;
		st->th = NULL;
		st->nbits = st->nints = st->nth = 0;
		txd_free(st);
		smem_free(st);
		st->engine_id = de->id;
	}
	if (st != NULL || !create)
		return st;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->engine_id = de->id;
	f->storage[SETU_FLOW_STORAGE_DETECT].ptr = st;
	f->storage[SETU_FLOW_STORAGE_DETECT].free_fn = setu_detect_flow_state_free;
	return st;
}

static uint64_t pkt_us(const setu_pkt_t *p)
{
	return (uint64_t)p->ts.tv_sec * 1000000u + (uint64_t)p->ts.tv_usec;
}

static bool bit_get(const detect_flow_state_t *st, uint32_t i, uint64_t now)
{
	if (st == NULL || i >= st->nbits || !(st->bits[i / 8] & (1u << (i % 8))))
		return false;
	if (st->bit_expire_us != NULL && st->bit_expire_us[i] != 0 &&
	    now >= st->bit_expire_us[i])
		return false;
	return true;
}

static bool grow_bits(detect_flow_state_t *st, uint32_t i)
{
	if (i < st->nbits)
		return true;
	uint32_t nb = (i / 64 + 1) * 64;
	uint8_t *n = realloc(st->bits, nb / 8);
	if (n == NULL)
		return false;
	memset(n + st->nbits / 8, 0, (nb - st->nbits) / 8);
	st->bits = n;
	if (st->bit_expire_us != NULL) {
		uint64_t *e = realloc(st->bit_expire_us, nb * sizeof(*e));
		if (e == NULL)
			return false;
		memset(e + st->nbits, 0, (nb - st->nbits) * sizeof(*e));
		st->bit_expire_us = e;
	}
	st->nbits = nb;
	return true;
}

static void bit_set(detect_flow_state_t *st, uint32_t i, bool v, uint64_t expire_us)
{
	if (st == NULL || !grow_bits(st, i))
		return;
	if (v)
		st->bits[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		st->bits[i / 8] &= (uint8_t) ~(1u << (i % 8));
	if (expire_us != 0 && st->bit_expire_us == NULL) {
		st->bit_expire_us = calloc(st->nbits, sizeof(*st->bit_expire_us));
		if (st->bit_expire_us == NULL)
			return;
	}
	if (st->bit_expire_us != NULL)
		st->bit_expire_us[i] = v ? expire_us : 0;
}

static struct fint *fint_get(detect_flow_state_t *st, uint32_t i, bool create)
{
	if (st == NULL)
		return NULL;
	if (i >= st->nints) {
		if (!create)
			return NULL;
		uint32_t nn = (i / 16 + 1) * 16;
		struct fint *n = realloc(st->ints, nn * sizeof(*n));
		if (n == NULL)
			return NULL;
		memset(n + st->nints, 0, (nn - st->nints) * sizeof(*n));
		st->ints = n;
		st->nints = nn;
	}
	return &st->ints[i];
}

/* ---- threshold state shared by workers ---- */

typedef struct th_entry {
	bool used;
	uint32_t gid, sid;
	uint8_t kind; /* 0 rule threshold, 1 rate_filter */
	setu_addr_t a, b;
	uint32_t count;
	uint64_t first_us;
	uint64_t rate_until_us;
} th_entry_t;

struct th_state {
	pthread_mutex_t mu;
	th_entry_t *e; /* owned [SETU_DETECT_THRESHOLD_MAX_ENTRIES] */
	uint64_t full; /* events that found no slot (alert passed unthresholded) */
};

struct th_state *th_state_new(void)
{
	struct th_state *ts = calloc(1, sizeof(*ts));
	if (ts == NULL)
		return NULL;
	ts->e = calloc(SETU_DETECT_THRESHOLD_MAX_ENTRIES, sizeof(*ts->e));
	if (ts->e == NULL || pthread_mutex_init(&ts->mu, NULL) != 0) {
		free(ts->e);
		free(ts);
		return NULL;
	}
	return ts;
}

void th_state_free(struct th_state *ts)
{
	if (ts == NULL)
		return;
	pthread_mutex_destroy(&ts->mu);
	free(ts->e);
	free(ts);
}

static uint64_t th_hash(uint32_t gid, uint32_t sid, uint8_t kind, const setu_addr_t *a,
                        const setu_addr_t *b)
{
	uint64_t h = 1469598103934665603ULL;
	uint32_t v[3] = {gid, sid, kind};
	const uint8_t *pv = (const uint8_t *)v;
	for (size_t i = 0; i < sizeof(v); i++)
		h = (h ^ pv[i]) * 1099511628211ULL;
	for (int i = 0; i < 16; i++)
		h = (h ^ a->b[i]) * 1099511628211ULL;
	for (int i = 0; i < 16; i++)
		h = (h ^ b->b[i]) * 1099511628211ULL;
	return h;
}

/* Look up/insert the entry; returns NULL when no slot (fail open). Caller holds mu. */
static th_entry_t *th_lookup(struct th_state *ts, uint32_t gid, uint32_t sid,
                             uint8_t kind, const setu_addr_t *a, const setu_addr_t *b,
                             uint64_t now, uint64_t window_us)
{
	uint64_t h = th_hash(gid, sid, kind, a, b);
	th_entry_t *reuse = NULL;
	for (uint32_t k = 0; k < 64; k++) {
		th_entry_t *e = &ts->e[(h + k) & (SETU_DETECT_THRESHOLD_MAX_ENTRIES - 1)];
		if (!e->used) {
			if (reuse == NULL)
				reuse = e;
			break;
		}
		if (e->gid == gid && e->sid == sid && e->kind == kind &&
		    setu_addr_eq(&e->a, a) && setu_addr_eq(&e->b, b))
			return e;
		/* an entry whose window and rate period ended can be reused */
		if (reuse == NULL && now >= e->first_us + window_us &&
		    now >= e->rate_until_us && e->first_us + window_us > e->first_us)
			reuse = e;
	}
	if (reuse == NULL)
		return NULL;
	memset(reuse, 0, sizeof(*reuse));
	reuse->used = true;
	reuse->gid = gid;
	reuse->sid = sid;
	reuse->kind = kind;
	reuse->a = *a;
	reuse->b = *b;
	return reuse;
}

static void track_addrs(uint8_t track, const setu_pkt_t *p, setu_addr_t *a,
                        setu_addr_t *b)
{
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	switch (track) {
	case TRACK_SRC:
		*a = p->src;
		break;
	case TRACK_DST:
		*a = p->dst;
		break;
	case TRACK_BOTH:
		/* by_both: the pair, in either direction */
		if (setu_addr_cmp(&p->src, &p->dst) <= 0) {
			*a = p->src;
			*b = p->dst;
		} else {
			*a = p->dst;
			*b = p->src;
		}
		break;
	default: /* by_rule */
		break;
	}
}

/* Counting step shared by global and flow tracking: given the counter for this event
 * (already incremented), decide whether it alerts. */
static bool th_decide(const threshold_t *th, uint32_t count, uint64_t *next)
{
	switch (th->type) {
	case TH_LIMIT:
		return count <= th->count;
	case TH_THRESHOLD:
		return count % th->count == 0;
	case TH_BOTH:
		return count == th->count;
	case TH_DETECTION_FILTER:
		return count > th->count;
	case TH_BACKOFF:
		if (count <= th->count)
			return true;
		if (*next == 0)
			*next = (uint64_t)th->count * th->multiplier;
		if (count == *next) {
			*next *= th->multiplier;
			return true;
		}
		return false;
	default:
		return true;
	}
}

static bool th_flow(const setu_detect_engine_t *de, setu_pkt_t *p, const setu_rule_t *r,
                    const threshold_t *th)
{
	detect_flow_state_t *st = fstate(de, p->flow, true);
	if (st == NULL)
		return true; /* no flow: Suricata does not threshold by_flow without one
		              */
	flow_th_t *e = NULL;
	for (uint32_t i = 0; i < st->nth; i++)
		if (st->th[i].gid == r->info.gid && st->th[i].sid == r->info.sid)
			e = &st->th[i];
	uint64_t now = pkt_us(p);
	if (e == NULL) {
		flow_th_t *n = realloc(st->th, (st->nth + 1) * sizeof(*n));
		if (n == NULL)
			return true;
		st->th = n;
		e = &st->th[st->nth++];
		memset(e, 0, sizeof(*e));
		e->gid = r->info.gid;
		e->sid = r->info.sid;
		e->first_us = now;
	}
	if (th->type != TH_BACKOFF &&
	    now >= e->first_us + (uint64_t)th->seconds * 1000000u) {
		e->first_us = now;
		e->count = 0;
	}
	e->count++;
	return th_decide(th, e->count, &e->next);
}

static bool th_global(const setu_detect_engine_t *de, setu_pkt_t *p, const setu_rule_t *r,
                      const threshold_t *th)
{
	if (th->track == TRACK_FLOW)
		return th_flow(de, p, r, th);
	struct th_state *ts = de->ths;
	setu_addr_t a, b;
	track_addrs(th->track, p, &a, &b);
	uint64_t now = pkt_us(p);
	uint64_t win = (uint64_t)th->seconds * 1000000u;
	pthread_mutex_lock(&ts->mu);
	th_entry_t *e = th_lookup(ts, r->info.gid, r->info.sid, 0, &a, &b, now, win);
	bool ok = true;
	if (e == NULL) {
		ts->full++;
	} else {
		if (e->count == 0 || now >= e->first_us + win) {
			e->first_us = now;
			e->count = 0;
		}
		e->count++;
		uint64_t next = 0;
		ok = th_decide(th, e->count, &next);
	}
	pthread_mutex_unlock(&ts->mu);
	return ok;
}

/* rate_filter: returns the action to apply */
static setu_action_t rate_filter(struct th_state *ts, setu_pkt_t *p, const setu_rule_t *r,
                                 bool *changed)
{
	const threshold_t *th = &r->rate->th;
	setu_addr_t a, b;
	track_addrs(th->track, p, &a, &b);
	uint64_t now = pkt_us(p);
	uint64_t win = (uint64_t)th->seconds * 1000000u;
	setu_action_t act = r->info.action;
	pthread_mutex_lock(&ts->mu);
	th_entry_t *e = th_lookup(ts, r->info.gid, r->info.sid, 1, &a, &b, now, win);
	if (e != NULL) {
		if (now < e->rate_until_us) {
			act = th->new_action;
			*changed = true;
		} else {
			if (e->count == 0 || now >= e->first_us + win) {
				e->first_us = now;
				e->count = 0;
			}
			e->count++;
			if (e->count > th->count) {
				e->rate_until_us = now + (uint64_t)th->timeout * 1000000u;
				act = th->new_action;
				*changed = true;
			}
		}
	} else {
		ts->full++;
	}
	pthread_mutex_unlock(&ts->mu);
	return act;
}

static bool suppressed(const setu_rule_t *r, const setu_pkt_t *p)
{
	for (size_t i = 0; i < r->nsuppress; i++) {
		const th_cfg_t *e = r->suppress[i];
		if (!e->has_ip)
			return true;
		bool s = ipset_match_addr(&e->ip, &p->src),
		     d = ipset_match_addr(&e->ip, &p->dst);
		if ((e->sup_track == TRACK_SRC && s) ||
		    (e->sup_track == TRACK_DST && d) ||
		    (e->sup_track == TRACK_EITHER && (s || d)))
			return true;
	}
	return false;
}

/* ---- thread ---- */

#define DETECT_LOOKUP_CACHE 256u /* entries, a power of two */

struct setu_detect_thread {
	const setu_detect_engine_t *de;
	hs_scratch_t *scratch; /* owned */
	uint32_t *stamp;       /* owned [nrules] */
	uint32_t cur;
	uint32_t *cand;  /* owned [nrules] */
	uint32_t *cand2; /* owned [nrules]: merge buffer of collect() */
	uint32_t ncand;
	const pgroup_t *scan_group;
	/* the address index's answers for recent IPv4 (index, source, destination)
	 * triples: a flow's packets come in bursts, and two binary searches over a
	 * large index cost more than a hash and a compare */
	struct lkc {
		const ipidx_t *x; /* NULL: empty entry */
		uint32_t src, dst, k;
		const uint32_t *l[3];
		uint32_t n[3];
	} lkc[DETECT_LOOKUP_CACHE];
	struct smem *scan_mem; /* stream scans: where hits are remembered, or NULL */
	uint64_t scan_end;     /* stream offset of the scanned data's end */
	/* rules that alerted on the stream for packet sa_pkt (stamp == sa_cur) */
	const setu_pkt_t *sa_pkt;
	const struct txpf *tx_scan; /* tx prefilter being scanned */
	const uint32_t *tx_scan_rules;
	uint32_t *sa_stamp; /* owned [nrules] */
	uint32_t sa_cur;
	pcre2_match_data *md;      /* owned */
	pcre2_match_context *mctx; /* owned */
	/* app-layer inspection: assembled buffers, transform results, and the packet
	 * alerts of a tx carry when the current one travels the other way */
	setu_buf_t kwbuf, tfbuf[2];
	setu_pkt_t *txpkt; /* owned */
};

setu_detect_thread_t *setu_detect_thread_new(const setu_detect_engine_t *de)
{
	setu_detect_thread_t *dt = calloc(1, sizeof(*dt));
	if (dt == NULL)
		return NULL;
	dt->de = de;
	size_t n = de->nrules ? de->nrules : 1;
	dt->stamp = calloc(n, sizeof(*dt->stamp));
	dt->cand = malloc(n * sizeof(*dt->cand));
	dt->cand2 = malloc(n * sizeof(*dt->cand2));
	dt->sa_stamp = calloc(n, sizeof(*dt->sa_stamp));
	dt->md = pcre2_match_data_create(16, NULL);
	dt->mctx = pcre2_match_context_create(NULL);
	dt->txpkt = malloc(sizeof(*dt->txpkt));
	setu_buf_init(&dt->kwbuf, SETU_DETECT_MAX_TX_BUFFER);
	setu_buf_init(&dt->tfbuf[0], SETU_DETECT_MAX_TX_BUFFER);
	setu_buf_init(&dt->tfbuf[1], SETU_DETECT_MAX_TX_BUFFER);
	if (dt->stamp == NULL || dt->cand == NULL || dt->cand2 == NULL ||
	    dt->sa_stamp == NULL || dt->md == NULL || dt->mctx == NULL ||
	    dt->txpkt == NULL)
		goto fail;
	/* Suricata's default pcre match limits (detect.pcre.match-limit and
	 * match-limit-recursion) */
	pcre2_set_match_limit(dt->mctx, 3500);
	pcre2_set_depth_limit(dt->mctx, 1500);
	for (int g = 0; g < G_COUNT; g++)
		if (de->groups[g].db != NULL &&
		    hs_alloc_scratch(de->groups[g].db, &dt->scratch) != HS_SUCCESS)
			goto fail;
	for (int pr = 0; pr < SETU_ALPROTO_MAX; pr++)
		for (int b = 0; b < DB_COUNT; b++)
			if (de->txpf[pr][b].db != NULL &&
			    hs_alloc_scratch(de->txpf[pr][b].db, &dt->scratch) !=
			        HS_SUCCESS)
				goto fail;
	return dt;
fail:
	setu_detect_thread_free(dt);
	return NULL;
}

void setu_detect_thread_free(setu_detect_thread_t *dt)
{
	if (dt == NULL)
		return;
	hs_free_scratch(dt->scratch);
	free(dt->stamp);
	free(dt->cand);
	free(dt->cand2);
	free(dt->sa_stamp);
	pcre2_match_data_free(dt->md);
	pcre2_match_context_free(dt->mctx);
	setu_buf_free(&dt->kwbuf);
	setu_buf_free(&dt->tfbuf[0]);
	setu_buf_free(&dt->tfbuf[1]);
	free(dt->txpkt);
	free(dt);
}

static int on_hs_match(unsigned int id, unsigned long long from, unsigned long long to,
                       unsigned int flags, void *ctx)
{
	(void)from;
	(void)to;
	(void)flags;
	setu_detect_thread_t *dt = ctx;
	const pgroup_t *pg = dt->scan_group;
	struct smem *m = dt->scan_mem;
	if (m != NULL && m->valid) {
		uint16_t i = 0;
		while (i < m->n && m->hit[i].id != id)
			i++;
		if (i < m->n) {
			m->hit[i].s1 = dt->scan_end;
		} else if (m->n < SETU_DETECT_STREAM_HITS_MAX) {
			m->hit[m->n].id = id;
			m->hit[m->n].s1 = dt->scan_end;
			m->n++;
		} else {
			m->valid = false; /* too many: the next chunk scans it all */
		}
	}
	for (uint32_t k = pg->pat_off[id]; k < pg->pat_off[id + 1]; k++) {
		uint32_t ri = pg->pat_rules[k];
		if (dt->stamp[ri] != dt->cur) {
			dt->stamp[ri] = dt->cur;
			dt->cand[dt->ncand++] = ri;
		}
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* ascending; prefilter hits are a handful, for which insertion sort beats qsort */
static void sort_u32(uint32_t *v, uint32_t n)
{
	if (n > 32) {
		qsort(v, n, sizeof(*v), cmp_u32);
		return;
	}
	for (uint32_t i = 1; i < n; i++) {
		uint32_t x = v[i], j = i;
		while (j > 0 && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

static void scan_group(setu_detect_thread_t *dt, const pgroup_t *pg,
                       const hs_database_t *db, const uint8_t *buf, size_t len)
{
	if (db != NULL && len > 0) {
		dt->scan_group = pg;
		/* block scan failures (only on a broken scratch) leave prefilter rules
		 * out */
		(void)hs_scan(db, (const char *)buf,
		              (unsigned)(len > UINT32_MAX ? UINT32_MAX : len), 0,
		              dt->scratch, on_hs_match, dt);
	}
}

typedef struct hview {
	const setu_addr_t *src, *dst;
	uint16_t sp, dp;
	bool toserver, toclient;
	int8_t est; /* flow:established for this packet: 0/1, or -1 to ask the flow */
} hview_t;

/* candidates = prefilter hits on buf + the non-prefilter rules of group pg that the
 * address index gives for the view's addresses (or that need one of the packet's
 * events), in rule order. The index lists are sorted already: only the few hits are
 * sorted, then the (at most 4, mostly short) lists are merged; a rule in two lists (<>
 * rules) is kept once. */
static void collect_begin(setu_detect_thread_t *dt)
{
	dt->ncand = 0;
	if (++dt->cur == 0) {
		memset(dt->stamp, 0,
		       (dt->de->nrules ? dt->de->nrules : 1) * sizeof(*dt->stamp));
		dt->cur = 1;
	}
}

static void add_rules(setu_detect_thread_t *dt, const uint32_t *l, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (dt->stamp[l[i]] != dt->cur) {
			dt->stamp[l[i]] = dt->cur;
			dt->cand[dt->ncand++] = l[i];
		}
}

/* ipidx_lookup through the thread's cache (IPv4) */
static uint32_t cached_lookup(setu_detect_thread_t *dt, const ipidx_t *x,
                              const hview_t *v, const uint32_t **l, uint32_t *n)
{
	if (v->src->family != 4 || v->dst->family != 4)
		return ipidx_lookup(x, v->src, v->dst, l, n);
	uint32_t s = detect_addr_v4(v->src), d = detect_addr_v4(v->dst);
	uint64_t h = ((uint64_t)s * 0x9e3779b97f4a7c15ULL) ^
	             ((uint64_t)d * 0xc2b2ae3d27d4eb4fULL) ^ (uint64_t)(uintptr_t)x;
	struct lkc *e = &dt->lkc[(h >> 40) & (DETECT_LOOKUP_CACHE - 1)];
	if (e->x != x || e->src != s || e->dst != d) {
		e->k = ipidx_lookup(x, v->src, v->dst, e->l, e->n);
		e->x = x;
		e->src = s;
		e->dst = d;
	}
	for (uint32_t i = 0; i < e->k; i++) {
		l[i] = e->l[i];
		n[i] = e->n[i];
	}
	return e->k;
}

static void collect_finish(setu_detect_thread_t *dt, const pgroup_t *pg,
                           const setu_pkt_t *p, const hview_t *v, bool stream)
{
	const ipidx_t *x = stream ? &pg->sidx : &pg->pidx;
	for (unsigned e = 0; e < p->nevents; e++) {
		const uint32_t *el;
		uint32_t en = ipidx_event(x, p->events[e], &el);
		add_rules(dt, el, en);
	}
	uint32_t nh = dt->ncand;
	if (nh > 1)
		sort_u32(dt->cand, nh);
	const uint32_t *l[4];
	uint32_t n[4], i[4] = {0, 0, 0, 0};
	uint32_t k = 0;
	if (nh > 0) {
		l[0] = dt->cand;
		n[0] = nh;
		k = 1;
	}
	k += cached_lookup(dt, x, v, &l[k], &n[k]);
	uint32_t *out = dt->cand2, w = 0;
	if (k == 1) {
		if (l[0] == dt->cand) {
			w = nh; /* the hits only: already in place */
			out = dt->cand;
		} else {
			memcpy(out, l[0], n[0] * sizeof(*out));
			w = n[0];
		}
	} else if (k > 1) {
		for (;;) {
			int best = -1;
			uint32_t bv = UINT32_MAX;
			for (uint32_t j = 0; j < k; j++)
				if (i[j] < n[j] && (best < 0 || l[j][i[j]] < bv)) {
					best = (int)j;
					bv = l[j][i[j]];
				}
			if (best < 0)
				break;
			i[best]++;
			if (w == 0 || out[w - 1] != bv)
				out[w++] = bv;
		}
	}
	if (out != dt->cand) {
		dt->cand2 = dt->cand;
		dt->cand = out;
	}
	dt->ncand = w;
}

static void collect(setu_detect_thread_t *dt, const pgroup_t *pg, const setu_pkt_t *p,
                    const hview_t *v, bool covered, const uint8_t *buf, size_t len)
{
	collect_begin(dt);
	dt->scan_mem = NULL;
	if (covered && !pg->cdb_db) {
		scan_group(dt, pg, pg->cdb, buf, len);
		scan_group(dt, pg, pg->hdb, buf, len < pg->head_len ? len : pg->head_len);
	} else {
		scan_group(dt, pg, pg->db, buf, len);
	}
	collect_finish(dt, pg, p, v, false);
}

/* Stream data [offset, offset + len) (the raw window) of one direction: its candidates
 * are the rules whose fast pattern occurs in it. Bytes scanned by an earlier chunk are
 * not scanned again: the patterns found there are remembered in m (with the end of the
 * scan that last found each, so the ones that slid out of the window are dropped), and
 * only the new bytes, plus the longest pattern's length before them, are scanned. A
 * remembered pattern may have slid out since (a superset: verification decides). */
static void collect_stream(setu_detect_thread_t *dt, const pgroup_t *pg, int g,
                           struct smem *m, const setu_pkt_t *p, const hview_t *v,
                           const uint8_t *buf, size_t len, uint64_t offset)
{
	collect_begin(dt);
	uint64_t end = offset + len;
	size_t from = 0;
	if (m != NULL && m->hit == NULL) {
		m->hit = malloc(SETU_DETECT_STREAM_HITS_MAX * sizeof(*m->hit));
		m->valid = false;
		if (m->hit == NULL)
			m = NULL; /* scan it all, remember nothing */
	}
	if (m != NULL) {
		if (m->valid && m->group == g && m->end >= offset && m->end <= end) {
			uint64_t f = m->end - offset;
			from = (size_t)(f > pg->maxpat ? f - pg->maxpat + 1 : 0);
			/* forget what lies wholly before the window */
			uint16_t w = 0;
			for (uint16_t i = 0; i < m->n; i++)
				if (m->hit[i].s1 > offset)
					m->hit[w++] = m->hit[i];
			m->n = w;
		} else {
			m->valid = true;
			m->n = 0;
			m->group = (uint8_t)g;
		}
		m->end = end;
	}
	dt->scan_mem = m;
	dt->scan_end = end;
	scan_group(dt, pg, pg->db, buf + from, len - from);
	dt->scan_mem = NULL;
	/* patterns of the earlier bytes (the ones found now are in already: the stamps
	 * skip them) */
	if (m != NULL && from > 0)
		for (uint16_t i = 0; i < m->n; i++) {
			uint32_t id = m->hit[i].id;
			add_rules(dt, &pg->pat_rules[pg->pat_off[id]],
			          pg->pat_off[id + 1] - pg->pat_off[id]);
		}
	collect_finish(dt, pg, p, v, true);
}

/* The group a TCP/UDP packet (or stream chunk) of direction dir with server port sport
 * inspects: its port's group (which holds the any-port rules too) if the port has one,
 * else the direction's any-port group. */
static const pgroup_t *port_group(const setu_detect_engine_t *de, int base, int dir,
                                  uint16_t sport)
{
	int g = base + dir * DETECT_PORTS_PER_DIR;
	int k = detect_prio_port_index(sport);
	if (k >= 0 && de->groups[g + 1 + k].used)
		return &de->groups[g + 1 + k];
	return &de->groups[g];
}

/* ---- header and match-list keywords ---- */

static bool num_cmp(const sm_num_t *n, uint64_t v)
{
	switch (n->op) {
	case CMP_EQ:
		return v == n->a;
	case CMP_NE:
		return v != n->a;
	case CMP_LT:
		return v < n->a;
	case CMP_GT:
		return v > n->a;
	case CMP_LE:
		return v <= n->a;
	case CMP_GE:
		return v >= n->a;
	default:
		return v > n->a && v < n->b;
	}
}

static bool bits_match(const sm_bits_t *b, uint16_t v)
{
	v &= (uint16_t)~b->mask;
	switch (b->mode) {
	case '+':
		return (v & b->bits) == b->bits;
	case '*':
		return (v & b->bits) != 0;
	case '!':
		return (v & b->bits) != b->bits;
	default:
		return v == b->bits;
	}
}

static bool header_match(const setu_rule_t *r, const setu_pkt_t *p, const hview_t *v)
{
	if (r->ipver != 0 && r->ipver != p->ip_ver)
		return false;
	/* alert http/dns/tls ...: only flows the app-layer recognised as that protocol */
	if (r->alproto != 0 && (p->flow == NULL || p->flow->app_proto != r->alproto))
		return false;
	if (r->rproto == RP_SCTP && p->proto != 132)
		return false;
	if (r->rproto == RP_IGMP && p->proto != 2)
		return false;
	bool ports = (p->proto == 6 || p->proto == 17 || p->proto == 132) &&
	             (p->flags & SETU_PKT_HAS_L4);
	bool need_ports = !(r->flags & RF_SP_ANY) || !(r->flags & RF_DP_ANY);
	if (need_ports && !ports)
		return false;
	bool fwd = ipset_match_addr(&r->src, v->src) &&
	           ipset_match_addr(&r->dst, v->dst) &&
	           (!need_ports ||
	            (ipset_match_port(&r->sp, v->sp) && ipset_match_port(&r->dp, v->dp)));
	if (fwd)
		return true;
	if (!(r->flags & RF_BIDIR))
		return false;
	return ipset_match_addr(&r->src, v->dst) && ipset_match_addr(&r->dst, v->src) &&
	       (!need_ports ||
	        (ipset_match_port(&r->sp, v->dp) && ipset_match_port(&r->dp, v->sp)));
}

/* Packets: the stream engine's verdict (TCP) or the flow's state (both sides spoke);
 * stream data: the TCP session's state. */
static bool flow_established(const setu_pkt_t *p, bool stream)
{
	if (stream && p->flow != NULL && p->flow->tcp != NULL)
		return setu_stream_state(p->flow) >= SETU_TCP_ESTABLISHED ||
		       p->flow->state != SETU_FLOW_STATE_NEW;
	if (p->flags & SETU_PKT_STREAM_EST)
		return true;
	return p->flow != NULL && p->flow->state != SETU_FLOW_STATE_NEW;
}

static bool is_icmp(const setu_pkt_t *p)
{
	return p->proto == 1 || p->proto == 58;
}

static bool match_list(const setu_detect_engine_t *de, const setu_rule_t *r,
                       setu_pkt_t *p, const hview_t *v, bool stream)
{
	const sm_list_arr_t *l = &r->lists[LIST_MATCH];
	detect_flow_state_t *st = NULL;
	bool st_loaded = false;
	for (uint32_t i = 0; i < l->n; i++) {
		const sm_t *sm = &l->v[i];
		bool tcp = p->proto == 6 && (p->flags & SETU_PKT_HAS_L4);
		switch (sm->type) {
		case SM_ALDET_EVENT:
			if (p->flow == NULL ||
			    !(setu_applayer_pending_detect_events(p->flow) & sm->u.u32))
				return false;
			break;
		case SM_DSIZE:
			/* Suricata: dsize with !=, >, >= or a range requires a payload
			 * (`dsize:!9` and `dsize:>=0` never match an empty packet) */
			if (p->payload_len == 0 && sm->u.num->op != CMP_EQ &&
			    sm->u.num->op != CMP_LT && sm->u.num->op != CMP_LE)
				return false;
			if (!num_cmp(sm->u.num, p->payload_len))
				return false;
			break;
		case SM_TTL:
			if (p->ip_ver == 0 || !num_cmp(sm->u.num, p->ip.ttl))
				return false;
			break;
		case SM_TOS:
			if (p->ip_ver == 0 || !num_cmp(sm->u.num, p->ip.tos))
				return false;
			break;
		case SM_IPOPTS:
			if (p->ip_ver != 4)
				return false;
			if (sm->u.bits->bits == SETU_IPOPT_ANY
			        ? p->ip.opts == 0
			        : !(p->ip.opts & sm->u.bits->bits))
				return false;
			break;
		case SM_FRAGBITS: {
			if (p->ip_ver != 4)
				return false;
			uint16_t fb = (uint16_t)((p->ip.mf ? 1 : 0) | (p->ip.df ? 2 : 0) |
			                         (p->ip.rb ? 4 : 0));
			if (!bits_match(sm->u.bits, fb))
				return false;
			break;
		}
		case SM_FRAGOFFSET:
			if (p->ip_ver == 0 || !num_cmp(sm->u.num, p->ip.frag_off))
				return false;
			break;
		case SM_ID:
			if (p->ip_ver != 4 || !num_cmp(sm->u.num, p->ip.id))
				return false;
			break;
		case SM_IPPROTO:
			if (p->ip_ver == 0 || !num_cmp(sm->u.num, p->proto))
				return false;
			break;
		case SM_SAMEIP:
			if (p->ip_ver == 0 || !setu_addr_eq(&p->src, &p->dst))
				return false;
			break;
		case SM_FLAGS:
			if (!tcp || !bits_match(sm->u.bits, p->tcp.flags))
				return false;
			break;
		case SM_SEQ:
			if (!tcp || !num_cmp(sm->u.num, p->tcp.seq))
				return false;
			break;
		case SM_ACK:
			if (!tcp || !num_cmp(sm->u.num, p->tcp.ack))
				return false;
			break;
		case SM_WINDOW:
			if (!tcp || !num_cmp(sm->u.num, p->tcp.win))
				return false;
			break;
		case SM_TCPMSS:
			if (!tcp || !p->tcp.has_mss || !num_cmp(sm->u.num, p->tcp.mss))
				return false;
			break;
		case SM_ITYPE:
			if (!is_icmp(p) || !num_cmp(sm->u.num, p->icmp.type))
				return false;
			break;
		case SM_ICODE:
			if (!is_icmp(p) || !num_cmp(sm->u.num, p->icmp.code))
				return false;
			break;
		case SM_ICMP_ID:
			if (!is_icmp(p) || !p->icmp.has_id ||
			    !num_cmp(sm->u.num, p->icmp.id))
				return false;
			break;
		case SM_ICMP_SEQ:
			if (!is_icmp(p) || !p->icmp.has_id ||
			    !num_cmp(sm->u.num, p->icmp.seq))
				return false;
			break;
		case SM_FLOW: {
			uint32_t f = sm->u.u32;
			if ((f & (FL_ESTABLISHED | FL_NOT_ESTABLISHED | FL_TOSERVER |
			          FL_TOCLIENT)) &&
			    p->flow == NULL)
				return false;
			bool est =
			    v->est >= 0 ? v->est != 0 : flow_established(p, stream);
			if ((f & FL_ESTABLISHED) && !est)
				return false;
			if ((f & FL_NOT_ESTABLISHED) && est)
				return false;
			if ((f & FL_TOSERVER) && !v->toserver)
				return false;
			if ((f & FL_TOCLIENT) && !v->toclient)
				return false;
			bool frag = (p->flags &
			             (SETU_PKT_IS_FRAGMENT | SETU_PKT_REASSEMBLED)) != 0;
			if ((f & FL_ONLY_FRAG) && !frag)
				return false;
			if ((f & FL_NO_FRAG) && frag)
				return false;
			if ((f & FL_ONLY_STREAM) && !stream)
				return false;
			if ((f & FL_NO_STREAM) && stream)
				return false;
			break;
		}
		case SM_FLOWBITS: {
			if (!st_loaded) {
				st = fstate(de, p->flow, false);
				st_loaded = true;
			}
			const sm_flowbits_t *fb = sm->u.fb;
			uint64_t now = pkt_us(p);
			bool want = fb->cmd == FB_ISSET;
			bool any = false, all = true;
			for (uint16_t k = 0; k < fb->n; k++) {
				bool set = bit_get(st, fb->idx[k], now);
				bool ok = set == want;
				any = any || ok;
				all = all && ok;
			}
			if (fb->or_form ? !any : !all)
				return false;
			break;
		}
		case SM_FLOWINT: {
			if (!st_loaded) {
				st = fstate(de, p->flow, false);
				st_loaded = true;
			}
			const sm_flowint_t *fi = sm->u.fi;
			struct fint *x = fint_get(st, fi->idx, false);
			bool isset = x != NULL && x->set;
			if (fi->op == FI_ISSET) {
				if (!isset)
					return false;
				break;
			}
			if (fi->op == FI_NOTSET) {
				if (isset)
					return false;
				break;
			}
			if (!isset)
				return false;
			uint32_t rhs = fi->val;
			if (fi->val_is_var) {
				struct fint *y = fint_get(st, fi->val_idx, false);
				if (y == NULL || !y->set)
					return false;
				rhs = y->v;
			}
			sm_num_t n = {CMP_EQ, rhs, 0};
			n.op = fi->op == FI_EQ   ? CMP_EQ
			       : fi->op == FI_NE ? CMP_NE
			       : fi->op == FI_LT ? CMP_LT
			       : fi->op == FI_LE ? CMP_LE
			       : fi->op == FI_GT ? CMP_GT
			                         : CMP_GE;
			if (!num_cmp(&n, x->v))
				return false;
			break;
		}
		case SM_EVENT:
			if (!setu_pkt_has_event(p, (setu_event_t)sm->u.u32))
				return false;
			break;
		case SM_APPPROTO: {
			unsigned want = sm->u.u32 & 0xffu;
			bool neg = (sm->u.u32 & 0x100u) != 0;
			unsigned have = p->flow != NULL ? p->flow->app_proto : 0;
			if ((have == want) == neg)
				return false;
			break;
		}
		default:
			return false;
		}
	}
	return true;
}

static void postmatch(const setu_detect_engine_t *de, const setu_rule_t *r, setu_pkt_t *p)
{
	const sm_list_arr_t *l = &r->lists[LIST_POSTMATCH];
	if (l->n == 0)
		return;
	detect_flow_state_t *st = fstate(de, p->flow, true);
	if (st == NULL)
		return; /* no flow: flowbits/flowint have nowhere to live (Suricata does
		           the same) */
	uint64_t now = pkt_us(p);
	for (uint32_t i = 0; i < l->n; i++) {
		const sm_t *sm = &l->v[i];
		if (sm->type == SM_FLOWBITS) {
			const sm_flowbits_t *fb = sm->u.fb;
			for (uint16_t k = 0; k < fb->n; k++) {
				uint32_t b = fb->idx[k];
				uint64_t exp = fb->expire
				                   ? now + (uint64_t)fb->expire * 1000000u
				                   : 0;
				if (fb->cmd == FB_SET)
					bit_set(st, b, true, exp);
				else if (fb->cmd == FB_UNSET)
					bit_set(st, b, false, 0);
				else
					bit_set(st, b, !bit_get(st, b, now), 0);
			}
		} else if (sm->type == SM_FLOWINT) {
			const sm_flowint_t *fi = sm->u.fi;
			struct fint *x = fint_get(st, fi->idx, true);
			if (x == NULL)
				continue;
			uint32_t rhs = fi->val;
			if (fi->val_is_var) {
				struct fint *y = fint_get(st, fi->val_idx, false);
				if (y == NULL || !y->set)
					continue; /* Suricata: an unset source var leaves
					             the target alone */
				rhs = y->v;
			}
			if (fi->op == FI_SET) {
				x->v = rhs;
				x->set = true;
			} else if (fi->op == FI_ADD) {
				/* an unset var starts at 0 (Suricata initialises on + and
				 * -) */
				x->v = (x->set ? x->v : 0) + rhs;
				x->set = true;
			} else {
				x->v = (x->set ? x->v : 0) - rhs;
				x->set = true;
			}
		}
	}
}

/* A rule matched: flowbits/flowint updates, then pass, noalert, suppress, thresholds,
 * rate_filter and the alert. Returns true for a pass rule. tx: the transaction of an
 * app-layer match, NULL otherwise. */
static bool report_match(setu_detect_thread_t *dt, const setu_rule_t *r, setu_pkt_t *p,
                         bool stream, const uint8_t *buf, size_t len,
                         uint64_t stream_offset, const setu_altx_t *tx, int tx_proto,
                         setu_alert_cb cb, void *user)
{
	const setu_detect_engine_t *de = dt->de;
	postmatch(de, r, p);
	if (r->info.action == SETU_ACTION_PASS)
		return true;
	if (r->flags & RF_NOALERT)
		return false;
	if (suppressed(r, p))
		return false;
	if (r->th.type != TH_NONE && !th_global(de, p, r, &r->th))
		return false;
	setu_alert_t a = {0};
	a.rule = &r->info;
	a.action = r->info.action;
	bool changed = false;
	if (r->rate != NULL)
		a.action = rate_filter(de->ths, p, r, &changed);
	if (changed)
		a.flags |= SETU_ALERT_RATE_CHANGED;
	if (stream) {
		a.flags |= SETU_ALERT_STREAM_MATCH;
		if (dt->sa_pkt != p) {
			dt->sa_pkt = p;
			if (++dt->sa_cur == 0) {
				memset(dt->sa_stamp, 0,
				       (de->nrules ? de->nrules : 1) *
				           sizeof(*dt->sa_stamp));
				dt->sa_cur = 1;
			}
		}
		dt->sa_stamp[r->idx] = dt->sa_cur;
	}
	if (r->flags & RF_TAG)
		a.flags |= SETU_ALERT_NOALERT_TAG;
	if (tx != NULL) {
		a.flags |= SETU_ALERT_TX;
		a.tx_id = tx->id;
		a.tx = tx;
		a.tx_proto = tx_proto;
	}
	a.stream_offset = stream_offset;
	a.payload = buf;
	a.payload_len = len;
	if (cb != NULL)
		cb(user, p, &a);
	return false;
}

/* Evaluate rule candidates and report. Returns true if a pass rule matched. */
static bool run_rules(setu_detect_thread_t *dt, setu_pkt_t *p, const hview_t *v,
                      bool stream, bool stream_covered, const uint8_t *buf, size_t len,
                      uint64_t stream_offset, uint32_t min_end, uint32_t min_end_so,
                      setu_alert_cb cb, void *user)
{
	const setu_detect_engine_t *de = dt->de;
	for (uint32_t c = 0; c < dt->ncand; c++) {
		const setu_rule_t *r = de->rules[dt->cand[c]];
		bool has_payload = r->lists[LIST_PMATCH].n > 0;
		uint32_t me = min_end;
		if (stream) {
			if (!(r->flags & RF_REQ_STREAM) || !has_payload)
				continue;
			/* stream-only rules also see the bytes a SYN carried (inspected
			 * per packet by the others only) */
			if (r->flags & RF_STREAM_ONLY)
				me = min_end_so;
			else if (me >= len)
				continue;
		} else {
			if (r->flags & RF_STREAM_ONLY)
				continue;
			/* payload rules of established TCP sessions are inspected on the
			 * reassembled stream (setu_detect_stream), not per packet, unless
			 * anchored with depth/offset (Suricata: packet and stream) */
			if (stream_covered && !detect_rule_on_covered(r))
				continue;
			/* one alert per rule and packet: not again if the stream already
			 * matched it for this packet */
			if (dt->sa_pkt == p && dt->sa_stamp[r->idx] == dt->sa_cur)
				continue;
		}
		if (!header_match(r, p, v))
			continue;
		if (!match_list(de, r, p, v, stream))
			continue;
		if (has_payload) {
			if ((p->flags & SETU_PKT_NOPAYLOAD_INSPECT) && !stream)
				continue;
			inspect_ctx_t ic = {0};
			ic.buf = buf;
			ic.len = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
			ic.md = dt->md;
			ic.mctx = dt->mctx;
			ic.min_end = me;
			if (stream && (r->flags & RF_ANCHORED) && me > 0 &&
			    me <= ic.len) {
				/* anchored rules see the new bytes from their start */
				ic.buf = buf + me;
				ic.len -= me;
				ic.min_end = 0;
			}
			if (!detect_inspect_payload(r, &ic))
				continue;
		}
		if (report_match(dt, r, p, stream, buf, len, stream_offset, NULL, 0, cb,
		                 user))
			return true;
	}
	return false;
}

static void detect_tx_progress(setu_detect_thread_t *dt, setu_pkt_t *p, setu_alert_cb cb,
                               void *user);

static int group_of(const setu_pkt_t *p)
{
	if (!(p->flags & SETU_PKT_HAS_L4) && (p->proto == 6 || p->proto == 17))
		return G_OTHER; /* fragments and truncated L4: only ip rules can apply */
	switch (p->proto) {
	case 6:
		return G_TCP;
	case 17:
		return G_UDP;
	case 1:
		return G_ICMP4;
	case 58:
		return G_ICMP6;
	default:
		return G_OTHER;
	}
}

static void view_of(const setu_pkt_t *p, bool swap, hview_t *v)
{
	v->est = -1;
	bool ts = (p->flags & SETU_PKT_TOSERVER) != 0,
	     tc = (p->flags & SETU_PKT_TOCLIENT) != 0;
	if (!swap) {
		v->src = &p->src;
		v->dst = &p->dst;
		v->sp = p->sp;
		v->dp = p->dp;
		v->toserver = ts;
		v->toclient = tc;
	} else {
		v->src = &p->dst;
		v->dst = &p->src;
		v->sp = p->dp;
		v->dp = p->sp;
		v->toserver = tc;
		v->toclient = ts;
	}
}

/* flow:established of a TCP packet: whether the flow was established before it (see
 * detect_flow_state_t.tcp_est); notes the state the packet leaves. */
static int8_t tcp_est_before(const setu_detect_engine_t *de, setu_pkt_t *p)
{
	detect_flow_state_t *st = fstate(de, p->flow, false);
	bool before = st != NULL && st->tcp_est;
	if (!before && flow_established(p, false)) {
		st = fstate(de, p->flow, true);
		if (st != NULL)
			st->tcp_est = true;
	}
	return before ? 1 : 0;
}

void setu_detect_packet(setu_detect_thread_t *dt, setu_pkt_t *p, setu_alert_cb cb,
                        void *user)
{
	const setu_detect_engine_t *de = dt->de;
	hview_t v;
	view_of(p, false, &v);
	if (de->flow_est_rules && p->proto == 6 && p->flow != NULL &&
	    p->flow->tcp != NULL && !(p->flags & SETU_PKT_PSEUDO))
		v.est = tcp_est_before(de, p);
	/* pkthdr rules see every packet, decoded or not */
	if (de->npkthdr > 0 || (p->nevents > 0 && de->pkthdr_ev.nev > 0)) {
		collect_begin(dt);
		add_rules(dt, de->pkthdr, de->npkthdr);
		for (unsigned e = 0; e < p->nevents; e++) {
			const uint32_t *el;
			uint32_t en = ipidx_event(&de->pkthdr_ev, p->events[e], &el);
			add_rules(dt, el, en);
		}
		if (dt->ncand > de->npkthdr)
			sort_u32(dt->cand, dt->ncand);
		run_rules(dt, p, &v, false, false, p->payload, p->payload_len, 0, 0, 0,
		          cb, user);
	}
	/* a packet whose IP layer decoded is inspected even if a layer above it was
	 * malformed (Suricata: ip rules still match it; without SETU_PKT_HAS_L4 it only
	 * reaches the ip-rule group) */
	if (p->ip_ver == 0 || p->src.family == 0 || p->dst.family == 0) {
		dt->sa_pkt = NULL;
		return;
	}
	int g = group_of(p);
	const pgroup_t *pg = &de->groups[g];
	if (g == G_TCP || g == G_UDP) {
		bool tc = (p->flags & SETU_PKT_TOCLIENT) != 0;
		pg = port_group(de, g, tc ? 1 : 0, tc ? p->sp : p->dp);
	}
	bool covered = p->proto == 6 && p->flow != NULL &&
	               (p->flags & SETU_PKT_STREAM_EST) && p->flow->tcp != NULL;
	collect(dt, pg, p, &v, covered, p->payload, p->payload_len);
	/* data carried on a SYN is inspected here; if the stream later delivers it, it is
	 * the direction's first bytes and is not inspected a second time */
	if (!covered && p->proto == 6 && (p->tcp.flags & SETU_TH_SYN) &&
	    p->flow != NULL && p->flow->tcp != NULL && p->payload_len > 0) {
		detect_flow_state_t *st = fstate(de, p->flow, true);
		if (st != NULL)
			st->pkt_inspected[(p->flags & SETU_PKT_TOCLIENT) ? 1 : 0] +=
			    p->payload_len;
	}
	run_rules(dt, p, &v, false, covered, p->payload, p->payload_len, 0, 0, 0, cb,
	          user);
	dt->sa_pkt = NULL; /* stream marks apply to this packet only */
	detect_tx_progress(dt, p, cb, user);
}

static void stream_run(setu_detect_thread_t *dt, setu_pkt_t *p, int dir,
                       const uint8_t *data, size_t len, uint64_t offset, setu_alert_cb cb,
                       void *user);
static void tx_progress(setu_detect_thread_t *dt, setu_pkt_t *p, setu_alert_cb cb,
                        void *user);

void setu_detect_stream(setu_detect_thread_t *dt, setu_pkt_t *p, int dir,
                        const uint8_t *data, size_t len, uint64_t offset,
                        setu_alert_cb cb, void *user)
{
	stream_run(dt, p, dir, data, len, offset, cb, user);
	/* flow end: the pseudo packet of a direction is the last time its stream is
	 * there, as Suricata's flow-end pseudo packets run the whole detection: the
	 * complete tx sides of that direction are inspected now, while tx rules with
	 * raw payload keywords can still read the stream (the tx hand-over that
	 * follows no longer can) */
	if ((p->flags & SETU_PKT_PSEUDO) && p->flow != NULL && p->ip_ver != 0)
		tx_progress(dt, p, cb, user);
}

static void stream_run(setu_detect_thread_t *dt, setu_pkt_t *p, int dir,
                       const uint8_t *data, size_t len, uint64_t offset, setu_alert_cb cb,
                       void *user)
{
	const setu_detect_engine_t *de = dt->de;
	if (len == 0 || dir < 0 || dir > 1 || p->ip_ver == 0)
		return;
	detect_flow_state_t *st = fstate(de, p->flow, true);
	uint64_t end = offset + len;
	uint64_t new_start = offset;
	if (st != NULL && st->raw_progress[dir] > new_start)
		new_start = st->raw_progress[dir];
	/* bytes a SYN carried were inspected per packet by the rules that inspect both
	 * (not again here); stream-only rules never saw them: they start at new_so */
	uint64_t new_so = new_start;
	if (st != NULL && st->pkt_inspected[dir] > new_start)
		new_start = st->pkt_inspected[dir];
	if (new_so >= end)
		return;
	/* widen to the stream's raw window when it holds bytes before this chunk, so
	 * patterns that straddle chunk boundaries are found */
	const uint8_t *wd;
	size_t wl;
	uint64_t wo;
	if (p->flow != NULL && setu_stream_raw_window(p->flow, dir, &wd, &wl, &wo) == 0 &&
	    wo <= offset && wo + wl >= end && wo < offset) {
		data = wd;
		len = (size_t)(end - wo);
		offset = wo;
	}
	uint32_t min_end = (uint32_t)((new_start < end ? new_start : end) - offset);
	uint32_t min_end_so = (uint32_t)(new_so - offset);
	hview_t v;
	bool pkt_toserver = (p->flags & SETU_PKT_TOSERVER) != 0;
	bool pkt_toclient = (p->flags & SETU_PKT_TOCLIENT) != 0;
	bool swap = (dir == 0 && pkt_toclient) || (dir == 1 && pkt_toserver);
	view_of(p, swap, &v);
	if (!pkt_toserver && !pkt_toclient) {
		v.toserver = dir == 0;
		v.toclient = dir == 1;
	}
	const pgroup_t *pg = port_group(de, G_TCP, dir, dir == 0 ? v.dp : v.sp);
	collect_stream(dt, pg, (int)(pg - de->groups), st != NULL ? &st->sm[dir] : NULL,
	               p, &v, data, len, offset);
	run_rules(dt, p, &v, true, false, data, len, offset, min_end, min_end_so, cb,
	          user);
	if (st != NULL)
		st->raw_progress[dir] = end;
}

void setu_detect_flow_swap(setu_flow_t *f)
{
	detect_flow_state_t *st =
	    f != NULL ? f->storage[SETU_FLOW_STORAGE_DETECT].ptr : NULL;
	if (st == NULL)
		return;
	uint64_t t = st->raw_progress[0];
	st->raw_progress[0] = st->raw_progress[1];
	st->raw_progress[1] = t;
	t = st->pkt_inspected[0];
	st->pkt_inspected[0] = st->pkt_inspected[1];
	st->pkt_inspected[1] = t;
	struct smem m = st->sm[0];
	st->sm[0] = st->sm[1];
	st->sm[1] = m;
}

/* ---- app-layer transactions ---- */

/* The packet an alert of a tx reports when the current packet travels the other way (or
 * there is none, at flow end): the flow's tuple in direction dir, with the current
 * packet's time and number. */
static setu_pkt_t *tx_packet(setu_detect_thread_t *dt, const setu_pkt_t *p,
                             setu_flow_t *f, int dir)
{
	setu_pkt_t *q = dt->txpkt;
	setu_pkt_reset(q);
	q->ts = p != NULL ? p->ts : f->last;
	q->pcap_cnt = p != NULL ? p->pcap_cnt : 0;
	q->ip_ver = f->src.family;
	q->proto = f->proto;
	q->src = dir == 0 ? f->src : f->dst;
	q->dst = dir == 0 ? f->dst : f->src;
	q->sp = dir == 0 ? f->sp : f->dp;
	q->dp = dir == 0 ? f->dp : f->sp;
	q->vlan_count = f->vlan_count;
	memcpy(q->vlan_id, f->vlan_id, sizeof(q->vlan_id));
	q->flags = SETU_PKT_HAS_L4 | (dir == 0 ? SETU_PKT_TOSERVER : SETU_PKT_TOCLIENT) |
	           (p != NULL ? (p->flags & SETU_PKT_STREAM_EST) : SETU_PKT_PSEUDO);
	q->flow = f;
	return q;
}

/* every sticky buffer of r matches on tx, side dir (a multi-buffer: any entry) */
static bool tx_buffers_match(setu_detect_thread_t *dt, const setu_rule_t *r, int proto,
                             const setu_altx_t *tx, int dir, bool *missing)
{
	for (uint32_t i = 0; i < r->nbl; i++) {
		const buflist_t *bl = &r->bl[i];
		bool ok = false;
		for (uint32_t idx = 0; !ok; idx++) {
			const uint8_t *b;
			uint32_t n;
			if (!detect_tx_buffer(proto, tx, bl->id, idx, dir, &dt->kwbuf, &b,
			                      &n)) {
				if (idx == 0 && bl->absent != 0)
					ok = true; /* absent, as required */
				else if (idx == 0)
					*missing = true;
				break;
			}
			if (bl->absent == 1)
				break; /* present: an `absent` buffer fails */
			if (bl->ntf > 0 && !detect_transform(bl, &b, &n, dt->tfbuf))
				break;
			inspect_ctx_t ic = {0};
			ic.buf = b;
			ic.len = n;
			ic.md = dt->md;
			ic.mctx = dt->mctx;
			ic.pl = &bl->l;
			ok = detect_inspect_payload(r, &ic) != 0;
			if (!detect_buffer_multi(bl->id))
				break;
		}
		if (!ok)
			return false;
	}
	return true;
}

/* the progress entry of tx (created when asked; NULL without memory) */
static struct txdone *txd_get(detect_flow_state_t *st, int proto, const setu_altx_t *tx,
                              uint32_t nrules, bool create)
{
	if (st == NULL)
		return NULL;
	struct txdone *free_e = NULL;
	for (uint32_t i = 0; i < st->ntxd; i++) {
		struct txdone *e = &st->txd[i];
		if (e->used && e->proto == proto && e->id == tx->id)
			return e;
		if (!e->used && free_e == NULL)
			free_e = e;
	}
	if (!create)
		return NULL;
	if (free_e == NULL) {
		if (st->ntxd >= SETU_DETECT_MAX_TX_INFLIGHT)
			return NULL; /* inspected at drain only (once, all sides) */
		struct txdone *n = realloc(st->txd, (st->ntxd + 1) * sizeof(*n));
		if (n == NULL)
			return NULL;
		st->txd = n;
		free_e = &n[st->ntxd++];
		memset(free_e, 0, sizeof(*free_e));
	}
	size_t need = ((size_t)nrules * 2 + 7) / 8;
	if (free_e->nbytes < need) {
		uint8_t *b = realloc(free_e->bits, need);
		if (b == NULL)
			return NULL;
		free_e->bits = b;
		free_e->nbytes = need;
	}
	memset(free_e->bits, 0, need);
	free_e->sides = 0;
	free_e->final = 0;
	free_e->retry = 0;
	free_e->used = true;
	free_e->proto = (uint8_t)proto;
	free_e->id = tx->id;
	return free_e;
}

static bool txd_bit(const struct txdone *e, uint32_t b)
{
	return e != NULL && (e->bits[b / 8] & (1u << (b % 8)));
}

static void txd_set(struct txdone *e, uint32_t b)
{
	if (e != NULL)
		e->bits[b / 8] |= (uint8_t)(1u << (b % 8));
}

static void txd_clear(struct txdone *e, uint32_t b)
{
	if (e != NULL)
		e->bits[b / 8] &= (uint8_t) ~(1u << (b % 8));
}

static bool side_ready(int proto, const setu_altx_t *tx, int d)
{
	switch (proto) {
	case SETU_ALPROTO_HTTP:
		return setu_http_kw_ready(tx, d);
	case SETU_ALPROTO_TLS:
		return setu_tls_kw_ready(tx, d);
	default:
		return tx->complete && tx->dir == d;
	}
}

static int on_tx_hs_match(unsigned int id, unsigned long long from, unsigned long long to,
                          unsigned int flags, void *ctx)
{
	(void)from;
	(void)to;
	(void)flags;
	setu_detect_thread_t *dt = ctx;
	if (id < dt->tx_scan->npat) {
		uint32_t k = dt->tx_scan->rule[id];
		uint32_t ri = dt->tx_scan_rules[k];
		if (dt->stamp[ri] != dt->cur) {
			dt->stamp[ri] = dt->cur;
			dt->cand[dt->ncand++] = k;
		}
	}
	return 0;
}

/* Candidates among the tx rules of proto, as positions in its tx rule list, ascending
 * (rule order) in dt->cand: the rules whose fast pattern occurs in its buffer on a side
 * to inspect (bit d of sides), plus those without one. */
static void tx_prefilter(setu_detect_thread_t *dt, int proto, const setu_altx_t *tx,
                         unsigned sides)
{
	const setu_detect_engine_t *de = dt->de;
	if (++dt->cur == 0) {
		memset(dt->stamp, 0, (de->nrules ? de->nrules : 1) * sizeof(*dt->stamp));
		dt->cur = 1;
	}
	const uint32_t *rules = de->txrules[proto];
	dt->ncand = 0;
	dt->tx_scan_rules = rules;
	for (int b = 0; b < DB_COUNT; b++) {
		const struct txpf *tp = &de->txpf[proto][b];
		if (tp->db == NULL)
			continue;
		dt->tx_scan = tp;
		for (int d = 0; d < 2; d++) {
			if (!(sides & (1u << d)) || !(detect_buffers[b].dirs & (1u << d)))
				continue;
			/* request-only buffers are read on the response side too (mixed
			 * rules): scan them once, on the side they belong to, unless
			 * only the other side is inspected now */
			for (uint32_t idx = 0;; idx++) {
				const uint8_t *buf;
				uint32_t n;
				if (!detect_tx_buffer(proto, tx, b, idx, d, &dt->kwbuf,
				                      &buf, &n))
					break;
				if (n > 0)
					(void)hs_scan(tp->db, (const char *)buf, n, 0,
					              dt->scratch, on_tx_hs_match, dt);
				if (!detect_buffer_multi(b))
					break;
			}
		}
		/* a request-only buffer used by a response-side (mixed) rule, when only
		 * the response side is inspected now */
		if (sides == 2 && (detect_buffers[b].dirs == 1 || tp->req_on_resp)) {
			for (uint32_t idx = 0;; idx++) {
				const uint8_t *buf;
				uint32_t n;
				if (!detect_tx_buffer(proto, tx, b, idx, 0, &dt->kwbuf,
				                      &buf, &n))
					break;
				if (n > 0)
					(void)hs_scan(tp->db, (const char *)buf, n, 0,
					              dt->scratch, on_tx_hs_match, dt);
				if (!detect_buffer_multi(b))
					break;
			}
		}
	}
	/* the hits, sorted, merged with the rules without a fast pattern */
	uint32_t nh = dt->ncand;
	if (nh > 1)
		sort_u32(dt->cand, nh);
	const uint32_t *np = de->txnonpf[proto], *nev = de->txnonpf_ev[proto];
	uint32_t nn = de->ntxnonpf[proto], a = 0, b = 0, w = 0;
	uint32_t *out = dt->cand2;
	while (a < nh || b < nn) {
		if (b >= nn || (a < nh && dt->cand[a] < np[b])) {
			out[w++] = dt->cand[a++];
		} else {
			/* disjoint: those have no pattern; one that needs app-layer
			 * events the tx does not have cannot match */
			if ((tx->events & nev[b]) == nev[b])
				out[w++] = np[b];
			b++;
		}
	}
	dt->cand2 = dt->cand;
	dt->cand = out;
	dt->ncand = w;
}

/* Inspect the tx rules of proto on tx: side only_d (-1: every side not inspected yet).
 * Returns true when a pass rule matched. */
static bool tx_run(setu_detect_thread_t *dt, setu_pkt_t *p, setu_flow_t *f, int proto,
                   const setu_altx_t *tx, int only_d, unsigned scan, struct txdone *e,
                   setu_alert_cb cb, void *user)
{
	const setu_detect_engine_t *de = dt->de;
	/* the app-layer's directions are logical (client = the side that spoke first
	 * as a client); on a reversed flow they are the opposite of the packets' */
	const setu_alstate_t *st = setu_applayer_state(f);
	int rev = st != NULL && setu_alstate_reversed(st) ? 1 : 0;
	int pdir = -1;
	if (p != NULL && (p->flags & SETU_PKT_TOSERVER))
		pdir = 0;
	else if (p != NULL && (p->flags & SETU_PKT_TOCLIENT))
		pdir = 1;
	time_t now = p != NULL ? p->ts.tv_sec : f->last.tv_sec;
	/* scan: the sides whose buffers are scanned (bit d) */
	tx_prefilter(dt, proto, tx, scan);
	for (uint32_t c = 0; c < dt->ncand; c++) {
		const uint32_t k = dt->cand[c];
		const setu_rule_t *r = de->rules[de->txrules[proto][k]];
		for (int d = 0; d < 2; d++) {
			if (!(r->txdir & (1u << d)) || (only_d >= 0 && d != only_d) ||
			    txd_bit(e, 2 * k + (uint32_t)d))
				continue;
			/* a DNS tx is one message: it has the side it was sent on */
			if (proto == SETU_ALPROTO_DNS && tx->dir != d)
				continue;
			txd_set(e, 2 * k + (uint32_t)d);
			int phys = d ^ rev;
			setu_pkt_t *ap =
			    p != NULL && pdir == phys ? p : tx_packet(dt, p, f, phys);
			hview_t v;
			/* '=>' rules read the header client -> server whatever the side
			 */
			view_of(ap, (r->flags & RF_TXBIDIR) && phys != rev, &v);
			if (!header_match(r, ap, &v) || !match_list(de, r, ap, &v, false))
				continue;
			bool missing = false;
			if (!detect_tx_match(r, proto, tx, d, now) ||
			    !tx_buffers_match(dt, r, proto, tx, d, &missing)) {
				/* a buffer that is not there yet (a client certificate
				 * after the ClientHello ...): again when handed over */
				if (missing && only_d >= 0) {
					txd_clear(e, 2 * k + (uint32_t)d);
					e->retry |= (uint8_t)(1u << d);
				}
				continue;
			}
			if (r->lists[LIST_PMATCH].n > 0) {
				/* raw payload keywords of a tx rule: the packet's
				 * bytes, or on TCP the stream's raw window of the
				 * rule's side */
				const uint8_t *pb = ap == p ? p->payload : NULL;
				size_t pl = ap == p ? p->payload_len : 0;
				uint64_t wo;
				if (pl == 0 && f->tcp != NULL &&
				    setu_stream_raw_window(f, phys, &pb, &pl, &wo) != 0)
					pl = 0;
				if (pl == 0)
					continue;
				inspect_ctx_t ic = {0};
				ic.buf = pb;
				ic.len = (uint32_t)(pl > UINT32_MAX ? UINT32_MAX : pl);
				ic.md = dt->md;
				ic.mctx = dt->mctx;
				if (!detect_inspect_payload(r, &ic))
					continue;
			}
			txd_set(e, 2 * k);
			txd_set(e, 2 * k + 1);
			if (report_match(dt, r, ap, false, ap->payload, ap->payload_len,
			                 0, tx, proto, cb, user))
				return true; /* pass rule: nothing more on this tx */
			break;               /* once per rule and tx */
		}
	}
	return false;
}

/* Txs in progress on p's flow: the side p travels on is inspected once it is complete
 * (Suricata inspects a tx's request on to-server packets, its response on to-client
 * ones); setu_detect_tx finishes the rest when the tx is handed over. */
static void detect_tx_progress(setu_detect_thread_t *dt, setu_pkt_t *p, setu_alert_cb cb,
                               void *user)
{
	if (!(p->flags & SETU_PKT_PSEUDO))
		tx_progress(dt, p, cb, user);
}

static void tx_progress(setu_detect_thread_t *dt, setu_pkt_t *p, setu_alert_cb cb,
                        void *user)
{
	const setu_detect_engine_t *de = dt->de;
	setu_flow_t *f = p->flow;
	if (f == NULL || f->app_proto == 0 || f->app_proto >= SETU_ALPROTO_MAX ||
	    de->ntxrules[f->app_proto] == 0)
		return;
	const setu_alstate_t *ast = setu_applayer_state(f);
	if (ast == NULL)
		return;
	int pdir = (p->flags & SETU_PKT_TOCLIENT) ? 1 : 0;
	int d = pdir ^ (setu_alstate_reversed(ast) ? 1 : 0);
	int proto = f->app_proto;
	for (const setu_altx_t *tx = setu_alstate_tx_first(ast); tx != NULL;
	     tx = tx->next) {
		if (tx->logged || !side_ready(proto, tx, d))
			continue;
		detect_flow_state_t *st = fstate(de, f, true);
		struct txdone *e = txd_get(st, proto, tx, de->ntxrules[proto], true);
		if (e == NULL)
			continue; /* no memory: the drain call inspects it whole */
		if (e->sides & (1u << d))
			continue; /* a complete side does not change */
		e->sides |= (uint8_t)(1u << d);
		/* final: an HTTP side is ready once libhtp completed it (its request or
		 * response changes no more; a side's rules read that side's buffers,
		 * response-side ones the complete request too); another protocol's
		 * once the app-layer says the tx is complete (a TLS client side is ready
		 * at the ClientHello, its certificate comes later) */
		if (tx->complete || proto == SETU_ALPROTO_HTTP)
			e->final |= (uint8_t)(1u << d);
		tx_run(dt, p, f, proto, tx, d, 1u << d, e, cb, user);
	}
}

void setu_detect_tx(setu_detect_thread_t *dt, setu_pkt_t *p, setu_flow_t *f, int proto,
                    const setu_altx_t *tx, setu_alert_cb cb, void *user)
{
	const setu_detect_engine_t *de = dt->de;
	if (f == NULL || tx == NULL || proto <= 0 || proto >= SETU_ALPROTO_MAX ||
	    de->ntxrules[proto] == 0)
		return;
	detect_flow_state_t *st = fstate(de, f, false);
	struct txdone *e = txd_get(st, proto, tx, de->ntxrules[proto], false);
	/* every side again when the tx is handed over (a side's buffers can still
	 * change after it was inspected complete: a TLS client certificate after the
	 * ClientHello, http.content_type once the response came), except the sides
	 * inspected when the whole tx was complete: nothing of theirs changed since, and
	 * their rules have run (a response body is not scanned twice) */
	unsigned scan = 3u;
	if (e != NULL)
		scan &= ~(unsigned)(e->final & ~e->retry);
	if (scan != 0)
		tx_run(dt, p, f, proto, tx, -1, scan, e, cb, user);
	if (e != NULL)
		e->used = false;
}
