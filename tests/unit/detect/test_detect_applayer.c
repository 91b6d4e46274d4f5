/* test_detect_applayer.c — app-layer rule keywords (Suricata sticky buffers, legacy
 * content modifiers, pcre HTTP modifiers, transforms, urilen, bsize, absent, dns.*,
 * tls.*, ja3, ssl_*, app-layer-protocol, app-layer rule headers): parsing and
 * validation, then matching on transactions that the real parsers build from hand-made
 * HTTP/DNS/TLS bytes, with the spine's call order (handle, detect_packet, drain ->
 * setu_detect_tx): once per rule and tx, tx_id, request vs response direction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sensor/applayer/applayer.h"
#include "sensor/detect/detect.h"
#include "sensor/flow/flow.h"
#include "sensor/stream/stream-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- alerts ---- */

typedef struct hit {
	uint32_t sid;
	uint8_t flags;
	uint64_t tx_id;
	uint64_t pcap_cnt;
	uint16_t sp, dp; /* ports of the packet the alert reports */
} hit_t;

typedef struct hits {
	int n;
	hit_t h[64];
} hits_t;

static void on_alert(void *user, const setu_pkt_t *p, const setu_alert_t *a)
{
	hits_t *h = user;
	if (h->n < 64) {
		hit_t *x = &h->h[h->n++];
		x->sid = a->rule->sid;
		x->flags = a->flags;
		x->tx_id = a->tx_id;
		x->pcap_cnt = p->pcap_cnt;
		x->sp = p->sp;
		x->dp = p->dp;
	}
}

static int count(const hits_t *h, uint32_t sid)
{
	int c = 0;
	for (int i = 0; i < h->n; i++)
		c += h->h[i].sid == sid;
	return c;
}

static const hit_t *find(const hits_t *h, uint32_t sid)
{
	for (int i = 0; i < h->n; i++)
		if (h->h[i].sid == sid)
			return &h->h[i];
	return NULL;
}

/* ---- loading ---- */

typedef struct probs {
	int skipped, failed;
	char last[256];
} probs_t;

static void on_problem(void *user, const setu_detect_problem_t *pb)
{
	probs_t *p = user;
	if (pb->skipped)
		p->skipped++;
	else
		p->failed++;
	setu_diag_format(pb->diag, p->last, sizeof(p->last));
}

static setu_detect_engine_t *load(const char *rules)
{
	setu_diag_t d = {0};
	probs_t pr = {0};
	setu_detect_engine_t *de = setu_detect_engine_load_mem(
	    NULL, "test.rules", rules, strlen(rules), on_problem, &pr, &d);
	assert_non_null(de);
	if (pr.skipped + pr.failed != 0)
		print_error("rule problem: %s\n", pr.last);
	assert_int_equal(pr.skipped + pr.failed, 0);
	return de;
}

/* one rule: 0 loaded, 1 skipped (unsupported), 2 failed */
static int load_one(const char *rule)
{
	setu_diag_t d = {0};
	probs_t pr = {0};
	setu_detect_engine_t *de = setu_detect_engine_load_mem(
	    NULL, "one.rules", rule, strlen(rule), on_problem, &pr, &d);
	assert_non_null(de);
	setu_detect_engine_free(de);
	return pr.skipped ? 1 : pr.failed ? 2 : 0;
}

/* ---- a flow driven like the spine drives it ---- */

typedef struct sess {
	setu_applayer_ctx_t *ac;
	setu_detect_thread_t *dt;
	setu_flow_t f;
	setu_pkt_t *cur;
	hits_t h;
	uint64_t npkt;
	bool udp;
} sess_t;

static void on_tx(void *user, setu_flow_t *f, setu_alproto_t proto, const setu_altx_t *tx)
{
	sess_t *s = user;
	setu_detect_tx(s->dt, s->cur, f, (int)proto, tx, on_alert, &s->h);
}

static void sess_init(sess_t *s, const setu_detect_engine_t *de, bool udp, uint16_t dport)
{
	memset(s, 0, sizeof(*s));
	s->ac = setu_applayer_ctx_new(NULL);
	assert_non_null(s->ac);
	s->dt = setu_detect_thread_new(de);
	assert_non_null(s->dt);
	s->udp = udp;
	assert_int_equal(setu_addr_parse(&s->f.src, "10.0.0.1"), 0);
	assert_int_equal(setu_addr_parse(&s->f.dst, "192.0.2.9"), 0);
	s->f.sp = 40000;
	s->f.dp = dport;
	s->f.proto = udp ? 17 : 6;
	s->f.state = SETU_FLOW_STATE_ESTABLISHED;
	s->f.last.tv_sec = 1000;
}

