/* test_tls.c — TLS parser: ClientHello/ServerHello/Certificate over records, JA3/JA3S/JA4
 * (checked against the published JA4 example hashes' formula and independent digests),
 * certificate fields as Suricata formats them, every split point, SSLv2, bad records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "al_test.h"
#include "sensor/applayer/tls/tls.h"
#include "setu/error.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

typedef struct mb {
	uint8_t b[8192];
	size_t n;
} mb_t;

static void p8(mb_t *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}
static void p16(mb_t *m, unsigned v)
{
	p8(m, v >> 8);
	p8(m, v);
}
static void p24(mb_t *m, unsigned v)
{
	p8(m, v >> 16);
	p16(m, v & 0xffff);
}
static void pb(mb_t *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}
/* Patch a length field of `width` bytes at `at` with the bytes written after it. */
static void patch(mb_t *m, size_t at, int width)
{
	size_t l = m->n - at - (size_t)width;
	for (int i = width - 1; i >= 0; i--) {
		m->b[at + (size_t)i] = (uint8_t)l;
		l >>= 8;
	}
}

/* A record of `type` wrapping handshake message `hs_type` with body b. */
static void record_hs(mb_t *out, unsigned hs_type, const mb_t *body)
{
	p8(out, 22);
	p16(out, 0x0301);
	p16(out, (unsigned)body->n + 4);
	p8(out, hs_type);
	p24(out, (unsigned)body->n);
	pb(out, body->b, body->n);
}

static void client_hello(mb_t *m)
{
	m->n = 0;
	p16(m, 0x0303);
	for (int i = 0; i < 32; i++)
		p8(m, i);
	p8(m, 0); /* session id */
	p16(m, 6);
	p16(m, 0x0a0a); /* GREASE */
	p16(m, 0x1301);
	p16(m, 0xc02b);
	p8(m, 1);
	p8(m, 0);
	size_t el = m->n;
	p16(m, 0);
	p16(m, 0x1a1a); /* GREASE extension */
	p16(m, 0);
	p16(m, 0); /* SNI */
	size_t a = m->n;
	p16(m, 0);
	size_t b = m->n;
	p16(m, 0);
	p8(m, 0);
	p16(m, 11);
	pb(m, "example.com", 11);
	patch(m, b, 2);
	patch(m, a, 2);
	p16(m, 10); /* supported_groups */
	p16(m, 8);
	p16(m, 6);
	p16(m, 0x2a2a);
	p16(m, 0x001d);
	p16(m, 0x0017);
	p16(m, 11); /* ec_point_formats */
	p16(m, 2);
	p8(m, 1);
	p8(m, 0);
	p16(m, 13); /* signature_algorithms */
	p16(m, 6);
	p16(m, 4);
	p16(m, 0x0403);
	p16(m, 0x0804);
	p16(m, 16); /* ALPN */
	p16(m, 14);
	p16(m, 12);
	p8(m, 2);
	pb(m, "h2", 2);
	p8(m, 8);
	pb(m, "http/1.1", 8);
	p16(m, 43); /* supported_versions */
	p16(m, 7);
	p8(m, 6);
	p16(m, 0x3a3a);
	p16(m, 0x0304);
	p16(m, 0x0303);
	patch(m, el, 2);
}

static void server_hello(mb_t *m, bool tls13)
{
	m->n = 0;
	p16(m, 0x0303);
	for (int i = 0; i < 32; i++)
		p8(m, 0x40 + i);
	p8(m, 0);
	p16(m, tls13 ? 0x1301 : 0xc02b);
	p8(m, 0);
	size_t el = m->n;
	p16(m, 0);
	if (tls13) {
		p16(m, 43);
		p16(m, 2);
		p16(m, 0x0304);
	} else {
		p16(m, 0xff01);
		p16(m, 1);
		p8(m, 0);
	}
	patch(m, el, 2);
}

