/* kw-ip.c — IP header keywords: ttl, tos, ipopts, fragbits, fragoffset, id, ip_proto,
 * sameip (Suricata "Header Keywords"). */
#include "detect-int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_num(parse_ctx_t *pc, setu_rule_t *r, uint8_t type, const char *kw,
                   const char *arg, uint64_t max)
{
	sm_num_t *num = calloc(1, sizeof(*num));
	if (num == NULL)
		return SETU_ENOMEM;
	int rc = parse_cmp(pc, kw, arg, max, num);
	sm_t *sm = rc == 0 ? rule_add_sm(r, LIST_MATCH, type) : NULL;
	if (rc == 0 && sm == NULL)
		rc = SETU_ENOMEM;
	if (rc != 0) {
		free(num);
		return rc;
	}
	sm->u.num = num;
	return 0;
}

int kw_add_eq(parse_ctx_t *pc, setu_rule_t *r, uint8_t type, const char *kw,
              const char *arg, uint64_t max, bool allow_not, bool quoted)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *s = str_trim(buf);
	size_t n = strlen(s);
	if (quoted && n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s[n - 1] = '\0';
		s = str_trim(s + 1);
	}
	sm_num_t num = {CMP_EQ, 0, 0};
	if (allow_not && *s == '!') {
		num.op = CMP_NE;
		s = str_trim(s + 1);
	}
	if (parse_u64(s, max, &num.a) != 0)
		return perr(pc, "%s: invalid value '%s' (0-%llu)", kw, arg,
		            (unsigned long long)max);
	sm_num_t *p = malloc(sizeof(*p));
	sm_t *sm = p != NULL ? rule_add_sm(r, LIST_MATCH, type) : NULL;
	if (sm == NULL) {
		free(p);
		return SETU_ENOMEM;
	}
	*p = num;
	sm->u.num = p;
	return 0;
}

int kw_ttl_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return add_num(pc, r, SM_TTL, "ttl", arg, 255);
}

int kw_tos_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *s = str_trim(buf);
	sm_num_t num = {CMP_EQ, 0, 0};
	if (*s == '!') {
		num.op = CMP_NE;
		s = str_trim(s + 1);
	}
	if (*s == 'x' || *s == 'X' || (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))) {
		char *h = (*s == '0') ? s + 2 : s + 1;
		char *end;
		unsigned long v = strtoul(h, &end, 16);
		if (*h == '\0' || *end != '\0' || v > 255)
			return perr(pc, "tos: invalid value '%s'", arg);
		num.a = v;
	} else if (parse_u64(s, 255, &num.a) != 0) {
		return perr(pc, "tos: invalid value '%s' (0-255 or xHH)", arg);
	}
	sm_num_t *p = malloc(sizeof(*p));
	sm_t *sm = p != NULL ? rule_add_sm(r, LIST_MATCH, SM_TOS) : NULL;
	if (sm == NULL) {
		free(p);
		return SETU_ENOMEM;
	}
	*p = num;
	sm->u.num = p;
	return 0;
}

int kw_ipopts_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	static const struct {
		const char *n;
		uint16_t b;
	} opts[] = {{"rr", SETU_IPOPT_RR},       {"eol", SETU_IPOPT_EOL},
	            {"nop", SETU_IPOPT_NOP},     {"ts", SETU_IPOPT_TS},
	            {"sec", SETU_IPOPT_SEC},     {"esec", SETU_IPOPT_ESEC},
	            {"lsrr", SETU_IPOPT_LSRR},   {"ssrr", SETU_IPOPT_SSRR},
	            {"satid", SETU_IPOPT_SATID}, {"any", SETU_IPOPT_ANY}};
	for (uint32_t i = 0; i < r->lists[LIST_MATCH].n; i++)
		if (r->lists[LIST_MATCH].v[i].type == SM_IPOPTS)
			return perr(pc, "ipopts: only one ipopts keyword per rule");
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(arg, opts[i].n) == 0) {
			sm_bits_t *b = calloc(1, sizeof(*b));
			sm_t *sm =
			    b != NULL ? rule_add_sm(r, LIST_MATCH, SM_IPOPTS) : NULL;
			if (sm == NULL) {
				free(b);
				return SETU_ENOMEM;
			}
			b->bits = opts[i].b;
			sm->u.bits = b;
			return 0;
		}
	return perr(pc, "ipopts: invalid option '%s'", arg);
}

