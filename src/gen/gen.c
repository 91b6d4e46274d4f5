/* gen.c — the generator's spine: sessions start at seeded Poisson arrival times, each is
 * built whole into one or more flows, and a min-heap merges the flows' packets by
 * timestamp into the consumer (a pcap file through libpcap's pcap_dump, or a callback).
 * Also writes the ground truth (format in gen.h). */
#include "gen/gen_int.h"

#include <jansson.h>
#include <pcap/pcap.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const setu_gen_ruleset_names[SETU_GEN_RULESETS] = {
    "et-open-suricata4-2019",
    "et-open-suricata5-2025-07-28",
};

static const char *const app_names[SETU_GEN_APP_MAX] = {
    "dns", "http", "tls", "ssh", "ntp", "other_tcp", "other_udp", "scan",
};

const char *setu_gen_app_name(setu_gen_app_t app)
{
	return (unsigned)app < SETU_GEN_APP_MAX ? app_names[app] : "unknown";
}

/* Mean time between session starts. 15 ms gives ~70 sessions/s: a few hundred flows
 * overlap in a large capture, as on a busy office uplink. */
#define GEN_MEAN_ARRIVAL_US 15000.0

void setu_gen_config_default(setu_gen_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->seed = 1;
	cfg->flows = 250;
	cfg->attacks = 7;
	cfg->ipv6_share = 10;
	static const uint32_t shares[SETU_GEN_APP_SCAN] = {
	    [SETU_GEN_APP_DNS] = 40,      [SETU_GEN_APP_HTTP] = 20,
	    [SETU_GEN_APP_TLS] = 28,      [SETU_GEN_APP_SSH] = 2,
	    [SETU_GEN_APP_NTP] = 4,       [SETU_GEN_APP_OTHER_TCP] = 4,
	    [SETU_GEN_APP_OTHER_UDP] = 2,
	};
	memcpy(cfg->share, shares, sizeof(shares));
	cfg->bad_domain = "malware-c2.example";
	cfg->bad_ip = "203.0.113.66";
	cfg->start_us = 1768467600ull * 1000000u; /* 2026-01-15T09:00:00Z */
}

void setu_gen_summary_free(setu_gen_summary_t *sum)
{
	if (sum == NULL)
		return;
	free(sum->attacks);
	memset(sum, 0, sizeof(*sum));
}

/* ---------------------------------------------------------------- validation */

static bool valid_domain(const char *s)
{
	size_t n = strlen(s), label = 0;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
		if (!ok || ++label > 63)
			return false;
	}
	return label > 0;
}

static int check_config(const setu_gen_config_t *cfg, setu_addr_t *bad_ip,
                        setu_diag_t *diag)
{
	if (cfg->size == 0 && (cfg->flows == 0 || cfg->flows > SETU_GEN_MAX_FLOWS))
		return setu_diag_set(diag, SETU_EINVAL, "flows must be 1..%llu",
		                     (unsigned long long)SETU_GEN_MAX_FLOWS);
	if (cfg->size > SETU_GEN_MAX_SIZE)
		return setu_diag_set(diag, SETU_EINVAL, "size must be at most %llu bytes",
		                     (unsigned long long)SETU_GEN_MAX_SIZE);
	if (cfg->size != 0 && cfg->size < 4096)
		return setu_diag_set(diag, SETU_EINVAL,
		                     "size must be at least 4096 bytes");
	if (cfg->attacks > SETU_GEN_MAX_ATTACKS)
		return setu_diag_set(diag, SETU_EINVAL, "attacks must be at most %u",
		                     SETU_GEN_MAX_ATTACKS);
	if (cfg->ipv6_share > 100)
		return setu_diag_set(diag, SETU_EINVAL,
		                     "ipv6 share must be 0..100 (percent)");
	uint64_t total = 0;
	for (size_t i = 0; i < SETU_GEN_APP_SCAN; i++)
		total += cfg->share[i];
	if (total == 0)
		return setu_diag_set(diag, SETU_EINVAL, "protocol shares are all zero");
	if (cfg->bad_domain == NULL || !valid_domain(cfg->bad_domain))
		return setu_diag_set(diag, SETU_EINVAL,
		                     "bad domain '%s' is not a DNS name",
		                     cfg->bad_domain ? cfg->bad_domain : "(null)");
	if (cfg->bad_ip == NULL || setu_addr_parse(bad_ip, cfg->bad_ip) != 0)
		return setu_diag_set(diag, SETU_EINVAL,
		                     "bad IP '%s' is not an IPv4/IPv6 address",
		                     cfg->bad_ip ? cfg->bad_ip : "(null)");
	return 0;
}

