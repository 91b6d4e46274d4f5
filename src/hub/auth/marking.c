/* marking.c — effective TLP of an object on write (FIRST TLP 2.0 / STIX 2.1 §7.2.1.4 ids
 * via hub/stix/tlp.h): the most restrictive of its own markings and of what it
 * references, and the recipients named in the setu TLP extension (docs/tlp.md). */
#include "hub/auth/marking.h"

#include "common/limits.h"
#include "hub/auth/acl.h"
#include "hub/stix/tlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The STIX engineer's level (tlp.h) into the hub's stored level (acl.h). Kept as an
 * explicit mapping: the stored values must not move if tlp.h's enum does. */
static int hub_level(setu_tlp_t stix_level)
{
	switch (stix_level) {
	case SETU_TLP_CLEAR:
		return SETU_HUB_TLP_CLEAR;
	case SETU_TLP_GREEN:
		return SETU_HUB_TLP_GREEN;
	case SETU_TLP_AMBER:
		return SETU_HUB_TLP_AMBER;
	case SETU_TLP_AMBER_STRICT:
		return SETU_HUB_TLP_AMBER_STRICT;
	case SETU_TLP_RED:
		return SETU_HUB_TLP_RED;
	case SETU_TLP_NONE:
		break;
	}
	return SETU_HUB_TLP_UNMARKED;
}

/* Append ",<kind><id>" once. */
static int add_recipient(char *buf, size_t size, char kind, int64_t id)
{
	char key[32];
	snprintf(key, sizeof(key), ",%c%lld,", kind, (long long)id);
	if (strstr(buf, key) != NULL)
		return 0;
	size_t n = strlen(buf);
	int w = snprintf(buf + n, size - n, "%c%lld,", kind, (long long)id);
	return w > 0 && (size_t)w < size - n ? 0 : SETU_ELIMIT;
}

static int read_extension(setu_store_t *s, const json_t *ext, char *recipients,
                          size_t size, setu_diag_t *diag)
{
	const char *pfx = "extensions." SETU_TLP_EXTENSION_ID;
	if (!json_is_object(ext))
		return setu_diag_set(diag, SETU_EINVAL, "%s: not an object", pfx);
	const char *k;
	const json_t *v;
	size_t total = 0;
	json_object_foreach((json_t *)ext, k, v)
	{
		if (strcmp(k, "extension_type") == 0) {
			if (!json_is_string(v) ||
			    strcmp(json_string_value(v), "property-extension") != 0)
				return setu_diag_set(
				    diag, SETU_EINVAL,
				    "%s.extension_type: must be 'property-extension'",
				    pfx);
			continue;
		}
		bool orgs = strcmp(k, "recipient_orgs") == 0;
		if (!orgs && strcmp(k, "recipient_users") != 0)
			return setu_diag_set(diag, SETU_EINVAL, "%s.%s: unknown property",
			                     pfx, k);
		if (!json_is_array(v) || json_array_size(v) == 0)
			return setu_diag_set(diag, SETU_EINVAL,
			                     "%s.%s: must be a non-empty list", pfx, k);
		size_t i;
		const json_t *item;
		json_array_foreach(v, i, item)
		{
			const char *id = json_string_value(item);
			if (id == NULL || strncmp(id, "identity--", 10) != 0)
				return setu_diag_set(diag, SETU_EINVAL,
				                     "%s.%s[%zu]: not an identity id",
				                     pfx, k, i);
			if (++total > SETU_HUB_MAX_RECIPIENTS)
				return setu_diag_set(diag, SETU_EINVAL,
				                     "%s: more than %u recipients", pfx,
				                     SETU_HUB_MAX_RECIPIENTS);
			int64_t rid = 0;
			int rc;
			if (orgs) {
				setu_org_t org;
				rc = s->ops->org_find(s, id, &org);
				rid = org.id;
			} else {
				setu_member_t m;
				rc = s->ops->member_find(s, id, &m);
				rid = m.id;
			}
			if (rc == SETU_ENOENT)
				return setu_diag_set(
				    diag, SETU_EINVAL,
				    "%s.%s[%zu]: '%.60s' is not a %s of this hub", pfx, k,
				    i, id, orgs ? "organisation" : "member");
			if (rc != 0)
				return rc;
			if (add_recipient(recipients, size, orgs ? 'o' : 'u', rid) != 0)
				return setu_diag_set(diag, SETU_EINVAL,
				                     "%s: too many recipients", pfx);
		}
	}
	return 0;
}

/* Keep in `mine` only the entries also in `theirs` (both ",x1,y2," lists). */
static void intersect(char *mine, const char *theirs)
{
	char out[SETU_RECIPIENTS_MAX] = ",";
	size_t n = 1;
	const char *p = mine + 1;
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		if (end == NULL)
			break;
		char key[40];
		size_t len = (size_t)(end - p);
		if (len + 3 <= sizeof(key)) {
			key[0] = ',';
			memcpy(key + 1, p, len);
			key[len + 1] = ',';
			key[len + 2] = '\0';
			if (strstr(theirs, key) != NULL && n + len + 1 < sizeof(out)) {
				memcpy(out + n, p, len);
				n += len;
				out[n++] = ',';
				out[n] = '\0';
			}
		}
		p = end + 1;
	}
	snprintf(mine, SETU_RECIPIENTS_MAX, "%s", out);
}

