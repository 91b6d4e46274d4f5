/* test_detect_match.c — the matcher on hand-built packets: payload keywords with
 * Suricata's relative matching and backtracking, header keywords, flowbits/flowint,
 * thresholds and threshold.config, pass rules, pkthdr events and stream inspection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sensor/detect/detect.h"
#include "sensor/flow/flow.h"
#include "sensor/stream/stream-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct hits {
	int n;
	uint32_t sid[256];
	uint8_t flags[256];
	setu_action_t action[256];
} hits_t;

static void on_alert(void *user, const setu_pkt_t *p, const setu_alert_t *a)
{
	(void)p;
	hits_t *h = user;
	if (h->n < 256) {
		h->sid[h->n] = a->rule->sid;
		h->flags[h->n] = a->flags;
		h->action[h->n] = a->action;
		h->n++;
	}
}

static bool hit(const hits_t *h, uint32_t sid)
{
	for (int i = 0; i < h->n; i++)
		if (h->sid[i] == sid)
			return true;
	return false;
}

static int count(const hits_t *h, uint32_t sid)
{
	int c = 0;
	for (int i = 0; i < h->n; i++)
		c += h->sid[i] == sid;
	return c;
}

static void on_problem(void *user, const setu_detect_problem_t *pb)
{
	(void)user;
	char buf[512];
	setu_diag_format(pb->diag, buf, sizeof(buf));
	print_error("rule problem: %s\n", buf);
}

static setu_detect_engine_t *load_cfg(const setu_detect_config_t *cfg, const char *rules)
{
	setu_diag_t d = {0};
	setu_detect_engine_t *de = setu_detect_engine_load_mem(
	    cfg, "test.rules", rules, strlen(rules), on_problem, NULL, &d);
	if (de == NULL)
		print_error("load failed: %s\n", d.msg);
	assert_non_null(de);
	const setu_detect_stats_t *st = setu_detect_engine_stats(de);
	assert_int_equal(st->failed + st->skipped, 0);
	return de;
}

static setu_detect_engine_t *load(const char *rules)
{
	return load_cfg(NULL, rules);
}

static void mkpkt(setu_pkt_t *p, const char *src, uint16_t sp, const char *dst,
                  uint16_t dp, uint8_t proto, const void *payload, size_t len)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(setu_addr_parse(&p->src, src), 0);
	assert_int_equal(setu_addr_parse(&p->dst, dst), 0);
	p->ip_ver = p->src.family;
	p->proto = proto;
	p->sp = sp;
	p->dp = dp;
	p->flags = SETU_PKT_HAS_L4;
	p->ip.ttl = 64;
	p->tcp.flags = SETU_TH_ACK | SETU_TH_PUSH;
	p->tcp.win = 1024;
	p->payload = payload;
	p->payload_len = (uint32_t)len;
	p->ts.tv_sec = 1000;
}

/* run one packet through a fresh thread; returns hits */
static hits_t run(const setu_detect_engine_t *de, setu_pkt_t *p)
{
	hits_t h = {0};
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	assert_non_null(dt);
	setu_detect_packet(dt, p, on_alert, &h);
	setu_detect_thread_free(dt);
	return h;
}

static hits_t run_payload(const setu_detect_engine_t *de, const char *payload)
{
	setu_pkt_t p;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, payload, strlen(payload));
	return run(de, &p);
}

static void test_content(void **state)
{
	(void)state;
	setu_detect_engine_t *de = load(
	    "alert tcp any any -> any any (msg:\"plain\"; content:\"evil\"; sid:1;)\n"
	    "alert tcp any any -> any any (content:\"EVIL\"; nocase; sid:2;)\n"
	    "alert tcp any any -> any any (content:\"EVIL\"; sid:3;)\n"
	    "alert tcp any any -> any any (content:\"evil\"; offset:2; depth:6; sid:4;)\n"
	    "alert tcp any any -> any any (content:\"evil\"; depth:4; sid:5;)\n"
	    "alert tcp any any -> any any (content:\"xx\"; content:!\"evil\"; sid:6;)\n"
	    "alert tcp any any -> any any (content:\"ab\"; startswith; sid:7;)\n"
	    "alert tcp any any -> any any (content:\"zz\"; endswith; sid:8;)\n"
	    "alert tcp any any -> any any (content:\"|61 62|\"; content:\"evil\"; "
	    "distance:0; "
	    "within:6; sid:9;)\n"
	    "alert tcp any any -> any any (content:\"ab\"; content:\"zz\"; distance:1; "
	    "within:4; "
	    "sid:10;)\n"
	    "alert tcp any any -> any any (content:\"evil\"; fast_pattern:only; "
	    "sid:11;)\n"
	    "alert tcp any any -> any any (content:\"ev\"; isdataat:3,relative; "
	    "sid:12;)\n"
	    "alert tcp any any -> any any (content:\"ev\"; isdataat:!3,relative; "
	    "sid:13;)\n"
	    "alert tcp any any -> any any (content:\"abcdevil\"; fast_pattern:3,4; "
	    "sid:14;)\n");
	hits_t h = run_payload(de, "abcdevilzz");
	assert_true(hit(&h, 1));
	assert_true(hit(&h, 2));
	assert_false(hit(&h, 3));
	assert_true(hit(&h, 4)); /* evil at [4,8) fits the window [2,8) */
	assert_false(hit(&h, 5));
	assert_false(hit(&h, 6));
	assert_true(hit(&h, 7));
	assert_true(hit(&h, 8));
	assert_true(hit(&h, 9));
	assert_false(hit(&h, 10)); /* "zz" at 8: distance 1 from 2 -> within 3..7: no */
	assert_true(hit(&h, 11));
	assert_true(hit(&h, 12)); /* "ev" ends at 6, 4 bytes remain */
	assert_false(hit(&h, 13));
	assert_true(hit(&h, 14));
	setu_detect_engine_free(de);
}

static void test_offsets_exact(void **state)
{
	(void)state;
	/* offset/depth window: the content must fit entirely inside [offset,
	 * offset+depth) */
	setu_detect_engine_t *de = load(
	    "alert tcp any any -> any any (content:\"evil\"; offset:4; depth:4; sid:1;)\n"
	    "alert tcp any any -> any any (content:\"evil\"; offset:3; depth:4; sid:2;)\n"
	    "alert tcp any any -> any any (content:\"evil\"; offset:5; sid:3;)\n");
	hits_t h = run_payload(de, "abcdevil");
	assert_true(hit(&h, 1));
	assert_false(hit(&h, 2));
	assert_false(hit(&h, 3));
	setu_detect_engine_free(de);
}

