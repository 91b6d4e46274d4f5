/* test_gen.c — the traffic generator (src/gen): reproducibility, packet validity as
 * re-read with libpcap (lengths, IPv4/TCP/UDP checksums per RFC 1071), TCP sequence
 * consistency per flow, DNS/TLS message structure, ground truth vs. capture, --size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gen/gen.h"
#include "common/addr.h"
#include "common/bytes.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <pcap/pcap.h>
#include <zlib.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- capture loading */

typedef struct pk {
	uint64_t ts_us;
	uint8_t *data;
	uint32_t len;
	/* parsed */
	int family;
	uint8_t src[16], dst[16];
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t seq, ack;
	const uint8_t *pl;
	size_t pl_len;
} pk_t;

typedef struct cap {
	pk_t *p;
	size_t n, cap;
	int linktype;
} cap_t;

static void cap_free(cap_t *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->p[i].data);
	free(c->p);
	memset(c, 0, sizeof(*c));
}

static int load_pcap(const char *path, cap_t *c)
{
	char err[PCAP_ERRBUF_SIZE];
	memset(c, 0, sizeof(*c));
	pcap_t *p = pcap_open_offline(path, err);
	if (p == NULL)
		return -1;
	c->linktype = pcap_datalink(p);
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 1024;
			c->p = realloc(c->p, c->cap * sizeof(pk_t));
			assert_non_null(c->p);
		}
		pk_t *k = &c->p[c->n++];
		memset(k, 0, sizeof(*k));
		k->ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		assert_int_equal(h->caplen, h->len);
		k->len = h->caplen;
		k->data = malloc(k->len);
		memcpy(k->data, d, k->len);
	}
	pcap_close(p);
	return 0;
}

