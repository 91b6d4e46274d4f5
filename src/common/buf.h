/* buf.h — a growable byte buffer, and a JSON writer on top of it (EVE, hub bodies).
 * Written by hand rather than with jansson for the packet path: EVE records are
 * emitted per event and must not build and free a tree of objects each time. */
#ifndef SETU_BUF_H
#define SETU_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct setu_buf {
	char *data; /* owned; always NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	size_t max; /* hard cap; 0 = unlimited. Appends past it set `overflow`. */
	bool overflow;
	bool oom;
} setu_buf_t;

void setu_buf_init(setu_buf_t *b, size_t max);
void setu_buf_free(setu_buf_t *b);
void setu_buf_reset(setu_buf_t *b);
/* Returns 0, or SETU_ENOMEM / SETU_ELIMIT (also latched in the flags). Inline when the
 * bytes fit the room there is (nearly always: EVE records append in small pieces, and
 * the call and checks of the general case were a visible share of writing them). */
int setu_buf_append_grow(setu_buf_t *b, const void *p, size_t n);
static inline int setu_buf_append(setu_buf_t *b, const void *p, size_t n)
{
	if (n < b->cap - b->len && !b->overflow && !b->oom &&
	    (b->max == 0 || n <= b->max - b->len)) {
		if (n > 0)
			memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return 0;
	}
	return setu_buf_append_grow(b, p, n);
}
/* Room for extra more bytes (within max), so that appends up to it do not grow the
 * buffer again. Returns 0, or SETU_ENOMEM / SETU_ELIMIT as setu_buf_append. */
int setu_buf_reserve(setu_buf_t *b, size_t extra);
int setu_buf_puts(setu_buf_t *b, const char *s);
int setu_buf_putc(setu_buf_t *b, char c);
int setu_buf_printf(setu_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* v in decimal at out (no NUL, at most 20 bytes); returns the digit count. By hand:
 * output paths (EVE records, fingerprints) format numbers by the million, and printf's
 * format parsing was a visible share of their cost. */
size_t setu_fmt_u64(char *out, uint64_t v);
static inline bool setu_buf_ok(const setu_buf_t *b)
{
	return !b->overflow && !b->oom;
}

/* JSON writer: tracks whether a comma is needed at each nesting level. */
#define SETU_JSON_MAX_DEPTH 32
typedef struct setu_json {
	setu_buf_t *b; /* borrowed */
	int depth;
	bool need_comma[SETU_JSON_MAX_DEPTH];
} setu_json_t;

void setu_json_init(setu_json_t *j, setu_buf_t *b);
void setu_json_open_object(setu_json_t *j, const char *key); /* key NULL in arrays/top */
void setu_json_close_object(setu_json_t *j);
void setu_json_open_array(setu_json_t *j, const char *key);
void setu_json_close_array(setu_json_t *j);
void setu_json_str(setu_json_t *j, const char *key, const char *val);
/* A string from raw bytes: escapes control characters; bytes >= 0x80 that are not
 * valid UTF-8 are written as \u00XX of the byte (Suricata does the same). */
void setu_json_strn(setu_json_t *j, const char *key, const uint8_t *val, size_t n);
void setu_json_u64(setu_json_t *j, const char *key, uint64_t val);
void setu_json_i64(setu_json_t *j, const char *key, int64_t val);
void setu_json_double(setu_json_t *j, const char *key, double val);
void setu_json_bool(setu_json_t *j, const char *key, bool val);
void setu_json_null(setu_json_t *j, const char *key);
/* Write the separator and "key": (nothing for key NULL); the caller then appends one
 * value to j->b by hand (e.g. a base64 string). */
void setu_json_key(setu_json_t *j, const char *key);
/* Insert pre-rendered JSON (must be a valid value). */
void setu_json_raw(setu_json_t *j, const char *key, const char *json, size_t n);

/* base64 (RFC 4648, with padding) appended to b as a JSON string body (no quotes). */
int setu_base64_append(setu_buf_t *b, const uint8_t *p, size_t n);

#endif
