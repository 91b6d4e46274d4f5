/* test_detect_ipidx.c — the candidate indexes of the detection engine: rules without a
 * fast pattern found by address (interval maps per family, <> rules both ways) or by the
 * packet event they need, and stream chunks prefiltered once (patterns remembered per
 * direction). A randomised differential test checks that the alerts equal a brute-force
 * evaluation of every rule's header on every packet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sensor/detect/detect-int.h"
#include "sensor/flow/flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct hits {
	int n;
	uint32_t sid[4096];
} hits_t;

static void on_alert(void *user, const setu_pkt_t *p, const setu_alert_t *a)
{
	(void)p;
	hits_t *h = user;
	if (h->n < 4096)
		h->sid[h->n++] = a->rule->sid;
}

static int count(const hits_t *h, uint32_t sid)
{
	int c = 0;
	for (int i = 0; i < h->n; i++)
		c += h->sid[i] == sid;
	return c;
}

static setu_detect_engine_t *load(const char *rules)
{
	setu_diag_t d = {0};
	setu_detect_engine_t *de = setu_detect_engine_load_mem(
	    NULL, "test.rules", rules, strlen(rules), NULL, NULL, &d);
	if (de == NULL)
		print_error("load failed: %s\n", d.msg);
	assert_non_null(de);
	const setu_detect_stats_t *st = setu_detect_engine_stats(de);
	assert_int_equal(st->failed + st->skipped, 0);
	return de;
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
	p->tcp.flags = SETU_TH_ACK;
	p->payload = payload;
	p->payload_len = (uint32_t)len;
	p->ts.tv_sec = 1000;
}

/* ---- fixed cases ---- */

static void test_ip_lists(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert ip [1.2.3.4,5.6.7.0/24,2001:db8::/64] any -> $HOME_NET any "
	         "(sid:1;)\n"
	         "alert ip $HOME_NET any -> [9.9.9.9,9.9.9.10] any (sid:2;)\n"
	         "alert ip [7.7.7.7] any <> $HOME_NET any (sid:3;)\n"
	         "alert tcp any any -> any 445 (flags:S; sid:4;)\n"
	         "alert ip ![1.2.3.4] any -> 10.1.1.1 any (sid:5;)\n"
	         "alert ipv6 any any -> [2001:db8:1::1] any (sid:6;)\n");
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	assert_non_null(dt);
	static const struct {
		const char *src, *dst;
		uint16_t dp;
		uint32_t want[4];
	} cases[] = {
	    {"1.2.3.4", "10.0.0.1", 80, {1}},
	    {"5.6.7.200", "192.168.1.1", 80, {1}},
	    {"5.6.8.1", "192.168.1.1", 80, {0}},
	    {"10.0.0.1", "1.2.3.4", 80, {0}},
	    {"10.0.0.1", "9.9.9.10", 80, {2}},
	    {"10.0.0.1", "9.9.9.11", 80, {0}},
	    {"7.7.7.7", "10.2.3.4", 80, {3}},
	    {"10.2.3.4", "7.7.7.7", 80, {3}}, /* <>: the other way */
	    {"10.2.3.4", "7.7.7.8", 80, {0}},
	    {"8.8.8.8", "10.1.1.1", 80, {5}},
	    {"1.2.3.4", "10.1.1.1", 80, {1}}, /* negated list excludes sid 5 */
	    {"2001:db8::5", "10.0.0.1", 80, {0}},
	    {"2001:db8::5", "2001:db8:1::1", 80, {6}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setu_pkt_t p;
		mkpkt(&p, cases[i].src, 1234, cases[i].dst, cases[i].dp, 6, NULL, 0);
		hits_t h = {0};
		setu_detect_packet(dt, &p, on_alert, &h);
		int want = 0;
		for (int k = 0; k < 4 && cases[i].want[k] != 0; k++) {
			assert_int_equal(count(&h, cases[i].want[k]), 1);
			want++;
		}
		if (h.n != want)
			print_error("case %zu: %d alerts, want %d\n", i, h.n, want);
		assert_int_equal(h.n, want);
	}
	/* sid 4: any address, port 445, flags S */
	setu_pkt_t p;
	mkpkt(&p, "8.8.8.8", 1234, "8.8.4.4", 445, 6, NULL, 0);
	p.tcp.flags = SETU_TH_SYN;
	hits_t h = {0};
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(count(&h, 4), 1);
	setu_detect_thread_free(dt);

	/* the index keys sid 1 by its source list and sid 2 by its destination list:
	 * neither is a candidate for every packet */
	const pgroup_t *pg = &de->groups[G_OTHER];
	assert_int_equal(pg->pidx.nalways[0], 0);
	assert_true(pg->pidx.map[0][0].n > 0 && pg->pidx.map[0][1].n > 0);
	setu_detect_engine_free(de);
}

