/* stix-validate.c — STIX 2.1 object validation (STIX 2.1 OS: §2-3 common types and
 * properties, §4 SDOs, §5 SROs, §6 SCOs, §7 meta objects, §8 bundle).
 *
 * jansson parses; the rules are written here because no Debian library checks STIX (the
 * OASIS JSON schemas need a JSON-schema engine, and cannot express modified >= created,
 * the fixed TLP ids, reference target types or indicator patterns). Each object is
 * checked by the common rules, then by a per-type table (required properties, reference
 * targets) and a per-type function for the rules that relate properties. Every error is
 * reported, so a caller can print them all or stop at the first. */
#include "intel/stix-validate.h"

#include "common/limits.h"
#include "intel/pattern.h"
#include "intel/tlp.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef struct vctx {
	setu_stix_error_fn fn;
	void *arg;
	const char *type;   /* the object's type, for messages; borrowed */
	const char *prefix; /* prepended to messages ("objects[3] indicator--...: ") */
	unsigned nerr;
	bool oom; /* an error was running out of memory, not the object's fault */
} vctx_t;

static void verr_at(vctx_t *v, unsigned line, unsigned column, int code, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));

/* Report an error; line/column locate it inside an indicator pattern (0 = not there). */
static void verr_at(vctx_t *v, unsigned line, unsigned column, int code, const char *fmt,
                    ...)
{
	v->nerr++;
	if (code == SETU_ENOMEM)
		v->oom = true;
	if (v->fn == NULL)
		return;
	setu_diag_t d;
	memset(&d, 0, sizeof(d));
	d.code = code;
	d.column = column;
	d.line = line;
	size_t o = 0;
	if (v->prefix != NULL)
		o = (size_t)snprintf(d.msg, sizeof(d.msg), "%s", v->prefix);
	if (o < sizeof(d.msg)) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(d.msg + o, sizeof(d.msg) - o, fmt, ap);
		va_end(ap);
	}
	v->fn(v->arg, &d);
}

#define verr(v, ...) verr_at((v), 0, 0, SETU_EMALFORMED, __VA_ARGS__)

/* ---------------------------------------------------------------- type families */

static const char *const sdo_types[] = {
    "attack-pattern", "campaign",      "course-of-action", "grouping",
    "identity",       "incident",      "indicator",        "infrastructure",
    "intrusion-set",  "location",      "malware",          "malware-analysis",
    "note",           "observed-data", "opinion",          "report",
    "threat-actor",   "tool",          "vulnerability",
};

static const char *const sco_types[] = {
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
};

static const char *const meta_types[] = {"marking-definition", "language-content",
                                         "extension-definition"};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	if (s == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

bool setu_stix_is_sdo_type(const char *type)
{
	return in_list(type, sdo_types, NELEM(sdo_types));
}

bool setu_stix_is_sco_type(const char *type)
{
	return in_list(type, sco_types, NELEM(sco_types));
}

bool setu_stix_is_sro_type(const char *type)
{
	return type != NULL &&
	       (strcmp(type, "relationship") == 0 || strcmp(type, "sighting") == 0);
}

static bool is_meta_type(const char *type)
{
	return in_list(type, meta_types, NELEM(meta_types));
}

/* ---------------------------------------------------------------- syntax */

bool setu_stix_type_name_ok(const char *t)
{
	if (t == NULL)
		return false;
	size_t n = strlen(t);
	if (n < 3 || n > 250 || !(t[0] >= 'a' && t[0] <= 'z'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (c == '-' && t[i + 1] != '-')
			continue;
		return false;
	}
	return true;
}

static bool uuid_ok(const char *u)
{
	/* 8-4-4-4-12 hex; version 1-5; variant 10xx (RFC 4122) */
	if (strlen(u) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)u[i])) {
			return false;
		}
	}
	if (u[14] < '1' || u[14] > '5')
		return false;
	return strchr("89abAB", u[19]) != NULL;
}

bool setu_stix_id_ok(const char *id, const char *type)
{
	if (id == NULL)
		return false;
	const char *sep = strstr(id, "--");
	if (sep == NULL || sep == id)
		return false;
	size_t tl = (size_t)(sep - id);
	if (tl > 250)
		return false;
	char tbuf[251];
	memcpy(tbuf, id, tl);
	tbuf[tl] = '\0';
	if (!setu_stix_type_name_ok(tbuf))
		return false;
	if (type != NULL && strcmp(tbuf, type) != 0)
		return false;
	return uuid_ok(sep + 2);
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool setu_stix_parse_timestamp(const char *s, int64_t *sec, int32_t *nsec, unsigned *frac)
{
	if (s == NULL)
		return false;
	size_t n = strlen(s);
	if (n < 20)
		return false;
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	for (size_t i = 0; i < 19; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			return false;
	}
#define D2(i) ((s[i] - '0') * 10 + (s[i + 1] - '0'))
	int y = D2(0) * 100 + D2(2), mo = D2(5), d = D2(8), h = D2(11), mi = D2(14),
	    se = D2(17);
#undef D2
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 60)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > dm[mo - 1] + (mo == 2 && leap ? 1 : 0))
		return false;
	size_t i = 19;
	unsigned digits = 0;
	int32_t ns = 0;
	if (s[i] == '.') {
		i++;
		while (isdigit((unsigned char)s[i])) {
			if (digits < 9)
				ns = ns * 10 + (s[i] - '0');
			digits++;
			i++;
		}
		if (digits == 0)
			return false;
		for (unsigned k = digits; k < 9; k++)
			ns *= 10;
	}
	if (s[i] != 'Z' || s[i + 1] != '\0')
		return false;
	if (sec != NULL)
		*sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	if (nsec != NULL)
		*nsec = ns;
	if (frac != NULL)
		*frac = digits;
	return true;
}

/* Property names (§3.1): a-z, 0-9, '_', 3-250 characters, starting with a letter; "id".
 */
static bool prop_name_ok(const char *k)
{
	size_t n = strlen(k);
	if (strcmp(k, "id") == 0)
		return true;
	if (n < 3 || n > 250 || !(k[0] >= 'a' && k[0] <= 'z'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') ||
		      k[i] == '_'))
			return false;
	return true;
}

/* ---------------------------------------------------------------- property helpers */

typedef struct ts {
	int64_t sec;
	int32_t nsec;
	bool set;
} ts_t;

static int ts_cmp(const ts_t *a, const ts_t *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	return a->nsec < b->nsec ? -1 : a->nsec > b->nsec;
}

/* A required property is present; message names the object type. */
static const json_t *need(vctx_t *v, const json_t *obj, const char *name)
{
	const json_t *x = json_object_get(obj, name);
	if (x == NULL)
		verr(v, "%s '%s' is required", v->type, name);
	return x;
}

static const char *get_str(vctx_t *v, const json_t *obj, const char *name, bool required)
{
	const json_t *x = required ? need(v, obj, name) : json_object_get(obj, name);
	if (x == NULL)
		return NULL;
	if (!json_is_string(x)) {
		verr(v, "property '%s' must be a string", name);
		return NULL;
	}
	return json_string_value(x);
}

