/* rule-parse.c — Suricata rule text to setu_rule_t: header (action, protocol, addresses,
 * ports, direction) and the option list `name[:value];` dispatched through the keyword
 * table (kw-table.c). Follows Suricata's rule grammar (docs: "Rules Format"). */
#include "detect-int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int perr(parse_ctx_t *pc, const char *fmt, ...)
{
	if (pc->diag != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(pc->diag->msg, sizeof(pc->diag->msg), fmt, ap);
		va_end(ap);
		pc->diag->code = SETU_EPARSE;
		pc->diag->column = pc->col;
	}
	return SETU_EPARSE;
}

int punsup(parse_ctx_t *pc, const char *kw)
{
	snprintf(pc->unsupported_buf, sizeof(pc->unsupported_buf), "%s", kw);
	pc->unsupported = pc->unsupported_buf;
	if (pc->diag != NULL) {
		snprintf(pc->diag->msg, sizeof(pc->diag->msg),
		         "keyword '%s' not supported", kw);
		pc->diag->code = SETU_EUNSUPPORTED;
		pc->diag->column = pc->col;
	}
	return SETU_EUNSUPPORTED;
}

char *str_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (s == NULL || *s == '\0')
		return SETU_EINVAL;
	const char *p = s;
	if (*p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return SETU_EINVAL;
	uint64_t v = 0;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return SETU_EINVAL;
		v = v * 10 + d;
	}
	if (*p != '\0' || v > max)
		return SETU_EINVAL;
	*out = v;
	return 0;
}

int parse_i64(const char *s, int64_t *out)
{
	bool neg = false;
	if (*s == '-') {
		neg = true;
		s++;
	}
	uint64_t v;
	if (parse_u64(s, (uint64_t)INT64_MAX, &v) != 0)
		return SETU_EINVAL;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int rule_var_find(const setu_rule_t *r, const char *name)
{
	for (int i = 0; i < r->nvars; i++)
		if (strcmp(r->varnames[i], name) == 0)
			return i;
	return -1;
}

int parse_numval(parse_ctx_t *pc, setu_rule_t *r, const char *s, const char *kw,
                 bool allow_neg, numval_t *out)
{
	out->var = -1;
	if (*s == '\0')
		return perr(pc, "%s: missing value", kw);
	if (isdigit((unsigned char)*s) || *s == '-' || *s == '+') {
		int64_t v;
		if (parse_i64(s, &v) != 0 || v > INT32_MAX || v < INT32_MIN)
			return perr(pc, "%s: invalid value '%s'", kw, s);
		if (v < 0 && !allow_neg)
			return perr(pc, "%s: negative value %lld not allowed", kw,
			            (long long)v);
		out->v = v;
		return 0;
	}
	int vi = rule_var_find(r, s);
	if (vi < 0)
		return perr(pc, "%s: unknown byte_extract/byte_math variable '%s'", kw,
		            s);
	out->var = (int8_t)vi;
	out->v = 0;
	return 0;
}

/* Split on commas (not inside quotes); trims each piece. Returns count or -1 if > max. */
int split_args(char *s, char **out, int max)
{
	int n = 0;
	bool q = false;
	char *start = s;
	for (char *p = s;; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '"')
			q = !q;
		if ((*p == ',' && !q) || *p == '\0') {
			bool end = *p == '\0';
			*p = '\0';
			if (n >= max)
				return -1;
			out[n++] = str_trim(start);
			if (end)
				break;
			start = p + 1;
		}
	}
	return n;
}

/* Comparison expression for numeric header keywords: "N", "<N", ">N", "<=N", ">=N", "!N",
 * "N<>M" (exclusive range), "N-M" (Suricata 7 range form). */
