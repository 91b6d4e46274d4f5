/* kw-flow.c — the flow keyword (established, not_established, stateless, to_server,
 * to_client, from_server, from_client, only_stream, no_stream, only_frag, no_frag), as
 * Suricata's "Flow Keywords" documents it, with its conflict checks. */
#include "detect-int.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	uint32_t bit;
} flow_opts[] = {
    {"established", FL_ESTABLISHED}, {"not_established", FL_NOT_ESTABLISHED},
    {"stateless", FL_STATELESS},     {"to_server", FL_TOSERVER},
    {"from_client", FL_TOSERVER},    {"to_client", FL_TOCLIENT},
    {"from_server", FL_TOCLIENT},    {"only_stream", FL_ONLY_STREAM},
    {"no_stream", FL_NO_STREAM},     {"only_frag", FL_ONLY_FRAG},
    {"no_frag", FL_NO_FRAG},
};

int kw_flow_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	for (uint32_t i = 0; i < r->lists[LIST_MATCH].n; i++)
		if (r->lists[LIST_MATCH].v[i].type == SM_FLOW)
			return perr(pc, "a rule can have only one flow keyword");
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *a[12];
	int n = split_args(buf, a, 12);
	if (n < 1)
		return perr(pc, "flow: too many options");
	uint32_t f = 0;
	for (int i = 0; i < n; i++) {
		uint32_t bit = 0;
		for (size_t k = 0; k < sizeof(flow_opts) / sizeof(flow_opts[0]); k++)
			if (strcmp(a[i], flow_opts[k].name) == 0)
				bit = flow_opts[k].bit;
		if (bit == 0)
			return perr(pc, "flow: invalid option '%s'", a[i]);
		if (f & bit)
			return perr(pc, "flow: option '%s' given twice", a[i]);
		f |= bit;
	}
	if ((f & FL_ESTABLISHED) && (f & (FL_NOT_ESTABLISHED | FL_STATELESS)))
		return perr(pc, "flow: established can't be combined with "
		                "not_established or stateless");
	if ((f & FL_NOT_ESTABLISHED) && (f & FL_STATELESS))
		return perr(pc, "flow: not_established can't be combined with stateless");
	if ((f & FL_TOSERVER) && (f & FL_TOCLIENT))
		return perr(pc, "flow: to_server and to_client can't both be set");
	if ((f & FL_ONLY_STREAM) && (f & FL_NO_STREAM))
		return perr(pc, "flow: only_stream and no_stream can't both be set");
	if ((f & FL_ONLY_FRAG) && (f & FL_NO_FRAG))
		return perr(pc, "flow: only_frag and no_frag can't both be set");
	sm_t *sm = rule_add_sm(r, LIST_MATCH, SM_FLOW);
	if (sm == NULL)
		return SETU_ENOMEM;
	sm->u.u32 = f;
	return 0;
}
