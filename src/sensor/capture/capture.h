/* capture.h — packet sources behind one small ops table: pcap files read in place
 * (mmap), pcapng files and live interfaces through libpcap, AF_PACKET fanout groups
 * (capture-afp.h). */
#ifndef SETU_CAPTURE_H
#define SETU_CAPTURE_H

#include "sensor/decode/packet.h"
#include "setu/error.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct setu_capture setu_capture_t;

typedef struct setu_capture_stats {
	uint64_t packets;      /* delivered to the caller */
	uint64_t bytes;        /* captured bytes delivered */
	uint64_t kernel_drops; /* live: dropped by the kernel or the interface */
	uint64_t file_size;    /* file: total bytes, 0 when unknown */
	uint64_t file_pos;     /* file: bytes read so far */
} setu_capture_stats_t;

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

static inline void setu_capture_close(setu_capture_t *c)
{
	if (c != NULL)
		c->ops->close(c);
}

#endif
