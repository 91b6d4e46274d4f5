/* ioc-load.c — the plain-text indicator list loader (setu's own format, documented in
 * iocset.h: `TYPE VALUE [key=value ...]` per line), for tests, benchmarks and operators.
 * Timestamps follow RFC 3339 (the STIX 2.1 timestamp form, §3.2) or are epoch seconds. */
#include "intel/ioc/iocset-int.h"
#include "intel/tlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct type_ent {
	const char *name;
	setu_ioc_kind_t kind; /* for ip and port types: the "any" kind; dir= shifts it */
	int family;           /* ip types: 4, 6 or 0 (cidr: either) */
} type_ent_t;

static const type_ent_t types[] = {
    {"ipv4", SETU_IOC_IP_ANY, 4},
    {"ipv6", SETU_IOC_IP_ANY, 6},
    {"cidr", SETU_IOC_IP_ANY, 0},
    {"domain", SETU_IOC_DOMAIN, 0},
    {"domain-exact", SETU_IOC_DOMAIN_EXACT, 0},
    {"url", SETU_IOC_URL, 0},
    {"md5", SETU_IOC_MD5, 0},
    {"sha1", SETU_IOC_SHA1, 0},
    {"sha256", SETU_IOC_SHA256, 0},
    {"ja3", SETU_IOC_JA3, 0},
    {"x509-sha1", SETU_IOC_X509_SHA1, 0},
    {"x509-sha256", SETU_IOC_X509_SHA256, 0},
    {"port", SETU_IOC_PORT_ANY, 0},
};

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
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

/* Days since 1970-01-01 of a proleptic Gregorian date. Computed here rather than with
 * timegm(), which loads the time-zone database on first use (allocations that are never
 * freed, and a dependency on /etc/localtime) for an answer that is pure arithmetic. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400; /* 0..399 */
	int64_t doy =
	    (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* 0..365, from March */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Epoch seconds, or RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)". */
