/* ring.c — SPSC packet ring with C11 atomics; waits spin briefly, then sleep. */
#include "ring.h"

#include "common/bytes.h"
#include "setu/error.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct setu_ring {
	setu_ring_slot_t *slot;
	size_t n;                        /* power of two */
	_Alignas(64) atomic_size_t head; /* next slot to fill (producer) */
	_Alignas(64) atomic_size_t tail; /* next slot to read (consumer) */
	atomic_bool closed;
};

static void backoff(unsigned *spins)
{
	if (++*spins < 64)
		return;
	struct timespec ts = {0, *spins < 1024 ? 1000 : 50000};
	nanosleep(&ts, NULL);
}

setu_ring_t *setu_ring_new(size_t slots)
{
	size_t n = 1;
	while (n < slots)
		n <<= 1;
	setu_ring_t *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->slot = calloc(n, sizeof(*r->slot));
	if (r->slot == NULL) {
		free(r);
		return NULL;
	}
	r->n = n;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->closed, false);
	return r;
}

void setu_ring_free(setu_ring_t *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->slot[i].data);
	free(r->slot);
	free(r);
}

int setu_ring_push_wait(setu_ring_t *r, const setu_pkt_t *p)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	unsigned spins = 0;
	while (head - atomic_load_explicit(&r->tail, memory_order_acquire) >= r->n)
		backoff(&spins);
	setu_ring_slot_t *s = &r->slot[head & (r->n - 1)];
	if (s->cap < p->len) {
		uint8_t *d = realloc(s->data, p->len);
		if (d == NULL)
			return SETU_ENOMEM;
		s->data = d;
		s->cap = p->len;
	}
	if (p->len > 0)
		memcpy(s->data, p->data, p->len);
	s->len = p->len;
	s->wire_len = p->wire_len;
	s->ts = p->ts;
	s->pcap_cnt = p->pcap_cnt;
	s->linktype = p->linktype;
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return 0;
}

void setu_ring_close(setu_ring_t *r)
{
	atomic_store_explicit(&r->closed, true, memory_order_release);
}

const setu_ring_slot_t *setu_ring_pop_wait(setu_ring_t *r)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	unsigned spins = 0;
	for (;;) {
		if (atomic_load_explicit(&r->head, memory_order_acquire) != tail)
			return &r->slot[tail & (r->n - 1)];
		if (atomic_load_explicit(&r->closed, memory_order_acquire)) {
			/* re-check: the producer may have pushed before closing */
			if (atomic_load_explicit(&r->head, memory_order_acquire) != tail)
				continue;
			return NULL;
		}
		backoff(&spins);
	}
}

void setu_ring_release(setu_ring_t *r)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

/* FNV-1a over a buffer, continued from h. */
static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t pair_hash(const uint8_t *a, const uint8_t *b, size_t alen, uint16_t vlan)
{
	/* order the pair so that both directions hash alike */
	const uint8_t *lo = memcmp(a, b, alen) <= 0 ? a : b;
	const uint8_t *hi = lo == a ? b : a;
	uint32_t h = 2166136261u;
	h = fnv(h, lo, alen);
	h = fnv(h, hi, alen);
	uint8_t v[2] = {(uint8_t)(vlan >> 8), (uint8_t)vlan};
	return fnv(h, v, 2);
}

uint32_t setu_ippair_hash(int linktype, const uint8_t *data, size_t len)
{
	setu_rd_t r = setu_rd_init(data, len);
	uint16_t ethertype = 0, vlan = 0;
	switch (linktype) {
	case SETU_DLT_EN10MB:
		setu_rd_skip(&r, 12);
		ethertype = setu_rd_be16(&r);
		while (ethertype == 0x8100 || ethertype == 0x88a8 ||
		       ethertype == 0x9100) {
			vlan = setu_rd_be16(&r) & 0x0fff;
			ethertype = setu_rd_be16(&r);
		}
		break;
	case SETU_DLT_LINUX_SLL:
		setu_rd_skip(&r, 14);
		ethertype = setu_rd_be16(&r);
		break;
	case SETU_DLT_LINUX_SLL2:
		ethertype = setu_rd_be16(&r);
		setu_rd_skip(&r, 18);
		break;
	case SETU_DLT_RAW:
	case SETU_DLT_RAW_OLD:
	case SETU_DLT_IPV4:
	case SETU_DLT_IPV6:
		if (setu_rd_has(&r, 1))
			ethertype = (r.p[0] >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	case SETU_DLT_NULL:
	case SETU_DLT_LOOP:
		setu_rd_skip(&r, 4);
		if (setu_rd_has(&r, 1))
			ethertype = (r.p[r.off] >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	default:
		return 0;
	}
	if (r.err)
		return 0;
	const uint8_t *ip = setu_rd_ptr(&r);
	size_t left = setu_rd_left(&r);
	if (ethertype == 0x0800 && left >= 20 && (ip[0] >> 4) == 4)
		return pair_hash(ip + 12, ip + 16, 4, vlan);
	if (ethertype == 0x86dd && left >= 40 && (ip[0] >> 4) == 6)
		return pair_hash(ip + 8, ip + 24, 16, vlan);
	return 0;
}
