/* hub.c — the hub server: a pool of store connections (one per HTTP worker at a time) in
 * front of the TAXII 2.1 handler, behind the libmicrohttpd listener. */
#include "hub/hub.h"

#include "common/limits.h"

#include "hub/http/server.h"
#include "hub/store/store.h"
#include "hub/store/writer.h"
#include "hub/api/changes.h"
#include "hub/api/sightings.h"
#include "hub/sync/sync.h"
#include "hub/taxii/taxii.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct setu_hub {
	setu_hub_config_t cfg;
	setu_store_t **pool; /* owned connections */
	size_t pool_size;
	setu_store_t **idle; /* stack of idle connections */
	size_t n_idle;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	setu_http_server_t *http;
	setu_writer_t *writer;   /* group commit across the HTTP threads */
	setu_changes_t *changes; /* push hint: waiters woken by every committed write */
};

static setu_store_t *checkout(setu_hub_t *h)
{
	pthread_mutex_lock(&h->mu);
	while (h->n_idle == 0)
		pthread_cond_wait(&h->cv, &h->mu);
	setu_store_t *s = h->idle[--h->n_idle];
	pthread_mutex_unlock(&h->mu);
	return s;
}

static void checkin(setu_hub_t *h, setu_store_t *s)
{
	pthread_mutex_lock(&h->mu);
	h->idle[h->n_idle++] = s;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

static setu_store_t *pool_checkout(void *user)
{
	return checkout(user);
}

static void pool_checkin(void *user, setu_store_t *s)
{
	checkin(user, s);
}

static void handle(void *user, const setu_http_req_t *req, setu_http_resp_t *resp,
                   setu_http_slot_t *slot)
{
	setu_hub_t *h = user;
	/* /api/changes: the push hint borrows connections only to read; while it waits
	 * its request is suspended by the listener and holds no thread */
	const setu_changes_pool_t pool = {pool_checkout, pool_checkin, h};
	slot->free_state = setu_changes_state_free;
	if (setu_api_changes_handle(h->changes, &pool, req, resp, &slot->state))
		return;
	setu_store_t *s = checkout(h);
	setu_taxii_t t = {.store = s,
	                  .writer = h->writer,
	                  .title = h->cfg.title,
	                  .default_root = h->cfg.api_root,
	                  .max_content_length = h->cfg.max_content_length};
	/* /api/sync/: federation status (sync.h); /api/sightings/: aggregated sightings
	 */
	if (!setu_sync_http(s, req, resp) &&
	    !setu_api_sightings_http(s, h->cfg.api_root, req, resp))
		setu_taxii_handle(&t, req, resp);
	checkin(h, s);
	/* Add Objects answers 202 only after its commit (envelope.c): wake the waiters */
	if (resp->status == 202 && strcmp(req->method, "POST") == 0)
		setu_changes_notify(h->changes);
}

/* setu_changes_notify/close → resume the suspended push-hint requests (called under
 * the signal's lock, attached only while h->http lives). */
static void wake_waiters(void *user)
{
	setu_hub_t *h = user;
	setu_http_server_wake_all(h->http);
}

void setu_hub_notify_write(setu_hub_t *h)
{
	setu_changes_notify(h->changes);
}

void setu_hub_changes_stats(setu_hub_t *h, unsigned *waiting, uint64_t *refused)
{
	setu_changes_stats(h->changes, waiting, refused);
}

int setu_hub_new(const setu_hub_config_t *cfg, setu_hub_t **out, setu_diag_t *diag)
{
	*out = NULL;
	setu_hub_t *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	h->cfg = *cfg;
	h->pool_size = (cfg->threads > 0 ? cfg->threads : 1) + 1;
	h->pool = calloc(h->pool_size, sizeof(*h->pool));
	h->idle = calloc(h->pool_size, sizeof(*h->idle));
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->writer = setu_writer_new();
	/* push-hint waiters hold no HTTP thread: the cap is its own (limits.h) */
	h->changes =
	    setu_changes_new(cfg->changes_max_waiters > 0 ? cfg->changes_max_waiters
	                                                  : SETU_HUB_CHANGES_MAX_WAITERS);
	int rc =
	    h->pool != NULL && h->idle != NULL && h->writer != NULL && h->changes != NULL
	        ? 0
	        : SETU_ENOMEM;
	for (size_t i = 0; rc == 0 && i < h->pool_size; i++) {
		rc = setu_store_open(cfg->database, &h->pool[i], diag);
		if (rc == 0)
			h->idle[h->n_idle++] = h->pool[i];
	}
	if (rc == 0) {
		setu_api_root_t root;
		rc = h->pool[0]->ops->api_root_ensure(h->pool[0], cfg->api_root,
		                                      cfg->api_root_title, &root);
		if (rc != 0)
			setu_diag_set(diag, rc, "store: cannot create API root '%s'",
			              cfg->api_root);
	}
	if (rc != 0) {
		setu_hub_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

int setu_hub_start(setu_hub_t *h, setu_diag_t *diag)
{
	setu_http_opts_t o = {.listen = h->cfg.listen,
	                      .port = h->cfg.port,
	                      .threads = h->cfg.threads,
	                      .max_body = h->cfg.max_content_length,
	                      .tls_cert = h->cfg.tls_cert[0] ? h->cfg.tls_cert : NULL,
	                      .tls_key = h->cfg.tls_key[0] ? h->cfg.tls_key : NULL};
	int rc = setu_http_server_start(&o, handle, h, &h->http, diag);
	if (rc != 0)
		return rc;
	setu_changes_set_waker(h->changes, wake_waiters, h);
	setu_changes_reopen(h->changes);
	return 0;
}

uint16_t setu_hub_port(const setu_hub_t *h)
{
	return h->http != NULL ? setu_http_server_port(h->http) : 0;
}

void setu_hub_write_stats(setu_hub_t *h, uint64_t *commits, uint64_t *requests)
{
	setu_writer_stats(h->writer, commits, requests);
}

void setu_hub_stop(setu_hub_t *h)
{
	/* waiting push hints answer 204 now (close wakes them), new ones 503; then the
	 * listener is detached from the signal, and its stop lets the resumed requests
	 * answer before libmicrohttpd stops */
	if (h->http != NULL) {
		setu_changes_close(h->changes);
		setu_changes_set_waker(h->changes, NULL, NULL);
	}
	setu_http_server_stop(h->http);
	h->http = NULL;
}

void setu_hub_free(setu_hub_t *h)
{
	if (h == NULL)
		return;
	setu_hub_stop(h);
	for (size_t i = 0; h->pool != NULL && i < h->pool_size; i++)
		setu_store_close(h->pool[i]);
	free(h->pool);
	free(h->idle);
	setu_writer_free(h->writer);
	setu_changes_free(h->changes);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	free(h);
}