/* A timestamp property; millis: the spec asks for millisecond precision (created,
 * modified). */
static ts_t get_ts(vctx_t *v, const json_t *obj, const char *name, bool required,
                   bool millis)
{
	ts_t t = {0, 0, false};
	const char *s = get_str(v, obj, name, required);
	if (s == NULL)
		return t;
	unsigned digits = 0;
	if (!setu_stix_parse_timestamp(s, &t.sec, &t.nsec, &digits) ||
	    json_string_length(json_object_get(obj, name)) != strlen(s)) {
		verr(v,
		     "property '%s' is not an RFC 3339 UTC timestamp "
		     "(YYYY-MM-DDTHH:MM:SS[.s]Z): "
		     "'%.40s'",
		     name, s);
		return t;
	}
	if (millis && digits < 3) {
		verr(v,
		     "property '%s' must be precise to the millisecond (e.g. '.000Z'): "
		     "'%.40s'",
		     name, s);
		return t;
	}
	t.set = true;
	return t;
}

/* The same for properties whose syntax check_common() has already reported: only a
 * missing required property is reported here. */
static ts_t get_tsq(vctx_t *v, const json_t *obj, const char *name, bool required)
{
	ts_t t = {0, 0, false};
	const json_t *x = required ? need(v, obj, name) : json_object_get(obj, name);
	if (x != NULL &&
	    setu_stix_parse_timestamp(json_string_value(x), &t.sec, &t.nsec, NULL))
		t.set = true;
	return t;
}

static void ts_order(vctx_t *v, const ts_t *early, const char *ename, const ts_t *late,
                     const char *lname, bool strict)
{
	if (!early->set || !late->set)
		return;
	int c = ts_cmp(late, early);
	if (c < 0 || (strict && c == 0))
		verr(v, "property '%s' is %s '%s'", lname,
		     strict ? "not later than" : "earlier than", ename);
}

static bool get_int(vctx_t *v, const json_t *obj, const char *name, bool required,
                    int64_t lo, int64_t hi, int64_t *out)
{
	const json_t *x = required ? need(v, obj, name) : json_object_get(obj, name);
	if (x == NULL)
		return false;
	if (!json_is_integer(x)) {
		verr(v, "property '%s' must be an integer", name);
		return false;
	}
	json_int_t i = json_integer_value(x);
	if (i < lo || i > hi) {
		verr(v, "property '%s' is %lld, outside %lld..%lld", name, (long long)i,
		     (long long)lo, (long long)hi);
		return false;
	}
	if (out != NULL)
		*out = i;
	return true;
}

static void get_bool(vctx_t *v, const json_t *obj, const char *name, bool required)
{
	const json_t *x = required ? need(v, obj, name) : json_object_get(obj, name);
	if (x != NULL && !json_is_boolean(x))
		verr(v, "property '%s' must be true or false", name);
}

/* A list of strings (non-empty is checked for every list by check_common). */
static void str_list(vctx_t *v, const json_t *obj, const char *name, bool required)
{
	const json_t *x = required ? need(v, obj, name) : json_object_get(obj, name);
	if (x == NULL)
		return;
	if (!json_is_array(x)) {
		verr(v, "property '%s' must be a list of strings", name);
		return;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(x, i, e)
	{
		if (!json_is_string(e)) {
			verr(v, "property '%s'[%zu] must be a string", name, i);
			return;
		}
	}
}

/* ---------------------------------------------------------------- references */

/* Allowed target types: a '|' list of type names and classes @sdo @sco @sro @any.
 * @sdo also admits custom (non-spec) types. */
static bool ref_type_allowed(const char *type, const char *allowed)
{
	const char *p = allowed;
	while (*p != '\0') {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 4 && strncmp(p, "@any", 4) == 0)
			return true;
		if (n == 4 && strncmp(p, "@sdo", 4) == 0 &&
		    (setu_stix_is_sdo_type(type) ||
		     (!setu_stix_is_sco_type(type) && !setu_stix_is_sro_type(type) &&
		      !is_meta_type(type) && strcmp(type, "bundle") != 0)))
			return true;
		if (n == 4 && strncmp(p, "@sco", 4) == 0 && setu_stix_is_sco_type(type))
			return true;
		if (n == 4 && strncmp(p, "@sro", 4) == 0 && setu_stix_is_sro_type(type))
			return true;
		if (strlen(type) == n && strncmp(p, type, n) == 0)
			return true;
		p += n;
		if (*p == '|')
			p++;
	}
	return false;
}

