/* bench_applayer.c — per-protocol app-layer parse throughput (detection + parser + drain,
 * no EVE). Synthetic cases: DNS over UDP (steady state on one flow), HTTP keep-alive
 * (one flow, many request/response pairs) and new HTTP flows, TLS full handshakes with a
 * certificate (one flow each). Then the generated bench capture (src/gen, default mix,
 * held in memory and replayed): time and payload bytes per detected protocol.
 * Usage: bench_applayer [seconds-per-case, default 1] [dns|http|tls|gen] [gen-MiB] */
#include "../tests/unit/applayer/pcap_feed.h"
#include "common/buf.h"
#include "gen/gen.h"
#include "sensor/applayer/applayer.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count_tx(void *user, setu_alproto_t proto, const setu_altx_t *tx)
{
	(void)proto;
	(void)tx;
	(*(uint64_t *)user)++;
}

static void report(const char *name, uint64_t bytes, uint64_t units, const char *unit,
                   uint64_t txs, double secs)
{
	printf("%-22s %9.1f MB/s  %11.0f %s/s  %11.0f tx/s\n", name,
	       (double)bytes / secs / 1e6, (double)units / secs, unit,
	       (double)txs / secs);
}

/* ---- DNS ---- */
static size_t dns_msg(uint8_t *b, bool response)
{
	static const uint8_t q[] = {3,   'w', 'w', 'w', 7,   'e', 'x', 'a', 'm', 'p', 'l',
	                            'e', 3,   'c', 'o', 'm', 0,   0,   1,   0,   1};
	size_t n = 0;
	const uint8_t h[12] = {0x12,
	                       0x34,
	                       response ? 0x81 : 0x01,
	                       response ? 0x80 : 0x00,
	                       0,
	                       1,
	                       0,
	                       response ? 2 : 0,
	                       0,
	                       0,
	                       0,
	                       0};
	memcpy(b, h, 12);
	n = 12;
	memcpy(b + n, q, sizeof(q));
	n += sizeof(q);
	if (response) {
		static const uint8_t an[] = {
		    0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 1, 0x2c, 0, 2, 0xc0, 0x10, /* CNAME */
		    0xc0, 0x10, 0, 1, 0, 1, 0, 0, 0, 60,   0, 4, 93,   184,  216, 34};
		memcpy(b + n, an, sizeof(an));
		n += sizeof(an);
	}
	return n;
}

static void bench_dns(double secs)
{
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	setu_alstate_t *st = setu_alstate_new(ac, true, 40000, 53);
	uint8_t q[512], r[512];
	size_t qn = dns_msg(q, false), rn = dns_msg(r, true);
	uint64_t bytes = 0, msgs = 0, txs = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 1000; i++) {
			setu_alstate_handle(ac, st, 0, q, qn, 0);
			setu_alstate_handle(ac, st, 1, r, rn, 0);
			setu_alstate_drain(ac, st, false, count_tx, &txs);
		}
		bytes += 1000 * (qn + rn);
		msgs += 2000;
		t = now() - t0;
	} while (t < secs);
	report("dns udp", bytes, msgs, "msgs", txs, t);
	setu_alstate_free(st);
	setu_applayer_ctx_free(ac);
}

/* ---- HTTP ---- */
static char http_req[512], http_resp[4096];
static size_t http_reqn, http_respn;

static void http_prepare(void)
{
	http_reqn =
	    (size_t)snprintf(http_req, sizeof(http_req),
	                     "GET /path/to/resource.html?a=1&b=2 HTTP/1.1\r\n"
	                     "Host: www.example.com\r\nUser-Agent: Mozilla/5.0 bench\r\n"
	                     "Accept: */*\r\nAccept-Encoding: identity\r\n"
	                     "Cookie: session=0123456789abcdef\r\n\r\n");
	int hl =
	    snprintf(http_resp, sizeof(http_resp),
	             "HTTP/1.1 200 OK\r\nServer: bench\r\nContent-Type: text/html\r\n"
	             "Content-Length: 2048\r\n\r\n");
	memset(http_resp + hl, 'x', 2048);
	http_respn = (size_t)hl + 2048;
}

static void bench_http_keepalive(double secs)
{
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	setu_alstate_t *st = setu_alstate_new(ac, false, 40000, 80);
	uint64_t bytes = 0, pairs = 0, txs = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 1000; i++) {
			setu_alstate_handle(ac, st, 0, (const uint8_t *)http_req,
			                    http_reqn, 0);
			setu_alstate_handle(ac, st, 1, (const uint8_t *)http_resp,
			                    http_respn, 0);
			setu_alstate_drain(ac, st, false, count_tx, &txs);
		}
		bytes += 1000 * (http_reqn + http_respn);
		pairs += 1000;
		t = now() - t0;
	} while (t < secs);
	report("http keep-alive", bytes, pairs, "pairs", txs, t);
	setu_alstate_free(st);
	setu_applayer_ctx_free(ac);
}

