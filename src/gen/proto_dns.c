/* proto_dns.c — generated DNS over UDP/53 (RFC 1035 messages with name compression
 * §4.1.4, AAAA per RFC 3596, EDNS(0) OPT per RFC 6891, negative answers with the zone's
 * SOA per RFC 2308). */
#include "gen/gen_int.h"

#include <stdio.h>
#include <string.h>

enum {
	T_A = 1,
	T_NS = 2,
	T_CNAME = 5,
	T_SOA = 6,
	T_MX = 15,
	T_TXT = 16,
	T_AAAA = 28,
	T_OPT = 41
};

/* Names already written in this message, for compression pointers. */
typedef struct dns_comp {
	struct {
		char name[256];
		uint16_t off;
	} e[48];
	size_t n;
} dns_comp_t;

static void dns_name(setu_buf_t *b, dns_comp_t *ct, const char *name)
{
	const char *s = name;
	while (*s) {
		for (size_t i = 0; i < ct->n; i++) {
			if (strcmp(ct->e[i].name, s) == 0) {
				gen_b16(b, (uint16_t)(0xc000 | ct->e[i].off));
				return;
			}
		}
		if (ct->n < sizeof(ct->e) / sizeof(ct->e[0]) && b->len < 0x3fff) {
			snprintf(ct->e[ct->n].name, sizeof(ct->e[0].name), "%s", s);
			ct->e[ct->n].off = (uint16_t)b->len;
			ct->n++;
		}
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		if (l > 63)
			l = 63;
		gen_b8(b, (uint8_t)l);
		gen_bmem(b, s, l);
		s += l;
		if (*s == '.')
			s++;
	}
	gen_b8(b, 0);
}

static void dns_header(setu_buf_t *b, uint16_t id, uint16_t flags, uint16_t qd,
                       uint16_t an, uint16_t ns, uint16_t ar)
{
	gen_b16(b, id);
	gen_b16(b, flags);
	gen_b16(b, qd);
	gen_b16(b, an);
	gen_b16(b, ns);
	gen_b16(b, ar);
}

static void dns_opt(setu_buf_t *b, uint16_t size)
{
	gen_b8(b, 0);
	gen_b16(b, T_OPT);
	gen_b16(b, size);
	gen_b32(b, 0);
	gen_b16(b, 0);
}

/* Starts an RR: owner, type, class IN, ttl; returns the offset of RDLENGTH. */
static size_t dns_rr(setu_buf_t *b, dns_comp_t *ct, const char *owner, uint16_t type,
                     uint32_t ttl)
{
	dns_name(b, ct, owner);
	gen_b16(b, type);
	gen_b16(b, 1);
	gen_b32(b, ttl);
	size_t at = b->len;
	gen_b16(b, 0);
	return at;
}

/* The zone of a name: its last two labels. */
static const char *zone_of(const char *name)
{
	const char *last = NULL, *prev = NULL;
	for (const char *p = name; *p; p++)
		if (*p == '.') {
			prev = last;
			last = p;
		}
	if (last == NULL)
		return name;
	return prev ? prev + 1 : name;
}

typedef struct dns_q {
	char name[256];
	uint16_t type;
	bool nx;
	bool has_addr;
	setu_addr_t addr; /* forced answer for A/AAAA */
} dns_q_t;

static void dns_query(gen_ctx_t *ctx, setu_buf_t *b, uint16_t id, const dns_q_t *q,
                      bool edns)
{
	dns_comp_t ct = {.n = 0};
	setu_buf_reset(b);
	dns_header(b, id, 0x0100, 1, 0, 0, edns ? 1 : 0);
	dns_name(b, &ct, q->name);
	gen_b16(b, q->type);
	gen_b16(b, 1);
	if (edns)
		dns_opt(b, 1232);
	(void)ctx;
}

static void answer_addr(gen_ctx_t *ctx, setu_buf_t *b, dns_comp_t *ct, const char *owner,
                        const dns_q_t *q, uint32_t ttl, uint16_t *an)
{
	gen_host_t srv;
	setu_addr_t a;
	if (q->has_addr) {
		a = q->addr;
	} else {
		gen_server_for_name(ctx, q->name, q->type == T_AAAA, &srv);
		a = srv.ip;
	}
	/* A/AAAA for the family asked; a forced answer of the other family is skipped. */
	if ((q->type == T_A) != (a.family == 4))
		return;
	uint32_t n = q->has_addr ? 1 : gen_rng_range(&ctx->rng, 1, 3);
	for (uint32_t i = 0; i < n; i++) {
		size_t at = dns_rr(b, ct, owner, q->type, ttl);
		if (a.family == 4) {
			uint8_t v4[4];
			memcpy(v4, a.b, 4);
			v4[3] = (uint8_t)(v4[3] + i);
			if (v4[3] == 0 || v4[3] == 255)
				v4[3] = 1;
			gen_bmem(b, v4, 4);
		} else {
			uint8_t v6[16];
			memcpy(v6, a.b, 16);
			v6[15] = (uint8_t)(v6[15] + i);
			gen_bmem(b, v6, 16);
		}
		gen_blen(b, at, 2);
		(*an)++;
	}
}

