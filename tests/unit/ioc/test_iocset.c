/* test_iocset.c — indicator sets: every value kind, longest-prefix match over overlapping
 * prefixes, parent domains, URL normalisation, validity and revocation, AND/OR
 * expressions, the text loader and its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intel/ioc/iocset.h"
#include "intel/tlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1700000000

static setu_iocset_t *build_text(const char *text)
{
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	assert_non_null(b);
	setu_diag_t d = {0};
	int rc = setu_iocset_load_text(b, text, strlen(text), "t.ioc", &d);
	if (rc < 0)
		fail_msg("load: %s:%u: %s", d.file, d.line, d.msg);
	setu_iocset_t *s = setu_iocset_build(b, &d);
	assert_non_null(s);
	setu_iocset_builder_free(b);
	return s;
}

/* Load must fail; returns the formatted diagnostic. */
static const char *load_err(const char *text, char *buf, size_t size)
{
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	setu_diag_t d = {0};
	int rc = setu_iocset_load_text(b, text, strlen(text), "t.ioc", &d);
	assert_true(rc < 0);
	setu_diag_format(&d, buf, size);
	setu_iocset_builder_free(b);
	return buf;
}

static setu_addr_t addr(const char *s)
{
	setu_addr_t a;
	assert_int_equal(setu_addr_parse(&a, s), 0);
	return a;
}

/* Collects matched indicator ids, sorted and joined by ',' */
typedef struct hits {
	char ids[1024];
	int n;
} hits_t;

static int collect(void *user, const setu_ioc_match_t *m)
{
	hits_t *h = user;
	const char *id = m->ind->id ? m->ind->id : "?";
	/* insert sorted */
	char tmp[1024] = "";
	char *save = NULL, copy[1024];
	snprintf(copy, sizeof(copy), "%s", h->ids);
	bool placed = false;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!placed && strcmp(id, t) < 0) {
			strcat(tmp, tmp[0] ? "," : "");
			strcat(tmp, id);
			placed = true;
		}
		strcat(tmp, tmp[0] ? "," : "");
		strcat(tmp, t);
	}
	if (!placed) {
		strcat(tmp, tmp[0] ? "," : "");
		strcat(tmp, id);
	}
	snprintf(h->ids, sizeof(h->ids), "%s", tmp);
	h->n++;
	return 0;
}

static const char *match_ids(const setu_iocset_t *s, const setu_ioc_facts_t *f,
                             int64_t now, hits_t *h)
{
	memset(h, 0, sizeof(*h));
	int n = setu_iocset_match(s, f, now, collect, h, NULL);
	assert_int_equal(n, h->n);
	return h->ids;
}

static const char *match_ip(const setu_iocset_t *s, const char *src, const char *dst,
                            hits_t *h)
{
	setu_ioc_facts_t f = {0};
	setu_addr_t a, b;
	if (src) {
		a = addr(src);
		f.src = &a;
	}
	if (dst) {
		b = addr(dst);
		f.dst = &b;
	}
	return match_ids(s, &f, NOW, h);
}

static const char *match_name(const setu_iocset_t *s, const char *q, hits_t *h)
{
	setu_ioc_facts_t f = {.dns_query = q, .dns_query_len = strlen(q)};
	return match_ids(s, &f, NOW, h);
}

/* ---- addresses ---- */

static void test_ipv4_all_prefix_lengths(void **state)
{
	(void)state;
	/* one indicator per prefix length of 10.20.30.40: /0 ... /32 */
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	char id[32], v[48];
	for (int len = 0; len <= 32; len++) {
		snprintf(id, sizeof(id), "p%02d", len);
		snprintf(v, sizeof(v), "10.20.30.40/%d", len);
		setu_ioc_indicator_t m = {.id = id, .tlp = -1};
		uint32_t idx;
		assert_int_equal(setu_iocset_add_indicator(b, &m, &idx), 0);
		assert_int_equal(
		    setu_iocset_add_atom(b, idx, SETU_IOC_IP_ANY, v, NULL, NULL), 0);
	}
	setu_iocset_t *s = setu_iocset_build(b, NULL);
	assert_non_null(s);
	setu_iocset_builder_free(b);
	setu_iocset_stats_t st;
	setu_iocset_stats(s, &st);
	assert_int_equal(st.ipv4_entries, 33);
	/* flipping bit k (from the top) leaves exactly k leading bits in common */
	for (int k = 0; k <= 32; k++) {
		uint32_t x = 0x0a141e28u;
		if (k < 32)
			x ^= 1u << (31 - k);
		uint8_t b4[4] = {(uint8_t)(x >> 24), (uint8_t)(x >> 16),
		                 (uint8_t)(x >> 8), (uint8_t)x};
		setu_addr_t a, pfx;
		setu_addr_set4(&a, b4);
		assert_int_equal(setu_iocset_lookup_ip(s, &a, NOW, &pfx), k);
		assert_int_equal(pfx.family, 4);
		/* the matcher reports every containing prefix: /0 .. /k */
		setu_ioc_facts_t f = {.dst = &a};
		hits_t h;
		memset(&h, 0, sizeof(h));
		assert_int_equal(setu_iocset_match(s, &f, NOW, collect, &h, NULL), k + 1);
	}
	setu_iocset_free(s);
}