/* One packet of direction dir carrying data (delivered to the app-layer as it is). */
static void sess_pkt(sess_t *s, int dir, const void *data, size_t len)
{
	setu_pkt_t p;
	memset(&p, 0, sizeof(p));
	p.src = dir == 0 ? s->f.src : s->f.dst;
	p.dst = dir == 0 ? s->f.dst : s->f.src;
	p.sp = dir == 0 ? s->f.sp : s->f.dp;
	p.dp = dir == 0 ? s->f.dp : s->f.sp;
	p.ip_ver = 4;
	p.proto = s->f.proto;
	p.flags = SETU_PKT_HAS_L4 | (dir == 0 ? SETU_PKT_TOSERVER : SETU_PKT_TOCLIENT);
	if (!s->udp)
		p.flags |= SETU_PKT_STREAM_EST;
	p.ts.tv_sec = 1000;
	p.pcap_cnt = ++s->npkt;
	p.flow = &s->f;
	/* TCP data is inspected by stream rules, not as a packet payload */
	p.payload = s->udp ? data : NULL;
	p.payload_len = s->udp ? (uint32_t)len : 0;
	s->cur = &p;
	if (len > 0)
		assert_int_equal(
		    setu_applayer_handle(s->ac, &s->f, &p, dir, data, len, 0), 0);
	setu_detect_packet(s->dt, &p, on_alert, &s->h);
	setu_applayer_drain(s->ac, &s->f, false, on_tx, s);
	/* the spine logs the packet's detection events after the drain */
	(void)setu_applayer_take_detect_events(&s->f);
	s->cur = NULL;
}

static void sess_end(sess_t *s)
{
	setu_applayer_drain(s->ac, &s->f, true, on_tx, s);
	for (int i = 0; i < SETU_FLOW_STORAGE_MAX; i++)
		if (s->f.storage[i].ptr != NULL && s->f.storage[i].free_fn != NULL)
			s->f.storage[i].free_fn(s->f.storage[i].ptr);
	setu_detect_thread_free(s->dt);
	setu_applayer_ctx_free(s->ac);
}

/* ---- parsing ---- */

