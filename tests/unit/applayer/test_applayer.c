/* test_applayer.c — app-layer glue: protocol detection by content and port in both
 * directions (midstream, split first bytes), FAILED flows, tx draining, counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "al_test.h"
#include "common/limits.h"
#include "sensor/flow/flow.h"

#include <netinet/in.h>

static const char REQ[] = "GET /a HTTP/1.1\r\nHost: h.example\r\n\r\n";
static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

typedef struct cnt {
	const char *name;
	uint64_t val;
} cnt_t;

static void counter_cb(void *user, const char *name, uint64_t v)
{
	cnt_t *c = user;
	if (strcmp(name, c->name) == 0)
		c->val = v;
}

static uint64_t counter(const setu_applayer_ctx_t *ac, const char *name)
{
	cnt_t c = {name, UINT64_MAX};
	setu_applayer_counters(ac, counter_cb, &c);
	return c.val;
}

static void feed(setu_applayer_ctx_t *ac, setu_alstate_t *st, int dir, const char *s,
                 size_t n)
{
	assert_int_equal(setu_alstate_handle(ac, st, dir, (const uint8_t *)s, n, 0), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(setu_alproto_name(SETU_ALPROTO_DNS), "dns");
	assert_string_equal(setu_alproto_name(SETU_ALPROTO_FAILED), "failed");
	assert_int_equal(setu_alproto_by_name("tls"), SETU_ALPROTO_TLS);
	assert_int_equal(setu_alproto_by_name("http1"), SETU_ALPROTO_HTTP);
	assert_int_equal(setu_alproto_by_name("smtp"), SETU_ALPROTO_UNKNOWN);
	assert_string_equal(setu_applayer_event_name(SETU_ALPROTO_TLS, 0),
	                    "tls.invalid_sslv2_header");
}

/* Detection with the request's first bytes split at k: same EVE as unsplit. */
static void http_split(size_t k, setu_buf_t *out, bool midstream)
{
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	setu_alstate_t *st = setu_alstate_new(ac, false, 40000, 8080);
	if (midstream) { /* response bytes first, then the request */
		feed(ac, st, 1, RESP, k);
		feed(ac, st, 1, RESP + k, strlen(RESP) - k);
		assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_HTTP);
	} else {
		feed(ac, st, 0, REQ, k);
		feed(ac, st, 0, REQ + k, strlen(REQ) - k);
		assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_HTTP);
		feed(ac, st, 1, RESP, strlen(RESP));
	}
	al_out_t o;
	al_out_init(&o);
	setu_alstate_drain(ac, st, true, al_out_cb, &o);
	setu_buf_reset(out);
	setu_buf_append(out, o.text.data, o.text.len);
	setu_buf_free(&o.text);
	assert_int_equal(counter(ac, "app_layer.flow.http"), 1);
	assert_int_equal(counter(ac, "app_layer.tx.http"), o.ntx);
	setu_alstate_free(st);
	setu_applayer_ctx_free(ac);
}

static void test_http_detect_every_split(void **state)
{
	(void)state;
	setu_buf_t ref, got;
	setu_buf_init(&ref, 0);
	setu_buf_init(&got, 0);
	http_split(strlen(REQ), &ref, false);
	assert_non_null(strstr(ref.data, "\"url\":\"/a\""));
	assert_non_null(strstr(ref.data, "\"status\":200"));
	for (size_t k = 1; k < strlen(REQ); k++) {
		http_split(k, &got, false);
		assert_string_equal(got.data, ref.data);
	}
	/* midstream: only the response is seen; detected on the toclient side */
	for (size_t k = 1; k < strlen(RESP); k++) {
		http_split(k, &got, true);
		assert_non_null(strstr(got.data, "\"status\":200"));
	}
	setu_buf_free(&ref);
	setu_buf_free(&got);
}