/* Rules that need a packet event are tried only on packets that carry it. */
static void test_events(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert pkthdr any any -> any any (decode-event:ipv4.trunc_pkt; sid:1;)\n"
	         "alert tcp any any -> any any (stream-event:pkt_invalid_ack; sid:2;)\n"
	         "alert tcp any any -> any any (stream-event:pkt_invalid_ack; "
	         "stream-event:3whs_ack_data_inject; sid:3;)\n"
	         "alert pkthdr any any -> any any (ttl:1; sid:4;)\n");
	const pgroup_t *pg = &de->groups[G_TCP];
	assert_int_equal(pg->pidx.nev, 2);
	assert_int_equal(pg->pidx.nalways[0], 0);
	assert_int_equal(de->pkthdr_ev.nev, 1);
	assert_int_equal(de->npkthdr, 1);
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	setu_pkt_t p;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, NULL, 0);
	hits_t h = {0};
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(h.n, 0);
	setu_pkt_set_event(&p, SETU_EV_STREAM_PKT_INVALID_ACK);
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(count(&h, 2), 1);
	setu_pkt_set_event(&p, SETU_EV_STREAM_3WHS_ACK_DATA_INJECT);
	setu_pkt_set_event(&p, SETU_EV_IPV4_TRUNC_PKT);
	p.ip.ttl = 1;
	h.n = 0;
	setu_detect_packet(dt, &p, on_alert, &h);
	assert_int_equal(h.n, 4);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
}

/* Stream chunks: only new bytes are scanned, the patterns of the earlier ones are
 * remembered, so a rule whose fast pattern came in an earlier chunk still matches when
 * the rest of it arrives; and patterns across the boundary are found. */
static void test_stream_memory(void **state)
{
	(void)state;
	setu_detect_engine_t *de =
	    load("alert tcp any any -> any any (content:\"MAGICWORD\"; fast_pattern; "
	         "content:\"tail\"; distance:0; sid:1;)\n"
	         "alert tcp any any -> any any (content:\"straddle\"; sid:2;)\n"
	         "alert tcp any any -> any any (content:\"gone\"; content:\"late\"; "
	         "distance:0; fast_pattern; sid:3;)\n");
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	setu_flow_t flow;
	memset(&flow, 0, sizeof(flow));
	flow.state = SETU_FLOW_STATE_ESTABLISHED;
	setu_pkt_t p;
	mkpkt(&p, "10.0.0.1", 1234, "8.8.8.8", 80, 6, NULL, 0);
	p.flow = &flow;
	p.flags |= SETU_PKT_TOSERVER | SETU_PKT_STREAM_EST;
	char win[4096];
	memset(win, '.', sizeof(win));
	memcpy(win + 100, "MAGICWORD", 9);
	hits_t h = {0};
	/* chunk 1: [0, 1000) holds the fast pattern only */
	setu_detect_stream(dt, &p, 0, (const uint8_t *)win, 1000, 0, on_alert, &h);
	assert_int_equal(h.n, 0);
	/* chunk 2: window [0, 2000), "tail" at 1500: sid 1 needs the remembered pattern
	 */
	memcpy(win + 1500, "tail", 4);
	setu_detect_stream(dt, &p, 0, (const uint8_t *)win, 2000, 0, on_alert, &h);
	assert_int_equal(count(&h, 1), 1);
	/* chunk 3: "straddle" across the chunk boundary at 2500 */
	memcpy(win + 2496, "straddle", 8);
	setu_detect_stream(dt, &p, 0, (const uint8_t *)win, 2500, 0, on_alert, &h);
	assert_int_equal(count(&h, 2), 0);
	setu_detect_stream(dt, &p, 0, (const uint8_t *)win, 3000, 0, on_alert, &h);
	assert_int_equal(count(&h, 2), 1);
	/* the window slides past the remembered pattern: window [2000, 4000) does not
	 * hold MAGICWORD, so "tail" again is no match */
	memcpy(win + 3500, "tail", 4);
	setu_detect_stream(dt, &p, 0, (const uint8_t *)win + 2000, 2000, 2000, on_alert,
	                   &h);
	assert_int_equal(count(&h, 1), 1);
	assert_int_equal(h.n, 2);
	/* a gap: the new window does not continue the inspected bytes (offset 10000):
	 * scanned whole, memory restarted */
	char w2[64];
	memset(w2, '.', sizeof(w2));
	memcpy(w2 + 10, "gone", 4);
	memcpy(w2 + 30, "late", 4);
	setu_detect_stream(dt, &p, 0, (const uint8_t *)w2, sizeof(w2), 10000, on_alert,
	                   &h);
	assert_int_equal(count(&h, 3), 1);
	setu_detect_thread_free(dt);
	if (flow.storage[SETU_FLOW_STORAGE_DETECT].free_fn != NULL)
		flow.storage[SETU_FLOW_STORAGE_DETECT].free_fn(
		    flow.storage[SETU_FLOW_STORAGE_DETECT].ptr);
	setu_detect_engine_free(de);
}

