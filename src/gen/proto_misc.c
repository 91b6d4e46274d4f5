/* proto_misc.c — generated background traffic: SSH on TCP/22 (RFC 4253 banner exchange,
 * binary packets, KEXINIT, ECDH per RFC 5656, then encrypted packets), NTPv4
 * client/server on UDP/123 (RFC 5905), other TCP services (opaque request/response) and
 * RTP voice streams over UDP (RFC 3550, PCMU 20 ms frames). */
#include "gen/gen_int.h"

#include <string.h>

/* ---------------------------------------------------------------- SSH */

static void ssh_namelist(setu_buf_t *b, const char *s)
{
	size_t l = strlen(s);
	gen_b32(b, (uint32_t)l);
	gen_bmem(b, s, l);
}

/* Wraps the payload at b[from..] into an unencrypted binary packet (RFC 4253 §6). */
static void ssh_packet(gen_ctx_t *ctx, setu_buf_t *b, size_t from)
{
	size_t plen = b->len - from;
	size_t pad = 8 - ((5 + plen) % 8);
	if (pad < 4)
		pad += 8;
	uint8_t hdr[5];
	gen_put32(hdr, (uint32_t)(1 + plen + pad));
	hdr[4] = (uint8_t)pad;
	/* Shift the payload right by 5 to insert the header. */
	setu_buf_append(b, hdr, 5);
	if (!setu_buf_ok(b))
		return;
	memmove(b->data + from + 5, b->data + from, plen);
	memcpy(b->data + from, hdr, 5);
	gen_brand(ctx, b, pad);
}

static void ssh_kexinit(gen_ctx_t *ctx, setu_buf_t *b, bool server)
{
	size_t from = b->len;
	gen_b8(b, 20);
	gen_brand(ctx, b, 16);
	ssh_namelist(b, server
	                    ? "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-"
	                      "nistp256,diffie-hellman-group16-sha512,kex-strict-s-v00@"
	                      "openssh.com"
	                    : "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-"
	                      "nistp256,ecdh-sha2-nistp384,diffie-hellman-group-exchange-"
	                      "sha256,ext-info-c,kex-strict-c-v00@openssh.com");
	ssh_namelist(b, server
	                    ? "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519"
	                    : "ssh-ed25519-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-"
	                      "nistp256,rsa-sha2-512,rsa-sha2-256");
	for (int i = 0; i < 2; i++)
		ssh_namelist(b,
		             "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-"
		             "ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com");
	for (int i = 0; i < 2; i++)
		ssh_namelist(
		    b, "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-"
		       "256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1");
	for (int i = 0; i < 2; i++)
		ssh_namelist(b, "none,zlib@openssh.com");
	ssh_namelist(b, "");
	ssh_namelist(b, "");
	gen_b8(b, 0);
	gen_b32(b, 0);
	ssh_packet(ctx, b, from);
}

static void ssh_msg(gen_ctx_t *ctx, setu_buf_t *b, uint8_t type, size_t body)
{
	size_t from = b->len;
	gen_b8(b, type);
	gen_brand(ctx, b, body);
	ssh_packet(ctx, b, from);
}

/* An encrypted packet (chacha20-poly1305: 4-byte length, payload+padding, 16-byte MAC).
 */
static void ssh_enc(gen_ctx_t *ctx, setu_buf_t *b, size_t n)
{
	size_t padded = (n + 5 + 7) / 8 * 8;
	gen_brand(ctx, b, 4 + padded + 16);
}

