/* compile.c — STIX patterns → indicator-set atoms and expressions (STIX 2.1 part 9,
 * Patterning). One observation expression (`[ ... ]`, or several joined by OR) becomes
 * one indicator: each comparison an atom, AND/OR the postfix program over them. */
#include "compile.h"

#include "intel/pattern.h"
#include "intel/stix-validate.h"
#include "intel/tlp.h"

#include <stdio.h>
#include <string.h>

typedef struct cstate {
	setu_iocset_builder_t *b;
	uint32_t idx;
	setu_ioc_op_t ops[2 * SETU_IOC_MAX_ATOMS];
	size_t nops;
	unsigned natoms;
	setu_diag_t *diag;
} cstate_t;

static int unsupported(cstate_t *c, const setu_pat_node_t *n, const char *what)
{
	char path[160] = "";
	if (n != NULL && (n->kind == SETU_PAT_COMPARISON || n->kind == SETU_PAT_EXISTS))
		setu_pat_path_format(&n->path, path, sizeof(path));
	if (c->diag != NULL)
		c->diag->column = n != NULL ? n->column : 0;
	if (path[0] != '\0')
		return setu_diag_set(c->diag, SETU_EUNSUPPORTED,
		                     "pattern column %u: '%s:%s': %s", n->column,
		                     n->path.object_type, path, what);
	return setu_diag_set(c->diag, SETU_EUNSUPPORTED, "pattern column %u: %s",
	                     n != NULL ? n->column : 0, what);
}

