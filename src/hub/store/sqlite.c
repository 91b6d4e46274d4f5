/* sqlite.c — the hub store on SQLite 3 (WAL, synchronous=FULL so a commit is durable
 * before the hub acknowledges it), with prepared statements and numbered migrations.
 * One setu_store_t is one connection: the hub keeps one per HTTP worker thread. */
#include "common/limits.h"
#include "hub/store/migrations.h"
#include "hub/store/store.h"
#include "hub/sync/policy.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The statements prepared once per connection. */
enum {
	ST_ORG_ADD,
	ST_ORG_FIND,
	ST_MEMBER_ADD,
	ST_MEMBER_FIND,
	ST_TOKEN_ADD,
	ST_TOKEN_REVOKE,
	ST_TOKEN_LOOKUP,
	ST_ROOT_ADD,
	ST_ROOT_FIND,
	ST_ROOT_LIST,
	ST_COLL_ADD,
	ST_COLL_GRANT,
	ST_COLL_FIND,
	ST_COLL_LIST,
	ST_OBJ_RANGE,
	ST_OBJ_INSERT,
	ST_OBJ_CLEAR_LAST,
	ST_OBJ_CLEAR_FIRST,
	ST_OBJ_MARKING,
	ST_REF_ADD,
	ST_REF_SRC,
	ST_OBJ_RELEVEL,
	ST_OBJ_DELETE,
	ST_OBJ_REFLAG,
	ST_CLOCK_GET,
	ST_CLOCK_SET,
	ST_STATUS_PUT,
	ST_STATUS_GET,
	ST_AUDIT_ADD,
	ST_AUDIT_COUNT,
	ST_AUDIT_COUNT_ALL,
	ST_PEER_ADD,
	ST_PEER_FIND,
	ST_PEER_LIST,
	ST_PEER_ENABLE,
	ST_AGR_ADD,
	ST_AGR_LIST,
	ST_SYNC_GET,
	ST_SYNC_PUT,
	ST_SYNC_LIST,
	ST_XFER_ADD,
	ST_XFER_LIST,
	ST_COLL_READERS,
	ST_PEER_OF_ORG,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_ORG_ADD] = "INSERT INTO orgs(name, sector, country, identity_id, created_us) "
                   "VALUES(?1, ?2, ?3, ?4, ?5)",
    [ST_ORG_FIND] = "SELECT id, name, sector, country, identity_id FROM orgs "
                    "WHERE name = ?1 OR identity_id = ?1",
    [ST_MEMBER_ADD] = "INSERT INTO members(org_id, name, role, identity_id, created_us) "
                      "VALUES(?1, ?2, ?3, ?4, ?5)",
    [ST_MEMBER_FIND] =
        "SELECT m.id, m.org_id, m.name, m.role, m.identity_id, o.identity_id "
        "FROM members m JOIN orgs o ON o.id = m.org_id "
        "WHERE m.name = ?1 OR m.identity_id = ?1",
    [ST_TOKEN_ADD] = "INSERT INTO tokens(member_id, hash, created_us) VALUES(?1, ?2, ?3)",
    [ST_TOKEN_REVOKE] =
        "UPDATE tokens SET revoked_us = ?2 WHERE id = ?1 AND revoked_us IS NULL",
    [ST_TOKEN_LOOKUP] =
        "SELECT m.id, m.org_id, m.name, m.role, m.identity_id, o.identity_id "
        "FROM tokens t JOIN members m ON m.id = t.member_id "
        "JOIN orgs o ON o.id = m.org_id "
        "WHERE t.hash = ?1 AND t.revoked_us IS NULL",
    [ST_ROOT_ADD] = "INSERT INTO api_roots(path, title) VALUES(?1, ?2)",
    [ST_ROOT_FIND] = "SELECT id, path, title, description FROM api_roots WHERE path = ?1",
    [ST_ROOT_LIST] = "SELECT id, path, title, description FROM api_roots ORDER BY id",
    [ST_COLL_ADD] =
        "INSERT INTO collections(api_root_id, uuid, title, description, public) "
        "VALUES(?1, ?2, ?3, ?4, ?5)",
    [ST_COLL_GRANT] =
        "INSERT INTO grants(collection_id, org_id, can_read, can_write) "
        "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(collection_id, org_id) DO UPDATE "
        "SET can_read = excluded.can_read, can_write = excluded.can_write",
    [ST_COLL_FIND] =
        "SELECT c.id, c.api_root_id, c.uuid, c.title, c.description, c.public, "
        "coalesce(g.can_read, 0), coalesce(g.can_write, 0) FROM collections c "
        "LEFT JOIN grants g ON g.collection_id = c.id AND g.org_id = ?2 "
        "WHERE c.uuid = ?1 OR c.title = ?1 ORDER BY c.uuid = ?1 DESC LIMIT 1",
    [ST_COLL_LIST] =
        "SELECT c.id, c.api_root_id, c.uuid, c.title, c.description, c.public, "
        "coalesce(g.can_read, 0), coalesce(g.can_write, 0) FROM collections c "
        "LEFT JOIN grants g ON g.collection_id = c.id AND g.org_id = ?2 "
        "WHERE c.api_root_id = ?1 ORDER BY c.id",
    [ST_OBJ_RANGE] =
        "SELECT count(*), min(version_us), max(version_us), max(producer_org), "
        "min(producer_org), max(CASE WHEN version_us = ?3 THEN date_added_us END) "
        "FROM objects WHERE collection_id = ?1 AND stix_id = ?2",
    [ST_OBJ_INSERT] =
        "INSERT INTO objects(collection_id, stix_id, type, spec_version, version_us, "
        "version_text, date_added_us, is_first, is_last, producer_org, producer_user, "
        "tlp, "
        "recipients, revoked, body) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12, "
        "?13, ?14, ?15)",
    [ST_OBJ_CLEAR_LAST] = "UPDATE objects SET is_last = 0 WHERE collection_id = ?1 AND "
                          "stix_id = ?2 AND is_last = 1 AND id <> ?3",
    [ST_OBJ_CLEAR_FIRST] = "UPDATE objects SET is_first = 0 WHERE collection_id = ?1 AND "
                           "stix_id = ?2 AND is_first = 1 AND id <> ?3",
    [ST_REF_ADD] = "INSERT INTO object_refs(collection_id, src_row, target_id) "
                   "VALUES(?1, ?2, ?3)",
    [ST_REF_SRC] = "SELECT o.id, o.tlp, o.recipients FROM object_refs r JOIN objects o "
                   "ON o.id = r.src_row WHERE r.collection_id = ?1 AND r.target_id = ?2",
    [ST_OBJ_RELEVEL] = "UPDATE objects SET tlp = ?2, recipients = ?3 WHERE id = ?1",
    [ST_OBJ_MARKING] =
        "SELECT tlp, recipients, producer_org, producer_user FROM objects "
        "WHERE collection_id = ?1 AND stix_id = ?2 ORDER BY version_us DESC "
        "LIMIT 1",
    [ST_OBJ_DELETE] = "DELETE FROM objects WHERE id = ?1",
    [ST_OBJ_REFLAG] =
        "UPDATE objects SET "
        "is_first = (version_us = (SELECT min(version_us) FROM objects WHERE "
        "collection_id = ?1 AND stix_id = ?2)), "
        "is_last = (version_us = (SELECT max(version_us) FROM objects WHERE "
        "collection_id = ?1 AND stix_id = ?2)) WHERE collection_id = ?1 AND stix_id = ?2",
    [ST_CLOCK_GET] = "SELECT last_added_us FROM clock WHERE k = 0",
    [ST_CLOCK_SET] = "UPDATE clock SET last_added_us = ?1 WHERE k = 0",
    [ST_STATUS_PUT] = "INSERT INTO statuses(uuid, collection_id, member_id, org_id, "
                      "request_us, body) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_STATUS_GET] = "SELECT body FROM statuses WHERE uuid = ?1 AND org_id = ?2",
    [ST_AUDIT_ADD] = "INSERT INTO audit(at_us, member_id, org_id, action, collection_id, "
                     "object_id, version, detail) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_AUDIT_COUNT] = "SELECT count(*) FROM audit WHERE action = ?1",
    [ST_AUDIT_COUNT_ALL] = "SELECT count(*) FROM audit",
