/* kw-applayer.c — app-layer rule keywords (Suricata "HTTP Keywords", "DNS Keywords",
 * "SSL/TLS Keywords", "Transformations"): sticky buffers and their legacy content
 * modifiers, bsize, urilen, app-layer-protocol, dns.opcode/rrtype, tls.version,
 * ssl_version, ssl_state, tls.subject/issuerdn/fingerprint, certificate dates, tls.store
 * and transforms; and the rule's app-layer finalisation (protocol, direction). */
#include "detect-int.h"
#include "sensor/applayer/kwbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const detect_buffer_def_t detect_buffers[DB_COUNT] = {
#define DB_DEF(id, name, alias, legacy, proto, dirs) {name, alias, legacy, proto, dirs},
    DETECT_BUFFERS(DB_DEF)
#undef DB_DEF
};

static const keyword_t sticky_kw = {"sticky buffer", kw_sticky_setup, KW_NOARG};
static const keyword_t legacy_kw = {"content modifier", kw_legacy_mod_setup, KW_NOARG};

static int buffer_by_name(const char *name, bool *legacy)
{
	for (int i = 0; i < DB_COUNT; i++) {
		const detect_buffer_def_t *d = &detect_buffers[i];
		if (strcmp(d->name, name) == 0 ||
		    (d->alias != NULL && strcmp(d->alias, name) == 0)) {
			*legacy = false;
			return i;
		}
		if (d->legacy != NULL && strcmp(d->legacy, name) == 0) {
			*legacy = true;
			return i;
		}
	}
	return -1;
}

const keyword_t *detect_buffer_keyword_find(const char *name)
{
	bool legacy;
	if (buffer_by_name(name, &legacy) < 0)
		return NULL;
	return legacy ? &legacy_kw : &sticky_kw;
}

int detect_pcre_buffer(char m)
{
	switch (m) {
	case 'U':
		return DB_HTTP_URI;
	case 'I':
		return DB_HTTP_URI_RAW;
	case 'P':
		return DB_HTTP_REQUEST_BODY;
	case 'Q':
		return DB_FILE_DATA;
	case 'H':
		return DB_HTTP_HEADER;
	case 'D':
		return DB_HTTP_HEADER_RAW;
	case 'M':
		return DB_HTTP_METHOD;
	case 'C':
		return DB_HTTP_COOKIE;
	case 'S':
		return DB_HTTP_STAT_CODE;
	case 'Y':
		return DB_HTTP_STAT_MSG;
	case 'V':
		return DB_HTTP_UA;
	case 'W':
		return DB_HTTP_HOST;
	case 'Z':
		return DB_HTTP_HOST_RAW;
	default:
		return -1;
	}
}

/* index of buffer db's list in r, created if needed; -1 on out-of-memory */
static int buflist_get(setu_rule_t *r, int db)
{
	for (uint32_t i = 0; i < r->nbl; i++)
		if (r->bl[i].id == db)
			return (int)i;
	if (r->nbl >= DB_COUNT)
		return -1;
	buflist_t *n = realloc(r->bl, (r->nbl + 1) * sizeof(*n));
	if (n == NULL)
		return -1;
	r->bl = n;
	memset(&n[r->nbl], 0, sizeof(n[r->nbl]));
	n[r->nbl].id = (uint16_t)db;
	n[r->nbl].fp_index = -1;
	return (int)r->nbl++;
}

int kw_sticky_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	(void)arg;
	bool legacy;
	int db = buffer_by_name(pc->kwname, &legacy);
	if (db < 0 || legacy)
		return perr(pc, "%s: not a sticky buffer", pc->kwname);
	int i = buflist_get(r, db);
	if (i < 0)
		return SETU_ENOMEM;
	r->cur_bl = i;
	r->last_bl = i;
	return 0;
}

/* absent (Suricata 8): the sticky buffer must not exist; `absent: or_else`: or, when it
 * exists, its keywords must match. */
