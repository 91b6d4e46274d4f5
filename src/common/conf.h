/* conf.h — configuration tree loaded from YAML (libyaml), Suricata-style dotted keys
 * ("stream.reassembly.depth"), with `--set key=value` overrides. */
#ifndef SETU_CONF_H
#define SETU_CONF_H

#include "setu/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct setu_conf_node {
	char *name;  /* owned; mapping key, or the index ("0", "1"...) in a sequence */
	char *value; /* owned; NULL for mappings and sequences */
	bool is_seq; /* children are sequence items */
	const char
	    *file; /* the file it came from (owned by the setu_conf_t); NULL = --set */
	unsigned line;                 /* 1-based line in that file (0 = from --set) */
	struct setu_conf_node **child; /* owned */
	size_t nchild, capchild;
} setu_conf_node_t;

typedef struct setu_conf {
	setu_conf_node_t *root; /* owned; a mapping */
	char **files;           /* owned; names of the sources loaded, for diagnostics */
	size_t nfiles;
} setu_conf_t;

setu_conf_t *setu_conf_new(void);
void setu_conf_free(setu_conf_t *c);
/* Merge a YAML file into the tree (later values replace earlier ones). */
int setu_conf_load_file(setu_conf_t *c, const char *path, setu_diag_t *diag);
int setu_conf_load_string(setu_conf_t *c, const char *yaml, size_t len, const char *name,
                          setu_diag_t *diag);
/* Set a scalar by dotted key, creating mappings on the way ("a.b.c=v"). */
int setu_conf_set(setu_conf_t *c, const char *key, const char *value);
/* Parse "key=value" as given to --set. */
int setu_conf_set_arg(setu_conf_t *c, const char *arg, setu_diag_t *diag);

/* Lookup by dotted key. A component matches a mapping key, a sequence index, or (in a
 * sequence) an item that is a one-key mapping of that name, as in
 * `outputs: - eve-log: {...}` → "outputs.eve-log.types". */
const setu_conf_node_t *setu_conf_lookup(const setu_conf_t *c, const char *key);
const setu_conf_node_t *setu_conf_child(const setu_conf_node_t *n, const char *name);
/* The node's own scalar, or for a one-key mapping item in a sequence, its key. */
const char *setu_conf_get(const setu_conf_t *c, const char *key);

/* Typed getters: 0 when found and valid; SETU_ENOENT when absent (out untouched);
 * SETU_ECONFIG with diag "FILE:LINE: key 'K': bad value 'V' (expected ...)" otherwise. */
int setu_conf_get_bool(const setu_conf_t *c, const char *key, bool *out,
                       setu_diag_t *diag);
int setu_conf_get_u64(const setu_conf_t *c, const char *key, uint64_t *out,
                      setu_diag_t *diag);
/* Sizes with Suricata's units: "64kb", "1mb", "2 GiB", "4096". */
int setu_conf_get_size(const setu_conf_t *c, const char *key, uint64_t *out,
                       setu_diag_t *diag);
/* Parse helpers usable on raw strings. */
int setu_parse_bool(const char *s, bool *out);
int setu_parse_size(const char *s, uint64_t *out);

#endif
