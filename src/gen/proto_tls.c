/* proto_tls.c — generated TLS on TCP/443: TLS 1.3 (RFC 8446) and TLS 1.2 (RFC 5246) full
 * handshakes with the extensions browsers send (SNI RFC 6066, ALPN RFC 7301,
 * supported_groups/ec_point_formats RFC 8422, extended master secret RFC 7627,
 * renegotiation_info RFC 5746, key_share and supported_versions RFC 8446), a real
 * certificate chain for TLS 1.2, then opaque encrypted records. */
#include "gen/gen_int.h"

#include <string.h>

enum {
	HS_CLIENT_HELLO = 1,
	HS_SERVER_HELLO = 2,
	HS_NEW_SESSION_TICKET = 4,
	HS_CERTIFICATE = 11,
	HS_SERVER_KEY_EXCHANGE = 12,
	HS_SERVER_HELLO_DONE = 14,
	HS_CLIENT_KEY_EXCHANGE = 16
};

/* Opens a record of content type ct; returns the offset of its length field. */
static size_t rec_open(setu_buf_t *b, uint8_t ct, uint16_t ver)
{
	gen_b8(b, ct);
	gen_b16(b, ver);
	size_t at = b->len;
	gen_b16(b, 0);
	return at;
}

static size_t hs_open(setu_buf_t *b, uint8_t type)
{
	gen_b8(b, type);
	size_t at = b->len;
	gen_b24(b, 0);
	return at;
}

static size_t ext_open(setu_buf_t *b, uint16_t type)
{
	gen_b16(b, type);
	size_t at = b->len;
	gen_b16(b, 0);
	return at;
}

/* Client profiles: cipher suites and extensions in the order each client sends them, so
 * that JA3/JA4 fingerprints vary as on a real network. Values from RFC 8446 §4.2, the
 * IANA TLS registries and RFC 8701 (GREASE). */
enum {
	X_SNI = 0,
	X_STATUS = 5,
	X_GROUPS = 10,
	X_POINTS = 11,
	X_SIGALGS = 13,
	X_ALPN = 16,
	X_SCT = 18,
	X_PADDING = 21,
	X_ETM = 22,
	X_EMS = 23,
	X_COMPRESS_CERT = 27,
	X_RECORD_LIMIT = 28,
	X_DELEGATED = 34,
	X_TICKET = 35,
	X_VERSIONS = 43,
	X_PSK_MODES = 45,
	X_KEY_SHARE = 51,
	X_ALPS = 17513,
	X_RENEG = 0xff01,
	X_GREASE = 0x0a0a, /* placeholder: replaced by a random GREASE value */
	X_END = 0
};

typedef struct tls_profile {
	const char *name;
	bool tls13, grease, shuffle;
	uint16_t suites[32];  /* 0-terminated; X_GREASE = a GREASE value */
	uint16_t groups[8];   /* 0-terminated */
	uint16_t sigalgs[16]; /* 0-terminated */
	uint16_t exts[24];    /* in order; X_END-terminated after the first entry */
	int nexts;
} tls_profile_t;