static void allowed_desc(const char *allowed, char *buf, size_t size)
{
	size_t o = 0;
	for (const char *p = allowed; *p != '\0' && o + 8 < size; p++) {
		if (*p == '|') {
			memcpy(buf + o, " or ", 4);
			o += 4;
		} else if (*p == '@') {
			/* "@sdo" -> "an SDO" */
			const char *w = p[1] == 's' && p[2] == 'd'   ? "an SDO"
			                : p[1] == 's' && p[2] == 'c' ? "an SCO"
			                : p[1] == 's' && p[2] == 'r' ? "an SRO"
			                                             : "any object";
			size_t wl = strlen(w);
			if (o + wl + 1 >= size)
				break;
			memcpy(buf + o, w, wl);
			o += wl;
			p += 3;
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = '\0';
}

static void check_ref_value(vctx_t *v, const char *name, const json_t *x,
                            const char *allowed)
{
	if (!json_is_string(x)) {
		verr(v, "property '%s' must be an identifier string", name);
		return;
	}
	const char *id = json_string_value(x);
	if (!setu_stix_id_ok(id, NULL) || json_string_length(x) != strlen(id)) {
		verr(v,
		     "property '%s' is not a STIX identifier (<type>--<UUID>): '%.80s'",
		     name, id);
		return;
	}
	char type[251];
	size_t tl = (size_t)(strstr(id, "--") - id);
	memcpy(type, id, tl);
	type[tl] = '\0';
	if (!ref_type_allowed(type, allowed)) {
		char desc[128];
		allowed_desc(allowed, desc, sizeof(desc));
		verr(v, "property '%s' must refer to %s, not '%s'", name, desc, type);
	}
}

typedef struct ref_rule {
	const char *type; /* NULL = every type */
	const char *prop;
	const char *allowed;
} ref_rule_t;

static const ref_rule_t ref_rules[] = {
    {NULL, "created_by_ref", "identity"},
    {NULL, "object_marking_refs", "marking-definition"},
    {"sighting", "sighting_of_ref", "@sdo"},
    {"sighting", "observed_data_refs", "observed-data"},
    {"sighting", "where_sighted_refs", "identity|location"},
    {"relationship", "source_ref", "@sdo|@sco"},
    {"relationship", "target_ref", "@sdo|@sco"},
    {"observed-data", "object_refs", "@sco|@sro"},
    {"malware", "operating_system_refs", "software"},
    {"malware", "sample_refs", "file|artifact"},
    {"malware-analysis", "host_vm_ref", "software"},
    {"malware-analysis", "operating_system_ref", "software"},
    {"malware-analysis", "installed_software_refs", "software"},
    {"malware-analysis", "analysis_sco_refs", "@sco"},
    {"malware-analysis", "sample_ref", "file|network-traffic|artifact"},
    {"domain-name", "resolves_to_refs", "ipv4-addr|ipv6-addr|domain-name"},
    {"ipv4-addr", "resolves_to_refs", "mac-addr"},
    {"ipv4-addr", "belongs_to_refs", "autonomous-system"},
    {"ipv6-addr", "resolves_to_refs", "mac-addr"},
    {"ipv6-addr", "belongs_to_refs", "autonomous-system"},
    {"email-addr", "belongs_to_ref", "user-account"},
    {"email-message", "from_ref", "email-addr"},
    {"email-message", "sender_ref", "email-addr"},
    {"email-message", "to_refs", "email-addr"},
    {"email-message", "cc_refs", "email-addr"},
    {"email-message", "bcc_refs", "email-addr"},
    {"email-message", "raw_email_ref", "artifact"},
    {"file", "parent_directory_ref", "directory"},
    {"file", "contains_refs", "@sco"},
    {"file", "content_ref", "artifact"},
    {"directory", "contains_refs", "file|directory"},
    {"network-traffic", "src_ref", "ipv4-addr|ipv6-addr|mac-addr|domain-name"},
    {"network-traffic", "dst_ref", "ipv4-addr|ipv6-addr|mac-addr|domain-name"},
    {"network-traffic", "src_payload_ref", "artifact"},
    {"network-traffic", "dst_payload_ref", "artifact"},
    {"network-traffic", "encapsulates_refs", "network-traffic"},
    {"network-traffic", "encapsulated_by_ref", "network-traffic"},
    {"process", "opened_connection_refs", "network-traffic"},
    {"process", "creator_user_ref", "user-account"},
    {"process", "image_ref", "file"},
    {"process", "parent_ref", "process"},
    {"process", "child_refs", "process"},
    {"windows-registry-key", "creator_user_ref", "user-account"},
};

static const char *ref_allowed(const char *type, const char *prop)
{
	for (size_t i = 0; i < NELEM(ref_rules); i++)
		if ((ref_rules[i].type == NULL || strcmp(ref_rules[i].type, type) == 0) &&
		    strcmp(ref_rules[i].prop, prop) == 0)
			return ref_rules[i].allowed;
	return "@any";
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Every top-level *_ref / *_refs property: well-formed ids of an allowed type. */
static void check_refs(vctx_t *v, const json_t *obj)
{
	const char *key;
	json_t *x;
	json_object_foreach((json_t *)obj, key, x)
	{
		if (ends_with(key, "_ref")) {
			check_ref_value(v, key, x, ref_allowed(v->type, key));
		} else if (ends_with(key, "_refs")) {
			if (!json_is_array(x)) {
				verr(v, "property '%s' must be a list of identifiers",
				     key);
				continue;
			}
			const char *allowed = ref_allowed(v->type, key);
			size_t i;
			const json_t *e;
			char name[300];
			json_array_foreach(x, i, e)
			{
				snprintf(name, sizeof(name), "%s[%zu]", key, i);
				check_ref_value(v, name, e, allowed);
			}
		}
	}
}

/* ---------------------------------------------------------------- common shapes */

static const char *const hash_keys[][2] = {
    {"MD5", "32"},      {"SHA-1", "40"},     {"SHA-256", "64"}, {"SHA-512", "128"},
    {"SHA3-256", "64"}, {"SHA3-512", "128"}, {"SHA-224", "56"}, {"SHA-384", "96"},
    {"SHA3-224", "56"}, {"SHA3-384", "96"},
};

static void check_hashes(vctx_t *v, const char *name, const json_t *h)
{
	if (!json_is_object(h) || json_object_size(h) == 0) {
		verr(v, "property '%s' must be a non-empty dictionary of hashes", name);
		return;
	}
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)h, k, x)
	{
		size_t kl = strlen(k);
		bool kok = kl >= 3 && kl <= 250;
		for (size_t i = 0; kok && i < kl; i++)
			kok = isalnum((unsigned char)k[i]) || k[i] == '-' || k[i] == '_';
		if (!kok) {
			verr(v,
			     "%s key '%.60s' must be 3 to 250 characters of A-Z, a-z, "
			     "0-9, '-', '_'",
			     name, k);
			continue;
		}
		if (!json_is_string(x)) {
			verr(v, "%s '%s' must be a string", name, k);
			continue;
		}
		const char *s = json_string_value(x);
		for (size_t i = 0; i < NELEM(hash_keys); i++) {
			if (strcmp(k, hash_keys[i][0]) != 0)
				continue;
			size_t want = (size_t)atoi(hash_keys[i][1]);
			bool ok = strlen(s) == want;
			for (size_t j = 0; ok && s[j] != '\0'; j++)
				ok = isxdigit((unsigned char)s[j]) != 0;
			if (!ok)
				verr(v,
				     "%s '%s' is not a valid %s hash (%zu hex digits): "
				     "'%.70s'",
				     name, k, k, want, s);
		}
	}
}

static void check_external_refs(vctx_t *v, const json_t *obj)
{
	const json_t *er = json_object_get(obj, "external_references");
	if (er == NULL)
		return;
	if (!json_is_array(er)) {
		verr(v, "property 'external_references' must be a list");
		return;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(er, i, e)
	{
		if (!json_is_object(e)) {
			verr(v, "external_references[%zu] must be an object", i);
			continue;
		}
		if (!json_is_string(json_object_get(e, "source_name")))
			verr(v,
			     "external_references[%zu] 'source_name' is required (a "
			     "string)",
			     i);
		if (json_object_get(e, "description") == NULL &&
		    json_object_get(e, "url") == NULL &&
		    json_object_get(e, "external_id") == NULL)
			verr(v,
			     "external_references[%zu] needs 'description', 'url' or "
			     "'external_id'",
			     i);
		const char *f[] = {"description", "url", "external_id"};
		for (size_t k = 0; k < NELEM(f); k++) {
			const json_t *x = json_object_get(e, f[k]);
			if (x != NULL && !json_is_string(x))
				verr(v, "external_references[%zu] '%s' must be a string",
				     i, f[k]);
		}
		const json_t *h = json_object_get(e, "hashes");
		if (h != NULL) {
			char name[64];
			snprintf(name, sizeof(name), "external_references[%zu].hashes",
			         i);
			check_hashes(v, name, h);
		}
	}
}

/* Granular marking selectors (§7.2.3.1): a property name, then .name or .[index] steps.
 */
static bool selector_ok(const char *s)
{
	if (strcmp(s, "id") == 0)
		return true;
	const char *p = s;
	size_t n = 0;
	while (*p != '\0' && *p != '.') {
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		      *p == '_' || *p == '-'))
			return false;
		p++;
		n++;
	}
	if (n < 3 || n > 249)
		return false;
	while (*p == '.') {
		p++;
		if (*p == '[') {
			p++;
			if (!isdigit((unsigned char)*p))
				return false;
			while (isdigit((unsigned char)*p))
				p++;
			if (*p++ != ']')
				return false;
			continue;
		}
		size_t m = 0;
		while (*p != '\0' && *p != '.') {
			if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
			      *p == '_' || *p == '-'))
				return false;
			p++;
			m++;
		}
		if (m < 1 || m > 250)
			return false;
	}
	return *p == '\0';
}

