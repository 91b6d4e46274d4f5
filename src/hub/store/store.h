/* store.h — the hub's storage interface: an ops table that the SQLite implementation
 * (sqlite.c) fills and a PostgreSQL one can fill later. TAXII 2.1 semantics (versions,
 * date_added ordering, pagination) live here; who may see what is decided by acl.c, which
 * every object read calls (the store evaluates it per row, so page sizes and `more` are
 * computed over visible objects only). */
#ifndef SETU_HUB_STORE_H
#define SETU_HUB_STORE_H

#include "common/limits.h"
#include "hub/auth/acl.h"
#include "setu/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct setu_store setu_store_t;

#define SETU_STORE_NAME_MAX 128
#define SETU_STORE_ID_MAX 64 /* "identity--" + UUID + NUL fits */
#define SETU_STORE_TEXT_MAX 1024

typedef struct setu_org {
	int64_t id;
	char name[SETU_STORE_NAME_MAX];
	char sector[SETU_STORE_NAME_MAX];
	char country[8];
	char identity[SETU_STORE_ID_MAX];
} setu_org_t;

typedef struct setu_member {
	int64_t id;
	int64_t org_id;
	char name[SETU_STORE_NAME_MAX];
	int role; /* setu_role_t */
	char identity[SETU_STORE_ID_MAX];
	char org_identity[SETU_STORE_ID_MAX];
} setu_member_t;

typedef struct setu_api_root {
	int64_t id;
	char path[SETU_STORE_NAME_MAX];
	char title[SETU_STORE_NAME_MAX];
	char description[SETU_STORE_TEXT_MAX];
} setu_api_root_t;

/* A collection as one principal sees it. */
typedef struct setu_collection {
	int64_t id;
	int64_t api_root_id;
	char uuid[40];
	char title[SETU_STORE_NAME_MAX];
	char description[SETU_STORE_TEXT_MAX];
	bool is_public;
	bool grant_read;  /* the principal's organisation has a read grant */
	bool grant_write; /* ... a write grant */
} setu_collection_t;

typedef int (*setu_collection_cb)(void *user, const setu_collection_t *c);

/* One object version to write. Strings are borrowed for the call. */
typedef struct setu_store_obj {
	const char *stix_id;
	const char *type;
	const char *spec_version;
	const char *version_text;
	int64_t version_us;
	const char *body;
	size_t body_len;        /* bytes of body; 0 = NUL-terminated */
	int tlp;                /* effective level (acl.h) */
	const char *recipients; /* ",o1,u2," form; NULL = none */
	bool revoked;
	const char *const *refs; /* ids it references (recorded for late inheritance) */
	size_t n_refs;
	/* out: */
	int64_t date_added_us; /* of the row (or of the existing identical version) */
	int64_t row;           /* the new row; 0 when it existed */
	bool existed; /* the identical version was already stored (not rewritten) */
} setu_store_obj_t;

/* Filters of TAXII 2.1 §3.4 as the store applies them. Borrowed arrays. */
typedef struct setu_obj_query {
	int64_t collection_id;
	const char *const *ids;
	size_t n_ids;
	const char *const *types;
	size_t n_types;
	const char *const *spec_versions;
	size_t n_spec_versions;
	bool v_all, v_first, v_last; /* none set = last */
	const int64_t *v_ts;         /* match[version]=<timestamp> values */
	size_t n_v_ts;
	bool has_added_after;
	int64_t added_after_us;
	bool has_cursor; /* the `next` position: rows strictly after (date_added, row) */
	int64_t cursor_added_us;
	int64_t cursor_row;
	size_t limit;              /* 0 = no limit */
	int64_t producer_org;      /* non-zero: only rows this organisation produced */
	const setu_acl_ctx_t *acl; /* required: the read check applied to every row */
} setu_obj_query_t;

typedef struct setu_obj_row {
	int64_t row;
	const char *stix_id;
	const char *type;
	const char *spec_version;
	const char *version_text;
	int64_t version_us;
	int64_t date_added_us;
	int tlp;
	const char *body;
	size_t body_len;
} setu_obj_row_t;

typedef int (*setu_obj_row_cb)(void *user, const setu_obj_row_t *row);

typedef struct setu_audit {
	int64_t member_id; /* 0 = none */
	int64_t org_id;
	const char *action; /* "add", "delete", "read", "admin" */
	int64_t collection_id;
	const char *object_id;
	const char *version;
	const char *detail;
} setu_audit_t;

/* ---- federation (src/hub/sync, docs/federation.md; tables of 003_federation.sql) ----
 */

typedef struct setu_peer {
	int64_t id;
	char name[SETU_STORE_NAME_MAX];
	char url[SETU_STORE_TEXT_MAX];   /* the partner's API root URL */
	char token[SETU_STORE_NAME_MAX]; /* what this hub presents to the partner */
	int64_t org_id;                  /* the local organisation standing for it */
	char org_identity[SETU_STORE_ID_MAX];
	bool enabled;
} setu_peer_t;

