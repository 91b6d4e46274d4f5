/* iocset-int.h — internals of the indicator sets shared by the files of src/intel/ioc:
 * the builder's records, the longest-prefix-match tables and the key hash table. */
#ifndef SETU_INTEL_IOCSET_INT_H
#define SETU_INTEL_IOCSET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"
#include "intel/ioc/iocset.h"

__extension__ typedef unsigned __int128 ioc_u128;

#define IOC_NONE 0xffffffffu
/* A posting (the atoms one table entry stands for): with this bit set, the low 31 bits
 * are the one atom; otherwise an index into the postings array: count, then the atoms.
 * Most values belong to one atom, so most entries need no postings array at all. */
#define IOC_POST_SINGLE 0x80000000u

/* A growable array of u32 (postings while building). */
typedef struct ioc_u32vec {
	uint32_t *v;
	size_t n, cap;
} ioc_u32vec_t;
int ioc_u32vec_push(ioc_u32vec_t *v, uint32_t x);

/* Grow *p (elements of size sz) so that it holds at least need; doubling. */
int ioc_grow(void **p, size_t *cap, size_t need, size_t sz);

/* ---- value parsing (ioc-value.c) ---- */

/* Parse "addr" or "addr/len". family_want 0 = either. label names the type in errors
 * (NULL: "ipv4"/"ipv6" from the text). Host bits are cleared. */
int ioc_parse_prefix(const char *s, int family_want, const char *label, uint8_t *family,
                     uint8_t b[16], uint8_t *plen, setu_diag_t *diag);
/* Domain: lower-cased into out (>= 254 bytes), one trailing dot dropped. */
int ioc_parse_domain(const char *s, const char *label, char *out, size_t *outlen,
                     setu_diag_t *diag);
/* Hex of exactly nbytes bytes. */
int ioc_parse_hex(const char *s, const char *label, uint8_t *out, size_t nbytes,
                  setu_diag_t *diag);
/* "443" or "1024-2048". */
int ioc_parse_ports(const char *s, const char *label, uint16_t *lo, uint16_t *hi,
                    setu_diag_t *diag);
/* Bytes of the raw key of a hash kind (MD5 16 ...), 0 for other kinds. */
size_t ioc_hash_kind_len(setu_ioc_kind_t k);

/* ---- hashing of keys ---- */

/* Keys are hashed from their last byte to their first, so that while a domain is walked
 * from the right the hash of every label suffix is at hand (one pass for all parents). */
#define IOC_FNV_BASIS 0xcbf29ce484222325ull
#define IOC_FNV_PRIME 0x100000001b3ull
static inline uint64_t ioc_hash_step(uint64_t h, uint8_t c)
{
	return (h ^ c) * IOC_FNV_PRIME;
}
/* murmur3's finaliser: spreads FNV's weak low bits over the whole word. */
static inline uint64_t ioc_hash_fin(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}
static inline uint64_t ioc_hash_seed(uint8_t tag)
{
	return ioc_hash_step(IOC_FNV_BASIS, tag);
}
uint64_t ioc_hash_key(uint8_t tag, const uint8_t *p, size_t n);

/* Key tags: which family a key of the hash table belongs to. */
enum {
	IOC_TAG_DOMAIN = 1, /* DOMAIN and DOMAIN_EXACT atoms */
	IOC_TAG_URL,
	IOC_TAG_MD5,
	IOC_TAG_SHA1,
	IOC_TAG_SHA256,
	IOC_TAG_JA3,
	IOC_TAG_X509_SHA1,
	IOC_TAG_X509_SHA256,
};

/* ---- longest-prefix match (ioc-lpm.c) ---- */

typedef struct ioc_lpm_rec {
	ioc_u128 first; /* IPv4 in the low 32 bits */
	uint32_t atom;
	uint8_t len;
} ioc_lpm_rec_t;

