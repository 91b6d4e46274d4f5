/* parse.c — TAXII 2.1 response bodies (OASIS Standard 2021 §3.6.1 error, §3.7 envelope,
 * §4.1-4.3 discovery/api-root/status, §5.1-5.8 collections/manifest/versions): JSON by
 * jansson, then the shape each resource must have; plus media types and timestamps. */
#include "taxii/taxii.h"

#include <ctype.h>
#include <strings.h>
#include <stdio.h>
#include <string.h>

/* ---- member checks ---- */

typedef enum mtype { M_STR, M_BOOL, M_UINT, M_STRLIST, M_OBJ, M_LIST, M_TS } mtype_t;

static bool member_ok(const json_t *v, mtype_t t)
{
	switch (t) {
	case M_STR:
		return json_is_string(v);
	case M_BOOL:
		return json_is_boolean(v);
	case M_UINT:
		return json_is_integer(v) && json_integer_value(v) >= 0;
	case M_OBJ:
		return json_is_object(v);
	case M_LIST:
		return json_is_array(v);
	case M_TS: {
		setu_taxii_ts_t ts;
		return json_is_string(v) &&
		       setu_taxii_ts_parse(json_string_value(v), &ts) == 0;
	}
	case M_STRLIST: {
		if (!json_is_array(v))
			return false;
		size_t i;
		const json_t *e;
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e))
				return false;
		}
		return true;
	}
	}
	return false;
}

static const char *mtype_name(mtype_t t)
{
	static const char *const names[] = {
	    [M_STR] = "a string",
	    [M_BOOL] = "a boolean",
	    [M_UINT] = "an integer >= 0",
	    [M_STRLIST] = "a list of strings",
	    [M_OBJ] = "an object",
	    [M_LIST] = "a list",
	    [M_TS] = "a timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)",
	};
	return names[t];
}

typedef struct member {
	const char *name;
	mtype_t type;
	bool required;
} member_t;

/* Check the members a resource defines; others are allowed (§3.1: custom properties). */
static int check_members(const json_t *o, const member_t *m, size_t n, const char *what,
                         setu_diag_t *diag)
{
	for (size_t i = 0; i < n; i++) {
		const json_t *v = json_object_get(o, m[i].name);
		if (v == NULL) {
			if (m[i].required)
				return setu_diag_set(diag, SETU_EMALFORMED,
				                     "%s: required member '%s' missing",
				                     what, m[i].name);
			continue;
		}
		if (!member_ok(v, m[i].type))
			return setu_diag_set(diag, SETU_EMALFORMED,
			                     "%s: member '%s' is not %s", what, m[i].name,
			                     mtype_name(m[i].type));
	}
	return 0;
}

#define NMEMB(a) (sizeof(a) / sizeof((a)[0]))

static const member_t discovery_members[] = {
    {"title", M_STR, true},    {"description", M_STR, false},   {"contact", M_STR, false},
    {"default", M_STR, false}, {"api_roots", M_STRLIST, false},
};

static const member_t api_root_members[] = {
    {"title", M_STR, true},
    {"description", M_STR, false},
    {"versions", M_STRLIST, true},
    {"max_content_length", M_UINT, true},
};

static const member_t collection_members[] = {
    {"id", M_STR, true},
    {"title", M_STR, true},
    {"description", M_STR, false},
    {"alias", M_STR, false},
    {"can_read", M_BOOL, true},
    {"can_write", M_BOOL, true},
    {"media_types", M_STRLIST, false},
};

static const member_t paging_members[] = {
    {"more", M_BOOL, false},
    {"next", M_STR, false},
};

static const member_t stix_object_members[] = {
    {"type", M_STR, true},
    {"id", M_STR, true},
};

static const member_t manifest_record_members[] = {
    {"id", M_STR, true},
    {"date_added", M_TS, true},
    {"version", M_STR, true},
    {"media_type", M_STR, false},
};

static const member_t status_members[] = {
    {"id", M_STR, true},
    {"status", M_STR, true},
    {"request_timestamp", M_TS, false},
    {"total_count", M_UINT, true},
    {"success_count", M_UINT, true},
    {"successes", M_LIST, false},
    {"failure_count", M_UINT, true},
    {"failures", M_LIST, false},
    {"pending_count", M_UINT, true},
    {"pendings", M_LIST, false},
};

static const member_t status_detail_members[] = {
    {"id", M_STR, true},
    {"version", M_STR, true},
    {"message", M_STR, false},
};

static const member_t error_members[] = {
    {"title", M_STR, true},        {"description", M_STR, false},
    {"error_id", M_STR, false},    {"error_code", M_STR, false},
    {"http_status", M_STR, false}, {"external_details", M_STR, false},
    {"details", M_OBJ, false},
};

