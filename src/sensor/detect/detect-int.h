/* detect-int.h — internal structures of the detection engine: parsed rules, their match
 * lists (Suricata's MATCH / PMATCH / POSTMATCH), keyword table, and parse context. */
#ifndef SETU_DETECT_INT_H
#define SETU_DETECT_INT_H

#include "common/limits.h"
#include "detect.h"
#include "sensor/applayer/applayer.h"

#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>

typedef unsigned __int128 u128;

/* ---- address and port sets: sorted, disjoint, inclusive ranges ---- */
typedef struct iprange {
	uint8_t fam; /* 4, 6 (addresses) or 0 (ports) */
	u128 lo, hi;
} iprange_t;

/* Stored compact for matching: ports and IPv4 ranges as u32 pairs (the common case,
 * compared without 128-bit arithmetic), IPv6 ranges as u128 pairs; both ascending. */
typedef struct ipset {
	uint32_t *r32; /* owned [2 * n32]: lo, hi of ports (port sets) or IPv4 */
	u128 *r6;      /* owned [2 * n6]: lo, hi of IPv6 ranges */
	uint32_t n32, n6;
	bool any; /* covers the whole space (fast path) */
} ipset_t;

void ipset_free(ipset_t *s);
bool ipset_match_addr(const ipset_t *s, const setu_addr_t *a);
bool ipset_match_port(const ipset_t *s, uint16_t port);
/* v in the set's u32 ranges (a port, or an IPv4 address in host order) */
bool ipset_match_u32(const ipset_t *s, uint32_t v);