/* ---------------------------------------------------------------- merge heap */

typedef struct gen_heap {
	gen_flow_t **v; /* owned entries */
	size_t n, cap;
	uint64_t bytes; /* record bytes held by the flows in the heap */
} gen_heap_t;

static bool flow_before(const gen_flow_t *a, const gen_flow_t *b)
{
	return a->next_ts != b->next_ts ? a->next_ts < b->next_ts : a->id < b->id;
}

static void heap_up(gen_heap_t *h, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!flow_before(h->v[i], h->v[p]))
			break;
		gen_flow_t *t = h->v[i];
		h->v[i] = h->v[p];
		h->v[p] = t;
		i = p;
	}
}

static void heap_down(gen_heap_t *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && flow_before(h->v[l], h->v[m]))
			m = l;
		if (r < h->n && flow_before(h->v[r], h->v[m]))
			m = r;
		if (m == i)
			break;
		gen_flow_t *t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
}

static uint64_t rec_ts(const gen_flow_t *f)
{
	uint64_t ts;
	memcpy(&ts, f->pk.data + f->rd, 8);
	return ts;
}

typedef struct gen_run {
	gen_ctx_t *ctx;
	gen_heap_t heap;
	uint64_t committed; /* pcap bytes of every flow built so far (+ file header) */
} gen_run_t;

static void sink_add(void *user, gen_flow_t *f)
{
	gen_run_t *run = user;
	gen_heap_t *h = &run->heap;
	if (f->pk.len == 0 || run->ctx->err != 0 || h->n == h->cap) {
		if (h->n == h->cap && run->ctx->err == 0)
			run->ctx->err = SETU_ELIMIT;
		gen_flow_free(f);
		return;
	}
	f->rd = 0;
	f->next_ts = rec_ts(f);
	run->committed += f->bytes;
	h->bytes += f->pk.len;
	h->v[h->n++] = f;
	heap_up(h, h->n - 1);
}

/* Emit the earliest packet of the heap. */
static int emit_one(gen_run_t *run, setu_gen_packet_fn fn, void *user)
{
	gen_heap_t *h = &run->heap;
	gen_flow_t *f = h->v[0];
	setu_gen_summary_t *s = run->ctx->sum;
	uint32_t len;
	memcpy(&len, f->pk.data + f->rd + 8, 4);
	setu_gen_packet_t p = {
	    .number = ++s->packets,
	    .ts_us = f->next_ts,
	    .data = (const uint8_t *)f->pk.data + f->rd + 12,
	    .len = len,
	    .app = f->app,
	    .attack = f->attack,
	};
	s->bytes += 16u + len;
	if (s->packets == 1)
		s->first_ts_us = p.ts_us;
	s->last_ts_us = p.ts_us;
	s->app_packets[f->app]++;
	if (f->attack >= 0) {
		setu_gen_attack_t *a = &s->attacks[f->attack];
		if (a->first_packet == 0) {
			a->first_packet = p.number;
			a->ts_us = p.ts_us;
		}
		a->packets++;
	}
	int rc = fn ? fn(user, &p) : 0;
	f->rd += 12u + len;
	if (f->rd < f->pk.len) {
		f->next_ts = rec_ts(f);
		heap_down(h, 0);
	} else {
		h->bytes -= f->pk.len;
		h->v[0] = h->v[--h->n];
		gen_flow_free(f);
		if (h->n > 0)
			heap_down(h, 0);
	}
	return rc;
}

