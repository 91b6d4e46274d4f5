/* sighting.h — what the sensor reports back to its hub: every alert from a shared
 * indicator or a shared rule is counted per indicator; at each hub interval the counts
 * become STIX 2.1 sightings (count, first_seen, last_seen, where_sighted_refs = the
 * sensor's organisation, the indicator's marking), appended to a durable spool (fsync'd)
 * and posted to the hub the indicator came from. Ids are deterministic, so a sighting
 * that is posted twice (crash after the post, before the spool was cleared) is stored
 * once. */
#ifndef SETU_SIGHTING_H
#define SETU_SIGHTING_H

#include "intel/tlp.h"
#include "setu/error.h"

#include <jansson.h>
#include <stdbool.h>
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
 * objects by id) and append them to the spool, durably. Where the indicator's marking
 * allows it (setu_sighting_observed_allowed), a sighting also carries what was observed:
 * an observed-data object (number_observed, first/last_observed, the SCOs ipv4-addr,
 * ipv6-addr, domain-name or url inside it), with the sighting's marking and recipients,
 * referenced from the sighting's observed_data_refs and spooled before it. */
int setu_sightings_flush(setu_sightings_t *s, const json_t *objects, setu_diag_t *diag);

/* The rule (docs/tlp.md, "Sightings"): an observation goes with a sighting of an
 * indicator marked CLEAR, GREEN, AMBER, AMBER+STRICT or not marked; with one of a
 * TLP:RED indicator only when the sighting goes back to the hub the indicator came from
 * (to_origin_hub), where its producer and named recipients alone may read it. */
bool setu_sighting_observed_allowed(setu_tlp_t indicator_tlp, bool to_origin_hub);

/* The SCOs an indicator's match proves were seen, as a new JSON array of STIX 2.1
 * SCOs (deterministic ids, STIX 2.1 §2.9), or NULL when the pattern proves none: only a
 * single observation whose comparisons all must hold ([a = 'x' AND b = 'y']) and only
 * equality on ipv4-addr:value, ipv6-addr:value, domain-name:value and url:value (CIDR
 * ranges, parent-domain LIKE, OR, Suricata rules name no single value). */
json_t *setu_sighting_observed_scos(const json_t *indicator);

/* Post the spool through `post` (an envelope of up to 500 objects at a time); the spool
 * is cleared only after the hub accepted everything in it. */
typedef int (*setu_sightings_post_fn)(void *user, const json_t *envelope,
                                      setu_diag_t *diag);
int setu_sightings_deliver(setu_sightings_t *s, setu_sightings_post_fn post, void *user,
                           setu_diag_t *diag);

typedef struct setu_sightings_counters {
	uint64_t noted, spooled, delivered, dropped, spool_bytes;
	uint64_t observed; /* sightings that carried an observed-data object */
} setu_sightings_counters_t;
void setu_sightings_get_counters(setu_sightings_t *s, setu_sightings_counters_t *c);

#endif