static uint16_t csum(uint64_t sum, const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		sum += (uint32_t)((p[i] << 8) | p[i + 1]);
	if (i < n)
		sum += (uint32_t)(p[i] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum; /* folded one's-complement sum: 0xffff when valid */
}

/* Parses and checks one frame: lengths, checksums. Fails the test on a bad packet. */
static void parse_check(pk_t *k)
{
	setu_rd_t r = setu_rd_init(k->data, k->len);
	assert_true(k->len <= 1514);
	setu_rd_skip(&r, 12);
	uint16_t et = setu_rd_be16(&r);
	assert_false(r.err);
	const uint8_t *ip = setu_rd_ptr(&r);
	size_t iplen = setu_rd_left(&r);
	const uint8_t *l4;
	size_t l4len;
	uint64_t ph = 0;
	if (et == 0x0800) {
		k->family = 4;
		assert_true(iplen >= 20);
		assert_int_equal(ip[0], 0x45);
		assert_int_equal(setu_be16(ip + 2),
		                 iplen); /* total length = frame - 14 */
		assert_int_equal(csum(0, ip, 20), 0xffff);
		assert_true(ip[8] > 0 && ip[8] <= 128); /* TTL as seen after some hops */
		assert_int_equal(setu_be16(ip + 6) & 0x3fff, 0); /* no fragments */
		k->proto = ip[9];
		memcpy(k->src, ip + 12, 4);
		memcpy(k->dst, ip + 16, 4);
		l4 = ip + 20;
		l4len = iplen - 20;
		ph = csum(0, ip + 12, 8);
	} else {
		assert_int_equal(et, 0x86dd);
		k->family = 6;
		assert_true(iplen >= 40);
		assert_int_equal(ip[0] >> 4, 6);
		assert_int_equal(setu_be16(ip + 4), iplen - 40);
		k->proto = ip[6];
		memcpy(k->src, ip + 8, 16);
		memcpy(k->dst, ip + 24, 16);
		l4 = ip + 40;
		l4len = iplen - 40;
		ph = csum(0, ip + 8, 32);
	}
	ph += k->proto + l4len;
	assert_int_equal(csum(ph, l4, l4len), 0xffff);
	assert_true(k->proto == 6 || k->proto == 17);
	setu_rd_t l = setu_rd_init(l4, l4len);
	k->sport = setu_rd_be16(&l);
	k->dport = setu_rd_be16(&l);
	if (k->proto == 17) {
		uint16_t ulen = setu_rd_be16(&l);
		assert_int_equal(ulen, l4len);
		k->pl = l4 + 8;
		k->pl_len = l4len - 8;
	} else {
		k->seq = setu_rd_be32(&l);
		k->ack = setu_rd_be32(&l);
		uint8_t off = setu_rd_u8(&l);
		k->flags = setu_rd_u8(&l);
		size_t hl = (size_t)(off >> 4) * 4;
		assert_true(hl >= 20 && hl <= l4len);
		k->pl = l4 + hl;
		k->pl_len = l4len - hl;
		if (k->flags & 0x02) { /* SYNs carry an MSS option first */
			assert_true(hl >= 24);
			assert_int_equal(l4[20], 2);
			assert_int_equal(l4[21], 4);
		}
	}
	assert_false(l.err);
}

/* ---------------------------------------------------------------- fixture */

typedef struct fix {
	char dir[64];
	char path[128];
	cap_t cap;
	json_t *truth;
} fix_t;

static int setup(void **state)
{
	fix_t *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/setu-test-gen-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/default.pcap", f->dir);
	setu_gen_config_t cfg;
	setu_gen_config_default(&cfg);
	setu_diag_t d;
	memset(&d, 0, sizeof(d));
	if (setu_gen_pcap(&cfg, f->path, &d) != 0) {
		fprintf(stderr, "setu_gen_pcap: %s\n", d.msg);
		return -1;
	}
	if (load_pcap(f->path, &f->cap) != 0)
		return -1;
	char tpath[160];
	snprintf(tpath, sizeof(tpath), "%s.truth.json", f->path);
	json_error_t je;
	f->truth = json_load_file(tpath, 0, &je);
	if (f->truth == NULL) {
		fprintf(stderr, "%s:%d: %s\n", tpath, je.line, je.text);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fix_t *f = *state;
	char cmd[256];
	cap_free(&f->cap);
	json_decref(f->truth);
	snprintf(cmd, sizeof(cmd), "%s.truth.json", f->path);
	unlink(cmd);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ---------------------------------------------------------------- reproducibility */

typedef struct hash_sink {
	EVP_MD_CTX *md;
	uint64_t n;
	int stop_after;
} hash_sink_t;

static int hash_packet(void *user, const setu_gen_packet_t *p)
{
	hash_sink_t *h = user;
	EVP_DigestUpdate(h->md, &p->ts_us, sizeof(p->ts_us));
	EVP_DigestUpdate(h->md, &p->len, sizeof(p->len));
	EVP_DigestUpdate(h->md, p->data, p->len);
	h->n++;
	if (h->stop_after > 0 && h->n == (uint64_t)h->stop_after)
		return SETU_EIO;
	return 0;
}

static void digest_run(const setu_gen_config_t *cfg, uint8_t out[32], uint64_t *npkts)
{
	hash_sink_t h = {EVP_MD_CTX_new(), 0, 0};
	unsigned int n = 32;
	assert_true(EVP_DigestInit_ex(h.md, EVP_sha256(), NULL));
	setu_gen_summary_t s;
	assert_int_equal(setu_gen_run(cfg, hash_packet, &h, &s, NULL), 0);
	assert_int_equal(s.packets, h.n);
	EVP_DigestFinal_ex(h.md, out, &n);
	EVP_MD_CTX_free(h.md);
	*npkts = h.n;
	setu_gen_summary_free(&s);
}

static void test_reproducible(void **state)
{
	(void)state;
	setu_gen_config_t cfg;
	setu_gen_config_default(&cfg);
	cfg.flows = 120;
	cfg.seed = 42;
	uint8_t a[32], b[32], c[32];
	uint64_t na, nb, nc;
	digest_run(&cfg, a, &na);
	digest_run(&cfg, b, &nb);
	assert_true(na > 1000);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, 32);
	cfg.seed = 43;
	digest_run(&cfg, c, &nc);
	assert_memory_not_equal(a, c, 32);
}

static int read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	*out = malloc((size_t)n + 1);
	*len = fread(*out, 1, (size_t)n, f);
	fclose(f);
	return *len == (size_t)n ? 0 : -1;
}

static void test_reproducible_files(void **state)
{
	fix_t *f = *state;
	char p2[160], t1[200], t2[200];
	snprintf(p2, sizeof(p2), "%s/again.pcap", f->dir);
	setu_gen_config_t cfg;
	setu_gen_config_default(&cfg);
	assert_int_equal(setu_gen_pcap(&cfg, p2, NULL), 0);
	uint8_t *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	assert_int_equal(read_file(f->path, &a, &la), 0);
	assert_int_equal(read_file(p2, &b, &lb), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
	/* The truth differs only in the file name it records. */
	snprintf(t1, sizeof(t1), "%s.truth.json", f->path);
	snprintf(t2, sizeof(t2), "%s.truth.json", p2);
	json_t *j1 = json_load_file(t1, 0, NULL), *j2 = json_load_file(t2, 0, NULL);
	assert_non_null(j1);
	assert_non_null(j2);
	json_object_del(j1, "pcap");
	json_object_del(j2, "pcap");
	assert_true(json_equal(j1, j2));
	json_decref(j1);
	json_decref(j2);
	unlink(t2);
	unlink(p2);
}

/* ---------------------------------------------------------------- packets */

static void test_packets_valid(void **state)
{
	fix_t *f = *state;
	assert_int_equal(f->cap.linktype, DLT_EN10MB);
	assert_true(f->cap.n > 2000);
	size_t small = 0, full = 0, v6 = 0;
	for (size_t i = 0; i < f->cap.n; i++) {
		pk_t *k = &f->cap.p[i];
		parse_check(k);
		if (i > 0)
			assert_true(k->ts_us >= f->cap.p[i - 1].ts_us);
		small += k->len <= 80;
		full += k->len >= 1400;
		v6 += k->family == 6;
	}
	/* Plausible size mix: many bare ACKs, many full segments, some IPv6. */
	assert_true(small > f->cap.n / 10);
	assert_true(full > f->cap.n / 10);
	assert_true(v6 > 0 && v6 < f->cap.n / 2);
}

typedef struct tcp_dir {
	uint8_t key[37]; /* src, dst, ports, family */
	bool used;
	bool init;         /* next is known */
	uint32_t next;     /* next expected seq */
	uint32_t last_ack; /* last ack sent in this direction */
	bool has_ack;
} tcp_dir_t;

static void dir_key(const pk_t *k, bool reverse, uint8_t key[37])
{
	memcpy(key, reverse ? k->dst : k->src, 16);
	memcpy(key + 16, reverse ? k->src : k->dst, 16);
	uint16_t a = reverse ? k->dport : k->sport, b = reverse ? k->sport : k->dport;
	key[32] = (uint8_t)(a >> 8), key[33] = (uint8_t)a;
	key[34] = (uint8_t)(b >> 8), key[35] = (uint8_t)b;
	key[36] = (uint8_t)k->family;
}

static tcp_dir_t *dir_find(tcp_dir_t *t, size_t cap, const uint8_t key[37], bool create)
{
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 37; i++)
		h = (h ^ key[i]) * 1099511628211ull;
	for (size_t i = 0; i < cap; i++) {
		tcp_dir_t *d = &t[(h + i) % cap];
		if (d->used && memcmp(d->key, key, 37) == 0)
			return d;
		if (!d->used) {
			if (!create)
				return NULL;
			memcpy(d->key, key, 37);
			d->used = true;
			return d;
		}
	}
	fail_msg("direction table full");
	return NULL;
}

static void test_tcp_sequences(void **state)
{
	fix_t *f = *state;
	size_t cap = 1u << 16;
	tcp_dir_t *t = calloc(cap, sizeof(*t));
	size_t syns = 0, fins = 0, rsts = 0, checked = 0, tcp = 0;
	for (size_t i = 0; i < f->cap.n; i++) {
		pk_t *k = &f->cap.p[i];
		if (k->proto != 6)
			continue;
		tcp++;
		uint8_t key[37], rkey[37];
		dir_key(k, false, key);
		dir_key(k, true, rkey);
		tcp_dir_t *d = dir_find(t, cap, key, true);
		tcp_dir_t *o = dir_find(t, cap, rkey, true);
		bool syn = k->flags & 0x02, fin = k->flags & 0x01, rst = k->flags & 0x04;
		bool ack = k->flags & 0x10;
		if (syn && !ack) { /* a new connection on this 5-tuple */
			syns++;
			d->init = o->init = false;
			d->has_ack = o->has_ack = false;
		}
		if (d->init) {
			assert_int_equal(k->seq, d->next);
			checked++;
		}
		if (ack && o->init) {
			/* ACKs never run ahead of what the peer sent, and never go back.
			 */
			assert_true((int32_t)(o->next - k->ack) >= 0);
			if (d->has_ack)
				assert_true((int32_t)(k->ack - d->last_ack) >= 0);
			if (syn)
				assert_int_equal(k->ack, o->next);
			d->last_ack = k->ack;
			d->has_ack = true;
		}
		if (rst)
			assert_int_equal(k->pl_len, 0);
		d->init = true;
		d->next =
		    k->seq + (uint32_t)k->pl_len + (syn ? 1u : 0u) + (fin ? 1u : 0u);
		fins += fin;
		rsts += rst;
	}
	free(t);
	assert_true(syns > 100);
	assert_true(fins > 50);
	assert_true(rsts > 10);
	assert_true(checked + syns + syns >= tcp); /* all but each flow's first packets */
}

/* ---------------------------------------------------------------- DNS */

/* Reads a (possibly compressed) name; pointers must point backwards. */
static bool dns_name(const uint8_t *m, size_t len, size_t *off, char *out, size_t size,
                     bool *compressed)
{
	size_t o = *off, w = 0;
	bool jumped = false;
	int hops = 0;
	for (;;) {
		if (o >= len)
			return false;
		uint8_t l = m[o];
		if ((l & 0xc0) == 0xc0) {
			if (o + 1 >= len || ++hops > 16)
				return false;
			size_t p = ((size_t)(l & 0x3f) << 8) | m[o + 1];
			if (p >= o)
				return false;
			if (!jumped)
				*off = o + 2;
			jumped = true;
			*compressed = true;
			o = p;
			continue;
		}
		if (l == 0) {
			if (!jumped)
				*off = o + 1;
			out[w ? w - 1 : 0] = '\0';
			return true;
		}
		if (l > 63 || o + 1 + l > len || w + l + 1 >= size)
			return false;
		memcpy(out + w, m + o + 1, l);
		w += l;
		out[w++] = '.';
		o += 1 + l;
	}
}

static void test_dns_messages(void **state)
{
	fix_t *f = *state;
	size_t queries = 0, responses = 0, nx = 0, compressed = 0;
	bool type_seen[256] = {false};
	for (size_t i = 0; i < f->cap.n; i++) {
		pk_t *k = &f->cap.p[i];
		if (k->proto != 17 || (k->sport != 53 && k->dport != 53))
			continue;
		const uint8_t *m = k->pl;
		size_t len = k->pl_len, off = 12;
		assert_true(len >= 12);
		uint16_t flags = setu_be16(m + 2);
		uint16_t qd = setu_be16(m + 4), an = setu_be16(m + 6),
		         ns = setu_be16(m + 8), ar = setu_be16(m + 10);
		assert_int_equal(qd, 1);
		char name[300];
		bool comp = false;
		assert_true(dns_name(m, len, &off, name, sizeof(name), &comp));
		assert_true(off + 4 <= len);
		uint16_t qtype = setu_be16(m + off);
		off += 4;
		if (flags & 0x8000) {
			responses++;
			nx += (flags & 0xf) == 3;
			if ((flags & 0xf) == 0)
				assert_true(an > 0);
		} else {
			queries++;
			assert_int_equal(an + ns, 0);
			type_seen[qtype & 0xff] = true;
		}
		for (unsigned rr = 0; rr < (unsigned)an + ns + ar; rr++) {
			comp = false;
			assert_true(dns_name(m, len, &off, name, sizeof(name), &comp));
			compressed += comp;
			assert_true(off + 10 <= len);
			uint16_t type = setu_be16(m + off);
			uint16_t rdlen = setu_be16(m + off + 8);
			off += 10;
			assert_true(off + rdlen <= len);
			if (type == 1)
				assert_int_equal(rdlen, 4);
			if (type == 28)
				assert_int_equal(rdlen, 16);
			if (type == 5 ||
			    type == 15) { /* the name inside must parse too */
				size_t o2 = off + (type == 15 ? 2 : 0);
				assert_true(
				    dns_name(m, len, &o2, name, sizeof(name), &comp));
				assert_int_equal(o2, off + rdlen);
			}
			off += rdlen;
		}
		assert_int_equal(off, len);
	}
	assert_true(queries > 100);
	assert_true(responses == queries);
	assert_true(nx > 0);
	assert_true(compressed > 100);
	assert_true(type_seen[1] && type_seen[28] && type_seen[5] && type_seen[15] &&
	            type_seen[16]);
}

/* ---------------------------------------------------------------- TLS */

/* SNI of a ClientHello record at the start of p, or "" (p is the first segment). */
static bool tls_sni(const uint8_t *p, size_t len, char *out, size_t size, bool *v13)
{
	setu_rd_t r = setu_rd_init(p, len);
	if (setu_rd_u8(&r) != 22)
		return false;
	setu_rd_skip(&r, 4);
	if (setu_rd_u8(&r) != 1)
		return false;
	setu_rd_skip(&r, 3 + 2 + 32);
	setu_rd_skip(&r, setu_rd_u8(&r));
	setu_rd_skip(&r, setu_rd_be16(&r));
	setu_rd_skip(&r, setu_rd_u8(&r));
	size_t end = setu_rd_be16(&r) + r.off;
	out[0] = '\0';
	*v13 = false;
	while (!r.err && r.off + 4 <= end) {
		uint16_t type = setu_rd_be16(&r), l = setu_rd_be16(&r);
		if (type == 0 && l > 5) {
			setu_rd_t s = setu_rd_init(setu_rd_ptr(&r), l);
			setu_rd_skip(&s, 3);
			uint16_t nl = setu_rd_be16(&s);
			if (nl < size && setu_rd_copy(&s, out, nl))
				out[nl] = '\0';
		}
		if (type == 43)
			*v13 = true;
		setu_rd_skip(&r, l);
	}
	return !r.err && r.off == end;
}

typedef struct sni_rec {
	uint8_t key[37];
	char sni[256];
} sni_rec_t;

static void test_tls_handshakes(void **state)
{
	fix_t *f = *state;
	size_t hellos = 0, v13 = 0, certs = 0, nsni = 0, cap = 4096, grease = 0;
	sni_rec_t *snis = calloc(cap, sizeof(*snis));
	for (size_t i = 0; i < f->cap.n; i++) {
		pk_t *k = &f->cap.p[i];
		if (k->proto != 6 || k->pl_len < 6)
			continue;
		bool is13;
		char sni[256];
		if (k->dport == 443 && k->pl[0] == 22 && k->pl[5] == 1) {
			/* every ClientHello parses to its last extension byte */
			assert_true(tls_sni(k->pl, k->pl_len, sni, sizeof(sni), &is13));
			hellos++;
			/* Chrome-like clients open the suites with a GREASE value (RFC
			 * 8701) */
			uint16_t first =
			    setu_be16(k->pl + 9 + 2 + 32 + 1 + k->pl[9 + 2 + 32] + 2);
			grease += (first & 0x0f0f) == 0x0a0a;
			v13 += is13;
			assert_true(sni[0] != '\0');
			assert_true(nsni < cap);
			dir_key(k, false, snis[nsni].key);
			snprintf(snis[nsni].sni, sizeof(snis[nsni].sni), "%s", sni);
			nsni++;
		}
		/* TLS 1.2 server flight: ServerHello then Certificate in one record; the
		 * leaf's CN is the SNI the client sent on this flow, and the chain
		 * verifies. */
		if (k->sport == 443 && k->pl[0] == 22 && k->pl[5] == 2) {
			uint8_t key[37];
			dir_key(k, true, key);
			const char *want = NULL;
			for (size_t j = nsni; j > 0 && want == NULL; j--)
				if (memcmp(snis[j - 1].key, key, 37) == 0)
					want = snis[j - 1].sni;
			assert_non_null(want);
			setu_rd_t r = setu_rd_init(k->pl, k->pl_len);
			setu_rd_skip(&r, 5);
			while (setu_rd_left(&r) >= 4 && !r.err) {
				uint8_t t = setu_rd_u8(&r);
				uint32_t l = setu_rd_be24(&r);
				if (t != 11) {
					setu_rd_skip(&r, l);
					continue;
				}
				setu_rd_skip(&r, 3);
				X509 *chain[2] = {NULL, NULL};
				for (int c = 0; c < 2; c++) {
					uint32_t cl = setu_rd_be24(&r);
					assert_true(setu_rd_has(&r, cl));
					const unsigned char *d = setu_rd_ptr(&r);
					chain[c] = d2i_X509(NULL, &d, cl);
					assert_non_null(chain[c]);
					setu_rd_skip(&r, cl);
				}
				char cn[256];
				X509_NAME_get_text_by_NID(X509_get_subject_name(chain[0]),
				                          NID_commonName, cn, sizeof(cn));
				assert_string_equal(cn, want);
				EVP_PKEY *ca = X509_get0_pubkey(chain[1]);
				assert_int_equal(X509_verify(chain[0], ca), 1);
				assert_int_equal(X509_verify(chain[1], ca), 1);
				X509_free(chain[0]);
				X509_free(chain[1]);
				certs++;
				break;
			}
		}
	}
	free(snis);
	assert_true(hellos > 30);
	assert_true(v13 > hellos / 2 && v13 < hellos);
	assert_true(grease > hellos / 4 && grease < hellos);
	assert_true(certs > 0);
}

/* ---------------------------------------------------------------- HTTP */

typedef struct stream {
	uint8_t key[37]; /* client -> server direction */
	bool used;
	uint8_t *b[2]; /* 0 = to server, 1 = to client */
	size_t len[2], cap[2];
} stream_t;

static void stream_add(stream_t *s, int dir, const uint8_t *p, size_t n)
{
	if (s->len[dir] + n > s->cap[dir]) {
		s->cap[dir] = (s->len[dir] + n) * 2;
		s->b[dir] = realloc(s->b[dir], s->cap[dir]);
		assert_non_null(s->b[dir]);
	}
	memcpy(s->b[dir] + s->len[dir], p, n);
	s->len[dir] += n;
}

static const uint8_t *find_crlfcrlf(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 4 <= n; i++)
		if (memcmp(p + i, "\r\n\r\n", 4) == 0)
			return p + i;
	return NULL;
}