static void test_parse(void **state)
{
	(void)state;
	static const char *const ok[] = {
	    "alert http any any -> any any (http.uri; content:\"/a\"; sid:1;)",
	    "alert tcp any any -> any 80 (content:\"/a\"; http_uri; nocase; sid:1;)",
	    "alert tcp any any -> any 80 (content:\"x\"; http_header; fast_pattern; "
	    "sid:1;)",
	    "alert http any any -> any any (uricontent:\"/a\"; sid:1;)",
	    "alert http any any -> any any (http.method; content:\"GET\"; bsize:3; "
	    "sid:1;)",
	    "alert http any any -> any any (http.host; to_lowercase; content:\"a.b\"; "
	    "sid:1;)",
	    "alert http any any -> any any (urilen:>10,raw; sid:1;)",
	    "alert http any any -> any any (urilen:5<>10; sid:1;)",
	    "alert http any any -> any any (pcre:\"/^\\/x/U\"; sid:1;)",
	    "alert http any any -> any any (file_data; content:\"MZ\"; within:2; sid:1;)",
	    "alert http any any -> any any (flow:to_client; file.data; absent; sid:1;)",
	    "alert http any any -> any any (http.request_body; absent: or_else; "
	    "content:!\"x\"; sid:1;)",
	    "alert http any any -> any any (http.header_names; content:\"|0d 0a|Host\"; "
	    "sid:1;)",
	    "alert dns any any -> any any (dns.query; dotprefix; content:\".evil.com\"; "
	    "endswith; sid:1;)",
	    "alert dns any any -> any any (dns.opcode:!0; sid:1;)",
	    "alert dns any any -> any any (dns.rrtype:16; sid:1;)",
	    "alert dns any any -> any any (dns.rcode:nxdomain; sid:1;)",
	    "alert udp any any -> any 53 (dns_query; content:\"x\"; sid:1;)",
	    "alert tls any any -> any any (tls.sni; content:\"x\"; sid:1;)",
	    "alert tls any any -> any any (tls.version:1.2; sid:1;)",
	    "alert tls any any -> any any (ssl_version:tls1.2,!sslv3; sid:1;)",
	    "alert tls any any -> any any (ssl_state:client_hello|server_hello; sid:1;)",
	    "alert tls any any -> any any (tls.subject:\"CN=a\"; sid:1;)",
	    "alert tls any any -> any any (tls.fingerprint:!\"aa:bb\"; sid:1;)",
	    "alert tls any any -> any any (tls.cert_expired; sid:1;)",
	    "alert tls any any -> any any (tls.cert_notafter:>2015-01-01; sid:1;)",
	    "alert tls any any -> any any (tls.store; sid:1;)",
	    "alert tls any any -> any any (ja3.hash; content:\"e7\"; sid:1;)",
	    "alert tls any any -> any any (ja3s.string; content:\"771\"; sid:1;)",
	    "alert tls any any => any any (ja3s.hash; content:\"a\"; ja3.string; "
	    "content:\"b\"; sid:1;)",
	    "alert tcp any any -> any any (app-layer-protocol:!http; sid:1;)",
	    "alert http any any -> any any (content:\"GET\"; sid:1;)",
	    "alert http any any -> any any (app-layer-event:http.request_smuggling; "
	    "sid:1;)",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int rc = load_one(ok[i]);
		if (rc != 0)
			print_error("expected to load: %s\n", ok[i]);
		assert_int_equal(rc, 0);
	}
	static const char *const bad[] = {
	    /* legacy modifier after a sticky buffer */
	    "alert http any any -> any any (http.uri; content:\"a\"; http_uri; sid:1;)",
	    /* bsize without a buffer */
	    "alert http any any -> any any (content:\"a\"; bsize:3; sid:1;)",
	    /* two protocols */
	    "alert tcp any any -> any any (dns.query; content:\"a\"; http.uri; "
	    "content:\"b\"; sid:1;)",
	    /* response buffer with to_server */
	    "alert http any any -> any any (flow:to_server; http.stat_code; "
	    "content:\"200\"; sid:1;)",
	    /* transform after the buffer's content */
	    "alert http any any -> any any (http.uri; content:\"a\"; to_lowercase; "
	    "sid:1;)",
	    "alert tls any any -> any any (tls.version:9.9; sid:1;)",
	    "alert http any any -> any any (urilen:abc; sid:1;)",
	    "alert tls any any -> any any (tls.cert_notbefore:yesterday; sid:1;)",
	    "alert dns any any -> any any (dns.opcode:99; sid:1;)",
	    "alert http any any -> any any (http.uri; absent; bsize:2; sid:1;)",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = load_one(bad[i]);
		if (rc != 2)
			print_error("expected an error: %s\n", bad[i]);
		assert_int_equal(rc, 2);
	}
	/* honest skips: what the parsers do not track */
	assert_int_equal(load_one("alert tls any any -> any any (ssl_state:server_keyx|"
	                          "unknown; sid:1;)"),
	                 0);
	assert_int_equal(
	    load_one("alert tls any any -> any any (ssl_state:client_keyx; sid:1;)"), 1);
	assert_int_equal(load_one("alert smtp any any -> any any (file_data; "
	                          "content:\"x\"; sid:1;)"),
	                 1);
	assert_int_equal(
	    load_one("alert tcp any any -> any any (app-layer-protocol:smb; sid:1;)"), 1);
	assert_int_equal(
	    load_one("alert tcp any any -> any any (app-layer-event:smb.x; sid:1;)"), 1);

	/* stats: app-layer header rules of parsed protocols are no longer pending */
	setu_detect_engine_t *de =
	    load("alert http any any -> any any (http.uri; content:\"a\"; sid:1;)\n"
	         "alert ftp any any -> any any (content:\"USER\"; sid:2;)\n");
	assert_int_equal(setu_detect_engine_stats(de)->applayer_pending, 1);
	setu_detect_engine_free(de);
}

/* ---- HTTP ---- */

static const char REQ[] = "GET /Admin/%41b.php?id=1 HTTP/1.1\r\n"
                          "Host: WWW.Example.COM\r\n"
                          "User-Agent: EvilBot/2.0\r\n"
                          "Accept: */*\r\n"
                          "Cookie: session=abc\r\n"
                          "\r\n";
static const char RESP[] = "HTTP/1.1 404 Not Found\r\n"
                           "Server: nginx/1.2\r\n"
                           "Content-Type: text/html\r\n"
                           "Set-Cookie: k=v\r\n"
                           "Content-Length: 11\r\n"
                           "\r\n"
                           "MZ payload!";

