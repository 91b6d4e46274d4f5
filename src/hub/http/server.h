/* server.h — the hub's HTTP/1.1 listener on libmicrohttpd (thread pool, optional TLS,
 * request body limit, requests suspended without holding a thread). It knows nothing of
 * TAXII: it hands each complete request to a handler as a setu_http_req_t and sends back
 * the setu_http_resp_t it fills. */
#ifndef SETU_HUB_HTTP_SERVER_H
#define SETU_HUB_HTTP_SERVER_H

#include "hub/taxii/taxii.h"
#include "setu/error.h"

#include <stddef.h>
#include <stdint.h>

/* What the listener keeps for one request between calls of its handler. A handler that
 * has no answer yet sets resp->suspend (and resp->wake_after_ms) and leaves its state
 * here: the listener suspends the request (libmicrohttpd suspend/resume: no pool thread
 * is held) and calls the handler again with the same slot when woken
 * (setu_http_server_wake_all) or when wake_after_ms has passed. The listener calls
 * free_state(state) once, when the request ends for any reason (answered, client gone,
 * server stopped). */
typedef struct setu_http_slot {
	void *state;
	void (*free_state)(void *state);
} setu_http_slot_t;

typedef void (*setu_http_handler_fn)(void *user, const setu_http_req_t *req,
                                     setu_http_resp_t *resp, setu_http_slot_t *slot);

typedef struct setu_http_opts {
	const char *listen; /* IPv4 or IPv6 literal */
	uint16_t port;      /* 0 = any free port */
	unsigned threads;
	size_t max_body;      /* larger bodies are answered 413 without being read */
	const char *tls_cert; /* PEM files, or NULL */
	const char *tls_key;
} setu_http_opts_t;

typedef struct setu_http_server setu_http_server_t;

int setu_http_server_start(const setu_http_opts_t *o, setu_http_handler_fn fn, void *user,
                           setu_http_server_t **out, setu_diag_t *diag);
uint16_t setu_http_server_port(const setu_http_server_t *s);
/* Every suspended request runs its handler again now; a handler that is running now and
 * asks to suspend is called again at once instead (no wake-up is lost). Thread-safe;
 * takes only the listener's own lock (never one of libmicrohttpd's). */
void setu_http_server_wake_all(setu_http_server_t *s);
/* Requests suspended now (tests, stats). */
unsigned setu_http_server_suspended(setu_http_server_t *s);
/* Wakes every suspended request and lets it answer (bounded by
 * SETU_HUB_HTTP_STOP_DRAIN_MS) before libmicrohttpd stops; then frees s. A handler that
 * asks to suspend once the stop began is answered 503. */
void setu_http_server_stop(setu_http_server_t *s);

#endif
