/* iocset.c — indicator sets: the builder, the build into immutable tables, and the
 * per-packet matcher (STIX 2.1 indicators: valid_from/valid_until/revoked, §4.6 and §3.2;
 * comparison expressions AND/OR inside one observation, STIX 2.1 Patterning §9.5). */
#include "intel/ioc/iocset-int.h"

#include <stdlib.h>
#include <string.h>

typedef struct b_ind {
	uint32_t id, name, org; /* offsets in str; IOC_NONE = NULL */
	int tlp;
	int64_t valid_from, valid_until;
	bool revoked;
	uint8_t action, severity;
	uint8_t natoms;
	uint32_t user;
	uint32_t last_atom; /* newest atom (gid), IOC_NONE */
	uint32_t expr_off;
	uint16_t expr_len;
} b_ind_t;

typedef struct b_atom {
	uint32_t ind;
	uint32_t prev; /* previous atom of the same indicator, IOC_NONE */
	uint8_t kind;
	uint8_t bit;
} b_atom_t;

typedef struct b_port {
	uint16_t lo, hi;
	uint32_t atom;
} b_port_t;

struct setu_iocset_builder {
	b_ind_t *inds;
	size_t ninds, cap_inds;
	char *str;
	size_t str_len, str_cap;
	b_atom_t *atoms;
	size_t natoms, cap_atoms;
	ioc_lpm_rec_t *v4, *v6;
	size_t n4, cap4, n6, cap6;
	ioc_key_rec_t *keys;
	size_t nkeys, cap_keys;
	uint8_t *karena;
	size_t karena_len, karena_cap;
	b_port_t *ports;
	size_t nports, cap_ports;
	setu_ioc_op_t *ops;
	size_t nops, cap_ops;
	size_t nvalues;
	/* indicator ids -> index, for the text loader (see id_tag) */
	uint64_t *idmap;
	size_t idmap_cap, idmap_n;
};

typedef struct s_atom {
	uint32_t ind;
	uint8_t kind;
	uint8_t bit;
} s_atom_t;

struct setu_iocset {
	setu_ioc_indicator_t *inds;
	uint32_t ninds;
	uint32_t *expr_off;
	uint16_t *expr_len;
	setu_ioc_op_t *ops;
	size_t nops;
	char *str;
	size_t str_len;
	s_atom_t *atoms;
	uint32_t natoms;
	uint32_t *post;
	size_t npost;
	ioc_lpm_t v4, v6;
	ioc_keys_t keys;
	uint64_t *portbits;  /* 65536 bits: some atom wants this port; NULL if no ports */
	uint32_t *portpost;  /* 65536 postings */
	size_t nport_ranges; /* distinct posting runs over the port space */
	uint32_t kinds;      /* bit k: some atom of kind k exists */
};

#define KBIT(k) (1u << (k))
#define KINDS_IP (KBIT(SETU_IOC_IP_ANY) | KBIT(SETU_IOC_IP_SRC) | KBIT(SETU_IOC_IP_DST))
#define KINDS_PORT \
	(KBIT(SETU_IOC_PORT_ANY) | KBIT(SETU_IOC_PORT_SRC) | KBIT(SETU_IOC_PORT_DST))
#define KINDS_DOMAIN (KBIT(SETU_IOC_DOMAIN) | KBIT(SETU_IOC_DOMAIN_EXACT))

static const char *const kind_names[SETU_IOC_KIND_COUNT] = {
    [SETU_IOC_IP_ANY] = "ip",
    [SETU_IOC_IP_SRC] = "ip-src",
    [SETU_IOC_IP_DST] = "ip-dst",
    [SETU_IOC_DOMAIN] = "domain",
    [SETU_IOC_DOMAIN_EXACT] = "domain-exact",
    [SETU_IOC_URL] = "url",
    [SETU_IOC_MD5] = "md5",
    [SETU_IOC_SHA1] = "sha1",
    [SETU_IOC_SHA256] = "sha256",
    [SETU_IOC_JA3] = "ja3",
    [SETU_IOC_X509_SHA1] = "x509-sha1",
    [SETU_IOC_X509_SHA256] = "x509-sha256",
    [SETU_IOC_PORT_ANY] = "port",
    [SETU_IOC_PORT_SRC] = "port-src",
    [SETU_IOC_PORT_DST] = "port-dst",
};

const char *setu_ioc_kind_name(setu_ioc_kind_t k)
{
	return (unsigned)k < SETU_IOC_KIND_COUNT ? kind_names[k] : "unknown";
}

bool setu_ioc_indicator_active(const setu_ioc_indicator_t *ind, int64_t now)
{
	if (ind->revoked)
		return false;
	if (ind->valid_from != 0 && now < ind->valid_from)
		return false;
	if (ind->valid_until != 0 && now >= ind->valid_until)
		return false;
	return true;
}

/* ---- builder ---- */

setu_iocset_builder_t *setu_iocset_builder_new(void)
{
	return calloc(1, sizeof(setu_iocset_builder_t));
}

void setu_iocset_builder_free(setu_iocset_builder_t *b)
{
	if (b == NULL)
		return;
	free(b->inds);
	free(b->str);
	free(b->atoms);
	free(b->v4);
	free(b->v6);
	free(b->keys);
	free(b->karena);
	free(b->ports);
	free(b->ops);
	free(b->idmap);
	free(b);
}