/* Value of header name (case-insensitive) in [h, end), copied to out. */
static bool header(const uint8_t *h, const uint8_t *end, const char *name, char *out,
                   size_t size)
{
	size_t nl = strlen(name);
	for (const uint8_t *p = h; p + nl + 1 < end; p++) {
		if ((p == h || p[-1] == '\n') &&
		    strncasecmp((const char *)p, name, nl) == 0 && p[nl] == ':') {
			const uint8_t *v = p + nl + 1;
			while (v < end && *v == ' ')
				v++;
			size_t w = 0;
			while (v < end && *v != '\r' && w + 1 < size)
				out[w++] = (char)*v++;
			out[w] = '\0';
			return true;
		}
	}
	return false;
}

static bool gunzip_ok(const uint8_t *p, size_t n)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 31) != Z_OK)
		return false;
	uint8_t out[16384];
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	int rc;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		rc = inflate(&z, Z_NO_FLUSH);
	} while (rc == Z_OK);
	bool ok = rc == Z_STREAM_END && z.avail_in == 0;
	inflateEnd(&z);
	return ok;
}

typedef struct http_stats {
	size_t requests, responses, chunked, gzip, s200, s301, s404, cookies, posts;
} http_stats_t;

/* Parses a whole request stream and response stream; every byte must belong to a
 * message and each request must have its response. */
