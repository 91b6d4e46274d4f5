/* sighting.c — sightings: counts, spool, delivery (STIX 2.1 §5.7 sighting SRO, §4.13
 * observed-data, §6 SCOs with deterministic ids §2.9). */
#include "sighting.h"

#include "intel/pattern.h"
#include "intel/tlp.h"

#include <errno.h>
#include <limits.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One indicator's count since the last flush. */
typedef struct tally {
	char id[80];
	uint64_t count;
	struct timeval first, last;
} tally_t;

#define SIGHTING_MAX_TALLIES 4096u /* distinct indicators per interval */

struct setu_sightings {
	pthread_mutex_t lock; /* guards tallies (workers add, the hub thread flushes) */
	tally_t *t;
	size_t n;
	char identity[80];
	char spool[PATH_MAX], seqfile[PATH_MAX];
	uint64_t seq; /* flush sequence number, persisted: part of every sighting id */
	setu_sightings_counters_t c;
};

static void ts_str(const struct timeval *tv, char out[32])
{
	struct tm tm;
	time_t t = tv->tv_sec;
	gmtime_r(&t, &tm);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	         (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100, tm.tm_mday % 100,
	         tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100,
	         (int)((tv->tv_usec / 1000) % 1000));
}

/* setu's namespace for the ids of its sightings and observed-data */
static const uint8_t setu_ns[16] = {0x6d, 0x5b, 0x0a, 0x4e, 0x2f, 0x1c, 0x4e, 0x8b,
                                    0x9a, 0x3d, 0x5c, 0x7e, 0x1f, 0x0b, 0x2a, 0x95};
/* STIX 2.1 §2.9: the namespace of deterministic SCO ids,
 * 00abedb4-aa42-466c-9c01-fed23315a9b7 */
static const uint8_t stix_sco_ns[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                                        0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7};

/* RFC 4122 version-5 UUID (SHA-1, name-based) of name[0..n) under namespace ns; false
 * when out of memory. */
static bool uuid5_ns(const uint8_t ns[16], const char *name, size_t n, char out[37])
{
	uint8_t small[16 + 256], h[SHA_DIGEST_LENGTH];
	uint8_t *buf = n <= 256 ? small : malloc(16 + n);
	if (buf == NULL)
		return false;
	memcpy(buf, ns, 16);
	memcpy(buf + 16, name, n);
	SHA1(buf, 16 + n, h);
	if (buf != small)
		free(buf);
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x50);
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
	snprintf(out, 37,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11],
	         h[12], h[13], h[14], h[15]);
	return true;
}

/* The sightings' ids: the name is "identity|indicator|sequence" (< 256 bytes). */
static void uuid5(const char *name, char out[37])
{
	size_t n = strlen(name);
	uuid5_ns(setu_ns, name, n < 256 ? n : 256, out);
}

setu_sightings_t *setu_sightings_new(const char *state_dir, const char *identity,
                                     setu_diag_t *diag)
{
	setu_sightings_t *s = calloc(1, sizeof(*s));
	if (s == NULL || (s->t = calloc(SIGHTING_MAX_TALLIES, sizeof(*s->t))) == NULL) {
		free(s);
		setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	snprintf(s->identity, sizeof(s->identity), "%s",
	         identity != NULL ? identity : "");
	snprintf(s->spool, sizeof(s->spool), "%s/sightings.spool", state_dir);
	snprintf(s->seqfile, sizeof(s->seqfile), "%s/sightings.seq", state_dir);
	FILE *f = fopen(s->seqfile, "r");
	if (f != NULL) {
		unsigned long long v = 0;
		if (fscanf(f, "%llu", &v) == 1)
			s->seq = v;
		fclose(f);
	}
	struct stat st;
	if (stat(s->spool, &st) == 0)
		s->c.spool_bytes = (uint64_t)st.st_size;
	return s;
}

void setu_sightings_free(setu_sightings_t *s)
{
	if (s == NULL)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s->t);
	free(s);
}

void setu_sightings_note(setu_sightings_t *s, const char *stix_id,
                         const struct timeval *ts)
{
	pthread_mutex_lock(&s->lock);
	s->c.noted++;
	size_t i = 0;
	while (i < s->n && strcmp(s->t[i].id, stix_id) != 0)
		i++;
	if (i == s->n) {
		if (s->n == SIGHTING_MAX_TALLIES ||
		    strlen(stix_id) >= sizeof(s->t[0].id)) {
			s->c.dropped++;
			pthread_mutex_unlock(&s->lock);
			return;
		}
		snprintf(s->t[i].id, sizeof(s->t[i].id), "%s", stix_id);
		s->t[i].count = 0;
		s->t[i].first = *ts;
		s->n++;
	}
	s->t[i].count++;
	if (timercmp(ts, &s->t[i].first, <))
		s->t[i].first = *ts;
	if (timercmp(ts, &s->t[i].last, >) || s->t[i].count == 1)
		s->t[i].last = *ts;
	pthread_mutex_unlock(&s->lock);
}