/* A (syntactically valid) selector names content present in the object (§7.2.3.1). */
static bool selector_resolves(const json_t *obj, const char *sel)
{
	const json_t *cur = obj;
	const char *p = sel;
	char name[256];
	while (*p != '\0' && cur != NULL) {
		const char *e = strchr(p, '.');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n >= sizeof(name))
			return false;
		memcpy(name, p, n);
		name[n] = '\0';
		if (name[0] == '[') {
			if (!json_is_array(cur))
				return false;
			cur = json_array_get(cur, strtoul(name + 1, NULL, 10));
		} else {
			if (!json_is_object(cur))
				return false;
			cur = json_object_get(cur, name);
		}
		p += n;
		if (*p == '.')
			p++;
	}
	return cur != NULL;
}

static void check_granular(vctx_t *v, const json_t *obj)
{
	const json_t *gm = json_object_get(obj, "granular_markings");
	if (gm == NULL)
		return;
	if (!json_is_array(gm)) {
		verr(v, "property 'granular_markings' must be a list");
		return;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(gm, i, e)
	{
		if (!json_is_object(e)) {
			verr(v, "granular_markings[%zu] must be an object", i);
			continue;
		}
		const json_t *mr = json_object_get(e, "marking_ref");
		const json_t *lang = json_object_get(e, "lang");
		char name[64];
		if ((mr == NULL) == (lang == NULL))
			verr(v,
			     "granular_markings[%zu] needs exactly one of 'marking_ref' "
			     "and "
			     "'lang'",
			     i);
		if (mr != NULL) {
			snprintf(name, sizeof(name), "granular_markings[%zu].marking_ref",
			         i);
			check_ref_value(v, name, mr, "marking-definition");
		}
		if (lang != NULL && !json_is_string(lang))
			verr(v, "granular_markings[%zu] 'lang' must be a string", i);
		const json_t *sel = json_object_get(e, "selectors");
		if (!json_is_array(sel) || json_array_size(sel) == 0) {
			verr(v,
			     "granular_markings[%zu] 'selectors' is required (a "
			     "non-empty list)",
			     i);
			continue;
		}
		size_t j;
		const json_t *s;
		json_array_foreach(sel, j, s)
		{
			if (!json_is_string(s) || !selector_ok(json_string_value(s)))
				verr(v,
				     "granular_markings[%zu] selector %zu is not a valid "
				     "selector "
				     "(e.g. 'description' or "
				     "'kill_chain_phases.[0].phase_name')",
				     i, j);
			else if (!selector_resolves(obj, json_string_value(s)))
				verr(v,
				     "granular_markings[%zu] selector '%.80s' does not "
				     "refer to "
				     "content of the object",
				     i, json_string_value(s));
		}
	}
}

static const char *const extension_types[] = {
    "new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"};

static void check_extensions(vctx_t *v, const json_t *obj)
{
	const json_t *ex = json_object_get(obj, "extensions");
	if (ex == NULL)
		return;
	if (!json_is_object(ex) || json_object_size(ex) == 0) {
		verr(v, "property 'extensions' must be a non-empty dictionary");
		return;
	}
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)ex, k, x)
	{
		if (strncmp(k, "extension-definition--", 22) == 0) {
			if (!setu_stix_id_ok(k, "extension-definition")) {
				verr(v,
				     "extension key '%.80s' is not a valid "
				     "extension-definition id",
				     k);
				continue;
			}
			if (!json_is_object(x)) {
				verr(v, "extension '%.80s' must be an object", k);
				continue;
			}
			const char *et =
			    json_string_value(json_object_get(x, "extension_type"));
			if (et == NULL)
				verr(v, "extension '%.80s' needs 'extension_type'", k);
			else if (!in_list(et, extension_types, NELEM(extension_types)))
				verr(v,
				     "extension '%.80s' has an unknown extension_type "
				     "'%.40s'",
				     k, et);
		} else if (ends_with(k, "-ext") && setu_stix_type_name_ok(k)) {
			/* predefined SCO extensions (§6: archive-ext, http-request-ext,
			 * ...) */
			if (!json_is_object(x) || json_object_size(x) == 0)
				verr(v, "extension '%.80s' must be a non-empty object",
				     k);
		} else {
			verr(v,
			     "extension key '%.80s' is neither an extension-definition "
			     "id nor a "
			     "predefined '-ext' name",
			     k);
		}
	}
}