static const tls_profile_t profiles[] = {
    {"chrome",
     true,
     true,
     true,
     {X_GREASE, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
      0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035},
     {X_GREASE, 0x001d, 0x0017, 0x0018},
     {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601},
     {X_SNI, X_EMS, X_RENEG, X_GROUPS, X_POINTS, X_TICKET, X_ALPN, X_STATUS, X_SIGALGS,
      X_SCT, X_KEY_SHARE, X_PSK_MODES, X_VERSIONS, X_COMPRESS_CERT, X_ALPS},
     15},
    {"firefox",
     true,
     false,
     false,
     {0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030, 0xc00a,
      0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035},
     {0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101},
     {0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203,
      0x0201},
     {X_SNI, X_EMS, X_RENEG, X_GROUPS, X_POINTS, X_TICKET, X_ALPN, X_STATUS, X_DELEGATED,
      X_KEY_SHARE, X_VERSIONS, X_SIGALGS, X_PSK_MODES, X_RECORD_LIMIT},
     14},
    {"openssl3",
     true,
     false,
     false,
     {0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8,
      0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024, 0xc028, 0x006b, 0xc023,
      0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013, 0x0033,
      0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff},
     {0x001d, 0x0017, 0x001e, 0x0019, 0x0018},
     {0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805,
      0x0806, 0x0401, 0x0501, 0x0601},
     {X_SNI, X_POINTS, X_GROUPS, X_TICKET, X_ALPN, X_ETM, X_EMS, X_SIGALGS, X_VERSIONS,
      X_PSK_MODES, X_KEY_SHARE},
     11},
    {"schannel",
     false,
     false,
     false,
     {0xc02c, 0xc02b, 0xc030, 0xc02f, 0xc024, 0xc023, 0xc028, 0xc027, 0xc00a, 0xc009,
      0xc014, 0xc013, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x000a},
     {0x001d, 0x0017, 0x0018},
     {0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0201, 0x0403, 0x0503, 0x0203, 0x0202,
      0x0601, 0x0603},
     {X_SNI, X_STATUS, X_GROUPS, X_POINTS, X_SIGALGS, X_TICKET, X_ALPN, X_EMS, X_RENEG},
     9},
};

static uint16_t grease(gen_rng_t *r)
{
	uint16_t g = (uint16_t)(gen_rng_below(r, 16) * 0x10 + 0x0a);
	return (uint16_t)(g << 8 | g);
}

static void list16(setu_buf_t *b, const uint16_t *v, uint16_t g)
{
	size_t at = b->len;
	gen_b16(b, 0);
	for (; *v; v++)
		gen_b16(b, *v == X_GREASE ? g : *v);
	gen_blen(b, at, 2);
}

static void client_ext(gen_ctx_t *ctx, setu_buf_t *b, const tls_profile_t *p, uint16_t x,
                       const char *sni, uint16_t g)
{
	size_t e = ext_open(b, x);
	size_t l;
	switch (x) {
	case X_SNI:
		l = strlen(sni);
		gen_b16(b, (uint16_t)(l + 3));
		gen_b8(b, 0);
		gen_b16(b, (uint16_t)l);
		gen_bmem(b, sni, l);
		break;
	case X_STATUS:
		gen_b8(b, 1);
		gen_b32(b, 0);
		break;
	case X_GROUPS:
		list16(b, p->groups, g);
		break;
	case X_POINTS:
		if (strcmp(p->name, "openssl3") == 0)
			gen_bmem(b, "\x03\x00\x01\x02", 4);
		else
			gen_bmem(b, "\x01\x00", 2);
		break;
	case X_SIGALGS:
		list16(b, p->sigalgs, g);
		break;
	case X_ALPN:
		gen_bmem(b, "\x00\x0c\x02h2\x08http/1.1", 14);
		break;
	case X_ALPS:
		gen_bmem(b, "\x00\x03\x02h2", 5);
		break;
	case X_COMPRESS_CERT:
		gen_bmem(b, "\x02\x00\x02", 3); /* brotli */
		break;
	case X_RECORD_LIMIT:
		gen_b16(b, 0x4001);
		break;
	case X_DELEGATED:
		gen_bmem(b, "\x00\x08\x04\x03\x05\x03\x06\x03\x02\x03", 10);
		break;
	case X_RENEG:
		gen_b8(b, 0);
		break;
	case X_VERSIONS:
		if (p->grease) {
			gen_b8(b, 6);
			gen_b16(b, g);
		} else {
			gen_b8(b, 4);
		}
		gen_b16(b, 0x0304);
		gen_b16(b, 0x0303);
		break;
	case X_PSK_MODES:
		gen_bmem(b, "\x01\x01", 2);
		break;
	case X_KEY_SHARE: {
		size_t at = b->len;
		gen_b16(b, 0);
		if (p->grease) {
			gen_b16(b, g);
			gen_b16(b, 1);
			gen_b8(b, 0);
		}
		gen_b16(b, 0x001d);
		gen_b16(b, 32);
		gen_brand(ctx, b, 32);
		if (strcmp(p->name, "firefox") == 0) { /* also a P-256 share */
			gen_b16(b, 0x0017);
			gen_b16(b, 65);
			gen_b8(b, 4);
			gen_brand(ctx, b, 64);
		}
		gen_blen(b, at, 2);
		break;
	}
	default: /* EMS, ticket, SCT, encrypt-then-MAC: empty */
		break;
	}
	gen_blen(b, e, 2);
}

