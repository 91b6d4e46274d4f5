/* test_flow.c — flow table: symmetric lookup, directions, VLANs, timeouts per state,
 * memcap/emergency policy, flush, storage freeing, flow_id, Community ID v1 vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sensor/flow/flow.h"
#include "sensor/stream/stream.h"
#include "setu/error.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static void mk(setu_pkt_t *p, const char *src, uint16_t sp, const char *dst, uint16_t dp,
               uint8_t proto, time_t sec)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(setu_addr_parse(&p->src, src), 0);
	assert_int_equal(setu_addr_parse(&p->dst, dst), 0);
	p->ip_ver = p->src.family;
	p->proto = proto;
	p->sp = sp;
	p->dp = dp;
	p->flags = SETU_PKT_HAS_L4;
	p->ts.tv_sec = sec;
	p->len = p->wire_len = 100;
}

static setu_flow_table_t *table(size_t memcap)
{
	setu_flow_config_t cfg;
	setu_flow_config_default(&cfg);
	cfg.hash_size = 64;
	cfg.hash_seed = 12345;
	if (memcap)
		cfg.memcap = memcap;
	setu_flow_table_t *t = setu_flow_table_new(&cfg);
	assert_non_null(t);
	return t;
}

typedef struct ends {
	int n;
	setu_flow_end_reason_t last_reason;
	char last_state[16];
	int storage_seen; /* storage still set when the callback ran */
} ends_t;

static void on_end(void *user, setu_flow_t *f)
{
	ends_t *e = user;
	e->n++;
	e->last_reason = f->end_reason;
	snprintf(e->last_state, sizeof(e->last_state), "%s", setu_flow_state_name(f));
	if (f->storage[SETU_FLOW_STORAGE_DETECT].ptr)
		e->storage_seen++;
}

static void test_symmetric_lookup(void **state)
{
	(void)state;
	setu_flow_table_t *t = table(0);
	setu_pkt_t p;
	mk(&p, "10.0.0.1", 1234, "10.0.0.2", 53, IPPROTO_UDP, 100);
	setu_flow_t *f = setu_flow_handle_packet(t, &p);
	assert_non_null(f);
	assert_ptr_equal(p.flow, f);
	assert_true(p.flags & SETU_PKT_TOSERVER);
	assert_string_equal(setu_flow_state_name(f), "new");

	mk(&p, "10.0.0.2", 53, "10.0.0.1", 1234, IPPROTO_UDP, 101);
	assert_ptr_equal(setu_flow_handle_packet(t, &p), f);
	assert_true(p.flags & SETU_PKT_TOCLIENT);
	assert_false(p.flags & SETU_PKT_TOSERVER);
	assert_int_equal(f->pkts_toserver, 1);
	assert_int_equal(f->pkts_toclient, 1);
	assert_int_equal(f->bytes_toclient, 100);
	assert_int_equal(f->last.tv_sec, 101);
	assert_string_equal(setu_flow_state_name(f), "established");
	char a[SETU_ADDR_STRLEN];
	assert_string_equal(setu_addr_str(&f->src, a, sizeof(a)), "10.0.0.1");
	assert_int_equal(f->sp, 1234);

	/* another port pair is another flow */
	mk(&p, "10.0.0.1", 1235, "10.0.0.2", 53, IPPROTO_UDP, 102);
	setu_flow_t *g = setu_flow_handle_packet(t, &p);
	assert_non_null(g);
	assert_ptr_not_equal(g, f);
	/* same ports, other protocol: another flow */
	mk(&p, "10.0.0.1", 1234, "10.0.0.2", 53, IPPROTO_TCP, 102);
	setu_flow_t *h = setu_flow_handle_packet(t, &p);
	assert_ptr_not_equal(h, f);
	assert_int_equal(setu_flow_table_active(t), 3);
	assert_true(f->flow_id > 0 && f->flow_id < (1ull << 51));
	assert_true(f->flow_id != g->flow_id);

	/* same address both ends: ports decide the direction */
	mk(&p, "10.0.0.9", 80, "10.0.0.9", 4000, IPPROTO_UDP, 103);
	setu_flow_t *l = setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.9", 4000, "10.0.0.9", 80, IPPROTO_UDP, 103);
	assert_ptr_equal(setu_flow_handle_packet(t, &p), l);
	assert_true(p.flags & SETU_PKT_TOCLIENT);

	/* IPv6 */
	mk(&p, "2001:db8::1", 5000, "2001:db8::2", 443, IPPROTO_UDP, 103);
	setu_flow_t *v6 = setu_flow_handle_packet(t, &p);
	mk(&p, "2001:db8::2", 443, "2001:db8::1", 5000, IPPROTO_UDP, 103);
	assert_ptr_equal(setu_flow_handle_packet(t, &p), v6);

	/* packets that cannot have a flow */
	mk(&p, "10.0.0.1", 1, "10.0.0.2", 2, IPPROTO_UDP, 104);
	p.flags = SETU_PKT_INVALID;
	assert_null(setu_flow_handle_packet(t, &p));
	mk(&p, "10.0.0.1", 1, "10.0.0.2", 2, IPPROTO_TCP, 104);
	p.flags = 0; /* truncated L4 */
	assert_null(setu_flow_handle_packet(t, &p));
	mk(&p, "10.0.0.1", 0, "10.0.0.2", 0, 47 /* GRE */, 104);
	p.flags = 0;
	assert_non_null(setu_flow_handle_packet(t, &p));
	setu_flow_table_free(t);
}