#define PEER_COLS                                                                       \
	"SELECT p.id, p.name, p.url, p.token, p.org_id, o.identity_id, p.enabled FROM " \
	"peers p JOIN orgs o ON o.id = p.org_id "
    [ST_PEER_ADD] = "INSERT INTO peers(name, url, token, org_id, enabled, created_us) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_PEER_FIND] = PEER_COLS "WHERE p.name = ?1",
    [ST_PEER_LIST] = PEER_COLS "ORDER BY p.id",
    [ST_PEER_ENABLE] = "UPDATE peers SET enabled = ?2 WHERE id = ?1",
    [ST_AGR_ADD] = "INSERT INTO agreements(name, peer_id, direction, max_tlp, types, "
                   "third_party, local_collection_id, remote_collection, created_us) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
#define AGR_COLS                                                            \
	"SELECT a.id, a.name, a.peer_id, a.direction, a.max_tlp, a.types, " \
	"a.third_party, "                                                   \
	"a.local_collection_id, c.uuid, a.remote_collection, p.name "
#define AGR_FROM                                                                         \
	"FROM agreements a JOIN peers p ON p.id = a.peer_id JOIN collections c ON c.id " \
	"= "                                                                             \
	"a.local_collection_id "
    [ST_AGR_LIST] = AGR_COLS AGR_FROM "WHERE ?1 = 0 OR a.peer_id = ?1 ORDER BY a.id",
    [ST_SYNC_GET] = "SELECT bookmark, last_attempt_us, last_success_us, last_error, "
                    "failures, consecutive, received, rejected FROM sync_state "
                    "WHERE agreement_id = ?1 AND collection = ?2",
    [ST_SYNC_PUT] = "INSERT OR REPLACE INTO sync_state(agreement_id, collection, "
                    "bookmark, last_attempt_us, last_success_us, last_error, failures, "
                    "consecutive, received, rejected) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [ST_SYNC_LIST] =
        AGR_COLS ", coalesce(s.bookmark, ''), coalesce(s.last_attempt_us, 0), "
                 "coalesce(s.last_success_us, 0), coalesce(s.last_error, ''), "
                 "coalesce(s.failures, 0), coalesce(s.consecutive, 0), "
                 "coalesce(s.received, 0), coalesce(s.rejected, 0) " AGR_FROM
                 "LEFT JOIN sync_state s ON s.agreement_id = a.id AND s.collection = "
                 "a.remote_collection WHERE a.direction = 1 ORDER BY a.id",
    [ST_XFER_ADD] = "INSERT INTO transfers(at_us, direction, peer_id, agreement_id, "
                    "object_id, version, tlp, outcome, detail) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_XFER_LIST] =
        "SELECT t.at_us, t.direction, t.peer_id, coalesce(t.agreement_id, 0), "
        "t.object_id, t.version, t.tlp, t.outcome, t.detail, p.name FROM "
        "transfers t JOIN peers p ON p.id = t.peer_id WHERE ?1 = 0 OR "
        "t.peer_id = ?1 ORDER BY t.id DESC LIMIT ?2",
    [ST_COLL_READERS] = "SELECT org_id FROM grants WHERE collection_id = ?1 AND "
                        "can_read = 1 AND org_id NOT IN (SELECT org_id FROM peers) "
                        "ORDER BY org_id",
    [ST_PEER_OF_ORG] =
        "SELECT p.id, p.enabled, a.id, a.max_tlp, a.types, a.third_party "
        "FROM peers p LEFT JOIN agreements a ON a.peer_id = p.id AND "
        "a.direction = 0 AND a.local_collection_id = ?2 WHERE p.org_id = ?1",
#undef PEER_COLS
#undef AGR_COLS
#undef AGR_FROM
};

/* What the store knows of a peer principal's read (see store.h, federation). */
typedef struct rel_ctx {
	bool active;   /* the reader is a member of a peer's organisation */
	bool deny_all; /* ... with no (enabled) offer agreement on this collection */
	int64_t peer_id, peer_org, agreement_id;
	setu_release_rule_t rule;
	char types[SETU_SYNC_TYPES_MAX];
	char named[32]; /* ",o<peer org>," */
} rel_ctx_t;

typedef struct sq_store {
	setu_store_t base;
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	bool in_tx;
	int64_t clock_us; /* last date_added handed out in this write transaction */
	bool clock_dirty;
	int schema_version;
	int wal_frames; /* frames in the WAL after the last commit (writer_mode only) */
} sq_store_t;

static sq_store_t *SQ(setu_store_t *s)
{
	return (sq_store_t *)s;
}

static sqlite3_stmt *stmt(sq_store_t *q, int which)
{
	if (q->st[which] == NULL) {
		if (sqlite3_prepare_v3(q->db, stmt_sql[which], -1,
		                       SQLITE_PREPARE_PERSISTENT, &q->st[which],
		                       NULL) != SQLITE_OK)
			return NULL;
	} else {
		sqlite3_reset(q->st[which]);
		sqlite3_clear_bindings(q->st[which]);
	}
	return q->st[which];
}

static int db_err(int rc)
{
	if (rc == SQLITE_CONSTRAINT)
		return SETU_EEXIST;
	if (rc == SQLITE_NOMEM)
		return SETU_ENOMEM;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return SETU_EAGAIN;
	return SETU_EDB;
}

static void copy_col(char *dst, size_t size, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, size, "%s", t != NULL ? (const char *)t : "");
}

/* Run one statement that returns no rows. */
static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_DONE || rc == SQLITE_ROW
	            ? 0
	            : db_err(sqlite3_errcode(sqlite3_db_handle(st)));
	sqlite3_reset(st);
	return r;
}

/* ------------------------------------------------------------ the read check in SQL */

/* setu_visible(acl_ptr, tlp, producer_org, producer_user, recipients): calls acl.c's
 * setu_acl_object_visible on each candidate row, so LIMIT, `more` and counts are computed
 * over what the requester may see. The context is bound with sqlite3_bind_pointer. */
static void fn_visible(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const setu_acl_ctx_t *acl = sqlite3_value_pointer(argv[0], "setu_acl_ctx");
	if (acl == NULL) {
		sqlite3_result_int(cx, 0);
		return;
	}
	setu_acl_obj_t o = {
	    .tlp = sqlite3_value_int(argv[1]),
	    .producer_org = sqlite3_value_int64(argv[2]),
	    .producer_user = sqlite3_value_int64(argv[3]),
	    .recipients = (const char *)sqlite3_value_text(argv[4]),
	};
	sqlite3_result_int(cx, setu_acl_object_visible(acl, &o) ? 1 : 0);
}

/* setu_release(ctx_ptr, tlp, type, recipients, origin): federation's release policy
 * (sync/policy.c) per candidate row of a peer principal's read. */
static void fn_release(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const rel_ctx_t *r = sqlite3_value_pointer(argv[0], "setu_release_ctx");
	if (r == NULL) {
		sqlite3_result_int(cx, 0);
		return;
	}
	const char *rec = (const char *)sqlite3_value_text(argv[3]);
	setu_release_obj_t o = {
	    .tlp = sqlite3_value_int(argv[1]),
	    .type = (const char *)sqlite3_value_text(argv[2]),
	    .origin = (setu_origin_t)sqlite3_value_int(argv[4]),
	    .names_partner = rec != NULL && strstr(rec, r->named) != NULL,
	};
	sqlite3_result_int(cx, setu_sync_release(&r->rule, &o) == SETU_RELEASE_OK);
}

/* ------------------------------------------------------------------ migrations */