static int store_str(setu_iocset_builder_t *b, const char *s, uint32_t *off)
{
	if (s == NULL) {
		*off = IOC_NONE;
		return 0;
	}
	size_t n = strlen(s) + 1;
	if (b->str_len + n >= IOC_NONE)
		return SETU_ELIMIT;
	if (ioc_grow((void **)&b->str, &b->str_cap, b->str_len + n, 1))
		return SETU_ENOMEM;
	memcpy(b->str + b->str_len, s, n);
	*off = (uint32_t)b->str_len;
	b->str_len += n;
	return 0;
}

int setu_iocset_add_indicator(setu_iocset_builder_t *b, const setu_ioc_indicator_t *meta,
                              uint32_t *out_idx)
{
	if (b->ninds >= SETU_IOC_MAX_INDICATORS)
		return SETU_ELIMIT;
	if (ioc_grow((void **)&b->inds, &b->cap_inds, b->ninds + 1, sizeof(b_ind_t)))
		return SETU_ENOMEM;
	b_ind_t *d = &b->inds[b->ninds];
	memset(d, 0, sizeof(*d));
	size_t str_mark = b->str_len;
	int rc;
	if ((rc = store_str(b, meta->id, &d->id)) ||
	    (rc = store_str(b, meta->name, &d->name)) ||
	    (rc = store_str(b, meta->org, &d->org))) {
		b->str_len = str_mark;
		return rc;
	}
	d->tlp = meta->tlp;
	d->valid_from = meta->valid_from;
	d->valid_until = meta->valid_until;
	d->revoked = meta->revoked;
	d->action = meta->action;
	d->severity = meta->severity;
	d->user = meta->user;
	d->last_atom = IOC_NONE;
	if (out_idx != NULL)
		*out_idx = (uint32_t)b->ninds;
	b->ninds++;
	return 0;
}

static uint32_t atom_gid(const setu_iocset_builder_t *b, uint32_t ind, uint8_t bit)
{
	for (uint32_t g = b->inds[ind].last_atom; g != IOC_NONE; g = b->atoms[g].prev)
		if (b->atoms[g].bit == bit)
			return g;
	return IOC_NONE;
}

/* Parse a value of the atom's kind and record it. */
static int add_value_gid(setu_iocset_builder_t *b, uint32_t gid, const char *value,
                         setu_diag_t *diag)
{
	setu_ioc_kind_t kind = (setu_ioc_kind_t)b->atoms[gid].kind;
	const char *label = setu_ioc_kind_name(kind);
	if (value == NULL)
		return setu_diag_set(diag, SETU_EINVAL, "%s: no value", label);
	if (b->nvalues >= SETU_IOC_MAX_VALUES)
		return setu_diag_set(diag, SETU_ELIMIT, "more than %u values in one set",
		                     SETU_IOC_MAX_VALUES);
	int rc;
	switch (kind) {
	case SETU_IOC_IP_ANY:
	case SETU_IOC_IP_SRC:
	case SETU_IOC_IP_DST: {
		uint8_t fam, plen, a[16];
		if ((rc = ioc_parse_prefix(value, 0, NULL, &fam, a, &plen, diag)) != 0)
			return rc;
		ioc_lpm_rec_t r = {.atom = gid, .len = plen};
		if (fam == 4) {
			r.first = (ioc_u128)a[0] << 24 | (ioc_u128)a[1] << 16 |
			          (ioc_u128)a[2] << 8 | a[3];
			if (ioc_grow((void **)&b->v4, &b->cap4, b->n4 + 1, sizeof(r)))
				return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
			b->v4[b->n4++] = r;
		} else {
			r.first = ioc_u128_from_bytes(a);
			if (ioc_grow((void **)&b->v6, &b->cap6, b->n6 + 1, sizeof(r)))
				return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
			b->v6[b->n6++] = r;
		}
		break;
	}
	case SETU_IOC_PORT_ANY:
	case SETU_IOC_PORT_SRC:
	case SETU_IOC_PORT_DST: {
		b_port_t p = {.atom = gid};
		if ((rc = ioc_parse_ports(value, "port", &p.lo, &p.hi, diag)) != 0)
			return rc;
		if (ioc_grow((void **)&b->ports, &b->cap_ports, b->nports + 1, sizeof(p)))
			return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		b->ports[b->nports++] = p;
		break;
	}
	default: {
		uint8_t raw[32], tag;
		char text[SETU_IOC_URL_MAX];
		const uint8_t *key = raw;
		size_t n = ioc_hash_kind_len(kind);
		if (kind == SETU_IOC_DOMAIN || kind == SETU_IOC_DOMAIN_EXACT) {
			if ((rc = ioc_parse_domain(value, label, text, &n, diag)) != 0)
				return rc;
			key = (const uint8_t *)text;
			tag = IOC_TAG_DOMAIN;
		} else if (kind == SETU_IOC_URL) {
			int r = setu_ioc_url_normalize(value, strlen(value), text,
			                               sizeof(text));
			if (r == SETU_ELIMIT)
				return setu_diag_set(
				    diag, SETU_EINVAL,
				    "url '%.80s%s': longer than %u bytes", value,
				    strlen(value) > 80 ? "..." : "",
				    SETU_IOC_URL_MAX - 1);
			if (r < 0)
				return setu_diag_set(diag, SETU_EINVAL,
				                     "url '%.80s%s': not an absolute URL "
				                     "(scheme://host/path)",
				                     value,
				                     strlen(value) > 80 ? "..." : "");
			n = (size_t)r;
			key = (const uint8_t *)text;
			tag = IOC_TAG_URL;
		} else {
			if ((rc = ioc_parse_hex(value, label, raw, n, diag)) != 0)
				return rc;
			static const uint8_t tags[SETU_IOC_KIND_COUNT] = {
			    [SETU_IOC_MD5] = IOC_TAG_MD5,
			    [SETU_IOC_SHA1] = IOC_TAG_SHA1,
			    [SETU_IOC_SHA256] = IOC_TAG_SHA256,
			    [SETU_IOC_JA3] = IOC_TAG_JA3,
			    [SETU_IOC_X509_SHA1] = IOC_TAG_X509_SHA1,
			    [SETU_IOC_X509_SHA256] = IOC_TAG_X509_SHA256,
			};
			tag = tags[kind];
		}
		ioc_key_rec_t r = {.hash = ioc_hash_key(tag, key, n), .atom = gid};
		if ((rc = ioc_key_store(&b->karena, &b->karena_len, &b->karena_cap, tag,
		                        key, n, &r.off)) != 0)
			return setu_diag_set(diag, rc, "%s: %s", label,
			                     setu_strerror(rc));
		if (ioc_grow((void **)&b->keys, &b->cap_keys, b->nkeys + 1, sizeof(r)))
			return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		b->keys[b->nkeys++] = r;
		break;
	}
	}
	b->nvalues++;
	return 0;
}

