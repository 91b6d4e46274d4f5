/* test_http.c — HTTP/1.x through libhtp: EVE "http" extended fields, pipelining, chunked
 * and gzip bodies, body limits, every split point of request and response. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "al_test.h"
#include "sensor/applayer/http/http.h"

#include <zlib.h>

static const char REQ[] = "GET /index.html?x=1 HTTP/1.1\r\n"
                          "Host: www.example.com:8080\r\n"
                          "User-Agent: test/1.0\r\n"
                          "Referer: http://ref.example/\r\n"
                          "\r\n";
static const char RESP[] = "HTTP/1.1 301 Moved Permanently\r\n"
                           "Content-Type: text/html; charset=utf-8\r\n"
                           "Location: /new\r\n"
                           "Content-Length: 5\r\n"
                           "\r\n"
                           "hello";

typedef struct run {
	setu_http_cfg_t *hc;
	setu_http_state_t *hs;
} run_t;

static void run_start(run_t *r, size_t req_limit, size_t resp_limit)
{
	r->hc = setu_http_cfg_new(req_limit, resp_limit);
	assert_non_null(r->hc);
	r->hs = setu_http_state_new(r->hc);
	assert_non_null(r->hs);
}

static void run_end(run_t *r, al_out_t *o, bool flow_end)
{
	setu_altxq_drain(setu_http_txq(r->hs), SETU_ALPROTO_HTTP, flow_end, al_out_cb, o,
	                 setu_http_tx_release, r->hs);
	setu_http_state_free(r->hs);
	setu_http_cfg_free(r->hc);
}

static void test_basic_fields(void **state)
{
	(void)state;
	run_t r;
	run_start(&r, 4096, 4096);
	assert_int_equal(setu_http_parse(r.hs, 0, (const uint8_t *)REQ, strlen(REQ), 0),
	                 0);
	assert_int_equal(setu_http_parse(r.hs, 1, (const uint8_t *)RESP, strlen(RESP), 0),
	                 0);
	assert_true(setu_http_txq(r.hs)->head->complete);
	al_out_t o;
	al_out_init(&o);
	run_end(&r, &o, false);
	assert_int_equal(o.ntx, 1);
	json_t *j = al_out_line(&o, 0);
	assert_non_null(j);
	assert_string_equal(jstr(j, "http.hostname"), "www.example.com");
	assert_int_equal(jint(j, "http.http_port"), 8080);
	assert_string_equal(jstr(j, "http.url"), "/index.html?x=1");
	assert_string_equal(jstr(j, "http.http_user_agent"), "test/1.0");
	assert_string_equal(jstr(j, "http.http_content_type"), "text/html");
	assert_string_equal(jstr(j, "http.http_refer"), "http://ref.example/");
	assert_string_equal(jstr(j, "http.http_method"), "GET");
	assert_string_equal(jstr(j, "http.protocol"), "HTTP/1.1");
	assert_int_equal(jint(j, "http.status"), 301);
	assert_string_equal(jstr(j, "http.redirect"), "/new");
	assert_int_equal(jint(j, "http.length"), 5);
	assert_null(jpath(j, "http.request_headers"));
	json_decref(j);
	setu_buf_free(&o.text);
}

static void test_headers_dump_and_no_port(void **state)
{
	(void)state;
	static const char req[] =
	    "POST /a HTTP/1.0\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
	static const char resp[] = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody";
	run_t r;
	run_start(&r, 4096, 4096);
	setu_http_parse(r.hs, 0, (const uint8_t *)req, strlen(req), SETU_AL_EOF);
	setu_http_parse(r.hs, 1, (const uint8_t *)resp, strlen(resp), SETU_AL_EOF);
	setu_http_tx_t *tx = (setu_http_tx_t *)setu_http_txq(r.hs)->head;
	assert_non_null(tx);
	assert_int_equal(tx->req_body.len, 3);
	assert_memory_equal(tx->req_body.data, "abc", 3);
	assert_int_equal(tx->resp_body.len, 4);
	const uint8_t *v;
	uint32_t n;
	assert_true(setu_http_tx_header(tx, 1, "server", &v, &n));
	assert_memory_equal(v, "x", 1);
	al_out_t o;
	al_out_init(&o);
	o.opts.http_request_headers = o.opts.http_response_headers = true;
	run_end(&r, &o, true);
	json_t *j = al_out_line(&o, 0);
	assert_null(jpath(j, "http.http_port"));
	assert_string_equal(jstr(j, "http.http_method"), "POST");
	assert_string_equal(jstr(j, "http.request_headers[0].name"), "Host");
	assert_string_equal(jstr(j, "http.request_headers[1].value"), "3");
	assert_string_equal(jstr(j, "http.response_headers[0].name"), "Server");
	json_decref(j);
	setu_buf_free(&o.text);
}

static void test_pipelining(void **state)
{
	(void)state;
	static const char req[] =
	    "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
	                           "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nB";
	run_t r;
	run_start(&r, 4096, 4096);
	setu_http_parse(r.hs, 0, (const uint8_t *)req, strlen(req), 0);
	setu_http_parse(r.hs, 1, (const uint8_t *)resp, strlen(resp), 0);
	al_out_t o;
	al_out_init(&o);
	run_end(&r, &o, false);
	assert_int_equal(o.ntx, 2);
	json_t *a = al_out_line(&o, 0), *b = al_out_line(&o, 1);
	assert_string_equal(jstr(a, "http.url"), "/1");
	assert_int_equal(jint(a, "http.status"), 200);
	assert_string_equal(jstr(b, "http.url"), "/2");
	assert_int_equal(jint(b, "http.status"), 404);
	assert_int_equal(jint(b, "tx_id"), 1);
	json_decref(a);
	json_decref(b);
	setu_buf_free(&o.text);
}

static size_t gzip_data(const char *in, uint8_t *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY),
	                 Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)strlen(in);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t n = z.total_out;
	deflateEnd(&z);
	return n;
}

static void test_chunked_gzip_and_limit(void **state)
{
	(void)state;
	char plain[3000];
	for (size_t i = 0; i < sizeof(plain) - 1; i++)
		plain[i] = (char)('a' + i % 26);
	plain[sizeof(plain) - 1] = '\0';
	uint8_t gz[4096];
	size_t gn = gzip_data(plain, gz, sizeof(gz));
	char resp[8192];
	int hl = snprintf(resp, sizeof(resp),
	                  "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
	                  "Transfer-Encoding: chunked\r\n\r\n%zx\r\n",
	                  gn);
	memcpy(resp + hl, gz, gn);
	size_t rn = (size_t)hl + gn;
	memcpy(resp + rn, "\r\n0\r\n\r\n", 7);
	rn += 7;
	static const char req[] = "GET /z HTTP/1.1\r\nHost: a\r\n\r\n";
	run_t r;
	run_start(&r, 4096, 1000); /* response body limit 1000 bytes */
	setu_http_parse(r.hs, 0, (const uint8_t *)req, strlen(req), 0);
	/* byte by byte */
	for (size_t i = 0; i < rn; i++)
		assert_int_equal(
		    setu_http_parse(r.hs, 1, (const uint8_t *)resp + i, 1, 0), 0);
	setu_http_tx_t *tx = (setu_http_tx_t *)setu_http_txq(r.hs)->head;
	assert_true(tx->hdr.complete);
	assert_int_equal(tx->resp_body.len, 1000);
	assert_true(tx->resp_body_trunc);
	assert_int_equal(tx->resp_body_seen, strlen(plain));
	assert_memory_equal(tx->resp_body.data, plain, 1000);
	al_out_t o;
	al_out_init(&o);
	run_end(&r, &o, false);
	setu_buf_free(&o.text);
}