/* Midstream pickup where the first bytes toserver are the server's: the flow is
 * reversed (as Suricata does) and the parser sees the logical directions. */
static void test_reversed_midstream(void **state)
{
	(void)state;
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	setu_alstate_t *st = setu_alstate_new(ac, false, 80, 54186);
	feed(ac, st, 0, RESP, 5);
	feed(ac, st, 0, RESP + 5, strlen(RESP) - 5);
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_HTTP);
	assert_true(setu_alstate_reversed(st));
	setu_alstate_handle(ac, st, 1, NULL, 0, SETU_AL_EOF);
	setu_alstate_handle(ac, st, 0, NULL, 0, SETU_AL_EOF);
	al_out_t o;
	al_out_init(&o);
	setu_alstate_drain(ac, st, true, al_out_cb, &o);
	assert_int_equal(o.ntx, 1);
	json_t *j = al_out_line(&o, 0);
	assert_int_equal(jint(j, "http.status"), 200);
	assert_int_equal(jint(j, "dir"), 0); /* relative to the reversed flow */
	json_decref(j);
	setu_buf_free(&o.text);
	setu_alstate_free(st);

	/* a ServerHello toserver */
	st = setu_alstate_new(ac, false, 443, 50000);
	feed(ac, st, 0, "\x16\x03\x03\x00\x04\x02\x00\x00\x00", 9);
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_TLS);
	assert_true(setu_alstate_reversed(st));
	setu_alstate_free(st);
	/* and the normal sense is not reversed */
	st = setu_alstate_new(ac, false, 50000, 443);
	feed(ac, st, 0, "\x16\x03\x01\x00\x04\x01\x00\x00\x00", 9);
	assert_false(setu_alstate_reversed(st));
	setu_alstate_free(st);
	setu_applayer_ctx_free(ac);
}

static void test_tls_any_port_and_failed(void **state)
{
	(void)state;
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	setu_alstate_t *st = setu_alstate_new(ac, false, 40000, 9999);
	feed(ac, st, 0, "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10);
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_TLS);
	setu_alstate_free(st);

	st = setu_alstate_new(ac, false, 40000, 22);
	feed(ac, st, 1, "SSH-2.0-OpenSSH_9.6\r\n", 21);
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_UNKNOWN);
	feed(ac, st, 0, "SSH-2.0-OpenSSH_9.6\r\n", 21);
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_FAILED);
	feed(ac, st, 0, REQ, strlen(REQ)); /* ignored once failed */
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_FAILED);
	setu_alstate_free(st);
	assert_int_equal(counter(ac, "app_layer.flow.failed_tcp"), 1);
	assert_int_equal(counter(ac, "app_layer.flow.tls"), 1);

	/* more than the probe limit of something that could still be HTTP: give up */
	st = setu_alstate_new(ac, false, 40000, 80);
	char big[SETU_AL_PROBE_MAX + 10];
	memset(big, 'G', sizeof(big));
	assert_int_equal(setu_alstate_handle(ac, st, 0, (const uint8_t *)big, 1, 0), 0);
	assert_int_equal(setu_alstate_proto(st),
	                 SETU_ALPROTO_UNKNOWN); /* "G" may be GET */
	assert_int_equal(
	    setu_alstate_handle(ac, st, 0, (const uint8_t *)big, sizeof(big), 0), 0);
	assert_int_equal(
	    setu_alstate_handle(ac, st, 1, (const uint8_t *)big, 4, SETU_AL_EOF), 0);
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_FAILED);
	setu_alstate_free(st);
	setu_applayer_ctx_free(ac);
}

