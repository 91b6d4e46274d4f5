/* capture-mmap.c — classic pcap files (the tcpdump format: 24-byte file header, 16-byte
 * record headers; wiki.wireshark.org/Development/LibpcapFileFormat) read in place through
 * mmap. Written by hand because libpcap's offline reader copies every record through
 * stdio into its own buffer, which made the reader thread of the workers run mode spend
 * ~40% of its time in fread and the copy; here a packet's bytes are the file's pages,
 * valid until the capture is closed, so run modes hand them to workers without copying.
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
	size_t off;     /* next record header */
	size_t dropped; /* pages below this offset were given back (page aligned) */
	bool swapped;   /* file written on a host of the other byte order */
	bool nsec;      /* nanosecond time stamps */
	uint64_t packets, bytes;
} mm_capture_t;

static uint32_t rd32(const mm_capture_t *m, const uint8_t *b)
{
	uint32_t v;
	memcpy(&v, b, 4);
	return m->swapped ? __builtin_bswap32(v) : v;
}

static int mm_next(setu_capture_t *c, setu_pkt_t *p, setu_diag_t *diag)
{
	mm_capture_t *m = (mm_capture_t *)c;
	if (m->off == m->size)
		return 0;
	size_t left = m->size - m->off;
	if (diag != NULL) {
		diag->file = c->source;
		diag->line = 0;
	}
	/* the same sentences as libpcap's reader, so messages do not change with it */
	if (left < 16)
		return setu_diag_set(
		    diag, SETU_EIO,
		    "after packet %llu: truncated dump file; tried to read "
		    "16 header bytes, only got %zu",
		    (unsigned long long)m->packets, left);
	const uint8_t *h = m->map + m->off;
	uint32_t sec = rd32(m, h), frac = rd32(m, h + 4);
	uint32_t incl = rd32(m, h + 8), orig = rd32(m, h + 12);
	if (incl > SETU_MAX_FRAME)
		return setu_diag_set(
		    diag, SETU_EIO,
		    "after packet %llu: invalid packet capture length %u, "
		    "bigger than the maximum of %u",
		    (unsigned long long)m->packets, incl, SETU_MAX_FRAME);
	if (left - 16 < incl)
		return setu_diag_set(
		    diag, SETU_EIO,
		    "after packet %llu: truncated dump file; tried to read "
		    "%u captured bytes, only got %zu",
		    (unsigned long long)m->packets, incl, left - 16);
	m->off += 16 + (size_t)incl;
	m->packets++;
	m->bytes += incl;
	setu_pkt_reset(p);
	p->data = h + 16;
	p->len = incl;
	p->wire_len = orig;
	p->ts.tv_sec = (time_t)sec;
	p->ts.tv_usec = (suseconds_t)(m->nsec ? frac / 1000 : frac);
	p->pcap_cnt = m->packets;
	p->linktype = c->linktype;
	return 1;
}

static void mm_stats(const setu_capture_t *c, setu_capture_stats_t *st)
{
	const mm_capture_t *m = (const mm_capture_t *)c;
	memset(st, 0, sizeof(*st));
	st->packets = m->packets;
	st->bytes = m->bytes;
	st->file_size = m->size;
	st->file_pos = m->off;
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
	m->off = 24;
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