/* The request body of a POST with the given Content-Encoding, fed byte by byte when
 * bytewise; returns the tx's request body as a string in out. */
static void post_body(const char *enc, const uint8_t *body, size_t bn, bool bytewise,
                      size_t req_limit, char *out, size_t cap)
{
	char req[8192];
	int hl = snprintf(req, sizeof(req),
	                  "POST /p HTTP/1.1\r\nHost: a\r\nContent-Encoding: %s\r\n"
	                  "Content-Length: %zu\r\n\r\n",
	                  enc, bn);
	memcpy(req + hl, body, bn);
	size_t rn = (size_t)hl + bn;
	run_t r;
	run_start(&r, req_limit, 4096);
	if (bytewise) {
		for (size_t i = 0; i < rn; i++)
			assert_int_equal(
			    setu_http_parse(r.hs, 0, (const uint8_t *)req + i, 1, 0), 0);
	} else {
		assert_int_equal(setu_http_parse(r.hs, 0, (const uint8_t *)req, rn, 0),
		                 0);
	}
	setu_http_tx_t *tx = (setu_http_tx_t *)setu_http_txq(r.hs)->head;
	assert_non_null(tx);
	assert_true(tx->req_body.len < cap);
	memcpy(out, tx->req_body.data, tx->req_body.len);
	out[tx->req_body.len] = '\0';
	al_out_t o;
	al_out_init(&o);
	run_end(&r, &o, true);
	setu_buf_free(&o.text);
}

