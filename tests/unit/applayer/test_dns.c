/* test_dns.c — DNS parser (RFC 1035) and its EVE v3 block: sections, rdata types,
 * compression and its loop protection, TCP framing at every split point, events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "al_test.h"
#include "sensor/applayer/dns/dns.h"

/* ---- a tiny message builder ---- */
typedef struct mb {
	uint8_t b[2048];
	size_t n;
} mb_t;

static void put8(mb_t *m, uint8_t v)
{
	m->b[m->n++] = v;
}
static void put16(mb_t *m, uint16_t v)
{
	put8(m, (uint8_t)(v >> 8));
	put8(m, (uint8_t)v);
}
static void put32(mb_t *m, uint32_t v)
{
	put16(m, (uint16_t)(v >> 16));
	put16(m, (uint16_t)v);
}
static void putname(mb_t *m, const char *dotted)
{
	while (*dotted) {
		const char *dot = strchr(dotted, '.');
		size_t l = dot ? (size_t)(dot - dotted) : strlen(dotted);
		put8(m, (uint8_t)l);
		memcpy(m->b + m->n, dotted, l);
		m->n += l;
		dotted += l + (dot ? 1 : 0);
	}
	put8(m, 0);
}
static void putbytes(mb_t *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}
static void hdr(mb_t *m, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an,
                uint16_t ns, uint16_t ar)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

static void query(mb_t *m)
{
	hdr(m, 0x1234, 0x0100, 1, 0, 0, 0);
	putname(m, "www.example.com"); /* at offset 12; "example" at 16 */
	put16(m, 1);
	put16(m, 1);
}

static void response(mb_t *m)
{
	hdr(m, 0x1234, 0x8180, 1, 4, 1, 1);
	putname(m, "www.example.com");
	put16(m, 1);
	put16(m, 1);
	/* CNAME www.example.com -> example.com (both compressed) */
	put16(m, 0xc00c);
	put16(m, 5);
	put16(m, 1);
	put32(m, 300);
	put16(m, 2);
	put16(m, 0xc010);
	/* A example.com 93.184.216.34 */
	put16(m, 0xc010);
	put16(m, 1);
	put16(m, 1);
	put32(m, 60);
	put16(m, 4);
	putbytes(m, "\x5d\xb8\xd8\x22", 4);
	/* AAAA */
	put16(m, 0xc010);
	put16(m, 28);
	put16(m, 1);
	put32(m, 60);
	put16(m, 16);
	putbytes(m, "\x26\x06\x28\x00\x02\x20\x00\x01\x02\x48\x18\x93\x25\xc8\x19\x46",
	         16);
	/* TXT with two strings, the second empty (as iodine sends) */
	put16(m, 0xc010);
	put16(m, 16);
	put16(m, 1);
	put32(m, 3);
	put16(m, 5);
	putbytes(m,
	         "\x03"
	         "abc"
	         "\x00",
	         5);
	/* authority: SOA */
	size_t soa_start;
	put16(m, 0xc010);
	put16(m, 6);
	put16(m, 1);
	put32(m, 900);
	size_t rdlen_at = m->n;
	put16(m, 0);
	soa_start = m->n;
	putname(m, "ns.example.com");
	putname(m, "hostmaster.example.com");
	put32(m, 2024010101);
	put32(m, 7200);
	put32(m, 3600);
	put32(m, 1209600);
	put32(m, 300);
	size_t rl = m->n - soa_start;
	m->b[rdlen_at] = (uint8_t)(rl >> 8);
	m->b[rdlen_at + 1] = (uint8_t)rl;
	/* additional: OPT (not logged) */
	put8(m, 0);
	put16(m, 41);
	put16(m, 4096);
	put32(m, 0);
	put16(m, 0);
}