int parse_cmp(parse_ctx_t *pc, const char *kw, const char *arg, uint64_t max,
              sm_num_t *out)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *s = str_trim(buf);
	memset(out, 0, sizeof(*out));
	char *rng = strstr(s, "<>");
	char *dash = strchr(s + 1, '-');
	if (rng != NULL || (dash != NULL && isdigit((unsigned char)s[0]))) {
		char *sep = rng != NULL ? rng : dash;
		*sep = '\0';
		char *b = str_trim(sep + (rng != NULL ? 2 : 1));
		char *a = str_trim(s);
		if (parse_u64(a, max, &out->a) != 0 || parse_u64(b, max, &out->b) != 0)
			return perr(pc, "%s: invalid range '%s'", kw, arg);
		if (out->a >= out->b)
			return perr(pc, "%s: range start %llu must be below end %llu", kw,
			            (unsigned long long)out->a,
			            (unsigned long long)out->b);
		out->op = CMP_RANGE;
		return 0;
	}
	if (s[0] == '<' && s[1] == '=') {
		out->op = CMP_LE;
		s += 2;
	} else if (s[0] == '>' && s[1] == '=') {
		out->op = CMP_GE;
		s += 2;
	} else if (s[0] == '<') {
		out->op = CMP_LT;
		s++;
	} else if (s[0] == '>') {
		out->op = CMP_GT;
		s++;
	} else if (s[0] == '!') {
		out->op = CMP_NE;
		s++;
	} else if (s[0] == '=') {
		out->op = CMP_EQ;
		s++;
	} else {
		out->op = CMP_EQ;
	}
	s = str_trim(s);
	if (parse_u64(s, max, &out->a) != 0)
		return perr(pc, "%s: invalid value '%s' (0-%llu)", kw, arg,
		            (unsigned long long)max);
	if (out->op == CMP_LT && out->a == 0)
		return perr(pc, "%s: '<0' can never match", kw);
	if (out->op == CMP_GT && out->a == max)
		return perr(pc, "%s: '>%llu' can never match", kw,
		            (unsigned long long)max);
	return 0;
}

/* The payload list keywords go to: the active sticky buffer's, else the packet's. */
static sm_list_arr_t *pmatch_list(setu_rule_t *r)
{
	if (r->cur_bl >= 0 && (uint32_t)r->cur_bl < r->nbl)
		return &r->bl[r->cur_bl].l;
	return &r->lists[LIST_PMATCH];
}

sm_t *rule_add_sm(setu_rule_t *r, int list, uint8_t type)
{
	sm_list_arr_t *l = list == LIST_PMATCH ? pmatch_list(r) : &r->lists[list];
	if (list == LIST_PMATCH)
		r->last_bl = r->cur_bl;
	if (l->n == l->cap) {
		uint32_t nc = l->cap ? l->cap * 2 : 4;
		sm_t *nv = realloc(l->v, nc * sizeof(*nv));
		if (nv == NULL)
			return NULL;
		l->v = nv;
		l->cap = nc;
	}
	sm_t *sm = &l->v[l->n++];
	memset(sm, 0, sizeof(*sm));
	sm->type = type;
	return sm;
}

sm_t *rule_last_pmatch(setu_rule_t *r, uint8_t type)
{
	/* Suricata binds a modifier to the last payload keyword, whichever list a legacy
	 * modifier (content:..; http_uri;) moved it to */
	sm_list_arr_t *l = r->last_bl >= 0 && (uint32_t)r->last_bl < r->nbl
	                       ? &r->bl[r->last_bl].l
	                       : pmatch_list(r);
	if (r->last_bl < 0 && r->cur_bl < 0)
		l = &r->lists[LIST_PMATCH];
	for (uint32_t i = l->n; i > 0; i--)
		if (type == 0 || l->v[i - 1].type == type)
			return &l->v[i - 1];
	return NULL;
}

int name_table_index(name_table_t *t, const char *name, uint32_t *idx)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->names[i], name) == 0) {
			*idx = (uint32_t)i;
			return 0;
		}
	if (t->n >= SETU_DETECT_MAX_FLOWVARS)
		return SETU_ELIMIT;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		char **nn = realloc(t->names, nc * sizeof(*nn));
		if (nn == NULL)
			return SETU_ENOMEM;
		t->names = nn;
		t->cap = nc;
	}
	char *d = strdup(name);
	if (d == NULL)
		return SETU_ENOMEM;
	t->names[t->n] = d;
	*idx = (uint32_t)t->n++;
	return 0;
}