int kw_absent_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	if (r->cur_bl < 0)
		return perr(pc, "absent needs a preceding sticky buffer");
	buflist_t *bl = &r->bl[r->cur_bl];
	if (arg == NULL || *arg == '\0') {
		if (bl->l.n > 0)
			return perr(pc,
			            "absent can't be combined with payload keywords on "
			            "the same buffer (use absent: or_else)");
		bl->absent = 1;
	} else if (strcmp(arg, "or_else") == 0) {
		bl->absent = 2;
	} else {
		return perr(pc, "absent: invalid argument '%s' (or_else)", arg);
	}
	return 0;
}

int kw_pkt_data_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	(void)pc;
	(void)arg;
	r->cur_bl = -1;
	r->last_bl = -1;
	return 0;
}

int rule_move_last_to_buffer(parse_ctx_t *pc, setu_rule_t *r, int db, uint8_t type)
{
	sm_list_arr_t *src =
	    r->cur_bl >= 0 ? &r->bl[r->cur_bl].l : &r->lists[LIST_PMATCH];
	uint32_t k = src->n;
	while (k > 0 && src->v[k - 1].type != type)
		k--;
	if (k == 0)
		return perr(pc, "%s needs a preceding %s", pc->kwname,
		            type == SM_PCRE ? "pcre" : "content");
	int bi = buflist_get(r, db);
	if (bi < 0)
		return SETU_ENOMEM;
	/* buflist_get may have moved r->bl: find the source again */
	src = r->cur_bl >= 0 ? &r->bl[r->cur_bl].l : &r->lists[LIST_PMATCH];
	sm_list_arr_t *dst = &r->bl[bi].l;
	if (dst == src)
		return 0;
	if (dst->n == dst->cap) {
		uint32_t nc = dst->cap ? dst->cap * 2 : 4;
		sm_t *nv = realloc(dst->v, nc * sizeof(*nv));
		if (nv == NULL)
			return SETU_ENOMEM;
		dst->v = nv;
		dst->cap = nc;
	}
	dst->v[dst->n++] = src->v[k - 1];
	memmove(&src->v[k - 1], &src->v[k], (src->n - k) * sizeof(*src->v));
	src->n--;
	r->last_bl = bi;
	return 0;
}

int kw_legacy_mod_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	(void)arg;
	bool legacy;
	int db = buffer_by_name(pc->kwname, &legacy);
	if (db < 0 || !legacy)
		return perr(pc, "%s: not a content modifier", pc->kwname);
	if (r->cur_bl >= 0)
		return perr(pc,
		            "%s can't be used after the sticky buffer %s: use the sticky "
		            "buffer form",
		            pc->kwname, detect_buffers[r->bl[r->cur_bl].id].name);
	return rule_move_last_to_buffer(pc, r, db, SM_CONTENT);
}

int kw_uricontent_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	int saved = r->cur_bl;
	r->cur_bl = -1;
	int rc = kw_content_setup(pc, r, arg);
	if (rc == 0)
		rc = rule_move_last_to_buffer(pc, r, DB_HTTP_URI, SM_CONTENT);
	r->cur_bl = saved;
	return rc;
}

int kw_bsize_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	if (r->cur_bl < 0)
		return perr(pc, "bsize needs a sticky buffer");
	if (r->bl[r->cur_bl].absent == 1)
		return perr(pc, "bsize can't follow absent");
	sm_num_t *num = calloc(1, sizeof(*num));
	if (num == NULL)
		return SETU_ENOMEM;
	int rc = parse_cmp(pc, "bsize", arg, UINT32_MAX, num);
	sm_t *sm = rc == 0 ? rule_add_sm(r, LIST_PMATCH, SM_BSIZE) : NULL;
	if (rc == 0 && sm == NULL)
		rc = SETU_ENOMEM;
	if (rc != 0) {
		free(num);
		return rc;
	}
	sm->u.num = num;
	return 0;
}

static int add_txmatch(setu_rule_t *r, uint8_t type, sm_alnum_t *an)
{
	sm_t *sm = rule_add_sm(r, LIST_TXMATCH, type);
	if (sm == NULL) {
		free(an);
		return SETU_ENOMEM;
	}
	sm->u.an = an;
	return 0;
}

