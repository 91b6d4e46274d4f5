/* sighting.c — sightings: counts, spool, delivery (STIX 2.1 §5.? sighting SRO). */
#include "sighting.h"

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

/* RFC 4122 version-5 UUID (SHA-1, name-based) of name under setu's namespace. */
static void uuid5(const char *name, char out[37])
{
	static const uint8_t ns[16] = {0x6d, 0x5b, 0x0a, 0x4e, 0x2f, 0x1c, 0x4e, 0x8b,
	                               0x9a, 0x3d, 0x5c, 0x7e, 0x1f, 0x0b, 0x2a, 0x95};
	uint8_t buf[16 + 256], h[SHA_DIGEST_LENGTH];
	size_t n = strlen(name);
	if (n > 256)
		n = 256;
	memcpy(buf, ns, sizeof(ns));
	memcpy(buf + 16, name, n);
	SHA1(buf, 16 + n, h);
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x50);
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
	snprintf(out, 37,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11],
	         h[12], h[13], h[14], h[15]);
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
		char *line = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (line != NULL) {
			fprintf(f, "%s\n", line);
			s->c.spool_bytes += strlen(line) + 1;
			s->c.spooled++;
			free(line);
		}
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
