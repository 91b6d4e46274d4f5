/* bench_detect.c — where a loaded rule set's detection cost and memory sit: per rule
 * group the prefilter patterns, Hyperscan database bytes, rules without a fast pattern
 * and how the address index splits them; per app-layer protocol the tx rules; the
 * thread's scratch. Not a test: run by hand, e.g.
 *   bench_detect [-c classification.config]
 * ../shared/testdata/rules/et-open-suricata4-2019
 */
#include "bench_rulefiles.h"
#include "sensor/detect/detect-int.h"

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

static size_t db_bytes(const hs_database_t *db)
{
	size_t s = 0;
	if (db != NULL && hs_database_size(db, &s) != HS_SUCCESS)
		s = 0;
	return s;
}

/* resident now, KiB (VmRSS) */
static size_t rss_now_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t v = 0;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %zu", &v) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return v;
}

static size_t rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (size_t)ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	setu_detect_config_t cfg = {0};
	int a = 1;
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		cfg.classification_file = argv[2];
		a = 3;
	}
	if (a >= argc) {
		fprintf(stderr,
		        "usage: bench_detect [-c classification.config] DIR...\n");
		return 2;
	}
	char **files = NULL;
	size_t n = 0, cap = 0;
	for (int i = a; i < argc; i++)
		if (add_dir(argv[i], &files, &n, &cap) != 0) {
			fprintf(stderr, "bench_detect: cannot read folder %s\n", argv[i]);
			return 1;
		}
	setu_diag_t d = {0};
	size_t rss0 = rss_kib();
	double t0 = now();
	setu_detect_engine_t *de =
	    setu_detect_engine_load(&cfg, (const char *const *)files, n, NULL, NULL, &d);
	double t1 = now();
	if (de == NULL) {
		char msg[512];
		setu_diag_format(&d, msg, sizeof(msg));
		fprintf(stderr, "bench_detect: %s\n", msg);
		return 1;
	}
	size_t rss1 = rss_kib();
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	size_t rss2 = rss_kib();
	printf("%u rules, load %.2f s; peak RSS %.1f MiB before, %.1f after load, %.1f "
	       "with a thread context; resident now %.1f MiB\n",
	       de->nrules, t1 - t0, rss0 / 1024.0, rss1 / 1024.0, rss2 / 1024.0,
	       rss_now_kib() / 1024.0);
	printf("%-6s %6s %6s %9s %6s %7s %7s %7s %7s %9s %6s %9s\n", "group", "rules",
	       "pats", "hs-bytes", "nonpf", "alw4", "alw6", "ivl4", "ivl6", "idx-bytes",
	       "s-alw4", "s-idxbyte");
	size_t tot_db = 0, tot_idx = 0;
	for (int g = 0; g < G_COUNT; g++) {
		const pgroup_t *pg = &de->groups[g];
		uint32_t nr = pg->nnonpf;
		if (pg->pat_off != NULL)
			nr += pg->pat_off[pg->npat];
		if (nr == 0)
			continue;
		size_t db = db_bytes(pg->db);
		size_t ib = ipidx_bytes(&pg->pidx) + ipidx_bytes(&pg->sidx);
		tot_db += db;
		tot_idx += ib;
		printf("%-6d %6u %6u %9zu %6u %7u %7u %7u %7u %9zu %6u %9zu\n", g, nr,
		       pg->npat, db, pg->nnonpf, pg->pidx.nalways[0], pg->pidx.nalways[1],
		       pg->pidx.map[0][0].n + pg->pidx.map[0][1].n,
		       pg->pidx.map[1][0].n + pg->pidx.map[1][1].n,
		       ipidx_bytes(&pg->pidx), pg->sidx.nalways[0],
		       ipidx_bytes(&pg->sidx));
	}
	/* TCP payload rules: how many are inspected on packets of established sessions
	 * (anchored with depth/offset, or packet-only) */
	uint32_t tcp_pf = 0, tcp_pkt = 0;
	for (uint32_t i = 0; i < de->nrules; i++) {
		const setu_rule_t *r = de->rules[i];
		if (r->fp_index < 0 || (r->flags & RF_TX) ||
		    (r->rproto != RP_TCP && r->rproto != RP_IP))
			continue;
		tcp_pf++;
		if (!(r->flags & RF_STREAM_ONLY) &&
		    ((r->flags & RF_REQ_PACKET) || !(r->flags & RF_REQ_STREAM)))
			tcp_pkt++;
	}
	printf("TCP rules with a fast pattern: %u, of which %u also inspect packets of "
	       "established sessions\n",
	       tcp_pf, tcp_pkt);
	printf("packet groups: Hyperscan %.1f MiB, address index %.1f MiB\n",
	       tot_db / 1048576.0, tot_idx / 1048576.0);
	size_t tx_db = 0;
	for (int p = 0; p < SETU_ALPROTO_MAX; p++) {
		if (de->ntxrules[p] == 0)
			continue;
		size_t b = 0;
		uint32_t npat = 0, ndb = 0;
		for (int k = 0; k < DB_COUNT; k++) {
			b += db_bytes(de->txpf[p][k].db);
			npat += de->txpf[p][k].npat;
			ndb += de->txpf[p][k].db != NULL;
		}
		tx_db += b;
		uint32_t raw_fp = 0, ev = 0;
		for (uint32_t k = 0; k < de->ntxnonpf[p]; k++) {
			const setu_rule_t *r =
			    de->rules[de->txrules[p][de->txnonpf[p][k]]];
			raw_fp += r->fp_index >= 0;
			ev += de->txnonpf_ev[p][k] != 0;
		}
		printf(
		    "tx proto %d: %u rules, %u without a fast pattern (%u need an "
		    "app-layer "
		    "event, %u have a raw-payload one), %u patterns in %u databases, %zu "
		    "bytes\n",
		    p, de->ntxrules[p], de->ntxnonpf[p], ev, raw_fp, npat, ndb, b);
	}
	/* a scratch big enough for every database, as each thread context holds */
	hs_scratch_t *sc = NULL;
	for (int g = 0; g < G_COUNT; g++)
		if (de->groups[g].db != NULL)
			(void)hs_alloc_scratch(de->groups[g].db, &sc);
	for (int p = 0; p < SETU_ALPROTO_MAX; p++)
		for (int k = 0; k < DB_COUNT; k++)
			if (de->txpf[p][k].db != NULL)
				(void)hs_alloc_scratch(de->txpf[p][k].db, &sc);
	size_t scratch = 0;
	if (sc != NULL && hs_scratch_size(sc, &scratch) != HS_SUCCESS)
		scratch = 0;
	hs_free_scratch(sc);
	printf("tx Hyperscan %.1f MiB; per-thread scratch %.1f MiB\n", tx_db / 1048576.0,
	       scratch / 1048576.0);
	setu_detect_thread_free(dt);
	double t3 = now();
	setu_detect_engine_free(de);
	printf("engine free %.3f s\n", now() - t3);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return 0;
}
