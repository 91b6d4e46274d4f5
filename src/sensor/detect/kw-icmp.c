/* kw-icmp.c — ICMP header keywords: itype, icode (with < > <> ranges), icmp_id, icmp_seq
 * (Suricata "Header Keywords"). */
#include "detect-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(parse_ctx_t *pc, setu_rule_t *r, uint8_t type, const char *kw,
               const char *arg, uint64_t max, bool cmp)
{
	sm_num_t *num = calloc(1, sizeof(*num));
	if (num == NULL)
		return SETU_ENOMEM;
	int rc;
	if (cmp) {
		rc = parse_cmp(pc, kw, arg, max, num);
	} else {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s", arg);
		char *s = str_trim(buf);
		size_t n = strlen(s);
		if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
			s[n - 1] = '\0';
			s = str_trim(s + 1);
		}
		num->op = CMP_EQ;
		rc = parse_u64(s, max, &num->a) == 0
		         ? 0
		         : perr(pc, "%s: invalid value '%s' (0-%llu)", kw, arg,
		                (unsigned long long)max);
	}
	sm_t *sm = rc == 0 ? rule_add_sm(r, LIST_MATCH, type) : NULL;
	if (rc == 0 && sm == NULL)
		rc = SETU_ENOMEM;
	if (rc != 0) {
		free(num);
		return rc;
	}
	sm->u.num = num;
	return 0;
}

int kw_itype_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return add(pc, r, SM_ITYPE, "itype", arg, 255, true);
}

int kw_icode_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return add(pc, r, SM_ICODE, "icode", arg, 255, true);
}

int kw_icmp_id_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return add(pc, r, SM_ICMP_ID, "icmp_id", arg, 65535, false);
}

int kw_icmp_seq_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return add(pc, r, SM_ICMP_SEQ, "icmp_seq", arg, 65535, false);
}
