/* defrag.c — IPv4 (RFC 791) and IPv6 (RFC 8200 §4.5) fragment reassembly with a tracker
 * table keyed by (src, dst, id, proto, vlan), a memcap, a timeout, a fragment limit and
 * Suricata's default "bsd" overlap policy; events as Suricata's defrag.c. */
#include "sensor/decode/decode-int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

typedef struct frag {
	struct frag *next; /* sorted by (off, seq) */
	uint32_t off, len;
	uint32_t seq; /* arrival order within the tracker */
	uint8_t data[];
} frag_t;

typedef struct tracker {
	struct tracker *hnext;
	/* key */
	uint8_t af;
	uint8_t proto;
	uint8_t vlan_count;
	uint16_t vlan[SETU_MAX_VLAN];
	uint8_t src[16], dst[16];
	uint32_t id;
	/* state */
	int64_t expire; /* seconds; last fragment's time + timeout */
	uint32_t nfrags, seq;
	frag_t *frags;
	bool have_first, have_last;
	uint32_t total; /* payload bytes of the datagram, once the last fragment is in */
	uint16_t hdr_len; /* header of the first fragment (IPv6: unfragmentable part) */
	uint16_t nh_off;  /* IPv6: byte of hdr that named the fragment header */
	uint8_t nh;       /* IPv6: next header after the fragment header */
	size_t mem;       /* bytes charged to the memcap */
	uint8_t hdr[SETU_DEFRAG_V6_UNFRAG_MAX];
} tracker_t;

struct setu_defrag {
	size_t memcap;
	uint32_t timeout;
	uint32_t max_trackers;
	uint32_t ntrackers;
	size_t memuse;
	uint64_t frags[2], reasm[2], timeouts[2]; /* [0] IPv4, [1] IPv6 */
	uint64_t max_trackers_reached, max_frags_reached, mgr_timeout, wrk_timeout;
	uint32_t seed; /* random per table, so a sender cannot aim at one bucket */
	tracker_t *buckets[SETU_DEFRAG_HASH_SIZE];
};

setu_defrag_t *setu_defrag_new(const setu_decode_config_t *cfg)
{
	setu_defrag_t *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->memcap = cfg->defrag_memcap;
	d->timeout = cfg->defrag_timeout;
	d->max_trackers = cfg->defrag_max_trackers;
	if (getrandom(&d->seed, sizeof(d->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(d->seed))
		d->seed = (uint32_t)(uintptr_t)d;
	return d;
}

static void tracker_destroy(setu_defrag_t *d, tracker_t *t)
{
	for (frag_t *f = t->frags, *n; f; f = n) {
		n = f->next;
		free(f);
	}
	d->memuse -= t->mem;
	d->ntrackers--;
	free(t);
}

/* Unlink and destroy; `pp` points at the link that holds t. */
static void tracker_remove(setu_defrag_t *d, tracker_t **pp)
{
	tracker_t *t = *pp;
	*pp = t->hnext;
	tracker_destroy(d, t);
}

void setu_defrag_free(setu_defrag_t *d)
{
	if (!d)
		return;
	for (size_t b = 0; b < SETU_DEFRAG_HASH_SIZE; b++)
		while (d->buckets[b])
			tracker_remove(d, &d->buckets[b]);
	free(d);
}

void setu_defrag_timeout(setu_defrag_t *d, const struct timeval *now)
{
	for (size_t b = 0; b < SETU_DEFRAG_HASH_SIZE; b++) {
		tracker_t **pp = &d->buckets[b];
		while (*pp) {
			if ((int64_t)now->tv_sec >= (*pp)->expire) {
				d->timeouts[(*pp)->af == 6]++;
				d->mgr_timeout++;
				tracker_remove(d, pp);
			} else {
				pp = &(*pp)->hnext;
			}
		}
	}
}

void setu_defrag_counters(const setu_defrag_t *d, setu_counter_cb cb, void *user)
{
	cb(user, "defrag.ipv4.fragments", d->frags[0]);
	cb(user, "defrag.ipv4.reassembled", d->reasm[0]);
	cb(user, "defrag.ipv4.timeouts", d->timeouts[0]);
	cb(user, "defrag.ipv6.fragments", d->frags[1]);
	cb(user, "defrag.ipv6.reassembled", d->reasm[1]);
	cb(user, "defrag.ipv6.timeouts", d->timeouts[1]);
	cb(user, "defrag.max_trackers_reached", d->max_trackers_reached);
	cb(user, "defrag.max_frags_reached", d->max_frags_reached);
	cb(user, "defrag.memuse", d->memuse);
	cb(user, "defrag.mgr.tracker_timeout", d->mgr_timeout);
	cb(user, "defrag.wrk.tracker_timeout", d->wrk_timeout);
}

/* What one fragment brings. */
typedef struct fraginfo {
	tracker_t key;      /* only the key fields are used */
	const uint8_t *hdr; /* header to rebuild the datagram from (first fragment) */
	size_t hdr_len;
	size_t nh_off;       /* IPv6 */
	uint8_t nh;          /* IPv6 */
	const uint8_t *data; /* fragment payload */
	size_t len;
	uint32_t off; /* payload offset in the datagram */
	bool mf;
	size_t max_payload; /* largest datagram payload the header format allows */
} fraginfo_t;

static uint32_t key_hash(const setu_defrag_t *d, const tracker_t *k)
{
	uint32_t h = 2166136261u ^ d->seed;
	const uint8_t *parts[2] = {k->src, k->dst};
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 16; j++)
			h = (h ^ parts[i][j]) * 16777619u;
	uint32_t extra[3] = {k->id, (uint32_t)k->proto << 8 | k->af,
	                     k->vlan_count ? k->vlan[0] : 0};
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 4; j++)
			h = (h ^ ((extra[i] >> (8 * j)) & 0xffu)) * 16777619u;
	return h & (SETU_DEFRAG_HASH_SIZE - 1);
}