void setu_hub_marking_inherit(int *tlp, char *recipients, int ref_tlp,
                              const char *ref_recipients)
{
	/* A referenced object as restrictive as AMBER (or more) narrows the audience. */
	if (ref_tlp >= SETU_HUB_TLP_AMBER && setu_acl_tlp_max(ref_tlp, *tlp) == ref_tlp)
		intersect(recipients, ref_recipients != NULL ? ref_recipients : ",");
	*tlp = setu_acl_tlp_max(*tlp, ref_tlp);
}

static int apply_ref(setu_store_t *s, int64_t coll, const char *id, int *tlp,
                     char *recipients)
{
	int rtlp;
	char rrec[SETU_RECIPIENTS_MAX];
	int rc = s->ops->object_marking(s, coll, id, &rtlp, rrec, sizeof(rrec));
	if (rc == SETU_ENOENT)
		return 0; /* not (yet) in this collection: see setu_hub_marking_spread */
	if (rc != 0)
		return rc;
	setu_hub_marking_inherit(tlp, recipients, rtlp, rrec);
	return 0;
}

static bool is_ref_key(const char *k)
{
	size_t n = strlen(k);
	if (strcmp(k, "object_marking_refs") == 0 || strcmp(k, "created_by_ref") == 0)
		return false;
	return (n > 4 && strcmp(k + n - 4, "_ref") == 0) ||
	       (n > 5 && strcmp(k + n - 5, "_refs") == 0);
}

int setu_hub_object_marking(setu_store_t *s, int64_t collection_id, const json_t *obj,
                            int *tlp, char *recipients, size_t size, setu_diag_t *diag)
{
	*tlp = SETU_HUB_TLP_UNMARKED;
	if (size < 2)
		return SETU_EINVAL;
	snprintf(recipients, size, ",");
	/* Its own TLP markings (object_marking_refs and granular_markings), via
	 * intel/tlp.c. */
	setu_tlp_t own = setu_tlp_of_object(obj);
	if (own != SETU_TLP_NONE)
		*tlp = hub_level(own);
	const json_t *v;

	const json_t *ext =
	    json_object_get(json_object_get(obj, "extensions"), SETU_TLP_EXTENSION_ID);
	if (ext != NULL) {
		int rc = read_extension(s, ext, recipients, size, diag);
		if (rc != 0)
			return rc;
	}
	const char *k;
	json_object_foreach((json_t *)obj, k, v)
	{
		if (!is_ref_key(k))
			continue;
		if (json_is_string(v)) {
			int rc = apply_ref(s, collection_id, json_string_value(v), tlp,
			                   recipients);
			if (rc != 0)
				return rc;
		} else if (json_is_array(v)) {
			size_t j;
			const json_t *item;
			json_array_foreach(v, j, item)
			{
				if (!json_is_string(item))
					continue;
				int rc =
				    apply_ref(s, collection_id, json_string_value(item),
				              tlp, recipients);
				if (rc != 0)
					return rc;
			}
		}
	}
	return 0;
}

size_t setu_hub_object_refs(const json_t *obj, const char **out, size_t max)
{
	size_t n = 0;
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)obj, k, v)
	{
		if (!is_ref_key(k))
			continue;
		if (json_is_string(v)) {
			if (n < max)
				out[n] = json_string_value(v);
			n++;
		} else if (json_is_array(v)) {
			size_t j;
			const json_t *item;
			json_array_foreach(v, j, item)
			{
				if (!json_is_string(item))
					continue;
				if (n < max)
					out[n] = json_string_value(item);
				n++;
			}
		}
	}
	return n;
}

typedef struct spread_ctx {
	setu_store_t *s;
	int tlp;
	const char *recipients;
} spread_ctx_t;

static int spread_one(void *user, int64_t row, int tlp, const char *recipients)
{
	spread_ctx_t *x = user;
	char rec[SETU_RECIPIENTS_MAX];
	snprintf(rec, sizeof(rec), "%s", recipients);
	int t = tlp;
	setu_hub_marking_inherit(&t, rec, x->tlp, x->recipients);
	if (t == tlp && strcmp(rec, recipients) == 0)
		return 0;
	return x->s->ops->object_relevel(x->s, row, t, rec);
}

int setu_hub_marking_spread(setu_store_t *s, int64_t collection_id, const char *stix_id,
                            int tlp, const char *recipients)
{
	spread_ctx_t x = {s, tlp, recipients != NULL ? recipients : ","};
	return s->ops->object_referrers(s, collection_id, stix_id, spread_one, &x);
}
