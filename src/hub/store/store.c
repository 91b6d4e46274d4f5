/* store.c — opening a hub store by URI, and the time/UUID helpers the hub shares
 * (RFC 3339 timestamps as STIX 2.1 §3.2 and TAXII 2.1 §3.1 use them; RFC 9562 UUIDv4). */
#include "hub/store/store.h"

#include <openssl/rand.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

int setu_store_open(const char *uri, setu_store_t **out, setu_diag_t *diag)
{
	*out = NULL;
	if (uri == NULL || uri[0] == '\0')
		return setu_diag_set(diag, SETU_EINVAL, "store: empty database path");
	if (strncmp(uri, "sqlite:", 7) == 0)
		return setu_store_sqlite_open(uri + 7, out, diag);
	if (strncmp(uri, "postgres:", 9) == 0 || strncmp(uri, "postgresql:", 11) == 0)
		return setu_diag_set(
		    diag, SETU_EUNSUPPORTED,
		    "store: PostgreSQL is not implemented yet (use a SQLite path)");
	return setu_store_sqlite_open(uri, out, diag);
}

void setu_store_close(setu_store_t *s)
{
	if (s != NULL)
		s->ops->close(s);
}

int64_t setu_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int setu_ts_parse(const char *s, int64_t *us)
{
	int Y, M, D, h, m, sec;
	if (s == NULL || strlen(s) < 20)
		return SETU_EPARSE;
	if (digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' ||
	    digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &m) ||
	    s[16] != ':' || digits(s + 17, 2, &sec))
		return SETU_EPARSE;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return SETU_EPARSE;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (D > mdays[M - 1])
		return SETU_EPARSE;
	const char *p = s + 19;
	int64_t frac = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		while (*p >= '0' && *p <= '9') {
			if (n < 6)
				frac = frac * 10 + (*p - '0');
			n++;
			p++;
		}
		if (n == 0)
			return SETU_EPARSE;
		for (; n < 6; n++)
			frac *= 10;
	}
	if ((*p != 'Z' && *p != 'z') || p[1] != '\0')
		return SETU_EPARSE;
	struct tm tm = {0};
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	if (tm.tm_mday != D) /* 31 April and 29 February of common years roll over */
		return SETU_EPARSE;
	*us = (int64_t)t * 1000000 + frac;
	return 0;
}

void setu_ts_format(int64_t us, char *buf, size_t size)
{
	time_t t = (time_t)(us / 1000000);
	long frac = (long)(us % 1000000);
	if (frac < 0) {
		frac += 1000000;
		t -= 1;
	}
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

int setu_uuid4(char out[37])
{
	uint8_t b[16];
	if (RAND_bytes(b, sizeof(b)) != 1)
		return SETU_EIO;
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
	         b[12], b[13], b[14], b[15]);
	return 0;
}