static int exec(sq_store_t *q, const char *sql, setu_diag_t *diag)
{
	char *err = NULL;
	if (sqlite3_exec(q->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		int rc =
		    setu_diag_set(diag, SETU_EDB, "store: %s", err != NULL ? err : "?");
		sqlite3_free(err);
		return rc;
	}
	return 0;
}

static int current_version(sq_store_t *q)
{
	sqlite3_stmt *st = NULL;
	int v = 0;
	if (sqlite3_prepare_v2(q->db,
	                       "SELECT coalesce(max(version), 0) FROM schema_version", -1,
	                       &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int migrate(sq_store_t *q, setu_diag_t *diag)
{
	int rc =
	    exec(q,
	         "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, "
	         "name TEXT NOT NULL, applied_us INTEGER NOT NULL)",
	         diag);
	if (rc)
		return rc;
	for (size_t i = 0; i < setu_hub_migrations_count; i++) {
		const setu_migration_t *m = &setu_hub_migrations[i];
		if ((rc = exec(q, "BEGIN IMMEDIATE", diag)) != 0)
			return rc;
		if (current_version(q) >=
		    m->version) { /* applied (maybe by another process) */
			exec(q, "COMMIT", NULL);
			continue;
		}
		rc = exec(q, m->sql, diag);
		if (rc == 0) {
			char sql[256];
			snprintf(sql, sizeof(sql),
			         "INSERT INTO schema_version VALUES(%d, '%s', %lld)",
			         m->version, m->name, (long long)setu_now_us());
			rc = exec(q, sql, diag);
		}
		if (rc != 0) {
			exec(q, "ROLLBACK", NULL);
			return setu_diag_set(diag, SETU_EDB,
			                     "store: migration %s failed: %s", m->name,
			                     diag != NULL ? diag->msg : "");
		}
		if ((rc = exec(q, "COMMIT", diag)) != 0)
			return rc;
	}
	q->schema_version = current_version(q);
	return 0;
}

/* ----------------------------------------------------------------- transactions */

static int sq_begin_write(setu_store_t *s)
{
	sq_store_t *q = SQ(s);
	if (q->in_tx)
		return SETU_EINVAL;
	if (sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_err(sqlite3_errcode(q->db));
	q->in_tx = true;
	sqlite3_stmt *st = stmt(q, ST_CLOCK_GET);
	q->clock_us = 0;
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		q->clock_us = sqlite3_column_int64(st, 0);
	if (st != NULL)
		sqlite3_reset(st);
	q->clock_dirty = false;
	return 0;
}

static int sq_commit(setu_store_t *s)
{
	sq_store_t *q = SQ(s);
	if (!q->in_tx)
		return SETU_EINVAL;
	if (q->clock_dirty) {
		sqlite3_stmt *st = stmt(q, ST_CLOCK_SET);
		if (st == NULL)
			return SETU_EDB;
		sqlite3_bind_int64(st, 1, q->clock_us);
		int rc = step_done(st);
		if (rc)
			return rc;
	}
	if (sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return db_err(sqlite3_errcode(q->db));
	q->in_tx = false;
	return 0;
}

static void sq_rollback(setu_store_t *s)
{
	sq_store_t *q = SQ(s);
	if (q->in_tx)
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	q->in_tx = false;
}

/* ---------------------------------------------------------------- administration */

static int sq_org_add(setu_store_t *s, setu_org_t *org, setu_diag_t *diag)
{
	sq_store_t *q = SQ(s);
	char uuid[37];
	if (org->identity[0] == '\0') {
		if (setu_uuid4(uuid))
			return SETU_EIO;
		snprintf(org->identity, sizeof(org->identity), "identity--%s", uuid);
	}
	sqlite3_stmt *st = stmt(q, ST_ORG_ADD);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_text(st, 1, org->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, org->sector, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, org->country, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, org->identity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, setu_now_us());
	int rc = step_done(st);
	if (rc == SETU_EEXIST)
		return setu_diag_set(diag, rc, "organisation '%s' already exists",
		                     org->name);
	if (rc)
		return setu_diag_set(diag, rc, "store: %s", sqlite3_errmsg(q->db));
	org->id = sqlite3_last_insert_rowid(q->db);
	return 0;
}

static int sq_org_find(setu_store_t *s, const char *key, setu_org_t *out)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_ORG_FIND);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? SETU_ENOENT : SETU_EDB;
	}
	out->id = sqlite3_column_int64(st, 0);
	copy_col(out->name, sizeof(out->name), st, 1);
	copy_col(out->sector, sizeof(out->sector), st, 2);
	copy_col(out->country, sizeof(out->country), st, 3);
	copy_col(out->identity, sizeof(out->identity), st, 4);
	sqlite3_reset(st);
	return 0;
}

static int sq_member_add(setu_store_t *s, setu_member_t *m, setu_diag_t *diag)
{
	sq_store_t *q = SQ(s);
	char uuid[37];
	if (m->identity[0] == '\0') {
		if (setu_uuid4(uuid))
			return SETU_EIO;
		snprintf(m->identity, sizeof(m->identity), "identity--%s", uuid);
	}
	sqlite3_stmt *st = stmt(q, ST_MEMBER_ADD);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, m->org_id);
	sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, m->role);
	sqlite3_bind_text(st, 4, m->identity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, setu_now_us());
	int rc = step_done(st);
	if (rc == SETU_EEXIST)
		return setu_diag_set(diag, rc, "member '%s' already exists", m->name);
	if (rc)
		return setu_diag_set(diag, rc, "store: %s", sqlite3_errmsg(q->db));
	m->id = sqlite3_last_insert_rowid(q->db);
	return 0;
}

static int read_member(sqlite3_stmt *st, setu_member_t *out)
{
	out->id = sqlite3_column_int64(st, 0);
	out->org_id = sqlite3_column_int64(st, 1);
	copy_col(out->name, sizeof(out->name), st, 2);
	out->role = sqlite3_column_int(st, 3);
	copy_col(out->identity, sizeof(out->identity), st, 4);
	copy_col(out->org_identity, sizeof(out->org_identity), st, 5);
	return 0;
}

static int sq_member_find(setu_store_t *s, const char *key, setu_member_t *out)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_MEMBER_FIND);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_member(st, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? SETU_ENOENT : SETU_EDB;
}

static int sq_token_add(setu_store_t *s, int64_t member_id, const uint8_t hash[32],
                        int64_t *token_id)
{
	sq_store_t *q = SQ(s);
	sqlite3_stmt *st = stmt(q, ST_TOKEN_ADD);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, setu_now_us());
	int rc = step_done(st);
	if (rc)
		return rc;
	*token_id = sqlite3_last_insert_rowid(q->db);
	return 0;
}

static int sq_token_revoke(setu_store_t *s, int64_t token_id)
{
	sq_store_t *q = SQ(s);
	sqlite3_stmt *st = stmt(q, ST_TOKEN_REVOKE);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, token_id);
	sqlite3_bind_int64(st, 2, setu_now_us());
	int rc = step_done(st);
	if (rc)
		return rc;
	return sqlite3_changes(q->db) == 1 ? 0 : SETU_ENOENT;
}

static int sq_token_lookup(setu_store_t *s, const uint8_t hash[32], setu_member_t *out)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_TOKEN_LOOKUP);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_member(st, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? SETU_ENOENT : SETU_EDB;
}

static void read_root(sqlite3_stmt *st, setu_api_root_t *out)
{
	out->id = sqlite3_column_int64(st, 0);
	copy_col(out->path, sizeof(out->path), st, 1);
	copy_col(out->title, sizeof(out->title), st, 2);
	copy_col(out->description, sizeof(out->description), st, 3);
}

static int sq_api_root_find(setu_store_t *s, const char *path, setu_api_root_t *out)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_ROOT_FIND);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_root(st, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? SETU_ENOENT : SETU_EDB;
}

static int sq_api_root_ensure(setu_store_t *s, const char *path, const char *title,
                              setu_api_root_t *out)
{
	int rc = sq_api_root_find(s, path, out);
	if (rc != SETU_ENOENT)
		return rc;
	sqlite3_stmt *st = stmt(SQ(s), ST_ROOT_ADD);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	rc = step_done(st);
	if (rc != 0 && rc != SETU_EEXIST) /* EEXIST: another process added it meanwhile */
		return rc;
	return sq_api_root_find(s, path, out);
}

static int sq_api_root_list(setu_store_t *s, int (*cb)(void *, const setu_api_root_t *),
                            void *user)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_ROOT_LIST);
	if (st == NULL)
		return SETU_EDB;
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		setu_api_root_t root;
		read_root(st, &root);
		if ((r = cb(user, &root)) != 0)
			break;
	}
	sqlite3_reset(st);
	return r != 0 ? r : rc == SQLITE_DONE ? 0 : SETU_EDB;
}

