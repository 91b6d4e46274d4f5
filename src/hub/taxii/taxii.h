/* taxii.h — TAXII 2.1 (OASIS CS01) request handling, independent of the HTTP library:
 * http/server.c turns a libmicrohttpd request into a setu_http_req_t, and tests and fuzz
 * targets can call setu_taxii_handle() directly on an in-memory store. */
#ifndef SETU_HUB_TAXII_H
#define SETU_HUB_TAXII_H

#include "hub/auth/acl.h"
#include "hub/store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SETU_TAXII_MEDIA "application/taxii+json;version=2.1"
#define SETU_STIX_MEDIA "application/stix+json;version=2.1"

typedef struct setu_kv {
	const char *key;
	const char *value;
} setu_kv_t;

typedef struct setu_http_req {
	const char *method; /* "GET", "POST", "DELETE", ... */
	const char *path;   /* decoded path, no query */
	const char *accept; /* header values; NULL when absent */
	const char *content_type;
	const char *authorization;
	const char *host;
	bool tls;
	const setu_kv_t *args; /* decoded query arguments, in order */
	size_t n_args;
	bool too_many_args;
	const char *body; /* not NUL-terminated */
	size_t body_len;
	bool body_too_large;
} setu_http_req_t;

typedef struct setu_http_resp {
	int status;
	char *body; /* owned (malloc); may be NULL */
	size_t body_len;
	const char *content_type;      /* static; NULL = none */
	char added_first[SETU_TS_LEN]; /* X-TAXII-Date-Added-First/Last; "" = absent */
	char added_last[SETU_TS_LEN];
	bool www_authenticate;
	const char *allow; /* Allow header for 405 */
	/* Retry-After (RFC 9110 §10.2.3), in seconds; 0 = absent */
	unsigned retry_after_s;
	/* No answer yet (the push hint's long poll): the listener suspends the request,
	 * holding no thread, and calls the handler again for it when woken, after
	 * wake_after_ms at the latest (http/server.h). */
	bool suspend;
	unsigned wake_after_ms;
} setu_http_resp_t;

/* What a handler needs: one store connection (used by one thread at a time) and the
 * server's settings. */
struct setu_writer;

typedef struct setu_taxii {
	setu_store_t *store;
	struct setu_writer
	    *writer;       /* group commit shared by the threads; NULL = write alone */
	const char *title; /* discovery title */
	const char *description;  /* discovery description; may be NULL */
	const char *default_root; /* API root path served as "default" */
	size_t max_content_length;
} setu_taxii_t;

/* Handle one request; always fills resp (errors as TAXII error messages, §3.6.1).
 * Free resp->body with setu_http_resp_clear. */
void setu_taxii_handle(const setu_taxii_t *t, const setu_http_req_t *req,
                       setu_http_resp_t *resp);
void setu_http_resp_clear(setu_http_resp_t *resp);
/* A plain JSON answer (setu's own /api/ endpoints); takes the reference to v. */
void setu_http_resp_json(setu_http_resp_t *resp, int status, json_t *v);

/* ---- internal to src/hub/taxii (shared between its files) ---- */

typedef struct taxii_call {
	const setu_taxii_t *t;
	const setu_http_req_t *req;
	setu_http_resp_t *resp;
	setu_principal_t who;
	const char *seg[8]; /* path segments (pointers into segbuf) */
	size_t nseg;
	setu_api_root_t root;
	setu_collection_t coll;
} taxii_call_t;

/* Fill resp with a TAXII error message; description printf-style. */
void taxii_error(taxii_call_t *c, int status, const char *title, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Serve a jansson value (steals the reference) as application/taxii+json. */
void taxii_json(taxii_call_t *c, int status, json_t *v);
/* Serve a pre-rendered body (taken over). */
void taxii_body(taxii_call_t *c, int status, char *body, size_t len);
/* A query argument's first value, or NULL. */
const char *taxii_arg(const taxii_call_t *c, const char *key);

/* Resolve seg[0] as API root and seg[2] as collection; on failure the error is filled and
 * false returned. need: 'r' read, 'w' write, 0 visibility only. */
bool taxii_load_collection(taxii_call_t *c, int need);
void taxii_acl_ctx(const taxii_call_t *c, setu_acl_ctx_t *ctx);

/* Endpoint handlers (discovery.c, objects.c). */
void taxii_discovery(taxii_call_t *c);
void taxii_api_root(taxii_call_t *c);
void taxii_collections(taxii_call_t *c);
void taxii_collection(taxii_call_t *c);
void taxii_status(taxii_call_t *c);
void taxii_objects_get(taxii_call_t *c);
void taxii_objects_post(taxii_call_t *c);
void taxii_object_get(taxii_call_t *c);
void taxii_object_delete(taxii_call_t *c);
void taxii_versions(taxii_call_t *c);
void taxii_manifest(taxii_call_t *c);

#endif
