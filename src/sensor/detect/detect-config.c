/* detect-config.c — Suricata's rule support files: classification.config
 * ("config classification: name,description,priority"), reference.config
 * ("config reference: name url") and threshold.config (threshold / event_filter /
 * suppress / rate_filter lines, Suricata "Global-Thresholds"). */
#include "detect-int.h"
#include "kw-threshold.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int detect_read_file(const char *path, char **out, size_t *len, size_t max)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return SETU_EIO;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	if (buf == NULL) {
		fclose(fp);
		return SETU_ENOMEM;
	}
	while (1) {
		if (n == cap) {
			if (cap >= max) {
				free(buf);
				fclose(fp);
				return SETU_ELIMIT;
			}
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				free(buf);
				fclose(fp);
				return SETU_ENOMEM;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	int err = ferror(fp);
	fclose(fp);
	if (err) {
		free(buf);
		return SETU_EIO;
	}
	if (n > max) {
		free(buf);
		return SETU_ELIMIT;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Iterate lines: returns the next line (NUL-terminated in place) or NULL. */
static char *next_line(char **cur)
{
	char *s = *cur;
	if (s == NULL || *s == '\0')
		return NULL;
	char *nl = strchr(s, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*cur = nl + 1;
	} else {
		*cur = s + strlen(s);
	}
	return s;
}

static int cfg_err(setu_diag_t *diag, const char *path, unsigned line,
                   const char *fmt /* prefix */, const char *arg)
{
	if (diag != NULL) {
		diag->file = path;
		diag->line = line;
		diag->column = 0;
	}
	return setu_diag_set(diag, SETU_ECONFIG, "%s%s", fmt, arg);
}

void detect_free_classes(class_entry_t *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].desc);
	}
	free(c);
}

void detect_free_refs(ref_entry_t *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].url);
	}
	free(r);
}

void detect_free_thcfg(th_cfg_t *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ipset_free(&t[i].ip);
	free(t);
}

int detect_load_classification(const char *path, class_entry_t **out, size_t *nout,
                               setu_diag_t *diag)
{
	char *text;
	size_t len;
	int rc = detect_read_file(path, &text, &len, SETU_CONFIG_MAX_BYTES);
	if (rc != 0) {
		if (diag != NULL) {
			diag->file = path;
			diag->line = 0;
		}
		return setu_diag_set(diag, SETU_ECONFIG,
		                     "cannot read classification file: %s",
		                     setu_strerror(rc));
	}
	class_entry_t *v = NULL;
	size_t n = 0;
	unsigned lineno = 0;
	char *cur = text, *line;
	rc = 0;
	while ((line = next_line(&cur)) != NULL) {
		lineno++;
		char *s = str_trim(line);
		if (*s == '#' || *s == '\0')
			continue;
		const char *pre = "config classification:";
		if (strncmp(s, pre, strlen(pre)) != 0) {
			rc = cfg_err(diag, path, lineno,
			             "expected a 'config classification:' line", "");
			break;
		}
		s = str_trim(s + strlen(pre));
		char *a[4];
		int k = split_args(s, a, 4);
		uint64_t prio;
		if (k != 3 || *a[0] == '\0' || parse_u64(a[2], 255, &prio) != 0) {
			rc = cfg_err(diag, path, lineno,
			             "expected 'name,description,priority': ", s);
			break;
		}
		class_entry_t *nv = realloc(v, (n + 1) * sizeof(*nv));
		if (nv == NULL) {
			rc = SETU_ENOMEM;
			break;
		}
		v = nv;
		/* a later line for the same name replaces the earlier one (Suricata keeps
		 * one) */
		size_t at = n;
		for (size_t i = 0; i < n; i++)
			if (strcasecmp(v[i].name, a[0]) == 0) {
				at = i;
				free(v[i].name);
				free(v[i].desc);
			}
		v[at].name = strdup(a[0]);
		v[at].desc = strdup(a[1]);
		v[at].prio = (int)prio;
		if (v[at].name == NULL || v[at].desc == NULL) {
			if (at == n)
				n++;
			rc = SETU_ENOMEM;
			break;
		}
		if (at == n)
			n++;
	}
	free(text);
	if (rc != 0) {
		detect_free_classes(v, n);
		return rc;
	}
	*out = v;
	*nout = n;
	return 0;
}

