/* capture-mmap.c — classic pcap files (the tcpdump format: 24-byte file header, 16-byte
 * record headers; wiki.wireshark.org/Development/LibpcapFileFormat) read in place through
 * mmap. Written by hand because libpcap's offline reader copies every record through
 * stdio into its own buffer, which made the reader thread of the workers run mode spend
 * ~40% of its time in fread and the copy; here a packet's bytes are the file's pages,
 * valid until the capture is closed, so several worker threads can each walk the whole
 * mapped file with their own cursor (runmode.c), none of them copying anything.
 * pcapng, stdin and link types whose file value differs from libpcap's DLT stay with
 * libpcap. */
#include "capture.h"

#include "common/bytes.h"
#include "common/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct mm_capture {
	setu_capture_t base;
	const uint8_t *map; /* the whole file, read-only */
	size_t size;
	/* the single reader's position (mm_next); with walkers, where the slowest one is
	 * (mm_walked), so stats and progress read the same fields either way */
	setu_capture_cursor_t cur;
	size_t dropped;   /* pages below this offset were given back (page aligned) */
	size_t mapped;    /* pages below this offset were mapped ahead (mm_ahead) */
	bool no_populate; /* the kernel has no MADV_POPULATE_READ */
	bool swapped;     /* file written on a host of the other byte order */
	bool nsec;        /* nanosecond time stamps */
} mm_capture_t;

static uint32_t rd32(const mm_capture_t *m, const uint8_t *b)
{
	uint32_t v;
	memcpy(&v, b, 4);
	return m->swapped ? __builtin_bswap32(v) : v;
}

/* The record at cursor cur: the reading both mm_next and the walkers use, so a walker
 * sees exactly the records, numbers and errors the single reader would. */
static int mm_walk(const setu_capture_t *c, setu_capture_cursor_t *cur,
                   setu_capture_rec_t *rec, setu_diag_t *diag)
{
	const mm_capture_t *m = (const mm_capture_t *)c;
	if (cur->off >= m->size)
		return 0;
	size_t left = m->size - (size_t)cur->off;
	/* the same sentences as libpcap's reader, so messages do not change with it */
	if (left < 16) {
		if (diag != NULL) {
			diag->file = c->source;
			diag->line = 0;
		}
		return setu_diag_set(
		    diag, SETU_EIO,
		    "after packet %llu: truncated dump file; tried to read "
		    "16 header bytes, only got %zu",
		    (unsigned long long)cur->packets, left);
	}
	const uint8_t *h = m->map + cur->off;
	uint32_t sec = rd32(m, h), frac = rd32(m, h + 4);
	uint32_t incl = rd32(m, h + 8), orig = rd32(m, h + 12);
	if (incl > SETU_MAX_FRAME || left - 16 < incl) {
		if (diag != NULL) {
			diag->file = c->source;
			diag->line = 0;
		}
		if (incl > SETU_MAX_FRAME)
			return setu_diag_set(
			    diag, SETU_EIO,
			    "after packet %llu: invalid packet capture length %u, "
			    "bigger than the maximum of %u",
			    (unsigned long long)cur->packets, incl, SETU_MAX_FRAME);
		return setu_diag_set(
		    diag, SETU_EIO,
		    "after packet %llu: truncated dump file; tried to read "
		    "%u captured bytes, only got %zu",
		    (unsigned long long)cur->packets, incl, left - 16);
	}
	cur->off += 16 + (uint64_t)incl;
	cur->packets++;
	cur->bytes += incl;
	rec->data = h + 16;
	rec->len = incl;
	rec->wire_len = orig;
	rec->ts.tv_sec = (time_t)sec;
	rec->ts.tv_usec = (suseconds_t)(m->nsec ? frac / 1000 : frac);
	rec->pcap_cnt = cur->packets;
	return 1;
}

static void mm_walk_start(const setu_capture_t *c, setu_capture_cursor_t *cur)
{
	(void)c;
	memset(cur, 0, sizeof(*cur));
	cur->off = 24; /* past the file header */
}

static int mm_next(setu_capture_t *c, setu_pkt_t *p, setu_diag_t *diag)
{
	mm_capture_t *m = (mm_capture_t *)c;
	setu_capture_rec_t rec = {0};
	int r = mm_walk(c, &m->cur, &rec, diag);
	if (r != 1)
		return r;
	setu_pkt_reset(p);
	setu_capture_rec_to_pkt(c, &rec, p);
	return 1;
}

static void mm_stats(const setu_capture_t *c, setu_capture_stats_t *st)
{
	const mm_capture_t *m = (const mm_capture_t *)c;
	memset(st, 0, sizeof(*st));
	st->packets = m->cur.packets;
	st->bytes = m->cur.bytes;
	st->file_size = m->size;
	st->file_pos = m->cur.off;
}

static void mm_breakloop(setu_capture_t *c)
{
	(void)c; /* a file ends by itself; the run loop checks the engine's stop flag */
}