static void test_http(void **state)
{
	(void)state;
	setu_detect_engine_t *de = load(
	    "alert http any any -> any any (http.uri; content:\"/admin/ab.php\"; "
	    "startswith; sid:1;)\n"
	    "alert http any any -> any any (http.uri.raw; content:\"%41b\"; sid:2;)\n"
	    "alert tcp any any -> any any (content:\"GET\"; http_method; "
	    "content:\"example.com\"; http_host; sid:3;)\n"
	    "alert http any any -> any any (http.host.raw; content:\"WWW.Example\"; "
	    "sid:4;)\n"
	    "alert http any any -> any any (http.user_agent; content:\"evilbot\"; "
	    "nocase; "
	    "bsize:11; sid:5;)\n"
	    "alert http any any -> any any (http.header; content:\"Accept|3a 20|*/*|0d "
	    "0a|\"; sid:6;)\n"
	    "alert http any any -> any any (flow:to_server; http.header; "
	    "content:\"Cookie\"; sid:7;)\n" /* Cookie is not in http.header */
	    "alert http any any -> any any (http.cookie; content:\"session=abc\"; "
	    "sid:8;)\n"
	    "alert http any any -> any any (http.stat_code; content:\"404\"; sid:9;)\n"
	    "alert http any any -> any any (http.stat_msg; content:\"Not Found\"; "
	    "sid:10;)\n"
	    "alert http any any -> any any (flow:to_client; file_data; content:\"MZ\"; "
	    "startswith; sid:11;)\n"
	    "alert http any any -> any any (http.content_type; content:\"text/html\"; "
	    "sid:12;)\n"
	    "alert http any any -> any any (urilen:>5; sid:13;)\n"
	    "alert http any any -> any any (urilen:<5; sid:14;)\n"
	    "alert http any any -> any any (pcre:\"/^\\/admin\\//Ui\"; sid:15;)\n"
	    "alert http any any -> any any (uricontent:\"id=1\"; sid:16;)\n"
	    "alert http any any -> any any (http.host; content:\"WWW\"; sid:17;)\n"
	    "alert http any any -> any any (http.uri.raw; url_decode; "
	    "content:\"/Admin/Ab.php\"; sid:18;)\n"
	    "alert http any any -> any any (http.header_names; "
	    "content:\"|0d 0a|Host|0d 0a|User-Agent|0d 0a|\"; sid:19;)\n"
	    "alert http any any -> any any (flow:to_client; http.header; "
	    "content:\"Server|3a 20|nginx\"; sid:20;)\n"
	    "alert http any any -> any any (http.method; content:\"GET\"; "
	    "http.stat_code; content:\"404\"; sid:21;)\n"
	    "alert http any any -> any any (http.request_line; content:\"GET "
	    "/Admin/%41b.php?id=1 HTTP/1.1\"; bsize:33; sid:22;)\n"
	    "alert http any any -> any any (http.response_body; absent; sid:23;)\n"
	    "alert http any any -> any any (http.request_body; absent; sid:24;)\n"
	    "alert http any any -> any any (http.server; content:\"nginx\"; sid:25;)\n"
	    "alert http any any -> any any (http.start; content:\"GET /\"; startswith; "
	    "content:\"|0d 0a 0d 0a|\"; endswith; sid:26;)\n"
	    "alert tcp any any -> any any (app-layer-protocol:http; content:\"x\"; "
	    "sid:27;)\n"
	    "alert http any any -> any any (http.accept; content:\"*/*\"; bsize:3; "
	    "sid:28;)\n"
	    "alert dns any any -> any any (dns.query; content:\"x\"; sid:29;)\n");
	sess_t s;
	sess_init(&s, de, false, 80);
	sess_pkt(&s, 0, REQ, strlen(REQ));
	sess_pkt(&s, 0, NULL, 0); /* request side inspected on a to-server packet */
	/* request-side rules matched before the response exists (http.uri is decoded and,
	 * with libhtp's IDS personality as in Suricata's default config, lower case) */
	assert_int_equal(count(&s.h, 1), 1);
	const hit_t *h1 = find(&s.h, 1);
	assert_non_null(h1);
	assert_true(h1->flags & SETU_ALERT_TX);
	assert_int_equal(h1->tx_id, 0);
	assert_int_equal(h1->dp, 80); /* reported client -> server */
	assert_int_equal(count(&s.h, 9), 0);
	sess_pkt(&s, 1, RESP, strlen(RESP));
	sess_pkt(&s, 0, NULL, 0);
	sess_end(&s);
	static const uint32_t yes[] = {1,  2,  3,  4,  5,  6,  8,  9,  10, 11, 12, 13,
	                               15, 16, 18, 19, 20, 21, 22, 24, 25, 26, 28};
	static const uint32_t no[] = {7, 14, 17, 23, 27, 29};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (count(&s.h, yes[i]) != 1)
			print_error("sid %u: %d alerts, want 1\n", yes[i],
			            count(&s.h, yes[i]));
		assert_int_equal(count(&s.h, yes[i]), 1);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (count(&s.h, no[i]) != 0)
			print_error("sid %u alerted\n", no[i]);
		assert_int_equal(count(&s.h, no[i]), 0);
	}
	/* response rules report the server -> client direction */
	assert_int_equal(find(&s.h, 9)->sp, 80);
	setu_detect_engine_free(de);
}