int setu_iocset_add_atom(setu_iocset_builder_t *b, uint32_t ind_idx, setu_ioc_kind_t kind,
                         const char *value, uint8_t *out_atom, setu_diag_t *diag)
{
	if (ind_idx >= b->ninds)
		return setu_diag_set(diag, SETU_EINVAL, "no indicator %u", ind_idx);
	if ((unsigned)kind >= SETU_IOC_KIND_COUNT)
		return setu_diag_set(diag, SETU_EINVAL, "unknown atom kind %d",
		                     (int)kind);
	b_ind_t *d = &b->inds[ind_idx];
	if (d->natoms >= SETU_IOC_MAX_ATOMS)
		return setu_diag_set(diag, SETU_ELIMIT,
		                     "more than %u atoms in one indicator",
		                     SETU_IOC_MAX_ATOMS);
	if (ioc_grow((void **)&b->atoms, &b->cap_atoms, b->natoms + 1, sizeof(b_atom_t)))
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	uint32_t gid = (uint32_t)b->natoms;
	b->atoms[gid] = (b_atom_t){.ind = ind_idx,
	                           .prev = d->last_atom,
	                           .kind = (uint8_t)kind,
	                           .bit = d->natoms};
	if (value != NULL) {
		int rc = add_value_gid(b, gid, value, diag);
		if (rc != 0)
			return rc; /* the atom is not committed */
	}
	b->natoms++;
	d->last_atom = gid;
	if (out_atom != NULL)
		*out_atom = d->natoms;
	d->natoms++;
	return 0;
}

int setu_iocset_add_value(setu_iocset_builder_t *b, uint32_t ind_idx, uint8_t atom,
                          const char *value, setu_diag_t *diag)
{
	if (ind_idx >= b->ninds)
		return setu_diag_set(diag, SETU_EINVAL, "no indicator %u", ind_idx);
	uint32_t gid = atom_gid(b, ind_idx, atom);
	if (gid == IOC_NONE)
		return setu_diag_set(diag, SETU_EINVAL, "indicator %u has no atom %u",
		                     ind_idx, atom);
	return add_value_gid(b, gid, value, diag);
}

/* Postfix evaluation; the program was checked when it was set. */
static bool expr_eval(const setu_ioc_op_t *ops, size_t n, uint64_t mask)
{
	bool st[SETU_IOC_MAX_EXPR_OPS];
	size_t sp = 0;
	for (size_t i = 0; i < n; i++) {
		switch (ops[i].op) {
		case SETU_IOC_OP_ATOM:
			st[sp++] = (mask >> ops[i].arg) & 1;
			break;
		case SETU_IOC_OP_AND:
			sp--;
			st[sp - 1] = st[sp - 1] && st[sp];
			break;
		case SETU_IOC_OP_OR:
			sp--;
			st[sp - 1] = st[sp - 1] || st[sp];
			break;
		default: /* NOT */
			st[sp - 1] = !st[sp - 1];
			break;
		}
	}
	return sp == 1 && st[0];
}

