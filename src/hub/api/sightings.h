/* sightings.h — the hub's sighting aggregation (issue 7): GET /api/sightings/top lists
 * the indicators a member may see, most sighted first, with their sightings summed per
 * reporting organisation and per day. Only sightings and indicators the member may read
 * (the TLP/ACL read check on every row) are counted. */
#ifndef SETU_HUB_SIGHTINGS_API_H
#define SETU_HUB_SIGHTINGS_API_H

#include "hub/store/store.h"
#include "hub/taxii/taxii.h"

#include <stdbool.h>

/* Handles /api/sightings/... (returns false for other paths). default_root is the API
 * root's path segment ("api1"). Query: limit=N (1..1000, default 20). */
bool setu_api_sightings_http(setu_store_t *s, const char *default_root,
                             const setu_http_req_t *req, setu_http_resp_t *resp);

#endif
