/* tls/parser.c — TLS/SSL record layer and handshake parser (RFC 8446 §4-5, RFC 5246 §6-7,
 * RFC 6066 SNI, RFC 7301 ALPN, SSLv2 CLIENT-HELLO per draft-hickman-netscape-ssl-00),
 * JA3/JA3S (github.com/salesforce/ja3) and JA4 (FoxIO JA4 spec, BSD-3 part). Records
 * and handshake messages resume across chunks. Certificate fields are decoded with
 * OpenSSL (ASN1_get_object, d2i_X509_NAME, d2i_ASN1_TIME); the handshake parser is by
 * hand (OpenSSL has no passive-parsing API). */
#include "sensor/applayer/tls/tls.h"

#include "common/bytes.h"
#include "sensor/applayer/applayer-int.h"
#include "setu/error.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/asn1.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tls_dir {
	uint8_t hdr[5];
	uint8_t hdr_len;
	bool in_body; /* header complete, body_left bytes of the record to come */
	bool v2;      /* current record is SSLv2-framed */
	uint8_t type; /* record content type */
	uint32_t body_left;
	setu_buf_t hs;    /* handshake byte stream not yet made into messages; reused */
	uint32_t hs_skip; /* bytes of an oversize handshake message still to drop */
	bool ccs;         /* ChangeCipherSpec sent: its handshake records are encrypted */
	bool appdata;     /* application data seen */
	bool encrypted_hs; /* TLS 1.3 server: everything after ServerHello is encrypted */
	bool first_done;
	bool stopped; /* unparseable: nothing more is parsed in this direction */
	bool cert_seen;
	bool v2_all; /* SSLv2 (2.0) session: all records of this direction are v2 */
} tls_dir_t;

struct setu_tls_state {
	setu_altxq_t q;
	setu_tls_tx_t *tx;   /* the session's tx (borrowed from q until drained) */
	setu_tls_tx_t *pool; /* recycled txs */
	tls_dir_t d[2];
	uint32_t events;
	bool tx_made; /* the session's one tx was made (it may be drained already) */
};

static const char *const tls_event_names[] = {
#define SETU_TLS_EV_NAME(id, name) name,
    SETU_TLS_EVENTS(SETU_TLS_EV_NAME)
#undef SETU_TLS_EV_NAME
};

const char *setu_tls_event_name(unsigned bit)
{
	return bit < sizeof(tls_event_names) / sizeof(tls_event_names[0])
	           ? tls_event_names[bit]
	           : NULL;
}

const char *setu_tls_version_str(uint16_t v, char *buf, size_t size)
{
	switch (v) {
	case 0:
		return "UNDETERMINED";
	case 0x0002:
	case 0x0200:
		return "SSLv2";
	case 0x0300:
		return "SSLv3";
	case 0x0301:
		return "TLSv1";
	case 0x0302:
		return "TLS 1.1";
	case 0x0303:
		return "TLS 1.2";
	case 0x0304:
		return "TLS 1.3";
	case 0xfb1a:
		return "TLS 1.3 draft-26-fb";
	default:
		break;
	}
	if ((v & 0xff00) == 0x7f00)
		snprintf(buf, size, "TLS 1.3 draft-%u", v & 0xffu);
	else
		snprintf(buf, size, "0x%04x", v);
	return buf;
}

static void tls_event(setu_tls_state_t *ts, unsigned bit)
{
	ts->events |= 1u << bit;
	if (ts->tx != NULL)
		ts->tx->hdr.events |= 1u << bit;
}
#define TLS_EVENT(ts, id) tls_event((ts), SETU_TLS_EVB_##id)

/* ---- tx ---- */

static setu_tls_tx_t *tls_tx_get(setu_tls_state_t *ts)
{
	setu_tls_tx_t *tx = ts->pool;
	if (tx != NULL) {
		ts->pool = (setu_tls_tx_t *)tx->hdr.next;
	} else {
		tx = malloc(sizeof(*tx));
		if (tx == NULL)
			return NULL;
		setu_buf_init(&tx->arena, 2u * SETU_TLS_MAX_HANDSHAKE);
	}
	setu_buf_t ar = tx->arena;
	memset(tx, 0, sizeof(*tx));
	tx->arena = ar;
	setu_buf_reset(&tx->arena);
	setu_buf_putc(&tx->arena, '\0'); /* offset 0: empty string */
	return tx;
}

static void tls_tx_destroy(setu_tls_tx_t *tx)
{
	setu_buf_free(&tx->arena);
	free(tx);
}

void setu_tls_tx_release(void *ps, setu_altx_t *t)
{
	setu_tls_state_t *ts = ps;
	setu_tls_tx_t *tx = (setu_tls_tx_t *)t;
	if (ts->tx == tx)
		ts->tx = NULL;
	tx->hdr.next = (setu_altx_t *)ts->pool;
	ts->pool = tx;
}

/* The session's tx, made (and queued) on the first hello. NULL on out-of-memory. */
static setu_tls_tx_t *tls_tx(setu_tls_state_t *ts)
{
	if (ts->tx_made) /* one tx per session; after it is drained, later messages are
	                    dropped */
		return ts->tx;
	setu_tls_tx_t *tx = tls_tx_get(ts);
	if (tx == NULL)
		return NULL;
	if (!setu_altxq_push(&ts->q, &tx->hdr)) {
		setu_tls_tx_release(ts, &tx->hdr);
		return NULL;
	}
	tx->hdr.events = ts->events;
	ts->tx = tx;
	ts->tx_made = true;
	return tx;
}

