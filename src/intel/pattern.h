/* pattern.h — STIX 2.1 Patterning (STIX 2.1 OS part 9, grammar STIXPattern.g4): parser
 * and AST.
 *
 * The parser accepts exactly what the OASIS grammar accepts and then applies the checks
 * of the OASIS reference validator (cti-pattern-validator): duplicate qualifiers directly
 * on one observation, and hash values of known algorithms under a `hashes` property. The
 * AST is what the indicator compiler (issue 7) walks to build sensor matchers.
 *
 * Ownership: a setu_pattern_t owns every node, string and array reachable from it; all of
 * it lives until setu_pattern_free(). Accessors return borrowed pointers. */
#ifndef SETU_INTEL_PATTERN_H
#define SETU_INTEL_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "setu/error.h"

typedef struct setu_pattern setu_pattern_t; /* AST; owned by the caller of _parse */

/* Node kinds. Observation level: OBSERVATION ([ ... ]), GROUP (( ... ) around observation
 * expressions), and the n-ary OBS_AND / OBS_OR / FOLLOWEDBY. Comparison level (inside [
 * ]): the n-ary CMP_AND / CMP_OR, COMPARISON (path op value) and EXISTS (path). */
typedef enum setu_pat_kind {
	SETU_PAT_OBSERVATION = 0, /* child[0] = the comparison expression */
	SETU_PAT_GROUP,   /* child[0] = the parenthesised observation expression */
	SETU_PAT_OBS_AND, /* children in source order */
	SETU_PAT_OBS_OR,
	SETU_PAT_FOLLOWEDBY,
	SETU_PAT_CMP_AND,
	SETU_PAT_CMP_OR,
	SETU_PAT_COMPARISON, /* path, op, value, negated */
	SETU_PAT_EXISTS,     /* path, negated (NOT EXISTS: current grammar only) */
} setu_pat_kind_t;

typedef enum setu_pat_op {
	SETU_PAT_OP_EQ = 0, /* = or == */
	SETU_PAT_OP_NEQ,    /* != or <> */
	SETU_PAT_OP_GT,
	SETU_PAT_OP_LT,
	SETU_PAT_OP_GE,
	SETU_PAT_OP_LE,
	SETU_PAT_OP_IN,
	SETU_PAT_OP_LIKE,
	SETU_PAT_OP_MATCHES,
	SETU_PAT_OP_ISSUBSET,
	SETU_PAT_OP_ISSUPERSET,
	SETU_PAT_OP_EXISTS, /* only on SETU_PAT_EXISTS nodes */
} setu_pat_op_t;

typedef enum setu_pat_vkind {
	SETU_PAT_V_INT = 0,   /* i */
	SETU_PAT_V_FLOAT,     /* f */
	SETU_PAT_V_STRING,    /* bytes/len: the unescaped string (NUL-terminated too) */
	SETU_PAT_V_BOOL,      /* b */
	SETU_PAT_V_TIMESTAMP, /* bytes = the RFC 3339 text; ts_sec + ts_nsec = its time
	                         (UTC) */
	SETU_PAT_V_HEX,       /* bytes/len: decoded bytes */
	SETU_PAT_V_BINARY,    /* bytes/len: decoded bytes (base64) */
	SETU_PAT_V_SET,       /* items/nitems; may be empty */
} setu_pat_vkind_t;

typedef struct setu_pat_value {
	setu_pat_vkind_t kind;
	unsigned column; /* 1-based byte column of the literal on its line */
	size_t offset;   /* byte offset of the literal in the source */
	int64_t i;
	double f;
	bool b;
	int64_t ts_sec;
	int32_t ts_nsec;
	const char *bytes; /* borrowed from the pattern; NUL-terminated */
	size_t len;
	const struct setu_pat_value *items; /* SET */
	size_t nitems;
} setu_pat_value_t;

typedef enum setu_pat_step_kind {
	SETU_PAT_STEP_KEY =
	    0, /* .name or .'quoted name' (first component is always a key) */
	SETU_PAT_STEP_INDEX, /* [n], n may be negative */
	SETU_PAT_STEP_ANY,   /* [*] */
} setu_pat_step_kind_t;

