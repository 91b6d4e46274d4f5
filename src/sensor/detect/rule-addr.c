/* rule-addr.c — rule header address and port expressions (Suricata "Rules Format":
 * lists [..], negation !, CIDR, netmask, ranges a-b / a:b, `any`, $VARS) as sets of
 * disjoint ranges, plus the vars table with Suricata's default address/port groups. */
#include "detect-int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- range sets ---- */

typedef struct rset {
	iprange_t *r;
	size_t n, cap;
} rset_t;

static u128 fam_max(uint8_t fam)
{
	if (fam == 4)
		return 0xffffffffu;
	if (fam == 6)
		return ~(u128)0;
	return 65535;
}

static int rset_push(rset_t *s, uint8_t fam, u128 lo, u128 hi)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		if (nc > SETU_DETECT_MAX_SET_RANGES)
			return SETU_ELIMIT;
		iprange_t *nr = realloc(s->r, nc * sizeof(*nr));
		if (nr == NULL)
			return SETU_ENOMEM;
		s->r = nr;
		s->cap = nc;
	}
	s->r[s->n].fam = fam;
	s->r[s->n].lo = lo;
	s->r[s->n].hi = hi;
	s->n++;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const iprange_t *x = a, *y = b;
	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

/* sort and merge overlapping/adjacent ranges */
static void rset_normalize(rset_t *s)
{
	if (s->n < 2)
		return;
	qsort(s->r, s->n, sizeof(*s->r), cmp_range);
	size_t w = 0;
	for (size_t i = 1; i < s->n; i++) {
		iprange_t *c = &s->r[w];
		const iprange_t *x = &s->r[i];
		if (x->fam == c->fam && (x->lo <= c->hi || (c->hi != fam_max(c->fam) &&
		                                            x->lo == c->hi + 1))) {
			if (x->hi > c->hi)
				c->hi = x->hi;
		} else {
			s->r[++w] = *x;
		}
	}
	s->n = w + 1;
}

static int rset_full(rset_t *s, bool ports)
{
	if (ports)
		return rset_push(s, 0, 0, 65535);
	int rc = rset_push(s, 4, 0, fam_max(4));
	return rc != 0 ? rc : rset_push(s, 6, 0, fam_max(6));
}

