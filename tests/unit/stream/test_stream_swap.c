/* test_stream_swap.c — setu_stream_swap after setu_flow_swap (a midstream flow whose
 * first sender was the server, as Suricata's FlowSwap): each side's data, reassembly
 * progress and raw window follow its endpoint, and the RST's direction too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sensor/flow/flow.h"
#include "sensor/stream/stream.h"
#include "setu/error.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define CAP 4096

/* What the data callback saw, per direction index it was given. */
typedef struct seen {
	uint8_t buf[2][CAP];
	uint64_t end[2];
	size_t total[2];
	int gaps[2];
} seen_t;

typedef struct tctx {
	setu_flow_table_t *ft;
	setu_stream_ctx_t *sc;
	seen_t seen;
	setu_pkt_t p;
	setu_flow_t *f;
	time_t now;
} tctx_t;

static void on_data(void *user, setu_flow_t *f, int dir, const uint8_t *data, size_t len,
                    uint64_t offset, unsigned flags)
{
	seen_t *s = user;
	(void)f;
	assert_true(dir == 0 || dir == 1);
	if (flags & SETU_STREAM_DATA_GAP)
		s->gaps[dir]++;
	if (len == 0)
		return;
	assert_true(offset >= s->end[dir]); /* in order */
	assert_true(offset + len <= CAP);
	memcpy(s->buf[dir] + offset, data, len);
	s->end[dir] = offset + len;
	s->total[dir] += len;
}

static void setup_ctx(tctx_t *t)
{
	memset(t, 0, sizeof(*t));
	setu_flow_config_t fc;
	setu_flow_config_default(&fc);
	fc.hash_size = 64;
	fc.hash_seed = 7;
	fc.midstream = true;
	t->ft = setu_flow_table_new(&fc);
	assert_non_null(t->ft);
	setu_stream_config_t c;
	setu_stream_config_default(&c);
	c.deliver_on_ack = false; /* delivered as soon as in order */
	c.midstream = true;
	c.raw_window = 2048;
	t->sc = setu_stream_ctx_new(&c);
	assert_non_null(t->sc);
	t->now = 1000;
}

static void end_cb(void *user, setu_flow_t *f)
{
	tctx_t *t = user;
	setu_stream_flow_end(t->sc, f, on_data, &t->seen);
}

static void teardown_ctx(tctx_t *t)
{
	setu_flow_flush(t->ft, end_cb, t);
	setu_flow_table_free(t->ft);
	setu_stream_ctx_free(t->sc);
}

/* from_server: sent by 10.0.0.2:80 to the client 10.0.0.1:40000, else the other way. */
static int send_pkt(tctx_t *t, bool from_server, uint8_t flags, uint32_t seq,
                    uint32_t ack, const char *payload, size_t len)
{
	setu_pkt_t *p = &t->p;
	memset(p, 0, sizeof(*p));
	assert_int_equal(setu_addr_parse(&p->src, from_server ? "10.0.0.2" : "10.0.0.1"),
	                 0);
	assert_int_equal(setu_addr_parse(&p->dst, from_server ? "10.0.0.1" : "10.0.0.2"),
	                 0);
	p->ip_ver = 4;
	p->proto = IPPROTO_TCP;
	p->sp = from_server ? 80 : 40000;
	p->dp = from_server ? 40000 : 80;
	p->flags = SETU_PKT_HAS_L4;
	p->ts.tv_sec = t->now++;
	p->tcp.flags = flags;
	p->tcp.seq = seq;
	p->tcp.ack = ack;
	p->tcp.win = 65535;
	p->tcp.hlen = 20;
	p->payload = (const uint8_t *)payload;
	p->payload_len = (uint32_t)len;
	p->len = p->wire_len = (uint32_t)(54 + len);
	t->f = setu_flow_handle_packet(t->ft, p);
	assert_non_null(t->f);
	return setu_stream_handle_packet(t->sc, t->f, p, on_data, &t->seen);
}

#define S(str) str, (sizeof(str) - 1)
#define ACK SETU_TH_ACK
#define PSH SETU_TH_PUSH
#define RST SETU_TH_RST

static void raw_is(const setu_flow_t *f, int dir, const char *want, uint64_t off)
{
	const uint8_t *raw;
	size_t rl;
	uint64_t ro;
	assert_int_equal(setu_stream_raw_window(f, dir, &raw, &rl, &ro), 0);
	assert_int_equal(ro, off);
	assert_int_equal(rl, strlen(want));
	assert_memory_equal(raw, want, rl);
}

static void raw_empty(const setu_flow_t *f, int dir)
{
	const uint8_t *raw;
	size_t rl = 0;
	uint64_t ro;
	int rc = setu_stream_raw_window(f, dir, &raw, &rl, &ro);
	assert_true(rc == SETU_ENOENT || (rc == 0 && rl == 0));
}

/* Picked up on the server's data: the flow's toserver side is the server's. After the
 * swap the server's bytes are direction 1 and go on from where they were, the client's
 * direction 0. */
