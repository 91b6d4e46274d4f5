/* test_decode_defrag.c — IPv4 and IPv6 fragment reassembly: in order, out of order,
 * overlaps under the bsd policy, too-large datagrams, timeouts, memcap, fragment limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pktbuild.h"
#include "sensor/decode/decode.h"
#include "setu/error.h"

#include <string.h>

static pb_t W;

static setu_decode_ctx_t *new_ctx(size_t memcap, uint32_t timeout)
{
	setu_decode_config_t cfg;
	setu_decode_config_default(&cfg);
	if (memcap)
		cfg.defrag_memcap = memcap;
	if (timeout)
		cfg.defrag_timeout = timeout;
	setu_decode_ctx_t *dc = setu_decode_ctx_new(&cfg);
	assert_non_null(dc);
	return dc;
}

/* The datagram we fragment: UDP 1000 -> 2000 with a 40-byte payload of 'A'..'Z'... */
static uint8_t DGRAM[8 + 40];
static void make_dgram(uint16_t id)
{
	(void)id;
	pb_t *w = &W;
	w->n = 0;
	/* Build the UDP datagram inside a temporary IPv4 packet to get its checksum. */
	size_t ip = pb_ip4(w, 17, id, 0, NULL, 0);
	uint8_t pl[40];
	for (int i = 0; i < 40; i++)
		pl[i] = (uint8_t)('A' + i % 26);
	size_t udp = pb_udp(w, 1000, 2000, pl, sizeof(pl));
	pb_l4_csum(w, ip, udp, udp + 6, 17);
	memcpy(DGRAM, w->b + udp, sizeof(DGRAM));
}

/* One IPv4 fragment carrying DGRAM[off, off+len) (or `data` if non-NULL). */
static void frag4(uint16_t id, uint16_t off, size_t len, bool mf, const uint8_t *data)
{
	W.n = 0;
	pb_eth(&W, 0x0800);
	size_t ip =
	    pb_ip4(&W, 17, id, (uint16_t)((mf ? 0x2000 : 0) | (off / 8)), NULL, 0);
	pb_bytes(&W, data ? data : DGRAM + off, len);
	pb_ip4_done(&W, ip);
}

static int run(setu_decode_ctx_t *dc, setu_pkt_t *p, long sec)
{
	pkt_of(p, &W, SETU_DLT_EN10MB);
	p->ts.tv_sec = sec;
	return setu_decode(dc, p);
}

static void check_whole(const setu_pkt_t *p)
{
	assert_true(p->flags & SETU_PKT_REASSEMBLED);
	assert_false(p->flags & SETU_PKT_IS_FRAGMENT);
	assert_true(p->flags & SETU_PKT_HAS_L4);
	assert_false(p->flags & SETU_PKT_UDP_CSUM_BAD);
	assert_false(p->ip.mf);
	assert_int_equal(p->ip.frag_off, 0);
	assert_int_equal(p->sp, 1000);
	assert_int_equal(p->dp, 2000);
	assert_int_equal(p->payload_len, 40);
	assert_memory_equal(p->payload, DGRAM + 8, 40);
}

static void check_frag(const setu_pkt_t *p)
{
	assert_true(p->flags & SETU_PKT_IS_FRAGMENT);
	assert_false(p->flags & SETU_PKT_HAS_L4);
	assert_false(p->flags & SETU_PKT_REASSEMBLED);
	assert_false(p->flags & SETU_PKT_INVALID);
}

static uint64_t counter(setu_decode_ctx_t *dc, const char *name);

