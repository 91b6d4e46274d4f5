/* fed_fixture.h — federation test helpers: hubs on 127.0.0.1 (hub_fixture.h) each with a
 * local organisation, a shared collection and a landing collection, linked as partners
 * (peers, tokens, agreements) through the store API the CLI uses. */
#ifndef SETU_TESTS_FED_FIXTURE_H
#define SETU_TESTS_FED_FIXTURE_H

#include "hub/sync/sync.h"
#include "hub_fixture.h"

#include <stdbool.h>

typedef struct fedhub {
	hubfx_t fx;
	char name[32];
	char org[48]; /* "<name>-cert", the local organisation */
	char org_identity[64];
	char share[40]; /* collection the local organisation writes and offers */
	char
	    landing[40]; /* where pulled objects land (the local organisation reads it) */
	char writer[SETU_TOKEN_LEN + 1]; /* contributor of org */
	char reader[SETU_TOKEN_LEN + 1]; /* reader of org */
	char admin[SETU_TOKEN_LEN + 1];  /* admin of org */
	setu_member_t writer_m;
} fedhub_t;

/* Create and start a hub named name. 0 on success. */
int fed_hub_init(fedhub_t *h, const char *name);
void fed_hub_free(fedhub_t *h);

/* Make `client` a partner of `server` both ways: on server an organisation named
 * client->name with a reader token, on client a peer named server->name whose URL is
 * server's API root and whose token is that one. */
int fed_link(fedhub_t *server, fedhub_t *client);
/* The identity of the organisation that stands for `partner` on hub h. */
int fed_peer_identity(fedhub_t *h, const char *partner, char *out, size_t size);

int fed_offer(fedhub_t *server, const char *partner, const char *name, const char *coll,
              int max_tlp, const char *types, bool third_party);
int fed_pull(fedhub_t *client, const char *partner, const char *name,
             const char *remote_coll, const char *landing, int max_tlp, const char *types,
             bool third_party);

/* A STIX object (malloc'd JSON text) of type "indicator" or "malware", marked with tlp
 * (SETU_HUB_TLP_*, UNMARKED = no marking), optionally created_by_ref and naming one
 * recipient organisation and/or member (setu TLP extension); its id into id_out. */
char *fed_object(const char *type, int tlp, const char *created_by, const char *rec_org,
                 const char *rec_user, char id_out[64]);

/* POST objects (a JSON array text) to coll with h's writer; 0 when all succeeded. */
int fed_post(fedhub_t *h, const char *coll, const char *objects);
/* The ids of the objects of coll that token sees (GET, all pages), as a JSON array. */
json_t *fed_ids(fedhub_t *h, const char *coll, const char *token);
bool fed_has(const json_t *ids, const char *id);

/* One sync round on h (its admin store connection); fills rep. */
int fed_sync(fedhub_t *h, setu_sync_report_t *rep);

#endif