static void http_check(const stream_t *s, http_stats_t *st)
{
	const uint8_t *q = s->b[0], *qe = s->b[0] + s->len[0];
	const uint8_t *r = s->b[1], *re = s->b[1] + s->len[1];
	char v[256];
	while (q < qe) {
		const uint8_t *he = find_crlfcrlf(q, (size_t)(qe - q));
		assert_non_null(he);
		assert_true(memcmp(q, "GET ", 4) == 0 || memcmp(q, "POST ", 5) == 0);
		assert_true(header(q, he, "Host", v, sizeof(v)));
		assert_true(header(q, he, "User-Agent", v, sizeof(v)));
		st->cookies += header(q, he, "Cookie", v, sizeof(v));
		size_t body = 0;
		if (memcmp(q, "POST ", 5) == 0) {
			st->posts++;
			assert_true(header(q, he, "Content-Length", v, sizeof(v)));
			body = strtoul(v, NULL, 10);
		}
		q = he + 4 + body;
		assert_true(q <= qe);
		st->requests++;

		assert_true(r < re);
		he = find_crlfcrlf(r, (size_t)(re - r));
		assert_non_null(he);
		assert_memory_equal(r, "HTTP/1.1 ", 9);
		/* three digits, read within the buffer (it is not NUL-terminated) */
		assert_true(r + 12 <= he);
		int status = (r[9] - '0') * 100 + (r[10] - '0') * 10 + (r[11] - '0');
		st->s200 += status == 200;
		st->s301 += status == 301;
		st->s404 += status == 404;
		if (status == 301)
			assert_true(header(r, he, "Location", v, sizeof(v)));
		bool gz = header(r, he, "Content-Encoding", v, sizeof(v)) &&
		          strcmp(v, "gzip") == 0;
		const uint8_t *b = he + 4;
		uint8_t *dechunked = NULL;
		size_t blen = 0;
		if (header(r, he, "Transfer-Encoding", v, sizeof(v))) {
			assert_string_equal(v, "chunked");
			st->chunked++;
			dechunked = malloc((size_t)(re - b) + 1);
			for (;;) {
				char *end;
				unsigned long n = strtoul((const char *)b, &end, 16);
				assert_memory_equal(end, "\r\n", 2);
				b = (const uint8_t *)end + 2;
				assert_true(b + n + 2 <= re);
				memcpy(dechunked + blen, b, n);
				blen += n;
				b += n;
				assert_memory_equal(b, "\r\n", 2);
				b += 2;
				if (n == 0)
					break;
			}
			r = b;
		} else {
			assert_true(header(r, he, "Content-Length", v, sizeof(v)));
			blen = strtoul(v, NULL, 10);
			assert_true(b + blen <= re);
			r = b + blen;
		}
		if (gz) {
			assert_true(gunzip_ok(dechunked ? dechunked : b, blen));
			st->gzip++;
		}
		free(dechunked);
		st->responses++;
	}
	assert_true(r == re); /* no bytes left over */
}

