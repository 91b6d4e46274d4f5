/* flow-hash.c — the symmetric flow key (addresses and ports ordered so both directions
 * meet) and its hash; same inputs as Suricata's FlowGetHash (addrs, ports, proto, VLANs).
 */
#include "flow.h"

#include "common/bytes.h"

#include <netinet/in.h>
#include <string.h>

bool setu_flow_proto_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP ||
	       proto == 136 /* UDP-Lite */;
}

static void make_key(setu_flow_key_t *k, const setu_addr_t *src, const setu_addr_t *dst,
                     uint16_t sp, uint16_t dp, uint8_t proto, const setu_pkt_t *p)
{
	memset(k, 0, sizeof(*k));
	int c = setu_addr_cmp(src, dst);
	if (c < 0 || (c == 0 && sp <= dp)) {
		k->a = *src;
		k->b = *dst;
		k->pa = sp;
		k->pb = dp;
	} else {
		k->a = *dst;
		k->b = *src;
		k->pa = dp;
		k->pb = sp;
	}
	k->proto = proto;
	k->vlan_count = p->vlan_count > SETU_MAX_VLAN ? SETU_MAX_VLAN : p->vlan_count;
	for (unsigned i = 0; i < k->vlan_count; i++)
		k->vlan_id[i] = p->vlan_id[i] & 0x0fff;
}

bool setu_flow_key_from_packet(setu_flow_key_t *k, const setu_pkt_t *p)
{
	if (p->flags & (SETU_PKT_INVALID | SETU_PKT_IS_FRAGMENT))
		return false;
	if (p->ip_ver != 4 && p->ip_ver != 6)
		return false;
	if (p->src.family != p->dst.family || p->src.family == 0)
		return false;
	uint16_t sp = 0, dp = 0;
	if (setu_flow_proto_has_ports(p->proto)) {
		if (!(p->flags & SETU_PKT_HAS_L4))
			return false; /* truncated L4: no ports to key on */
		sp = p->sp;
		dp = p->dp;
	} else if ((p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) &&
	           (p->flags & SETU_PKT_HAS_L4)) {
		int ct = setu_icmp_counter_type(p->proto, p->icmp.type);
		sp = p->icmp.type;
		dp = ct >= 0 ? (uint16_t)ct : p->icmp.type;
	}
	make_key(k, &p->src, &p->dst, sp, dp, p->proto, p);
	return true;
}

bool setu_flow_key_from_icmp_inner(setu_flow_key_t *k, const setu_pkt_t *p)
{
	if (p->proto != IPPROTO_ICMP || !(p->flags & SETU_PKT_HAS_L4) ||
	    p->icmp.type != 3 || !p->icmp.has_inner ||
	    !setu_flow_proto_has_ports(p->icmp.inner_proto) ||
	    p->icmp.inner_src.family != 4 || p->icmp.inner_dst.family != 4)
		return false;
	make_key(k, &p->icmp.inner_src, &p->icmp.inner_dst, p->icmp.inner_sp,
	         p->icmp.inner_dp, p->icmp.inner_proto, p);
	return true;
}

int setu_icmp_counter_type(uint8_t proto, uint8_t type)
{
	static const uint8_t v4[][2] = {{8, 0}, {13, 14}, {15, 16}, {10, 9}, {17, 18}};
	static const uint8_t v6[][2] = {{128, 129}, {130, 131}, {133, 134},
	                                {135, 136}, {139, 140}, {144, 145}};
	const uint8_t(*pairs)[2] = proto == IPPROTO_ICMP ? v4 : v6;
	size_t n = proto == IPPROTO_ICMP ? sizeof(v4) / sizeof(v4[0])
	                                 : sizeof(v6) / sizeof(v6[0]);
	if (proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (pairs[i][0] == type)
			return pairs[i][1];
		if (pairs[i][1] == type)
			return pairs[i][0];
	}
	return -1;
}

/* A 32-bit hash over 32-bit words, written here because no installed library offers a
 * small keyed non-cryptographic hash for C: the murmur3 block mix and finaliser (public
 * domain algorithm by Austin Appleby), seeded per table against hash flooding. */
static uint32_t rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static uint32_t mix_word(uint32_t h, uint32_t w)
{
	w *= 0xcc9e2d51u;
	w = rotl32(w, 15);
	w *= 0x1b873593u;
	h ^= w;
	h = rotl32(h, 13);
	return h * 5u + 0xe6546b64u;
}

uint32_t setu_flow_key_hash(const setu_flow_key_t *k, uint32_t seed)
{
	uint32_t h = seed;
	unsigned n = k->a.family == 6 ? 16 : 4;
	for (unsigned i = 0; i < n; i += 4) {
		h = mix_word(h, setu_be32(k->a.b + i));
		h = mix_word(h, setu_be32(k->b.b + i));
	}
	h = mix_word(h, ((uint32_t)k->pa << 16) | k->pb);
	h = mix_word(h, ((uint32_t)k->proto << 16) | ((uint32_t)k->a.family << 8) |
	                    k->vlan_count);
	for (unsigned i = 0; i < k->vlan_count; i++)
		h = mix_word(h, k->vlan_id[i]);
	h ^= (uint32_t)(2 * n + 8);
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

bool setu_flow_key_match(const setu_flow_key_t *k, const setu_flow_t *f)
{
	if (f->proto != k->proto || f->vlan_count != k->vlan_count)
		return false;
	for (unsigned i = 0; i < k->vlan_count; i++)
		if (f->vlan_id[i] != k->vlan_id[i])
			return false;
	uint16_t fs = f->sp, fd = f->dp;
	if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
		fs = f->icmp_type;
		fd = f->icmp_dtype;
	}
	if (setu_addr_eq(&f->src, &k->a) && setu_addr_eq(&f->dst, &k->b) && fs == k->pa &&
	    fd == k->pb)
		return true;
	return setu_addr_eq(&f->src, &k->b) && setu_addr_eq(&f->dst, &k->a) &&
	       fs == k->pb && fd == k->pa;
}