static void check_kill_chain(vctx_t *v, const json_t *obj)
{
	const json_t *kc = json_object_get(obj, "kill_chain_phases");
	if (kc == NULL)
		return;
	if (!json_is_array(kc)) {
		verr(v, "property 'kill_chain_phases' must be a list");
		return;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(kc, i, e)
	{
		if (!json_is_string(json_object_get(e, "kill_chain_name")) ||
		    !json_is_string(json_object_get(e, "phase_name")))
			verr(v,
			     "kill_chain_phases[%zu] needs 'kill_chain_name' and "
			     "'phase_name' "
			     "strings",
			     i);
	}
}

/* Properties whose values are timestamps wherever they appear at top level. */
static const char *const ts_props[] = {
    "valid_from",
    "valid_until",
    "first_seen",
    "last_seen",
    "first_observed",
    "last_observed",
    "published",
    "start_time",
    "stop_time",
    "submitted",
    "analysis_started",
    "analysis_ended",
    "object_modified",
    "ctime",
    "mtime",
    "atime",
    "start",
    "end",
    "date",
    "account_created",
    "account_expires",
    "credential_last_changed",
    "account_first_login",
    "account_last_login",
    "created_time",
    "modified_time",
    "validity_not_before",
    "validity_not_after",
};

_Static_assert(sizeof(ts_props) / sizeof(ts_props[0]) <= 64, "ts_props fits a uint64_t");

/* The rules every object follows. sco: cyber-observable (no created/modified). */
static void check_common(vctx_t *v, const json_t *obj, bool sco, ts_t *created,
                         ts_t *modified)
{
	const char *key;
	json_t *x;
	uint64_t ts_present = 0; /* bit i: ts_props[i] is a property of obj */
	json_object_foreach((json_t *)obj, key, x)
	{
		for (size_t i = 0; i < NELEM(ts_props); i++)
			if (ts_props[i][0] == key[0] && strcmp(ts_props[i], key) == 0)
				ts_present |= (uint64_t)1 << i;
		if (!prop_name_ok(key))
			verr(v,
			     "property name '%.80s' is invalid: use 3-250 characters of "
			     "a-z, 0-9 "
			     "and '_', starting with a letter",
			     key);
		if (json_is_null(x))
			verr(v, "property '%.80s' must not be null", key);
		else if (json_is_array(x) && json_array_size(x) == 0)
			verr(v, "property '%.80s' must not be an empty list", key);
	}
	const char *id = get_str(v, obj, "id", true);
	if (id != NULL && (!setu_stix_id_ok(id, v->type) ||
	                   json_string_length(json_object_get(obj, "id")) != strlen(id)))
		verr(v,
		     "property 'id' must be '%s--' followed by an RFC 4122 UUID: '%.80s'",
		     v->type, id);
	const char *sv = get_str(v, obj, "spec_version", !sco);
	if (sv != NULL && strcmp(sv, "2.1") != 0)
		verr(v, "property 'spec_version' must be \"2.1\", not \"%.20s\"", sv);
	if (!sco) {
		bool md = strcmp(v->type, "marking-definition") == 0;
		*created = get_ts(v, obj, "created", true, !md);
		if (!md) {
			*modified = get_ts(v, obj, "modified", true, true);
			ts_order(v, created, "created", modified, "modified", false);
		}
	}
	/* In the table's order, as a lookup of each name would visit them. */
	for (size_t i = 0; i < NELEM(ts_props); i++)
		if (ts_present & ((uint64_t)1 << i))
			(void)get_ts(v, obj, ts_props[i], false, false);
	get_bool(v, obj, "revoked", false);
	get_bool(v, obj, "defanged", false);
	get_int(v, obj, "confidence", false, 0, 100, NULL);
	(void)get_str(v, obj, "lang", false);
	str_list(v, obj, "labels", false);
	check_refs(v, obj);
	check_external_refs(v, obj);
	check_granular(v, obj);
	check_extensions(v, obj);
	check_kill_chain(v, obj);
	const json_t *h = json_object_get(obj, "hashes");
	if (h != NULL)
		check_hashes(v, "hashes", h);
}

/* ---------------------------------------------------------------- per-type rules */

static void check_indicator(vctx_t *v, const json_t *o)
{
	const char *pattern = get_str(v, o, "pattern", true);
	const char *ptype = get_str(v, o, "pattern_type", true);
	(void)get_str(v, o, "pattern_version", false);
	ts_t from = get_tsq(v, o, "valid_from", true);
	ts_t until = get_tsq(v, o, "valid_until", false);
	ts_order(v, &from, "valid_from", &until, "valid_until", true);
	str_list(v, o, "indicator_types", false);
	if (pattern != NULL && ptype != NULL && strcmp(ptype, "stix") == 0) {
		setu_pattern_t *p = NULL;
		setu_diag_t d;
		memset(&d, 0, sizeof(d));
		size_t len = json_string_length(json_object_get(o, "pattern"));
		int rc = setu_pattern_parse(pattern, len, &p, &d);
		if (rc != 0) {
			int code = rc == SETU_EPARSE ? SETU_EMALFORMED : rc;
			if (d.line > 1)
				verr_at(v, d.line, d.column, code,
				        "indicator 'pattern' line %u column %u: %s",
				        d.line, d.column, d.msg);
			else
				verr_at(v, d.line, d.column, code,
				        "indicator 'pattern' column %u: %s", d.column,
				        d.msg);
		}
		setu_pattern_free(p);
	}
}

static void check_sighting(vctx_t *v, const json_t *o)
{
	need(v, o, "sighting_of_ref");
	get_int(v, o, "count", false, 0, 999999999, NULL);
	ts_t first = get_tsq(v, o, "first_seen", false);
	ts_t last = get_tsq(v, o, "last_seen", false);
	ts_order(v, &first, "first_seen", &last, "last_seen", false);
	get_bool(v, o, "summary", false);
}

static void check_relationship(vctx_t *v, const json_t *o)
{
	const char *rt = get_str(v, o, "relationship_type", true);
	if (rt != NULL) {
		bool ok = *rt != '\0';
		for (const char *c = rt; *c != '\0'; c++)
			if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) ||
			      *c == '-'))
				ok = false;
		if (!ok)
			verr(v,
			     "property 'relationship_type' must use only a-z, 0-9 and "
			     "'-': "
			     "'%.60s'",
			     rt);
	}
	need(v, o, "source_ref");
	need(v, o, "target_ref");
	ts_t start = get_tsq(v, o, "start_time", false);
	ts_t stop = get_tsq(v, o, "stop_time", false);
	ts_order(v, &start, "start_time", &stop, "stop_time", true);
}

static void check_seen(vctx_t *v, const json_t *o)
{
	ts_t first = get_tsq(v, o, "first_seen", false);
	ts_t last = get_tsq(v, o, "last_seen", false);
	ts_order(v, &first, "first_seen", &last, "last_seen", false);
}

static void check_malware(vctx_t *v, const json_t *o)
{
	const json_t *fam = need(v, o, "is_family");
	if (fam != NULL && !json_is_boolean(fam))
		verr(v, "property 'is_family' must be true or false");
	(void)get_str(v, o, "name", json_is_true(fam));
	check_seen(v, o);
}

static void check_report(vctx_t *v, const json_t *o)
{
	(void)get_str(v, o, "name", true);
	(void)get_tsq(v, o, "published", true);
	need(v, o, "object_refs");
}

static void check_note(vctx_t *v, const json_t *o)
{
	(void)get_str(v, o, "content", true);
	need(v, o, "object_refs");
}

static void check_opinion(vctx_t *v, const json_t *o)
{
	static const char *const ops[] = {"strongly-disagree", "disagree", "neutral",
	                                  "agree", "strongly-agree"};
	const char *op = get_str(v, o, "opinion", true);
	if (op != NULL && !in_list(op, ops, NELEM(ops)))
		verr(v,
		     "property 'opinion' must be one of strongly-disagree, disagree, "
		     "neutral, "
		     "agree, strongly-agree; not '%.40s'",
		     op);
	need(v, o, "object_refs");
}

static void check_grouping(vctx_t *v, const json_t *o)
{
	(void)get_str(v, o, "context", true);
	need(v, o, "object_refs");
}

static void check_observed_data(vctx_t *v, const json_t *o)
{
	ts_t first = get_tsq(v, o, "first_observed", true);
	ts_t last = get_tsq(v, o, "last_observed", true);
	ts_order(v, &first, "first_observed", &last, "last_observed", false);
	get_int(v, o, "number_observed", true, 1, 999999999, NULL);
	bool refs = json_object_get(o, "object_refs") != NULL;
	bool objs = json_object_get(o, "objects") != NULL;
	if (!refs && !objs)
		verr(v, "observed-data 'object_refs' is required");
	else if (refs && objs)
		verr(v,
		     "observed-data must not have both 'object_refs' and the deprecated "
		     "'objects'");
}

