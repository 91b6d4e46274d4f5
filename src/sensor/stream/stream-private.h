/* stream-private.h — the TCP session and per-direction stream, shared by stream-tcp.c
 * (the state machine, after Suricata's stream-tcp.c) and stream-reassembly.c. Not for
 * other parts. */
#ifndef SETU_STREAM_PRIVATE_H
#define SETU_STREAM_PRIVATE_H

#include "stream.h"

/* Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

/* An out-of-order segment waiting for the hole before it. Pending segments of a
 * direction never overlap each other and all start after app_off. */
typedef struct setu_stream_seg {
	struct setu_stream_seg *next; /* owned: sorted by off */
	uint64_t off;                 /* absolute stream offset of data[0] */
	uint32_t len;
	uint32_t cap; /* bytes of data[] allocated (and charged) */
	uint8_t data[];
} setu_stream_seg_t;

/* Per-direction flags. */
#define SETU_STREAM_F_DEPTH 0x01    /* reassembly depth reached: no more data */
#define SETU_STREAM_F_GAP_NEXT 0x02 /* next delivered chunk follows a hole */
#define SETU_STREAM_F_GAP_SEEN 0x04 /* a gap happened in this direction */
#define SETU_STREAM_F_EOF_SENT 0x08 /* EOF delivered */
#define SETU_STREAM_F_FIN 0x10      /* FIN seen; fin_seq valid */
#define SETU_STREAM_F_RAW_OFF 0x20  /* raw window disabled (memcap) */
#define SETU_STREAM_F_HAS_BASE 0x40 /* base_seq known */
#define SETU_STREAM_F_ACKED 0x80    /* last_ack holds an ACK the peer sent */
#define SETU_STREAM_F_TS 0x100      /* timestamps option on this endpoint's SYN */

/* Holes kept inside a raw window (their bytes read as zero). */
#define SETU_STREAM_RAW_GAPS 8

/* One direction: the bytes one endpoint sends, and what its peer said about them. */
typedef struct setu_tcp_stream {
	uint32_t isn;      /* SYN's seq (midstream: base_seq - 1) */
	uint32_t base_seq; /* seq of stream offset 0 */
	uint32_t
	    next_seq; /* highest seq + len (+1 for SYN/FIN) seen from this endpoint */
	uint32_t last_ack;    /* highest ack the peer sent for this data */
	uint32_t window;      /* window the peer advertised for this data (scaled) */
	uint32_t next_win;    /* last_ack + window: highest seq this endpoint may send */
	uint32_t fin_seq;     /* seq of the FIN */
	uint32_t last_ts;     /* TSval last accepted from this endpoint (TS.Recent) */
	uint32_t last_pkt_ts; /* capture time (s) of the packet that carried it */
	uint8_t wscale;       /* shift for windows this endpoint advertises */
	bool wscale_opt;      /* window scale option in its SYN */
	unsigned flags;       /* SETU_STREAM_F_* */

	/* reassembly */
	uint64_t app_off;        /* next offset to deliver */
	setu_stream_seg_t *segs; /* owned list */
	uint32_t nsegs;
	size_t seg_bytes;
	uint8_t *
	    raw; /* owned: [raw_off, raw_off + raw_len) of the stream, capacity raw_cap */
	size_t raw_len, raw_cap;
	uint64_t raw_off;
	setu_stream_gap_t raw_gaps[SETU_STREAM_RAW_GAPS]; /* holes in the raw window */
	uint8_t nraw_gaps;
} setu_tcp_stream_t;