static void test_http_streams(void **state)
{
	fix_t *f = *state;
	size_t cap = 1u << 14;
	stream_t *t = calloc(cap, sizeof(*t));
	for (size_t i = 0; i < f->cap.n; i++) {
		pk_t *k = &f->cap.p[i];
		if (k->proto != 6 || (k->sport != 80 && k->dport != 80) || k->pl_len == 0)
			continue;
		int dir = k->dport == 80 ? 0 : 1;
		uint8_t key[37];
		dir_key(k, dir == 1, key);
		uint64_t h = 1469598103934665603ull;
		for (int j = 0; j < 37; j++)
			h = (h ^ key[j]) * 1099511628211ull;
		stream_t *s = NULL;
		for (size_t j = 0; j < cap; j++) {
			s = &t[(h + j) % cap];
			if (!s->used || memcmp(s->key, key, 37) == 0)
				break;
		}
		assert_non_null(s);
		s->used = true;
		memcpy(s->key, key, 37);
		stream_add(s, dir, k->pl, k->pl_len);
	}
	http_stats_t st;
	memset(&st, 0, sizeof(st));
	size_t flows = 0;
	for (size_t i = 0; i < cap; i++) {
		if (!t[i].used)
			continue;
		flows++;
		http_check(&t[i], &st);
		free(t[i].b[0]);
		free(t[i].b[1]);
	}
	free(t);
	assert_true(flows > 30);
	assert_int_equal(st.requests, st.responses);
	assert_true(st.chunked > 0 && st.gzip > 0 && st.s200 > 0 && st.s301 > 0 &&
	            st.s404 > 0);
	assert_true(st.cookies > 0 && st.posts > 0);
}

/* ---------------------------------------------------------------- truth */

static setu_gen_app_t classify(const pk_t *k)
{
	if (k->proto == 17) {
		uint16_t p = k->sport == 53 || k->dport == 53     ? 53
		             : k->sport == 123 || k->dport == 123 ? 123
		                                                  : 0;
		return p == 53    ? SETU_GEN_APP_DNS
		       : p == 123 ? SETU_GEN_APP_NTP
		                  : SETU_GEN_APP_OTHER_UDP;
	}
	uint16_t a = k->sport, b = k->dport;
	if (a == 80 || b == 80)
		return SETU_GEN_APP_HTTP;
	if (a == 443 || b == 443)
		return SETU_GEN_APP_TLS;
	if (a == 22 || b == 22)
		return SETU_GEN_APP_SSH;
	return SETU_GEN_APP_OTHER_TCP; /* other_tcp + scan */
}

static bool contains(const uint8_t *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	for (size_t i = 0; i + l <= n; i++)
		if (memcmp(p + i, s, l) == 0)
			return true;
	return false;
}

static void ip_text(const pk_t *k, const uint8_t *a, char *out)
{
	setu_addr_t x;
	if (k->family == 4)
		setu_addr_set4(&x, a);
	else
		setu_addr_set6(&x, a);
	setu_addr_str(&x, out, SETU_ADDR_STRLEN);
}

/* Does packet k belong to the flow src:sp <-> dst:dp (either direction)? */
static bool in_flow(const pk_t *k, const char *src, int sp, const char *dst, int dp)
{
	char s[SETU_ADDR_STRLEN], d[SETU_ADDR_STRLEN];
	ip_text(k, k->src, s);
	ip_text(k, k->dst, d);
	return (strcmp(s, src) == 0 && k->sport == sp && strcmp(d, dst) == 0 &&
	        k->dport == dp) ||
	       (strcmp(s, dst) == 0 && k->sport == dp && strcmp(d, src) == 0 &&
	        k->dport == sp);
}