static void test_backtracking(void **state)
{
	(void)state;
	setu_detect_engine_t *de = load(
	    /* the first "a" is not followed by "b"; Suricata retries the next "a" */
	    "alert tcp any any -> any any (content:\"a\"; content:\"b\"; distance:0; "
	    "within:1; "
	    "sid:1;)\n"
	    /* a pcre relative to a content, retried too */
	    "alert tcp any any -> any any (content:\"k=\"; pcre:\"/^[0-9]+;/R\"; "
	    "sid:2;)\n"
	    /* a negated relative content */
	    "alert tcp any any -> any any (content:\"k=\"; content:!\"x\"; within:1; "
	    "sid:3;)\n");
	hits_t h = run_payload(de, "a-xab k=x; k=12;");
	assert_true(hit(&h, 1));
	assert_true(hit(&h, 2));
	assert_true(hit(&h, 3));
	h = run_payload(de, "a-xa- k=x;");
	assert_false(hit(&h, 1));
	assert_false(hit(&h, 2));
	/* "k=" occurs once, followed by "x": the negated relative content fails */
	assert_false(hit(&h, 3));
	setu_detect_engine_free(de);
}

static void test_pcre(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert tcp any any -> any any (pcre:\"/user=[a-z]+/i\"; sid:1;)\n"
	         "alert tcp any any -> any any (pcre:!\"/password/\"; sid:2;)\n"
	         "alert tcp any any -> any any (content:\"USER\"; pcre:\"/^=root/R\"; "
	         "sid:3;)\n"
	         "alert tcp any any -> any any (pcre:\"/^line2$/m\"; sid:4;)\n"
	         "alert tcp any any -> any any (pcre:\"/^line2$/\"; sid:5;)\n");
	hits_t h = run_payload(de, "USER=root\nline2\n");
	assert_true(hit(&h, 1));
	assert_true(hit(&h, 2));
	assert_true(hit(&h, 3));
	assert_true(hit(&h, 4));
	assert_false(hit(&h, 5));
	setu_detect_engine_free(de);
}

static void test_bytes(void **state)
{
	(void)state;
	setu_detect_engine_t *de = load(
	    "alert tcp any any -> any any (byte_test:2,=,0x0102,0; sid:1;)\n"
	    "alert tcp any any -> any any (byte_test:2,=,0x0201,0,little; sid:2;)\n"
	    "alert tcp any any -> any any (byte_test:2,>,0x0102,0; sid:3;)\n"
	    "alert tcp any any -> any any (byte_test:1,&,0x02,1; sid:4;)\n"
	    "alert tcp any any -> any any (byte_test:3,=,123,4,string,dec; sid:5;)\n"
	    /* length-prefixed field: byte_jump over it to find "END" right after */
	    "alert tcp any any -> any any (byte_jump:1,2; content:\"END\"; within:3; "
	    "sid:6;)\n"
	    /* byte_extract a length, use it as distance */
	    "alert tcp any any -> any any (byte_extract:1,2,skip; content:\"END\"; "
	    "offset:3; "
	    "byte_test:1,=,skip,2; sid:7;)\n"
	    "alert tcp any any -> any any (byte_math:bytes 1, offset 2, oper *, rvalue "
	    "2, result "
	    "dbl; byte_test:1,=,dbl,3; sid:8;)\n"
	    "alert tcp any any -> any any (byte_test:2,=,0x0102,0,bitmask 0xff00; "
	    "sid:9;)\n"
	    "alert tcp any any -> any any (byte_test:2,=,1,0,bitmask 0xff00; sid:10;)\n"
	    "alert tcp any any -> any any (byte_test:4,=,1,500; sid:11;)\n"
	    /* number of bytes from a variable: byte at 0 is 1 -> read 1 byte at 1 = 0x02
	     */
	    "alert tcp any any -> any any (byte_extract:1,0,n; byte_test:n,=,2,1; "
	    "sid:12;)\n"
	    "alert tcp any any -> any any (byte_extract:1,0,n; byte_test:n,=,3,1; "
	    "sid:13;)\n");
	/* 01 02 | len=4 | "123" ... ; jump from offset 3 by 4 -> 7 = "END" */
	const uint8_t pkt[] = {0x01, 0x02, 0x04, 0x08, '1', '2', '3', 'E', 'N', 'D'};
	setu_pkt_t p;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, pkt, sizeof(pkt));
	hits_t h = run(de, &p);
	assert_true(hit(&h, 1));
	assert_true(hit(&h, 2));
	assert_false(hit(&h, 3));
	assert_true(hit(&h, 4));
	assert_true(hit(&h, 5));
	assert_true(hit(&h, 6));
	assert_true(hit(&h, 7));
	assert_true(hit(&h, 8));
	assert_false(hit(&h, 9));
	assert_true(hit(&h, 10));
	assert_false(hit(&h, 11));
	assert_true(hit(&h, 12));
	assert_false(hit(&h, 13));
	setu_detect_engine_free(de);
}

static void test_header(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert tcp $HOME_NET any -> $EXTERNAL_NET 80 (sid:1;)\n"
	         "alert tcp $EXTERNAL_NET any -> $HOME_NET any (sid:2;)\n"
	         "alert tcp 8.8.8.8 80 <> 10.0.0.0/8 any (sid:3;)\n"
	         "alert udp any any -> any any (sid:4;)\n"
	         "alert ip any any -> any any (ttl:64; sid:5;)\n"
	         "alert ip any any -> any any (ttl:<64; sid:6;)\n"
	         "alert tcp any any -> any any (flags:AP; sid:7;)\n"
	         "alert tcp any any -> any any (flags:S; sid:8;)\n"
	         "alert tcp any any -> any any (flags:+A; sid:9;)\n"
	         "alert tcp any any -> any any (flags:!S; sid:10;)\n"
	         "alert tcp any any -> any any (dsize:4; sid:11;)\n"
	         "alert tcp any any -> any any (dsize:>4; sid:12;)\n"
	         "alert tcp any any -> any any (window:1024; seq:0; sid:13;)\n"
	         "alert ip any any -> any any (ip_proto:6; sid:14;)\n"
	         "alert ip any any -> any any (sameip; sid:15;)\n"
	         "alert tcp any ![80,443] -> any any (sid:16;)\n"
	         "alert ipv6 any any -> any any (sid:17;)\n"
	         "alert tcp any any -> any any (fragbits:!D; sid:18;)\n");
	setu_pkt_t p;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "abcd", 4);
	hits_t h = run(de, &p);
	assert_true(hit(&h, 1));
	assert_false(hit(&h, 2));
	assert_true(hit(&h, 3)); /* bidirectional */
	assert_false(hit(&h, 4));
	assert_true(hit(&h, 5));
	assert_false(hit(&h, 6));
	assert_true(hit(&h, 7));
	assert_false(hit(&h, 8));
	assert_true(hit(&h, 9));
	assert_true(hit(&h, 10));
	assert_true(hit(&h, 11));
	assert_false(hit(&h, 12));
	assert_true(hit(&h, 13));
	assert_true(hit(&h, 14));
	assert_false(hit(&h, 15));
	assert_true(hit(&h, 16));
	assert_false(hit(&h, 17));
	assert_true(hit(&h, 18));
	/* reverse direction */
	mkpkt(&p, "8.8.8.8", 80, "10.0.0.1", 1234, 6, "abcd", 4);
	h = run(de, &p);
	assert_false(hit(&h, 1));
	assert_true(hit(&h, 2));
	assert_true(hit(&h, 3));
	assert_false(hit(&h, 16));
	setu_detect_engine_free(de);
}