/* out = universe \ in (in normalized) */
static int rset_complement(const rset_t *in, rset_t *out, bool ports)
{
	static const uint8_t fams_ip[2] = {4, 6};
	static const uint8_t fams_port[1] = {0};
	const uint8_t *fams = ports ? fams_port : fams_ip;
	int nf = ports ? 1 : 2;
	for (int f = 0; f < nf; f++) {
		uint8_t fam = fams[f];
		u128 next = 0;
		bool done = false;
		for (size_t i = 0; i < in->n; i++) {
			const iprange_t *x = &in->r[i];
			if (x->fam != fam)
				continue;
			if (x->lo > next) {
				int rc = rset_push(out, fam, next, x->lo - 1);
				if (rc != 0)
					return rc;
			}
			if (x->hi == fam_max(fam)) {
				done = true;
				break;
			}
			next = x->hi + 1;
		}
		if (!done) {
			int rc = rset_push(out, fam, next, fam_max(fam));
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* out = a ∩ b (both normalized) */
static int rset_intersect(const rset_t *a, const rset_t *b, rset_t *out)
{
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++) {
			const iprange_t *x = &a->r[i], *y = &b->r[j];
			if (x->fam != y->fam)
				continue;
			u128 lo = x->lo > y->lo ? x->lo : y->lo;
			u128 hi = x->hi < y->hi ? x->hi : y->hi;
			if (lo <= hi) {
				int rc = rset_push(out, x->fam, lo, hi);
				if (rc != 0)
					return rc;
			}
		}
	rset_normalize(out);
	return 0;
}

/* ---- parsing ---- */

typedef struct aparse {
	parse_ctx_t *pc;
	bool ports;
	const char *orig;
	int depth;
} aparse_t;

static int parse_expr(aparse_t *ap, const char **sp, rset_t *out);

static int parse_one_addr(aparse_t *ap, const char *tok, rset_t *out)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", tok);
	char *slash = strchr(buf, '/');
	char *dash = strchr(buf, '-');
	if (slash != NULL)
		*slash = '\0';
	if (dash != NULL && slash == NULL) {
		*dash = '\0';
		uint8_t a[16], b[16];
		bool v4 = inet_pton(AF_INET, buf, a) == 1 &&
		          inet_pton(AF_INET, dash + 1, b) == 1;
		bool v6 = !v4 && inet_pton(AF_INET6, buf, a) == 1 &&
		          inet_pton(AF_INET6, dash + 1, b) == 1;
		if (!v4 && !v6)
			return perr(ap->pc, "invalid address range '%s'", tok);
		int n = v4 ? 4 : 16;
		u128 lo = 0, hi = 0;
		for (int i = 0; i < n; i++) {
			lo = (lo << 8) | a[i];
			hi = (hi << 8) | b[i];
		}
		if (lo > hi)
			return perr(ap->pc, "address range '%s': start is above end",
			            tok);
		return rset_push(out, v4 ? 4 : 6, lo, hi);
	}
	uint8_t a[16];
	int fam;
	if (inet_pton(AF_INET, buf, a) == 1)
		fam = 4;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		fam = 6;
	else
		return perr(ap->pc, "invalid address '%s'", tok);
	int bits = fam == 4 ? 32 : 128;
	u128 v = 0;
	for (int i = 0; i < bits / 8; i++)
		v = (v << 8) | a[i];
	int prefix = bits;
	if (slash != NULL) {
		const char *m = slash + 1;
		uint64_t pl;
		uint8_t mask[4];
		if (parse_u64(m, (uint64_t)bits, &pl) == 0) {
			prefix = (int)pl;
		} else if (fam == 4 && inet_pton(AF_INET, m, mask) == 1) {
			uint32_t mm = ((uint32_t)mask[0] << 24) |
			              ((uint32_t)mask[1] << 16) |
			              ((uint32_t)mask[2] << 8) | mask[3];
			prefix = 0;
			while (prefix < 32 && (mm & (0x80000000u >> prefix)))
				prefix++;
			if (prefix < 32 && (uint32_t)(mm << prefix) != 0)
				return perr(ap->pc, "invalid netmask in '%s'", tok);
		} else {
			return perr(ap->pc, "invalid prefix length in '%s'", tok);
		}
	}
	u128 hostmask;
	if (prefix >= bits)
		hostmask = 0;
	else if (bits - prefix >= 128)
		hostmask = ~(u128)0;
	else
		hostmask = ((u128)1 << (bits - prefix)) - 1;
	u128 lo = v & ~hostmask, hi = lo | hostmask;
	if (fam == 4) {
		lo &= 0xffffffffu;
		hi &= 0xffffffffu;
	}
	return rset_push(out, (uint8_t)fam, lo, hi);
}

static int parse_one_port(aparse_t *ap, const char *tok, rset_t *out)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", tok);
	char *colon = strchr(buf, ':');
	uint64_t lo, hi;
	if (colon == NULL) {
		if (parse_u64(buf, 65535, &lo) != 0)
			return perr(ap->pc, "invalid port '%s' (0-65535)", tok);
		return rset_push(out, 0, lo, lo);
	}
	*colon = '\0';
	const char *a = buf, *b = colon + 1;
	if (*a == '\0')
		lo = 0;
	else if (parse_u64(a, 65535, &lo) != 0)
		return perr(ap->pc, "invalid port range '%s'", tok);
	if (*b == '\0')
		hi = 65535;
	else if (parse_u64(b, 65535, &hi) != 0)
		return perr(ap->pc, "invalid port range '%s'", tok);
	if (lo > hi)
		return perr(ap->pc, "port range '%s': start is above end", tok);
	return rset_push(out, 0, lo, hi);
}