/* Two requests on one connection: each tx alerts once, with its own tx_id. */
static void test_http_pipelined(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert http any any -> any any (http.method; content:\"GET\"; sid:1;)\n"
	         "alert http any any -> any any (http.uri; content:\"/two\"; sid:2;)\n");
	static const char two[] = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
	                          "GET /two HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	                           "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	sess_t s;
	sess_init(&s, de, false, 80);
	sess_pkt(&s, 0, two, strlen(two));
	sess_pkt(&s, 0, NULL, 0);
	sess_pkt(&s, 1, resp, strlen(resp));
	sess_pkt(&s, 0, NULL, 0);
	sess_end(&s);
	assert_int_equal(count(&s.h, 1), 2);
	assert_int_equal(count(&s.h, 2), 1);
	assert_int_equal(find(&s.h, 2)->tx_id, 1);
	bool ids[2] = {false, false};
	for (int i = 0; i < s.h.n; i++)
		if (s.h.h[i].sid == 1 && s.h.h[i].tx_id < 2)
			ids[s.h.h[i].tx_id] = true;
	assert_true(ids[0] && ids[1]);
	setu_detect_engine_free(de);
}

/* ---- DNS ---- */

typedef struct mb {
	uint8_t b[512];
	size_t n;
} mb_t;

static void p8(mb_t *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}
static void p16(mb_t *m, unsigned v)
{
	p8(m, v >> 8);
	p8(m, v & 0xff);
}
static void pname(mb_t *m, const char *dotted)
{
	while (*dotted) {
		const char *e = strchr(dotted, '.');
		size_t l = e ? (size_t)(e - dotted) : strlen(dotted);
		p8(m, (unsigned)l);
		memcpy(m->b + m->n, dotted, l);
		m->n += l;
		dotted += l;
		if (*dotted == '.')
			dotted++;
	}
	p8(m, 0);
}

/* a query (flags 0x0100) or a response (flags given) for name/type, with an optional
 * CNAME answer */
static void dns_msg(mb_t *m, unsigned flags, const char *name, unsigned type,
                    const char *cname)
{
	m->n = 0;
	p16(m, 0x1234);
	p16(m, flags);
	p16(m, 1);
	p16(m, cname != NULL ? 1 : 0);
	p16(m, 0);
	p16(m, 0);
	pname(m, name);
	p16(m, type);
	p16(m, 1);
	if (cname != NULL) {
		p16(m, 0xc00c);
		p16(m, 5);
		p16(m, 1);
		p16(m, 0);
		p16(m, 60);
		size_t at = m->n;
		p16(m, 0);
		pname(m, cname);
		size_t l = m->n - at - 2;
		m->b[at] = (uint8_t)(l >> 8);
		m->b[at + 1] = (uint8_t)l;
	}
}

static void test_dns(void **state)
{
	(void)state;
	setu_detect_engine_t *de = load(
	    "alert dns any any -> any any (dns.query; content:\"evil.example\"; nocase; "
	    "sid:1;)\n"
	    "alert dns any any -> any any (dns.query; dotprefix; content:\".example\"; "
	    "nocase; endswith; sid:2;)\n"
	    "alert dns any any -> any any (dns.query; dotprefix; content:\".ample\"; "
	    "nocase; endswith; sid:3;)\n"
	    "alert dns any any -> any any (dns.opcode:0; flow:to_server; sid:4;)\n"
	    "alert dns any any -> any any (dns.rrtype:16; sid:5;)\n"
	    "alert dns any any -> any any (dns.rrtype:1; sid:6;)\n"
	    "alert dns any any -> any any (dns.rcode:nxdomain; sid:7;)\n"
	    "alert dns any any -> any any (dns.answers.rrname; content:\"Evil\"; "
	    "sid:8;)\n"
	    "alert dns any any -> any any (dns.response.rrname; "
	    "content:\"cdn.example.net\"; sid:9;)\n"
	    "alert udp any any -> any 53 (dns_query; to_lowercase; "
	    "content:\"evil.example\"; bsize:12; sid:10;)\n"
	    "alert dns any any -> any any (dns.opcode:!0; sid:11;)\n"
	    "alert udp any any -> any any (app-layer-protocol:dns; "
	    "content:\"|12 34|\"; depth:2; sid:12;)\n"
	    "alert dns any any -> any any (content:\"|12 34 81 83|\"; depth:4; sid:13;)\n"
	    "alert http any any -> any any (content:\"|12 34|\"; sid:14;)\n"
	    /* transformed buffers are prefiltered on the untransformed bytes: the dot a
	     * dotprefix adds (a match at its start), the case to_uppercase folds */
	    "alert dns any any -> any any (dns.query; dotprefix; "
	    "content:\".evil.example\"; nocase; sid:15;)\n"
	    "alert dns any any -> any any (dns.query; to_uppercase; content:\"EVIL.EX\"; "
	    "sid:16;)\n"
	    "alert dns any any -> any any (dns.query; dotprefix; content:\"..evil\"; "
	    "nocase; sid:17;)\n");
	mb_t q, r;
	dns_msg(&q, 0x0100, "Evil.Example", 1, NULL);
	dns_msg(&r, 0x8183, "Evil.Example", 1, "cdn.example.net");
	sess_t s;
	sess_init(&s, de, true, 53);
	sess_pkt(&s, 0, q.b, q.n);
	sess_pkt(&s, 1, r.b, r.n);
	sess_end(&s);
	/* dns.query is a request buffer: one alert, from the query packet */
	assert_int_equal(count(&s.h, 1), 1);
	assert_int_equal(find(&s.h, 1)->pcap_cnt, 1);
	assert_int_equal(count(&s.h, 3), 0);
	assert_int_equal(count(&s.h, 4), 1);
	assert_int_equal(count(&s.h, 5), 0);
	assert_int_equal(count(&s.h, 6), 2); /* the question of the query and response */
	assert_int_equal(count(&s.h, 7), 1);
	assert_int_equal(find(&s.h, 7)->tx_id, 1);
	assert_int_equal(count(&s.h, 8), 1);
	assert_int_equal(count(&s.h, 9), 1);
	assert_int_equal(count(&s.h, 15), 1);
	assert_int_equal(count(&s.h, 16), 1);
	assert_int_equal(count(&s.h, 17), 0);
	assert_int_equal(count(&s.h, 10), 1);
	assert_int_equal(count(&s.h, 11), 0);
	assert_int_equal(count(&s.h, 12), 2); /* packet rules on dns flows */
	assert_int_equal(count(&s.h, 13), 1);
	assert_int_equal(count(&s.h, 14), 0);
	setu_detect_engine_free(de);
}