static void test_dns_udp_tcp(void **state)
{
	(void)state;
	static const uint8_t q[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0,
	                            0,    0,    1,    'a',  0, 0, 1, 0, 1};
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	setu_alstate_t *st = setu_alstate_new(ac, true, 5353, 53);
	assert_int_equal(setu_alstate_handle(ac, st, 0, q, sizeof(q), 0), 0);
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_DNS);
	al_out_t o;
	al_out_init(&o);
	setu_alstate_drain(ac, st, false, al_out_cb, &o);
	assert_int_equal(o.ntx, 1);
	setu_alstate_drain(ac, st, true, al_out_cb, &o); /* exactly once */
	assert_int_equal(o.ntx, 1);
	setu_buf_free(&o.text);
	setu_alstate_free(st);
	assert_int_equal(counter(ac, "app_layer.tx.dns_udp"), 1);

	/* UDP to another port: not probed */
	st = setu_alstate_new(ac, true, 5000, 5001);
	setu_alstate_handle(ac, st, 0, q, sizeof(q), 0);
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_FAILED);
	setu_alstate_free(st);

	/* TCP/53 with the length prefix, split in two */
	uint8_t t[64];
	t[0] = 0;
	t[1] = sizeof(q);
	memcpy(t + 2, q, sizeof(q));
	st = setu_alstate_new(ac, false, 40000, 53);
	assert_int_equal(setu_alstate_handle(ac, st, 0, t, 5, 0), 0);
	assert_int_equal(setu_alstate_handle(ac, st, 0, t + 5, sizeof(q) + 2 - 5, 0), 0);
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_DNS);
	al_out_init(&o);
	setu_alstate_drain(ac, st, true, al_out_cb, &o);
	assert_int_equal(o.ntx, 1);
	setu_buf_free(&o.text);
	setu_alstate_free(st);
	assert_int_equal(counter(ac, "app_layer.flow.dns_tcp"), 1);
	setu_applayer_ctx_free(ac);
}

static void test_disabled_protocol(void **state)
{
	(void)state;
	setu_applayer_config_t cfg;
	setu_applayer_config_default(&cfg);
	cfg.http_enabled = false;
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(&cfg);
	setu_alstate_t *st = setu_alstate_new(ac, false, 40000, 80);
	feed(ac, st, 0, REQ, strlen(REQ));
	feed(ac, st, 1, RESP, strlen(RESP));
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_FAILED);
	setu_alstate_free(st);
	setu_applayer_ctx_free(ac);
}

static void test_connect_tunnel(void **state)
{
	(void)state;
	static const char con[] =
	    "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n";
	static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	/* plain HTTP inside the tunnel: a new session, tx ids from 0 again */
	setu_alstate_t *st = setu_alstate_new(ac, false, 40000, 3128);
	feed(ac, st, 0, con, strlen(con));
	feed(ac, st, 1, ok, strlen(ok));
	assert_int_equal(setu_alstate_proto(st),
	                 SETU_ALPROTO_UNKNOWN); /* detecting again */
	feed(ac, st, 0, REQ, strlen(REQ));
	feed(ac, st, 1, RESP, strlen(RESP));
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_HTTP);
	al_out_t o;
	al_out_init(&o);
	setu_alstate_drain(ac, st, true, al_out_cb, &o);
	assert_int_equal(o.ntx, 2);
	json_t *a = al_out_line(&o, 0), *b = al_out_line(&o, 1);
	assert_string_equal(jstr(a, "http.http_method"), "CONNECT");
	assert_int_equal(jint(a, "http.status"), 200);
	assert_string_equal(jstr(b, "http.url"), "/a");
	assert_int_equal(jint(b, "tx_id"), 0);
	json_decref(a);
	json_decref(b);
	setu_buf_free(&o.text);
	setu_alstate_free(st);

	/* TLS right behind the 200 in the same chunk, and a ClientHello the client sent
	 * before the answer: both reach the TLS parser */
	st = setu_alstate_new(ac, false, 40000, 3128);
	char c2[256], s2[256];
	size_t cn = strlen(con), sn = strlen(ok);
	memcpy(c2, con, cn);
	memcpy(c2 + cn, "\x16\x03\x01\x00\x04\x01\x00\x00\x00", 9);
	memcpy(s2, ok, sn);
	memcpy(s2 + sn, "\x16\x03\x03\x00\x04\x0e\x00\x00\x00", 9);
	feed(ac, st, 0, c2, cn + 9);
	feed(ac, st, 1, s2, sn + 9);
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_TLS);
	al_out_init(&o);
	setu_alstate_drain(ac, st, true, al_out_cb, &o);
	assert_int_equal(o.ntx, 2); /* the CONNECT and the TLS session */
	setu_buf_free(&o.text);
	setu_alstate_free(st);

	/* a refused CONNECT stays HTTP */
	st = setu_alstate_new(ac, false, 40000, 3128);
	feed(ac, st, 0, con, strlen(con));
	static const char no[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
	feed(ac, st, 1, no, strlen(no));
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_HTTP);
	setu_alstate_free(st);
	setu_applayer_ctx_free(ac);
}

