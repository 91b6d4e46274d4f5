/* taxii.h — setu's TAXII 2.1 client (OASIS Standard, 10 June 2021): discovery, API roots,
 * collections, objects (get, add, delete), manifest, versions, status, and a resumable
 * sync over pages; HTTP by libcurl, JSON by jansson.
 *
 * Threads: a client owns one CURL handle that it reuses for every request (keep-alive),
 * so a client is NOT thread-safe: use one client per thread. Call curl_global_init()
 * once at program start, before threads, as libcurl asks.
 *
 * Errors: every call returns 0 or a negative SETU_E* code and fills diag with one line
 * naming the method, the URL and the HTTP status, with the TAXII error message's title
 * and description when the server sent one:
 *   "GET http://hub/api1/collections/X/objects/: 403 Forbidden: no read access (...)"
 * Codes: 401/403 SETU_EPERM, 404 SETU_ENOENT, 400/422 SETU_EINVAL, 406/415
 * SETU_EUNSUPPORTED, 413 and oversized responses SETU_ELIMIT, 409 SETU_EEXIST, 429 and
 * 5xx (after retries) SETU_EAGAIN, connection errors SETU_ENET, bodies that are not TAXII
 * (wrong media type, bad JSON, wrong shape) SETU_EMALFORMED. Tokens and passwords never
 * appear in a diagnostic. */
#ifndef SETU_TAXII_CLIENT_H
#define SETU_TAXII_CLIENT_H

#include "common/counters.h"
#include "common/limits.h"
#include "setu/error.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The one media type of TAXII 2.1 (§1.6.8): sent in Accept, and in Content-Type on POST.
 */
#define SETU_TAXII_CLIENT_MEDIA "application/taxii+json;version=2.1"

typedef struct setu_taxii_config {
	const char *url; /* discovery URL (…/taxii2/) or an API root URL; http(s) only.
	                    user:password@ in it is moved to Basic auth. */
	const char *token; /* "Authorization: Bearer <token>", or NULL */
	const char *user;  /* Basic auth, or NULL */
	const char *password;
	const char *ca_file;    /* CA file for https (libcurl CAINFO: replaces the default
	                           bundle; a system CA folder, if any, still applies) */
	bool insecure;          /* skip TLS verification (tests only) */
	bool fresh_connections; /* a new connection per request (no keep-alive): a hub
	                           whose HTTP threads may sit in long polls never gets
	                           this client's request queued behind one
	                           (docs/push-hint.md) */
	long connect_timeout_ms; /* per attempt */
	long timeout_ms;         /* whole request, per attempt */
	unsigned max_retries; /* on connection errors, 5xx and 429; 4xx never retried */
	unsigned
	    backoff_initial_ms;  /* first wait; doubles per retry up to backoff_max_ms, */
	unsigned backoff_max_ms; /* with jitter (each wait is in [d/2, d]) */
	size_t max_response_bytes; /* larger bodies are refused (SETU_ELIMIT) */
} setu_taxii_config_t;

/* Fill with the defaults of src/common/limits.h (url etc. NULL). */
void setu_taxii_config_default(setu_taxii_config_t *c);

typedef struct setu_taxii_client setu_taxii_client_t;

/* The config's strings are copied. NULL on error (diag says why: bad URL, bad value). */
setu_taxii_client_t *setu_taxii_client_new(const setu_taxii_config_t *cfg,
                                           setu_diag_t *diag);
void setu_taxii_client_free(setu_taxii_client_t *c);
/* Give up on demand (a sensor that stops): from when *flag becomes true, a request in
 * progress ends within about a second, retry waits are cut short and no retry starts;
 * such calls fail with SETU_EAGAIN ("cancelled"). flag (borrowed, may be NULL = never)
 * must outlive the client. Set it before the client is shared with another thread. */
void setu_taxii_client_set_abort(setu_taxii_client_t *c, const atomic_bool *flag);
/* Change the per-attempt timeouts (milliseconds, > 0) and retries of later calls: a
 * last attempt with a short budget (a sensor that stops) or a long poll. */
void setu_taxii_client_set_limits(setu_taxii_client_t *c, long connect_timeout_ms,
                                  long timeout_ms, unsigned max_retries);
/* HTTP status of the client's last response (0 when none arrived). */
long setu_taxii_client_last_status(const setu_taxii_client_t *c);
/* Counters: taxii_client.requests (HTTP attempts), .retries, .errors (calls that failed),
 * .bytes_in (response bodies), .objects (objects delivered by sync). */
void setu_taxii_client_counters(const setu_taxii_client_t *c, setu_counter_cb cb,
                                void *user);

/* In every call below, `api_root` is an API root URL, absolute ("https://hub/api1/") or
 * relative to the config URL ("/api1/", as discovery may list them); NULL means the
 * config URL itself is the API root. Ids are percent-encoded into the path.
 * `*out` (owned by the caller, json_decref) is set only on success. */