/* urilen:[<>]N[<>M][,norm|raw] */
int kw_urilen_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *parts[3];
	int n = split_args(buf, parts, 3);
	if (n < 1 || n > 2)
		return perr(pc, "urilen: invalid argument '%s'", arg);
	sm_alnum_t *an = calloc(1, sizeof(*an));
	if (an == NULL)
		return SETU_ENOMEM;
	int rc = parse_cmp(pc, "urilen", parts[0], 65535, &an->num);
	if (rc == 0 && n == 2) {
		if (strcmp(parts[1], "raw") == 0)
			an->raw = true;
		else if (strcmp(parts[1], "norm") != 0)
			rc = perr(pc, "urilen: unknown option '%s' (norm or raw)",
			          parts[1]);
	}
	if (rc != 0) {
		free(an);
		return rc;
	}
	return add_txmatch(r, SM_URILEN, an);
}

int kw_app_layer_protocol_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *parts[3];
	int n = split_args(buf, parts, 3);
	if (n < 1)
		return perr(pc, "app-layer-protocol: missing protocol");
	char *name = parts[0];
	bool neg = false;
	if (*name == '!') {
		neg = true;
		name = str_trim(name + 1);
	}
	/* Suricata 7's optional mode (final, original, either, direction): the flow's
	 * protocol does not change once detected here, so they all mean the same */
	setu_alproto_t p = setu_alproto_by_name(name);
	if (strcmp(name, "failed") == 0)
		p = SETU_ALPROTO_FAILED;
	if (p == SETU_ALPROTO_UNKNOWN && strcmp(name, "unknown") != 0) {
		char kw[80];
		snprintf(kw, sizeof(kw), "app-layer-protocol:%s", name);
		return punsup(pc, kw);
	}
	sm_t *sm = rule_add_sm(r, LIST_MATCH, SM_APPPROTO);
	if (sm == NULL)
		return SETU_ENOMEM;
	sm->u.u32 = (uint32_t)p | (neg ? 0x100u : 0);
	return 0;
}

/* app-layer-event:<proto>.<event> (Suricata's names, e.g. http.request_smuggling): the
 * event raised on the transaction. app-layer-event:applayer_<event> (protocol detection,
 * e.g. applayer_mismatch_protocol_both_directions): on the packet whose data raised it,
 * as Suricata's packet app-layer events; those setu does not raise are skipped. */
int kw_app_layer_event_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	int dev = setu_applayer_detect_event_by_name(arg);
	if (dev >= 0) {
		sm_t *sm = rule_add_sm(r, LIST_MATCH, SM_ALDET_EVENT);
		if (sm == NULL)
			return SETU_ENOMEM;
		sm->u.u32 = 1u << dev;
		return 0;
	}
	setu_alproto_t p = SETU_ALPROTO_UNKNOWN;
	int bit = setu_applayer_event_by_name(arg, &p);
	if (bit < 0 || p == SETU_ALPROTO_UNKNOWN || p >= SETU_ALPROTO_FAILED) {
		char kw[96];
		snprintf(kw, sizeof(kw), "app-layer-event:%s", arg);
		return punsup(pc, kw);
	}
	sm_alnum_t *an = calloc(1, sizeof(*an));
	if (an == NULL)
		return SETU_ENOMEM;
	an->num.a = (uint64_t)bit;
	an->mask = (uint32_t)p;
	return add_txmatch(r, SM_APPEVENT, an);
}

/* "[!]<cmp>" for dns.opcode / dns.rrtype */
static int num_kw(parse_ctx_t *pc, setu_rule_t *r, const char *kw, const char *arg,
                  uint64_t max, uint8_t type)
{
	sm_alnum_t *an = calloc(1, sizeof(*an));
	if (an == NULL)
		return SETU_ENOMEM;
	while (*arg == ' ')
		arg++;
	if (*arg == '!') { /* [!]N and [!]N-M (Suricata's integer keywords) */
		an->negated = true;
		arg++;
	}
	int rc = parse_cmp(pc, kw, arg, max, &an->num);
	if (rc != 0) {
		free(an);
		return rc;
	}
	return add_txmatch(r, type, an);
}