static int parse_time(const char *s, int64_t *out)
{
	if (all_digits(s)) {
		if (strlen(s) > 18)
			return -1;
		*out = strtoll(s, NULL, 10);
		return 0;
	}
	int Y, M, D, h, m, sec;
	if (strlen(s) < 20 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) ||
	    s[7] != '-' || digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &m) ||
	    s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return -1;
	const char *z = s + 19;
	if (*z == '.') {
		z++;
		if (*z < '0' || *z > '9')
			return -1;
		while (*z >= '0' && *z <= '9')
			z++;
	}
	int off = 0;
	if ((*z == 'Z' || *z == 'z') && z[1] == '\0') {
		off = 0;
	} else if ((*z == '+' || *z == '-') && strlen(z) == 6 && z[3] == ':') {
		int oh, om;
		if (digits(z + 1, 2, &oh) || digits(z + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = (oh * 60 + om) * 60 * (*z == '-' ? -1 : 1);
	} else {
		return -1;
	}
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
	if (D > mdays[M - 1] || (M == 2 && D == 29 && !leap))
		return -1;
	*out = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec - off;
	return 0;
}

/* Split the next token: a run of non-blanks, where a `key="..."` value may hold blanks.
 * Returns NULL at the end of the line; *err on an unterminated quote. */
static char *next_token(char **cur, bool *err)
{
	char *p = *cur;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return NULL;
	char *tok = p;
	while (*p != '\0' && *p != ' ' && *p != '\t') {
		if (*p == '"') {
			char *q = strchr(p + 1, '"');
			if (q == NULL) {
				*err = true;
				return NULL;
			}
			/* remove the quotes in place */
			memmove(p, p + 1, (size_t)(q - p - 1));
			char *endv = q - 1;
			memmove(endv, q + 1, strlen(q + 1) + 1);
			p = endv;
			continue;
		}
		p++;
	}
	if (*p != '\0')
		*p++ = '\0';
	*cur = p;
	return tok;
}

typedef struct line_meta {
	setu_ioc_indicator_t m;
	bool has_meta; /* some key besides id and dir was given */
	int dir;       /* 0 any, 1 src, 2 dst */
} line_meta_t;

static int parse_kv(char *tok, line_meta_t *lm, setu_diag_t *d)
{
	char *eq = strchr(tok, '=');
	if (eq == NULL)
		return setu_diag_set(d, SETU_EPARSE, "expected key=value, got '%.80s'",
		                     tok);
	*eq = '\0';
	const char *k = tok, *v = eq + 1;
	if (strcmp(k, "id") == 0) {
		lm->m.id = v;
		return 0;
	}
	if (strcmp(k, "dir") == 0) {
		if (strcmp(v, "any") == 0)
			lm->dir = 0;
		else if (strcmp(v, "src") == 0)
			lm->dir = 1;
		else if (strcmp(v, "dst") == 0)
			lm->dir = 2;
		else
			return setu_diag_set(d, SETU_EPARSE,
			                     "dir '%.80s': expected any, src or dst", v);
		return 0;
	}
	lm->has_meta = true;
	if (strcmp(k, "name") == 0) {
		lm->m.name = v;
	} else if (strcmp(k, "org") == 0) {
		lm->m.org = v;
	} else if (strcmp(k, "tlp") == 0) {
		if (all_digits(v) && strlen(v) == 1 && v[0] <= '0' + SETU_TLP_RED)
			lm->m.tlp = v[0] - '0';
		else if ((lm->m.tlp = setu_tlp_from_name(v)) == SETU_TLP_NONE)
			return setu_diag_set(d, SETU_EPARSE,
			                     "tlp '%.80s': not a TLP level", v);
	} else if (strcmp(k, "valid_from") == 0 || strcmp(k, "valid_until") == 0) {
		int64_t t;
		if (parse_time(v, &t) != 0)
			return setu_diag_set(
			    d, SETU_EPARSE,
			    "%s '%.80s': not epoch seconds or an RFC 3339 time", k, v);
		if (k[6] == 'f')
			lm->m.valid_from = t;
		else
			lm->m.valid_until = t;
	} else if (strcmp(k, "revoked") == 0) {
		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			lm->m.revoked = true;
		else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			lm->m.revoked = false;
		else
			return setu_diag_set(
			    d, SETU_EPARSE, "revoked '%.80s': expected true or false", v);
	} else if (strcmp(k, "action") == 0) {
		if (strcmp(v, "alert") == 0)
			lm->m.action = SETU_IOC_ACTION_ALERT;
		else if (strcmp(v, "drop") == 0)
			lm->m.action = SETU_IOC_ACTION_DROP;
		else if (strcmp(v, "pass") == 0)
			lm->m.action = SETU_IOC_ACTION_PASS;
		else
			return setu_diag_set(
			    d, SETU_EPARSE,
			    "action '%.80s': expected alert, drop or pass", v);
	} else if (strcmp(k, "severity") == 0) {
		if (strlen(v) != 1 || v[0] < '1' || v[0] > '3')
			return setu_diag_set(d, SETU_EPARSE,
			                     "severity '%.80s': expected 1, 2 or 3", v);
		lm->m.severity = (uint8_t)(v[0] - '0');
	} else {
		return setu_diag_set(d, SETU_EPARSE, "unknown key '%.80s'", k);
	}
	return 0;
}

static int load_line(setu_iocset_builder_t *b, char *line, setu_diag_t *d)
{
	char *cur = line;
	bool qerr = false;
	char *type = next_token(&cur, &qerr);
	if (qerr)
		return setu_diag_set(d, SETU_EPARSE, "unterminated quote");
	if (type == NULL || type[0] == '#')
		return 0; /* blank or comment */
	char *value = next_token(&cur, &qerr);
	if (value == NULL)
		return setu_diag_set(
		    d, SETU_EPARSE,
		    qerr ? "unterminated quote" : "'%.80s' without a value", type);
	const type_ent_t *te = NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].name, type) == 0)
			te = &types[i];
	if (te == NULL)
		return setu_diag_set(d, SETU_EPARSE, "unknown type '%.80s'", type);
	line_meta_t lm = {.m = {.tlp = SETU_TLP_NONE}};
	char *tok;
	int rc;
	while ((tok = next_token(&cur, &qerr)) != NULL &&
	       tok[0] != '#') /* # to the end */
		if ((rc = parse_kv(tok, &lm, d)) != 0)
			return rc;
	if (qerr)
		return setu_diag_set(d, SETU_EPARSE, "unterminated quote");
	if (lm.m.valid_from != 0 && lm.m.valid_until != 0 &&
	    lm.m.valid_until <= lm.m.valid_from)
		return setu_diag_set(d, SETU_EPARSE,
		                     "valid_until is not after valid_from");
	setu_ioc_kind_t kind = te->kind;
	bool is_ip = kind == SETU_IOC_IP_ANY, is_port = kind == SETU_IOC_PORT_ANY;
	if (lm.dir != 0 && !is_ip && !is_port)
		return setu_diag_set(d, SETU_EPARSE,
		                     "dir= applies to addresses and ports only");
	if (is_ip || is_port)
		kind = (setu_ioc_kind_t)(kind + lm.dir);
	if (is_ip) {
		uint8_t fam, a[16], plen;
		if ((rc = ioc_parse_prefix(value, te->family, te->name, &fam, a, &plen,
		                           d)) != 0)
			return rc;
	}
	uint32_t ind;
	bool known = lm.m.id != NULL && lm.m.id[0] != '\0' &&
	             ioc_builder_find_id(b, lm.m.id, &ind) == 0;
	if (known) {
		if (lm.has_meta && !ioc_builder_meta_equal(b, ind, &lm.m))
			return setu_diag_set(
			    d, SETU_EPARSE,
			    "id %.80s: metadata differs from its first line", lm.m.id);
	} else {
		if ((rc = setu_iocset_add_indicator(b, &lm.m, &ind)) != 0)
			return setu_diag_set(d, rc, "%s", setu_strerror(rc));
		if (lm.m.id != NULL && lm.m.id[0] != '\0' &&
		    (rc = ioc_builder_remember_id(b, ind)) != 0)
			return setu_diag_set(d, rc, "%s", setu_strerror(rc));
	}
	uint8_t bit;
	if (ioc_builder_atom_of_kind(b, ind, kind, &bit) == 0)
		return setu_iocset_add_value(b, ind, bit, value, d);
	return setu_iocset_add_atom(b, ind, kind, value, NULL, d);
}