/* Each element of o[name] (a list, when present) is an object with those members. */
static int check_list_of(const json_t *o, const char *name, const member_t *m, size_t n,
                         const char *what, setu_diag_t *diag)
{
	const json_t *list = json_object_get(o, name);
	if (list == NULL)
		return 0;
	if (!json_is_array(list))
		return setu_diag_set(diag, SETU_EMALFORMED,
		                     "%s: member '%s' is not a list", what, name);
	size_t i;
	const json_t *e;
	json_array_foreach(list, i, e)
	{
		char where[96];
		snprintf(where, sizeof(where), "%s: %s[%zu]", what, name, i);
		if (!json_is_object(e))
			return setu_diag_set(diag, SETU_EMALFORMED, "%s is not an object",
			                     where);
		int rc = check_members(e, m, n, where, diag);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int check_paging(const json_t *o, const char *what, setu_diag_t *diag)
{
	int rc = check_members(o, paging_members, NMEMB(paging_members), what, diag);
	if (rc != 0)
		return rc;
	const json_t *next = json_object_get(o, "next");
	if (next != NULL && strlen(json_string_value(next)) >= SETU_TAXII_NEXT_MAX)
		return setu_diag_set(diag, SETU_EMALFORMED,
		                     "%s: 'next' longer than %u bytes", what,
		                     SETU_TAXII_NEXT_MAX - 1);
	return 0;
}

static int check_shape(setu_taxii_kind_t kind, const json_t *o, setu_diag_t *diag)
{
	int rc;
	switch (kind) {
	case SETU_TAXII_DISCOVERY:
		return check_members(o, discovery_members, NMEMB(discovery_members),
		                     "discovery", diag);
	case SETU_TAXII_API_ROOT:
		return check_members(o, api_root_members, NMEMB(api_root_members),
		                     "api-root", diag);
	case SETU_TAXII_COLLECTIONS:
		return check_list_of(o, "collections", collection_members,
		                     NMEMB(collection_members), "collections", diag);
	case SETU_TAXII_COLLECTION:
		return check_members(o, collection_members, NMEMB(collection_members),
		                     "collection", diag);
	case SETU_TAXII_ENVELOPE:
		rc = check_paging(o, "envelope", diag);
		if (rc == 0)
			rc = check_list_of(o, "objects", stix_object_members,
			                   NMEMB(stix_object_members), "envelope", diag);
		return rc;
	case SETU_TAXII_MANIFEST:
		rc = check_paging(o, "manifest", diag);
		if (rc == 0)
			rc = check_list_of(o, "objects", manifest_record_members,
			                   NMEMB(manifest_record_members), "manifest",
			                   diag);
		return rc;
	case SETU_TAXII_VERSIONS: {
		rc = check_paging(o, "versions", diag);
		const json_t *v = json_object_get(o, "versions");
		if (rc == 0 && v != NULL && !member_ok(v, M_STRLIST))
			rc = setu_diag_set(
			    diag, SETU_EMALFORMED,
			    "versions: member 'versions' is not a list of strings");
		return rc;
	}
	case SETU_TAXII_STATUS: {
		rc = check_members(o, status_members, NMEMB(status_members), "status",
		                   diag);
		if (rc != 0)
			return rc;
		const char *st = json_string_value(json_object_get(o, "status"));
		if (strcmp(st, "complete") != 0 && strcmp(st, "pending") != 0)
			return setu_diag_set(
			    diag, SETU_EMALFORMED,
			    "status: 'status' is neither complete nor pending");
		static const char *const lists[] = {"successes", "failures", "pendings"};
		for (size_t i = 0; i < NMEMB(lists); i++) {
			rc = check_list_of(o, lists[i], status_detail_members,
			                   NMEMB(status_detail_members), "status", diag);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	case SETU_TAXII_ERROR:
		return check_members(o, error_members, NMEMB(error_members), "error",
		                     diag);
	}
	return setu_diag_set(diag, SETU_EINVAL, "unknown TAXII resource kind %d",
	                     (int)kind);
}

int setu_taxii_parse(setu_taxii_kind_t kind, const char *body, size_t len, json_t **out,
                     setu_diag_t *diag)
{
	json_error_t err;
	/* Duplicate members are refused: which one a consumer sees would be ambiguous. */
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL && json_error_code(&err) == json_error_out_of_memory)
		return setu_diag_set(diag, SETU_ENOMEM,
		                     "out of memory parsing a TAXII body");
	if (o == NULL)
		return setu_diag_set(diag, SETU_EMALFORMED, "invalid JSON at byte %d: %s",
		                     err.position, err.text);
	if (!json_is_object(o)) {
		json_decref(o);
		return setu_diag_set(diag, SETU_EMALFORMED, "body is not a JSON object");
	}
	int rc = check_shape(kind, o, diag);
	if (rc != 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

void setu_taxii_paging(const json_t *res, bool *more, char next[SETU_TAXII_NEXT_MAX])
{
	const json_t *m = json_object_get(res, "more");
	*more = json_is_true(m);
	next[0] = '\0';
	const char *n = json_string_value(json_object_get(res, "next"));
	if (n != NULL && strlen(n) < SETU_TAXII_NEXT_MAX)
		memcpy(next, n, strlen(n) + 1);
}

static uint64_t count_of(const json_t *o, const char *name)
{
	json_int_t v = json_integer_value(json_object_get(o, name));
	return v > 0 ? (uint64_t)v : 0;
}

void setu_taxii_status_counts(const json_t *status, setu_taxii_status_counts_t *out)
{
	const char *st = json_string_value(json_object_get(status, "status"));
	out->complete = st != NULL && strcmp(st, "complete") == 0;
	out->total = count_of(status, "total_count");
	out->success = count_of(status, "success_count");
	out->failure = count_of(status, "failure_count");
	out->pending = count_of(status, "pending_count");
}

bool setu_taxii_error_summary(const char *body, size_t len, char *buf, size_t size)
{
	json_t *e = NULL;
	if (size == 0 || setu_taxii_parse(SETU_TAXII_ERROR, body, len, &e, NULL) != 0)
		return false;
	const char *title = json_string_value(json_object_get(e, "title"));
	const char *desc = json_string_value(json_object_get(e, "description"));
	if (desc != NULL && desc[0] != '\0')
		snprintf(buf, size, "%s (%s)", title, desc);
	else
		snprintf(buf, size, "%s", title);
	/* The text is the server's: keep the one-line promise of our diagnostics. */
	for (char *p = buf; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
	json_decref(e);
	return true;
}

/* ---- media type (RFC 9110 §8.3.1: type/subtype *( ; name=value ), case-insensitive
 * type, subtype and parameter names; values may be quoted) ---- */

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

bool setu_taxii_media_ok(const char *ct)
{
	static const char want[] = "application/taxii+json";
	if (ct == NULL)
		return false;
	const char *p = skip_ows(ct);
	if (strncasecmp(p, want, sizeof(want) - 1) != 0)
		return false;
	p = skip_ows(p + sizeof(want) - 1);
	while (*p != '\0') {
		if (*p != ';')
			return false;
		p = skip_ows(p + 1);
		const char *name = p;
		while (*p != '\0' && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t nlen = (size_t)(p - name);
		p = skip_ows(p);
		if (*p != '=')
			return false;
		p = skip_ows(p + 1);
		char val[16];
		size_t vlen = 0;
		bool too_long = false;
		if (*p == '"') {
			p++;
			while (*p != '\0' && *p != '"') {
				if (vlen + 1 < sizeof(val))
					val[vlen++] = *p;
				else
					too_long = true;
				p++;
			}
			if (*p != '"')
				return false;
			p++;
		} else {
			while (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t') {
				if (vlen + 1 < sizeof(val))
					val[vlen++] = *p;
				else
					too_long = true;
				p++;
			}
		}
		val[vlen] = '\0';
		p = skip_ows(p);
		if (nlen == 7 && strncasecmp(name, "version", 7) == 0 &&
		    (too_long || strcmp(val, "2.1") != 0))
			return false;
	}
	return true;
}

/* ---- timestamps (RFC 3339 UTC form required by TAXII 2.1 §3.2 / STIX 2.1 §3.2) ---- */

static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (era arithmetic, written out
 * because timegm() depends on the process time zone machinery and is not C11). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int setu_taxii_ts_parse(const char *s, setu_taxii_ts_t *out)
{
	int y, mo, d, h, mi, se;
	size_t n = strnlen(s, SETU_TAXII_TS_MAX);
	if (n < 20 || n >= SETU_TAXII_TS_MAX)
		return SETU_EMALFORMED;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || s[10] != 'T' || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &se))
		return SETU_EMALFORMED;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 60)
		return SETU_EMALFORMED;
	const char *p = s + 19;
	uint32_t nsec = 0;
	if (*p == '.') {
		p++;
		unsigned nd = 0;
		while (isdigit((unsigned char)*p)) {
			if (nd == 9)
				return SETU_EMALFORMED; /* finer than a nanosecond */
			nsec = nsec * 10 + (uint32_t)(*p - '0');
			nd++;
			p++;
		}
		if (nd == 0)
			return SETU_EMALFORMED;
		for (; nd < 9; nd++)
			nsec *= 10;
	}
	if (p[0] != 'Z' || p[1] != '\0')
		return SETU_EMALFORMED;
	out->sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	out->nsec = nsec;
	return 0;
}

int setu_taxii_ts_cmp(const setu_taxii_ts_t *a, const setu_taxii_ts_t *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->nsec != b->nsec)
		return a->nsec < b->nsec ? -1 : 1;
	return 0;
}