/* ---- TLS ---- */

typedef struct tb {
	uint8_t b[1024];
	size_t n;
} tb_t;

static void t8(tb_t *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}
static void t16(tb_t *m, unsigned v)
{
	t8(m, v >> 8);
	t8(m, v & 0xff);
}
static void tbytes(tb_t *m, const char *s)
{
	size_t l = strlen(s);
	memcpy(m->b + m->n, s, l);
	m->n += l;
}
/* back-fill a big-endian length of `w` bytes at `at` with what follows it */
static void tlen(tb_t *m, size_t at, int w)
{
	size_t l = m->n - at - (size_t)w;
	for (int i = w - 1; i >= 0; i--, l >>= 8)
		m->b[at + (size_t)i] = (uint8_t)l;
}

/* a handshake record holding one message of type t built by body() */
static void tls_record(tb_t *m, unsigned t, void (*body)(tb_t *))
{
	m->n = 0;
	t8(m, 22);
	t16(m, 0x0301);
	size_t rl = m->n;
	t16(m, 0);
	t8(m, t);
	size_t hl = m->n;
	t8(m, 0);
	t16(m, 0);
	body(m);
	tlen(m, hl, 3);
	tlen(m, rl, 2);
}

static void ch_body(tb_t *m)
{
	t16(m, 0x0303);
	for (int i = 0; i < 32; i++)
		t8(m, 7);
	t8(m, 0);
	t16(m, 4);
	t16(m, 0xc02f);
	t16(m, 0x009c);
	t8(m, 1);
	t8(m, 0);
	size_t el = m->n;
	t16(m, 0);
	t16(m, 0); /* server_name */
	size_t a = m->n;
	t16(m, 0);
	size_t b = m->n;
	t16(m, 0);
	t8(m, 0);
	size_t c = m->n;
	t16(m, 0);
	tbytes(m, "Secret.Example.org");
	tlen(m, c, 2);
	tlen(m, b, 2);
	tlen(m, a, 2);
	t16(m, 16); /* ALPN: h2 */
	size_t d = m->n;
	t16(m, 0);
	size_t e = m->n;
	t16(m, 0);
	t8(m, 2);
	tbytes(m, "h2");
	tlen(m, e, 2);
	tlen(m, d, 2);
	tlen(m, el, 2);
}

static void sh_body(tb_t *m)
{
	t16(m, 0x0303);
	for (int i = 0; i < 32; i++)
		t8(m, 9);
	t8(m, 0);
	t16(m, 0xc02f);
	t8(m, 0);
	t16(m, 0);
}