/* A ClientHello from a random profile; returns whether it offers TLS 1.3. */
static bool client_hello(gen_ctx_t *ctx, setu_buf_t *b, const char *sni, uint8_t sid[32])
{
	gen_rng_t *r = &ctx->rng;
	uint32_t x = gen_rng_below(r, 100);
	const tls_profile_t *p = &profiles[x < 50 ? 0 : x < 70 ? 1 : x < 85 ? 2 : 3];
	uint16_t g = grease(r), g2 = grease(r);
	if (g2 == g)
		g2 ^= 0x1010;
	size_t rec = rec_open(b, 22, 0x0301);
	size_t hs = hs_open(b, HS_CLIENT_HELLO);
	gen_b16(b, 0x0303);
	gen_brand(ctx, b, 32);
	if (p->tls13) {
		gen_b8(b, 32);
		gen_bmem(b, sid, 32);
	} else {
		gen_b8(b, 0);
	}
	list16(b, p->suites, g);
	gen_b8(b, 1);
	gen_b8(b, 0);
	size_t exts = b->len;
	gen_b16(b, 0);
	uint16_t order[24];
	int n = 0;
	for (int i = 0; i < p->nexts; i++)
		if (p->exts[i] != X_SNI || sni != NULL)
			order[n++] = p->exts[i];
	if (p->shuffle) /* Chrome permutes its extensions on every connection */
		for (int i = n - 1; i > 0; i--) {
			uint32_t j = gen_rng_below(r, (uint32_t)i + 1);
			uint16_t t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
	if (p->grease) {
		size_t e = ext_open(b, g);
		gen_blen(b, e, 2);
	}
	for (int i = 0; i < n; i++)
		client_ext(ctx, b, p, order[i], sni, g);
	if (p->grease) {
		size_t e = ext_open(b, g2);
		gen_b8(b, 0);
		gen_blen(b, e, 2);
	}
	/* padding (RFC 7685) to 512 bytes of handshake, as Chrome and OpenSSL do. */
	size_t hs_len = b->len - hs + 1;
	if (strcmp(p->name, "firefox") != 0 && hs_len > 252 && hs_len < 508) {
		size_t e = ext_open(b, X_PADDING);
		size_t pad = 508 - hs_len;
		for (size_t i = 0; i < pad; i++)
			gen_b8(b, 0);
		gen_blen(b, e, 2);
	}
	gen_blen(b, exts, 2);
	gen_blen(b, hs, 3);
	gen_blen(b, rec, 2);
	return p->tls13;
}

static void server_hello(gen_ctx_t *ctx, setu_buf_t *b, bool tls13, const uint8_t sid[32],
                         const char *name)
{
	size_t rec = rec_open(b, 22, 0x0303);
	size_t hs = hs_open(b, HS_SERVER_HELLO);
	gen_b16(b, 0x0303);
	gen_brand(ctx, b, 32);
	gen_b8(b, 32);
	if (tls13)
		gen_bmem(b, sid, 32); /* echoed (middlebox compatibility mode) */
	else
		gen_brand(ctx, b, 32);
	gen_b16(b, tls13 ? 0x1301 : 0xc02b);
	gen_b8(b, 0);
	size_t exts = b->len;
	gen_b16(b, 0);
	size_t e;
	if (tls13) {
		e = ext_open(b, 51);
		gen_b16(b, 0x001d);
		gen_b16(b, 32);
		gen_brand(ctx, b, 32);
		gen_blen(b, e, 2);
		e = ext_open(b, 43);
		gen_b16(b, 0x0304);
		gen_blen(b, e, 2);
	} else {
		e = ext_open(b, 0xff01);
		gen_b8(b, 0);
		gen_blen(b, e, 2);
		e = ext_open(b, 11);
		gen_b8(b, 1);
		gen_b8(b, 0);
		gen_blen(b, e, 2);
		e = ext_open(b, 23);
		gen_blen(b, e, 2);
		e = ext_open(b, 35);
		gen_blen(b, e, 2);
		e = ext_open(b, 16);
		gen_b16(b, 9);
		gen_b8(b, 8);
		gen_bmem(b, "http/1.1", 8);
		gen_blen(b, e, 2);
	}
	gen_blen(b, exts, 2);
	gen_blen(b, hs, 3);
	if (!tls13) {
		/* Certificate, ServerKeyExchange, ServerHelloDone in the same record. */
		size_t leaf_len = 0, ca_len = 0;
		const uint8_t *leaf = gen_cert_for(ctx, name, &leaf_len);
		const uint8_t *ca = gen_ca_der(ctx, &ca_len);
		hs = hs_open(b, HS_CERTIFICATE);
		size_t list = b->len;
		gen_b24(b, 0);
		if (leaf != NULL && ca != NULL) {
			gen_b24(b, (uint32_t)leaf_len);
			gen_bmem(b, leaf, leaf_len);
			gen_b24(b, (uint32_t)ca_len);
			gen_bmem(b, ca, ca_len);
		}
		gen_blen(b, list, 3);
		gen_blen(b, hs, 3);
		hs = hs_open(b, HS_SERVER_KEY_EXCHANGE);
		gen_b8(b, 3); /* named_curve */
		gen_b16(b, 0x001d);
		gen_b8(b, 32);
		gen_brand(ctx, b, 32);
		gen_b16(b, 0x0807); /* ed25519 */
		gen_b16(b, 64);
		gen_brand(ctx, b, 64); /* nothing downstream verifies it: random bytes */
		gen_blen(b, hs, 3);
		hs = hs_open(b, HS_SERVER_HELLO_DONE);
		gen_blen(b, hs, 3);
	}
	gen_blen(b, rec, 2);
}

static void ccs(setu_buf_t *b)
{
	static const uint8_t r[] = {20, 3, 3, 0, 1, 1};
	gen_bmem(b, r, sizeof(r));
}

/* n bytes of application data as records of at most 16 KiB of plaintext. */
static void app_records(gen_ctx_t *ctx, setu_buf_t *b, size_t n, bool tls13)
{
	size_t overhead = tls13 ? 17 : 24; /* inner type + tag, or nonce + tag (GCM) */
	while (n > 0 && setu_buf_ok(b)) {
		size_t k = n > 16384 ? 16384 : n;
		size_t rec = rec_open(b, 23, 0x0303);
		gen_brand(ctx, b, k + overhead);
		gen_blen(b, rec, 2);
		n -= k;
	}
}

static void send_buf(gen_conn_t *c, int dir, setu_buf_t *b)
{
	if (!setu_buf_ok(b)) {
		if (c->ctx->err == 0)
			c->ctx->err = b->oom ? SETU_ENOMEM : SETU_ELIMIT;
		return;
	}
	gen_tcp_send(c, dir, (const uint8_t *)b->data, b->len);
}

void gen_tls_conversation(gen_conn_t *c, const char *sni, bool server13)
{
	gen_ctx_t *ctx = c->ctx;
	gen_rng_t *r = &ctx->rng;
	setu_buf_t *b = &ctx->payload;
	uint8_t sid[32];
	gen_rng_bytes(r, sid, sizeof(sid));

	setu_buf_reset(b);
	/* TLS 1.3 when both sides speak it; older servers answer TLS 1.2. */
	bool tls13 = client_hello(ctx, b, sni, sid) && server13;
	send_buf(c, 0, b);
	gen_conn_wait_reply(c, 0, gen_rng_range(r, 200, 3000));

	setu_buf_reset(b);
	server_hello(ctx, b, tls13, sid, sni ? sni : "localhost");
	if (tls13) {
		ccs(b);
		/* EncryptedExtensions, Certificate, CertificateVerify, Finished. */
		app_records(ctx, b, gen_rng_range(r, 1800, 4200), true);
	}
	send_buf(c, 1, b);
	gen_conn_wait_reply(c, 1, gen_rng_range(r, 100, 2000));

	setu_buf_reset(b);
	if (tls13) {
		ccs(b);
		app_records(ctx, b, 36, true); /* Finished */
	} else {
		size_t rec = rec_open(b, 22, 0x0303);
		size_t hs = hs_open(b, HS_CLIENT_KEY_EXCHANGE);
		gen_b8(b, 32);
		gen_brand(ctx, b, 32);
		gen_blen(b, hs, 3);
		gen_blen(b, rec, 2);
		ccs(b);
		rec = rec_open(b, 22, 0x0303); /* encrypted Finished */
		gen_brand(ctx, b, 40);
		gen_blen(b, rec, 2);
	}
	/* The first request often rides with the client's Finished. */
	app_records(ctx, b, gen_rng_range(r, 150, 900), tls13);
	send_buf(c, 0, b);
	gen_conn_wait_reply(c, 0, gen_rng_range(r, 300, 20000));

	setu_buf_reset(b);
	if (!tls13) {
		size_t rec = rec_open(b, 22, 0x0303);
		size_t hs = hs_open(b, HS_NEW_SESSION_TICKET);
		gen_b32(b, 7200);
		gen_b16(b, 192);
		gen_brand(ctx, b, 192);
		gen_blen(b, hs, 3);
		gen_blen(b, rec, 2);
		ccs(b);
		rec = rec_open(b, 22, 0x0303);
		gen_brand(ctx, b, 40);
		gen_blen(b, rec, 2);
	} else {
		app_records(ctx, b, gen_rng_range(r, 200, 600),
		            true); /* NewSessionTicket */
	}
	uint32_t rounds = gen_rng_pct(r, 65) ? 1 : gen_rng_range(r, 2, 4);
	for (uint32_t i = 0; i < rounds && ctx->err == 0; i++) {
		if (i > 0) {
			setu_buf_reset(b);
			app_records(ctx, b, gen_rng_range(r, 100, 1200), tls13);
			send_buf(c, 0, b);
			gen_conn_wait_reply(c, 0, gen_rng_range(r, 300, 30000));
			setu_buf_reset(b);
		}
		app_records(ctx, b, gen_body_size(ctx, 5000, 1.3) + 40u, tls13);
		send_buf(c, 1, b);
		c->t += 2u * c->ep[0].owd_us + gen_rng_range(r, 1000, 500000);
	}
}

void gen_tls_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6)
{
	gen_rng_t *r = &ctx->rng;
	const char *host = gen_pick_hostname(ctx);
	gen_host_t *cl = gen_pick_client(ctx, v6);
	gen_host_t srv;
	gen_server_for_name(ctx, host, v6, &srv);
	if (gen_rng_pct(r, 40))
		t = gen_dns_lookup(ctx, sink, t, cl, host, &srv.ip, -1) +
		    gen_rng_range(r, 50, 2000);
	gen_flow_t *f = gen_flow_new(ctx, SETU_GEN_APP_TLS);
	if (f == NULL)
		return;
	gen_conn_t c;
	gen_conn_init(&c, ctx, f, 6, cl, gen_ephemeral_port(ctx, cl), &srv, 443, t);
	gen_conn_count(&c, SETU_GEN_APP_TLS);
	gen_tcp_handshake(&c);
	/* Most servers speak TLS 1.3; a stable fifth of them (by address) only 1.2. */
	gen_tls_conversation(&c, host, srv.ip.b[srv.ip.family == 6 ? 15 : 3] % 5 != 0);
	uint32_t x = gen_rng_below(r, 100);
	gen_tcp_close(&c, x < 60 ? 0 : 1, x >= 88);
	sink->add(sink->user, f);
}
