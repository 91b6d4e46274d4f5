/* hub_fixture.h — test helpers: a hub on a fresh SQLite file in a temp dir, started on
 * 127.0.0.1 with a random free port, plus a libcurl client for TAXII requests. */
#ifndef SETU_TESTS_HUB_FIXTURE_H
#define SETU_TESTS_HUB_FIXTURE_H

#include "hub/auth/token.h"
#include "hub/hub.h"
#include "hub/store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hubfx {
	char dir[256];
	char db[320];
	setu_store_t *store; /* admin connection (the CLI's view) */
	setu_hub_t *hub;
	setu_hub_config_t cfg;
	uint16_t port;
	char base[64]; /* "http://127.0.0.1:PORT" */
} hubfx_t;

int hubfx_init(hubfx_t *fx, size_t max_body);
void hubfx_free(hubfx_t *fx);
int hubfx_start(hubfx_t *fx);

/* Admin helpers; return 0 on success. identity may be NULL. */
int hubfx_org(hubfx_t *fx, const char *name, char *identity, size_t size);
/* A member of org with a fresh token (SETU_TOKEN_LEN + 1 bytes). */
int hubfx_member(hubfx_t *fx, const char *org, const char *name, int role, char *token,
                 setu_member_t *m);
int hubfx_collection(hubfx_t *fx, const char *title, bool is_public, char uuid[40]);
int hubfx_grant(hubfx_t *fx, const char *coll_uuid, const char *org, bool r, bool w);

typedef struct hubres {
	long status;
	char *body; /* NUL-terminated */
	size_t len;
	char ctype[160];
	char added_first[64];
	char added_last[64];
	char retry_after[16]; /* Retry-After; "" = absent */
	bool www_auth;
	json_t *json; /* parsed body, or NULL */
} hubres_t;

/* One request. path includes the query. token NULL = anonymous; a
 * token starting with "Basic " or "Bearer " is sent as the whole header value. accept
 * NULL = TAXII 2.1;
 * "" = no Accept header. ctype NULL = TAXII 2.1 when a body is given. */
int hubfx_req(hubfx_t *fx, const char *method, const char *path, const char *token,
              const char *accept, const char *ctype, const char *body, hubres_t *out);
void hubres_free(hubres_t *r);

#endif