static int parse_var(aparse_t *ap, const char *name, rset_t *out)
{
	const var_table_t *vt = ap->ports ? ap->pc->port_vars : ap->pc->addr_vars;
	const char *val = vt != NULL ? var_table_get(vt, name) : NULL;
	if (val == NULL)
		return perr(ap->pc, "undefined %s variable '$%s'",
		            ap->ports ? "port" : "address", name);
	if (ap->depth >= SETU_DETECT_MAX_VAR_DEPTH)
		return perr(ap->pc, "variable '$%s' nests too deep (a loop?)", name);
	ap->depth++;
	const char *p = val;
	int rc = parse_expr(ap, &p, out);
	if (rc == 0) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			rc = perr(ap->pc, "variable '$%s': trailing text '%s'", name, p);
	}
	ap->depth--;
	return rc;
}

/* item := '[' expr {',' expr} ']' | $VAR | any | literal */
static int parse_item(aparse_t *ap, const char **sp, rset_t *out)
{
	const char *s = *sp;
	while (isspace((unsigned char)*s))
		s++;
	int rc;
	if (*s == '[') {
		s++;
		rset_t pos = {0}, neg = {0};
		bool any_pos = false, any_neg = false;
		while (1) {
			while (isspace((unsigned char)*s))
				s++;
			bool negated = false;
			while (*s == '!') {
				negated = !negated;
				s++;
				while (isspace((unsigned char)*s))
					s++;
			}
			rc = parse_item(ap, &s, negated ? &neg : &pos);
			if (rc != 0)
				goto grp_fail;
			if (negated)
				any_neg = true;
			else
				any_pos = true;
			while (isspace((unsigned char)*s))
				s++;
			if (*s == ',') {
				s++;
				continue;
			}
			if (*s == ']') {
				s++;
				break;
			}
			rc = perr(ap->pc, "%s group '%s': expected ',' or ']'",
			          ap->ports ? "port" : "address", ap->orig);
			goto grp_fail;
		}
		(void)any_neg;
		if (!any_pos && (rc = rset_full(&pos, ap->ports)) != 0)
			goto grp_fail;
		rset_normalize(&pos);
		rset_normalize(&neg);
		{
			rset_t cneg = {0};
			rc = rset_complement(&neg, &cneg, ap->ports);
			if (rc == 0) {
				rset_t res = {0};
				rc = rset_intersect(&pos, &cneg, &res);
				for (size_t i = 0; rc == 0 && i < res.n; i++)
					rc = rset_push(out, res.r[i].fam, res.r[i].lo,
					               res.r[i].hi);
				free(res.r);
			}
			free(cneg.r);
		}
	grp_fail:
		free(pos.r);
		free(neg.r);
		*sp = s;
		return rc;
	}
	char tok[128];
	size_t n = 0;
	while (*s != '\0' && *s != ',' && *s != ']' && *s != '[' &&
	       !isspace((unsigned char)*s)) {
		if (n + 1 >= sizeof(tok))
			return perr(ap->pc, "%s '%s' too long",
			            ap->ports ? "port" : "address", ap->orig);
		tok[n++] = *s++;
	}
	tok[n] = '\0';
	*sp = s;
	if (n == 0)
		return perr(ap->pc, "empty %s in '%s'", ap->ports ? "port" : "address",
		            ap->orig);
	if (tok[0] == '$')
		return parse_var(ap, tok + 1, out);
	if (strcasecmp(tok, "any") == 0)
		return rset_full(out, ap->ports);
	return ap->ports ? parse_one_port(ap, tok, out) : parse_one_addr(ap, tok, out);
}

/* expr := {'!'} item */
static int parse_expr(aparse_t *ap, const char **sp, rset_t *out)
{
	const char *s = *sp;
	bool negated = false;
	while (isspace((unsigned char)*s))
		s++;
	while (*s == '!') {
		negated = !negated;
		s++;
	}
	if (!negated) {
		int rc = parse_item(ap, &s, out);
		*sp = s;
		return rc;
	}
	rset_t tmp = {0};
	int rc = parse_item(ap, &s, &tmp);
	*sp = s;
	if (rc == 0) {
		rset_normalize(&tmp);
		rc = rset_complement(&tmp, out, ap->ports);
	}
	free(tmp.r);
	return rc;
}

