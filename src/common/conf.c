/* conf.c — YAML configuration tree (libyaml event API; YAML 1.1 as Suricata writes it).
 */
#include "conf.h"

#include "limits.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

static setu_conf_node_t *node_new(const char *name, size_t nlen)
{
	setu_conf_node_t *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->name = strndup(name, nlen);
	if (n->name == NULL) {
		free(n);
		return NULL;
	}
	return n;
}

static void node_free(setu_conf_node_t *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nchild; i++)
		node_free(n->child[i]);
	free(n->child);
	free(n->name);
	free(n->value);
	free(n);
}

static void node_clear(setu_conf_node_t *n)
{
	for (size_t i = 0; i < n->nchild; i++)
		node_free(n->child[i]);
	n->nchild = 0;
	free(n->value);
	n->value = NULL;
	n->is_seq = false;
}

static int node_add(setu_conf_node_t *parent, setu_conf_node_t *c)
{
	if (parent->nchild == parent->capchild) {
		size_t cap = parent->capchild ? parent->capchild * 2 : 4;
		setu_conf_node_t **v = realloc(parent->child, cap * sizeof(*v));
		if (v == NULL)
			return SETU_ENOMEM;
		parent->child = v;
		parent->capchild = cap;
	}
	parent->child[parent->nchild++] = c;
	return 0;
}

static setu_conf_node_t *child_n(const setu_conf_node_t *n, const char *name, size_t len)
{
	if (n == NULL)
		return NULL;
	for (size_t i = 0; i < n->nchild; i++) {
		setu_conf_node_t *c = n->child[i];
		if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
			return c;
	}
	if (n->is_seq) {
		/* `- eve-log: {...}`: match an item whose only key is `name` */
		for (size_t i = 0; i < n->nchild; i++) {
			setu_conf_node_t *c = n->child[i];
			if (c->nchild == 1 && !c->is_seq &&
			    strlen(c->child[0]->name) == len &&
			    memcmp(c->child[0]->name, name, len) == 0)
				return c->child[0];
		}
	}
	return NULL;
}

setu_conf_t *setu_conf_new(void)
{
	setu_conf_t *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->root = node_new("", 0);
	if (c->root == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void setu_conf_free(setu_conf_t *c)
{
	if (c == NULL)
		return;
	node_free(c->root);
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c);
}

/* Parser state: a stack of the nodes being filled. */
typedef struct yparse {
	yaml_parser_t parser;
	const char *name; /* owned by the setu_conf_t */
	setu_diag_t *diag;
	int depth;
} yparse_t;

static int yerr(yparse_t *y, unsigned line, const char *msg)
{
	if (y->diag != NULL) {
		y->diag->file = y->name;
		y->diag->line = line;
		y->diag->column = 0;
	}
	return setu_diag_set(y->diag, SETU_ECONFIG, "%s", msg);
}

static int parse_value(yparse_t *y, setu_conf_node_t *into, yaml_event_t *first);

static int parse_mapping(yparse_t *y, setu_conf_node_t *into)
{
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&y->parser, &ev))
			return yerr(y, (unsigned)y->parser.problem_mark.line + 1,
			            y->parser.problem ? y->parser.problem : "YAML error");
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			unsigned line = (unsigned)ev.start_mark.line + 1;
			yaml_event_delete(&ev);
			return yerr(y, line, "mapping key must be a scalar");
		}
		const char *k = (const char *)ev.data.scalar.value;
		size_t klen = ev.data.scalar.length;
		unsigned line = (unsigned)ev.start_mark.line + 1;
		setu_conf_node_t *c = child_n(into, k, klen);
		if (c == NULL) {
			c = node_new(k, klen);
			if (c == NULL || node_add(into, c) != 0) {
				node_free(c);
				yaml_event_delete(&ev);
				return SETU_ENOMEM;
			}
		}
		c->line = line;
		c->file = y->name;
		yaml_event_delete(&ev);
		yaml_event_t vev;
		if (!yaml_parser_parse(&y->parser, &vev))
			return yerr(y, (unsigned)y->parser.problem_mark.line + 1,
			            y->parser.problem ? y->parser.problem : "YAML error");
		int rc = parse_value(y, c, &vev);
		if (rc != 0)
			return rc;
	}
}

static int parse_sequence(yparse_t *y, setu_conf_node_t *into)
{
	into->is_seq = true;
	size_t idx = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&y->parser, &ev))
			return yerr(y, (unsigned)y->parser.problem_mark.line + 1,
			            y->parser.problem ? y->parser.problem : "YAML error");
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		char name[24];
		int nl = snprintf(name, sizeof(name), "%zu", idx++);
		setu_conf_node_t *c = node_new(name, (size_t)nl);
		if (c == NULL || node_add(into, c) != 0) {
			node_free(c);
			yaml_event_delete(&ev);
			return SETU_ENOMEM;
		}
		c->line = (unsigned)ev.start_mark.line + 1;
		c->file = y->name;
		int rc = parse_value(y, c, &ev);
		if (rc != 0)
			return rc;
	}
}

