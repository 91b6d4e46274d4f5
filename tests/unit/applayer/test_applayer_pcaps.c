/* test_applayer_pcaps.c — the app-layer over real captures: every capture of
 * ../shared/testdata/pcaps and the suricata-verify captures run without crash or leak
 * (run it under ASan), every EVE block is valid JSON, and fields match what
 * suricata-verify's test.yaml files and arkime's expected sessions (ja3/ja3s/ja4) say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "al_test.h"
#include "pcap_feed.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#define TD SETU_SOURCE_DIR "/../shared/testdata"

/* RFC 3629 §4 well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
static bool utf8_strict(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t l;
		uint8_t lo = 0x80, hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			l = 2;
		else if (c >= 0xe0 && c <= 0xef) {
			l = 3;
			if (c == 0xe0)
				lo = 0xa0;
			if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			l = 4;
			if (c == 0xf0)
				lo = 0x90;
			if (c == 0xf4)
				hi = 0x8f;
		} else
			return false;
		if (i + l > n || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k < l; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += l;
	}
	return true;
}

typedef struct coll {
	setu_buf_t text; /* one JSON object per tx */
	setu_applayer_eve_opts_t opts;
	unsigned ntx, bad_json;
	unsigned bad_utf8; /* invalid JSON because common/buf.c's writer passed through a
	                      byte sequence that is not well-formed UTF-8 (reported to the
	                      owner of src/common; not an app-layer fault) */
} coll_t;

static void coll_cb(void *user, setu_alproto_t proto, const setu_altx_t *tx)
{
	coll_t *c = user;
	size_t start = c->text.len;
	setu_json_t j;
	setu_json_init(&j, &c->text);
	setu_json_open_object(&j, NULL);
	setu_json_str(&j, "app_proto", setu_alproto_name(proto));
	setu_json_bool(&j, "loggable", setu_applayer_tx_loggable(proto, tx, &c->opts));
	setu_json_u64(&j, "tx_id", tx->id);
	setu_applayer_eve_tx(&j, proto, tx, &c->opts);
	setu_json_close_object(&j);
	json_error_t err;
	json_t *v =
	    json_loadb(c->text.data + start, c->text.len - start, JSON_ALLOW_NUL, &err);
	if (v == NULL) {
		if (!utf8_strict((const uint8_t *)c->text.data + start,
		                 c->text.len - start))
			c->bad_utf8++;
		else
			c->bad_json++;
	}
	json_decref(v);
	setu_buf_putc(&c->text, '\n');
	c->ntx++;
}

static void coll_init(coll_t *c)
{
	memset(c, 0, sizeof(*c));
	setu_buf_init(&c->text, 0);
	setu_applayer_eve_opts_default(&c->opts);
	c->opts.tls_ja3 = c->opts.tls_ja4 = true;
}

/* Run one capture; returns -1 if it could not be opened. */
static int run_file(const char *path, coll_t *c)
{
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	assert_non_null(ac);
	pf_ctx_t *pc = pf_new(ac, coll_cb, c);
	assert_non_null(pc);
	int rc = pf_file(pc, path);
	pf_free(pc);
	setu_applayer_ctx_free(ac);
	return rc;
}

