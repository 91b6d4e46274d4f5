/* wire.c — generator frames and connections: Ethernet II, IPv4 (RFC 791), IPv6
 * (RFC 8200), UDP (RFC 768) and TCP (RFC 9293; options per RFC 7323 and RFC 2018) with
 * Internet checksums (RFC 1071), plus the hosts that send them. Written by hand: no
 * Debian library builds packets (libpcap and libnet-less systems only read them). */
#include "gen/gen_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- PRNG helpers */

uint32_t gen_body_size(gen_ctx_t *ctx, double median, double sigma)
{
	uint32_t cap = (uint32_t)ctx->body_cap;
	return gen_rng_lognormal(&ctx->rng, median, sigma, 0, cap);
}

double gen_rng_exp(gen_rng_t *r, double mean)
{
	return -mean * log(1.0 - gen_rng_unit(r));
}

uint32_t gen_rng_lognormal(gen_rng_t *r, double median, double sigma, uint32_t lo,
                           uint32_t hi)
{
	double u1 = 1.0 - gen_rng_unit(r), u2 = gen_rng_unit(r);
	double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
	double v = median * exp(sigma * z);
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return (uint32_t)v;
}

void gen_rng_bytes(gen_rng_t *r, uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint64_t v = gen_rng_next(r);
		memcpy(p, &v, 8);
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		uint64_t v = gen_rng_next(r);
		memcpy(p, &v, n);
	}
}

uint32_t gen_rng_weighted(gen_rng_t *r, const uint32_t *weights, size_t n)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += weights[i];
	if (total == 0)
		return 0;
	uint64_t x = (uint64_t)(gen_rng_unit(r) * (double)total);
	for (size_t i = 0; i < n; i++) {
		if (x < weights[i])
			return (uint32_t)i;
		x -= weights[i];
	}
	return (uint32_t)(n - 1);
}

/* ---------------------------------------------------------------- buffers */

void gen_b8(setu_buf_t *b, uint8_t v)
{
	setu_buf_append(b, &v, 1);
}

void gen_b16(setu_buf_t *b, uint16_t v)
{
	uint8_t x[2];
	gen_put16(x, v);
	setu_buf_append(b, x, 2);
}

void gen_b24(setu_buf_t *b, uint32_t v)
{
	uint8_t x[3];
	gen_put24(x, v);
	setu_buf_append(b, x, 3);
}

void gen_b32(setu_buf_t *b, uint32_t v)
{
	uint8_t x[4];
	gen_put32(x, v);
	setu_buf_append(b, x, 4);
}

void gen_bmem(setu_buf_t *b, const void *p, size_t n)
{
	setu_buf_append(b, p, n);
}

void gen_brand(gen_ctx_t *ctx, setu_buf_t *b, size_t n)
{
	uint8_t tmp[256];
	while (n > 0) {
		size_t k = n < sizeof(tmp) ? n : sizeof(tmp);
		gen_rng_bytes(&ctx->rng, tmp, k);
		setu_buf_append(b, tmp, k);
		n -= k;
	}
}