/* dns.rcode: a number or Suricata's names (noerror, formerr, servfail, nxdomain ...) */
int kw_dns_rcode_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	static const char *const names[] = {"noerror", "formerr", "servfail", "nxdomain",
	                                    "notimp",  "refused", "yxdomain", "yxrrset",
	                                    "nxrrset", "notauth", "notzone"};
	const char *s = arg;
	bool neg = *s == '!';
	if (neg)
		s++;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i]) == 0) {
			char buf[8];
			snprintf(buf, sizeof(buf), "%s%zu", neg ? "!" : "", i);
			return num_kw(pc, r, "dns.rcode", buf, 15, SM_DNS_RCODE);
		}
	return num_kw(pc, r, "dns.rcode", arg, 15, SM_DNS_RCODE);
}

int kw_tls_chain_len_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return num_kw(pc, r, "tls.cert_chain_len", arg, 255, SM_TLS_CHAIN_LEN);
}

int kw_dns_opcode_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return num_kw(pc, r, "dns.opcode", arg, 15, SM_DNS_OPCODE);
}

int kw_dns_rrtype_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	return num_kw(pc, r, "dns.rrtype", arg, 65535, SM_DNS_RRTYPE);
}

/* tls.version: 1.0 1.1 1.2 1.3, 3.0/ssl3, or a hex/decimal wire value */
int kw_tls_version_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	static const struct {
		const char *s;
		uint16_t v;
	} names[] = {{"1.0", 0x0301}, {"1.1", 0x0302}, {"1.2", 0x0303},
	             {"1.3", 0x0304}, {"3.0", 0x0300}, {"ssl3", 0x0300}};
	const char *s = arg;
	bool neg = false;
	if (*s == '!') {
		neg = true;
		s++;
	}
	while (*s == ' ' || *s == '"')
		s++;
	char v[32];
	snprintf(v, sizeof(v), "%s", s);
	size_t l = strlen(v);
	while (l > 0 && (v[l - 1] == '"' || v[l - 1] == ' '))
		v[--l] = '\0';
	long val = -1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i].s) == 0)
			val = names[i].v;
	if (val < 0) {
		char *end;
		val = strtol(v, &end, 0);
		if (end == v || *end != '\0' || val < 0 || val > 0xffff)
			return perr(pc, "tls.version: invalid version '%s'", arg);
	}
	sm_alnum_t *an = calloc(1, sizeof(*an));
	if (an == NULL)
		return SETU_ENOMEM;
	an->num.op = CMP_EQ;
	an->num.a = (uint64_t)val;
	an->negated = neg;
	return add_txmatch(r, SM_TLS_VERSION, an);
}

/* ssl_version bits */
enum {
	SV_SSL2 = 1,
	SV_SSL3 = 2,
	SV_TLS10 = 4,
	SV_TLS11 = 8,
	SV_TLS12 = 16,
	SV_TLS13 = 32
};

int kw_ssl_version_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	static const struct {
		const char *s;
		uint32_t bit;
	} names[] = {{"sslv2", SV_SSL2},   {"sslv3", SV_SSL3},   {"tls1.0", SV_TLS10},
	             {"tls1.1", SV_TLS11}, {"tls1.2", SV_TLS12}, {"tls1.3", SV_TLS13}};
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *parts[8];
	int n = split_args(buf, parts, 8);
	if (n < 1)
		return perr(pc, "ssl_version: invalid argument '%s'", arg);
	sm_alnum_t *an = calloc(1, sizeof(*an));
	if (an == NULL)
		return SETU_ENOMEM;
	for (int i = 0; i < n; i++) {
		char *s = parts[i];
		bool neg = *s == '!';
		if (neg)
			s = str_trim(s + 1);
		uint32_t bit = 0;
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (strcasecmp(s, names[k].s) == 0)
				bit = names[k].bit;
		if (bit == 0) {
			free(an);
			return perr(pc, "ssl_version: unknown version '%s'", s);
		}
		if (neg)
			an->num.b |= bit; /* excluded versions */
		else
			an->mask |= bit;
	}
	return add_txmatch(r, SM_SSL_VERSION, an);
}