static int write_seq(setu_sightings_t *s)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->seqfile);
	FILE *f = fopen(tmp, "w");
	if (f == NULL)
		return SETU_EIO;
	int ok = fprintf(f, "%llu\n", (unsigned long long)s->seq) > 0 && fflush(f) == 0 &&
	         fsync(fileno(f)) == 0;
	fclose(f);
	return ok && rename(tmp, s->seqfile) == 0 ? 0 : SETU_EIO;
}

static void add_recipients(json_t *sighting, const json_t *ind)
{
	const json_t *ext = json_object_get(json_object_get(ind, "extensions"),
	                                    SETU_RECIPIENTS_EXTENSION_ID);
	json_t *orgs = json_array(), *users = json_array();
	const char *producer = json_string_value(json_object_get(ind, "created_by_ref"));
	if (producer != NULL)
		json_array_append_new(orgs, json_string(producer));
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(ext, "recipient_orgs"), i, v)
	    json_array_append(orgs, v);
	json_array_foreach(json_object_get(ext, "recipient_users"), i, v)
	    json_array_append(users, v);
	json_t *e = json_pack("{s:s}", "extension_type", "property-extension");
	if (json_array_size(orgs) > 0)
		json_object_set(e, "recipient_orgs", orgs);
	if (json_array_size(users) > 0)
		json_object_set(e, "recipient_users", users);
	if (json_array_size(orgs) + json_array_size(users) > 0)
		json_object_set_new(sighting, "extensions",
		                    json_pack("{s:o}", SETU_RECIPIENTS_EXTENSION_ID, e));
	else
		json_decref(e);
	json_decref(orgs);
	json_decref(users);
}

bool setu_sighting_observed_allowed(setu_tlp_t indicator_tlp, bool to_origin_hub)
{
	return indicator_tlp != SETU_TLP_RED || to_origin_hub;
}

#define SIGHTING_MAX_SCOS 8u /* SCOs per observation: patterns name one or two */

/* One equality comparison the match proves: its SCO type and value, or false. */
static bool proven_value(const setu_pat_node_t *n, const char **type, const char **value)
{
	static const char *const types[] = {"ipv4-addr", "ipv6-addr", "domain-name",
	                                    "url"};
	if (n->kind != SETU_PAT_COMPARISON || n->op != SETU_PAT_OP_EQ || n->negated ||
	    n->value.kind != SETU_PAT_V_STRING || n->value.len == 0 ||
	    strlen(n->value.bytes) != n->value.len)
		return false;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (setu_pat_path_is(&n->path, types[i], "value")) {
			*type = types[i];
			*value = n->value.bytes;
			return true;
		}
	}
	return false;
}

/* A STIX 2.1 SCO with its deterministic id: uuid5 over the JCS form (RFC 8785) of its
 * id-contributing properties, which for these four types is {"value": ...}. jansson's
 * compact output of a one-key object is that form (UTF-8 kept, '/' not escaped). */
static json_t *make_sco(const char *type, const char *value)
{
	json_t *idp = json_pack("{s:s}", "value", value);
	char *canon = idp != NULL ? json_dumps(idp, JSON_COMPACT) : NULL;
	json_decref(idp);
	char uuid[37];
	bool ok = canon != NULL && uuid5_ns(stix_sco_ns, canon, strlen(canon), uuid);
	free(canon);
	if (!ok)
		return NULL;
	char id[80];
	snprintf(id, sizeof(id), "%s--%s", type, uuid);
	return json_pack("{s:s, s:s, s:s, s:s}", "type", type, "spec_version", "2.1",
	                 "id", id, "value", value);
}