/* an IPv4 address in host order */
static inline uint32_t detect_addr_v4(const setu_addr_t *a)
{
	return (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 |
	       (uint32_t)a->b[2] << 8 | a->b[3];
}
/* an IPv6 address as a number */
static inline u128 detect_addr_v6(const setu_addr_t *a)
{
	u128 v = 0;
	for (int i = 0; i < 16; i++)
		v = (v << 8) | a->b[i];
	return v;
}

/* ---- vars ---- */
typedef struct var_entry {
	char *name;  /* owned, without '$' */
	char *value; /* owned */
} var_entry_t;

typedef struct var_table {
	var_entry_t *v;
	size_t n, cap;
} var_table_t;

/* ---- match kinds ---- */
enum sm_type {
	SM_CONTENT = 1,
	SM_PCRE,
	SM_BYTE_TEST,
	SM_BYTE_JUMP,
	SM_BYTE_EXTRACT,
	SM_BYTE_MATH,
	SM_ISDATAAT,
	/* header (MATCH list) */
	SM_DSIZE,
	SM_TTL,
	SM_TOS,
	SM_IPOPTS,
	SM_FRAGBITS,
	SM_FRAGOFFSET,
	SM_ID,
	SM_IPPROTO,
	SM_SAMEIP,
	SM_FLAGS,
	SM_SEQ,
	SM_ACK,
	SM_WINDOW,
	SM_TCPMSS,
	SM_ITYPE,
	SM_ICODE,
	SM_ICMP_ID,
	SM_ICMP_SEQ,
	SM_FLOW,
	SM_FLOWBITS,
	SM_FLOWINT,
	SM_EVENT,
	SM_APPPROTO, /* app-layer-protocol (MATCH) */
	/* buffer lists */
	SM_BSIZE,
	/* tx-level (LIST_TXMATCH): numeric/state checks on a transaction */
	SM_URILEN,
	SM_DNS_OPCODE,
	SM_DNS_RRTYPE,
	SM_DNS_RCODE,
	SM_TLS_CHAIN_LEN,
	SM_TLS_VERSION,
	SM_SSL_VERSION,
	SM_SSL_STATE,
	SM_TLS_CERT_VALID, /* u32: 1 valid, 0 expired */
	SM_TLS_NOTBEFORE,
	SM_TLS_NOTAFTER,
	SM_TLS_STORE,
	SM_APPEVENT, /* app-layer-event on a tx: an->num.a = event bit, an->mask = proto
	              */
	/* app-layer-event:applayer_* (protocol detection) on the packet whose data
	 * raised it: u32 = 1u << SETU_AL_DEV_* */
	SM_ALDET_EVENT,
};

/* LIST_TXMATCH: transaction-level checks of app-layer rules (urilen, dns.opcode ...) */
enum sm_list { LIST_MATCH = 0, LIST_PMATCH, LIST_POSTMATCH, LIST_TXMATCH, LIST_COUNT };

/* A value that is a literal or a byte_extract/byte_math variable. */
typedef struct numval {
	int64_t v;
	int8_t var; /* -1 = literal, else variable index */
} numval_t;

/* content flags */
#define CT_NOCASE (1u << 0)
#define CT_NEGATED (1u << 1)
#define CT_DEPTH (1u << 2)
#define CT_OFFSET (1u << 3)
#define CT_DISTANCE (1u << 4)
#define CT_WITHIN (1u << 5)
#define CT_STARTSWITH (1u << 6)
#define CT_ENDSWITH (1u << 7)
#define CT_FAST_PATTERN (1u << 8)
#define CT_FP_ONLY (1u << 9)
#define CT_FP_CHOP (1u << 10)
#define CT_RAWBYTES (1u << 11)
#define CT_RELATIVE_NEXT                                               \
	(1u << 12) /* the next payload keyword is relative to this one \
	            */

typedef struct sm_content {
	uint8_t *pat; /* owned */
	uint32_t len;
	uint32_t flags;
	numval_t depth, offset, distance, within;
	uint32_t fp_off, fp_len; /* fast_pattern:<off>,<len> */
} sm_content_t;

#define RX_RELATIVE (1u << 0)
#define RX_NEGATED (1u << 1)
#define RX_RELATIVE_NEXT (1u << 2)
#define RX_NOLIMIT (1u << 3) /* 'O': no match limits */
typedef struct sm_pcre {
	pcre2_code *re; /* owned */
	uint32_t flags;
} sm_pcre_t;

/* byte_* flags */
#define BY_RELATIVE (1u << 0)
#define BY_LITTLE (1u << 1)
#define BY_STRING (1u << 2)
#define BY_NEGATE (1u << 3)
#define BY_ALIGN (1u << 4)
#define BY_BEGIN (1u << 5)
#define BY_END (1u << 6)
#define BY_BITMASK (1u << 7)
#define BY_DCE (1u << 8)
#define BY_RELATIVE_NEXT (1u << 9)

typedef struct sm_byte {
	uint8_t nbytes;
	uint8_t base; /* 8/10/16 when BY_STRING */
	uint8_t op;   /* byte_test: '<','>','=','&','^', 'l' (<=), 'g' (>=);
	                 byte_math: + - * / 'L' (<<) 'R' (>>) */
	uint32_t flags;
	numval_t offset;
	numval_t value; /* byte_test value / byte_math rvalue */
	uint32_t multiplier;
	uint32_t align; /* byte_extract align */
	int32_t post_offset;
	uint64_t bitmask;
	int8_t result_var; /* byte_extract / byte_math: variable written */
	int8_t nbytes_var; /* byte_test/byte_jump: number of bytes from a variable, -1
	                      none */
} sm_byte_t;

typedef struct sm_isdataat {
	numval_t n;
	bool relative, negated;
} sm_isdataat_t;

/* numeric comparisons: dsize, ttl, id, seq, icmp_id, window, tcp.mss, itype, icode ... */
enum { CMP_EQ, CMP_NE, CMP_LT, CMP_GT, CMP_LE, CMP_GE, CMP_RANGE };
typedef struct sm_num {
	uint8_t op;
	uint64_t a, b; /* CMP_RANGE: exclusive a < x < b (Suricata's N<>M) */
} sm_num_t;

typedef struct sm_bits { /* flags, fragbits, ipopts */
	uint8_t mode;    /* 0 exact, '+' all of, '*' any of, '!' not all of */
	uint16_t bits;
	uint16_t mask; /* bits to ignore (flags), 0 otherwise */
	bool negated;
} sm_bits_t;

/* flow keyword flags */
#define FL_ESTABLISHED (1u << 0)
#define FL_NOT_ESTABLISHED (1u << 1)
#define FL_STATELESS (1u << 2)
#define FL_TOSERVER (1u << 3)
#define FL_TOCLIENT (1u << 4)
#define FL_ONLY_STREAM (1u << 5)
#define FL_NO_STREAM (1u << 6)
#define FL_ONLY_FRAG (1u << 7)
#define FL_NO_FRAG (1u << 8)

enum { FB_SET, FB_UNSET, FB_TOGGLE, FB_ISSET, FB_ISNOTSET };
typedef struct sm_flowbits {
	uint8_t cmd;
	bool or_form;    /* names joined by '|' (any of) vs '&' (all of) */
	uint32_t expire; /* setx: seconds; 0 = never */
	uint16_t n;
	uint32_t *idx; /* owned: flowbit indices */
} sm_flowbits_t;

enum {
	FI_SET,
	FI_ADD,
	FI_SUB,
	FI_EQ,
	FI_NE,
	FI_LT,
	FI_LE,
	FI_GT,
	FI_GE,
	FI_ISSET,
	FI_NOTSET
};
typedef struct sm_flowint {
	uint8_t op;
	uint32_t idx;
	bool val_is_var;
	uint32_t val_idx;
	uint32_t val;
} sm_flowint_t;

/* app-layer keyword matches with more than a number (see detect-tx.c) */
typedef struct sm_alnum {
	sm_num_t num;
	bool negated;
	bool raw;      /* urilen: on the raw uri */
	uint32_t mask; /* ssl_version / ssl_state bits */
	bool and_form; /* ssl_state: all of (',') vs any of ('|') */
} sm_alnum_t;

typedef struct sm {
	uint8_t type; /* SM_* */
	uint8_t
	    arena; /* payload (u) lives in the engine arena; only PCRE2 code is freed */
	union {
		sm_content_t *ct;
		sm_pcre_t *rx;
		sm_byte_t *by;
		sm_isdataat_t *da;
		sm_num_t *num;
		sm_bits_t *bits;
		sm_flowbits_t *fb;
		sm_flowint_t *fi;
		sm_alnum_t *an;
		uint32_t u32; /* flow flags, event id */
	} u;
	sm_num_t *num2; /* unused by current keywords; freed if set */
} sm_t;

typedef struct sm_list_arr {
	sm_t *v;
	uint32_t n, cap;
} sm_list_arr_t;

/* thresholds */
enum {
	TH_NONE,
	TH_LIMIT,
	TH_THRESHOLD,
	TH_BOTH,
	TH_DETECTION_FILTER,
	TH_BACKOFF,
	TH_RATE_FILTER
};
enum { TRACK_SRC, TRACK_DST, TRACK_RULE, TRACK_BOTH, TRACK_FLOW, TRACK_EITHER };
typedef struct threshold {
	uint8_t type;
	uint8_t track;
	uint32_t count;
	uint32_t seconds;
	uint32_t multiplier;      /* backoff */
	setu_action_t new_action; /* rate_filter */
	uint32_t timeout;         /* rate_filter */
} threshold_t;

/* threshold.config entries (Suricata "Global-Thresholds") */
enum { THC_THRESHOLD, THC_SUPPRESS, THC_RATE };
typedef struct th_cfg {
	uint8_t kind;      /* THC_* */
	uint32_t gid, sid; /* sid 0 = every rule (of gid, or all when gid 0 too) */
	threshold_t th;    /* THC_THRESHOLD / THC_RATE */
	uint8_t
	    sup_track; /* THC_SUPPRESS with ip: TRACK_SRC, TRACK_DST or TRACK_EITHER */
	bool has_ip;
	ipset_t ip;
} th_cfg_t;

/* rule flags */
#define RF_BIDIR (1u << 0)
#define RF_NOALERT (1u << 1)
#define RF_APPLAYER (1u << 2) /* header protocol is an app-layer name */
#define RF_REQ_PACKET                                                                  \
	(1u << 3)               /* inspect packet payloads (even of streamed segments) \
	                         */
#define RF_REQ_STREAM (1u << 4) /* inspect reassembled stream data */
#define RF_STREAM_ONLY (1u << 5)
#define RF_TAG (1u << 6)
#define RF_SRC_ANY (1u << 7)
#define RF_DST_ANY (1u << 8)
#define RF_SP_ANY (1u << 9)
#define RF_DP_ANY (1u << 10)
#define RF_PKTHDR (1u << 11)   /* pkthdr: any packet, even undecoded */
#define RF_PKT_ONLY (1u << 12) /* dsize, flow:no_stream, tcp-pkt: never on the stream */
/* payload keywords anchored to the buffer start (depth/offset/startswith, absolute
 * isdataat/byte_*, a pcre anchored with ^ and not relative): on the stream they see the
 * new data only, from its first byte, as Suricata's raw-progress buffer does */
#define RF_ANCHORED (1u << 13)
#define RF_TX (1u << 14)      /* inspected per app-layer transaction (setu_detect_tx) */
#define RF_TXBIDIR (1u << 15) /* '=>': header in the client->server sense, both sides */
/* header protocol is an app-layer protocol setu does not parse: loaded, never matches */
#define RF_PENDING(r) (((r)->flags & RF_APPLAYER) && (r)->alproto == 0)

/* header protocol classes */
enum {
	RP_IP,
	RP_TCP,
	RP_UDP,
	RP_ICMP4,
	RP_ICMP6,
	RP_ICMP_ANY,
	RP_SCTP,
	RP_PKTHDR,
	RP_IGMP
};

#define DETECT_MAX_VARS 16

/* ---- app-layer buffers (Suricata sticky buffers), kw-applayer.c ----
 * X(id, sticky name, alias or NULL, legacy content modifier or NULL, app proto,
 *   directions: 1 request/toserver, 2 response/toclient, 3 both) */
#define DETECT_BUFFERS(X)                                                               \
	X(HTTP_URI, "http.uri", NULL, "http_uri", SETU_ALPROTO_HTTP, 1)                 \
	X(HTTP_URI_RAW, "http.uri.raw", NULL, "http_raw_uri", SETU_ALPROTO_HTTP, 1)     \
	X(HTTP_METHOD, "http.method", NULL, "http_method", SETU_ALPROTO_HTTP, 1)        \
	X(HTTP_HOST, "http.host", NULL, "http_host", SETU_ALPROTO_HTTP, 1)              \
	X(HTTP_HOST_RAW, "http.host.raw", NULL, "http_raw_host", SETU_ALPROTO_HTTP, 1)  \
	X(HTTP_UA, "http.user_agent", NULL, "http_user_agent", SETU_ALPROTO_HTTP, 1)    \
	X(HTTP_HEADER, "http.header", NULL, "http_header", SETU_ALPROTO_HTTP, 3)        \
	X(HTTP_HEADER_RAW, "http.header.raw", NULL, "http_raw_header",                  \
	  SETU_ALPROTO_HTTP, 3)                                                         \
	X(HTTP_COOKIE, "http.cookie", NULL, "http_cookie", SETU_ALPROTO_HTTP, 3)        \
	X(HTTP_STAT_CODE, "http.stat_code", NULL, "http_stat_code", SETU_ALPROTO_HTTP,  \
	  2)                                                                            \
	X(HTTP_STAT_MSG, "http.stat_msg", NULL, "http_stat_msg", SETU_ALPROTO_HTTP, 2)  \
	X(HTTP_REQUEST_LINE, "http.request_line", "http_request_line", NULL,            \
	  SETU_ALPROTO_HTTP, 1)                                                         \
	X(HTTP_RESPONSE_LINE, "http.response_line", "http_response_line", NULL,         \
	  SETU_ALPROTO_HTTP, 2)                                                         \
	X(HTTP_REQUEST_BODY, "http.request_body", NULL, "http_client_body",             \
	  SETU_ALPROTO_HTTP, 1)                                                         \
	X(HTTP_RESPONSE_BODY, "http.response_body", NULL, "http_server_body",           \
	  SETU_ALPROTO_HTTP, 2)                                                         \
	X(FILE_DATA, "file_data", "file.data", NULL, SETU_ALPROTO_HTTP, 3)              \
	X(HTTP_CONTENT_TYPE, "http.content_type", NULL, NULL, SETU_ALPROTO_HTTP, 3)     \
	X(HTTP_CONTENT_LEN, "http.content_len", NULL, NULL, SETU_ALPROTO_HTTP, 3)       \
	X(HTTP_REFERER, "http.referer", NULL, NULL, SETU_ALPROTO_HTTP, 1)               \
	X(HTTP_ACCEPT, "http.accept", NULL, NULL, SETU_ALPROTO_HTTP, 1)                 \
	X(HTTP_ACCEPT_ENC, "http.accept_enc", NULL, NULL, SETU_ALPROTO_HTTP, 1)         \
	X(HTTP_ACCEPT_LANG, "http.accept_lang", NULL, NULL, SETU_ALPROTO_HTTP, 1)       \
	X(HTTP_CONNECTION, "http.connection", NULL, NULL, SETU_ALPROTO_HTTP, 3)         \
	X(HTTP_PROTOCOL, "http.protocol", NULL, NULL, SETU_ALPROTO_HTTP, 3)             \
	X(HTTP_START, "http.start", NULL, NULL, SETU_ALPROTO_HTTP, 3)                   \
	X(HTTP_LOCATION, "http.location", NULL, NULL, SETU_ALPROTO_HTTP, 2)             \
	X(HTTP_SERVER, "http.server", NULL, NULL, SETU_ALPROTO_HTTP, 2)                 \
	X(HTTP_HEADER_NAMES, "http.header_names", NULL, NULL, SETU_ALPROTO_HTTP, 3)     \
	X(DNS_QUERY, "dns.query", "dns_query", NULL, SETU_ALPROTO_DNS, 1)               \
	X(DNS_QUERIES_RRNAME, "dns.queries.rrname", "dns.query.name", NULL,             \
	  SETU_ALPROTO_DNS, 3)                                                          \
	X(DNS_ANSWERS_RRNAME, "dns.answers.rrname", "dns.answer.name", NULL,            \
	  SETU_ALPROTO_DNS, 3)                                                          \
	X(DNS_AUTH_RRNAME, "dns.authorities.rrname", NULL, NULL, SETU_ALPROTO_DNS, 3)   \
	X(DNS_ADDL_RRNAME, "dns.additionals.rrname", NULL, NULL, SETU_ALPROTO_DNS, 3)   \
	X(DNS_RESPONSE_RRNAME, "dns.response.rrname", NULL, NULL, SETU_ALPROTO_DNS, 2)  \
	X(HTTP_REQUEST_HEADER, "http.request_header", NULL, NULL, SETU_ALPROTO_HTTP, 1) \
	X(HTTP_RESPONSE_HEADER, "http.response_header", NULL, NULL, SETU_ALPROTO_HTTP,  \
	  2)                                                                            \
	X(TLS_ALPN, "tls.alpn", NULL, NULL, SETU_ALPROTO_TLS, 1)                        \
	X(TLS_SNI, "tls.sni", "tls_sni", NULL, SETU_ALPROTO_TLS, 1)                     \
	X(TLS_SUBJECT, "tls.cert_subject", NULL, NULL, SETU_ALPROTO_TLS, 3)             \
	X(TLS_ISSUER, "tls.cert_issuer", NULL, NULL, SETU_ALPROTO_TLS, 3)               \
	X(TLS_SERIAL, "tls.cert_serial", "tls_cert_serial", NULL, SETU_ALPROTO_TLS, 3)  \
	X(TLS_FINGERPRINT, "tls.cert_fingerprint", "tls_cert_fingerprint", NULL,        \
	  SETU_ALPROTO_TLS, 3)                                                          \
	X(TLS_CERTS, "tls.certs", NULL, NULL, SETU_ALPROTO_TLS, 3)                      \
	X(TLS_SAN, "tls.subjectaltname", NULL, NULL, SETU_ALPROTO_TLS, 2)               \
	X(JA3_HASH, "ja3.hash", "ja3_hash", NULL, SETU_ALPROTO_TLS, 1)                  \
	X(JA3_STRING, "ja3.string", "ja3_string", NULL, SETU_ALPROTO_TLS, 1)            \
	X(JA3S_HASH, "ja3s.hash", "ja3s_hash", NULL, SETU_ALPROTO_TLS, 2)               \
	X(JA3S_STRING, "ja3s.string", "ja3s_string", NULL, SETU_ALPROTO_TLS, 2)         \
	X(JA4_HASH, "ja4.hash", "ja4_hash", NULL, SETU_ALPROTO_TLS, 1)
enum detect_buffer {
#define DB_ENUM(id, name, alias, legacy, proto, dirs) DB_##id,
	DETECT_BUFFERS(DB_ENUM)
#undef DB_ENUM
	    DB_COUNT
};
typedef struct detect_buffer_def {
	const char *name, *alias, *legacy;
	uint8_t alproto; /* setu_alproto_t */
	uint8_t dirs;
} detect_buffer_def_t;
extern const detect_buffer_def_t detect_buffers[DB_COUNT];

/* transforms (Suricata "Transformations"), applied in order to a buffer copy */
enum {
	TF_DOTPREFIX = 1,
	TF_TO_LOWER,
	TF_TO_UPPER,
	TF_URL_DECODE,
	TF_STRIP_WS,
	TF_COMPRESS_WS,
	TF_HEADER_LOWER, /* header_lowercase */
	TF_STRIP_PSEUDO, /* strip_pseudo_headers (HTTP/2 only: nothing in HTTP/1) */
};
#define DETECT_MAX_TRANSFORMS 8

/* One sticky buffer's payload keywords in a rule (Suricata: a buffer's SigMatch list). */
typedef struct buflist {
	uint16_t id;    /* DB_* */
	uint8_t absent; /* `absent`: 1 the buffer must be absent, 2 absent or matching */
	uint8_t ntf;
	uint8_t tf[DETECT_MAX_TRANSFORMS];
	sm_list_arr_t l;
	int32_t fp_index;
} buflist_t;

typedef struct setu_rule {
	setu_rule_info_t info;
	uint32_t flags;  /* RF_* */
	uint8_t rproto;  /* RP_* */
	uint8_t ipver;   /* 0 any, 4 or 6 (ipv4/ipv6 header protocols) */
	char *applayer;  /* owned: app-layer protocol name when RF_APPLAYER */
	uint8_t alproto; /* setu_alproto_t the rule needs (header or buffers), 0 any */
	uint8_t
	    txdir; /* RF_TX: 1 inspect the request side, 2 the response side, 3 both */
	int32_t
	    cur_bl; /* while parsing: active sticky buffer (index in bl), -1 payload */
	int32_t last_bl; /* while parsing: list that got the last payload keyword (content
	                    modifiers bind to it), -1 payload */
	buflist_t *bl;   /* owned: sticky buffer lists */
	uint32_t nbl;
	int32_t tx_fp_bl; /* RF_TX: buffer list holding the prefilter pattern, -1 none */
	ipset_t src, dst, sp, dp;
	sm_list_arr_t lists[LIST_COUNT];
	int32_t fp_index;   /* PMATCH index of the fast-pattern content, -1 none */
	uint8_t nvars;      /* byte_extract/byte_math variables */
	bool prio_explicit; /* `priority:` given */
	char *varnames[DETECT_MAX_VARS];
	threshold_t th; /* from the rule; may be replaced by threshold.config */
	uint32_t order; /* load order: alerts are reported in rule order */
	/* [tcp, udp][to server, to client]: bit i = priority port i, bit 31 = any-port
	 * group, 0 = the rule cannot match there */
	uint32_t portmask[2][2];
	uint32_t idx;              /* index in the engine's rule array */
	const th_cfg_t **suppress; /* owned array of borrowed entries */
	size_t nsuppress;
	const th_cfg_t *rate; /* borrowed; rate_filter */
	/* owned storage for info */
	char **meta_store;
	char **ref_store;
	bool arena;     /* struct, arrays and strings live in the engine arena (except
	                   suppress, which grows after load, and payloads of sms without
	                   `arena`) */
	bool arena_sms; /* arena rule with sms still owning memory (PCRE2 code, payloads
	                   not moved): setu_rule_free walks its lists only then */
} setu_rule_t;

/* Whether r is inspected on a TCP packet whose payload the reassembled stream inspects
 * ("covered"): not if it is stream-only, nor if it inspects the stream and does not need
 * the packet (Suricata: SIG_FLAG_REQUIRE_STREAM without SIG_FLAG_REQUIRE_PACKET). */
static inline bool detect_rule_on_covered(const setu_rule_t *r)
{
	if (r->flags & RF_STREAM_ONLY)
		return false;
	return !((r->flags & RF_REQ_STREAM) && !(r->flags & RF_REQ_PACKET));
}

/* Per-engine bump allocator for accepted rules (detect-arena.c). Freeing thousands of
 * rules object by object (glibc free + malloc_consolidate) took ~60-90 ms at exit with
 * ET Open; the arena is released chunk by chunk. Written by hand: glibc's obstack is a
 * GNU extension outside C11 and talloc tracks every object; this is ~60 lines. */
typedef struct detect_arena_chunk detect_arena_chunk_t;
typedef struct detect_arena {
	detect_arena_chunk_t
	    *head;        /* chunk being filled first; dedicated big ones after */
	size_t used, cap; /* of head's data */
	size_t bytes;     /* all chunk bytes (stats and tests) */
} detect_arena_t;

/* n bytes aligned for any type (16); NULL on ENOMEM. Freed only by detect_arena_free. */
void *detect_arena_alloc(detect_arena_t *a, size_t n);
void *detect_arena_dup(detect_arena_t *a, const void *p, size_t n);
void detect_arena_free(detect_arena_t *a);
/* Move an accepted rule into the arena: *rp is replaced by the arena copy and the
 * malloc'd pieces are freed. On SETU_ENOMEM *rp is unchanged (still malloc-owned).
 * Only for rules kept until the engine is freed (a replaced duplicate's arena copy
 * stays until then: bounded by the rules read). */
int setu_rule_to_arena(detect_arena_t *a, setu_rule_t **rp);

/* ---- parse context ---- */
typedef struct name_table {
	char **names; /* owned */
	size_t n, cap;
} name_table_t;

typedef struct class_entry {
	char *name, *desc;
	int prio;
} class_entry_t;

typedef struct ref_entry {
	char *name, *url;
} ref_entry_t;

typedef struct parse_ctx {
	const var_table_t *addr_vars, *port_vars;
	const class_entry_t *classes;
	size_t nclasses;
	const ref_entry_t *refs;
	size_t nrefs;
	name_table_t *flowbits; /* mutable during load */
	name_table_t *flowints;
	setu_diag_t *diag;
	const char *unsupported; /* keyword name when returning SETU_EUNSUPPORTED */
	const char *kwname;      /* the keyword being set up (shared setup functions) */
	char unsupported_buf[64];
	unsigned col; /* column of the current option (1-based) */
} parse_ctx_t;

int name_table_index(name_table_t *t, const char *name, uint32_t *idx);
void name_table_free(name_table_t *t);

/* Parse one rule (text without trailing newline). Returns 0, SETU_EUNSUPPORTED (skip,
 * pc->unsupported names the keyword) or SETU_EPARSE (diag says why). */
int setu_rule_parse(parse_ctx_t *pc, const char *text, size_t len, setu_rule_t **out);
void setu_rule_free(setu_rule_t *r);

/* keyword table */
typedef int (*kw_setup_fn)(parse_ctx_t *pc, setu_rule_t *r, const char *arg);
#define KW_NOARG 1u /* takes no value */
#define KW_ARG 2u   /* requires a value */
typedef struct keyword {
	const char *name;
	kw_setup_fn setup;
	uint32_t flags;
} keyword_t;
const keyword_t *detect_keyword_find(const char *name);

/* helpers used by keyword files */
sm_t *rule_add_sm(setu_rule_t *r, int list, uint8_t type);
sm_t *rule_last_pmatch(setu_rule_t *r, uint8_t type);
int perr(parse_ctx_t *pc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int punsup(parse_ctx_t *pc, const char *kw);
char *str_trim(char *s);
int parse_u64(const char *s, uint64_t max, uint64_t *out);
int parse_i64(const char *s, int64_t *out);
int parse_numval(parse_ctx_t *pc, setu_rule_t *r, const char *s, const char *kw,
                 bool allow_neg, numval_t *out);
int rule_var_find(const setu_rule_t *r, const char *name);
int parse_cmp(parse_ctx_t *pc, const char *kw, const char *arg, uint64_t max,
              sm_num_t *out);
int split_args(char *s, char **out, int max);

/* addresses, ports, vars (rule-addr.c) */
int ipset_parse_addr(parse_ctx_t *pc, const char *s, ipset_t *out);
int ipset_parse_port(parse_ctx_t *pc, const char *s, ipset_t *out);
int var_table_set(var_table_t *t, const char *name, const char *value);
const char *var_table_get(const var_table_t *t, const char *name);
void var_table_free(var_table_t *t);
int var_table_defaults(var_table_t *addr, var_table_t *port);

/* config files (detect-config.c) */
int detect_load_classification(const char *path, class_entry_t **out, size_t *n,
                               setu_diag_t *diag);
int detect_load_reference(const char *path, ref_entry_t **out, size_t *n,
                          setu_diag_t *diag);
/* threshold.config: entries appended to *out; per-line problems are fatal (bad config).
 */
int detect_load_threshold(parse_ctx_t *pc, const char *path, th_cfg_t **out, size_t *n);
void detect_free_classes(class_entry_t *c, size_t n);
void detect_free_refs(ref_entry_t *r, size_t n);
void detect_free_thcfg(th_cfg_t *t, size_t n);
/* read a whole file (NUL-terminated); SETU_EIO/ELIMIT/ENOMEM */
int detect_read_file(const char *path, char **out, size_t *len, size_t max);

/* ---- engine ---- */

/* Rule groups (Suricata's signature group heads, simplified): TCP and UDP rules are
 * grouped by direction (to server / to client, from the flow keyword) and by the server
 * port (destination port to the server, source port to the client). Rules whose server
 * ports all lie in a short list of busy ports (Suricata's default priority ports) go to
 * one group per port when that port has enough rules; the others to the direction's
 * "any port" group. A port group holds the direction's any-port rules too, so that a
 * packet inspects one group (one Hyperscan scan per buffer): its server port's group if
 * there is one, else the any-port group. */
#define DETECT_NPRIO_PORTS 15
#define DETECT_PORTS_PER_DIR (1 + DETECT_NPRIO_PORTS)
enum {
	G_TCP = 0, /* G_TCP + dir * DETECT_PORTS_PER_DIR + (0 any | 1 + port index) */
	G_UDP = 2 * DETECT_PORTS_PER_DIR,
	G_ICMP4 = 4 * DETECT_PORTS_PER_DIR,
	G_ICMP6,
	G_OTHER,
	G_COUNT
};
int detect_prio_port_index(uint16_t port); /* -1 if not a priority port */

/* Address index of rules verified without a fast pattern (detect-ipidx.c): per family,
 * interval maps keyed by the packet's source and destination address. */
typedef struct amap {
	uint32_t n;       /* elementary intervals (0: empty map) */
	uint32_t *start4; /* owned [n], IPv4 maps: ascending interval starts, [0] = 0 */
	u128 *start6;     /* owned [n], IPv6 maps */
	uint32_t *list;   /* owned [n]: pool offset of each interval's rule list */
	/* IPv4: every AMAP_STRIDE-th start, so that a lookup binary-searches this small
	 * (cache-resident) array first, then one stride of start4 */
	uint32_t *top4; /* owned [ntop] */
	uint32_t ntop;
} amap_t;
#define AMAP_STRIDE 32u

typedef struct ipidx {
	amap_t map[2][2];    /* [IPv4, IPv6][by source, by destination address] */
	uint32_t *always[2]; /* owned, per family: rules that are candidates always */
	uint32_t nalways[2];
	uint32_t *pool; /* owned: shared rule lists, each `count, ids...` ascending */
	size_t npool;
	/* rules that need a packet event (decode-event, stream-event): found by the
	 * event, not by address; sorted by event, then rule */
	uint16_t *ev_key;  /* owned [nev] */
	uint32_t *ev_rule; /* owned [nev] */
	uint32_t nev;
} ipidx_t;

/* Index rules[0..n) (ascending engine rule indices): by the packet event they need,
 * else by address. Returns 0 or SETU_ENOMEM. */
int ipidx_build(ipidx_t *x, const struct setu_detect_engine *de, const uint32_t *rules,
                uint32_t n);
void ipidx_free(ipidx_t *x);
/* The sorted rule lists whose union holds every indexed rule that can match a packet
 * from src to dst (a superset): fills up to 3 lists, returns how many. */
uint32_t ipidx_lookup(const ipidx_t *x, const setu_addr_t *src, const setu_addr_t *dst,
                      const uint32_t *lists[3], uint32_t lens[3]);
size_t ipidx_bytes(const ipidx_t *x);
/* The first packet event (decode-event, stream-event) rule r needs, -1 if none. */
int ipidx_rule_event(const struct setu_rule *r);
/* The rules (ascending) that need event ev: returns how many, *out the first. */
uint32_t ipidx_event(const ipidx_t *x, uint16_t ev, const uint32_t **out);

typedef struct pgroup {
	bool used; /* a port group exists (else its packets use the any-port group) */
	hs_database_t *db; /* owned; NULL when no rule has a fast pattern */
	/* TCP packets whose payload the reassembled stream inspects ("covered": see
	 * setu_detect_packet) are inspected per packet only by the rules that need the
	 * packet too (anchored contents, dsize, tcp-pkt...), so the stream's payload is
	 * not scanned twice with every pattern: their patterns, with their ids in db, are
	 * in hdb when every such rule's fast pattern ends within the payload's first
	 * head_len bytes (<= SETU_DETECT_HEAD_MAX: depth/offset), scanned over those
	 * bytes only, else in cdb, scanned over the whole payload (NULL: none). cdb_db:
	 * none of that, covered packets scan db (every pattern is needed and unbounded;
	 * not TCP). */
	hs_database_t *cdb, *hdb; /* owned unless cdb_db */
	uint32_t head_len;
	bool cdb_db;
	uint32_t npat;
	uint32_t maxpat;     /* longest pattern, bytes */
	uint32_t *pat_off;   /* owned [npat+1]: rules of pattern i are
	                        pat_rules[off[i]..off[i+1]) */
	uint32_t *pat_rules; /* owned: rule indices */
	uint32_t *nonpf;     /* owned: rules without a usable fast pattern, ascending */
	uint32_t nnonpf;
	/* those rules indexed by address: the ones packets can match, and the ones
	 * reassembled stream data can match (payload keywords on the stream) */
	ipidx_t pidx, sidx;
} pgroup_t;

struct th_state; /* detect.c: threshold tracking shared by workers (mutex inside) */

struct setu_detect_engine {
	unsigned compile_threads; /* setu_detect_config_t.compile_threads */
	/* owned, sorted by action order then load order; idx = position */
	setu_rule_t **rules;
	uint32_t nrules;
	pgroup_t groups[G_COUNT];
	uint32_t *pkthdr; /* pkthdr rules (any packet, even undecoded) without an event */
	uint32_t npkthdr;
	ipidx_t pkthdr_ev; /* pkthdr rules that need a packet event (decode-event) */
	/* a rule uses flow:established or not_established: TCP packets then track
	 * whether their flow was established before them (detect.c tcp_est_before) */
	bool flow_est_rules;
	/* RF_TX rules per app-layer protocol, in rule order (setu_detect_tx) */
	uint32_t *txrules[SETU_ALPROTO_MAX];
	uint32_t ntxrules[SETU_ALPROTO_MAX];
	/* their prefilter: per protocol and buffer, a Hyperscan database over the fast
	 * patterns that live in that buffer (Suricata's per-buffer MPM); pattern i
	 * selects rule txrules[proto][txpf_rule[i]]; rules without one are always
	 * candidates */
	struct txpf {
		hs_database_t *db; /* owned */
		uint32_t *rule;    /* owned [npat] */
		uint32_t npat;
		/* holds patterns of a request-only buffer whose bytes this buffer
		 * holds on the request side (see detect_scan_buffer) */
		bool req_on_resp;
	} txpf[SETU_ALPROTO_MAX][DB_COUNT];
	uint32_t
	    *txnonpf[SETU_ALPROTO_MAX]; /* owned: k of rules without a fast pattern */
	/* owned, beside txnonpf: the app-layer events (tx->events bits) such a rule
	 * requires (app-layer-event), 0 if none: without them it is no candidate */
	uint32_t *txnonpf_ev[SETU_ALPROTO_MAX];
	uint32_t ntxnonpf[SETU_ALPROTO_MAX];
	name_table_t flowbits, flowints;
	detect_arena_t arena; /* accepted rules (setu_rule_to_arena) */
	class_entry_t *classes;
	size_t nclasses;
	ref_entry_t *refs;
	size_t nrefs;
	th_cfg_t *thc;
	size_t nthc;
	var_table_t addr_vars, port_vars;
	setu_detect_stats_t stats;
	setu_detect_kwcount_t *kw; /* owned (names owned) */
	size_t nkw, capkw;
	char **files; /* owned copies of the rule file names */
	size_t nfiles;
	struct th_state *ths; /* owned; the only mutable part after load (locked) */
	/* identifies this load: per-flow flowbits/flowints made under another engine (a
	 * rule reload renumbers them) are dropped, never misread */
	uint64_t id;
};

struct th_state *th_state_new(void);
void th_state_free(struct th_state *ts);

/* The buffer whose prefilter database holds the fast patterns of buffer b: the HTTP
 * bodies are file_data's bytes (request body to the server, response body to the
 * client), so one scan of file_data serves the three. */
static inline int detect_scan_buffer(int b)
{
	return b == DB_HTTP_REQUEST_BODY || b == DB_HTTP_RESPONSE_BODY ? DB_FILE_DATA : b;
}

/* payload inspection (detect-inspect.c) */
typedef struct inspect_ctx {
	const uint8_t *buf;
	uint32_t len;
	uint32_t buffer_offset; /* end of the previous match */
	uint64_t vars[DETECT_MAX_VARS];
	pcre2_match_data *md;      /* borrowed from the thread */
	pcre2_match_context *mctx; /* borrowed: Suricata's default match limits */
	uint32_t recursion;
	uint32_t min_end; /* stream mode: a match must end after this offset (0 = any) */
	const sm_list_arr_t *pl; /* list to inspect; NULL = the rule's payload list */
} inspect_ctx_t;
/* 1 match, 0 no match */
int detect_inspect_payload(const setu_rule_t *r, inspect_ctx_t *ic);

/* keyword setup functions, one per keyword (kw-*.c); X(name-in-rules, function, flags) */
#define DETECT_KEYWORDS(X)                                           \
	X("msg", kw_msg_setup, KW_ARG)                               \
	X("sid", kw_sid_setup, KW_ARG)                               \
	X("rev", kw_rev_setup, KW_ARG)                               \
	X("gid", kw_gid_setup, KW_ARG)                               \
	X("classtype", kw_classtype_setup, KW_ARG)                   \
	X("priority", kw_priority_setup, KW_ARG)                     \
	X("reference", kw_reference_setup, KW_ARG)                   \
	X("metadata", kw_metadata_setup, KW_ARG)                     \
	X("target", kw_target_setup, KW_ARG)                         \
	X("noalert", kw_noalert_setup, KW_NOARG)                     \
	X("tag", kw_tag_setup, KW_ARG)                               \
	X("decode-event", kw_decode_event_setup, KW_ARG)             \
	X("stream-event", kw_stream_event_setup, KW_ARG)             \
	X("content", kw_content_setup, KW_ARG)                       \
	X("nocase", kw_nocase_setup, KW_NOARG)                       \
	X("rawbytes", kw_rawbytes_setup, KW_NOARG)                   \
	X("depth", kw_depth_setup, KW_ARG)                           \
	X("offset", kw_offset_setup, KW_ARG)                         \
	X("distance", kw_distance_setup, KW_ARG)                     \
	X("within", kw_within_setup, KW_ARG)                         \
	X("startswith", kw_startswith_setup, KW_NOARG)               \
	X("endswith", kw_endswith_setup, KW_NOARG)                   \
	X("fast_pattern", kw_fast_pattern_setup, 0)                  \
	X("isdataat", kw_isdataat_setup, KW_ARG)                     \
	X("dsize", kw_dsize_setup, KW_ARG)                           \
	X("pcre", kw_pcre_setup, KW_ARG)                             \
	X("byte_test", kw_byte_test_setup, KW_ARG)                   \
	X("byte_jump", kw_byte_jump_setup, KW_ARG)                   \
	X("byte_extract", kw_byte_extract_setup, KW_ARG)             \
	X("byte_math", kw_byte_math_setup, KW_ARG)                   \
	X("flow", kw_flow_setup, KW_ARG)                             \
	X("flowbits", kw_flowbits_setup, KW_ARG)                     \
	X("flowint", kw_flowint_setup, KW_ARG)                       \
	X("threshold", kw_threshold_setup, KW_ARG)                   \
	X("detection_filter", kw_detection_filter_setup, KW_ARG)     \
	X("ttl", kw_ttl_setup, KW_ARG)                               \
	X("tos", kw_tos_setup, KW_ARG)                               \
	X("ipopts", kw_ipopts_setup, KW_ARG)                         \
	X("fragbits", kw_fragbits_setup, KW_ARG)                     \
	X("fragoffset", kw_fragoffset_setup, KW_ARG)                 \
	X("id", kw_id_setup, KW_ARG)                                 \
	X("ip_proto", kw_ip_proto_setup, KW_ARG)                     \
	X("sameip", kw_sameip_setup, KW_NOARG)                       \
	X("flags", kw_flags_setup, KW_ARG)                           \
	X("tcp.flags", kw_flags_setup, KW_ARG)                       \
	X("seq", kw_seq_setup, KW_ARG)                               \
	X("ack", kw_ack_setup, KW_ARG)                               \
	X("window", kw_window_setup, KW_ARG)                         \
	X("tcp.mss", kw_tcp_mss_setup, KW_ARG)                       \
	X("itype", kw_itype_setup, KW_ARG)                           \
	X("icode", kw_icode_setup, KW_ARG)                           \
	X("icmp_id", kw_icmp_id_setup, KW_ARG)                       \
	X("icmp_seq", kw_icmp_seq_setup, KW_ARG)                     \
	X("prefilter", kw_prefilter_setup, KW_NOARG)                 \
	X("pkt_data", kw_pkt_data_setup, KW_NOARG)                   \
	X("absent", kw_absent_setup, 0)                              \
	X("app-layer-event", kw_app_layer_event_setup, KW_ARG)       \
	X("uricontent", kw_uricontent_setup, KW_ARG)                 \
	X("bsize", kw_bsize_setup, KW_ARG)                           \
	X("urilen", kw_urilen_setup, KW_ARG)                         \
	X("app-layer-protocol", kw_app_layer_protocol_setup, KW_ARG) \
	X("dns.opcode", kw_dns_opcode_setup, KW_ARG)                 \
	X("dns.rrtype", kw_dns_rrtype_setup, KW_ARG)                 \
	X("dns.rcode", kw_dns_rcode_setup, KW_ARG)                   \
	X("tls.cert_chain_len", kw_tls_chain_len_setup, KW_ARG)      \
	X("tls.version", kw_tls_version_setup, KW_ARG)               \
	X("tls_version", kw_tls_version_setup, KW_ARG)               \
	X("ssl_version", kw_ssl_version_setup, KW_ARG)               \
	X("ssl_state", kw_ssl_state_setup, KW_ARG)                   \
	X("tls.subject", kw_tls_legacy_str_setup, KW_ARG)            \
	X("tls.issuerdn", kw_tls_legacy_str_setup, KW_ARG)           \
	X("tls.fingerprint", kw_tls_legacy_str_setup, KW_ARG)        \
	X("tls.cert_expired", kw_tls_validity_setup, KW_NOARG)       \
	X("tls_cert_expired", kw_tls_validity_setup, KW_NOARG)       \
	X("tls.cert_valid", kw_tls_validity_setup, KW_NOARG)         \
	X("tls_cert_valid", kw_tls_validity_setup, KW_NOARG)         \
	X("tls.cert_notbefore", kw_tls_date_setup, KW_ARG)           \
	X("tls_cert_notbefore", kw_tls_date_setup, KW_ARG)           \
	X("tls.cert_notafter", kw_tls_date_setup, KW_ARG)            \
	X("tls_cert_notafter", kw_tls_date_setup, KW_ARG)            \
	X("tls.store", kw_tls_store_setup, KW_NOARG)                 \
	X("tls_store", kw_tls_store_setup, KW_NOARG)                 \
	X("dotprefix", kw_transform_setup, KW_NOARG)                 \
	X("to_lowercase", kw_transform_setup, KW_NOARG)              \
	X("to_uppercase", kw_transform_setup, KW_NOARG)              \
	X("url_decode", kw_transform_setup, KW_NOARG)                \
	X("strip_whitespace", kw_transform_setup, KW_NOARG)          \
	X("compress_whitespace", kw_transform_setup, KW_NOARG)       \
	X("header_lowercase", kw_transform_setup, KW_NOARG)          \
	X("strip_pseudo_headers", kw_transform_setup, KW_NOARG)

#define DETECT_KW_PROTO(name, fn, flags) \
	int fn(parse_ctx_t *pc, setu_rule_t *r, const char *arg);
DETECT_KEYWORDS(DETECT_KW_PROTO)
#undef DETECT_KW_PROTO

int kw_content_finalize(parse_ctx_t *pc, setu_rule_t *r);
/* relative chaining and fast-pattern choice of one payload list */
int kw_list_finalize(parse_ctx_t *pc, sm_list_arr_t *l, int32_t *fp_index);
/* sticky buffers and legacy content modifiers: every name of detect_buffers */
/* A numeric equality keyword (id, seq, ack, window): `N`, `!N` when allow_not, and
 * `"N"` when quoted; 0..max. Adds an SM of `type` with CMP_EQ/CMP_NE (kw-ip.c). */
int kw_add_eq(parse_ctx_t *pc, setu_rule_t *r, uint8_t type, const char *kw,
              const char *arg, uint64_t max, bool allow_not, bool quoted);
int kw_sticky_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg);
int kw_legacy_mod_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg);
/* the app-layer keyword named `name`, when it is one of detect_buffers' names */
const keyword_t *detect_buffer_keyword_find(const char *name);
/* pcre HTTP modifier letter to a buffer (DB_*), -1 if none */
int detect_pcre_buffer(char modifier);
/* move the last payload entry of the active list into buffer `db`'s list */
int rule_move_last_to_buffer(parse_ctx_t *pc, setu_rule_t *r, int db, uint8_t type);
/* app-layer parts of rule finalisation: protocol, direction, RF_TX */
int kw_applayer_finalize(parse_ctx_t *pc, setu_rule_t *r);
bool num_match(const sm_num_t *n, uint64_t v);
/* Free the malloc'd payload of a keyword the arena can hold (never a PCRE2 code);
 * false for the other types (nothing freed). */
bool sm_free_payload(sm_t *sm);
/* Types whose sm->u holds a value, not an allocation (nothing to free or move): the one
 * list sm_free and the rule arena both read. */
static inline bool sm_no_payload(uint8_t type)
{
	switch (type) {
	case SM_FLOW:
	case SM_SAMEIP:
	case SM_EVENT:
	case SM_APPPROTO:
	case SM_TLS_CERT_VALID:
	case SM_TLS_STORE:
	case SM_ALDET_EVENT:
		return true;
	default:
		return false;
	}
}
void sm_free(sm_t *sm);

#endif
