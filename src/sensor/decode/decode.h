/* decode.h — the sensor's packet decoder: link layer to L4, tunnels and IP reassembly.
 * Behaviour and event names follow Suricata's decoders (decode-*.c, defrag.c). */
#ifndef SETU_DECODE_H
#define SETU_DECODE_H

#include "common/counters.h"
#include "sensor/decode/packet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

typedef struct setu_decode_config {
	bool checksum_validate;       /* false for -k none */
	size_t defrag_memcap;         /* bytes of trackers + fragment copies */
	uint32_t defrag_timeout;      /* seconds a datagram may take to complete */
	uint32_t defrag_max_trackers; /* datagrams in reassembly at once */
} setu_decode_config_t;

/* checksum_validate = true, defrag limits from common/limits.h. */
void setu_decode_config_default(setu_decode_config_t *cfg);

/* Per worker thread; owns the defrag table and the reassembled-datagram buffer. */
typedef struct setu_decode_ctx setu_decode_ctx_t;

/* NULL on out of memory. cfg is copied. */
setu_decode_ctx_t *setu_decode_ctx_new(const setu_decode_config_t *cfg);
void setu_decode_ctx_free(setu_decode_ctx_t *dc);

/* Decode the frame in p->data (len, wire_len, ts, pcap_cnt, linktype set by capture).
 * Fills p's L2-L4 fields and flags; anomalies are recorded as events on p.
 * Returns 0; SETU_EUNSUPPORTED for an unknown link type; another negative code when the
 * packet is invalid (then p->flags has SETU_PKT_INVALID and p's events say why).
 * When a fragment completes an IP datagram, p->l3.. point into a buffer of dc that stays
 * valid until the next setu_decode() call on dc (SETU_PKT_REASSEMBLED). */
int setu_decode(setu_decode_ctx_t *dc, setu_pkt_t *p);

bool setu_decode_linktype_supported(int linktype);

/* Report counters with Suricata's EVE stats names: "decoder.pkts", "decoder.ipv4", ...,
 * "decoder.event.ipv4.trunc_pkt", "defrag.ipv4.fragments", ... */
void setu_decode_counters(const setu_decode_ctx_t *dc, setu_counter_cb cb, void *user);

/* Expire defrag trackers older than the timeout relative to `now`. */
void setu_decode_timeout(setu_decode_ctx_t *dc, const struct timeval *now);

#endif
