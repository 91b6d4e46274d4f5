/* test_decode.c — the L2-L4 decoders on hand-built frames: fields filled, events raised
 * on each anomaly path, checksums, encapsulations (VLAN/QinQ, SLL/SLL2, PPPoE, GRE,
 * VXLAN, MPLS, IP-in-IP), counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pktbuild.h"
#include "sensor/decode/decode.h"
#include "setu/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static setu_decode_ctx_t *new_ctx(bool csum)
{
	setu_decode_config_t cfg;
	setu_decode_config_default(&cfg);
	cfg.checksum_validate = csum;
	setu_decode_ctx_t *dc = setu_decode_ctx_new(&cfg);
	assert_non_null(dc);
	return dc;
}

static pb_t W; /* test scratch: frames are large */

/* Ethernet + IPv4 + TCP with payload "hello". */
static void build_eth_ip4_tcp(pb_t *w, const uint8_t *ipopt, size_t ipolen,
                              const uint8_t *topt, size_t tolen)
{
	w->n = 0;
	pb_eth(w, 0x0800);
	size_t ip = pb_ip4(w, 6, 77, 0x4000, ipopt, ipolen);
	size_t tcp = pb_tcp(w, 1234, 80, 0x18, topt, tolen, "hello");
	pb_l4_csum(w, ip, tcp, tcp + 16, 6);
	pb_ip4_done(w, ip);
}

static void test_ipv4_tcp_ok(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(true);
	static const uint8_t topt[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10,
	                               0, 0, 0,    1,    0, 0, 0, 2, 1, 1, 1, 0};
	build_eth_ip4_tcp(&W, NULL, 0, topt, sizeof(topt));
	setu_pkt_t p;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(p.has_eth);
	assert_int_equal(p.eth_src[0], 6);
	assert_int_equal(p.ip_ver, 4);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.ip.ttl, 64);
	assert_int_equal(p.ip.id, 77);
	assert_true(p.ip.df);
	assert_false(p.ip.mf);
	assert_int_equal(p.ip.hlen, 20);
	char a[SETU_ADDR_STRLEN];
	assert_string_equal(setu_addr_str(&p.src, a, sizeof(a)), "10.0.0.1");
	assert_string_equal(setu_addr_str(&p.dst, a, sizeof(a)), "10.0.0.2");
	assert_int_equal(p.sp, 1234);
	assert_int_equal(p.dp, 80);
	assert_int_equal(p.tcp.seq, 1000);
	assert_int_equal(p.tcp.ack, 2000);
	assert_int_equal(p.tcp.flags, 0x18);
	assert_int_equal(p.tcp.hlen, 20 + sizeof(topt));
	assert_true(p.tcp.has_mss);
	assert_int_equal(p.tcp.mss, 1460);
	assert_true(p.tcp.has_wscale);
	assert_int_equal(p.tcp.wscale, 7);
	assert_true(p.tcp.sack_ok);
	assert_true(p.tcp.has_ts);
	assert_int_equal(p.tcp.tsval, 1);
	assert_int_equal(p.tcp.tsecr, 2);
	assert_int_equal(p.payload_len, 5);
	assert_memory_equal(p.payload, "hello", 5);
	assert_true(p.flags & SETU_PKT_HAS_L4);
	assert_false(p.flags &
	             (SETU_PKT_INVALID | SETU_PKT_IPV4_CSUM_BAD | SETU_PKT_TCP_CSUM_BAD));
	assert_int_equal(p.nevents, 0);
	setu_decode_ctx_free(dc);
}

static void test_checksums_bad(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(true);
	setu_decode_ctx_t *nodc = new_ctx(false);
	build_eth_ip4_tcp(&W, NULL, 0, NULL, 0);
	W.b[14 + 10] ^= 0x55; /* IP checksum */
	W.b[W.n - 1] ^= 0x01; /* payload byte: TCP checksum */
	setu_pkt_t p;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(p.flags & SETU_PKT_IPV4_CSUM_BAD);
	assert_true(p.flags & SETU_PKT_TCP_CSUM_BAD);
	assert_true(p.flags & SETU_PKT_HAS_L4); /* not dropped */
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(nodc, &p), 0);
	assert_false(p.flags & (SETU_PKT_IPV4_CSUM_BAD | SETU_PKT_TCP_CSUM_BAD));

	/* UDP: good, bad, and 0 (= none over IPv4). */
	W.n = 0;
	pb_eth(&W, 0x0800);
	size_t ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	size_t udp = pb_udp(&W, 53, 53, "abcd", 4);
	pb_l4_csum(&W, ip, udp, udp + 6, 17);
	pb_ip4_done(&W, ip);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_false(p.flags & SETU_PKT_UDP_CSUM_BAD);
	W.b[udp + 8] ^= 0xff;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(p.flags & SETU_PKT_UDP_CSUM_BAD);
	pb_put16(&W, udp + 6, 0);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_false(p.flags & SETU_PKT_UDP_CSUM_BAD);

	/* ICMP echo: good then bad. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	ip = pb_ip4(&W, 1, 2, 0, NULL, 0);
	size_t ic = W.n;
	pb_u8(&W, 8);
	pb_u8(&W, 0);
	pb_be16(&W, 0);
	pb_be16(&W, 0x1234);
	pb_be16(&W, 7);
	pb_bytes(&W, "ping", 4);
	pb_put16(&W, ic + 2, tfold(tsum(0, W.b + ic, W.n - ic)));
	pb_ip4_done(&W, ip);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.icmp.type, 8);
	assert_true(p.icmp.has_id);
	assert_int_equal(p.icmp.id, 0x1234);
	assert_int_equal(p.icmp.seq, 7);
	assert_false(p.flags & SETU_PKT_ICMP_CSUM_BAD);
	W.b[ic + 9] ^= 1;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(p.flags & SETU_PKT_ICMP_CSUM_BAD);
	setu_decode_ctx_free(dc);
	setu_decode_ctx_free(nodc);
}

/* Decode and expect rc and one event. */
static void expect(setu_decode_ctx_t *dc, int linktype, int rc, setu_event_t ev)
{
	setu_pkt_t p;
	pkt_of(&p, &W, linktype);
	int got = setu_decode(dc, &p);
	if (got != rc || (ev != SETU_EV_NONE && !setu_pkt_has_event(&p, ev))) {
		fprintf(stderr, "expected rc %d event %s, got rc %d events:", rc,
		        ev ? setu_event_name(ev) : "-", got);
		for (unsigned i = 0; i < p.nevents; i++)
			fprintf(stderr, " %s",
			        setu_event_name((setu_event_t)p.events[i]));
		fprintf(stderr, "\n");
		fail();
	}
	if (rc < 0)
		assert_true(p.flags & SETU_PKT_INVALID);
	else
		assert_false(p.flags & SETU_PKT_INVALID);
}

