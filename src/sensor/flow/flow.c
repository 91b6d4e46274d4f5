/* flow.c — the per-thread flow table: lookup/create by symmetric key, direction, per-flow
 * counters, state-dependent timeouts and the memcap policy (Suricata flow engine: flow.c,
 * flow-hash.c, flow-manager.c semantics).
 *
 * Memcap policy: memuse counts the bucket array and every flow. When a new flow would
 * exceed flow.memcap the table enters emergency mode (flow.emerg_mode_entered) and prunes
 * idle flows with the emergency timeouts at the packet's time, ending them with reason
 * "forced"; if that frees no room the new flow is refused and counted (flow.memcap).
 * The table leaves emergency mode (flow.emerg_mode_over) once memuse falls below
 * (100 - emergency_recovery)% of the memcap.
 *
 * Timeouts: flows of one protocol class in one state share a timeout, so the table keeps
 * one list per (protocol class, state slot), each in order of last activity. A timeout
 * pass takes the expired flows from the heads of those lists (O(expired + lists), where
 * walking one LRU of all flows visited every long-lived flow each second) and ends them
 * in global activity order (a sequence number stamped at each touch), the order one LRU
 * of all flows gave. A flow whose state changes moves to its new class's list at once. */
#include "flow.h"

#include "sensor/stream/stream.h"
#include "setu/error.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

enum { END_STATE_MAX = 4 };

/* Timeout-class lists: protocol class x state slot (new, established, closed). */
enum { TQ_SLOTS = 3, TQ_MAX = SETU_FLOW_PROTO_MAX * TQ_SLOTS };
_Static_assert(TQ_MAX <= 32, "a timeout pass keeps its lists in a 32-bit mask");

struct setu_flow_table {
	setu_flow_config_t cfg;
	setu_flow_t **buckets; /* owned array; flows owned through it */
	uint32_t nbuckets;
	uint32_t seed;
	/* timeout-class lists: borrowed links of the same flows */
	setu_flow_t *q_head[TQ_MAX];
	setu_flow_t *q_tail[TQ_MAX];
	uint64_t seq; /* last activity stamp handed out */
	size_t active;
	size_t memuse;
	bool emergency;
	setu_flow_end_cb end_cb;
	void *end_user;
	struct {
		uint64_t total, tcp, udp, icmpv4, icmpv6, memcap, emerg_entered,
		    emerg_over;
		uint64_t tcp_reuse, timeout, forced, shutdown, checked;
		uint64_t end_state[END_STATE_MAX];
		uint64_t end_tcp_state[SETU_TCP_STATE_MAX];
	} c;
};

void setu_flow_config_default(setu_flow_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->memcap = SETU_FLOW_MEMCAP_DEFAULT;
	cfg->hash_size = SETU_FLOW_HASH_SIZE_DEFAULT;
	cfg->emergency_recovery = SETU_FLOW_EMERG_RECOVERY_DEFAULT;
	uint32_t(*t)[SETU_FLOW_TO_MAX] = cfg->timeouts;
	for (int i = 0; i < SETU_FLOW_PROTO_MAX; i++) {
		t[i][SETU_FLOW_TO_NEW] = SETU_FLOW_TIMEOUT_NEW_DEFAULT;
		t[i][SETU_FLOW_TO_EST] = SETU_FLOW_TIMEOUT_EST_DEFAULT;
		t[i][SETU_FLOW_TO_CLOSED] = SETU_FLOW_TIMEOUT_CLOSED_DEFAULT;
		t[i][SETU_FLOW_TO_EMERG_NEW] = SETU_FLOW_TIMEOUT_EMERG_NEW_DEFAULT;
		t[i][SETU_FLOW_TO_EMERG_EST] = SETU_FLOW_TIMEOUT_EMERG_EST_DEFAULT;
		t[i][SETU_FLOW_TO_EMERG_CLOSED] = SETU_FLOW_TIMEOUT_EMERG_CLOSED_DEFAULT;
	}
	t[SETU_FLOW_PROTO_TCP][SETU_FLOW_TO_NEW] = SETU_FLOW_TIMEOUT_TCP_NEW_DEFAULT;
	t[SETU_FLOW_PROTO_TCP][SETU_FLOW_TO_EST] = SETU_FLOW_TIMEOUT_TCP_EST_DEFAULT;
	t[SETU_FLOW_PROTO_TCP][SETU_FLOW_TO_CLOSED] =
	    SETU_FLOW_TIMEOUT_TCP_CLOSED_DEFAULT;
	t[SETU_FLOW_PROTO_TCP][SETU_FLOW_TO_EMERG_NEW] =
	    SETU_FLOW_TIMEOUT_TCP_EMERG_NEW_DEFAULT;
	t[SETU_FLOW_PROTO_TCP][SETU_FLOW_TO_EMERG_EST] =
	    SETU_FLOW_TIMEOUT_TCP_EMERG_EST_DEFAULT;
	t[SETU_FLOW_PROTO_TCP][SETU_FLOW_TO_EMERG_CLOSED] =
	    SETU_FLOW_TIMEOUT_TCP_EMERG_CLOSED_DEFAULT;
	t[SETU_FLOW_PROTO_UDP][SETU_FLOW_TO_NEW] = SETU_FLOW_TIMEOUT_UDP_NEW_DEFAULT;
	t[SETU_FLOW_PROTO_UDP][SETU_FLOW_TO_EST] = SETU_FLOW_TIMEOUT_UDP_EST_DEFAULT;
	t[SETU_FLOW_PROTO_ICMP][SETU_FLOW_TO_NEW] = SETU_FLOW_TIMEOUT_ICMP_NEW_DEFAULT;
	t[SETU_FLOW_PROTO_ICMP][SETU_FLOW_TO_EST] = SETU_FLOW_TIMEOUT_ICMP_EST_DEFAULT;
	cfg->midstream = false;
	cfg->hash_seed = 0;
}