static void run_udp(al_out_t *o, const uint8_t *q, size_t qn, const uint8_t *r, size_t rn)
{
	setu_dns_state_t *ds = setu_dns_state_new();
	assert_non_null(ds);
	assert_int_equal(setu_dns_parse(ds, 0, false, q, qn, 0), 0);
	if (r != NULL)
		assert_int_equal(setu_dns_parse(ds, 1, false, r, rn, 0), 0);
	setu_altxq_drain(setu_dns_txq(ds), SETU_ALPROTO_DNS, true, al_out_cb, o,
	                 setu_dns_tx_release, ds);
	o->events |= setu_dns_state_events(ds);
	setu_dns_state_free(ds);
}

static void test_query_response(void **state)
{
	(void)state;
	mb_t q, r;
	query(&q);
	response(&r);
	al_out_t o;
	al_out_init(&o);
	run_udp(&o, q.b, q.n, r.b, r.n);
	assert_int_equal(o.ntx, 2);
	json_t *a = al_out_line(&o, 0), *b = al_out_line(&o, 1);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(jint(a, "dns.version"), 3);
	assert_string_equal(jstr(a, "dns.type"), "request");
	assert_int_equal(jint(a, "dns.tx_id"), 0);
	assert_int_equal(jint(a, "dns.id"), 0x1234);
	assert_string_equal(jstr(a, "dns.flags"), "100");
	assert_int_equal(jbool(a, "dns.rd"), 1);
	assert_int_equal(jbool(a, "dns.qr"), -1); /* absent */
	assert_string_equal(jstr(a, "dns.queries[0].rrname"), "www.example.com");
	assert_string_equal(jstr(a, "dns.queries[0].rrtype"), "A");
	assert_null(jpath(a, "dns.answers"));

	assert_string_equal(jstr(b, "dns.type"), "response");
	assert_int_equal(jint(b, "dns.tx_id"), 1);
	assert_int_equal(jint(b, "dir"), 1);
	assert_string_equal(jstr(b, "dns.flags"), "8180");
	assert_int_equal(jbool(b, "dns.qr"), 1);
	assert_int_equal(jbool(b, "dns.ra"), 1);
	assert_string_equal(jstr(b, "dns.rcode"), "NOERROR");
	assert_string_equal(jstr(b, "dns.answers[0].rrname"), "www.example.com");
	assert_string_equal(jstr(b, "dns.answers[0].rrtype"), "CNAME");
	assert_int_equal(jint(b, "dns.answers[0].ttl"), 300);
	assert_string_equal(jstr(b, "dns.answers[0].rdata"), "example.com");
	assert_string_equal(jstr(b, "dns.answers[1].rdata"), "93.184.216.34");
	assert_string_equal(jstr(b, "dns.answers[2].rdata"),
	                    "2606:2800:0220:0001:0248:1893:25c8:1946");
	assert_string_equal(jstr(b, "dns.answers[3].rdata"), "abc");
	assert_string_equal(jstr(b, "dns.answers[4].rdata"), "");
	assert_string_equal(jstr(b, "dns.answers[4].rrtype"), "TXT");
	assert_null(jpath(b, "dns.answers[5]"));
	assert_string_equal(jstr(b, "dns.grouped.A[0]"), "93.184.216.34");
	assert_string_equal(jstr(b, "dns.grouped.CNAME[0]"), "example.com");
	assert_string_equal(jstr(b, "dns.grouped.TXT[1]"), "");
	assert_string_equal(jstr(b, "dns.authorities[0].rrtype"), "SOA");
	assert_string_equal(jstr(b, "dns.authorities[0].soa.mname"), "ns.example.com");
	assert_string_equal(jstr(b, "dns.authorities[0].soa.rname"),
	                    "hostmaster.example.com");
	assert_int_equal(jint(b, "dns.authorities[0].soa.serial"), 2024010101);
	assert_int_equal(jint(b, "dns.authorities[0].soa.minimum"), 300);
	assert_null(jpath(b, "dns.additionals")); /* OPT only */
	assert_int_equal(o.events, 0);
	json_decref(a);
	json_decref(b);
	setu_buf_free(&o.text);
}