static void test_icmp(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert icmp any any -> any any (itype:8; icode:0; sid:1;)\n"
	         "alert icmp any any -> any any (itype:0; sid:2;)\n"
	         "alert icmp any any -> any any (icmp_id:7; icmp_seq:9; sid:3;)\n"
	         "alert icmp any any -> any any (content:\"ping\"; sid:4;)\n"
	         "alert tcp any any -> any any (sid:5;)\n");
	setu_pkt_t p;
	mkpkt(&p, "10.0.0.1", 0, "10.0.0.2", 0, 1, "ping", 4);
	p.flags = 0;
	p.icmp.type = 8;
	p.icmp.has_id = true;
	p.icmp.id = 7;
	p.icmp.seq = 9;
	hits_t h = run(de, &p);
	assert_true(hit(&h, 1));
	assert_false(hit(&h, 2));
	assert_true(hit(&h, 3));
	assert_true(hit(&h, 4));
	assert_false(hit(&h, 5));
	setu_detect_engine_free(de);
}

static void free_flow(setu_flow_t *f)
{
	if (f->storage[SETU_FLOW_STORAGE_DETECT].free_fn != NULL)
		f->storage[SETU_FLOW_STORAGE_DETECT].free_fn(
		    f->storage[SETU_FLOW_STORAGE_DETECT].ptr);
	memset(&f->storage, 0, sizeof(f->storage));
}

static void test_flow_and_flowbits(void **state)
{
	(void)state;
	setu_detect_engine_t *de = load(
	    "alert tcp any any -> any any (flow:established,to_server; "
	    "content:\"LOGIN\"; "
	    "flowbits:set,login; flowbits:noalert; sid:1;)\n"
	    "alert tcp any any -> any any (flow:established,to_client; content:\"OK\"; "
	    "flowbits:isset,login; sid:2;)\n"
	    "alert tcp any any -> any any (content:\"OK\"; flowbits:isset,other|login; "
	    "sid:3;)\n"
	    "alert tcp any any -> any any (content:\"OK\"; flowbits:isnotset,login; "
	    "sid:4;)\n"
	    "alert tcp any any -> any any (content:\"OK\"; flowbits:isset,other&login; "
	    "sid:5;)\n"
	    "alert tcp any any -> any any (content:\"BYE\"; flowbits:unset,login; "
	    "sid:6;)\n"
	    "alert tcp any any -> any any (content:\"CNT\"; flowint:n,+,1; noalert; "
	    "sid:7;)\n"
	    "alert tcp any any -> any any (content:\"CNT\"; flowint:n,>=,2; sid:8;)\n"
	    "alert tcp any any -> any any (flow:not_established; sid:9;)\n"
	    "alert tcp any any -> any any (flow:stateless; content:\"LOGIN\"; "
	    "sid:10;)\n");
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	assert_non_null(dt);
	setu_flow_t flow;
	memset(&flow, 0, sizeof(flow));
	flow.state = SETU_FLOW_STATE_ESTABLISHED;
	setu_pkt_t p;
	hits_t h = {0};

	/* before LOGIN, OK does not fire 2 */
	mkpkt(&p, "8.8.8.8", 80, "10.0.0.1", 1234, 6, "OK", 2);
	p.flow = &flow;
	p.flags |= SETU_PKT_TOCLIENT;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_false(hit(&h, 2));
	assert_true(hit(&h, 4));

	h.n = 0;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "LOGIN", 5);
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_false(hit(&h, 1)); /* noalert */
	assert_true(hit(&h, 10));
	assert_false(hit(&h, 9));

	h.n = 0;
	mkpkt(&p, "8.8.8.8", 80, "10.0.0.1", 1234, 6, "OK", 2);
	p.flow = &flow;
	p.flags |= SETU_PKT_TOCLIENT;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_true(hit(&h, 2));
	assert_true(hit(&h, 3));
	assert_false(hit(&h, 4));
	assert_false(hit(&h, 5));

	/* to_server rule does not fire on a to-client packet */
	h.n = 0;
	mkpkt(&p, "8.8.8.8", 80, "10.0.0.1", 1234, 6, "LOGIN", 5);
	p.flow = &flow;
	p.flags |= SETU_PKT_TOCLIENT;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_false(hit(&h, 1));

	h.n = 0;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "BYE", 3);
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER;
	setu_detect_packet(dt, &p, on_alert, &h);
	mkpkt(&p, "8.8.8.8", 80, "10.0.0.1", 1234, 6, "OK", 2);
	p.flow = &flow;
	p.flags |= SETU_PKT_TOCLIENT;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_false(hit(&h, 2));

	/* flowint counts per flow */
	h.n = 0;
	for (int i = 0; i < 3; i++) {
		mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "CNT", 3);
		p.flow = &flow;
		p.flags |= SETU_PKT_TOSERVER;
		setu_detect_packet(dt, &p, on_alert, &h);
	}
	assert_int_equal(count(&h, 7), 0);
	assert_int_equal(count(&h, 8), 2);

	/* not established */
	h.n = 0;
	setu_flow_t f2;
	memset(&f2, 0, sizeof(f2));
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "", 0);
	p.flow = &f2;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_true(hit(&h, 9));
	/* without a flow, flow:established cannot match */
	h.n = 0;
	mkpkt(&p, "8.8.8.8", 80, "10.0.0.1", 1234, 6, "OK", 2);
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_false(hit(&h, 2));
	assert_false(hit(&h, 9));

	free_flow(&flow);
	free_flow(&f2);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
}