int setu_iocset_load_text(setu_iocset_builder_t *b, const char *text, size_t len,
                          const char *name, setu_diag_t *diag)
{
	char *line = malloc(SETU_IOC_LINE_MAX + 1);
	if (line == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	size_t pos = 0;
	unsigned lineno = 0;
	int added = 0;
	while (pos < len) {
		lineno++;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - pos;
		if (n > 0 && text[end - 1] == '\r')
			n--;
		int rc = 0;
		if (n > SETU_IOC_LINE_MAX)
			rc = setu_diag_set(diag, SETU_ELIMIT, "line longer than %u bytes",
			                   SETU_IOC_LINE_MAX);
		else if (memchr(text + pos, '\0', n) != NULL)
			rc = setu_diag_set(diag, SETU_EPARSE, "NUL byte in line");
		if (rc == 0) {
			memcpy(line, text + pos, n);
			line[n] = '\0';
			char *p = line;
			while (*p == ' ' || *p == '\t')
				p++;
			bool content = *p != '\0' && *p != '#';
			rc = load_line(b, line, diag);
			if (rc == 0 && content)
				added++;
		}
		if (rc != 0) {
			if (diag != NULL) {
				diag->file = name;
				diag->line = lineno;
				diag->column = 0;
			}
			free(line);
			return rc;
		}
		pos = end + 1;
	}
	free(line);
	return added;
}

int setu_iocset_load_file(setu_iocset_builder_t *b, const char *path, setu_diag_t *diag)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		if (diag != NULL)
			diag->file = path, diag->line = 0;
		return setu_diag_set(diag, SETU_EIO, "cannot open");
	}
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (;;) {
		if (ioc_grow((void **)&buf, &cap, n + 65536, 1)) {
			rc = SETU_ENOMEM;
			break;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n > SETU_IOC_FILE_MAX_BYTES) {
			rc = SETU_ELIMIT;
			break;
		}
		if (r == 0) {
			if (ferror(f))
				rc = SETU_EIO;
			break;
		}
	}
	fclose(f);
	if (rc != 0) {
		free(buf);
		if (diag != NULL)
			diag->file = path, diag->line = 0;
		return setu_diag_set(diag, rc,
		                     rc == SETU_ELIMIT
		                         ? "larger than the indicator file limit"
		                         : "cannot read");
	}
	rc = setu_iocset_load_text(b, buf ? buf : "", n, path, diag);
	free(buf);
	return rc;
}
