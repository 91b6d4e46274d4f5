/* ioc-value.c — parsing and normalising indicator values: IP addresses and CIDR prefixes
 * (RFC 4632, RFC 4291 §2.3), domain names (RFC 1035 §2.3.4 lengths), hex hashes, ports,
 * and URLs (RFC 3986 §6.2.2-6.2.3 syntax- and scheme-based normalisation). */
#include "intel/ioc/iocset-int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

int ioc_grow(void **p, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 16;
	while (nc < need) {
		if (nc > SIZE_MAX / 2 / sz)
			return SETU_ENOMEM;
		nc *= 2;
	}
	void *q = realloc(*p, nc * sz);
	if (q == NULL)
		return SETU_ENOMEM;
	*p = q;
	*cap = nc;
	return 0;
}

int ioc_u32vec_push(ioc_u32vec_t *v, uint32_t x)
{
	if (v->n == v->cap &&
	    ioc_grow((void **)&v->v, &v->cap, v->n + 1, sizeof(uint32_t)))
		return SETU_ENOMEM;
	v->v[v->n++] = x;
	return 0;
}

uint64_t ioc_hash_key(uint8_t tag, const uint8_t *p, size_t n)
{
	uint64_t h = ioc_hash_seed(tag);
	while (n > 0)
		h = ioc_hash_step(h, p[--n]);
	return ioc_hash_fin(h);
}

/* Values are quoted in errors; long ones are cut so the sentence fits a diag. */
#define QV(s) (strlen(s) > 80 ? 80 : (int)strlen(s)), (s), (strlen(s) > 80 ? "..." : "")

int ioc_parse_prefix(const char *s, int family_want, const char *label, uint8_t *family,
                     uint8_t b[16], uint8_t *plen, setu_diag_t *diag)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int fam = memchr(s, ':', alen) ? 6 : 4;
	const char *lab = label ? label : (fam == 6 ? "ipv6" : "ipv4");
	char tmp[64];
	if (alen == 0 || alen >= sizeof(tmp))
		return setu_diag_set(diag, SETU_EINVAL, "%s '%.*s%s': not an address",
		                     lab, QV(s));
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	memset(b, 0, 16);
	if (inet_pton(fam == 6 ? AF_INET6 : AF_INET, tmp, b) != 1)
		return setu_diag_set(diag, SETU_EINVAL, "%s '%.*s%s': not an address",
		                     lab, QV(s));
	if (family_want != 0 && family_want != fam)
		return setu_diag_set(diag, SETU_EINVAL,
		                     "%s '%.*s%s': not an IPv%d address", lab, QV(s),
		                     family_want);
	unsigned maxlen = fam == 6 ? 128 : 32, len = maxlen;
	if (slash != NULL) {
		const char *d = slash + 1;
		if (*d == '\0' || strlen(d) > 3 || strspn(d, "0123456789") != strlen(d))
			return setu_diag_set(diag, SETU_EINVAL,
			                     "%s '%.*s%s': bad prefix length", lab,
			                     QV(s));
		len = (unsigned)atoi(d);
		if (len > maxlen)
			return setu_diag_set(
			    diag, SETU_EINVAL,
			    "%s '%.*s%s': prefix length %u out of range 0-%u", lab, QV(s),
			    len, maxlen);
	}
	/* Clear host bits: "10.1.2.3/8" means 10.0.0.0/8, as Suricata and STIX tools read
	 * it. */
	for (unsigned i = 0; i < 16; i++) {
		unsigned bit0 = i * 8;
		if (bit0 >= len)
			b[i] = 0;
		else if (bit0 + 8 > len)
			b[i] &= (uint8_t)(0xff << (8 - (len - bit0)));
	}
	*family = (uint8_t)fam;
	*plen = (uint8_t)len;
	return 0;
}

