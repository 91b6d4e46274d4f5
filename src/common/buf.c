/* buf.c — growable buffer and JSON writer (RFC 8259 string escaping). */
#include "buf.h"

#include "setu/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void setu_buf_init(setu_buf_t *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void setu_buf_free(setu_buf_t *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void setu_buf_reset(setu_buf_t *b)
{
	b->len = 0;
	b->overflow = false;
	b->oom = false;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static int buf_reserve(setu_buf_t *b, size_t extra)
{
	if (b->oom || b->overflow)
		return b->oom ? SETU_ENOMEM : SETU_ELIMIT;
	size_t need = b->len + extra + 1;
	if (need < b->len) {
		b->overflow = true;
		return SETU_ELIMIT;
	}
	if (b->max != 0 && need > b->max + 1) {
		b->overflow = true;
		return SETU_ELIMIT;
	}
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *d = realloc(b->data, cap);
	if (d == NULL) {
		b->oom = true;
		return SETU_ENOMEM;
	}
	b->data = d;
	b->cap = cap;
	return 0;
}

int setu_buf_reserve(setu_buf_t *b, size_t extra)
{
	return buf_reserve(b, extra);
}

int setu_buf_append_grow(setu_buf_t *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);
	if (rc != 0)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int setu_buf_puts(setu_buf_t *b, const char *s)
{
	return setu_buf_append(b, s, strlen(s));
}

int setu_buf_putc(setu_buf_t *b, char c)
{
	return setu_buf_append(b, &c, 1);
}

int setu_buf_printf(setu_buf_t *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return SETU_EINVAL;
	if ((size_t)n < sizeof(tmp))
		return setu_buf_append(b, tmp, (size_t)n);
	int rc = buf_reserve(b, (size_t)n);
	if (rc != 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* ---- JSON ---- */

void setu_json_init(setu_json_t *j, setu_buf_t *b)
{
	memset(j, 0, sizeof(*j));
	j->b = b;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF), or 0. */
static size_t utf8_len(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t l;
	uint32_t cp;
	if (c >= 0xC2 && c <= 0xDF) {
		l = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		l = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		l = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (l > n)
		return 0;
	for (size_t k = 1; k < l; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if ((l == 3 && cp < 0x800) || (l == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return l;
}

/* 1 for the bytes a JSON string cannot hold as they are: controls, '"', '\\', and
 * bytes >= 0x80 (checked as UTF-8). One lookup a byte on the runs of plain text. */
static const uint8_t json_special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static void json_escape(setu_buf_t *b, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	setu_buf_putc(b, '"');
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		/* copy runs of plain printable ASCII in one append */
		while (run < n && !json_special[s[run]])
			run++;
		if (run > i) {
			setu_buf_append(b, s + i, run - i);
			i = run;
			continue;
		}
		uint8_t c = s[i];
		if (c >= 0x80) {
			size_t l = utf8_len(s + i, n - i);
			if (l > 0) {
				setu_buf_append(b, s + i, l);
				i += l;
				continue;
			}
			/* not UTF-8: written as the text \xNN, as Suricata does */
			char e[5] = {'\\', '\\', 'x', hex[c >> 4], hex[c & 15]};
			setu_buf_append(b, e, 5);
			i++;
			continue;
		}
		switch (c) {
		case '"':
			setu_buf_append(b, "\\\"", 2);
			break;
		case '\\':
			setu_buf_append(b, "\\\\", 2);
			break;
		case '\n':
			setu_buf_append(b, "\\n", 2);
			break;
		case '\r':
			setu_buf_append(b, "\\r", 2);
			break;
		case '\t':
			setu_buf_append(b, "\\t", 2);
			break;
		case '\b':
			setu_buf_append(b, "\\b", 2);
			break;
		case '\f':
			setu_buf_append(b, "\\f", 2);
			break;
		default: {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			setu_buf_append(b, e, 6);
		}
		}
		i++;
	}
	setu_buf_putc(b, '"');
}

void setu_json_key(setu_json_t *j, const char *key)
{
	bool comma = j->need_comma[j->depth];
	j->need_comma[j->depth] = true;
	if (key == NULL) {
		if (comma)
			setu_buf_putc(j->b, ',');
		return;
	}
	/* keys are nearly always short plain names: written in one append */
	char k[64];
	size_t n = 0;
	if (comma)
		k[n++] = ',';
	k[n++] = '"';
	for (const char *c = key; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;
		if (n + 3 > sizeof(k) || json_special[u]) {
			/* long, or needs escaping */
			if (comma)
				setu_buf_putc(j->b, ',');
			json_escape(j->b, (const uint8_t *)key, strlen(key));
			setu_buf_putc(j->b, ':');
			return;
		}
		k[n++] = (char)u;
	}
	k[n++] = '"';
	k[n++] = ':';
	setu_buf_append(j->b, k, n);
}

static void json_push(setu_json_t *j, char open)
{
	setu_buf_putc(j->b, open);
	if (j->depth + 1 < SETU_JSON_MAX_DEPTH) {
		j->depth++;
		j->need_comma[j->depth] = false;
	} else {
		j->b->overflow = true;
	}
}

static void json_pop(setu_json_t *j, char close)
{
	setu_buf_putc(j->b, close);
	if (j->depth > 0)
		j->depth--;
}

void setu_json_open_object(setu_json_t *j, const char *key)
{
	setu_json_key(j, key);
	json_push(j, '{');
}

void setu_json_close_object(setu_json_t *j)
{
	json_pop(j, '}');
}

void setu_json_open_array(setu_json_t *j, const char *key)
{
	setu_json_key(j, key);
	json_push(j, '[');
}

void setu_json_close_array(setu_json_t *j)
{
	json_pop(j, ']');
}

void setu_json_str(setu_json_t *j, const char *key, const char *val)
{
	setu_json_key(j, key);
	json_escape(j->b, (const uint8_t *)val, strlen(val));
}

void setu_json_strn(setu_json_t *j, const char *key, const uint8_t *val, size_t n)
{
	setu_json_key(j, key);
	json_escape(j->b, val, n);
}

size_t setu_fmt_u64(char *out, uint64_t v)
{
	char t[20];
	size_t n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (size_t i = 0; i < n; i++)
		out[i] = t[n - 1 - i];
	return n;
}

void setu_json_u64(setu_json_t *j, const char *key, uint64_t val)
{
	setu_json_key(j, key);
	char d[20];
	setu_buf_append(j->b, d, setu_fmt_u64(d, val));
}

void setu_json_i64(setu_json_t *j, const char *key, int64_t val)
{
	setu_json_key(j, key);
	char d[21];
	d[0] = '-';
	/* the magnitude as unsigned: -INT64_MIN does not fit an int64_t */
	uint64_t m = val < 0 ? 0 - (uint64_t)val : (uint64_t)val;
	size_t n = setu_fmt_u64(d + 1, m);
	if (val < 0)
		setu_buf_append(j->b, d, n + 1);
	else
		setu_buf_append(j->b, d + 1, n);
}

void setu_json_double(setu_json_t *j, const char *key, double val)
{
	setu_json_key(j, key);
	setu_buf_printf(j->b, "%.6g", val);
}

void setu_json_bool(setu_json_t *j, const char *key, bool val)
{
	setu_json_key(j, key);
	setu_buf_puts(j->b, val ? "true" : "false");
}

void setu_json_null(setu_json_t *j, const char *key)
{
	setu_json_key(j, key);
	setu_buf_puts(j->b, "null");
}

void setu_json_raw(setu_json_t *j, const char *key, const char *json, size_t n)
{
	setu_json_key(j, key);
	setu_buf_append(j->b, json, n);
}

int setu_base64_append(setu_buf_t *b, const uint8_t *p, size_t n)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[4];
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v =
		    ((uint32_t)p[i] << 16) | ((uint32_t)p[i + 1] << 8) | p[i + 2];
		out[0] = tbl[(v >> 18) & 63];
		out[1] = tbl[(v >> 12) & 63];
		out[2] = tbl[(v >> 6) & 63];
		out[3] = tbl[v & 63];
		int rc = setu_buf_append(b, out, 4);
		if (rc != 0)
			return rc;
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		out[0] = tbl[(v >> 18) & 63];
		out[1] = tbl[(v >> 12) & 63];
		out[2] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		out[3] = '=';
		return setu_buf_append(b, out, 4);
	}
	return 0;
}