static void test_eve_v2(void **state)
{
	(void)state;
	mb_t q, r;
	query(&q);
	response(&r);
	al_out_t o;
	al_out_init(&o);
	o.opts.dns_version = 2;
	run_udp(&o, q.b, q.n, r.b, r.n);
	json_t *a = al_out_line(&o, 0), *b = al_out_line(&o, 1);
	assert_string_equal(jstr(a, "dns.type"), "query");
	assert_string_equal(jstr(a, "dns.rrname"), "www.example.com");
	assert_string_equal(jstr(a, "dns.rrtype"), "A");
	assert_int_equal(jint(a, "dns.tx_id"), 0);
	assert_null(jpath(a, "dns.version"));
	assert_int_equal(jint(b, "dns.version"), 2);
	assert_string_equal(jstr(b, "dns.type"), "answer");
	assert_string_equal(jstr(b, "dns.rrname"), "www.example.com");
	assert_string_equal(jstr(b, "dns.rcode"), "NOERROR");
	assert_string_equal(jstr(b, "dns.answers[1].rdata"), "93.184.216.34");
	assert_null(jpath(b, "dns.queries"));
	json_decref(a);
	json_decref(b);
	setu_buf_free(&o.text);
}

static void test_mx_srv_ptr_nx(void **state)
{
	(void)state;
	mb_t r;
	hdr(&r, 7, 0x8183, 1, 3, 0, 0); /* NXDOMAIN */
	putname(&r, "_sip._udp.example.org");
	put16(&r, 33);
	put16(&r, 1);
	put16(&r, 0xc00c); /* SRV 10 20 5060 sip.example.org */
	put16(&r, 33);
	put16(&r, 1);
	put32(&r, 10);
	put16(&r, 6 + 17);
	put16(&r, 10);
	put16(&r, 20);
	put16(&r, 5060);
	putname(&r, "sip.example.org");
	put16(&r, 0xc00c); /* MX 5 mail.example.org */
	put16(&r, 15);
	put16(&r, 1);
	put32(&r, 10);
	put16(&r, 2 + 18);
	put16(&r, 5);
	putname(&r, "mail.example.org");
	put16(&r, 0xc00c); /* PTR */
	put16(&r, 12);
	put16(&r, 1);
	put32(&r, 10);
	put16(&r, 5);
	putname(&r, "a.b");
	al_out_t o;
	al_out_init(&o);
	/* a response seen first on the toserver side: reversed, no not_a_request event */
	run_udp(&o, r.b, r.n, NULL, 0);
	json_t *b = al_out_line(&o, 0);
	assert_non_null(b);
	assert_string_equal(jstr(b, "dns.rcode"), "NXDOMAIN");
	assert_string_equal(jstr(b, "dns.queries[0].rrtype"), "SRV");
	assert_int_equal(jint(b, "dns.answers[0].srv.priority"), 10);
	assert_int_equal(jint(b, "dns.answers[0].srv.weight"), 20);
	assert_int_equal(jint(b, "dns.answers[0].srv.port"), 5060);
	assert_string_equal(jstr(b, "dns.answers[0].srv.name"), "sip.example.org");
	assert_string_equal(jstr(b, "dns.answers[1].rdata"), "mail.example.org");
	assert_string_equal(jstr(b, "dns.grouped.MX[0]"), "mail.example.org");
	assert_string_equal(jstr(b, "dns.grouped.PTR[0]"), "a.b");
	assert_int_equal(jint(b, "dns.grouped.SRV[0].port"), 5060);
	assert_int_equal(o.events & SETU_DNS_EV(NOT_A_REQUEST), 0);
	assert_int_equal(o.events & SETU_DNS_EV(MALFORMED_DATA), 0);
	json_decref(b);
	setu_buf_free(&o.text);
	/* the same with the last rdlength one byte too long: malformed, answers kept */
	r.b[r.n - 6] = 6;
	al_out_init(&o);
	run_udp(&o, r.b, r.n, NULL, 0);
	assert_true(o.events & SETU_DNS_EV(MALFORMED_DATA));
	b = al_out_line(&o, 0);
	assert_string_equal(jstr(b, "dns.answers[1].rdata"), "mail.example.org");
	json_decref(b);
	setu_buf_free(&o.text);
}