/* ---------------------------------------------------------------- the run */

static int ctx_init(gen_ctx_t *ctx, const setu_gen_config_t *cfg, setu_gen_summary_t *sum)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = cfg;
	ctx->sum = sum;
	gen_rng_seed(&ctx->rng, cfg->seed);
	setu_addr_parse(&ctx->bad_ip, cfg->bad_ip);
	setu_buf_init(&ctx->payload, SETU_GEN_MAX_BODY * 2 + 65536);
	ctx->body_cap = SETU_GEN_MAX_BODY;
	/* The capture point's router: one MAC for every remote host. */
	uint8_t gw[6] = {0x00, 0x1b, 0x21, 0x3c, 0x9d, 0x01};
	memcpy(ctx->gw_mac, gw, 6);
	ctx->n_clients = 240;
	ctx->n_clients6 = 40;
	ctx->clients = calloc(ctx->n_clients, sizeof(gen_host_t));
	ctx->clients6 = calloc(ctx->n_clients6, sizeof(gen_host_t));
	if (ctx->clients == NULL || ctx->clients6 == NULL)
		return SETU_ENOMEM;
	for (size_t i = 0; i < ctx->n_clients; i++) {
		setu_addr_t a;
		memset(&a, 0, sizeof(a));
		a.family = 4;
		a.b[0] = 10, a.b[1] = 1, a.b[2] = (uint8_t)(i / 200);
		a.b[3] = (uint8_t)(10 + i % 200);
		gen_host_make(ctx, &ctx->clients[i], &a, true);
	}
	for (size_t i = 0; i < ctx->n_clients6; i++) {
		setu_addr_t a;
		memset(&a, 0, sizeof(a));
		a.family = 6;
		uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8,
		                 0x00, 0x01, 0x00, (uint8_t)(i / 20)};
		gen_rng_bytes(&ctx->rng, b + 8, 8);
		memcpy(a.b, b, 16);
		gen_host_make(ctx, &ctx->clients6[i], &a, true);
	}
	return 0;
}

static void ctx_free(gen_ctx_t *ctx)
{
	free(ctx->clients);
	free(ctx->clients6);
	setu_buf_free(&ctx->payload);
	gen_certs_free(ctx);
}

static void start_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t)
{
	const setu_gen_config_t *cfg = ctx->cfg;
	uint32_t app = gen_rng_weighted(&ctx->rng, cfg->share, SETU_GEN_APP_SCAN);
	bool v6 = gen_rng_below(&ctx->rng, 100) < cfg->ipv6_share;
	switch (app) {
	case SETU_GEN_APP_DNS:
		gen_dns_session(ctx, sink, t, v6);
		break;
	case SETU_GEN_APP_HTTP:
		gen_http_session(ctx, sink, t, v6);
		break;
	case SETU_GEN_APP_TLS:
		gen_tls_session(ctx, sink, t, v6);
		break;
	case SETU_GEN_APP_SSH:
		gen_ssh_session(ctx, sink, t, v6);
		break;
	case SETU_GEN_APP_NTP:
		gen_ntp_session(ctx, sink, t, v6);
		break;
	case SETU_GEN_APP_OTHER_TCP:
		gen_other_tcp_session(ctx, sink, t, v6);
		break;
	default:
		gen_other_udp_session(ctx, sink, t, v6);
		break;
	}
}

