/* bench_sync.c — federation sync throughput (issue 8: >= 20,000 objects/s between two
 * hubs on loopback): hub A serves N GREEN indicators under an offer agreement, hub B
 * pulls them (TAXII 2.1 pages of 1000 through src/taxii, policy on both sides, transfer
 * trail on both sides, one transaction per page). Usage: bench_sync [N] [page]. Prints
 * figures. */
#include "hub/auth/acl.h"
#include "hub/auth/token.h"
#include "hub/hub.h"
#include "hub/store/store.h"
#include "hub/sync/policy.h"
#include "hub/sync/sync.h"

#include <curl/curl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct side {
	char dir[64], db[128];
	setu_hub_config_t cfg;
	setu_store_t *s;
	setu_hub_t *h;
	setu_api_root_t root;
	setu_collection_t share;
	setu_org_t local;
} side_t;

static int side_init(side_t *x)
{
	snprintf(x->dir, sizeof(x->dir), "/tmp/setu-benchsync-XXXXXX");
	if (mkdtemp(x->dir) == NULL)
		return -1;
	snprintf(x->db, sizeof(x->db), "%s/hub.db", x->dir);
	setu_diag_t d = {0};
	if (setu_store_open(x->db, &x->s, &d) != 0)
		return -1;
	setu_hub_config_defaults(&x->cfg);
	snprintf(x->cfg.database, sizeof(x->cfg.database), "%s", x->db);
	x->cfg.port = 0; /* 127.0.0.1 (the default listen address), any free port */
	x->cfg.threads = 4;
	snprintf(x->local.name, sizeof(x->local.name), "local");
	if (x->s->ops->api_root_ensure(x->s, x->cfg.api_root, "bench", &x->root) != 0 ||
	    x->s->ops->org_add(x->s, &x->local, &d) != 0 ||
	    x->s->ops->collection_add(x->s, x->root.id, "share", "", false, &x->share) !=
	        0 ||
	    x->s->ops->collection_grant(x->s, x->share.id, x->local.id, true, true) != 0)
		return -1;
	if (setu_hub_new(&x->cfg, &x->h, &d) != 0 || setu_hub_start(x->h, &d) != 0) {
		fprintf(stderr, "hub: %s\n", d.msg);
		return -1;
	}
	return 0;
}