static void test_thresholds(void **state)
{
	(void)state;
	setu_detect_engine_t *de = load("alert tcp any any -> any any (content:\"T\"; "
	                                "threshold:type limit, track by_src, "
	                                "count 2, seconds 60; sid:1;)\n"
	                                "alert tcp any any -> any any (content:\"T\"; "
	                                "threshold:type threshold, track by_dst, "
	                                "count 3, seconds 60; sid:2;)\n"
	                                "alert tcp any any -> any any (content:\"T\"; "
	                                "threshold:type both, track by_src, "
	                                "count 2, seconds 60; sid:3;)\n"
	                                "alert tcp any any -> any any (content:\"T\"; "
	                                "detection_filter:track by_src, count 4, "
	                                "seconds 60; sid:4;)\n"
	                                "alert tcp any any -> any any (content:\"T\"; "
	                                "threshold:type backoff, track by_flow, "
	                                "count 1, multiplier 2; sid:5;)\n");
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	assert_non_null(dt);
	setu_flow_t flow;
	memset(&flow, 0, sizeof(flow));
	hits_t h = {0};
	setu_pkt_t p;
	for (int i = 0; i < 9; i++) {
		mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "T", 1);
		p.flow = &flow;
		p.ts.tv_sec = 1000 + i;
		setu_detect_packet(dt, &p, on_alert, &h);
	}
	assert_int_equal(count(&h, 1), 2); /* first 2 */
	assert_int_equal(count(&h, 2), 3); /* 3rd, 6th, 9th */
	assert_int_equal(count(&h, 3), 1); /* once per window */
	assert_int_equal(count(&h, 4), 5); /* 5th..9th */
	assert_int_equal(count(&h, 5), 4); /* 1, 2, 4, 8 */
	/* another source has its own counters; after the window, limit alerts again */
	h.n = 0;
	mkpkt(&p, "10.0.0.2", 1234, "8.8.8.8", 80, 6, "T", 1);
	p.ts.tv_sec = 1010;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(count(&h, 1), 1);
	h.n = 0;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "T", 1);
	p.ts.tv_sec = 1100;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(count(&h, 1), 1);
	free_flow(&flow);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
}

static void test_threshold_config(void **state)
{
	(void)state;
	char path[] = "/tmp/setu_thr_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *cfgtext =
	    "suppress gen_id 1, sig_id 1\n"
	    "suppress gen_id 1, sig_id 2, track by_src, ip 10.0.0.0/24\n"
	    "threshold gen_id 1, sig_id 3, type limit, track by_src, count 1, "
	    "seconds 60\n"
	    "rate_filter gen_id 1, sig_id 4, track by_rule, count 2, seconds 60, "
	    "new_action drop, timeout 30\n";
	assert_int_equal(write(fd, cfgtext, strlen(cfgtext)), (ssize_t)strlen(cfgtext));
	close(fd);
	setu_detect_config_t cfg = {0};
	cfg.threshold_file = path;
	setu_detect_engine_t *de = load_cfg(
	    &cfg, "alert tcp any any -> any any (content:\"X\"; sid:1;)\n"
	          "alert tcp any any -> any any (content:\"X\"; sid:2;)\n"
	          /* the rule's own threshold is replaced by threshold.config's */
	          "alert tcp any any -> any any (content:\"X\"; threshold:type limit, "
	          "track by_src, "
	          "count 5, seconds 60; sid:3;)\n"
	          "alert tcp any any -> any any (content:\"X\"; sid:4;)\n");
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	hits_t h = {0};
	setu_pkt_t p;
	for (int i = 0; i < 4; i++) {
		mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "X", 1);
		setu_detect_packet(dt, &p, on_alert, &h);
	}
	assert_int_equal(count(&h, 1), 0);
	assert_int_equal(count(&h, 2), 0);
	assert_int_equal(count(&h, 3), 1);
	assert_int_equal(count(&h, 4), 4);
	int drops = 0;
	for (int i = 0; i < h.n; i++)
		if (h.sid[i] == 4 && h.action[i] == SETU_ACTION_DROP)
			drops++;
	assert_int_equal(drops, 2); /* 3rd and 4th exceed count 2 */
	h.n = 0;
	mkpkt(&p, "10.9.0.1", 1234, "8.8.8.8", 80, 6, "X", 1);
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_true(hit(&h, 2)); /* outside the suppressed range */
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
	unlink(path);
}

static void test_pass_and_order(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert tcp any any -> any any (content:\"abc\"; sid:1;)\n"
	         "pass tcp 10.0.0.5 any -> any any (content:\"abc\"; sid:2;)\n"
	         "drop tcp any any -> any any (content:\"abc\"; sid:3;)\n");
	hits_t h = run_payload(de, "xxabc");
	assert_int_equal(h.n, 2);
	assert_int_equal(h.sid[0], 3); /* action order: drop before alert */
	assert_int_equal(h.action[0], SETU_ACTION_DROP);
	assert_int_equal(h.sid[1], 1);
	setu_pkt_t p;
	mkpkt(&p, "10.0.0.5", 1234, "8.8.8.8", 80, 6, "xxabc", 5);
	h = run(de, &p);
	assert_int_equal(h.n, 0); /* the pass rule wins */
	setu_detect_engine_free(de);
}

static void test_events_and_applayer(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert pkthdr any any -> any any (decode-event:ipv4.trunc_pkt; sid:1;)\n"
	         "alert http any any -> any any (content:\"GET\"; sid:2;)\n"
	         "alert tcp any any -> any any (stream-event:pkt_invalid_ack; sid:3;)\n"
	         "alert ip any any -> any any (sid:4;)\n");
	setu_pkt_t p;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "GET / HTTP/1.0", 14);
	hits_t h = run(de, &p);
	assert_int_equal(h.n, 1); /* app-layer pending rules never match */
	assert_true(hit(&h, 4));
	setu_pkt_set_event(&p, SETU_EV_IPV4_TRUNC_PKT);
	setu_pkt_set_event(&p, SETU_EV_STREAM_PKT_INVALID_ACK);
	/* a malformed TCP header: the IP layer is still inspected by ip rules */
	p.flags |= SETU_PKT_INVALID;
	p.flags &= ~SETU_PKT_HAS_L4;
	h = run(de, &p);
	assert_true(hit(&h, 1));  /* pkthdr sees invalid packets */
	assert_false(hit(&h, 3)); /* tcp rules need the TCP layer */
	assert_true(hit(&h, 4));
	/* nothing decoded at all: only pkthdr rules */
	p.ip_ver = 0;
	memset(&p.src, 0, sizeof(p.src));
	h = run(de, &p);
	assert_true(hit(&h, 1));
	assert_false(hit(&h, 4));
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "GET / HTTP/1.0", 14);
	setu_pkt_set_event(&p, SETU_EV_STREAM_PKT_INVALID_ACK);
	h = run(de, &p);
	assert_true(hit(&h, 3));
	setu_detect_engine_free(de);
}