static void buf_eq(setu_alproto_t proto, const setu_altx_t *tx, const char *kw,
                   const char *want)
{
	const uint8_t *p;
	uint32_t n;
	setu_al_buffer_t b = setu_al_buffer_by_name(kw);
	assert_int_not_equal(b, SETU_ALBUF_MAX);
	assert_int_equal(setu_al_buffer_proto(b), proto);
	assert_true(setu_applayer_tx_buffer(proto, tx, b, 0, &p, &n));
	assert_int_equal(n, strlen(want));
	assert_memory_equal(p, want, n);
}

static void kw_cb(void *user, setu_alproto_t proto, const setu_altx_t *tx)
{
	const uint8_t *p;
	uint32_t n;
	(*(int *)user)++;
	if (proto == SETU_ALPROTO_HTTP) {
		buf_eq(proto, tx, "http.uri", "/c/d.php?x=1%20");
		buf_eq(proto, tx, "http.uri.raw", "/a/../c/%64.php?x=1%20");
		buf_eq(proto, tx, "http.host", "www.example.com");
		buf_eq(proto, tx, "http.host.raw", "WWW.Example.COM");
		buf_eq(proto, tx, "http.method", "POST");
		buf_eq(proto, tx, "http.user_agent", "kw/1");
		buf_eq(proto, tx, "http.request_body", "abc");
		buf_eq(proto, tx, "http.stat_code", "404");
		buf_eq(proto, tx, "http.stat_msg", "Not Found");
		buf_eq(proto, tx, "http.response_body", "nope");
		buf_eq(proto, tx, "http.server", "kwsrv");
		/* a DNS keyword on an HTTP tx: refused */
		assert_false(
		    setu_applayer_tx_buffer(proto, tx, SETU_ALBUF_DNS_QUERY, 0, &p, &n));
		assert_false(setu_applayer_tx_buffer(proto, tx, SETU_ALBUF_HTTP_REFERER,
		                                     0, &p, &n));
	} else if (proto == SETU_ALPROTO_DNS) {
		buf_eq(proto, tx, "dns.query", "a");
		assert_false(
		    setu_applayer_tx_buffer(proto, tx, SETU_ALBUF_DNS_QUERY, 1, &p, &n));
	}
}