int detect_load_reference(const char *path, ref_entry_t **out, size_t *nout,
                          setu_diag_t *diag)
{
	char *text;
	size_t len;
	int rc = detect_read_file(path, &text, &len, SETU_CONFIG_MAX_BYTES);
	if (rc != 0) {
		if (diag != NULL) {
			diag->file = path;
			diag->line = 0;
		}
		return setu_diag_set(diag, SETU_ECONFIG, "cannot read reference file: %s",
		                     setu_strerror(rc));
	}
	ref_entry_t *v = NULL;
	size_t n = 0;
	unsigned lineno = 0;
	char *cur = text, *line;
	rc = 0;
	while ((line = next_line(&cur)) != NULL) {
		lineno++;
		char *s = str_trim(line);
		if (*s == '#' || *s == '\0')
			continue;
		const char *pre = "config reference:";
		if (strncmp(s, pre, strlen(pre)) != 0) {
			rc = cfg_err(diag, path, lineno,
			             "expected a 'config reference:' line", "");
			break;
		}
		s = str_trim(s + strlen(pre));
		char *sp = strpbrk(s, " \t");
		if (sp == NULL) {
			rc = cfg_err(diag, path, lineno, "expected 'name url': ", s);
			break;
		}
		*sp = '\0';
		char *url = str_trim(sp + 1);
		ref_entry_t *nv = realloc(v, (n + 1) * sizeof(*nv));
		if (nv == NULL) {
			rc = SETU_ENOMEM;
			break;
		}
		v = nv;
		v[n].name = strdup(s);
		v[n].url = strdup(url);
		n++;
		if (v[n - 1].name == NULL || v[n - 1].url == NULL) {
			rc = SETU_ENOMEM;
			break;
		}
	}
	free(text);
	if (rc != 0) {
		detect_free_refs(v, n);
		return rc;
	}
	*out = v;
	*nout = n;
	return 0;
}