static void test_stream(void **state)
{
	(void)state;
	setu_detect_engine_t *de = load(
	    "alert tcp any any -> any 80 (flow:to_server; content:\"GET /evil\"; "
	    "sid:1;)\n"
	    "alert tcp any any -> any any (content:\"GET /evil\"; dsize:>0; sid:2;)\n"
	    "alert tcp any any -> any any (flow:only_stream; content:\"evil\"; "
	    "sid:3;)\n");
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	setu_flow_t flow;
	memset(&flow, 0, sizeof(flow));
	flow.state = SETU_FLOW_STATE_ESTABLISHED;
	setu_pkt_t p;
	hits_t h = {0};
	const char *all = "GET /evil HTTP/1.0\r\n";
	/* chunk 1: "GET /ev" */
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, all, 7);
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER | SETU_PKT_STREAM_EST;
	setu_detect_stream(dt, &p, 0, (const uint8_t *)all, 7, 0, on_alert, &h);
	assert_int_equal(h.n, 0);
	/* window now covers both chunks: the match straddles the boundary */
	setu_detect_stream(dt, &p, 0, (const uint8_t *)all, strlen(all), 0, on_alert, &h);
	assert_int_equal(count(&h, 1), 1);
	assert_int_equal(count(&h, 3), 1);
	assert_false(hit(&h, 2)); /* dsize: packet only */
	assert_true(h.flags[0] & SETU_ALERT_STREAM_MATCH);
	/* the same bytes again: no new alert (once per rule and stream segment) */
	h.n = 0;
	setu_detect_stream(dt, &p, 0, (const uint8_t *)all, strlen(all), 0, on_alert, &h);
	assert_int_equal(h.n, 0);
	/* new bytes that do not contain a new match: no alert for the old one */
	char more[64];
	snprintf(more, sizeof(more), "%sHost: x\r\n", all);
	setu_detect_stream(dt, &p, 0, (const uint8_t *)more, strlen(more), 0, on_alert,
	                   &h);
	assert_int_equal(h.n, 0);
	/* an ACK packet from the server triggers inspection of the client's data: the
	 * rule's direction and ports follow the data, not the packet */
	char again[80];
	snprintf(again, sizeof(again), "%sGET /evil", more);
	mkpkt(&p, "8.8.8.8", 80, "10.0.0.1", 1234, 6, "", 0);
	p.flow = &flow;
	p.flags |= SETU_PKT_TOCLIENT | SETU_PKT_STREAM_EST;
	setu_detect_stream(dt, &p, 0, (const uint8_t *)again, strlen(again), 0, on_alert,
	                   &h);
	assert_int_equal(count(&h, 1), 1);
	/* a second request in the same stream: a rule anchored with depth sees the new
	 * bytes from their start, although the window holds the first request too */
	{
		setu_flow_t f3;
		memset(&f3, 0, sizeof(f3));
		f3.state = SETU_FLOW_STATE_ESTABLISHED;
		setu_detect_engine_t *de2 =
		    load("alert tcp any any -> any any (content:\"GET \"; depth:4; "
		         "content:\"/two\"; "
		         "within:5; sid:20;)\n");
		setu_detect_thread_t *dt2 = setu_detect_thread_new(de2);
		const char *two = "GET /one HTTP/1.0\r\n\r\nGET /two HTTP/1.0\r\n\r\n";
		hits_t h2 = {0};
		mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "", 0);
		p.flow = &f3;
		p.flags |= SETU_PKT_TOSERVER;
		setu_detect_stream(dt2, &p, 0, (const uint8_t *)two, 21, 0, on_alert,
		                   &h2);
		assert_int_equal(h2.n, 0);
		setu_detect_stream(dt2, &p, 0, (const uint8_t *)two, strlen(two), 0,
		                   on_alert, &h2);
		assert_int_equal(count(&h2, 20), 1);
		free_flow(&f3);
		setu_detect_thread_free(dt2);
		setu_detect_engine_free(de2);
	}
	/* packet path: rules without flow:only_stream also inspect packet payloads */
	h.n = 0;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, all, strlen(all));
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_true(hit(&h, 2));
	assert_false(hit(&h, 3));
	free_flow(&flow);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
}

static void test_many_rules_prefilter(void **state)
{
	(void)state;
	/* 2,000 rules with distinct patterns + shared patterns: the prefilter must find
	 * exactly the ones present */
	size_t cap = 2000 * 120;
	char *text = malloc(cap);
	assert_non_null(text);
	size_t off = 0;
	for (int i = 0; i < 2000; i++)
		off += (size_t)snprintf(
		    text + off, cap - off,
		    "alert tcp any any -> any any (content:\"pat%04d\"; sid:%d;)\n", i,
		    i + 1);
	setu_diag_t d = {0};
	setu_detect_engine_t *de =
	    setu_detect_engine_load_mem(NULL, "many", text, off, NULL, NULL, &d);
	free(text);
	assert_non_null(de);
	/* no flow direction: every rule is in the to-server and the to-client group */
	assert_int_equal(setu_detect_engine_stats(de)->patterns, 4000);
	hits_t h = run_payload(de, "xx pat0007 yy PAT0008 pat1999");
	assert_int_equal(h.n, 2);
	assert_true(hit(&h, 8));
	assert_true(hit(&h, 2000));
	setu_detect_engine_free(de);
}

static void test_port_groups(void **state)
{
	(void)state;
	/* 40 rules on port 80 make their own group; they must still match exactly where
	 * their ports and direction say, next to any-port rules */
	size_t cap = 64 * 200;
	char *text = malloc(cap);
	assert_non_null(text);
	size_t off = 0;
	for (int i = 0; i < 40; i++)
		off += (size_t)snprintf(
		    text + off, cap - off,
		    "alert tcp any any -> any 80 (flow:to_server; content:\"web%02d\"; "
		    "sid:%d;)\n",
		    i, i + 1);
	off += (size_t)snprintf(
	    text + off, cap - off,
	    "alert tcp any 80 -> any any (flow:to_client; content:\"resp\"; sid:100;)\n"
	    "alert tcp any any -> any any (content:\"anyport\"; sid:101;)\n"
	    "alert tcp any any -> any 8080 (content:\"alt\"; sid:102;)\n"
	    "alert tcp any any <> any 80 (content:\"bidir\"; sid:103;)\n");
	setu_diag_t d = {0};
	setu_detect_engine_t *de =
	    setu_detect_engine_load_mem(NULL, "ports", text, off, NULL, NULL, &d);
	free(text);
	assert_non_null(de);
	assert_true(setu_detect_engine_stats(de)->groups > 2);
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	setu_flow_t flow;
	memset(&flow, 0, sizeof(flow));
	flow.state = SETU_FLOW_STATE_ESTABLISHED;
	const char *pl = "web07 resp anyport alt bidir";
	setu_pkt_t p;
	hits_t h = {0};
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, pl, strlen(pl));
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(h.n, 3);
	assert_true(hit(&h, 8));
	assert_true(hit(&h, 101));
	assert_true(hit(&h, 103));
	h.n = 0;
	mkpkt(&p, "8.8.8.8", 80, "10.0.0.1", 1234, 6, pl, strlen(pl));
	p.flow = &flow;
	p.flags |= SETU_PKT_TOCLIENT;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(h.n, 3);
	assert_true(hit(&h, 100));
	assert_true(hit(&h, 101));
	assert_true(hit(&h, 103));
	h.n = 0;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 8080, 6, pl, strlen(pl));
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(h.n, 2);
	assert_true(hit(&h, 101));
	assert_true(hit(&h, 102));
	/* no flow: direction unknown, rules without flow keywords still match */
	h.n = 0;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, pl, strlen(pl));
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(h.n, 2);
	assert_true(hit(&h, 101));
	assert_true(hit(&h, 103));
	free_flow(&flow);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
}

