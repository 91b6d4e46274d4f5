/* policy.h — THE release policy of federation (docs/federation.md): whether one object
 * version may cross to a partner hub under one agreement. Every path by which an object
 * leaves the hub for a partner (the TAXII read path for a peer principal, in the store's
 * query) and every object accepted from a partner (sync.c) asks setu_sync_release(). TLP
 * levels are the hub's (hub/auth/acl.h, FIRST TLP 2.0). */
#ifndef SETU_HUB_SYNC_POLICY_H
#define SETU_HUB_SYNC_POLICY_H

#include <stdbool.h>
#include <stddef.h>

/* Who produced the object, from this hub's point of view. */
typedef enum setu_origin {
	SETU_ORIGIN_LOCAL = 0, /* a local organisation (created_by_ref absent or local) */
	SETU_ORIGIN_THIRD_PARTY =
	    1,                    /* posted here, but created_by_ref names an outsider */
	SETU_ORIGIN_RECEIVED = 2, /* received from a partner hub */
} setu_origin_t;

typedef enum setu_sync_dir {
	SETU_SYNC_OFFER = 0, /* the partner pulls from this hub */
	SETU_SYNC_PULL = 1,  /* this hub pulls from the partner */
} setu_sync_dir_t;

/* The settings of one agreement that the policy reads. */
typedef struct setu_release_rule {
	int max_tlp;       /* highest level that may cross (SETU_HUB_TLP_*) */
	const char *types; /* ",indicator,sighting," form; NULL or "" = every type */
	bool third_party;  /* objects not produced by a local organisation may cross */
} setu_release_rule_t;

/* The facts about one object version. */
typedef struct setu_release_obj {
	int tlp;          /* the hub's effective level (own + referenced) */
	const char *type; /* STIX type */
	setu_origin_t origin;
	bool names_partner; /* the producer named the partner among the recipients */
} setu_release_obj_t;

typedef enum setu_release_verdict {
	SETU_RELEASE_OK = 0,
	SETU_RELEASE_RED,           /* TLP:RED never crosses */
	SETU_RELEASE_STRICT,        /* TLP:AMBER+STRICT never crosses */
	SETU_RELEASE_ABOVE_MAX,     /* above the agreement's highest TLP */
	SETU_RELEASE_AMBER_UNNAMED, /* AMBER, but the producer did not name the partner */
	SETU_RELEASE_RESHARE,     /* received AMBER: never forwarded to another partner */
	SETU_RELEASE_THIRD_PARTY, /* not produced locally, agreement says no */
	SETU_RELEASE_TYPE,        /* type not in the agreement */
} setu_release_verdict_t;

/* The decision. Order of the checks (first match wins): RED, AMBER+STRICT, type, above
 * max TLP, received AMBER, received or third party without third_party, AMBER without the
 * partner named. An unmarked object counts as GREEN (docs/tlp.md). */
setu_release_verdict_t setu_sync_release(const setu_release_rule_t *rule,
                                         const setu_release_obj_t *o);
/* One line for logs and the audit trail ("TLP:RED never leaves the hub"). */
const char *setu_sync_verdict_text(setu_release_verdict_t v);

/* True when type appears in the ",a,b," list (an empty or NULL list allows every type).
 */
bool setu_sync_type_allowed(const char *types, const char *type);

/* Normalise a user's comma list ("indicator, sighting") into ",indicator,sighting,"; ""
 * for NULL/"" or "*". 0, or SETU_EINVAL (a name that is not a STIX type name) /
 * SETU_ELIMIT. */
int setu_sync_types_norm(const char *in, char *out, size_t size);

/* "clear" / "green" / "amber" / "amber+strict" / "red" (any case) → level; -2 if none. */
int setu_sync_tlp_parse(const char *s);

#endif
