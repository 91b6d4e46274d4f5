/* test_applayer_swap.c — setu_alstate_swap after the engine swapped a reversed flow
 * (Suricata's FlowSwap): physical and logical directions agree from then on, held
 * detection bytes follow their endpoint, UDP DNS stops reading directions backwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "al_test.h"

static const char REQ[] = "GET /a HTTP/1.1\r\nHost: h.example\r\n\r\n";
static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

static void feed(setu_applayer_ctx_t *ac, setu_alstate_t *st, int dir, const char *s,
                 size_t n)
{
	assert_int_equal(setu_alstate_handle(ac, st, dir, (const uint8_t *)s, n, 0), 0);
}

static void eof_both(setu_applayer_ctx_t *ac, setu_alstate_t *st)
{
	setu_alstate_handle(ac, st, 0, NULL, 0, SETU_AL_EOF);
	setu_alstate_handle(ac, st, 1, NULL, 0, SETU_AL_EOF);
}

/* Picked up on a response toserver: reversed. Once swapped, the next request comes as
 * dir 0 and its response as dir 1, and the parser sees them as such. */
static void test_http_reversed_then_swapped(void **state)
{
	(void)state;
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	setu_alstate_t *st = setu_alstate_new(ac, false, 80, 54186);
	feed(ac, st, 0, RESP, strlen(RESP));
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_HTTP);
	assert_true(setu_alstate_reversed(st));
	setu_alstate_swap(st);
	assert_false(setu_alstate_reversed(st));
	feed(ac, st, 0, REQ, strlen(REQ));
	feed(ac, st, 1, RESP, strlen(RESP));
	eof_both(ac, st);
	al_out_t o;
	al_out_init(&o);
	setu_alstate_drain(ac, st, true, al_out_cb, &o);
	assert_int_equal(o.ntx, 2);
	json_t *j = al_out_line(&o, 1);
	assert_non_null(j);
	assert_string_equal(jstr(j, "http.url"), "/a");
	assert_int_equal(jint(j, "http.status"), 200);
	json_decref(j);
	setu_buf_free(&o.text);
	setu_alstate_free(st);
	setu_applayer_ctx_free(ac);
}

/* Bytes held while detecting belong to their endpoint: after a swap they are the other
 * direction's, and the rest of the message joins them there. */
static void test_probe_bytes_follow_swap(void **state)
{
	(void)state;
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	setu_alstate_t *st = setu_alstate_new(ac, false, 40000, 8080);
	feed(ac, st, 0, RESP, 4); /* "HTTP": not enough to tell */
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_UNKNOWN);
	setu_alstate_swap(st);
	feed(ac, st, 1, RESP + 4, strlen(RESP) - 4);
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_HTTP);
	assert_false(setu_alstate_reversed(st)); /* a response toclient */
	eof_both(ac, st);
	al_out_t o;
	al_out_init(&o);
	setu_alstate_drain(ac, st, true, al_out_cb, &o);
	assert_int_equal(o.ntx, 1);
	json_t *j = al_out_line(&o, 0);
	assert_non_null(j);
	assert_int_equal(jint(j, "http.status"), 200);
	json_decref(j);
	setu_buf_free(&o.text);
	setu_alstate_free(st);
	setu_applayer_ctx_free(ac);
}

/* UDP DNS seen first on a response toserver: reversed. Once swapped, a response toclient
 * is what it should be (no not_a_request event) and the flow is not reversed any more. */
static void test_dns_udp_reversed_then_swapped(void **state)
{
	(void)state;
	static const uint8_t r1[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0,
	                             0,    0,    1,    'a',  0, 0, 1, 0, 1};
	static const uint8_t r2[] = {0x12, 0x35, 0x81, 0x80, 0, 1, 0, 0, 0, 0,
	                             0,    0,    1,    'b',  0, 0, 1, 0, 1};
	setu_alproto_t p;
	int bit = setu_applayer_event_by_name("dns.not_a_request", &p);
	assert_true(bit >= 0);
	assert_int_equal(p, SETU_ALPROTO_DNS);
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	setu_alstate_t *st = setu_alstate_new(ac, true, 53, 5353);
	assert_int_equal(setu_alstate_handle(ac, st, 0, r1, sizeof(r1), 0), 0);
	assert_int_equal(setu_alstate_proto(st), SETU_ALPROTO_DNS);
	assert_true(setu_alstate_reversed(st));
	al_out_t o;
	al_out_init(&o);
	setu_alstate_drain(ac, st, false, al_out_cb, &o);
	assert_int_equal(o.ntx, 1);
	assert_false(o.events & (1u << bit)); /* a response from the server: fine */
	setu_alstate_swap(st);
	assert_false(setu_alstate_reversed(st));
	assert_int_equal(setu_alstate_handle(ac, st, 1, r2, sizeof(r2), 0), 0);
	setu_alstate_drain(ac, st, true, al_out_cb, &o);
	assert_int_equal(o.ntx, 2);
	assert_false(o.events & (1u << bit));
	setu_buf_free(&o.text);
	setu_alstate_free(st);
	setu_alstate_swap(NULL);
	setu_applayer_ctx_free(ac);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_http_reversed_then_swapped),
	    cmocka_unit_test(test_probe_bytes_follow_swap),
	    cmocka_unit_test(test_dns_udp_reversed_then_swapped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