static int thc_line(parse_ctx_t *pc, char *s, th_cfg_t *e)
{
	memset(e, 0, sizeof(*e));
	char *sp = strpbrk(s, " \t");
	if (sp == NULL)
		return perr(pc,
		            "expected 'threshold|event_filter|suppress|rate_filter ...'");
	*sp = '\0';
	char *kind = s;
	char *rest = str_trim(sp + 1);
	char *a[16];
	int n = split_args(rest, a, 16);
	if (n < 0)
		return perr(pc, "too many fields");
	if (strcmp(kind, "threshold") == 0 || strcmp(kind, "event_filter") == 0)
		e->kind = THC_THRESHOLD;
	else if (strcmp(kind, "suppress") == 0)
		e->kind = THC_SUPPRESS;
	else if (strcmp(kind, "rate_filter") == 0)
		e->kind = THC_RATE;
	else
		return perr(pc, "unknown threshold.config directive '%s'", kind);
	bool have_gid = false, have_sid = false;
	char *rest_args[16];
	int nrest = 0;
	const char *ip = NULL, *track = NULL, *new_action = NULL, *timeout = NULL;
	for (int i = 0; i < n; i++) {
		char *f = a[i];
		char *fs = strpbrk(f, " \t");
		char *v = fs != NULL ? str_trim(fs + 1) : NULL;
		if (strncmp(f, "gen_id", 6) == 0 && v != NULL) {
			uint64_t u;
			if (parse_u64(v, UINT32_MAX, &u) != 0)
				return perr(pc, "invalid gen_id '%s'", v);
			e->gid = (uint32_t)u;
			have_gid = true;
		} else if (strncmp(f, "sig_id", 6) == 0 && v != NULL) {
			uint64_t u;
			if (parse_u64(v, UINT32_MAX, &u) != 0)
				return perr(pc, "invalid sig_id '%s'", v);
			e->sid = (uint32_t)u;
			have_sid = true;
		} else if (e->kind == THC_SUPPRESS && strncmp(f, "ip", 2) == 0 &&
		           v != NULL) {
			ip = v;
		} else if (e->kind == THC_SUPPRESS && strncmp(f, "track", 5) == 0 &&
		           v != NULL) {
			track = v;
		} else if (e->kind == THC_RATE && strncmp(f, "new_action", 10) == 0 &&
		           v != NULL) {
			new_action = v;
		} else if (e->kind == THC_RATE && strncmp(f, "timeout", 7) == 0 &&
		           v != NULL) {
			timeout = v;
		} else {
			rest_args[nrest++] = f;
		}
	}
	if (!have_gid || !have_sid)
		return perr(pc, "%s needs gen_id and sig_id", kind);
	if (e->kind == THC_SUPPRESS) {
		if (nrest > 0)
			return perr(pc, "suppress: unknown field '%s'", rest_args[0]);
		if ((track == NULL) != (ip == NULL))
			return perr(pc, "suppress: track and ip go together");
		if (track != NULL) {
			if (strcmp(track, "by_src") == 0)
				e->sup_track = TRACK_SRC;
			else if (strcmp(track, "by_dst") == 0)
				e->sup_track = TRACK_DST;
			else if (strcmp(track, "by_either") == 0)
				e->sup_track = TRACK_EITHER;
			else
				return perr(pc, "suppress: invalid track '%s'", track);
			int rc = ipset_parse_addr(pc, ip, &e->ip);
			if (rc != 0)
				return rc;
			e->has_ip = true;
		}
		return 0;
	}
	if (e->kind == THC_RATE) {
		e->th.type = TH_RATE_FILTER;
		int rc =
		    th_parse_fields(pc, "rate_filter", rest_args, nrest, false, &e->th);
		if (rc != 0)
			return rc;
		if (new_action == NULL || timeout == NULL)
			return perr(pc, "rate_filter needs new_action and timeout");
		if (strcmp(new_action, "alert") == 0)
			e->th.new_action = SETU_ACTION_ALERT;
		else if (strcmp(new_action, "drop") == 0)
			e->th.new_action = SETU_ACTION_DROP;
		else if (strcmp(new_action, "pass") == 0)
			e->th.new_action = SETU_ACTION_PASS;
		else if (strcmp(new_action, "reject") == 0)
			e->th.new_action = SETU_ACTION_REJECT;
		else
			return perr(pc, "rate_filter: invalid new_action '%s'",
			            new_action);
		uint64_t t;
		if (parse_u64(timeout, UINT32_MAX, &t) != 0)
			return perr(pc, "rate_filter: invalid timeout '%s'", timeout);
		e->th.timeout = (uint32_t)t;
		return 0;
	}
	return th_parse_fields(pc, kind, rest_args, nrest, true, &e->th);
}

int detect_load_threshold(parse_ctx_t *pc, const char *path, th_cfg_t **out, size_t *nout)
{
	char *text;
	size_t len;
	int rc = detect_read_file(path, &text, &len, SETU_CONFIG_MAX_BYTES);
	if (rc != 0) {
		if (pc->diag != NULL) {
			pc->diag->file = path;
			pc->diag->line = 0;
		}
		return setu_diag_set(pc->diag, SETU_ECONFIG,
		                     "cannot read threshold file: %s", setu_strerror(rc));
	}
	th_cfg_t *v = *out;
	size_t n = *nout;
	unsigned lineno = 0;
	char *cur = text, *line;
	rc = 0;
	while ((line = next_line(&cur)) != NULL) {
		lineno++;
		char *s = str_trim(line);
		if (*s == '#' || *s == '\0')
			continue;
		th_cfg_t e;
		pc->col = 1;
		rc = thc_line(pc, s, &e);
		if (rc != 0) {
			ipset_free(&e.ip);
			if (pc->diag != NULL) {
				pc->diag->file = path;
				pc->diag->line = lineno;
				pc->diag->column = 0;
				pc->diag->code = SETU_ECONFIG;
			}
			rc = SETU_ECONFIG;
			break;
		}
		th_cfg_t *nv = realloc(v, (n + 1) * sizeof(*nv));
		if (nv == NULL) {
			ipset_free(&e.ip);
			rc = SETU_ENOMEM;
			break;
		}
		v = nv;
		v[n++] = e;
	}
	free(text);
	*out = v;
	*nout = n;
	return rc;
}