/* GET the discovery resource at the config URL (§4.1). */
int setu_taxii_discovery(setu_taxii_client_t *c, json_t **out, setu_diag_t *diag);
/* GET the API root information (§4.2). */
int setu_taxii_api_root(setu_taxii_client_t *c, const char *api_root, json_t **out,
                        setu_diag_t *diag);
/* GET the collections resource (§5.1); *out has "collections": [] (possibly empty). */
int setu_taxii_collections(setu_taxii_client_t *c, const char *api_root, json_t **out,
                           setu_diag_t *diag);
/* GET one collection (§5.2). */
int setu_taxii_collection(setu_taxii_client_t *c, const char *api_root,
                          const char *collection_id, json_t **out, setu_diag_t *diag);

/* Filters (§3.4); NULL / 0 members are not sent. Values are percent-encoded. match_*
 * take TAXII's comma lists ("indicator,malware"). */
typedef struct setu_taxii_filter {
	const char *added_after; /* TAXII timestamp */
	const char *match_type;
	const char *match_id;
	const char *match_version; /* "last", "first", "all" or timestamps */
	const char *match_spec_version;
	unsigned limit;   /* 0 = the server's default */
	const char *next; /* from a previous page */
} setu_taxii_filter_t;

/* One page of a paginated endpoint (objects, manifest, versions). */
typedef struct setu_taxii_page {
	json_t *envelope; /* owned: the envelope / manifest / versions resource */
	bool more;
	char next[SETU_TAXII_NEXT_MAX];           /* "" when absent */
	char date_added_first[SETU_TAXII_TS_MAX]; /* X-TAXII-Date-Added-First; "" = absent
	                                           */
	char date_added_last[SETU_TAXII_TS_MAX];  /* X-TAXII-Date-Added-Last */
	long http_status;
} setu_taxii_page_t;

/* Release page->envelope and zero the page. */
void setu_taxii_page_clear(setu_taxii_page_t *page);

/* GET objects (§5.3): an envelope {"more", "next", "objects": [...]}. `page` must be
 * zeroed ({0}) or hold an earlier result: it is cleared first, and on error stays
 * cleared (http_status still set). Same for manifest, object and versions. */
int setu_taxii_get_objects(setu_taxii_client_t *c, const char *api_root,
                           const char *collection_id, const setu_taxii_filter_t *f,
                           setu_taxii_page_t *page, setu_diag_t *diag);
/* GET the manifest (§5.6): {"more", "next", "objects": [manifest records]}. */
int setu_taxii_get_manifest(setu_taxii_client_t *c, const char *api_root,
                            const char *collection_id, const setu_taxii_filter_t *f,
                            setu_taxii_page_t *page, setu_diag_t *diag);
/* GET one object's versions as an envelope (§5.5); f may narrow match_version. */
int setu_taxii_get_object(setu_taxii_client_t *c, const char *api_root,
                          const char *collection_id, const char *object_id,
                          const setu_taxii_filter_t *f, setu_taxii_page_t *page,
                          setu_diag_t *diag);
/* GET the list of an object's versions (§5.8): {"more", "next", "versions": [...]}. */
int setu_taxii_get_versions(setu_taxii_client_t *c, const char *api_root,
                            const char *collection_id, const char *object_id,
                            const setu_taxii_filter_t *f, setu_taxii_page_t *page,
                            setu_diag_t *diag);
/* DELETE an object (§5.7); f may narrow match_version / match_spec_version. */
int setu_taxii_delete_object(setu_taxii_client_t *c, const char *api_root,
                             const char *collection_id, const char *object_id,
                             const setu_taxii_filter_t *f, setu_diag_t *diag);

/* Called once per object by setu_taxii_sync_objects; obj and date_added are borrowed
 * for the call. date_added is the page's X-TAXII-Date-Added-Last (objects arrive sorted
 * by date added, so each was added at or before it). Return 0 to go on; anything else
 * stops the sync and is returned by it (use a negative SETU_E* code). */
typedef int (*setu_taxii_object_cb)(void *user, const json_t *obj,
                                    const char *date_added);

/* Every object added after the bookmark, page after page, following `next` when the
 * server gives one and otherwise added_after = X-TAXII-Date-Added-Last (§3.5).
 * `base` gives the other filters (its next is ignored; its added_after is used when the
 * bookmark is ""). `bookmark` is advanced to a page's X-TAXII-Date-Added-Last only after
 * cb returned 0 for every object of that page, so after a crash or a failed callback the
 * next call resumes at the first incomplete page: no gaps, and no duplicates beyond that
 * page. Limitation of TAXII itself: objects sharing one date_added across the boundary
 * of an added_after page can be missed by servers that page without `next`.
 * A page with objects but no X-TAXII-Date-Added-Last is an error (nothing to resume
 * from). Returns 0 when the server said more=false. */