void gen_ssh_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6)
{
	gen_rng_t *r = &ctx->rng;
	static const char *const names[] = {"git.corp.test", "bastion.example.net",
	                                    "build.example.org"};
	const char *host = names[gen_rng_below(r, 3)];
	gen_host_t *cl = gen_pick_client(ctx, v6);
	gen_host_t srv;
	gen_server_for_name(ctx, host, v6, &srv);
	gen_flow_t *f = gen_flow_new(ctx, SETU_GEN_APP_SSH);
	if (f == NULL)
		return;
	gen_conn_t c;
	gen_conn_init(&c, ctx, f, 6, cl, gen_ephemeral_port(ctx, cl), &srv, 22, t);
	gen_conn_count(&c, SETU_GEN_APP_SSH);
	gen_tcp_handshake(&c);
	setu_buf_t *b = &ctx->payload;

	static const char sb[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";
	static const char cb[] = "SSH-2.0-OpenSSH_9.6\r\n";
	gen_conn_wait_reply(&c, 0, gen_rng_range(r, 1000, 8000));
	gen_tcp_send(&c, 1, (const uint8_t *)sb, sizeof(sb) - 1);
	c.t += 2u * c.ep[0].owd_us + 100;
	setu_buf_reset(b);
	gen_bmem(b, cb, sizeof(cb) - 1);
	gen_tcp_send(&c, 0, (const uint8_t *)b->data, b->len);
	setu_buf_reset(b);
	ssh_kexinit(ctx, b, false);
	gen_tcp_send(&c, 0, (const uint8_t *)b->data, b->len);
	setu_buf_reset(b);
	ssh_kexinit(ctx, b, true);
	gen_tcp_send(&c, 1, (const uint8_t *)b->data, b->len);
	c.t += 2u * c.ep[0].owd_us + 200;
	setu_buf_reset(b);
	ssh_msg(ctx, b, 30, 36); /* KEX_ECDH_INIT: string Q_C */
	gen_tcp_send(&c, 0, (const uint8_t *)b->data, b->len);
	gen_conn_wait_reply(&c, 0, gen_rng_range(r, 1000, 5000));
	setu_buf_reset(b);
	ssh_msg(ctx, b, 31, 51 + 36 + 83); /* KEX_ECDH_REPLY: K_S, Q_S, signature */
	ssh_msg(ctx, b, 21, 0);            /* NEWKEYS */
	gen_tcp_send(&c, 1, (const uint8_t *)b->data, b->len);
	c.t += 2u * c.ep[0].owd_us + 300;
	setu_buf_reset(b);
	ssh_msg(ctx, b, 21, 0);
	ssh_enc(ctx, b, 28); /* SERVICE_REQUEST ssh-userauth */
	gen_tcp_send(&c, 0, (const uint8_t *)b->data, b->len);

	/* Then an interactive session or a transfer, all encrypted. */
	bool bulk = gen_rng_pct(r, 30);
	uint32_t rounds = bulk ? gen_rng_range(r, 2, 4) : gen_rng_range(r, 6, 30);
	for (uint32_t i = 0; i < rounds && ctx->err == 0; i++) {
		gen_conn_wait_reply(&c, 0, gen_rng_range(r, 200, 3000));
		setu_buf_reset(b);
		ssh_enc(ctx, b,
		        bulk ? gen_body_size(ctx, 20000, 1.0) : gen_rng_range(r, 8, 400));
		gen_tcp_send(&c, 1, (const uint8_t *)b->data, b->len);
		c.t += bulk ? 2000 : gen_rng_range(r, 50000, 1500000); /* typing */
		setu_buf_reset(b);
		ssh_enc(ctx, b, gen_rng_range(r, 1, 64));
		gen_tcp_send(&c, 0, (const uint8_t *)b->data, b->len);
	}
	gen_tcp_close(&c, 0, false);
	sink->add(sink->user, f);
}

/* ---------------------------------------------------------------- NTP */

static void ntp_ts(uint8_t *p, uint64_t us)
{
	uint64_t sec = us / 1000000u + 2208988800ull; /* NTP era 0 starts 1900 */
	uint64_t frac = ((us % 1000000u) << 32) / 1000000u;
	gen_put32(p, (uint32_t)sec);
	gen_put32(p + 4, (uint32_t)frac);
}

void gen_ntp_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6)
{
	gen_rng_t *r = &ctx->rng;
	gen_host_t *cl = gen_pick_client(ctx, v6);
	gen_host_t srv;
	gen_server_for_name(
	    ctx, gen_rng_pct(r, 50) ? "time.example.org" : "ntp.example.net", v6, &srv);
	gen_flow_t *f = gen_flow_new(ctx, SETU_GEN_APP_NTP);
	if (f == NULL)
		return;
	gen_conn_t c;
	uint16_t sport = cl->os == GEN_OS_LINUX && gen_rng_pct(r, 50)
	                     ? 123
	                     : gen_ephemeral_port(ctx, cl);
	gen_conn_init(&c, ctx, f, 17, cl, sport, &srv, 123, t);
	gen_conn_count(&c, SETU_GEN_APP_NTP);
	uint32_t n = gen_rng_range(r, 1, 4);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t q[48] = {0x23, 0, 6, 0xec};
		uint64_t sent =
		    c.t + (uint64_t)gen_rng_below(r, 5000) - 2500; /* clock skew */
		ntp_ts(q + 40, sent);
		gen_udp_send(&c, 0, q, sizeof(q));
		uint64_t rx = c.t + c.ep[1].owd_us;
		gen_conn_wait_reply(&c, 0, gen_rng_range(r, 20, 200));
		uint8_t a[48] = {0x24, 2, 6, 0xe9};
		gen_put32(a + 4, gen_rng_range(r, 100, 2000));  /* root delay */
		gen_put32(a + 8, gen_rng_range(r, 500, 30000)); /* root dispersion */
		uint8_t refid[4] = {192, 0, 2, 123};
		memcpy(a + 12, refid, 4);
		ntp_ts(a + 16, c.t - 64000000u);
		memcpy(a + 24, q + 40, 8);
		ntp_ts(a + 32, rx);
		ntp_ts(a + 40, rx + 30);
		gen_udp_send(&c, 1, a, sizeof(a));
		c.t += gen_rng_range(r, 1000, 2000000);
	}
	sink->add(sink->user, f);
}