static void test_compression_loop_and_bounds(void **state)
{
	(void)state;
	mb_t m;
	/* question name is a pointer to itself */
	hdr(&m, 1, 0x0100, 1, 0, 0, 0);
	put16(&m, 0xc00c);
	put16(&m, 1);
	put16(&m, 1);
	al_out_t o;
	al_out_init(&o);
	run_udp(&o, m.b, m.n, NULL, 0);
	assert_int_equal(o.ntx, 1);
	assert_true(o.events & SETU_DNS_EV(INFINITE_LOOP));
	json_t *a = al_out_line(&o, 0);
	assert_int_equal(jbool(a, "dns.queries[0].rrname_truncated"), 1);
	json_decref(a);
	setu_buf_free(&o.text);

	/* pointer past the end: malformed */
	hdr(&m, 2, 0x0100, 1, 0, 0, 0);
	put16(&m, 0xc0ff);
	put16(&m, 1);
	put16(&m, 1);
	al_out_init(&o);
	run_udp(&o, m.b, m.n, NULL, 0);
	assert_true(o.events & SETU_DNS_EV(MALFORMED_DATA));
	setu_buf_free(&o.text);

	/* too short for a header: state event, no tx */
	al_out_init(&o);
	run_udp(&o, (const uint8_t *)"\x01\x02\x03", 3, NULL, 0);
	assert_int_equal(o.ntx, 0);
	assert_true(o.events & SETU_DNS_EV(MALFORMED_DATA));
	setu_buf_free(&o.text);

	/* name longer than 1025 bytes through a chain of labels: cut, event */
	hdr(&m, 3, 0x0100, 1, 0, 0, 0);
	for (int i = 0; i < 20; i++) {
		put8(&m, 63);
		memset(m.b + m.n, 'a' + i, 63);
		m.n += 63;
	}
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	al_out_init(&o);
	run_udp(&o, m.b, m.n, NULL, 0);
	assert_true(o.events & SETU_DNS_EV(NAME_TOO_LONG));
	a = al_out_line(&o, 0);
	assert_int_equal(strlen(jstr(a, "dns.queries[0].rrname")), 1025);
	json_decref(a);
	setu_buf_free(&o.text);

	/* z flag and a query on the response side */
	hdr(&m, 4, 0x0140, 1, 0, 0, 0);
	putname(&m, "z.example");
	put16(&m, 1);
	put16(&m, 1);
	setu_dns_state_t *ds = setu_dns_state_new();
	mb_t q;
	query(&q);
	setu_dns_parse(ds, 0, false, q.b, q.n, 0);
	setu_dns_parse(ds, 1, false, m.b, m.n, 0);
	al_out_init(&o);
	setu_altxq_drain(setu_dns_txq(ds), SETU_ALPROTO_DNS, true, al_out_cb, &o,
	                 setu_dns_tx_release, ds);
	assert_true(o.events & SETU_DNS_EV(Z_FLAG_SET));
	assert_true(o.events & SETU_DNS_EV(NOT_A_RESPONSE));
	setu_dns_state_free(ds);
	setu_buf_free(&o.text);
}

/* A compression bomb: one 1000-byte name, then hundreds of answers whose owner and
 * rdata are pointers to it. The expansion hits the tx arena limit: parsing stops with
 * an event, what fit is kept, nothing points past the arena. */