static void test_vlan_separation(void **state)
{
	(void)state;
	setu_flow_table_t *t = table(0);
	setu_pkt_t p;
	mk(&p, "10.0.0.1", 1234, "10.0.0.2", 80, IPPROTO_UDP, 1);
	p.vlan_count = 1;
	p.vlan_id[0] = 10;
	setu_flow_t *a = setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.1", 1234, "10.0.0.2", 80, IPPROTO_UDP, 1);
	p.vlan_count = 1;
	p.vlan_id[0] = 20;
	setu_flow_t *b = setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.2", 80, "10.0.0.1", 1234, IPPROTO_UDP, 1);
	setu_flow_t *c = setu_flow_handle_packet(t, &p);
	assert_ptr_not_equal(a, b);
	assert_ptr_not_equal(a, c);
	assert_ptr_not_equal(b, c);
	mk(&p, "10.0.0.2", 80, "10.0.0.1", 1234, IPPROTO_UDP, 1);
	p.vlan_count = 1;
	p.vlan_id[0] = 20;
	assert_ptr_equal(setu_flow_handle_packet(t, &p), b);
	assert_true(p.flags & SETU_PKT_TOCLIENT);
	setu_flow_table_free(t);
}

static void test_timeouts_per_state(void **state)
{
	(void)state;
	setu_flow_table_t *t = table(0);
	ends_t e = {0};
	setu_pkt_t p;
	/* UDP new: 30 s */
	mk(&p, "10.0.0.1", 1000, "10.0.0.2", 53, IPPROTO_UDP, 1000);
	setu_flow_handle_packet(t, &p);
	/* UDP established: 300 s */
	mk(&p, "10.0.0.1", 1001, "10.0.0.2", 53, IPPROTO_UDP, 1000);
	setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.2", 53, "10.0.0.1", 1001, IPPROTO_UDP, 1000);
	setu_flow_handle_packet(t, &p);
	/* TCP new: 60 s; TCP closed: 60 s */
	mk(&p, "10.0.0.1", 1002, "10.0.0.2", 80, IPPROTO_TCP, 1000);
	setu_flow_t *tc = setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.1", 1003, "10.0.0.2", 80, IPPROTO_TCP, 1000);
	setu_flow_t *tcl = setu_flow_handle_packet(t, &p);
	setu_flow_set_state(tcl, SETU_FLOW_STATE_ESTABLISHED);
	setu_flow_set_state(tcl, SETU_FLOW_STATE_CLOSED);
	setu_flow_set_state(tcl, SETU_FLOW_STATE_NEW); /* never moves back */
	assert_string_equal(setu_flow_state_name(tcl), "closed");
	(void)tc;

	struct timeval now = {1029, 999999};
	assert_int_equal(setu_flow_timeout(t, &now, on_end, &e), 0);
	now.tv_sec = 1030;
	now.tv_usec = 0;
	assert_int_equal(setu_flow_timeout(t, &now, on_end, &e), 1);
	assert_int_equal(e.last_reason, SETU_FLOW_END_TIMEOUT);
	assert_string_equal(e.last_state, "new");
	now.tv_sec = 1059;
	assert_int_equal(setu_flow_timeout(t, &now, on_end, &e), 0);
	now.tv_sec = 1060;
	assert_int_equal(setu_flow_timeout(t, &now, on_end, &e),
	                 2); /* tcp new + tcp closed */
	now.tv_sec = 1299;
	assert_int_equal(setu_flow_timeout(t, &now, on_end, &e), 0);
	now.tv_sec = 1300;
	assert_int_equal(setu_flow_timeout(t, &now, on_end, &e), 1);
	assert_string_equal(e.last_state, "established");
	assert_int_equal(setu_flow_table_active(t), 0);
	assert_int_equal(e.n, 4);
	setu_flow_table_free(t);
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

static uint64_t flow_counter(setu_flow_table_t *t, const char *name)
{
	counter_find_t c = {name, 0, 0};
	setu_flow_counters(t, find_counter, &c);
	assert_int_equal(c.found, 1);
	return c.value;
}

static void test_memcap_policy(void **state)
{
	(void)state;
	/* measure the empty table, then allow exactly ten flows */
	setu_flow_table_t *t0 = table(0);
	size_t base = setu_flow_table_memuse(t0);
	setu_flow_table_free(t0);
	setu_flow_table_t *t = table(base + 10 * sizeof(setu_flow_t));
	ends_t e = {0};
	setu_flow_table_set_end_cb(t, on_end, &e);
	setu_pkt_t p;
	for (int i = 0; i < 10; i++) {
		mk(&p, "10.0.0.1", (uint16_t)(2000 + i), "10.0.0.2", 53, IPPROTO_UDP,
		   100);
		assert_non_null(setu_flow_handle_packet(t, &p));
	}
	/* eleventh: emergency pruning finds nothing idle (emergency-new 10 s) -> refused
	 */
	mk(&p, "10.0.0.1", 3000, "10.0.0.2", 53, IPPROTO_UDP, 105);
	assert_null(setu_flow_handle_packet(t, &p));
	assert_null(p.flow);
	assert_int_equal(flow_counter(t, "flow.memcap"), 1);
	assert_int_equal(flow_counter(t, "flow.emerg_mode_entered"), 1);
	/* existing flows still work while refusing new ones */
	mk(&p, "10.0.0.2", 53, "10.0.0.1", 2000, IPPROTO_UDP, 105);
	assert_non_null(setu_flow_handle_packet(t, &p));
	/* 11 s later the nine untouched flows are past emergency-new: pruned, forced */
	mk(&p, "10.0.0.1", 3000, "10.0.0.2", 53, IPPROTO_UDP, 111);
	assert_non_null(setu_flow_handle_packet(t, &p));
	assert_int_equal(e.n, 9);
	assert_int_equal(e.last_reason, SETU_FLOW_END_FORCED);
	assert_int_equal(setu_flow_table_active(t), 2);
	/* 1 of 10 flows left: below 70%, emergency is over */
	assert_int_equal(flow_counter(t, "flow.emerg_mode_over"), 1);
	assert_int_equal(flow_counter(t, "flow.total"), 11);
	assert_int_equal(flow_counter(t, "flow.udp"), 11);
	setu_flow_table_free(t);
}

static void storage_free(void *ptr)
{
	int *n = ptr;
	(*n)++;
}

static void test_flush_and_storage(void **state)
{
	(void)state;
	setu_flow_table_t *t = table(0);
	ends_t e = {0};
	setu_pkt_t p;
	int freed = 0;
	mk(&p, "10.0.0.1", 1, "10.0.0.2", 2, IPPROTO_UDP, 5);
	setu_flow_t *f = setu_flow_handle_packet(t, &p);
	f->storage[SETU_FLOW_STORAGE_DETECT].ptr = &freed;
	f->storage[SETU_FLOW_STORAGE_DETECT].free_fn = storage_free;
	mk(&p, "10.0.0.1", 3, "10.0.0.2", 4, IPPROTO_UDP, 5);
	f = setu_flow_handle_packet(t, &p);
	f->storage[SETU_FLOW_STORAGE_APPLAYER].ptr = &freed;
	f->storage[SETU_FLOW_STORAGE_APPLAYER].free_fn = storage_free;
	setu_flow_flush(t, on_end, &e);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.storage_seen, 1); /* storage is still there in the callback */
	assert_int_equal(e.last_reason, SETU_FLOW_END_SHUTDOWN);
	assert_int_equal(freed, 2);
	assert_int_equal(setu_flow_table_active(t), 0);
	assert_int_equal(flow_counter(t, "flow.end.state.new"), 2);
	/* table free also frees storage of flows still in it */
	mk(&p, "10.0.0.1", 1, "10.0.0.2", 2, IPPROTO_UDP, 5);
	f = setu_flow_handle_packet(t, &p);
	f->storage[SETU_FLOW_STORAGE_DETECT].ptr = &freed;
	f->storage[SETU_FLOW_STORAGE_DETECT].free_fn = storage_free;
	setu_flow_table_free(t);
	assert_int_equal(freed, 3);
}

