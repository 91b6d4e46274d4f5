/* bench_hub.c — hub figures (issue 6): ingest rate of STIX indicators in TAXII envelopes
 * of 500 (full path: JSON, STIX validation, TLP, SQLite commit), the latency of a
 * filtered page (match[type]=indicator&limit=100&added_after=...) at N objects, in
 * process and over HTTP, and 64 concurrent HTTP clients (libcurl, keep-alive) on that
 * page.
 *
 *   bench_hub [N objects (default 200000)] [seconds of load (default 5; 0 = no HTTP)]
 *   bench_hub --make-db DIR N   only build DIR/hub.db with N objects (in process) and
 *                               write DIR/bench.env (TOKEN, COLLECTION, ADDED_AFTER)
 *                               for bench/hub.sh */
#include "hub/auth/acl.h"
#include "hub/auth/token.h"
#include "hub/hub.h"
#include "hub/store/store.h"
#include "hub/store/writer.h"
#include "hub/taxii/taxii.h"

#include <curl/curl.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH 500
#define CLIENTS 64
#define INGEST_CLIENTS 8

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the process (user + system), to separate CPU cost from fsync waits. */
static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* CPU time of the calling thread: a page's own cost, without time spent descheduled. */
static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	qsort(v, n, sizeof(*v), cmp_double);
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i];
}

/* One envelope of BATCH objects: 4 indicators for every malware. */
static size_t make_batch(char *buf, size_t size, size_t first)
{
	size_t n = (size_t)snprintf(buf, size, "{\"objects\":[");
	for (size_t i = 0; i < BATCH; i++) {
		size_t k = first + i;
		const char *ts = "2026-01-01T00:00:00.000Z";
		if (k % 5 == 4)
			n += (size_t)snprintf(
			    buf + n, size - n,
			    "%s{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":"
			    "\"malware--"
			    "%08zx-0000-4000-8000-%012zx\",\"created\":\"%s\","
			    "\"modified\":\"%s\","
			    "\"name\":\"family %zu\",\"is_family\":true}",
			    i ? "," : "", k, k, ts, ts, k);
		else
			n += (size_t)snprintf(
			    buf + n, size - n,
			    "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
			    "\"indicator--"
			    "%08zx-0000-4000-8000-%012zx\",\"created\":\"%s\","
			    "\"modified\":\"%s\","
			    "\"name\":\"bench "
			    "%zu\",\"indicator_types\":[\"malicious-activity\"],"
			    "\"pattern\":\"[ipv4-addr:value = "
			    "'10.%zu.%zu.%zu']\",\"pattern_type\":"
			    "\"stix\",\"valid_from\":\"%s\"}",
			    i ? "," : "", k, k, ts, ts, k, (k >> 16) & 255,
			    (k >> 8) & 255, k & 255, ts);
	}
	n += (size_t)snprintf(buf + n, size - n, "]}");
	return n;
}

typedef struct load {
	const char *url;
	const char *auth;
	double until;
	size_t reqs, errors;
	double *lat;
	size_t n_lat, cap_lat;
} load_t;