static void test_keyword_buffers(void **state)
{
	(void)state;
	static const char req[] =
	    "POST /a/../c/%64.php?x=1%20 HTTP/1.1\r\nHost: WWW.Example.COM\r\n"
	    "User-Agent: kw/1\r\nContent-Length: 3\r\n\r\nabc";
	static const char resp[] = "HTTP/1.1 404 Not Found\r\nServer: kwsrv\r\n"
	                           "Content-Length: 4\r\n\r\nnope";
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	setu_alstate_t *st = setu_alstate_new(ac, false, 40000, 80);
	feed(ac, st, 0, req, strlen(req));
	feed(ac, st, 1, resp, strlen(resp));
	int n = 0;
	setu_alstate_drain(ac, st, true, kw_cb, &n);
	assert_int_equal(n, 1);
	setu_alstate_free(st);
	static const uint8_t q[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0,
	                            0,    0,    1,    'a',  0, 0, 1, 0, 1};
	st = setu_alstate_new(ac, true, 5353, 53);
	setu_alstate_handle(ac, st, 0, q, sizeof(q), 0);
	setu_alstate_drain(ac, st, true, kw_cb, &n);
	assert_int_equal(n, 2);
	setu_alstate_free(st);
	assert_string_equal(setu_al_buffer_name(SETU_ALBUF_JA3_HASH), "ja3.hash");
	assert_int_equal(setu_al_buffer_by_name("no.such"), SETU_ALBUF_MAX);
	setu_applayer_ctx_free(ac);
}

static void flow_cb(void *user, setu_flow_t *f, setu_alproto_t proto,
                    const setu_altx_t *tx)
{
	assert_int_equal(proto, SETU_ALPROTO_HTTP);
	assert_int_equal(f->app_proto, SETU_ALPROTO_HTTP);
	assert_true(tx->complete);
	(*(int *)user)++;
}

/* The flow-table form: state in the flow's storage slot, app_proto kept in step. */
static void test_flow_glue(void **state)
{
	(void)state;
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	setu_flow_t f;
	memset(&f, 0, sizeof(f));
	f.proto = IPPROTO_TCP;
	f.sp = 40000;
	f.dp = 80;
	assert_null(setu_applayer_state(&f));
	assert_int_equal(
	    setu_applayer_handle(ac, &f, NULL, 0, (const uint8_t *)"GE", 2, 0), 0);
	assert_int_equal(f.app_proto, SETU_ALPROTO_UNKNOWN);
	assert_int_equal(setu_applayer_handle(ac, &f, NULL, 0, (const uint8_t *)REQ + 2,
	                                      strlen(REQ) - 2, 0),
	                 0);
	assert_int_equal(f.app_proto, SETU_ALPROTO_HTTP);
	assert_non_null(setu_alstate_tx_first(setu_applayer_state(&f))); /* in progress */
	setu_applayer_handle(ac, &f, NULL, 1, (const uint8_t *)RESP, strlen(RESP),
	                     SETU_AL_EOF);
	int n = 0;
	setu_applayer_drain(ac, &f, false, flow_cb, &n);
	assert_int_equal(n, 1);
	setu_applayer_drain(ac, &f, true, flow_cb, &n);
	assert_int_equal(n, 1);
	assert_ptr_equal(f.storage[SETU_FLOW_STORAGE_APPLAYER].free_fn,
	                 setu_alstate_free);
	f.storage[SETU_FLOW_STORAGE_APPLAYER].free_fn(
	    f.storage[SETU_FLOW_STORAGE_APPLAYER].ptr);

	/* UDP flow not on port 53: FAILED, and no state kept alive needlessly */
	memset(&f, 0, sizeof(f));
	f.proto = IPPROTO_UDP;
	f.sp = 1000;
	f.dp = 2000;
	setu_applayer_handle(ac, &f, NULL, 0, (const uint8_t *)"x", 1, 0);
	assert_int_equal(f.app_proto, SETU_ALPROTO_FAILED);
	f.storage[SETU_FLOW_STORAGE_APPLAYER].free_fn(
	    f.storage[SETU_FLOW_STORAGE_APPLAYER].ptr);
	setu_applayer_ctx_free(ac);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_http_detect_every_split),
	    cmocka_unit_test(test_reversed_midstream),
	    cmocka_unit_test(test_tls_any_port_and_failed),
	    cmocka_unit_test(test_dns_udp_tcp),
	    cmocka_unit_test(test_disabled_protocol),
	    cmocka_unit_test(test_flow_glue),
	    cmocka_unit_test(test_connect_tunnel),
	    cmocka_unit_test(test_keyword_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