static void test_ipv4_anomalies(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(true);
	/* Frame shorter than an IPv4 header. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	pb_be32(&W, 0x45000000);
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_IPV4_PKT_TOO_SMALL);
	/* Wrong version. */
	build_eth_ip4_tcp(&W, NULL, 0, NULL, 0);
	W.b[14] = 0x55;
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_IPV4_WRONG_IP_VERSION);
	/* Header length 16. */
	build_eth_ip4_tcp(&W, NULL, 0, NULL, 0);
	W.b[14] = 0x44;
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_IPV4_HLEN_TOO_SMALL);
	/* Total length smaller than the header. */
	build_eth_ip4_tcp(&W, NULL, 0, NULL, 0);
	pb_put16(&W, 14 + 2, 12);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED,
	       SETU_EV_IPV4_IPLEN_SMALLER_THAN_HLEN);
	/* Total length beyond the captured bytes. */
	build_eth_ip4_tcp(&W, NULL, 0, NULL, 0);
	W.n -= 3;
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_IPV4_TRUNC_PKT);
	/* Ethernet padding after the datagram is fine. */
	build_eth_ip4_tcp(&W, NULL, 0, NULL, 0);
	memset(W.b + W.n, 0, 10);
	W.n += 10;
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_NONE);
	/* ICMPv6 inside IPv4. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	size_t ip = pb_ip4(&W, 58, 1, 0, NULL, 0);
	pb_be32(&W, 0x80000000);
	pb_be32(&W, 0);
	pb_ip4_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV4_ICMPV6);
	/* A protocol the decoder does not know (OSPF). */
	W.n = 0;
	pb_eth(&W, 0x0800);
	ip = pb_ip4(&W, 89, 1, 0, NULL, 0);
	pb_be32(&W, 0);
	pb_ip4_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV4_UNKNOWN_PROTOCOL);
	/* ESP shorter than SPI + sequence number; then a whole one. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	ip = pb_ip4(&W, 50, 1, 0, NULL, 0);
	pb_be32(&W, 0x1000);
	pb_ip4_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_ESP_PKT_TOO_SMALL);
	pb_be32(&W, 1);
	pb_be32(&W, 0xabcdef01);
	pb_ip4_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_NONE);
	setu_decode_ctx_free(dc);
}

static void test_ipv4_options(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(true);
	setu_pkt_t p;
	/* Record route (len 7, ptr 4) + router alert + EOL. */
	static const uint8_t ok[] = {7, 7, 4, 0, 0, 0, 0, 0x94, 4, 0, 0, 0};
	build_eth_ip4_tcp(&W, ok, sizeof(ok), NULL, 0);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.nevents, 0);
	assert_true(p.ip.opts & SETU_IPOPT_RR);
	assert_true(p.ip.opts & SETU_IPOPT_ANY);
	assert_int_equal(p.ip.hlen, 32);
	assert_true(p.flags & SETU_PKT_HAS_L4);
	/* Timestamp + NOPs + EOL. */
	static const uint8_t ts[] = {1, 1, 0x44, 8, 5, 0, 0, 0, 0, 0, 0, 0};
	build_eth_ip4_tcp(&W, ts, sizeof(ts), NULL, 0);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(p.ip.opts & SETU_IPOPT_TS);
	assert_true(p.ip.opts & SETU_IPOPT_NOP);
	assert_true(p.ip.opts & SETU_IPOPT_EOL);
	/* Option length beyond the options. */
	static const uint8_t big[] = {7, 40, 4, 0};
	build_eth_ip4_tcp(&W, big, sizeof(big), NULL, 0);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_IPV4_OPT_INVALID_LEN);
	/* Option length 1. */
	static const uint8_t one[] = {7, 1, 0, 0};
	build_eth_ip4_tcp(&W, one, sizeof(one), NULL, 0);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_IPV4_OPT_INVALID_LEN);
	/* Record route pointer not a multiple of 4. */
	static const uint8_t badptr[] = {7, 7, 5, 0, 0, 0, 0, 0};
	build_eth_ip4_tcp(&W, badptr, sizeof(badptr), NULL, 0);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_IPV4_OPT_MALFORMED);
	/* Security option of the wrong length. */
	static const uint8_t sec[] = {0x82, 4, 0, 0};
	build_eth_ip4_tcp(&W, sec, sizeof(sec), NULL, 0);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_IPV4_OPT_INVALID_LEN);
	/* Duplicate router alert: recorded, packet still valid. */
	static const uint8_t dup[] = {0x94, 4, 0, 0, 0x94, 4, 0, 0};
	build_eth_ip4_tcp(&W, dup, sizeof(dup), NULL, 0);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV4_OPT_DUPLICATE);
	/* Unknown option type: recorded, packet valid. */
	static const uint8_t unk[] = {0x9e, 4, 0, 0};
	build_eth_ip4_tcp(&W, unk, sizeof(unk), NULL, 0);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV4_OPT_INVALID);
	/* A multi-byte option type in the last byte: EOL required. */
	static const uint8_t tail[] = {1, 1, 1, 0x94};
	build_eth_ip4_tcp(&W, tail, sizeof(tail), NULL, 0);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV4_OPT_EOL_REQUIRED);
	setu_decode_ctx_free(dc);
}

