/* ioc-keys.c — the indicator sets' hash table of byte keys (domain names, normalised
 * URLs, file/JA3/certificate hashes), open addressing with linear probing.
 *
 * A key is hashed to 64 bits: the low bits pick the slot, the high 32 bits are kept in
 * the slot as a tag next to the entry number, so a probe of an absent key (the common
 * case) touches one 8-byte slot and nothing else. A tag match is confirmed on the stored
 * key (one arena of `tag, varint length, bytes` records), so hash collisions cannot give
 * false hits. Cost per entry at the worst load (just over 3/8): 16 bytes of slots + 8
 * bytes of entry + the key and 2 bytes of header — about 40 bytes for a typical 15-byte
 * domain. Written by hand: no Debian library offers a read-only, arena-backed table with
 * per-suffix probing. */
#include "intel/ioc/iocset-int.h"

#include <stdlib.h>
#include <string.h>

static size_t varint_put(uint8_t *p, size_t n)
{
	size_t k = 0;
	while (n >= 0x80) {
		p[k++] = (uint8_t)(n | 0x80);
		n >>= 7;
	}
	p[k++] = (uint8_t)n;
	return k;
}

/* Reads a varint written by varint_put (the arena is ours, so it is well formed). */
static const uint8_t *varint_get(const uint8_t *p, size_t *n)
{
	size_t v = 0;
	unsigned shift = 0;
	while (*p & 0x80) {
		v |= (size_t)(*p++ & 0x7f) << shift;
		shift += 7;
	}
	v |= (size_t)*p++ << shift;
	*n = v;
	return p;
}

int ioc_key_store(uint8_t **arena, size_t *len, size_t *cap, uint8_t tag,
                  const uint8_t *p, size_t n, uint32_t *off)
{
	if (*len + n + 11 > UINT32_MAX)
		return SETU_ELIMIT;
	if (ioc_grow((void **)arena, cap, *len + n + 11, 1))
		return SETU_ENOMEM;
	uint8_t *w = *arena + *len;
	*off = (uint32_t)*len;
	w[0] = tag;
	size_t h = 1 + varint_put(w + 1, n);
	memcpy(w + h, p, n);
	*len += h + n;
	return 0;
}

static bool key_eq(const uint8_t *stored, uint8_t tag, const uint8_t *p, size_t n,
                   bool fold)
{
	if (stored[0] != tag)
		return false;
	size_t sn;
	const uint8_t *s = varint_get(stored + 1, &sn);
	if (sn != n)
		return false;
	if (!fold)
		return memcmp(s, p, n) == 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c != s[i])
			return false;
	}
	return true;
}

int ioc_keys_build(ioc_keys_t *k, const ioc_key_rec_t *recs, size_t n,
                   const uint8_t *barena, ioc_u32vec_t *post)
{
	memset(k, 0, sizeof(*k));
	if (n == 0)
		return 0;
	/* slots: a power of two at least 4/3 of the records (duplicates only lower the
	 * load) */
	uint64_t cap = 16;
	while (cap < (uint64_t)n + n / 3 + 1)
		cap <<= 1;
	k->slots = calloc(cap, sizeof(uint64_t));
	k->mask = cap - 1;
	k->ents = malloc(n * sizeof(*k->ents));
	uint32_t *which = malloc(n * sizeof(uint32_t)); /* record -> entry */
	uint32_t *count = calloc(n, sizeof(uint32_t));  /* entry -> records */
	size_t acap = 0;
	int rc = SETU_ENOMEM;
	if (k->slots == NULL || k->ents == NULL || which == NULL || count == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *src = barena + recs[i].off;
		size_t kn;
		const uint8_t *kp = varint_get(src + 1, &kn);
		uint64_t h = recs[i].hash, tag32 = h >> 32;
		uint64_t s = h & k->mask;
		uint32_t e = IOC_NONE;
		for (;; s = (s + 1) & k->mask) {
			uint64_t v = k->slots[s];
			if (v == 0)
				break;
			if ((v >> 32) == tag32 &&
			    key_eq(k->arena + k->ents[(uint32_t)v - 1].off, src[0], kp,
			           kn, false)) {
				e = (uint32_t)v - 1;
				break;
			}
		}
		if (e == IOC_NONE) {
			e = k->nents++;
			rc = ioc_key_store(&k->arena, &k->arena_len, &acap, src[0], kp,
			                   kn, &k->ents[e].off);
			if (rc != 0)
				goto out;
			rc = SETU_ENOMEM;
			k->slots[s] = tag32 << 32 | (e + 1u);
		}
		which[i] = e;
		count[e]++;
	}
	/* Postings: an entry with one record names its atom directly; the others get a
	 * list (count, atoms), filled in record order; an atom given the same value twice
	 * is listed once (the unused tail of its list stays IOC_NONE). */
	for (uint32_t e = 0; e < k->nents; e++) {
		if (count[e] == 1) {
			k->ents[e].post = IOC_NONE;
			continue;
		}
		if (post->n >= IOC_POST_SINGLE)
			goto out;
		k->ents[e].post = (uint32_t)post->n;
		if (ioc_u32vec_push(post, 0))
			goto out;
		for (uint32_t c = 0; c < count[e]; c++)
			if (ioc_u32vec_push(post, IOC_NONE))
				goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t e = which[i];
		if (count[e] == 1) {
			k->ents[e].post = IOC_POST_SINGLE | recs[i].atom;
		} else {
			uint32_t *list = post->v + k->ents[e].post;
			bool dup = false;
			for (uint32_t c = 0; c < list[0] && !dup; c++)
				dup = list[1 + c] == recs[i].atom;
			if (!dup)
				list[1 + list[0]++] = recs[i].atom;
		}
	}
	ioc_key_ent_t *shrunk =
	    realloc(k->ents, (k->nents ? k->nents : 1) * sizeof(*k->ents));
	if (shrunk != NULL)
		k->ents = shrunk;
	uint8_t *ar = realloc(k->arena, k->arena_len ? k->arena_len : 1);
	if (ar != NULL)
		k->arena = ar;
	rc = 0;
out:
	free(which);
	free(count);
	if (rc != 0)
		ioc_keys_free(k);
	return rc;
}

void ioc_keys_free(ioc_keys_t *k)
{
	free(k->slots);
	free(k->ents);
	free(k->arena);
	memset(k, 0, sizeof(*k));
}

size_t ioc_keys_bytes(const ioc_keys_t *k)
{
	if (k->slots == NULL)
		return 0;
	return (size_t)(k->mask + 1) * 8 + (size_t)k->nents * sizeof(ioc_key_ent_t) +
	       k->arena_len;
}

uint32_t ioc_keys_find(const ioc_keys_t *k, uint8_t tag, uint64_t hash, const uint8_t *p,
                       size_t n, bool fold)
{
	if (k->slots == NULL)
		return IOC_NONE;
	uint64_t tag32 = hash >> 32;
	for (uint64_t s = hash & k->mask;; s = (s + 1) & k->mask) {
		uint64_t v = k->slots[s];
		if (v == 0)
			return IOC_NONE;
		if ((v >> 32) == tag32) {
			const ioc_key_ent_t *e = &k->ents[(uint32_t)v - 1];
			if (key_eq(k->arena + e->off, tag, p, n, fold))
				return e->post;
		}
	}
}