void gen_blen(setu_buf_t *b, size_t at, int width)
{
	if (!setu_buf_ok(b) || b->len < at + (size_t)width)
		return;
	size_t v = b->len - at - (size_t)width;
	uint8_t *p = (uint8_t *)b->data + at;
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* ---------------------------------------------------------------- flows */

gen_flow_t *gen_flow_new(gen_ctx_t *ctx, setu_gen_app_t app)
{
	gen_flow_t *f = calloc(1, sizeof(*f));
	if (f == NULL) {
		if (ctx->err == 0)
			ctx->err = SETU_ENOMEM;
		return NULL;
	}
	f->id = ctx->next_flow_id++;
	f->app = app;
	f->attack = -1;
	setu_buf_init(&f->pk, SETU_GEN_ACTIVE_BYTES_MAX);
	return f;
}

void gen_flow_free(gen_flow_t *f)
{
	if (f == NULL)
		return;
	setu_buf_free(&f->pk);
	free(f);
}

static void flow_put(gen_ctx_t *ctx, gen_flow_t *f, uint64_t ts, const uint8_t *frame,
                     uint32_t len)
{
	if (ts < f->last_ts)
		ts = f->last_ts;
	uint8_t hdr[12];
	memcpy(hdr, &ts, 8);
	memcpy(hdr + 8, &len, 4);
	if (setu_buf_append(&f->pk, hdr, sizeof(hdr)) != 0 ||
	    setu_buf_append(&f->pk, frame, len) != 0) {
		if (ctx->err == 0)
			ctx->err = f->pk.oom ? SETU_ENOMEM : SETU_ELIMIT;
		return;
	}
	f->last_ts = ts;
	f->bytes += 16u + len;
	f->npkts++;
}

/* ---------------------------------------------------------------- checksums */

static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		sum += (uint32_t)((p[i] << 8) | p[i + 1]);
	if (i < n)
		sum += (uint32_t)(p[i] << 8);
	return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---------------------------------------------------------------- frames */

/* Builds Ethernet + IP around an L4 header+payload already at ctx->frame + l4off, fills
 * the L4 checksum at l4csum (offset within L4), and emits the frame. */
static void emit_ip(gen_conn_t *c, int dir, size_t l4len, size_t l4csum)
{
	gen_ctx_t *ctx = c->ctx;
	gen_ep_t *src = &c->ep[dir], *dst = &c->ep[!dir];
	bool v6 = src->ip.family == 6;
	size_t l3 = 14, iplen = v6 ? 40 : 20;
	uint8_t *fr = ctx->frame;
	uint8_t *l4 = fr + l3 + iplen;

	memcpy(fr, dst->mac, 6);
	memcpy(fr + 6, src->mac, 6);
	gen_put16(fr + 12, v6 ? 0x86dd : 0x0800);

	/* L4 checksum over the pseudo-header. */
	uint64_t sum = 0;
	uint8_t ph[4] = {0, c->proto, (uint8_t)(l4len >> 8), (uint8_t)l4len};
	if (v6) {
		sum = csum_add(sum, src->ip.b, 16);
		sum = csum_add(sum, dst->ip.b, 16);
		uint8_t ph6[8] = {0, 0,       (uint8_t)(l4len >> 8), (uint8_t)l4len, 0, 0,
		                  0, c->proto};
		sum = csum_add(sum, ph6, 8);
	} else {
		sum = csum_add(sum, src->ip.b, 4);
		sum = csum_add(sum, dst->ip.b, 4);
		sum = csum_add(sum, ph, 4);
	}
	l4[l4csum] = 0;
	l4[l4csum + 1] = 0;
	sum = csum_add(sum, l4, l4len);
	uint16_t ck = csum_fold(sum);
	if (c->proto == 17 && ck == 0)
		ck = 0xffff; /* RFC 768: zero means "no checksum" */
	gen_put16(l4 + l4csum, ck);

	uint8_t *ip = fr + l3;
	if (v6) {
		gen_put32(ip, 0x60000000u | (src->flowlabel & 0xfffff));
		gen_put16(ip + 4, (uint16_t)l4len);
		ip[6] = c->proto;
		ip[7] = src->ttl;
		memcpy(ip + 8, src->ip.b, 16);
		memcpy(ip + 24, dst->ip.b, 16);
	} else {
		ip[0] = 0x45;
		ip[1] = 0;
		gen_put16(ip + 2, (uint16_t)(20 + l4len));
		gen_put16(ip + 4, src->ipid++);
		gen_put16(ip + 6, c->proto == 6 ? 0x4000 : 0);
		ip[8] = src->ttl;
		ip[9] = c->proto;
		ip[10] = ip[11] = 0;
		memcpy(ip + 12, src->ip.b, 4);
		memcpy(ip + 16, dst->ip.b, 4);
		gen_put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	}
	flow_put(ctx, c->f, c->t, fr, (uint32_t)(l3 + iplen + l4len));
}

static size_t l4_room(const gen_conn_t *c, int dir)
{
	size_t hdr = 14 + (c->ep[dir].ip.family == 6 ? 40u : 20u);
	return SETU_GEN_MAX_FRAME - hdr;
}

void gen_udp_send(gen_conn_t *c, int dir, const uint8_t *data, size_t len)
{
	size_t room = l4_room(c, dir) - 8;
	if (len > room)
		len = room; /* the generator never sends UDP fragments */
	size_t off = 14 + (c->ep[dir].ip.family == 6 ? 40u : 20u);
	uint8_t *u = c->ctx->frame + off;
	gen_put16(u, c->ep[dir].port);
	gen_put16(u + 2, c->ep[!dir].port);
	gen_put16(u + 4, (uint16_t)(8 + len));
	memcpy(u + 8, data, len);
	emit_ip(c, dir, 8 + len, 6);
}

/* TCP options for a SYN or SYN/ACK as the host's OS writes them. */
static size_t syn_options(gen_conn_t *c, int dir, uint8_t *o)
{
	gen_ep_t *e = &c->ep[dir];
	size_t n = 0;
	bool ts = dir == 0 ? c->ts_opt || e->os != GEN_OS_WINDOWS : c->ts_opt;
	o[n++] = 2, o[n++] = 4, gen_put16(o + n, e->mss), n += 2;
	if (e->os == GEN_OS_LINUX && ts) {
		o[n++] = 4, o[n++] = 2;
		o[n++] = 8, o[n++] = 10;
		gen_put32(o + n, e->tsval), n += 4;
		gen_put32(o + n, dir == 1 ? e->ts_recent : 0), n += 4;
		o[n++] = 1;
		o[n++] = 3, o[n++] = 3, o[n++] = e->wscale;
	} else if (e->os == GEN_OS_LINUX) {
		/* Linux without timestamps: MSS, NOP, NOP, SACK_PERM, NOP, WS */
		o[n++] = 1, o[n++] = 1;
		o[n++] = 4, o[n++] = 2;
		o[n++] = 1;
		o[n++] = 3, o[n++] = 3, o[n++] = e->wscale;
	} else if (e->os == GEN_OS_MACOS) {
		o[n++] = 1;
		o[n++] = 3, o[n++] = 3, o[n++] = e->wscale;
		if (ts) {
			o[n++] = 1, o[n++] = 1;
			o[n++] = 8, o[n++] = 10;
			gen_put32(o + n, e->tsval), n += 4;
			gen_put32(o + n, dir == 1 ? e->ts_recent : 0), n += 4;
		}
		o[n++] = 4, o[n++] = 2;
		o[n++] = 0, o[n++] = 0; /* EOL + pad to 4 */
	} else {
		o[n++] = 1;
		o[n++] = 3, o[n++] = 3, o[n++] = e->wscale;
		o[n++] = 1, o[n++] = 1;
		o[n++] = 4, o[n++] = 2;
	}
	while (n % 4)
		o[n++] = 1;
	return n;
}

static void tcp_emit(gen_conn_t *c, int dir, uint8_t flags, const uint8_t *data,
                     size_t len, bool has_ack, uint32_t ack)
{
	gen_ep_t *e = &c->ep[dir], *p = &c->ep[!dir];
	size_t off = 14 + (e->ip.family == 6 ? 40u : 20u);
	uint8_t *t = c->ctx->frame + off;
	uint8_t opts[40];
	size_t on = 0;

	e->tsval = e->ts_base + (uint32_t)((c->t - c->ctx->cfg->start_us) / 1000u);
	if ((flags & 0x02) && c->scan_syn && dir == 0) {
		opts[0] = 2, opts[1] = 4;
		gen_put16(opts + 2, 1460);
		on = 4;
	} else if (flags & 0x02) {
		on = syn_options(c, dir, opts);
	} else if (c->ts_opt && !(flags & 0x04)) {
		opts[0] = opts[1] = 1;
		opts[2] = 8, opts[3] = 10;
		gen_put32(opts + 4, e->tsval);
		gen_put32(opts + 8, e->ts_recent);
		on = 12;
	}
	size_t room = l4_room(c, dir) - 20 - on;
	if (len > room)
		len = room;
	gen_put16(t, e->port);
	gen_put16(t + 2, p->port);
	gen_put32(t + 4, e->seq);
	gen_put32(t + 8, (flags & 0x10) ? (has_ack ? ack : p->seq) : 0);
	t[12] = (uint8_t)(((20 + on) / 4) << 4);
	t[13] = flags;
	uint16_t win = e->win;
	if (flags & 0x02)
		win = c->scan_syn && dir == 0 ? 1024
		      : e->os == GEN_OS_MACOS ? 65535
		                              : 64240;
	if (flags & 0x04)
		win = 0;
	gen_put16(t + 14, win);
	t[16] = t[17] = t[18] = t[19] = 0;
	memcpy(t + 20, opts, on);
	if (len > 0)
		memcpy(t + 20 + on, data, len);
	emit_ip(c, dir, 20 + on + len, 16);
	e->seq += (uint32_t)len + ((flags & 0x02) ? 1u : 0u) + ((flags & 0x01) ? 1u : 0u);
	p->ts_recent = e->tsval;
}

void gen_tcp_segment(gen_conn_t *c, int dir, uint8_t flags, const uint8_t *data,
                     size_t len)
{
	tcp_emit(c, dir, flags, data, len, false, 0);
}

void gen_tcp_handshake(gen_conn_t *c)
{
	gen_tcp_segment(c, 0, 0x02, NULL, 0);
	c->t += 2u * c->ep[1].owd_us + gen_rng_below(&c->ctx->rng, 300);
	gen_tcp_segment(c, 1, 0x12, NULL, 0);
	c->t += 2u * c->ep[0].owd_us + gen_rng_below(&c->ctx->rng, 100);
	gen_tcp_segment(c, 0, 0x10, NULL, 0);
	c->t += 5 + gen_rng_below(&c->ctx->rng, 200);
}

void gen_conn_wait_reply(gen_conn_t *c, int dir, uint32_t think_us)
{
	c->t += 2u * c->ep[!dir].owd_us + think_us;
}

/* Slow start: bursts of cwnd segments spaced by the link's serialization time, the
 * receiver ACKing every second segment (RFC 9293 §3.8.6.3 delayed ACK) and the last. */
void gen_tcp_send(gen_conn_t *c, int dir, const uint8_t *data, size_t len)
{
	gen_ep_t *e = &c->ep[dir], *p = &c->ep[!dir];
	size_t mss = e->mss < p->mss ? e->mss : p->mss;
	if (c->ts_opt)
		mss -= 12;
	size_t cwnd = 10, off = 0;
	gen_rng_t *r = &c->ctx->rng;

	while (off < len) {
		uint32_t ack_at[64];
		uint64_t ack_t[64];
		size_t nack = 0, nseg = 0, ai = 0;
		uint64_t t0 = c->t;
		while (off < len && nseg < cwnd) {
			size_t n = len - off < mss ? len - off : mss;
			uint64_t ts = t0 + nseg * (12u + (n * 8u) / 100u);
			while (ai < nack && ack_t[ai] <= ts) {
				c->t = ack_t[ai];
				tcp_emit(c, !dir, 0x10, NULL, 0, true, ack_at[ai]);
				ai++;
			}
			c->t = ts;
			bool last = off + n == len;
			gen_tcp_segment(c, dir, last ? 0x18 : 0x10, data + off, n);
			off += n;
			nseg++;
			if ((nseg % 2 == 0 || last || nseg == cwnd) && nack < 64) {
				ack_at[nack] = e->seq;
				ack_t[nack] =
				    ts + 2u * p->owd_us + 20u + gen_rng_below(r, 60);
				if (nack > 0 && ack_t[nack] <= ack_t[nack - 1])
					ack_t[nack] = ack_t[nack - 1] + 1;
				nack++;
			}
		}
		for (; ai < nack; ai++) {
			if (ack_t[ai] > c->t)
				c->t = ack_t[ai];
			tcp_emit(c, !dir, 0x10, NULL, 0, true, ack_at[ai]);
		}
		if (off < len)
			c->t += 2u * e->owd_us + gen_rng_below(r, 50);
		cwnd = cwnd * 2 > 64 ? 64 : cwnd * 2;
	}
}

void gen_tcp_close(gen_conn_t *c, int first, bool rst)
{
	if (rst) {
		gen_tcp_segment(c, first, 0x14, NULL, 0);
		return;
	}
	gen_tcp_segment(c, first, 0x11, NULL, 0);
	c->t += 2u * c->ep[!first].owd_us + gen_rng_below(&c->ctx->rng, 200);
	gen_tcp_segment(c, !first, 0x11, NULL, 0);
	c->t += 2u * c->ep[first].owd_us + gen_rng_below(&c->ctx->rng, 100);
	gen_tcp_segment(c, first, 0x10, NULL, 0);
}

/* ---------------------------------------------------------------- connections */

static void ep_from_host(gen_conn_t *c, gen_ep_t *e, const gen_host_t *h, uint16_t port)
{
	gen_rng_t *r = &c->ctx->rng;
	memset(e, 0, sizeof(*e));
	e->ip = h->ip;
	e->port = port;
	memcpy(e->mac, h->mac, 6);
	e->os = h->os;
	e->ttl = h->ttl;
	e->ipid = (uint16_t)gen_rng_next(r);
	e->seq = (uint32_t)gen_rng_next(r);
	e->ts_base = (uint32_t)gen_rng_next(r);
	e->flowlabel = (uint32_t)gen_rng_next(r) & 0xfffff;
	e->owd_us = h->owd_us + gen_rng_below(r, h->owd_us / 8 + 1);
	bool v6 = h->ip.family == 6;
	e->mss = v6 ? 1440 : 1460;
	switch (h->os) {
	case GEN_OS_WINDOWS:
		e->wscale = 8;
		e->win = 1026;
		break;
	case GEN_OS_MACOS:
		e->wscale = 6;
		e->win = 2058;
		break;
	default:
		e->wscale = 7;
		e->win = 502;
		break;
	}
}

void gen_conn_init(gen_conn_t *c, gen_ctx_t *ctx, gen_flow_t *f, uint8_t proto,
                   const gen_host_t *client, uint16_t sport, const gen_host_t *server,
                   uint16_t dport, uint64_t t)
{
	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->f = f;
	c->proto = proto;
	c->t = t;
	ep_from_host(c, &c->ep[0], client, sport);
	ep_from_host(c, &c->ep[1], server, dport);
	/* Servers behind CDNs and tunnels advertise a smaller MSS now and then. */
	if (gen_rng_pct(&ctx->rng, 15))
		c->ep[1].mss =
		    (uint16_t)(c->ep[1].mss - 40 * gen_rng_range(&ctx->rng, 1, 2));
	c->sack = true;
	c->ts_opt = client->os != GEN_OS_WINDOWS && server->os != GEN_OS_WINDOWS;
}

void gen_conn_count(gen_conn_t *c, setu_gen_app_t app)
{
	setu_gen_summary_t *s = c->ctx->sum;
	s->flows[app]++;
	if (c->ep[0].ip.family == 6)
		s->ipv6_flows++;
}

/* ---------------------------------------------------------------- hosts */

static uint64_t hash_name(uint64_t seed, const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return gen_splitmix64(&h);
}

static uint8_t os_ttl(gen_os_t os)
{
	return os == GEN_OS_WINDOWS ? 128 : 64;
}

void gen_host_make(gen_ctx_t *ctx, gen_host_t *h, const setu_addr_t *ip, bool local)
{
	memset(h, 0, sizeof(*h));
	h->ip = *ip;
	gen_rng_t *r = &ctx->rng;
	uint32_t x = gen_rng_below(r, 100);
	if (local) {
		h->os = x < 55 ? GEN_OS_WINDOWS : x < 80 ? GEN_OS_LINUX : GEN_OS_MACOS;
		h->ttl = (uint8_t)(os_ttl(h->os) - 1);
		h->owd_us = gen_rng_range(r, 100, 1500);
		h->mac[0] = 0x02;
		gen_rng_bytes(r, h->mac + 1, 5);
	} else {
		h->os = x < 80 ? GEN_OS_LINUX : GEN_OS_WINDOWS;
		h->ttl = (uint8_t)(os_ttl(h->os) - gen_rng_range(r, 6, 22));
		h->owd_us = gen_rng_range(r, 3000, 90000);
		memcpy(h->mac, ctx->gw_mac, 6);
	}
	h->next_port =
	    (uint16_t)(h->os == GEN_OS_WINDOWS ? gen_rng_range(r, 49152, 65000)
	                                       : gen_rng_range(r, 32768, 60000));
}

uint16_t gen_ephemeral_port(gen_ctx_t *ctx, gen_host_t *h)
{
	uint32_t lo = h->os == GEN_OS_WINDOWS ? 49152 : 32768;
	uint32_t hi = h->os == GEN_OS_WINDOWS ? 65535 : 60999;
	uint32_t p = h->next_port + gen_rng_range(&ctx->rng, 1, 4);
	if (p > hi || p < lo)
		p = lo + (p % 97);
	h->next_port = (uint16_t)p;
	return h->next_port;
}

gen_host_t *gen_pick_client(gen_ctx_t *ctx, bool v6)
{
	if (v6)
		return &ctx->clients6[gen_rng_below(&ctx->rng,
		                                    (uint32_t)ctx->n_clients6)];
	/* A few busy clients and a long tail: square the uniform draw. */
	double u = gen_rng_unit(&ctx->rng);
	return &ctx->clients[(size_t)(u * u * (double)ctx->n_clients)];
}

void gen_server_for_name(gen_ctx_t *ctx, const char *name, bool v6, gen_host_t *out)
{
	uint64_t h = hash_name(ctx->cfg->seed, name);
	setu_addr_t a;
	memset(&a, 0, sizeof(a));
	if (v6) {
		a.family = 6;
		uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00};
		b[6] = (uint8_t)(h >> 8);
		b[7] = (uint8_t)(h >> 16);
		b[14] = (uint8_t)(h >> 24);
		b[15] = (uint8_t)((h >> 32) | 1);
		memcpy(a.b, b, 16);
	} else {
		a.family = 4;
		/* 192.0.2.1-254, 198.51.100.1-199, 203.0.113.1-199 (attackers use the
		 * rest) */
		uint32_t idx = (uint32_t)(h % 652);
		for (int tries = 0; tries < 2; tries++) {
			if (idx < 254) {
				a.b[0] = 192, a.b[1] = 0, a.b[2] = 2,
				a.b[3] = (uint8_t)(idx + 1);
			} else if (idx < 453) {
				a.b[0] = 198, a.b[1] = 51, a.b[2] = 100;
				a.b[3] = (uint8_t)(idx - 254 + 1);
			} else {
				a.b[0] = 203, a.b[1] = 0, a.b[2] = 113;
				a.b[3] = (uint8_t)(idx - 453 + 1);
			}
			if (!setu_addr_eq(&a, &ctx->bad_ip))
				break;
			idx = (idx + 1) % 652;
		}
	}
	/* Host traits from the name, so a server looks the same in every flow. */
	gen_rng_t saved = ctx->rng;
	gen_rng_seed(&ctx->rng, h);
	gen_host_make(ctx, out, &a, false);
	ctx->rng = saved;
}