static void test_tcp_anomalies(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(true);
	/* 12 bytes of TCP. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	size_t ip = pb_ip4(&W, 6, 1, 0, NULL, 0);
	pb_be32(&W, 1);
	pb_be32(&W, 2);
	pb_be32(&W, 3);
	pb_ip4_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_TCP_PKT_TOO_SMALL);
	/* Data offset 4 (16 bytes). */
	build_eth_ip4_tcp(&W, NULL, 0, NULL, 0);
	W.b[14 + 20 + 12] = 0x40;
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_TCP_INVALID_OPTLEN);
	/* Data offset beyond the segment. */
	build_eth_ip4_tcp(&W, NULL, 0, NULL, 0);
	W.b[14 + 20 + 12] = 0xf0;
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_TCP_HLEN_TOO_SMALL);
	/* MSS of length 3. */
	static const uint8_t badmss[] = {2, 3, 5, 1};
	build_eth_ip4_tcp(&W, NULL, 0, badmss, sizeof(badmss));
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_TCP_OPT_INVALID_LEN);
	/* Two window scales. */
	static const uint8_t dupws[] = {3, 3, 2, 3, 3, 4, 0, 0};
	build_eth_ip4_tcp(&W, NULL, 0, dupws, sizeof(dupws));
	setu_pkt_t p;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(setu_pkt_has_event(&p, SETU_EV_TCP_OPT_DUPLICATE));
	assert_int_equal(p.tcp.wscale, 2);
	/* Option length past the header. */
	static const uint8_t over[] = {8, 10, 0, 0};
	build_eth_ip4_tcp(&W, NULL, 0, over, sizeof(over));
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_TCP_OPT_INVALID_LEN);
	/* MD5 signature of the wrong size: counted invalid, the flow goes on. */
	static const uint8_t md5[] = {19, 6, 0, 0, 0, 0, 1, 0};
	build_eth_ip4_tcp(&W, NULL, 0, md5, sizeof(md5));
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_TCP_OPT_INVALID_LEN);
	/* SACK with 2 blocks is fine. */
	static const uint8_t sack[] = {1, 1, 5, 18, 0, 0, 0, 1, 0, 0,
	                               0, 2, 0, 0,  0, 3, 0, 0, 0, 4};
	build_eth_ip4_tcp(&W, NULL, 0, sack, sizeof(sack));
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(p.tcp.has_sack);
	assert_int_equal(p.nevents, 0);
	setu_decode_ctx_free(dc);
}

static void test_udp_anomalies(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(false);
	W.n = 0;
	pb_eth(&W, 0x0800);
	size_t ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_be32(&W, 0x00350035);
	pb_ip4_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_UDP_HLEN_TOO_SMALL);

	W.n = 0;
	pb_eth(&W, 0x0800);
	ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	size_t udp = pb_udp(&W, 53, 53, "abcdef", 6);
	pb_ip4_done(&W, ip);
	setu_pkt_t p;
	pb_put16(&W, udp + 4, 4);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_UDP_LEN_INVALID);
	pb_put16(&W, udp + 4, 20);
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_UDP_PKT_TOO_SMALL);
	pb_put16(&W, udp + 4, 10);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_UDP_HLEN_INVALID);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.payload_len, 2); /* the UDP length bounds the payload */
	pb_put16(&W, udp + 4, 14);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.sp, 53);
	assert_int_equal(p.payload_len, 6);
	setu_decode_ctx_free(dc);
}

static void test_icmpv4(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(false);
	/* Port unreachable quoting a UDP datagram. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	size_t ip = pb_ip4(&W, 1, 1, 0, NULL, 0);
	pb_u8(&W, 3);
	pb_u8(&W, 3);
	pb_be16(&W, 0);
	pb_be32(&W, 0);
	size_t inner = pb_ip4(&W, 17, 9, 0, NULL, 0);
	pb_udp(&W, 5353, 53, NULL, 0);
	pb_ip4_done(&W, inner);
	pb_ip4_done(&W, ip);
	setu_pkt_t p;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.icmp.type, 3);
	assert_int_equal(p.icmp.code, 3);
	assert_true(p.icmp.has_inner);
	assert_int_equal(p.icmp.inner_proto, 17);
	assert_int_equal(p.icmp.inner_sp, 5353);
	assert_int_equal(p.icmp.inner_dp, 53);
	assert_int_equal(p.nevents, 0);
	/* The quoted header is cut short. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	ip = pb_ip4(&W, 1, 1, 0, NULL, 0);
	pb_be32(&W, 0x0b000000);
	pb_be32(&W, 0);
	pb_be32(&W, 0x45000000);
	pb_ip4_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ICMPV4_IPV4_TRUNC_PKT);
	/* Quoted header with version 6. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	ip = pb_ip4(&W, 1, 1, 0, NULL, 0);
	pb_be32(&W, 0x0b000000);
	pb_be32(&W, 0);
	for (int i = 0; i < 5; i++)
		pb_be32(&W, i == 0 ? 0x65000000 : 0);
	pb_ip4_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ICMPV4_IPV4_UNKNOWN_VER);
	/* Unknown type, unknown code, too small. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	ip = pb_ip4(&W, 1, 1, 0, NULL, 0);
	pb_be32(&W, 0x63000000);
	pb_be32(&W, 0);
	pb_ip4_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ICMPV4_UNKNOWN_TYPE);
	W.b[14 + 20] = 8;
	W.b[14 + 21] = 5;
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ICMPV4_UNKNOWN_CODE);
	W.b[14 + 20] = 10; /* router solicitation: not a type Suricata knows */
	W.b[14 + 21] = 0;
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ICMPV4_UNKNOWN_TYPE);
	W.b[14 + 20] = 13; /* timestamp without its 12 bytes */
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ICMPV4_IPV4_TRUNC_PKT);
	W.n -= 2;
	pb_ip4_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_ICMPV4_PKT_TOO_SMALL);
	setu_decode_ctx_free(dc);
}

static size_t ip6_tcp(pb_t *w, bool eth)
{
	w->n = 0;
	if (eth)
		pb_eth(w, 0x86dd);
	size_t ip = pb_ip6(w, 6);
	size_t tcp = pb_tcp(w, 4000, 443, 0x02, NULL, 0, "x");
	pb_ip6_done(w, ip);
	pb_l4_csum(w, ip, tcp, tcp + 16, 6);
	return ip;
}