static void test_ipv6_all_prefix_lengths(void **state)
{
	(void)state;
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	const char *base = "2001:db8:1234:5678:9abc:def0:1357:2468";
	char id[32], v[96];
	for (int len = 0; len <= 128; len++) {
		snprintf(id, sizeof(id), "p%03d", len);
		snprintf(v, sizeof(v), "%s/%d", base, len);
		setu_ioc_indicator_t m = {.id = id, .tlp = -1};
		uint32_t idx;
		assert_int_equal(setu_iocset_add_indicator(b, &m, &idx), 0);
		assert_int_equal(
		    setu_iocset_add_atom(b, idx, SETU_IOC_IP_SRC, v, NULL, NULL), 0);
	}
	setu_iocset_t *s = setu_iocset_build(b, NULL);
	setu_iocset_builder_free(b);
	setu_addr_t a0 = addr(base);
	for (int k = 0; k <= 128; k++) {
		setu_addr_t a = a0;
		if (k < 128)
			a.b[k / 8] ^= (uint8_t)(0x80 >> (k % 8));
		assert_int_equal(setu_iocset_lookup_ip(s, &a, NOW, NULL), k);
		setu_ioc_facts_t f = {.src = &a};
		assert_int_equal(setu_iocset_match(s, &f, NOW, NULL, NULL, NULL), k + 1);
		/* IP_SRC atoms do not look at the destination */
		setu_ioc_facts_t g = {.dst = &a};
		assert_int_equal(setu_iocset_match(s, &g, NOW, NULL, NULL, NULL), 0);
	}
	/* an IPv4 address never matches IPv6 prefixes, even ::/0 */
	setu_addr_t v4 = addr("1.2.3.4");
	assert_int_equal(setu_iocset_lookup_ip(s, &v4, NOW, NULL), SETU_ENOENT);
	setu_iocset_free(s);
}

static void test_ip_basics(void **state)
{
	(void)state;
	setu_iocset_t *s = build_text("# addresses\n"
	                              "ipv4 192.0.2.1 id=a\n"
	                              "cidr 10.1.2.3/8 id=b\n" /* host bits masked */
	                              "cidr 10.1.0.0/16 id=c\n"
	                              "ipv6 2001:DB8::1 id=d\n"
	                              "cidr 2001:db8::/32 id=e dir=dst\n"
	                              "ipv4 198.51.100.7 id=f dir=src\n"
	                              "ipv4 0.0.0.0 id=z\n"
	                              "ipv4 255.255.255.255 id=y\n");
	hits_t h;
	assert_string_equal(match_ip(s, "192.0.2.1", NULL, &h), "a");
	assert_string_equal(match_ip(s, NULL, "192.0.2.1", &h), "a");
	assert_string_equal(match_ip(s, "192.0.2.2", "192.0.2.0", &h), "");
	assert_string_equal(match_ip(s, "10.200.0.1", NULL, &h), "b");
	assert_string_equal(match_ip(s, "10.1.99.1", NULL, &h), "b,c");
	assert_string_equal(match_ip(s, "11.0.0.0", "9.255.255.255", &h), "");
	assert_string_equal(match_ip(s, "2001:db8::1", NULL, &h), "d");
	assert_string_equal(match_ip(s, NULL, "2001:db8::1", &h), "d,e");
	assert_string_equal(match_ip(s, "2001:db8:ffff::", NULL, &h), "");
	assert_string_equal(match_ip(s, "198.51.100.7", NULL, &h), "f");
	assert_string_equal(match_ip(s, NULL, "198.51.100.7", &h), "");
	assert_string_equal(match_ip(s, "0.0.0.0", "255.255.255.255", &h), "y,z");
	assert_string_equal(match_ip(s, "0.0.0.1", "255.255.255.254", &h), "");
	/* both sides of one indicator: reported once */
	assert_string_equal(match_ip(s, "10.0.0.1", "10.0.0.2", &h), "b");
	assert_int_equal(h.n, 1);
	setu_addr_t unset = {0}; /* family 0: never matches */
	assert_int_equal(setu_iocset_lookup_ip(s, &unset, NOW, NULL), SETU_ENOENT);
	setu_ioc_facts_t fu = {.src = &unset, .dst = &unset};
	assert_int_equal(setu_iocset_match(s, &fu, NOW, NULL, NULL, NULL), 0);
	setu_addr_t pfx, a = addr("10.1.2.3");
	assert_int_equal(setu_iocset_lookup_ip(s, &a, NOW, &pfx), 16);
	char buf[64];
	assert_string_equal(setu_addr_str(&pfx, buf, sizeof(buf)), "10.1.0.0");
	setu_iocset_free(s);
}

static void test_ip_errors(void **state)
{
	(void)state;
	char buf[300];
	assert_string_equal(load_err("ipv4 300.1.1.1\n", buf, sizeof(buf)),
	                    "t.ioc:1: ipv4 '300.1.1.1': not an address");
	assert_string_equal(
	    load_err("\n\nipv4 10.0.0.0/33\n", buf, sizeof(buf)),
	    "t.ioc:3: ipv4 '10.0.0.0/33': prefix length 33 out of range 0-32");
	assert_string_equal(
	    load_err("ipv6 ::/129\n", buf, sizeof(buf)),
	    "t.ioc:1: ipv6 '::/129': prefix length 129 out of range 0-128");
	assert_string_equal(load_err("ipv4 ::1\n", buf, sizeof(buf)),
	                    "t.ioc:1: ipv4 '::1': not an IPv4 address");
	assert_string_equal(load_err("cidr 10.0.0.0/\n", buf, sizeof(buf)),
	                    "t.ioc:1: cidr '10.0.0.0/': bad prefix length");
	assert_string_equal(load_err("ipv4 1.2.3.4 dir=up\n", buf, sizeof(buf)),
	                    "t.ioc:1: dir 'up': expected any, src or dst");
	/* the builder API names the value too */
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	setu_ioc_indicator_t m = {.id = "indicator--x"};
	uint32_t idx;
	setu_diag_t d = {0};
	assert_int_equal(setu_iocset_add_indicator(b, &m, &idx), 0);
	assert_int_equal(setu_iocset_add_atom(b, idx, SETU_IOC_IP_DST, "1.2.3", NULL, &d),
	                 SETU_EINVAL);
	assert_string_equal(d.msg, "ipv4 '1.2.3': not an address");
	setu_iocset_builder_free(b);
}