int setu_taxii_sync_objects(setu_taxii_client_t *c, const char *api_root,
                            const char *collection_id, const setu_taxii_filter_t *base,
                            char bookmark[SETU_TAXII_TS_MAX], setu_taxii_object_cb cb,
                            void *user, setu_diag_t *diag);

/* POST an envelope {"objects": [...]} (§5.4); on 202 *status is the status resource.
 * Retried like GETs: adding an object version a server already holds changes nothing. */
int setu_taxii_post_objects(setu_taxii_client_t *c, const char *api_root,
                            const char *collection_id, const json_t *envelope,
                            json_t **status, setu_diag_t *diag);
/* GET a status resource (§4.3). */
int setu_taxii_get_status(setu_taxii_client_t *c, const char *api_root,
                          const char *status_id, json_t **status, setu_diag_t *diag);
/* Poll a status resource until its "status" is "complete" or timeout_ms passed (then
 * SETU_EAGAIN, and *status is the last one seen). */
int setu_taxii_wait_status(setu_taxii_client_t *c, const char *api_root,
                           const char *status_id, unsigned timeout_ms, json_t **status,
                           setu_diag_t *diag);

/* ---- setu's push hint (not TAXII: docs/push-hint.md) ---- */

/* Long poll GET /api/changes on the config URL's server: returns when an object the
 * requester may read was added to one of the collections after its `after` timestamp
 * (collections[i] pairs with after[i]; "" = since the beginning), filtered by
 * match_type (TAXII comma list, or NULL), or when wait_s ran out. 0 and *changed =
 * true (200) or false (204); SETU_ENOENT when the hub has no such endpoint (404: poll
 * instead); SETU_EAGAIN when the hub is busy (503) with *retry_after_s its advice (0 =
 * none), or after an abort; other codes as for every call. Never retried: the caller
 * decides (its client may be configured with max_retries 0). The client's timeout must
 * exceed wait_s. */
int setu_taxii_wait_changes(setu_taxii_client_t *c, const char *const *collections,
                            const char *const *after, size_t n, const char *match_type,
                            unsigned wait_s, bool *changed, unsigned *retry_after_s,
                            setu_diag_t *diag);

/* ---- response parsing, without a network (used by the client; fuzzed) ---- */

typedef enum setu_taxii_kind {
	SETU_TAXII_DISCOVERY,   /* §4.1.1 discovery */
	SETU_TAXII_API_ROOT,    /* §4.2.1 api-root */
	SETU_TAXII_COLLECTIONS, /* §5.1.1 collections */
	SETU_TAXII_COLLECTION,  /* §5.2.1 collection */
	SETU_TAXII_ENVELOPE,    /* §3.7 envelope */
	SETU_TAXII_MANIFEST,    /* §5.6.1 manifest */
	SETU_TAXII_VERSIONS,    /* §5.8.1 versions */
	SETU_TAXII_STATUS,      /* §4.3.1 status */
	SETU_TAXII_ERROR,       /* §3.6.1 error */
} setu_taxii_kind_t;

/* Parse a response body as a resource of that kind and check its shape (required
 * members, member types). 0 and *out, or SETU_EMALFORMED (diag says which member). */
int setu_taxii_parse(setu_taxii_kind_t kind, const char *body, size_t len, json_t **out,
                     setu_diag_t *diag);
/* A paginated resource's "more" and "next" (shape already checked by parse). */
void setu_taxii_paging(const json_t *res, bool *more, char next[SETU_TAXII_NEXT_MAX]);
/* True for application/taxii+json with no version or version=2.1 (case, spaces and
 * quotes tolerated). */
bool setu_taxii_media_ok(const char *content_type);
/* "title (description)" of an error body into buf; false when body is not one. */
bool setu_taxii_error_summary(const char *body, size_t len, char *buf, size_t size);

/* A TAXII/STIX timestamp "YYYY-MM-DDTHH:MM:SS[.fraction]Z" as comparable numbers. */
typedef struct setu_taxii_ts {
	int64_t sec; /* seconds since 1970 */
	uint32_t nsec;
} setu_taxii_ts_t;
/* 0 or SETU_EMALFORMED. */
int setu_taxii_ts_parse(const char *s, setu_taxii_ts_t *out);
int setu_taxii_ts_cmp(const setu_taxii_ts_t *a, const setu_taxii_ts_t *b);

/* A status resource in numbers (§4.3.1). */
typedef struct setu_taxii_status_counts {
	bool complete;
	uint64_t total, success, failure, pending;
} setu_taxii_status_counts_t;
/* From a status resource checked by setu_taxii_parse(SETU_TAXII_STATUS, ...). */
void setu_taxii_status_counts(const json_t *status, setu_taxii_status_counts_t *out);

#endif