static void check_location(vctx_t *v, const json_t *o)
{
	const json_t *lat = json_object_get(o, "latitude");
	const json_t *lon = json_object_get(o, "longitude");
	if (json_object_get(o, "region") == NULL &&
	    json_object_get(o, "country") == NULL && (lat == NULL || lon == NULL))
		verr(v,
		     "location needs 'region', 'country', or 'latitude' and 'longitude'");
	if ((lat == NULL) != (lon == NULL))
		verr(v, "location 'latitude' and 'longitude' must be given together");
	if (lat != NULL && (!json_is_number(lat) || fabs(json_number_value(lat)) > 90.0))
		verr(v, "property 'latitude' must be a number in -90..90");
	if (lon != NULL && (!json_is_number(lon) || fabs(json_number_value(lon)) > 180.0))
		verr(v, "property 'longitude' must be a number in -180..180");
	const json_t *prec = json_object_get(o, "precision");
	if (prec != NULL && (lat == NULL || lon == NULL))
		verr(v, "location 'precision' needs 'latitude' and 'longitude'");
	if (prec != NULL && (!json_is_number(prec) || json_number_value(prec) < 0))
		verr(v, "property 'precision' must be a non-negative number");
}

static void check_malware_analysis(vctx_t *v, const json_t *o)
{
	(void)get_str(v, o, "product", true);
	if (json_object_get(o, "result") == NULL &&
	    json_object_get(o, "analysis_sco_refs") == NULL)
		verr(v, "malware-analysis needs 'result' or 'analysis_sco_refs'");
	ts_t s = get_tsq(v, o, "analysis_started", false);
	ts_t e = get_tsq(v, o, "analysis_ended", false);
	ts_order(v, &s, "analysis_started", &e, "analysis_ended", false);
}

static void check_marking_definition(vctx_t *v, const json_t *o)
{
	const char *id = json_string_value(json_object_get(o, "id"));
	const char *dt = get_str(v, o, "definition_type", false);
	const json_t *def = json_object_get(o, "definition");
	const json_t *tlp2 =
	    json_object_get(json_object_get(o, "extensions"), SETU_TLP2_EXTENSION_ID);
	if (dt == NULL && def == NULL && json_object_get(o, "extensions") == NULL)
		verr(v, "marking-definition needs 'definition_type' and 'definition', or "
		        "'extensions'");
	if ((dt == NULL) != (def == NULL))
		verr(
		    v,
		    "marking-definition 'definition_type' and 'definition' must be given "
		    "together");
	if (def != NULL && !json_is_object(def))
		verr(v, "property 'definition' must be an object");
	if (dt != NULL && json_is_object(def)) {
		if (strcmp(dt, "statement") == 0) {
			if (!json_is_string(json_object_get(def, "statement")))
				verr(v, "statement marking 'definition.statement' is "
				        "required (a "
				        "string)");
		} else if (strcmp(dt, "tlp") == 0) {
			setu_tlp_t lvl = setu_tlp_declared_by(o);
			if (lvl == SETU_TLP_NONE)
				verr(v, "TLP marking 'definition.tlp' must be white, "
				        "green, amber or "
				        "red");
			else if (id != NULL && (!setu_tlp_is_v1_id(id) ||
			                        setu_tlp_of_marking_id(id) != lvl))
				verr(v,
				     "TLP 1.0 markings must use the predefined id for %s "
				     "(%s), "
				     "not '%.80s'",
				     setu_tlp_name(lvl), setu_tlp_v1_marking_id(lvl), id);
		}
	}
	if (tlp2 != NULL) {
		setu_tlp_t lvl = setu_tlp_declared_by(o);
		const char *name = json_string_value(json_object_get(o, "name"));
		if (lvl == SETU_TLP_NONE)
			verr(v,
			     "TLP 2.0 extension 'tlp_2_0' must be clear, green, amber, "
			     "amber+strict or red");
		else if (id != NULL && strcasecmp(id, setu_tlp_marking_id(lvl)) != 0)
			verr(
			    v,
			    "TLP 2.0 markings must use the published id for %s (%s), not "
			    "'%.80s'",
			    setu_tlp_name(lvl), setu_tlp_marking_id(lvl), id);
		else if (name != NULL && strcmp(name, setu_tlp_name(lvl)) != 0)
			verr(v, "TLP 2.0 marking %s must be named '%s', not '%.40s'", id,
			     setu_tlp_name(lvl), name);
	} else if (id != NULL && setu_tlp_of_marking_id(id) != SETU_TLP_NONE &&
	           !setu_tlp_is_v1_id(id)) {
		verr(v,
		     "marking-definition '%s' is the TLP 2.0 id for %s and must carry "
		     "the TLP "
		     "2.0 extension",
		     id, setu_tlp_name(setu_tlp_of_marking_id(id)));
	}
	if (id != NULL && setu_tlp_is_v1_id(id) && (dt == NULL || strcmp(dt, "tlp") != 0))
		verr(v,
		     "marking-definition '%s' is a predefined TLP 1.0 id and must have "
		     "definition_type 'tlp'",
		     id);
}

static void check_extension_definition(vctx_t *v, const json_t *o)
{
	need(v, o, "created_by_ref");
	(void)get_str(v, o, "name", true);
	(void)get_str(v, o, "schema", true);
	(void)get_str(v, o, "version", true);
	const json_t *et = need(v, o, "extension_types");
	bool toplevel = false;
	if (et != NULL && !json_is_array(et))
		verr(v, "property 'extension_types' must be a list");
	size_t i;
	const json_t *e;
	if (json_is_array(et))
		json_array_foreach(et, i, e)
		{
			const char *s = json_string_value(e);
			if (!in_list(s, extension_types, NELEM(extension_types)))
				verr(v,
				     "extension_types[%zu] must be one of new-sdo, "
				     "new-sco, "
				     "new-sro, property-extension, "
				     "toplevel-property-extension",
				     i);
			else if (strcmp(s, "toplevel-property-extension") == 0)
				toplevel = true;
		}
	if (json_object_get(o, "extension_properties") != NULL && !toplevel)
		verr(v, "property 'extension_properties' is only for "
		        "toplevel-property-extension");
	str_list(v, o, "extension_properties", false);
}

static void check_language_content(vctx_t *v, const json_t *o)
{
	need(v, o, "object_ref");
	const json_t *c = need(v, o, "contents");
	if (c != NULL && (!json_is_object(c) || json_object_size(c) == 0))
		verr(v,
		     "property 'contents' must be a non-empty dictionary of languages");
	const char *k;
	json_t *x;
	if (json_is_object(c))
		json_object_foreach((json_t *)c, k, x)
		{
			if (!json_is_object(x))
				verr(
				    v,
				    "contents '%.20s' must be a dictionary of translated "
				    "properties",
				    k);
		}
}

/* SCOs */

static bool ip_value_ok(const char *s, int af)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	unsigned char addr[16];
	if (inet_pton(af, buf, addr) != 1)
		return false;
	if (slash == NULL)
		return true;
	const char *p = slash + 1;
	int max = af == AF_INET ? 32 : 128, bits = 0;
	if (*p == '\0' || strlen(p) > 3)
		return false;
	for (; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		bits = bits * 10 + (*p - '0');
	}
	return bits <= max;
}

