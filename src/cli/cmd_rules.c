/* cmd_rules.c — `setu rules check FILE... [--strict]`: load Suricata rule files into a
 * detection engine and report every failed or skipped rule plus a summary. */
#include "commands.h"
#include "sensor/detect/detect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: setu rules check FILE... [--strict] [--quiet]\n"
	    "                        [--classification FILE] [--reference FILE]\n"
	    "                        [--threshold FILE] [--var NAME=VALUE]...\n"
	    "                        [--port-var NAME=VALUE]...\n\n"
	    "Parses Suricata rule files, prints each rule that failed to parse (error) "
	    "or\n"
	    "was skipped for an unsupported keyword (skip), then a summary.\n"
	    "classification.config and reference.config are read from beside the first\n"
	    "rule file unless given. Exit status: 0 ok, 1 a rule failed (or, with "
	    "--strict,\n"
	    "was skipped) or a file could not be loaded, 2 usage error.\n");
}

typedef struct ctx {
	bool quiet;
} ctx_t;

static void on_problem(void *user, const setu_detect_problem_t *pb)
{
	ctx_t *c = user;
	if (c->quiet)
		return;
	const setu_diag_t *d = pb->diag;
	if (d->column > 0)
		printf("%s:%u:%u: %s: %s\n", d->file, d->line, d->column,
		       pb->skipped ? "skip" : "error", d->msg);
	else
		printf("%s:%u: %s: %s\n", d->file, d->line,
		       pb->skipped ? "skip" : "error", d->msg);
}

static int split_var(const char *arg, setu_detect_var_t *v)
{
	const char *eq = strchr(arg, '=');
	if (eq == NULL || eq == arg)
		return -1;
	char *name = strndup(arg, (size_t)(eq - arg));
	if (name == NULL)
		return -1;
	v->name = name;
	v->value = eq + 1;
	return 0;
}

int cmd_rules(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "check") != 0) {
		fprintf(stderr,
		        "setu rules: unknown subcommand '%s' (try 'setu rules --help')\n",
		        argv[1]);
		return 2;
	}
	setu_detect_config_t cfg = {0};
	bool strict = false;
	ctx_t c = {false};
	const char **files = calloc((size_t)argc, sizeof(*files));
	setu_detect_var_t *avars = calloc((size_t)argc, sizeof(*avars));
	setu_detect_var_t *pvars = calloc((size_t)argc, sizeof(*pvars));
	size_t nfiles = 0;
	int rc = 0;
	if (files == NULL || avars == NULL || pvars == NULL) {
		fprintf(stderr, "setu rules: out of memory\n");
		rc = 1;
		goto out;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		bool has_next = i + 1 < argc;
		if (strcmp(a, "--strict") == 0) {
			strict = true;
		} else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
			c.quiet = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			goto out;
		} else if (strcmp(a, "--classification") == 0 && has_next) {
			cfg.classification_file = argv[++i];
		} else if (strcmp(a, "--reference") == 0 && has_next) {
			cfg.reference_file = argv[++i];
		} else if (strcmp(a, "--threshold") == 0 && has_next) {
			cfg.threshold_file = argv[++i];
		} else if (strcmp(a, "--var") == 0 && has_next) {
			if (split_var(argv[++i], &avars[cfg.naddress_vars]) != 0) {
				fprintf(stderr, "setu rules: --var expects NAME=VALUE\n");
				rc = 2;
				goto out;
			}
			cfg.naddress_vars++;
		} else if (strcmp(a, "--port-var") == 0 && has_next) {
			if (split_var(argv[++i], &pvars[cfg.nport_vars]) != 0) {
				fprintf(stderr,
				        "setu rules: --port-var expects NAME=VALUE\n");
				rc = 2;
				goto out;
			}
			cfg.nport_vars++;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "setu rules: unknown or incomplete option '%s'\n",
			        a);
			rc = 2;
			goto out;
		} else {
			files[nfiles++] = a;
		}
	}
	if (nfiles == 0) {
		fprintf(stderr, "setu rules check: no rule file given\n");
		rc = 2;
		goto out;
	}
	cfg.address_vars = avars;
	cfg.port_vars = pvars;
	setu_diag_t diag = {0};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	setu_detect_engine_t *de =
	    setu_detect_engine_load(&cfg, files, nfiles, on_problem, &c, &diag);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (de == NULL) {
		char msg[512];
		setu_diag_format(&diag, msg, sizeof(msg));
		fprintf(stderr, "setu rules check: %s\n", msg);
		rc = 1;
		goto out;
	}
	const setu_detect_stats_t *st = setu_detect_engine_stats(de);
	double secs =
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("rules: %zu total, %zu loaded (%zu app-layer pending), %zu skipped, %zu "
	       "failed "
	       "(%zu duplicate)\n",
	       st->rules_total, st->loaded, st->applayer_pending, st->skipped, st->failed,
	       st->duplicate);
	printf("engine: %zu prefilter rules, %zu fast patterns in %zu groups, loaded in "
	       "%.2f s\n",
	       st->prefilter_rules, st->patterns, st->groups, secs);
	if (st->nunsupported > 0) {
		printf("unsupported keywords (rules skipped):");
		size_t n = st->nunsupported < 25 ? st->nunsupported : 25;
		for (size_t i = 0; i < n; i++)
			printf("%s %s %zu", i ? "," : "", st->unsupported[i].keyword,
			       st->unsupported[i].count);
		if (st->nunsupported > n)
			printf(", ... (%zu more)", st->nunsupported - n);
		printf("\n");
	}
	if (st->failed > 0 || (strict && st->skipped > 0))
		rc = 1;
	setu_detect_engine_free(de);
out:
	for (size_t i = 0; avars != NULL && i < cfg.naddress_vars; i++)
		free((char *)avars[i].name);
	for (size_t i = 0; pvars != NULL && i < cfg.nport_vars; i++)
		free((char *)pvars[i].name);
	free(avars);
	free(pvars);
	free(files);
	return rc;
}