setu_flow_table_t *setu_flow_table_new(const setu_flow_config_t *cfg)
{
	setu_flow_config_t def;
	if (!cfg) {
		setu_flow_config_default(&def);
		cfg = &def;
	}
	if (cfg->hash_size == 0 || cfg->hash_size > SETU_FLOW_HASH_SIZE_MAX ||
	    cfg->emergency_recovery > 100)
		return NULL;
	setu_flow_table_t *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = *cfg;
	t->nbuckets = cfg->hash_size;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->memuse = sizeof(*t) + (size_t)t->nbuckets * sizeof(*t->buckets);
	t->seed = cfg->hash_seed;
	if (t->seed == 0 &&
	    getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed =
		    0x5e7u ^ (uint32_t)(uintptr_t)t; /* no entropy yet: still per table */
	return t;
}

static int proto_class(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return SETU_FLOW_PROTO_TCP;
	case IPPROTO_UDP:
		return SETU_FLOW_PROTO_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return SETU_FLOW_PROTO_ICMP;
	default:
		return SETU_FLOW_PROTO_DEFAULT;
	}
}

static int state_slot(setu_flow_state_t st)
{
	switch (st) {
	case SETU_FLOW_STATE_ESTABLISHED:
	case SETU_FLOW_STATE_BYPASSED:
		return SETU_FLOW_TO_EST;
	case SETU_FLOW_STATE_CLOSED:
		return SETU_FLOW_TO_CLOSED;
	default:
		return SETU_FLOW_TO_NEW;
	}
}

static uint8_t tq_of(const setu_flow_t *f)
{
	return (uint8_t)(proto_class(f->proto) * TQ_SLOTS + state_slot(f->state));
}

/* The timeout (seconds) of the flows in list q, normal or emergency. */
static uint32_t tq_timeout(const setu_flow_table_t *t, int q, bool emerg)
{
	int slot = q % TQ_SLOTS + (emerg ? SETU_FLOW_TO_EMERG_NEW : 0);
	return t->cfg.timeouts[q / TQ_SLOTS][slot];
}