static void cid_of(const char *src, uint16_t sp, const char *dst, uint16_t dp,
                   uint8_t proto, uint8_t itype, uint8_t icode, uint16_t seed, char *out)
{
	setu_flow_table_t *t = table(0);
	setu_pkt_t p;
	mk(&p, src, sp, dst, dp, proto, 1);
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		p.sp = p.dp = 0;
		p.icmp.type = itype;
		p.icmp.code = icode;
	}
	setu_flow_t *f = setu_flow_handle_packet(t, &p);
	assert_non_null(f);
	assert_int_equal(setu_community_id(f, seed, out, SETU_COMMUNITY_ID_LEN), 0);
	setu_flow_table_free(t);
}

static void test_community_id_vectors(void **state)
{
	(void)state;
	char id[SETU_COMMUNITY_ID_LEN];
	/* vectors of the spec's baseline (corelight/community-id-spec) */
	cid_of("128.232.110.120", 34855, "66.35.250.204", 80, IPPROTO_TCP, 0, 0, 0, id);
	assert_string_equal(id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
	cid_of("66.35.250.204", 80, "128.232.110.120", 34855, IPPROTO_TCP, 0, 0, 0, id);
	assert_string_equal(id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
	cid_of("128.232.110.120", 34855, "66.35.250.204", 80, IPPROTO_TCP, 0, 0, 1, id);
	assert_string_equal(id, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=");
	/* ICMP echo request and reply map to the same id */
	cid_of("192.168.0.89", 0, "192.168.0.1", 0, IPPROTO_ICMP, 8, 0, 0, id);
	assert_string_equal(id, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
	cid_of("192.168.0.1", 0, "192.168.0.89", 0, IPPROTO_ICMP, 0, 0, 0, id);
	assert_string_equal(id, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
	/* ICMPv6 neighbour solicitation */
	cid_of("fe80::200:86ff:fe05:80da", 0, "fe80::260:97ff:fe07:69ea", 0,
	       IPPROTO_ICMPV6, 135, 0, 0, id);
	assert_string_equal(id, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=");
	/* one-way ICMP (unreachable): not reordered, code is the "port" */
	cid_of("10.0.0.2", 0, "10.0.0.1", 0, IPPROTO_ICMP, 3, 1, 0, id);
	assert_string_equal(id, "1:JHjlyD5IJJjl3wHWOMj46lLWZag=");
	/* suricata-verify community-id-ipv4 (seed 7) and community-id-sameip (seed 1:
	 * equal addresses, the ports decide the order) */
	cid_of("172.26.0.39", 35958, "172.217.14.206", 443, IPPROTO_TCP, 0, 0, 7, id);
	assert_string_equal(id, "1:IwiTNfuO7aCaamMijl+7/X9uLx0=");
	cid_of("192.168.0.254", 56162, "192.168.0.254", 3306, IPPROTO_TCP, 0, 0, 1, id);
	assert_string_equal(id, "1:IJQHtzXv/tXud3FtXIufkDsfEd4=");
	/* a protocol without ports */
	cid_of("1.2.3.4", 0, "5.6.7.8", 0, 47, 0, 0, 0, id);
	assert_string_equal(id, "1:+mluqz76jObh6dJLwnhX08n5St4=");
	assert_int_equal(setu_community_id(NULL, 0, id, sizeof(id)), SETU_EINVAL);
}

static void test_midstream_synack_swaps(void **state)
{
	(void)state;
	setu_flow_config_t cfg;
	setu_flow_config_default(&cfg);
	cfg.hash_size = 16;
	cfg.midstream = true;
	setu_flow_table_t *t = setu_flow_table_new(&cfg);
	setu_pkt_t p;
	mk(&p, "10.0.0.2", 80, "10.0.0.1", 40000, IPPROTO_TCP, 1);
	p.tcp.flags = SETU_TH_SYN | SETU_TH_ACK;
	setu_flow_t *f = setu_flow_handle_packet(t, &p);
	char a[SETU_ADDR_STRLEN];
	assert_string_equal(setu_addr_str(&f->src, a, sizeof(a)), "10.0.0.1");
	assert_int_equal(f->sp, 40000);
	assert_true(p.flags & SETU_PKT_TOCLIENT);
	assert_int_equal(f->pkts_toclient, 1);
	assert_int_equal(f->tcp_flags_tc, SETU_TH_SYN | SETU_TH_ACK);
	setu_flow_table_free(t);

	cfg.hash_size = 0;
	assert_null(setu_flow_table_new(&cfg));
}

static void mk_icmp(setu_pkt_t *p, const char *src, const char *dst, uint8_t type,
                    uint8_t code)
{
	mk(p, src, 0, dst, 0, IPPROTO_ICMP, 10);
	p->icmp.type = type;
	p->icmp.code = code;
}

static void test_icmp_flows(void **state)
{
	(void)state;
	setu_flow_table_t *t = table(0);
	setu_pkt_t p;
	/* echo request and reply: one flow keyed on the type pair */
	mk_icmp(&p, "10.0.0.1", "10.0.0.2", 8, 0);
	setu_flow_t *echo = setu_flow_handle_packet(t, &p);
	assert_non_null(echo);
	mk_icmp(&p, "10.0.0.2", "10.0.0.1", 0, 0);
	assert_ptr_equal(setu_flow_handle_packet(t, &p), echo);
	assert_true(p.flags & SETU_PKT_TOCLIENT);
	assert_string_equal(setu_flow_state_name(echo), "established");
	/* a timestamp request between the same hosts is another flow */
	mk_icmp(&p, "10.0.0.1", "10.0.0.2", 13, 0);
	setu_flow_t *ts = setu_flow_handle_packet(t, &p);
	assert_ptr_not_equal(ts, echo);
	mk_icmp(&p, "10.0.0.2", "10.0.0.1", 14, 0);
	assert_ptr_equal(setu_flow_handle_packet(t, &p), ts);

	/* a port unreachable joins the UDP flow it reports on */
	mk(&p, "10.0.0.1", 5353, "10.0.0.9", 53, IPPROTO_UDP, 11);
	setu_flow_t *udp = setu_flow_handle_packet(t, &p);
	mk_icmp(&p, "10.0.0.9", "10.0.0.1", 3, 3);
	p.icmp.has_inner = true;
	setu_addr_parse(&p.icmp.inner_src, "10.0.0.1");
	setu_addr_parse(&p.icmp.inner_dst, "10.0.0.9");
	p.icmp.inner_proto = IPPROTO_UDP;
	p.icmp.inner_sp = 5353;
	p.icmp.inner_dp = 53;
	assert_ptr_equal(setu_flow_handle_packet(t, &p), udp);
	assert_true(p.flags & SETU_PKT_TOCLIENT);
	assert_int_equal(udp->pkts_toclient, 1);
	/* without a matching flow it is an ICMP flow of its own */
	p.icmp.inner_sp = 5354;
	setu_flow_t *own = setu_flow_handle_packet(t, &p);
	assert_non_null(own);
	assert_ptr_not_equal(own, udp);
	assert_int_equal(own->proto, IPPROTO_ICMP);
	assert_int_equal(setu_flow_table_active(t), 4);
	setu_flow_table_free(t);
}

static void test_many_flows_small_hash(void **state)
{
	(void)state;
	setu_flow_config_t cfg;
	setu_flow_config_default(&cfg);
	cfg.hash_size = 7; /* long chains, not a power of two */
	setu_flow_table_t *t = setu_flow_table_new(&cfg);
	assert_non_null(t);
	setu_pkt_t p;
	setu_flow_t *flows[3000];
	for (int i = 0; i < 3000; i++) {
		char a[32];
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 250, i % 250);
		mk(&p, a, (uint16_t)(1000 + i), "192.0.2.1", 53, IPPROTO_UDP,
		   100 + (i % 2));
		flows[i] = setu_flow_handle_packet(t, &p);
		assert_non_null(flows[i]);
	}
	assert_int_equal(setu_flow_table_active(t), 3000);
	for (int i = 2999; i >= 0; i -= 7) { /* replies find their flows */
		char a[32];
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 250, i % 250);
		mk(&p, "192.0.2.1", 53, a, (uint16_t)(1000 + i), IPPROTO_UDP, 102);
		assert_ptr_equal(setu_flow_handle_packet(t, &p), flows[i]);
	}
	/* flows seen last at 100 expire at 130, those at 101 at 131; replied ones live on
	 */
	ends_t e = {0};
	struct timeval now = {130, 0};
	size_t n100 = setu_flow_timeout(t, &now, on_end, &e);
	now.tv_sec = 131;
	size_t n101 = setu_flow_timeout(t, &now, on_end, &e);
	size_t replied = 0;
	for (int i = 2999; i >= 0; i -= 7)
		replied++;
	assert_int_equal(n100 + n101, 3000 - replied);
	assert_int_equal(setu_flow_table_active(t), replied);
	now.tv_sec = 102 + 300; /* established (both directions seen): 300 s */
	assert_int_equal(setu_flow_timeout(t, &now, on_end, &e), replied);
	assert_int_equal(setu_flow_table_active(t), 0);
	setu_flow_table_free(t);
}

/* Records the last byte of the source address of each flow ended, in order. */
typedef struct order {
	uint8_t sp[16];
	int n;
} order_t;

static void on_end_order(void *user, setu_flow_t *f)
{
	order_t *o = user;
	assert_true(o->n < 16);
	o->sp[o->n++] = f->src.b[3];
}

static void test_timeout_order_and_state_moves(void **state)
{
	(void)state;
	setu_flow_table_t *t = table(0);
	setu_pkt_t p;
	/* activity order 1..5 over several timeout classes */
	mk(&p, "10.0.0.1", 1, "10.0.0.2", 80, IPPROTO_TCP, 1000); /* tcp new: 60 */
	setu_flow_t *old_tcp = setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.2", 2, "10.0.0.2", 53, IPPROTO_UDP, 1010); /* udp new: 30 */
	setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.3", 3, "10.0.0.2", 80, IPPROTO_TCP, 1011); /* tcp new: 60 */
	setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.4", 4, "10.0.0.2", 0, 47, 1012); /* default new: 30 */
	setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.5", 5, "10.0.0.2", 80, IPPROTO_TCP, 1013); /* tcp new */
	setu_flow_t *newest = setu_flow_handle_packet(t, &p);
	/* the oldest flow becomes established (600 s) without new activity; then the
	 * newest goes straight to closed (60 s) */
	setu_flow_set_state(old_tcp, SETU_FLOW_STATE_ESTABLISHED);
	setu_flow_set_state(newest, SETU_FLOW_STATE_CLOSED);

	order_t o = {0};
	struct timeval now = {1042, 0}; /* udp (1010) and default (1012) new: expired */
	assert_int_equal(setu_flow_timeout(t, &now, on_end_order, &o), 2);
	assert_int_equal(o.sp[0], 2);
	assert_int_equal(o.sp[1], 4);
	/* at 1073 tcp new (1011) and tcp closed (1013) are due, in activity order; the
	 * established one (1000 + 600) is not, though its old class (new, 60 s) would be
	 */
	now.tv_sec = 1073;
	assert_int_equal(setu_flow_timeout(t, &now, on_end_order, &o), 2);
	assert_int_equal(o.sp[2], 3);
	assert_int_equal(o.sp[3], 5);
	assert_int_equal(setu_flow_table_active(t), 1);
	now.tv_sec = 1599;
	assert_int_equal(setu_flow_timeout(t, &now, on_end_order, &o), 0);
	now.tv_sec = 1600;
	assert_int_equal(setu_flow_timeout(t, &now, on_end_order, &o), 1);
	assert_int_equal(o.sp[4], 1);

	/* flush ends flows in activity order across classes, a touched flow last */
	mk(&p, "10.0.0.10", 10, "10.0.0.2", 80, IPPROTO_TCP, 2000);
	setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.11", 11, "10.0.0.2", 53, IPPROTO_UDP, 2001);
	setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.2", 53, "10.0.0.11", 11, IPPROTO_UDP, 2002); /* -> established */
	setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.12", 12, "10.0.0.2", 0, 47, 2003);
	setu_flow_handle_packet(t, &p);
	mk(&p, "10.0.0.10", 10, "10.0.0.2", 80, IPPROTO_TCP, 2004);
	setu_flow_handle_packet(t, &p);
	o.n = 0;
	setu_flow_flush(t, on_end_order, &o);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.sp[0], 11);
	assert_int_equal(o.sp[1], 12);
	assert_int_equal(o.sp[2], 10);
	setu_flow_table_free(t);
}

/* A timeout pass looks at the heads of the timeout-class lists, not at every idle
 * long-lived flow: flows.mgr.flows_checked grows by the lists looked at plus the flows
 * ended, however many flows wait. */
static void test_timeout_pass_skips_live_flows(void **state)
{
	(void)state;
	setu_flow_config_t cfg;
	setu_flow_config_default(&cfg);
	cfg.hash_size = 1024;
	setu_flow_table_t *t = setu_flow_table_new(&cfg);
	assert_non_null(t);
	setu_pkt_t p;
	for (int i = 0; i < 2000; i++) { /* established UDP (300 s), idle from 100 */
		char a[32];
		snprintf(a, sizeof(a), "10.1.%d.%d", i / 250, i % 250);
		mk(&p, a, 5000, "192.0.2.1", 53, IPPROTO_UDP, 100);
		assert_non_null(setu_flow_handle_packet(t, &p));
		mk(&p, "192.0.2.1", 53, a, 5000, IPPROTO_UDP, 100);
		assert_non_null(setu_flow_handle_packet(t, &p));
	}
	ends_t e = {0};
	size_t ended = 0;
	int passes = 0;
	for (time_t s = 101; s <= 400; s++, passes++) {
		/* one short-lived flow a second, each gone 30 s later */
		mk(&p, "10.9.0.1", (uint16_t)s, "192.0.2.1", 53, IPPROTO_UDP, s);
		assert_non_null(setu_flow_handle_packet(t, &p));
		struct timeval now = {s, 0};
		ended += setu_flow_timeout(t, &now, on_end, &e);
	}
	/* the 2000 expire at 100 + 300; the short ones made up to 400 - 30 too */
	assert_int_equal(ended, 2000 + (400 - 30 - 101 + 1));
	uint64_t checked = flow_counter(t, "flow.mgr.flows_checked");
	assert_true(checked <= (uint64_t)passes * 2 + ended);
	setu_flow_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_symmetric_lookup),
	    cmocka_unit_test(test_vlan_separation),
	    cmocka_unit_test(test_timeouts_per_state),
	    cmocka_unit_test(test_memcap_policy),
	    cmocka_unit_test(test_flush_and_storage),
	    cmocka_unit_test(test_community_id_vectors),
	    cmocka_unit_test(test_midstream_synack_swaps),
	    cmocka_unit_test(test_icmp_flows),
	    cmocka_unit_test(test_many_flows_small_hash),
	    cmocka_unit_test(test_timeout_order_and_state_moves),
	    cmocka_unit_test(test_timeout_pass_skips_live_flows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