void name_table_free(name_table_t *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

void setu_rule_free(setu_rule_t *r)
{
	if (r == NULL)
		return;
	if (r->arena) { /* setu_rule_to_arena: the engine's arena holds the rest */
		free(r->suppress);
		if (!r->arena_sms)
			return;
		for (int l = 0; l < LIST_COUNT; l++)
			for (uint32_t i = 0; i < r->lists[l].n; i++)
				sm_free(&r->lists[l].v[i]);
		for (uint32_t b = 0; b < r->nbl; b++)
			for (uint32_t i = 0; i < r->bl[b].l.n; i++)
				sm_free(&r->bl[b].l.v[i]);
		return;
	}
	for (int l = 0; l < LIST_COUNT; l++) {
		for (uint32_t i = 0; i < r->lists[l].n; i++)
			sm_free(&r->lists[l].v[i]);
		free(r->lists[l].v);
	}
	for (uint32_t b = 0; b < r->nbl; b++) {
		for (uint32_t i = 0; i < r->bl[b].l.n; i++)
			sm_free(&r->bl[b].l.v[i]);
		free(r->bl[b].l.v);
	}
	free(r->bl);
	ipset_free(&r->src);
	ipset_free(&r->dst);
	ipset_free(&r->sp);
	ipset_free(&r->dp);
	for (size_t i = 0; i < r->info.nmetadata; i++)
		free(r->meta_store[i]);
	free(r->meta_store);
	for (size_t i = 0; i < r->info.nreferences; i++)
		free(r->ref_store[i]);
	free(r->ref_store);
	free(r->suppress);
	for (int i = 0; i < r->nvars; i++)
		free(r->varnames[i]);
	free((char *)r->info.msg);
	free((char *)r->info.classtype);
	free((char *)r->info.category);
	free(r->applayer);
	free(r);
}

/* ---- header ---- */

typedef struct proto_name {
	const char *name;
	uint8_t rp;
	uint8_t ipver;
	bool applayer;
} proto_name_t;

/* Suricata's header protocols: L3/L4 names, and app-layer names (matched once the
 * app-layer exists; parsed and kept now). */
static const proto_name_t protos[] = {
    {"ip", RP_IP, 0, false},
    {"ipv4", RP_IP, 4, false},
    {"ip4", RP_IP, 4, false},
    {"ipv6", RP_IP, 6, false},
    {"ip6", RP_IP, 6, false},
    {"tcp", RP_TCP, 0, false},
    {"tcp-pkt", RP_TCP, 0, false},
    {"tcp-stream", RP_TCP, 0, false},
    {"udp", RP_UDP, 0, false},
    {"icmp", RP_ICMP_ANY, 0, false},
    {"icmpv4", RP_ICMP4, 4, false},
    {"icmpv6", RP_ICMP6, 6, false},
    {"sctp", RP_SCTP, 0, false},
    {"pkthdr", RP_PKTHDR, 0, false},
    {"igmp", RP_IGMP, 4, false},
    {"http", RP_TCP, 0, true},
    {"http1", RP_TCP, 0, true},
    {"http2", RP_TCP, 0, true},
    {"ftp", RP_TCP, 0, true},
    {"ftp-data", RP_TCP, 0, true},
    {"smtp", RP_TCP, 0, true},
    {"tls", RP_TCP, 0, true},
    {"ssl", RP_TCP, 0, true},
    {"ssh", RP_TCP, 0, true},
    {"imap", RP_TCP, 0, true},
    {"pop3", RP_TCP, 0, true},
    {"smb", RP_TCP, 0, true},
    {"dcerpc", RP_IP, 0, true},
    {"dns", RP_IP, 0, true},
    {"modbus", RP_TCP, 0, true},
    {"enip", RP_IP, 0, true},
    {"dnp3", RP_TCP, 0, true},
    {"nfs", RP_IP, 0, true},
    {"ntp", RP_UDP, 0, true},
    {"tftp", RP_UDP, 0, true},
    {"ikev2", RP_UDP, 0, true},
    {"ike", RP_UDP, 0, true},
    {"krb5", RP_IP, 0, true},
    {"dhcp", RP_UDP, 0, true},
    {"snmp", RP_UDP, 0, true},
    {"sip", RP_IP, 0, true},
    {"rfb", RP_TCP, 0, true},
    {"mqtt", RP_TCP, 0, true},
    {"pgsql", RP_TCP, 0, true},
    {"telnet", RP_TCP, 0, true},
    {"quic", RP_UDP, 0, true},
    {"ldap", RP_IP, 0, true},
    {"websocket", RP_TCP, 0, true},
    {"bittorrent-dht", RP_UDP, 0, true},
    {"rdp", RP_TCP, 0, true},
    {"msn", RP_TCP, 0, true},
    {"irc", RP_TCP, 0, true},
    {"mdns", RP_UDP, 0, true},
};

static const struct {
	const char *name;
	setu_action_t a;
} actions[] = {
    {"alert", SETU_ACTION_ALERT},
    {"pass", SETU_ACTION_PASS},
    {"drop", SETU_ACTION_DROP},
    {"reject", SETU_ACTION_REJECT},
    {"rejectsrc", SETU_ACTION_REJECTSRC},
    {"rejectdst", SETU_ACTION_REJECTDST},
    {"rejectboth", SETU_ACTION_REJECTBOTH},
};

const char *setu_action_name(setu_action_t a)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (actions[i].a == a)
			return actions[i].name;
	return "alert";
}

