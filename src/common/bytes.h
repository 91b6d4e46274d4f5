/* bytes.h — bounds-checked readers over untrusted byte buffers (network order).
 * Every parser reads packet and file bytes only through these. */
#ifndef SETU_BYTES_H
#define SETU_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A read cursor: [p, p+len) is readable, off is the next byte. Reads past the end
 * set `err` and return 0, so a parser can do several reads and check once. */
typedef struct setu_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;
} setu_rd_t;

static inline setu_rd_t setu_rd_init(const uint8_t *p, size_t len)
{
	setu_rd_t r = {p, len, 0, false};
	return r;
}

static inline size_t setu_rd_left(const setu_rd_t *r)
{
	return r->off <= r->len ? r->len - r->off : 0;
}

static inline bool setu_rd_has(const setu_rd_t *r, size_t n)
{
	return !r->err && setu_rd_left(r) >= n;
}

static inline const uint8_t *setu_rd_ptr(const setu_rd_t *r)
{
	return r->p + r->off;
}

static inline bool setu_rd_skip(setu_rd_t *r, size_t n)
{
	if (!setu_rd_has(r, n)) {
		r->err = true;
		return false;
	}
	r->off += n;
	return true;
}

static inline uint8_t setu_rd_u8(setu_rd_t *r)
{
	if (!setu_rd_has(r, 1)) {
		r->err = true;
		return 0;
	}
	return r->p[r->off++];
}

static inline uint16_t setu_rd_be16(setu_rd_t *r)
{
	if (!setu_rd_has(r, 2)) {
		r->err = true;
		return 0;
	}
	const uint8_t *b = r->p + r->off;
	r->off += 2;
	return (uint16_t)((b[0] << 8) | b[1]);
}

static inline uint32_t setu_rd_be24(setu_rd_t *r)
{
	if (!setu_rd_has(r, 3)) {
		r->err = true;
		return 0;
	}
	const uint8_t *b = r->p + r->off;
	r->off += 3;
	return ((uint32_t)b[0] << 16) | ((uint32_t)b[1] << 8) | b[2];
}

static inline uint32_t setu_rd_be32(setu_rd_t *r)
{
	if (!setu_rd_has(r, 4)) {
		r->err = true;
		return 0;
	}
	const uint8_t *b = r->p + r->off;
	r->off += 4;
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) |
	       b[3];
}

static inline bool setu_rd_copy(setu_rd_t *r, void *dst, size_t n)
{
	if (!setu_rd_has(r, n)) {
		r->err = true;
		return false;
	}
	memcpy(dst, r->p + r->off, n);
	r->off += n;
	return true;
}

/* Unchecked-by-cursor helpers for fixed offsets: callers must have checked len. */
static inline uint16_t setu_be16(const uint8_t *b)
{
	return (uint16_t)((b[0] << 8) | b[1]);
}

static inline uint32_t setu_be32(const uint8_t *b)
{
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) |
	       b[3];
}

static inline uint16_t setu_le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | (b[1] << 8));
}

static inline uint32_t setu_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
	       ((uint32_t)b[3] << 24);
}

#endif