/* ---- names ---- */

static void test_domains(void **state)
{
	(void)state;
	setu_iocset_t *s = build_text("domain evil.example id=p\n"
	                              "domain-exact Only.Example. id=x\n"
	                              "domain b.c.d.example id=deep\n"
	                              "domain xn--bcher-kva.example id=idn\n"
	                              "domain tld id=t\n");
	hits_t h;
	assert_string_equal(match_name(s, "evil.example", &h), "p");
	assert_string_equal(match_name(s, "a.b.evil.example", &h), "p");
	assert_string_equal(match_name(s, "A.B.EVIL.Example.", &h), "p");
	assert_string_equal(match_name(s, "notevil.example", &h), "");
	assert_string_equal(match_name(s, "evil.example.com", &h), "");
	assert_string_equal(match_name(s, "vil.example", &h), "");
	assert_string_equal(match_name(s, "example", &h), "");
	assert_string_equal(match_name(s, ".evil.example", &h), "p");
	assert_string_equal(match_name(s, "x..evil.example", &h), "p");
	assert_string_equal(match_name(s, "only.example", &h), "x");
	assert_string_equal(match_name(s, "ONLY.EXAMPLE.", &h), "x");
	assert_string_equal(match_name(s, "www.only.example", &h), "");
	assert_string_equal(match_name(s, "c.d.example", &h), "");
	assert_string_equal(match_name(s, "a.b.c.d.example", &h), "deep");
	assert_string_equal(match_name(s, "shop.XN--BCHER-KVA.example", &h), "idn");
	assert_string_equal(match_name(s, "tld", &h), "t");
	assert_string_equal(match_name(s, "foo.tld.", &h), "t");
	assert_string_equal(match_name(s, "tld.x", &h), "");
	assert_string_equal(match_name(s, "", &h), "");
	assert_string_equal(match_name(s, ".", &h), "");
	/* lookup returns the longest matching stored name */
	assert_int_equal(setu_iocset_lookup_domain(s, "x.Evil.Example.", 15, NOW), 12);
	assert_int_equal(setu_iocset_lookup_domain(s, "www.only.example", 16, NOW),
	                 SETU_ENOENT);
	/* TLS SNI and HTTP Host (with its port) are names too */
	setu_ioc_facts_t f = {.tls_sni = "cdn.evil.example", .tls_sni_len = 16};
	assert_string_equal(match_ids(s, &f, NOW, &h), "p");
	setu_ioc_facts_t g = {.http_host = "Only.Example:8080", .http_host_len = 17};
	assert_string_equal(match_ids(s, &g, NOW, &h), "x");
	setu_iocset_free(s);

	char buf[300];
	assert_string_equal(load_err("domain a..b\n", buf, sizeof(buf)),
	                    "t.ioc:1: domain 'a..b': empty label");
	assert_string_equal(load_err("domain .\n", buf, sizeof(buf)),
	                    "t.ioc:1: domain '.': empty name");
	assert_string_equal(
	    load_err("domain evil/example\n", buf, sizeof(buf)),
	    "t.ioc:1: domain 'evil/example': character 0x2f not allowed in a "
	    "name");
}

/* ---- URLs ---- */

static void norm_is(const char *in, const char *want)
{
	char out[256];
	int r = setu_ioc_url_normalize(in, strlen(in), out, sizeof(out));
	if (want == NULL) {
		assert_true(r < 0);
		return;
	}
	assert_int_equal(r, (int)strlen(want));
	assert_string_equal(out, want);
}

static void test_url_normalize(void **state)
{
	(void)state;
	norm_is("HTTP://Evil.Example", "http://evil.example/");
	norm_is("http://evil.example:80/a/B?x=Y", "http://evil.example/a/B?x=Y");
	norm_is("https://evil.example:443/", "https://evil.example/");
	norm_is("https://evil.example:80/", "https://evil.example:80/");
	norm_is("http://evil.example:8080", "http://evil.example:8080/");
	norm_is("http://evil.example:/p", "http://evil.example/p");
	norm_is("http://evil.example:0080/p", "http://evil.example/p");
	norm_is("http://evil.example/p#frag", "http://evil.example/p");
	norm_is("http://evil.example?q=1", "http://evil.example/?q=1");
	norm_is("http://evil.example/%2fa%3F", "http://evil.example/%2Fa%3F");
	norm_is("http://User:Pw@EVIL.example/", "http://User:Pw@evil.example/");
	norm_is("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x");
	norm_is("ftp://files.example:21/a", "ftp://files.example/a");
	norm_is("evil.example/path", NULL);
	norm_is("http:/evil.example", NULL);
	norm_is("http://", NULL);
	norm_is("http://evil.example:99999/", NULL);
	norm_is("http://evil.example/a b", NULL);
	norm_is("1http://x/", NULL);
	char small[8];
	assert_int_equal(
	    setu_ioc_url_normalize("http://evil.example/", 20, small, sizeof(small)),
	    SETU_ELIMIT);
}