json_t *setu_sighting_observed_scos(const json_t *indicator)
{
	const char *ptype = json_string_value(json_object_get(indicator, "pattern_type"));
	const char *pattern = json_string_value(json_object_get(indicator, "pattern"));
	if (ptype == NULL || strcmp(ptype, "stix") != 0 || pattern == NULL)
		return NULL;
	setu_pattern_t *p = NULL;
	if (setu_pattern_parse(pattern, strlen(pattern), &p, NULL) != 0)
		return NULL;
	const setu_pat_node_t *root = setu_pattern_root(p);
	/* one observation, no qualifier (REPEATS, WITHIN: more than one observation) */
	const setu_pat_node_t *cmp = root != NULL && root->kind == SETU_PAT_OBSERVATION &&
	                                     root->nquals == 0 && root->nchildren == 1
	                                 ? root->children[0]
	                                 : NULL;
	const setu_pat_node_t *const *terms = NULL;
	size_t nterms = 0;
	if (cmp != NULL && cmp->kind == SETU_PAT_CMP_AND) {
		terms = cmp->children;
		nterms = cmp->nchildren;
	} else if (cmp != NULL) {
		terms = &cmp; /* a single comparison */
		nterms = 1;
	}
	json_t *scos = json_array();
	for (size_t i = 0; scos != NULL && i < nterms; i++) {
		const char *type, *value;
		if (!proven_value(terms[i], &type, &value))
			continue; /* true as well, but it names no value */
		json_t *sco = make_sco(type, value);
		bool dup = false;
		size_t k;
		json_t *v;
		json_array_foreach(scos, k, v) dup |= json_equal(v, sco);
		if (sco != NULL && !dup && json_array_size(scos) < SIGHTING_MAX_SCOS)
			json_array_append(scos, sco);
		json_decref(sco);
	}
	setu_pattern_free(p);
	if (json_array_size(scos) == 0) {
		json_decref(scos);
		return NULL;
	}
	return scos;
}

/* Marking and recipients of the sighting, copied onto what travels with it. */
static void copy_handling(json_t *dst, const json_t *sighting)
{
	const json_t *marks = json_object_get(sighting, "object_marking_refs");
	if (marks != NULL)
		json_object_set(dst, "object_marking_refs", (json_t *)marks);
	const json_t *ext = json_object_get(sighting, "extensions");
	if (ext != NULL)
		json_object_set_new(dst, "extensions", json_deep_copy(ext));
}

static int spool_line(setu_sightings_t *s, FILE *f, const json_t *o)
{
	char *line = json_dumps(o, JSON_COMPACT);
	if (line == NULL)
		return SETU_ENOMEM;
	fprintf(f, "%s\n", line);
	s->c.spool_bytes += strlen(line) + 1;
	free(line);
	return 0;
}

/* The observed-data object of sighting o to the spool, before the sighting; o gets
 * observed_data_refs. Nothing when the pattern proves no value.
 *
 * The SCOs travel inside it ("objects", which STIX 2.1 §4.13 keeps as deprecated)
 * rather than as objects of their own under object_refs: an SCO's id is a function of
 * its value (§2.9), so at a hub every organisation that saw 198.51.100.7 would post the
 * same object, stored once with the first poster's marking and recipients, and the
 * observations of several members would share, and be restricted by, one object whose
 * handling none of them chose. Embedded, an observation is one object with exactly the
 * sighting's marking (docs/tlp.md). */
static void spool_observed(setu_sightings_t *s, FILE *f, json_t *o, const json_t *ind,
                           const char *name, const tally_t *t, const char *created,
                           const char *first, const char *last)
{
	json_t *scos = setu_sighting_observed_scos(ind);
	if (scos == NULL)
		return;
	char oname[300], uuid[37], id[80];
	snprintf(oname, sizeof(oname), "observed|%s", name);
	uuid5(oname, uuid);
	snprintf(id, sizeof(id), "observed-data--%s", uuid);
	json_t *objs = json_object();
	size_t i;
	json_t *sco;
	json_array_foreach(scos, i, sco)
	{
		char key[24];
		snprintf(key, sizeof(key), "%zu", i);
		json_object_set(objs, key, sco);
	}
	/* STIX 2.1 §4.13: number_observed is 1 to 999,999,999 */
	json_int_t n = t->count < 999999999u ? (json_int_t)t->count : 999999999;
	json_t *od =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "type",
	              "observed-data", "spec_version", "2.1", "id", id, "created",
	              created, "modified", created, "first_observed", first,
	              "last_observed", last, "number_observed", n, "objects", objs);
	json_decref(scos);
	if (od == NULL)
		return;
	/* like the sighting, no created_by_ref: the hub records the producer from the
	 * token, and the sighting's where_sighted_refs names the organisation. The
	 * indicator it matched, as a custom reference (STIX 2.1 §11.1): a hub that
	 * narrows an object's audience by what it references (setu: every *_ref,
	 * docs/tlp.md) treats the observation exactly like the sighting */
	json_object_set(od, "x_setu_indicator_ref",
	                json_object_get(o, "sighting_of_ref"));
	copy_handling(od, o);
	if (spool_line(s, f, od) == 0) {
		json_object_set_new(o, "observed_data_refs", json_pack("[s]", id));
		s->c.observed++;
	}
	json_decref(od);
}