static void read_coll(sqlite3_stmt *st, setu_collection_t *c)
{
	c->id = sqlite3_column_int64(st, 0);
	c->api_root_id = sqlite3_column_int64(st, 1);
	copy_col(c->uuid, sizeof(c->uuid), st, 2);
	copy_col(c->title, sizeof(c->title), st, 3);
	copy_col(c->description, sizeof(c->description), st, 4);
	c->is_public = sqlite3_column_int(st, 5) != 0;
	c->grant_read = sqlite3_column_int(st, 6) != 0;
	c->grant_write = sqlite3_column_int(st, 7) != 0;
}

static int sq_collection_add(setu_store_t *s, int64_t api_root_id, const char *title,
                             const char *description, bool is_public,
                             setu_collection_t *out)
{
	sq_store_t *q = SQ(s);
	char uuid[37];
	if (setu_uuid4(uuid))
		return SETU_EIO;
	sqlite3_stmt *st = stmt(q, ST_COLL_ADD);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, api_root_id);
	sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, description != NULL ? description : "", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int(st, 5, is_public ? 1 : 0);
	int rc = step_done(st);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_last_insert_rowid(q->db);
	out->api_root_id = api_root_id;
	snprintf(out->uuid, sizeof(out->uuid), "%s", uuid);
	snprintf(out->title, sizeof(out->title), "%s", title);
	snprintf(out->description, sizeof(out->description), "%s",
	         description != NULL ? description : "");
	out->is_public = is_public;
	return 0;
}

static int sq_collection_grant(setu_store_t *s, int64_t collection_id, int64_t org_id,
                               bool can_read, bool can_write)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_COLL_GRANT);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, collection_id);
	sqlite3_bind_int64(st, 2, org_id);
	sqlite3_bind_int(st, 3, can_read);
	sqlite3_bind_int(st, 4, can_write);
	return step_done(st);
}

static int sq_collection_find(setu_store_t *s, const char *key, int64_t org_id,
                              setu_collection_t *out)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_COLL_FIND);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, org_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_coll(st, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? SETU_ENOENT : SETU_EDB;
}

static int sq_collection_list(setu_store_t *s, int64_t api_root_id, int64_t org_id,
                              setu_collection_cb cb, void *user)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_COLL_LIST);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, api_root_id);
	sqlite3_bind_int64(st, 2, org_id);
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		setu_collection_t c;
		read_coll(st, &c);
		if ((r = cb(user, &c)) != 0)
			break;
	}
	sqlite3_reset(st);
	return r != 0 ? r : rc == SQLITE_DONE ? 0 : SETU_EDB;
}

/* ------------------------------------------------------------------------ objects */

static int sq_object_put(setu_store_t *s, int64_t collection_id, int64_t producer_org,
                         int64_t producer_user, setu_store_obj_t *o, setu_diag_t *diag)
{
	sq_store_t *q = SQ(s);
	if (!q->in_tx)
		return SETU_EINVAL;
	o->existed = false;
	/* One look at the id's versions: how many, their range, who produced them, and
	 * whether this very version is already there. */
	sqlite3_stmt *st = stmt(q, ST_OBJ_RANGE);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, collection_id);
	sqlite3_bind_text(st, 2, o->stix_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, o->version_us);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return SETU_EDB;
	}
	int64_t n = sqlite3_column_int64(st, 0);
	int64_t vmin = sqlite3_column_int64(st, 1), vmax = sqlite3_column_int64(st, 2);
	int64_t omax = sqlite3_column_int64(st, 3), omin = sqlite3_column_int64(st, 4);
	bool same = sqlite3_column_type(st, 5) != SQLITE_NULL;
	int64_t same_added = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	/* STIX 2.1 §3.6: only the object's creator makes new versions; here, its
	 * organisation. */
	if (n > 0 && (omax != producer_org || omin != producer_org))
		return setu_diag_set(diag, SETU_EPERM,
		                     "id: '%s' is produced by another organisation",
		                     o->stix_id);
	if (same) {
		o->date_added_us = same_added;
		o->existed =
		    true; /* TAXII: re-adding an identical version is not an error */
		return 0;
	}
	bool first = n == 0 || o->version_us < vmin;
	bool last = n == 0 || o->version_us > vmax;

	int64_t now = setu_now_us();
	q->clock_us = now > q->clock_us ? now : q->clock_us + 1;
	q->clock_dirty = true;
	o->date_added_us = q->clock_us;

	st = stmt(q, ST_OBJ_INSERT);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, collection_id);
	sqlite3_bind_text(st, 2, o->stix_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, o->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, o->spec_version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, o->version_us);
	sqlite3_bind_text(st, 6, o->version_text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, o->date_added_us);
	sqlite3_bind_int(st, 8, first);
	sqlite3_bind_int(st, 9, last);
	sqlite3_bind_int64(st, 10, producer_org);
	sqlite3_bind_int64(st, 11, producer_user);
	sqlite3_bind_int(st, 12, o->tlp);
	sqlite3_bind_text(st, 13, o->recipients != NULL ? o->recipients : ",", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int(st, 14, o->revoked);
	sqlite3_bind_text(st, 15, o->body, o->body_len > 0 ? (int)o->body_len : -1,
	                  SQLITE_STATIC);
	if ((rc = step_done(st)) != 0)
		return setu_diag_set(diag, rc, "store: %s", sqlite3_errmsg(q->db));
	int64_t row = sqlite3_last_insert_rowid(q->db);
	o->row = row;
	for (size_t i = 0; i < o->n_refs; i++) {
		st = stmt(q, ST_REF_ADD);
		if (st == NULL)
			return SETU_EDB;
		sqlite3_bind_int64(st, 1, collection_id);
		sqlite3_bind_int64(st, 2, row);
		sqlite3_bind_text(st, 3, o->refs[i], -1, SQLITE_STATIC);
		if ((rc = step_done(st)) != 0)
			return rc;
	}
	if (n > 0 && (first || last)) {
		for (int k = 0; k < 2; k++) {
			if (!(k == 0 ? last : first))
				continue;
			st = stmt(q, k == 0 ? ST_OBJ_CLEAR_LAST : ST_OBJ_CLEAR_FIRST);
			if (st == NULL)
				return SETU_EDB;
			sqlite3_bind_int64(st, 1, collection_id);
			sqlite3_bind_text(st, 2, o->stix_id, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, row);
			if ((rc = step_done(st)) != 0)
				return rc;
		}
	}
	return 0;
}

static int sq_object_marking(setu_store_t *s, int64_t collection_id, const char *stix_id,
                             int *tlp, char *recipients, size_t size)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_OBJ_MARKING);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, collection_id);
	sqlite3_bind_text(st, 2, stix_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*tlp = sqlite3_column_int(st, 0);
		copy_col(recipients, size, st, 1);
		/* The audience of an object is its named recipients and its producer (who
		 * always reads what it wrote): an object referring to it is narrowed to
		 * that whole audience, so a sighting of an AMBER indicator reaches the
		 * producer. */
		size_t n = strlen(recipients);
		if (n == 0 && size > 1) {
			recipients[0] = ',';
			recipients[1] = '\0';
			n = 1;
		}
		long long org = sqlite3_column_int64(st, 2),
		          user = sqlite3_column_int64(st, 3);
		char key[64];
		snprintf(key, sizeof(key), ",o%lld,", org);
		if (org > 0 && strstr(recipients, key) == NULL && n < size)
			snprintf(recipients + n, size - n, "o%lld,", org);
		n = strlen(recipients);
		snprintf(key, sizeof(key), ",u%lld,", user);
		if (user > 0 && strstr(recipients, key) == NULL && n < size)
			snprintf(recipients + n, size - n, "u%lld,", user);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? SETU_ENOENT : SETU_EDB;
}

/* An array of elements of size sz holding n with room for *cap: room for one more,
 * doubling; NULL (v untouched) when out of memory. */
static void *grow_for_one(void *v, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	size_t nc = *cap ? 2 * *cap : 8;
	void *v2 = realloc(v, nc * sz);
	if (v2 != NULL)
		*cap = nc;
	return v2;
}

