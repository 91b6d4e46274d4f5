/* test_stream_timestamps.c — TCP timestamp checks of the stream engine (RFC 7323 §5 PAWS
 * as Suricata's stream-tcp.c applies it with its default "bsd" policy): negotiation on
 * the handshake, old and zero TSvals, RSTs, segments without the option, the 24-day idle
 * rule, wrap-around, midstream pickups. Hand-made packets. */
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

#define SYN SETU_TH_SYN
#define ACK SETU_TH_ACK
#define FIN SETU_TH_FIN
#define RST SETU_TH_RST
#define PSH SETU_TH_PUSH
#define S(str) str, (sizeof(str) - 1)
#define NO_TS UINT64_MAX /* the packet carries no timestamps option */
#define DAY (24 * 60 * 60)

typedef struct tctx {
	setu_flow_table_t *ft;
	setu_stream_ctx_t *sc;
	setu_pkt_t p; /* the last packet */
	setu_flow_t *f;
	time_t now;
	size_t delivered[2]; /* bytes handed on per direction */
} tctx_t;

static void on_data(void *user, setu_flow_t *f, int dir, const uint8_t *data, size_t len,
                    uint64_t offset, unsigned flags)
{
	tctx_t *t = user;
	(void)f, (void)data, (void)offset, (void)flags;
	t->delivered[dir] += len;
}

static void setup(tctx_t *t, bool midstream)
{
	memset(t, 0, sizeof(*t));
	setu_flow_config_t fc;
	setu_flow_config_default(&fc);
	fc.hash_size = 64;
	fc.midstream = midstream;
	t->ft = setu_flow_table_new(&fc);
	assert_non_null(t->ft);
	setu_stream_config_t c;
	setu_stream_config_default(&c);
	c.deliver_on_ack = false; /* data is handed on as soon as it is in order */
	c.midstream = midstream;
	t->sc = setu_stream_ctx_new(&c);
	assert_non_null(t->sc);
	t->now = 1000000;
}

static void end_cb(void *user, setu_flow_t *f)
{
	tctx_t *t = user;
	setu_stream_flow_end(t->sc, f, on_data, t);
}

static void teardown(tctx_t *t)
{
	setu_flow_flush(t->ft, end_cb, t);
	setu_flow_table_free(t->ft);
	setu_stream_ctx_free(t->sc);
}

/* dir 0: client 10.0.0.1:40000 -> server 10.0.0.2:80. ts: (tsval << 32 | tsecr), or
 * NO_TS. The packet time advances one second per packet. */
static int send_ts(tctx_t *t, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                   uint64_t ts, const char *payload, size_t len)
{
	setu_pkt_t *p = &t->p;
	memset(p, 0, sizeof(*p));
	assert_int_equal(setu_addr_parse(&p->src, dir == 0 ? "10.0.0.1" : "10.0.0.2"), 0);
	assert_int_equal(setu_addr_parse(&p->dst, dir == 0 ? "10.0.0.2" : "10.0.0.1"), 0);
	p->ip_ver = 4;
	p->proto = IPPROTO_TCP;
	p->sp = dir == 0 ? 40000 : 80;
	p->dp = dir == 0 ? 80 : 40000;
	p->flags = SETU_PKT_HAS_L4;
	p->ts.tv_sec = t->now++;
	p->tcp.flags = flags;
	p->tcp.seq = seq;
	p->tcp.ack = ack;
	p->tcp.win = 65535;
	p->tcp.hlen = ts == NO_TS ? 20 : 32;
	if (ts != NO_TS) {
		p->tcp.has_ts = true;
		p->tcp.tsval = (uint32_t)(ts >> 32);
		p->tcp.tsecr = (uint32_t)ts;
	}
	p->payload = (const uint8_t *)payload;
	p->payload_len = (uint32_t)len;
	p->len = p->wire_len = (uint32_t)(54 + p->tcp.hlen - 20 + len);
	t->f = setu_flow_handle_packet(t->ft, p);
	assert_non_null(t->f);
	return setu_stream_handle_packet(t->sc, t->f, p, on_data, t);
}

