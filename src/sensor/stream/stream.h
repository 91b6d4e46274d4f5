/* stream.h — TCP session tracking (Suricata's state machine and stream events, RFC 9293
 * states) and per-direction reassembly with overlap policy, gaps, depth and memcaps.
 *
 * Use from a worker (one flow table and one stream context per thread):
 *   f = setu_flow_handle_packet(ft, p);
 *   if (f && p->proto == IPPROTO_TCP) setu_stream_handle_packet(sc, f, p, data_cb, ctx);
 *   flow end callback (timeout, flush, eviction: setu_flow_table_set_end_cb too):
 *       setu_stream_flow_end(sc, f, data_cb, ctx); then log the flow.
 *   shutdown: setu_flow_flush(ft, end_cb, ctx); setu_flow_table_free(ft);
 *             setu_stream_ctx_free(sc);    (the context outlives the flows)
 * Data reaches data_cb in order, once the receiver ACKed it (deliver_on_ack, Suricata's
 * IDS mode) or as soon as it is contiguous; what is left goes out at flow end. */
#ifndef SETU_STREAM_H
#define SETU_STREAM_H

#include "common/counters.h"
#include "common/limits.h"
#include "sensor/decode/packet.h"
#include "sensor/flow/flow.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct setu_stream_config {
	bool midstream;     /* stream.midstream: pick up sessions without a handshake */
	bool async_oneside; /* stream.async-oneside: only one direction is visible */
	bool checksum_validate;    /* stream.checksum-validation: ignore packets with bad
	                              csum */
	uint32_t reassembly_depth; /* stream.reassembly.depth: bytes per direction, 0 = no
	                              limit */
	size_t memcap;             /* stream.memcap: sessions */
	size_t reassembly_memcap; /* stream.reassembly.memcap: segments and raw windows */
	uint32_t raw_window;      /* bytes of reassembled data kept per direction for raw
	                             stream inspection (SETU_STREAM_RAW_WINDOW_MIN..) */
	uint32_t max_segments;    /* segments held (not yet handed on) per direction */
	uint32_t max_pending_bytes; /* bytes held (not yet handed on) per direction */
	bool deliver_on_ack; /* true (default, Suricata IDS mode): data is handed on once
	                        the receiver ACKed it, or at flow end; false: as soon as
	                        it is in order (Suricata inline mode) */
} setu_stream_config_t;

void setu_stream_config_default(setu_stream_config_t *cfg);

typedef struct setu_stream_ctx setu_stream_ctx_t; /* per worker thread */

/* NULL on out of memory. The context must outlive every flow whose TCP session it made:
 * end flows (setu_flow_flush + setu_stream_flow_end) before setu_stream_ctx_free. */
setu_stream_ctx_t *setu_stream_ctx_new(const setu_stream_config_t *cfg);
void setu_stream_ctx_free(setu_stream_ctx_t *sc);

/* Flags for the data callback. */
#define SETU_STREAM_DATA_GAP 0x1 /* bytes before this chunk are missing */
#define SETU_STREAM_DATA_EOF 0x2 /* direction closed (FIN/RST/flow end); len may be 0 */

/* data/len: the next in-order bytes of direction dir (0 toserver, 1 toclient), borrowed
 * for the call; offset: their absolute position in the direction's byte stream (0 = first
 * byte after the SYN, or the first byte seen for a midstream session). */
typedef void (*setu_stream_data_cb)(void *user, setu_flow_t *f, int dir,
                                    const uint8_t *data, size_t len, uint64_t offset,
                                    unsigned flags);

/* Handle one TCP packet of flow f (after setu_flow_handle_packet). Updates the state,
 * records stream events on p, delivers in-order data through cb (may be NULL). cb may
 * run for either direction: with deliver_on_ack a packet hands on the data of the other
 * direction that it ACKs, before its own.
 * Returns 0, or a negative SETU_E* code when the packet is invalid for the stream
 * (it is then not reassembled; the event on p says why). */
int setu_stream_handle_packet(setu_stream_ctx_t *sc, setu_flow_t *f, setu_pkt_t *p,
                              setu_stream_data_cb cb, void *user);

/* At flow end: deliver what is left (with GAP flags over holes) and EOF for both
 * directions, then release the session's reassembly memory. Idempotent. */
void setu_stream_flow_end(setu_stream_ctx_t *sc, setu_flow_t *f, setu_stream_data_cb cb,
                          void *user);

/* Raw stream window for detection: the most recent reassembled bytes of a direction
 * (at least the last raw_window bytes delivered, when that many were) and the absolute
 * offset of data[0]. 0, or SETU_ENOENT when the flow has no session or no data. */
int setu_stream_raw_window(const setu_flow_t *f, int dir, const uint8_t **data,
                           size_t *len, uint64_t *offset);

/* A hole inside the raw window: [offset, offset + len) never arrived; reads as zeros. */
typedef struct setu_stream_gap {
	uint64_t offset;
	uint64_t len;
} setu_stream_gap_t;
/* The holes of the raw window of dir, oldest first (up to max); returns their number.
 * After a hole larger than the window (or too many holes) the window restarts instead. */
size_t setu_stream_raw_gaps(const setu_flow_t *f, int dir, setu_stream_gap_t *out,
                            size_t max);

/* Suricata's TCP states, in its order (stream-tcp-private.h). */
typedef enum setu_tcp_state {
	SETU_TCP_NONE = 0,
	SETU_TCP_SYN_SENT,
	SETU_TCP_SYN_RECV,
	SETU_TCP_ESTABLISHED,
	SETU_TCP_FIN_WAIT1,
	SETU_TCP_FIN_WAIT2,
	SETU_TCP_TIME_WAIT,
	SETU_TCP_LAST_ACK,
	SETU_TCP_CLOSE_WAIT,
	SETU_TCP_CLOSING,
	SETU_TCP_CLOSED,
	SETU_TCP_STATE_MAX
} setu_tcp_state_t;

/* "none", "syn_sent", ... "closed" (EVE tcp.state); NULL without a session. */
const char *setu_stream_state_name(const setu_flow_t *f);
const char *setu_tcp_state_name(setu_tcp_state_t st);
/* The session's state; SETU_TCP_NONE when f has no session. */
setu_tcp_state_t setu_stream_state(const setu_flow_t *f);
/* True when a gap was seen in direction dir (EVE tcp.ts_gap / tc_gap). */
bool setu_stream_had_gap(const setu_flow_t *f, int dir);

/* Suricata stats "tcp.*" names. */
void setu_stream_counters(const setu_stream_ctx_t *sc, setu_counter_cb cb, void *user);

/* For the flow table: a SYN on a finished session starts a new flow (TCP port reuse). */
bool setu_stream_is_reuse(const setu_flow_t *f, const setu_pkt_t *p);
/* The flow was swapped (setu_flow_swap: its first sender turned out to be the server):
 * swap the session's two sides with it, each stream with its reassembly state (pending
 * segments, raw window, progress, flags) and the RST's direction, so that direction 0
 * is again the client's data. As Suricata's FlowSwap swaps the TCP streams. No-op
 * without a session. */
void setu_stream_swap(setu_flow_t *f);
/* Free a session (called by the flow table when it frees the flow). */
void setu_tcp_session_free(struct setu_tcp_session *ssn);

#endif
