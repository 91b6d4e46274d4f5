/* hubsync.h — the sensor's side of the loop with a hub (issue 7): pull the collections it
 * is granted over TAXII 2.1 (added_after bookmarks, pagination), keep the newest version
 * of each object, turn STIX-pattern indicators into an indicator file and shared Suricata
 * rules (indicators with pattern_type "suricata") into a rule file in the state folder,
 * and reload the engine when they changed — without stopping capture. */
#ifndef SETU_HUBSYNC_H
#define SETU_HUBSYNC_H

#include "sensor/engine/engine.h"

#define SETU_HUBSYNC_MAX_COLLECTIONS 16

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
} setu_hubsync_config_t;

/* The files the engine must load (created empty when absent) so that the pulled
 * indicators and rules take part in every reload: <state_dir>/hub-indicators.json and
 * <state_dir>/hub.rules. Paths are written to the buffers (PATH_MAX). */
int setu_hubsync_prepare(const char *state_dir, char *ioc_path, char *rules_path,
                         setu_diag_t *diag);

typedef struct setu_hubsync setu_hubsync_t;

/* Start pulling in a thread of its own (first pull at once). */
setu_hubsync_t *setu_hubsync_start(setu_engine_t *e, const setu_hubsync_config_t *cfg,
                                   setu_diag_t *diag);
void setu_hubsync_stop(setu_hubsync_t *h);

#endif
