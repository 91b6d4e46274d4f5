/* cmd_stix.c — `setu stix check`: validate STIX 2.1 objects, bundles, TAXII envelopes and
 * STIX patterns (STIX 2.1 OS parts 3-9) with src/intel, one line per error. */
#include "commands.h"

#include "common/limits.h"
#include "intel/compile.h"
#include "intel/pattern.h"
#include "intel/stix-validate.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void stix_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: setu stix check FILE.json...    validate STIX 2.1 objects (a bundle, "
	    "a "
	    "TAXII\n"
	    "                                        envelope, a list or one object) and "
	    "their\n"
	    "                                        indicator patterns; '-' reads "
	    "stdin\n"
	    "       setu stix check -p 'PATTERN'    validate one STIX pattern\n"
	    "       setu stix compile FILE.json...  compile STIX-pattern indicators into "
	    "the\n"
	    "                                        sensor's indicator sets; names "
	    "every\n"
	    "                                        indicator that cannot compile and "
	    "why\n"
	    "\n"
	    "Prints one line per error (FILE: objects[i] ID: message) and a summary;\n"
	    "exits 0 when everything is valid, 1 when something is not, 2 on usage "
	    "errors.\n");
}

typedef struct check_ctx {
	const char *file;
	unsigned printed;
	unsigned suppressed;
} check_ctx_t;

static void print_error(void *arg, const setu_diag_t *d)
{
	check_ctx_t *c = arg;
	if (c->printed >= SETU_STIX_CHECK_MAX_ERRORS) {
		c->suppressed++;
		return;
	}
	c->printed++;
	printf("%s: %s\n", c->file, d->msg);
}

/* Read a whole file (or stdin for "-") up to the limit; caller frees *out. */
static int read_all(const char *path, char **out, size_t *outlen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL)
		return -1;
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	int rc = 0;
	while (buf != NULL) {
		if (len == cap) {
			if (cap >= SETU_STIX_FILE_MAX_BYTES) {
				rc = -2;
				break;
			}
			size_t ncap = cap * 2 > SETU_STIX_FILE_MAX_BYTES
			                  ? SETU_STIX_FILE_MAX_BYTES
			                  : cap * 2;
			char *nb = realloc(buf, ncap);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				rc = -1;
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (buf == NULL)
		return -3;
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

static size_t count_objects(const json_t *doc)
{
	if (json_is_array(doc))
		return json_array_size(doc);
	const json_t *objs = json_object_get(doc, "objects");
	if (json_is_array(objs))
		return json_array_size(objs);
	return json_object_get(doc, "type") != NULL ? 1 : 0;
}

static int check_file(const char *path, size_t *nobjects, unsigned *nerrors)
{
	char *data = NULL;
	size_t len = 0;
	errno = 0;
	int rc = read_all(path, &data, &len);
	if (rc == -2) {
		fprintf(stderr, "setu stix: %s: larger than %u bytes\n", path,
		        SETU_STIX_FILE_MAX_BYTES);
		return -1;
	}
	if (rc != 0) {
		fprintf(stderr, "setu stix: cannot read %s: %s\n", path,
		        errno != 0 ? strerror(errno) : "read error");
		return -1;
	}
	json_error_t jerr;
	json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	free(data);
	if (doc == NULL) {
		printf("%s:%d:%d: invalid JSON: %s\n", path, jerr.line, jerr.column,
		       jerr.text);
		(*nerrors)++;
		return 0;
	}
	check_ctx_t c = {path, 0, 0};
	unsigned n = setu_stix_validate_collection_all(doc, print_error, &c);
	if (c.suppressed > 0)
		printf("%s: ... and %u more errors\n", path, c.suppressed);
	*nobjects += count_objects(doc);
	*nerrors += n;
	json_decref(doc);
	return 0;
}

static int check_pattern(const char *pattern)
{
	setu_pattern_t *p = NULL;
	setu_diag_t d;
	memset(&d, 0, sizeof(d));
	int rc = setu_pattern_parse(pattern, strlen(pattern), &p, &d);
	if (rc != 0) {
		printf("pattern:%u:%u: %s\n", d.line, d.column, d.msg);
		return 1;
	}
	printf("valid pattern: %zu comparisons\n", setu_pattern_ncomparisons(p));
	setu_pattern_free(p);
	return 0;
}

static void compile_report(void *user, const char *id, const char *reason)
{
	printf("%s: %s: skipped: %s\n", (const char *)user, id, reason);
}

/* `setu stix compile`: what the sensor would load from these files. */
static int compile_files(int n, char **files)
{
	if (n < 1) {
		fprintf(stderr,
		        "setu stix compile: no file given (try 'setu stix --help')\n");
		return 2;
	}
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	if (b == NULL) {
		fprintf(stderr, "setu stix compile: out of memory\n");
		return 1;
	}
	int rc = 0;
	setu_stix_compile_stats_t total = {0};
	for (int i = 0; i < n && rc == 0; i++) {
		setu_stix_compile_stats_t st;
		setu_diag_t d = {0};
		if (setu_stix_compile_file(b, files[i], compile_report, files[i], &st,
		                           &d) != 0) {
			char buf[512];
			setu_diag_format(&d, buf, sizeof(buf));
			fprintf(stderr, "setu stix compile: %s\n", buf);
			rc = 1;
			break;
		}
		total.objects += st.objects;
		total.indicators += st.indicators;
		total.compiled += st.compiled;
		total.skipped += st.skipped;
		total.other += st.other;
	}
	if (rc == 0) {
		setu_diag_t d = {0};
		setu_iocset_t *set = setu_iocset_build(b, &d);
		if (set == NULL) {
			fprintf(stderr, "setu stix compile: %s\n", d.msg);
			rc = 1;
		} else {
			setu_iocset_stats_t st;
			setu_iocset_stats(set, &st);
			printf("%zu objects, %zu indicators: %zu compiled, %zu skipped, "
			       "%zu with "
			       "other pattern types; %zu IPv4 + %zu IPv6 + %zu name/hash "
			       "+ %zu "
			       "port entries, %zu bytes\n",
			       total.objects, total.indicators, total.compiled,
			       total.skipped, total.other, st.ipv4_entries,
			       st.ipv6_entries, st.key_entries, st.port_entries,
			       st.bytes_total);
			setu_iocset_free(set);
		}
	}
	setu_iocset_builder_free(b);
	return rc;
}

int cmd_stix(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		stix_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "compile") == 0)
		return compile_files(argc - 2, argv + 2);
	if (strcmp(argv[1], "check") != 0) {
		fprintf(stderr,
		        "setu stix: unknown subcommand '%s' (try 'setu stix --help')\n",
		        argv[1]);
		return 2;
	}
	if (argc < 3) {
		fprintf(stderr,
		        "setu stix check: no file given (try 'setu stix --help')\n");
		return 2;
	}
	if (strcmp(argv[2], "-p") == 0 || strcmp(argv[2], "--pattern") == 0) {
		if (argc != 4) {
			fprintf(stderr, "setu stix check -p: give exactly one pattern\n");
			return 2;
		}
		return check_pattern(argv[3]);
	}
	size_t nobjects = 0;
	unsigned nerrors = 0;
	int failed = 0;
	for (int i = 2; i < argc; i++)
		if (check_file(argv[i], &nobjects, &nerrors) != 0)
			failed = 1;
	printf("%zu objects checked, %u errors\n", nobjects, nerrors);
	return (failed || nerrors > 0) ? 1 : 0;
}
