/* capture.h — packet sources behind one small ops table: pcap files read in place
 * (mmap), pcapng files and live interfaces through libpcap, AF_PACKET fanout groups
 * (capture-afp.h). */
#ifndef SETU_CAPTURE_H
#define SETU_CAPTURE_H

#include "sensor/decode/packet.h"
#include "setu/error.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

typedef struct setu_capture setu_capture_t;

typedef struct setu_capture_stats {
	uint64_t packets;      /* delivered to the caller */
	uint64_t bytes;        /* captured bytes delivered */
	uint64_t kernel_drops; /* live: dropped by the kernel or the interface */
	uint64_t file_size;    /* file: total bytes, 0 when unknown */
	uint64_t file_pos;     /* file: bytes read so far */
} setu_capture_stats_t;

/* A reader's position in a file read in place; each thread walking the file has its own
 * (setu_capture_walk). */
typedef struct setu_capture_cursor {
	uint64_t off;     /* next record header */
	uint64_t packets; /* records read: the last one's pcap_cnt */
	uint64_t bytes;   /* captured bytes of those records */
} setu_capture_cursor_t;

/* One record of a walked file: its bytes are the file's (valid until the capture is
 * closed). */
typedef struct setu_capture_rec {
	const uint8_t *data;
	uint32_t len, wire_len;
	struct timeval ts;
	uint64_t pcap_cnt; /* the record's number in the file, from 1 */
} setu_capture_rec_t;

typedef struct setu_capture_ops {
	const char *name;
	/* 1: a packet was filled; 0: end of input; SETU_EAGAIN: no packet yet (live
	 * capture timeout: the caller checks for stop and calls again); other negative:
	 * error (diag filled). */
	int (*next)(setu_capture_t *c, setu_pkt_t *p, setu_diag_t *diag);
	void (*stats)(const setu_capture_t *c, setu_capture_stats_t *st);
	void (*breakloop)(setu_capture_t *c);
	void (*close)(setu_capture_t *c);
	/* Optional (NULL = nothing to do): the caller no longer reads any packet whose
	 * bytes lie below `upto` (stable captures only). */
	void (*release)(setu_capture_t *c, const uint8_t *upto);
	/* Optional (NULL = one reader calls next): a file read in place that several
	 * threads each read whole, every one with its own cursor. `walk` is `next` on a
	 * cursor (same records, numbers and errors) and changes nothing in c, so threads
	 * call it at once; `walked` (one thread) says every walker is past `done`: the
	 * capture's stats report that position and pages below it may be dropped. */
	int (*walk)(const setu_capture_t *c, setu_capture_cursor_t *cur,
	            setu_capture_rec_t *rec, setu_diag_t *diag);
	void (*walk_start)(const setu_capture_t *c, setu_capture_cursor_t *cur);
	void (*walked)(setu_capture_t *c, const setu_capture_cursor_t *done);
	/* Optional (NULL = nothing to do): walkers will soon read the file up to offset
	 * `upto`; the capture may map those pages now (the thread that calls walked). */
	void (*ahead)(setu_capture_t *c, uint64_t upto);
} setu_capture_ops_t;

struct setu_capture {
	const setu_capture_ops_t *ops;
	int linktype;
	const char *source; /* file name or interface; borrowed from the caller */
	/* A packet's bytes stay valid until the capture is closed (a file read in place),
	 * not only until the next call: a run mode may hand them on without copying, in
	 * increasing address order, and says with setu_capture_release what it is done
	 * with.
	 */
	bool stable;
	bool live; /* an interface: packets come when they come (no batching) */
};

/* Open a pcap or pcapng file ("-" = stdin). NULL + diag on error. A classic pcap file
 * whose link type we decode is read in place (stable); others through libpcap. */
setu_capture_t *setu_capture_open_file(const char *path, setu_diag_t *diag);
/* The in-place reader alone: NULL when the file is not a classic pcap file it reads
 * (the caller then uses libpcap, which reports what is wrong). */
setu_capture_t *setu_capture_open_mmap(const char *path, setu_diag_t *diag);
/* Open a live interface; bpf may be NULL. */
setu_capture_t *setu_capture_open_live(const char *iface, const char *bpf, int snaplen,
                                       bool promisc, setu_diag_t *diag);

static inline int setu_capture_next(setu_capture_t *c, setu_pkt_t *p, setu_diag_t *diag)
{
	return c->ops->next(c, p, diag);
}

static inline void setu_capture_get_stats(const setu_capture_t *c,
                                          setu_capture_stats_t *st)
{
	c->ops->stats(c, st);
}

/* Ask a blocking live capture to return 0 soon (safe from another thread). */
static inline void setu_capture_breakloop(setu_capture_t *c)
{
	c->ops->breakloop(c);
}

static inline void setu_capture_release(setu_capture_t *c, const uint8_t *upto)
{
	if (c->ops->release != NULL)
		c->ops->release(c, upto);
}

/* Walking (see setu_capture_ops_t.walk): only when setu_capture_walkable. */
static inline bool setu_capture_walkable(const setu_capture_t *c)
{
	return c->ops->walk != NULL && c->ops->walk_start != NULL &&
	       c->ops->walked != NULL;
}

static inline void setu_capture_walk_start(const setu_capture_t *c,
                                           setu_capture_cursor_t *cur)
{
	c->ops->walk_start(c, cur);
}

/* 1: *rec filled, cursor advanced; 0: end of file; negative: error (diag filled). */
static inline int setu_capture_walk(const setu_capture_t *c, setu_capture_cursor_t *cur,
                                    setu_capture_rec_t *rec, setu_diag_t *diag)
{
	return c->ops->walk(c, cur, rec, diag);
}

static inline void setu_capture_walked(setu_capture_t *c,
                                       const setu_capture_cursor_t *done)
{
	c->ops->walked(c, done);
}

static inline void setu_capture_ahead(setu_capture_t *c, uint64_t upto)
{
	if (c->ops->ahead != NULL)
		c->ops->ahead(c, upto);
}

/* The packet of a walked record (p already reset). */
static inline void setu_capture_rec_to_pkt(const setu_capture_t *c,
                                           const setu_capture_rec_t *rec, setu_pkt_t *p)
{
	p->data = rec->data;
	p->len = rec->len;
	p->wire_len = rec->wire_len;
	p->ts = rec->ts;
	p->pcap_cnt = rec->pcap_cnt;
	p->linktype = c->linktype;
}

static inline void setu_capture_close(setu_capture_t *c)
{
	if (c != NULL)
		c->ops->close(c);
}

#endif