typedef struct setu_pat_step {
	setu_pat_step_kind_t kind;
	const char *key; /* KEY: unquoted, unescaped; NUL-terminated */
	int64_t index;   /* INDEX */
} setu_pat_step_t;

typedef struct setu_pat_path {
	const char *object_type; /* e.g. "ipv4-addr" */
	const setu_pat_step_t *steps;
	size_t nsteps; /* >= 1 */
	unsigned column;
} setu_pat_path_t;

typedef enum setu_pat_qual_kind {
	SETU_PAT_Q_WITHIN = 0, /* seconds */
	SETU_PAT_Q_REPEATS,    /* times */
	SETU_PAT_Q_STARTSTOP,  /* start, stop */
} setu_pat_qual_kind_t;

typedef struct setu_pat_qual {
	setu_pat_qual_kind_t kind;
	double seconds;         /* WITHIN: > 0 or 0 */
	int64_t times;          /* REPEATS */
	setu_pat_value_t start; /* STARTSTOP: timestamps */
	setu_pat_value_t stop;
} setu_pat_qual_t;

typedef struct setu_pat_node {
	setu_pat_kind_t kind;
	unsigned column; /* where the node starts: 1-based byte column on its line */
	size_t offset;   /* ... and byte offset in the source */
	/* observation and comparison operators */
	const struct setu_pat_node *const *children;
	size_t nchildren;
	/* qualifiers applied to this observation-level node, in source order */
	const setu_pat_qual_t *quals;
	size_t nquals;
	/* COMPARISON / EXISTS */
	setu_pat_path_t path;
	setu_pat_op_t op;
	bool negated; /* NOT */
	setu_pat_value_t value;
} setu_pat_node_t;

/* Parse options. The default follows the current OASIS grammar (which allows NOT EXISTS).
 */
enum {
	/* Reject `NOT EXISTS`, as cti-pattern-validator v2.0.0 (grammar before 2024-03)
	   does. */
	SETU_PATTERN_NO_NOT_EXISTS = 1u << 0,
};

/* Parse src[0..len) (need not be NUL-terminated). Returns 0 and *out (caller frees), or a
 * negative SETU_E* code with diag filled: SETU_EPARSE for a syntax or validation error
 * (diag->line/column name the byte position, the message what was expected),
 * SETU_ELIMIT beyond the limits in common/limits.h, SETU_ENOMEM. */
int setu_pattern_parse(const char *src, size_t len, setu_pattern_t **out,
                       setu_diag_t *diag);
int setu_pattern_parse_ex(const char *src, size_t len, unsigned flags,
                          setu_pattern_t **out, setu_diag_t *diag);
void setu_pattern_free(setu_pattern_t *p);

/* The root node (an observation-level node). */
const setu_pat_node_t *setu_pattern_root(const setu_pattern_t *p);
/* Number of COMPARISON + EXISTS nodes in the pattern. */
size_t setu_pattern_ncomparisons(const setu_pattern_t *p);

/* Names for messages: "=", "ISSUBSET", "observation", "string" ... */
const char *setu_pat_op_name(setu_pat_op_t op);
const char *setu_pat_kind_name(setu_pat_kind_t k);
const char *setu_pat_vkind_name(setu_pat_vkind_t k);

/* The object path as the reference validator prints it ("hashes.SHA-256",
 * "sections.*.entropy", "extended_properties.0.source_payload"), written to buf
 * (always NUL-terminated, truncated to size). Returns the full length. */
size_t setu_pat_path_format(const setu_pat_path_t *path, char *buf, size_t size);

/* True if the path is on object type `type` and its steps spell `dotted`, written as
 * setu_pat_path_format() prints them ("value", "hashes.SHA-256", "dst_ref.value",
 * "protocols.*"). The compiler's way to recognise what it can turn into a matcher. */
bool setu_pat_path_is(const setu_pat_path_t *path, const char *type, const char *dotted);

#endif
