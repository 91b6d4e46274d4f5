/* internal.h — shared by the files of src/taxii (not part of the client's API): the
 * client's state and its one HTTP exchange (TAXII 2.1 §1.6 HTTP, §3.5 headers). */
#ifndef SETU_TAXII_INTERNAL_H
#define SETU_TAXII_INTERNAL_H

#include "common/buf.h"
#include "taxii/taxii.h"

#include <curl/curl.h>
#include <stdatomic.h>

struct setu_taxii_client {
	CURL *curl;        /* owned; one handle, reused so connections stay alive */
	char *url;         /* owned; the config URL without user:password@ */
	char *auth_header; /* owned; "Authorization: Bearer …"; NULL = none */
	char *user;        /* owned; Basic auth; NULL = none */
	char *password;    /* owned */
	char *ca_file;     /* owned; NULL = system CAs only */
	bool insecure;
	bool fresh_connections;
	long connect_timeout_ms, timeout_ms;
	unsigned max_retries, backoff_initial_ms, backoff_max_ms;
	size_t max_response_bytes;
	uint64_t rng; /* xorshift state for backoff jitter */
	long last_status;
	uint64_t n_requests, n_retries, n_errors, n_bytes_in, n_objects;

	/* The response being received (reset per attempt). */
	setu_buf_t body; /* max = max_response_bytes */
	char date_first[SETU_TAXII_TS_MAX];
	char date_last[SETU_TAXII_TS_MAX];
	bool date_bad; /* a date header too long to keep */
	unsigned retry_after_s;
	char errbuf[CURL_ERROR_SIZE]; /* curl's message for the last attempt */
	const atomic_bool *abort;     /* borrowed; true = end requests and retries now */
};

/* What an exchange reports besides the parsed body. */
typedef struct taxii_meta {
	long status;
	char date_first[SETU_TAXII_TS_MAX]; /* validated timestamps, "" = absent */
	char date_last[SETU_TAXII_TS_MAX];
} taxii_meta_t;

/* One request with retries. method "GET", "POST" or "DELETE"; body for POST. On a 2xx
 * with a body, the body must be TAXII media and parse as `kind` into *out (out NULL:
 * the body is ignored). Fills diag with the one-line error on failure. */
int taxii_exchange(setu_taxii_client_t *c, const char *method, const char *url,
                   const char *body, size_t body_len, setu_taxii_kind_t kind,
                   json_t **out, taxii_meta_t *meta, setu_diag_t *diag);

/* api_root (absolute, relative to the config URL, or NULL) + escaped path segments,
 * each followed by '/', + the filter's query (f may be NULL). 0 and *url (malloc'd), or
 * an error with diag. */
int taxii_url(setu_taxii_client_t *c, const char *api_root, const char *const *segs,
              size_t nseg, const setu_taxii_filter_t *f, char **url, setu_diag_t *diag);

/* One response header line as libcurl hands it (not NUL-terminated, CRLF included):
 * keeps X-TAXII-Date-Added-First/Last and Retry-After in c. */
void taxii_header_line(setu_taxii_client_t *c, const char *line, size_t n);

/* Sleep ms milliseconds (restarted after signals). */
void taxii_sleep_ms(unsigned ms);
/* True when the client was told to give up (setu_taxii_client_set_abort). */
bool taxii_aborted(const setu_taxii_client_t *c);

#endif