/* Drop the mapping's pages below `upto` from this process (they stay in the page
 * cache): a file read in place would otherwise count whole in the resident set. */
static void mm_release(setu_capture_t *c, const uint8_t *upto)
{
	mm_capture_t *m = (mm_capture_t *)c;
	if (upto < m->map || upto > m->map + m->size)
		return;
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	size_t end = (size_t)(upto - m->map) / page * page;
	/* in steps of a few MiB: one madvise per step, not per packet */
	if (end < m->dropped + (4u << 20))
		return;
	madvise((void *)(uintptr_t)(m->map + m->dropped), end - m->dropped,
	        MADV_DONTNEED);
	m->dropped = end;
}

/* Every walker is past `done`: it is the capture's position now (stats, progress), and
 * the pages below it are dropped. A walker that still touched a dropped page (it cannot:
 * `done` is the slowest one's) would only fault it in again from the page cache: the
 * mapping is read-only and private. */
static void mm_walked(setu_capture_t *c, const setu_capture_cursor_t *done)
{
	mm_capture_t *m = (mm_capture_t *)c;
	if (done->off < m->cur.off || done->off > m->size)
		return;
	m->cur = *done;
	mm_release(c, m->map + done->off);
}

/* Map the file's pages up to `upto` into the process before the walkers read them:
 * one madvise (MADV_POPULATE_READ, Linux 5.14) maps a few MiB of the page cache in
 * one go, where each walker would otherwise take a page fault every 16 pages, on the
 * packet path. Called by the monitor, ahead of the fastest walker. */
static void mm_ahead(setu_capture_t *c, uint64_t upto)
{
#ifdef MADV_POPULATE_READ
	mm_capture_t *m = (mm_capture_t *)c;
	if (m->no_populate)
		return;
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	size_t lim = (m->size + page - 1) / page * page;
	size_t end = upto >= lim ? lim : (size_t)(upto + page - 1) / page * page;
	size_t from = m->mapped > m->dropped ? m->mapped : m->dropped;
	if (end <= from || (end < lim && end - from < (1u << 20)))
		return; /* in steps of 1 MiB or more */
	if (madvise((void *)(uintptr_t)(m->map + from), end - from, MADV_POPULATE_READ) !=
	        0 &&
	    (errno == EINVAL || errno == ENOSYS))
		m->no_populate = true; /* an older kernel: the walkers fault them in */
	m->mapped = end;
#else
	(void)c;
	(void)upto;
#endif
}

static void mm_close(setu_capture_t *c)
{
	mm_capture_t *m = (mm_capture_t *)c;
	munmap((void *)(uintptr_t)m->map, m->size);
	free(m);
}

static const setu_capture_ops_t mm_ops = {
    .name = "pcap-file",
    .next = mm_next,
    .stats = mm_stats,
    .breakloop = mm_breakloop,
    .close = mm_close,
    .release = mm_release,
    .walk = mm_walk,
    .walk_start = mm_walk_start,
    .walked = mm_walked,
    .ahead = mm_ahead,
};

/* Link types whose pcap file value (LINKTYPE_*) is the DLT value libpcap reports. */
static bool linktype_same_as_dlt(uint32_t lt)
{
	switch (lt) {
	case SETU_DLT_NULL:
	case SETU_DLT_EN10MB:
	case SETU_DLT_PPP:
	case SETU_DLT_RAW:
	case SETU_DLT_LOOP:
	case SETU_DLT_LINUX_SLL:
	case SETU_DLT_IPV4:
	case SETU_DLT_IPV6:
	case SETU_DLT_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

setu_capture_t *setu_capture_open_mmap(const char *path, setu_diag_t *diag)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL; /* libpcap's path reports it */
	struct stat st;
	uint8_t hdr[24];
	mm_capture_t *m = NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 24 ||
	    (uint64_t)st.st_size > SIZE_MAX || pread(fd, hdr, 24, 0) != 24)
		goto none;
	uint32_t magic;
	memcpy(&magic, hdr, 4);
	bool swapped, nsec;
	if (magic == 0xa1b2c3d4u || magic == 0xa1b23c4du)
		swapped = false;
	else if (magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u)
		swapped = true;
	else
		goto none; /* pcapng or not a capture: libpcap decides */
	nsec = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		goto none;
	m->swapped = swapped;
	m->nsec = nsec;
	uint16_t major;
	memcpy(&major, hdr + 4, 2);
	if (swapped)
		major = __builtin_bswap16(major);
	uint32_t lt = rd32(m, hdr + 20);
	if (major != 2 || (lt & 0xffff0000u) != 0 || !linktype_same_as_dlt(lt))
		goto none;
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		goto none;
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	close(fd);
	m->map = map;
	m->size = (size_t)st.st_size;
	mm_walk_start(&m->base, &m->cur);
	m->base.ops = &mm_ops;
	m->base.linktype = (int)lt;
	m->base.source = path;
	m->base.stable = true;
	(void)diag;
	return &m->base;
none:
	free(m);
	close(fd);
	return NULL;
}