static void test_tls(void **state)
{
	(void)state;
	setu_detect_engine_t *de = load(
	    "alert tls any any -> any any (tls.sni; content:\"secret.example.org\"; "
	    "nocase; bsize:18; sid:1;)\n"
	    "alert tls any any -> any any (tls_sni; content:\"other\"; sid:2;)\n"
	    "alert tls any any -> any any (ja3.hash; pcre:\"/^[0-9a-f]{32}$/\"; sid:3;)\n"
	    "alert tls any any -> any any (ja3.string; content:\"771,49199-156,0-16\"; "
	    "startswith; sid:4;)\n"
	    "alert tls any any -> any any (ja3s.string; content:\"771,49199,\"; "
	    "startswith; sid:5;)\n"
	    "alert tls any any -> any any (tls.version:1.2; flow:to_client; sid:6;)\n"
	    "alert tls any any -> any any (ssl_version:tls1.2; sid:7;)\n"
	    "alert tls any any -> any any (ssl_version:!tls1.2; sid:8;)\n"
	    "alert tls any any -> any any (ssl_state:client_hello; flow:to_server; "
	    "sid:9;)\n"
	    "alert tls any any -> any any (tls.alpn; content:\"h2\"; bsize:2; sid:10;)\n"
	    "alert tls any any -> any any (tls.cert_subject; content:\"CN\"; sid:11;)\n"
	    "alert tls any any -> any any (tls.cert_chain_len:0; sid:12;)\n"
	    "alert tls any any -> any any (ja4.hash; content:\"t\"; startswith; "
	    "sid:13;)\n"
	    "pass tls any any -> any any (tls.sni; content:\"nothing\"; sid:14;)\n"
	    "alert tls any any -> any any (tls.sni; content:\"secret\"; nocase; "
	    "tls.store; sid:15;)\n");
	tb_t ch, sh;
	tls_record(&ch, 1, ch_body);
	tls_record(&sh, 2, sh_body);
	sess_t s;
	sess_init(&s, de, false, 443);
	sess_pkt(&s, 0, ch.b, ch.n);
	/* the client side is inspected as soon as the ClientHello is parsed */
	assert_int_equal(count(&s.h, 1), 1);
	assert_int_equal(find(&s.h, 1)->pcap_cnt, 1);
	sess_pkt(&s, 1, sh.b, sh.n);
	sess_end(&s);
	assert_int_equal(count(&s.h, 1), 1);
	assert_int_equal(count(&s.h, 2), 0);
	assert_int_equal(count(&s.h, 3), 1);
	assert_int_equal(count(&s.h, 4), 1);
	assert_int_equal(count(&s.h, 5), 1);
	assert_int_equal(count(&s.h, 6), 1);
	assert_int_equal(count(&s.h, 7), 1);
	assert_int_equal(count(&s.h, 8), 0);
	assert_int_equal(count(&s.h, 9), 1);
	assert_int_equal(count(&s.h, 10), 1);
	assert_int_equal(count(&s.h, 11), 0); /* no certificate */
	assert_int_equal(count(&s.h, 12), 1);
	assert_int_equal(count(&s.h, 13), 1);
	assert_int_equal(count(&s.h, 15), 1);
	setu_detect_engine_free(de);
}

static void kx_body(tb_t *m)
{
	t8(m, 3); /* a few opaque bytes: the key exchange's content is not looked at */
	t8(m, 0x1d);
	t8(m, 0x20);
}

static void empty_body(tb_t *m)
{
	(void)m;
}

/* ssl_state's key exchange and unknown states follow the handshake messages seen */
static void test_tls_states(void **state)
{
	(void)state;
	setu_detect_engine_t *de = load(
	    "alert tls any any -> any any (ssl_state:server_keyx; sid:1;)\n"
	    "alert tls any any -> any any (ssl_state:unknown; sid:3;)\n"
	    "alert tls any any -> any any (ssl_state:client_hello|unknown; sid:4;)\n");
	tb_t ch, sh, skx, shd, ckx, odd;
	tls_record(&ch, 1, ch_body);
	tls_record(&sh, 2, sh_body);
	tls_record(&skx, 12, kx_body);
	tls_record(&shd, 14, empty_body);
	tls_record(&ckx, 16, kx_body);
	sess_t s;
	sess_init(&s, de, false, 443);
	sess_pkt(&s, 0, ch.b, ch.n);
	sess_pkt(&s, 1, sh.b, sh.n);
	sess_pkt(&s, 1, skx.b, skx.n);
	sess_pkt(&s, 1, shd.b, shd.n);
	sess_pkt(&s, 0, ckx.b, ckx.n);
	sess_end(&s);
	assert_int_equal(count(&s.h, 1), 1);
	assert_int_equal(count(&s.h, 3), 0);
	assert_int_equal(count(&s.h, 4), 1);

	/* a handshake type no TLS version defines */
	tls_record(&odd, 99, kx_body);
	sess_t s2;
	sess_init(&s2, de, false, 443);
	sess_pkt(&s2, 0, ch.b, ch.n);
	sess_pkt(&s2, 0, odd.b, odd.n);
	sess_pkt(&s2, 1, sh.b, sh.n);
	sess_end(&s2);
	assert_int_equal(count(&s2.h, 3), 1);
	setu_detect_engine_free(de);
}

/* A tx rule with raw payload keywords (uricontent + content) whose request reaches the
 * app-layer only at flow end (never ACKed): the flow-end pseudo packet of the request's
 * direction inspects it while the stream is still there; the hand-over that follows
 * (stream released) does not alert again. */