static uint64_t TS(uint32_t val, uint32_t ecr)
{
	return (uint64_t)val << 32 | ecr;
}

static bool bad_ts(const tctx_t *t)
{
	return setu_pkt_has_event(&t->p, SETU_EV_STREAM_PKT_INVALID_TIMESTAMP);
}

/* Client ISN 1000, server ISN 5000; the SYN's and SYN/ACK's timestamps as given. */
static void handshake(tctx_t *t, uint64_t syn_ts, uint64_t synack_ts)
{
	assert_int_equal(send_ts(t, 0, SYN, 1000, 0, syn_ts, NULL, 0), 0);
	assert_int_equal(send_ts(t, 1, SYN | ACK, 5000, 1001, synack_ts, NULL, 0), 0);
	uint64_t ack_ts = NO_TS; /* the client's next TSval, echoing the server's */
	if (syn_ts != NO_TS)
		ack_ts = TS((uint32_t)(syn_ts >> 32) + 1,
		            synack_ts == NO_TS ? 0 : (uint32_t)(synack_ts >> 32));
	assert_int_equal(send_ts(t, 0, ACK, 1001, 5001, ack_ts, NULL, 0), 0);
	assert_int_equal(setu_stream_state(t->f), SETU_TCP_ESTABLISHED);
	assert_false(bad_ts(t));
}

static void test_negotiated_old_tsval_is_ignored(void **state)
{
	(void)state;
	tctx_t t;
	setup(&t, false);
	handshake(&t, TS(100, 0), TS(7000, 100));
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1001, 5001, TS(102, 7000), S("abcd")),
	                 0);
	assert_int_equal(t.delivered[0], 4);
	/* a pure ACK at next_seq moves the client's TS.Recent to 150 */
	assert_int_equal(send_ts(&t, 0, ACK, 1005, 5001, TS(150, 7000), NULL, 0), 0);
	/* PAWS: a segment whose TSval is older is a replay: event, not reassembled */
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1005, 5001, TS(149, 7000), S("efgh")),
	                 SETU_EINVAL);
	assert_true(bad_ts(&t));
	assert_int_equal(t.delivered[0], 4);
	/* the same bytes with a current TSval are taken */
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1005, 5001, TS(150, 7000), S("efgh")),
	                 0);
	assert_false(bad_ts(&t));
	assert_int_equal(t.delivered[0], 8);
	/* the server's side is judged on its own TSvals */
	assert_int_equal(send_ts(&t, 1, ACK, 5001, 1009, TS(6999, 150), NULL, 0),
	                 SETU_EINVAL);
	assert_true(bad_ts(&t));
	assert_int_equal(send_ts(&t, 1, ACK, 5001, 1009, TS(7000, 150), NULL, 0), 0);
	assert_false(bad_ts(&t));
	teardown(&t);
}

static void test_zero_tsval_is_invalid(void **state)
{
	(void)state;
	tctx_t t;
	setup(&t, false);
	handshake(&t, TS(100, 0), TS(7000, 100));
	assert_int_equal(
	    send_ts(&t, 1, ACK | PSH, 5001, 1001, TS(0, 101), S("SSH-2.0-x\r\n")),
	    SETU_EINVAL);
	assert_true(bad_ts(&t));
	assert_int_equal(t.delivered[1], 0);
	teardown(&t);
}

static void test_not_negotiated(void **state)
{
	(void)state;
	/* only the client offered timestamps: none are checked (RFC 7323 §3.2) */
	tctx_t t;
	setup(&t, false);
	handshake(&t, TS(100, 0), NO_TS);
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1001, 5001, TS(0, 0), S("abcd")), 0);
	assert_false(bad_ts(&t));
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1005, 5001, TS(5, 0), S("efgh")), 0);
	assert_false(bad_ts(&t));
	assert_int_equal(t.delivered[0], 8);
	assert_int_equal(send_ts(&t, 1, RST | ACK, 5001, 1009, TS(0, 0), NULL, 0), 0);
	assert_int_equal(setu_stream_state(t.f), SETU_TCP_CLOSED);
	teardown(&t);

	/* only the server: none either */
	setup(&t, false);
	handshake(&t, NO_TS, TS(7000, 0));
	assert_int_equal(send_ts(&t, 1, ACK | PSH, 5001, 1001, TS(0, 0), S("220 hi\r\n")),
	                 0);
	assert_false(bad_ts(&t));
	assert_int_equal(t.delivered[1], 8);
	teardown(&t);
}

