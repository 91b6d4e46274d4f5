/* sync.h — federation between hubs (docs/federation.md): pull what partner hubs offer,
 * over TAXII 2.1 (src/taxii client: pages by added_after, retries with backoff), page by
 * page, each page's objects and the bookmark made durable in ONE transaction; the
 * release policy (policy.h) on every object; the transfer trail; and the sync status
 * endpoint GET /api/sync/status (admin). */
#ifndef SETU_HUB_SYNC_H
#define SETU_HUB_SYNC_H

#include "common/log.h"
#include "hub/store/store.h"
#include "hub/taxii/taxii.h"
#include "setu/error.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct setu_sync_opts {
	const setu_log_t *log; /* NULL = stderr at INFO */
	unsigned page_limit;   /* objects asked per page; 0 = SETU_SYNC_PAGE_LIMIT */
	unsigned max_retries;  /* per request (TAXII client); 0 = the client default */
	unsigned backoff_initial_ms; /* 0 = the client default */
	unsigned backoff_max_ms;
	long timeout_ms; /* per request attempt; 0 = the client default */
	/* Tests: stop (as if killed) after this many pages made durable; 0 = never. */
	unsigned stop_after_pages;
	/* Called after a page that stored objects was committed (may be NULL): the hub
	 * wakes its push-hint waiters with it (setu_hub_notify_write). */
	void (*on_stored)(void *user);
	void *on_stored_user;
} setu_sync_opts_t;

typedef struct setu_sync_report {
	uint64_t pages;      /* pages made durable */
	uint64_t stored;     /* object versions stored */
	uint64_t duplicates; /* versions already held */
	uint64_t
	    rejected; /* malformed or refused by the policy (logged with the reason) */
	uint64_t failures; /* agreements whose round failed */
} setu_sync_report_t;

/* Pull one agreement (direction pull) from its peer. On failure the sync state records
 * the error and counts it (failures, consecutive), the log says it, and the code is
 * returned with diag. */
int setu_sync_agreement(setu_store_t *s, const setu_peer_t *p, const setu_agreement_t *a,
                        const setu_sync_opts_t *o, setu_sync_report_t *rep,
                        setu_diag_t *diag);

/* One round: every pull agreement of every enabled peer; one failing does not stop the
 * others. 0 when all succeeded, else the first failure's code (diag: its message). */
int setu_sync_round(setu_store_t *s, const setu_sync_opts_t *o, setu_sync_report_t *rep,
                    setu_diag_t *diag);

/* A background thread running rounds every interval_ms on its own store connection. */
typedef struct setu_syncd setu_syncd_t;
int setu_syncd_start(const char *db_uri, unsigned interval_ms, const setu_sync_opts_t *o,
                     setu_syncd_t **out, setu_diag_t *diag);
/* Rounds completed so far (tests wait on it). */
uint64_t setu_syncd_rounds(setu_syncd_t *d);
void setu_syncd_stop(setu_syncd_t *d); /* stops and frees; NULL is fine */

/* The sync status as JSON: {"agreements": [...], "failures": N, "healthy": bool}. */
int setu_sync_status_json(setu_store_t *s, json_t **out);

/* Serve GET /api/sync/status (admin role; 401 without credentials, 403 otherwise).
 * Returns false when the path is not the sync API's (resp untouched). */
bool setu_sync_http(setu_store_t *s, const setu_http_req_t *req, setu_http_resp_t *resp);

#endif