int setu_sightings_flush(setu_sightings_t *s, const json_t *objects, setu_diag_t *diag)
{
	pthread_mutex_lock(&s->lock);
	size_t n = s->n;
	tally_t *batch = NULL;
	if (n > 0 && (batch = malloc(n * sizeof(*batch))) != NULL) {
		memcpy(batch, s->t, n * sizeof(*batch));
		s->n = 0;
	}
	pthread_mutex_unlock(&s->lock);
	if (n == 0)
		return 0;
	if (batch == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	s->seq++;
	int rc = write_seq(s); /* before any id of this sequence is used */
	FILE *f = rc == 0 ? fopen(s->spool, "a") : NULL;
	if (f == NULL) {
		free(batch);
		if (diag != NULL)
			diag->file = s->spool;
		return setu_diag_set(diag, SETU_EIO,
		                     "cannot write the sightings spool: %s",
		                     strerror(errno));
	}
	struct timeval now;
	gettimeofday(&now, NULL);
	char created[32];
	ts_str(&now, created);
	for (size_t i = 0; i < n; i++) {
		if (s->c.spool_bytes >= SETU_SIGHTING_SPOOL_MAX) {
			pthread_mutex_lock(&s->lock);
			s->c.dropped += n - i; /* stated policy: keep the oldest */
			pthread_mutex_unlock(&s->lock);
			break;
		}
		char name[256], uuid[37], first[32], last[32];
		snprintf(name, sizeof(name), "%s|%s|%llu", s->identity, batch[i].id,
		         (unsigned long long)s->seq);
		uuid5(name, uuid);
		ts_str(&batch[i].first, first);
		ts_str(&batch[i].last, last);
		char id[64];
		snprintf(id, sizeof(id), "sighting--%s", uuid);
		json_t *o = json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "type", "sighting",
		    "spec_version", "2.1", "id", id, "created", created, "modified",
		    created, "sighting_of_ref", batch[i].id, "count",
		    (json_int_t)batch[i].count, "first_seen", first, "last_seen", last);
		if (o == NULL)
			continue;
		if (s->identity[0] != '\0')
			json_object_set_new(o, "where_sighted_refs",
			                    json_pack("[s]", s->identity));
		/* a sighting carries its indicator's marking */
		const json_t *ind = json_object_get(objects, batch[i].id);
		const json_t *marks = json_object_get(ind, "object_marking_refs");
		if (json_is_array(marks) && json_array_size(marks) > 0)
			json_object_set(o, "object_marking_refs", (json_t *)marks);
		/* AMBER and above: the indicator's producer and its recipients may read
		 * the sighting (docs/tlp.md); nobody else */
		if (ind != NULL && (int)setu_tlp_of_object(ind) >= (int)SETU_TLP_AMBER)
			add_recipients(o, ind);
		/* what was observed, where the marking allows (docs/tlp.md); every
		 * sighting of this sensor goes to the hub its indicators came from */
		if (ind != NULL &&
		    setu_sighting_observed_allowed(setu_tlp_of_object(ind), true))
			spool_observed(s, f, o, ind, name, &batch[i], created, first,
			               last);
		if (spool_line(s, f, o) == 0)
			s->c.spooled++;
		json_decref(o);
	}
	free(batch);
	int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	fclose(f);
	if (!ok)
		return setu_diag_set(diag, SETU_EIO, "cannot sync the sightings spool");
	return 0;
}

int setu_sightings_deliver(setu_sightings_t *s, setu_sightings_post_fn post, void *user,
                           setu_diag_t *diag)
{
	FILE *f = fopen(s->spool, "r");
	if (f == NULL)
		return 0; /* nothing spooled */
	json_t *env = json_pack("{s:[]}", "objects");
	json_t *objs = json_object_get(env, "objects");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;
	size_t total = 0;
	while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
		json_t *o = json_loadb(line, (size_t)len, 0, NULL);
		if (o == NULL)
			continue; /* a torn last line after a crash: its flush did not
			             finish */
		json_array_append_new(objs, o);
		total++;
		if (json_array_size(objs) == 500) {
			rc = post(user, env, diag);
			json_array_clear(objs);
		}
	}
	free(line);
	fclose(f);
	if (rc == 0 && json_array_size(objs) > 0)
		rc = post(user, env, diag);
	json_decref(env);
	if (rc != 0)
		return rc; /* kept for the next attempt; ids make re-posting harmless */
	/* everything accepted: clear the spool (posts so far are durable at the hub) */
	if (truncate(s->spool, 0) != 0 && errno != ENOENT)
		return setu_diag_set(diag, SETU_EIO, "cannot clear the sightings spool");
	s->c.delivered += total;
	s->c.spool_bytes = 0;
	return 0;
}

void setu_sightings_get_counters(setu_sightings_t *s, setu_sightings_counters_t *c)
{
	pthread_mutex_lock(&s->lock);
	*c = s->c;
	pthread_mutex_unlock(&s->lock);
}
