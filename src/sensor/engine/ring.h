/* ring.h — bounded single-producer/single-consumer packet ring (reader → worker) and
 * the symmetric IP-pair hash that picks a packet's worker. */
#ifndef SETU_RING_H
#define SETU_RING_H

#include "sensor/decode/packet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

/* Packets in flight per worker: enough to absorb a burst while a worker is busy
 * with a large reassembly, small enough to keep copies in cache. */
#define SETU_RING_SLOTS 4096u
/* Packets in flight per worker when they are borrowed from a stable capture (a slot is
 * then 48 bytes, no copy buffer). A classic pcap file read in place no longer comes
 * through rings (its workers walk the mapping: runmode.c); this stays for a stable
 * capture that cannot be walked. Measured when files came this way: one reader feeds
 * every worker in order, so while it waits on a worker's full ring the others drain
 * theirs; deep rings absorb the bursts of a heavy flow (a 2 MB download is ~1,400 packets
 * of one worker) and keep them busy. The file pages of packets in flight count in RSS
 * (~20 MB per worker at 32768 on a typical mix); with 4096 or 16384 a worker sat idle for
 * 5-20% of some ET Open runs. */
#define SETU_RING_SLOTS_BORROW 32768u

typedef struct setu_ring_slot {
	const uint8_t *data; /* the packet: `buf`, or the capture's own bytes (stable) */
	uint8_t *buf;        /* owned copy; grows to the largest frame copied */
	uint32_t cap, len, wire_len;
	struct timeval ts;
	uint64_t pcap_cnt;
	int linktype;
} setu_ring_slot_t;

typedef struct setu_ring setu_ring_t;

setu_ring_t *setu_ring_new(size_t slots);
void setu_ring_free(setu_ring_t *r);
/* Producer: queue the packet, copying its bytes unless `borrow` (they stay valid until
 * the consumer has released the slot: a stable capture); waits while the ring is full.
 * Slots are published to the consumer in batches: call setu_ring_flush when no packet
 * follows at once (live capture), and before waiting on anything else. 0 or SETU_ENOMEM.
 */
int setu_ring_push_wait(setu_ring_t *r, const setu_pkt_t *p, bool borrow);
void setu_ring_flush(setu_ring_t *r);
/* Producer: no more packets (flushes). */
void setu_ring_close(setu_ring_t *r);
/* Producer: the bytes of the oldest packet the consumer may still read, NULL when it has
 * released everything published (borrowed bytes below it are free to drop). */
const uint8_t *setu_ring_oldest(const setu_ring_t *r);
/* Consumer: the next slot (valid until setu_ring_release), or NULL when closed and empty,
 * or NULL with *idle set when nothing came for idle_ms (the consumer then does its idle
 * work and calls again). */
const setu_ring_slot_t *setu_ring_pop_wait(setu_ring_t *r, unsigned idle_ms, bool *idle);
void setu_ring_release(setu_ring_t *r);

/* Symmetric hash of the outermost IP address pair (+ VLAN), so both directions of a flow
 * and every fragment of a datagram go to the same worker. Frames without IP hash to 0. */
uint32_t setu_ippair_hash(int linktype, const uint8_t *data, size_t len);

#endif