/* Next header token: bracket-aware (spaces inside [...] are part of the token). */
static int next_token(const char *s, size_t len, size_t *pos, size_t *start, size_t *tlen)
{
	size_t i = *pos;
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (i >= len)
		return -1;
	*start = i;
	int depth = 0;
	while (i < len) {
		char c = s[i];
		if (c == '[')
			depth++;
		else if (c == ']')
			depth--;
		else if (depth <= 0 && (isspace((unsigned char)c) || c == '('))
			break;
		i++;
	}
	*tlen = i - *start;
	*pos = i;
	return 0;
}

static int header_token(parse_ctx_t *pc, const char *s, size_t len, size_t *pos,
                        char *buf, size_t bufsz, const char *what)
{
	size_t st, tl;
	if (next_token(s, len, pos, &st, &tl) != 0 || tl == 0)
		return perr(pc, "rule header: missing %s", what);
	pc->col = (unsigned)st + 1;
	if (tl >= bufsz)
		return perr(pc, "rule header: %s too long", what);
	memcpy(buf, s + st, tl);
	buf[tl] = '\0';
	return 0;
}

static int parse_header(parse_ctx_t *pc, setu_rule_t *r, const char *s, size_t len,
                        size_t *pos)
{
	char tok[SETU_DETECT_MAX_HEADER_TOKEN];
	int rc;
	if ((rc = header_token(pc, s, len, pos, tok, sizeof(tok), "action")) != 0)
		return rc;
	bool found = false;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(tok, actions[i].name) == 0) {
			r->info.action = actions[i].a;
			found = true;
		}
	if (!found)
		return perr(pc, "unknown rule action '%s'", tok);

	if ((rc = header_token(pc, s, len, pos, tok, sizeof(tok), "protocol")) != 0)
		return rc;
	found = false;
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strcasecmp(tok, protos[i].name) == 0) {
			r->rproto = protos[i].rp;
			r->ipver = protos[i].ipver;
			if (protos[i].applayer) {
				r->flags |= RF_APPLAYER;
				r->applayer = strdup(protos[i].name);
				if (r->applayer == NULL)
					return SETU_ENOMEM;
				/* the protocols the app-layer parses; "http" is HTTP/1
				 * here (libhtp), "ssl" Suricata's alias of tls */
				if (strcmp(protos[i].name, "http2") != 0)
					r->alproto =
					    (uint8_t)setu_alproto_by_name(protos[i].name);
			}
			if (protos[i].rp == RP_PKTHDR)
				r->flags |= RF_PKTHDR;
			if (strcmp(protos[i].name, "tcp-pkt") == 0)
				r->flags |= RF_PKT_ONLY | RF_REQ_PACKET;
			if (strcmp(protos[i].name, "tcp-stream") == 0)
				r->flags |= RF_REQ_STREAM | RF_STREAM_ONLY;
			found = true;
		}
	if (!found)
		return perr(pc, "unknown protocol '%s'", tok);

	static const char *const what[4] = {"source address", "source port",
	                                    "destination address", "destination port"};
	ipset_t *sets[4] = {&r->src, &r->sp, &r->dst, &r->dp};
	for (int k = 0; k < 4; k++) {
		if (k == 2) {
			if ((rc = header_token(pc, s, len, pos, tok, sizeof(tok),
			                       "direction")) != 0)
				return rc;
			if (strcmp(tok, "<>") == 0)
				r->flags |= RF_BIDIR;
			else if (strcmp(tok, "=>") == 0)
				r->flags |= RF_TXBIDIR; /* Suricata 8 transactional */
			else if (strcmp(tok, "<-") == 0)
				return perr(pc, "direction '<-' is not valid: write the "
				                "rule with '->'");
			else if (strcmp(tok, "->") != 0)
				return perr(
				    pc, "invalid direction '%s' (expected '->' or '<>')",
				    tok);
		}
		if ((rc = header_token(pc, s, len, pos, tok, sizeof(tok), what[k])) != 0)
			return rc;
		if (k == 0 || k == 2)
			rc = ipset_parse_addr(pc, tok, sets[k]);
		else
			rc = ipset_parse_port(pc, tok, sets[k]);
		if (rc != 0)
			return rc;
	}
	if (r->src.any)
		r->flags |= RF_SRC_ANY;
	if (r->dst.any)
		r->flags |= RF_DST_ANY;
	if (r->sp.any)
		r->flags |= RF_SP_ANY;
	if (r->dp.any)
		r->flags |= RF_DP_ANY;
	/* Ports on `ip` rules are accepted (Suricata loads ET's GPL SHELLCODE rules that
	 * have them): they then match only packets that carry ports. ICMP has none. */
	bool ports_used = !(r->sp.any && r->dp.any);
	if (ports_used &&
	    (r->rproto == RP_ICMP4 || r->rproto == RP_ICMP6 || r->rproto == RP_ICMP_ANY))
		return perr(pc, "ports can't be used with icmp rules");
	return 0;
}