static setu_tls_str_t tls_put(setu_tls_tx_t *tx, const void *p, size_t n)
{
	setu_tls_str_t s = {0, 0};
	size_t off = tx->arena.len;
	if (setu_buf_append(&tx->arena, p, n) != 0 ||
	    setu_buf_putc(&tx->arena, '\0') != 0)
		return s;
	s.off = (uint32_t)off;
	s.len = (uint32_t)n;
	return s;
}

static setu_tls_str_t tls_puts(setu_tls_tx_t *tx, const char *str)
{
	return tls_put(tx, str, strlen(str));
}

/* ---- hello parsing ---- */

static bool grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

#define H_MAX 256
typedef struct hello {
	uint16_t version;
	const uint8_t *sid;
	uint8_t sid_len;
	uint16_t ciphers[H_MAX];
	unsigned nciphers;
	uint16_t exts[H_MAX];
	unsigned nexts;
	uint16_t groups[H_MAX];
	unsigned ngroups;
	uint8_t pf[H_MAX];
	unsigned npf;
	uint16_t sigalgs[H_MAX];
	unsigned nsig;
	uint16_t sv; /* ClientHello: highest supported_versions; ServerHello: selected */
	const uint8_t *sni;
	uint16_t sni_len;
	unsigned nsni;
	bool sni_bad_type, sni_bad_len;
	const uint8_t *alpn[SETU_TLS_MAX_ALPN];
	uint8_t alpn_len[SETU_TLS_MAX_ALPN];
	unsigned nalpn;
} hello_t;

static void h_ext(hello_t *h, bool client, uint16_t type, const uint8_t *p, size_t n)
{
	setu_rd_t r = setu_rd_init(p, n);
	switch (type) {
	case 0: { /* server_name */
		if (!client)
			break;
		h->nsni++;
		uint16_t ll = setu_rd_be16(&r);
		if (r.err || ll > setu_rd_left(&r)) {
			h->sni_bad_len = true;
			break;
		}
		uint8_t t = setu_rd_u8(&r);
		uint16_t l = setu_rd_be16(&r);
		if (r.err || l > setu_rd_left(&r)) {
			h->sni_bad_len = true;
			break;
		}
		if (t != 0) {
			h->sni_bad_type = true;
			break;
		}
		if (h->sni == NULL) {
			h->sni = setu_rd_ptr(&r);
			h->sni_len = l;
		}
		break;
	}
	case 10: { /* supported_groups */
		uint16_t ll = setu_rd_be16(&r);
		for (unsigned i = 0; i + 1 < ll && setu_rd_has(&r, 2); i += 2) {
			uint16_t g = setu_rd_be16(&r);
			if (!grease(g) && h->ngroups < H_MAX)
				h->groups[h->ngroups++] = g;
		}
		break;
	}
	case 11: { /* ec_point_formats */
		uint8_t ll = setu_rd_u8(&r);
		for (unsigned i = 0; i < ll && setu_rd_has(&r, 1); i++) {
			uint8_t f = setu_rd_u8(&r);
			if (h->npf < H_MAX)
				h->pf[h->npf++] = f;
		}
		break;
	}
	case 13: { /* signature_algorithms */
		uint16_t ll = setu_rd_be16(&r);
		for (unsigned i = 0; i + 1 < ll && setu_rd_has(&r, 2); i += 2) {
			uint16_t s = setu_rd_be16(&r);
			if (!grease(s) && h->nsig < H_MAX)
				h->sigalgs[h->nsig++] = s;
		}
		break;
	}
	case 16: { /* ALPN: client list; server: the one selected */
		uint16_t ll = setu_rd_be16(&r);
		if (r.err || ll > setu_rd_left(&r))
			break;
		setu_rd_t a = setu_rd_init(setu_rd_ptr(&r), ll);
		while (setu_rd_has(&a, 1)) {
			uint8_t l = setu_rd_u8(&a);
			if (!setu_rd_has(&a, l))
				break;
			if (h->nalpn < SETU_TLS_MAX_ALPN) {
				h->alpn[h->nalpn] = setu_rd_ptr(&a);
				h->alpn_len[h->nalpn++] = l;
			}
			setu_rd_skip(&a, l);
		}
		break;
	}
	case 43: /* supported_versions */
		if (client) {
			uint8_t ll = setu_rd_u8(&r);
			for (unsigned i = 0; i + 1 < ll && setu_rd_has(&r, 2); i += 2) {
				uint16_t v = setu_rd_be16(&r);
				if (!grease(v) && v > h->sv)
					h->sv = v;
			}
		} else if (n >= 2) {
			h->sv = setu_be16(p);
		}
		break;
	default:
		break;
	}
}