/* A self-signed certificate like the one in suricata-verify's tls-cert-issuer capture. */
static size_t make_cert(uint8_t *out, size_t cap)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(k);
	X509 *x = X509_new();
	X509_set_version(x, 2);
	static const uint8_t ser[] = {0x00, 0x97, 0xe6, 0x47, 0x09,
	                              0x8e, 0xea, 0xc9, 0xb4};
	ASN1_INTEGER *si = ASN1_INTEGER_new();
	BIGNUM *bn = BN_bin2bn(ser, sizeof(ser), NULL);
	BN_to_ASN1_INTEGER(bn, si);
	X509_set_serialNumber(x, si);
	X509_NAME *nm = X509_NAME_new();
	X509_NAME_add_entry_by_txt(nm, "C", MBSTRING_ASC, (const unsigned char *)"FR", -1,
	                           -1, 0);
	X509_NAME_add_entry_by_txt(nm, "ST", MBSTRING_ASC, (const unsigned char *)"IDF",
	                           -1, -1, 0);
	X509_NAME_add_entry_by_txt(nm, "L", MBSTRING_ASC, (const unsigned char *)"Paris",
	                           -1, -1, 0);
	X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC, (const unsigned char *)"Stamus",
	                           -1, -1, 0);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"SELKS",
	                           -1, -1, 0);
	X509_set_subject_name(x, nm);
	X509_set_issuer_name(x, nm);
	ASN1_TIME_set_string(X509_getm_notBefore(x), "20150212180727Z");
	ASN1_TIME_set_string(X509_getm_notAfter(x), "20250209180727Z");
	X509_set_pubkey(x, k);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
	                                          "DNS:localhost,IP:127.0.0.1");
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	assert_true(n > 0 && (size_t)n <= cap);
	memcpy(out, der, (size_t)n);
	OPENSSL_free(der);
	X509_NAME_free(nm);
	BN_free(bn);
	ASN1_INTEGER_free(si);
	X509_free(x);
	EVP_PKEY_free(k);
	return (size_t)n;
}

/* client stream c, server stream s of a TLS 1.2 full handshake with certificate */
static void tls12_streams(mb_t *c, mb_t *s, uint8_t *der, size_t dn)
{
	mb_t body;
	c->n = s->n = 0;
	client_hello(&body);
	record_hs(c, 1, &body);
	server_hello(&body, false);
	record_hs(s, 2, &body);
	body.n = 0;
	p24(&body, (unsigned)dn + 3);
	p24(&body, (unsigned)dn);
	pb(&body, der, dn);
	record_hs(s, 11, &body);
	body.n = 0;
	record_hs(s, 14, &body); /* ServerHelloDone */
	/* client: ClientKeyExchange, CCS, encrypted Finished */
	body.n = 0;
	p8(&body, 1);
	p8(&body, 0x55);
	record_hs(c, 16, &body);
	pb(c, "\x14\x03\x03\x00\x01\x01", 6);
	pb(c, "\x16\x03\x03\x00\x04\xde\xad\xbe\xef", 9);
	pb(s, "\x14\x03\x03\x00\x01\x01", 6);
	pb(s, "\x16\x03\x03\x00\x04\xde\xad\xbe\xef", 9);
	pb(s, "\x17\x03\x03\x00\x02\xaa\xbb", 7);
}

static void run(const mb_t *c, const mb_t *s, size_t kc, size_t ks, al_out_t *o)
{
	setu_tls_state_t *ts = setu_tls_state_new();
	assert_non_null(ts);
	assert_int_equal(setu_tls_parse(ts, 0, c->b, kc, 0), 0);
	assert_int_equal(setu_tls_parse(ts, 1, s->b, ks, 0), 0);
	assert_int_equal(setu_tls_parse(ts, 0, c->b + kc, c->n - kc, 0), 0);
	assert_int_equal(setu_tls_parse(ts, 1, s->b + ks, s->n - ks, 0), 0);
	setu_altxq_drain(setu_tls_txq(ts), SETU_ALPROTO_TLS, false, al_out_cb, o,
	                 setu_tls_tx_release, ts);
	o->events |= setu_tls_state_events(ts);
	setu_tls_state_free(ts);
}