int setu_iocset_set_expr(setu_iocset_builder_t *b, uint32_t ind_idx,
                         const setu_ioc_op_t *ops, size_t nops, setu_diag_t *diag)
{
	if (ind_idx >= b->ninds)
		return setu_diag_set(diag, SETU_EINVAL, "no indicator %u", ind_idx);
	b_ind_t *d = &b->inds[ind_idx];
	const char *id = d->id != IOC_NONE ? b->str + d->id : "(no id)";
	if (nops == 0 || nops > SETU_IOC_MAX_EXPR_OPS)
		return setu_diag_set(diag, SETU_EINVAL,
		                     "indicator %s: expression of %zu ops (1-%u)", id,
		                     nops, SETU_IOC_MAX_EXPR_OPS);
	size_t depth = 0;
	for (size_t i = 0; i < nops; i++) {
		size_t need = ops[i].op == SETU_IOC_OP_ATOM  ? 0
		              : ops[i].op == SETU_IOC_OP_NOT ? 1
		              : ops[i].op <= SETU_IOC_OP_OR  ? 2
		                                             : SIZE_MAX;
		if (need == SIZE_MAX)
			return setu_diag_set(
			    diag, SETU_EINVAL,
			    "indicator %s: expression op %zu: unknown opcode %u", id, i,
			    ops[i].op);
		if (depth < need)
			return setu_diag_set(
			    diag, SETU_EINVAL,
			    "indicator %s: expression op %zu: stack underflow", id, i);
		if (ops[i].op == SETU_IOC_OP_ATOM) {
			if (ops[i].arg >= d->natoms)
				return setu_diag_set(
				    diag, SETU_EINVAL,
				    "indicator %s: expression names atom %u of %u", id,
				    ops[i].arg, d->natoms);
			depth++;
		} else if (need == 2) {
			depth--;
		}
	}
	if (depth != 1)
		return setu_diag_set(
		    diag, SETU_EINVAL,
		    "indicator %s: expression leaves %zu values (want 1)", id, depth);
	if (expr_eval(ops, nops, 0))
		return setu_diag_set(
		    diag, SETU_EUNSUPPORTED,
		    "indicator %s: expression is true when no value matches "
		    "(a pure negation cannot be looked up)",
		    id);
	if (ioc_grow((void **)&b->ops, &b->cap_ops, b->nops + nops, sizeof(*ops)))
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	memcpy(b->ops + b->nops, ops, nops * sizeof(*ops));
	d->expr_off = (uint32_t)b->nops;
	d->expr_len = (uint16_t)nops;
	b->nops += nops;
	return 0;
}

/* ---- loader support (ioc-load.c) ---- */

/* The id map's slots hold (32-bit hash tag << 32 | index + 1); the tag also picks the
 * bucket, so growing the map never reads the ids again, and a probe compares strings only
 * when the tags agree. */
static uint32_t id_tag(const char *s)
{
	return (uint32_t)(ioc_hash_key(0, (const uint8_t *)s, strlen(s)) >> 32);
}

int ioc_builder_find_id(const setu_iocset_builder_t *b, const char *id, uint32_t *idx)
{
	if (b->idmap_cap == 0)
		return SETU_ENOENT;
	size_t mask = b->idmap_cap - 1;
	uint32_t tag = id_tag(id);
	for (size_t s = tag & mask;; s = (s + 1) & mask) {
		uint64_t v = b->idmap[s];
		if (v == 0)
			return SETU_ENOENT;
		uint32_t i = (uint32_t)v - 1;
		if ((uint32_t)(v >> 32) == tag &&
		    strcmp(b->str + b->inds[i].id, id) == 0) {
			*idx = i;
			return 0;
		}
	}
}

int ioc_builder_remember_id(setu_iocset_builder_t *b, uint32_t idx)
{
	if ((b->idmap_n + 1) * 2 > b->idmap_cap) {
		size_t nc = b->idmap_cap ? b->idmap_cap * 2 : 64;
		uint64_t *nm = calloc(nc, sizeof(uint64_t));
		if (nm == NULL)
			return SETU_ENOMEM;
		for (size_t i = 0; i < b->idmap_cap; i++) {
			uint64_t v = b->idmap[i];
			if (v == 0)
				continue;
			size_t s = (v >> 32) & (nc - 1);
			while (nm[s] != 0)
				s = (s + 1) & (nc - 1);
			nm[s] = v;
		}
		free(b->idmap);
		b->idmap = nm;
		b->idmap_cap = nc;
	}
	size_t mask = b->idmap_cap - 1;
	uint32_t tag = id_tag(b->str + b->inds[idx].id);
	size_t s = tag & mask;
	while (b->idmap[s] != 0)
		s = (s + 1) & mask;
	b->idmap[s] = (uint64_t)tag << 32 | (idx + 1u);
	b->idmap_n++;
	return 0;
}

int ioc_builder_atom_of_kind(const setu_iocset_builder_t *b, uint32_t ind,
                             setu_ioc_kind_t kind, uint8_t *bit)
{
	for (uint32_t g = b->inds[ind].last_atom; g != IOC_NONE; g = b->atoms[g].prev)
		if (b->atoms[g].kind == kind) {
			*bit = b->atoms[g].bit;
			return 0;
		}
	return SETU_ENOENT;
}

static bool str_same(const setu_iocset_builder_t *b, uint32_t off, const char *s)
{
	if (off == IOC_NONE || s == NULL)
		return off == IOC_NONE && s == NULL;
	return strcmp(b->str + off, s) == 0;
}

bool ioc_builder_meta_equal(const setu_iocset_builder_t *b, uint32_t ind,
                            const setu_ioc_indicator_t *m)
{
	const b_ind_t *d = &b->inds[ind];
	return str_same(b, d->name, m->name) && str_same(b, d->org, m->org) &&
	       d->tlp == m->tlp && d->valid_from == m->valid_from &&
	       d->valid_until == m->valid_until && d->revoked == m->revoked &&
	       d->action == m->action && d->severity == m->severity && d->user == m->user;
}