static int sq_object_referrers(setu_store_t *s, int64_t collection_id,
                               const char *stix_id,
                               int (*cb)(void *, int64_t, int, const char *), void *user)
{
	sq_store_t *q = SQ(s);
	sqlite3_stmt *st = stmt(q, ST_REF_SRC);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, collection_id);
	sqlite3_bind_text(st, 2, stix_id, -1, SQLITE_STATIC);
	/* Collect first: the callback updates the rows the statement reads. */
	struct ref {
		int64_t row;
		int tlp;
		char *rec;
	} *v = NULL;
	size_t n = 0, cap = 0;
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		void *v2 = grow_for_one(v, n, &cap, sizeof(*v));
		if (v2 == NULL) {
			r = SETU_ENOMEM;
			break;
		}
		v = v2;
		v[n].row = sqlite3_column_int64(st, 0);
		v[n].tlp = sqlite3_column_int(st, 1);
		v[n].rec = strdup((const char *)sqlite3_column_text(st, 2));
		if (v[n++].rec == NULL) {
			r = SETU_ENOMEM;
			break;
		}
	}
	sqlite3_reset(st);
	if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = SETU_EDB;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = cb(user, v[i].row, v[i].tlp, v[i].rec);
	for (size_t i = 0; i < n; i++)
		free(v[i].rec);
	free(v);
	return r;
}

static int sq_object_relevel(setu_store_t *s, int64_t row, int tlp,
                             const char *recipients)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_OBJ_RELEVEL);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, row);
	sqlite3_bind_int(st, 2, tlp);
	sqlite3_bind_text(st, 3, recipients, -1, SQLITE_STATIC);
	return step_done(st);
}

/* Build the SELECT for a query. Parameters: ?1 collection, ?2 acl pointer, then in order
 * of appearance (bound by bind_query with the same walk). */
static int build_query(const setu_obj_query_t *q, const rel_ctx_t *rel, bool for_delete,
                       char *sql, size_t size)
{
	int n = 0, pn = 3; /* ?1 collection, ?2 acl; the rest numbered in bind order */
	n = snprintf(sql, size,
	             "SELECT id, stix_id, type, spec_version, version_text, version_us, "
	             "date_added_us, tlp, body FROM objects%s WHERE collection_id = ?1",
	             /* With match[id], look the ids up; without statistics SQLite would
	              * rather walk the date_added index of the whole collection. */
	             q->n_ids > 0 ? " INDEXED BY objects_version" : "");
#define ADD(...)                                                               \
	do {                                                                   \
		if (n >= 0 && (size_t)n < size)                                \
			n += snprintf(sql + n, size - (size_t)n, __VA_ARGS__); \
	} while (0)
	const struct {
		const char *col;
		size_t count;
	} lists[] = {{"stix_id", q->n_ids},
	             {"type", q->n_types},
	             {"spec_version", q->n_spec_versions}};
	for (size_t l = 0; l < 3; l++) {
		if (lists[l].count == 0)
			continue;
		ADD(" AND %s IN (", lists[l].col);
		for (size_t i = 0; i < lists[l].count; i++)
			ADD(i ? ",?%d" : "?%d", pn++);
		ADD(")");
	}
	if (!q->v_all) {
		bool any = q->v_first || q->v_last || q->n_v_ts > 0;
		ADD(" AND (0");
		if (q->v_last || !any)
			ADD(" OR is_last = 1");
		if (q->v_first)
			ADD(" OR is_first = 1");
		if (q->n_v_ts > 0) {
			ADD(" OR version_us IN (");
			for (size_t i = 0; i < q->n_v_ts; i++)
				ADD(i ? ",?%d" : "?%d", pn++);
			ADD(")");
		}
		ADD(")");
	}
	if (q->has_added_after)
		ADD(" AND date_added_us > ?%d", pn++);
	if (q->producer_org > 0)
		ADD(" AND producer_org = %lld", (long long)q->producer_org);
	if (q->has_cursor && !for_delete) {
		ADD(" AND (date_added_us > ?%d OR (date_added_us = ?%d AND id > ?%d))",
		    pn, pn + 1, pn + 2);
		pn += 3;
	}
	if (rel->active && rel->deny_all) {
		ADD(" AND 0");
	} else if (rel->active) {
		/* Never back to the hub it came from; the origin as sync/policy.h defines
		 * it: received (a peer's organisation produced it), local (created_by_ref
		 * absent or naming a local organisation or member), else third party. */
		ADD(" AND producer_org <> %lld AND setu_release(?%d, tlp, type, "
		    "recipients, "
		    "CASE WHEN producer_org IN (SELECT org_id FROM peers) THEN 2 "
		    "WHEN json_extract(body, '$.created_by_ref') IS NULL THEN 0 "
		    "WHEN json_extract(body, '$.created_by_ref') IN ("
		    "SELECT identity_id FROM orgs WHERE id NOT IN (SELECT org_id FROM "
		    "peers) "
		    "UNION SELECT identity_id FROM members "
		    "WHERE org_id NOT IN (SELECT org_id FROM peers)) THEN 0 ELSE 1 END)",
		    (long long)rel->peer_org, pn++);
	}
	ADD(" AND setu_visible(?2, tlp, producer_org, producer_user, recipients)");
	if (!for_delete) {
		ADD(" ORDER BY date_added_us, id");
		if (q->limit > 0)
			ADD(" LIMIT %zu", q->limit + 1);
	}
#undef ADD
	return n > 0 && (size_t)n < size ? 0 : SETU_ELIMIT;
}

static void bind_query(sqlite3_stmt *st, const setu_obj_query_t *q, const rel_ctx_t *rel,
                       bool for_delete)
{
	int i = 3;
	sqlite3_bind_int64(st, 1, q->collection_id);
	sqlite3_bind_pointer(st, 2, (void *)q->acl, "setu_acl_ctx", NULL);
	for (size_t k = 0; k < q->n_ids; k++)
		sqlite3_bind_text(st, i++, q->ids[k], -1, SQLITE_STATIC);
	for (size_t k = 0; k < q->n_types; k++)
		sqlite3_bind_text(st, i++, q->types[k], -1, SQLITE_STATIC);
	for (size_t k = 0; k < q->n_spec_versions; k++)
		sqlite3_bind_text(st, i++, q->spec_versions[k], -1, SQLITE_STATIC);
	if (!q->v_all)
		for (size_t k = 0; k < q->n_v_ts; k++)
			sqlite3_bind_int64(st, i++, q->v_ts[k]);
	if (q->has_added_after)
		sqlite3_bind_int64(st, i++, q->added_after_us);
	if (q->has_cursor && !for_delete) {
		sqlite3_bind_int64(st, i++, q->cursor_added_us);
		sqlite3_bind_int64(st, i++, q->cursor_added_us);
		sqlite3_bind_int64(st, i++, q->cursor_row);
	}
	if (rel->active && !rel->deny_all)
		sqlite3_bind_pointer(st, i++, (void *)rel, "setu_release_ctx", NULL);
}

/* Is the reader a peer principal, and under which offer agreement may it read this
 * collection? */
static int release_ctx(sq_store_t *sq, const setu_obj_query_t *q, rel_ctx_t *rel)
{
	memset(rel, 0, sizeof(*rel));
	const setu_principal_t *who = q->acl->who;
	if (who == NULL || !who->authenticated || who->org_id <= 0)
		return 0;
	sqlite3_stmt *st = stmt(sq, ST_PEER_OF_ORG);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, who->org_id);
	sqlite3_bind_int64(st, 2, q->collection_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rel->active = true;
		rel->peer_id = sqlite3_column_int64(st, 0);
		rel->peer_org = who->org_id;
		bool enabled = sqlite3_column_int(st, 1) != 0;
		rel->deny_all = !enabled || sqlite3_column_type(st, 2) == SQLITE_NULL;
		rel->agreement_id = sqlite3_column_int64(st, 2);
		rel->rule.max_tlp = sqlite3_column_int(st, 3);
		copy_col(rel->types, sizeof(rel->types), st, 4);
		rel->rule.types = rel->types;
		rel->rule.third_party = sqlite3_column_int(st, 5) != 0;
		snprintf(rel->named, sizeof(rel->named), ",o%lld,",
		         (long long)who->org_id);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : SETU_EDB;
}