int setu_gen_run(const setu_gen_config_t *cfg, setu_gen_packet_fn fn, void *user,
                 setu_gen_summary_t *sum, setu_diag_t *diag)
{
	setu_gen_summary_t local;
	if (sum == NULL)
		sum = &local;
	memset(sum, 0, sizeof(*sum));
	setu_addr_t bad;
	int rc = check_config(cfg, &bad, diag);
	if (rc != 0)
		return rc;
	if (cfg->attacks > 0) {
		sum->attacks = calloc(cfg->attacks, sizeof(setu_gen_attack_t));
		if (sum->attacks == NULL)
			return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		sum->n_attacks = cfg->attacks;
	}
	sum->bytes = 24;

	gen_ctx_t *ctx = malloc(sizeof(*ctx));
	gen_run_t run;
	memset(&run, 0, sizeof(run));
	run.heap.cap = SETU_GEN_ACTIVE_FLOWS_MAX;
	run.heap.v = calloc(run.heap.cap, sizeof(gen_flow_t *));
	if (ctx == NULL || run.heap.v == NULL || ctx_init(ctx, cfg, sum) != 0) {
		if (ctx != NULL)
			ctx_free(ctx);
		free(ctx);
		free(run.heap.v);
		if (sum == &local)
			setu_gen_summary_free(sum);
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	}
	run.ctx = ctx;
	run.committed = 24;
	gen_sink_t sink = {sink_add, &run};

	/* Arrivals use their own stream so that the schedule does not depend on what the
	 * sessions draw. */
	gen_rng_t arrivals;
	gen_rng_seed(&arrivals, cfg->seed ^ 0x5e55105ull);
	uint64_t next_arrival = cfg->start_us, last_emit = cfg->start_us;
	uint64_t sessions = 0;
	size_t attacks_done = 0;

	for (;;) {
		if (ctx->err != 0) {
			rc = ctx->err;
			break;
		}
		/* Progress in [0,1] decides when attacks go in and when to stop. */
		bool more;
		double progress;
		if (cfg->size > 0) {
			more = run.committed < cfg->size;
			progress = (double)run.committed / (double)cfg->size;
			uint64_t left = more ? cfg->size - run.committed : 0;
			size_t cap = (size_t)(left / 4);
			ctx->body_cap = cap < 2048                ? 2048
			                : cap > SETU_GEN_MAX_BODY ? SETU_GEN_MAX_BODY
			                                          : cap;
		} else {
			more = sessions < cfg->flows;
			progress = (double)sessions / (double)cfg->flows;
		}
		bool attack_due = attacks_done < cfg->attacks &&
		                  (!more || progress >= (double)(attacks_done + 1) /
		                                            (double)(cfg->attacks + 1));
		bool want_start = more || attack_due;
		bool room = run.heap.n + 8 <= run.heap.cap &&
		            run.heap.bytes < SETU_GEN_ACTIVE_BYTES_MAX;
		bool due = run.heap.n == 0 || next_arrival <= run.heap.v[0]->next_ts;
		if (want_start && room && due) {
			/* A session never starts before a packet already written. */
			uint64_t t = next_arrival > last_emit ? next_arrival : last_emit;
			if (attack_due) {
				gen_attack(ctx, &sink, t, attacks_done++);
			} else {
				start_session(ctx, &sink, t);
				sessions++;
			}
			next_arrival +=
			    1 + (uint64_t)gen_rng_exp(&arrivals, GEN_MEAN_ARRIVAL_US);
			continue;
		}
		if (run.heap.n == 0)
			break; /* nothing to start (room is always true on an empty heap)
			        */
		last_emit = run.heap.v[0]->next_ts;
		rc = emit_one(&run, fn, user);
		if (rc != 0)
			break;
	}
	for (size_t i = 0; i < run.heap.n; i++)
		gen_flow_free(run.heap.v[i]);
	free(run.heap.v);
	ctx_free(ctx);
	free(ctx);
	if (rc != 0 && rc != SETU_EINVAL)
		setu_diag_set(diag, rc, "generation stopped: %s", setu_strerror(rc));
	if (sum == &local)
		setu_gen_summary_free(sum);
	return rc;
}

/* ---------------------------------------------------------------- pcap + truth */

typedef struct pcap_sink {
	pcap_dumper_t *d;
} pcap_sink_t;

