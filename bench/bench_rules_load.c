/* bench_rules_load.c — loads every *.rules file of the given folders into a ready
 * detection engine (parse + threshold + grouping + Hyperscan compile) and prints
 * rules/s, seconds and peak RSS. Not a test: run by hand, e.g.
 *   bench_rules_load ../shared/testdata/rules/et-open-suricata4-2019 \
 *                    ../shared/testdata/rules/et-open-suricata5-2025-07-28 */
#include "bench_rulefiles.h"
#include "sensor/detect/detect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr,
		        "usage: bench_rules_load DIR... (loads every DIR/*.rules)\n");
		return 2;
	}
	char **files = NULL;
	size_t n = 0, cap = 0;
	for (int i = 1; i < argc; i++)
		if (add_dir(argv[i], &files, &n, &cap) != 0) {
			fprintf(stderr, "bench_rules_load: cannot read folder %s\n",
			        argv[i]);
			return 1;
		}
	if (n == 0) {
		fprintf(stderr, "bench_rules_load: no .rules files\n");
		return 1;
	}
	/* each folder carries its own classification.config: use the first one's */
	setu_diag_t d = {0};
	double t0 = now();
	setu_detect_engine_t *de =
	    setu_detect_engine_load(NULL, (const char *const *)files, n, NULL, NULL, &d);
	double t1 = now();
	if (de == NULL) {
		char msg[512];
		setu_diag_format(&d, msg, sizeof(msg));
		fprintf(stderr, "bench_rules_load: %s\n", msg);
		return 1;
	}
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	double t2 = now();
	const setu_detect_stats_t *st = setu_detect_engine_stats(de);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double secs = t1 - t0;
	printf("files:            %zu\n", n);
	printf("rule lines:       %zu\n", st->rules_total);
	printf("loaded:           %zu (app-layer pending %zu)\n", st->loaded,
	       st->applayer_pending);
	printf("skipped:          %zu\n", st->skipped);
	printf("failed:           %zu (duplicates %zu)\n", st->failed, st->duplicate);
	printf("prefilter rules:  %zu, fast patterns %zu, groups %zu\n",
	       st->prefilter_rules, st->patterns, st->groups);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	printf(
	    "load seconds:     %.3f wall (+ %.3f thread context); process CPU %.3f s\n",
	    secs, t2 - t1, cpu);
	printf("rules/s:          %.0f (rule lines parsed per second, whole load)\n",
	       (double)st->rules_total / secs);
	printf("peak RSS:         %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return 0;
}