static void test_ipv6(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(true);
	ip6_tcp(&W, true);
	setu_pkt_t p;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.ip_ver, 6);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.ip.ttl, 64);
	assert_int_equal(p.dp, 443);
	assert_false(p.flags & SETU_PKT_TCP_CSUM_BAD);
	char a[SETU_ADDR_STRLEN];
	assert_string_equal(setu_addr_str(&p.dst, a, sizeof(a)), "2001:db8::2");
	W.b[W.n - 1] ^= 1;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(p.flags & SETU_PKT_TCP_CSUM_BAD);
	/* Anomalies. */
	ip6_tcp(&W, true);
	W.n = 14 + 30;
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_IPV6_PKT_TOO_SMALL);
	ip6_tcp(&W, true);
	W.b[14] = 0x50;
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_IPV6_WRONG_IP_VERSION);
	ip6_tcp(&W, true);
	W.n -= 1;
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_IPV6_TRUNC_PKT);
	setu_decode_ctx_free(dc);
}

/* IPv6 with the given extension header bytes (first one's type = nh0) before UDP. */
static void ip6_ext(pb_t *w, uint8_t nh0, const uint8_t *ext, size_t n)
{
	w->n = 0;
	pb_eth(w, 0x86dd);
	size_t ip = pb_ip6(w, nh0);
	pb_bytes(w, ext, n);
	pb_udp(w, 1, 2, "zz", 2);
	pb_ip6_done(w, ip);
}

static void test_ipv6_exthdrs(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(false);
	setu_pkt_t p;
	/* Hop-by-hop with router alert + PadN, then UDP. */
	static const uint8_t hbh[] = {17, 0, 5, 2, 0, 0, 1, 0};
	ip6_ext(&W, 0, hbh, sizeof(hbh));
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.proto, 17);
	assert_int_equal(p.ip.hlen, 48);
	assert_int_equal(p.dp, 2);
	assert_true(setu_pkt_has_event(&p, SETU_EV_IPV6_ZERO_LEN_PADN));
	/* Hop-by-hop of padding only. */
	static const uint8_t pad[] = {17, 0, 1, 4, 0, 0, 0, 0};
	ip6_ext(&W, 0, pad, sizeof(pad));
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV6_HOPOPTS_ONLY_PADDING);
	/* Unknown destination option. */
	static const uint8_t dst[] = {17, 0, 0x1e, 2, 0, 0, 0, 0};
	ip6_ext(&W, 60, dst, sizeof(dst));
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV6_DSTOPTS_UNKNOWN_OPT);
	/* Option length past the header. */
	static const uint8_t optlen[] = {17, 0, 0x1e, 9, 0, 0, 0, 0};
	ip6_ext(&W, 60, optlen, sizeof(optlen));
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV6_EXTHDR_INVALID_OPTLEN);
	/* Two hop-by-hop headers. */
	static const uint8_t hh2[] = {0, 0, 1, 4, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0};
	ip6_ext(&W, 0, hh2, sizeof(hh2));
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV6_EXTHDR_DUPL_HH);
	/* Routing header type 0. */
	static const uint8_t rh0[] = {17, 0, 0, 0, 0, 0, 0, 0};
	ip6_ext(&W, 43, rh0, sizeof(rh0));
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV6_RH_TYPE_0);
	/* Two routing headers. */
	static const uint8_t rh2[] = {43, 0, 2, 0, 0, 0, 0, 0, 17, 0, 2, 0, 0, 0, 0, 0};
	ip6_ext(&W, 43, rh2, sizeof(rh2));
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV6_EXTHDR_DUPL_RH);
	/* Extension header longer than the packet. */
	static const uint8_t trunc[] = {17, 4, 1, 4, 0, 0, 0, 0};
	ip6_ext(&W, 60, trunc, sizeof(trunc));
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_IPV6_TRUNC_EXTHDR);
	/* AH with a non-zero reserved field. */
	static const uint8_t ah[] = {17, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
	ip6_ext(&W, 51, ah, sizeof(ah));
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV6_EXTHDR_AH_RES_NOT_NULL);
	/* Atomic fragment (offset 0, no MF) with a reserved bit set. */
	static const uint8_t fh[] = {17, 1, 0, 0, 0, 0, 0, 9};
	ip6_ext(&W, 44, fh, sizeof(fh));
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(setu_pkt_has_event(&p, SETU_EV_IPV6_EXTHDR_USELESS_FH));
	assert_true(setu_pkt_has_event(&p, SETU_EV_IPV6_FH_NON_ZERO_RESERVED_FIELD));
	assert_true(p.flags & SETU_PKT_HAS_L4);
	/* No next header with data after it. */
	static const uint8_t none[] = {59, 0, 1, 4, 0, 0, 0, 0};
	ip6_ext(&W, 60, none, sizeof(none));
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV6_DATA_AFTER_NONE_HEADER);
	/* Unknown next header. */
	static const uint8_t unk[] = {253, 0, 1, 4, 0, 0, 0, 0};
	ip6_ext(&W, 60, unk, sizeof(unk));
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV6_UNKNOWN_NEXT_HEADER);
	/* ICMPv4 in IPv6. */
	W.n = 0;
	pb_eth(&W, 0x86dd);
	size_t ip = pb_ip6(&W, 1);
	pb_be32(&W, 0x08000000);
	pb_be32(&W, 0);
	pb_ip6_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_IPV6_ICMPV4);
	setu_decode_ctx_free(dc);
}