static void test_v4_in_order(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(0, 0);
	setu_pkt_t p;
	make_dgram(1);
	frag4(1, 0, 16, true, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	check_frag(&p);
	assert_int_equal(p.proto, 17);
	frag4(1, 16, 16, true, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	check_frag(&p);
	frag4(1, 32, 16, false, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	check_whole(&p);
	assert_int_equal(p.l3_len, 20 + 48);
	assert_int_equal(counter(dc, "defrag.ipv4.fragments"), 3);
	assert_int_equal(counter(dc, "defrag.ipv4.reassembled"), 1);
	assert_int_equal(counter(dc, "decoder.ipv4"), 3);
	assert_int_equal(counter(dc, "defrag.memuse"), 0);
	setu_decode_ctx_free(dc);
}

static void test_v4_out_of_order(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(0, 0);
	setu_pkt_t p;
	make_dgram(2);
	frag4(2, 32, 16, false, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	check_frag(&p);
	frag4(2, 0, 16, true, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	check_frag(&p);
	/* Another datagram's fragment (other id) in between does not complete ours. */
	frag4(3, 0, 16, true, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	check_frag(&p);
	frag4(2, 16, 16, true, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	check_whole(&p);
	setu_decode_ctx_free(dc);
}

static void test_v4_overlap_bsd(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(0, 0);
	setu_pkt_t p;
	make_dgram(4);
	uint8_t junk[24];
	memset(junk, 'X', sizeof(junk));
	/* Original [0,24), then a later [8,32) of junk: the original keeps [8,24) (it
	 * starts first), the junk fills [24,32). Then the real [24,48) arrives: [24,32)
	 * overlaps the junk, which started earlier, so junk wins there too. */
	frag4(4, 0, 24, true, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	frag4(4, 8, 24, true, junk);
	assert_int_equal(run(dc, &p, 1), 0);
	assert_true(setu_pkt_has_event(&p, SETU_EV_IPV4_FRAG_OVERLAP));
	frag4(4, 24, 24, false, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	assert_true(setu_pkt_has_event(&p, SETU_EV_IPV4_FRAG_OVERLAP));
	assert_true(p.flags & SETU_PKT_REASSEMBLED);
	assert_int_equal(p.payload_len, 40);
	/* Datagram bytes [16,24) = payload [8,16): original; [24,32) = payload [16,24):
	 * X. */
	assert_memory_equal(p.payload, DGRAM + 8, 16);
	assert_memory_equal(p.payload + 16, junk, 8);
	assert_memory_equal(p.payload + 24, DGRAM + 32, 16);

	/* A later fragment starting before an original wins over it (bsd). */
	uint8_t early[16];
	memcpy(early, DGRAM, 8); /* keep the UDP header */
	memset(early + 8, 'X', 8);
	frag4(5, 8, 16, true, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	frag4(5, 0, 16, true, early);
	assert_int_equal(run(dc, &p, 1), 0);
	assert_true(setu_pkt_has_event(&p, SETU_EV_IPV4_FRAG_OVERLAP));
	frag4(5, 16, 32, false, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	assert_true(p.flags & SETU_PKT_REASSEMBLED);
	/* [8,16) comes from the later fragment, [16,48) from the originals. */
	assert_int_equal(p.sp, 1000);
	assert_memory_equal(p.payload, early + 8, 8);
	assert_memory_equal(p.payload + 8, DGRAM + 16, 32);
	assert_true(p.flags & SETU_PKT_UDP_CSUM_BAD);
	setu_decode_ctx_free(dc);
}

static void test_v4_too_large(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(0, 0);
	setu_pkt_t p;
	make_dgram(6);
	static const uint8_t zeros[16];
	frag4(6, 65528, 16, false, zeros);
	assert_int_equal(run(dc, &p, 1), 0);
	assert_true(setu_pkt_has_event(&p, SETU_EV_IPV4_FRAG_PKT_TOO_LARGE));
	assert_true(p.flags & SETU_PKT_IS_FRAGMENT);
	setu_decode_ctx_free(dc);
}

static void test_v4_timeout(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(0, 30);
	setu_pkt_t p;
	make_dgram(7);
	frag4(7, 0, 16, true, NULL);
	assert_int_equal(run(dc, &p, 100), 0);
	/* The rest arrives too late: the tracker has expired, nothing completes. */
	frag4(7, 16, 32, false, NULL);
	assert_int_equal(run(dc, &p, 131), 0);
	check_frag(&p);
	assert_int_equal(counter(dc, "defrag.ipv4.timeouts"), 1);
	/* The engine's sweep drops the new tracker once it is old. */
	struct timeval now = {.tv_sec = 150};
	setu_decode_timeout(dc, &now);
	assert_int_not_equal(counter(dc, "defrag.memuse"), 0);
	now.tv_sec = 200;
	setu_decode_timeout(dc, &now);
	assert_int_equal(counter(dc, "defrag.memuse"), 0);
	assert_int_equal(counter(dc, "defrag.ipv4.timeouts"), 2);
	assert_int_equal(counter(dc, "defrag.mgr.tracker_timeout"), 1);
	/* Within the timeout it completes. */
	frag4(7, 0, 16, true, NULL);
	assert_int_equal(run(dc, &p, 300), 0);
	frag4(7, 16, 32, false, NULL);
	assert_int_equal(run(dc, &p, 320), 0);
	check_whole(&p);
	setu_decode_ctx_free(dc);
}

static void test_v4_memcap_and_limits(void **state)
{
	(void)state;
	/* A memcap too small for one tracker: nothing is tracked, packets go on. */
	setu_decode_ctx_t *dc = new_ctx(64, 0);
	setu_pkt_t p;
	make_dgram(8);
	frag4(8, 0, 16, true, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	check_frag(&p);
	frag4(8, 16, 32, false, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	check_frag(&p);
	assert_int_equal(counter(dc, "defrag.max_trackers_reached"), 2);
	assert_int_equal(counter(dc, "defrag.memuse"), 0);
	setu_decode_ctx_free(dc);

	/* Room for a tracker but not for a 1200-byte fragment: the fragment is ignored.
	 */
	dc = new_ctx(1500, 0);
	static uint8_t big[1200];
	frag4(10, 0, sizeof(big), true, big);
	assert_int_equal(run(dc, &p, 1), 0);
	check_frag(&p);
	assert_true(setu_pkt_has_event(&p, SETU_EV_IPV4_FRAG_IGNORED));
	frag4(10, 0, 16, true, NULL); /* a small one still fits */
	assert_int_equal(run(dc, &p, 1), 0);
	assert_false(setu_pkt_has_event(&p, SETU_EV_IPV4_FRAG_IGNORED));
	assert_true(counter(dc, "defrag.memuse") <= 1500);
	setu_decode_ctx_free(dc);

	/* Fragment limit: the same 8 bytes sent again and again. */
	dc = new_ctx(0, 0);
	bool ignored = false;
	for (int i = 0; i < 200 && !ignored; i++) {
		frag4(9, 0, 8, true, NULL);
		assert_int_equal(run(dc, &p, 1), 0);
		ignored = setu_pkt_has_event(&p, SETU_EV_IPV4_FRAG_IGNORED);
	}
	assert_true(ignored);
	assert_int_equal(counter(dc, "defrag.max_frags_reached"), 1);
	assert_int_equal(counter(dc, "defrag.memuse"), 0);
	/* Many trackers left open are freed by ctx_free (ASan checks the leak). */
	for (int i = 0; i < 100; i++) {
		frag4((uint16_t)(100 + i), 0, 8, true, NULL);
		run(dc, &p, 1);
	}
	assert_true(counter(dc, "defrag.memuse") > 0);
	setu_decode_ctx_free(dc);
}

/* IPv6 fragment: IPv6 + destination options (unfragmentable here) + fragment header. */
static void frag6(uint32_t id, uint16_t off, size_t len, bool mf, const uint8_t *data)
{
	W.n = 0;
	pb_eth(&W, 0x86dd);
	size_t ip = pb_ip6(&W, 44);
	pb_u8(&W, 17);
	pb_u8(&W, 0);
	pb_be16(&W, (uint16_t)(off | (mf ? 1 : 0)));
	pb_be32(&W, id);
	pb_bytes(&W, data ? data : DGRAM + off, len);
	pb_ip6_done(&W, ip);
}

static void make_dgram6(void)
{
	W.n = 0;
	size_t ip = pb_ip6(&W, 17);
	uint8_t pl[40];
	for (int i = 0; i < 40; i++)
		pl[i] = (uint8_t)('a' + i % 26);
	size_t udp = pb_udp(&W, 1000, 2000, pl, sizeof(pl));
	pb_ip6_done(&W, ip);
	pb_l4_csum(&W, ip, udp, udp + 6, 17);
	memcpy(DGRAM, W.b + udp, sizeof(DGRAM));
}

static void test_v6(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(0, 0);
	setu_pkt_t p;
	make_dgram6();
	frag6(0x12345678, 24, 24, false, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	check_frag(&p);
	assert_int_equal(p.ip.frag_id, 0x12345678);
	assert_int_equal(p.ip.frag_off, 24);
	frag6(0x12345678, 0, 24, true, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	check_whole(&p);
	assert_int_equal(p.ip_ver, 6);
	assert_int_equal(p.proto, 17);
	assert_int_equal(p.l3_len, 40 + 48);
	assert_int_equal(counter(dc, "defrag.ipv6.reassembled"), 1);
	assert_int_equal(counter(dc, "decoder.ipv6"), 2);

	/* Overlap, invalid length, too large. */
	frag6(5, 0, 24, true, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	frag6(5, 16, 16, true, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	assert_true(setu_pkt_has_event(&p, SETU_EV_IPV6_FRAG_OVERLAP));
	frag6(6, 0, 12, true, NULL);
	assert_int_equal(run(dc, &p, 1), 0);
	assert_true(setu_pkt_has_event(&p, SETU_EV_IPV6_FRAG_INVALID_LENGTH));
	check_frag(&p);
	static const uint8_t zeros[16];
	frag6(7, 65528, 16, false, zeros);
	assert_int_equal(run(dc, &p, 1), 0);
	assert_true(setu_pkt_has_event(&p, SETU_EV_IPV6_FRAG_PKT_TOO_LARGE));
	setu_decode_ctx_free(dc);
}

typedef struct {
	const char *name;
	uint64_t v;
	bool found;
} one_counter_t;

static void find_counter(void *user, const char *name, uint64_t v)
{
	one_counter_t *c = user;
	if (!strcmp(name, c->name)) {
		c->v = v;
		c->found = true;
	}
}

static uint64_t counter(setu_decode_ctx_t *dc, const char *name)
{
	one_counter_t c = {name, 0, false};
	setu_decode_counters(dc, find_counter, &c);
	assert_true(c.found);
	return c.v;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v4_in_order),
	    cmocka_unit_test(test_v4_out_of_order),
	    cmocka_unit_test(test_v4_overlap_bsd),
	    cmocka_unit_test(test_v4_too_large),
	    cmocka_unit_test(test_v4_timeout),
	    cmocka_unit_test(test_v4_memcap_and_limits),
	    cmocka_unit_test(test_v6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