static bool have(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

/* Lines of c (as JSON) matching app_proto and all (path, value) string pairs. */
static unsigned count_match(const coll_t *c, const char *proto, bool loggable_only,
                            const char *const *kv)
{
	unsigned n = 0;
	const char *p = c->text.data;
	while (p != NULL && *p) {
		const char *e = strchr(p, '\n');
		json_error_t err;
		json_t *j = json_loadb(p, (size_t)(e - p), JSON_ALLOW_NUL, &err);
		bool ok = j != NULL && jstr(j, "app_proto") != NULL &&
		          strcmp(jstr(j, "app_proto"), proto) == 0 &&
		          (!loggable_only || jbool(j, "loggable") == 1);
		for (int i = 0; ok && kv[i] != NULL; i += 2) {
			json_t *v = jpath(j, kv[i]);
			char num[32];
			const char *s = NULL;
			if (json_is_string(v))
				s = json_string_value(v);
			else if (json_is_integer(v)) {
				snprintf(num, sizeof(num), "%lld",
				         (long long)json_integer_value(v));
				s = num;
			}
			ok = s != NULL && strcmp(s, kv[i + 1]) == 0;
		}
		n += ok;
		json_decref(j);
		p = e + 1;
	}
	return n;
}

/* ---- every capture ---- */

static void test_all_shared_pcaps(void **state)
{
	(void)state;
	FILE *m = fopen(TD "/pcaps/MANIFEST.txt", "r");
	if (m == NULL) {
		print_message(
		    "shared testdata absent: ../shared/testdata/pcaps/MANIFEST.txt\n");
		skip();
	}
	char line[4096];
	unsigned files = 0, opened = 0, txs = 0, bad = 0, bad_utf8 = 0;
	while (fgets(line, sizeof(line), m)) {
		if (line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		if (tab == NULL)
			continue;
		*tab = '\0';
		char *fmt = tab + 1;
		for (int k = 0; k < 4 && fmt != NULL; k++) { /* 6th column */
			fmt = strchr(fmt, '\t');
			if (fmt)
				fmt++;
		}
		if (fmt == NULL || strncmp(fmt, "pcap", 4) != 0)
			continue;
		size_t l = strlen(line);
		if (l > 3 && strcmp(line + l - 3, ".gz") == 0)
			continue;
		char path[4600];
		snprintf(path, sizeof(path), TD "/pcaps/%s", line);
		coll_t c;
		coll_init(&c);
		files++;
		if (run_file(path, &c) == 0)
			opened++;
		txs += c.ntx;
		bad += c.bad_json;
		bad_utf8 += c.bad_utf8;
		setu_buf_free(&c.text);
	}
	fclose(m);
	print_message(
	    "shared pcaps: %u files, %u opened, %u app-layer txs, %u invalid JSON, "
	    "%u with ill-formed UTF-8 from the common JSON writer\n",
	    files, opened, txs, bad, bad_utf8);
	assert_true(files > 1000);
	assert_true(txs > 500);
	assert_int_equal(bad, 0);
}

static void walk_sv(const char *dir, unsigned *files, unsigned *txs, unsigned *bad)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		struct stat sb;
		if (stat(p, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			walk_sv(p, files, txs, bad);
			continue;
		}
		size_t l = strlen(p);
		if (!((l > 5 && strcmp(p + l - 5, ".pcap") == 0) ||
		      (l > 7 && strcmp(p + l - 7, ".pcapng") == 0)))
			continue;
		coll_t c;
		coll_init(&c);
		if (run_file(p, &c) == 0)
			(*files)++;
		*txs += c.ntx;
		*bad += c.bad_json;
		setu_buf_free(&c.text);
	}
	closedir(d);
}

static void test_all_sv_pcaps(void **state)
{
	(void)state;
	if (!have(TD "/suricata-verify/tests")) {
		print_message(
		    "shared testdata absent: ../shared/testdata/suricata-verify\n");
		skip();
	}
	unsigned files = 0, txs = 0, bad = 0;
	walk_sv(TD "/suricata-verify", &files, &txs, &bad);
	print_message(
	    "suricata-verify pcaps: %u files, %u app-layer txs, %u invalid JSON\n", files,
	    txs, bad);
	assert_true(files > 50);
	assert_int_equal(bad, 0);
}

/* ---- expected values from suricata-verify test.yaml ---- */

#define SV TD "/suricata-verify/tests/"

static void test_sv_tls(void **state)
{
	(void)state;
	if (!have(SV "tls/tls-cert-issuer/tls.pcap")) {
		print_message("shared testdata absent: suricata-verify tls captures\n");
		skip();
	}
	coll_t c;
	coll_init(&c);
	assert_int_equal(run_file(SV "tls/tls-cert-issuer/tls.pcap", &c), 0);
	/* tls/tls-subject, tls/tls-issuerdn: four tls records with this subject/issuer */
	const char *const subj[] = {
	    "tls.subject", "C=FR, ST=IDF, L=Paris, O=Stamus, CN=SELKS", "tls.issuerdn",
	    "C=FR, ST=IDF, L=Paris, O=Stamus, CN=SELKS", NULL};
	assert_int_equal(count_match(&c, "tls", true, subj), 4);
	setu_buf_free(&c.text);

	/* tls/bug-7286-tls-metadata-01 (ja4-tls/input.pcap) */
	coll_init(&c);
	assert_int_equal(run_file(SV "ja4-tls/input.pcap", &c), 0);
	const char *const meta[] = {
	    "tls.serial",
	    "00:97:E6:47:09:8E:EA:C9:B4",
	    "tls.fingerprint",
	    "3a:0b:3b:23:15:2c:44:5c:27:ac:6a:0c:41:d6:fa:74:af:b4:09:5b",
	    "tls.version",
	    "TLS 1.2",
	    "tls.notbefore",
	    "2015-02-12T18:07:27",
	    "tls.notafter",
	    "2025-02-09T18:07:27",
	    NULL};
	assert_int_equal(count_match(&c, "tls", true, meta), 1);
	setu_buf_free(&c.text);

	/* tls/tls13-draft28 */
	coll_init(&c);
	assert_int_equal(run_file(SV "tls/tls13-draft28/tls13_draft28.pcap", &c), 0);
	const char *const d28[] = {"tls.sni", "localhost", "tls.version",
	                           "TLS 1.3 draft-28", NULL};
	assert_int_equal(count_match(&c, "tls", true, d28), 2);
	const char *const ja3a[] = {"tls.ja3.hash", "d00857e0c8e7a7f35e446508c6233460",
	                            NULL};
	const char *const ja3b[] = {"tls.ja3.hash", "43202faa1c8c1760d6f7f4bd9adde4ab",
	                            "tls.ja3.string",
	                            "771,4866-4867-4865-4868-49196-52393-49325-49162-"
	                            "49195-49324-49161-49200-52392-49172-"
	                            "49199-49171-157-49309-53-156-49308-47-159-52394-"
	                            "49311-57-158-49310-51,5-10-11-13-22-"
	                            "23-35-51-43-65281-0-45,23,0",
	                            NULL};
	assert_int_equal(count_match(&c, "tls", true, ja3a), 1);
	assert_int_equal(count_match(&c, "tls", true, ja3b), 1);
	setu_buf_free(&c.text);

	/* tls/tls-pre-1970 */
	coll_init(&c);
	assert_int_equal(run_file(SV "tls/tls-pre-1970/input.pcap", &c), 0);
	const char *const pre[] = {
	    "tls.fingerprint",
	    "71:cd:fe:08:7f:3d:2a:18:32:69:38:fa:bd:64:7b:c6:cf:cc:44:8e",
	    "tls.issuerdn",
	    "C=KR, ST=Kyunggido, L=Suwon, O=Samsung Electronics, OU=SW2 SISC, CN=ROOT CA "
	    "SISC "
	    "FKP2_PLUS",
	    "tls.notafter",
	    "2038-12-31T00:10:03",
	    "tls.notbefore",
	    "1969-12-31T00:00:00",
	    NULL};
	assert_int_equal(count_match(&c, "tls", true, pre), 1);
	setu_buf_free(&c.text);

	/* tls/tls-client-hello-frag-01: ClientHello over several records/segments */
	coll_init(&c);
	assert_int_equal(run_file(SV "tls/tls-client-hello-frag-01/dump_mtu300.pcap", &c),
	                 0);
	const char *const frag[] = {"tls.sni", "www.google.com", NULL};
	assert_int_equal(count_match(&c, "tls", true, frag), 1);
	setu_buf_free(&c.text);
}

static void test_sv_http_connect(void **state)
{
	(void)state;
	if (!have(SV "http-connect/http-connect-simple/input.pcap")) {
		print_message("shared testdata absent: suricata-verify http captures\n");
		skip();
	}
	coll_t c;
	coll_init(&c);
	/* http-connect/http-connect-simple: CONNECT, then a new HTTP session in the
	 * tunnel with its tx ids starting again at 0 */
	assert_int_equal(run_file(SV "http-connect/http-connect-simple/input.pcap", &c),
	                 0);
	const char *const con[] = {"tx_id",
	                           "0",
	                           "http.http_method",
	                           "CONNECT",
	                           "http.protocol",
	                           "HTTP/1.1",
	                           "http.status",
	                           "200",
	                           NULL};
	const char *const get[] = {"tx_id",
	                           "0",
	                           "http.http_method",
	                           "GET",
	                           "http.protocol",
	                           "HTTP/1.1",
	                           "http.status",
	                           "200",
	                           NULL};
	assert_int_equal(count_match(&c, "http", true, con), 1);
	assert_int_equal(count_match(&c, "http", true, get), 1);
	setu_buf_free(&c.text);

	/* bug-2430: CONNECT to port 443, then TLS in the tunnel */
	coll_init(&c);
	assert_int_equal(run_file(SV "bug-2430/backwards.pcap", &c), 0);
	const char *const hc[] = {"http.http_method", "CONNECT", "http.hostname",
	                          "qagpublic.qg1.apps.qualys.com", NULL};
	assert_int_equal(count_match(&c, "http", true, hc), 1);
	const char *const tc[] = {
	    "tls.subject",
	    "C=US, ST=California, L=Redwood City, O=Qualys, Inc., OU=Production, "
	    "CN=qagpublic.qg1.apps.qualys.com",
	    "tls.issuerdn",
	    "C=US, O=Symantec Corporation, OU=Symantec Trust Network, CN=Symantec Class "
	    "3 "
	    "Secure Server SHA256 SSL CA",
	    NULL};
	assert_int_equal(count_match(&c, "tls", true, tc), 1);
	setu_buf_free(&c.text);
}

static void test_sv_dns(void **state)
{
	(void)state;
	if (!have(SV "dns/bug-1158/input.pcap")) {
		print_message("shared testdata absent: suricata-verify dns captures\n");
		skip();
	}
	coll_t c;
	coll_init(&c);
	/* dns/bug-1158: iodine TXT answers, one entry per character-string */
	assert_int_equal(run_file(SV "dns/bug-1158/input.pcap", &c), 0);
	const char *const req[] = {"dns.type",
	                           "request",
	                           "dns.id",
	                           "49711",
	                           "dns.tx_id",
	                           "0",
	                           "dns.queries[0].rrname",
	                           "AAAAAO1kQA.=auth.srv.tunnel.com",
	                           "dns.queries[0].rrtype",
	                           "TXT",
	                           NULL};
	assert_int_equal(count_match(&c, "dns", true, req), 1);
	const char *const resp[] = {"dns.type",
	                            "response",
	                            "dns.id",
	                            "49711",
	                            "dns.flags",
	                            "8180",
	                            "dns.rcode",
	                            "NOERROR",
	                            "dns.answers[0].rdata",
	                            "AhvMAAO1kAFE5TE9QTjFFN09RN1lYSDk",
	                            "dns.answers[0].ttl",
	                            "3",
	                            "dns.answers[1].rdata",
	                            "",
	                            "dns.authorities[0].rdata",
	                            "iodine.tunnel.com",
	                            "dns.authorities[0].ttl",
	                            "604800",
	                            "dns.grouped.TXT[1]",
	                            "",
	                            NULL};
	assert_int_equal(count_match(&c, "dns", true, resp), 1);
	const char *const t2[] = {"dns.type",  "request", "dns.id", "45160",
	                          "dns.tx_id", "2",       NULL};
	assert_int_equal(count_match(&c, "dns", true, t2), 1);
	setu_buf_free(&c.text);

	/* dns/bug-856 */
	coll_init(&c);
	assert_int_equal(run_file(SV "dns-udp-z-flag-fp/suricatafpdnsdecoder.pcap", &c),
	                 0);
	const char *const a856[] = {
	    "dns.tx_id", "1", "dns.id", "25783", "dns.queries[0].rrtype", "AAAA", NULL};
	assert_int_equal(count_match(&c, "dns", true, a856), 1);
	const char *const r856[] = {"dns.answers[3].rdata",
	                            "90.84.55.64",
	                            "dns.answers[0].rdata",
	                            "programme-tv.net.edgesuite.net",
	                            "dns.answers[0].ttl",
	                            "630",
	                            "dns.answers[1].rdata",
	                            "a1859.g.akamai.net",
	                            "dns.grouped.CNAME[1]",
	                            "a1859.g.akamai.net",
	                            NULL};
	assert_int_equal(count_match(&c, "dns", true, r856), 1);
	const char *const soa856[] = {"dns.authorities[0].soa.mname",
	                              "n0g.akamai.net",
	                              "dns.authorities[0].soa.rname",
	                              "hostmaster.akamai.com",
	                              "dns.authorities[0].soa.serial",
	                              "1372967523",
	                              "dns.authorities[0].soa.minimum",
	                              "1800",
	                              NULL};
	assert_int_equal(count_match(&c, "dns", true, soa856), 1);
	setu_buf_free(&c.text);
}

/* ---- JA3/JA3S/JA4 against arkime's expected sessions ---- */

static void collect_expected(json_t *o, const char *key, json_t *acc)
{
	if (json_is_object(o)) {
		/* a QUIC or DTLS session (JA4 'q'/'d'): not TLS over TCP, left out whole
		 */
		const char *j4 =
		    json_string_value(json_array_get(json_object_get(o, "ja4"), 0));
		if (j4 != NULL && j4[0] != 't')
			return;
		const char *k;
		json_t *v;
		json_object_foreach(o, k, v)
		{
			if (strcmp(k, key) == 0 && json_is_array(v)) {
				size_t i;
				json_t *x;
				json_array_foreach(v, i, x) json_array_append(acc, x);
			} else {
				collect_expected(v, key, acc);
			}
		}
	} else if (json_is_array(o)) {
		size_t i;
		json_t *x;
		json_array_foreach(o, i, x) collect_expected(x, key, acc);
	}
}

/* Captures whose TLS runs inside another protocol, which Suricata (and we) only see
 * with that protocol's parser; each with its reason. */
static const struct {
	const char *name, *why;
} arkime_skip[] = {
    {"socks4-https.test", "TLS inside SOCKS4"},
    {"socks-https-example.test", "TLS inside SOCKS5"},
    {"mysql-tls.test", "TLS after a MySQL SSL request"},
    {"ldap-ssl.test", "LDAP StartTLS"},
    {"smtp-starttls.test", "SMTP STARTTLS (no SMTP parser)"},
    {"pppoe.test", "PPPoE framing (not decoded by this test's capture reader)"},
    {"adb_synthetic.test", "Android ADB STLS"},
    {"openvpn_synthetic.test", "TLS inside OpenVPN framing"},
};

static const char *arkime_skipped(const char *name)
{
	for (size_t i = 0; i < sizeof(arkime_skip) / sizeof(arkime_skip[0]); i++)
		if (strcmp(arkime_skip[i].name, name) == 0)
			return arkime_skip[i].why;
	return NULL;
}

static void test_arkime_fingerprints(void **state)
{
	(void)state;
	DIR *d = opendir(TD "/pcaps/arkime");
	if (d == NULL) {
		print_message(
		    "shared testdata absent: ../shared/testdata/pcaps/arkime\n");
		skip();
	}
	static const char *const keys[] = {"ja3", "ja3s", "ja4"};
	static const char *const paths[] = {"tls.ja3.hash", "tls.ja3s.hash", "tls.ja4"};
	unsigned checked = 0, matched = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".test") != 0)
			continue;
		if (arkime_skipped(e->d_name) != NULL)
			continue;
		char tp[1024], pp[1024];
		snprintf(tp, sizeof(tp), TD "/pcaps/arkime/%s", e->d_name);
		snprintf(pp, sizeof(pp), TD "/pcaps/arkime/%.*s.pcap", (int)(l - 5),
		         e->d_name);
		json_error_t err;
		json_t *exp = json_load_file(tp, 0, &err);
		if (exp == NULL || !have(pp)) {
			json_decref(exp);
			continue;
		}
		coll_t c;
		coll_init(&c);
		run_file(pp, &c);
		for (int k = 0; k < 3; k++) {
			json_t *acc = json_array();
			collect_expected(exp, keys[k], acc);
			size_t i;
			json_t *x;
			json_array_foreach(acc, i, x)
			{
				const char *want = json_string_value(x);
				if (want == NULL)
					continue;
				const char *const kv[] = {paths[k], want, NULL};
				checked++;
				if (count_match(&c, "tls", false, kv) > 0)
					matched++;
				else
					print_message("arkime %s: %s %s not found\n",
					              e->d_name, keys[k], want);
			}
			json_decref(acc);
		}
		json_decref(exp);
		setu_buf_free(&c.text);
	}
	closedir(d);
	print_message("arkime fingerprints: %u of %u matched\n", matched, checked);
	assert_true(checked > 40);
	assert_int_equal(matched, checked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sv_tls),
	    cmocka_unit_test(test_sv_dns),
	    cmocka_unit_test(test_sv_http_connect),
	    cmocka_unit_test(test_arkime_fingerprints),
	    cmocka_unit_test(test_all_sv_pcaps),
	    cmocka_unit_test(test_all_shared_pcaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
