/* test_stream.c — TCP tracking and reassembly with hand-made packets: handshake states,
 * closes, midstream, async-oneside, out-of-order, overlaps (bsd policy, different data),
 * retransmissions, gaps, depth, memcaps, RST, sequence wrap-around, raw window, reuse. */
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

#define CAP 70000

/* What the data callback saw, per direction: bytes placed at their offsets. */
typedef struct seen {
	uint8_t buf[2][CAP];
	uint64_t end[2]; /* highest offset + len seen */
	size_t total[2]; /* bytes delivered */
	int gaps[2];     /* chunks with GAP */
	int eof[2];      /* EOF callbacks */
	int calls[2];
	uint64_t last_off[2];
} seen_t;

typedef struct tctx {
	setu_flow_table_t *ft;
	setu_stream_ctx_t *sc;
	seen_t *seen;
	setu_pkt_t p; /* the last packet */
	setu_flow_t *f;
	time_t now;
} tctx_t;

static void on_data(void *user, setu_flow_t *f, int dir, const uint8_t *data, size_t len,
                    uint64_t offset, unsigned flags)
{
	seen_t *s = user;
	(void)f;
	assert_true(dir == 0 || dir == 1);
	s->calls[dir]++;
	if (flags & SETU_STREAM_DATA_GAP)
		s->gaps[dir]++;
	if (flags & SETU_STREAM_DATA_EOF) {
		s->eof[dir]++;
		assert_int_equal(len, 0);
		return;
	}
	assert_true(len > 0);
	/* in order: never before what was already delivered */
	assert_true(offset >= s->end[dir]);
	if (offset + len <= CAP)
		memcpy(s->buf[dir] + offset, data, len);
	s->end[dir] = offset + len;
	s->total[dir] += len;
	s->last_off[dir] = offset;
}

static void setup_ctx(tctx_t *t, const setu_stream_config_t *scfg, bool flow_midstream)
{
	memset(t, 0, sizeof(*t));
	setu_flow_config_t fc;
	setu_flow_config_default(&fc);
	fc.hash_size = 64;
	fc.hash_seed = 7;
	fc.midstream = flow_midstream;
	t->ft = setu_flow_table_new(&fc);
	assert_non_null(t->ft);
	t->sc = setu_stream_ctx_new(scfg);
	assert_non_null(t->sc);
	t->seen = calloc(1, sizeof(seen_t));
	assert_non_null(t->seen);
	t->now = 1000;
}

static void end_cb(void *user, setu_flow_t *f)
{
	tctx_t *t = user;
	setu_stream_flow_end(t->sc, f, on_data, t->seen);
}

static void teardown_ctx(tctx_t *t)
{
	setu_flow_flush(t->ft, end_cb, t);
	setu_flow_table_free(t->ft);
	setu_stream_ctx_free(t->sc);
	free(t->seen);
}

/* dir 0: client 10.0.0.1:40000 -> server 10.0.0.2:80; dir 1 the other way. */
static int send_pkt(tctx_t *t, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                    const char *payload, size_t len)
{
	setu_pkt_t *p = &t->p;
	memset(p, 0, sizeof(*p));
	const char *a = dir == 0 ? "10.0.0.1" : "10.0.0.2";
	const char *b = dir == 0 ? "10.0.0.2" : "10.0.0.1";
	assert_int_equal(setu_addr_parse(&p->src, a), 0);
	assert_int_equal(setu_addr_parse(&p->dst, b), 0);
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
	p->tcp.hlen = 20;
	p->payload = (const uint8_t *)payload;
	p->payload_len = (uint32_t)len;
	p->len = p->wire_len = (uint32_t)(54 + len);
	t->f = setu_flow_handle_packet(t->ft, p);
	assert_non_null(t->f);
	return setu_stream_handle_packet(t->sc, t->f, p, on_data, t->seen);
}

#define S(str) str, (sizeof(str) - 1)
#define SYN SETU_TH_SYN
#define ACK SETU_TH_ACK
#define FIN SETU_TH_FIN
#define RST SETU_TH_RST
#define PSH SETU_TH_PUSH

static bool has_ev(const tctx_t *t, setu_event_t e)
{
	return setu_pkt_has_event(&t->p, e);
}

typedef struct counter_find {
	const char *name;
	uint64_t value;
	int found;
} counter_find_t;

static void find_counter(void *user, const char *name, uint64_t value)
{
	counter_find_t *c = user;
	if (strcmp(name, c->name) == 0) {
		c->value = value;
		c->found++;
	}
}

static uint64_t tcp_counter(const tctx_t *t, const char *name)
{
	counter_find_t c = {name, 0, 0};
	setu_stream_counters(t->sc, find_counter, &c);
	assert_int_equal(c.found, 1);
	return c.value;
}

static void handshake(tctx_t *t, uint32_t cisn, uint32_t sisn)
{
	assert_int_equal(send_pkt(t, 0, SYN, cisn, 0, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t->f), "syn_sent");
	assert_int_equal(send_pkt(t, 1, SYN | ACK, sisn, cisn + 1, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t->f), "syn_recv");
	assert_int_equal(send_pkt(t, 0, ACK, cisn + 1, sisn + 1, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t->f), "established");
	assert_string_equal(setu_flow_state_name(t->f), "established");
	assert_true(t->p.flags & SETU_PKT_STREAM_EST);
}

/* Most tests check delivery packet by packet: inline-style delivery ("as soon as in
 * order"); the deliver-on-ACK default has its own tests below. */
static void cfg_default(setu_stream_config_t *c)
{
	setu_stream_config_default(c);
	assert_true(c->deliver_on_ack);
	c->deliver_on_ack = false;
	c->raw_window = 2048;
}

