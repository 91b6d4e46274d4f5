/* gen_int.h — internals of the traffic generator shared by its files: the seeded PRNG
 * (xoshiro256** seeded through splitmix64, as published by Blackman and Vigna), the run
 * context, flows (a timestamped packet list built at once) and connections (the
 * endpoints' TCP/IP state while a flow is built). */
#ifndef SETU_GEN_INT_H
#define SETU_GEN_INT_H

#include "gen/gen.h"
#include "common/addr.h"
#include "common/buf.h"
#include "common/limits.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- PRNG: written here because the stream must be identical everywhere (rand() and
 * random() are neither seeded per context nor specified). ---- */
typedef struct gen_rng {
	uint64_t s[4];
} gen_rng_t;

static inline uint64_t gen_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void gen_rng_seed(gen_rng_t *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = gen_splitmix64(&x);
}

static inline uint64_t gen_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t gen_rng_next(gen_rng_t *r)
{
	uint64_t *s = r->s;
	uint64_t res = gen_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = gen_rotl(s[3], 45);
	return res;
}

/* Uniform in [0, n); n > 0 (multiply-shift; the bias is below 2^-32). */
static inline uint32_t gen_rng_below(gen_rng_t *r, uint32_t n)
{
	return (uint32_t)(((gen_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline uint32_t gen_rng_range(gen_rng_t *r, uint32_t lo, uint32_t hi)
{
	return lo + gen_rng_below(r, hi - lo + 1);
}

/* true with probability pct/100. */
static inline bool gen_rng_pct(gen_rng_t *r, uint32_t pct)
{
	return gen_rng_below(r, 100) < pct;
}

/* [0, 1) */
static inline double gen_rng_unit(gen_rng_t *r)
{
	return (double)(gen_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double gen_rng_exp(gen_rng_t *r, double mean);
/* exp(N(mu, sigma)) clamped to [lo, hi]. */
uint32_t gen_rng_lognormal(gen_rng_t *r, double median, double sigma, uint32_t lo,
                           uint32_t hi);
void gen_rng_bytes(gen_rng_t *r, uint8_t *p, size_t n);
/* Pick an index from weights[0..n) (sum > 0). */
uint32_t gen_rng_weighted(gen_rng_t *r, const uint32_t *weights, size_t n);

/* ---- flows ---- */

/* One scheduled packet sequence (usually one 5-tuple; a scan holds many). Records in
 * `pk` are [u64 ts_us][u32 len][len bytes], in non-decreasing time order. */
typedef struct gen_flow {
	uint64_t id; /* creation order: breaks timestamp ties deterministically */
	setu_gen_app_t app;
	int attack; /* index in the summary's attacks or -1 */
	setu_buf_t pk;
	size_t rd; /* read offset in pk */
	uint64_t last_ts;
	uint64_t next_ts; /* timestamp of the record at rd (merge key) */
	uint64_t bytes;   /* pcap bytes of the records */
	uint64_t npkts;
} gen_flow_t;

/* A host as the generator models it. */
typedef enum gen_os { GEN_OS_LINUX = 0, GEN_OS_WINDOWS, GEN_OS_MACOS } gen_os_t;

typedef struct gen_host {
	setu_addr_t ip;
	uint8_t mac[6];
	gen_os_t os;
	uint8_t ttl;     /* as seen at the capture point */
	uint32_t owd_us; /* one-way delay to the capture point */
	uint16_t next_port;
} gen_host_t;

/* One side of a connection. */
typedef struct gen_ep {
	setu_addr_t ip;
	uint16_t port;
	uint8_t mac[6];
	gen_os_t os;
	uint8_t ttl;
	uint16_t ipid;
	uint32_t seq; /* next sequence number to send */
	uint16_t win; /* advertised window (already scaled down) */
	uint8_t wscale;
	uint16_t mss;
	uint32_t tsval;
	uint32_t ts_base;   /* TSval at the start of the run (random per host) */
	uint32_t ts_recent; /* last TSval received from the peer */
	uint32_t flowlabel; /* IPv6 */
	uint32_t owd_us;    /* one-way delay between this host and the capture point */
} gen_ep_t;

struct gen_ctx;

typedef struct gen_conn {
	struct gen_ctx *ctx;
	gen_flow_t *f;
	gen_ep_t ep[2]; /* 0 = client (initiator), 1 = server */
	uint8_t proto;  /* 6 or 17 */
	bool ts_opt;    /* TCP timestamps negotiated */
	bool sack;
	bool scan_syn; /* SYNs as a port scanner crafts them: MSS only, window 1024 */
	uint64_t t;    /* capture-point clock while building, µs */
} gen_conn_t;

/* ---- the run context ---- */

typedef struct gen_cert {
	char name[128];
	uint8_t *der; /* owned */
	size_t len;
} gen_cert_t;

typedef struct gen_ctx {
	const setu_gen_config_t *cfg;
	gen_rng_t rng;
	setu_addr_t bad_ip;
	gen_host_t *clients; /* owned; RFC 1918 10.0.0.0/8 and 2001:db8:1::/48 */
	size_t n_clients;
	gen_host_t *clients6;
	size_t n_clients6;
	uint8_t gw_mac[6];
	uint64_t next_flow_id;
	setu_gen_summary_t *sum;
	uint8_t frame[SETU_GEN_MAX_FRAME]; /* scratch for one frame */
	setu_buf_t payload;                /* scratch for one application message */
	/* TLS certificates, one per server name, made on first use (Ed25519 keys derived
	 * from the seed so that the DER bytes are reproducible). */
	void *ca_key;  /* EVP_PKEY * */
	void *ca_cert; /* X509 * */
	uint8_t *ca_der;
	size_t ca_len;
	gen_cert_t certs[SETU_GEN_CERT_CACHE];
	size_t n_certs;
	size_t body_cap; /* largest body a session may pick now (shrinks near --size) */
	int err;         /* first error while building (sticky) */
} gen_ctx_t;

/* ---- wire.c: frames and connections ---- */

gen_flow_t *gen_flow_new(gen_ctx_t *ctx, setu_gen_app_t app);
void gen_flow_free(gen_flow_t *f);

/* Start a connection in flow f at time t. Client and server hosts are copied. */
void gen_conn_init(gen_conn_t *c, gen_ctx_t *ctx, gen_flow_t *f, uint8_t proto,
                   const gen_host_t *client, uint16_t sport, const gen_host_t *server,
                   uint16_t dport, uint64_t t);
/* Counts the connection as one flow of app (and IPv6 if so). */
void gen_conn_count(gen_conn_t *c, setu_gen_app_t app);

/* Emit one TCP segment from side dir (0 client, 1 server) at time c->t. */
void gen_tcp_segment(gen_conn_t *c, int dir, uint8_t flags, const uint8_t *data,
                     size_t len);
/* SYN, SYN/ACK, ACK. */
void gen_tcp_handshake(gen_conn_t *c);
/* Send len bytes from dir segmented at MSS with slow-start bursts and delayed ACKs
 * from the peer; c->t ends at the last packet. */
void gen_tcp_send(gen_conn_t *c, int dir, const uint8_t *data, size_t len);
/* Close: `first` sends FIN first; rst != 0 closes with a RST from `first` instead. */
void gen_tcp_close(gen_conn_t *c, int first, bool rst);
/* Advance the clock by the time a message takes to reach the other side and come back
 * from side dir's peer (RTT through the capture point) plus think µs. */
void gen_conn_wait_reply(gen_conn_t *c, int dir, uint32_t think_us);

void gen_udp_send(gen_conn_t *c, int dir, const uint8_t *data, size_t len);

/* Hosts: a client of the monitored network (10/8 or 2001:db8:1::/48) and the server
 * that owns a name (stable address from the name; never the bad IP). */
gen_host_t *gen_pick_client(gen_ctx_t *ctx, bool v6);
void gen_server_for_name(gen_ctx_t *ctx, const char *name, bool v6, gen_host_t *out);
void gen_host_make(gen_ctx_t *ctx, gen_host_t *h, const setu_addr_t *ip, bool local);
uint16_t gen_ephemeral_port(gen_ctx_t *ctx, gen_host_t *h);

/* Body size: lognormal around median, capped by ctx->body_cap. */
uint32_t gen_body_size(gen_ctx_t *ctx, double median, double sigma);

/* ---- names.c ---- */
/* A plausible server name (reserved TLDs only) from the seeded stream. */
const char *gen_pick_hostname(gen_ctx_t *ctx);
extern const char *const gen_user_agents[];
extern const size_t gen_n_user_agents;
/* Append n bytes of plausible HTML text to b. */
void gen_html_text(gen_ctx_t *ctx, setu_buf_t *b, size_t n);

/* ---- protocol builders: each builds one session (1+ flows) starting at t and
 * returns the flows through add(). ---- */
typedef struct gen_sink {
	void (*add)(void *user, gen_flow_t *f);
	void *user;
} gen_sink_t;

void gen_dns_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6);
/* A DNS lookup of name by client (type A or AAAA after addr's family) answered with
 * addr; returns the time of the answer. */
uint64_t gen_dns_lookup(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t,
                        gen_host_t *client, const char *name, const setu_addr_t *addr,
                        int attack);
void gen_http_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6);
void gen_tls_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6);
void gen_ssh_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6);
void gen_ntp_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6);
void gen_other_tcp_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6);
void gen_other_udp_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6);