static void side_free(side_t *x)
{
	setu_hub_free(x->h);
	setu_store_close(x->s);
	char p[200];
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", x->db, sfx[i]);
		unlink(p);
	}
	rmdir(x->dir);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	unsigned page = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1000;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	side_t a = {0}, b = {0};
	if (side_init(&a) != 0 || side_init(&b) != 0) {
		fprintf(stderr, "bench_sync: setup failed\n");
		return 1;
	}
	/* A: B's organisation, a reader token for it, B as a peer, the offer. */
	setu_org_t borg = {0};
	snprintf(borg.name, sizeof(borg.name), "partner");
	setu_member_t m = {0};
	snprintf(m.name, sizeof(m.name), "partner-sync");
	char tok[SETU_TOKEN_LEN + 1];
	uint8_t hash[32];
	int64_t tid;
	a.s->ops->org_add(a.s, &borg, NULL);
	m.org_id = borg.id;
	m.role = SETU_ROLE_READER;
	a.s->ops->member_add(a.s, &m, NULL);
	setu_token_generate(tok, sizeof(tok), hash);
	a.s->ops->token_add(a.s, m.id, hash, &tid);
	setu_peer_t pa = {.enabled = true, .org_id = borg.id};
	snprintf(pa.name, sizeof(pa.name), "partner");
	snprintf(pa.url, sizeof(pa.url), "http://127.0.0.1:%u/%s/", setu_hub_port(b.h),
	         b.cfg.api_root);
	a.s->ops->peer_add(a.s, &pa, NULL);
	setu_agreement_t off;
	memset(&off, 0, sizeof(off));
	snprintf(off.name, sizeof(off.name), "offer");
	off.peer_id = pa.id;
	off.direction = SETU_SYNC_OFFER;
	off.max_tlp = SETU_HUB_TLP_GREEN;
	off.local_collection_id = a.share.id;
	a.s->ops->agreement_add(a.s, &off, NULL);
	a.s->ops->collection_grant(a.s, a.share.id, borg.id, true, false);
	/* B: A as a peer with that token, the pull. */
	setu_org_t aorg = {0};
	snprintf(aorg.name, sizeof(aorg.name), "origin");
	b.s->ops->org_add(b.s, &aorg, NULL);
	setu_peer_t pb = {.enabled = true, .org_id = aorg.id};
	snprintf(pb.name, sizeof(pb.name), "origin");
	snprintf(pb.url, sizeof(pb.url), "http://127.0.0.1:%u/%s/", setu_hub_port(a.h),
	         a.cfg.api_root);
	snprintf(pb.token, sizeof(pb.token), "%s", tok);
	b.s->ops->peer_add(b.s, &pb, NULL);
	setu_agreement_t pull;
	memset(&pull, 0, sizeof(pull));
	snprintf(pull.name, sizeof(pull.name), "pull");
	pull.peer_id = pb.id;
	pull.direction = SETU_SYNC_PULL;
	pull.max_tlp = SETU_HUB_TLP_GREEN;
	pull.local_collection_id = b.share.id;
	snprintf(pull.remote_collection, sizeof(pull.remote_collection), "%s",
	         a.share.uuid);
	b.s->ops->agreement_add(b.s, &pull, NULL);

	/* N GREEN indicators on A, written straight into its store in batches. */
	double t0 = now_s();
	const char *green = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
	for (size_t i = 0; i < n;) {
		a.s->ops->begin_write(a.s);
		for (size_t k = 0; k < 5000 && i < n; k++, i++) {
			char uuid[37], id[64], body[700];
			setu_uuid4(uuid);
			snprintf(id, sizeof(id), "indicator--%s", uuid);
			snprintf(
			    body, sizeof(body),
			    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%"
			    "s\","
			    "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":"
			    "\"2026-01-01T00:00:00.000Z\",\"pattern\":\"[ipv4-addr:value "
			    "= "
			    "'10.%zu.%zu.%zu']\",\"pattern_type\":\"stix\",\"valid_"
			    "from\":"
			    "\"2026-01-01T00:00:00Z\",\"object_marking_refs\":[\"%s\"]}",
			    id, (i >> 16) & 255, (i >> 8) & 255, i & 255, green);
			setu_store_obj_t so = {.stix_id = id,
			                       .type = "indicator",
			                       .spec_version = "2.1",
			                       .version_text = "2026-01-01T00:00:00.000Z",
			                       .version_us = 1767225600000000LL,
			                       .body = body,
			                       .tlp = SETU_HUB_TLP_GREEN};
			if (a.s->ops->object_put(a.s, a.share.id, a.local.id, 0, &so,
			                         NULL) != 0) {
				fprintf(stderr, "bench_sync: put failed\n");
				return 1;
			}
		}
		a.s->ops->commit(a.s);
	}
	double t1 = now_s();
	setu_log_t log = {.level = SETU_LOG_WARN, .prefix = "bench_sync"};
	setu_sync_opts_t o = {.log = &log, .page_limit = page};
	setu_sync_report_t rep = {0};
	setu_diag_t d = {0};
	int rc = setu_sync_round(b.s, &o, &rep, &d);
	double t2 = now_s();
	if (rc != 0 || rep.stored != n) {
		fprintf(stderr, "bench_sync: sync failed (%s), stored %llu of %zu\n",
		        d.msg, (unsigned long long)rep.stored, n);
		return 1;
	}
	/* Latency of one new indicator with an up-to-date bookmark. */
	a.s->ops->begin_write(a.s);
	setu_store_obj_t one = {
	    .stix_id = "indicator--0b5e3f0c-5a4e-4d8e-9d2a-6c1f7e8a9b0c",
	    .type = "indicator",
	    .spec_version = "2.1",
	    .version_text = "2026-01-02T00:00:00.000Z",
	    .version_us = 1767312000000000LL,
	    .body = "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
	            "\"indicator--0b5e3f0c-5a4e-4d8e-9d2a-6c1f7e8a9b0c\","
	            "\"created\":\"2026-01-02T00:00:00.000Z\",\"modified\":"
	            "\"2026-01-02T00:00:00.000Z\",\"pattern\":\"[ipv4-addr:"
	            "value = '192.0.2.1']\",\"pattern_type\":\"stix\","
	            "\"valid_from\":\"2026-01-02T00:00:00Z\"}",
	    .tlp = SETU_HUB_TLP_GREEN};
	a.s->ops->object_put(a.s, a.share.id, a.local.id, 0, &one, NULL);
	a.s->ops->commit(a.s);
	setu_sync_report_t rep2 = {0};
	double t3 = now_s();
	setu_sync_round(b.s, &o, &rep2, &d);
	double t4 = now_s();
	printf("bench_sync: %zu GREEN indicators, pages of %u, two hubs on 127.0.0.1\n",
	       n, page);
	printf("  setup (direct store writes on A): %.2f s\n", t1 - t0);
	printf(
	    "  sync A -> B: %.2f s, %.0f objects/s (%llu pages; policy + trail on both "
	    "sides; one transaction per page)\n",
	    t2 - t1, (double)n / (t2 - t1), (unsigned long long)rep.pages);
	printf("  one new indicator, one round: %.1f ms (stored %llu)\n",
	       (t4 - t3) * 1000.0, (unsigned long long)rep2.stored);
	side_free(&a);
	side_free(&b);
	curl_global_cleanup();
	return 0;
}
