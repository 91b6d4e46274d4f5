/* test_federation_store.c — the store's federation operations (store.h, migration
 * 003_federation.sql): peers, agreements and their uniqueness, sync state, the transfer
 * trail (filters, order, limit), landing-collection readers, and the peer read path
 * (no offer agreement = nothing; the transfer trail written by the read). */
#include "hub/auth/acl.h"
#include "hub/store/store.h"
#include "hub/sync/policy.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct env {
	char dir[64], db[128];
	setu_store_t *s;
	setu_api_root_t root;
	setu_collection_t c1, c2;
	setu_org_t local, partner;
	setu_peer_t peer;
} env_t;

static int setup(void **state)
{
	env_t *e = calloc(1, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "/tmp/setu-fedstore-XXXXXX");
	if (e == NULL || mkdtemp(e->dir) == NULL)
		return -1;
	snprintf(e->db, sizeof(e->db), "%s/hub.db", e->dir);
	setu_diag_t d = {0};
	if (setu_store_open(e->db, &e->s, &d) != 0)
		return -1;
	setu_store_t *s = e->s;
	snprintf(e->local.name, sizeof(e->local.name), "cert");
	snprintf(e->partner.name, sizeof(e->partner.name), "partner");
	if (s->ops->api_root_ensure(s, "api1", "t", &e->root) ||
	    s->ops->collection_add(s, e->root.id, "one", "", false, &e->c1) ||
	    s->ops->collection_add(s, e->root.id, "two", "", false, &e->c2) ||
	    s->ops->org_add(s, &e->local, NULL) || s->ops->org_add(s, &e->partner, NULL))
		return -1;
	e->peer = (setu_peer_t){.enabled = true, .org_id = e->partner.id};
	snprintf(e->peer.name, sizeof(e->peer.name), "p1");
	snprintf(e->peer.url, sizeof(e->peer.url), "http://127.0.0.1:1/api1/");
	snprintf(e->peer.token, sizeof(e->peer.token), "tok");
	if (s->ops->peer_add(s, &e->peer, NULL) != 0)
		return -1;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	env_t *e = *state;
	setu_store_close(e->s);
	char p[200];
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", e->db, sfx[i]);
		unlink(p);
	}
	rmdir(e->dir);
	free(e);
	return 0;
}

static void test_schema_and_peers(void **state)
{
	env_t *e = *state;
	setu_store_t *s = e->s;
	assert_true(setu_store_sqlite_schema_version(s) >= 3);
	setu_peer_t p;
	assert_int_equal(s->ops->peer_find(s, "p1", &p), 0);
	assert_string_equal(p.url, "http://127.0.0.1:1/api1/");
	assert_string_equal(p.token, "tok");
	assert_string_equal(p.org_identity, e->partner.identity);
	assert_true(p.enabled);
	assert_int_equal(s->ops->peer_find(s, "nope", &p), SETU_ENOENT);
	/* Same name, or the same organisation standing for two peers: refused. */
	setu_peer_t dup = e->peer;
	setu_diag_t d = {0};
	assert_int_equal(s->ops->peer_add(s, &dup, &d), SETU_EEXIST);
	snprintf(dup.name, sizeof(dup.name), "p2");
	assert_int_equal(s->ops->peer_add(s, &dup, &d), SETU_EEXIST);
	assert_int_equal(s->ops->peer_enable(s, e->peer.id, false), 0);
	assert_int_equal(s->ops->peer_find(s, "p1", &p), 0);
	assert_false(p.enabled);
	assert_int_equal(s->ops->peer_enable(s, 9999, false), SETU_ENOENT);
}