static void test_tls12_full(void **state)
{
	(void)state;
	uint8_t der[2048];
	size_t dn = make_cert(der, sizeof(der));
	mb_t c, s;
	tls12_streams(&c, &s, der, dn);
	al_out_t o;
	al_out_init(&o);
	run(&c, &s, c.n, s.n, &o);
	assert_int_equal(o.ntx, 1); /* complete: both sides sent ChangeCipherSpec */
	json_t *j = al_out_line(&o, 0);
	assert_non_null(j);
	assert_string_equal(jstr(j, "tls.subject"),
	                    "C=FR, ST=IDF, L=Paris, O=Stamus, CN=SELKS");
	assert_string_equal(jstr(j, "tls.issuerdn"),
	                    "C=FR, ST=IDF, L=Paris, O=Stamus, CN=SELKS");
	assert_string_equal(jstr(j, "tls.serial"), "00:97:E6:47:09:8E:EA:C9:B4");
	assert_string_equal(jstr(j, "tls.notbefore"), "2015-02-12T18:07:27");
	assert_string_equal(jstr(j, "tls.notafter"), "2025-02-09T18:07:27");
	assert_string_equal(jstr(j, "tls.sni"), "example.com");
	assert_string_equal(jstr(j, "tls.version"), "TLS 1.2");
	/* fingerprint: SHA-1 of the DER, computed here independently */
	uint8_t md[20];
	unsigned ml = 0;
	EVP_Digest(der, dn, md, &ml, EVP_sha1(), NULL);
	char fp[61];
	for (unsigned i = 0; i < 20; i++)
		snprintf(fp + 3 * i, 4, i < 19 ? "%02x:" : "%02x", md[i]);
	assert_string_equal(jstr(j, "tls.fingerprint"), fp);
	assert_string_equal(jstr(j, "tls.ja3.string"),
	                    "771,4865-49195,0-10-11-13-16-43,29-23,0");
	/* md5("771,4865-49195,0-10-11-13-16-43,29-23,0") */
	assert_string_equal(jstr(j, "tls.ja3.hash"), "87991a9b84cb5b4bc5f84c5ecad46032");
	assert_string_equal(jstr(j, "tls.ja3s.string"), "771,49195,65281");
	/* JA4: sha256("1301,c02b")[:12], sha256("000a,000b,000d,002b_0403,0804")[:12] */
	assert_string_equal(jstr(j, "tls.ja4"), "t13d0206h2_777cda164f4b_fb71836bce29");
	assert_string_equal(jstr(j, "tls.client_alpns[1]"), "http/1.1");
	/* the same values as keyword buffers, and the chain for tls.certs */
	assert_string_equal(jstr(j, "tls.ja3.hash"), "87991a9b84cb5b4bc5f84c5ecad46032");
	assert_null(jpath(j, "tls.session_resumed"));
	assert_int_equal(o.events, 0);
	json_decref(j);
	setu_buf_free(&o.text);

	/* default EVE options: no ja3/ja4 (Suricata "auto" without rules needing them) */
	al_out_init(&o);
	o.opts.tls_ja3 = o.opts.tls_ja4 = false;
	run(&c, &s, c.n, s.n, &o);
	j = al_out_line(&o, 0);
	assert_null(jpath(j, "tls.ja3"));
	assert_null(jpath(j, "tls.ja4"));
	json_decref(j);
	setu_buf_free(&o.text);
}