static void test_rst_with_bad_tsval_does_not_close(void **state)
{
	(void)state;
	tctx_t t;
	setup(&t, false);
	handshake(&t, TS(100, 0), TS(7000, 100));
	assert_int_equal(send_ts(&t, 1, ACK | PSH, 5001, 1001, TS(7001, 101), S("hello")),
	                 0);
	/* the RST suricata-verify's output-eve-anomaly-03 has: TSval 0 */
	assert_int_equal(send_ts(&t, 1, RST | ACK, 5006, 1001, TS(0, 101), NULL, 0),
	                 SETU_EINVAL);
	assert_true(bad_ts(&t));
	assert_int_equal(setu_stream_state(t.f), SETU_TCP_ESTABLISHED);
	/* an old one neither */
	assert_int_equal(send_ts(&t, 1, RST | ACK, 5006, 1001, TS(6000, 101), NULL, 0),
	                 SETU_EINVAL);
	assert_true(bad_ts(&t));
	assert_int_equal(setu_stream_state(t.f), SETU_TCP_ESTABLISHED);
	/* the session goes on */
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1001, 5006, TS(102, 7001), S("more")),
	                 0);
	assert_int_equal(t.delivered[0], 4);
	/* a current one closes it */
	assert_int_equal(send_ts(&t, 1, RST | ACK, 5006, 1005, TS(7002, 102), NULL, 0),
	                 0);
	assert_false(bad_ts(&t));
	assert_int_equal(setu_stream_state(t.f), SETU_TCP_CLOSED);
	teardown(&t);
}

static void test_segment_without_option_is_not_judged(void **state)
{
	(void)state;
	tctx_t t;
	setup(&t, false);
	handshake(&t, TS(100, 0), TS(7000, 100));
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1001, 5001, NO_TS, S("abcd")), 0);
	assert_false(bad_ts(&t));
	assert_int_equal(t.delivered[0], 4);
	/* an RST without the option closes the session as before */
	assert_int_equal(send_ts(&t, 0, RST | ACK, 1005, 5001, NO_TS, NULL, 0), 0);
	assert_int_equal(setu_stream_state(t.f), SETU_TCP_CLOSED);
	teardown(&t);
}

static void test_third_ack_with_old_tsval(void **state)
{
	(void)state;
	tctx_t t;
	setup(&t, false);
	assert_int_equal(send_ts(&t, 0, SYN, 1000, 0, TS(100, 0), NULL, 0), 0);
	assert_int_equal(send_ts(&t, 1, SYN | ACK, 5000, 1001, TS(7000, 100), NULL, 0),
	                 0);
	/* the handshake's last ACK goes back in time: ignored, the session waits */
	assert_int_equal(send_ts(&t, 0, ACK, 1001, 5001, TS(99, 7000), NULL, 0),
	                 SETU_EINVAL);
	assert_true(bad_ts(&t));
	assert_int_equal(setu_stream_state(t.f), SETU_TCP_SYN_RECV);
	assert_int_equal(send_ts(&t, 0, ACK, 1001, 5001, TS(100, 7000), NULL, 0), 0);
	assert_int_equal(setu_stream_state(t.f), SETU_TCP_ESTABLISHED);
	teardown(&t);
}