static bool key_eq(const tracker_t *a, const tracker_t *b)
{
	return a->af == b->af && a->proto == b->proto && a->id == b->id &&
	       a->vlan_count == b->vlan_count &&
	       memcmp(a->vlan, b->vlan, sizeof(a->vlan[0]) * a->vlan_count) == 0 &&
	       memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0;
}

static void key_from_pkt(tracker_t *k, const setu_pkt_t *p, uint8_t af, uint8_t proto,
                         uint32_t id)
{
	memset(k, 0, sizeof(*k));
	k->af = af;
	k->proto = proto;
	k->id = id;
	k->vlan_count = p->vlan_count > SETU_MAX_VLAN ? SETU_MAX_VLAN : p->vlan_count;
	memcpy(k->vlan, p->vlan_id, sizeof(k->vlan[0]) * k->vlan_count);
	memcpy(k->src, p->src.b, 16);
	memcpy(k->dst, p->dst.b, 16);
}

/* Copy the datagram's payload into out: for each byte the fragment with the lowest
 * offset wins, and between equal offsets the earliest (BSD: an original fragment is
 * favoured unless a later one starts before it). Writing in reverse sorted order lets
 * the winners write last. */
static void build_payload(const tracker_t *t, uint8_t *out)
{
	const frag_t *list[SETU_DEFRAG_MAX_FRAGS];
	size_t n = 0;
	for (const frag_t *f = t->frags; f && n < SETU_DEFRAG_MAX_FRAGS; f = f->next)
		list[n++] = f;
	while (n-- > 0) {
		const frag_t *f = list[n];
		if (f->off >= t->total)
			continue;
		size_t len = f->len;
		if ((size_t)f->off + len > t->total)
			len = t->total - f->off;
		memcpy(out + f->off, f->data, len);
	}
}

static bool complete(const tracker_t *t)
{
	if (!t->have_first || !t->have_last)
		return false;
	uint64_t covered = 0;
	for (const frag_t *f = t->frags; f; f = f->next) {
		if (f->off > covered)
			return false;
		if ((uint64_t)f->off + f->len > covered)
			covered = (uint64_t)f->off + f->len;
		if (covered >= t->total)
			return true;
	}
	return covered >= t->total;
}

