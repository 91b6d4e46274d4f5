/* detect-arena.c — per-engine bump allocator for accepted rules, and moving a parsed
 * rule into it (the arena is released chunk by chunk in setu_detect_engine_free). */
#include "common/limits.h"
#include "detect-int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16u

struct detect_arena_chunk {
	detect_arena_chunk_t *next;
	size_t size; /* data bytes */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

static detect_arena_chunk_t *chunk_new(size_t size)
{
	if (size > SIZE_MAX - sizeof(detect_arena_chunk_t))
		return NULL;
	detect_arena_chunk_t *c = malloc(sizeof(*c) + size);
	if (c != NULL) {
		c->next = NULL;
		c->size = size;
	}
	return c;
}

void *detect_arena_alloc(detect_arena_t *a, size_t n)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (a->head != NULL && a->cap - a->used >= n) {
		void *p = a->head->data + a->used;
		a->used += n;
		return p;
	}
	if (n > SETU_DETECT_ARENA_CHUNK / 4) {
		/* big object: a chunk of its own, kept behind the one being filled */
		detect_arena_chunk_t *c = chunk_new(n);
		if (c == NULL)
			return NULL;
		if (a->head != NULL) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = NULL;
			a->head = c;
			a->used = a->cap = n;
		}
		a->bytes += n;
		return c->data;
	}
	detect_arena_chunk_t *c = chunk_new(SETU_DETECT_ARENA_CHUNK);
	if (c == NULL)
		return NULL;
	c->next = a->head;
	a->head = c;
	a->cap = SETU_DETECT_ARENA_CHUNK;
	a->used = n;
	a->bytes += SETU_DETECT_ARENA_CHUNK;
	return c->data;
}

void *detect_arena_dup(detect_arena_t *a, const void *p, size_t n)
{
	void *d = detect_arena_alloc(a, n);
	if (d != NULL && n > 0)
		memcpy(d, p, n);
	return d;
}

void detect_arena_free(detect_arena_t *a)
{
	detect_arena_chunk_t *c = a->head;
	while (c != NULL) {
		detect_arena_chunk_t *next = c->next;
		free(c);
		c = next;
	}
	memset(a, 0, sizeof(*a));
}

/* ---- moving a rule ---- */

static char *astr(detect_arena_t *a, const char *s, bool *ok)
{
	if (s == NULL)
		return NULL;
	char *d = detect_arena_dup(a, s, strlen(s) + 1);
	if (d == NULL)
		*ok = false;
	return d;
}

static void *adup(detect_arena_t *a, const void *p, size_t n, bool *ok)
{
	if (p == NULL)
		return NULL;
	void *d = detect_arena_dup(a, p, n);
	if (d == NULL)
		*ok = false;
	return d;
}

/* Payload types whose struct is known here; others keep their malloc'd payload. */
static bool sm_movable(uint8_t type)
{
	switch (type) {
	case SM_CONTENT:
	case SM_PCRE:
	case SM_BYTE_TEST:
	case SM_BYTE_JUMP:
	case SM_BYTE_EXTRACT:
	case SM_BYTE_MATH:
	case SM_ISDATAAT:
	case SM_FLOWBITS:
	case SM_FLOWINT:
	case SM_FLAGS:
	case SM_FRAGBITS:
	case SM_IPOPTS:
		return true;
	default:
		return sm_no_payload(type); /* nothing to move */
	}
}

/* sm_free has something to release for an sm of an arena rule */
static bool sm_owns(const sm_t *sm)
{
	return sm->type == SM_PCRE || !sm->arena || sm->num2 != NULL;
}

/* copy sm's payload into the arena (d is a bitwise copy of s) */
static void sm_move(detect_arena_t *a, sm_t *d, const sm_t *s, bool *ok)
{
	if (!sm_movable(s->type))
		return;
	switch (s->type) {
	case SM_CONTENT:
		d->u.ct = adup(a, s->u.ct, sizeof(*s->u.ct), ok);
		if (d->u.ct != NULL)
			d->u.ct->pat = adup(a, s->u.ct->pat, s->u.ct->len, ok);
		break;
	case SM_PCRE:
		d->u.rx = adup(a, s->u.rx, sizeof(*s->u.rx), ok);
		break;
	case SM_BYTE_TEST:
	case SM_BYTE_JUMP:
	case SM_BYTE_EXTRACT:
	case SM_BYTE_MATH:
		d->u.by = adup(a, s->u.by, sizeof(*s->u.by), ok);
		break;
	case SM_ISDATAAT:
		d->u.da = adup(a, s->u.da, sizeof(*s->u.da), ok);
		break;
	case SM_FLOWBITS:
		d->u.fb = adup(a, s->u.fb, sizeof(*s->u.fb), ok);
		if (d->u.fb != NULL)
			d->u.fb->idx =
			    adup(a, s->u.fb->idx, s->u.fb->n * sizeof(uint32_t), ok);
		break;
	case SM_FLOWINT:
		d->u.fi = adup(a, s->u.fi, sizeof(*s->u.fi), ok);
		break;
	case SM_FLAGS:
	case SM_FRAGBITS:
	case SM_IPOPTS:
		d->u.bits = adup(a, s->u.bits, sizeof(*s->u.bits), ok);
		break;
	default: /* no payload */
		break;
	}
	d->arena = 1;
}

