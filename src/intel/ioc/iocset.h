/* iocset.h — the sensor's indicator sets: a read-only-after-build store of STIX 2.1
 * indicator values (STIX 2.1 OS §4 cyber-observable values: ipv4-addr, ipv6-addr,
 * domain-name, url, file hashes, x509-certificate hashes, network-traffic ports, JA3)
 * that the sensor consults per packet or transaction (issue 7, "Indicators on the
 * sensor").
 *
 * Model. An indicator (a STIX indicator object: id, TLP, producer, validity, revocation,
 * action) owns up to SETU_IOC_MAX_ATOMS atoms. An atom is one set-membership test of one
 * kind ("dst ip in {10.0.0.0/8, 1.2.3.4}", "domain in {evil.example}"); an atom may hold
 * many values (a STIX OR over one property compiles to one atom). The indicator matches
 * when its boolean expression over its atoms is true; without an expression it is the OR
 * of its atoms. The matcher looks each fact of a packet up in one table per family
 * (addresses, names/hashes, ports); only the atoms found there make their indicators
 * candidates, so a packet that hits nothing costs a handful of table probes and no
 * expression evaluation.
 *
 * Ownership and threads: a builder is owned by its creator until
 * setu_iocset_builder_free; setu_iocset_build copies everything it needs (it only
 * reorders the builder's value records), so the builder may be freed, or given more
 * values and built again, afterwards. A built set is immutable: any number of threads may
 * match against it at once. Pointers returned by the lookup and match functions borrow
 * from the set. */
#ifndef SETU_INTEL_IOCSET_H
#define SETU_INTEL_IOCSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "common/limits.h"
#include "setu/error.h"

/* What an atom tests. IP and port kinds say which side of the packet they look at. */
typedef enum setu_ioc_kind {
	SETU_IOC_IP_ANY = 0, /* src or dst address in the set (ipv4/ipv6 value or CIDR) */
	SETU_IOC_IP_SRC,     /* network-traffic:src_ref.value */
	SETU_IOC_IP_DST,     /* network-traffic:dst_ref.value */
	SETU_IOC_DOMAIN, /* name or any parent domain in the set (dns, sni, http host) */
	SETU_IOC_DOMAIN_EXACT, /* exactly the name */
	SETU_IOC_URL,          /* normalised absolute URL, exact */
	SETU_IOC_MD5,          /* file:hashes.MD5 (raw 16 bytes; text is hex) */
	SETU_IOC_SHA1,         /* file:hashes.'SHA-1' */
	SETU_IOC_SHA256,       /* file:hashes.'SHA-256' */
	SETU_IOC_JA3,          /* MD5 of the JA3 string (hex) */
	SETU_IOC_X509_SHA1,   /* x509-certificate:hashes.'SHA-1' (certificate fingerprint)
	                       */
	SETU_IOC_X509_SHA256, /* x509-certificate:hashes.'SHA-256' */
	SETU_IOC_PORT_ANY,    /* src or dst port */
	SETU_IOC_PORT_SRC,    /* network-traffic:src_port */
	SETU_IOC_PORT_DST,    /* network-traffic:dst_port */
	SETU_IOC_KIND_COUNT
} setu_ioc_kind_t;

/* Name used by the text loader ("ipv4" has no kind of its own: it is IP_ANY). */
const char *setu_ioc_kind_name(setu_ioc_kind_t k);

/* What the sensor does on a match (rule-like). */
typedef enum setu_ioc_action {
	SETU_IOC_ACTION_ALERT = 0,
	SETU_IOC_ACTION_DROP,
	SETU_IOC_ACTION_PASS,
} setu_ioc_action_t;

/* One indicator record. Strings are copied by setu_iocset_add_indicator; in a built set
 * they point into the set. */
typedef struct setu_ioc_indicator {
	const char *id;      /* STIX id "indicator--<uuid>"; NULL or "" allowed (tests) */
	const char *name;    /* may be NULL */
	const char *org;     /* producing identity id (created_by_ref); may be NULL */
	int tlp;             /* a setu_tlp_t value (intel/tlp.h); -1 = none */
	int64_t valid_from;  /* seconds since the epoch, inclusive; 0 = open */
	int64_t valid_until; /* seconds since the epoch, exclusive (STIX); 0 = open */
	bool revoked;
	uint8_t action;   /* setu_ioc_action_t */
	uint8_t severity; /* 1 (high) .. 3 (low), like a Suricata rule's priority; 0 =
	                     unset */
	uint32_t user;    /* caller's own tag (e.g. a signature id); copied as is */
} setu_ioc_indicator_t;

/* True if the indicator may match at `now` (seconds since the epoch). */
bool setu_ioc_indicator_active(const setu_ioc_indicator_t *ind, int64_t now);

/* ---- building ---- */

typedef struct setu_iocset_builder setu_iocset_builder_t;
typedef struct setu_iocset setu_iocset_t;