static size_t defrag_insert(setu_decode_ctx_t *dc, setu_pkt_t *p, const fraginfo_t *fi)
{
	setu_defrag_t *d = dc->defrag;
	bool v6 = fi->key.af == 6;
	d->frags[v6]++;

	uint64_t end = (uint64_t)fi->off + fi->len;
	if (end > fi->max_payload) {
		setu_pkt_set_event(p, v6 ? SETU_EV_IPV6_FRAG_PKT_TOO_LARGE
		                         : SETU_EV_IPV4_FRAG_PKT_TOO_LARGE);
		return 0;
	}

	uint32_t b = key_hash(d, &fi->key);
	tracker_t **pp = &d->buckets[b];
	tracker_t *t = NULL;
	while (*pp) {
		if (key_eq(*pp, &fi->key)) {
			if ((int64_t)p->ts.tv_sec >= (*pp)->expire) {
				/* Too late: the old datagram is gone, this starts a new
				 * one. */
				d->timeouts[v6]++;
				d->wrk_timeout++;
				tracker_remove(d, pp);
				continue;
			}
			t = *pp;
			break;
		}
		pp = &(*pp)->hnext;
	}
	if (!t) {
		/* Memcap policy: when the table is full the fragment is not tracked (its
		 * packet still goes on, as a fragment without L4), as in Suricata. */
		if (d->ntrackers >= d->max_trackers ||
		    d->memuse + sizeof(tracker_t) > d->memcap) {
			d->max_trackers_reached++;
			return 0;
		}
		t = malloc(sizeof(*t));
		if (!t) {
			d->max_trackers_reached++;
			return 0;
		}
		*t = fi->key;
		t->expire = (int64_t)p->ts.tv_sec + d->timeout;
		t->mem = sizeof(*t);
		d->memuse += t->mem;
		d->ntrackers++;
		t->hnext = d->buckets[b];
		d->buckets[b] = t;
	}
	tracker_t **tp = &d->buckets[b];
	while (*tp != t)
		tp = &(*tp)->hnext;

	if (t->nfrags >= SETU_DEFRAG_MAX_FRAGS) {
		/* More fragments than any real stack sends: give the datagram up. */
		d->max_frags_reached++;
		setu_pkt_set_event(p, v6 ? SETU_EV_IPV6_FRAG_IGNORED
		                         : SETU_EV_IPV4_FRAG_IGNORED);
		tracker_remove(d, tp);
		return 0;
	}
	if (fi->off == 0 && fi->hdr_len > sizeof(t->hdr)) {
		setu_pkt_set_event(p, v6 ? SETU_EV_IPV6_FRAG_IGNORED
		                         : SETU_EV_IPV4_FRAG_IGNORED);
		return 0;
	}

	for (const frag_t *f = t->frags; f; f = f->next)
		if (fi->off < (uint64_t)f->off + f->len && f->off < end) {
			setu_pkt_set_event(p, v6 ? SETU_EV_IPV6_FRAG_OVERLAP
			                         : SETU_EV_IPV4_FRAG_OVERLAP);
			break;
		}

	/* Each fragment keeps the tracker alive for another timeout, as in Suricata. */
	t->expire = (int64_t)p->ts.tv_sec + d->timeout;

	/* Memcap policy for fragment data: the fragment is not stored (ipv*.frag_ignored,
	 * like Suricata when its fragment pool is empty); the datagram may still complete
	 * if the sender retransmits. */
	size_t need = sizeof(frag_t) + fi->len;
	frag_t *nf = d->memuse + need > d->memcap ? NULL : malloc(need);
	if (!nf) {
		d->max_trackers_reached++;
		setu_pkt_set_event(p, v6 ? SETU_EV_IPV6_FRAG_IGNORED
		                         : SETU_EV_IPV4_FRAG_IGNORED);
		return 0;
	}
	nf->off = fi->off;
	nf->len = (uint32_t)fi->len;
	nf->seq = t->seq++;
	if (fi->len)
		memcpy(nf->data, fi->data, fi->len);
	frag_t **fp = &t->frags;
	while (*fp &&
	       ((*fp)->off < nf->off || ((*fp)->off == nf->off && (*fp)->seq < nf->seq)))
		fp = &(*fp)->next;
	nf->next = *fp;
	*fp = nf;
	t->nfrags++;
	t->mem += need;
	d->memuse += need;

	if (fi->off == 0 && !t->have_first) {
		t->have_first = true;
		memcpy(t->hdr, fi->hdr, fi->hdr_len);
		t->hdr_len = (uint16_t)fi->hdr_len;
		t->nh_off = (uint16_t)fi->nh_off;
		t->nh = fi->nh;
	}
	/* The first last-fragment fixes the length (an original is favoured). */
	if (!fi->mf && !t->have_last) {
		t->have_last = true;
		t->total = (uint32_t)end;
	}
	if (!complete(t))
		return 0;

	uint8_t *out = dc->reasm;
	memcpy(out, t->hdr, t->hdr_len);
	build_payload(t, out + t->hdr_len);
	size_t dlen = (size_t)t->hdr_len + t->total;
	if (!v6) {
		out[2] = (uint8_t)(dlen >> 8);
		out[3] = (uint8_t)dlen;
		out[6] &= 0xc0; /* keep RB and DF, clear MF and the offset */
		out[7] = 0;
		out[10] = out[11] = 0;
		uint16_t c = setu_csum_fold(setu_csum_add(0, out, t->hdr_len));
		out[10] = (uint8_t)(c >> 8);
		out[11] = (uint8_t)c;
	} else {
		size_t plen = dlen - 40;
		out[4] = (uint8_t)(plen >> 8);
		out[5] = (uint8_t)plen;
		out[t->nh_off] = t->nh;
	}
	d->reasm[v6]++;
	tracker_remove(d, tp);
	return dlen;
}

size_t setu_defrag_ipv4(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                        size_t len)
{
	fraginfo_t fi;
	key_from_pkt(&fi.key, p, 4, p->proto, p->ip.id);
	fi.hdr = buf;
	fi.hdr_len = p->ip.hlen;
	fi.nh_off = 0;
	fi.nh = 0;
	fi.data = buf + p->ip.hlen;
	fi.len = len - p->ip.hlen;
	fi.off = p->ip.frag_off;
	fi.mf = p->ip.mf;
	fi.max_payload = 65535u - p->ip.hlen;
	return defrag_insert(dc, p, &fi);
}

size_t setu_defrag_ipv6(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                        size_t len, size_t fh_off, size_t nh_off)
{
	fraginfo_t fi;
	key_from_pkt(&fi.key, p, 6, 0, p->ip.frag_id);
	fi.hdr = buf;
	fi.hdr_len = fh_off;
	fi.nh_off = nh_off;
	fi.nh = buf[fh_off];
	fi.data = buf + fh_off + 8;
	fi.len = len - fh_off - 8;
	fi.off = p->ip.frag_off;
	fi.mf = p->ip.mf;
	/* The rebuilt payload length (unfragmentable part after the fixed header +
	 * fragmentable part) must fit the 16-bit payload length. */
	fi.max_payload = 65535u - (fh_off - 40);
	return defrag_insert(dc, p, &fi);
}