static int parse_set(parse_ctx_t *pc, const char *s, bool ports, ipset_t *out)
{
	memset(out, 0, sizeof(*out));
	aparse_t ap = {pc, ports, s, 0};
	rset_t rs = {0};
	const char *p = s;
	/* A bare top-level list ("!5800,!445") is read as a group, as Suricata does. */
	char *wrapped = NULL;
	int depth = 0;
	bool top_comma = false;
	for (const char *q = s; *q; q++) {
		if (*q == '[')
			depth++;
		else if (*q == ']')
			depth--;
		else if (*q == ',' && depth == 0)
			top_comma = true;
	}
	if (top_comma) {
		size_t n = strlen(s);
		wrapped = malloc(n + 3);
		if (wrapped == NULL)
			return SETU_ENOMEM;
		wrapped[0] = '[';
		memcpy(wrapped + 1, s, n);
		wrapped[n + 1] = ']';
		wrapped[n + 2] = '\0';
		p = wrapped;
	}
	int rc = parse_expr(&ap, &p, &rs);
	if (rc == 0 && *p != '\0')
		rc = perr(pc, "%s '%s': unexpected '%s'", ports ? "port" : "address", s,
		          p);
	free(wrapped);
	if (rc == 0) {
		rset_normalize(&rs);
		if (rs.n == 0)
			rc = perr(pc, "%s '%s' matches nothing (complete space negated?)",
			          ports ? "port" : "address", s);
	}
	if (rc != 0) {
		free(rs.r);
		return rc;
	}
	if (ports)
		out->any = rs.n == 1 && rs.r[0].lo == 0 && rs.r[0].hi == 65535;
	else
		out->any = rs.n == 2 && rs.r[0].fam == 4 && rs.r[0].lo == 0 &&
		           rs.r[0].hi == fam_max(4) && rs.r[1].fam == 6 &&
		           rs.r[1].lo == 0 && rs.r[1].hi == fam_max(6);
	/* compact form: sorted by family then start, so the u32 ranges (ports, IPv4)
	 * come first */
	for (size_t i = 0; i < rs.n; i++) {
		if (rs.r[i].fam == 6)
			out->n6++;
		else
			out->n32++;
	}
	out->r32 = malloc((out->n32 ? out->n32 : 1) * 2 * sizeof(*out->r32));
	out->r6 = out->n6 ? malloc(out->n6 * 2 * sizeof(*out->r6)) : NULL;
	if (out->r32 == NULL || (out->n6 > 0 && out->r6 == NULL)) {
		free(rs.r);
		ipset_free(out);
		return SETU_ENOMEM;
	}
	for (size_t i = 0, k32 = 0, k6 = 0; i < rs.n; i++) {
		if (rs.r[i].fam == 6) {
			out->r6[2 * k6] = rs.r[i].lo;
			out->r6[2 * k6 + 1] = rs.r[i].hi;
			k6++;
		} else {
			out->r32[2 * k32] = (uint32_t)rs.r[i].lo;
			out->r32[2 * k32 + 1] = (uint32_t)rs.r[i].hi;
			k32++;
		}
	}
	free(rs.r);
	return 0;
}

int ipset_parse_addr(parse_ctx_t *pc, const char *s, ipset_t *out)
{
	return parse_set(pc, s, false, out);
}

int ipset_parse_port(parse_ctx_t *pc, const char *s, ipset_t *out)
{
	return parse_set(pc, s, true, out);
}

void ipset_free(ipset_t *s)
{
	free(s->r32);
	free(s->r6);
	memset(s, 0, sizeof(*s));
}

