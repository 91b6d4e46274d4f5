/* policy.c — the federation release policy (docs/federation.md; TLP 2.0 by FIRST): one
 * function decides, for every object that would cross to or from a partner hub. */
#include "hub/sync/policy.h"

#include "hub/auth/acl.h"
#include "setu/error.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

bool setu_sync_type_allowed(const char *types, const char *type)
{
	if (types == NULL || types[0] == '\0')
		return true;
	if (type == NULL)
		return false;
	size_t n = strlen(type);
	for (const char *p = types; (p = strstr(p, type)) != NULL; p++)
		if (p > types && p[-1] == ',' && p[n] == ',')
			return true;
	return false;
}

setu_release_verdict_t setu_sync_release(const setu_release_rule_t *rule,
                                         const setu_release_obj_t *o)
{
	int tlp = o->tlp == SETU_HUB_TLP_UNMARKED ? SETU_HUB_TLP_GREEN : o->tlp;
	if (tlp >= SETU_HUB_TLP_RED || tlp < SETU_HUB_TLP_CLEAR)
		return SETU_RELEASE_RED; /* unknown levels are treated as the worst */
	if (tlp == SETU_HUB_TLP_AMBER_STRICT)
		return SETU_RELEASE_STRICT;
	if (!setu_sync_type_allowed(rule->types, o->type))
		return SETU_RELEASE_TYPE;
	int max =
	    rule->max_tlp == SETU_HUB_TLP_UNMARKED ? SETU_HUB_TLP_GREEN : rule->max_tlp;
	if (tlp > max)
		return SETU_RELEASE_ABOVE_MAX;
	/* AMBER was addressed by its producer to named recipients: a hub that received it
	 * is one of them and never passes it on. */
	if (o->origin == SETU_ORIGIN_RECEIVED && tlp >= SETU_HUB_TLP_AMBER)
		return SETU_RELEASE_RESHARE;
	if (o->origin != SETU_ORIGIN_LOCAL && !rule->third_party)
		return SETU_RELEASE_THIRD_PARTY;
	if (tlp == SETU_HUB_TLP_AMBER && !o->names_partner)
		return SETU_RELEASE_AMBER_UNNAMED;
	return SETU_RELEASE_OK;
}

const char *setu_sync_verdict_text(setu_release_verdict_t v)
{
	switch (v) {
	case SETU_RELEASE_OK:
		return "released";
	case SETU_RELEASE_RED:
		return "TLP:RED never crosses between hubs";
	case SETU_RELEASE_STRICT:
		return "TLP:AMBER+STRICT is never forwarded beyond the named "
		       "organisations";
	case SETU_RELEASE_ABOVE_MAX:
		return "marking above the agreement's highest TLP";
	case SETU_RELEASE_AMBER_UNNAMED:
		return "TLP:AMBER and the producer did not name the partner as a "
		       "recipient";
	case SETU_RELEASE_RESHARE:
		return "TLP:AMBER received from a partner hub is not re-shared";
	case SETU_RELEASE_THIRD_PARTY:
		return "produced by a third party and the agreement does not allow it";
	case SETU_RELEASE_TYPE:
		return "object type not in the agreement";
	}
	return "refused";
}

int setu_sync_types_norm(const char *in, char *out, size_t size)
{
	if (size < 1)
		return SETU_ELIMIT;
	out[0] = '\0';
	if (in == NULL || in[0] == '\0' || strcmp(in, "*") == 0)
		return 0;
	size_t n = 0;
	const char *p = in;
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		const char *s = p;
		while (*p != '\0' && *p != ',' && *p != ' ')
			p++;
		size_t len = (size_t)(p - s);
		if (len == 0)
			continue;
		for (size_t i = 0; i < len; i++) {
			char c = s[i];
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			      c == '-'))
				return SETU_EINVAL;
		}
		if (n + len + 2 >= size)
			return SETU_ELIMIT;
		if (n == 0)
			out[n++] = ',';
		memcpy(out + n, s, len);
		n += len;
		out[n++] = ',';
		out[n] = '\0';
	}
	return 0;
}

int setu_sync_tlp_parse(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
	    {"clear", SETU_HUB_TLP_CLEAR},
	    {"white", SETU_HUB_TLP_CLEAR},
	    {"green", SETU_HUB_TLP_GREEN},
	    {"amber", SETU_HUB_TLP_AMBER},
	    {"amber+strict", SETU_HUB_TLP_AMBER_STRICT},
	    {"red", SETU_HUB_TLP_RED},
	};
	if (s == NULL)
		return -2;
	if (strncasecmp(s, "TLP:", 4) == 0)
		s += 4;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].level;
	return -2;
}