/* ClientHello (client) or ServerHello body. Returns 0 or -1 when malformed. */
static int parse_hello(const uint8_t *p, size_t n, bool client, hello_t *h)
{
	memset(h, 0, offsetof(hello_t, ciphers));
	h->nciphers = h->nexts = h->ngroups = h->npf = h->nsig = 0;
	h->sv = 0;
	h->sni = NULL;
	h->sni_len = 0;
	h->nsni = 0;
	h->sni_bad_type = h->sni_bad_len = false;
	h->nalpn = 0;
	setu_rd_t r = setu_rd_init(p, n);
	h->version = setu_rd_be16(&r);
	setu_rd_skip(&r, 32); /* random */
	if (!client && ((h->version & 0xff00) == 0x7f00 || h->version == 0x0304)) {
		/* TLS 1.3 drafts < 22: ServerHello without session id and compression */
		h->ciphers[0] = setu_rd_be16(&r);
		h->nciphers = 1;
		h->sid = NULL;
		h->sid_len = 0;
		goto extensions;
	}
	h->sid_len = setu_rd_u8(&r);
	if (r.err || h->sid_len > 32 || !setu_rd_has(&r, h->sid_len))
		return -1;
	h->sid = setu_rd_ptr(&r);
	setu_rd_skip(&r, h->sid_len);
	if (client) {
		uint16_t cl = setu_rd_be16(&r);
		if (r.err || (cl & 1) || !setu_rd_has(&r, cl))
			return -1;
		for (unsigned i = 0; i < cl; i += 2) {
			uint16_t c = setu_rd_be16(&r);
			if (!grease(c) && h->nciphers < H_MAX)
				h->ciphers[h->nciphers++] = c;
		}
		uint8_t comp = setu_rd_u8(&r);
		if (!setu_rd_skip(&r, comp))
			return -1;
	} else {
		h->ciphers[0] = setu_rd_be16(&r);
		h->nciphers = 1;
		setu_rd_u8(&r); /* compression */
		if (r.err)
			return -1;
	}
extensions:
	if (r.err)
		return -1;
	if (setu_rd_left(&r) < 2)
		return 0; /* no extensions (SSLv3 / old TLS) */
	uint16_t el = setu_rd_be16(&r);
	if (el > setu_rd_left(&r))
		return -1;
	setu_rd_t e = setu_rd_init(setu_rd_ptr(&r), el);
	while (setu_rd_has(&e, 4)) {
		uint16_t t = setu_rd_be16(&e), l = setu_rd_be16(&e);
		if (!setu_rd_has(&e, l))
			return -1;
		if (!grease(t) && h->nexts < H_MAX)
			h->exts[h->nexts++] = t;
		h_ext(h, client, t, setu_rd_ptr(&e), l);
		setu_rd_skip(&e, l);
	}
	return 0;
}

/* ---- fingerprints ---- */

static void hexs(char *out, const uint8_t *d, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool digest(const EVP_MD *md, const void *p, size_t n, uint8_t *out,
                   unsigned *olen)
{
	return EVP_Digest(p, n, out, olen, md, NULL) == 1;
}

typedef struct sbuf {
	char *p;
	size_t n, cap;
	bool trunc;
} sbuf_t;

/* Append an optional separator then v in decimal. */
static void sb_uint(sbuf_t *s, char sep, unsigned v)
{
	if (s->n >= s->cap)
		return;
	char d[21];
	size_t w = 0;
	if (sep)
		d[w++] = sep;
	w += setu_fmt_u64(d + w, v);
	if (w < s->cap - s->n) {
		memcpy(s->p + s->n, d, w);
		s->p[s->n + w] = '\0';
	}
	if (w >= s->cap - s->n) {
		s->trunc = true;
		s->n = s->cap - 1;
		s->p[s->n] = '\0';
		return;
	}
	s->n += w;
}

static void sb_list16(sbuf_t *s, const uint16_t *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sb_uint(s, i ? '-' : 0, v[i]);
}

static void sb_putc(sbuf_t *s, char c)
{
	if (s->n + 1 < s->cap) {
		s->p[s->n++] = c;
		s->p[s->n] = '\0';
	} else {
		s->trunc = true;
	}
}

/* JA3 ("ver,ciphers,exts,groups,pf") or JA3S ("ver,cipher,exts"), then its MD5. */
static void ja3_make(const hello_t *h, bool client, char *str, size_t cap, char hash[33])
{
	sbuf_t s = {str, 0, cap, false};
	str[0] = '\0';
	sb_uint(&s, 0, h->version);
	sb_putc(&s, ',');
	sb_list16(&s, h->ciphers, h->nciphers);
	sb_putc(&s, ',');
	sb_list16(&s, h->exts, h->nexts);
	if (client) {
		sb_putc(&s, ',');
		sb_list16(&s, h->groups, h->ngroups);
		sb_putc(&s, ',');
		for (unsigned i = 0; i < h->npf; i++)
			sb_uint(&s, i ? '-' : 0, h->pf[i]);
	}
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned ml = 0;
	if (digest(EVP_md5(), str, s.n, md, &ml) && ml == 16)
		hexs(hash, md, 16);
	else
		hash[0] = '\0';
}

static int cmp16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return x < y ? -1 : x > y;
}

static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304:
		return "13";
	case 0x0303:
		return "12";
	case 0x0302:
		return "11";
	case 0x0301:
		return "10";
	case 0x0300:
		return "s3";
	case 0x0002:
	case 0x0200:
		return "s2";
	case 0xfeff:
		return "d1";
	case 0xfefd:
		return "d2";
	case 0xfefc:
		return "d3";
	default:
		return "00"; /* drafts too, as the JA4 reference (arkime) prints them */
	}
}

