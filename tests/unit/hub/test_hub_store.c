/* test_hub_store.c — the SQLite hub store: migrations, administration rows, object
 * versions (first/last flags, idempotent re-add, producer ownership), filters, paging
 * cursor, delete, date_added order; and the RFC 3339 helpers. */
#include "hub/auth/acl.h"
#include "hub/store/migrations.h"
#include "hub/store/store.h"

#include <sqlite3.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_timestamps(void **state)
{
	(void)state;
	int64_t us;
	assert_int_equal(setu_ts_parse("1970-01-01T00:00:00Z", &us), 0);
	assert_int_equal(us, 0);
	assert_int_equal(setu_ts_parse("2026-11-28T10:00:00.123456789Z", &us), 0);
	char buf[SETU_TS_LEN];
	setu_ts_format(us, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-28T10:00:00.123456Z");
	assert_int_equal(setu_ts_parse("2026-11-28T10:00:00.5Z", &us), 0);
	assert_int_equal(us % 1000000, 500000);
	const char *bad[] = {"",
	                     "2026-11-28",
	                     "2026-11-28T10:00:00",
	                     "2026-11-28T10:00:00+01:00",
	                     "2026-02-30T00:00:00Z",
	                     "2026-13-01T00:00:00Z",
	                     "2026-11-28T24:00:00Z",
	                     "2026-11-28T10:00:00.Z",
	                     "2026-11-28T10:00:00ZZ",
	                     "２026-11-28T10:00:00Z"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(setu_ts_parse(bad[i], &us), 0);
	char u[37];
	assert_int_equal(setu_uuid4(u), 0);
	assert_int_equal(strlen(u), 36);
	assert_int_equal(u[14], '4');
}

typedef struct fx {
	setu_store_t *s;
	setu_org_t a, b;
	setu_member_t ma;
	setu_collection_t c;
} fx_t;

static int setup(void **state)
{
	fx_t *f = calloc(1, sizeof(*f));
	setu_diag_t d = {0};
	assert_int_equal(setu_store_open(":memory:", &f->s, &d), 0);
	assert_true(setu_store_sqlite_schema_version(f->s) >= 1);
	setu_api_root_t root;
	assert_int_equal(f->s->ops->api_root_ensure(f->s, "api1", "t", &root), 0);
	snprintf(f->a.name, sizeof(f->a.name), "A");
	snprintf(f->b.name, sizeof(f->b.name), "B");
	assert_int_equal(f->s->ops->org_add(f->s, &f->a, NULL), 0);
	assert_int_equal(f->s->ops->org_add(f->s, &f->b, NULL), 0);
	snprintf(f->ma.name, sizeof(f->ma.name), "alice");
	f->ma.org_id = f->a.id;
	f->ma.role = SETU_ROLE_CONTRIBUTOR;
	assert_int_equal(f->s->ops->member_add(f->s, &f->ma, NULL), 0);
	assert_int_equal(f->s->ops->collection_add(f->s, root.id, "c", "", false, &f->c),
	                 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx_t *f = *state;
	setu_store_close(f->s);
	free(f);
	return 0;
}

static void test_admin_rows(void **state)
{
	fx_t *f = *state;
	setu_diag_t d = {0};
	setu_org_t dup = {0};
	snprintf(dup.name, sizeof(dup.name), "A");
	assert_int_equal(f->s->ops->org_add(f->s, &dup, &d), SETU_EEXIST);
	assert_non_null(strstr(d.msg, "'A'"));
	setu_org_t o;
	assert_int_equal(f->s->ops->org_find(f->s, f->a.identity, &o), 0);
	assert_string_equal(o.name, "A");
	assert_int_equal(f->s->ops->org_find(f->s, "nobody", &o), SETU_ENOENT);
	uint8_t h1[32] = {1}, h2[32] = {2};
	int64_t t1;
	assert_int_equal(f->s->ops->token_add(f->s, f->ma.id, h1, &t1), 0);
	setu_member_t m;
	assert_int_equal(f->s->ops->token_lookup(f->s, h1, &m), 0);
	assert_string_equal(m.name, "alice");
	assert_string_equal(m.org_identity, f->a.identity);
	assert_int_equal(f->s->ops->token_lookup(f->s, h2, &m), SETU_ENOENT);
	assert_int_equal(f->s->ops->token_revoke(f->s, t1), 0);
	assert_int_equal(f->s->ops->token_revoke(f->s, t1), SETU_ENOENT);
	assert_int_equal(f->s->ops->token_lookup(f->s, h1, &m), SETU_ENOENT);
	setu_collection_t c;
	assert_int_equal(f->s->ops->collection_grant(f->s, f->c.id, f->a.id, true, false),
	                 0);
	assert_int_equal(f->s->ops->collection_find(f->s, f->c.uuid, f->a.id, &c), 0);
	assert_true(c.grant_read && !c.grant_write);
	assert_int_equal(f->s->ops->collection_grant(f->s, f->c.id, f->a.id, true, true),
	                 0);
	assert_int_equal(f->s->ops->collection_find(f->s, "c", f->a.id, &c), 0);
	assert_true(c.grant_read && c.grant_write);
	assert_int_equal(f->s->ops->collection_find(f->s, f->c.uuid, f->b.id, &c), 0);
	assert_false(c.grant_read || c.grant_write);
}

static int put(fx_t *f, int64_t org, const char *id, const char *ver, int tlp,
               bool *existed)
{
	int64_t us;
	assert_int_equal(setu_ts_parse(ver, &us), 0);
	char body[256];
	snprintf(body, sizeof(body), "{\"id\":\"%s\",\"modified\":\"%s\"}", id, ver);
	setu_store_obj_t o = {.stix_id = id,
	                      .type = "indicator",
	                      .spec_version = "2.1",
	                      .version_text = ver,
	                      .version_us = us,
	                      .body = body,
	                      .tlp = tlp};
	int rc = f->s->ops->object_put(f->s, f->c.id, org, org == f->a.id ? f->ma.id : 99,
	                               &o, NULL);
	if (existed != NULL)
		*existed = o.existed;
	return rc;
}

typedef struct rows {
	char ids[16][80];
	char vers[16][40];
	int64_t added[16];
	int64_t row[16];
	size_t n;
} rows_t;

static int collect(void *u, const setu_obj_row_t *r)
{
	rows_t *x = u;
	assert_true(x->n < 16);
	snprintf(x->ids[x->n], 80, "%s", r->stix_id);
	snprintf(x->vers[x->n], 40, "%s", r->version_text);
	x->added[x->n] = r->date_added_us;
	x->row[x->n] = r->row;
	x->n++;
	return 0;
}

static void test_versions_and_queries(void **state)
{
	fx_t *f = *state;
	const char *X = "indicator--00000000-0000-4000-8000-000000000001";
	const char *Y = "indicator--00000000-0000-4000-8000-000000000002";
	bool existed;
	assert_int_equal(f->s->ops->begin_write(f->s), 0);
	assert_int_equal(
	    put(f, f->a.id, X, "2026-01-02T00:00:00Z", SETU_HUB_TLP_GREEN, &existed), 0);
	assert_false(existed);
	assert_int_equal(
	    put(f, f->a.id, X, "2026-01-01T00:00:00Z", SETU_HUB_TLP_GREEN, NULL), 0);
	assert_int_equal(
	    put(f, f->a.id, X, "2026-01-03T00:00:00Z", SETU_HUB_TLP_GREEN, NULL), 0);
	assert_int_equal(
	    put(f, f->a.id, X, "2026-01-03T00:00:00Z", SETU_HUB_TLP_GREEN, &existed), 0);
	assert_true(existed); /* identical version: not stored twice */
	assert_int_equal(
	    put(f, f->a.id, Y, "2026-01-01T00:00:00Z", SETU_HUB_TLP_RED, NULL), 0);
	/* Another organisation cannot add a version of A's object. */
	assert_int_equal(
	    put(f, f->b.id, X, "2026-01-04T00:00:00Z", SETU_HUB_TLP_GREEN, NULL),
	    SETU_EPERM);
	assert_int_equal(f->s->ops->commit(f->s), 0);

	setu_principal_t p = {
	    .authenticated = true, .member_id = f->ma.id, .org_id = f->a.id};
	setu_acl_ctx_t acl = {.who = &p, .coll_member = true};
	const char *ids[] = {X};
	setu_obj_query_t q = {.collection_id = f->c.id, .acl = &acl};
	rows_t r = {0};
	bool more;
	assert_int_equal(f->s->ops->object_query(f->s, &q, collect, &r, &more), 0);
	assert_int_equal(r.n, 2); /* latest of X, and Y */
	assert_string_equal(r.vers[0], "2026-01-03T00:00:00Z");
	assert_true(r.added[0] < r.added[1]); /* date_added strictly increasing */
	q.ids = ids;
	q.n_ids = 1;
	q.v_first = true;
	memset(&r, 0, sizeof(r));
	assert_int_equal(f->s->ops->object_query(f->s, &q, collect, &r, &more), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.vers[0], "2026-01-01T00:00:00Z");
	q.v_first = false;
	q.v_all = true;
	q.limit = 2;
	memset(&r, 0, sizeof(r));
	assert_int_equal(f->s->ops->object_query(f->s, &q, collect, &r, &more), 0);
	assert_int_equal(r.n, 2);
	assert_true(more);
	q.has_cursor = true;
	q.cursor_added_us = r.added[1];
	q.cursor_row = r.row[1];
	memset(&r, 0, sizeof(r));
	assert_int_equal(f->s->ops->object_query(f->s, &q, collect, &r, &more), 0);
	assert_int_equal(r.n, 1);
	assert_false(more);
	/* The RED object is invisible to a member who is neither producer nor named. */
	setu_principal_t other = {
	    .authenticated = true, .member_id = 1234, .org_id = f->a.id};
	setu_acl_ctx_t acl2 = {.who = &other, .coll_member = true};
	setu_obj_query_t q2 = {.collection_id = f->c.id, .acl = &acl2};
	memset(&r, 0, sizeof(r));
	assert_int_equal(f->s->ops->object_query(f->s, &q2, collect, &r, &more), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.ids[0], X);
	/* No query without the check. */
	q2.acl = NULL;
	assert_int_equal(f->s->ops->object_query(f->s, &q2, collect, &r, &more),
	                 SETU_EINVAL);

	/* Deleting the latest version makes the previous one the latest. */
	int64_t ts;
	assert_int_equal(setu_ts_parse("2026-01-03T00:00:00Z", &ts), 0);
	setu_obj_query_t qd = {.collection_id = f->c.id,
	                       .ids = ids,
	                       .n_ids = 1,
	                       .v_ts = &ts,
	                       .n_v_ts = 1,
	                       .acl = &acl};
	size_t deleted = 0;
	assert_int_equal(f->s->ops->object_delete(f->s, &qd, &deleted), 0);
	assert_int_equal(deleted, 1);
	setu_obj_query_t ql = {
	    .collection_id = f->c.id, .ids = ids, .n_ids = 1, .acl = &acl};
	memset(&r, 0, sizeof(r));
	assert_int_equal(f->s->ops->object_query(f->s, &ql, collect, &r, &more), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.vers[0], "2026-01-02T00:00:00Z");
	int tlp;
	char rec[64];
	assert_int_equal(
	    f->s->ops->object_marking(f->s, f->c.id, Y, &tlp, rec, sizeof(rec)), 0);
	assert_int_equal(tlp, SETU_HUB_TLP_RED);
	assert_int_equal(
	    f->s->ops->object_marking(f->s, f->c.id, "x--y", &tlp, rec, sizeof(rec)),
	    SETU_ENOENT);
}

static void test_reopen_keeps_schema(void **state)
{
	(void)state;
	char path[] = "/tmp/setu-store-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	setu_store_t *s = NULL;
	assert_int_equal(setu_store_open(path, &s, NULL), 0);
	int v = setu_store_sqlite_schema_version(s);
	setu_org_t o = {.name = "kept"};
	assert_int_equal(s->ops->org_add(s, &o, NULL), 0);
	setu_store_close(s);
	assert_int_equal(setu_store_open(path, &s, NULL),
	                 0); /* migrations not re-applied */
	assert_int_equal(setu_store_sqlite_schema_version(s), v);
	assert_int_equal(s->ops->org_find(s, "kept", &o), 0);
	setu_store_close(s);
	setu_diag_t d = {0};
	assert_int_equal(setu_store_open("postgres://x", &s, &d), SETU_EUNSUPPORTED);
	assert_int_equal(setu_store_open("/nonexistent-dir/x/y.db", &s, &d), SETU_EDB);
	assert_non_null(strstr(d.msg, "cannot open"));
	char extra[64];
	snprintf(extra, sizeof(extra), "%s-wal", path);
	unlink(extra);
	snprintf(extra, sizeof(extra), "%s-shm", path);
	unlink(extra);
	unlink(path);
}

/* A database made by an older setu (only 001 applied) is brought up to date on open. */
static void test_upgrade_from_001(void **state)
{
	(void)state;
	assert_true(setu_hub_migrations_count >= 2);
	for (size_t i = 1; i < setu_hub_migrations_count; i++)
		assert_true(setu_hub_migrations[i].version >
		            setu_hub_migrations[i - 1].version);
	char path[] = "/tmp/setu-store-old-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "CREATE TABLE schema_version(version INTEGER PRIMARY KEY, "
	                 "name TEXT NOT NULL, applied_us INTEGER NOT NULL);"
	                 "INSERT INTO schema_version VALUES(1, '001_init.sql', 0);",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, setu_hub_migrations[0].sql, NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO orgs(name, identity_id, created_us) "
	                              "VALUES('old', 'identity--x', 0)",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	setu_store_t *s = NULL;
	assert_int_equal(setu_store_open(path, &s, NULL), 0);
	assert_int_equal(setu_store_sqlite_schema_version(s),
	                 setu_hub_migrations[setu_hub_migrations_count - 1].version);
	setu_org_t o;
	assert_int_equal(s->ops->org_find(s, "old", &o), 0); /* data kept */
	setu_store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "SELECT count(*) FROM object_refs", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	char extra[64];
	snprintf(extra, sizeof(extra), "%s-wal", path);
	unlink(extra);
	snprintf(extra, sizeof(extra), "%s-shm", path);
	unlink(extra);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timestamps),
	    cmocka_unit_test_setup_teardown(test_admin_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_versions_and_queries, setup, teardown),
	    cmocka_unit_test(test_reopen_keeps_schema),
	    cmocka_unit_test(test_upgrade_from_001),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
