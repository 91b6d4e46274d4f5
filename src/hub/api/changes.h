/* changes.h — the hub's push hint (issue 7, docs/push-hint.md): a long poll,
 * GET /api/changes?collection=<id>&after=<date_added>&wait=<s>[&match[type]=<t,..>],
 * answered 200 as soon as an object the requester may read (THE read check, acl.c, on
 * every row) was added to the collection after `after`, or 204 when `wait` ran out. The
 * answer names no object: the client pulls over TAXII 2.1 (added_after) as usual.
 * Waiters are bounded (503 with Retry-After beyond the cap); the hub's write path wakes
 * them. A wait holds no thread: the handler returns with resp->suspend and is called
 * again (http/server.h) when woken by setu_changes_notify, at its periodic re-read, or at
 * the end of the wait. */
#ifndef SETU_HUB_CHANGES_API_H
#define SETU_HUB_CHANGES_API_H

#include "hub/store/store.h"
#include "hub/taxii/taxii.h"

#include <stdbool.h>

/* The wake-up signal, owned by the hub context (one per hub, no globals). */
typedef struct setu_changes setu_changes_t;

/* max_waiters: requests that may wait at once, at most SETU_HUB_CHANGES_MAX_WAITERS (0:
 * every wait is answered 503). */
setu_changes_t *setu_changes_new(unsigned max_waiters);
/* Call after setu_changes_close() and once no request is in progress. */
void setu_changes_free(setu_changes_t *c);
/* A write was committed (objects may have been added): every waiter re-reads. */
void setu_changes_notify(setu_changes_t *c);
/* The hub is stopping: waiters answer 204 now, new requests 503. */
void setu_changes_close(setu_changes_t *c);
/* The hub listens again (after a stop): waits are admitted again. */
void setu_changes_reopen(setu_changes_t *c);
/* wake(user) is called by setu_changes_notify and setu_changes_close (under the signal's
 * lock: it must take no lock that a thread may hold while it frees a wait state), to
 * resume the suspended waits; wake NULL detaches, after which it is never called. */
void setu_changes_set_waker(setu_changes_t *c, void (*wake)(void *user), void *user);
/* Requests waiting now, and waits refused for the cap (tests, stats). */
void setu_changes_stats(setu_changes_t *c, unsigned *waiting, uint64_t *refused);

/* Store connections are borrowed only for the reads, never held while waiting. */
typedef struct setu_changes_pool {
	setu_store_t *(*checkout)(void *user);
	void (*checkin)(void *user, setu_store_t *s);
	void *user;
} setu_changes_pool_t;

/* Handles /api/changes (returns false for other paths; resp untouched then). *state is
 * NULL on the first call for a request; an admitted wait keeps its state there (free it
 * with setu_changes_state_free when the request ends, whatever happened). When there is
 * nothing to answer yet, resp->suspend is set with resp->wake_after_ms (the next
 * periodic re-read or the end of the wait): call again for the same request then, or
 * sooner once the waker fires. */
bool setu_api_changes_handle(setu_changes_t *c, const setu_changes_pool_t *pool,
                             const setu_http_req_t *req, setu_http_resp_t *resp,
                             void **state);
void setu_changes_state_free(void *state);
/* The same, blocking the calling thread until the answer (callers without a listener
 * that suspends: tests, the fuzz target). Always fills resp when it returns true. */
bool setu_api_changes_http(setu_changes_t *c, const setu_changes_pool_t *pool,
                           const setu_http_req_t *req, setu_http_resp_t *resp);

#endif
