/* community-id.c — Community ID v1 (corelight/community-id-spec): SHA-1 over seed,
 * ordered endpoints, proto, padding and ports (ICMP type/"counter-type" or code as ports,
 * as Zeek maps them), base64 with a "1:" prefix. SHA-1 and base64 come from OpenSSL. */
#include "flow.h"

#include "setu/error.h"

#include <netinet/in.h>
#include <openssl/evp.h>
#include <string.h>

int setu_community_id(const setu_flow_t *f, uint16_t seed, char *out, size_t outlen)
{
	if (!f || !out || outlen < SETU_COMMUNITY_ID_LEN)
		return SETU_EINVAL;
	if (f->src.family != 4 && f->src.family != 6)
		return SETU_EINVAL;
	size_t alen = f->src.family == 4 ? 4 : 16;
	const uint8_t *sa = f->src.b, *da = f->dst.b;
	uint16_t sp = f->sp, dp = f->dp;
	bool ports = true, one_way = false;

	if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
		int ct = setu_icmp_counter_type(f->proto, f->icmp_type);
		sp = f->icmp_type;
		if (ct >= 0) {
			dp = (uint16_t)ct;
		} else {
			dp = f->icmp_code;
			one_way = true;
		}
	} else if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP &&
	           f->proto != IPPROTO_SCTP) {
		ports = false;
	}

	/* Order endpoints: the smaller address (bytes in network order) first, ports
	 * decide on equal addresses; one-way ICMP keeps its direction. */
	if (!one_way) {
		int c = memcmp(sa, da, alen);
		if (c > 0 || (c == 0 && ports && sp > dp)) {
			const uint8_t *ta = sa;
			sa = da;
			da = ta;
			uint16_t tp = sp;
			sp = dp;
			dp = tp;
		}
	}

	uint8_t buf[2 + 16 + 16 + 2 + 4];
	size_t n = 0;
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, sa, alen);
	n += alen;
	memcpy(buf + n, da, alen);
	n += alen;
	buf[n++] = f->proto;
	buf[n++] = 0;
	if (ports) {
		buf[n++] = (uint8_t)(sp >> 8);
		buf[n++] = (uint8_t)sp;
		buf[n++] = (uint8_t)(dp >> 8);
		buf[n++] = (uint8_t)dp;
	}

	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (EVP_Digest(buf, n, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20)
		return SETU_EINVAL;
	/* base64 of 20 bytes is 28 characters; "1:" + 28 + NUL = 31. */
	out[0] = '1';
	out[1] = ':';
	int b = EVP_EncodeBlock((unsigned char *)out + 2, md, (int)mdlen);
	if (b != 28)
		return SETU_EINVAL;
	return 0;
}