/* ssl_state: client_hello, server_hello, server_keyx, unknown, with '|' (any of) and
 * '!'; client_keyx is skipped (see below) */
int kw_ssl_state_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", arg);
	sm_alnum_t *an = calloc(1, sizeof(*an));
	if (an == NULL)
		return SETU_ENOMEM;
	char *save = NULL;
	for (char *t = strtok_r(buf, "|,", &save); t != NULL;
	     t = strtok_r(NULL, "|,", &save)) {
		t = str_trim(t);
		bool neg = *t == '!';
		if (neg)
			t = str_trim(t + 1);
		static const struct {
			const char *name;
			uint32_t bit;
		} states[] = {{"client_hello", SETU_TLS_ST_CLIENT_HELLO},
		              {"server_hello", SETU_TLS_ST_SERVER_HELLO},
		              {"server_keyx", SETU_TLS_ST_SERVER_KEYX},
		              {"unknown", SETU_TLS_ST_UNKNOWN}};
		uint32_t bit = 0;
		for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++)
			if (strcmp(t, states[k].name) == 0)
				bit = states[k].bit;
		if (bit == 0 && strcmp(t, "client_keyx") == 0) {
			/* a TLS transaction is complete (and inspected) at
			 * ServerHelloDone, as Suricata logs it: the client's key exchange
			 * comes after it */
			free(an);
			return punsup(pc, "ssl_state:client_keyx");
		}
		if (bit == 0) {
			free(an);
			return perr(pc, "ssl_state: unknown state '%s'", t);
		}
		if (neg)
			an->num.b |= bit;
		else
			an->mask |= bit;
	}
	return add_txmatch(r, SM_SSL_STATE, an);
}

/* tls.subject:"..." / tls.issuerdn:"..." / tls.fingerprint:"...": Suricata's legacy
 * substring matches, expressed as a content on the matching sticky buffer */
int kw_tls_legacy_str_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	int db = strcmp(pc->kwname, "tls.subject") == 0    ? DB_TLS_SUBJECT
	         : strcmp(pc->kwname, "tls.issuerdn") == 0 ? DB_TLS_ISSUER
	                                                   : DB_TLS_FINGERPRINT;
	int bi = buflist_get(r, db);
	if (bi < 0)
		return SETU_ENOMEM;
	int saved = r->cur_bl;
	r->cur_bl = bi;
	int rc = kw_content_setup(pc, r, arg);
	r->cur_bl = saved;
	/* fingerprints are hex: Suricata compares them without regard to case */
	if (rc == 0 && db == DB_TLS_FINGERPRINT) {
		sm_list_arr_t *l = &r->bl[bi].l;
		l->v[l->n - 1].u.ct->flags |= CT_NOCASE;
	}
	return rc;
}

int kw_tls_validity_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	(void)arg;
	sm_t *sm = rule_add_sm(r, LIST_TXMATCH, SM_TLS_CERT_VALID);
	if (sm == NULL)
		return SETU_ENOMEM;
	sm->u.u32 = strstr(pc->kwname, "valid") != NULL ? 1 : 0;
	return 0;
}

/* YYYY[-MM[-DD[THH:MM[:SS]]]] (UTC) to seconds since the epoch */
static int parse_date(const char *s, uint64_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	int y = 0, mo = 1, d = 1, h = 0, mi = 0, se = 0;
	int n = sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se);
	if (n < 1 || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	for (const char *c = s; *c; c++)
		if (!isdigit((unsigned char)*c) && *c != '-' && *c != 'T' && *c != ':')
			return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	time_t t = timegm(&tm);
	if (t < 0)
		return -1;
	*out = (uint64_t)t;
	return 0;
}