static void tq_unlink(setu_flow_table_t *t, setu_flow_t *f)
{
	if (f->lru_prev)
		f->lru_prev->lru_next = f->lru_next;
	else
		t->q_head[f->tq] = f->lru_next;
	if (f->lru_next)
		f->lru_next->lru_prev = f->lru_prev;
	else
		t->q_tail[f->tq] = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

/* Link f into list f->tq after the last flow with a smaller stamp (the tail, unless f
 * is an older flow whose state changed). */
static void tq_insert(setu_flow_table_t *t, setu_flow_t *f)
{
	setu_flow_t *after = t->q_tail[f->tq];
	while (after && after->seq > f->seq)
		after = after->lru_prev;
	f->lru_prev = after;
	f->lru_next = after ? after->lru_next : t->q_head[f->tq];
	if (f->lru_next)
		f->lru_next->lru_prev = f;
	else
		t->q_tail[f->tq] = f;
	if (after)
		after->lru_next = f;
	else
		t->q_head[f->tq] = f;
}

/* Activity on f: newest stamp, tail of its class's list. */
static void tq_touch(setu_flow_table_t *t, setu_flow_t *f)
{
	uint8_t q = tq_of(f);
	f->seq = ++t->seq;
	if (q == f->tq && t->q_tail[q] == f)
		return;
	tq_unlink(t, f);
	f->tq = q;
	tq_insert(t, f);
}

/* The linked flow with the oldest activity stamp, NULL if the table is empty. */
static setu_flow_t *tq_oldest(const setu_flow_table_t *t)
{
	setu_flow_t *best = NULL;
	for (int q = 0; q < TQ_MAX; q++) {
		setu_flow_t *f = t->q_head[q];
		if (f && (!best || f->seq < best->seq))
			best = f;
	}
	return best;
}

static void hash_unlink(setu_flow_table_t *t, setu_flow_t *f)
{
	setu_flow_t **pp = &t->buckets[f->hash % t->nbuckets];
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	f->hnext = NULL;
}

/* Free a flow that is no longer linked: storage first (its free_fn may look at the flow's
 * other fields), then the TCP session, then the flow. */
static void flow_destroy(setu_flow_t *f)
{
	for (int i = 0; i < SETU_FLOW_STORAGE_MAX; i++) {
		void *ptr = f->storage[i].ptr;
		void (*fn)(void *) = f->storage[i].free_fn;
		f->storage[i].ptr = NULL;
		f->storage[i].free_fn = NULL;
		if (ptr && fn)
			fn(ptr);
	}
	if (f->tcp) {
		setu_tcp_session_free(f->tcp);
		f->tcp = NULL;
	}
	free(f);
}

static void maybe_leave_emergency(setu_flow_table_t *t)
{
	if (!t->emergency)
		return;
	/* memuse < (100 - recovery)% of memcap */
	if (t->memuse < t->cfg.memcap / 100 * (100 - t->cfg.emergency_recovery)) {
		t->emergency = false;
		t->c.emerg_over++;
	}
}

/* Unlink, report, free. */
static void flow_end(setu_flow_table_t *t, setu_flow_t *f, setu_flow_end_reason_t why,
                     setu_flow_end_cb cb, void *user)
{
	hash_unlink(t, f);
	tq_unlink(t, f);
	f->table = NULL;
	t->active--;
	t->memuse -= sizeof(*f);
	f->end_reason = why;
	if (t->emergency)
		f->emergency = true;
	if ((int)f->state < END_STATE_MAX)
		t->c.end_state[f->state]++;
	if (f->proto == IPPROTO_TCP) {
		setu_tcp_state_t st = setu_stream_state(f);
		if ((int)st >= 0 && st < SETU_TCP_STATE_MAX)
			t->c.end_tcp_state[st]++;
	}
	switch (why) {
	case SETU_FLOW_END_TIMEOUT:
		t->c.timeout++;
		break;
	case SETU_FLOW_END_FORCED:
		t->c.forced++;
		break;
	default:
		t->c.shutdown++;
		break;
	}
	if (cb)
		cb(user, f);
	flow_destroy(f);
}

static int64_t tv_usec(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000000 + tv->tv_usec;
}

static size_t timeout_pass(setu_flow_table_t *t, const struct timeval *now, bool emerg,
                           setu_flow_end_reason_t why, setu_flow_end_cb cb, void *user)
{
	/* Suricata: a flow times out once last + timeout <= now, i.e. last <= limit. */
	int64_t limit[TQ_MAX];
	uint32_t live = 0; /* lists whose head may have expired */
	for (int q = 0; q < TQ_MAX; q++) {
		limit[q] = tv_usec(now) - (int64_t)tq_timeout(t, q, emerg) * 1000000;
		if (t->q_head[q])
			live |= 1u << q;
	}
	size_t n = 0;
	while (live) {
		/* Of the expired list heads, the oldest activity first: the order one LRU
		 * of all flows ends them in. A list's flows after a live head are at
		 * least as recent (unless capture time went backwards; those wait a
		 * pass). */
		setu_flow_t *best = NULL;
		for (int q = 0; q < TQ_MAX; q++) {
			if (!(live & (1u << q)))
				continue;
			setu_flow_t *f = t->q_head[q];
			if (!f || tv_usec(&f->last) > limit[q]) {
				if (f)
					t->c.checked++;
				live &= ~(1u << q);
			} else if (!best || f->seq < best->seq) {
				best = f;
			}
		}
		if (!best)
			break;
		t->c.checked++;
		flow_end(t, best, why, cb, user);
		n++;
	}
	maybe_leave_emergency(t);
	return n;
}

size_t setu_flow_timeout(setu_flow_table_t *t, const struct timeval *now,
                         setu_flow_end_cb on_end, void *user)
{
	if (!t || !now)
		return 0;
	return timeout_pass(t, now, t->emergency, SETU_FLOW_END_TIMEOUT, on_end, user);
}

void setu_flow_flush(setu_flow_table_t *t, setu_flow_end_cb on_end, void *user)
{
	if (!t)
		return;
	setu_flow_t *f;
	while ((f = tq_oldest(t)) != NULL)
		flow_end(t, f, SETU_FLOW_END_SHUTDOWN, on_end, user);
	maybe_leave_emergency(t);
}

void setu_flow_table_free(setu_flow_table_t *t)
{
	if (!t)
		return;
	for (int q = 0; q < TQ_MAX; q++) {
		setu_flow_t *f = t->q_head[q];
		while (f) {
			setu_flow_t *next = f->lru_next;
			flow_destroy(f);
			f = next;
		}
	}
	free(t->buckets);
	free(t);
}

void setu_flow_table_set_end_cb(setu_flow_table_t *t, setu_flow_end_cb on_end, void *user)
{
	t->end_cb = on_end;
	t->end_user = user;
}

static setu_flow_t *flow_create(setu_flow_table_t *t, const setu_pkt_t *p, uint32_t hash)
{
	if (t->memuse + sizeof(setu_flow_t) > t->cfg.memcap) {
		if (!t->emergency) {
			t->emergency = true;
			t->c.emerg_entered++;
		}
		timeout_pass(t, &p->ts, true, SETU_FLOW_END_FORCED, t->end_cb,
		             t->end_user);
		if (t->memuse + sizeof(setu_flow_t) > t->cfg.memcap) {
			t->c.memcap++;
			return NULL;
		}
	}
	setu_flow_t *f = calloc(1, sizeof(*f));
	if (!f) {
		t->c.memcap++;
		return NULL;
	}
	bool swap = t->cfg.midstream && p->proto == IPPROTO_TCP &&
	            (p->tcp.flags & (SETU_TH_SYN | SETU_TH_ACK | SETU_TH_RST)) ==
	                (SETU_TH_SYN | SETU_TH_ACK);
	f->src = swap ? p->dst : p->src;
	f->dst = swap ? p->src : p->dst;
	if (setu_flow_proto_has_ports(p->proto)) {
		f->sp = swap ? p->dp : p->sp;
		f->dp = swap ? p->sp : p->dp;
	}
	f->swapped = swap;
	f->proto = p->proto;
	f->vlan_count = p->vlan_count > SETU_MAX_VLAN ? SETU_MAX_VLAN : p->vlan_count;
	for (unsigned i = 0; i < f->vlan_count; i++)
		f->vlan_id[i] = p->vlan_id[i] & 0x0fff;
	if ((p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) &&
	    (p->flags & SETU_PKT_HAS_L4)) {
		int ct = setu_icmp_counter_type(p->proto, p->icmp.type);
		f->icmp_type = p->icmp.type;
		f->icmp_code = p->icmp.code;
		f->icmp_dtype = ct >= 0 ? (uint8_t)ct : p->icmp.type;
	}
	f->hash = hash;
	f->start = p->ts;
	f->last = p->ts;
	f->flow_id = setu_flow_make_id(hash, &p->ts);
	f->state = SETU_FLOW_STATE_NEW;
	f->emergency = t->emergency;

	f->hnext = t->buckets[hash % t->nbuckets];
	t->buckets[hash % t->nbuckets] = f;
	f->table = t;
	f->tq = tq_of(f);
	f->seq = ++t->seq;
	tq_insert(t, f);
	t->active++;
	t->memuse += sizeof(*f);
	t->c.total++;
	switch (p->proto) {
	case IPPROTO_TCP:
		t->c.tcp++;
		break;
	case IPPROTO_UDP:
		t->c.udp++;
		break;
	case IPPROTO_ICMP:
		t->c.icmpv4++;
		break;
	case IPPROTO_ICMPV6:
		t->c.icmpv6++;
		break;
	default:
		break;
	}
	return f;
}

static bool packet_is_toserver(const setu_flow_t *f, const setu_pkt_t *p)
{
	if (!setu_addr_eq(&p->src, &f->src))
		return false;
	if (!setu_addr_eq(&p->dst, &f->dst))
		return false;
	if (!setu_flow_proto_has_ports(p->proto) || p->proto != f->proto)
		return true;
	return p->sp == f->sp && p->dp == f->dp;
}

static setu_flow_t *lookup(setu_flow_table_t *t, const setu_flow_key_t *k, uint32_t hash)
{
	setu_flow_t *f = t->buckets[hash % t->nbuckets];
	while (f && !(f->hash == hash && setu_flow_key_match(k, f)))
		f = f->hnext;
	return f;
}

static void update_flow(setu_flow_table_t *t, setu_flow_t *f, setu_pkt_t *p);

setu_flow_t *setu_flow_handle_packet(setu_flow_table_t *t, setu_pkt_t *p)
{
	if (!t || !p)
		return NULL;
	p->flow = NULL;
	setu_flow_key_t k;
	if (!setu_flow_key_from_packet(&k, p))
		return NULL;
	setu_flow_t *f = NULL;
	setu_flow_key_t ik;
	if (setu_flow_key_from_icmp_inner(&ik, p)) {
		/* An ICMPv4 unreachable belongs to the flow of the packet it reports,
		 * when we have that flow (Suricata FlowCompareICMPv4). */
		f = lookup(t, &ik, setu_flow_key_hash(&ik, t->seed));
		if (f) {
			update_flow(t, f, p);
			return f;
		}
	}
	uint32_t hash = setu_flow_key_hash(&k, t->seed);
	f = lookup(t, &k, hash);

	if (f && f->proto == IPPROTO_TCP && setu_stream_is_reuse(f, p)) {
		/* TCP port reuse: a new SYN on a finished session is a new flow. */
		t->c.tcp_reuse++;
		flow_end(t, f, SETU_FLOW_END_FORCED, t->end_cb, t->end_user);
		f = NULL;
	}
	if (!f) {
		f = flow_create(t, p, hash);
		if (!f)
			return NULL;
	}

	update_flow(t, f, p);
	return f;
}

static void update_flow(setu_flow_table_t *t, setu_flow_t *f, setu_pkt_t *p)
{
	bool ts = packet_is_toserver(f, p);
	p->flags &= ~(SETU_PKT_TOSERVER | SETU_PKT_TOCLIENT);
	p->flags |= ts ? SETU_PKT_TOSERVER : SETU_PKT_TOCLIENT;
	/* Suricata counts captured bytes (GET_PKT_LEN), not the original wire length. */
	uint64_t bytes = p->len ? p->len : p->wire_len;
	if (ts) {
		f->pkts_toserver++;
		f->bytes_toserver += bytes;
	} else {
		f->pkts_toclient++;
		f->bytes_toclient += bytes;
	}
	if (p->proto == IPPROTO_TCP && f->proto == IPPROTO_TCP &&
	    (p->flags & SETU_PKT_HAS_L4)) {
		if (ts)
			f->tcp_flags_ts |= p->tcp.flags;
		else
			f->tcp_flags_tc |= p->tcp.flags;
		f->tcp_flags |= p->tcp.flags;
	} else if (f->proto != IPPROTO_TCP && f->pkts_toserver && f->pkts_toclient) {
		/* Without a handshake to follow, a flow is established once both sides
		 * spoke. */
		if (f->state < SETU_FLOW_STATE_ESTABLISHED)
			f->state = SETU_FLOW_STATE_ESTABLISHED; /* tq_touch refiles it */
	}
	if (timercmp(&p->ts, &f->last, >))
		f->last = p->ts;
	tq_touch(t, f);
	p->flow = f;
}

void setu_flow_swap(setu_flow_t *f, setu_pkt_t *p)
{
	setu_addr_t a = f->src;
	f->src = f->dst;
	f->dst = a;
	uint16_t port = f->sp;
	f->sp = f->dp;
	f->dp = port;
	uint64_t n = f->pkts_toserver;
	f->pkts_toserver = f->pkts_toclient;
	f->pkts_toclient = n;
	n = f->bytes_toserver;
	f->bytes_toserver = f->bytes_toclient;
	f->bytes_toclient = n;
	uint8_t fl = f->tcp_flags_ts;
	f->tcp_flags_ts = f->tcp_flags_tc;
	f->tcp_flags_tc = fl;
	f->swapped = !f->swapped;
	if (p && p->flow == f) {
		uint32_t dirs = p->flags & (SETU_PKT_TOSERVER | SETU_PKT_TOCLIENT);
		p->flags &= ~(SETU_PKT_TOSERVER | SETU_PKT_TOCLIENT);
		if (dirs & SETU_PKT_TOSERVER)
			p->flags |= SETU_PKT_TOCLIENT;
		if (dirs & SETU_PKT_TOCLIENT)
			p->flags |= SETU_PKT_TOSERVER;
	}
}

void setu_flow_set_state(setu_flow_t *f, setu_flow_state_t st)
{
	if (!f || st <= f->state)
		return;
	f->state = st;
	setu_flow_table_t *t = f->table;
	if (t && tq_of(f) != f->tq) {
		/* its timeout changed: into its new class's list, keeping its stamp */
		tq_unlink(t, f);
		f->tq = tq_of(f);
		tq_insert(t, f);
	}
}

size_t setu_flow_table_active(const setu_flow_table_t *t)
{
	return t ? t->active : 0;
}

size_t setu_flow_table_memuse(const setu_flow_table_t *t)
{
	return t ? t->memuse : 0;
}

const char *setu_flow_state_name(const setu_flow_t *f)
{
	static const char *const names[] = {"new", "established", "closed", "bypassed"};
	if (!f || (unsigned)f->state >= sizeof(names) / sizeof(names[0]))
		return "new";
	return names[f->state];
}

const char *setu_flow_end_reason_name(const setu_flow_t *f)
{
	if (!f)
		return NULL;
	switch (f->end_reason) {
	case SETU_FLOW_END_TIMEOUT:
		return "timeout";
	case SETU_FLOW_END_FORCED:
		return "forced";
	case SETU_FLOW_END_SHUTDOWN:
		return "shutdown";
	default:
		return NULL;
	}
}

void setu_flow_counters(const setu_flow_table_t *t, setu_counter_cb cb, void *user)
{
	if (!t || !cb)
		return;
	cb(user, "flow.total", t->c.total);
	cb(user, "flow.active", t->active);
	cb(user, "flow.tcp", t->c.tcp);
	cb(user, "flow.udp", t->c.udp);
	cb(user, "flow.icmpv4", t->c.icmpv4);
	cb(user, "flow.icmpv6", t->c.icmpv6);
	cb(user, "flow.tcp_reuse", t->c.tcp_reuse);
	cb(user, "flow.memcap", t->c.memcap);
	cb(user, "flow.memuse", t->memuse);
	cb(user, "flow.emerg_mode_entered", t->c.emerg_entered);
	cb(user, "flow.emerg_mode_over", t->c.emerg_over);
	cb(user, "flow.mgr.flows_checked", t->c.checked);
	cb(user, "flow.mgr.flows_timeout", t->c.timeout);
	cb(user, "flow.wrk.flows_evicted", t->c.forced);
	static const char *const st[END_STATE_MAX] = {
	    "flow.end.state.new", "flow.end.state.established", "flow.end.state.closed",
	    "flow.end.state.local_bypassed"};
	for (int i = 0; i < END_STATE_MAX; i++)
		cb(user, st[i], t->c.end_state[i]);
	char name[64];
	for (int i = 0; i < SETU_TCP_STATE_MAX; i++) {
		snprintf(name, sizeof(name), "flow.end.tcp_state.%s",
		         setu_tcp_state_name((setu_tcp_state_t)i));
		cb(user, name, t->c.end_tcp_state[i]);
	}
}
