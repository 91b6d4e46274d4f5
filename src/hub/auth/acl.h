/* acl.h — who may see and write what on the hub: principals (member + organisation +
 * role), collection grants, and TLP 2.0 (FIRST TLP 2.0; STIX 2.1 §7.2.1.4 for TLP 1.0
 * ids). setu_acl_object_visible() is THE read check: every read path (objects, object by
 * id, versions, manifest, pagination counts, deletes) goes through it. Rules:
 * docs/tlp.md. */
#ifndef SETU_HUB_ACL_H
#define SETU_HUB_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum setu_role {
	SETU_ROLE_READER = 0,
	SETU_ROLE_CONTRIBUTOR = 1,
	SETU_ROLE_ADMIN = 2,
} setu_role_t;

/* Parse "reader" | "contributor" | "admin"; -1 if none. */
int setu_role_parse(const char *s);
const char *setu_role_name(int role);

/* The requester. authenticated=false is an anonymous reader. */
typedef struct setu_principal {
	bool authenticated;
	int64_t member_id;
	int64_t org_id;
	int role;
	char name[128];
	char identity[64]; /* the member's identity--UUID */
} setu_principal_t;

/* Effective TLP level stored with each object version. These values are written to the
 * database, so they are the hub's own and stable; marking.c converts the level that
 * setu_tlp_level_of_marking() (hub/stix/tlp.h) gives into them. An object with no TLP
 * marking is UNMARKED and handled as GREEN (collection members only; docs/tlp.md). */
typedef enum setu_hub_tlp {
	SETU_HUB_TLP_UNMARKED = -1,
	SETU_HUB_TLP_CLEAR = 0, /* TLP 1.0 WHITE too */
	SETU_HUB_TLP_GREEN = 1,
	SETU_HUB_TLP_AMBER = 2,
	SETU_HUB_TLP_AMBER_STRICT = 3,
	SETU_HUB_TLP_RED = 4,
} setu_hub_tlp_t;

/* What the read check needs about the collection, computed once per request. */
typedef struct setu_acl_ctx {
	const setu_principal_t *who;
	bool coll_public; /* anonymous readers may read TLP:CLEAR */
	bool coll_member; /* the principal's organisation has a read grant */
} setu_acl_ctx_t;

/* The facts about one stored object version that the check uses. */
typedef struct setu_acl_obj {
	int tlp;                /* effective level */
	int64_t producer_org;   /* organisation that wrote it */
	int64_t producer_user;  /* member that wrote it */
	const char *recipients; /* ",o<org>,u<member>," or NULL */
} setu_acl_obj_t;

/* THE read check: may ctx->who read this object version in this collection? */
bool setu_acl_object_visible(const setu_acl_ctx_t *ctx, const setu_acl_obj_t *o);

/* Collection-level decisions (TAXII 2.1 §5: a collection the requester cannot see at all
 * is answered 404; one it can see but not read/write is 403). */
bool setu_acl_collection_visible(const setu_principal_t *p, bool is_public,
                                 bool grant_read, bool grant_write);
bool setu_acl_collection_can_read(const setu_principal_t *p, bool is_public,
                                  bool grant_read);
bool setu_acl_collection_can_write(const setu_principal_t *p, bool grant_write);
/* Deleting needs write access and either the producing organisation or the admin role. */
bool setu_acl_can_delete(const setu_principal_t *p, bool grant_write,
                         int64_t producer_org);

/* Whether reads of this level are recorded in the audit log (AMBER and above). */
bool setu_acl_read_is_audited(int tlp);

/* Most restrictive of two levels (UNMARKED counts as GREEN). */
int setu_acl_tlp_max(int a, int b);
/* Name for logs and docs ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", "unmarked").
 */
const char *setu_acl_tlp_name(int tlp);

#endif