/* tls.cert_notbefore / notafter: [<|>]date or date<>date */
int kw_tls_date_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	char buf[96];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *s = str_trim(buf);
	sm_alnum_t *an = calloc(1, sizeof(*an));
	if (an == NULL)
		return SETU_ENOMEM;
	int rc = 0;
	char *rng = strstr(s, "<>");
	if (rng != NULL) {
		*rng = '\0';
		an->num.op = CMP_RANGE;
		if (parse_date(str_trim(s), &an->num.a) != 0 ||
		    parse_date(str_trim(rng + 2), &an->num.b) != 0)
			rc = -1;
	} else {
		an->num.op = CMP_EQ;
		if (*s == '<' || *s == '>') {
			an->num.op = *s == '<' ? CMP_LT : CMP_GT;
			s = str_trim(s + 1);
		}
		if (parse_date(s, &an->num.a) != 0)
			rc = -1;
	}
	if (rc != 0) {
		free(an);
		return perr(pc, "%s: invalid date '%s' (YYYY-MM-DD[THH:MM:SS])",
		            pc->kwname, arg);
	}
	bool after = strstr(pc->kwname, "notafter") != NULL;
	return add_txmatch(r, after ? SM_TLS_NOTAFTER : SM_TLS_NOTBEFORE, an);
}

/* tls.store: Suricata writes the certificate chain to disk. setu has no file store:
 * the keyword is accepted and stores nothing (the rule still matches and alerts). */
int kw_tls_store_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	(void)pc;
	(void)arg;
	sm_t *sm = rule_add_sm(r, LIST_TXMATCH, SM_TLS_STORE);
	return sm == NULL ? SETU_ENOMEM : 0;
}

int kw_transform_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	(void)arg;
	static const struct {
		const char *s;
		uint8_t tf;
	} names[] = {{"dotprefix", TF_DOTPREFIX},
	             {"to_lowercase", TF_TO_LOWER},
	             {"to_uppercase", TF_TO_UPPER},
	             {"url_decode", TF_URL_DECODE},
	             {"strip_whitespace", TF_STRIP_WS},
	             {"compress_whitespace", TF_COMPRESS_WS},
	             {"header_lowercase", TF_HEADER_LOWER},
	             {"strip_pseudo_headers", TF_STRIP_PSEUDO}};
	if (r->cur_bl < 0)
		return perr(pc, "transform %s needs a preceding sticky buffer",
		            pc->kwname);
	buflist_t *bl = &r->bl[r->cur_bl];
	if (bl->l.n > 0)
		return perr(pc, "transforms must directly follow the sticky buffer");
	if (bl->ntf >= DETECT_MAX_TRANSFORMS)
		return perr(pc, "too many transforms (max %d)", DETECT_MAX_TRANSFORMS);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(pc->kwname, names[i].s) == 0) {
			bl->tf[bl->ntf++] = names[i].tf;
			return 0;
		}
	return punsup(pc, pc->kwname);
}

/* ---- finalisation ---- */

static uint8_t txmatch_proto(uint8_t type)
{
	switch (type) {
	case SM_URILEN:
		return SETU_ALPROTO_HTTP;
	case SM_DNS_OPCODE:
	case SM_DNS_RRTYPE:
	case SM_DNS_RCODE:
		return SETU_ALPROTO_DNS;
	default:
		return SETU_ALPROTO_TLS;
	}
}