static void test_url_match(void **state)
{
	(void)state;
	setu_iocset_t *s = build_text("url HTTP://Evil.Example:80/dl/Payload.exe id=u1\n"
	                              "url http://evil.example id=u2\n"
	                              "url https://evil.example/login?a=1 id=u3\n");
	hits_t h;
	setu_ioc_facts_t f = {0};
	f.url = "http://EVIL.example/dl/Payload.exe";
	f.url_len = strlen(f.url);
	assert_string_equal(match_ids(s, &f, NOW, &h), "u1");
	f.url = "http://evil.example/dl/payload.exe"; /* path case matters */
	f.url_len = strlen(f.url);
	assert_string_equal(match_ids(s, &f, NOW, &h), "");
	/* from an HTTP transaction: host (with default port) + uri */
	setu_ioc_facts_t g = {.http_host = "evil.example:80",
	                      .http_host_len = 15,
	                      .http_uri = "/dl/Payload.exe",
	                      .http_uri_len = 15};
	assert_string_equal(match_ids(s, &g, NOW, &h), "u1");
	g.http_uri = "/";
	g.http_uri_len = 1;
	assert_string_equal(match_ids(s, &g, NOW, &h), "u2");
	/* absolute-form request target (proxy) */
	setu_ioc_facts_t p = {.http_uri = "http://evil.example/", .http_uri_len = 20};
	assert_string_equal(match_ids(s, &p, NOW, &h), "u2");
	f.url = "https://evil.example:443/login?a=1#x";
	f.url_len = strlen(f.url);
	assert_string_equal(match_ids(s, &f, NOW, &h), "u3");
	/* too long for the matcher: counted, not matched */
	size_t n = SETU_IOC_URL_MAX + 10;
	char *big = malloc(n + 1);
	memcpy(big, "http://evil.example/", 20);
	memset(big + 20, 'a', n - 20);
	big[n] = '\0';
	setu_ioc_facts_t l = {.url = big, .url_len = n};
	setu_ioc_match_stats_t st;
	assert_int_equal(setu_iocset_match(s, &l, NOW, NULL, NULL, &st), 0);
	assert_int_equal(st.url_too_long, 1);
	free(big);
	setu_iocset_free(s);
	char buf[300];
	assert_string_equal(load_err("url evil.example/x\n", buf, sizeof(buf)),
	                    "t.ioc:1: url 'evil.example/x': not an absolute URL "
	                    "(scheme://host/path)");
}

/* ---- hashes ---- */

static void hex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static void test_hashes(void **state)
{
	(void)state;
	const char *md5 = "d41d8cd98f00b204e9800998ecf8427e";
	const char *sha1 = "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709";
	const char *sha256 =
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	char text[1024];
	snprintf(text, sizeof(text),
	         "md5 %s id=m\nsha1 %s id=s1\nsha256 %s id=s2\nja3 %s id=j\n"
	         "x509-sha1 %s id=c1\nx509-sha256 %s id=c2\n",
	         md5, sha1, sha256, "e7d705a3286e19ea42f587b344ee6865", sha1, sha256);
	setu_iocset_t *s = build_text(text);
	uint8_t m[16], s1[20], s2[32], j[16];
	hex(md5, m);
	hex("da39a3ee5e6b4b0d3255bfef95601890afd80709", s1);
	hex(sha256, s2);
	hex("e7d705a3286e19ea42f587b344ee6865", j);
	hits_t h;
	setu_ioc_facts_t f = {.md5 = m};
	assert_string_equal(match_ids(s, &f, NOW, &h), "m");
	/* types are kept apart: an MD5 given as a JA3 fact, or a file SHA-1 as a
	 * certificate */
	setu_ioc_facts_t g = {.ja3 = m};
	assert_string_equal(match_ids(s, &g, NOW, &h), "");
	setu_ioc_facts_t k = {.ja3 = j, .sha1 = s1, .sha256 = s2};
	assert_string_equal(match_ids(s, &k, NOW, &h), "j,s1,s2");
	uint8_t leaf[20] = {
	    0}; /* a leaf that is not listed, then a listed intermediate */
	setu_ioc_cert_t chain[2] = {{.sha1 = leaf, .sha256 = NULL},
	                            {.sha1 = s1, .sha256 = s2}};
	setu_ioc_facts_t c = {.certs = chain, .n_certs = 2};
	assert_string_equal(match_ids(s, &c, NOW, &h), "c1,c2");
	uint8_t other[32] = {1};
	setu_ioc_facts_t o = {.md5 = other, .sha1 = other, .sha256 = other, .ja3 = other};
	assert_string_equal(match_ids(s, &o, NOW, &h), "");
	setu_iocset_free(s);
	char buf[300];
	assert_string_equal(
	    load_err("md5 d41d8cd98f00b204e9800998ecf8427\n", buf, sizeof(buf)),
	    "t.ioc:1: md5 'd41d8cd98f00b204e9800998ecf8427': expected 32 hex "
	    "digits");
	assert_string_equal(
	    load_err("sha1 zz39a3ee5e6b4b0d3255bfef95601890afd80709\n", buf, sizeof(buf)),
	    "t.ioc:1: sha1 'zz39a3ee5e6b4b0d3255bfef95601890afd80709': not hex");
}

/* ---- ports ---- */