static int pcap_packet(void *user, const setu_gen_packet_t *p)
{
	pcap_sink_t *ps = user;
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(p->ts_us / 1000000u);
	h.ts.tv_usec = (suseconds_t)(p->ts_us % 1000000u);
	h.caplen = p->len;
	h.len = p->len;
	pcap_dump((u_char *)ps->d, &h, p->data);
	return 0;
}

/* Suricata's timestamp format: 2026-01-15T09:00:00.123456+0000. */
static void ts_text(uint64_t us, char *out, size_t size)
{
	time_t t = (time_t)(us / 1000000u);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+0000", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	         (unsigned)(us % 1000000u));
}

char *setu_gen_truth_json(const setu_gen_config_t *cfg, const setu_gen_summary_t *sum,
                          const char *pcap_name)
{
	char buf[64];
	json_t *root = json_object();
	json_t *opt = json_object(), *shares = json_object(), *counts = json_object();
	json_t *flows = json_object(), *pkts = json_object(), *attacks = json_array();
	if (!root || !opt || !shares || !counts || !flows || !pkts || !attacks) {
		json_decref(root), json_decref(opt), json_decref(shares),
		    json_decref(counts);
		json_decref(flows), json_decref(pkts), json_decref(attacks);
		return NULL;
	}
	json_object_set_new(root, "generator", json_string("setu gen"));
	json_object_set_new(root, "format_version", json_integer(1));
	json_object_set_new(root, "pcap", json_string(pcap_name ? pcap_name : ""));
	json_object_set_new(root, "seed", json_integer((json_int_t)cfg->seed));
	json_object_set_new(opt, "flows",
	                    json_integer(cfg->size ? 0 : (json_int_t)cfg->flows));
	json_object_set_new(opt, "size", json_integer((json_int_t)cfg->size));
	json_object_set_new(opt, "attacks", json_integer(cfg->attacks));
	json_object_set_new(opt, "ipv6_share", json_integer(cfg->ipv6_share));
	json_object_set_new(opt, "bad_domain", json_string(cfg->bad_domain));
	json_object_set_new(opt, "bad_ip", json_string(cfg->bad_ip));
	ts_text(cfg->start_us, buf, sizeof(buf));
	json_object_set_new(opt, "start_time", json_string(buf));
	for (int i = 0; i < SETU_GEN_APP_SCAN; i++)
		json_object_set_new(shares, app_names[i], json_integer(cfg->share[i]));
	json_object_set_new(opt, "shares", shares);
	json_object_set_new(root, "options", opt);
	json_object_set_new(root, "packets", json_integer((json_int_t)sum->packets));
	json_object_set_new(root, "bytes", json_integer((json_int_t)sum->bytes));
	ts_text(sum->first_ts_us, buf, sizeof(buf));
	json_object_set_new(root, "first_ts", json_string(buf));
	ts_text(sum->last_ts_us, buf, sizeof(buf));
	json_object_set_new(root, "last_ts", json_string(buf));
	for (int i = 0; i < SETU_GEN_APP_MAX; i++) {
		json_object_set_new(flows, app_names[i],
		                    json_integer((json_int_t)sum->flows[i]));
		json_object_set_new(pkts, app_names[i],
		                    json_integer((json_int_t)sum->app_packets[i]));
	}
	json_object_set_new(counts, "flows", flows);
	json_object_set_new(counts, "packets", pkts);
	json_object_set_new(counts, "ipv6_flows",
	                    json_integer((json_int_t)sum->ipv6_flows));
	json_object_set_new(root, "counts", counts);
	for (size_t i = 0; i < sum->n_attacks; i++) {
		const setu_gen_attack_t *a = &sum->attacks[i];
		json_t *o = json_object(), *ind = json_array(), *sids = json_object();
		if (!o || !ind || !sids) {
			json_decref(o), json_decref(ind), json_decref(sids);
			continue;
		}
		json_object_set_new(o, "id", json_integer((json_int_t)i + 1));
		json_object_set_new(o, "kind", json_string(a->kind ? a->kind : ""));
		json_object_set_new(o, "description",
		                    json_string(a->description ? a->description : ""));
		json_object_set_new(o, "proto",
		                    json_string(a->proto == 17 ? "UDP" : "TCP"));
		json_object_set_new(o, "src_ip", json_string(a->src_ip));
		json_object_set_new(o, "src_port", json_integer(a->src_port));
		json_object_set_new(o, "dest_ip", json_string(a->dest_ip));
		json_object_set_new(o, "dest_port", json_integer(a->dest_port));
		json_object_set_new(o, "first_packet",
		                    json_integer((json_int_t)a->first_packet));
		ts_text(a->ts_us, buf, sizeof(buf));
		json_object_set_new(o, "timestamp", json_string(buf));
		json_object_set_new(o, "ts_us", json_integer((json_int_t)a->ts_us));
		json_object_set_new(o, "packets", json_integer((json_int_t)a->packets));
		if (a->indicator_type != NULL) {
			json_t *x = json_object();
			json_object_set_new(x, "type", json_string(a->indicator_type));
			json_object_set_new(x, "value", json_string(a->indicator));
			json_array_append_new(ind, x);
		}
		json_object_set_new(o, "indicators", ind);
		for (int r = 0; r < SETU_GEN_RULESETS; r++) {
			json_t *l = json_array();
			for (int k = 0; k < SETU_GEN_MAX_SIDS && a->sids[r][k] != 0; k++)
				json_array_append_new(l, json_integer(a->sids[r][k]));
			json_object_set_new(sids, setu_gen_ruleset_names[r], l);
		}
		json_object_set_new(o, "sids", sids);
		json_array_append_new(attacks, o);
	}
	json_object_set_new(root, "attacks", attacks);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return s;
}