static bool alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Append the comma list of v[n] as 4-hex-digit values at buf + o (room for 5 bytes a
 * value is the caller's); returns the new end. */
static size_t hex16_list(char *buf, size_t o, const uint16_t *v, unsigned n)
{
	static const char hx[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		if (i > 0)
			buf[o++] = ',';
		for (int sh = 12; sh >= 0; sh -= 4)
			buf[o++] = hx[(v[i] >> sh) & 15];
	}
	return o;
}

/* sha256 of a comma list of 4-hex-digit values (+ "_" + second list), first 12 hex. */
static void ja4_hash12(const uint16_t *a, unsigned na, const uint16_t *b, unsigned nb,
                       bool with_b, char out[13])
{
	char buf[(H_MAX * 2) * 5 + 8];
	size_t o = 0;
	if (na == 0) {
		memcpy(out, "000000000000", 13);
		return;
	}
	o = hex16_list(buf, o, a, na);
	if (with_b && nb > 0) {
		buf[o++] = '_';
		o = hex16_list(buf, o, b, nb);
	}
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned ml = 0;
	char hx[2 * EVP_MAX_MD_SIZE + 1];
	if (!digest(EVP_sha256(), buf, o, md, &ml)) {
		memcpy(out, "000000000000", 13);
		return;
	}
	hexs(hx, md, ml);
	memcpy(out, hx, 12);
	out[12] = '\0';
}

static void ja4_make(const hello_t *h, bool quic, char out[40])
{
	uint16_t v = h->sv ? h->sv : h->version;
	unsigned nc = h->nciphers > 99 ? 99 : h->nciphers;
	unsigned ne = h->nexts > 99 ? 99 : h->nexts;
	char alpn[3] = "00";
	if (h->nalpn > 0 && h->alpn_len[0] > 0) {
		const uint8_t *a = h->alpn[0];
		uint8_t l = h->alpn_len[0];
		if (alnum(a[0]) && alnum(a[l - 1])) {
			alpn[0] = (char)a[0];
			alpn[1] = (char)a[l - 1];
		} else { /* first and last characters of the value's hex form */
			static const char hx[] = "0123456789abcdef";
			alpn[0] = hx[a[0] >> 4];
			alpn[1] = hx[a[l - 1] & 15];
		}
	}
	uint16_t cs[H_MAX], es[H_MAX];
	unsigned nes = 0;
	memcpy(cs, h->ciphers, h->nciphers * sizeof(uint16_t));
	qsort(cs, h->nciphers, sizeof(uint16_t), cmp16);
	for (unsigned i = 0; i < h->nexts; i++)
		if (h->exts[i] != 0x0000 &&
		    h->exts[i] != 0x0010) /* SNI and ALPN left out */
			es[nes++] = h->exts[i];
	qsort(es, nes, sizeof(uint16_t), cmp16);
	char b[13], c[13];
	ja4_hash12(cs, h->nciphers, NULL, 0, false, b);
	ja4_hash12(es, nes, h->sigalgs, h->nsig, true, c);
	snprintf(out, 40, "%c%s%c%02u%02u%s_%s_%s", quic ? 'q' : 't', ja4_version(v),
	         h->sni != NULL ? 'd' : 'i', nc, ne, alpn, b, c);
}

int setu_tls_ja4(const uint8_t *ch, size_t n, bool quic, char out[40])
{
	hello_t *h = malloc(sizeof(*h));
	if (h == NULL)
		return SETU_ENOMEM;
	int rc = parse_hello(ch, n, true, h) == 0 ? 0 : SETU_EMALFORMED;
	if (rc == 0)
		ja4_make(h, quic, out);
	free(h);
	return rc;
}

/* ---- certificates ---- */

static void name_str(setu_tls_tx_t *tx, const X509_NAME *nm, setu_tls_str_t *out)
{
	setu_buf_t *ar = &tx->arena;
	size_t off = ar->len;
	int cnt = X509_NAME_entry_count(nm);
	int prev_set = -1;
	for (int i = 0; i < cnt; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(nm, i);
		const ASN1_OBJECT *o = X509_NAME_ENTRY_get_object(e);
		int nid = OBJ_obj2nid(o), set = X509_NAME_ENTRY_set(e);
		char oid[80];
		const char *sn = NULL;
		if (nid == NID_pkcs9_emailAddress)
			sn = "Email";
		else if (nid != NID_undef)
			sn = OBJ_nid2sn(nid);
		if (sn == NULL) {
			OBJ_obj2txt(oid, sizeof(oid), o, 1);
			sn = oid;
		}
		if (i > 0)
			setu_buf_puts(ar, set == prev_set ? " + " : ", ");
		prev_set = set;
		setu_buf_puts(ar, sn);
		setu_buf_putc(ar, '=');
		unsigned char *u = NULL;
		int ul = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e));
		if (ul > 0)
			setu_buf_append(ar, u, (size_t)ul);
		OPENSSL_free(u);
	}
	setu_buf_putc(ar, '\0');
	if (!setu_buf_ok(ar))
		return;
	out->off = (uint32_t)off;
	out->len = (uint32_t)(ar->len - off - 1);
}

static void tls_time(const ASN1_TIME *t, char *out, size_t size, time_t *tt)
{
	struct tm tm;
	out[0] = '\0';
	*tt = 0;
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return;
	strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	*tt = timegm(&tm);
}

/* Enter the next DER TLV of [*p, end): its content is [*p, *p + *len) on return. Only
 * definite lengths (DER). Returns the tag, or -1. */
static int der_next(const unsigned char **p, const unsigned char *end, long *len,
                    int *cls)
{
	int tag = 0;
	if (*p >= end)
		return -1;
	int r = ASN1_get_object(p, len, &tag, cls, end - *p);
	if ((r & 0x80) || (r & 0x01) || *len > end - *p)
		return -1;
	return tag;
}

/* The fields Suricata logs from the first certificate: subject, issuer, serial,
 * SHA-1 fingerprint, validity. The TBSCertificate is walked with OpenSSL's TLV reader
 * and its parts decoded with OpenSSL (d2i_X509_NAME, d2i_ASN1_TIME). Not d2i_X509:
 * it also decodes the public key through OpenSSL 3's provider decoders, ~0.2 ms per
 * certificate, 40x the rest of a handshake, for nothing we log. */
/* subjectAltName (RFC 5280 4.2.1.6) from the extnValue octets: DNS names and IPs. */
static void tls_san(setu_tls_tx_t *tx, setu_tls_cert_t *c, const unsigned char *p,
                    long len)
{
	GENERAL_NAMES *gens = d2i_GENERAL_NAMES(NULL, &p, len);
	if (gens == NULL)
		return;
	for (int i = 0; i < sk_GENERAL_NAME_num(gens) && c->nsan < SETU_TLS_MAX_SAN;
	     i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS) {
			const ASN1_IA5STRING *d = g->d.dNSName;
			c->san[c->nsan++] = tls_put(tx, ASN1_STRING_get0_data(d),
			                            (size_t)ASN1_STRING_length(d));
		} else if (g->type == GEN_IPADD) {
			char ip[64];
			int l = ASN1_STRING_length(g->d.iPAddress);
			const unsigned char *a = ASN1_STRING_get0_data(g->d.iPAddress);
			if ((l == 4 && inet_ntop(AF_INET, a, ip, sizeof(ip)) != NULL) ||
			    (l == 16 && inet_ntop(AF_INET6, a, ip, sizeof(ip)) != NULL))
				c->san[c->nsan++] = tls_puts(tx, ip);
		}
	}
	GENERAL_NAMES_free(gens);
}