int kw_applayer_finalize(parse_ctx_t *pc, setu_rule_t *r)
{
	int rc;
	for (uint32_t i = 0; i < r->nbl; i++)
		if ((rc = kw_list_finalize(pc, &r->bl[i].l, &r->bl[i].fp_index)) != 0)
			return rc;
	const sm_list_arr_t *tl = &r->lists[LIST_TXMATCH];
	if (r->nbl == 0 && tl->n == 0)
		return 0;
	/* the protocol: from the header, or from the keywords */
	uint8_t proto = r->alproto;
	bool req = false, resp = false;
	for (uint32_t i = 0; i < r->nbl + tl->n; i++) {
		uint8_t p;
		const char *kw;
		if (i < r->nbl) {
			const detect_buffer_def_t *d = &detect_buffers[r->bl[i].id];
			p = d->alproto;
			kw = d->name;
			req = req || d->dirs == 1;
			resp = resp || d->dirs == 2;
		} else {
			uint8_t t = tl->v[i - r->nbl].type;
			p = t == SM_APPEVENT ? (uint8_t)tl->v[i - r->nbl].u.an->mask
			                     : txmatch_proto(t);
			kw = t == SM_URILEN ? "urilen" : "tls/dns keyword";
			req = req || t == SM_URILEN;
			resp = resp || t == SM_TLS_CHAIN_LEN;
		}
		if (p == proto)
			continue;
		if (proto == 0 && !(r->flags & RF_APPLAYER)) {
			proto = p;
			continue;
		}
		pc->col = 0;
		if (r->flags & RF_APPLAYER) {
			/* the header names a protocol setu does not parse (smtp
			 * file_data ...) or another one: the buffer is never filled */
			char name[96];
			snprintf(name, sizeof(name), "%s (%s rule)", kw, r->applayer);
			return punsup(pc, name);
		}
		return perr(pc, "rule mixes keywords of protocols %s and %s (%s)",
		            setu_alproto_name((setu_alproto_t)proto),
		            setu_alproto_name((setu_alproto_t)p), kw);
	}
	r->alproto = proto;
	r->flags |= RF_TX;
	/* the prefilter pattern: an explicit fast_pattern, else the longest positive
	 * content of any buffer. The prefilter scans buffers untransformed: a pattern
	 * on a transformed buffer is used only when the engine can derive from it a
	 * string the untransformed buffer must hold (dotprefix, to_lowercase,
	 * to_uppercase: see tx_fp in detect-engine.c); other rules are not
	 * prefiltered */
	r->tx_fp_bl = -1;
	uint32_t best = 0;
	for (uint32_t i = 0; i < r->nbl; i++) {
		const buflist_t *bl = &r->bl[i];
		if (bl->fp_index < 0)
			continue;
		const sm_content_t *ct = bl->l.v[bl->fp_index].u.ct;
		if (ct->flags & CT_NEGATED)
			continue;
		bool explicit_fp = (ct->flags & CT_FAST_PATTERN) != 0;
		if (explicit_fp || ct->len > best) {
			r->tx_fp_bl = (int32_t)i;
			best = ct->len;
		}
		if (explicit_fp)
			break;
	}
	if (r->tx_fp_bl >= 0) {
		const buflist_t *bl = &r->bl[r->tx_fp_bl];
		for (uint32_t t = 0; t < bl->ntf; t++)
			if (bl->tf[t] != TF_DOTPREFIX && bl->tf[t] != TF_TO_LOWER &&
			    bl->tf[t] != TF_TO_UPPER)
				r->tx_fp_bl = -1;
	}
	uint32_t fdir = 0;
	for (uint32_t i = 0; i < r->lists[LIST_MATCH].n; i++)
		if (r->lists[LIST_MATCH].v[i].type == SM_FLOW)
			fdir =
			    r->lists[LIST_MATCH].v[i].u.u32 & (FL_TOSERVER | FL_TOCLIENT);
	if (resp) {
		if (fdir == FL_TOSERVER) {
			pc->col = 0;
			return perr(pc, "response buffers can't be used with "
			                "flow:to_server");
		}
		r->txdir = 2;
	} else if (req) {
		/* request buffers with to_client: inspected with the response (the
		 * request is known by then), as Suricata does for mixed rules */
		r->txdir = fdir == FL_TOCLIENT ? 2 : 1;
	} else {
		r->txdir = fdir == FL_TOSERVER ? 1 : fdir == FL_TOCLIENT ? 2 : 3;
	}
	return 0;
}
