/* kw-meta.c — rule metadata keywords: msg, sid, rev, gid, classtype, priority, reference,
 * metadata, target, noalert, tag, and the anomaly-event keywords decode-event and
 * stream-event (Suricata "Meta Keywords", "Decoder Events", "Stream Events"). */
#include "detect-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int strip_quotes(parse_ctx_t *pc, const char *kw, const char *arg, char **out)
{
	size_t n = strlen(arg);
	if (n < 2 || arg[0] != '"' || arg[n - 1] != '"')
		return perr(pc, "%s: the value must be a quoted string", kw);
	char *s = malloc(n);
	if (s == NULL)
		return SETU_ENOMEM;
	size_t w = 0;
	for (size_t i = 1; i + 1 < n; i++) {
		if (arg[i] == '\\' && i + 2 < n) {
			char e = arg[i + 1];
			if (e == '\\' || e == '"' || e == ';' || e == ':' || e == '|' ||
			    e == ',') {
				s[w++] = e;
				i++;
				continue;
			}
		}
		s[w++] = arg[i];
	}
	s[w] = '\0';
	*out = s;
	return 0;
}

int kw_msg_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	if (r->info.msg != NULL)
		return perr(pc, "duplicated 'msg' keyword");
	char *m = NULL;
	int rc = strip_quotes(pc, "msg", arg, &m);
	if (rc != 0)
		return rc;
	r->info.msg = m;
	return 0;
}

static int u32_once(parse_ctx_t *pc, const char *kw, const char *arg, uint32_t *dst,
                    bool *seen, uint64_t min)
{
	if (*seen)
		return perr(pc, "duplicated '%s' keyword", kw);
	char buf[32];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *s = str_trim(buf);
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s[n - 1] = '\0';
		s++;
	}
	uint64_t v;
	if (parse_u64(s, UINT32_MAX, &v) != 0 || v < min)
		return perr(pc, "%s: invalid value '%s' (%llu-4294967295)", kw, arg,
		            (unsigned long long)min);
	*dst = (uint32_t)v;
	*seen = true;
	return 0;
}

/* "seen" flags live in otherwise-unused bits: sid 0 is invalid, so sid!=0 means seen */
int kw_sid_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	bool seen = r->info.sid != 0;
	return u32_once(pc, "sid", arg, &r->info.sid, &seen, 1);
}

int kw_rev_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	bool seen = r->info.rev != 0;
	return u32_once(pc, "rev", arg, &r->info.rev, &seen, 0);
}

int kw_gid_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	bool seen = false; /* gid defaults to 1; a second gid overrides like Suricata */
	return u32_once(pc, "gid", arg, &r->info.gid, &seen, 0);
}

int kw_classtype_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	if (r->info.classtype != NULL)
		return perr(pc, "duplicated 'classtype' keyword");
	const class_entry_t *ce = NULL;
	for (size_t i = 0; i < pc->nclasses; i++)
		if (strcasecmp(pc->classes[i].name, arg) == 0)
			ce = &pc->classes[i];
	if (ce == NULL && pc->nclasses > 0)
		return perr(pc, "unknown classtype '%s' (not in classification.config)",
		            arg);
	r->info.classtype = strdup(arg);
	if (r->info.classtype == NULL)
		return SETU_ENOMEM;
	if (ce != NULL) {
		r->info.category = strdup(ce->desc);
		if (r->info.category == NULL)
			return SETU_ENOMEM;
		/* `priority:` wins over the classtype's, whichever comes first */
		if (!r->prio_explicit)
			r->info.priority = ce->prio;
	}
	return 0;
}

int kw_priority_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	uint64_t v;
	if (parse_u64(arg, 255, &v) != 0 || v == 0)
		return perr(pc, "priority: invalid value '%s' (1-255)", arg);
	r->info.priority = (int)v;
	r->prio_explicit = true;
	return 0;
}

static int push_str(char ***arr, size_t *n, char *s)
{
	if (*n >= SETU_DETECT_MAX_META) {
		free(s);
		return SETU_ELIMIT;
	}
	char **na = realloc(*arr, (*n + 1) * sizeof(*na));
	if (na == NULL) {
		free(s);
		return SETU_ENOMEM;
	}
	na[(*n)++] = s;
	*arr = na;
	return 0;
}