/* Walk [3] extensions of a TBSCertificate (after the subject) for subjectAltName. */
static void tls_extensions(setu_tls_tx_t *tx, setu_tls_cert_t *c, const unsigned char *p,
                           const unsigned char *tend)
{
	long len;
	int cls;
	const unsigned char *q = p;
	if (der_next(&q, tend, &len, &cls) != V_ASN1_SEQUENCE) /* subjectPublicKeyInfo */
		return;
	p = q + len;
	while (p < tend) {
		q = p;
		int tag = der_next(&q, tend, &len, &cls);
		if (tag < 0)
			return;
		p = q + len;
		if (cls != V_ASN1_CONTEXT_SPECIFIC || tag != 3)
			continue; /* [1]/[2] unique identifiers */
		const unsigned char *xend = q + len;
		if (der_next(&q, xend, &len, &cls) != V_ASN1_SEQUENCE)
			return;
		xend = q + len;
		while (
		    q <
		    xend) { /* Extension ::= SEQUENCE { extnID, critical?, extnValue } */
			const unsigned char *e = q;
			if (der_next(&e, xend, &len, &cls) != V_ASN1_SEQUENCE)
				return;
			const unsigned char *eend = e + len;
			q = eend;
			const unsigned char *oid = e;
			if (der_next(&e, eend, &len, &cls) != V_ASN1_OBJECT)
				return;
			ASN1_OBJECT *o = d2i_ASN1_OBJECT(NULL, &oid, eend - oid);
			int nid = o != NULL ? OBJ_obj2nid(o) : NID_undef;
			ASN1_OBJECT_free(o);
			e += len;
			int t = der_next(&e, eend, &len, &cls);
			if (t == V_ASN1_BOOLEAN) {
				e += len;
				t = der_next(&e, eend, &len, &cls);
			}
			if (t == V_ASN1_OCTET_STRING && nid == NID_subject_alt_name)
				tls_san(tx, c, e, len);
		}
		return;
	}
}

/* The fields Suricata logs from a chain's first certificate: subject, issuer, serial,
 * SHA-1 fingerprint, validity, subjectAltName. The TBSCertificate is walked with
 * OpenSSL's TLV reader and its parts decoded with OpenSSL (d2i_X509_NAME,
 * d2i_ASN1_TIME, d2i_GENERAL_NAMES). Not d2i_X509: it also decodes the public key
 * through OpenSSL 3's provider decoders, ~0.2 ms per certificate, 40x the rest of a
 * handshake, for nothing we log. */
static void tls_cert0(setu_tls_state_t *ts, setu_tls_tx_t *tx, setu_tls_cert_t *c,
                      const uint8_t *der, size_t n)
{
	const unsigned char *p = der, *end = der + n;
	long len;
	int cls;
	if (der_next(&p, end, &len, &cls) != V_ASN1_SEQUENCE) /* Certificate */
		goto bad;
	end = p + len;
	if (der_next(&p, end, &len, &cls) != V_ASN1_SEQUENCE) /* TBSCertificate */
		goto bad;
	const unsigned char *tend = p + len;
	const unsigned char *q = p;
	int tag = der_next(&q, tend, &len, &cls);
	if (tag == 0 && cls == V_ASN1_CONTEXT_SPECIFIC) { /* [0] version */
		p = q + len;
		q = p;
		tag = der_next(&q, tend, &len, &cls);
	}
	if (tag != V_ASN1_INTEGER || len <= 0)
		goto bad;
	/* serial: the INTEGER's content octets as sent (leading 00 kept), upper hex, ':'
	 */
	char ser[3 * 64 + 1];
	size_t so = 0;
	for (long i = 0; i < len && i < 64; i++)
		so += (size_t)snprintf(ser + so, sizeof(ser) - so, i ? ":%02X" : "%02X",
		                       q[i]);
	p = q + len;
	if (der_next(&p, tend, &len, &cls) != V_ASN1_SEQUENCE) /* signature algorithm */
		goto bad;
	p += len;
	X509_NAME *issuer = d2i_X509_NAME(NULL, &p, tend - p);
	if (issuer == NULL)
		goto bad;
	ASN1_TIME *nb = NULL, *na = NULL;
	X509_NAME *subject = NULL;
	const unsigned char *v = p;
	if (der_next(&v, tend, &len, &cls) == V_ASN1_SEQUENCE) { /* validity */
		const unsigned char *vend = v + len;
		nb = d2i_ASN1_TIME(NULL, &v, vend - v);
		na = nb != NULL ? d2i_ASN1_TIME(NULL, &v, vend - v) : NULL;
		p = vend;
		subject = d2i_X509_NAME(NULL, &p, tend - p);
	}
	if (subject == NULL || na == NULL) {
		X509_NAME_free(issuer);
		X509_NAME_free(subject);
		ASN1_TIME_free(nb);
		ASN1_TIME_free(na);
		goto bad;
	}
	name_str(tx, subject, &c->subject);
	name_str(tx, issuer, &c->issuerdn);
	c->serial = tls_put(tx, ser, so);
	tls_time(nb, c->notbefore, sizeof(c->notbefore), &c->notbefore_t);
	tls_time(na, c->notafter, sizeof(c->notafter), &c->notafter_t);
	X509_NAME_free(issuer);
	X509_NAME_free(subject);
	ASN1_TIME_free(nb);
	ASN1_TIME_free(na);
	tls_extensions(tx, c, p, tend);
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned ml = 0;
	if (digest(EVP_sha1(), der, n, md, &ml) && ml == 20) {
		char fp[20 * 3 + 1];
		size_t o = 0;
		for (unsigned i = 0; i < ml; i++)
			o += (size_t)snprintf(fp + o, sizeof(fp) - o,
			                      i ? ":%02x" : "%02x", md[i]);
		c->fingerprint = tls_put(tx, fp, o);
	}
	c->present = true;
	return;
bad:
	TLS_EVENT(ts, INVALID_CERTIFICATE);
}