/* Request bodies: gzip and deflate (zlib and raw) are inflated; a body announced as
 * gzip that is clear text is inspected as it came (Suricata issue 6959); the inflated
 * body stops at the request body limit. */
static void test_request_body_encodings(void **state)
{
	(void)state;
	static const char text[] = "{\"sdk_version\":11026,\"app_package\":\"x\"}";
	char got[4096];
	uint8_t z[1024];
	size_t zn = gzip_data(text, z, sizeof(z));
	post_body("gzip", z, zn, false, 4096, got, sizeof(got));
	assert_string_equal(got, text);
	post_body("x-gzip", z, zn, true, 4096, got, sizeof(got));
	assert_string_equal(got, text);
	/* clear text under a gzip header */
	post_body("gzip", (const uint8_t *)text, strlen(text), false, 4096, got,
	          sizeof(got));
	assert_string_equal(got, text);
	post_body("gzip", (const uint8_t *)text, strlen(text), true, 4096, got,
	          sizeof(got));
	assert_string_equal(got, text);
	/* deflate: zlib-wrapped and raw */
	for (int wb = 15; wb >= -15; wb -= 30) {
		z_stream d;
		memset(&d, 0, sizeof(d));
		assert_int_equal(
		    deflateInit2(&d, 6, Z_DEFLATED, wb, 8, Z_DEFAULT_STRATEGY), Z_OK);
		d.next_in = (Bytef *)(uintptr_t)text;
		d.avail_in = (uInt)strlen(text);
		d.next_out = z;
		d.avail_out = sizeof(z);
		assert_int_equal(deflate(&d, Z_FINISH), Z_STREAM_END);
		size_t dn = d.total_out;
		deflateEnd(&d);
		post_body("deflate", z, dn, wb < 0, 4096, got, sizeof(got));
		assert_string_equal(got, text);
	}
	/* a bomb stops at the limit */
	static char big[200000];
	memset(big, 'A', sizeof(big) - 1);
	uint8_t *bz = malloc(sizeof(big));
	assert_non_null(bz);
	size_t bzn = gzip_data(big, bz, sizeof(big));
	assert_true(bzn < 1000);
	post_body("gzip", bz, bzn, false, 100, got, sizeof(got));
	assert_int_equal(strlen(got), 100);
	free(bz);
}

static void split_run(size_t kq, size_t kr, setu_buf_t *out)
{
	run_t r;
	run_start(&r, 4096, 4096);
	const uint8_t *q = (const uint8_t *)REQ, *s = (const uint8_t *)RESP;
	size_t qn = strlen(REQ), sn = strlen(RESP);
	setu_http_parse(r.hs, 0, q, kq, 0);
	setu_http_parse(r.hs, 0, q + kq, qn - kq, 0);
	setu_http_parse(r.hs, 1, s, kr, 0);
	setu_http_parse(r.hs, 1, s + kr, sn - kr, 0);
	al_out_t o;
	al_out_init(&o);
	run_end(&r, &o, false);
	setu_buf_reset(out);
	setu_buf_append(out, o.text.data, o.text.len);
	setu_buf_free(&o.text);
}