/* What a lookup reads of a prefix, together in 12 bytes (one cache line access). */
typedef struct ioc_lpm_pfx {
	uint32_t parent; /* next less specific prefix containing it, or IOC_NONE */
	uint32_t post;   /* posting */
	uint8_t len;
} ioc_lpm_pfx_t;

typedef struct ioc_range4 {
	uint32_t start;
	uint32_t entry; /* prefix index or IOC_NONE */
} ioc_range4_t;

typedef struct ioc_lpm {
	unsigned width; /* 32 or 128 */
	uint32_t npfx;  /* distinct prefixes */
	ioc_lpm_pfx_t *pfx;
	uint32_t nint;      /* ranges: [start[i], start[i+1]) -> most specific prefix */
	ioc_range4_t *rng4; /* width 32: start and entry side by side */
	ioc_u128 *int_start6;
	uint32_t *int_entry; /* width 128: prefix index or IOC_NONE */
	uint32_t *idx16;     /* width 32: first range starting at or after (h << 16) */
} ioc_lpm_t;

/* Build from recs (sorted in place); postings are appended to post. */
int ioc_lpm_build(ioc_lpm_t *l, unsigned width, ioc_lpm_rec_t *recs, size_t n,
                  ioc_u32vec_t *post);
void ioc_lpm_free(ioc_lpm_t *l);
size_t ioc_lpm_bytes(const ioc_lpm_t *l);
/* Most specific prefix containing the address, or IOC_NONE; walk pfx[].parent for the
 * rest. */
uint32_t ioc_lpm_find4(const ioc_lpm_t *l, uint32_t a);
uint32_t ioc_lpm_find6(const ioc_lpm_t *l, ioc_u128 a);

static inline ioc_u128 ioc_u128_from_bytes(const uint8_t b[16])
{
	ioc_u128 x = 0;
	for (int i = 0; i < 16; i++)
		x = (x << 8) | b[i];
	return x;
}

/* ---- key hash table (ioc-keys.c) ---- */

typedef struct ioc_key_rec {
	uint64_t hash;
	uint32_t off; /* in the builder's key arena: tag, varint length, bytes */
	uint32_t atom;
} ioc_key_rec_t;

typedef struct ioc_key_ent {
	uint32_t off; /* in keys->arena */
	uint32_t post;
} ioc_key_ent_t;

typedef struct ioc_keys {
	uint64_t *slots; /* 0 = empty, else (hash >> 32) << 32 | (entry + 1) */
	uint64_t mask;   /* slots - 1 */
	ioc_key_ent_t *ents;
	uint32_t nents;
	uint8_t *arena;
	size_t arena_len;
} ioc_keys_t;

/* Append a key (tag, varint length, bytes) to a growable arena; *off = its offset. */
int ioc_key_store(uint8_t **arena, size_t *len, size_t *cap, uint8_t tag,
                  const uint8_t *p, size_t n, uint32_t *off);
int ioc_keys_build(ioc_keys_t *k, const ioc_key_rec_t *recs, size_t n,
                   const uint8_t *barena, ioc_u32vec_t *post);
void ioc_keys_free(ioc_keys_t *k);
size_t ioc_keys_bytes(const ioc_keys_t *k);
/* Posting of the key, or IOC_NONE. fold: compare the probe ASCII-case-insensitively (the
 * stored keys are lower case), and p is read from p[0] to p[n-1]. */
uint32_t ioc_keys_find(const ioc_keys_t *k, uint8_t tag, uint64_t hash, const uint8_t *p,
                       size_t n, bool fold);

/* ---- builder internals the text loader uses (iocset.c) ---- */

int ioc_builder_find_id(const setu_iocset_builder_t *b, const char *id, uint32_t *idx);
int ioc_builder_remember_id(setu_iocset_builder_t *b, uint32_t idx);
int ioc_builder_atom_of_kind(const setu_iocset_builder_t *b, uint32_t ind,
                             setu_ioc_kind_t kind, uint8_t *bit);
bool ioc_builder_meta_equal(const setu_iocset_builder_t *b, uint32_t ind,
                            const setu_ioc_indicator_t *m);

#endif