/* app-layer-event:applayer_mismatch_protocol_both_directions (ET/Suricata sid 2260000):
 * on the packet whose data showed the second direction speaking another protocol, once;
 * detection events setu does not raise leave their rules skipped. */
static void test_detect_events(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert ip any any -> any any (msg:\"mismatch\"; "
	         "app-layer-event:applayer_mismatch_protocol_both_directions; sid:1;)\n"
	         "alert tcp any any -> any any (app-layer-event:"
	         "applayer_mismatch_protocol_both_directions; flow:to_client; sid:2;)\n");
	assert_int_equal(load_one("alert ip any any -> any any (app-layer-event:"
	                          "applayer_wrong_direction_first_data; sid:3;)\n"),
	                 1);
	static const char req[] = "GET / HTTP/1.1\r\nHost: 192.0.2.9:22\r\n\r\n";
	static const char ssh[] = "SSH-2.0-OpenSSH_6.6.1\r\n";
	sess_t s;
	sess_init(&s, de, false, 22);
	sess_pkt(&s, 0, req, strlen(req));
	assert_int_equal(s.h.n, 0);
	sess_pkt(&s, 1, ssh, strlen(ssh));
	assert_int_equal(count(&s.h, 1), 1);
	assert_int_equal(count(&s.h, 2), 1);
	assert_int_equal(find(&s.h, 1)->pcap_cnt, 2);
	/* raised once: later packets do not match it again */
	sess_pkt(&s, 0, req, strlen(req));
	sess_pkt(&s, 1, ssh, strlen(ssh));
	assert_int_equal(count(&s.h, 1), 1);
	sess_end(&s);
	/* agreeing directions raise nothing */
	sess_init(&s, de, false, 80);
	sess_pkt(&s, 0, req, strlen(req));
	sess_pkt(&s, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38);
	assert_int_equal(count(&s.h, 1), 0);
	sess_end(&s);
	setu_detect_engine_free(de);
}

static void test_tx_payload_at_flow_end(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert tcp any any -> any any (flow:to_server,established; "
	         "uricontent:\"/admin/\"; nocase; content:\"evilbot\"; nocase; "
	         "sid:1;)\n"
	         "alert tcp any any -> any any (flow:to_server,established; "
	         "uricontent:\"/admin/\"; nocase; content:\"goodbot\"; sid:2;)\n");
	sess_t s;
	sess_init(&s, de, false, 80);
	struct setu_tcp_session *ssn = calloc(1, sizeof(*ssn));
	assert_non_null(ssn);
	s.f.tcp = ssn;
	/* flow end: the stream hands the request over with no packet ... */
	assert_int_equal(setu_applayer_handle(s.ac, &s.f, NULL, 0, (const uint8_t *)REQ,
	                                      sizeof(REQ) - 1, 0),
	                 0);
	/* ... its raw window holds it while the pseudo packet is inspected */
	ssn->s[0].raw = (uint8_t *)(uintptr_t)REQ;
	ssn->s[0].raw_len = ssn->s[0].raw_cap = sizeof(REQ) - 1;
	setu_pkt_t p;
	memset(&p, 0, sizeof(p));
	p.src = s.f.src;
	p.dst = s.f.dst;
	p.sp = s.f.sp;
	p.dp = s.f.dp;
	p.ip_ver = 4;
	p.proto = 6;
	p.flags =
	    SETU_PKT_HAS_L4 | SETU_PKT_TOSERVER | SETU_PKT_STREAM_EST | SETU_PKT_PSEUDO;
	p.flow = &s.f;
	setu_detect_stream(s.dt, &p, 0, ssn->s[0].raw, ssn->s[0].raw_len, 0, on_alert,
	                   &s.h);
	assert_int_equal(count(&s.h, 1), 1);
	assert_int_equal(count(&s.h, 2), 0);
	const hit_t *x = find(&s.h, 1);
	assert_non_null(x);
	assert_true(x->flags & SETU_ALERT_TX);
	assert_int_equal(x->tx_id, 0);
	assert_int_equal(x->sp, 40000);
	/* the stream is released, then the tx handed over: no second alert */
	ssn->s[0].raw = NULL;
	ssn->s[0].raw_len = ssn->s[0].raw_cap = 0;
	sess_end(&s);
	assert_int_equal(count(&s.h, 1), 1);
	assert_int_equal(count(&s.h, 2), 0);
	free(ssn);
	setu_detect_engine_free(de);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_http),
	    cmocka_unit_test(test_http_pipelined),
	    cmocka_unit_test(test_dns),
	    cmocka_unit_test(test_tls),
	    cmocka_unit_test(test_tls_states),
	    cmocka_unit_test(test_detect_events),
	    cmocka_unit_test(test_tx_payload_at_flow_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