/* ---------------------------------------------------------------- other TCP */

void gen_other_tcp_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6)
{
	gen_rng_t *r = &ctx->rng;
	static const uint16_t ports[] = {8443, 993, 587, 5222, 1883, 3389, 9000, 5432};
	static const char *const names[] = {"files.example.com", "mail.example.com",
	                                    "chat.example.net", "push.example.com"};
	gen_host_t *cl = gen_pick_client(ctx, v6);
	gen_host_t srv;
	gen_server_for_name(ctx, names[gen_rng_below(r, 4)], v6, &srv);
	gen_flow_t *f = gen_flow_new(ctx, SETU_GEN_APP_OTHER_TCP);
	if (f == NULL)
		return;
	gen_conn_t c;
	uint16_t dport = ports[gen_rng_below(r, sizeof(ports) / sizeof(ports[0]))];
	gen_conn_init(&c, ctx, f, 6, cl, gen_ephemeral_port(ctx, cl), &srv, dport, t);
	gen_conn_count(&c, SETU_GEN_APP_OTHER_TCP);
	gen_tcp_handshake(&c);
	setu_buf_t *b = &ctx->payload;
	uint32_t rounds = gen_rng_range(r, 1, 8);
	for (uint32_t i = 0; i < rounds && ctx->err == 0; i++) {
		setu_buf_reset(b);
		gen_brand(ctx, b, gen_rng_range(r, 20, 1500));
		gen_tcp_send(&c, 0, (const uint8_t *)b->data, b->len);
		gen_conn_wait_reply(&c, 0, gen_rng_range(r, 200, 20000));
		setu_buf_reset(b);
		gen_brand(ctx, b, gen_body_size(ctx, 3000, 1.3) + 1);
		gen_tcp_send(&c, 1, (const uint8_t *)b->data, b->len);
		c.t += gen_rng_range(r, 1000, 800000);
	}
	uint32_t x = gen_rng_below(r, 100);
	gen_tcp_close(&c, x < 50 ? 0 : 1, x >= 85);
	sink->add(sink->user, f);
}

/* ---------------------------------------------------------------- RTP over UDP */

void gen_other_udp_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6)
{
	gen_rng_t *r = &ctx->rng;
	gen_host_t *cl = gen_pick_client(ctx, v6);
	gen_host_t srv;
	gen_server_for_name(ctx, "meet.example.net", v6, &srv);
	gen_flow_t *f = gen_flow_new(ctx, SETU_GEN_APP_OTHER_UDP);
	if (f == NULL)
		return;
	gen_conn_t c;
	uint16_t lport = (uint16_t)(gen_rng_range(r, 8192, 16383) * 2);
	uint16_t rport = (uint16_t)(gen_rng_range(r, 8192, 16383) * 2);
	gen_conn_init(&c, ctx, f, 17, cl, lport, &srv, rport, t);
	gen_conn_count(&c, SETU_GEN_APP_OTHER_UDP);
	uint32_t ssrc[2] = {(uint32_t)gen_rng_next(r), (uint32_t)gen_rng_next(r)};
	uint16_t seq[2] = {(uint16_t)gen_rng_next(r), (uint16_t)gen_rng_next(r)};
	uint32_t ts[2] = {(uint32_t)gen_rng_next(r), (uint32_t)gen_rng_next(r)};
	uint32_t n = gen_rng_range(r, 25, 120);
	uint8_t pkt[172];
	for (uint32_t i = 0; i < n; i++) {
		for (int d = 0; d < 2; d++) {
			pkt[0] = 0x80;
			pkt[1] = (uint8_t)(i == 0 ? 0x80
			                          : 0x00); /* marker on the first, PT 0 */
			gen_put16(pkt + 2, seq[d]++);
			gen_put32(pkt + 4, ts[d]);
			gen_put32(pkt + 8, ssrc[d]);
			ts[d] += 160;
			gen_rng_bytes(r, pkt + 12, 160);
			uint64_t base = c.t;
			c.t += d == 0 ? 0 : gen_rng_range(r, 100, 9000);
			gen_udp_send(&c, d, pkt, sizeof(pkt));
			c.t = base;
		}
		c.t += 20000 - 500 + gen_rng_below(r, 1000);
	}
	sink->add(sink->user, f);
}