static int prepare_query(sq_store_t *sq, const setu_obj_query_t *q, rel_ctx_t *rel,
                         bool for_delete, sqlite3_stmt **out)
{
	/* Each list is bounded by the caller (SETU_HUB_MAX_MATCH_VALUES), so the text
	 * fits. */
	char sql[8192];
	if (q->acl == NULL)
		return SETU_EINVAL; /* no read without the check */
	int rc = release_ctx(sq, q, rel);
	if (rc == 0)
		rc = build_query(q, rel, for_delete, sql, sizeof(sql));
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(sq->db, sql, -1, out, NULL) != SQLITE_OK)
		return SETU_EDB;
	bind_query(*out, q, rel, for_delete);
	return 0;
}

/* The rows given to a peer principal, recorded in the transfer trail after the query. */
typedef struct sent {
	struct sent_row {
		char *id, *version;
		int tlp;
	} * v;
	size_t n, cap;
} sent_t;

static int sent_add(sent_t *x, const setu_obj_row_t *row)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 64;
		struct sent_row *v = realloc(x->v, cap * sizeof(*v));
		if (v == NULL)
			return SETU_ENOMEM;
		x->v = v;
		x->cap = cap;
	}
	struct sent_row *e = &x->v[x->n];
	e->id = strdup(row->stix_id);
	e->version = strdup(row->version_text != NULL ? row->version_text : "");
	e->tlp = row->tlp;
	x->n++;
	return e->id != NULL && e->version != NULL ? 0 : SETU_ENOMEM;
}

static void sent_free(sent_t *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->v[i].id);
		free(x->v[i].version);
	}
	free(x->v);
}

static int sq_begin_write(setu_store_t *s);
static int sq_commit(setu_store_t *s);
static void sq_rollback(setu_store_t *s);
static int sq_transfer_add(setu_store_t *s, const setu_transfer_t *t);

/* Everything a peer was given is on record before the answer leaves (one transaction;
 * the caller answers 500 if this fails, so nothing leaves unrecorded). */
static int sent_record(sq_store_t *q, const rel_ctx_t *rel, const sent_t *x)
{
	bool own = !q->in_tx;
	int rc = own ? sq_begin_write(&q->base) : 0;
	int64_t now = setu_now_us();
	for (size_t i = 0; rc == 0 && i < x->n; i++) {
		setu_transfer_t t = {.at_us = now,
		                     .direction = "out",
		                     .peer_id = rel->peer_id,
		                     .agreement_id = rel->agreement_id,
		                     .object_id = x->v[i].id,
		                     .version = x->v[i].version,
		                     .tlp = x->v[i].tlp,
		                     .outcome = "sent",
		                     .detail = ""};
		rc = sq_transfer_add(&q->base, &t);
	}
	if (own) {
		if (rc == 0)
			rc = sq_commit(&q->base);
		if (rc != 0)
			sq_rollback(&q->base);
	}
	return rc;
}

static int sq_object_query(setu_store_t *s, const setu_obj_query_t *q, setu_obj_row_cb cb,
                           void *user, bool *more)
{
	sqlite3_stmt *st = NULL;
	rel_ctx_t rel;
	int rc = prepare_query(SQ(s), q, &rel, false, &st);
	if (rc)
		return rc;
	size_t n = 0;
	int r = 0;
	*more = false;
	sent_t sent = {0};
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (q->limit > 0 && n == q->limit) {
			*more = true;
			break;
		}
		setu_obj_row_t row = {
		    .row = sqlite3_column_int64(st, 0),
		    .stix_id = (const char *)sqlite3_column_text(st, 1),
		    .type = (const char *)sqlite3_column_text(st, 2),
		    .spec_version = (const char *)sqlite3_column_text(st, 3),
		    .version_text = (const char *)sqlite3_column_text(st, 4),
		    .version_us = sqlite3_column_int64(st, 5),
		    .date_added_us = sqlite3_column_int64(st, 6),
		    .tlp = sqlite3_column_int(st, 7),
		    .body = (const char *)sqlite3_column_text(st, 8),
		};
		row.body_len = (size_t)sqlite3_column_bytes(st, 8);
		n++;
		if ((r = cb(user, &row)) != 0)
			break;
		if (rel.active && (r = sent_add(&sent, &row)) != 0)
			break;
	}
	int done = rc == SQLITE_ROW || rc == SQLITE_DONE;
	sqlite3_finalize(st);
	if (r == 0 && done && sent.n > 0)
		r = sent_record(SQ(s), &rel, &sent);
	sent_free(&sent);
	return r != 0 ? r : done ? 0 : SETU_EDB;
}

static int sq_object_delete(setu_store_t *s, const setu_obj_query_t *q, size_t *deleted)
{
	sq_store_t *sq = SQ(s);
	*deleted = 0;
	int rc = sq_begin_write(s);
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	rel_ctx_t rel;
	if ((rc = prepare_query(sq, q, &rel, true, &st)) != 0) {
		sq_rollback(s);
		return rc;
	}
	/* Collect first: deleting while the SELECT is open would disturb it. */
	size_t cap = 16, n = 0;
	int64_t *rows = malloc(cap * sizeof(*rows));
	char **ids = malloc(cap * sizeof(*ids));
	int step;
	while (rows != NULL && ids != NULL && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap *= 2;
			int64_t *r2 = realloc(rows, cap * sizeof(*rows));
			if (r2 != NULL)
				rows = r2;
			char **i2 = realloc(ids, cap * sizeof(*ids));
			if (i2 != NULL)
				ids = i2;
			if (r2 == NULL || i2 == NULL) {
				rc = SETU_ENOMEM;
				break;
			}
		}
		rows[n] = sqlite3_column_int64(st, 0);
		ids[n] = strdup((const char *)sqlite3_column_text(st, 1));
		if (ids[n] == NULL) {
			rc = SETU_ENOMEM;
			break;
		}
		n++;
	}
	if (rows == NULL || ids == NULL)
		rc = SETU_ENOMEM;
	sqlite3_finalize(st);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_stmt *d = stmt(sq, ST_OBJ_DELETE);
		if (d == NULL) {
			rc = SETU_EDB;
			break;
		}
		sqlite3_bind_int64(d, 1, rows[i]);
		rc = step_done(d);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_stmt *f = stmt(sq, ST_OBJ_REFLAG);
		if (f == NULL) {
			rc = SETU_EDB;
			break;
		}
		sqlite3_bind_int64(f, 1, q->collection_id);
		sqlite3_bind_text(f, 2, ids[i], -1, SQLITE_STATIC);
		rc = step_done(f);
	}
	for (size_t i = 0; ids != NULL && i < n; i++)
		free(ids[i]);
	free(ids);
	free(rows);
	if (rc == 0)
		rc = sq_commit(s);
	if (rc != 0) {
		sq_rollback(s);
		return rc;
	}
	*deleted = n;
	return 0;
}

/* ------------------------------------------------------------------ status, audit */

static int sq_status_put(setu_store_t *s, const char *uuid, int64_t collection_id,
                         int64_t member_id, int64_t org_id, const char *body)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_STATUS_PUT);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, collection_id);
	sqlite3_bind_int64(st, 3, member_id);
	sqlite3_bind_int64(st, 4, org_id);
	sqlite3_bind_int64(st, 5, setu_now_us());
	sqlite3_bind_text(st, 6, body, -1, SQLITE_STATIC);
	return step_done(st);
}

static int sq_status_get(setu_store_t *s, const char *uuid, int64_t org_id, char **body)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_STATUS_GET);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, org_id);
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? SETU_ENOENT : SETU_EDB;
	if (r == 0) {
		*body = strdup((const char *)sqlite3_column_text(st, 0));
		if (*body == NULL)
			r = SETU_ENOMEM;
	}
	sqlite3_reset(st);
	return r;
}

static int sq_audit_add(setu_store_t *s, const setu_audit_t *a)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_AUDIT_ADD);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, setu_now_us());
	if (a->member_id > 0)
		sqlite3_bind_int64(st, 2, a->member_id);
	if (a->org_id > 0)
		sqlite3_bind_int64(st, 3, a->org_id);
	sqlite3_bind_text(st, 4, a->action, -1, SQLITE_STATIC);
	if (a->collection_id > 0)
		sqlite3_bind_int64(st, 5, a->collection_id);
	sqlite3_bind_text(st, 6, a->object_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, a->detail, -1, SQLITE_STATIC);
	return step_done(st);
}