/* ---- options ---- */

static int finalize(parse_ctx_t *pc, setu_rule_t *r, bool have_sid)
{
	pc->col = 0;
	if (!have_sid)
		return perr(pc, "rule has no sid");
	if (r->info.msg == NULL) {
		r->info.msg = strdup("");
		if (r->info.msg == NULL)
			return SETU_ENOMEM;
	}
	int rc = kw_content_finalize(pc, r);
	if (rc != 0)
		return rc;
	if ((rc = kw_applayer_finalize(pc, r)) != 0)
		return rc;
	/* Packet vs stream, as Suricata decides it (SIG_FLAG_REQUIRE_PACKET/STREAM):
	 * dsize and flow:no_stream make a rule packet-only; flow:only_stream stream-only;
	 * any other payload rule that can see TCP is inspected on the stream, and also on
	 * packets when one of its contents is anchored with depth or offset. */
	bool has_payload = r->lists[LIST_PMATCH].n > 0;
	for (uint32_t i = 0; i < r->lists[LIST_MATCH].n; i++) {
		const sm_t *sm = &r->lists[LIST_MATCH].v[i];
		if (sm->type == SM_DSIZE)
			r->flags |= RF_PKT_ONLY | RF_REQ_PACKET;
		if (sm->type == SM_FLOW && (sm->u.u32 & FL_NO_STREAM))
			r->flags |= RF_PKT_ONLY | RF_REQ_PACKET;
		if (sm->type == SM_FLOW && (sm->u.u32 & FL_ONLY_STREAM))
			r->flags |= RF_REQ_STREAM | RF_STREAM_ONLY;
	}
	if ((r->flags & RF_PKT_ONLY) && (r->flags & RF_STREAM_ONLY))
		return perr(pc, "rule requires both packet (dsize/no_stream) and stream "
		                "(only_stream) inspection");
	if (has_payload && (r->rproto == RP_TCP || r->rproto == RP_IP) &&
	    !(r->flags & RF_PKT_ONLY)) {
		r->flags |= RF_REQ_STREAM;
		for (uint32_t i = 0; i < r->lists[LIST_PMATCH].n; i++) {
			const sm_t *sm = &r->lists[LIST_PMATCH].v[i];
			if (sm->type == SM_CONTENT &&
			    (sm->u.ct->flags & (CT_DEPTH | CT_OFFSET)))
				r->flags |= RF_REQ_PACKET;
		}
	}
	for (uint32_t i = 0; i < r->lists[LIST_PMATCH].n; i++) {
		const sm_t *sm = &r->lists[LIST_PMATCH].v[i];
		bool anchored = false;
		switch (sm->type) {
		case SM_CONTENT:
			anchored = (sm->u.ct->flags &
			            (CT_DEPTH | CT_OFFSET | CT_STARTSWITH)) != 0;
			break;
		case SM_PCRE: {
			uint32_t opts = 0;
			pcre2_pattern_info(sm->u.rx->re, PCRE2_INFO_ALLOPTIONS, &opts);
			anchored =
			    !(sm->u.rx->flags & RX_RELATIVE) && (opts & PCRE2_ANCHORED);
			break;
		}
		case SM_ISDATAAT:
			anchored = !sm->u.da->relative;
			break;
		default: /* byte_* */
			anchored = !(sm->u.by->flags & BY_RELATIVE);
			break;
		}
		if (anchored)
			r->flags |= RF_ANCHORED;
	}
	if (r->info.priority == 0)
		r->info.priority = 3;
	return 0;
}

