/* bench_rulefiles.h — shared by the rule benchmarks (bench_rules_load, bench_detect): the
 * *.rules files of a folder, sorted by name, appended to a growing list. */
#ifndef SETU_BENCH_RULEFILES_H
#define SETU_BENCH_RULEFILES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline int add_dir(const char *dir, char ***files, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	struct dirent *e;
	size_t first = *n;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 7 || strcmp(e->d_name + l - 6, ".rules") != 0)
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			char **nf = realloc(*files, *cap * sizeof(*nf));
			if (nf == NULL) {
				closedir(d);
				return -1;
			}
			*files = nf;
		}
		size_t pl = strlen(dir) + l + 2;
		char *p = malloc(pl);
		if (p == NULL) {
			closedir(d);
			return -1;
		}
		snprintf(p, pl, "%s/%s", dir, e->d_name);
		(*files)[(*n)++] = p;
	}
	closedir(d);
	qsort(*files + first, *n - first, sizeof(**files), cmp_str);
	return 0;
}

#endif