/* ---- differential: random rules and packets against a brute-force evaluation ---- */

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const char *const pool4[] = {
    "1.2.3.4",         "1.2.3.5",    "5.6.7.8",    "10.0.0.1",      "10.9.8.7",
    "192.168.1.1",     "172.16.5.5", "8.8.8.8",    "9.9.9.9",       "200.1.1.1",
    "255.255.255.255", "0.0.0.0",    "100.64.0.1", "172.31.255.255"};
static const char *const cidr4[] = {"1.2.3.0/24",  "5.6.0.0/16", "10.0.0.0/8",
                                    "200.0.0.0/7", "8.8.8.8/32", "0.0.0.0/1"};
static const char *const pool6[] = {"2001:db8::1", "2001:db8::2", "fe80::1", "::1",
                                    "2001:db8:1::ff"};

static void rand_addr(uint64_t *s, char *out, size_t n)
{
	uint64_t k = rng_next(s) % 10;
	if (k == 0) {
		snprintf(out, n, "any");
	} else if (k == 1) {
		snprintf(out, n, "$HOME_NET");
	} else if (k == 2) {
		snprintf(out, n, "$EXTERNAL_NET");
	} else if (k == 3) {
		snprintf(out, n, "%s", pool6[rng_next(s) % 5]);
	} else {
		/* a list of 1..6 items, sometimes negated */
		size_t w = 0;
		bool neg = rng_next(s) % 5 == 0;
		w += (size_t)snprintf(out + w, n - w, "%s[", neg ? "!" : "");
		int items = 1 + (int)(rng_next(s) % 6);
		for (int i = 0; i < items; i++) {
			uint64_t c = rng_next(s) % 10;
			const char *a = c < 6   ? pool4[rng_next(s) % 14]
			                : c < 9 ? cidr4[rng_next(s) % 6]
			                        : pool6[rng_next(s) % 5];
			w += (size_t)snprintf(out + w, n - w, "%s%s", i ? "," : "", a);
		}
		snprintf(out + w, n - w, "]");
	}
}

static void rand_port(uint64_t *s, char *out, size_t n)
{
	static const char *const ports[] = {"any", "any",       "any", "80",
	                                    "443", "[80,8080]", "!80", "1024:"};
	snprintf(out, n, "%s", ports[rng_next(s) % 8]);
}