static void test_icmpv6(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(true);
	W.n = 0;
	pb_eth(&W, 0x86dd);
	size_t ip = pb_ip6(&W, 58);
	size_t ic = W.n;
	pb_u8(&W, 128);
	pb_u8(&W, 0);
	pb_be16(&W, 0);
	pb_be16(&W, 42);
	pb_be16(&W, 3);
	pb_ip6_done(&W, ip);
	pb_l4_csum(&W, ip, ic, ic + 2, 58);
	setu_pkt_t p;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.icmp.type, 128);
	assert_int_equal(p.icmp.id, 42);
	assert_int_equal(p.icmp.seq, 3);
	assert_false(p.flags & SETU_PKT_ICMP_CSUM_BAD);
	assert_int_equal(p.nevents, 0);
	W.b[ic + 1] = 1;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(setu_pkt_has_event(&p, SETU_EV_ICMPV6_UNKNOWN_CODE));
	assert_true(p.flags & SETU_PKT_ICMP_CSUM_BAD);
	W.b[ic] = 50;
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ICMPV6_UNASSIGNED_TYPE);
	W.b[ic] = 200;
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ICMPV6_EXPERIMENTATION_TYPE);
	W.b[ic] = 127;
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ICMPV6_UNKNOWN_TYPE);
	W.b[ic] = 255;
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ICMPV6_UNASSIGNED_TYPE);
	W.b[ic] = 130; /* MLD with hop limit 64 */
	W.b[ic + 1] = 0;
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ICMPV6_MLD_MESSAGE_WITH_INVALID_HL);
	/* Time exceeded quoting a short IPv6 header. */
	W.b[ic] = 3;
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ICMPV6_IPV6_TRUNC_PKT);
	W.n = ic + 4;
	pb_ip6_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_ICMPV6_PKT_TOO_SMALL);
	setu_decode_ctx_free(dc);
}

static void test_ethernet_vlan(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(false);
	W.n = 0;
	pb_bytes(&W, "abcdefghij", 10);
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_ETHERNET_PKT_TOO_SMALL);
	W.n = 0;
	pb_eth(&W, 0x1234);
	pb_be32(&W, 0);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ETHERNET_UNKNOWN_ETHERTYPE);
	/* QinQ: 802.1ad 100, 802.1Q 200, IPv4/UDP. */
	W.n = 0;
	pb_eth(&W, 0x88a8);
	pb_be16(&W, 100);
	pb_be16(&W, 0x8100);
	pb_be16(&W, 0x2000 | 200);
	pb_be16(&W, 0x0800);
	size_t ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 2, NULL, 0);
	pb_ip4_done(&W, ip);
	setu_pkt_t p;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.vlan_count, 2);
	assert_int_equal(p.vlan_id[0], 100);
	assert_int_equal(p.vlan_id[1], 200);
	assert_int_equal(p.proto, 17);
	assert_true(p.flags & SETU_PKT_HAS_L4);
	/* Four tags: too many layers. */
	W.n = 0;
	pb_eth(&W, 0x8100);
	for (int i = 0; i < 4; i++) {
		pb_be16(&W, (uint16_t)(i + 1));
		pb_be16(&W, i < 3 ? 0x8100 : 0x0800);
	}
	ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 2, NULL, 0);
	pb_ip4_done(&W, ip);
	expect(dc, SETU_DLT_EN10MB, SETU_ELIMIT, SETU_EV_VLAN_TOO_MANY_LAYERS);
	/* Tag cut short, unknown inner type. */
	W.n = 0;
	pb_eth(&W, 0x8100);
	pb_be16(&W, 5);
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_VLAN_HEADER_TOO_SMALL);
	pb_be16(&W, 0x4444);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_VLAN_UNKNOWN_TYPE);
	/* 802.3 + SNAP carrying IPv4. */
	W.n = 0;
	pb_eth(&W, 0x0040);
	static const uint8_t snap[] = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
	pb_bytes(&W, snap, sizeof(snap));
	ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 7, 9, NULL, 0);
	pb_ip4_done(&W, ip);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 9);
	setu_decode_ctx_free(dc);
}

static void test_sll_null_raw_ppp(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(false);
	setu_pkt_t p;
	/* SLL. */
	W.n = 0;
	pb_be16(&W, 0);
	pb_be16(&W, 1);
	pb_be16(&W, 6);
	pb_bytes(&W, "\1\2\3\4\5\6\0\0", 8);
	pb_be16(&W, 0x0800);
	size_t ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 2, NULL, 0);
	pb_ip4_done(&W, ip);
	pkt_of(&p, &W, SETU_DLT_LINUX_SLL);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 2);
	W.n = 10;
	expect(dc, SETU_DLT_LINUX_SLL, SETU_ETRUNC, SETU_EV_SLL_PKT_TOO_SMALL);
	/* SLL2. */
	W.n = 0;
	pb_be16(&W, 0x86dd);
	pb_be16(&W, 0);
	pb_be32(&W, 3);
	pb_be16(&W, 1);
	pb_u8(&W, 0);
	pb_u8(&W, 6);
	pb_bytes(&W, "\1\2\3\4\5\6\0\0", 8);
	ip = pb_ip6(&W, 17);
	pb_udp(&W, 3, 4, NULL, 0);
	pb_ip6_done(&W, ip);
	pkt_of(&p, &W, SETU_DLT_LINUX_SLL2);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.ip_ver, 6);
	assert_int_equal(p.dp, 4);
	W.n = 19;
	expect(dc, SETU_DLT_LINUX_SLL2, SETU_ETRUNC, SETU_EV_SLL2_PKT_TOO_SMALL);
	/* DLT_NULL, little-endian AF_INET; then an unsupported family. */
	W.n = 0;
	pb_bytes(&W, "\2\0\0\0", 4);
	ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 5, NULL, 0);
	pb_ip4_done(&W, ip);
	pkt_of(&p, &W, SETU_DLT_NULL);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 5);
	W.b[0] = 99;
	expect(dc, SETU_DLT_NULL, 0, SETU_EV_LTNULL_UNSUPPORTED_TYPE);
	W.n = 3;
	expect(dc, SETU_DLT_NULL, SETU_ETRUNC, SETU_EV_LTNULL_PKT_TOO_SMALL);
	/* Raw: IPv6, then version 5. */
	ip = 0;
	W.n = 0;
	pb_ip6(&W, 17);
	pb_udp(&W, 1, 6, NULL, 0);
	pb_ip6_done(&W, ip);
	pkt_of(&p, &W, SETU_DLT_RAW);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 6);
	W.b[0] = 0x50;
	expect(dc, SETU_DLT_RAW, SETU_EMALFORMED, SETU_EV_IPRAW_INVALID_IP_VERSION);
	/* PPP: IPv4, LCP, unknown, short. */
	W.n = 0;
	pb_be16(&W, 0xff03);
	pb_be16(&W, 0x0021);
	ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 7, NULL, 0);
	pb_ip4_done(&W, ip);
	pkt_of(&p, &W, SETU_DLT_PPP);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 7);
	W.n = 10;
	expect(dc, SETU_DLT_PPP, SETU_ETRUNC, SETU_EV_PPP_IP4_PKT_TOO_SMALL);
	pb_put16(&W, 2, 0xc021);
	expect(dc, SETU_DLT_PPP, 0, SETU_EV_PPP_UNSUP_PROTO);
	pb_put16(&W, 2, 0x1234);
	expect(dc, SETU_DLT_PPP, SETU_EMALFORMED, SETU_EV_PPP_WRONG_TYPE);
	W.n = 3;
	expect(dc, SETU_DLT_PPP, SETU_ETRUNC, SETU_EV_PPP_PKT_TOO_SMALL);
	/* Unknown link type. */
	pkt_of(&p, &W, 147);
	assert_int_equal(setu_decode(dc, &p), SETU_EUNSUPPORTED);
	assert_false(setu_decode_linktype_supported(147));
	assert_true(setu_decode_linktype_supported(SETU_DLT_LINUX_SLL2));
	setu_decode_ctx_free(dc);
}

