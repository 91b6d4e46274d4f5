/* kw-table.c — the keyword table (static const, generated from DETECT_KEYWORDS in
 * detect-int.h) and freeing of match entries. Any name not in the table makes the rule
 * skip with "keyword 'X' not supported": nothing is silently ignored. */
#include "detect-int.h"

#include <stdlib.h>
#include <string.h>

static const keyword_t keywords[] = {
#define KW_ENTRY(name, fn, flags) {name, fn, flags},
    DETECT_KEYWORDS(KW_ENTRY)
#undef KW_ENTRY
};

const keyword_t *detect_keyword_find(const char *name)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcmp(keywords[i].name, name) == 0)
			return &keywords[i];
	return NULL;
}

bool sm_free_payload(sm_t *sm)
{
	switch (sm->type) {
	case SM_CONTENT:
		if (sm->u.ct != NULL)
			free(sm->u.ct->pat);
		free(sm->u.ct);
		return true;
	case SM_PCRE:
		free(sm->u.rx);
		return true;
	case SM_BYTE_TEST:
	case SM_BYTE_JUMP:
	case SM_BYTE_EXTRACT:
	case SM_BYTE_MATH:
		free(sm->u.by);
		return true;
	case SM_ISDATAAT:
		free(sm->u.da);
		return true;
	case SM_FLOWBITS:
		if (sm->u.fb != NULL)
			free(sm->u.fb->idx);
		free(sm->u.fb);
		return true;
	case SM_FLOWINT:
		free(sm->u.fi);
		return true;
	case SM_FLAGS:
	case SM_FRAGBITS:
	case SM_IPOPTS:
		free(sm->u.bits);
		return true;
	default:
		return false;
	}
}

void sm_free(sm_t *sm)
{
	if (sm->type == SM_PCRE && sm->u.rx != NULL)
		pcre2_code_free(sm->u.rx->re);
	/* an arena rule's payload lives in the engine arena: only the PCRE2 code is ours
	 */
	if (!sm->arena && !sm_free_payload(sm) && !sm_no_payload(sm->type))
		free(sm->u.num);
	free(sm->num2);
	memset(sm, 0, sizeof(*sm));
}