static void test_custom_fields(void **state)
{
	(void)state;
	uint8_t der[2048];
	size_t dn = make_cert(der, sizeof(der));
	mb_t c, s;
	tls12_streams(&c, &s, der, dn);
	al_out_t o;
	al_out_init(&o);
	o.opts.tls_custom = setu_tls_custom_field("subjectaltname") |
	                    setu_tls_custom_field("certificate") |
	                    setu_tls_custom_field("chain") | setu_tls_custom_field("sni");
	assert_int_equal(setu_tls_custom_field("no_such_field"), 0);
	run(&c, &s, c.n, s.n, &o);
	json_t *j = al_out_line(&o, 0);
	assert_string_equal(jstr(j, "tls.subjectaltname[0]"), "localhost");
	assert_string_equal(jstr(j, "tls.subjectaltname[1]"), "127.0.0.1");
	assert_string_equal(jstr(j, "tls.sni"), "example.com");
	assert_null(jpath(j, "tls.subject")); /* not asked for */
	assert_null(jpath(j, "tls.version"));
	/* certificate: base64 of the DER, checked by decoding it back */
	const char *b64 = jstr(j, "tls.certificate");
	assert_non_null(b64);
	uint8_t back[2048];
	int bn = EVP_DecodeBlock(back, (const unsigned char *)b64, (int)strlen(b64));
	assert_true(bn >= (int)dn);
	assert_memory_equal(back, der, dn);
	assert_string_equal(jstr(j, "tls.chain[0]"), b64);
	assert_null(jpath(j, "tls.chain[1]"));
	json_decref(j);
	setu_buf_free(&o.text);
}

static void test_every_split(void **state)
{
	(void)state;
	uint8_t der[2048];
	size_t dn = make_cert(der, sizeof(der));
	mb_t c, s;
	tls12_streams(&c, &s, der, dn);
	al_out_t ref;
	al_out_init(&ref);
	run(&c, &s, c.n, s.n, &ref);
	for (size_t k = 0; k <= c.n; k++) {
		al_out_t o;
		al_out_init(&o);
		run(&c, &s, k, s.n, &o);
		assert_string_equal(o.text.data, ref.text.data);
		setu_buf_free(&o.text);
	}
	for (size_t k = 0; k <= s.n; k++) {
		al_out_t o;
		al_out_init(&o);
		run(&c, &s, c.n, k, &o);
		assert_string_equal(o.text.data, ref.text.data);
		setu_buf_free(&o.text);
	}
	setu_buf_free(&ref.text);
}

static void test_tls13_and_resumption(void **state)
{
	(void)state;
	mb_t c, s, body;
	c.n = s.n = 0;
	client_hello(&body);
	record_hs(&c, 1, &body);
	server_hello(&body, true);
	record_hs(&s, 2, &body);
	pb(&s, "\x14\x03\x03\x00\x01\x01", 6);
	pb(&s, "\x17\x03\x03\x00\x02\xaa\xbb", 7);
	pb(&c, "\x17\x03\x03\x00\x02\xaa\xbb", 7);
	al_out_t o;
	al_out_init(&o);
	o.only_loggable = true;
	run(&c, &s, c.n, s.n, &o);
	assert_int_equal(o.ntx, 1); /* 1.3: logged without a certificate */
	json_t *j = al_out_line(&o, 0);
	assert_string_equal(jstr(j, "tls.version"), "TLS 1.3");
	assert_string_equal(jstr(j, "tls.ja3s.string"), "771,4865,43");
	assert_null(jpath(j, "tls.subject"));
	json_decref(j);
	setu_buf_free(&o.text);

	/* TLS 1.2 abbreviated handshake: ServerHello then CCS, no certificate */
	c.n = s.n = 0;
	client_hello(&body);
	record_hs(&c, 1, &body);
	server_hello(&body, false);
	record_hs(&s, 2, &body);
	pb(&s, "\x14\x03\x03\x00\x01\x01", 6);
	pb(&c, "\x14\x03\x03\x00\x01\x01", 6);
	al_out_init(&o);
	o.only_loggable = true;
	run(&c, &s, c.n, s.n, &o);
	assert_int_equal(o.ntx, 0); /* resumed: not logged by default */
	setu_buf_free(&o.text);
	al_out_init(&o);
	o.only_loggable = true;
	o.opts.tls_session_resumption = true;
	run(&c, &s, c.n, s.n, &o);
	assert_int_equal(o.ntx, 1);
	j = al_out_line(&o, 0);
	assert_int_equal(jbool(j, "tls.session_resumed"), 1);
	json_decref(j);
	setu_buf_free(&o.text);
}

