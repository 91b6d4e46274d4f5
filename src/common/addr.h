/* addr.h — an IPv4 or IPv6 address in one 16-byte form (IPv4 in the first 4 bytes,
 * rest zero), shared by decode, flow, detect and intel. */
#ifndef SETU_ADDR_H
#define SETU_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct setu_addr {
	uint8_t family; /* 4 or 6; 0 = unset */
	uint8_t b[16];  /* network order */
} setu_addr_t;

static inline void setu_addr_set4(setu_addr_t *a, const uint8_t *b4)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	memcpy(a->b, b4, 4);
}

static inline void setu_addr_set6(setu_addr_t *a, const uint8_t *b16)
{
	a->family = 6;
	memcpy(a->b, b16, 16);
}

static inline bool setu_addr_eq(const setu_addr_t *x, const setu_addr_t *y)
{
	return x->family == y->family && memcmp(x->b, y->b, 16) == 0;
}

/* Total order (family, then bytes); used for symmetric flow keys. */
static inline int setu_addr_cmp(const setu_addr_t *x, const setu_addr_t *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->b, y->b, 16);
}

/* Text form as inet_ntop writes it (IPv6 compressed per RFC 5952); buf >= 46. */
#define SETU_ADDR_STRLEN 46
const char *setu_addr_str(const setu_addr_t *a, char *buf, size_t size);
/* Parse "1.2.3.4" or "2001:db8::1"; returns 0 or SETU_EINVAL. */
int setu_addr_parse(setu_addr_t *a, const char *s);

#endif