static void test_ports(void **state)
{
	(void)state;
	setu_iocset_t *s = build_text("port 4444 id=a\n"
	                              "port 6660-6669 id=irc dir=dst\n"
	                              "port 0 id=zero dir=src\n"
	                              "port 65535 id=max\n"
	                              "port 6665 id=one dir=dst\n");
	hits_t h;
	setu_ioc_facts_t f = {.has_ports = true, .sport = 4444, .dport = 80};
	assert_string_equal(match_ids(s, &f, NOW, &h), "a");
	f = (setu_ioc_facts_t){.has_ports = true, .sport = 50000, .dport = 6665};
	assert_string_equal(match_ids(s, &f, NOW, &h), "irc,one");
	f = (setu_ioc_facts_t){.has_ports = true, .sport = 6665, .dport = 6670};
	assert_string_equal(match_ids(s, &f, NOW, &h), "");
	f = (setu_ioc_facts_t){.has_ports = true, .sport = 0, .dport = 65535};
	assert_string_equal(match_ids(s, &f, NOW, &h), "max,zero");
	f = (setu_ioc_facts_t){.has_ports = false, .sport = 4444, .dport = 4444};
	assert_string_equal(match_ids(s, &f, NOW, &h), "");
	setu_iocset_free(s);
	char buf[300];
	assert_string_equal(load_err("port 70000\n", buf, sizeof(buf)),
	                    "t.ioc:1: port '70000': not a port (0-65535) or range");
	assert_string_equal(load_err("port 20-10\n", buf, sizeof(buf)),
	                    "t.ioc:1: port '20-10': empty range");
}

/* ---- validity and revocation ---- */

static void test_validity(void **state)
{
	(void)state;
	setu_iocset_t *s =
	    build_text("ipv4 192.0.2.1 id=window valid_from=1000 valid_until=2000\n"
	               "cidr 192.0.2.0/24 id=wide\n"
	               "ipv4 192.0.2.2 id=gone revoked=true\n"
	               "domain evil.example id=rfc valid_from=2023-11-14T22:13:20Z "
	               "valid_until=2023-11-14T23:13:21.5+01:00\n");
	setu_addr_t a = addr("192.0.2.1");
	setu_ioc_facts_t f = {.src = &a};
	hits_t h;
	assert_string_equal(match_ids(s, &f, 999, &h), "wide");
	assert_string_equal(match_ids(s, &f, 1000, &h), "wide,window");
	assert_string_equal(match_ids(s, &f, 1999, &h), "wide,window");
	assert_string_equal(match_ids(s, &f, 2000, &h),
	                    "wide"); /* valid_until exclusive */
	/* the most specific entry is skipped when not active: the /24 answers */
	assert_int_equal(setu_iocset_lookup_ip(s, &a, 1500, NULL), 32);
	assert_int_equal(setu_iocset_lookup_ip(s, &a, 2500, NULL), 24);
	setu_addr_t g = addr("192.0.2.2");
	assert_int_equal(setu_iocset_lookup_ip(s, &g, 1500, NULL), 24);
	f.src = &g;
	assert_string_equal(match_ids(s, &f, 1500, &h), "wide");
	/* RFC 3339 times: 1700000000 = 2023-11-14T22:13:20Z; the until is 22:13:21.5 UTC
	 */
	setu_ioc_facts_t d = {.dns_query = "evil.example", .dns_query_len = 12};
	assert_string_equal(match_ids(s, &d, 1699999999, &h), "");
	assert_string_equal(match_ids(s, &d, 1700000000, &h), "rfc");
	assert_string_equal(match_ids(s, &d, 1700000001, &h), "");
	const setu_ioc_indicator_t *ind = setu_iocset_indicator(s, 3);
	assert_int_equal(ind->valid_from, 1700000000);
	assert_int_equal(ind->valid_until, 1700000001);
	setu_iocset_free(s);
	char buf[300];
	assert_string_equal(
	    load_err("ipv4 1.1.1.1 valid_from=2000 valid_until=1000\n", buf, sizeof(buf)),
	    "t.ioc:1: valid_until is not after valid_from");
	assert_string_equal(
	    load_err("ipv4 1.1.1.1 valid_from=2023-02-29T00:00:00Z\n", buf, sizeof(buf)),
	    "t.ioc:1: valid_from '2023-02-29T00:00:00Z': not epoch seconds or "
	    "an RFC 3339 time");
	s = build_text("ipv4 1.1.1.1 valid_from=2024-02-29T00:00:00Z\n"
	               "ipv4 1.1.1.2 valid_until=1969-12-31T23:00:00-02:00\n");
	assert_int_equal(setu_iocset_indicator(s, 0)->valid_from, 1709164800);
	assert_int_equal(setu_iocset_indicator(s, 1)->valid_until, 3600);
	setu_iocset_free(s);
	assert_string_equal(
	    load_err("ipv4 1.1.1.1 valid_from=yesterday\n", buf, sizeof(buf)),
	    "t.ioc:1: valid_from 'yesterday': not epoch seconds or an RFC 3339 "
	    "time");
}

/* ---- expressions ---- */

