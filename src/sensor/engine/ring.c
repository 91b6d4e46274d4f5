/* ring.c — SPSC packet ring with C11 atomics (batched index publication, cached
 * indices); waits spin briefly, then sleep. */
#include "ring.h"

#include "common/bytes.h"
#include "setu/error.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Each side keeps its own index and a cached copy of the other side's, on a cache line
 * of its own, and publishes its index every SETU_RING_BATCH packets (and before it
 * waits): the indices then bounce between cores once per batch, not once per packet. */
#define SETU_RING_BATCH 32u

struct setu_ring {
	setu_ring_slot_t *slot;
	size_t n;                        /* power of two */
	_Alignas(64) atomic_size_t head; /* published by the producer */
	_Alignas(64) atomic_size_t tail; /* published by the consumer */
	atomic_bool closed;
	_Alignas(64) size_t p_head; /* producer: next slot to fill */
	size_t p_tail;              /* producer: last tail seen */
	_Alignas(64) size_t c_tail; /* consumer: next slot to read */
	size_t c_head;              /* consumer: last head seen */
};

static void nap(long ns)
{
	struct timespec ts = {0, ns};
	nanosleep(&ts, NULL);
}

setu_ring_t *setu_ring_new(size_t slots)
{
	size_t n = SETU_RING_BATCH;
	while (n < slots)
		n <<= 1;
	setu_ring_t *r = aligned_alloc(64, (sizeof(*r) + 63) / 64 * 64);
	if (r == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
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
		free(r->slot[i].buf);
	free(r->slot);
	free(r);
}

void setu_ring_flush(setu_ring_t *r)
{
	atomic_store_explicit(&r->head, r->p_head, memory_order_release);
}

int setu_ring_push_wait(setu_ring_t *r, const setu_pkt_t *p, bool borrow)
{
	size_t head = r->p_head;
	if (head - r->p_tail >= r->n) {
		setu_ring_flush(r);
		r->p_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		/* full: the worker is the bottleneck. Sleep until it has freed a batch's
		 * worth, rather than spin on a core it may need (2-core machines). */
		unsigned spins = 0;
		while (head - r->p_tail > r->n - SETU_RING_BATCH) {
			if (++spins > 16)
				nap(50000);
			r->p_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		}
	}
	setu_ring_slot_t *s = &r->slot[head & (r->n - 1)];
	if (borrow) {
		s->data = p->data;
	} else {
		if (s->cap < p->len) {
			uint8_t *d = realloc(s->buf, p->len);
			if (d == NULL)
				return SETU_ENOMEM;
			s->buf = d;
			s->cap = p->len;
		}
		if (p->len > 0)
			memcpy(s->buf, p->data, p->len);
		s->data = s->buf;
	}
	s->len = p->len;
	s->wire_len = p->wire_len;
	s->ts = p->ts;
	s->pcap_cnt = p->pcap_cnt;
	s->linktype = p->linktype;
	r->p_head = head + 1;
	if ((r->p_head & (SETU_RING_BATCH - 1)) == 0)
		setu_ring_flush(r);
	return 0;
}

void setu_ring_close(setu_ring_t *r)
{
	setu_ring_flush(r);
	atomic_store_explicit(&r->closed, true, memory_order_release);
}

const uint8_t *setu_ring_oldest(const setu_ring_t *r)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	if (tail == r->p_head)
		return NULL;
	return r->slot[tail & (r->n - 1)].data;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

const setu_ring_slot_t *setu_ring_pop_wait(setu_ring_t *r, unsigned idle_ms, bool *idle)
{
	size_t tail = r->c_tail;
	*idle = false;
	if (tail == r->c_head) {
		/* caught up: say what we have released, then wait for more */
		atomic_store_explicit(&r->tail, tail, memory_order_release);
		unsigned spins = 0;
		struct timespec t0 = {0, 0};
		for (;;) {
			r->c_head = atomic_load_explicit(&r->head, memory_order_acquire);
			if (r->c_head != tail)
				break;
			if (atomic_load_explicit(&r->closed, memory_order_acquire)) {
				/* re-check: the producer flushes before closing */
				r->c_head =
				    atomic_load_explicit(&r->head, memory_order_acquire);
				if (r->c_head != tail)
					break;
				return NULL;
			}
			if (++spins <= 64)
				continue;
			if (spins == 65)
				clock_gettime(CLOCK_MONOTONIC, &t0);
			else if ((spins & 15) == 0 && ms_since(&t0) >= (long)idle_ms) {
				*idle = true;
				return NULL;
			}
			nap(spins < 1024 ? 1000 : 50000);
		}
	}
	return &r->slot[tail & (r->n - 1)];
}

void setu_ring_release(setu_ring_t *r)
{
	r->c_tail++;
	if ((r->c_tail & (SETU_RING_BATCH - 1)) == 0)
		atomic_store_explicit(&r->tail, r->c_tail, memory_order_release);
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
