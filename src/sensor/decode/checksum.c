/* checksum.c — the Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo headers of
 * RFC 793/768 (IPv4) and RFC 8200 §8.1 (IPv6). Written here because libpcap and the
 * other libraries we link expose no checksum routine. */
#include "sensor/decode/decode-int.h"

uint32_t setu_csum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
	uint64_t s = sum;
	size_t i = 0;
	for (; i + 1 < len; i += 2)
		s += (uint32_t)((buf[i] << 8) | buf[i + 1]);
	if (i < len)
		s += (uint32_t)(buf[i] << 8);
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t setu_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t setu_csum_pseudo(const setu_pkt_t *p, uint8_t proto, uint32_t len)
{
	uint32_t sum = 0;
	if (p->ip_ver == 4) {
		sum = setu_csum_add(sum, p->src.b, 4);
		sum = setu_csum_add(sum, p->dst.b, 4);
		sum += proto;
		sum += len & 0xffffu;
	} else {
		sum = setu_csum_add(sum, p->src.b, 16);
		sum = setu_csum_add(sum, p->dst.b, 16);
		sum += len >> 16;
		sum += len & 0xffffu;
		sum += proto;
	}
	return sum;
}

bool setu_csum_l4_ok(const setu_pkt_t *p, uint8_t proto, const uint8_t *buf, size_t len)
{
	uint32_t sum = setu_csum_pseudo(p, proto, (uint32_t)len);
	sum = setu_csum_add(sum, buf, len);
	return setu_csum_fold(sum) == 0;
}