static void test_pppoe(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(false);
	/* Session carrying IPv4/TCP. */
	W.n = 0;
	pb_eth(&W, 0x8864);
	pb_u8(&W, 0x11);
	pb_u8(&W, 0);
	pb_be16(&W, 0x0101);
	size_t lenat = pb_be16(&W, 0);
	pb_be16(&W, 0x0021);
	size_t ip = pb_ip4(&W, 6, 1, 0, NULL, 0);
	pb_tcp(&W, 1, 80, 0x02, NULL, 0, NULL);
	pb_ip4_done(&W, ip);
	pb_put16(&W, lenat, (uint16_t)(W.n - lenat - 2));
	setu_pkt_t p;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 80);
	assert_int_equal(p.tcp.flags, 0x02);
	/* The same with a compressed (one-byte) PPP protocol field. */
	W.n = 0;
	pb_eth(&W, 0x8864);
	pb_u8(&W, 0x11);
	pb_u8(&W, 0);
	pb_be16(&W, 0x0101);
	lenat = pb_be16(&W, 0);
	pb_u8(&W, 0x21);
	ip = pb_ip4(&W, 6, 1, 0, NULL, 0);
	pb_tcp(&W, 1, 8080, 0x02, NULL, 0, NULL);
	pb_ip4_done(&W, ip);
	pb_put16(&W, lenat, (uint16_t)(W.n - lenat - 2));
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 8080);
	W.n = 14 + 6;
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_PPPOE_PKT_TOO_SMALL);
	/* Discovery: PADI with a service-name tag, then a wrong code, then a bad tag. */
	W.n = 0;
	pb_eth(&W, 0x8863);
	pb_u8(&W, 0x11);
	size_t code = pb_u8(&W, 0x09);
	pb_be16(&W, 0);
	pb_be16(&W, 8);
	pb_be16(&W, 0x0101);
	size_t tl = pb_be16(&W, 4);
	pb_bytes(&W, "isp1", 4);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.nevents, 0);
	W.b[code] = 0x33;
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_PPPOE_WRONG_CODE);
	W.b[code] = 0x09;
	pb_put16(&W, tl, 9);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_PPPOE_MALFORMED_TAGS);
	setu_decode_ctx_free(dc);
}