int setu_rule_parse(parse_ctx_t *pc, const char *s, size_t len, setu_rule_t **out)
{
	*out = NULL;
	pc->unsupported = NULL;
	pc->col = 1;
	setu_rule_t *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return SETU_ENOMEM;
	r->info.gid = 1;
	r->fp_index = -1;
	r->cur_bl = -1;
	r->last_bl = -1;
	size_t pos = 0;
	int rc = parse_header(pc, r, s, len, &pos);
	if (rc != 0)
		goto fail;
	while (pos < len && isspace((unsigned char)s[pos]))
		pos++;
	if (pos >= len || s[pos] != '(') {
		pc->col = (unsigned)pos + 1;
		rc = perr(pc, "expected '(' to open the rule options");
		goto fail;
	}
	pos++;
	bool have_sid = false;
	/* the closing ')' must be the last non-space character */
	size_t end = len;
	while (end > 0 && isspace((unsigned char)s[end - 1]))
		end--;
	if (end == 0 || s[end - 1] != ')') {
		pc->col = (unsigned)end;
		rc = perr(pc, "rule options must end with ')'");
		goto fail;
	}
	end--; /* position of ')' */
	char *val = malloc(len + 1);
	if (val == NULL) {
		rc = SETU_ENOMEM;
		goto fail;
	}
	while (1) {
		while (pos < end && isspace((unsigned char)s[pos]))
			pos++;
		if (pos >= end)
			break;
		size_t nst = pos;
		pc->col = (unsigned)nst + 1;
		while (pos < end && s[pos] != ':' && s[pos] != ';' &&
		       !isspace((unsigned char)s[pos]))
			pos++;
		size_t nlen = pos - nst;
		char name[64];
		if (nlen == 0 || nlen >= sizeof(name)) {
			rc = perr(pc, nlen == 0 ? "empty option name"
			                        : "option name too long");
			break;
		}
		memcpy(name, s + nst, nlen);
		name[nlen] = '\0';
		while (pos < end && isspace((unsigned char)s[pos]))
			pos++;
		bool has_val = false;
		size_t vlen = 0;
		if (pos < end && s[pos] == ':') {
			pos++;
			has_val = true;
			/* The value ends at the first ';' that is neither escaped nor
			 * inside a quoted string; when quotes do not balance (Suricata
			 * itself does not track them, and some rules carry bare '"'
			 * inside a pcre), fall back to Suricata's rule: the first
			 * unescaped ';'. */
			size_t vst = pos;
			for (int pass = 0; pass < 2; pass++) {
				bool q = false;
				pos = vst;
				while (pos < end) {
					char c = s[pos];
					if (c == '\\' && pos + 1 < end) {
						pos += 2;
						continue;
					}
					if (c == '"' && pass == 0)
						q = !q;
					else if (c == ';' && !q)
						break;
					pos++;
				}
				if (!q)
					break;
			}
			vlen = pos - vst;
			memcpy(val, s + vst, vlen);
		}
		val[vlen] = '\0';
		if (pos >= end || s[pos] != ';') {
			pc->col = (unsigned)pos + 1;
			rc = perr(pc, "option '%s' is not terminated by ';'", name);
			break;
		}
		pos++;
		const keyword_t *kw = detect_keyword_find(name);
		if (kw == NULL)
			kw = detect_buffer_keyword_find(name);
		pc->kwname = name;
		if (kw == NULL) {
			rc = punsup(pc, name);
			break;
		}
		char *v = str_trim(val);
		if ((kw->flags & KW_NOARG) && has_val && *v != '\0') {
			rc = perr(pc, "keyword '%s' takes no value", name);
			break;
		}
		if ((kw->flags & KW_ARG) && (!has_val || *v == '\0')) {
			rc = perr(pc, "keyword '%s' needs a value", name);
			break;
		}
		if (strcmp(name, "sid") == 0)
			have_sid = true;
		rc = kw->setup(pc, r, v);
		if (rc != 0)
			break;
	}
	free(val);
	if (rc == 0)
		rc = finalize(pc, r, have_sid);
	if (rc != 0)
		goto fail;
	*out = r;
	return 0;
fail:
	setu_rule_free(r);
	return rc;
}