typedef struct setu_agreement {
	int64_t id;
	char name[SETU_STORE_NAME_MAX];
	int64_t peer_id;
	int direction;                   /* setu_sync_dir_t: 0 offer, 1 pull */
	int max_tlp;                     /* SETU_HUB_TLP_* */
	char types[SETU_SYNC_TYPES_MAX]; /* ",a,b," or "" = every type */
	bool third_party;
	int64_t local_collection_id;
	char local_collection[40]; /* its UUID (filled by reads) */
	char remote_collection[SETU_STORE_ID_MAX];
	char peer_name[SETU_STORE_NAME_MAX]; /* filled by reads */
} setu_agreement_t;

typedef struct setu_sync_state {
	int64_t agreement_id;
	char collection[SETU_STORE_ID_MAX];
	char bookmark[48];
	int64_t last_attempt_us, last_success_us;
	char last_error[SETU_STORE_TEXT_MAX];
	int64_t failures, consecutive, received, rejected;
} setu_sync_state_t;

typedef struct setu_transfer {
	int64_t at_us;         /* 0 = now (on add) */
	const char *direction; /* "in" | "out" */
	int64_t peer_id;
	int64_t agreement_id; /* 0 = none */
	const char *object_id;
	const char *version;
	int tlp;
	const char *outcome; /* "sent", "stored", "duplicate", "rejected" */
	const char *detail;
	const char *peer_name; /* filled by transfer_list */
} setu_transfer_t;

typedef int (*setu_peer_cb)(void *user, const setu_peer_t *p);
typedef int (*setu_agreement_cb)(void *user, const setu_agreement_t *a);
typedef int (*setu_sync_state_cb)(void *user, const setu_sync_state_t *st,
                                  const setu_agreement_t *a);
typedef int (*setu_transfer_cb)(void *user, const setu_transfer_t *t);

struct setu_store_ops {
	const char *name;
	void (*close)(setu_store_t *s);

	/* Transactions: writes happen between begin_write and commit (durable on return).
	 */
	int (*begin_write)(setu_store_t *s);
	int (*commit)(setu_store_t *s);
	void (*rollback)(setu_store_t *s);

	/* Administration. */
	int (*org_add)(setu_store_t *s, setu_org_t *org, setu_diag_t *diag);
	int (*org_find)(setu_store_t *s, const char *name_or_identity, setu_org_t *out);
	int (*member_add)(setu_store_t *s, setu_member_t *m, setu_diag_t *diag);
	int (*member_find)(setu_store_t *s, const char *name_or_identity,
	                   setu_member_t *out);
	int (*token_add)(setu_store_t *s, int64_t member_id, const uint8_t hash[32],
	                 int64_t *token_id);
	int (*token_revoke)(setu_store_t *s, int64_t token_id);
	/* The member owning a live token with this hash; SETU_ENOENT if none or revoked.
	 */
	int (*token_lookup)(setu_store_t *s, const uint8_t hash[32], setu_member_t *out);
	int (*api_root_ensure)(setu_store_t *s, const char *path, const char *title,
	                       setu_api_root_t *out);
	int (*api_root_find)(setu_store_t *s, const char *path, setu_api_root_t *out);
	int (*api_root_list)(setu_store_t *s, int (*cb)(void *, const setu_api_root_t *),
	                     void *user);
	int (*collection_add)(setu_store_t *s, int64_t api_root_id, const char *title,
	                      const char *description, bool is_public,
	                      setu_collection_t *out);
	int (*collection_grant)(setu_store_t *s, int64_t collection_id, int64_t org_id,
	                        bool can_read, bool can_write);
	/* Find by UUID (or title, for the CLI); grants filled for org_id (0 = none). */
	int (*collection_find)(setu_store_t *s, const char *uuid_or_title, int64_t org_id,
	                       setu_collection_t *out);
	/* Every collection of an API root, with grants for org_id. */
	int (*collection_list)(setu_store_t *s, int64_t api_root_id, int64_t org_id,
	                       setu_collection_cb cb, void *user);

	/* Objects. object_put must run inside begin_write/commit. */
	int (*object_put)(setu_store_t *s, int64_t collection_id, int64_t producer_org,
	                  int64_t producer_user, setu_store_obj_t *o, setu_diag_t *diag);
	/* Effective level and recipients of the latest stored version of stix_id in the
	 * collection; SETU_ENOENT if none. recipients gets the ",o1,u2," form. */
	int (*object_marking)(setu_store_t *s, int64_t collection_id, const char *stix_id,
	                      int *tlp, char *recipients, size_t size);
	/* Stored versions that reference stix_id: (row, tlp, recipients) each. */
	int (*object_referrers)(setu_store_t *s, int64_t collection_id,
	                        const char *stix_id,
	                        int (*cb)(void *user, int64_t row, int tlp,
	                                  const char *recipients),
	                        void *user);
	/* Set the effective level and recipients of one stored version (write
	 * transaction). */
	int (*object_relevel)(setu_store_t *s, int64_t row, int tlp,
	                      const char *recipients);
	/* Visible rows in date_added order; *more says whether another visible row
	 * follows. */
	int (*object_query)(setu_store_t *s, const setu_obj_query_t *q,
	                    setu_obj_row_cb cb, void *user, bool *more);
	/* Delete the visible rows the query selects (limit ignored); *deleted counts
	 * them. Runs its own write transaction. */
	int (*object_delete)(setu_store_t *s, const setu_obj_query_t *q, size_t *deleted);

