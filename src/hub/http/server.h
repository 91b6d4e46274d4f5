/* server.h — the hub's HTTP/1.1 listener on libmicrohttpd (thread pool, optional TLS,
 * request body limit). It knows nothing of TAXII: it hands each complete request to a
 * handler as a setu_http_req_t and sends back the setu_http_resp_t it fills. */
#ifndef SETU_HUB_HTTP_SERVER_H
#define SETU_HUB_HTTP_SERVER_H

#include "hub/taxii/taxii.h"
#include "setu/error.h"

#include <stddef.h>
#include <stdint.h>

typedef void (*setu_http_handler_fn)(void *user, const setu_http_req_t *req,
                                     setu_http_resp_t *resp);

typedef struct setu_http_opts {
	const char *listen; /* IPv4 or IPv6 literal */
	uint16_t port;      /* 0 = any free port */
	unsigned threads;
	size_t max_body;      /* larger bodies are answered 413 without being read */
	const char *tls_cert; /* PEM file names, or NULL */
	const char *tls_key;
} setu_http_opts_t;

typedef struct setu_http_server setu_http_server_t;

int setu_http_server_start(const setu_http_opts_t *o, setu_http_handler_fn fn, void *user,
                           setu_http_server_t **out, setu_diag_t *diag);
uint16_t setu_http_server_port(const setu_http_server_t *s);
void setu_http_server_stop(setu_http_server_t *s);

#endif