static void dns_response(gen_ctx_t *ctx, setu_buf_t *b, uint16_t id, const dns_q_t *q,
                         bool edns)
{
	gen_rng_t *r = &ctx->rng;
	dns_comp_t ct = {.n = 0};
	setu_buf_reset(b);
	dns_header(b, id, (uint16_t)(0x8180 | (q->nx ? 3 : 0)), 1, 0, 0, edns ? 1 : 0);
	dns_name(b, &ct, q->name);
	gen_b16(b, q->type);
	gen_b16(b, 1);
	uint16_t an = 0, ns = 0;
	uint32_t ttl = gen_rng_range(r, 30, 3600);
	const char *zone = zone_of(q->name);
	char tmp[300];

	if (q->nx) {
		size_t at = dns_rr(b, &ct, zone, T_SOA, 900);
		snprintf(tmp, sizeof(tmp), "ns1.%s", zone);
		dns_name(b, &ct, tmp);
		snprintf(tmp, sizeof(tmp), "hostmaster.%s", zone);
		dns_name(b, &ct, tmp);
		gen_b32(b, 2026011500u + gen_rng_below(r, 9));
		gen_b32(b, 7200);
		gen_b32(b, 3600);
		gen_b32(b, 1209600);
		gen_b32(b, 300);
		gen_blen(b, at, 2);
		ns = 1;
	} else if (q->type == T_A || q->type == T_AAAA || q->type == T_CNAME) {
		const char *owner = q->name;
		char target[300];
		bool cname = q->type == T_CNAME || (!q->has_addr && gen_rng_pct(r, 30));
		if (cname) {
			char first[64];
			size_t l = strcspn(q->name, ".");
			if (l >= sizeof(first))
				l = sizeof(first) - 1;
			memcpy(first, q->name, l);
			first[l] = '\0';
			snprintf(target, sizeof(target), "%s.edge%u.cdn.example.net",
			         first, gen_rng_range(r, 1, 9));
			size_t at = dns_rr(b, &ct, q->name, T_CNAME, ttl);
			dns_name(b, &ct, target);
			gen_blen(b, at, 2);
			an++;
			owner = target;
		}
		if (q->type != T_CNAME)
			answer_addr(ctx, b, &ct, owner, q, gen_rng_range(r, 20, 300),
			            &an);
	} else if (q->type == T_MX) {
		uint32_t n = gen_rng_range(r, 1, 2);
		for (uint32_t i = 0; i < n; i++) {
			size_t at = dns_rr(b, &ct, q->name, T_MX, ttl);
			gen_b16(b, (uint16_t)(10 * (i + 1)));
			snprintf(tmp, sizeof(tmp), "mx%u.%s", i + 1, q->name);
			dns_name(b, &ct, tmp);
			gen_blen(b, at, 2);
			an++;
		}
	} else if (q->type == T_TXT) {
		size_t at = dns_rr(b, &ct, q->name, T_TXT, ttl);
		snprintf(tmp, sizeof(tmp), "v=spf1 mx include:_spf.%s ~all", zone);
		gen_b8(b, (uint8_t)strlen(tmp));
		gen_bmem(b, tmp, strlen(tmp));
		gen_blen(b, at, 2);
		an++;
		at = dns_rr(b, &ct, q->name, T_TXT, ttl);
		static const char b64[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		int k = snprintf(tmp, sizeof(tmp), "site-verification=");
		for (int i = 0; i < 43; i++)
			tmp[k++] = b64[gen_rng_below(r, 64)];
		tmp[k] = '\0';
		gen_b8(b, (uint8_t)k);
		gen_bmem(b, tmp, (size_t)k);
		gen_blen(b, at, 2);
		an++;
	}
	if (edns)
		dns_opt(b, 1232);
	if (b->len >= 12) {
		gen_put16((uint8_t *)b->data + 6, an);
		gen_put16((uint8_t *)b->data + 8, ns);
	}
}

static void resolver_host(gen_ctx_t *ctx, bool v6, gen_host_t *h)
{
	setu_addr_t a;
	setu_addr_parse(&a, v6 ? "2001:db8:53::53" : "198.51.100.53");
	gen_rng_t saved = ctx->rng;
	gen_rng_seed(&ctx->rng, ctx->cfg->seed ^ 0x53);
	gen_host_make(ctx, h, &a, false);
	h->owd_us = 4000;
	ctx->rng = saved;
}

/* One flow: the client asks each question in qs[0..n) from one port; answers follow. */
static gen_flow_t *dns_flow(gen_ctx_t *ctx, uint64_t t, gen_host_t *cl, const dns_q_t *qs,
                            size_t n, uint64_t *t_end, gen_conn_t *cout)
{
	gen_flow_t *f = gen_flow_new(ctx, SETU_GEN_APP_DNS);
	if (f == NULL)
		return NULL;
	bool v6 = cl->ip.family == 6;
	gen_host_t res;
	resolver_host(ctx, v6, &res);
	gen_conn_t *c = cout;
	gen_conn_init(c, ctx, f, 17, cl, gen_ephemeral_port(ctx, cl), &res, 53, t);
	gen_conn_count(c, SETU_GEN_APP_DNS);
	bool edns = cl->os != GEN_OS_WINDOWS || gen_rng_pct(&ctx->rng, 50);
	uint16_t ids[4];
	for (size_t i = 0; i < n; i++) {
		ids[i] = (uint16_t)gen_rng_next(&ctx->rng);
		dns_query(ctx, &ctx->payload, ids[i], &qs[i], edns);
		gen_udp_send(c, 0, (const uint8_t *)ctx->payload.data, ctx->payload.len);
		c->t += 20 + gen_rng_below(&ctx->rng, 100);
	}
	/* A recursive lookup takes from a cache hit to a few hundred ms. */
	uint32_t think = gen_rng_pct(&ctx->rng, 70)
	                     ? gen_rng_range(&ctx->rng, 100, 2000)
	                     : gen_rng_range(&ctx->rng, 10000, 250000);
	gen_conn_wait_reply(c, 0, think);
	for (size_t i = 0; i < n; i++) {
		dns_response(ctx, &ctx->payload, ids[i], &qs[i], edns);
		gen_udp_send(c, 1, (const uint8_t *)ctx->payload.data, ctx->payload.len);
		c->t += 50 + gen_rng_below(&ctx->rng, 3000);
	}
	*t_end = c->t;
	return f;
}

uint64_t gen_dns_lookup(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t,
                        gen_host_t *client, const char *name, const setu_addr_t *addr,
                        int attack)
{
	dns_q_t q;
	memset(&q, 0, sizeof(q));
	snprintf(q.name, sizeof(q.name), "%s", name);
	q.type = client->ip.family == 6 ? T_AAAA : T_A;
	if (addr != NULL) {
		q.has_addr = true;
		q.addr = *addr;
		q.type = addr->family == 6 ? T_AAAA : T_A;
	}
	uint64_t end = t;
	gen_conn_t c;
	gen_flow_t *f = dns_flow(ctx, t, client, &q, 1, &end, &c);
	if (f == NULL)
		return t;
	if (attack >= 0) {
		f->attack = attack;
		gen_attack_note(ctx, attack, &c);
	}
	sink->add(sink->user, f);
	return end;
}

void gen_dns_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6)
{
	gen_rng_t *r = &ctx->rng;
	dns_q_t qs[2];
	memset(qs, 0, sizeof(qs));
	size_t n = 1;
	const char *host = gen_pick_hostname(ctx);
	snprintf(qs[0].name, sizeof(qs[0].name), "%s", host);
	uint32_t x = gen_rng_below(r, 100);
	if (x < 45) {
		qs[0].type = T_A;
		qs[1] = qs[0];
		qs[1].type = T_AAAA;
		n = 2;
	} else if (x < 70) {
		qs[0].type = T_A;
	} else if (x < 78) {
		qs[0].type = T_AAAA;
	} else if (x < 84) {
		qs[0].type = T_MX;
		snprintf(qs[0].name, sizeof(qs[0].name), "%s", zone_of(host));
	} else if (x < 90) {
		qs[0].type = T_TXT;
		snprintf(qs[0].name, sizeof(qs[0].name), "%s", zone_of(host));
	} else if (x < 94) {
		qs[0].type = T_CNAME;
	} else {
		/* A typo or a random probe (browsers test for DNS hijacking that way). */
		static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
		char lab[16];
		uint32_t l = gen_rng_range(r, 7, 12);
		for (uint32_t i = 0; i < l; i++)
			lab[i] = al[gen_rng_below(r, 36)];
		lab[l] = '\0';
		snprintf(qs[0].name, sizeof(qs[0].name), "%s.%s", lab, zone_of(host));
		qs[0].type = T_A;
		qs[0].nx = true;
	}
	uint64_t end;
	gen_conn_t c;
	gen_flow_t *f = dns_flow(ctx, t, gen_pick_client(ctx, v6), qs, n, &end, &c);
	if (f != NULL)
		sink->add(sink->user, f);
}
