/* hubsync.h — the sensor's side of the loop with a hub (issue 7): pull the collections it
 * is granted over TAXII 2.1 (added_after bookmarks, pagination), keep the newest version
 * of each object, turn STIX-pattern indicators into an indicator file and shared Suricata
 * rules (indicators with pattern_type "suricata") into a rule file in the state folder,
 * and reload the engine when they changed — without stopping capture. */
#ifndef SETU_HUBSYNC_H
#define SETU_HUBSYNC_H

#include "sensor/engine/engine.h"

#define SETU_HUBSYNC_MAX_COLLECTIONS 16

/* Push hint (docs/push-hint.md): how long one long poll waits at the hub (under the
 * hub's cap of 25 s), how long a hub without the endpoint (404) is left alone before
 * it is asked again (it may have been upgraded), and the pause after a failed hint. */
#define SETU_HUBSYNC_HINT_WAIT_S 20u
#define SETU_HUBSYNC_HINT_ABSENT_RETRY_S 300u
/* At stop, one last delivery of the spooled sightings: connect within 1 s, all posts
 * within 2 s; what is not delivered by then stays in the spool for the next start. */
#define SETU_HUBSYNC_LAST_CONNECT_MS 1000L
#define SETU_HUBSYNC_LAST_DELIVERY_MS 2000L

typedef struct setu_hubsync_config {
	const char *url;   /* the hub's API root URL (https://hub/api1/) */
	const char *token; /* Bearer token */
	const char *collections[SETU_HUBSYNC_MAX_COLLECTIONS];
	size_t ncollections;
	unsigned interval_s; /* between pulls */
	const char *state_dir;
	const char *ca_file;
	const char *identity; /* the sensor's organisation (STIX identity id), for the
	                         sightings' where_sighted_refs; may be NULL */
	const char *sightings_collection; /* where sightings go; NULL = the first one */
	bool first_pull_before_start;     /* pull once before returning (capture files:
	                                     the rules must be in force before the first
	                                     packet); a failure is then an error */
	bool no_push_hint; /* never use the hub's push hint (GET /api/changes): pull at
	                      the interval only. Also set by the environment variable
	                      SETU_HUB_PUSH_HINT=off. */
} setu_hubsync_config_t;

/* The files the engine must load (created empty when absent) so that the pulled
 * indicators and rules take part in every reload: <state_dir>/hub-indicators.json and
 * <state_dir>/hub.rules. Paths are written to the buffers (PATH_MAX). */
int setu_hubsync_prepare(const char *state_dir, char *ioc_path, char *rules_path,
                         setu_diag_t *diag);

typedef struct setu_hubsync setu_hubsync_t;

/* Start pulling in a thread of its own (first pull at once), at every interval and, when
 * the hub offers it, as soon as its push hint says something new may be read (a second
 * thread holds the long poll). */
setu_hubsync_t *setu_hubsync_start(setu_engine_t *e, const setu_hubsync_config_t *cfg,
                                   setu_diag_t *diag);
/* Stop (SIGTERM/SIGINT): requests in progress are cancelled (within about a second),
 * the last counts go to the spool (durable), then ONE bounded delivery attempt
 * (SETU_HUBSYNC_LAST_*); what it cannot deliver stays spooled for the next start. */
void setu_hubsync_stop(setu_hubsync_t *h);

#endif