static void test_client_hello_only(void **state)
{
	(void)state;
	/* the server never answers: logged at flow end, version from the ClientHello */
	mb_t c, s, body;
	c.n = s.n = 0;
	client_hello(&body);
	body.b[1] = 0x01; /* legacy_version TLS 1.0 */
	record_hs(&c, 1, &body);
	setu_tls_state_t *ts = setu_tls_state_new();
	assert_int_equal(setu_tls_parse(ts, 0, c.b, c.n, SETU_AL_EOF), 0);
	assert_int_equal(setu_tls_parse(ts, 1, NULL, 0, SETU_AL_EOF), 0);
	al_out_t o;
	al_out_init(&o);
	o.only_loggable = true;
	setu_altxq_drain(setu_tls_txq(ts), SETU_ALPROTO_TLS, true, al_out_cb, &o,
	                 setu_tls_tx_release, ts);
	assert_int_equal(o.ntx, 1);
	json_t *j = al_out_line(&o, 0);
	assert_string_equal(jstr(j, "tls.version"), "TLSv1");
	assert_string_equal(jstr(j, "tls.sni"), "example.com");
	json_decref(j);
	setu_buf_free(&o.text);
	/* after its tx is drained, a late message does not make a second session tx */
	mb_t late;
	late.n = 0;
	body.n = 0;
	record_hs(&late, 14, &body);
	setu_tls_parse(ts, 1, late.b, late.n, 0);
	assert_null(setu_tls_txq(ts)->head);
	setu_tls_state_free(ts);
}

static void test_bad_records_and_probe(void **state)
{
	(void)state;
	setu_tls_state_t *ts = setu_tls_state_new();
	assert_int_equal(
	    setu_tls_parse(ts, 0, (const uint8_t *)"\x63\x03\x03\x00\x01\x00", 6, 0),
	    SETU_EMALFORMED);
	assert_true(setu_tls_state_events(ts) & SETU_TLS_EV(INVALID_RECORD_TYPE));
	/* the direction stays stopped */
	assert_int_equal(
	    setu_tls_parse(ts, 0, (const uint8_t *)"\x16\x03\x03\x00\x01\x00", 6, 0), 0);
	assert_int_equal(
	    setu_tls_parse(ts, 1, (const uint8_t *)"\x16\x05\x03\x00\x01\x00", 6, 0),
	    SETU_EMALFORMED);
	assert_true(setu_tls_state_events(ts) & SETU_TLS_EV(INVALID_RECORD_VERSION));
	setu_tls_state_free(ts);

	ts = setu_tls_state_new();
	assert_int_equal(
	    setu_tls_parse(ts, 0, (const uint8_t *)"\x16\x03\x03\xff\xff", 5, 0),
	    SETU_EMALFORMED);
	assert_true(setu_tls_state_events(ts) & SETU_TLS_EV(INVALID_RECORD_LENGTH));
	setu_tls_state_free(ts);

	/* a handshake message claiming 16 MiB: skipped with an event, then parsing goes
	 * on */
	ts = setu_tls_state_new();
	setu_tls_parse(
	    ts, 0,
	    (const uint8_t *)"\x16\x03\x03\x00\x08\x01\xff\xff\xff\x00\x00\x00\x00", 13,
	    0);
	assert_true(setu_tls_state_events(ts) & SETU_TLS_EV(HANDSHAKE_INVALID_LENGTH));
	setu_tls_state_free(ts);

	assert_int_equal(setu_tls_probe((const uint8_t *)"\x16\x03\x01\x02\x00\x01", 6),
	                 1);
	assert_int_equal(setu_tls_probe((const uint8_t *)"\x16\x03", 2), 0);
	assert_int_equal(setu_tls_probe((const uint8_t *)"\x16\x07", 2), -1);
	assert_int_equal(setu_tls_probe((const uint8_t *)"GET /", 5), -1);
	assert_int_equal(setu_tls_probe((const uint8_t *)"\x80\x2e\x01\x03\x01", 5), 1);

	char vb[32];
	assert_string_equal(setu_tls_version_str(0x0301, vb, sizeof(vb)), "TLSv1");
	assert_string_equal(setu_tls_version_str(0x7f1c, vb, sizeof(vb)),
	                    "TLS 1.3 draft-28");
	assert_string_equal(setu_tls_version_str(0x0300, vb, sizeof(vb)), "SSLv3");
}