/* Consumes `first` (and the events of its content). */
static int parse_value(yparse_t *y, setu_conf_node_t *into, yaml_event_t *first)
{
	int rc = 0;
	unsigned line = (unsigned)first->start_mark.line + 1;
	if (++y->depth > 64) {
		yaml_event_delete(first);
		return yerr(y, line, "configuration nested too deeply");
	}
	switch (first->type) {
	case YAML_SCALAR_EVENT:
		node_clear(into);
		into->value = strndup((const char *)first->data.scalar.value,
		                      first->data.scalar.length);
		if (into->value == NULL)
			rc = SETU_ENOMEM;
		yaml_event_delete(first);
		break;
	case YAML_MAPPING_START_EVENT:
		yaml_event_delete(first);
		if (into->is_seq || into->value != NULL)
			node_clear(into);
		rc = parse_mapping(y, into);
		break;
	case YAML_SEQUENCE_START_EVENT:
		yaml_event_delete(first);
		node_clear(into);
		rc = parse_sequence(y, into);
		break;
	case YAML_ALIAS_EVENT:
		yaml_event_delete(first);
		rc = yerr(y, line, "YAML aliases are not supported");
		break;
	default:
		yaml_event_delete(first);
		rc = yerr(y, line, "unexpected YAML event");
	}
	y->depth--;
	return rc;
}

int setu_conf_load_string(setu_conf_t *c, const char *yaml, size_t len, const char *name,
                          setu_diag_t *diag)
{
	yparse_t y = {.name = name, .diag = diag};
	if (!yaml_parser_initialize(&y.parser))
		return SETU_ENOMEM;
	yaml_parser_set_input_string(&y.parser, (const unsigned char *)yaml, len);
	int rc = 0;
	bool done = false;
	while (rc == 0 && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&y.parser, &ev)) {
			rc = yerr(&y, (unsigned)y.parser.problem_mark.line + 1,
			          y.parser.problem ? y.parser.problem : "YAML error");
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			break;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			done = true;
			break;
		case YAML_MAPPING_START_EVENT:
			yaml_event_delete(&ev);
			rc = parse_mapping(&y, c->root);
			break;
		case YAML_SCALAR_EVENT:
			/* an empty document is a null scalar: accept it */
			if (ev.data.scalar.length == 0) {
				yaml_event_delete(&ev);
				break;
			}
			/* fallthrough */
		default: {
			unsigned line = (unsigned)ev.start_mark.line + 1;
			yaml_event_delete(&ev);
			rc = yerr(&y, line,
			          "top level of a configuration must be a mapping");
		}
		}
	}
	yaml_parser_delete(&y.parser);
	return rc;
}

int setu_conf_load_file(setu_conf_t *c, const char *path, setu_diag_t *diag)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		if (diag != NULL) {
			diag->file = path;
			diag->line = 0;
		}
		return setu_diag_set(diag, SETU_EIO, "cannot open: %s", strerror(errno));
	}
	char *buf = malloc(SETU_CONFIG_MAX_BYTES + 1);
	if (buf == NULL) {
		fclose(f);
		return SETU_ENOMEM;
	}
	size_t n = fread(buf, 1, SETU_CONFIG_MAX_BYTES + 1, f);
	int rd_err = ferror(f);
	fclose(f);
	if (rd_err || n > SETU_CONFIG_MAX_BYTES) {
		free(buf);
		if (diag != NULL) {
			diag->file = path;
			diag->line = 0;
		}
		return setu_diag_set(diag, rd_err ? SETU_EIO : SETU_ELIMIT,
		                     rd_err ? "read error" : "file larger than %u bytes",
		                     SETU_CONFIG_MAX_BYTES);
	}
	int rc = setu_conf_load_string(c, buf, n, path, diag);
	free(buf);
	return rc;
}

static setu_conf_node_t *lookup_mut(setu_conf_node_t *root, const char *key, bool create)
{
	setu_conf_node_t *n = root;
	const char *p = key;
	while (n != NULL && *p != '\0') {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		setu_conf_node_t *c = child_n(n, p, len);
		if (c == NULL && create) {
			if (n->value != NULL) {
				free(n->value);
				n->value = NULL;
			}
			c = node_new(p, len);
			if (c == NULL || node_add(n, c) != 0) {
				node_free(c);
				return NULL;
			}
		}
		n = c;
		p = dot ? dot + 1 : p + len;
	}
	return n;
}

const setu_conf_node_t *setu_conf_lookup(const setu_conf_t *c, const char *key)
{
	return lookup_mut(c->root, key, false);
}

