/* hub.h — the sharing hub as a library: configuration (hub.yaml), and a server that
 * serves TAXII 2.1 on libmicrohttpd over a store (SQLite by default). `setu hub`
 * (src/cli/ cmd_hub.c) and the hub tests use this API. */
#ifndef SETU_HUB_H
#define SETU_HUB_H

#include "setu/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct setu_hub_config {
	char listen[64];    /* listen address; default 127.0.0.1 */
	uint16_t port;      /* default 9443; 0 = any free port (tests) */
	char database[512]; /* store URI or SQLite path; default setu-hub.db */
	char tls_cert[512]; /* PEM files; both empty = plain HTTP */
	char tls_key[512];
	char title[128];   /* discovery title */
	char api_root[64]; /* API root path segment; default "api1" */
	char api_root_title[128];
	size_t max_content_length;
	unsigned threads;
	/* Push-hint requests that may wait at once (GET /api/changes); 0 = the default,
	 * SETU_HUB_CHANGES_MAX_WAITERS, which is also the most. They hold no HTTP thread,
	 * so this does not depend on threads. Not a hub.yaml key (tests, embedders). */
	unsigned changes_max_waiters;
} setu_hub_config_t;

void setu_hub_config_defaults(setu_hub_config_t *cfg);
/* Read hub.yaml (keys: listen, port, database, tls.cert, tls.key, title, api-root.name,
 * api-root.title, max-content-length, threads); unknown keys are an error. */
int setu_hub_config_load(setu_hub_config_t *cfg, const char *path, setu_diag_t *diag);
/* The same keys from a parsed configuration tree (common/conf.h). */
struct setu_conf;
int setu_hub_config_apply(setu_hub_config_t *cfg, const struct setu_conf *c,
                          setu_diag_t *diag);

typedef struct setu_hub setu_hub_t;

/* Open the store (migrating it) and make sure the API root exists. */
int setu_hub_new(const setu_hub_config_t *cfg, setu_hub_t **out, setu_diag_t *diag);
/* Start listening (thread pool). The port actually bound is setu_hub_port(). */
int setu_hub_start(setu_hub_t *h, setu_diag_t *diag);
uint16_t setu_hub_port(const setu_hub_t *h);
void setu_hub_stop(setu_hub_t *h);
/* Objects were committed to the store by a path other than the HTTP Add Objects request
 * (which signals by itself): push-hint waiters (GET /api/changes) re-read at once
 * instead of at their next periodic re-read. Thread-safe. */
void setu_hub_notify_write(setu_hub_t *h);
/* Push-hint requests waiting now, and waits refused at the cap (tests, stats). */
void setu_hub_changes_stats(setu_hub_t *h, unsigned *waiting, uint64_t *refused);
/* Write requests (Add Objects, audited reads) and the durable commits they took (group
 * commit: several requests share one). */
void setu_hub_write_stats(setu_hub_t *h, uint64_t *commits, uint64_t *requests);
void setu_hub_free(setu_hub_t *h);

#endif