int ioc_parse_domain(const char *s, const char *label, char *out, size_t *outlen,
                     setu_diag_t *diag)
{
	size_t n = strlen(s);
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return setu_diag_set(diag, SETU_EINVAL, "%s '%.*s%s': empty name", label,
		                     QV(s));
	if (n > 253)
		return setu_diag_set(diag, SETU_EINVAL,
		                     "%s '%.*s%s': longer than 253 bytes", label, QV(s));
	size_t lab = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (lab == 0)
				return setu_diag_set(diag, SETU_EINVAL,
				                     "%s '%.*s%s': empty label", label,
				                     QV(s));
			lab = 0;
			out[i] = '.';
			continue;
		}
		/* Letters, digits, '-', '_' (seen in real names) and bytes >= 0x80
		 * (U-labels as given: IDNA is not applied); anything else cannot be a
		 * host name. */
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '-' || c == '_' || c >= 0x80;
		if (!ok)
			return setu_diag_set(
			    diag, SETU_EINVAL,
			    "%s '%.*s%s': character 0x%02x not allowed in a name", label,
			    QV(s), c);
		if (++lab > 63)
			return setu_diag_set(diag, SETU_EINVAL,
			                     "%s '%.*s%s': label longer than 63 bytes",
			                     label, QV(s));
		out[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	if (lab == 0)
		return setu_diag_set(diag, SETU_EINVAL, "%s '%.*s%s': empty label", label,
		                     QV(s));
	out[n] = '\0';
	*outlen = n;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ioc_parse_hex(const char *s, const char *label, uint8_t *out, size_t nbytes,
                  setu_diag_t *diag)
{
	size_t n = strlen(s);
	if (n != nbytes * 2)
		return setu_diag_set(diag, SETU_EINVAL,
		                     "%s '%.*s%s': expected %zu hex digits", label, QV(s),
		                     nbytes * 2);
	for (size_t i = 0; i < nbytes; i++) {
		int hi = hexval((unsigned char)s[2 * i]),
		    lo = hexval((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return setu_diag_set(diag, SETU_EINVAL, "%s '%.*s%s': not hex",
			                     label, QV(s));
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int parse_port(const char *s, size_t n, uint16_t *out)
{
	if (n == 0 || n > 5)
		return -1;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int ioc_parse_ports(const char *s, const char *label, uint16_t *lo, uint16_t *hi,
                    setu_diag_t *diag)
{
	const char *dash = strchr(s, '-');
	size_t n = strlen(s);
	if (dash == NULL) {
		if (parse_port(s, n, lo))
			goto bad;
		*hi = *lo;
		return 0;
	}
	if (parse_port(s, (size_t)(dash - s), lo) ||
	    parse_port(dash + 1, strlen(dash + 1), hi))
		goto bad;
	if (*lo > *hi)
		return setu_diag_set(diag, SETU_EINVAL, "%s '%.*s%s': empty range", label,
		                     QV(s));
	return 0;
bad:
	return setu_diag_set(diag, SETU_EINVAL,
	                     "%s '%.*s%s': not a port (0-65535) or range", label, QV(s));
}

size_t ioc_hash_kind_len(setu_ioc_kind_t k)
{
	switch (k) {
	case SETU_IOC_MD5:
	case SETU_IOC_JA3:
		return 16;
	case SETU_IOC_SHA1:
	case SETU_IOC_X509_SHA1:
		return 20;
	case SETU_IOC_SHA256:
	case SETU_IOC_X509_SHA256:
		return 32;
	default:
		return 0;
	}
}

/* ---- URL normalisation ---- */

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

typedef struct wbuf {
	char *p;
	size_t n, cap;
	bool over;
} wbuf_t;

static void put(wbuf_t *w, char c)
{
	if (w->n + 1 < w->cap)
		w->p[w->n++] = c;
	else
		w->over = true;
}

static const struct {
	const char *scheme;
	unsigned port;
} default_ports[] = {
    {"http", 80}, {"https", 443}, {"ftp", 21}, {"ws", 80}, {"wss", 443},
};

int setu_ioc_url_normalize(const char *in, size_t len, char *out, size_t cap)
{
	if (cap == 0)
		return SETU_ELIMIT;
	wbuf_t w = {out, 0, cap, false};
	size_t i = 0;
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1) */
	if (len == 0 || !((in[0] | 0x20) >= 'a' && (in[0] | 0x20) <= 'z'))
		return SETU_EINVAL;
	while (i < len && in[i] != ':') {
		char c = in[i];
		bool ok = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
		          (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
		if (!ok)
			return SETU_EINVAL;
		put(&w, lower(c));
		i++;
	}
	size_t scheme_len = i;
	if (len - i < 3 || in[i + 1] != '/' || in[i + 2] != '/')
		return SETU_EINVAL;
	put(&w, ':');
	put(&w, '/');
	put(&w, '/');
	i += 3;
	size_t a0 = i;
	while (i < len && in[i] != '/' && in[i] != '?' && in[i] != '#')
		i++;
	size_t a1 = i; /* authority is in[a0, a1) */
	/* userinfo: everything up to the last '@', kept as given */
	size_t h0 = a0;
	for (size_t k = a0; k < a1; k++)
		if (in[k] == '@')
			h0 = k + 1;
	for (size_t k = a0; k < h0; k++)
		put(&w, in[k]);
	size_t h1 = a1, p0 = a1; /* host in[h0, h1), port after ':' in [p0, a1) */
	if (h0 < a1 && in[h0] == '[') {
		const char *rb = memchr(in + h0, ']', a1 - h0);
		if (rb == NULL)
			return SETU_EINVAL;
		h1 = (size_t)(rb - in) + 1;
		if (h1 < a1) {
			if (in[h1] != ':')
				return SETU_EINVAL;
			p0 = h1 + 1;
		}
	} else {
		const char *colon = memchr(in + h0, ':', a1 - h0);
		if (colon != NULL) {
			h1 = (size_t)(colon - in);
			p0 = h1 + 1;
		}
	}
	if (h1 == h0)
		return SETU_EINVAL; /* no host */
	for (size_t k = h0; k < h1; k++) {
		unsigned char c = (unsigned char)in[k];
		if (c <= ' ' || c == 0x7f)
			return SETU_EINVAL;
		put(&w, lower((char)c));
	}
	if (w.over)
		return SETU_ELIMIT;
	if (p0 < a1) {
		uint16_t port;
		size_t pz = p0;
		while (pz + 1 < a1 && in[pz] == '0')
			pz++; /* leading zeros: "http://h:080/" is port 80 */
		if (parse_port(in + pz, a1 - pz, &port))
			return SETU_EINVAL;
		bool dflt = false;
		for (size_t d = 0; d < sizeof(default_ports) / sizeof(default_ports[0]);
		     d++)
			if (strlen(default_ports[d].scheme) == scheme_len &&
			    memcmp(out, default_ports[d].scheme, scheme_len) == 0 &&
			    default_ports[d].port == port)
				dflt = true;
		if (!dflt) {
			put(&w, ':');
			for (size_t k = pz; k < a1; k++)
				put(&w, in[k]);
		}
	}
	if (i >= len || in[i] != '/')
		put(&w, '/'); /* empty path is "/" for http(s) and the like (§6.2.3) */
	for (; i < len && in[i] != '#'; i++) {
		char c = in[i];
		if ((unsigned char)c <= ' ' || c == 0x7f)
			return SETU_EINVAL;
		put(&w, c);
		if (c == '%' && i + 2 < len && hexval((unsigned char)in[i + 1]) >= 0 &&
		    hexval((unsigned char)in[i + 2]) >= 0) {
			for (int k = 1; k <= 2; k++) {
				char h = in[i + k];
				put(&w, (h >= 'a' && h <= 'f') ? (char)(h - 32) : h);
			}
			i += 2;
		}
	}
	if (w.over)
		return SETU_ELIMIT;
	out[w.n] = '\0';
	return (int)w.n;
}