const setu_conf_node_t *setu_conf_child(const setu_conf_node_t *n, const char *name)
{
	return child_n(n, name, strlen(name));
}

const char *setu_conf_get(const setu_conf_t *c, const char *key)
{
	const setu_conf_node_t *n = setu_conf_lookup(c, key);
	return n != NULL ? n->value : NULL;
}

int setu_conf_set(setu_conf_t *c, const char *key, const char *value)
{
	setu_conf_node_t *n = lookup_mut(c->root, key, true);
	if (n == NULL)
		return SETU_ENOMEM;
	node_clear(n);
	n->line = 0;
	n->file = NULL;
	n->value = strdup(value);
	return n->value != NULL ? 0 : SETU_ENOMEM;
}

int setu_conf_set_arg(setu_conf_t *c, const char *arg, setu_diag_t *diag)
{
	const char *eq = strchr(arg, '=');
	if (eq == NULL || eq == arg)
		return setu_diag_set(diag, SETU_EINVAL, "--set '%s': expected key=value",
		                     arg);
	char *key = strndup(arg, (size_t)(eq - arg));
	if (key == NULL)
		return SETU_ENOMEM;
	int rc = setu_conf_set(c, key, eq + 1);
	free(key);
	return rc;
}

int setu_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1", "y"};
	static const char *const no[] = {"no", "false", "off", "0", "n"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return SETU_EINVAL;
}

int setu_parse_size(const char *s, uint64_t *out)
{
	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return SETU_EINVAL;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0)
		return SETU_EINVAL;
	double frac = 0;
	if (*end == '.') {
		char *fend;
		frac = strtod(end, &fend);
		end = fend;
	}
	while (isspace((unsigned char)*end))
		end++;
	uint64_t mult = 1;
	if (*end != '\0') {
		char unit[8] = {0};
		size_t ul = strlen(end);
		if (ul >= sizeof(unit))
			return SETU_EINVAL;
		for (size_t i = 0; i < ul; i++)
			unit[i] = (char)tolower((unsigned char)end[i]);
		if (strcmp(unit, "b") == 0)
			mult = 1;
		else if (!strcmp(unit, "kb") || !strcmp(unit, "kib") ||
		         !strcmp(unit, "k"))
			mult = 1024ull;
		else if (!strcmp(unit, "mb") || !strcmp(unit, "mib") ||
		         !strcmp(unit, "m"))
			mult = 1024ull * 1024;
		else if (!strcmp(unit, "gb") || !strcmp(unit, "gib") ||
		         !strcmp(unit, "g"))
			mult = 1024ull * 1024 * 1024;
		else
			return SETU_EINVAL;
	}
	if (v > UINT64_MAX / mult)
		return SETU_EINVAL;
	*out = (uint64_t)v * mult + (uint64_t)(frac * (double)mult);
	return 0;
}

static int bad_value(const setu_conf_t *c, const char *key, const setu_conf_node_t *n,
                     const char *expected, setu_diag_t *diag)
{
	if (diag != NULL) {
		diag->file = n->file != NULL ? n->file : "--set";
		diag->line = n->line;
		diag->column = 0;
	}
	return setu_diag_set(diag, SETU_ECONFIG, "key '%s': bad value '%s' (expected %s)",
	                     key, n->value ? n->value : "(mapping)", expected);
}

int setu_conf_get_bool(const setu_conf_t *c, const char *key, bool *out,
                       setu_diag_t *diag)
{
	const setu_conf_node_t *n = setu_conf_lookup(c, key);
	if (n == NULL)
		return SETU_ENOENT;
	if (n->value == NULL || setu_parse_bool(n->value, out) != 0)
		return bad_value(c, key, n, "yes or no", diag);
	return 0;
}

int setu_conf_get_u64(const setu_conf_t *c, const char *key, uint64_t *out,
                      setu_diag_t *diag)
{
	const setu_conf_node_t *n = setu_conf_lookup(c, key);
	if (n == NULL)
		return SETU_ENOENT;
	if (n->value == NULL || !isdigit((unsigned char)n->value[0]))
		return bad_value(c, key, n, "a whole number", diag);
	errno = 0;
	char *end;
	unsigned long long v = strtoull(n->value, &end, 10);
	if (errno != 0 || *end != '\0')
		return bad_value(c, key, n, "a whole number", diag);
	*out = v;
	return 0;
}

int setu_conf_get_size(const setu_conf_t *c, const char *key, uint64_t *out,
                       setu_diag_t *diag)
{
	const setu_conf_node_t *n = setu_conf_lookup(c, key);
	if (n == NULL)
		return SETU_ENOENT;
	if (n->value == NULL || setu_parse_size(n->value, out) != 0)
		return bad_value(c, key, n, "a size such as 4096, 64kb or 1mb", diag);
	return 0;
}
