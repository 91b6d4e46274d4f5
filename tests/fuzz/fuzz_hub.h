/* fuzz_hub.h — harness helper for the hub's fuzz targets (not product code): an
 * in-memory hub with one organisation, one member of the given role holding the given
 * token, and one collection granted read-write to the organisation. Aborts when the
 * store refuses, which only a broken build can cause. */
#ifndef SETU_FUZZ_HUB_H
#define SETU_FUZZ_HUB_H

#include "hub/auth/acl.h"
#include "hub/auth/token.h"
#include "hub/store/store.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct fuzz_hub {
	setu_store_t *store;
	setu_org_t org;
	setu_member_t member;
	setu_collection_t coll;
} fuzz_hub_t;

static inline void fuzz_hub_open(fuzz_hub_t *h, const char *token, setu_role_t role,
                                 bool public_read)
{
	memset(h, 0, sizeof(*h));
	if (setu_store_open(":memory:", &h->store, NULL) != 0)
		abort();
	setu_store_t *s = h->store;
	setu_api_root_t root;
	uint8_t hash[32];
	int64_t tid;
	h->org = (setu_org_t){.name = "fuzz"};
	h->member = (setu_member_t){.name = "fuzzer", .role = role};
	setu_token_hash(token, strlen(token), hash);
	if (s->ops->api_root_ensure(s, "api1", "fuzz", &root) != 0 ||
	    s->ops->org_add(s, &h->org, NULL) != 0)
		abort();
	h->member.org_id = h->org.id;
	if (s->ops->member_add(s, &h->member, NULL) != 0 ||
	    s->ops->token_add(s, h->member.id, hash, &tid) != 0 ||
	    s->ops->collection_add(s, root.id, "c", "", public_read, &h->coll) != 0 ||
	    s->ops->collection_grant(s, h->coll.id, h->org.id, true, true) != 0)
		abort();
}

#endif