static void test_handshake_and_client_close(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 1000, 5000);
	assert_int_equal(
	    send_pkt(&t, 0, ACK | PSH, 1001, 5001, S("GET / HTTP/1.0\r\n\r\n")), 0);
	assert_int_equal(t.seen->total[0], 18);
	assert_memory_equal(t.seen->buf[0], "GET / HTTP/1.0\r\n\r\n", 18);
	assert_int_equal(send_pkt(&t, 1, ACK | PSH, 5001, 1019, S("HTTP/1.0 200 OK\r\n")),
	                 0);
	assert_int_equal(t.seen->total[1], 17);
	/* client closes: Suricata calls this CLOSE_WAIT (server's view) */
	assert_int_equal(send_pkt(&t, 0, FIN | ACK, 1019, 5018, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "close_wait");
	assert_int_equal(t.seen->eof[0], 1);
	assert_int_equal(send_pkt(&t, 1, ACK, 5018, 1020, NULL, 0), 0);
	assert_int_equal(send_pkt(&t, 1, FIN | ACK, 5018, 1020, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "last_ack");
	assert_string_equal(setu_flow_state_name(t.f), "closed");
	assert_int_equal(t.seen->eof[1], 1);
	assert_int_equal(send_pkt(&t, 0, ACK, 1020, 5019, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "closed");
	assert_int_equal(t.seen->gaps[0] + t.seen->gaps[1], 0);

	const uint8_t *raw;
	size_t rl;
	uint64_t ro;
	assert_int_equal(setu_stream_raw_window(t.f, 0, &raw, &rl, &ro), 0);
	assert_int_equal(rl, 18);
	assert_int_equal(ro, 0);
	assert_memory_equal(raw, "GET", 3);

	assert_int_equal(tcp_counter(&t, "tcp.sessions"), 1);
	assert_int_equal(tcp_counter(&t, "tcp.syn"), 1);
	assert_int_equal(tcp_counter(&t, "tcp.synack"), 1);
	teardown_ctx(&t);
}

static void test_server_close(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 10, 20);
	assert_int_equal(send_pkt(&t, 1, FIN | ACK, 21, 11, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "fin_wait1");
	assert_int_equal(send_pkt(&t, 0, ACK, 11, 22, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "fin_wait2");
	assert_int_equal(send_pkt(&t, 0, FIN | ACK, 11, 22, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "time_wait");
	assert_int_equal(send_pkt(&t, 1, ACK, 22, 12, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "closed");
	/* a new SYN on the closed session is a new flow (TCP port reuse) */
	setu_flow_t *old = t.f;
	uint64_t old_id = old->flow_id;
	assert_int_equal(send_pkt(&t, 0, SYN, 9999, 0, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "syn_sent");
	assert_true(t.f->flow_id != old_id || t.f->start.tv_sec != 0);
	counter_find_t cf = {"flow.tcp_reuse", 0, 0};
	setu_flow_counters(t.ft, find_counter, &cf);
	assert_int_equal(cf.value, 1);
	teardown_ctx(&t);
}

static void test_handshake_anomalies(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	assert_int_equal(send_pkt(&t, 0, SYN, 100, 0, NULL, 0), 0);
	assert_int_not_equal(send_pkt(&t, 0, SYN | ACK, 7, 101, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION));
	assert_int_not_equal(send_pkt(&t, 1, SYN | ACK, 7, 555, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK));
	assert_string_equal(setu_stream_state_name(t.f), "syn_sent");
	assert_int_equal(send_pkt(&t, 1, SYN | ACK, 7, 101, NULL, 0), 0);
	assert_int_not_equal(send_pkt(&t, 1, SYN | ACK, 8, 101, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_3WHS_SYNACK_RESEND_WITH_DIFF_SEQ));
	assert_int_not_equal(send_pkt(&t, 0, ACK, 101, 999, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_3WHS_RIGHT_SEQ_WRONG_ACK_EVASION));
	assert_int_equal(send_pkt(&t, 0, ACK, 101, 8, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "established");
	/* SYN on an established session */
	assert_int_not_equal(send_pkt(&t, 0, SYN, 100, 0, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_EST_SYN_RESEND));
	/* an ACK for far more than the server could have sent */
	assert_int_not_equal(send_pkt(&t, 0, ACK, 101, 8 + 10000000, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_PKT_INVALID_ACK));
	assert_true(has_ev(&t, SETU_EV_STREAM_EST_INVALID_ACK));
	/* data far beyond the window the server advertised */
	assert_int_not_equal(send_pkt(&t, 0, ACK, 101 + 200000, 8, S("x")), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_EST_PACKET_OUT_OF_WINDOW));
	assert_int_equal(t.seen->total[0], 0);
	teardown_ctx(&t);

	/* no session: RST and FIN */
	setup_ctx(&t, &c, false);
	assert_int_not_equal(send_pkt(&t, 0, RST, 1, 0, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_RST_BUT_NO_SESSION));
	assert_int_not_equal(send_pkt(&t, 0, FIN | ACK, 1, 1, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_FIN_BUT_NO_SESSION));
	assert_null(setu_stream_state_name(t.f));
	teardown_ctx(&t);
}

static void test_midstream(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	/* off: a session without handshake is not tracked nor reassembled */
	setup_ctx(&t, &c, false);
	assert_int_equal(send_pkt(&t, 0, ACK | PSH, 500, 900, S("hello")), 0);
	assert_int_equal(send_pkt(&t, 1, ACK | PSH, 900, 505, S("world")), 0);
	assert_null(setu_stream_state_name(t.f));
	assert_int_equal(t.seen->total[0] + t.seen->total[1], 0);
	assert_string_equal(setu_flow_state_name(t.f), "new");
	teardown_ctx(&t);

	/* on: picked up as established, data reassembled from the first byte seen */
	c.midstream = true;
	setup_ctx(&t, &c, true);
	assert_int_equal(send_pkt(&t, 0, ACK | PSH, 500, 900, S("hello")), 0);
	assert_string_equal(setu_stream_state_name(t.f), "established");
	assert_int_equal(send_pkt(&t, 1, ACK | PSH, 900, 505, S("world")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK | PSH, 505, 905, S("again")), 0);
	assert_int_equal(t.seen->total[0], 10);
	assert_memory_equal(t.seen->buf[0], "helloagain", 10);
	assert_memory_equal(t.seen->buf[1], "world", 5);
	assert_int_equal(tcp_counter(&t, "tcp.midstream_pickups"), 1);
	teardown_ctx(&t);

	/* on, first packet a SYN/ACK: its sender is the server */
	setup_ctx(&t, &c, true);
	assert_int_equal(send_pkt(&t, 1, SYN | ACK, 900, 500, NULL, 0), 0);
	assert_true(t.p.flags & SETU_PKT_TOCLIENT);
	assert_string_equal(setu_stream_state_name(t.f), "syn_recv");
	assert_int_equal(send_pkt(&t, 0, ACK, 500, 901, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "established");
	assert_int_equal(send_pkt(&t, 0, ACK | PSH, 500, 901, S("GET")), 0);
	assert_int_equal(t.seen->total[0], 3);
	teardown_ctx(&t);
}

static void test_async_oneside(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	assert_int_equal(send_pkt(&t, 0, SYN, 100, 0, NULL, 0), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 101, 700, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "syn_sent");
	teardown_ctx(&t);

	c.async_oneside = true;
	setup_ctx(&t, &c, false);
	assert_int_equal(send_pkt(&t, 0, SYN, 100, 0, NULL, 0), 0);
	assert_int_not_equal(send_pkt(&t, 0, ACK, 150, 700, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_3WHS_ASYNC_WRONG_SEQ));
	assert_int_equal(send_pkt(&t, 0, ACK, 101, 700, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "established");
	assert_int_equal(send_pkt(&t, 0, ACK | PSH, 101, 700, S("abc")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK | PSH, 104, 700, S("def")), 0);
	assert_int_equal(t.seen->total[0], 6);
	teardown_ctx(&t);
}

static void test_out_of_order_and_overlap(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	/* offsets: seq 1 is offset 0 */
	assert_int_equal(send_pkt(&t, 0, ACK, 7, 1, S("GHIJ")), 0); /* 6..9 */
	assert_int_equal(t.seen->total[0], 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 4, 1, S("DEF")), 0); /* 3..5 */
	assert_int_equal(t.seen->total[0], 0);
	/* pending overlap with different data, new segment starts after the old one:
	 * the old data stays (bsd) */
	assert_int_equal(send_pkt(&t, 0, ACK, 8, 1, S("xx")), 0); /* 7..8 */
	assert_true(has_ev(&t, SETU_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
	/* new segment starting before an old one wins the overlap (bsd) */
	assert_int_equal(send_pkt(&t, 0, ACK, 3, 1, S("cdE")), 0); /* 2..4 over "DE" */
	assert_true(has_ev(&t, SETU_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
	assert_int_equal(send_pkt(&t, 0, ACK, 1, 1, S("AB")),
	                 0); /* 0..1 fills the hole */
	assert_int_equal(t.seen->total[0], 10);
	assert_memory_equal(t.seen->buf[0], "ABcdEFGHIJ", 10);
	assert_int_equal(tcp_counter(&t, "tcp.overlap_diff_data"), 2);
	/* same-data overlap counts as overlap only */
	uint64_t ov = tcp_counter(&t, "tcp.overlap");
	assert_int_equal(send_pkt(&t, 0, ACK, 20, 1, S("TUV")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 21, 1, S("UV")), 0);
	assert_false(has_ev(&t, SETU_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
	assert_int_equal(tcp_counter(&t, "tcp.overlap"), ov + 1);
	assert_int_equal(tcp_counter(&t, "tcp.overlap_diff_data"), 2);

	/* retransmission of delivered data: same data */
	assert_int_equal(send_pkt(&t, 0, ACK, 1, 1, S("AB")), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_PKT_RETRANSMISSION));
	assert_false(has_ev(&t, SETU_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
	/* retransmission with different data: first data wins, event raised */
	assert_int_equal(send_pkt(&t, 0, ACK, 1, 1, S("ZZ")), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_PKT_RETRANSMISSION));
	assert_true(has_ev(&t, SETU_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
	assert_memory_equal(t.seen->buf[0], "AB", 2);
	assert_int_equal(t.seen->total[0], 10);
	assert_int_equal(t.seen->gaps[0], 0);
	teardown_ctx(&t);
}

static void test_gaps(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 1, 1, S("01234")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 11, 1, S("abcde")), 0); /* 5..9 missing */
	assert_int_equal(t.seen->total[0], 5);
	/* the server ACKs everything: the hole will never be filled */
	assert_int_equal(send_pkt(&t, 1, ACK, 1, 16, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_REASSEMBLY_SEQ_GAP));
	assert_int_equal(t.seen->total[0], 10);
	assert_int_equal(t.seen->gaps[0], 1);
	assert_int_equal(t.seen->last_off[0], 10);
	assert_memory_equal(t.seen->buf[0] + 10, "abcde", 5);
	assert_true(setu_stream_had_gap(t.f, 0));
	assert_false(setu_stream_had_gap(t.f, 1));
	assert_int_equal(tcp_counter(&t, "tcp.reassembly_gap"), 1);
	/* the raw window keeps a small hole, zero-filled, and says where it is */
	const uint8_t *raw;
	size_t rl;
	uint64_t ro;
	assert_int_equal(setu_stream_raw_window(t.f, 0, &raw, &rl, &ro), 0);
	assert_int_equal(ro, 0);
	assert_int_equal(rl, 15);
	assert_memory_equal(raw, "01234\0\0\0\0\0abcde", 15);
	setu_stream_gap_t g[4];
	assert_int_equal(setu_stream_raw_gaps(t.f, 0, g, 4), 1);
	assert_int_equal(g[0].offset, 5);
	assert_int_equal(g[0].len, 5);
	/* a late copy of the missing bytes is not "different data" against the hole */
	assert_int_equal(send_pkt(&t, 0, ACK, 6, 1, S("56789")), 0);
	assert_false(has_ev(&t, SETU_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
	assert_true(has_ev(&t, SETU_EV_STREAM_PKT_RETRANSMISSION));
	assert_int_equal(t.seen->total[0], 10);
	/* server ACKs data it got that we never saw at all */
	assert_int_equal(send_pkt(&t, 1, ACK, 1, 26, NULL, 0), 0);
	assert_int_equal(tcp_counter(&t, "tcp.ack_unseen_data"), 1);
	assert_int_equal(send_pkt(&t, 0, ACK, 26, 1, S("zz")), 0);
	assert_int_equal(t.seen->last_off[0], 25);
	assert_int_equal(t.seen->gaps[0], 2);
	teardown_ctx(&t);

	/* hole at flow end: what is pending is delivered after a GAP, then EOF */
	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 1, 1, S("aaaa")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 9, 1, S("cccc")), 0);
	assert_int_equal(send_pkt(&t, 1, ACK, 1, 5, S("resp")), 0);
	assert_int_equal(t.seen->total[0], 4);
	teardown_ctx(&t); /* flush -> setu_stream_flow_end */
	/* teardown freed t.seen; checked through a second run below */

	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 1, 1, S("aaaa")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 9, 1, S("cccc")), 0);
	setu_stream_flow_end(t.sc, t.f, on_data, t.seen);
	assert_int_equal(t.seen->total[0], 8);
	assert_int_equal(t.seen->gaps[0], 1);
	assert_memory_equal(t.seen->buf[0] + 8, "cccc", 4);
	assert_int_equal(t.seen->eof[0], 1);
	assert_int_equal(t.seen->eof[1], 1);
	setu_stream_flow_end(t.sc, t.f, on_data, t.seen); /* idempotent */
	assert_int_equal(t.seen->eof[0], 1);
	assert_int_equal(tcp_counter(&t, "tcp.reassembly_memuse"), 0);
	teardown_ctx(&t);
}

static void test_depth(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	c.reassembly_depth = 10;
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 1, 1, S("0123456")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 8, 1, S("789abcdef")), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_REASSEMBLY_DEPTH_REACHED));
	assert_int_equal(send_pkt(&t, 0, ACK, 17, 1, S("ghij")), 0);
	assert_int_equal(t.seen->total[0], 10);
	assert_memory_equal(t.seen->buf[0], "0123456789", 10);
	assert_int_equal(tcp_counter(&t, "tcp.stream_depth_reached"), 1);
	/* the other direction is not affected until it reaches the depth itself */
	assert_int_equal(send_pkt(&t, 1, ACK, 1, 21, S("abc")), 0);
	assert_int_equal(t.seen->total[1], 3);
	teardown_ctx(&t);
}

static void test_memcaps(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	c.raw_window = 0;
	c.reassembly_memcap = 100; /* room for no segment of 200 bytes */
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	char big[200];
	memset(big, 'q', sizeof(big));
	assert_int_equal(send_pkt(&t, 0, ACK, 1, 1, S("in order goes through")), 0);
	assert_int_equal(t.seen->total[0], 21);
	assert_int_equal(send_pkt(&t, 0, ACK, 1000, 1, big, sizeof(big)), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_REASSEMBLY_INSERT_MEMCAP));
	assert_int_equal(tcp_counter(&t, "tcp.segment_memcap_drop"), 1);
	assert_int_equal(t.seen->eof[0], 1);
	assert_int_equal(t.seen->eof[1], 1);
	/* reassembly stopped for the flow; tracking goes on */
	assert_int_equal(send_pkt(&t, 0, ACK, 22, 1, S("more")), 0);
	assert_int_equal(t.seen->total[0], 21);
	assert_int_equal(tcp_counter(&t, "tcp.reassembly_memuse"), 0);
	teardown_ctx(&t);

	/* session memcap: no session, counted, no crash */
	cfg_default(&c);
	c.memcap = 1;
	setup_ctx(&t, &c, false);
	assert_int_equal(send_pkt(&t, 0, SYN, 1, 0, NULL, 0), SETU_ENOMEM);
	assert_null(setu_stream_state_name(t.f));
	assert_int_equal(tcp_counter(&t, "tcp.ssn_memcap_drop"), 1);
	teardown_ctx(&t);

	/* segment count limit: stop waiting for the hole, deliver over it */
	cfg_default(&c);
	c.max_segments = 4;
	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	for (uint32_t i = 0; i < 6; i++)
		assert_int_equal(send_pkt(&t, 0, ACK, 11 + 10 * i, 1, S("0123456789")),
		                 0);
	assert_true(t.seen->total[0] >= 50);
	assert_int_equal(t.seen->gaps[0], 1);
	teardown_ctx(&t);
}

static void test_rst(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 100, 200);
	assert_int_equal(send_pkt(&t, 0, ACK, 101, 201, S("data")), 0);
	/* out-of-window RST is ignored */
	assert_int_not_equal(send_pkt(&t, 1, RST | ACK, 201 + 1000000, 105, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "established");
	assert_int_equal(send_pkt(&t, 1, RST | ACK, 201, 105, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "closed");
	assert_string_equal(setu_flow_state_name(t.f), "closed");
	assert_int_equal(t.seen->eof[0], 1);
	assert_int_equal(t.seen->eof[1], 1);
	assert_int_equal(tcp_counter(&t, "tcp.rst"), 2);
	/* the server that "reset" keeps talking: a forged RST is suspected */
	assert_int_equal(send_pkt(&t, 1, ACK, 201, 105, S("more")), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_SUSPECTED_RST_INJECT));
	assert_int_equal(send_pkt(&t, 0, ACK, 105, 201, S("late")), 0);
	assert_false(has_ev(&t, SETU_EV_STREAM_SUSPECTED_RST_INJECT));
	assert_int_equal(t.seen->total[0], 4);
	teardown_ctx(&t);

	/* connection refused */
	setup_ctx(&t, &c, false);
	assert_int_equal(send_pkt(&t, 0, SYN, 100, 0, NULL, 0), 0);
	assert_int_not_equal(send_pkt(&t, 1, RST | ACK, 0, 55, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_RST_INVALID_ACK));
	assert_int_equal(send_pkt(&t, 1, RST | ACK, 0, 101, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "closed");
	teardown_ctx(&t);
}

static void test_seq_wraparound(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	uint32_t isn = 0xFFFFFFF0u;
	handshake(&t, isn, 0x7fffffffu);
	char a[20], b[20];
	memset(a, 'a', 20);
	memset(b, 'b', 20);
	/* second segment first: it starts past 2^32 */
	assert_int_equal(send_pkt(&t, 0, ACK, isn + 1 + 20, 0x80000000u, b, 20), 0);
	assert_int_equal(t.seen->total[0], 0);
	assert_int_equal(send_pkt(&t, 0, ACK, isn + 1, 0x80000000u, a, 20), 0);
	assert_int_equal(t.seen->total[0], 40);
	assert_memory_equal(t.seen->buf[0], a, 20);
	assert_memory_equal(t.seen->buf[0] + 20, b, 20);
	assert_int_equal(t.seen->gaps[0], 0);
	assert_int_equal(send_pkt(&t, 1, ACK, 0x80000000u, isn + 41, NULL, 0), 0);
	assert_int_equal(t.seen->gaps[0], 0);
	assert_int_equal(send_pkt(&t, 0, FIN | ACK, isn + 41, 0x80000000u, NULL, 0), 0);
	assert_int_equal(t.seen->eof[0], 1);
	teardown_ctx(&t);
}

static void test_raw_window(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	c.raw_window = 2048;
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	char chunk[500];
	uint32_t seq = 1;
	for (int i = 0; i < 20; i++) {
		memset(chunk, 'A' + i, sizeof(chunk));
		assert_int_equal(send_pkt(&t, 0, ACK, seq, 1, chunk, sizeof(chunk)), 0);
		seq += sizeof(chunk);
		const uint8_t *raw;
		size_t rl;
		uint64_t ro;
		assert_int_equal(setu_stream_raw_window(t.f, 0, &raw, &rl, &ro), 0);
		uint64_t total = (uint64_t)(i + 1) * sizeof(chunk);
		assert_int_equal(ro + rl, total);
		assert_true(rl >= (total < 2048 ? total : 2048));
		assert_true(rl <= 3072); /* at most 1.5 windows are kept */
		assert_memory_equal(raw, t.seen->buf[0] + ro, rl);
	}
	const uint8_t *raw;
	size_t rl;
	uint64_t ro;
	assert_int_equal(setu_stream_raw_window(t.f, 1, &raw, &rl, &ro), SETU_ENOENT);
	teardown_ctx(&t);
}

static void test_checksum(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	setu_pkt_t *p = &t.p;
	memset(p, 0, sizeof(*p));
	setu_addr_parse(&p->src, "10.0.0.1");
	setu_addr_parse(&p->dst, "10.0.0.2");
	p->ip_ver = 4;
	p->proto = IPPROTO_TCP;
	p->sp = 40000;
	p->dp = 80;
	p->flags = SETU_PKT_HAS_L4 | SETU_PKT_TCP_CSUM_BAD;
	p->tcp.flags = ACK;
	p->tcp.seq = 1;
	p->tcp.ack = 1;
	p->tcp.win = 100;
	p->payload = (const uint8_t *)"bad";
	p->payload_len = 3;
	setu_flow_t *f = setu_flow_handle_packet(t.ft, p);
	assert_int_not_equal(setu_stream_handle_packet(t.sc, f, p, on_data, t.seen), 0);
	assert_int_equal(t.seen->total[0], 0);
	assert_int_equal(tcp_counter(&t, "tcp.invalid_checksum"), 1);
	teardown_ctx(&t);
}

static void test_simultaneous_open(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	assert_int_equal(send_pkt(&t, 0, SYN, 100, 0, NULL, 0), 0);
	assert_int_equal(send_pkt(&t, 1, SYN, 300, 0, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "syn_recv");
	assert_int_not_equal(send_pkt(&t, 0, SYN | ACK, 100, 999, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_4WHS_SYNACK_WITH_WRONG_ACK));
	assert_int_not_equal(send_pkt(&t, 0, SYN | ACK, 150, 301, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_4WHS_SYNACK_WITH_WRONG_SYN));
	assert_int_equal(send_pkt(&t, 0, SYN | ACK, 100, 301, NULL, 0), 0);
	assert_int_not_equal(send_pkt(&t, 1, ACK, 333, 101, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_4WHS_WRONG_SEQ));
	assert_int_equal(send_pkt(&t, 1, ACK, 301, 101, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "established");
	assert_int_equal(send_pkt(&t, 0, ACK, 101, 301, S("hi")), 0);
	assert_int_equal(send_pkt(&t, 1, ACK, 301, 103, S("yo")), 0);
	assert_int_equal(t.seen->total[0] + t.seen->total[1], 4);
	teardown_ctx(&t);
}

static void test_closing_anomalies(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	/* a FIN far beyond the window */
	assert_int_not_equal(send_pkt(&t, 0, FIN | ACK, 5000000, 1, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_FIN_OUT_OF_WINDOW));
	assert_string_equal(setu_stream_state_name(t.f), "established");
	assert_int_equal(send_pkt(&t, 0, FIN | ACK, 1, 1, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "close_wait");
	/* server ACKs far more than the client could have sent */
	assert_int_not_equal(send_pkt(&t, 1, ACK, 1, 9000000, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_CLOSEWAIT_INVALID_ACK));
	/* a retransmitted FIN */
	assert_int_equal(send_pkt(&t, 0, FIN | ACK, 1, 1, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_PKT_RETRANSMISSION));
	/* SYN after the close began */
	assert_int_not_equal(send_pkt(&t, 0, SYN, 77, 0, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_SHUTDOWN_SYN_RESEND));
	/* the ack field set without the ACK flag */
	assert_int_not_equal(send_pkt(&t, 0, SYN, 77, 5, NULL, 0), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_PKT_BROKEN_ACK));
	teardown_ctx(&t);
}

static void test_syn_toclient_swaps_flow(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	/* the first packet of the flow comes from the server: not tracked (no midstream)
	 */
	assert_int_equal(send_pkt(&t, 1, ACK, 900, 5, NULL, 0), 0);
	char a[SETU_ADDR_STRLEN];
	assert_string_equal(setu_addr_str(&t.f->src, a, sizeof(a)), "10.0.0.2");
	/* the client's SYN then arrives "toclient": the flow is swapped */
	assert_int_equal(send_pkt(&t, 0, SYN, 100, 0, NULL, 0), 0);
	assert_string_equal(setu_addr_str(&t.f->src, a, sizeof(a)), "10.0.0.1");
	assert_int_equal(t.f->sp, 40000);
	assert_true(t.p.flags & SETU_PKT_TOSERVER);
	assert_int_equal(t.f->pkts_toserver, 1);
	assert_int_equal(t.f->pkts_toclient, 1);
	assert_int_equal(send_pkt(&t, 1, SYN | ACK, 700, 101, NULL, 0), 0);
	assert_true(t.p.flags & SETU_PKT_TOCLIENT);
	assert_int_equal(send_pkt(&t, 0, ACK, 101, 701, S("x")), 0);
	assert_string_equal(setu_stream_state_name(t.f), "established");
	assert_int_equal(t.seen->total[0], 1);
	teardown_ctx(&t);
}

static void end_count(void *user, setu_flow_t *f)
{
	int *n = user;
	assert_string_equal(setu_flow_end_reason_name(f), "timeout");
	assert_string_equal(setu_flow_state_name(f), "closed");
	(*n)++;
}

static void test_closed_flow_timeout(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	assert_int_equal(send_pkt(&t, 1, RST | ACK, 1, 1, NULL, 0), 0);
	assert_string_equal(setu_flow_state_name(t.f), "closed");
	struct timeval now = t.f->last;
	now.tv_sec += 59;
	int n = 0;
	assert_int_equal(setu_flow_timeout(t.ft, &now, end_count, &n), 0);
	now.tv_sec += 1; /* flow-timeouts.tcp.closed = 60 */
	assert_int_equal(setu_flow_timeout(t.ft, &now, end_count, &n), 1);
	assert_int_equal(n, 1);
	counter_find_t cf = {"flow.end.tcp_state.closed", 0, 0};
	setu_flow_counters(t.ft, find_counter, &cf);
	assert_int_equal(cf.value, 1);
	teardown_ctx(&t);
}

static void test_pending_beyond_ack(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	c.reassembly_depth = 30;
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	/* holes at 0..4 and 10..14; data at 5..9 and 15..19; more past the depth */
	assert_int_equal(send_pkt(&t, 0, ACK, 6, 1, S("FGHIJ")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 16, 1, S("PQRST")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 41, 1, S("beyond")), 0);
	/* ACK up to 12: first hole skipped, data to 9 delivered, second hole still open
	 */
	assert_int_equal(send_pkt(&t, 1, ACK, 1, 13, NULL, 0), 0);
	assert_int_equal(t.seen->total[0], 5);
	assert_int_equal(t.seen->gaps[0], 1);
	/* ACK for everything: the rest arrives after a second gap, the depth stops it */
	assert_int_equal(send_pkt(&t, 1, ACK, 1, 47, NULL, 0), 0);
	assert_int_equal(t.seen->total[0], 10);
	assert_int_equal(t.seen->gaps[0], 2);
	assert_memory_equal(t.seen->buf[0] + 15, "PQRST", 5);
	assert_int_equal(tcp_counter(&t, "tcp.stream_depth_reached"), 1);
	/* a segment before the stream start */
	assert_int_equal(send_pkt(&t, 1, ACK, 0xFFFFFF00u, 1, S("old")), 0);
	teardown_ctx(&t);
}

/* A SYN with data and the header bytes of its options. */
static int send_tfo_syn(tctx_t *t, uint32_t seq, const char *data, size_t len,
                        const uint8_t *hdr, size_t hlen)
{
	setu_pkt_t *p = &t->p;
	memset(p, 0, sizeof(*p));
	setu_addr_parse(&p->src, "10.0.0.1");
	setu_addr_parse(&p->dst, "10.0.0.2");
	p->ip_ver = 4;
	p->proto = IPPROTO_TCP;
	p->sp = 40000;
	p->dp = 80;
	p->flags = SETU_PKT_HAS_L4;
	p->ts.tv_sec = t->now++;
	p->tcp.flags = SYN;
	p->tcp.seq = seq;
	p->tcp.win = 65535;
	p->l4 = hdr;
	p->tcp.hlen = (uint8_t)hlen;
	p->l4_len = (uint32_t)(hlen + len);
	p->payload = (const uint8_t *)data;
	p->payload_len = (uint32_t)len;
	t->f = setu_flow_handle_packet(t->ft, p);
	return setu_stream_handle_packet(t->sc, t->f, p, on_data, t->seen);
}

/* 20-byte header + NOP NOP TFO(34, len 2) NOP NOP NOP NOP = 28 bytes */
static const uint8_t tfo_hdr[28] = {[12] = 0x70, [20] = 1, 1, 34, 2, 1, 1, 1, 1};
/* RFC 6994 experimental form: kind 254, len 4, magic 0xF989 */
static const uint8_t tfo_exp_hdr[24] = {[12] = 0x60, [20] = 254, 4, 0xF9, 0x89};
/* no TFO option: a timestamp option only */
static const uint8_t plain_hdr[32] = {[12] = 0x80, [20] = 1, 1, 8, 10};

static void test_fast_open(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	/* data on a SYN without the TFO option is not stream data (Suricata) */
	setup_ctx(&t, &c, false);
	assert_int_equal(send_tfo_syn(&t, 100, S("AAAA"), plain_hdr, sizeof(plain_hdr)),
	                 0);
	assert_int_equal(send_pkt(&t, 1, SYN | ACK, 500, 101, NULL, 0), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 101, 501, S("x")), 0);
	assert_int_equal(t.seen->total[0], 1);
	assert_memory_equal(t.seen->buf[0], "x", 1);
	teardown_ctx(&t);

	/* experimental option form */
	setup_ctx(&t, &c, false);
	assert_int_equal(
	    send_tfo_syn(&t, 100, S("Hi!"), tfo_exp_hdr, sizeof(tfo_exp_hdr)), 0);
	assert_int_equal(t.seen->total[0], 3);
	teardown_ctx(&t);

	/* the server accepts the SYN's data */
	setup_ctx(&t, &c, false);
	assert_int_equal(send_tfo_syn(&t, 100, S("Hello!"), tfo_hdr, sizeof(tfo_hdr)), 0);
	assert_int_equal(t.seen->total[0], 6);
	assert_int_equal(send_pkt(&t, 1, SYN | ACK, 500, 107, NULL, 0), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 107, 501, S(" more")), 0);
	assert_string_equal(setu_stream_state_name(t.f), "established");
	assert_int_equal(t.seen->total[0], 11);
	assert_memory_equal(t.seen->buf[0], "Hello! more", 11);
	teardown_ctx(&t);

	/* the server only ACKs the SYN: the client sends the data again */
	setup_ctx(&t, &c, false);
	assert_int_equal(send_tfo_syn(&t, 100, S("Hello!"), tfo_hdr, sizeof(tfo_hdr)), 0);
	assert_int_equal(send_pkt(&t, 1, SYN | ACK, 500, 101, NULL, 0), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 101, 501, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "established");
	assert_int_equal(send_pkt(&t, 0, ACK, 101, 501, S("Hello!")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 107, 501, S("+")), 0);
	assert_int_equal(t.seen->total[0], 7);
	assert_memory_equal(t.seen->buf[0], "Hello!+", 7);
	teardown_ctx(&t);
}

/* The packets of suricata-verify tcp-split-handshake-02-5whs: the server ACKs the SYN,
 * then sends its own SYN; the client SYN/ACKs it. */
static void test_split_handshake_5whs(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	assert_int_equal(send_pkt(&t, 0, SYN, 1000, 0, NULL, 0), 0);
	(void)send_pkt(&t, 1, ACK, 2000, 1001, NULL, 0);
	assert_int_equal(send_pkt(&t, 1, SYN, 3000, 0, NULL, 0), 0);
	assert_int_equal(send_pkt(&t, 0, SYN | ACK, 1000, 3001, NULL, 0), 0);
	assert_int_equal(send_pkt(&t, 1, ACK, 3001, 1001, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "established");
	assert_int_equal(send_pkt(&t, 0, ACK, 1001, 3001, S("EVIL")), 0);
	assert_int_equal(send_pkt(&t, 1, ACK, 3001, 1005, NULL, 0), 0);
	assert_int_equal(t.seen->total[0], 4);
	assert_memory_equal(t.seen->buf[0], "EVIL", 4);
	assert_int_equal(send_pkt(&t, 0, RST, 1005, 0, NULL, 0), 0);
	assert_string_equal(setu_stream_state_name(t.f), "closed");
	teardown_ctx(&t);
}

/* suricata-verify tcp-async-01: only the server's side, starting with its SYN/ACK,
 * with stream.midstream and stream.async-oneside. */
static void test_async_server_side_only(void **state)
{
	(void)state;
	setu_stream_config_t c;
	cfg_default(&c);
	c.midstream = true;
	c.async_oneside = true;
	tctx_t t;
	setup_ctx(&t, &c, true);
	assert_int_equal(send_pkt(&t, 1, SYN | ACK, 3199576315u, 986354484u, NULL, 0), 0);
	assert_int_equal(t.f->dp, 80); /* the flow's server is the SYN/ACK's sender */
	assert_int_equal(
	    send_pkt(&t, 1, ACK | PSH, 3199576316u, 986354484u, S("* OK ready\r\n")), 0);
	assert_string_equal(setu_stream_state_name(t.f), "established");
	assert_int_equal(
	    send_pkt(&t, 1, ACK | PSH, 3199576328u, 986354499u, S("* CAPABILITY\r\n")),
	    0);
	assert_int_equal(t.seen->total[1], 26);
	assert_int_equal(t.seen->gaps[1], 0);
	assert_memory_equal(t.seen->buf[1], "* OK ready\r\n* CAPABILITY\r\n", 26);
	assert_int_equal(tcp_counter(&t, "tcp.reassembly_gap"), 0);
	teardown_ctx(&t);
}

static void ack_cfg(setu_stream_config_t *c)
{
	setu_stream_config_default(c);
	c->raw_window = 2048;
}

static void test_ack_mode_delivery(void **state)
{
	(void)state;
	setu_stream_config_t c;
	ack_cfg(&c);
	tctx_t t;
	setup_ctx(&t, &c, false);
	handshake(&t, 0, 0);
	assert_int_equal(send_pkt(&t, 0, ACK | PSH, 1, 1, S("GET /x")), 0);
	assert_int_equal(t.seen->total[0], 0); /* not ACKed yet */
	assert_int_equal(send_pkt(&t, 1, ACK, 1, 4, NULL, 0), 0);
	assert_int_equal(t.seen->total[0], 3); /* the ACKed part */
	assert_memory_equal(t.seen->buf[0], "GET", 3);
	assert_int_equal(send_pkt(&t, 1, ACK | PSH, 1, 7, S("200 OK")), 0);
	assert_int_equal(t.seen->total[0], 6);
	assert_int_equal(t.seen->total[1], 0);
	const uint8_t *raw;
	size_t rl;
	uint64_t ro;
	assert_int_equal(setu_stream_raw_window(t.f, 1, &raw, &rl, &ro), SETU_ENOENT);
	/* an unACKed resend with other bytes: bsd keeps the first (same start) */
	assert_int_equal(send_pkt(&t, 1, ACK | PSH, 1, 7, S("2xx")), 0);
	assert_true(has_ev(&t, SETU_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
	assert_int_equal(send_pkt(&t, 0, FIN | ACK, 7, 7, NULL, 0), 0);
	assert_int_equal(t.seen->total[1], 6);
	assert_memory_equal(t.seen->buf[1], "200 OK", 6);
	assert_int_equal(t.seen->eof[0], 1); /* all data before the FIN was handed on */
	assert_int_equal(send_pkt(&t, 1, ACK | PSH, 7, 8, S("tail")), 0);
	assert_int_equal(t.seen->eof[0], 1);
	assert_int_equal(t.seen->gaps[0] + t.seen->gaps[1], 0);
	/* never ACKed: handed on at flow end */
	setu_stream_flow_end(t.sc, t.f, on_data, t.seen);
	assert_int_equal(t.seen->total[1], 10);
	assert_memory_equal(t.seen->buf[1] + 6, "tail", 4);
	assert_int_equal(t.seen->eof[1], 1);
	teardown_ctx(&t);
}

/* The packets of suricata-verify eve-payload-05-tcp-data-gap and -06 (leading gap). */
static void test_ack_mode_gaps_in_raw_window(void **state)
{
	(void)state;
	setu_stream_config_t c;
	ack_cfg(&c);
	tctx_t t;
	const uint8_t *raw;
	size_t rl;
	uint64_t ro;
	setu_stream_gap_t g[4];

	setup_ctx(&t, &c, false);
	handshake(&t, 1, 1000);
	assert_int_equal(send_pkt(&t, 1, ACK, 1001, 2, NULL, 0), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 2, 1001, S("VERY")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 10, 1001, S("DATA")), 0);
	assert_int_equal(t.seen->total[0], 0);
	assert_int_equal(send_pkt(&t, 1, ACK, 1001, 14, NULL, 0), 0);
	assert_int_equal(t.seen->total[0], 8);
	assert_int_equal(t.seen->gaps[0], 1);
	assert_int_equal(setu_stream_raw_window(t.f, 0, &raw, &rl, &ro), 0);
	assert_int_equal(ro, 0);
	assert_int_equal(rl, 12);
	assert_memory_equal(raw, "VERY\0\0\0\0DATA", 12);
	assert_int_equal(setu_stream_raw_gaps(t.f, 0, g, 4), 1);
	assert_int_equal(g[0].offset, 4);
	assert_int_equal(g[0].len, 4);
	teardown_ctx(&t);

	setup_ctx(&t, &c, false);
	handshake(&t, 1, 1000);
	assert_int_equal(send_pkt(&t, 0, ACK, 6, 1001, S("GOOD")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 10, 1001, S("DATA")), 0);
	assert_int_equal(send_pkt(&t, 1, ACK, 1001, 14, NULL, 0), 0);
	assert_int_equal(t.seen->total[0], 8);
	assert_int_equal(t.seen->gaps[0], 1);
	assert_int_equal(setu_stream_raw_window(t.f, 0, &raw, &rl, &ro), 0);
	assert_int_equal(ro, 0);
	assert_int_equal(rl, 12);
	assert_memory_equal(raw + 4, "GOODDATA", 8);
	assert_int_equal(setu_stream_raw_gaps(t.f, 0, g, 4), 1);
	assert_int_equal(g[0].offset, 0);
	assert_int_equal(g[0].len, 4);
	teardown_ctx(&t);

	/* a hole larger than the window restarts it */
	setup_ctx(&t, &c, false);
	handshake(&t, 1, 1000);
	assert_int_equal(send_pkt(&t, 0, ACK, 2, 1001, S("head")), 0);
	assert_int_equal(send_pkt(&t, 0, ACK, 6 + 5000, 1001, S("far")), 0);
	assert_int_equal(send_pkt(&t, 1, ACK, 1001, 6 + 5003, NULL, 0), 0);
	assert_int_equal(setu_stream_raw_window(t.f, 0, &raw, &rl, &ro), 0);
	assert_int_equal(ro, 5004);
	assert_int_equal(rl, 3);
	assert_int_equal(setu_stream_raw_gaps(t.f, 0, g, 4), 0);
	teardown_ctx(&t);
}

static void test_ack_mode_async_and_tfo(void **state)
{
	(void)state;
	setu_stream_config_t c;
	ack_cfg(&c);
	c.midstream = true;
	c.async_oneside = true;
	tctx_t t;
	/* one side only: nothing would ever be ACKed, data goes on in order */
	setup_ctx(&t, &c, true);
	assert_int_equal(send_pkt(&t, 1, SYN | ACK, 5000, 700, NULL, 0), 0);
	assert_int_equal(send_pkt(&t, 1, ACK | PSH, 5001, 700, S("banner")), 0);
	assert_int_equal(t.seen->total[1], 6);
	teardown_ctx(&t);

	/* TFO data accepted by the SYN/ACK is ACKed data */
	ack_cfg(&c);
	setup_ctx(&t, &c, false);
	assert_int_equal(send_tfo_syn(&t, 100, S("Hello!"), tfo_hdr, sizeof(tfo_hdr)), 0);
	assert_int_equal(t.seen->total[0], 0);
	assert_int_equal(send_pkt(&t, 1, SYN | ACK, 500, 107, NULL, 0), 0);
	assert_int_equal(t.seen->total[0], 6);
	teardown_ctx(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake_and_client_close),
	    cmocka_unit_test(test_server_close),
	    cmocka_unit_test(test_handshake_anomalies),
	    cmocka_unit_test(test_midstream),
	    cmocka_unit_test(test_async_oneside),
	    cmocka_unit_test(test_out_of_order_and_overlap),
	    cmocka_unit_test(test_gaps),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_memcaps),
	    cmocka_unit_test(test_rst),
	    cmocka_unit_test(test_seq_wraparound),
	    cmocka_unit_test(test_raw_window),
	    cmocka_unit_test(test_checksum),
	    cmocka_unit_test(test_simultaneous_open),
	    cmocka_unit_test(test_closing_anomalies),
	    cmocka_unit_test(test_syn_toclient_swaps_flow),
	    cmocka_unit_test(test_closed_flow_timeout),
	    cmocka_unit_test(test_pending_beyond_ack),
	    cmocka_unit_test(test_fast_open),
	    cmocka_unit_test(test_split_handshake_5whs),
	    cmocka_unit_test(test_async_server_side_only),
	    cmocka_unit_test(test_ack_mode_delivery),
	    cmocka_unit_test(test_ack_mode_gaps_in_raw_window),
	    cmocka_unit_test(test_ack_mode_async_and_tfo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
