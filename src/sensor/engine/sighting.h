/* sighting.h — what the sensor reports back to its hub: every alert from a shared
 * indicator or a shared rule is counted per indicator; at each hub interval the counts
 * become STIX 2.1 sightings (count, first_seen, last_seen, where_sighted_refs = the
 * sensor's organisation, the indicator's marking), appended to a durable spool (fsync'd)
 * and posted to the hub the indicator came from. Ids are deterministic, so a sighting
 * that is posted twice (crash after the post, before the spool was cleared) is stored
 * once. */
#ifndef SETU_SIGHTING_H
#define SETU_SIGHTING_H

#include "setu/error.h"

#include <jansson.h>
#include <stdint.h>
#include <sys/time.h>

typedef struct setu_sightings setu_sightings_t;

/* Spool bound: past it, new sightings are dropped and counted (the spool keeps the
 * oldest, which a hub that comes back receives first). 64 MiB ≈ 150,000 sightings. */
#define SETU_SIGHTING_SPOOL_MAX (64u * 1024 * 1024)

setu_sightings_t *setu_sightings_new(const char *state_dir, const char *identity,
                                     setu_diag_t *diag);
void setu_sightings_free(setu_sightings_t *s);

/* A worker saw indicator `stix_id` (thread-safe; cheap). */
void setu_sightings_note(setu_sightings_t *s, const char *stix_id,
                         const struct timeval *ts);

/* Turn the counts into sighting objects (markings looked up in `objects`, the hub's
 * objects by id) and append them to the spool, durably. */
int setu_sightings_flush(setu_sightings_t *s, const json_t *objects, setu_diag_t *diag);

/* Post the spool through `post` (an envelope of up to 500 objects at a time); the spool
 * is cleared only after the hub accepted everything in it. */
typedef int (*setu_sightings_post_fn)(void *user, const json_t *envelope,
                                      setu_diag_t *diag);
int setu_sightings_deliver(setu_sightings_t *s, setu_sightings_post_fn post, void *user,
                           setu_diag_t *diag);

typedef struct setu_sightings_counters {
	uint64_t noted, spooled, delivered, dropped, spool_bytes;
} setu_sightings_counters_t;
void setu_sightings_get_counters(setu_sightings_t *s, setu_sightings_counters_t *c);

#endif