static void test_header_more(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert ip any any -> any any (tos:8; sid:1;)\n"
	         "alert ip any any -> any any (tos:!8; sid:2;)\n"
	         "alert ip any any -> any any (ipopts:rr; sid:3;)\n"
	         "alert ip any any -> any any (ipopts:any; sid:4;)\n"
	         "alert ip any any -> any any (ipopts:lsrr; sid:5;)\n"
	         "alert ip any any -> any any (fragbits:D; sid:6;)\n"
	         "alert ip any any -> any any (fragbits:M; sid:7;)\n"
	         "alert ip any any -> any any (fragbits:*MD; sid:8;)\n"
	         "alert ip any any -> any any (fragbits:+D; sid:9;)\n"
	         "alert ip any any -> any any (fragoffset:0; sid:10;)\n"
	         "alert ip any any -> any any (fragoffset:>0; sid:11;)\n"
	         "alert ip any any -> any any (id:4242; sid:12;)\n"
	         "alert ip any any -> any any (id:4243; sid:13;)\n"
	         "alert ip any any -> any any (sameip; sid:14;)\n"
	         "alert ip any any -> any any (ip_proto:!6; sid:15;)\n"
	         "alert tcp any any -> any any (ack:77; seq:99; sid:16;)\n"
	         "alert tcp any any -> any any (tcp.mss:<600; sid:17;)\n"
	         "alert tcp any any -> any any (tcp.mss:>600; sid:18;)\n"
	         "alert tcp any any -> any any (flags:S,CE; sid:19;)\n"
	         "alert tcp any any -> any any (flags:S; sid:20;)\n"
	         "alert tcp any any -> any any (flags:*SA; sid:21;)\n"
	         "alert tcp any any -> any any (flags:0; sid:22;)\n"
	         "alert tcp any any -> any any (window:!512; sid:23;)\n"
	         "alert ip any any -> any any (ttl:60<>70; sid:24;)\n"
	         "alert ip any any -> any any (ttl:>=65; sid:25;)\n");
	setu_pkt_t p;
	mkpkt(&p, "10.0.0.1", 1234, "10.0.0.1", 80, 6, "", 0);
	p.ip.tos = 8;
	p.ip.opts = SETU_IPOPT_RR;
	p.ip.df = true;
	p.ip.id = 4242;
	p.tcp.ack = 77;
	p.tcp.seq = 99;
	p.tcp.has_mss = true;
	p.tcp.mss = 536;
	p.tcp.flags = SETU_TH_SYN | SETU_TH_CWR | SETU_TH_ECN;
	hits_t h = run(de, &p);
	assert_true(hit(&h, 1));
	assert_false(hit(&h, 2));
	assert_true(hit(&h, 3));
	assert_true(hit(&h, 4));
	assert_false(hit(&h, 5));
	assert_true(hit(&h, 6));
	assert_false(hit(&h, 7));
	assert_true(hit(&h, 8));
	assert_true(hit(&h, 9));
	assert_true(hit(&h, 10));
	assert_false(hit(&h, 11));
	assert_true(hit(&h, 12));
	assert_false(hit(&h, 13));
	assert_true(hit(&h, 14));
	assert_false(hit(&h, 15));
	assert_true(hit(&h, 16));
	assert_true(hit(&h, 17));
	assert_false(hit(&h, 18));
	assert_true(hit(&h, 19));  /* CWR/ECE ignored by the mask */
	assert_false(hit(&h, 20)); /* exact: CWR/ECE are set too */
	assert_true(hit(&h, 21));
	assert_false(hit(&h, 22));
	assert_true(hit(&h, 23));
	assert_true(hit(&h, 24));
	assert_false(hit(&h, 25));
	/* a fragment: offset, more-fragments; and no tcp.mss option */
	mkpkt(&p, "10.0.0.1", 1234, "10.0.0.2", 80, 17, "", 0);
	p.ip.mf = true;
	p.ip.frag_off = 1480;
	p.ip.tos = 0;
	h = run(de, &p);
	assert_true(hit(&h, 7));
	assert_false(hit(&h, 6));
	assert_true(hit(&h, 11));
	assert_false(hit(&h, 10));
	assert_true(hit(&h, 2));
	assert_true(hit(&h, 15));
	assert_false(hit(&h, 17));
	assert_false(hit(&h, 14));
	setu_detect_engine_free(de);
}

static void test_flowbits_more(void **state)
{
	(void)state;
	setu_detect_engine_t *de = load(
	    "alert tcp any any -> any any (content:\"T\"; flowbits:toggle,t; noalert; "
	    "sid:1;)\n"
	    "alert tcp any any -> any any (content:\"Q\"; flowbits:isset,t; sid:2;)\n"
	    "alert tcp any any -> any any (content:\"X\"; flowbits:setx,x,10; noalert; "
	    "sid:3;)\n"
	    "alert tcp any any -> any any (content:\"Y\"; flowbits:isset,x; sid:4;)\n"
	    "alert tcp any any -> any any (content:\"A\"; flowint:a,=,5; flowint:b,=,3; "
	    "noalert; sid:5;)\n"
	    "alert tcp any any -> any any (content:\"B\"; flowint:a,>,b; sid:6;)\n"
	    "alert tcp any any -> any any (content:\"B\"; flowint:a,-,2; flowint:a,==,b; "
	    "sid:7;)\n"
	    "alert tcp any any -> any any (content:\"C\"; flowint:zz,notset; sid:8;)\n");
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	setu_flow_t flow;
	memset(&flow, 0, sizeof(flow));
	setu_pkt_t p;
	hits_t h = {0};
#define SEND(str, sec)                                                           \
	do {                                                                     \
		mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, str, strlen(str)); \
		p.flow = &flow;                                                  \
		p.ts.tv_sec = (sec);                                             \
		setu_detect_packet(dt, &p, on_alert, &h);                        \
	} while (0)
	SEND("T", 1000);
	SEND("Q", 1000);
	assert_int_equal(count(&h, 2), 1);
	SEND("T", 1000); /* toggled off */
	SEND("Q", 1000);
	assert_int_equal(count(&h, 2), 1);
	SEND("X", 1000);
	SEND("Y", 1005);
	assert_int_equal(count(&h, 4), 1);
	SEND("Y", 1011); /* setx expired */
	assert_int_equal(count(&h, 4), 1);
	SEND("A", 1011);
	SEND("B", 1011);
	assert_int_equal(count(&h, 6), 1);
	/* sid 7: a becomes 3 (postmatch runs only when the rule matches, so it must
	 * match first): a=5 != b=3 here, so no change and no alert */
	assert_int_equal(count(&h, 7), 0);
	SEND("C", 1011);
	assert_int_equal(count(&h, 8), 1);