static int sq_audit_count(setu_store_t *s, const char *action, int64_t *count)
{
	sqlite3_stmt *st =
	    stmt(SQ(s), action != NULL ? ST_AUDIT_COUNT : ST_AUDIT_COUNT_ALL);
	if (st == NULL)
		return SETU_EDB;
	if (action != NULL)
		sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : SETU_EDB;
}

/* -------------------------------------------------------------------- federation */

static void read_peer(sqlite3_stmt *st, setu_peer_t *p)
{
	p->id = sqlite3_column_int64(st, 0);
	copy_col(p->name, sizeof(p->name), st, 1);
	copy_col(p->url, sizeof(p->url), st, 2);
	copy_col(p->token, sizeof(p->token), st, 3);
	p->org_id = sqlite3_column_int64(st, 4);
	copy_col(p->org_identity, sizeof(p->org_identity), st, 5);
	p->enabled = sqlite3_column_int(st, 6) != 0;
}

static int sq_peer_add(setu_store_t *s, setu_peer_t *p, setu_diag_t *diag)
{
	sq_store_t *q = SQ(s);
	sqlite3_stmt *st = stmt(q, ST_PEER_ADD);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, p->org_id);
	sqlite3_bind_int(st, 5, p->enabled ? 1 : 0);
	sqlite3_bind_int64(st, 6, setu_now_us());
	int rc = step_done(st);
	if (rc == SETU_EEXIST)
		return setu_diag_set(diag, rc,
		                     "peer '%s' already exists (or its organisation "
		                     "already stands for another peer)",
		                     p->name);
	if (rc)
		return setu_diag_set(diag, rc, "store: %s", sqlite3_errmsg(q->db));
	p->id = sqlite3_last_insert_rowid(q->db);
	return 0;
}

static int sq_peer_find(setu_store_t *s, const char *name, setu_peer_t *out)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_PEER_FIND);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_peer(st, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? SETU_ENOENT : SETU_EDB;
}

static int sq_peer_list(setu_store_t *s, setu_peer_cb cb, void *user)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_PEER_LIST);
	if (st == NULL)
		return SETU_EDB;
	/* Collect first: callers run other statements (agreements) per peer. */
	setu_peer_t *v = NULL;
	size_t n = 0, cap = 0;
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		void *v2 = grow_for_one(v, n, &cap, sizeof(*v));
		if (v2 == NULL) {
			r = SETU_ENOMEM;
			break;
		}
		v = v2;
		read_peer(st, &v[n++]);
	}
	sqlite3_reset(st);
	if (r == 0 && rc != SQLITE_DONE)
		r = SETU_EDB;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = cb(user, &v[i]);
	free(v);
	return r;
}

static int sq_peer_enable(setu_store_t *s, int64_t peer_id, bool enabled)
{
	sq_store_t *q = SQ(s);
	sqlite3_stmt *st = stmt(q, ST_PEER_ENABLE);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, peer_id);
	sqlite3_bind_int(st, 2, enabled ? 1 : 0);
	int rc = step_done(st);
	return rc != 0 ? rc : sqlite3_changes(q->db) == 1 ? 0 : SETU_ENOENT;
}

static int sq_agreement_add(setu_store_t *s, setu_agreement_t *a, setu_diag_t *diag)
{
	sq_store_t *q = SQ(s);
	sqlite3_stmt *st = stmt(q, ST_AGR_ADD);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_text(st, 1, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->peer_id);
	sqlite3_bind_int(st, 3, a->direction);
	sqlite3_bind_int(st, 4, a->max_tlp);
	sqlite3_bind_text(st, 5, a->types, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, a->third_party ? 1 : 0);
	sqlite3_bind_int64(st, 7, a->local_collection_id);
	sqlite3_bind_text(st, 8, a->remote_collection, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, setu_now_us());
	int rc = step_done(st);
	if (rc == SETU_EEXIST)
		return setu_diag_set(
		    diag, rc,
		    "agreement '%s': the name, or an agreement with the same "
		    "peer, direction and collections, exists",
		    a->name);
	if (rc)
		return setu_diag_set(diag, rc, "store: %s", sqlite3_errmsg(q->db));
	a->id = sqlite3_last_insert_rowid(q->db);
	return 0;
}

static void read_agreement(sqlite3_stmt *st, setu_agreement_t *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	copy_col(a->name, sizeof(a->name), st, 1);
	a->peer_id = sqlite3_column_int64(st, 2);
	a->direction = sqlite3_column_int(st, 3);
	a->max_tlp = sqlite3_column_int(st, 4);
	copy_col(a->types, sizeof(a->types), st, 5);
	a->third_party = sqlite3_column_int(st, 6) != 0;
	a->local_collection_id = sqlite3_column_int64(st, 7);
	copy_col(a->local_collection, sizeof(a->local_collection), st, 8);
	copy_col(a->remote_collection, sizeof(a->remote_collection), st, 9);
	copy_col(a->peer_name, sizeof(a->peer_name), st, 10);
}

static int sq_agreement_list(setu_store_t *s, int64_t peer_id, setu_agreement_cb cb,
                             void *user)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_AGR_LIST);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, peer_id);
	setu_agreement_t *v = NULL;
	size_t n = 0, cap = 0;
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		void *v2 = grow_for_one(v, n, &cap, sizeof(*v));
		if (v2 == NULL) {
			r = SETU_ENOMEM;
			break;
		}
		v = v2;
		read_agreement(st, &v[n++]);
	}
	sqlite3_reset(st);
	if (r == 0 && rc != SQLITE_DONE)
		r = SETU_EDB;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = cb(user, &v[i]);
	free(v);
	return r;
}

static void read_state(sqlite3_stmt *st, int col, setu_sync_state_t *o)
{
	copy_col(o->bookmark, sizeof(o->bookmark), st, col);
	o->last_attempt_us = sqlite3_column_int64(st, col + 1);
	o->last_success_us = sqlite3_column_int64(st, col + 2);
	copy_col(o->last_error, sizeof(o->last_error), st, col + 3);
	o->failures = sqlite3_column_int64(st, col + 4);
	o->consecutive = sqlite3_column_int64(st, col + 5);
	o->received = sqlite3_column_int64(st, col + 6);
	o->rejected = sqlite3_column_int64(st, col + 7);
}

static int sq_sync_state_get(setu_store_t *s, int64_t agreement_id,
                             const char *collection, setu_sync_state_t *out)
{
	memset(out, 0, sizeof(*out));
	out->agreement_id = agreement_id;
	snprintf(out->collection, sizeof(out->collection), "%s", collection);
	sqlite3_stmt *st = stmt(SQ(s), ST_SYNC_GET);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, agreement_id);
	sqlite3_bind_text(st, 2, collection, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_state(st, 0, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? SETU_ENOENT : SETU_EDB;
}

static int sq_sync_state_put(setu_store_t *s, const setu_sync_state_t *o)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_SYNC_PUT);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, o->agreement_id);
	sqlite3_bind_text(st, 2, o->collection, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, o->bookmark, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, o->last_attempt_us);
	sqlite3_bind_int64(st, 5, o->last_success_us);
	sqlite3_bind_text(st, 6, o->last_error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, o->failures);
	sqlite3_bind_int64(st, 8, o->consecutive);
	sqlite3_bind_int64(st, 9, o->received);
	sqlite3_bind_int64(st, 10, o->rejected);
	return step_done(st);
}

static int sq_sync_state_list(setu_store_t *s, setu_sync_state_cb cb, void *user)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_SYNC_LIST);
	if (st == NULL)
		return SETU_EDB;
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		setu_agreement_t a;
		setu_sync_state_t o = {0};
		read_agreement(st, &a);
		o.agreement_id = a.id;
		snprintf(o.collection, sizeof(o.collection), "%s", a.remote_collection);
		read_state(st, 11, &o);
		if ((r = cb(user, &o, &a)) != 0)
			break;
	}
	sqlite3_reset(st);
	return r != 0 ? r : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : SETU_EDB;
}