/* ---- build ---- */

/* Ports: one posting per port, built by a sweep over range starts and ends; ports between
 * two events share the posting of the previous one. */
static int build_ports(setu_iocset_t *s, const b_port_t *pr, size_t n, ioc_u32vec_t *post)
{
	if (n == 0)
		return 0;
	s->portbits = calloc(65536 / 64, sizeof(uint64_t));
	s->portpost = malloc(65536 * sizeof(uint32_t));
	/* events: start (p.lo) adds, end + 1 removes; sorted by position */
	uint32_t *ev = malloc(2 * n * sizeof(uint32_t)); /* pos << 1 | remove */
	uint32_t *evr = malloc(2 * n * sizeof(uint32_t));
	uint32_t *active = malloc(n * sizeof(uint32_t));
	int rc = SETU_ENOMEM;
	if (s->portbits == NULL || s->portpost == NULL || ev == NULL || evr == NULL ||
	    active == NULL)
		goto out;
	/* counting sort of events by position (0..65536) */
	uint32_t *cnt = calloc(65538, sizeof(uint32_t));
	if (cnt == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		cnt[pr[i].lo + 1]++;
		cnt[(uint32_t)pr[i].hi + 2]++;
	}
	for (size_t i = 1; i < 65538; i++)
		cnt[i] += cnt[i - 1];
	for (size_t i = 0; i < n; i++) {
		uint32_t a = cnt[pr[i].lo]++;
		ev[a] = (uint32_t)pr[i].lo << 1;
		evr[a] = (uint32_t)i;
		uint32_t z = cnt[(uint32_t)pr[i].hi + 1]++;
		ev[z] = ((uint32_t)pr[i].hi + 1) << 1 | 1;
		evr[z] = (uint32_t)i;
	}
	free(cnt);
	size_t nact = 0, e = 0;
	uint32_t cur = IOC_NONE;
	for (uint32_t port = 0; port < 65536; port++) {
		bool changed = false;
		for (; e < 2 * n && (ev[e] >> 1) == port; e++) {
			uint32_t atom = pr[evr[e]].atom;
			if (ev[e] & 1) {
				for (size_t k = 0; k < nact; k++)
					if (active[k] == atom) {
						active[k] = active[--nact];
						break;
					}
			} else {
				active[nact++] = atom;
			}
			changed = true;
		}
		if (changed) {
			s->nport_ranges++;
			if (nact == 0) {
				cur = IOC_NONE;
			} else if (nact == 1) {
				cur = IOC_POST_SINGLE | active[0];
			} else {
				if (post->n >= IOC_POST_SINGLE)
					goto out;
				cur = (uint32_t)post->n;
				if (ioc_u32vec_push(post, (uint32_t)nact))
					goto out;
				for (size_t k = 0; k < nact; k++)
					if (ioc_u32vec_push(post, active[k]))
						goto out;
			}
		}
		s->portpost[port] = cur;
		if (cur != IOC_NONE)
			s->portbits[port >> 6] |= 1ull << (port & 63);
	}
	rc = 0;
out:
	free(ev);
	free(evr);
	free(active);
	return rc;
}

setu_iocset_t *setu_iocset_build(setu_iocset_builder_t *b, setu_diag_t *diag)
{
	setu_iocset_t *s = calloc(1, sizeof(*s));
	ioc_u32vec_t post = {0};
	int rc = SETU_ENOMEM;
	if (s == NULL)
		goto fail;
	s->ninds = (uint32_t)b->ninds;
	s->natoms = (uint32_t)b->natoms;
	s->nops = b->nops;
	s->str_len = b->str_len;
	s->str = malloc(b->str_len + 1);
	s->inds = malloc((b->ninds + 1) * sizeof(*s->inds));
	s->expr_off = malloc((b->ninds + 1) * sizeof(uint32_t));
	s->expr_len = malloc((b->ninds + 1) * sizeof(uint16_t));
	s->ops = malloc((b->nops + 1) * sizeof(*s->ops));
	s->atoms = malloc((b->natoms + 1) * sizeof(*s->atoms));
	if (s->str == NULL || s->inds == NULL || s->expr_off == NULL ||
	    s->expr_len == NULL || s->ops == NULL || s->atoms == NULL)
		goto fail;
	if (b->str_len)
		memcpy(s->str, b->str, b->str_len);
	if (b->nops)
		memcpy(s->ops, b->ops, b->nops * sizeof(*s->ops));
	for (size_t i = 0; i < b->ninds; i++) {
		const b_ind_t *d = &b->inds[i];
		s->inds[i] = (setu_ioc_indicator_t){
		    .id = d->id != IOC_NONE ? s->str + d->id : NULL,
		    .name = d->name != IOC_NONE ? s->str + d->name : NULL,
		    .org = d->org != IOC_NONE ? s->str + d->org : NULL,
		    .tlp = d->tlp,
		    .valid_from = d->valid_from,
		    .valid_until = d->valid_until,
		    .revoked = d->revoked,
		    .action = d->action,
		    .severity = d->severity,
		    .user = d->user,
		};
		s->expr_off[i] = d->expr_off;
		s->expr_len[i] = d->expr_len;
	}
	for (size_t i = 0; i < b->natoms; i++) {
		s->atoms[i] =
		    (s_atom_t){b->atoms[i].ind, b->atoms[i].kind, b->atoms[i].bit};
		s->kinds |= KBIT(b->atoms[i].kind);
	}
	/* The builder's records are sorted in place: their content is unchanged. */
	if ((rc = ioc_lpm_build(&s->v4, 32, b->v4, b->n4, &post)) != 0 ||
	    (rc = ioc_lpm_build(&s->v6, 128, b->v6, b->n6, &post)) != 0 ||
	    (rc = ioc_keys_build(&s->keys, b->keys, b->nkeys, b->karena, &post)) != 0 ||
	    (rc = build_ports(s, b->ports, b->nports, &post)) != 0)
		goto fail;
	s->npost = post.n;
	s->post = post.v; /* NULL when no entry needed a list */
	if (post.n > 0) {
		uint32_t *shrunk = realloc(post.v, post.n * sizeof(uint32_t));
		if (shrunk != NULL)
			s->post = shrunk;
	}
	return s;
fail:
	free(post.v);
	setu_iocset_free(s);
	setu_diag_set(diag, rc, "building the indicator set: %s", setu_strerror(rc));
	return NULL;
}

