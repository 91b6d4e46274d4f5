/* addr.c — text conversion of setu_addr_t (inet_ntop/inet_pton, RFC 5952). */
#include "addr.h"

#include "buf.h"

#include "setu/error.h"

#include <arpa/inet.h>
#include <sys/socket.h>

const char *setu_addr_str(const setu_addr_t *a, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (a->family == 4 && size >= 16) {
		/* by hand: glibc's inet_ntop formats IPv4 with sprintf, and every EVE
		 * record prints two addresses */
		char *o = buf;
		for (int i = 0; i < 4; i++) {
			if (i > 0)
				*o++ = '.';
			o += setu_fmt_u64(o, a->b[i]);
		}
		*o = '\0';
	} else if (a->family == 4)
		inet_ntop(AF_INET, a->b, buf, (socklen_t)size);
	else if (a->family == 6)
		inet_ntop(AF_INET6, a->b, buf, (socklen_t)size);
	return buf;
}

int setu_addr_parse(setu_addr_t *a, const char *s)
{
	uint8_t tmp[16];
	if (inet_pton(AF_INET, s, tmp) == 1) {
		setu_addr_set4(a, tmp);
		return 0;
	}
	if (inet_pton(AF_INET6, s, tmp) == 1) {
		setu_addr_set6(a, tmp);
		return 0;
	}
	return SETU_EINVAL;
}
