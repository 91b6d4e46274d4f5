/* kw-tcp.c — TCP header keywords: flags (with + * ! modifiers and an ignore mask), seq,
 * ack, window, tcp.mss (Suricata "Header Keywords"). */
#include "detect-int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int flag_bit(char c, uint16_t *bit)
{
	switch (toupper((unsigned char)c)) {
	case 'F':
		*bit = SETU_TH_FIN;
		return 0;
	case 'S':
		*bit = SETU_TH_SYN;
		return 0;
	case 'R':
		*bit = SETU_TH_RST;
		return 0;
	case 'P':
		*bit = SETU_TH_PUSH;
		return 0;
	case 'A':
		*bit = SETU_TH_ACK;
		return 0;
	case 'U':
		*bit = SETU_TH_URG;
		return 0;
	case 'C':
	case '1':
		*bit = SETU_TH_CWR;
		return 0;
	case 'E':
	case '2':
		*bit = SETU_TH_ECN;
		return 0;
	default:
		return -1;
	}
}

int kw_flags_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	for (uint32_t i = 0; i < r->lists[LIST_MATCH].n; i++)
		if (r->lists[LIST_MATCH].v[i].type == SM_FLAGS)
			return perr(pc, "flags: only one flags keyword per rule");
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *comma = strchr(buf, ',');
	char *mask = NULL;
	if (comma != NULL) {
		*comma = '\0';
		mask = str_trim(comma + 1);
	}
	char *s = str_trim(buf);
	sm_bits_t b = {0};
	bool zero = false;
	for (; *s; s++) {
		if (*s == '+' || *s == '*' || *s == '!') {
			if (b.mode != 0)
				return perr(pc, "flags: more than one modifier in '%s'",
				            arg);
			b.mode = (uint8_t)*s;
			continue;
		}
		if (*s == '0') {
			zero = true;
			continue;
		}
		uint16_t bit;
		if (flag_bit(*s, &bit) != 0)
			return perr(pc, "flags: invalid flag '%c'", *s);
		b.bits |= bit;
	}
	if (zero && b.bits != 0)
		return perr(pc,
		            "flags: '0' (no flags) can't be combined with other flags");
	if (!zero && b.bits == 0)
		return perr(pc, "flags: no flag given");
	if (zero && b.mode != 0)
		return perr(pc, "flags: '0' takes no modifier");
	if (mask != NULL) {
		if (*mask == '\0')
			return perr(pc, "flags: empty mask");
		for (char *m = mask; *m; m++) {
			uint16_t bit;
			if (flag_bit(*m, &bit) != 0)
				return perr(pc, "flags: invalid mask flag '%c'", *m);
			b.mask |= bit;
		}
	}
	sm_bits_t *p = malloc(sizeof(*p));
	sm_t *sm = p != NULL ? rule_add_sm(r, LIST_MATCH, SM_FLAGS) : NULL;
	if (sm == NULL) {
		free(p);
		return SETU_ENOMEM;
	}
	*p = b;
	sm->u.bits = p;
	return 0;
}

int kw_seq_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return kw_add_eq(pc, r, SM_SEQ, "seq", arg, UINT32_MAX, false, false);
}

int kw_ack_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return kw_add_eq(pc, r, SM_ACK, "ack", arg, UINT32_MAX, false, false);
}

int kw_window_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return kw_add_eq(pc, r, SM_WINDOW, "window", arg, 65535, true, false);
}

int kw_tcp_mss_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	sm_num_t *num = calloc(1, sizeof(*num));
	if (num == NULL)
		return SETU_ENOMEM;
	int rc = parse_cmp(pc, "tcp.mss", arg, 65535, num);
	sm_t *sm = rc == 0 ? rule_add_sm(r, LIST_MATCH, SM_TCPMSS) : NULL;
	if (rc == 0 && sm == NULL)
		rc = SETU_ENOMEM;
	if (rc != 0) {
		free(num);
		return rc;
	}
	sm->u.num = num;
	return 0;
}