static size_t sink(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

static void *client(void *arg)
{
	load_t *l = arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, "Accept: application/taxii+json;version=2.1");
	h = curl_slist_append(h, l->auth);
	curl_easy_setopt(c, CURLOPT_URL, l->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	while (now_s() < l->until) {
		double t0 = now_s();
		long code = 0;
		if (curl_easy_perform(c) != CURLE_OK ||
		    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
		    code != 200) {
			if (l->errors++ == 0 && l->n_lat == 0)
				fprintf(stderr,
				        "bench_hub: first error: HTTP %ld on %s\n", code,
				        l->url);
		}
		l->reqs++;
		if (l->n_lat < l->cap_lat)
			l->lat[l->n_lat++] = (now_s() - t0) * 1e3;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

/* The benchmark's database files and folder. */
static void remove_db(const char *dir, const char *db)
{
	char f[600];
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(f, sizeof(f), "%s%s", db, sfx[i]);
		unlink(f);
	}
	rmdir(dir);
}

typedef struct ingest {
	const char *url;
	const char *auth;
	size_t first, count;
	size_t errors;
} ingest_t;

static void *ingest_client(void *arg)
{
	ingest_t *g = arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, "Accept: application/taxii+json;version=2.1");
	h = curl_slist_append(h, "Content-Type: application/taxii+json;version=2.1");
	h = curl_slist_append(h, "Expect:");
	h = curl_slist_append(h, g->auth);
	size_t cap = (size_t)BATCH * 700;
	char *body = malloc(cap);
	curl_easy_setopt(c, CURLOPT_URL, g->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	for (size_t k = g->first; k < g->first + g->count; k += BATCH) {
		size_t len = make_batch(body, cap, k);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
		long code = 0;
		if (curl_easy_perform(c) != CURLE_OK ||
		    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
		    code != 202)
			g->errors++;
	}
	free(body);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *make_db = NULL;
	if (argc > 1 && strcmp(argv[1], "--make-db") == 0) {
		if (argc < 4) {
			fprintf(stderr, "usage: bench_hub --make-db DIR N\n");
			return 2;
		}
		make_db = argv[2];
		argv += 2;
		argc -= 2;
	}
	size_t total = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
	double secs = argc > 2 ? atof(argv[2]) : 5.0;
	total = (total + BATCH - 1) / BATCH * BATCH;
	char tmpl[] = "/tmp/setu-benchhub-XXXXXX";
	char dir[200];
	if (make_db != NULL) {
		snprintf(dir, sizeof(dir), "%.199s", make_db);
	} else {
		if (mkdtemp(tmpl) == NULL)
			return 1;
		snprintf(dir, sizeof(dir), "%s", tmpl);
	}
	setu_hub_config_t cfg;
	setu_hub_config_defaults(&cfg);
	snprintf(cfg.database, sizeof(cfg.database), "%s/hub.db", dir);
	cfg.port = 0;
	cfg.threads = 8;
	setu_store_t *s = NULL;
	setu_diag_t d = {0};
	if (setu_store_open(cfg.database, &s, &d) != 0) {
		fprintf(stderr, "bench_hub: %s\n", d.msg);
		return 1;
	}
	setu_api_root_t root;
	setu_org_t org = {.name = "bench"};
	setu_member_t m = {.name = "bench", .role = SETU_ROLE_CONTRIBUTOR};
	setu_collection_t coll;
	char token[SETU_TOKEN_LEN + 1];
	uint8_t hash[32];
	int64_t tid;
	s->ops->api_root_ensure(s, cfg.api_root, "bench", &root);
	s->ops->org_add(s, &org, NULL);
	m.org_id = org.id;
	s->ops->member_add(s, &m, NULL);
	setu_token_generate(token, sizeof(token), hash);
	s->ops->token_add(s, m.id, hash, &tid);
	s->ops->collection_add(s, root.id, "bench", "", false, &coll);
	s->ops->collection_grant(s, coll.id, org.id, true, true);

	char auth[128], path[256];
	snprintf(auth, sizeof(auth), "Bearer %s", token);
	char auth_hdr[160];
	snprintf(auth_hdr, sizeof(auth_hdr), "Authorization: %s", auth);
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", coll.uuid);
	/* As in the hub: the writer thread stores what the request thread has validated
	 * while it validates the rest, and commits once per group. */
	setu_writer_t *writer = setu_writer_new();
	setu_taxii_t t = {.store = s,
	                  .writer = writer,
	                  .title = "bench",
	                  .default_root = cfg.api_root,
	                  .max_content_length = cfg.max_content_length};
	size_t cap = (size_t)BATCH * 700;
	char *body = malloc(cap);
	printf("bench_hub: %zu objects (80%% indicators) in envelopes of %d, SQLite WAL "
	       "synchronous=FULL at %s\n",
	       total, BATCH, cfg.database);
	size_t half = make_db != NULL ? total : total / 2 / BATCH * BATCH;
	double t0 = now_s(), cpu0 = cpu_s(), req0 = thread_cpu_s();
	for (size_t k = 0; k < half; k += BATCH) {
		size_t len = make_batch(body, cap, k);
		setu_http_req_t req = {.method = "POST",
		                       .path = path,
		                       .content_type = SETU_TAXII_MEDIA,
		                       .authorization = auth,
		                       .body = body,
		                       .body_len = len};
		setu_http_resp_t resp;
		setu_taxii_handle(&t, &req, &resp);
		if (resp.status != 202 ||
		    strstr(resp.body, "\"failure_count\":0") == NULL) {
			fprintf(stderr, "bench_hub: ingest failed: %d %.300s\n",
			        resp.status, resp.body ? resp.body : "");
			return 1;
		}
		setu_http_resp_clear(&resp);
	}
	double dt = now_s() - t0, cpu = cpu_s() - cpu0, req_cpu = thread_cpu_s() - req0;
	uint64_t g0 = 0, j0 = 0;
	setu_writer_stats(writer, &g0, &j0);
	printf(
	    "ingest, 1 client in process: %zu objects in %.2f s = %.0f objects/s; CPU "
	    "%.1f us/object = %.1f in the request thread (parse, validate, marking; "
	    "incl. %s) + %.1f in the writer thread (SQLite, audit, commit, checkpoint); "
	    "%llu durable commits\n",
	    half, dt, (double)half / dt, cpu * 1e6 / (double)half,
	    req_cpu * 1e6 / (double)half, "building the envelopes",
	    (cpu - req_cpu) * 1e6 / (double)half, (unsigned long long)g0);
	int64_t span_start = setu_now_us();
	if (make_db != NULL) {
		char env[600], ts[SETU_TS_LEN];
		/* added_after at 90% of the data: a full page of newer indicators. */
		setu_ts_format(span_start - (int64_t)(dt * 1e6 * 0.1), ts, sizeof(ts));
		snprintf(env, sizeof(env), "%s/bench.env", dir);
		FILE *f = fopen(env, "w");
		if (f == NULL)
			return 1;
		fprintf(f, "TOKEN=%s\nCOLLECTION=%s\nADDED_AFTER=%s\nAPI_ROOT=%s\n",
		        token, coll.uuid, ts, cfg.api_root);
		fclose(f);
		setu_writer_free(writer);
		setu_store_close(s);
		free(body);
		printf("database %s with %zu objects; %s\n", cfg.database, total, env);
		return 0;
	}

	/* The other half over HTTP from 8 concurrent clients: group commit shares fsyncs.
	 */
	setu_hub_t *h = NULL;
	if (setu_hub_new(&cfg, &h, &d) != 0 || setu_hub_start(h, &d) != 0) {
		fprintf(stderr, "bench_hub: %s\n", d.msg);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	char post_url[512];
	snprintf(post_url, sizeof(post_url), "http://127.0.0.1:%u%s",
	         (unsigned)setu_hub_port(h), path);
	ingest_t ing[INGEST_CLIENTS];
	pthread_t ith[INGEST_CLIENTS];
	size_t per = (total - half) / INGEST_CLIENTS / BATCH * BATCH;
	t0 = now_s();
	cpu0 = cpu_s();
	for (int i = 0; i < INGEST_CLIENTS; i++) {
		ing[i] = (ingest_t){.url = post_url,
		                    .auth = auth_hdr,
		                    .first = half + (size_t)i * per,
		                    .count = per};
		pthread_create(&ith[i], NULL, ingest_client, &ing[i]);
	}
	size_t ing_errors = 0;
	for (int i = 0; i < INGEST_CLIENTS; i++) {
		pthread_join(ith[i], NULL);
		ing_errors += ing[i].errors;
	}
	dt = now_s() - t0;
	cpu = cpu_s() - cpu0;
	total = half + per * INGEST_CLIENTS;
	uint64_t commits = 0, wreqs = 0;
	setu_hub_write_stats(h, &commits, &wreqs);
	printf("ingest, %d HTTP clients: %zu objects in %.2f s = %.0f objects/s, %zu "
	       "errors; %llu requests in %llu durable commits (group commit); CPU %.1f "
	       "us/object (hub and clients)\n",
	       INGEST_CLIENTS, per * INGEST_CLIENTS, dt,
	       (double)(per * INGEST_CLIENTS) / dt, ing_errors, (unsigned long long)wreqs,
	       (unsigned long long)commits, cpu * 1e6 / (double)(per * INGEST_CLIENTS));
	int64_t mid_added = span_start;
	struct stat stb, stw;
	char walpath[600];
	snprintf(walpath, sizeof(walpath), "%s-wal", cfg.database);
	if (stat(cfg.database, &stb) == 0 && stat(walpath, &stw) == 0)
		printf("database %.0f MiB, WAL %.0f MiB after ingest\n",
		       (double)stb.st_size / 1048576.0, (double)stw.st_size / 1048576.0);

	/* Warm-up pass over the same pages (first touch of mmap'd pages), not measured.
	 */
	for (int i = 0; i < 200; i++) {
		char ts[SETU_TS_LEN];
		setu_ts_format(mid_added + ((setu_now_us() - mid_added) * (i % 97)) / 100,
		               ts, sizeof(ts));
		setu_kv_t args[3] = {
		    {"match[type]", "indicator"}, {"limit", "100"}, {"added_after", ts}};
		setu_http_req_t req = {.method = "GET",
		                       .path = path,
		                       .authorization = auth,
		                       .args = args,
		                       .n_args = 3};
		setu_http_resp_t resp;
		setu_taxii_handle(&t, &req, &resp);
		setu_http_resp_clear(&resp);
	}

	/* Filtered pages, in process: added_after spread over the second half of the
	 * data. */
	enum { Q = 2000 };
	double *lat = malloc(sizeof(double) * Q);
	double *cpu_lat = malloc(sizeof(double) * Q);
	char added[SETU_TS_LEN];
	int64_t span = setu_now_us() - mid_added;
	size_t got = 0;
	for (int i = 0; i < Q; i++) {
		setu_ts_format(mid_added + (span * (i % 97)) / 100, added, sizeof(added));
		setu_kv_t args[3] = {{"match[type]", "indicator"},
		                     {"limit", "100"},
		                     {"added_after", added}};
		setu_http_req_t req = {.method = "GET",
		                       .path = path,
		                       .authorization = auth,
		                       .args = args,
		                       .n_args = 3};
		setu_http_resp_t resp;
		double q0 = now_s(), c0 = thread_cpu_s();
		setu_taxii_handle(&t, &req, &resp);
		lat[i] = (now_s() - q0) * 1e3;
		cpu_lat[i] = (thread_cpu_s() - c0) * 1e3;
		if (resp.status != 200) {
			fprintf(stderr, "bench_hub: page failed: %d\n", resp.status);
			return 1;
		}
		got += resp.body_len;
		setu_http_resp_clear(&resp);
	}
	printf(
	    "filtered page (match[type]=indicator&limit=100&added_after=T) at %zu "
	    "objects, "
	    "in process: p50 %.3f ms, p99 %.3f ms wall; p50 %.3f ms, p99 %.3f ms CPU (%d "
	    "queries, avg %zu bytes)\n",
	    total, pct(lat, Q, 0.50), pct(lat, Q, 0.99), pct(cpu_lat, Q, 0.50),
	    pct(cpu_lat, Q, 0.99), Q, got / Q);

	if (secs <= 0) { /* no read load */
		setu_hub_free(h);
		setu_writer_free(writer);
		setu_store_close(s);
		free(lat);
		free(cpu_lat);
		free(body);
		remove_db(dir, cfg.database);
		return 0;
	}
	/* Over HTTP, 64 concurrent keep-alive clients. */
	char url[512];
	setu_ts_format(mid_added + span / 2, added, sizeof(added));
	snprintf(
	    url, sizeof(url),
	    "http://127.0.0.1:%u%s?match%%5Btype%%5D=indicator&limit=100&added_after=%s",
	    (unsigned)setu_hub_port(h), path, added);
	load_t one = {
	    .url = url, .auth = auth_hdr, .until = now_s() + 2.0, .cap_lat = 100000};
	one.lat = malloc(sizeof(double) * one.cap_lat);
	client(&one);
	printf("filtered page over HTTP, 1 client: p50 %.3f ms, p99 %.3f ms (%zu "
	       "requests, %zu "
	       "errors)\n",
	       pct(one.lat, one.n_lat, 0.5), pct(one.lat, one.n_lat, 0.99), one.reqs,
	       one.errors);
	pthread_t th[CLIENTS];
	load_t l[CLIENTS];
	double until = now_s() + secs;
	for (int i = 0; i < CLIENTS; i++) {
		l[i] = (load_t){
		    .url = url, .auth = auth_hdr, .until = until, .cap_lat = 200000};
		l[i].lat = malloc(sizeof(double) * l[i].cap_lat);
		pthread_create(&th[i], NULL, client, &l[i]);
	}
	size_t reqs = 0, errors = 0, nl = 0;
	for (int i = 0; i < CLIENTS; i++) {
		pthread_join(th[i], NULL);
		reqs += l[i].reqs;
		errors += l[i].errors;
		nl += l[i].n_lat;
	}
	double *all = malloc(sizeof(double) * (nl ? nl : 1));
	size_t k = 0;
	for (int i = 0; i < CLIENTS; i++) {
		memcpy(all + k, l[i].lat, l[i].n_lat * sizeof(double));
		k += l[i].n_lat;
		free(l[i].lat);
	}
	printf("%d concurrent HTTP clients for %.0f s (%u hub threads): %.0f req/s, %zu "
	       "errors, "
	       "latency p50 %.2f ms, p99 %.2f ms\n",
	       CLIENTS, secs, cfg.threads, (double)reqs / secs, errors, pct(all, nl, 0.5),
	       pct(all, nl, 0.99));
	setu_hub_free(h);
	setu_writer_free(writer);
	setu_store_close(s);
	curl_global_cleanup();
	free(all);
	free(one.lat);
	free(lat);
	free(cpu_lat);
	free(body);
	remove_db(dir, cfg.database);
	return 0;
}
