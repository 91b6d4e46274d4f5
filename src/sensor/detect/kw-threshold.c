/* kw-threshold.c — threshold and detection_filter rule keywords (Suricata "Rule
 * Thresholding": type limit/threshold/both/backoff, track by_src/by_dst/by_rule/by_both/
 * by_flow, count, seconds, multiplier). threshold.config lines reuse th_parse_fields. */
#include "detect-int.h"
#include "kw-threshold.h"

#include <stdio.h>
#include <string.h>

int th_parse_fields(parse_ctx_t *pc, const char *kw, char **a, int n, bool want_type,
                    threshold_t *th)
{
	bool have_type = false, have_track = false, have_count = false,
	     have_seconds = false;
	bool have_mult = false;
	for (int i = 0; i < n; i++) {
		char *sp = strpbrk(a[i], " \t");
		if (sp == NULL)
			return perr(pc, "%s: expected 'name value' in '%s'", kw, a[i]);
		*sp = '\0';
		const char *k = a[i];
		char *v = str_trim(sp + 1);
		uint64_t u;
		if (strcmp(k, "type") == 0 && want_type) {
			if (have_type)
				return perr(pc, "%s: type given twice", kw);
			have_type = true;
			if (strcmp(v, "limit") == 0)
				th->type = TH_LIMIT;
			else if (strcmp(v, "threshold") == 0)
				th->type = TH_THRESHOLD;
			else if (strcmp(v, "both") == 0)
				th->type = TH_BOTH;
			else if (strcmp(v, "backoff") == 0)
				th->type = TH_BACKOFF;
			else
				return perr(pc, "%s: invalid type '%s'", kw, v);
		} else if (strcmp(k, "track") == 0) {
			if (have_track)
				return perr(pc, "%s: track given twice", kw);
			have_track = true;
			if (strcmp(v, "by_src") == 0)
				th->track = TRACK_SRC;
			else if (strcmp(v, "by_dst") == 0)
				th->track = TRACK_DST;
			else if (strcmp(v, "by_rule") == 0)
				th->track = TRACK_RULE;
			else if (strcmp(v, "by_both") == 0)
				th->track = TRACK_BOTH;
			else if (strcmp(v, "by_flow") == 0)
				th->track = TRACK_FLOW;
			else
				return perr(pc, "%s: invalid track '%s'", kw, v);
		} else if (strcmp(k, "count") == 0) {
			if (have_count || parse_u64(v, UINT32_MAX, &u) != 0)
				return perr(pc, "%s: invalid count '%s'", kw, v);
			th->count = (uint32_t)u;
			have_count = true;
		} else if (strcmp(k, "seconds") == 0) {
			if (have_seconds || parse_u64(v, UINT32_MAX, &u) != 0)
				return perr(pc, "%s: invalid seconds '%s'", kw, v);
			th->seconds = (uint32_t)u;
			have_seconds = true;
		} else if (strcmp(k, "multiplier") == 0) {
			if (have_mult || parse_u64(v, UINT32_MAX, &u) != 0 || u < 2)
				return perr(pc, "%s: invalid multiplier '%s' (>= 2)", kw,
				            v);
			th->multiplier = (uint32_t)u;
			have_mult = true;
		} else {
			return perr(pc, "%s: unknown option '%s'", kw, k);
		}
	}
	if (want_type && !have_type)
		return perr(pc, "%s: missing type", kw);
	if (!have_track)
		return perr(pc, "%s: missing track", kw);
	if (!have_count)
		return perr(pc, "%s: missing count", kw);
	if (th->type == TH_BACKOFF) {
		if (!have_mult)
			return perr(pc, "%s: type backoff needs a multiplier", kw);
		if (th->track != TRACK_FLOW)
			return perr(pc, "%s: type backoff needs track by_flow", kw);
		if (have_seconds)
			return perr(pc, "%s: type backoff takes no seconds", kw);
		if (th->count == 0)
			return perr(pc, "%s: count must be > 0", kw);
	} else {
		if (have_mult)
			return perr(pc, "%s: multiplier is only valid with type backoff",
			            kw);
		if (!have_seconds)
			return perr(pc, "%s: missing seconds", kw);
		if (th->count == 0 && th->type != TH_DETECTION_FILTER)
			return perr(pc, "%s: count must be > 0", kw);
	}
	return 0;
}

static int setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg, bool df)
{
	const char *kw = df ? "detection_filter" : "threshold";
	if (r->th.type != TH_NONE)
		return perr(pc, "only one threshold or detection_filter per rule");
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *a[8];
	int n = split_args(buf, a, 8);
	if (n < 0)
		return perr(pc, "%s: too many options", kw);
	threshold_t th = {0};
	if (df)
		th.type = TH_DETECTION_FILTER;
	int rc = th_parse_fields(pc, kw, a, n, !df, &th);
	if (rc != 0)
		return rc;
	r->th = th;
	return 0;
}

int kw_threshold_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return setup(pc, r, arg, false);
}

int kw_detection_filter_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return setup(pc, r, arg, true);
}