setu_iocset_builder_t *setu_iocset_builder_new(void);
void setu_iocset_builder_free(setu_iocset_builder_t *b);

/* Add an indicator record; *out_idx is its index (0, 1, 2 ... in order of addition),
 * which the match callback reports. Returns 0, SETU_ENOMEM or SETU_ELIMIT. */
int setu_iocset_add_indicator(setu_iocset_builder_t *b, const setu_ioc_indicator_t *meta,
                              uint32_t *out_idx);

/* Add an atom of `kind` to indicator ind_idx, with a first value (text; may be NULL to
 * add values later). *out_atom (may be NULL) is the atom's number inside its indicator
 * (0..63), which expressions refer to. Values by kind: IP_*: "1.2.3.4", "2001:db8::1",
 * "10.0.0.0/8", "2001:db8::/32" (host bits are masked off); DOMAIN*: "Evil.Example."
 * (case folded, one trailing dot dropped, IDNA kept as given); URL:
 * "scheme://host[:port]/path?query" (normalised, see setu_ioc_url_normalize); MD5/JA3 (32
 * hex), SHA1/X509_SHA1 (40 hex), SHA256/X509_SHA256 (64 hex); PORT_*: "443" or a range
 * "1024-2048". A bad value fails with SETU_EINVAL and a diag naming it ("ipv4
 * '300.1.1.1': not an address"); the atom is then not added. */
int setu_iocset_add_atom(setu_iocset_builder_t *b, uint32_t ind_idx, setu_ioc_kind_t kind,
                         const char *value, uint8_t *out_atom, setu_diag_t *diag);
/* Add one more value to an existing atom (a STIX `IN (...)` or OR over one property). */
int setu_iocset_add_value(setu_iocset_builder_t *b, uint32_t ind_idx, uint8_t atom,
                          const char *value, setu_diag_t *diag);

/* Expressions are postfix programs over the indicator's atoms. */
typedef enum setu_ioc_opcode {
	SETU_IOC_OP_ATOM = 0, /* push atom `arg` */
	SETU_IOC_OP_AND,      /* pop 2, push conjunction */
	SETU_IOC_OP_OR,       /* pop 2, push disjunction */
	SETU_IOC_OP_NOT,      /* pop 1, push negation */
} setu_ioc_opcode_t;
typedef struct setu_ioc_op {
	uint8_t op;  /* setu_ioc_opcode_t */
	uint8_t arg; /* atom number for OP_ATOM */
} setu_ioc_op_t;

/* Set the expression of an indicator (copied). It is checked at once: stack balance, atom
 * numbers that exist, and that it is false when no atom is true (an indicator that would
 * match every packet cannot be looked up through its atoms: SETU_EUNSUPPORTED). */
int setu_iocset_set_expr(setu_iocset_builder_t *b, uint32_t ind_idx,
                         const setu_ioc_op_t *ops, size_t nops, setu_diag_t *diag);

/* Build the immutable set. Returns NULL with diag filled (SETU_ENOMEM, SETU_ELIMIT). */
setu_iocset_t *setu_iocset_build(setu_iocset_builder_t *b, setu_diag_t *diag);
void setu_iocset_free(setu_iocset_t *s);

/* ---- inspecting ---- */

uint32_t setu_iocset_indicator_count(const setu_iocset_t *s);
const setu_ioc_indicator_t *setu_iocset_indicator(const setu_iocset_t *s, uint32_t idx);
/* Distinct table entries (values after dedup) per family. */
typedef struct setu_iocset_stats {
	size_t ipv4_entries, ipv6_entries, key_entries, port_entries;
	size_t atoms, indicators;
	size_t bytes_ipv4;  /* LPM tables for IPv4 (entries + ranges + index) */
	size_t bytes_ipv6;  /* LPM tables for IPv6 */
	size_t bytes_keys;  /* hash table + entries + keys (domains, urls, hashes) */
	size_t bytes_total; /* all the set holds, indicators and strings included */
} setu_iocset_stats_t;
void setu_iocset_stats(const setu_iocset_t *s, setu_iocset_stats_t *st);

/* ---- single-table lookups (for tools and tests) ---- */

/* Longest-prefix match: the most specific prefix containing `a` that has at least one
 * atom of an indicator active at `now` (any IP kind). Returns its prefix length (0..32 or
 * 0..128) and, if out_prefix is non-NULL, the prefix; SETU_ENOENT if none. */
int setu_iocset_lookup_ip(const setu_iocset_t *s, const setu_addr_t *a, int64_t now,
                          setu_addr_t *out_prefix);
/* Domain lookup as DNS/SNI/Host facts are matched: returns the length of the longest
 * stored name that matches `name` (itself for exact entries, itself or a parent for
 * DOMAIN entries) with an active indicator, or SETU_ENOENT. */
int setu_iocset_lookup_domain(const setu_iocset_t *s, const char *name, size_t len,
                              int64_t now);

/* ---- matching ---- */