static void test_every_split(void **state)
{
	(void)state;
	setu_buf_t ref, got;
	setu_buf_init(&ref, 0);
	setu_buf_init(&got, 0);
	split_run(strlen(REQ), strlen(RESP), &ref);
	assert_true(ref.len > 50);
	for (size_t k = 0; k <= strlen(REQ); k++) {
		split_run(k, strlen(RESP), &got);
		assert_string_equal(got.data, ref.data);
	}
	for (size_t k = 0; k <= strlen(RESP); k++) {
		split_run(strlen(REQ), k, &got);
		assert_string_equal(got.data, ref.data);
	}
	setu_buf_free(&ref);
	setu_buf_free(&got);
}

static void test_probe_and_events(void **state)
{
	(void)state;
	assert_int_equal(setu_http_probe((const uint8_t *)"GET / ", 6, 0), 1);
	assert_int_equal(setu_http_probe((const uint8_t *)"PO", 2, 0), 0);
	assert_int_equal(setu_http_probe((const uint8_t *)"\x16\x03\x01", 3, 0), -1);
	assert_int_equal(setu_http_probe((const uint8_t *)"HTTP/1.1 200", 12, 1), 1);
	assert_int_equal(setu_http_probe((const uint8_t *)"HTT", 3, 1), 0);
	assert_int_equal(setu_http_probe((const uint8_t *)"SSH-2.0", 7, 1), -1);
	assert_int_equal(setu_http_probe((const uint8_t *)"\r\n", 2, 0), 0);
	assert_int_equal(setu_http_probe((const uint8_t *)"\nGET /", 6, 0), 1);
	assert_int_equal(setu_http_probe((const uint8_t *)"\n\nHTTP/1.0", 11, 1), 1);
	/* HTTP/1.1 request without Host: libhtp flags it, we raise the event */
	static const char req[] = "GET / HTTP/1.1\r\nA: b\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	run_t r;
	run_start(&r, 4096, 4096);
	setu_http_parse(r.hs, 0, (const uint8_t *)req, strlen(req), 0);
	setu_http_parse(r.hs, 1, (const uint8_t *)resp, strlen(resp), 0);
	al_out_t o;
	al_out_init(&o);
	run_end(&r, &o, false);
	assert_true(o.events & SETU_HTTP_EV(MISSING_HOST_HEADER));
	setu_buf_free(&o.text);
}

static void test_status_string(void **state)
{
	(void)state;
	static const char req[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char resp[] = "HTTP/1.1 2XX OK\r\nContent-Length: 0\r\n\r\n";
	run_t r;
	run_start(&r, 4096, 4096);
	setu_http_parse(r.hs, 0, (const uint8_t *)req, strlen(req), 0);
	setu_http_parse(r.hs, 1, (const uint8_t *)resp, strlen(resp), SETU_AL_EOF);
	al_out_t o;
	al_out_init(&o);
	run_end(&r, &o, true);
	json_t *j = al_out_line(&o, 0);
	assert_string_equal(jstr(j, "http.status_string"), "2XX");
	assert_null(jpath(j, "http.status"));
	json_decref(j);
	setu_buf_free(&o.text);
}

static void test_incomplete_at_flow_end(void **state)
{
	(void)state;
	static const char req[] = "GET /only-request HTTP/1.1\r\nHost: a\r\n\r\n";
	run_t r;
	run_start(&r, 4096, 4096);
	setu_http_parse(r.hs, 0, (const uint8_t *)req, strlen(req), 0);
	al_out_t o;
	al_out_init(&o);
	setu_altxq_drain(setu_http_txq(r.hs), SETU_ALPROTO_HTTP, false, al_out_cb, &o,
	                 setu_http_tx_release, r.hs);
	assert_int_equal(o.ntx, 0); /* not complete yet */
	run_end(&r, &o, true);
	assert_int_equal(o.ntx, 1);
	json_t *j = al_out_line(&o, 0);
	assert_string_equal(jstr(j, "http.url"), "/only-request");
	assert_null(jpath(j, "http.status"));
	json_decref(j);
	setu_buf_free(&o.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic_fields),
	    cmocka_unit_test(test_headers_dump_and_no_port),
	    cmocka_unit_test(test_pipelining),
	    cmocka_unit_test(test_chunked_gzip_and_limit),
	    cmocka_unit_test(test_request_body_encodings),
	    cmocka_unit_test(test_every_split),
	    cmocka_unit_test(test_probe_and_events),
	    cmocka_unit_test(test_status_string),
	    cmocka_unit_test(test_incomplete_at_flow_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