static int sq_transfer_add(setu_store_t *s, const setu_transfer_t *t)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_XFER_ADD);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, t->at_us > 0 ? t->at_us : setu_now_us());
	sqlite3_bind_text(st, 2, t->direction, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, t->peer_id);
	if (t->agreement_id > 0)
		sqlite3_bind_int64(st, 4, t->agreement_id);
	sqlite3_bind_text(st, 5, t->object_id != NULL ? t->object_id : "", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(st, 6, t->version != NULL ? t->version : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, t->tlp);
	sqlite3_bind_text(st, 8, t->outcome, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, t->detail != NULL ? t->detail : "", -1, SQLITE_STATIC);
	return step_done(st);
}

static int sq_transfer_list(setu_store_t *s, int64_t peer_id, size_t limit,
                            setu_transfer_cb cb, void *user)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_XFER_LIST);
	if (st == NULL)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, peer_id);
	sqlite3_bind_int64(st, 2, limit > 0 ? (int64_t)limit : -1);
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		setu_transfer_t t = {
		    .at_us = sqlite3_column_int64(st, 0),
		    .direction = (const char *)sqlite3_column_text(st, 1),
		    .peer_id = sqlite3_column_int64(st, 2),
		    .agreement_id = sqlite3_column_int64(st, 3),
		    .object_id = (const char *)sqlite3_column_text(st, 4),
		    .version = (const char *)sqlite3_column_text(st, 5),
		    .tlp = sqlite3_column_int(st, 6),
		    .outcome = (const char *)sqlite3_column_text(st, 7),
		    .detail = (const char *)sqlite3_column_text(st, 8),
		    .peer_name = (const char *)sqlite3_column_text(st, 9),
		};
		if ((r = cb(user, &t)) != 0)
			break;
	}
	sqlite3_reset(st);
	return r != 0 ? r : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : SETU_EDB;
}

static int sq_collection_readers(setu_store_t *s, int64_t collection_id, char *out,
                                 size_t size)
{
	sqlite3_stmt *st = stmt(SQ(s), ST_COLL_READERS);
	if (st == NULL || size < 2)
		return SETU_EDB;
	sqlite3_bind_int64(st, 1, collection_id);
	snprintf(out, size, ",");
	size_t n = 1;
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int w = snprintf(out + n, size - n, "o%lld,",
		                 (long long)sqlite3_column_int64(st, 0));
		if (w < 0 || (size_t)w >= size - n) {
			r = SETU_ELIMIT;
			break;
		}
		n += (size_t)w;
	}
	sqlite3_reset(st);
	return r != 0 ? r : rc == SQLITE_DONE ? 0 : SETU_EDB;
}

/* ------------------------------------------------------------ the writer's connection */

static int sq_reopen(setu_store_t *s, setu_store_t **out, setu_diag_t *diag)
{
	const char *path = sqlite3_db_filename(SQ(s)->db, "main");
	if (path == NULL || path[0] == '\0') /* in-memory or temporary: not shareable */
		return setu_diag_set(diag, SETU_EUNSUPPORTED,
		                     "store: an in-memory database has one connection");
	return setu_store_sqlite_open(path, out, diag);
}

static int wal_hook(void *user, sqlite3 *db, const char *name, int frames)
{
	(void)db;
	(void)name;
	((sq_store_t *)user)->wal_frames = frames;
	return SQLITE_OK;
}

static int sq_writer_mode(setu_store_t *s)
{
	sq_store_t *q = SQ(s);
	/* Replaces the auto-checkpoint hook, which SQLite runs inside COMMIT. */
	sqlite3_wal_hook(q->db, wal_hook, q);
	return 0;
}

static int sq_checkpoint(setu_store_t *s)
{
	sq_store_t *q = SQ(s);
	if (q->in_tx || q->wal_frames < SETU_HUB_SQLITE_WAL_CHECKPOINT_PAGES)
		return 0;
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(q->db, "main", SQLITE_CHECKPOINT_PASSIVE, &log,
	                                   &done);
	q->wal_frames = 0; /* counted again from the next commit */
	return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : db_err(rc);
}

/* ------------------------------------------------------------------- open/close */

static void sq_close(setu_store_t *s)
{
	sq_store_t *q = SQ(s);
	if (q->in_tx)
		sq_rollback(s);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(q->st[i]);
	sqlite3_close(q->db);
	free(q);
}

static const struct setu_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .begin_write = sq_begin_write,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .org_add = sq_org_add,
    .org_find = sq_org_find,
    .member_add = sq_member_add,
    .member_find = sq_member_find,
    .token_add = sq_token_add,
    .token_revoke = sq_token_revoke,
    .token_lookup = sq_token_lookup,
    .api_root_ensure = sq_api_root_ensure,
    .api_root_find = sq_api_root_find,
    .api_root_list = sq_api_root_list,
    .collection_add = sq_collection_add,
    .collection_grant = sq_collection_grant,
    .collection_find = sq_collection_find,
    .collection_list = sq_collection_list,
    .object_put = sq_object_put,
    .object_marking = sq_object_marking,
    .object_referrers = sq_object_referrers,
    .object_relevel = sq_object_relevel,
    .object_query = sq_object_query,
    .object_delete = sq_object_delete,
    .status_put = sq_status_put,
    .status_get = sq_status_get,
    .audit_add = sq_audit_add,
    .audit_count = sq_audit_count,
    .peer_add = sq_peer_add,
    .peer_find = sq_peer_find,
    .peer_list = sq_peer_list,
    .peer_enable = sq_peer_enable,
    .agreement_add = sq_agreement_add,
    .agreement_list = sq_agreement_list,
    .sync_state_get = sq_sync_state_get,
    .sync_state_put = sq_sync_state_put,
    .sync_state_list = sq_sync_state_list,
    .transfer_add = sq_transfer_add,
    .transfer_list = sq_transfer_list,
    .collection_readers = sq_collection_readers,
    .reopen = sq_reopen,
    .writer_mode = sq_writer_mode,
    .checkpoint = sq_checkpoint,
};

int setu_store_sqlite_open(const char *path, setu_store_t **out, setu_diag_t *diag)
{
	*out = NULL;
	sq_store_t *q = calloc(1, sizeof(*q));
	if (q == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "store: out of memory");
	q->base.ops = &sqlite_ops;
	int rc = sqlite3_open_v2(
	    path, &q->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = setu_diag_set(diag, SETU_EDB, "store: cannot open '%s': %s", path,
		                   q->db != NULL ? sqlite3_errmsg(q->db)
		                                 : "out of memory");
		sqlite3_close(q->db);
		free(q);
		return rc;
	}
	sqlite3_busy_timeout(q->db, 10000);
	char tuning[256];
	snprintf(
	    tuning, sizeof(tuning),
	    "PRAGMA cache_size=-%d; PRAGMA mmap_size=%lld; PRAGMA wal_autocheckpoint=%d;",
	    SETU_HUB_SQLITE_CACHE_KIB, (long long)SETU_HUB_SQLITE_MMAP_BYTES,
	    SETU_HUB_SQLITE_WAL_CHECKPOINT_PAGES);
	sqlite3_extended_result_codes(q->db, 0);
	/* WAL: readers never block the writer. synchronous=FULL: a commit is on disk (WAL
	 * fsync) before COMMIT returns, which is when the hub acknowledges a write. */
	if ((rc = exec(q,
	               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
	               "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
	               diag)) != 0 ||
	    (rc = exec(q, tuning, diag)) != 0 || (rc = migrate(q, diag)) != 0) {
		sq_close(&q->base);
		return rc;
	}
	if (sqlite3_create_function(q->db, "setu_visible", 5, SQLITE_UTF8, NULL,
	                            fn_visible, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(q->db, "setu_release", 5, SQLITE_UTF8, NULL,
	                            fn_release, NULL, NULL) != SQLITE_OK) {
		sq_close(&q->base);
		return setu_diag_set(diag, SETU_EDB,
		                     "store: cannot register setu_visible/setu_release");
	}
	*out = &q->base;
	return 0;
}

int setu_store_sqlite_schema_version(setu_store_t *s)
{
	return SQ(s)->schema_version;
}