static void test_gre(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(false);
	/* GRE v0 with key carrying IPv4/UDP. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	size_t outer = pb_ip4(&W, 47, 1, 0, NULL, 0);
	size_t gre = pb_be16(&W, 0x2000);
	pb_be16(&W, 0x0800);
	pb_be32(&W, 0xabcd);
	size_t inner = pb_ip4(&W, 17, 2, 0, NULL, 0);
	W.b[inner + 12] = 192; /* inner src 192.0.0.1 */
	pb_udp(&W, 1, 53, NULL, 0);
	pb_ip4_done(&W, inner);
	pb_ip4_done(&W, outer);
	setu_pkt_t p;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(p.flags & SETU_PKT_TUNNEL);
	assert_int_equal(p.tunnel_depth, 1);
	assert_int_equal(p.src.b[0], 192);
	assert_int_equal(p.proto, 17);
	assert_int_equal(p.dp, 53);
	/* Version 0 anomalies. */
	pb_put16(&W, gre, 0x2100);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_GRE_VERSION0_RECUR);
	pb_put16(&W, gre, 0x2040);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_GRE_VERSION0_FLAGS);
	pb_put16(&W, gre, 0x0003);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_GRE_WRONG_VERSION);
	/* Version 1 anomalies. */
	pb_put16(&W, gre, 0x8001);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_GRE_VERSION1_CHKSUM);
	pb_put16(&W, gre, 0x2001);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_GRE_VERSION1_WRONG_PROTOCOL);
	pb_put16(&W, gre + 2, 0x880b);
	pb_put16(&W, gre, 0x0001);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_GRE_VERSION1_NO_KEY);
	/* Too short for GRE, and a header bigger than the packet. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	outer = pb_ip4(&W, 47, 1, 0, NULL, 0);
	pb_be16(&W, 0);
	pb_ip4_done(&W, outer);
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_GRE_PKT_TOO_SMALL);
	W.n = 0;
	pb_eth(&W, 0x0800);
	outer = pb_ip4(&W, 47, 1, 0, NULL, 0);
	pb_be16(&W, 0xb000);
	pb_be16(&W, 0x0800);
	pb_be32(&W, 0);
	pb_ip4_done(&W, outer);
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_GRE_VERSION0_HDR_TOO_BIG);

	/* ERSPAN type II (GRE with sequence): VLAN 7, then the mirrored frame. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	outer = pb_ip4(&W, 47, 1, 0, NULL, 0);
	pb_be16(&W, 0x1000);
	pb_be16(&W, 0x88be);
	pb_be32(&W, 1);
	size_t ers = pb_be16(&W, 0x1007);
	pb_be16(&W, 0);
	pb_be32(&W, 0);
	pb_eth(&W, 0x0800);
	size_t in4 = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 514, NULL, 0);
	pb_ip4_done(&W, in4);
	pb_ip4_done(&W, outer);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 514);
	assert_int_equal(p.vlan_count, 1);
	assert_int_equal(p.vlan_id[0], 7);
	assert_true(p.flags & SETU_PKT_TUNNEL);
	pb_put16(&W, ers, 0x2007);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_ERSPAN_UNSUPPORTED_VERSION);
	W.n = ers + 4;
	pb_ip4_done(&W, outer);
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_ERSPAN_HEADER_TOO_SMALL);
	setu_decode_ctx_free(dc);
}

static void test_vxlan_tunnels(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(true);
	/* VXLAN: outer IPv4/UDP 4789, inner Ethernet/IPv4/TCP. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	size_t outer = pb_ip4(&W, 17, 1, 0, NULL, 0);
	size_t udp = pb_udp(&W, 40000, 4789, NULL, 0);
	pb_be32(&W, 0x08000000);
	pb_be32(&W, 0x00012300);
	pb_eth(&W, 0x0800);
	size_t inner = pb_ip4(&W, 6, 2, 0, NULL, 0);
	W.b[inner + 15] = 99;
	size_t tcp = pb_tcp(&W, 5555, 22, 0x10, NULL, 0, "ssh");
	pb_l4_csum(&W, inner, tcp, tcp + 16, 6);
	pb_ip4_done(&W, inner);
	pb_put16(&W, udp + 4, (uint16_t)(W.n - udp));
	pb_l4_csum(&W, outer, udp, udp + 6, 17);
	pb_ip4_done(&W, outer);
	setu_pkt_t p;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(p.flags & SETU_PKT_TUNNEL);
	assert_int_equal(p.tunnel_depth, 1);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.src.b[3], 99);
	assert_int_equal(p.dp, 22);
	assert_int_equal(p.payload_len, 3);
	assert_false(p.flags & (SETU_PKT_TCP_CSUM_BAD | SETU_PKT_UDP_CSUM_BAD));
	/* Not VXLAN (I flag clear): stays UDP. */
	W.b[udp + 8] = 0;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_false(p.flags & SETU_PKT_TUNNEL);
	assert_int_equal(p.dp, 4789);

	/* IPv6 in IPv4 (6in4), then IPv4 in IPv6. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	outer = pb_ip4(&W, 41, 1, 0, NULL, 0);
	size_t i6 = pb_ip6(&W, 17);
	pb_udp(&W, 1, 123, NULL, 0);
	pb_ip6_done(&W, i6);
	pb_ip4_done(&W, outer);
	setu_decode_ctx_t *nc = new_ctx(false);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(nc, &p), 0);
	assert_true(p.flags & SETU_PKT_TUNNEL);
	assert_int_equal(p.ip_ver, 6);
	assert_int_equal(p.dp, 123);
	W.n = 0;
	pb_eth(&W, 0x86dd);
	i6 = pb_ip6(&W, 4);
	inner = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 124, NULL, 0);
	pb_ip4_done(&W, inner);
	pb_ip6_done(&W, i6);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(nc, &p), 0);
	assert_int_equal(p.ip_ver, 4);
	assert_int_equal(p.dp, 124);
	W.b[inner] = 0x65;
	expect(nc, SETU_DLT_EN10MB, SETU_EMALFORMED,
	       SETU_EV_IPV6_IPV4_IN_IPV6_WRONG_VERSION);
	W.n = inner + 10;
	pb_ip6_done(&W, i6);
	expect(nc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_IPV6_IPV4_IN_IPV6_TOO_SMALL);

	/* Nesting past SETU_MAX_DECODE_DEPTH: IPv4-in-IPv4 twelve times. */
	W.n = 0;
	pb_eth(&W, 0x0800);
	size_t ips[13];
	for (int i = 0; i < 12; i++)
		ips[i] = pb_ip4(&W, 4, 1, 0, NULL, 0);
	ips[12] = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 2, NULL, 0);
	for (int i = 12; i >= 0; i--)
		pb_ip4_done(&W, ips[i]);
	expect(nc, SETU_DLT_EN10MB, SETU_ELIMIT, SETU_EV_TOO_MANY_LAYERS);
	setu_decode_ctx_free(nc);
	setu_decode_ctx_free(dc);
}

static void test_mpls(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(false);
	W.n = 0;
	pb_eth(&W, 0x8847);
	pb_be32(&W, (100u << 12) | 0x40);
	size_t lab = pb_be32(&W, (200u << 12) | 0x100 | 0x40);
	size_t ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 2, NULL, 0);
	pb_ip4_done(&W, ip);
	setu_pkt_t p;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 2);
	pb_put16(&W, lab, 0);
	pb_put16(&W, lab + 2, (1u << 12) | 0x100);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_MPLS_BAD_LABEL_ROUTER_ALERT);
	pb_put16(&W, lab + 2, (3u << 12) | 0x100);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED,
	       SETU_EV_MPLS_BAD_LABEL_IMPLICIT_NULL);
	pb_put16(&W, lab + 2, (9u << 12) | 0x100);
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_MPLS_BAD_LABEL_RESERVED);
	pb_put16(&W, lab, 0x0001);
	W.b[ip] = 0x95;
	expect(dc, SETU_DLT_EN10MB, SETU_EMALFORMED, SETU_EV_MPLS_UNKNOWN_PAYLOAD_TYPE);
	W.n = lab + 2;
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_MPLS_HEADER_TOO_SMALL);
	setu_decode_ctx_free(dc);
}