int kw_reference_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	const char *comma = strchr(arg, ',');
	if (comma == NULL || comma == arg || comma[1] == '\0')
		return perr(pc, "reference: expected 'type,value'");
	char type[64];
	size_t tl = (size_t)(comma - arg);
	if (tl >= sizeof(type))
		return perr(pc, "reference: type too long");
	memcpy(type, arg, tl);
	type[tl] = '\0';
	char *t = str_trim(type);
	const char *val = comma + 1;
	while (*val == ' ')
		val++;
	const char *url = NULL;
	for (size_t i = 0; i < pc->nrefs; i++)
		if (strcasecmp(pc->refs[i].name, t) == 0)
			url = pc->refs[i].url;
	if (url == NULL && pc->nrefs > 0)
		return perr(pc, "reference: unknown type '%s' (not in reference.config)",
		            t);
	size_t len = strlen(t) + strlen(val) + (url != NULL ? strlen(url) : 0) + 2;
	char *s = malloc(len);
	if (s == NULL)
		return SETU_ENOMEM;
	snprintf(s, len, "%s,%s%s", t, url != NULL ? url : "", val);
	int rc = push_str(&r->ref_store, &r->info.nreferences, s);
	if (rc == SETU_ELIMIT)
		return perr(pc, "too many references in one rule");
	r->info.references = (const char *const *)r->ref_store;
	return rc;
}

int kw_metadata_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	char *buf = strdup(arg);
	if (buf == NULL)
		return SETU_ENOMEM;
	int rc = 0;
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save)) {
		t = str_trim(t);
		if (*t == '\0')
			continue;
		char *d = strdup(t);
		if (d == NULL) {
			rc = SETU_ENOMEM;
			break;
		}
		rc = push_str(&r->meta_store, &r->info.nmetadata, d);
		if (rc != 0) {
			if (rc == SETU_ELIMIT)
				rc = perr(pc, "too many metadata entries in one rule");
			break;
		}
	}
	free(buf);
	r->info.metadata = (const char *const *)r->meta_store;
	return rc;
}

int kw_target_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	if (strcmp(arg, "src_ip") == 0)
		r->info.target = "src_ip";
	else if (strcmp(arg, "dest_ip") == 0)
		r->info.target = "dest_ip";
	else
		return perr(pc, "target: expected src_ip or dest_ip, not '%s'", arg);
	return 0;
}

int kw_noalert_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	r->flags |= RF_NOALERT;
	return 0;
}

/* tag:session[,N,packets|seconds|bytes] | tag:host,N,unit,src|dst — validated and logged
 * on the alert (tagging of later packets is not implemented: the alert says so). */
int kw_tag_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *a[5];
	int n = split_args(buf, a, 5);
	if (n < 1)
		return perr(pc, "tag: too many arguments");
	bool host = strcmp(a[0], "host") == 0;
	if (!host && strcmp(a[0], "session") != 0)
		return perr(pc, "tag: type must be session or host, not '%s'", a[0]);
	if (n >= 2) {
		uint64_t v;
		if (n < 3 || parse_u64(a[1], UINT32_MAX, &v) != 0)
			return perr(pc, "tag: expected '<type>, <count>, <metric>'");
		if (strcmp(a[2], "packets") != 0 && strcmp(a[2], "seconds") != 0 &&
		    strcmp(a[2], "bytes") != 0)
			return perr(pc,
			            "tag: invalid metric '%s' (packets, seconds, bytes)",
			            a[2]);
	}
	if (n >= 4) {
		if (!host)
			return perr(pc, "tag: direction is only valid for host tags");
		if (strcmp(a[3], "src") != 0 && strcmp(a[3], "dst") != 0)
			return perr(pc, "tag: direction must be src or dst");
	}
	if (n > 4)
		return perr(pc, "tag: too many arguments");
	r->flags |= RF_TAG;
	return 0;
}

static int event_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg, const char *kw,
                       const char *prefix)
{
	char name[128];
	const char *a = arg;
	/* Suricata accepts the old "decoder." prefix for decode events */
	if (strncmp(a, "decoder.", 8) == 0)
		a += 8;
	snprintf(name, sizeof(name), "%s%s", prefix, a);
	setu_event_t ev = setu_event_by_name(name);
	if (ev == SETU_EV_NONE) {
		int rc = punsup(pc, kw);
		if (pc->diag != NULL)
			snprintf(pc->diag->msg, sizeof(pc->diag->msg),
			         "keyword '%s' not supported for event '%s' (not raised "
			         "by setu)",
			         kw, arg);
		return rc;
	}
	sm_t *sm = rule_add_sm(r, LIST_MATCH, SM_EVENT);
	if (sm == NULL)
		return SETU_ENOMEM;
	sm->u.u32 = (uint32_t)ev;
	return 0;
}

int kw_decode_event_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return event_setup(pc, r, arg, "decode-event", "");
}

int kw_stream_event_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return event_setup(pc, r, arg, "stream-event", "stream.");
}

/* prefilter: Suricata's hint to prefilter on the preceding keyword instead of the fast
 * pattern. It selects an engine, not a match: the rule matches the same packets either
 * way, and setu verifies every keyword of every candidate. */
int kw_prefilter_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	if (r->lists[LIST_MATCH].n == 0 && r->lists[LIST_PMATCH].n == 0)
		return perr(pc, "prefilter needs a preceding keyword");
	return 0;
}