static void test_differential(void **state)
{
	(void)state;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	enum { NRULES = 400, NPKTS = 3000 };
	size_t cap = (size_t)NRULES * 256, w = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	static const char *const protos[] = {"ip", "tcp", "udp", "ip"};
	for (int i = 0; i < NRULES; i++) {
		char src[256], dst[256], sp[32], dp[32];
		rand_addr(&seed, src, sizeof(src));
		rand_addr(&seed, dst, sizeof(dst));
		rand_port(&seed, sp, sizeof(sp));
		rand_port(&seed, dp, sizeof(dp));
		const char *proto = protos[rng_next(&seed) % 4];
		if (strcmp(proto, "ip") == 0) {
			snprintf(sp, sizeof(sp), "any");
			snprintf(dp, sizeof(dp), "any");
		}
		bool bidir = rng_next(&seed) % 4 == 0;
		uint64_t opt = rng_next(&seed) % 6;
		const char *o = opt == 0   ? "content:\"ab\"; "
		                : opt == 1 ? "content:\"x\"; "
		                : opt == 2 ? "ttl:<100; "
		                           : "";
		w += (size_t)snprintf(text + w, cap - w,
		                      "alert %s %s %s %s %s %s (%ssid:%d;)\n", proto, src,
		                      sp, bidir ? "<>" : "->", dst, dp, o, i + 1);
	}
	setu_detect_engine_t *de = load(text);
	free(text);
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	assert_non_null(dt);
	static const char *const extra4[] = {"1.2.3.77", "5.6.200.1", "11.0.0.1",
	                                     "201.255.0.1", "127.0.0.1"};
	static const uint16_t pports[] = {80, 443, 8080, 53, 2000, 1023};
	static const char *const payloads[] = {"", "xab", "zzz", "x", "ab"};
	unsigned total = 0;
	for (int n = 0; n < NPKTS; n++) {
		const char *a[2];
		bool v6 = rng_next(&seed) % 8 == 0;
		for (int k = 0; k < 2; k++) {
			uint64_t c = rng_next(&seed) % 3;
			a[k] = v6      ? pool6[rng_next(&seed) % 5]
			       : c < 2 ? pool4[rng_next(&seed) % 14]
			               : extra4[rng_next(&seed) % 5];
		}
		uint8_t proto = rng_next(&seed) % 2 ? 6 : 17;
		const char *pl = payloads[rng_next(&seed) % 5];
		setu_pkt_t p;
		mkpkt(&p, a[0], pports[rng_next(&seed) % 6], a[1],
		      pports[rng_next(&seed) % 6], proto, pl, strlen(pl));
		p.ip.ttl = rng_next(&seed) % 2 ? 64 : 200;
		hits_t h = {0};
		setu_detect_packet(dt, &p, on_alert, &h);
		/* brute force over every rule */
		for (uint32_t i = 0; i < de->nrules; i++) {
			const setu_rule_t *r = de->rules[i];
			bool pr = r->rproto == RP_IP ||
			          (r->rproto == RP_TCP && proto == 6) ||
			          (r->rproto == RP_UDP && proto == 17);
			bool fwd = ipset_match_addr(&r->src, &p.src) &&
			           ipset_match_addr(&r->dst, &p.dst) &&
			           ipset_match_port(&r->sp, p.sp) &&
			           ipset_match_port(&r->dp, p.dp);
			bool rev = (r->flags & RF_BIDIR) &&
			           ipset_match_addr(&r->src, &p.dst) &&
			           ipset_match_addr(&r->dst, &p.src) &&
			           ipset_match_port(&r->sp, p.dp) &&
			           ipset_match_port(&r->dp, p.sp);
			bool opts = true;
			if (r->lists[LIST_PMATCH].n > 0) {
				const sm_content_t *ct = r->lists[LIST_PMATCH].v[0].u.ct;
				opts = p.payload_len > 0 &&
				       memmem(pl, strlen(pl), ct->pat, ct->len) != NULL;
			}
			if (r->lists[LIST_MATCH].n > 0)
				opts = opts && p.ip.ttl < 100;
			int want = pr && (fwd || rev) && opts ? 1 : 0;
			int got = count(&h, r->info.sid);
			if (got != want)
				print_error(
				    "packet %d %s:%u -> %s:%u proto %u: sid %u got %d "
				    "want %d\n",
				    n, a[0], p.sp, a[1], p.dp, proto, r->info.sid, got,
				    want);
			assert_int_equal(got, want);
			total += (unsigned)want;
		}
	}
	/* the test means something: many alerts, and most rules indexed */
	assert_true(total > 1000);
	const pgroup_t *pg = &de->groups[G_OTHER];
	assert_true(pg->pidx.nalways[0] < pg->nnonpf / 2);
	setu_detect_thread_free(dt);
	setu_detect_engine_free(de);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ip_lists),
	    cmocka_unit_test(test_events),
	    cmocka_unit_test(test_stream_memory),
	    cmocka_unit_test(test_differential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