/* HTTP exchange on an established connection (used by attacks too). */
void gen_http_exchange(gen_conn_t *c, const char *request, size_t req_len,
                       const char *response, size_t resp_len);
/* TLS handshake + data on an established connection; sni may be NULL. TLS 1.3 is used
 * when the client offers it and server13 (the server supports it). */
void gen_tls_conversation(gen_conn_t *c, const char *sni, bool server13);

/* attacks.c: attack number idx (kind = idx % kinds) starting at t. */
void gen_attack(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, size_t idx);
/* Record c's 5-tuple (client = source) as attack idx's. */
void gen_attack_note(gen_ctx_t *ctx, int idx, const gen_conn_t *c);
size_t gen_attack_kinds(void);

/* cert.c */
/* DER of a certificate for name (cached in ctx); NULL on error (ctx->err set). */
const uint8_t *gen_cert_for(gen_ctx_t *ctx, const char *name, size_t *len);
/* The CA certificate (second in the chain sent by servers). */
const uint8_t *gen_ca_der(gen_ctx_t *ctx, size_t *len);
void gen_certs_free(gen_ctx_t *ctx);

static inline void gen_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void gen_put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

static inline void gen_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Append helpers for building messages in a setu_buf_t. */
void gen_b8(setu_buf_t *b, uint8_t v);
void gen_b16(setu_buf_t *b, uint16_t v);
void gen_b24(setu_buf_t *b, uint32_t v);
void gen_b32(setu_buf_t *b, uint32_t v);
void gen_bmem(setu_buf_t *b, const void *p, size_t n);
void gen_brand(gen_ctx_t *ctx, setu_buf_t *b, size_t n);
/* Patch a big-endian length of `width` bytes at offset `at` with (b->len - at - width).
 */
void gen_blen(setu_buf_t *b, size_t at, int width);

#endif