#undef SEND
	free_flow(&flow);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
}

static void test_reload_flow_state(void **state)
{
	(void)state;
	/* engine A numbers flowbit "a" 0; engine B numbers "b" 0: after a reload, B must
	 * not read A's bit as its own */
	setu_detect_engine_t *a = load("alert tcp any any -> any any (content:\"S\"; "
	                               "flowbits:set,a; noalert; sid:1;)\n");
	setu_detect_engine_t *b = load(
	    "alert tcp any any -> any any (content:\"Q\"; flowbits:isset,b; sid:2;)\n"
	    "alert tcp any any -> any any (content:\"Q\"; flowbits:isnotset,b; "
	    "sid:3;)\n");
	setu_detect_thread_t *ta = setu_detect_thread_new(a);
	setu_detect_thread_t *tb = setu_detect_thread_new(b);
	setu_flow_t flow;
	memset(&flow, 0, sizeof(flow));
	setu_pkt_t p;
	hits_t h = {0};
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "S", 1);
	p.flow = &flow;
	setu_detect_packet(ta, &p, on_alert, &h);
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "Q", 1);
	p.flow = &flow;
	setu_detect_packet(tb, &p, on_alert, &h);
	assert_false(hit(&h, 2));
	assert_true(hit(&h, 3));
	free_flow(&flow);
	setu_detect_thread_free(ta);
	setu_detect_thread_free(tb);
	setu_detect_engine_free(a);
	setu_detect_engine_free(b);
}

/* TCP Fast Open: data on a SYN is inspected per packet by the rules that see packets;
 * when the stream delivers it, stream-only rules (tcp-stream, flow:only_stream) see it
 * there, while rules that inspect both do not alert a second time. */
static void test_tfo_syn_data(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert tcp any any -> any any (content:\"d2\"; sid:1;)\n"
	         "alert tcp-pkt any any -> any any (content:\"d2\"; sid:3;)\n"
	         "alert tcp-stream any any -> any any (content:\"d2\"; sid:5;)\n"
	         "alert tcp any any -> any any (flow:only_stream; content:\"d3\"; "
	         "sid:6;)\n"
	         "alert tcp any any -> any any (content:\"d4\"; sid:7;)\n");
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	assert_non_null(dt);
	struct setu_tcp_session *ssn = calloc(1, sizeof(*ssn)); /* no raw window */
	assert_non_null(ssn);
	setu_flow_t flow;
	memset(&flow, 0, sizeof(flow));
	flow.tcp = ssn;
	const char *syn_data = "d2d3";
	setu_pkt_t p;
	hits_t h = {0};
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, syn_data, 4);
	p.tcp.flags = SETU_TH_SYN;
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(count(&h, 1), 1);
	assert_int_equal(count(&h, 3), 1);
	assert_false(hit(&h, 5));
	assert_false(hit(&h, 6));
	/* the stream hands the SYN's bytes over (after the handshake), then more */
	h.n = 0;
	flow.state = SETU_FLOW_STATE_ESTABLISHED;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, "", 0);
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER | SETU_PKT_STREAM_EST;
	setu_detect_stream(dt, &p, 0, (const uint8_t *)syn_data, 4, 0, on_alert, &h);
	assert_int_equal(count(&h, 5), 1);
	assert_int_equal(count(&h, 6), 1);
	assert_false(hit(&h, 1)); /* seen on the SYN already */
	assert_false(hit(&h, 3));
	/* the same window again, then new bytes: only new matches alert */
	h.n = 0;
	setu_detect_stream(dt, &p, 0, (const uint8_t *)syn_data, 4, 0, on_alert, &h);
	assert_int_equal(h.n, 0);
	const char *more = "d2d3d4d2";
	setu_detect_stream(dt, &p, 0, (const uint8_t *)more, 8, 0, on_alert, &h);
	assert_int_equal(count(&h, 7), 1);
	assert_int_equal(count(&h, 1), 1); /* the new "d2" at the end */
	assert_int_equal(count(&h, 5), 1);
	assert_false(hit(&h, 6));
	free_flow(&flow);
	free(ssn);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
}

/* A reversed flow: the per-direction stream progress follows the data. */
static void test_flow_swap(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert tcp any any -> any any (content:\"uid=0\"; sid:1;)\n");
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	assert_non_null(dt);
	setu_flow_t flow;
	memset(&flow, 0, sizeof(flow));
	flow.state = SETU_FLOW_STATE_ESTABLISHED;
	setu_detect_flow_swap(&flow); /* no state yet: nothing to do */
	const char *data = "uid=0(root)";
	setu_pkt_t p;
	hits_t h = {0};
	mkpkt(&p, "10.0.0.1", 80, "10.0.0.2", 5555, 6, "", 0);
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER | SETU_PKT_STREAM_EST;
	setu_detect_stream(dt, &p, 0, (const uint8_t *)data, 11, 0, on_alert, &h);
	assert_int_equal(count(&h, 1), 1);
	/* the sender was the server: its bytes are direction 1 from now on */
	setu_detect_flow_swap(&flow);
	h.n = 0;
	p.flags = SETU_PKT_HAS_L4 | SETU_PKT_TOCLIENT | SETU_PKT_STREAM_EST;
	setu_detect_stream(dt, &p, 1, (const uint8_t *)data, 11, 0, on_alert, &h);
	assert_int_equal(h.n, 0); /* inspected already */
	/* the other direction starts fresh */
	mkpkt(&p, "10.0.0.2", 5555, "10.0.0.1", 80, 6, "", 0);
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER | SETU_PKT_STREAM_EST;
	setu_detect_stream(dt, &p, 0, (const uint8_t *)data, 11, 0, on_alert, &h);
	assert_int_equal(count(&h, 1), 1);
	free_flow(&flow);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
}

/* dsize with !=, >, >= or a range requires a payload (Suricata's
 * SIG_MASK_REQUIRE_PAYLOAD); = 0, < and <= match empty packets. */
/* Packets of an established TCP session whose payload the stream inspects ("covered")
 * are inspected per packet only by rules that need the packet: anchored contents
 * (their fast pattern scanned over the payload's head when it must end there, else
 * over all of it), dsize; not by rules the stream alone inspects. */