void setu_iocset_free(setu_iocset_t *s)
{
	if (s == NULL)
		return;
	free(s->inds);
	free(s->expr_off);
	free(s->expr_len);
	free(s->ops);
	free(s->str);
	free(s->atoms);
	free(s->post);
	ioc_lpm_free(&s->v4);
	ioc_lpm_free(&s->v6);
	ioc_keys_free(&s->keys);
	free(s->portbits);
	free(s->portpost);
	free(s);
}

uint32_t setu_iocset_indicator_count(const setu_iocset_t *s)
{
	return s->ninds;
}

const setu_ioc_indicator_t *setu_iocset_indicator(const setu_iocset_t *s, uint32_t idx)
{
	return idx < s->ninds ? &s->inds[idx] : NULL;
}

void setu_iocset_stats(const setu_iocset_t *s, setu_iocset_stats_t *st)
{
	memset(st, 0, sizeof(*st));
	st->ipv4_entries = s->v4.npfx;
	st->ipv6_entries = s->v6.npfx;
	st->key_entries = s->keys.nents;
	st->port_entries = s->nport_ranges;
	st->atoms = s->natoms;
	st->indicators = s->ninds;
	st->bytes_ipv4 = ioc_lpm_bytes(&s->v4);
	st->bytes_ipv6 = ioc_lpm_bytes(&s->v6);
	st->bytes_keys = ioc_keys_bytes(&s->keys);
	st->bytes_total = sizeof(*s) + st->bytes_ipv4 + st->bytes_ipv6 + st->bytes_keys +
	                  s->ninds * (sizeof(*s->inds) + 4 + 2) +
	                  s->nops * sizeof(*s->ops) + s->str_len +
	                  s->natoms * sizeof(*s->atoms) + s->npost * 4 +
	                  (s->portbits ? 65536 / 8 + 65536 * 4 : 0);
}

/* ---- lookups ---- */

/* True if the posting names an atom of an allowed kind whose indicator is active. */
static bool post_active(const setu_iocset_t *s, uint32_t post, uint32_t kinds,
                        int64_t now)
{
	uint32_t one = post & ~IOC_POST_SINGLE;
	const uint32_t *list = &one;
	uint32_t n = 1;
	if (!(post & IOC_POST_SINGLE)) {
		list = s->post + post + 1;
		n = s->post[post];
	}
	for (uint32_t i = 0; i < n; i++) {
		if (list[i] == IOC_NONE)
			continue;
		const s_atom_t *a = &s->atoms[list[i]];
		if ((kinds & KBIT(a->kind)) &&
		    setu_ioc_indicator_active(&s->inds[a->ind], now))
			return true;
	}
	return false;
}