static void test_truth(void **state)
{
	fix_t *f = *state;
	json_t *t = f->truth;
	assert_int_equal(json_integer_value(json_object_get(t, "format_version")), 1);
	assert_int_equal(json_integer_value(json_object_get(t, "packets")), f->cap.n);
	assert_int_equal(json_integer_value(json_object_get(t, "seed")), 1);
	json_t *pk = json_object_get(json_object_get(t, "counts"), "packets");
	uint64_t by_port[SETU_GEN_APP_MAX] = {0};
	for (size_t i = 0; i < f->cap.n; i++)
		by_port[classify(&f->cap.p[i])]++;
	uint64_t sum = 0;
	for (int a = 0; a < SETU_GEN_APP_MAX; a++) {
		json_t *v = json_object_get(pk, setu_gen_app_name((setu_gen_app_t)a));
		assert_non_null(v);
		sum += (uint64_t)json_integer_value(v);
	}
	assert_int_equal(sum, f->cap.n);
	for (int a = 0; a < SETU_GEN_APP_MAX; a++) {
		uint64_t want = (uint64_t)json_integer_value(
		    json_object_get(pk, setu_gen_app_name((setu_gen_app_t)a)));
		if (a == SETU_GEN_APP_OTHER_TCP)
			want += (uint64_t)json_integer_value(json_object_get(pk, "scan"));
		if (a == SETU_GEN_APP_SCAN)
			continue;
		assert_int_equal(by_port[a], want);
	}
	/* Flows: count TCP SYNs (without ACK) on the well-known ports. */
	json_t *fl = json_object_get(json_object_get(t, "counts"), "flows");
	uint64_t syn80 = 0, syn443 = 0;
	for (size_t i = 0; i < f->cap.n; i++) {
		pk_t *k = &f->cap.p[i];
		if (k->proto == 6 && (k->flags & 0x12) == 0x02) {
			syn80 += k->dport == 80;
			syn443 += k->dport == 443;
		}
	}
	assert_int_equal(syn80, json_integer_value(json_object_get(fl, "http")));
	assert_int_equal(syn443, json_integer_value(json_object_get(fl, "tls")));

	json_t *attacks = json_object_get(t, "attacks");
	assert_int_equal(json_array_size(attacks), 7);
	size_t i;
	json_t *a;
	const char *bad_domain = "malware-c2.example";
	json_array_foreach(attacks, i, a)
	{
		const char *kind = json_string_value(json_object_get(a, "kind"));
		const char *src = json_string_value(json_object_get(a, "src_ip"));
		const char *dst = json_string_value(json_object_get(a, "dest_ip"));
		int sp = (int)json_integer_value(json_object_get(a, "src_port"));
		int dp = (int)json_integer_value(json_object_get(a, "dest_port"));
		json_int_t first = json_integer_value(json_object_get(a, "first_packet"));
		assert_true(first >= 1 && (size_t)first <= f->cap.n);
		const pk_t *k = &f->cap.p[first - 1];
		/* The first packet is the flow's, from the source, at the stated time. */
		assert_true(in_flow(k, src, sp, dst, dp));
		char s[SETU_ADDR_STRLEN];
		ip_text(k, k->src, s);
		assert_string_equal(s, src);
		assert_int_equal(k->ts_us,
		                 json_integer_value(json_object_get(a, "ts_us")));
		json_t *sids = json_object_get(a, "sids");
		size_t nsids =
		    json_array_size(json_object_get(sids, "et-open-suricata4-2019"));
		json_t *ind = json_object_get(a, "indicators");
		assert_true(nsids > 0 || json_array_size(ind) > 0);
		/* The attack's signature bytes are in its flow and nowhere else. */
		const char *needle = NULL;
		if (strcmp(kind, "http-sqli") == 0)
			needle = "UNION%20SELECT";
		else if (strcmp(kind, "http-path-traversal") == 0)
			needle = "root:x:0:0:root:/root:/";
		else if (strcmp(kind, "http-webshell-id") == 0)
			needle = "uid=0(root)";
		else if (strcmp(kind, "dns-bad-domain") == 0)
			needle = "\012malware-c2\007example";
		else if (strcmp(kind, "tls-sni-bad-domain") == 0)
			needle = bad_domain;
		if (needle != NULL) {
			size_t hits = 0;
			for (size_t j = 0; j < f->cap.n; j++) {
				const pk_t *q = &f->cap.p[j];
				if (!contains(q->pl, q->pl_len, needle))
					continue;
				assert_true(in_flow(q, src, sp, dst, dp));
				hits++;
			}
			assert_true(hits >= 1);
		}
		if (strcmp(kind, "tls-sni-bad-domain") == 0) {
			bool found = false;
			for (size_t j = first - 1; j < f->cap.n && !found; j++) {
				const pk_t *q = &f->cap.p[j];
				char sni[256];
				bool v13;
				if (in_flow(q, src, sp, dst, dp) && q->pl_len > 0 &&
				    tls_sni(q->pl, q->pl_len, sni, sizeof(sni), &v13)) {
					assert_string_equal(sni, bad_domain);
					found = true;
				}
			}
			assert_true(found);
		}
		if (strcmp(kind, "tcp-bad-ip") == 0)
			assert_string_equal(dst, "203.0.113.66");
		if (strcmp(kind, "port-scan") == 0) {
			size_t syn = 0, rst = 0;
			for (size_t j = 0; j < f->cap.n; j++) {
				const pk_t *q = &f->cap.p[j];
				char qs[SETU_ADDR_STRLEN], qd[SETU_ADDR_STRLEN];
				ip_text(q, q->src, qs);
				ip_text(q, q->dst, qd);
				if (strcmp(qs, src) == 0 && strcmp(qd, dst) == 0 &&
				    q->flags == 0x02)
					syn++;
				if (strcmp(qs, dst) == 0 && strcmp(qd, src) == 0 &&
				    q->flags == 0x14)
					rst++;
			}
			assert_true(syn >= 20);
			assert_true(rst >= 15);
		}
	}
	/* The bad IP only appears in the tcp-bad-ip flow (and the DNS answer). */
	size_t bad_ip_pkts = 0;
	for (size_t j = 0; j < f->cap.n; j++) {
		const pk_t *q = &f->cap.p[j];
		const uint8_t bad[4] = {203, 0, 113, 66};
		if (q->family == 4 &&
		    (memcmp(q->src, bad, 4) == 0 || memcmp(q->dst, bad, 4) == 0))
			bad_ip_pkts++;
	}
	assert_true(bad_ip_pkts >= 8 && bad_ip_pkts < 40);
}

/* ---------------------------------------------------------------- truth vs. rules */