static void tls_certificate(setu_tls_state_t *ts, int dir, const uint8_t *p, size_t n)
{
	setu_tls_tx_t *tx = tls_tx(ts);
	if (tx == NULL)
		return;
	setu_rd_t r = setu_rd_init(p, n);
	if (tx->tls13) /* 1.3: certificate_request_context */
		setu_rd_skip(&r, (size_t)setu_rd_u8(&r));
	uint32_t total = setu_rd_be24(&r);
	if (r.err || total > setu_rd_left(&r)) {
		TLS_EVENT(ts, CERTIFICATE_INVALID_LENGTH);
		return;
	}
	setu_tls_cert_t *c = dir == 1 ? &tx->cert : &tx->client_cert;
	ts->d[dir].cert_seen = true;
	setu_rd_t cr = setu_rd_init(setu_rd_ptr(&r), total);
	while (setu_rd_has(&cr, 3)) {
		uint32_t l = setu_rd_be24(&cr);
		if (!setu_rd_has(&cr, l)) {
			TLS_EVENT(ts, CERTIFICATE_INVALID_LENGTH);
			break;
		}
		const uint8_t *der = setu_rd_ptr(&cr);
		if (c->nder == 0 && !c->present)
			tls_cert0(ts, tx, c, der, l);
		if (c->nder < SETU_TLS_MAX_CERTS)
			c->der[c->nder++] = tls_put(tx, der, l);
		setu_rd_skip(&cr, l);
		if (tx->tls13) { /* 1.3: per-certificate extensions */
			uint16_t el = setu_rd_be16(&cr);
			setu_rd_skip(&cr, el);
		}
	}
	/* client authentication: the session is complete once the client has shown it */
	if (dir == 0 && tx->cert_request)
		tx->hdr.complete = true;
}

static void tls_client_hello(setu_tls_state_t *ts, const uint8_t *p, size_t n)
{
	setu_tls_tx_t *tx = tls_tx(ts);
	if (tx == NULL)
		return;
	if (tx->has_client_hello && tx->ja3.len > 0)
		return; /* second hello after HelloRetryRequest: keep the first's
		           fingerprints */
	hello_t *h = malloc(sizeof(*h));
	if (h == NULL)
		return;
	if (parse_hello(p, n, true, h) != 0) {
		TLS_EVENT(ts, INVALID_HANDSHAKE_MESSAGE);
		free(h);
		return;
	}
	tx->has_client_hello = true;
	tx->client_version = h->version;
	tx->client_max_version = h->sv;
	if (h->nsni > 1)
		TLS_EVENT(ts, MULTIPLE_SNI_EXTENSIONS);
	if (h->sni_bad_type)
		TLS_EVENT(ts, INVALID_SNI_TYPE);
	if (h->sni_bad_len)
		TLS_EVENT(ts, INVALID_SNI_LENGTH);
	if (h->sni != NULL)
		tx->sni = tls_put(tx, h->sni, h->sni_len);
	for (unsigned i = 0; i < h->nalpn; i++)
		tx->client_alpn[tx->n_client_alpn++] =
		    tls_put(tx, h->alpn[i], h->alpn_len[i]);
	char js[SETU_TLS_JA3_MAX], hash[33], ja4[40];
	ja3_make(h, true, js, sizeof(js), hash);
	tx->ja3 = tls_puts(tx, js);
	tx->ja3_hash = tls_puts(tx, hash);
	ja4_make(h, false, ja4);
	tx->ja4 = tls_puts(tx, ja4);
	free(h);
}

static void tls_server_hello(setu_tls_state_t *ts, const uint8_t *p, size_t n)
{
	setu_tls_tx_t *tx = tls_tx(ts);
	if (tx == NULL)
		return;
	hello_t *h = malloc(sizeof(*h));
	if (h == NULL)
		return;
	if (parse_hello(p, n, false, h) != 0) {
		TLS_EVENT(ts, INVALID_HANDSHAKE_MESSAGE);
		free(h);
		return;
	}
	tx->has_server_hello = true;
	tx->server_version = h->sv ? h->sv : h->version;
	uint16_t v = tx->server_version;
	tx->tls13 = v == 0x0304 || (v & 0xff00) == 0x7f00 || v == 0xfb1a;
	if (tx->tls13) { /* the rest of the handshake is encrypted: nothing more to see */
		ts->d[1].encrypted_hs = true;
		tx->hdr.complete = true;
	}
	tx->n_server_alpn = 0;
	for (unsigned i = 0; i < h->nalpn; i++)
		tx->server_alpn[tx->n_server_alpn++] =
		    tls_put(tx, h->alpn[i], h->alpn_len[i]);
	char js[SETU_TLS_JA3_MAX], hash[33];
	ja3_make(h, false, js, sizeof(js), hash);
	tx->ja3s = tls_puts(tx, js);
	tx->ja3s_hash = tls_puts(tx, hash);
	free(h);
}

