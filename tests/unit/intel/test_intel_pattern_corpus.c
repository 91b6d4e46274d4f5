/* test_intel_pattern_corpus.c — the STIX pattern parser against the 102 patterns of
 * ../shared/testdata/stix/patterns/pattern_corpus.tsv labelled by the OASIS reference
 * validator (cti-pattern-validator v2.0.0): same verdict on every row, and for valid rows
 * the same comparisons (object type, path, operator) and qualifiers as its inspector. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORPUS SETU_SOURCE_DIR "/../shared/testdata/stix/patterns/pattern_corpus.tsv"

typedef struct row {
	char *verdict, *source, *pattern, *detail;
} row_t;

typedef struct corpus {
	char *text; /* owned; rows point into it */
	row_t *rows;
	size_t n;
} corpus_t;

static int load_corpus(corpus_t *c)
{
	FILE *f = fopen(CORPUS, "rb");
	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	c->text = malloc((size_t)n + 1);
	if (c->text == NULL || fread(c->text, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	c->text[n] = '\0';
	c->rows = calloc(256, sizeof(row_t));
	char *save = NULL;
	char *line = strtok_r(c->text, "\n", &save); /* header */
	while ((line = strtok_r(NULL, "\n", &save)) != NULL && c->n < 256) {
		row_t *r = &c->rows[c->n];
		char *f2 = NULL;
		r->verdict = strtok_r(line, "\t", &f2);
		r->source = strtok_r(NULL, "\t", &f2);
		r->pattern = strtok_r(NULL, "\t", &f2);
		r->detail = strtok_r(NULL, "\t", &f2);
		if (r->verdict && r->source && r->pattern && r->detail)
			c->n++;
	}
	return 0;
}

/* Check every comparison and qualifier of the AST appears in the inspector's summary. */
static void walk(const setu_pattern_t *p, const setu_pat_node_t *n, const char *detail,
                 const char *pattern, unsigned *ncmp)
{
	char path[512], want[700];
	for (size_t i = 0; i < n->nquals; i++) {
		const setu_pat_qual_t *q = &n->quals[i];
		if (q->kind == SETU_PAT_Q_WITHIN)
			snprintf(want, sizeof(want), "WITHIN %g SECONDS", q->seconds);
		else if (q->kind == SETU_PAT_Q_REPEATS)
			snprintf(want, sizeof(want), "REPEATS %lld TIMES",
			         (long long)q->times);
		else
			snprintf(want, sizeof(want), "START t'%s' STOP t'%s'",
			         q->start.bytes, q->stop.bytes);
		if (strstr(detail, want) == NULL)
			fail_msg("%s\n  qualifier %s not in %s", pattern, want, detail);
	}
	if (n->kind == SETU_PAT_COMPARISON) {
		setu_pat_path_format(&n->path, path, sizeof(path));
		const char *op = setu_pat_op_name(n->op);
		/* the inspector prints the operator token as written */
		char opbuf[32];
		snprintf(opbuf, sizeof(opbuf), "%s%s", n->negated ? "NOT " : "", op);
		snprintf(want, sizeof(want), "\"%s\": [", n->path.object_type);
		if (strstr(detail, want) == NULL)
			fail_msg("%s\n  object type %s not in %s", pattern,
			         n->path.object_type, detail);
		snprintf(want, sizeof(want), "[\"%s\", \"%s\"", path, opbuf);
		bool found = strstr(detail, want) != NULL;
		if (!found && n->op == SETU_PAT_OP_EQ) {
			snprintf(want, sizeof(want), "[\"%s\", \"==\"", path);
			found = strstr(detail, want) != NULL;
		}
		if (!found && n->op == SETU_PAT_OP_NEQ) {
			snprintf(want, sizeof(want), "[\"%s\", \"<>\"", path);
			found = strstr(detail, want) != NULL;
		}
		if (!found)
			fail_msg("%s\n  comparison [%s, %s] not in %s", pattern, path,
			         opbuf, detail);
		(*ncmp)++;
	}
	for (size_t i = 0; i < n->nchildren; i++)
		walk(p, n->children[i], detail, pattern, ncmp);
}

static void test_corpus_verdicts(void **state)
{
	const corpus_t *c = *state;
	assert_true(c->n >= 100);
	size_t agree = 0, agree_default = 0;
	unsigned ncmp = 0;
	for (size_t i = 0; i < c->n; i++) {
		const row_t *r = &c->rows[i];
		bool want_pass = strcmp(r->verdict, "PASS") == 0;
		setu_pattern_t *p = NULL;
		setu_diag_t d;
		memset(&d, 0, sizeof(d));
		/* the reference grammar (v2.0.0: no NOT EXISTS) */
		int rc = setu_pattern_parse_ex(r->pattern, strlen(r->pattern),
		                               SETU_PATTERN_NO_NOT_EXISTS, &p, &d);
		if ((rc == 0) == want_pass) {
			agree++;
		} else {
			print_error(
			    "row %zu (%s) %s: reference %s, setu %s (col %u: %s)\n",
			    i + 2, r->source, r->pattern, r->verdict,
			    rc == 0 ? "PASS" : "FAIL", d.column, d.msg);
		}
		if (rc == 0) {
			walk(p, setu_pattern_root(p), r->detail, r->pattern, &ncmp);
		} else {
			/* a failure always says where */
			assert_true(d.column >= 1);
			assert_true(d.msg[0] != '\0');
		}
		setu_pattern_free(p);
		/* the default (current grammar) differs only where it allows NOT EXISTS
		 */
		p = NULL;
		rc = setu_pattern_parse(r->pattern, strlen(r->pattern), &p, &d);
		if ((rc == 0) == want_pass)
			agree_default++;
		else
			assert_non_null(strstr(r->pattern, "NOT EXISTS"));
		setu_pattern_free(p);
	}
	print_message(
	    "pattern corpus: %zu/%zu agree with the reference validator "
	    "(%zu/%zu with the current grammar's NOT EXISTS); %u comparisons matched "
	    "its inspector\n",
	    agree, c->n, agree_default, c->n, ncmp);
	assert_int_equal(agree, c->n);
	assert_true(agree_default >= c->n - 1);
}

int main(void)
{
	corpus_t corpus = {0};
	if (load_corpus(&corpus) != 0) {
		fprintf(stderr, "SKIP: %s is absent (shared test data)\n", CORPUS);
		free(corpus.text);
		return 77;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_prestate(test_corpus_verdicts, &corpus),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(corpus.rows);
	free(corpus.text);
	return rc;
}