	int (*status_put)(setu_store_t *s, const char *uuid, int64_t collection_id,
	                  int64_t member_id, int64_t org_id, const char *body);
	/* The status body if it belongs to org_id; SETU_ENOENT otherwise. Caller frees
	 * *body. */
	int (*status_get)(setu_store_t *s, const char *uuid, int64_t org_id, char **body);

	int (*audit_add)(setu_store_t *s, const setu_audit_t *a);
	/* Number of audit rows with this action (NULL = every action). */
	int (*audit_count)(setu_store_t *s, const char *action, int64_t *count);

	/* Federation. A peer principal (a member of a peer's organisation) reading
	 * through object_query sees only what an offer agreement on that collection
	 * releases (sync/policy.h, checked per row like the ACL), never what it sent
	 * itself, and every row it is given is recorded in the transfer trail ("out",
	 * "sent") before object_query returns; with no such agreement it sees nothing. */
	int (*peer_add)(setu_store_t *s, setu_peer_t *p, setu_diag_t *diag);
	int (*peer_find)(setu_store_t *s, const char *name, setu_peer_t *out);
	int (*peer_list)(setu_store_t *s, setu_peer_cb cb, void *user);
	int (*peer_enable)(setu_store_t *s, int64_t peer_id, bool enabled);
	int (*agreement_add)(setu_store_t *s, setu_agreement_t *a, setu_diag_t *diag);
	/* Agreements of one peer (0 = all), by id. */
	int (*agreement_list)(setu_store_t *s, int64_t peer_id, setu_agreement_cb cb,
	                      void *user);
	/* SETU_ENOENT (and *out zeroed with the keys set) when never synced. */
	int (*sync_state_get)(setu_store_t *s, int64_t agreement_id,
	                      const char *collection, setu_sync_state_t *out);
	/* Insert or replace; inside a write transaction when it must be atomic with a
	 * page. */
	int (*sync_state_put)(setu_store_t *s, const setu_sync_state_t *st);
	/* Every pull agreement with its state (zeroed when never synced). */
	int (*sync_state_list)(setu_store_t *s, setu_sync_state_cb cb, void *user);
	int (*transfer_add)(setu_store_t *s, const setu_transfer_t *t);
	/* Newest first; peer_id 0 = all; limit 0 = all. */
	int (*transfer_list)(setu_store_t *s, int64_t peer_id, size_t limit,
	                     setu_transfer_cb cb, void *user);
	/* ",o<id>,..." of the organisations (peers excluded) with a read grant on it. */
	int (*collection_readers)(setu_store_t *s, int64_t collection_id, char *out,
	                          size_t size);

	/* The writer thread's connection (writer.c). reopen: another connection to the
	 * same database. writer_mode: this connection no longer checkpoints the WAL
	 * inside COMMIT (so an acknowledgement never waits for a checkpoint); the writer
	 * calls checkpoint after it has answered, which copies the WAL into the database
	 * (PASSIVE, fsync'd) once it holds more than SETU_HUB_SQLITE_WAL_CHECKPOINT_PAGES
	 * frames, and does nothing otherwise. */
	int (*reopen)(setu_store_t *s, setu_store_t **out, setu_diag_t *diag);
	int (*writer_mode)(setu_store_t *s);
	int (*checkpoint)(setu_store_t *s);
};

struct setu_store {
	const struct setu_store_ops *ops;
};

/* Open a store by URI: "sqlite:PATH" or a plain path (SQLite). Applies pending
 * migrations. Returns 0 and *out, or a negative code with diag filled. */
int setu_store_open(const char *uri, setu_store_t **out, setu_diag_t *diag);
void setu_store_close(setu_store_t *s);

/* The SQLite implementation (sqlite.c). */
int setu_store_sqlite_open(const char *path, setu_store_t **out, setu_diag_t *diag);
/* Schema version after migrations (for tests). */
int setu_store_sqlite_schema_version(setu_store_t *s);

/* Time helpers shared by the hub: microseconds since the epoch, and STIX/TAXII timestamps
 * (RFC 3339, UTC, "Z") in both directions. Parsing accepts any fraction length and keeps
 * microseconds; it is strict about the shape (YYYY-MM-DDTHH:MM:SS[.frac]Z). */
int64_t setu_now_us(void);
int setu_ts_parse(const char *s, int64_t *us);
/* Writes "YYYY-MM-DDTHH:MM:SS.ffffffZ" (28 bytes incl. NUL). */
#define SETU_TS_LEN 32
void setu_ts_format(int64_t us, char *buf, size_t size);
/* A random version-4 UUID in canonical text (37 bytes incl. NUL). */
int setu_uuid4(char out[37]);

#endif