/* Session flags. */
#define SETU_SSN_MIDSTREAM 0x01        /* picked up without a full handshake */
#define SETU_SSN_ASYNC 0x02            /* one direction unseen (stream.async-oneside) */
#define SETU_SSN_NO_REASM 0x04         /* reassembly stopped (memcap) */
#define SETU_SSN_RELEASED 0x08         /* reassembly memory returned to the context */
#define SETU_SSN_4WHS 0x10             /* simultaneous open: the server sent a SYN too */
#define SETU_SSN_TFO 0x20              /* TCP Fast Open: the client's SYN carried data */
#define SETU_SSN_MIDSTREAM_SYNACK 0x40 /* picked up on the server's SYN/ACK */
#define SETU_SSN_TIMESTAMP 0x80        /* both sides use TCP timestamps (RFC 7323) */

/* RFC 7323 §5.5: a timestamp older than 24 days can no longer be compared (the 1 ms
 * clock's sign bit wraps after 24.8 days), so PAWS accepts the next in-order segment. */
#define SETU_TCP_PAWS_IDLE_SECS (24u * 24u * 60u * 60u)

struct setu_tcp_session {
	setu_stream_ctx_t *sc; /* borrowed: the context that accounts this session */
	setu_tcp_state_t state;
	unsigned flags;
	int8_t rst_dir; /* direction of the RST that closed the session, -1 none */
	setu_tcp_stream_t s[2]; /* [0] client (toserver data), [1] server */
	size_t reasm_mem;       /* bytes charged to the reassembly memcap */
};

/* Segment block size classes of the context's free lists: 64 << class bytes (header
 * included), 64 B .. 2 KiB. */
#define SETU_STREAM_SEG_CLASSES 6
/* Raw window buffer classes: 4 KiB << k (k < 5), and the largest (1.5 x raw_window). */
#define SETU_STREAM_RAW_CLASSES 6

struct setu_stream_ctx {
	setu_stream_config_t cfg;
	/* owned: free segment blocks by size class, and their total bytes */
	struct setu_stream_seg *seg_pool[SETU_STREAM_SEG_CLASSES];
	size_t seg_pool_bytes;
	/* owned: free raw window buffers by class (linked through their first bytes) */
	void *raw_pool[SETU_STREAM_RAW_CLASSES];
	size_t raw_pool_bytes;
	size_t memuse;       /* sessions */
	size_t reasm_memuse; /* segments + raw windows */
	uint64_t active;
	struct {
		uint64_t sessions, ssn_memcap_drop, syn, synack, rst, urg,
		    midstream_pickups;
		uint64_t invalid_checksum, no_flow, segment_memcap_drop,
		    stream_depth_reached;
		uint64_t reassembly_gap, overlap, overlap_diff_data,
		    insert_data_normal_fail;
		uint64_t ack_unseen_data, pkt_retransmission;
	} c;
};

/* Reassembly (stream-reassembly.c). `p` may be NULL (flow end). */
typedef struct setu_reasm_call {
	setu_stream_ctx_t *sc;
	setu_flow_t *f;
	setu_pkt_t *p;
	setu_stream_data_cb cb;
	void *user;
} setu_reasm_call_t;

/* Stream offset of seq in direction st (may be negative: before the start). */
int64_t setu_stream_off_of_seq(const setu_tcp_stream_t *st, uint32_t seq);
/* Add a segment's payload to direction dir and deliver what became contiguous. */
void setu_reasm_insert(const setu_reasm_call_t *rc, int dir, uint32_t seq,
                       const uint8_t *data, uint32_t len);
/* The peer acknowledged up to `ack`: data we never saw before it becomes a gap. */
void setu_reasm_acked(const setu_reasm_call_t *rc, int dir, uint32_t ack);
/* Deliver everything pending in dir (over holes, flagged GAP), then EOF. */
void setu_reasm_close(const setu_reasm_call_t *rc, int dir);
/* If dir's FIN has been reached by delivery, send EOF. */
void setu_reasm_check_eof(const setu_reasm_call_t *rc, int dir);
/* Free segments and raw windows; return their memory to the context. */
void setu_reasm_release(struct setu_tcp_session *ssn);
/* Free the context's recycled segment blocks and raw window buffers. */
void setu_reasm_pool_free(setu_stream_ctx_t *sc);

#endif