static void test_paws_after_long_idle(void **state)
{
	(void)state;
	tctx_t t;
	setup(&t, false);
	handshake(&t, TS(100, 0), TS(7000, 100));
	assert_int_equal(send_ts(&t, 0, ACK, 1001, 5001, TS(5000, 7000), NULL, 0), 0);
	/* 25 days of silence: the old TS.Recent says nothing any more (RFC 7323 §5.5);
	 * the next in-order segment is taken whatever its TSval ... */
	t.now += 25 * DAY;
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1001, 5001, TS(10, 7000), S("abcd")),
	                 0);
	assert_false(bad_ts(&t));
	assert_int_equal(t.delivered[0], 4);
	/* ... but not one out of order */
	setu_flow_flush(t.ft, end_cb, &t);
	t.delivered[0] = 0;
	handshake(&t, TS(100, 0), TS(7000, 100));
	assert_int_equal(send_ts(&t, 0, ACK, 1001, 5001, TS(5000, 7000), NULL, 0), 0);
	t.now += 25 * DAY;
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1101, 5001, TS(10, 7000), S("abcd")),
	                 SETU_EINVAL);
	assert_true(bad_ts(&t));
	/* and within 24 days an old TSval stays invalid */
	setu_flow_flush(t.ft, end_cb, &t);
	handshake(&t, TS(100, 0), TS(7000, 100));
	assert_int_equal(send_ts(&t, 0, ACK, 1001, 5001, TS(5000, 7000), NULL, 0), 0);
	t.now += 23 * DAY;
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1001, 5001, TS(10, 7000), S("abcd")),
	                 SETU_EINVAL);
	assert_true(bad_ts(&t));
	teardown(&t);
}

static void test_tsval_wraps_around(void **state)
{
	(void)state;
	tctx_t t;
	setup(&t, false);
	handshake(&t, TS(0xFFFFFFF0u, 0), TS(7000, 0xFFFFFFF0u));
	/* 0xFFFFFFF0 + 0x20 wraps to 0x10: newer in 32-bit serial arithmetic */
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1001, 5001, TS(0x10, 7000), S("abcd")),
	                 0);
	assert_false(bad_ts(&t));
	assert_int_equal(send_ts(&t, 0, ACK, 1005, 5001, TS(0x10, 7000), NULL, 0), 0);
	assert_int_equal(
	    send_ts(&t, 0, ACK | PSH, 1005, 5001, TS(0xFFFFFFFFu, 7000), S("ef")),
	    SETU_EINVAL);
	assert_true(bad_ts(&t));
	teardown(&t);
}

static void test_midstream_pickup_takes_timestamps(void **state)
{
	(void)state;
	tctx_t t;
	setup(&t, true);
	/* picked up on a client segment: its TSval, and the server's it echoes */
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1001, 5001, TS(500, 9000), S("abcd")),
	                 0);
	assert_int_equal(setu_stream_state(t.f), SETU_TCP_ESTABLISHED);
	assert_int_equal(send_ts(&t, 1, ACK, 5001, 1005, TS(8999, 500), NULL, 0),
	                 SETU_EINVAL);
	assert_true(bad_ts(&t));
	assert_int_equal(send_ts(&t, 1, ACK | PSH, 5001, 1005, TS(9001, 500), S("ok")),
	                 0);
	assert_false(bad_ts(&t));
	assert_int_equal(t.delivered[1], 2);
	assert_int_equal(send_ts(&t, 0, ACK | PSH, 1005, 5003, TS(0, 9001), S("x")),
	                 SETU_EINVAL);
	assert_true(bad_ts(&t));
	teardown(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_negotiated_old_tsval_is_ignored),
	    cmocka_unit_test(test_zero_tsval_is_invalid),
	    cmocka_unit_test(test_not_negotiated),
	    cmocka_unit_test(test_rst_with_bad_tsval_does_not_close),
	    cmocka_unit_test(test_segment_without_option_is_not_judged),
	    cmocka_unit_test(test_third_ack_with_old_tsval),
	    cmocka_unit_test(test_paws_after_long_idle),
	    cmocka_unit_test(test_tsval_wraps_around),
	    cmocka_unit_test(test_midstream_pickup_takes_timestamps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