static void test_agreements_and_state(void **state)
{
	env_t *e = *state;
	setu_store_t *s = e->s;
	setu_agreement_t a;
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "pull1");
	a.peer_id = e->peer.id;
	a.direction = SETU_SYNC_PULL;
	a.max_tlp = SETU_HUB_TLP_AMBER;
	snprintf(a.types, sizeof(a.types), ",indicator,");
	a.local_collection_id = e->c1.id;
	snprintf(a.remote_collection, sizeof(a.remote_collection), "remote-1");
	assert_int_equal(s->ops->agreement_add(s, &a, NULL), 0);
	setu_agreement_t again = a;
	snprintf(again.name, sizeof(again.name), "pull1-again"); /* same scope */
	setu_diag_t d = {0};
	assert_int_equal(s->ops->agreement_add(s, &again, &d), SETU_EEXIST);
	/* Never synced: ENOENT with the keys set. */
	setu_sync_state_t st;
	assert_int_equal(s->ops->sync_state_get(s, a.id, "remote-1", &st), SETU_ENOENT);
	assert_int_equal(st.agreement_id, a.id);
	assert_string_equal(st.collection, "remote-1");
	snprintf(st.bookmark, sizeof(st.bookmark), "2026-01-01T00:00:00.000001Z");
	st.failures = 3;
	st.received = 42;
	snprintf(st.last_error, sizeof(st.last_error), "boom");
	assert_int_equal(s->ops->sync_state_put(s, &st), 0);
	setu_sync_state_t got;
	assert_int_equal(s->ops->sync_state_get(s, a.id, "remote-1", &got), 0);
	assert_string_equal(got.bookmark, st.bookmark);
	assert_int_equal(got.failures, 3);
	assert_int_equal(got.received, 42);
	assert_string_equal(got.last_error, "boom");
}

typedef struct seen {
	int n;
	char first[64];
	int64_t last_at;
	bool ordered;
} seen_t;

static int on_transfer(void *u, const setu_transfer_t *t)
{
	seen_t *x = u;
	if (x->n == 0)
		snprintf(x->first, sizeof(x->first), "%s", t->object_id);
	else if (t->at_us > x->last_at)
		x->ordered = false;
	x->last_at = t->at_us;
	x->n++;
	return 0;
}

static void test_transfers_and_readers(void **state)
{
	env_t *e = *state;
	setu_store_t *s = e->s;
	for (int i = 0; i < 5; i++) {
		char id[64];
		snprintf(id, sizeof(id), "indicator--%d", i);
		setu_transfer_t t = {.at_us = 1000 + i,
		                     .direction = "in",
		                     .peer_id = e->peer.id,
		                     .object_id = id,
		                     .tlp = SETU_HUB_TLP_GREEN,
		                     .outcome = "stored"};
		assert_int_equal(s->ops->transfer_add(s, &t), 0);
	}
	seen_t x = {.ordered = true};
	assert_int_equal(s->ops->transfer_list(s, 0, 0, on_transfer, &x), 0);
	assert_int_equal(x.n, 5);
	assert_string_equal(x.first, "indicator--4"); /* newest first */
	assert_true(x.ordered);
	x = (seen_t){.ordered = true};
	assert_int_equal(s->ops->transfer_list(s, e->peer.id, 2, on_transfer, &x), 0);
	assert_int_equal(x.n, 2);
	x = (seen_t){.ordered = true};
	assert_int_equal(s->ops->transfer_list(s, 9999, 0, on_transfer, &x), 0);
	assert_int_equal(x.n, 0);
	/* Readers of a landing collection: local organisations only. */
	assert_int_equal(s->ops->collection_grant(s, e->c2.id, e->local.id, true, false),
	                 0);
	assert_int_equal(
	    s->ops->collection_grant(s, e->c2.id, e->partner.id, true, false), 0);
	char rec[256];
	assert_int_equal(s->ops->collection_readers(s, e->c2.id, rec, sizeof(rec)), 0);
	char want[64];
	snprintf(want, sizeof(want), ",o%lld,", (long long)e->local.id);
	assert_string_equal(rec, want);
	char tiny[4];
	assert_int_equal(s->ops->collection_readers(s, e->c2.id, tiny, sizeof(tiny)),
	                 SETU_ELIMIT);
}

static int count_row(void *u, const setu_obj_row_t *r)
{
	(void)r;
	(*(int *)u)++;
	return 0;
}