bool ipset_match_u32(const ipset_t *s, uint32_t v)
{
	/* first range whose end is >= v */
	uint32_t lo = 0, hi = s->n32;
	const uint32_t *r = s->r32;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (r[2 * mid + 1] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n32 && r[2 * lo] <= v;
}

static bool ipset_match_v6(const ipset_t *s, u128 v)
{
	uint32_t lo = 0, hi = s->n6;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (s->r6[2 * mid + 1] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n6 && s->r6[2 * lo] <= v;
}

bool ipset_match_addr(const ipset_t *s, const setu_addr_t *a)
{
	if (s->any)
		return true;
	if (a->family == 4)
		return ipset_match_u32(s, detect_addr_v4(a));
	if (a->family != 6)
		return false;
	return ipset_match_v6(s, detect_addr_v6(a));
}

bool ipset_match_port(const ipset_t *s, uint16_t port)
{
	if (s->any)
		return true;
	return ipset_match_u32(s, port);
}

/* ---- vars ---- */

int var_table_set(var_table_t *t, const char *name, const char *value)
{
	if (name[0] == '$')
		name++;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0) {
			char *nv = strdup(value);
			if (nv == NULL)
				return SETU_ENOMEM;
			free(t->v[i].value);
			t->v[i].value = nv;
			return 0;
		}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 32;
		var_entry_t *nv = realloc(t->v, nc * sizeof(*nv));
		if (nv == NULL)
			return SETU_ENOMEM;
		t->v = nv;
		t->cap = nc;
	}
	t->v[t->n].name = strdup(name);
	t->v[t->n].value = strdup(value);
	if (t->v[t->n].name == NULL || t->v[t->n].value == NULL) {
		free(t->v[t->n].name);
		free(t->v[t->n].value);
		return SETU_ENOMEM;
	}
	t->n++;
	return 0;
}

const char *var_table_get(const var_table_t *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return t->v[i].value;
	return NULL;
}

void var_table_free(var_table_t *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].value);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* Suricata's default suricata.yaml vars (address-groups / port-groups). */
static const setu_detect_var_t default_addr_vars[] = {
    {"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"},
    {"EXTERNAL_NET", "!$HOME_NET"},
    {"HTTP_SERVERS", "$HOME_NET"},
    {"SMTP_SERVERS", "$HOME_NET"},
    {"SQL_SERVERS", "$HOME_NET"},
    {"DNS_SERVERS", "$HOME_NET"},
    {"TELNET_SERVERS", "$HOME_NET"},
    {"AIM_SERVERS", "$EXTERNAL_NET"},
    {"DC_SERVERS", "$HOME_NET"},
    {"DNP3_SERVER", "$HOME_NET"},
    {"DNP3_CLIENT", "$HOME_NET"},
    {"MODBUS_CLIENT", "$HOME_NET"},
    {"MODBUS_SERVER", "$HOME_NET"},
    {"ENIP_CLIENT", "$HOME_NET"},
    {"ENIP_SERVER", "$HOME_NET"},
};

static const setu_detect_var_t default_port_vars[] = {
    {"HTTP_PORTS", "80"},
    {"SHELLCODE_PORTS", "!80"},
    {"ORACLE_PORTS", "1521"},
    {"SSH_PORTS", "22"},
    {"DNP3_PORTS", "20000"},
    {"MODBUS_PORTS", "502"},
    {"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
    {"FTP_PORTS", "21"},
    {"GENEVE_PORTS", "6081"},
    {"VXLAN_PORTS", "4789"},
    {"TEREDO_PORTS", "3544"},
};

int var_table_defaults(var_table_t *addr, var_table_t *port)
{
	for (size_t i = 0; i < sizeof(default_addr_vars) / sizeof(default_addr_vars[0]);
	     i++) {
		int rc = var_table_set(addr, default_addr_vars[i].name,
		                       default_addr_vars[i].value);
		if (rc != 0)
			return rc;
	}
	for (size_t i = 0; i < sizeof(default_port_vars) / sizeof(default_port_vars[0]);
	     i++) {
		int rc = var_table_set(port, default_port_vars[i].name,
		                       default_port_vars[i].value);
		if (rc != 0)
			return rc;
	}
	return 0;
}