static void bench_http_flows(double secs)
{
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	uint64_t bytes = 0, flows = 0, txs = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 100; i++) {
			setu_alstate_t *st = setu_alstate_new(ac, false, 40000, 80);
			setu_alstate_handle(ac, st, 0, (const uint8_t *)http_req,
			                    http_reqn, 0);
			setu_alstate_handle(ac, st, 1, (const uint8_t *)http_resp,
			                    http_respn, 0);
			setu_alstate_drain(ac, st, true, count_tx, &txs);
			setu_alstate_free(st);
		}
		bytes += 100 * (http_reqn + http_respn);
		flows += 100;
		t = now() - t0;
	} while (t < secs);
	report("http new flows", bytes, flows, "flows", txs, t);
	setu_applayer_ctx_free(ac);
}

/* ---- TLS ---- */
static uint8_t tls_c[4096], tls_s[8192];
static size_t tls_cn, tls_sn;

static void put16(uint8_t *b, size_t *n, unsigned v)
{
	b[(*n)++] = (uint8_t)(v >> 8);
	b[(*n)++] = (uint8_t)v;
}
static void put24(uint8_t *b, size_t *n, unsigned v)
{
	b[(*n)++] = (uint8_t)(v >> 16);
	put16(b, n, v & 0xffff);
}

static int tls_prepare(void)
{
	/* ClientHello: 16 ciphers, SNI, groups, point formats, sigalgs, ALPN */
	uint8_t ch[1024];
	size_t n = 0;
	put16(ch, &n, 0x0303);
	memset(ch + n, 7, 32);
	n += 32;
	ch[n++] = 0;
	put16(ch, &n, 32);
	for (unsigned i = 0; i < 16; i++)
		put16(ch, &n, 0xc000 + i);
	ch[n++] = 1;
	ch[n++] = 0;
	static const uint8_t ext[] = {
	    0,   0,    0,   16,  0,   14,  0, 0,  11, 'e', 'x', 'a', 'm', 'p',
	    'l', 'e',  '.', 'c', 'o', 'm', 0, 10, 0,  6,   0,   4,   0,   0x1d,
	    0,   0x17, 0,   11,  0,   2,   1, 0,  0,  13,  0,   6,   0,   4,
	    4,   3,    8,   4,   0,   16,  0, 5,  0,  3,   2,   'h', '2'};
	put16(ch, &n, sizeof(ext));
	memcpy(ch + n, ext, sizeof(ext));
	n += sizeof(ext);
	tls_cn = 0;
	tls_c[tls_cn++] = 22;
	put16(tls_c, &tls_cn, 0x0301);
	put16(tls_c, &tls_cn, (unsigned)n + 4);
	tls_c[tls_cn++] = 1;
	put24(tls_c, &tls_cn, (unsigned)n);
	memcpy(tls_c + tls_cn, ch, n);
	tls_cn += n;
	memcpy(tls_c + tls_cn, "\x14\x03\x03\x00\x01\x01", 6);
	tls_cn += 6;

	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	if (k == NULL || x == NULL)
		return -1;
	ASN1_INTEGER_set(X509_get_serialNumber(x), 123456789);
	X509_NAME *nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "C", MBSTRING_ASC, (const unsigned char *)"JP", -1,
	                           -1, 0);
	X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC,
	                           (const unsigned char *)"setu bench", -1, -1, 0);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	                           (const unsigned char *)"example.com", -1, -1, 0);
	X509_set_issuer_name(x, nm);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_set_pubkey(x, k);
	X509_sign(x, k, EVP_sha256());
	unsigned char *der = NULL;
	int dl = i2d_X509(x, &der);
	X509_free(x);
	EVP_PKEY_free(k);
	if (dl <= 0)
		return -1;
	uint8_t sh[64];
	size_t m = 0;
	put16(sh, &m, 0x0303);
	memset(sh + m, 9, 32);
	m += 32;
	sh[m++] = 0;
	put16(sh, &m, 0xc02b);
	sh[m++] = 0;
	put16(sh, &m, 5);
	put16(sh, &m, 0xff01);
	put16(sh, &m, 1);
	sh[m++] = 0;
	tls_sn = 0;
	tls_s[tls_sn++] = 22;
	put16(tls_s, &tls_sn, 0x0303);
	put16(tls_s, &tls_sn, (unsigned)(4 + m + 4 + 3 + 3 + (size_t)dl + 4));
	tls_s[tls_sn++] = 2;
	put24(tls_s, &tls_sn, (unsigned)m);
	memcpy(tls_s + tls_sn, sh, m);
	tls_sn += m;
	tls_s[tls_sn++] = 11;
	put24(tls_s, &tls_sn, (unsigned)dl + 6);
	put24(tls_s, &tls_sn, (unsigned)dl + 3);
	put24(tls_s, &tls_sn, (unsigned)dl);
	memcpy(tls_s + tls_sn, der, (size_t)dl);
	tls_sn += (size_t)dl;
	tls_s[tls_sn++] = 14;
	put24(tls_s, &tls_sn, 0);
	memcpy(tls_s + tls_sn, "\x14\x03\x03\x00\x01\x01", 6);
	tls_sn += 6;
	OPENSSL_free(der);
	return 0;
}