static void test_and_or(void **state)
{
	(void)state;
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	setu_diag_t d = {0};
	uint32_t i1, i2, i3, i4;
	/* [network-traffic:dst_ref.value = '1.2.3.4' AND network-traffic:dst_port = 443]
	 */
	setu_ioc_indicator_t m1 = {
	    .id = "and", .tlp = SETU_TLP_AMBER, .org = "identity--o"};
	assert_int_equal(setu_iocset_add_indicator(b, &m1, &i1), 0);
	uint8_t a0, a1;
	assert_int_equal(setu_iocset_add_atom(b, i1, SETU_IOC_IP_DST, "1.2.3.4", &a0, &d),
	                 0);
	assert_int_equal(setu_iocset_add_atom(b, i1, SETU_IOC_PORT_DST, "443", &a1, &d),
	                 0);
	setu_ioc_op_t and_ops[] = {
	    {SETU_IOC_OP_ATOM, a0}, {SETU_IOC_OP_ATOM, a1}, {SETU_IOC_OP_AND, 0}};
	assert_int_equal(setu_iocset_set_expr(b, i1, and_ops, 3, &d), 0);
	/* [(domain = 'x.example' OR domain = 'y.example') AND dst_ref IN 10.0.0.0/8] with
	 * a second value added to the first atom */
	setu_ioc_indicator_t m2 = {.id = "or-and"};
	assert_int_equal(setu_iocset_add_indicator(b, &m2, &i2), 0);
	uint8_t n0, n1;
	assert_int_equal(
	    setu_iocset_add_atom(b, i2, SETU_IOC_DOMAIN_EXACT, "x.example", &n0, &d), 0);
	assert_int_equal(setu_iocset_add_value(b, i2, n0, "y.example", &d), 0);
	assert_int_equal(
	    setu_iocset_add_atom(b, i2, SETU_IOC_IP_DST, "10.0.0.0/8", &n1, &d), 0);
	setu_ioc_op_t ops2[] = {
	    {SETU_IOC_OP_ATOM, n0}, {SETU_IOC_OP_ATOM, n1}, {SETU_IOC_OP_AND, 0}};
	assert_int_equal(setu_iocset_set_expr(b, i2, ops2, 3, &d), 0);
	/* a AND NOT b: port 22 but not from 10.9.9.9 */
	setu_ioc_indicator_t m3 = {.id = "and-not"};
	assert_int_equal(setu_iocset_add_indicator(b, &m3, &i3), 0);
	assert_int_equal(setu_iocset_add_atom(b, i3, SETU_IOC_PORT_DST, "22", &a0, &d),
	                 0);
	assert_int_equal(
	    setu_iocset_add_atom(b, i3, SETU_IOC_IP_SRC, "10.9.9.9", &a1, &d), 0);
	setu_ioc_op_t ops3[] = {{SETU_IOC_OP_ATOM, a0},
	                        {SETU_IOC_OP_ATOM, a1},
	                        {SETU_IOC_OP_NOT, 0},
	                        {SETU_IOC_OP_AND, 0}};
	assert_int_equal(setu_iocset_set_expr(b, i3, ops3, 4, &d), 0);
	/* rejected expressions */
	setu_ioc_indicator_t m4 = {.id = "bad"};
	assert_int_equal(setu_iocset_add_indicator(b, &m4, &i4), 0);
	assert_int_equal(setu_iocset_add_atom(b, i4, SETU_IOC_PORT_DST, "23", &a0, &d),
	                 0);
	setu_ioc_op_t not_only[] = {{SETU_IOC_OP_ATOM, 0}, {SETU_IOC_OP_NOT, 0}};
	assert_int_equal(setu_iocset_set_expr(b, i4, not_only, 2, &d), SETU_EUNSUPPORTED);
	assert_non_null(strstr(d.msg, "indicator bad: expression is true"));
	setu_ioc_op_t under[] = {{SETU_IOC_OP_ATOM, 0}, {SETU_IOC_OP_AND, 0}};
	assert_int_equal(setu_iocset_set_expr(b, i4, under, 2, &d), SETU_EINVAL);
	setu_ioc_op_t noatom[] = {{SETU_IOC_OP_ATOM, 5}};
	assert_int_equal(setu_iocset_set_expr(b, i4, noatom, 1, &d), SETU_EINVAL);
	assert_string_equal(d.msg, "indicator bad: expression names atom 5 of 1");
	setu_ioc_op_t two[] = {{SETU_IOC_OP_ATOM, 0}, {SETU_IOC_OP_ATOM, 0}};
	assert_int_equal(setu_iocset_set_expr(b, i4, two, 2, &d), SETU_EINVAL);

	setu_iocset_t *s = setu_iocset_build(b, &d);
	assert_non_null(s);
	setu_iocset_builder_free(b);
	hits_t h;
	setu_addr_t ip = addr("1.2.3.4"), ten = addr("10.1.1.1"), nine = addr("10.9.9.9");
	setu_ioc_facts_t f = {.dst = &ip, .has_ports = true, .sport = 5000, .dport = 443};
	assert_string_equal(match_ids(s, &f, NOW, &h), "and");
	f.dport = 80;
	assert_string_equal(match_ids(s, &f, NOW, &h), "");
	f = (setu_ioc_facts_t){
	    .src = &ip, .has_ports = true, .dport = 443}; /* wrong side */
	assert_string_equal(match_ids(s, &f, NOW, &h), "");
	f = (setu_ioc_facts_t){.dst = &ip}; /* port unknown */
	assert_string_equal(match_ids(s, &f, NOW, &h), "");
	f = (setu_ioc_facts_t){.dst = &ten, .dns_query = "Y.example", .dns_query_len = 9};
	assert_string_equal(match_ids(s, &f, NOW, &h), "or-and");
	f.dns_query = "z.example";
	assert_string_equal(match_ids(s, &f, NOW, &h), "");
	f = (setu_ioc_facts_t){.dst = &ten, .tls_sni = "x.example", .tls_sni_len = 9};
	assert_string_equal(match_ids(s, &f, NOW, &h), "or-and");
	f = (setu_ioc_facts_t){.src = &ten, .has_ports = true, .dport = 22};
	assert_string_equal(match_ids(s, &f, NOW, &h), "and-not");
	f.src = &nine;
	assert_string_equal(match_ids(s, &f, NOW, &h), "");
	/* the match reports which atoms were true, and the record */
	f = (setu_ioc_facts_t){.dst = &ip, .has_ports = true, .dport = 443};
	memset(&h, 0, sizeof(h));
	setu_ioc_match_stats_t st;
	assert_int_equal(setu_iocset_match(s, &f, NOW, collect, &h, &st), 1);
	assert_int_equal(st.candidates, 1);
	const setu_ioc_indicator_t *r = setu_iocset_indicator(s, i1);
	assert_string_equal(r->org, "identity--o");
	assert_int_equal(r->tlp, SETU_TLP_AMBER);
	setu_iocset_free(s);
}