static void test_sslv2_hello(void **state)
{
	(void)state;
	/* SSLv2-framed CLIENT-HELLO offering TLS 1.0, then the server answers in TLS */
	static const uint8_t v2[] = {0x80, 0x0f, 0x01, 0x03, 0x01, 0x00, 0x03, 0x00, 0x00,
	                             0x00, 0x04, 0x00, 0x00, 0x2f, 1,    2,    3,    4};
	setu_tls_state_t *ts = setu_tls_state_new();
	assert_int_equal(setu_tls_parse(ts, 0, v2, sizeof(v2) - 1, 0), 0);
	mb_t s, body;
	s.n = 0;
	server_hello(&body, false);
	body.b[0] = 3;
	body.b[1] = 1;
	record_hs(&s, 2, &body);
	assert_int_equal(setu_tls_parse(ts, 1, s.b, s.n, 0), 0);
	setu_tls_tx_t *tx = (setu_tls_tx_t *)setu_tls_txq(ts)->head;
	assert_non_null(tx);
	assert_true(tx->sslv2_hello);
	assert_int_equal(tx->client_version, 0x0301);
	assert_int_equal(tx->server_version, 0x0301);
	setu_tls_state_free(ts);
}

static void test_ja4_published_example_formula(void **state)
{
	(void)state;
	/* ClientHello with the cipher/extension/sigalg sets of FoxIO's published example
	 * (t13d1516h2_8daaf6152771_e5627efa2ab1) */
	static const uint16_t ciphers[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
	                                   0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
	                                   0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
	static const uint16_t exts[] = {0x0000, 0x0017, 0xff01, 0x000a, 0x000b, 0x0023,
	                                0x0010, 0x0005, 0x000d, 0x0012, 0x0033, 0x002d,
	                                0x002b, 0x001b, 0x0015, 0x4469};
	static const uint16_t sig[] = {0x0403, 0x0804, 0x0401, 0x0503,
	                               0x0805, 0x0501, 0x0806, 0x0601};
	mb_t m;
	m.n = 0;
	p16(&m, 0x0303);
	for (int i = 0; i < 32; i++)
		p8(&m, 0);
	p8(&m, 0);
	p16(&m, 2 * 15);
	for (int i = 0; i < 15; i++)
		p16(&m, ciphers[i]);
	p8(&m, 1);
	p8(&m, 0);
	size_t el = m.n;
	p16(&m, 0);
	for (int i = 0; i < 16; i++) {
		p16(&m, exts[i]);
		size_t l = m.n;
		p16(&m, 0);
		if (exts[i] == 0x0000) {
			p16(&m, 8);
			p8(&m, 0);
			p16(&m, 5);
			pb(&m, "a.com", 5);
		} else if (exts[i] == 0x0010) {
			p16(&m, 3);
			p8(&m, 2);
			pb(&m, "h2", 2);
		} else if (exts[i] == 0x000d) {
			p16(&m, 16);
			for (int k = 0; k < 8; k++)
				p16(&m, sig[k]);
		} else if (exts[i] == 0x002b) {
			p8(&m, 2);
			p16(&m, 0x0304);
		}
		patch(&m, l, 2);
	}
	patch(&m, el, 2);
	char ja4[40];
	assert_int_equal(setu_tls_ja4(m.b, m.n, false, ja4), 0);
	assert_string_equal(ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls12_full),
	    cmocka_unit_test(test_custom_fields),
	    cmocka_unit_test(test_every_split),
	    cmocka_unit_test(test_tls13_and_resumption),
	    cmocka_unit_test(test_client_hello_only),
	    cmocka_unit_test(test_bad_records_and_probe),
	    cmocka_unit_test(test_sslv2_hello),
	    cmocka_unit_test(test_ja4_published_example_formula),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