static void bench_tls(double secs)
{
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	uint64_t bytes = 0, flows = 0, txs = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 100; i++) {
			setu_alstate_t *st = setu_alstate_new(ac, false, 40000, 443);
			setu_alstate_handle(ac, st, 0, tls_c, tls_cn, 0);
			setu_alstate_handle(ac, st, 1, tls_s, tls_sn, 0);
			setu_alstate_drain(ac, st, true, count_tx, &txs);
			setu_alstate_free(st);
		}
		bytes += 100 * (tls_cn + tls_sn);
		flows += 100;
		t = now() - t0;
	} while (t < secs);
	report("tls handshakes", bytes, flows, "flows", txs, t);
	setu_applayer_ctx_free(ac);
}

/* ---- the generated capture ---- */
typedef struct frames {
	uint8_t *data; /* all frames back to back, each preceded by its u32 length */
	size_t len, cap;
	uint64_t n;
} frames_t;

static int keep_frame(void *user, const setu_gen_packet_t *pkt)
{
	frames_t *fr = user;
	size_t need = fr->len + 4 + pkt->len;
	if (need > fr->cap) {
		size_t cap = fr->cap ? fr->cap * 2 : (1u << 24);
		while (cap < need)
			cap *= 2;
		uint8_t *d = realloc(fr->data, cap);
		if (d == NULL)
			return SETU_ENOMEM;
		fr->data = d;
		fr->cap = cap;
	}
	memcpy(fr->data + fr->len, &pkt->len, 4);
	memcpy(fr->data + fr->len + 4, pkt->data, pkt->len);
	fr->len = need;
	fr->n++;
	return 0;
}

static void drop_tx(void *user, setu_alproto_t proto, const setu_altx_t *tx)
{
	(void)proto;
	(void)tx;
	(*(uint64_t *)user)++;
}

static void bench_gen(double secs, unsigned mib)
{
	setu_gen_config_t cfg;
	setu_gen_config_default(&cfg);
	cfg.size = (uint64_t)mib << 20;
	frames_t fr = {NULL, 0, 0, 0};
	setu_diag_t diag;
	if (setu_gen_run(&cfg, keep_frame, &fr, NULL, &diag) != 0) {
		fprintf(stderr, "bench_applayer: generator failed: %s\n", diag.msg);
		free(fr.data);
		return;
	}
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	uint64_t txs = 0, rounds = 0;
	uint64_t ns_by[SETU_ALPROTO_MAX] = {0}, bytes_by[SETU_ALPROTO_MAX] = {0};
	double t0 = now(), t = 0;
	do {
		pf_ctx_t *pc = pf_new(ac, drop_tx, &txs);
		if (pc == NULL)
			break;
		pc->timing = true;
		for (size_t off = 0; off < fr.len;) {
			uint32_t l;
			memcpy(&l, fr.data + off, 4);
			pf_frame(pc, DLT_EN10MB, fr.data + off + 4, l);
			off += 4 + (size_t)l;
		}
		pf_end(pc);
		for (int p = 0; p < SETU_ALPROTO_MAX; p++) {
			ns_by[p] += pc->ns_by[p];
			bytes_by[p] += pc->bytes_by[p];
		}
		pf_free(pc);
		rounds++;
		t = now() - t0;
	} while (t < secs);
	printf(
	    "generated capture: %.1f MiB, %llu frames, %llu rounds, %.0f tx/s overall\n",
	    (double)fr.len / 1048576.0, (unsigned long long)fr.n,
	    (unsigned long long)rounds, t > 0 ? (double)txs / t : 0.0);
	for (int p = 0; p < SETU_ALPROTO_MAX; p++) {
		if (bytes_by[p] == 0)
			continue;
		double s = (double)ns_by[p] / 1e9;
		printf("  %-8s %10.1f MB/s of payload (%llu MB in %.2f s of app-layer "
		       "time)\n",
		       setu_alproto_name((setu_alproto_t)p),
		       s > 0 ? (double)bytes_by[p] / s / 1e6 : 0,
		       (unsigned long long)(bytes_by[p] / 1000000), s);
	}
	setu_applayer_ctx_free(ac);
	free(fr.data);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	if (secs <= 0)
		secs = 1.0;
	http_prepare();
	if (tls_prepare() != 0) {
		fprintf(stderr, "bench_applayer: cannot build the test certificate\n");
		return 1;
	}
	printf(
	    "app-layer parse throughput (detection + parse + drain, %.1f s per case)\n",
	    secs);
	const char *only = argc > 2 ? argv[2] : "";
	if (!*only || strcmp(only, "dns") == 0)
		bench_dns(secs);
	if (!*only || strcmp(only, "http") == 0) {
		bench_http_keepalive(secs);
		bench_http_flows(secs);
	}
	if (!*only || strcmp(only, "tls") == 0)
		bench_tls(secs);
	if (!*only || strcmp(only, "gen") == 0)
		bench_gen(secs, argc > 3 ? (unsigned)atoi(argv[3]) : 32);
	return 0;
}
