/* kw-flowbits.c — flowbits (set, setx, unset, toggle, isset, isnotset, noalert; the
 * `a|b` any-of and `a&b` all-of forms) and flowint (Suricata "Flow Keywords"). */
#include "detect-int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool valid_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

int kw_flowbits_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *a[4];
	int n = split_args(buf, a, 4);
	if (n < 1)
		return perr(pc, "flowbits: too many arguments");
	static const struct {
		const char *name;
		uint8_t cmd;
	} cmds[] = {{"set", FB_SET},     {"setx", FB_SET},
	            {"unset", FB_UNSET}, {"toggle", FB_TOGGLE},
	            {"isset", FB_ISSET}, {"isnotset", FB_ISNOTSET}};
	if (strcmp(a[0], "noalert") == 0) {
		if (n != 1)
			return perr(pc, "flowbits: noalert takes no name");
		r->flags |= RF_NOALERT;
		return 0;
	}
	int cmd = -1;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(a[0], cmds[i].name) == 0)
			cmd = cmds[i].cmd;
	if (cmd < 0)
		return perr(pc, "flowbits: invalid command '%s'", a[0]);
	bool setx = strcmp(a[0], "setx") == 0;
	if (n < 2 || *a[1] == '\0')
		return perr(pc, "flowbits: '%s' needs a flowbit name", a[0]);
	uint32_t expire = 0;
	if (setx) {
		uint64_t e;
		if (n != 3 || parse_u64(a[2], UINT32_MAX, &e) != 0 || e == 0)
			return perr(
			    pc, "flowbits: setx needs a name and an expiry in seconds");
		expire = (uint32_t)e;
	} else if (n > 2) {
		return perr(pc, "flowbits: too many arguments");
	}
	char *names = a[1];
	bool has_or = strchr(names, '|') != NULL, has_and = strchr(names, '&') != NULL;
	if (has_or && has_and)
		return perr(pc, "flowbits: '|' and '&' can't be mixed");
	if ((has_or || has_and) && cmd != FB_ISSET && cmd != FB_ISNOTSET)
		return perr(
		    pc, "flowbits: the '%c' form is only valid with isset and isnotset",
		    has_or ? '|' : '&');
	sm_flowbits_t *fb = calloc(1, sizeof(*fb));
	if (fb == NULL)
		return SETU_ENOMEM;
	fb->cmd = (uint8_t)cmd;
	fb->or_form = has_or;
	fb->expire = expire;
	int rc = 0;
	char *save = NULL;
	for (char *t = strtok_r(names, "|&", &save); t != NULL;
	     t = strtok_r(NULL, "|&", &save)) {
		t = str_trim(t);
		if (!valid_name(t)) {
			rc = perr(pc, "flowbits: invalid flowbit name '%s'", t);
			break;
		}
		if (fb->n >= SETU_DETECT_MAX_FLOWBITS_OR) {
			rc = perr(pc, "flowbits: too many names (max %u)",
			          SETU_DETECT_MAX_FLOWBITS_OR);
			break;
		}
		uint32_t *ni = realloc(fb->idx, (fb->n + 1u) * sizeof(*ni));
		if (ni == NULL) {
			rc = SETU_ENOMEM;
			break;
		}
		fb->idx = ni;
		rc = name_table_index(pc->flowbits, t, &fb->idx[fb->n]);
		if (rc != 0) {
			if (rc == SETU_ELIMIT)
				rc = perr(pc, "flowbits: too many distinct flowbits");
			break;
		}
		fb->n++;
	}
	if (rc == 0 && fb->n == 0)
		rc = perr(pc, "flowbits: empty name");
	bool is_check = cmd == FB_ISSET || cmd == FB_ISNOTSET;
	sm_t *sm =
	    rc == 0 ? rule_add_sm(r, is_check ? LIST_MATCH : LIST_POSTMATCH, SM_FLOWBITS)
	            : NULL;
	if (rc == 0 && sm == NULL)
		rc = SETU_ENOMEM;
	if (rc != 0) {
		free(fb->idx);
		free(fb);
		return rc;
	}
	sm->u.fb = fb;
	return 0;
}

int kw_flowint_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *a[4];
	int n = split_args(buf, a, 4);
	if (n < 2 || n > 3)
		return perr(pc, "flowint: expected 'name, operator[, value]'");
	static const struct {
		const char *op;
		uint8_t v;
		bool needs_val;
		bool modifies;
	} ops[] = {
	    {"=", FI_SET, true, true},           {"+", FI_ADD, true, true},
	    {"-", FI_SUB, true, true},           {"==", FI_EQ, true, false},
	    {"!=", FI_NE, true, false},          {"<", FI_LT, true, false},
	    {"<=", FI_LE, true, false},          {">", FI_GT, true, false},
	    {">=", FI_GE, true, false},          {"isset", FI_ISSET, false, false},
	    {"notset", FI_NOTSET, false, false}, {"isnotset", FI_NOTSET, false, false}};
	if (!valid_name(a[0]))
		return perr(pc, "flowint: invalid variable name '%s'", a[0]);
	int k = -1;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(a[1], ops[i].op) == 0)
			k = (int)i;
	if (k < 0)
		return perr(pc, "flowint: invalid operator '%s'", a[1]);
	if (ops[k].needs_val != (n == 3))
		return perr(pc,
		            ops[k].needs_val ? "flowint: operator '%s' needs a value"
		                             : "flowint: operator '%s' takes no value",
		            a[1]);
	sm_flowint_t *fi = calloc(1, sizeof(*fi));
	if (fi == NULL)
		return SETU_ENOMEM;
	fi->op = ops[k].v;
	int rc = name_table_index(pc->flowints, a[0], &fi->idx);
	if (rc == SETU_ELIMIT)
		rc = perr(pc, "flowint: too many distinct variables");
	if (rc == 0 && n == 3) {
		uint64_t v;
		if (parse_u64(a[2], UINT32_MAX, &v) == 0) {
			fi->val = (uint32_t)v;
		} else if (valid_name(a[2]) && !(a[2][0] >= '0' && a[2][0] <= '9') &&
		           a[2][0] != '-') {
			fi->val_is_var = true;
			rc = name_table_index(pc->flowints, a[2], &fi->val_idx);
			if (rc == SETU_ELIMIT)
				rc = perr(pc, "flowint: too many distinct variables");
		} else {
			rc = perr(pc,
			          "flowint: invalid value '%s' (0-4294967295 or a "
			          "flowint name)",
			          a[2]);
		}
	}
	sm_t *sm = rc == 0 ? rule_add_sm(r, ops[k].modifies ? LIST_POSTMATCH : LIST_MATCH,
	                                 SM_FLOWINT)
	                   : NULL;
	if (rc == 0 && sm == NULL)
		rc = SETU_ENOMEM;
	if (rc != 0) {
		free(fi);
		return rc;
	}
	sm->u.fi = fi;
	return 0;
}