/* The enabled rule line with this sid in ruleset dir, malloc'd, or NULL. */
static char *find_rule(const char *dir, long sid)
{
	char pat[1024], needle[32];
	snprintf(pat, sizeof(pat), "%s/*.rules", dir);
	snprintf(needle, sizeof(needle), "sid:%ld;", sid);
	glob_t g;
	char *found = NULL;
	if (glob(pat, 0, NULL, &g) != 0)
		return NULL;
	char *line = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < g.gl_pathc && found == NULL; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		if (f == NULL)
			continue;
		while (getline(&line, &cap, f) > 0)
			if (line[0] != '#' && strstr(line, needle) != NULL) {
				found = strdup(line);
				break;
			}
		fclose(f);
	}
	free(line);
	globfree(&g);
	return found;
}

/* Decodes a rule content value ("a|3a|b", with \" escapes) into out; returns length. */
static size_t content_bytes(const char *s, const char *end, uint8_t *out, size_t size)
{
	size_t n = 0;
	bool hex = false;
	while (s < end && n < size) {
		if (*s == '|') {
			hex = !hex;
			s++;
		} else if (hex) {
			if (*s == ' ') {
				s++;
				continue;
			}
			unsigned v;
			if (sscanf(s, "%2x", &v) != 1)
				break;
			out[n++] = (uint8_t)v;
			s += 2;
		} else {
			if (*s == '\\' && s + 1 < end)
				s++;
			out[n++] = (uint8_t)*s++;
		}
	}
	return n;
}

static bool contains_nocase(const uint8_t *p, size_t n, const uint8_t *c, size_t l,
                            bool nc)
{
	for (size_t i = 0; i + l <= n; i++) {
		size_t j = 0;
		for (; j < l; j++) {
			uint8_t a = p[i + j], b = c[j];
			if (nc && a >= 'A' && a <= 'Z')
				a = (uint8_t)(a + 32);
			if (nc && b >= 'A' && b <= 'Z')
				b = (uint8_t)(b + 32);
			if (a != b)
				break;
		}
		if (j == l)
			return true;
	}
	return false;
}

/* Every sid the truth names is an enabled rule of that ruleset, and the attack flow
 * carries each of the rule's (non-negated) contents, or, for a rule without content,
 * sends a SYN to a port the rule covers. A cheap check that the truth is not a lie;
 * the real judge is the detection engine. */
static void test_truth_sids_match_rules(void **state)
{
	fix_t *f = *state;
	char base[512];
	snprintf(base, sizeof(base), "%s/../shared/testdata/rules", SETU_SOURCE_DIR);
	if (access(base, R_OK) != 0) {
		fprintf(stderr, "skip: %s absent (shared test data)\n", base);
		skip();
	}
	json_t *attacks = json_object_get(f->truth, "attacks");
	size_t i, checked = 0;
	json_t *a;
	json_array_foreach(attacks, i, a)
	{
		const char *src = json_string_value(json_object_get(a, "src_ip"));
		const char *dst = json_string_value(json_object_get(a, "dest_ip"));
		int sp = (int)json_integer_value(json_object_get(a, "src_port"));
		int dp = (int)json_integer_value(json_object_get(a, "dest_port"));
		bool scan = strcmp(json_string_value(json_object_get(a, "kind")),
		                   "port-scan") == 0;
		/* The flow's bytes, both directions, in capture order. */
		size_t cap = 1 << 16, n = 0;
		uint8_t *bytes = malloc(cap);
		for (size_t j = 0; j < f->cap.n; j++) {
			const pk_t *q = &f->cap.p[j];
			if (!in_flow(q, src, sp, dst, dp) || q->pl_len == 0)
				continue;
			if (n + q->pl_len > cap) {
				cap = (n + q->pl_len) * 2;
				bytes = realloc(bytes, cap);
			}
			memcpy(bytes + n, q->pl, q->pl_len);
			n += q->pl_len;
		}
		const char *rs;
		json_t *sids;
		json_object_foreach(json_object_get(a, "sids"), rs, sids)
		{
			char dir[640];
			snprintf(dir, sizeof(dir), "%s/%s", base, rs);
			size_t k;
			json_t *sid;
			json_array_foreach(sids, k, sid)
			{
				char *rule =
				    find_rule(dir, (long)json_integer_value(sid));
				if (rule == NULL)
					fail_msg("%s: sid %lld not found or disabled", rs,
					         (long long)json_integer_value(sid));
				size_t contents = 0;
				for (char *c = strstr(rule, "content:\""); c != NULL;
				     c = strstr(c + 1, "content:\"")) {
					const char *v = c + 9, *e = v;
					while (*e && !(*e == '"' && e[-1] != '\\'))
						e++;
					char *next = strstr(e, "content:");
					char *nc = strstr(e, "nocase;");
					bool nocase =
					    nc != NULL && (next == NULL || nc < next);
					uint8_t want[256];
					size_t wl =
					    content_bytes(v, e, want, sizeof(want));
					assert_true(wl > 0);
					if (!contains_nocase(bytes, n, want, wl, nocase))
						fail_msg(
						    "%s sid %lld: content \"%.*s\" not "
						    "in the flow",
						    rs,
						    (long long)json_integer_value(sid),
						    (int)(e - v), v);
					contents++;
				}
				if (contents == 0) {
					/* "alert tcp SRC SPORT -> DST DPORT (": a port
					 * (range) */
					assert_true(scan);
					char *arrow = strstr(rule, "-> ");
					assert_non_null(arrow);
					unsigned lo = 0, hi = 0;
					char dstv[64];
					assert_int_equal(
					    sscanf(arrow + 3, "%63s %u", dstv, &lo), 2);
					char *colon =
					    strchr(arrow + 3 + strlen(dstv) + 1, ':');
					hi = lo;
					if (colon != NULL && colon < strchr(arrow, '('))
						sscanf(colon + 1, "%u", &hi);
					bool hit = false;
					for (size_t j = 0; j < f->cap.n && !hit; j++) {
						const pk_t *q = &f->cap.p[j];
						char qs[SETU_ADDR_STRLEN];
						ip_text(q, q->src, qs);
						hit = q->flags == 0x02 &&
						      strcmp(qs, src) == 0 &&
						      q->dport >= lo && q->dport <= hi;
					}
					assert_true(hit);
				}
				free(rule);
				checked++;
			}
		}
		free(bytes);
	}
	assert_true(checked >= 10);
}