int setu_gen_pcap(const setu_gen_config_t *cfg, const char *path, setu_diag_t *diag)
{
	setu_gen_summary_t sum;
	int rc = setu_gen_pcap_summary(cfg, path, &sum, diag);
	setu_gen_summary_free(&sum);
	return rc;
}

int setu_gen_pcap_summary(const setu_gen_config_t *cfg, const char *path,
                          setu_gen_summary_t *sum, setu_diag_t *diag)
{
	memset(sum, 0, sizeof(*sum));
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	if (dead == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	pcap_sink_t ps = {pcap_dump_open(dead, path)};
	if (ps.d == NULL) {
		/* libpcap's message names the file already */
		int rc = setu_diag_set(diag, SETU_EIO, "%s", pcap_geterr(dead));
		pcap_close(dead);
		return rc;
	}
	int rc = setu_gen_run(cfg, pcap_packet, &ps, sum, diag);
	bool werr = pcap_dump_flush(ps.d) != 0 || ferror(pcap_dump_file(ps.d));
	int saved = errno;
	pcap_dump_close(ps.d);
	pcap_close(dead);
	if (rc == 0 && werr)
		rc = setu_diag_set(diag, SETU_EIO, "%s: write failed: %s", path,
		                   strerror(saved));
	if (rc == 0) {
		const char *base = strrchr(path, '/');
		char *json = setu_gen_truth_json(cfg, sum, base ? base + 1 : path);
		size_t n = strlen(path) + sizeof(".truth.json");
		char *tpath = malloc(n);
		FILE *f = NULL;
		if (json == NULL || tpath == NULL) {
			rc = setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		} else {
			snprintf(tpath, n, "%s.truth.json", path);
			f = fopen(tpath, "w");
			if (f == NULL || fputs(json, f) < 0 || fputc('\n', f) == EOF)
				rc = setu_diag_set(diag, SETU_EIO, "%s: %s", tpath,
				                   strerror(errno));
			if (f != NULL && fclose(f) != 0 && rc == 0)
				rc = setu_diag_set(diag, SETU_EIO, "%s: %s", tpath,
				                   strerror(errno));
		}
		free(tpath);
		free(json);
	}
	return rc;
}