typedef struct setu_ioc_cert {
	const uint8_t *sha1;   /* 20 bytes, or NULL */
	const uint8_t *sha256; /* 32 bytes, or NULL */
} setu_ioc_cert_t;

/* What is known about one packet or transaction. Zero-initialise, then fill what is
 * known: NULL pointers / has_ports = false mean "unknown" and make the matching atoms
 * false. Strings are bytes with a length (they come from packets), not NUL-terminated. */
typedef struct setu_ioc_facts {
	const setu_addr_t *src, *dst;
	bool has_ports;
	uint16_t sport, dport;
	const char *dns_query;
	size_t dns_query_len;
	const char *tls_sni;
	size_t tls_sni_len;
	const char *http_host; /* a ":port" suffix is ignored */
	size_t http_host_len;
	/* An absolute URL; if NULL, http_uri is used: as is when absolute (proxy
	 * requests), else as "http://" http_host http_uri. */
	const char *url;
	size_t url_len;
	const char *http_uri;
	size_t http_uri_len;
	const uint8_t *md5, *sha1,
	    *sha256;                  /* hashes of a transferred file: 16/20/32 bytes */
	const uint8_t *ja3;           /* raw MD5 (16 bytes) of the client's JA3 string */
	const setu_ioc_cert_t *certs; /* the server's certificate chain */
	size_t n_certs;
} setu_ioc_facts_t;

/* One matched indicator. */
typedef struct setu_ioc_match {
	uint32_t ind_idx;
	const setu_ioc_indicator_t *ind; /* borrowed from the set */
	uint64_t atoms;                  /* bit n set: atom n was true */
	setu_ioc_kind_t kind;            /* kind of the first atom that was found true */
} setu_ioc_match_t;

/* Called once per matched indicator; return non-zero to stop matching. */
typedef int (*setu_ioc_match_cb)(void *user, const setu_ioc_match_t *m);

typedef struct setu_ioc_match_stats {
	uint32_t candidates;         /* indicators whose atoms were hit */
	uint32_t candidates_dropped; /* beyond SETU_IOC_MAX_CANDIDATES: not evaluated */
	uint32_t url_too_long; /* URL facts longer than SETU_IOC_URL_MAX: not matched */
} setu_ioc_match_stats_t;

/* Match the facts against the set at time `now` (seconds since the epoch): every
 * indicator that is active (validity window, not revoked) and whose expression is true is
 * passed to cb (may be NULL to only count), each at most once. Returns the number of
 * indicators matched. stats may be NULL. Allocates nothing; safe from many threads at
 * once. Candidate policy: at most SETU_IOC_MAX_CANDIDATES indicators are evaluated per
 * call; the rest are counted in stats->candidates_dropped (a value shared by that many
 * indicators is a feed error, and bounding the work keeps a hostile set from stalling a
 * worker). */
int setu_iocset_match(const setu_iocset_t *s, const setu_ioc_facts_t *f, int64_t now,
                      setu_ioc_match_cb cb, void *user, setu_ioc_match_stats_t *stats);

/* ---- value helpers (shared with the STIX compiler) ---- */

/* Normalise an absolute URL the way users of Suricata and STIX expect a url:value to
 * compare: scheme and host lower-cased, the scheme's default port (http 80, https 443,
 * ftp 21, ws 80, wss 443) and an empty port removed, an empty path made "/", the fragment
 * dropped, and hex digits of %XX escapes upper-cased (RFC 3986 §6.2.2, §6.2.3). Path and
 * query keep their case. Writes a NUL-terminated result to out; returns its length,
 * SETU_EINVAL if `in` is not scheme://authority..., SETU_ELIMIT if it does not fit. */
int setu_ioc_url_normalize(const char *in, size_t len, char *out, size_t cap);

/* ---- the text loader (tests, benchmarks, operators) ---- */

/* One value per line: `TYPE VALUE [key=value ...]`; TYPE is ipv4, ipv6, cidr, domain,
 * domain-exact, url, md5, sha1, sha256, ja3, x509-sha1, x509-sha256 or port. Keys: id,
 * name (may be "double quoted"), tlp (TLP name or number), org, valid_from, valid_until
 * (epoch seconds or RFC 3339 UTC), revoked (true/false), action (alert/drop/pass),
 * severity (1-3), dir (any/src/dst for addresses and ports). Lines with the same id add
 * values to one indicator (its atoms are OR'ed); their metadata must agree. `#` starts a
 * comment line, or the rest of a line after a blank; blank lines are skipped. Errors are
 * "file:line: message" in diag (file = `name`) and stop the load. Returns the number of
 * values added or a negative SETU_E*. */
int setu_iocset_load_text(setu_iocset_builder_t *b, const char *text, size_t len,
                          const char *name, setu_diag_t *diag);
/* Same, reading a file (at most SETU_IOC_FILE_MAX_BYTES). */
int setu_iocset_load_file(setu_iocset_builder_t *b, const char *path, setu_diag_t *diag);

#endif
