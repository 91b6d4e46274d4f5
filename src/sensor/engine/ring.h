/* ring.h — bounded single-producer/single-consumer packet ring (reader → worker) and
 * the symmetric IP-pair hash that picks a packet's worker. */
#ifndef SETU_RING_H
#define SETU_RING_H

#include "sensor/decode/packet.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

/* Packets in flight per worker: enough to absorb a burst while a worker is busy
 * with a large reassembly, small enough to keep copies in cache. */
#define SETU_RING_SLOTS 4096u

typedef struct setu_ring_slot {
	uint8_t *data; /* owned; grows to the largest frame seen */
	uint32_t cap, len, wire_len;
	struct timeval ts;
	uint64_t pcap_cnt;
	int linktype;
} setu_ring_slot_t;

typedef struct setu_ring setu_ring_t;

setu_ring_t *setu_ring_new(size_t slots);
void setu_ring_free(setu_ring_t *r);
/* Producer: copy the packet in; waits while the ring is full. 0 or SETU_ENOMEM. */
int setu_ring_push_wait(setu_ring_t *r, const setu_pkt_t *p);
/* Producer: no more packets. */
void setu_ring_close(setu_ring_t *r);
/* Consumer: the next slot (valid until setu_ring_release), or NULL when closed and empty.
 */
const setu_ring_slot_t *setu_ring_pop_wait(setu_ring_t *r);
void setu_ring_release(setu_ring_t *r);

/* Symmetric hash of the outermost IP address pair (+ VLAN), so both directions of a flow
 * and every fragment of a datagram go to the same worker. Frames without IP hash to 0. */
uint32_t setu_ippair_hash(int linktype, const uint8_t *data, size_t len);

#endif