static void test_swap_follows_endpoints(void **state)
{
	(void)state;
	tctx_t t;
	setup_ctx(&t);
	assert_int_equal(
	    send_pkt(&t, true, ACK | PSH, 900, 500, S("HTTP/1.1 200 OK\r\n")), 0);
	assert_true(t.p.flags & SETU_PKT_TOSERVER); /* first sender: taken as client */
	assert_int_equal(t.seen.total[0], 17);
	raw_is(t.f, 0, "HTTP/1.1 200 OK\r\n", 0);
	raw_empty(t.f, 1);

	setu_flow_swap(t.f, &t.p);
	setu_stream_swap(t.f);
	assert_true(t.f->swapped);
	assert_true(t.p.flags & SETU_PKT_TOCLIENT);
	/* the server's data is direction 1 now, the client's (none yet) 0 */
	raw_is(t.f, 1, "HTTP/1.1 200 OK\r\n", 0);
	raw_empty(t.f, 0);
	memset(&t.seen, 0, sizeof(t.seen)); /* the consumer's directions swap too */

	/* the server goes on: direction 1, right after its earlier bytes (no gap) */
	assert_int_equal(send_pkt(&t, true, ACK | PSH, 917, 500, S("Server: x\r\n")), 0);
	assert_true(t.p.flags & SETU_PKT_TOCLIENT);
	raw_is(t.f, 1, "HTTP/1.1 200 OK\r\nServer: x\r\n", 0);
	assert_int_equal(t.seen.total[1], 11);
	assert_int_equal(t.seen.end[1], 28); /* offset 17: it continued the stream */
	assert_memory_equal(t.seen.buf[1] + 17, "Server: x\r\n", 11);
	assert_int_equal(t.seen.gaps[1], 0);

	/* the client's bytes (seq as the server acknowledged) start direction 0 */
	assert_int_equal(
	    send_pkt(&t, false, ACK | PSH, 500, 928, S("GET / HTTP/1.1\r\n")), 0);
	assert_true(t.p.flags & SETU_PKT_TOSERVER);
	raw_is(t.f, 0, "GET / HTTP/1.1\r\n", 0);
	raw_is(t.f, 1, "HTTP/1.1 200 OK\r\nServer: x\r\n", 0);
	assert_int_equal(t.seen.total[0], 16);
	assert_int_equal(t.seen.end[0], 16);
	assert_memory_equal(t.seen.buf[0], "GET / HTTP/1.1\r\n", 16);
	assert_int_equal(t.seen.gaps[0], 0);
	teardown_ctx(&t);
}

/* Swapping twice gives the session back as it was. */
static void test_swap_twice(void **state)
{
	(void)state;
	tctx_t t;
	setup_ctx(&t);
	assert_int_equal(send_pkt(&t, true, ACK | PSH, 900, 500, S("abc")), 0);
	assert_int_equal(send_pkt(&t, false, ACK | PSH, 500, 903, S("xy")), 0);
	raw_is(t.f, 0, "abc", 0);
	raw_is(t.f, 1, "xy", 0);
	setu_stream_swap(t.f);
	raw_is(t.f, 0, "xy", 0);
	raw_is(t.f, 1, "abc", 0);
	setu_stream_swap(t.f);
	raw_is(t.f, 0, "abc", 0);
	raw_is(t.f, 1, "xy", 0);
	setu_stream_swap(NULL); /* no flow, no session: nothing to do */
	teardown_ctx(&t);
}

/* The RST's direction is swapped with the streams: data after a RST from its sender is a
 * suspected injection, from the other side it is not. */
static void test_swap_rst_dir(void **state)
{
	(void)state;
	tctx_t t;
	setup_ctx(&t);
	assert_int_equal(send_pkt(&t, true, ACK | PSH, 900, 500, S("abc")), 0);
	assert_int_equal(send_pkt(&t, false, ACK | PSH, 500, 903, S("xy")), 0);
	/* the server (still taken as the client) resets ... */
	assert_int_equal(send_pkt(&t, true, RST | ACK, 903, 502, NULL, 0), 0);
	assert_true(t.p.flags & SETU_PKT_TOSERVER);
	assert_string_equal(setu_stream_state_name(t.f), "closed");
	setu_flow_swap(t.f, &t.p);
	setu_stream_swap(t.f);
	/* ... then both talk: only the server's data is suspect */
	send_pkt(&t, false, ACK | PSH, 502, 903, S("late"));
	assert_false(setu_pkt_has_event(&t.p, SETU_EV_STREAM_SUSPECTED_RST_INJECT));
	send_pkt(&t, true, ACK | PSH, 903, 502, S("more"));
	assert_true(setu_pkt_has_event(&t.p, SETU_EV_STREAM_SUSPECTED_RST_INJECT));
	teardown_ctx(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_swap_follows_endpoints),
	    cmocka_unit_test(test_swap_twice),
	    cmocka_unit_test(test_swap_rst_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