/* Which atom kind a comparison's object path is, or -1. */
static int kind_of(const setu_pat_path_t *p)
{
	static const struct {
		const char *type, *path;
		setu_ioc_kind_t kind;
	} map[] = {
	    {"ipv4-addr", "value", SETU_IOC_IP_ANY},
	    {"ipv6-addr", "value", SETU_IOC_IP_ANY},
	    {"network-traffic", "src_ref.value", SETU_IOC_IP_SRC},
	    {"network-traffic", "dst_ref.value", SETU_IOC_IP_DST},
	    {"network-traffic", "src_port", SETU_IOC_PORT_SRC},
	    {"network-traffic", "dst_port", SETU_IOC_PORT_DST},
	    {"domain-name", "value", SETU_IOC_DOMAIN_EXACT},
	    {"url", "value", SETU_IOC_URL},
	    {"file", "hashes.MD5", SETU_IOC_MD5},
	    {"file", "hashes.SHA-1", SETU_IOC_SHA1},
	    {"file", "hashes.SHA-256", SETU_IOC_SHA256},
	    {"artifact", "hashes.MD5", SETU_IOC_MD5},
	    {"artifact", "hashes.SHA-1", SETU_IOC_SHA1},
	    {"artifact", "hashes.SHA-256", SETU_IOC_SHA256},
	    {"x509-certificate", "hashes.SHA-1", SETU_IOC_X509_SHA1},
	    {"x509-certificate", "hashes.SHA-256", SETU_IOC_X509_SHA256},
	    /* JA3 has no standard STIX property; producers that share it use a
	     * network-traffic extension. We read the common spellings. */
	    {"network-traffic", "extensions.x-ja3.ja3_hash", SETU_IOC_JA3},
	    {"network-traffic", "extensions.x-tls-ext.ja3_hash", SETU_IOC_JA3},
	    {"network-traffic", "extensions.tls-ext.ja3", SETU_IOC_JA3},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (setu_pat_path_is(p, map[i].type, map[i].path))
			return (int)map[i].kind;
	return -1;
}

/* The text an iocset value takes for one constant of a comparison. */
static int value_text(const setu_pat_value_t *v, setu_ioc_kind_t k, char *out,
                      size_t size)
{
	if (k == SETU_IOC_PORT_SRC || k == SETU_IOC_PORT_DST) {
		if (v->kind != SETU_PAT_V_INT || v->i < 0 || v->i > 65535)
			return -1;
		snprintf(out, size, "%lld", (long long)v->i);
		return 0;
	}
	if (v->kind == SETU_PAT_V_STRING) {
		if (v->len + 1 > size)
			return -1;
		memcpy(out, v->bytes, v->len + 1);
		return 0;
	}
	if (v->kind == SETU_PAT_V_HEX &&
	    (k == SETU_IOC_MD5 || k == SETU_IOC_SHA1 || k == SETU_IOC_SHA256 ||
	     k == SETU_IOC_X509_SHA1 || k == SETU_IOC_X509_SHA256 || k == SETU_IOC_JA3)) {
		static const char hex[] = "0123456789abcdef";
		if (v->len * 2 + 1 > size)
			return -1;
		for (size_t i = 0; i < v->len; i++) {
			out[2 * i] = hex[(uint8_t)v->bytes[i] >> 4];
			out[2 * i + 1] = hex[(uint8_t)v->bytes[i] & 15];
		}
		out[2 * v->len] = '\0';
		return 0;
	}
	return -1;
}

static int emit(cstate_t *c, uint8_t op, uint8_t arg)
{
	if (c->nops == sizeof(c->ops) / sizeof(c->ops[0]))
		return setu_diag_set(c->diag, SETU_EUNSUPPORTED,
		                     "pattern too large for one indicator");
	c->ops[c->nops].op = op;
	c->ops[c->nops].arg = arg;
	c->nops++;
	return 0;
}

static int comparison(cstate_t *c, const setu_pat_node_t *n)
{
	if (n->kind == SETU_PAT_EXISTS)
		return unsupported(c, n, "EXISTS cannot be decided from one packet");
	if (n->negated)
		return unsupported(c, n, "NOT would match almost every packet");
	int k = kind_of(&n->path);
	if (k < 0)
		return unsupported(c, n, "the sensor does not observe this property");
	setu_ioc_kind_t kind = (setu_ioc_kind_t)k;
	const setu_pat_value_t *vals = &n->value;
	size_t nvals = 1;
	switch (n->op) {
	case SETU_PAT_OP_EQ:
		break;
	case SETU_PAT_OP_IN:
		vals = n->value.items;
		nvals = n->value.nitems;
		if (nvals == 0)
			return unsupported(c, n, "IN with an empty set never matches");
		break;
	case SETU_PAT_OP_ISSUBSET:
		/* "address is inside this network": the CIDR is the set */
		if (kind != SETU_IOC_IP_ANY && kind != SETU_IOC_IP_SRC &&
		    kind != SETU_IOC_IP_DST)
			return unsupported(c, n, "ISSUBSET applies to addresses only");
		break;
	case SETU_PAT_OP_LIKE:
		/* '%.example.com' — a parent domain (the set also matches the name
		 * itself) */
		if (kind == SETU_IOC_DOMAIN_EXACT && n->value.kind == SETU_PAT_V_STRING &&
		    n->value.len > 2 && strncmp(n->value.bytes, "%.", 2) == 0 &&
		    strpbrk(n->value.bytes + 2, "%_") == NULL) {
			kind = SETU_IOC_DOMAIN;
			break;
		}
		return unsupported(c, n, "LIKE is compiled only as '%.parent.domain'");
	case SETU_PAT_OP_GE:
	case SETU_PAT_OP_LE:
	case SETU_PAT_OP_GT:
	case SETU_PAT_OP_LT:
		return unsupported(c, n, "ordering comparisons are not compiled");
	default:
		return unsupported(c, n, "this operator is not compiled");
	}
	if (c->natoms == SETU_IOC_MAX_ATOMS)
		return unsupported(c, n, "more comparisons than one indicator can hold");
	uint8_t atom = 0;
	char text[2048];
	for (size_t i = 0; i < nvals; i++) {
		const setu_pat_value_t *v = &vals[i];
		const char *val = text;
		if (kind == SETU_IOC_DOMAIN && n->op == SETU_PAT_OP_LIKE) {
			val = v->bytes + 2;
		} else if (value_text(v, kind, text, sizeof(text)) != 0) {
			if (c->diag != NULL)
				c->diag->column = v->column;
			return setu_diag_set(
			    c->diag, SETU_EUNSUPPORTED,
			    "pattern column %u: constant of type %s does not fit "
			    "'%s'",
			    v->column, setu_pat_vkind_name(v->kind),
			    setu_ioc_kind_name(kind));
		}
		int rc =
		    i == 0 ? setu_iocset_add_atom(c->b, c->idx, kind, val, &atom, c->diag)
		           : setu_iocset_add_value(c->b, c->idx, atom, val, c->diag);
		if (rc != 0)
			return rc;
	}
	c->natoms++;
	return emit(c, SETU_IOC_OP_ATOM, atom);
}

/* Postfix program of a comparison expression. */
static int cmp_expr(cstate_t *c, const setu_pat_node_t *n)
{
	switch (n->kind) {
	case SETU_PAT_COMPARISON:
	case SETU_PAT_EXISTS:
		return comparison(c, n);
	case SETU_PAT_CMP_AND:
	case SETU_PAT_CMP_OR:
		for (size_t i = 0; i < n->nchildren; i++) {
			int rc = cmp_expr(c, n->children[i]);
			if (rc != 0)
				return rc;
			if (i > 0 &&
			    (rc = emit(c,
			               n->kind == SETU_PAT_CMP_AND ? SETU_IOC_OP_AND
			                                           : SETU_IOC_OP_OR,
			               0)) != 0)
				return rc;
		}
		return 0;
	default:
		return unsupported(c, n, "unexpected node in a comparison expression");
	}
}

/* An observation expression: [..] or [..] OR [..] (or groups of those). */
static int obs_expr(cstate_t *c, const setu_pat_node_t *n)
{
	if (n->nquals > 0)
		return unsupported(
		    c, n,
		    "qualifiers (WITHIN, REPEATS, START/STOP) need correlation "
		    "over time");
	switch (n->kind) {
	case SETU_PAT_OBSERVATION:
		return cmp_expr(c, n->children[0]);
	case SETU_PAT_GROUP:
		return obs_expr(c, n->children[0]);
	case SETU_PAT_OBS_OR:
		for (size_t i = 0; i < n->nchildren; i++) {
			int rc = obs_expr(c, n->children[i]);
			if (rc != 0)
				return rc;
			if (i > 0 && (rc = emit(c, SETU_IOC_OP_OR, 0)) != 0)
				return rc;
		}
		return 0;
	case SETU_PAT_OBS_AND:
	case SETU_PAT_FOLLOWEDBY:
		return unsupported(
		    c, n,
		    "observations joined by AND/FOLLOWEDBY need correlation "
		    "across packets");
	default:
		return unsupported(c, n, "unexpected node in an observation expression");
	}
}

static int compile_into(setu_iocset_builder_t *b, const setu_ioc_indicator_t *meta,
                        const setu_pat_node_t *root, setu_diag_t *diag)
{
	cstate_t c = {.b = b, .diag = diag};
	int rc = setu_iocset_add_indicator(b, meta, &c.idx);
	if (rc == 0)
		rc = obs_expr(&c, root);
	if (rc == 0)
		rc = setu_iocset_set_expr(b, c.idx, c.ops, c.nops, diag);
	return rc;
}

static int64_t ts_of(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	int64_t sec = 0;
	int32_t nsec = 0;
	unsigned digits;
	if (s != NULL && setu_stix_parse_timestamp(s, &sec, &nsec, &digits))
		return sec;
	return 0;
}

int setu_stix_compile_indicator(setu_iocset_builder_t *b, const json_t *obj,
                                uint32_t user, setu_diag_t *diag)
{
	const char *type = json_string_value(json_object_get(obj, "type"));
	const char *ptype = json_string_value(json_object_get(obj, "pattern_type"));
	const char *pattern = json_string_value(json_object_get(obj, "pattern"));
	if (type == NULL || strcmp(type, "indicator") != 0 || ptype == NULL ||
	    strcmp(ptype, "stix") != 0 || pattern == NULL)
		return setu_diag_set(diag, SETU_EINVAL,
		                     "not an indicator with a STIX pattern");
	setu_pattern_t *pat = NULL;
	int rc = setu_pattern_parse(pattern, strlen(pattern), &pat, diag);
	if (rc != 0)
		return rc == SETU_ENOMEM ? rc : SETU_EUNSUPPORTED;
	setu_ioc_indicator_t meta = {
	    .id = json_string_value(json_object_get(obj, "id")),
	    .name = json_string_value(json_object_get(obj, "name")),
	    .org = json_string_value(json_object_get(obj, "created_by_ref")),
	    .tlp = (int)setu_tlp_of_object(obj),
	    .valid_from = ts_of(obj, "valid_from"),
	    .valid_until = ts_of(obj, "valid_until"),
	    .revoked = json_is_true(json_object_get(obj, "revoked")),
	    .action = SETU_IOC_ACTION_ALERT,
	    .severity = 2,
	    .user = user,
	};
	/* Compile into a scratch builder first: a pattern that fails half-way (a bad
	 * value in its third comparison) must leave nothing behind in b. The second pass
	 * runs the same code on the same input, so it can only fail for want of memory.
	 */
	setu_iocset_builder_t *tmp = setu_iocset_builder_new();
	if (tmp == NULL) {
		setu_pattern_free(pat);
		return SETU_ENOMEM;
	}
	rc = compile_into(tmp, &meta, setu_pattern_root(pat), diag);
	setu_iocset_builder_free(tmp);
	if (rc == 0)
		rc = compile_into(b, &meta, setu_pattern_root(pat), diag);
	setu_pattern_free(pat);
	return rc;
}

static void report_skip(setu_stix_compile_report_cb report, void *user, const json_t *obj,
                        const setu_diag_t *d)
{
	if (report == NULL)
		return;
	const char *id = json_string_value(json_object_get(obj, "id"));
	report(user, id != NULL ? id : "(no id)", d->msg);
}

static int compile_one(setu_iocset_builder_t *b, const json_t *obj,
                       setu_stix_compile_report_cb report, void *user,
                       setu_stix_compile_stats_t *st)
{
	st->objects++;
	const char *type = json_string_value(json_object_get(obj, "type"));
	if (type == NULL || strcmp(type, "indicator") != 0) {
		st->other++;
		return 0;
	}
	st->indicators++;
	const char *ptype = json_string_value(json_object_get(obj, "pattern_type"));
	if (ptype == NULL || strcmp(ptype, "stix") != 0) {
		st->other++; /* suricata / snort / yara patterns travel as rules, not sets
		              */
		return 0;
	}
	setu_diag_t d = {0};
	int rc = setu_stix_compile_indicator(b, obj, (uint32_t)st->compiled, &d);
	if (rc == SETU_ENOMEM)
		return rc;
	if (rc != 0) {
		st->skipped++;
		report_skip(report, user, obj, &d);
		return 0;
	}
	st->compiled++;
	return 0;
}

int setu_stix_compile_json(setu_iocset_builder_t *b, const json_t *doc,
                           setu_stix_compile_report_cb report, void *user,
                           setu_stix_compile_stats_t *st)
{
	setu_stix_compile_stats_t local;
	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	const json_t *list = doc;
	if (json_is_object(doc)) {
		const json_t *objs =
		    json_object_get(doc, "objects"); /* bundle or envelope */
		if (objs == NULL)
			return compile_one(b, doc, report, user, st);
		list = objs;
	}
	if (!json_is_array(list))
		return SETU_EINVAL;
	size_t i;
	const json_t *o;
	json_array_foreach(list, i, o)
	{
		int rc = compile_one(b, o, report, user, st);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int setu_stix_compile_file(setu_iocset_builder_t *b, const char *path,
                           setu_stix_compile_report_cb report, void *user,
                           setu_stix_compile_stats_t *st, setu_diag_t *diag)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_DECODE_ANY, &jerr);
	if (diag != NULL) {
		diag->file = path;
		diag->line = doc == NULL ? (unsigned)(jerr.line > 0 ? jerr.line : 0) : 0;
		diag->column =
		    doc == NULL ? (unsigned)(jerr.column > 0 ? jerr.column : 0) : 0;
	}
	if (doc == NULL)
		return setu_diag_set(diag, SETU_EPARSE, "%s", jerr.text);
	int rc = setu_stix_compile_json(b, doc, report, user, st);
	json_decref(doc);
	if (rc == SETU_EINVAL)
		return setu_diag_set(
		    diag, SETU_EINVAL,
		    "expected a STIX bundle, a TAXII envelope, a list or an object");
	if (rc != 0)
		return setu_diag_set(diag, rc, "%s", setu_strerror(rc));
	return 0;
}