static void check_ip(vctx_t *v, const json_t *o)
{
	const char *val = get_str(v, o, "value", true);
	int af = strcmp(v->type, "ipv4-addr") == 0 ? AF_INET : AF_INET6;
	if (val != NULL && !ip_value_ok(val, af))
		verr(v, "%s 'value' is not an %s address or CIDR block: '%.60s'", v->type,
		     af == AF_INET ? "IPv4" : "IPv6", val);
}

static void check_domain(vctx_t *v, const json_t *o)
{
	const char *val = get_str(v, o, "value", true);
	if (val == NULL)
		return;
	size_t n = strlen(val), label = 0;
	bool ok = n > 0 && n <= 253 && val[0] != '.';
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)val[i];
		if (c == '.') {
			ok = label > 0 || i + 1 == n;
			label = 0;
			continue;
		}
		/* letters, digits, '-', '_' (service labels) and UTF-8 (IDN) */
		ok = isalnum(c) || c == '-' || c == '_' || c >= 0x80;
		if (++label > 63)
			ok = false;
	}
	if (!ok)
		verr(v, "domain-name 'value' is not a valid domain name: '%.60s'", val);
}

static void check_url(vctx_t *v, const json_t *o)
{
	const char *val = get_str(v, o, "value", true);
	if (val == NULL)
		return;
	bool ok = isalpha((unsigned char)val[0]);
	size_t i = 0;
	while (ok && val[i] != '\0' && val[i] != ':') {
		unsigned char c = (unsigned char)val[i];
		ok = isalnum(c) || c == '+' || c == '-' || c == '.';
		i++;
	}
	ok = ok && val[i] == ':';
	for (const char *c = val; ok && *c != '\0'; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			ok = false;
	if (!ok)
		verr(v,
		     "url 'value' is not a URL (RFC 3986: scheme ':' ..., no spaces): "
		     "'%.60s'",
		     val);
}

static void check_mac(vctx_t *v, const json_t *o)
{
	const char *val = get_str(v, o, "value", true);
	if (val == NULL)
		return;
	bool ok = strlen(val) == 17;
	for (int i = 0; ok && i < 17; i++)
		ok = (i % 3 == 2) ? val[i] == ':'
		                  : (isdigit((unsigned char)val[i]) ||
		                     (val[i] >= 'a' && val[i] <= 'f'));
	if (!ok)
		verr(
		    v,
		    "mac-addr 'value' must be a lowercase colon-separated MAC-48 address "
		    "(e.g. 'd2:fb:49:24:37:18'): '%.40s'",
		    val);
}

static void check_email_addr(vctx_t *v, const json_t *o)
{
	const char *val = get_str(v, o, "value", true);
	(void)get_str(v, o, "display_name", false);
	if (val == NULL)
		return;
	const char *at = strrchr(val, '@');
	bool ok = at != NULL && at != val && at[1] != '\0';
	for (const char *c = val; ok && *c != '\0'; c++)
		if ((unsigned char)*c <= 0x20)
			ok = false;
	if (!ok)
		verr(v,
		     "email-addr 'value' is not an email address (local@domain): '%.60s'",
		     val);
}

static void check_file(vctx_t *v, const json_t *o)
{
	if (json_object_get(o, "hashes") == NULL && json_object_get(o, "name") == NULL)
		verr(v, "file needs 'hashes' or 'name'");
	(void)get_str(v, o, "name", false);
	get_int(v, o, "size", false, 0, INT64_MAX, NULL);
}

static void check_artifact(vctx_t *v, const json_t *o)
{
	const json_t *pb = json_object_get(o, "payload_bin");
	const json_t *url = json_object_get(o, "url");
	if (pb != NULL && url != NULL)
		verr(v, "artifact must not have both 'payload_bin' and 'url'");
	if (url != NULL && json_object_get(o, "hashes") == NULL)
		verr(v, "artifact with 'url' needs 'hashes'");
	static const char *const algos[] = {"AES-256-GCM", "ChaCha20-Poly1305",
	                                    "mime-type-indicated"};
	const char *alg = get_str(v, o, "encryption_algorithm", false);
	if (alg != NULL && !in_list(alg, algos, NELEM(algos)))
		verr(v,
		     "property 'encryption_algorithm' must be AES-256-GCM, "
		     "ChaCha20-Poly1305 or "
		     "mime-type-indicated, not '%.40s'",
		     alg);
	if (json_object_get(o, "decryption_key") != NULL && alg == NULL)
		verr(v, "artifact 'decryption_key' needs 'encryption_algorithm'");
	if (pb != NULL) {
		const char *s = json_string_value(pb);
		size_t n = s ? strlen(s) : 0;
		bool ok = s != NULL && n % 4 == 0;
		for (size_t i = 0; ok && i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			ok = isalnum(c) || c == '+' || c == '/' ||
			     (c == '=' && i + 2 >= n);
		}
		if (!ok)
			verr(v, "property 'payload_bin' must be padded base64");
	}
}

static void check_network_traffic(vctx_t *v, const json_t *o)
{
	if (json_object_get(o, "src_ref") == NULL &&
	    json_object_get(o, "dst_ref") == NULL)
		verr(v, "network-traffic needs 'src_ref' or 'dst_ref'");
	str_list(v, o, "protocols", true);
	get_int(v, o, "src_port", false, 0, 65535, NULL);
	get_int(v, o, "dst_port", false, 0, 65535, NULL);
	const json_t *active = json_object_get(o, "is_active");
	if (active != NULL && !json_is_boolean(active))
		verr(v, "property 'is_active' must be true or false");
	if (json_is_true(active) && json_object_get(o, "end") != NULL)
		verr(v, "network-traffic with 'is_active' true must not have 'end'");
	ts_t s = get_tsq(v, o, "start", false);
	ts_t e = get_tsq(v, o, "end", false);
	ts_order(v, &s, "start", &e, "end", false);
}

static void check_email_message(vctx_t *v, const json_t *o)
{
	const json_t *mp = need(v, o, "is_multipart");
	if (mp != NULL && !json_is_boolean(mp))
		verr(v, "property 'is_multipart' must be true or false");
	if (json_is_true(mp) && json_object_get(o, "body") != NULL)
		verr(v, "email-message with 'is_multipart' true must not have 'body'");
	if (json_is_false(mp) && json_object_get(o, "body_multipart") != NULL)
		verr(v, "email-message with 'is_multipart' false must not have "
		        "'body_multipart'");
}

static void check_autonomous_system(vctx_t *v, const json_t *o)
{
	get_int(v, o, "number", true, 0, 4294967295LL, NULL);
}

/* SCOs that require at least one property of their own (§6: "MUST contain at least one
 * property ... other than type"). */
static void check_any_prop(vctx_t *v, const json_t *o)
{
	static const char *const common[] = {
	    "type",    "id", "spec_version", "object_marking_refs", "granular_markings",
	    "defanged"};
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)o, k, x)
	{
		if (!in_list(k, common, NELEM(common)))
			return;
	}
	verr(v, "%s must have at least one property of its own besides the common ones",
	     v->type);
}

typedef struct type_rule {
	const char *type;
	const char *required[3]; /* simple required properties */
	void (*check)(vctx_t *v, const json_t *o);
} type_rule_t;