static sm_t *list_move(detect_arena_t *a, const sm_list_arr_t *l, bool *ok)
{
	if (l->v == NULL)
		return NULL;
	sm_t *v = adup(a, l->v, (l->n ? l->n : 1) * sizeof(*v), ok);
	if (v == NULL)
		return NULL;
	for (uint32_t i = 0; i < l->n; i++)
		sm_move(a, &v[i], &l->v[i], ok);
	return v;
}

static void list_release(sm_list_arr_t *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		(void)sm_free_payload(&l->v[i]); /* the PCRE2 code went with the copy */
	free(l->v);
}

static void ipset_move(detect_arena_t *a, ipset_t *d, const ipset_t *s, bool *ok)
{
	d->r32 = adup(a, s->r32, (s->n32 ? s->n32 : 1) * 2 * sizeof(*s->r32), ok);
	d->r6 = adup(a, s->r6, s->n6 * 2 * sizeof(*s->r6), ok);
}

static char **strv_move(detect_arena_t *a, char **v, size_t n, bool *ok)
{
	if (v == NULL)
		return NULL;
	char **d = adup(a, v, (n ? n : 1) * sizeof(*v), ok);
	if (d != NULL)
		for (size_t i = 0; i < n; i++)
			d[i] = astr(a, v[i], ok);
	return d;
}

static void strv_release(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int setu_rule_to_arena(detect_arena_t *a, setu_rule_t **rp)
{
	setu_rule_t *r = *rp;
	if (r->arena)
		return 0;
	bool ok = true;
	setu_rule_t *d = adup(a, r, sizeof(*r), &ok);
	if (d == NULL)
		return SETU_ENOMEM;
	/* arrays are sized exactly (cap = n): nothing appends to an accepted rule */
	for (int l = 0; l < LIST_COUNT; l++) {
		d->lists[l].v = list_move(a, &r->lists[l], &ok);
		d->lists[l].cap = r->lists[l].n;
	}
	d->bl = adup(a, r->bl, (r->nbl ? r->nbl : 1) * sizeof(*r->bl), &ok);
	if (d->bl != NULL)
		for (uint32_t b = 0; b < r->nbl; b++) {
			d->bl[b].l.v = list_move(a, &r->bl[b].l, &ok);
			d->bl[b].l.cap = r->bl[b].l.n;
		}
	ipset_move(a, &d->src, &r->src, &ok);
	ipset_move(a, &d->dst, &r->dst, &ok);
	ipset_move(a, &d->sp, &r->sp, &ok);
	ipset_move(a, &d->dp, &r->dp, &ok);
	d->meta_store = strv_move(a, r->meta_store, r->info.nmetadata, &ok);
	d->info.metadata = (const char *const *)d->meta_store;
	d->ref_store = strv_move(a, r->ref_store, r->info.nreferences, &ok);
	d->info.references = (const char *const *)d->ref_store;
	for (int i = 0; i < r->nvars; i++)
		d->varnames[i] = astr(a, r->varnames[i], &ok);
	d->info.msg = astr(a, r->info.msg, &ok);
	d->info.classtype = astr(a, r->info.classtype, &ok);
	d->info.category = astr(a, r->info.category, &ok);
	d->applayer = astr(a, r->applayer, &ok);
	if (!ok)
		return SETU_ENOMEM; /* r untouched; the partial copy stays in the arena */
	d->arena = true;
	d->arena_sms = false;
	for (int l = 0; l < LIST_COUNT; l++)
		for (uint32_t i = 0; i < d->lists[l].n; i++)
			d->arena_sms |= sm_owns(&d->lists[l].v[i]);
	for (uint32_t b = 0; b < d->nbl; b++)
		for (uint32_t i = 0; i < d->bl[b].l.n; i++)
			d->arena_sms |= sm_owns(&d->bl[b].l.v[i]);
	/* d->suppress keeps r's malloc'd array (grown by threshold.config later) */

	/* release r's malloc'd pieces that now have arena copies */
	for (int l = 0; l < LIST_COUNT; l++)
		list_release(&r->lists[l]);
	for (uint32_t b = 0; b < r->nbl; b++)
		list_release(&r->bl[b].l);
	free(r->bl);
	ipset_free(&r->src);
	ipset_free(&r->dst);
	ipset_free(&r->sp);
	ipset_free(&r->dp);
	strv_release(r->meta_store, r->info.nmetadata);
	strv_release(r->ref_store, r->info.nreferences);
	for (int i = 0; i < r->nvars; i++)
		free(r->varnames[i]);
	free((char *)r->info.msg);
	free((char *)r->info.classtype);
	free((char *)r->info.category);
	free(r->applayer);
	free(r);
	*rp = d;
	return 0;
}