static int first_mask(void *user, const setu_ioc_match_t *m)
{
	*(uint64_t *)user = m->atoms;
	return 1; /* stop */
}

static void test_many_indicators_one_value(void **state)
{
	(void)state;
	/* one value shared by more indicators than a match evaluates: bounded, counted */
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	unsigned n = SETU_IOC_MAX_CANDIDATES + 40;
	for (unsigned i = 0; i < n; i++) {
		setu_ioc_indicator_t m = {.id = "shared", .user = i};
		uint32_t idx;
		assert_int_equal(setu_iocset_add_indicator(b, &m, &idx), 0);
		assert_int_equal(setu_iocset_add_atom(b, idx, SETU_IOC_DOMAIN,
		                                      "evil.example", NULL, NULL),
		                 0);
	}
	setu_iocset_t *s = setu_iocset_build(b, NULL);
	setu_iocset_builder_free(b);
	setu_ioc_facts_t f = {.dns_query = "evil.example", .dns_query_len = 12};
	setu_ioc_match_stats_t st;
	assert_int_equal(setu_iocset_match(s, &f, NOW, NULL, NULL, &st),
	                 (int)SETU_IOC_MAX_CANDIDATES);
	assert_int_equal(st.candidates_dropped, 40);
	uint64_t mask = 0;
	assert_int_equal(setu_iocset_match(s, &f, NOW, first_mask, &mask, NULL), 1);
	assert_int_equal(mask, 1);
	setu_iocset_stats_t ss;
	setu_iocset_stats(s, &ss);
	assert_int_equal(ss.key_entries, 1);
	setu_iocset_free(s);
}

/* ---- loader ---- */

static void test_loader(void **state)
{
	(void)state;
	const char *text =
	    "# a feed\r\n"
	    "\n"
	    "   # indented comment\n"
	    "ipv4 203.0.113.5 id=indicator--1 name=\"C2 server\" tlp=amber "
	    "org=identity--cert action=drop severity=1\r\n"
	    "domain c2.example id=indicator--1\n"
	    "domain c2.example id=indicator--1 # the same again\n"
	    "ipv4 203.0.113.6 id=indicator--1 tlp=TLP:AMBER name=\"C2 server\" "
	    "org=identity--cert action=drop severity=1\n"
	    "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	    " tlp=3\n"
	    "url http://c2.example/gate.php";
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	setu_diag_t d = {0};
	assert_int_equal(setu_iocset_load_text(b, text, strlen(text), "f", &d), 6);
	setu_iocset_t *s = setu_iocset_build(b, &d);
	setu_iocset_builder_free(b);
	assert_int_equal(setu_iocset_indicator_count(s), 3);
	const setu_ioc_indicator_t *r = setu_iocset_indicator(s, 0);
	assert_string_equal(r->id, "indicator--1");
	assert_string_equal(r->name, "C2 server");
	assert_string_equal(r->org, "identity--cert");
	assert_int_equal(r->tlp, SETU_TLP_AMBER);
	assert_int_equal(r->action, SETU_IOC_ACTION_DROP);
	assert_int_equal(r->severity, 1);
	assert_int_equal(setu_iocset_indicator(s, 1)->tlp, SETU_TLP_AMBER_STRICT);
	assert_null(setu_iocset_indicator(s, 1)->id);
	assert_null(setu_iocset_indicator(s, 3));
	hits_t h;
	/* both addresses and the name belong to indicator--1 (OR of its atoms) */
	assert_string_equal(match_ip(s, NULL, "203.0.113.6", &h), "indicator--1");
	assert_string_equal(match_name(s, "www.c2.example", &h), "indicator--1");
	setu_ioc_facts_t f = {.url = "http://c2.example/gate.php", .url_len = 26};
	assert_int_equal(
	    setu_iocset_match(s, &f, NOW, collect, memset(&h, 0, sizeof(h)), NULL), 1);
	assert_string_equal(h.ids, "?");
	setu_iocset_free(s);

	char buf[300];
	assert_string_equal(
	    load_err("ipv4 1.1.1.1 id=x tlp=red\nipv4 1.1.1.2 id=x tlp=green\n", buf,
	             sizeof(buf)),
	    "t.ioc:2: id x: metadata differs from its first line");
	assert_string_equal(load_err("ipv5 1.1.1.1\n", buf, sizeof(buf)),
	                    "t.ioc:1: unknown type 'ipv5'");
	assert_string_equal(load_err("ipv4\n", buf, sizeof(buf)),
	                    "t.ioc:1: 'ipv4' without a value");
	assert_string_equal(load_err("ipv4 1.1.1.1 color=red\n", buf, sizeof(buf)),
	                    "t.ioc:1: unknown key 'color'");
	assert_string_equal(load_err("ipv4 1.1.1.1 name=\"open\n", buf, sizeof(buf)),
	                    "t.ioc:1: unterminated quote");
	assert_string_equal(load_err("\"ipv4 1.1.1.1\n", buf, sizeof(buf)),
	                    "t.ioc:1: unterminated quote");
	assert_string_equal(load_err("ipv4 1.1.1.1 junk\n", buf, sizeof(buf)),
	                    "t.ioc:1: expected key=value, got 'junk'");
	assert_string_equal(load_err("ipv4 1.1.1.1 tlp=purple\n", buf, sizeof(buf)),
	                    "t.ioc:1: tlp 'purple': not a TLP level");
	assert_string_equal(load_err("domain x.example dir=src\n", buf, sizeof(buf)),
	                    "t.ioc:1: dir= applies to addresses and ports only");
	/* load_file: missing file, then a real one whose errors carry its name */
	b = setu_iocset_builder_new();
	assert_int_equal(setu_iocset_load_file(b, "/nonexistent/x.ioc", &d), SETU_EIO);
	char path[] = "/tmp/setu-ioc-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *fp = fdopen(fd, "w");
	fputs("domain a.example\nport 80\ndomain b..example\n", fp);
	fclose(fp);
	memset(&d, 0, sizeof(d));
	assert_int_equal(setu_iocset_load_file(b, path, &d), SETU_EINVAL);
	assert_string_equal(d.file, path);
	assert_int_equal(d.line, 3);
	fp = fopen(path, "w");
	fputs("domain a.example\nport 80\n", fp);
	fclose(fp);
	setu_iocset_builder_free(b);
	b = setu_iocset_builder_new();
	assert_int_equal(setu_iocset_load_file(b, path, &d), 2);
	unlink(path);
	setu_iocset_builder_free(b);
}