/* ---------------------------------------------------------------- options */

static void test_size_option(void **state)
{
	(void)state;
	static const uint64_t sizes[] = {200000, 3u * 1024 * 1024, 12u * 1024 * 1024};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		setu_gen_config_t cfg;
		setu_gen_config_default(&cfg);
		cfg.size = sizes[i];
		cfg.seed = 5 + i;
		setu_gen_summary_t s;
		assert_int_equal(setu_gen_run(&cfg, NULL, NULL, &s, NULL), 0);
		double err = ((double)s.bytes - (double)cfg.size) / (double)cfg.size;
		if (err < 0)
			err = -err;
		assert_true(err < 0.05);
		/* every attack made it in */
		for (size_t a = 0; a < s.n_attacks; a++)
			assert_true(s.attacks[a].first_packet > 0);
		setu_gen_summary_free(&s);
	}
}

static void test_ipv6_share(void **state)
{
	(void)state;
	setu_gen_config_t cfg;
	setu_gen_config_default(&cfg);
	cfg.flows = 100;
	cfg.ipv6_share = 0;
	setu_gen_summary_t s;
	assert_int_equal(setu_gen_run(&cfg, NULL, NULL, &s, NULL), 0);
	assert_int_equal(s.ipv6_flows, 0);
	setu_gen_summary_free(&s);
	cfg.ipv6_share = 100;
	assert_int_equal(setu_gen_run(&cfg, NULL, NULL, &s, NULL), 0);
	uint64_t flows = 0;
	for (int a = 0; a < SETU_GEN_APP_MAX; a++)
		flows += s.flows[a];
	/* everything but the IPv4 attack flows (scan probes included) */
	assert_true(s.ipv6_flows > 100 && s.ipv6_flows + 40 >= flows);
	setu_gen_summary_free(&s);
}

static void test_bad_config(void **state)
{
	(void)state;
	setu_gen_config_t cfg;
	setu_diag_t d;
	setu_gen_config_default(&cfg);
	cfg.bad_ip = "203.0.113";
	memset(&d, 0, sizeof(d));
	assert_int_equal(setu_gen_run(&cfg, NULL, NULL, NULL, &d), SETU_EINVAL);
	assert_non_null(strstr(d.msg, "203.0.113"));
	setu_gen_config_default(&cfg);
	cfg.bad_domain = "bad..domain";
	assert_int_equal(setu_gen_run(&cfg, NULL, NULL, NULL, &d), SETU_EINVAL);
	setu_gen_config_default(&cfg);
	cfg.ipv6_share = 101;
	assert_int_equal(setu_gen_run(&cfg, NULL, NULL, NULL, &d), SETU_EINVAL);
	setu_gen_config_default(&cfg);
	cfg.flows = 0;
	assert_int_equal(setu_gen_run(&cfg, NULL, NULL, NULL, &d), SETU_EINVAL);
	setu_gen_config_default(&cfg);
	memset(cfg.share, 0, sizeof(cfg.share));
	assert_int_equal(setu_gen_run(&cfg, NULL, NULL, NULL, &d), SETU_EINVAL);
	setu_gen_config_default(&cfg);
	assert_int_equal(setu_gen_pcap(&cfg, "/nonexistent-dir/x.pcap", &d), SETU_EIO);
	assert_non_null(strstr(d.msg, "/nonexistent-dir/x.pcap"));
}

static void test_callback_stops(void **state)
{
	(void)state;
	setu_gen_config_t cfg;
	setu_gen_config_default(&cfg);
	hash_sink_t h = {EVP_MD_CTX_new(), 0, 100};
	EVP_DigestInit_ex(h.md, EVP_sha256(), NULL);
	setu_gen_summary_t s;
	assert_int_equal(setu_gen_run(&cfg, hash_packet, &h, &s, NULL), SETU_EIO);
	assert_int_equal(h.n, 100);
	setu_gen_summary_free(&s);
	EVP_MD_CTX_free(h.md);
}

static void test_custom_options(void **state)
{
	(void)state;
	setu_gen_config_t cfg;
	setu_gen_config_default(&cfg);
	cfg.flows = 60;
	cfg.attacks = 14;
	cfg.bad_domain = "evil.test";
	cfg.bad_ip = "2001:db8:bad::66";
	memset(cfg.share, 0, sizeof(cfg.share));
	cfg.share[SETU_GEN_APP_DNS] = 1;
	setu_gen_summary_t s;
	assert_int_equal(setu_gen_run(&cfg, NULL, NULL, &s, NULL), 0);
	assert_int_equal(s.n_attacks, 14);
	size_t ind6 = 0;
	for (size_t i = 0; i < s.n_attacks; i++) {
		assert_true(s.attacks[i].first_packet > 0);
		if (i > 0)
			assert_true(s.attacks[i].first_packet >
			                s.attacks[i - 1].first_packet ||
			            s.attacks[i].ts_us >= s.attacks[i - 1].ts_us);
		if (s.attacks[i].indicator_type &&
		    strcmp(s.attacks[i].indicator_type, "ipv6-addr") == 0) {
			assert_string_equal(s.attacks[i].indicator, "2001:db8:bad::66");
			assert_string_equal(s.attacks[i].dest_ip, "2001:db8:bad::66");
			ind6++;
		}
	}
	assert_int_equal(ind6, 2);
	/* only DNS sessions apart from the attacks */
	assert_int_equal(s.flows[SETU_GEN_APP_TLS], 2);
	assert_int_equal(s.flows[SETU_GEN_APP_SSH], 0);
	setu_gen_summary_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reproducible),
	    cmocka_unit_test(test_reproducible_files),
	    cmocka_unit_test(test_packets_valid),
	    cmocka_unit_test(test_tcp_sequences),
	    cmocka_unit_test(test_dns_messages),
	    cmocka_unit_test(test_tls_handshakes),
	    cmocka_unit_test(test_http_streams),
	    cmocka_unit_test(test_truth),
	    cmocka_unit_test(test_truth_sids_match_rules),
	    cmocka_unit_test(test_size_option),
	    cmocka_unit_test(test_ipv6_share),
	    cmocka_unit_test(test_bad_config),
	    cmocka_unit_test(test_callback_stops),
	    cmocka_unit_test(test_custom_options),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