static void test_compression_bomb(void **state)
{
	(void)state;
	static uint8_t b[20000];
	size_t n = 0;
	const uint16_t an = 600;
	uint8_t h[12] = {0,           9, 0x81, 0x80, 0, 1, (uint8_t)(an >> 8),
	                 (uint8_t)an, 0, 0,    0,    0};
	memcpy(b, h, 12);
	n = 12;
	for (int i = 0; i < 16; i++) { /* 16 labels of 62 bytes: ~1000 bytes of name */
		b[n++] = 62;
		memset(b + n, 'a' + i, 62);
		n += 62;
	}
	b[n++] = 0;
	b[n++] = 0;
	b[n++] = 5; /* CNAME */
	b[n++] = 0;
	b[n++] = 1;
	for (unsigned i = 0; i < an; i++) {
		static const uint8_t rr[] = {0xc0, 0x0c, 0, 5, 0, 1,    0,
		                             0,    0,    1, 0, 2, 0xc0, 0x0c};
		memcpy(b + n, rr, sizeof(rr));
		n += sizeof(rr);
	}
	al_out_t o;
	al_out_init(&o);
	run_udp(&o, b, n, NULL, 0);
	assert_int_equal(o.ntx, 1);
	assert_true(o.events & SETU_DNS_EV(MALFORMED_DATA));
	json_t *j = al_out_line(&o, 0);
	assert_non_null(j);
	assert_int_equal(strlen(jstr(j, "dns.answers[0].rdata")), 1007);
	assert_non_null(jpath(j, "dns.answers[50]"));
	assert_null(jpath(j, "dns.answers[599]")); /* cut by the arena limit */
	json_decref(j);
	setu_buf_free(&o.text);
}

/* TCP: query and response with length prefixes, every split point of each direction's
 * stream must give the same EVE text as feeding it whole. */
static void tcp_run(const uint8_t *c, size_t cn, const uint8_t *s, size_t sn,
                    size_t split_c, size_t split_s, setu_buf_t *out)
{
	setu_dns_state_t *ds = setu_dns_state_new();
	assert_non_null(ds);
	assert_int_equal(setu_dns_parse(ds, 0, true, c, split_c, 0), 0);
	assert_int_equal(setu_dns_parse(ds, 0, true, c + split_c, cn - split_c, 0), 0);
	assert_int_equal(setu_dns_parse(ds, 1, true, s, split_s, 0), 0);
	assert_int_equal(
	    setu_dns_parse(ds, 1, true, s + split_s, sn - split_s, SETU_AL_EOF), 0);
	al_out_t o;
	al_out_init(&o);
	setu_altxq_drain(setu_dns_txq(ds), SETU_ALPROTO_DNS, true, al_out_cb, &o,
	                 setu_dns_tx_release, ds);
	setu_buf_reset(out);
	setu_buf_append(out, o.text.data, o.text.len);
	setu_buf_free(&o.text);
	setu_dns_state_free(ds);
}

static void test_tcp_every_split(void **state)
{
	(void)state;
	mb_t q, r;
	query(&q);
	response(&r);
	uint8_t c[4096], s[4096];
	size_t cn = 0, sn = 0;
	/* two queries back to back on the client side */
	for (int k = 0; k < 2; k++) {
		c[cn++] = (uint8_t)(q.n >> 8);
		c[cn++] = (uint8_t)q.n;
		memcpy(c + cn, q.b, q.n);
		cn += q.n;
	}
	s[sn++] = (uint8_t)(r.n >> 8);
	s[sn++] = (uint8_t)r.n;
	memcpy(s + sn, r.b, r.n);
	sn += r.n;
	setu_buf_t ref, got;
	setu_buf_init(&ref, 0);
	setu_buf_init(&got, 0);
	tcp_run(c, cn, s, sn, cn, sn, &ref);
	assert_int_equal(strchr(strchr(strchr(ref.data, '\n') + 1, '\n') + 1, '\n') -
	                     ref.data + 1,
	                 (long)ref.len); /* three txs */
	for (size_t k = 0; k <= cn; k++) {
		tcp_run(c, cn, s, sn, k, sn, &got);
		assert_string_equal(got.data, ref.data);
	}
	for (size_t k = 0; k <= sn; k++) {
		tcp_run(c, cn, s, sn, cn, k, &got);
		assert_string_equal(got.data, ref.data);
	}
	setu_buf_free(&ref);
	setu_buf_free(&got);
}