int setu_iocset_lookup_ip(const setu_iocset_t *s, const setu_addr_t *a, int64_t now,
                          setu_addr_t *out_prefix)
{
	if (a->family != 4 && a->family != 6)
		return SETU_ENOENT;
	const ioc_lpm_t *l = a->family == 4 ? &s->v4 : &s->v6;
	uint32_t e =
	    a->family == 4
	        ? ioc_lpm_find4(l, (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 |
	                               (uint32_t)a->b[2] << 8 | a->b[3])
	        : ioc_lpm_find6(l, ioc_u128_from_bytes(a->b));
	for (; e != IOC_NONE; e = l->pfx[e].parent) {
		if (!post_active(s, l->pfx[e].post, KINDS_IP, now))
			continue;
		if (out_prefix != NULL) {
			/* the prefix is the address with its host bits cleared: no need
			 * to store each prefix's first address */
			unsigned len = l->pfx[e].len;
			*out_prefix = *a;
			for (unsigned i = 0; i < 16; i++) {
				if (i * 8 >= len)
					out_prefix->b[i] = 0;
				else if (i * 8 + 8 > len)
					out_prefix->b[i] &=
					    (uint8_t)(0xff << (8 - (len - i * 8)));
			}
		}
		return l->pfx[e].len;
	}
	return SETU_ENOENT;
}

static uint8_t lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Walk the label suffixes of a name from the right, calling fn for each stored one:
 * parent_only is true for strict suffixes (only DOMAIN atoms apply there). */
typedef void (*name_fn)(void *ctx, uint32_t post, bool parent_only, size_t len);

static void walk_name(const setu_iocset_t *s, const char *name, size_t n, name_fn fn,
                      void *ctx)
{
	const uint8_t *p = (const uint8_t *)name;
	if (n > 0 && p[n - 1] == '.')
		n--;
	if (n == 0 || s->keys.slots == NULL)
		return;
	uint64_t h = ioc_hash_seed(IOC_TAG_DOMAIN);
	for (size_t i = n; i-- > 0;) {
		uint8_t c = lc(p[i]);
		if (c == '.' && i + 1 < n) {
			/* h is the hash of p[i+1, n): one probe per parent domain */
			uint32_t post =
			    ioc_keys_find(&s->keys, IOC_TAG_DOMAIN, ioc_hash_fin(h),
			                  p + i + 1, n - i - 1, true);
			if (post != IOC_NONE)
				fn(ctx, post, true, n - i - 1);
		}
		h = ioc_hash_step(h, c);
	}
	uint32_t post =
	    ioc_keys_find(&s->keys, IOC_TAG_DOMAIN, ioc_hash_fin(h), p, n, true);
	if (post != IOC_NONE)
		fn(ctx, post, false, n);
}

typedef struct dom_best {
	const setu_iocset_t *s;
	int64_t now;
	int best;
} dom_best_t;

static void dom_best_fn(void *ctx, uint32_t post, bool parent_only, size_t len)
{
	dom_best_t *d = ctx;
	uint32_t kinds = parent_only ? KBIT(SETU_IOC_DOMAIN) : KINDS_DOMAIN;
	if ((int)len > d->best && post_active(d->s, post, kinds, d->now))
		d->best = (int)len;
}

int setu_iocset_lookup_domain(const setu_iocset_t *s, const char *name, size_t len,
                              int64_t now)
{
	dom_best_t d = {s, now, SETU_ENOENT};
	walk_name(s, name, len, dom_best_fn, &d);
	return d.best;
}

/* ---- matching ---- */

typedef struct cand {
	uint64_t mask;
	uint32_t ind;
	uint8_t kind;
} cand_t;

typedef struct mctx {
	const setu_iocset_t *s;
	int64_t now;
	uint32_t n;
	setu_ioc_match_stats_t st;
	cand_t c[SETU_IOC_MAX_CANDIDATES];
} mctx_t;

static void hit_atom(mctx_t *m, uint32_t gid, uint32_t kinds)
{
	const s_atom_t *a = &m->s->atoms[gid];
	if (!(kinds & KBIT(a->kind)))
		return;
	for (uint32_t i = 0; i < m->n; i++)
		if (m->c[i].ind == a->ind) {
			m->c[i].mask |= 1ull << a->bit;
			return;
		}
	if (!setu_ioc_indicator_active(&m->s->inds[a->ind], m->now))
		return;
	if (m->n == SETU_IOC_MAX_CANDIDATES) {
		m->st.candidates_dropped++;
		return;
	}
	m->c[m->n++] = (cand_t){1ull << a->bit, a->ind, a->kind};
}

static void hit_post(mctx_t *m, uint32_t post, uint32_t kinds)
{
	if (post & IOC_POST_SINGLE) {
		hit_atom(m, post & ~IOC_POST_SINGLE, kinds);
		return;
	}
	const uint32_t *list = m->s->post + post;
	for (uint32_t i = 0; i < list[0]; i++)
		if (list[1 + i] != IOC_NONE)
			hit_atom(m, list[1 + i], kinds);
}

static void match_ip(mctx_t *m, const setu_addr_t *a, uint32_t kinds)
{
	const ioc_lpm_t *l;
	uint32_t e;
	if (a->family == 4) {
		l = &m->s->v4;
		e = ioc_lpm_find4(l, (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 |
		                         (uint32_t)a->b[2] << 8 | a->b[3]);
	} else if (a->family == 6) {
		l = &m->s->v6;
		e = ioc_lpm_find6(l, ioc_u128_from_bytes(a->b));
	} else {
		return;
	}
	for (; e != IOC_NONE; e = l->pfx[e].parent)
		hit_post(m, l->pfx[e].post, kinds);
}

static void match_port(mctx_t *m, uint16_t port, uint32_t kinds)
{
	if (m->s->portbits[port >> 6] & (1ull << (port & 63)))
		hit_post(m, m->s->portpost[port], kinds);
}

static void name_hit_fn(void *ctx, uint32_t post, bool parent_only, size_t len)
{
	hit_post(ctx, post, parent_only ? KBIT(SETU_IOC_DOMAIN) : KINDS_DOMAIN);
}

static void match_key(mctx_t *m, uint8_t tag, const uint8_t *p, size_t n,
                      setu_ioc_kind_t k)
{
	uint32_t post =
	    ioc_keys_find(&m->s->keys, tag, ioc_hash_key(tag, p, n), p, n, false);
	if (post != IOC_NONE)
		hit_post(m, post, KBIT(k));
}

static void match_url(mctx_t *m, const setu_ioc_facts_t *f)
{
	char norm[SETU_IOC_URL_MAX], tmp[SETU_IOC_URL_MAX];
	const char *u = f->url;
	size_t un = f->url_len;
	if (u == NULL && f->http_uri != NULL && f->http_uri_len > 0) {
		const char *colon = memchr(f->http_uri, ':', f->http_uri_len);
		if (f->http_uri[0] != '/' && colon != NULL &&
		    colon + 2 < f->http_uri + f->http_uri_len && colon[1] == '/' &&
		    colon[2] == '/') {
			u = f->http_uri; /* absolute-form request target (proxy) */
			un = f->http_uri_len;
		} else if (f->http_host != NULL && f->http_host_len > 0) {
			size_t need = 7 + f->http_host_len + f->http_uri_len;
			if (need >= sizeof(tmp)) {
				m->st.url_too_long++;
				return;
			}
			memcpy(tmp, "http://", 7);
			memcpy(tmp + 7, f->http_host, f->http_host_len);
			memcpy(tmp + 7 + f->http_host_len, f->http_uri, f->http_uri_len);
			u = tmp;
			un = need;
		}
	}
	if (u == NULL)
		return;
	int r = setu_ioc_url_normalize(u, un, norm, sizeof(norm));
	if (r == SETU_ELIMIT)
		m->st.url_too_long++;
	if (r <= 0)
		return;
	match_key(m, IOC_TAG_URL, (const uint8_t *)norm, (size_t)r, SETU_IOC_URL);
}

int setu_iocset_match(const setu_iocset_t *s, const setu_ioc_facts_t *f, int64_t now,
                      setu_ioc_match_cb cb, void *user, setu_ioc_match_stats_t *stats)
{
	mctx_t m;
	m.s = s;
	m.now = now;
	m.n = 0;
	memset(&m.st, 0, sizeof(m.st));
	uint32_t k = s->kinds;
	if (k & KINDS_IP) {
		if (f->src != NULL)
			match_ip(&m, f->src,
			         KBIT(SETU_IOC_IP_ANY) | KBIT(SETU_IOC_IP_SRC));
		if (f->dst != NULL)
			match_ip(&m, f->dst,
			         KBIT(SETU_IOC_IP_ANY) | KBIT(SETU_IOC_IP_DST));
	}
	if ((k & KINDS_PORT) && f->has_ports) {
		match_port(&m, f->sport,
		           KBIT(SETU_IOC_PORT_ANY) | KBIT(SETU_IOC_PORT_SRC));
		match_port(&m, f->dport,
		           KBIT(SETU_IOC_PORT_ANY) | KBIT(SETU_IOC_PORT_DST));
	}
	if (k & KINDS_DOMAIN) {
		if (f->dns_query != NULL)
			walk_name(s, f->dns_query, f->dns_query_len, name_hit_fn, &m);
		if (f->tls_sni != NULL)
			walk_name(s, f->tls_sni, f->tls_sni_len, name_hit_fn, &m);
		if (f->http_host != NULL && f->http_host_len > 0 &&
		    f->http_host[0] != '[') {
			size_t n = f->http_host_len;
			const char *colon = memchr(f->http_host, ':', n);
			if (colon != NULL)
				n = (size_t)(colon - f->http_host);
			walk_name(s, f->http_host, n, name_hit_fn, &m);
		}
	}
	if (k & KBIT(SETU_IOC_URL))
		match_url(&m, f);
	if (f->md5 != NULL && (k & KBIT(SETU_IOC_MD5)))
		match_key(&m, IOC_TAG_MD5, f->md5, 16, SETU_IOC_MD5);
	if (f->sha1 != NULL && (k & KBIT(SETU_IOC_SHA1)))
		match_key(&m, IOC_TAG_SHA1, f->sha1, 20, SETU_IOC_SHA1);
	if (f->sha256 != NULL && (k & KBIT(SETU_IOC_SHA256)))
		match_key(&m, IOC_TAG_SHA256, f->sha256, 32, SETU_IOC_SHA256);
	if (f->ja3 != NULL && (k & KBIT(SETU_IOC_JA3)))
		match_key(&m, IOC_TAG_JA3, f->ja3, 16, SETU_IOC_JA3);
	for (size_t i = 0; i < f->n_certs && f->certs != NULL; i++) {
		if (f->certs[i].sha1 != NULL && (k & KBIT(SETU_IOC_X509_SHA1)))
			match_key(&m, IOC_TAG_X509_SHA1, f->certs[i].sha1, 20,
			          SETU_IOC_X509_SHA1);
		if (f->certs[i].sha256 != NULL && (k & KBIT(SETU_IOC_X509_SHA256)))
			match_key(&m, IOC_TAG_X509_SHA256, f->certs[i].sha256, 32,
			          SETU_IOC_X509_SHA256);
	}
	m.st.candidates = m.n;
	int matched = 0;
	for (uint32_t i = 0; i < m.n; i++) {
		const cand_t *c = &m.c[i];
		uint16_t el = s->expr_len[c->ind];
		if (el != 0 && !expr_eval(s->ops + s->expr_off[c->ind], el, c->mask))
			continue;
		matched++;
		if (cb != NULL) {
			setu_ioc_match_t mt = {c->ind, &s->inds[c->ind], c->mask,
			                       (setu_ioc_kind_t)c->kind};
			if (cb(user, &mt) != 0)
				break;
		}
	}
	if (stats != NULL)
		*stats = m.st;
	return matched;
}