/* fragbits:[*+!]<MDR...> */
int kw_fragbits_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	sm_bits_t b = {0};
	const char *s = arg;
	for (; *s; s++) {
		if (*s == '+' || *s == '*' || *s == '!') {
			/* the modifier may lead or trail ("+M" or "M+"), as in
			 * Snort/Suricata */
			if (b.mode != 0)
				return perr(
				    pc, "fragbits: more than one modifier in '%s'", arg);
			b.mode = (uint8_t)*s;
			continue;
		}
		switch (toupper((unsigned char)*s)) {
		case 'M':
			b.bits |= 1;
			break;
		case 'D':
			b.bits |= 2;
			break;
		case 'R':
			b.bits |= 4;
			break;
		case ' ':
			break;
		default:
			return perr(
			    pc,
			    "fragbits: invalid flag '%c' (M, D, R with + * ! modifiers)",
			    *s);
		}
	}
	if (b.bits == 0)
		return perr(pc, "fragbits: no flag given");
	sm_bits_t *p = malloc(sizeof(*p));
	sm_t *sm = p != NULL ? rule_add_sm(r, LIST_MATCH, SM_FRAGBITS) : NULL;
	if (sm == NULL) {
		free(p);
		return SETU_ENOMEM;
	}
	*p = b;
	sm->u.bits = p;
	return 0;
}

int kw_fragoffset_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return add_num(pc, r, SM_FRAGOFFSET, "fragoffset", arg, 65535);
}

int kw_id_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return kw_add_eq(pc, r, SM_ID, "id", arg, 65535, false, true);
}

static const struct {
	const char *n;
	uint8_t p;
} proto_names[] = {
    {"ip", 0},        {"hopopt", 0},       {"icmp", 1},        {"igmp", 2},
    {"ggp", 3},       {"ipencap", 4},      {"st", 5},          {"tcp", 6},
    {"egp", 8},       {"igp", 9},          {"pup", 12},        {"udp", 17},
    {"hmp", 20},      {"xns-idp", 22},     {"rdp", 27},        {"iso-tp4", 29},
    {"dccp", 33},     {"xtp", 36},         {"ddp", 37},        {"idpr-cmtp", 38},
    {"ipv6", 41},     {"ipv6-route", 43},  {"ipv6-frag", 44},  {"idrp", 45},
    {"rsvp", 46},     {"gre", 47},         {"esp", 50},        {"ah", 51},
    {"skip", 57},     {"ipv6-icmp", 58},   {"ipv6-nonxt", 59}, {"ipv6-opts", 60},
    {"rspf", 73},     {"vmtp", 81},        {"eigrp", 88},      {"ospf", 89},
    {"ax.25", 93},    {"ipip", 94},        {"etherip", 97},    {"encap", 98},
    {"pim", 103},     {"ipcomp", 108},     {"vrrp", 112},      {"l2tp", 115},
    {"isis", 124},    {"sctp", 132},       {"fc", 133},        {"mobility-header", 135},
    {"udplite", 136}, {"mpls-in-ip", 137}, {"manet", 138},     {"hip", 139},
    {"shim6", 140},   {"wesp", 141},       {"rohc", 142},      {"ethernet", 143}};

int kw_ip_proto_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *s = str_trim(buf);
	sm_num_t num = {CMP_EQ, 0, 0};
	if (*s == '!' || *s == '<' || *s == '>') {
		num.op = *s == '!' ? CMP_NE : *s == '<' ? CMP_LT : CMP_GT;
		s = str_trim(s + 1);
	}
	if (parse_u64(s, 255, &num.a) != 0) {
		bool found = false;
		for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++)
			if (strcasecmp(s, proto_names[i].n) == 0) {
				num.a = proto_names[i].p;
				found = true;
			}
		if (!found)
			return perr(pc, "ip_proto: unknown protocol '%s'", s);
	}
	if ((num.op == CMP_LT && num.a == 0) || (num.op == CMP_GT && num.a == 255))
		return perr(pc, "ip_proto: '%s' can never match", arg);
	sm_num_t *p = malloc(sizeof(*p));
	sm_t *sm = p != NULL ? rule_add_sm(r, LIST_MATCH, SM_IPPROTO) : NULL;
	if (sm == NULL) {
		free(p);
		return SETU_ENOMEM;
	}
	*p = num;
	sm->u.num = p;
	return 0;
}

int kw_sameip_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return rule_add_sm(r, LIST_MATCH, SM_SAMEIP) != NULL ? 0 : SETU_ENOMEM;
}