static void test_l2_tags(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(false);
	setu_pkt_t p;
	/* 802.1ah: I-TAG then the customer frame. */
	W.n = 0;
	pb_eth(&W, 0x88e7);
	pb_be32(&W, 0x00012345);
	pb_eth(&W, 0x0800);
	size_t ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 11, NULL, 0);
	pb_ip4_done(&W, ip);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 11);
	W.n = 14 + 10;
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_IEEE8021AH_HEADER_TOO_SMALL);
	/* VN-Tag and E-Tag, then their anomalies. */
	W.n = 0;
	pb_eth(&W, 0x8926);
	pb_be32(&W, 0x80010002);
	pb_be16(&W, 0x0800);
	ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 12, NULL, 0);
	pb_ip4_done(&W, ip);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 12);
	pb_put16(&W, 14 + 4, 0x7777);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_VNTAG_UNKNOWN_TYPE);
	W.n = 14 + 5;
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_VNTAG_HEADER_TOO_SMALL);
	W.n = 0;
	pb_eth(&W, 0x893f);
	pb_be32(&W, 0);
	pb_be16(&W, 0);
	pb_be16(&W, 0x7777);
	pb_be32(&W, 0);
	expect(dc, SETU_DLT_EN10MB, 0, SETU_EV_ETAG_UNKNOWN_TYPE);
	W.n = 14 + 7;
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_ETAG_HEADER_TOO_SMALL);
	/* FabricPath (DCE): 2 bytes, then a whole Ethernet frame. */
	W.n = 0;
	pb_eth(&W, 0x8903);
	pb_be16(&W, 0x0140);
	pb_eth(&W, 0x0800);
	ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 13, NULL, 0);
	pb_ip4_done(&W, ip);
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 13);
	W.n = 14 + 8;
	expect(dc, SETU_DLT_EN10MB, SETU_ETRUNC, SETU_EV_DCE_PKT_TOO_SMALL);
	/* Cisco HDLC link type. */
	W.n = 0;
	pb_be16(&W, 0x0f00);
	pb_be16(&W, 0x0800);
	ip = pb_ip4(&W, 17, 1, 0, NULL, 0);
	pb_udp(&W, 1, 14, NULL, 0);
	pb_ip4_done(&W, ip);
	pkt_of(&p, &W, 104);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_int_equal(p.dp, 14);
	W.n = 3;
	expect(dc, 104, SETU_ETRUNC, SETU_EV_CHDLC_PKT_TOO_SMALL);
	setu_decode_ctx_free(dc);
}

typedef struct cnt_seen {
	uint64_t pkts, invalid, ipv4, tcp, vlan, ev_trunc, avg, max;
	int n;
	bool bad_name;
} cnt_seen_t;

static void on_counter(void *user, const char *name, uint64_t v)
{
	cnt_seen_t *c = user;
	c->n++;
	if (strncmp(name, "decoder.", 8) && strncmp(name, "defrag.", 7))
		c->bad_name = true;
	if (!strcmp(name, "decoder.pkts"))
		c->pkts = v;
	else if (!strcmp(name, "decoder.invalid"))
		c->invalid = v;
	else if (!strcmp(name, "decoder.ipv4"))
		c->ipv4 = v;
	else if (!strcmp(name, "decoder.tcp"))
		c->tcp = v;
	else if (!strcmp(name, "decoder.vlan"))
		c->vlan = v;
	else if (!strcmp(name, "decoder.event.ipv4.trunc_pkt"))
		c->ev_trunc = v;
	else if (!strcmp(name, "decoder.avg_pkt_size"))
		c->avg = v;
	else if (!strcmp(name, "decoder.max_pkt_size"))
		c->max = v;
}

static void test_counters(void **state)
{
	(void)state;
	setu_decode_ctx_t *dc = new_ctx(true);
	setu_pkt_t p;
	build_eth_ip4_tcp(&W, NULL, 0, NULL, 0);
	size_t full = W.n;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	setu_decode(dc, &p);
	setu_decode(dc, &p);
	W.n -= 4;
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	setu_decode(dc, &p);
	/* A bad MD5 option: counted invalid (like Suricata) yet decoded and flow-ready.
	 */
	static const uint8_t md5[] = {19, 6, 0, 0, 0, 0, 1, 0};
	build_eth_ip4_tcp(&W, NULL, 0, md5, sizeof(md5));
	pkt_of(&p, &W, SETU_DLT_EN10MB);
	assert_int_equal(setu_decode(dc, &p), 0);
	assert_true(p.flags & SETU_PKT_HAS_L4);
	assert_false(p.flags & SETU_PKT_INVALID);
	cnt_seen_t c = {0};
	setu_decode_counters(dc, on_counter, &c);
	assert_false(c.bad_name);
	assert_int_equal(c.pkts, 4);
	assert_int_equal(c.invalid, 2);
	assert_int_equal(c.ipv4, 4);
	assert_int_equal(c.tcp, 3);
	assert_int_equal(c.vlan, 0);
	assert_int_equal(c.ev_trunc, 1);
	assert_int_equal(c.max, full + 8);
	assert_int_equal(c.avg, (2 * full + full - 4 + full + 8) / 4);
	assert_true(c.n > 150);
	setu_decode_ctx_free(dc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4_tcp_ok),
	    cmocka_unit_test(test_checksums_bad),
	    cmocka_unit_test(test_ipv4_anomalies),
	    cmocka_unit_test(test_ipv4_options),
	    cmocka_unit_test(test_tcp_anomalies),
	    cmocka_unit_test(test_udp_anomalies),
	    cmocka_unit_test(test_icmpv4),
	    cmocka_unit_test(test_ipv6),
	    cmocka_unit_test(test_ipv6_exthdrs),
	    cmocka_unit_test(test_icmpv6),
	    cmocka_unit_test(test_ethernet_vlan),
	    cmocka_unit_test(test_sll_null_raw_ppp),
	    cmocka_unit_test(test_pppoe),
	    cmocka_unit_test(test_gre),
	    cmocka_unit_test(test_vxlan_tunnels),
	    cmocka_unit_test(test_mpls),
	    cmocka_unit_test(test_l2_tags),
	    cmocka_unit_test(test_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