static void tls_handshake_msg(setu_tls_state_t *ts, int dir, uint8_t type,
                              const uint8_t *p, size_t n)
{
	switch (type) {
	case 1:
		if (dir == 0)
			tls_client_hello(ts, p, n);
		break;
	case 2:
		if (dir == 1)
			tls_server_hello(ts, p, n);
		break;
	case 11:
		tls_certificate(ts, dir, p, n);
		break;
	case 12: /* ServerKeyExchange */
		if (dir == 1 && ts->tx != NULL)
			ts->tx->server_keyx = true;
		break;
	case 16: /* ClientKeyExchange */
		if (dir == 0 && ts->tx != NULL)
			ts->tx->client_keyx = true;
		break;
	case 0:  /* HelloRequest */
	case 4:  /* NewSessionTicket */
	case 8:  /* EncryptedExtensions */
	case 15: /* CertificateVerify */
	case 20: /* Finished */
	case 21: /* CertificateURL */
	case 22: /* CertificateStatus */
	case 24: /* KeyUpdate */
		break;
	case 13: /* CertificateRequest: wait for the client's certificate */
		if (dir == 1 && ts->tx != NULL)
			ts->tx->cert_request = true;
		break;
	case 14: /* ServerHelloDone: the server has shown all it will show; Suricata logs
	          * the session at this point (after the client's certificate if asked) */
		if (dir == 1 && ts->tx != NULL && !ts->tx->cert_request)
			ts->tx->hdr.complete = true;
		break;
	default: /* a type no TLS version defines: ssl_state "unknown" */
		if (ts->tx != NULL)
			ts->tx->unknown_hs = true;
		break;
	}
}

/* Append handshake-record bytes and handle every complete message. */
static int tls_hs_feed(setu_tls_state_t *ts, int dir, const uint8_t *p, size_t n)
{
	tls_dir_t *d = &ts->d[dir];
	if (d->hs_skip > 0) {
		size_t k = n < d->hs_skip ? n : d->hs_skip;
		d->hs_skip -= (uint32_t)k;
		p += k;
		n -= k;
	}
	if (n == 0)
		return 0;
	if (setu_buf_append(&d->hs, p, n) != 0) {
		if (d->hs.oom)
			return SETU_ENOMEM;
		setu_buf_reset(&d->hs);
		TLS_EVENT(ts, HANDSHAKE_INVALID_LENGTH);
		return 0;
	}
	size_t off = 0;
	const uint8_t *b = (const uint8_t *)d->hs.data;
	while (d->hs.len - off >= 4) {
		uint8_t type = b[off];
		uint32_t ml = setu_be32(b + off) & 0xffffff;
		if (ml > SETU_TLS_MAX_HANDSHAKE) { /* too big to keep: skip it */
			TLS_EVENT(ts, HANDSHAKE_INVALID_LENGTH);
			size_t have = d->hs.len - off - 4;
			d->hs_skip = ml > have ? (uint32_t)(ml - have) : 0;
			off = d->hs.len;
			break;
		}
		if (d->hs.len - off - 4 < ml)
			break;
		tls_handshake_msg(ts, dir, type, b + off + 4, ml);
		off += 4 + ml;
	}
	if (off > 0) {
		memmove(d->hs.data, d->hs.data + off, d->hs.len - off);
		d->hs.len -= off;
	}
	return 0;
}

static void tls_check_done(setu_tls_state_t *ts)
{
	tls_dir_t *c = &ts->d[0], *s = &ts->d[1];
	if (ts->tx != NULL && (c->ccs || c->appdata) && (s->ccs || s->appdata))
		ts->tx->hdr.complete = true;
}

/* SSLv2 record body (header already stripped): CLIENT-HELLO / SERVER-HELLO. */
static void tls_v2_record(setu_tls_state_t *ts, int dir, const uint8_t *p, size_t n)
{
	if (n < 1)
		return;
	setu_tls_tx_t *tx = tls_tx(ts);
	if (tx == NULL)
		return;
	if (p[0] == 1 && dir == 0 && n >= 9) { /* CLIENT-HELLO */
		uint16_t v = setu_be16(p + 1);
		tx->has_client_hello = tx->sslv2_hello = true;
		tx->client_version = v;
		if (v == 0x0002)
			ts->d[0].v2_all = true;
	} else if (p[0] == 4 && dir == 1 && n >= 11) { /* SERVER-HELLO */
		tx->has_server_hello = true;
		tx->server_version = setu_be16(p + 3);
		if (tx->server_version == 0x0002)
			ts->d[1].v2_all = true;
	} else if (p[0] == 0 && dir == 1) {
		TLS_EVENT(ts, ERROR_MESSAGE_ENCOUNTERED);
	}
}