static const type_rule_t type_rules[] = {
    {"indicator", {NULL}, check_indicator},
    {"sighting", {NULL}, check_sighting},
    {"relationship", {NULL}, check_relationship},
    {"identity", {"name"}, NULL},
    {"attack-pattern", {"name"}, NULL},
    {"course-of-action", {"name"}, NULL},
    {"vulnerability", {"name"}, NULL},
    {"incident", {"name"}, NULL},
    {"tool", {"name"}, NULL},
    {"campaign", {"name"}, check_seen},
    {"intrusion-set", {"name"}, check_seen},
    {"threat-actor", {"name"}, check_seen},
    {"infrastructure", {"name"}, check_seen},
    {"malware", {NULL}, check_malware},
    {"report", {NULL}, check_report},
    {"note", {NULL}, check_note},
    {"opinion", {NULL}, check_opinion},
    {"grouping", {NULL}, check_grouping},
    {"observed-data", {NULL}, check_observed_data},
    {"location", {NULL}, check_location},
    {"malware-analysis", {NULL}, check_malware_analysis},
    {"marking-definition", {NULL}, check_marking_definition},
    {"extension-definition", {NULL}, check_extension_definition},
    {"language-content", {NULL}, check_language_content},
    {"ipv4-addr", {NULL}, check_ip},
    {"ipv6-addr", {NULL}, check_ip},
    {"domain-name", {NULL}, check_domain},
    {"url", {NULL}, check_url},
    {"mac-addr", {NULL}, check_mac},
    {"email-addr", {NULL}, check_email_addr},
    {"file", {NULL}, check_file},
    {"artifact", {NULL}, check_artifact},
    {"network-traffic", {NULL}, check_network_traffic},
    {"email-message", {NULL}, check_email_message},
    {"autonomous-system", {NULL}, check_autonomous_system},
    {"directory", {"path"}, NULL},
    {"mutex", {"name"}, NULL},
    {"software", {"name"}, NULL},
    {"process", {NULL}, check_any_prop},
    {"user-account", {NULL}, check_any_prop},
    {"windows-registry-key", {NULL}, check_any_prop},
    {"x509-certificate", {NULL}, check_any_prop},
};

static void validate(vctx_t *v, const json_t *obj)
{
	if (!json_is_object(obj)) {
		v->type = "object";
		verr(v, "a STIX object must be a JSON object");
		return;
	}
	const json_t *t = json_object_get(obj, "type");
	if (!json_is_string(t)) {
		v->type = "object";
		verr(v, "property 'type' is required (a string)");
		return;
	}
	v->type = json_string_value(t);
	if (!setu_stix_type_name_ok(v->type)) {
		verr(v,
		     "type '%.80s' is invalid: use 3-250 characters of a-z, 0-9 and "
		     "single "
		     "hyphens, starting with a letter",
		     v->type);
		return;
	}
	if (strcmp(v->type, "bundle") == 0) {
		verr(v, "a bundle is not a STIX object (it cannot be nested)");
		return;
	}
	/* Custom types follow the SDO rules when they carry 'created', else the SCO rules
	 * (the OASIS schemas make the same choice). */
	bool sco = setu_stix_is_sco_type(v->type) ||
	           (!setu_stix_is_sdo_type(v->type) && !setu_stix_is_sro_type(v->type) &&
	            !is_meta_type(v->type) && json_object_get(obj, "created") == NULL);
	ts_t created = {0, 0, false}, modified = {0, 0, false};
	check_common(v, obj, sco, &created, &modified);
	for (size_t i = 0; i < NELEM(type_rules); i++) {
		if (strcmp(type_rules[i].type, v->type) != 0)
			continue;
		for (int k = 0; k < 3 && type_rules[i].required[k] != NULL; k++)
			(void)get_str(v, obj, type_rules[i].required[k], true);
		if (type_rules[i].check != NULL)
			type_rules[i].check(v, obj);
		break;
	}
}

/* ---------------------------------------------------------------- API */

static void first_error(void *arg, const setu_diag_t *d)
{
	setu_diag_t *out = arg;
	if (out->code == 0) {
		*out = *d;
		out->file = NULL;
	}
}

int setu_stix_validate_object(const json_t *obj, setu_diag_t *diag)
{
	setu_diag_t first;
	memset(&first, 0, sizeof(first));
	vctx_t v = {first_error, &first, NULL, NULL, 0, false};
	validate(&v, obj);
	if (v.nerr == 0)
		return 0;
	if (diag != NULL) {
		const char *file = diag->file;
		*diag = first;
		diag->file = file;
		if (diag->code == 0)
			diag->code = SETU_EMALFORMED;
	}
	return v.oom ? SETU_ENOMEM : SETU_EMALFORMED;
}

unsigned setu_stix_validate_object_all(const json_t *obj, setu_stix_error_fn fn,
                                       void *arg)
{
	vctx_t v = {fn, arg, NULL, NULL, 0, false};
	validate(&v, obj);
	return v.nerr;
}

unsigned setu_stix_validate_collection_all(const json_t *doc, setu_stix_error_fn fn,
                                           void *arg)
{
	vctx_t v = {fn, arg, "bundle", NULL, 0, false};
	if (!json_is_object(doc) && !json_is_array(doc)) {
		verr(&v, "expected a bundle, an envelope {\"objects\": [...]} or a list "
		         "of objects");
		return v.nerr;
	}
	const json_t *objects = doc;
	if (json_is_object(doc)) {
		const char *type = json_string_value(json_object_get(doc, "type"));
		if (type != NULL && strcmp(type, "bundle") == 0) {
			const char *id = json_string_value(json_object_get(doc, "id"));
			if (!setu_stix_id_ok(id, "bundle"))
				verr(&v, "bundle 'id' must be 'bundle--' followed by an "
				         "RFC 4122 "
				         "UUID");
			if (json_object_get(doc, "spec_version") != NULL)
				verr(&v,
				     "a STIX 2.1 bundle must not have 'spec_version'");
		} else if (type != NULL) {
			/* a single object */
			unsigned n = setu_stix_validate_object_all(doc, fn, arg);
			return n;
		}
		objects = json_object_get(doc, "objects");
		if (objects == NULL) {
			if (type != NULL)
				return v.nerr; /* a bundle may omit objects */
			verr(&v, "envelope 'objects' is required");
			return v.nerr;
		}
		if (!json_is_array(objects) || json_array_size(objects) == 0) {
			verr(&v, "'objects' must be a non-empty list");
			return v.nerr;
		}
	}
	size_t i;
	const json_t *o;
	char prefix[160];
	json_array_foreach(objects, i, o)
	{
		const char *id = json_string_value(json_object_get(o, "id"));
		snprintf(prefix, sizeof(prefix), "objects[%zu] %.100s: ", i,
		         id ? id : "(no id)");
		vctx_t ov = {fn, arg, NULL, prefix, 0, false};
		validate(&ov, o);
		v.nerr += ov.nerr;
	}
	return v.nerr;
}
