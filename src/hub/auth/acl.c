/* acl.c — the hub's one access decision: collection grants + TLP 2.0 (FIRST TLP 2.0
 * definitions; docs/tlp.md states the rules this file implements). */
#include "hub/auth/acl.h"

#include <stdio.h>
#include <string.h>

int setu_role_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "reader") == 0)
		return SETU_ROLE_READER;
	if (strcmp(s, "contributor") == 0)
		return SETU_ROLE_CONTRIBUTOR;
	if (strcmp(s, "admin") == 0)
		return SETU_ROLE_ADMIN;
	return -1;
}

const char *setu_role_name(int role)
{
	switch (role) {
	case SETU_ROLE_READER:
		return "reader";
	case SETU_ROLE_CONTRIBUTOR:
		return "contributor";
	case SETU_ROLE_ADMIN:
		return "admin";
	}
	return "?";
}

/* Is ",<kind><id>," in the recipients list? */
static bool named(const char *recipients, char kind, int64_t id)
{
	if (recipients == NULL || id <= 0)
		return false;
	char key[32];
	snprintf(key, sizeof(key), ",%c%lld,", kind, (long long)id);
	return strstr(recipients, key) != NULL;
}

bool setu_acl_object_visible(const setu_acl_ctx_t *ctx, const setu_acl_obj_t *o)
{
	const setu_principal_t *p = ctx->who;
	bool authed = p != NULL && p->authenticated;
	bool member = authed && ctx->coll_member;

	switch (o->tlp) {
	case SETU_HUB_TLP_CLEAR:
		/* Every reader of the collection, and anonymous readers of a public one.
		 */
		return member || ctx->coll_public;
	case SETU_HUB_TLP_UNMARKED:
	case SETU_HUB_TLP_GREEN:
		/* The members of the collection (the community); never anonymous. */
		return member;
	case SETU_HUB_TLP_AMBER:
	case SETU_HUB_TLP_AMBER_STRICT:
		/* The producing organisation and the organisations (or members) it names.
		 */
		return member && (p->org_id == o->producer_org ||
		                  named(o->recipients, 'o', p->org_id) ||
		                  named(o->recipients, 'u', p->member_id));
	case SETU_HUB_TLP_RED:
		/* Only the named individuals, and the member who shared it. */
		return member && (p->member_id == o->producer_user ||
		                  named(o->recipients, 'u', p->member_id));
	}
	return false; /* an unknown level is never shown */
}

bool setu_acl_collection_can_read(const setu_principal_t *p, bool is_public,
                                  bool grant_read)
{
	if (p != NULL && p->authenticated && grant_read)
		return true;
	return is_public; /* anyone may read a public collection (TLP:CLEAR content only)
	                   */
}

bool setu_acl_collection_can_write(const setu_principal_t *p, bool grant_write)
{
	return p != NULL && p->authenticated && grant_write &&
	       p->role >= SETU_ROLE_CONTRIBUTOR;
}

bool setu_acl_collection_visible(const setu_principal_t *p, bool is_public,
                                 bool grant_read, bool grant_write)
{
	if (is_public)
		return true;
	return p != NULL && p->authenticated && (grant_read || grant_write);
}

bool setu_acl_can_delete(const setu_principal_t *p, bool grant_write,
                         int64_t producer_org)
{
	if (!setu_acl_collection_can_write(p, grant_write))
		return false;
	return p->role == SETU_ROLE_ADMIN || p->org_id == producer_org;
}

bool setu_acl_read_is_audited(int tlp)
{
	return tlp >= SETU_HUB_TLP_AMBER;
}

static int rank(int tlp)
{
	return tlp == SETU_HUB_TLP_UNMARKED ? SETU_HUB_TLP_GREEN : tlp;
}

int setu_acl_tlp_max(int a, int b)
{
	if (rank(a) != rank(b))
		return rank(a) > rank(b) ? a : b;
	return a > b ? a : b; /* GREEN beats UNMARKED: an explicit marking is kept */
}

const char *setu_acl_tlp_name(int tlp)
{
	switch (tlp) {
	case SETU_HUB_TLP_UNMARKED:
		return "unmarked";
	case SETU_HUB_TLP_CLEAR:
		return "CLEAR";
	case SETU_HUB_TLP_GREEN:
		return "GREEN";
	case SETU_HUB_TLP_AMBER:
		return "AMBER";
	case SETU_HUB_TLP_AMBER_STRICT:
		return "AMBER+STRICT";
	case SETU_HUB_TLP_RED:
		return "RED";
	}
	return "?";
}