static void test_tcp_gap_resync(void **state)
{
	(void)state;
	mb_t q;
	query(&q);
	uint8_t c[1024];
	size_t cn = 0;
	c[cn++] = (uint8_t)(q.n >> 8);
	c[cn++] = (uint8_t)q.n;
	memcpy(c + cn, q.b, q.n);
	cn += q.n;
	setu_dns_state_t *ds = setu_dns_state_new();
	/* half a message, then a gap, then a whole one: only the whole one is a tx */
	setu_dns_parse(ds, 0, true, c, cn / 2, 0);
	setu_dns_parse(ds, 0, true, c, cn, SETU_AL_GAP);
	assert_int_equal(setu_dns_txq(ds)->count, 1);
	/* junk after a gap is skipped */
	setu_dns_parse(ds, 0, true, (const uint8_t *)"\x00\x01\x02", 3, SETU_AL_GAP);
	setu_dns_parse(ds, 0, true, c, cn, 0);
	assert_int_equal(setu_dns_txq(ds)->count, 2);
	setu_dns_state_free(ds);
}

static void test_probe_and_names(void **state)
{
	(void)state;
	mb_t q;
	query(&q);
	assert_int_equal(setu_dns_probe(q.b, q.n, false), 1);
	assert_int_equal(setu_dns_probe(q.b, 8, false), -1);
	assert_int_equal(setu_dns_probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16, false),
	                 -1);
	uint8_t t[600];
	t[0] = (uint8_t)(q.n >> 8);
	t[1] = (uint8_t)q.n;
	memcpy(t + 2, q.b, q.n);
	assert_int_equal(setu_dns_probe(t, 1, true), 0);
	assert_int_equal(setu_dns_probe(t, 10, true), 0);
	assert_int_equal(setu_dns_probe(t, q.n + 2, true), 1);
	assert_string_equal(setu_dns_rrtype_name(28), "AAAA");
	assert_null(setu_dns_rrtype_name(9999));
	assert_string_equal(setu_dns_rcode_name(3), "NXDOMAIN");
	assert_string_equal(setu_dns_event_name(SETU_DNS_EVB_Z_FLAG_SET),
	                    "dns.z_flag_set");
	setu_alproto_t p;
	assert_int_equal(setu_applayer_event_by_name("dns.malformed_data", &p),
	                 SETU_DNS_EVB_MALFORMED_DATA);
	assert_int_equal(p, SETU_ALPROTO_DNS);
}

/* Keyword access: dns.query buffer straight from the tx arena. */
static void kw_cb(void *user, setu_alproto_t proto, const setu_altx_t *tx)
{
	(void)proto;
	const uint8_t *b;
	uint32_t n;
	const setu_dns_tx_t *d = (const setu_dns_tx_t *)tx;
	if (setu_dns_tx_query(d, 0, &b, &n))
		setu_buf_append(user, b, n);
	assert_false(setu_dns_tx_query(d, 1, &b, &n));
}

static void test_keyword_buffer_and_reuse(void **state)
{
	(void)state;
	mb_t q;
	query(&q);
	setu_dns_state_t *ds = setu_dns_state_new();
	setu_buf_t got;
	setu_buf_init(&got, 0);
	for (int i = 0; i < 1000; i++) { /* txs are recycled: no growth */
		setu_dns_parse(ds, 0, false, q.b, q.n, 0);
		setu_buf_reset(&got);
		setu_altxq_drain(setu_dns_txq(ds), SETU_ALPROTO_DNS, false, kw_cb, &got,
		                 setu_dns_tx_release, ds);
		assert_string_equal(got.data, "www.example.com");
	}
	assert_int_equal(setu_dns_txq(ds)->next_id, 1000);
	setu_buf_free(&got);
	setu_dns_state_free(ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query_response),
	    cmocka_unit_test(test_eve_v2),
	    cmocka_unit_test(test_mx_srv_ptr_nx),
	    cmocka_unit_test(test_compression_loop_and_bounds),
	    cmocka_unit_test(test_compression_bomb),
	    cmocka_unit_test(test_tcp_every_split),
	    cmocka_unit_test(test_tcp_gap_resync),
	    cmocka_unit_test(test_probe_and_names),
	    cmocka_unit_test(test_keyword_buffer_and_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