/* The peer read path: a member of the partner's organisation reading c1. */
static void test_peer_reads(void **state)
{
	env_t *e = *state;
	setu_store_t *s = e->s;
	assert_int_equal(s->ops->peer_enable(s, e->peer.id, true), 0);
	assert_int_equal(s->ops->collection_grant(s, e->c1.id, e->local.id, true, true),
	                 0);
	assert_int_equal(
	    s->ops->collection_grant(s, e->c1.id, e->partner.id, true, false), 0);
	char by_partner[200], by_local[200];
	snprintf(by_partner, sizeof(by_partner),
	         "{\"type\":\"indicator\",\"id\":\"indicator--d\",\"created_by_ref\":"
	         "\"%s\"}",
	         e->partner.identity);
	snprintf(by_local, sizeof(by_local),
	         "{\"type\":\"indicator\",\"id\":\"indicator--e\",\"created_by_ref\":"
	         "\"%s\"}",
	         e->local.identity);
	const char *by_outsider =
	    "{\"type\":\"indicator\",\"id\":\"indicator--c\",\"created_by_ref\":"
	    "\"identity--00000000-0000-4000-8000-000000000000\"}";
	const char *bodies[5] = {"{\"type\":\"indicator\",\"id\":\"indicator--a\"}",
	                         "{\"type\":\"indicator\",\"id\":\"indicator--b\"}",
	                         by_outsider, NULL, NULL};
	bodies[3] = by_partner;
	bodies[4] = by_local;
	const char *ids[5] = {"indicator--a", "indicator--b", "indicator--c",
	                      "indicator--d", "indicator--e"};
	int tlps[5] = {SETU_HUB_TLP_GREEN, SETU_HUB_TLP_RED, SETU_HUB_TLP_GREEN,
	               SETU_HUB_TLP_GREEN, SETU_HUB_TLP_GREEN};
	assert_int_equal(s->ops->begin_write(s), 0);
	for (int i = 0; i < 5; i++) {
		setu_store_obj_t o = {.stix_id = ids[i],
		                      .type = "indicator",
		                      .spec_version = "2.1",
		                      .version_text = "2026-01-01T00:00:00Z",
		                      .version_us = 1,
		                      .body = bodies[i],
		                      .tlp = tlps[i]};
		assert_int_equal(
		    s->ops->object_put(s, e->c1.id, e->local.id, 0, &o, NULL), 0);
	}
	assert_int_equal(s->ops->commit(s), 0);
	setu_principal_t who = {
	    .authenticated = true, .member_id = 77, .org_id = e->partner.id};
	setu_acl_ctx_t acl = {.who = &who, .coll_member = true};
	setu_obj_query_t q = {.collection_id = e->c1.id, .acl = &acl};
	int n = 0;
	bool more;
	/* No offer agreement yet: nothing, although the partner has a read grant. */
	assert_int_equal(s->ops->object_query(s, &q, count_row, &n, &more), 0);
	assert_int_equal(n, 0);
	setu_agreement_t a;
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "offer1");
	a.peer_id = e->peer.id;
	a.direction = SETU_SYNC_OFFER;
	a.max_tlp = SETU_HUB_TLP_AMBER;
	a.local_collection_id = e->c1.id;
	assert_int_equal(s->ops->agreement_add(s, &a, NULL), 0);
	n = 0;
	assert_int_equal(s->ops->object_query(s, &q, count_row, &n, &more), 0);
	/* a and e (local); not RED b, not c and d (created_by_ref: an outsider, the
	 * partner's own organisation). */
	assert_int_equal(n, 2);
	seen_t x = {.ordered = true};
	assert_int_equal(s->ops->transfer_list(s, e->peer.id, 0, on_transfer, &x), 0);
	assert_int_equal(x.n, 2);
	/* A local reader is not affected. */
	setu_principal_t me = {
	    .authenticated = true, .member_id = 1, .org_id = e->local.id};
	setu_acl_ctx_t acl2 = {.who = &me, .coll_member = true};
	q.acl = &acl2;
	n = 0;
	assert_int_equal(s->ops->object_query(s, &q, count_row, &n, &more), 0);
	assert_int_equal(n, 4); /* the GREEN ones; RED only to named members */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_schema_and_peers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_agreements_and_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transfers_and_readers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_peer_reads, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