static void test_loader_many_ids(void **state)
{
	(void)state;
	/* 300 ids, each on 3 lines spread over the file: the id map grows several times
	 */
	char *text = malloc(900 * 64);
	size_t n = 0;
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 300; i++)
			n += (size_t)sprintf(text + n,
			                     "ipv4 10.%d.%d.%d id=indicator--%d\n", round,
			                     i / 256, i % 256, i);
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	setu_diag_t d = {0};
	assert_int_equal(setu_iocset_load_text(b, text, n, "many", &d), 900);
	setu_iocset_t *s = setu_iocset_build(b, &d);
	setu_iocset_builder_free(b);
	free(text);
	assert_int_equal(setu_iocset_indicator_count(s), 300);
	hits_t h;
	assert_string_equal(match_ip(s, "10.2.1.10", NULL, &h), "indicator--266");
	assert_string_equal(match_ip(s, "10.0.0.0", NULL, &h), "indicator--0");
	assert_string_equal(match_ip(s, "10.1.1.43", "10.2.1.43", &h), "indicator--299");
	assert_string_equal(match_ip(s, "10.1.1.44", NULL, &h), "");
	setu_iocset_free(s);
}

static void test_empty_set(void **state)
{
	(void)state;
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	setu_iocset_t *s = setu_iocset_build(b, NULL);
	setu_iocset_builder_free(b);
	assert_non_null(s);
	setu_addr_t a = addr("1.2.3.4");
	uint8_t md5[16] = {0};
	setu_ioc_facts_t f = {.src = &a,
	                      .dst = &a,
	                      .has_ports = true,
	                      .dns_query = "a.b",
	                      .dns_query_len = 3,
	                      .url = "http://a/",
	                      .url_len = 9,
	                      .md5 = md5};
	assert_int_equal(setu_iocset_match(s, &f, NOW, NULL, NULL, NULL), 0);
	assert_int_equal(setu_iocset_lookup_ip(s, &a, NOW, NULL), SETU_ENOENT);
	assert_int_equal(setu_iocset_lookup_domain(s, "a.b", 3, NOW), SETU_ENOENT);
	setu_iocset_free(s);
	setu_iocset_free(NULL);
	setu_iocset_builder_free(NULL);
}

static void test_rebuild(void **state)
{
	(void)state;
	/* a set outlives its builder's later changes; a builder can be built again */
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	setu_diag_t d = {0};
	const char *t1 = "cidr 10.0.0.0/8 id=a\ndomain a.example id=a\nport 1-5 id=p\n";
	assert_int_equal(setu_iocset_load_text(b, t1, strlen(t1), "1", &d), 3);
	setu_iocset_t *s1 = setu_iocset_build(b, &d);
	const char *t2 = "ipv4 10.1.1.1 id=b\ndomain x.a.example id=b\nport 3 id=q\n";
	assert_int_equal(setu_iocset_load_text(b, t2, strlen(t2), "2", &d), 3);
	setu_iocset_t *s2 = setu_iocset_build(b, &d);
	setu_iocset_builder_free(b);
	hits_t h;
	assert_string_equal(match_ip(s1, "10.1.1.1", NULL, &h), "a");
	assert_string_equal(match_ip(s2, "10.1.1.1", NULL, &h), "a,b");
	assert_string_equal(match_name(s1, "y.x.a.example", &h), "a");
	assert_string_equal(match_name(s2, "y.x.a.example", &h), "a,b");
	setu_ioc_facts_t f = {.has_ports = true, .sport = 3, .dport = 9};
	assert_string_equal(match_ids(s1, &f, NOW, &h), "p");
	assert_string_equal(match_ids(s2, &f, NOW, &h), "p,q");
	setu_iocset_free(s1);
	setu_iocset_free(s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4_all_prefix_lengths),
	    cmocka_unit_test(test_ipv6_all_prefix_lengths),
	    cmocka_unit_test(test_ip_basics),
	    cmocka_unit_test(test_ip_errors),
	    cmocka_unit_test(test_domains),
	    cmocka_unit_test(test_url_normalize),
	    cmocka_unit_test(test_url_match),
	    cmocka_unit_test(test_hashes),
	    cmocka_unit_test(test_ports),
	    cmocka_unit_test(test_validity),
	    cmocka_unit_test(test_and_or),
	    cmocka_unit_test(test_many_indicators_one_value),
	    cmocka_unit_test(test_loader),
	    cmocka_unit_test(test_loader_many_ids),
	    cmocka_unit_test(test_empty_set),
	    cmocka_unit_test(test_rebuild),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