static int tls_dir_data(setu_tls_state_t *ts, int dir, const uint8_t *p, size_t n)
{
	tls_dir_t *d = &ts->d[dir];
	while (n > 0 && !d->stopped) {
		if (!d->in_body) {
			if (d->hdr_len == 0)
				d->v2 = (!d->first_done && (p[0] & 0x80)) || d->v2_all;
			size_t need = d->v2 ? 2 : 5;
			size_t k = need - d->hdr_len < n ? need - d->hdr_len : n;
			memcpy(d->hdr + d->hdr_len, p, k);
			d->hdr_len += (uint8_t)k;
			p += k;
			n -= k;
			if (d->hdr_len < need)
				return 0;
			d->hdr_len = 0;
			d->first_done = true;
			if (d->v2) {
				d->body_left =
				    ((uint32_t)(d->hdr[0] & 0x7f) << 8) | d->hdr[1];
				d->type = 0;
				if (d->body_left == 0) {
					TLS_EVENT(ts, INVALID_SSLV2_HEADER);
					d->stopped = true;
					return SETU_EMALFORMED;
				}
				setu_buf_reset(&d->hs);
			} else {
				d->type = d->hdr[0];
				d->body_left = setu_be16(d->hdr + 3);
				if (d->type < 20 || d->type > 24) {
					TLS_EVENT(ts, INVALID_RECORD_TYPE);
					d->stopped = true;
					return SETU_EMALFORMED;
				}
				if (d->hdr[1] != 3 || d->hdr[2] > 4) {
					TLS_EVENT(ts, INVALID_RECORD_VERSION);
					d->stopped = true;
					return SETU_EMALFORMED;
				}
				if (d->body_left > SETU_TLS_MAX_RECORD) {
					TLS_EVENT(ts, INVALID_RECORD_LENGTH);
					d->stopped = true;
					return SETU_EMALFORMED;
				}
				if (d->type == 20)
					d->ccs = true;
				else if (d->type == 23)
					d->appdata = true;
				else if (d->type == 24)
					TLS_EVENT(ts, HEARTBEAT_MESSAGE);
				if (d->type == 20 || d->type == 23) {
					if (dir == 1 && d->type == 20 && ts->tx != NULL &&
					    !ts->tx->tls13 && !d->cert_seen &&
					    ts->tx->has_server_hello)
						ts->tx->resumed = true;
					tls_check_done(ts);
				}
			}
			d->in_body = d->body_left > 0;
			continue;
		}
		size_t k = n < d->body_left ? n : d->body_left;
		int rc = 0;
		if (d->v2) {
			if (setu_buf_append(&d->hs, p, k) != 0 && d->hs.oom)
				return SETU_ENOMEM;
		} else if (d->type == 22 && !d->ccs && !d->encrypted_hs) {
			rc = tls_hs_feed(ts, dir, p, k);
		}
		if (rc != 0)
			return rc;
		d->body_left -= (uint32_t)k;
		p += k;
		n -= k;
		if (d->body_left == 0) {
			d->in_body = false;
			if (d->v2) {
				/* in an SSLv2 session only the hellos are clear text */
				bool hello_seen = ts->tx != NULL &&
				                  (dir == 0 ? ts->tx->sslv2_hello
				                            : ts->tx->has_server_hello);
				if (!(d->v2_all && hello_seen))
					tls_v2_record(ts, dir,
					              (const uint8_t *)d->hs.data,
					              d->hs.len);
				setu_buf_reset(&d->hs);
			}
		}
	}
	return 0;
}

int setu_tls_probe(const uint8_t *d, size_t n)
{
	if (n == 0)
		return 0;
	if (d[0] == 0x16) {
		if (n >= 2 && d[1] != 0x03)
			return -1;
		if (n >= 3 && d[2] > 0x04)
			return -1;
		if (n < 6)
			return 0;
		return (d[5] == 1 || d[5] == 2) ? 1 : -1;
	}
	if (d[0] & 0x80) { /* SSLv2 CLIENT-HELLO: len(2) type=1 version(2) */
		if (n < 5)
			return 0;
		if (d[2] != 1)
			return -1;
		if ((d[3] == 0x03 && d[4] <= 0x04) || (d[3] == 0x00 && d[4] == 0x02))
			return 1;
		return -1;
	}
	return -1;
}

setu_tls_state_t *setu_tls_state_new(void)
{
	setu_tls_state_t *ts = calloc(1, sizeof(*ts));
	if (ts == NULL)
		return NULL;
	/* a handshake message of up to SETU_TLS_MAX_HANDSHAKE plus one record */
	setu_buf_init(&ts->d[0].hs, SETU_TLS_MAX_HANDSHAKE + SETU_TLS_MAX_RECORD + 4);
	setu_buf_init(&ts->d[1].hs, SETU_TLS_MAX_HANDSHAKE + SETU_TLS_MAX_RECORD + 4);
	return ts;
}

void setu_tls_state_free(void *p)
{
	setu_tls_state_t *ts = p;
	if (ts == NULL)
		return;
	setu_altx_t *t = ts->q.head;
	while (t != NULL) {
		setu_altx_t *n = t->next;
		tls_tx_destroy((setu_tls_tx_t *)t);
		t = n;
	}
	setu_tls_tx_t *tx = ts->pool;
	while (tx != NULL) {
		setu_tls_tx_t *n = (setu_tls_tx_t *)tx->hdr.next;
		tls_tx_destroy(tx);
		tx = n;
	}
	setu_buf_free(&ts->d[0].hs);
	setu_buf_free(&ts->d[1].hs);
	free(ts);
}

setu_altxq_t *setu_tls_txq(setu_tls_state_t *ts)
{
	return &ts->q;
}

uint32_t setu_tls_state_events(const setu_tls_state_t *ts)
{
	return ts->events;
}

int setu_tls_parse(setu_tls_state_t *ts, int dir, const uint8_t *p, size_t n,
                   unsigned flags)
{
	dir = dir ? 1 : 0;
	tls_dir_t *d = &ts->d[dir];
	if (flags & SETU_AL_GAP) {
		/* lost bytes: the record framing is gone; Suricata stops parsing the
		 * direction too (the handshake is what we need and it is early) */
		d->stopped = true;
	}
	int rc = tls_dir_data(ts, dir, p, n);
	if (flags & SETU_AL_EOF) {
		d->appdata = d->appdata || d->ccs; /* nothing more will come */
		if (ts->tx != NULL &&
		    (ts->d[0].stopped || ts->d[0].appdata || ts->d[0].ccs) &&
		    (ts->d[1].stopped || ts->d[1].appdata || ts->d[1].ccs))
			ts->tx->hdr.complete = true;
	}
	return rc;
}