static void covered_packets(unsigned compile_threads)
{
	setu_detect_config_t cfg = {0};
	cfg.compile_threads = compile_threads; /* a reload's single thread: same set */
	setu_detect_engine_t *de = load_cfg(
	    &cfg,
	    "alert tcp any any -> any any (content:\"HEAD\"; depth:4; sid:1;)\n"
	    "alert tcp any any -> any any (content:\"MIDDLE\"; offset:70; depth:10; "
	    "sid:2;)\n"
	    "alert tcp any any -> any any (content:\"ANYWHERE\"; dsize:>0; sid:3;)\n"
	    "alert tcp any any -> any any (content:\"STREAMONLY\"; sid:4;)\n"
	    "alert tcp any any -> any any (content:\"X\"; depth:1; content:\"RELATIVE\"; "
	    "distance:0; sid:5;)\n"
	    "alert tcp any any -> any any (content:\"LATEHEAD\"; depth:8; sid:6;)\n");
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	assert_non_null(dt);
	setu_flow_t flow;
	memset(&flow, 0, sizeof(flow));
	flow.state = SETU_FLOW_STATE_ESTABLISHED;
	flow.tcp = calloc(1, sizeof(*flow.tcp));
	assert_non_null(flow.tcp);
	char a[160];
	memset(a, '.', sizeof(a));
	memcpy(a, "HEAD", 4);
	memcpy(a + 20, "LATEHEAD", 8);
	memcpy(a + 72, "MIDDLE", 6);
	memcpy(a + 100, "ANYWHERE", 8);
	memcpy(a + 130, "STREAMONLY", 10);
	setu_pkt_t p;
	for (int covered = 1; covered >= 0; covered--) {
		hits_t h = {0};
		mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, a, sizeof(a));
		p.flow = &flow;
		p.flags |= SETU_PKT_TOSERVER | (covered ? SETU_PKT_STREAM_EST : 0);
		setu_detect_packet(dt, &p, on_alert, &h);
		assert_true(hit(&h, 1));
		assert_true(hit(&h, 2));
		assert_true(hit(&h, 3));
		assert_false(hit(&h, 5));
		assert_false(hit(&h, 6)); /* beyond its depth */
		/* the stream inspects it on covered packets; packets of a session the
		 * stream does not cover are inspected by it */
		assert_int_equal(hit(&h, 4), !covered);
	}
	const char *b = "XRELATIVE HEAD LATEHEAD";
	hits_t h = {0};
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, b, strlen(b));
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER | SETU_PKT_STREAM_EST;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_true(hit(&h, 5));
	assert_false(hit(&h, 1));
	assert_false(hit(&h, 6));
	free_flow(&flow);
	free(flow.tcp);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
}

static void test_covered_packets(void **state)
{
	(void)state;
	covered_packets(0);
	covered_packets(1);
}

static void test_dsize_empty(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert tcp any any -> any any (dsize:!9; sid:1;)\n"
	         "alert tcp any any -> any any (dsize:>=0; sid:2;)\n"
	         "alert tcp any any -> any any (dsize:<10; sid:3;)\n"
	         "alert tcp any any -> any any (dsize:<=0; sid:4;)\n"
	         "alert tcp any any -> any any (dsize:0; sid:5;)\n"
	         "alert tcp any any -> any any (dsize:0<>20; sid:6;)\n");
	hits_t h = run_payload(de, "");
	assert_false(hit(&h, 1));
	assert_false(hit(&h, 2));
	assert_true(hit(&h, 3));
	assert_true(hit(&h, 4));
	assert_true(hit(&h, 5));
	assert_false(hit(&h, 6));
	h = run_payload(de, "abcde");
	assert_true(hit(&h, 1));
	assert_true(hit(&h, 2));
	assert_true(hit(&h, 3));
	assert_false(hit(&h, 4));
	assert_false(hit(&h, 5));
	assert_true(hit(&h, 6));
	h = run_payload(de, "123456789");
	assert_false(hit(&h, 1));
	setu_detect_engine_free(de);
}

/* flow:established on TCP follows the flow's state before the packet (Suricata): the
 * ACK that completes the handshake is not established yet, the next packet is. */
static void test_established_from_next_packet(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert tcp any any -> any any (flow:established; sid:1;)\n"
	         "alert tcp any any -> any any (flow:not_established; sid:2;)\n");
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	assert_non_null(dt);
	struct setu_tcp_session *ssn = calloc(1, sizeof(*ssn));
	assert_non_null(ssn);
	setu_flow_t flow;
	memset(&flow, 0, sizeof(flow));
	flow.tcp = ssn;
	setu_pkt_t p;
	hits_t h = {0};
	/* SYN */
	mkpkt(&p, "10.0.0.1", 1234, "10.0.0.2", 80, 6, "", 0);
	p.tcp.flags = SETU_TH_SYN;
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(count(&h, 2), 1);
	/* the ACK completing the handshake: the stream marks it established */
	h.n = 0;
	mkpkt(&p, "10.0.0.1", 1234, "10.0.0.2", 80, 6, "", 0);
	p.tcp.flags = SETU_TH_ACK;
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER | SETU_PKT_STREAM_EST;
	flow.state = SETU_FLOW_STATE_ESTABLISHED;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_false(hit(&h, 1));
	assert_int_equal(count(&h, 2), 1);
	/* the next packet is */
	h.n = 0;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(count(&h, 1), 1);
	assert_false(hit(&h, 2));
	free_flow(&flow);
	free(ssn);
	/* without a TCP session (UDP ...) the flow's state answers as before */
	setu_flow_t uf;
	memset(&uf, 0, sizeof(uf));
	uf.state = SETU_FLOW_STATE_ESTABLISHED;
	setu_detect_engine_t *de2 =
	    load("alert udp any any -> any any (flow:established; sid:3;)\n");
	setu_detect_thread_t *dt2 = setu_detect_thread_new(de2);
	h.n = 0;
	mkpkt(&p, "10.0.0.2", 53, "10.0.0.1", 1234, 17, "", 0);
	p.flow = &uf;
	p.flags |= SETU_PKT_TOCLIENT;
	setu_detect_packet(dt2, &p, on_alert, &h);
	assert_int_equal(count(&h, 3), 1);
	free_flow(&uf);
	setu_detect_thread_free(dt2);
	setu_detect_engine_free(de2);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_content),
	    cmocka_unit_test(test_offsets_exact),
	    cmocka_unit_test(test_backtracking),
	    cmocka_unit_test(test_pcre),
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_icmp),
	    cmocka_unit_test(test_flow_and_flowbits),
	    cmocka_unit_test(test_thresholds),
	    cmocka_unit_test(test_threshold_config),
	    cmocka_unit_test(test_pass_and_order),
	    cmocka_unit_test(test_events_and_applayer),
	    cmocka_unit_test(test_stream),
	    cmocka_unit_test(test_many_rules_prefilter),
	    cmocka_unit_test(test_port_groups),
	    cmocka_unit_test(test_header_more),
	    cmocka_unit_test(test_flowbits_more),
	    cmocka_unit_test(test_reload_flow_state),
	    cmocka_unit_test(test_tfo_syn_data),
	    cmocka_unit_test(test_flow_swap),
	    cmocka_unit_test(test_covered_packets),
	    cmocka_unit_test(test_dsize_empty),
	    cmocka_unit_test(test_established_from_next_packet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
