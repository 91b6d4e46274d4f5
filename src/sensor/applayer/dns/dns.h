/* dns.h — a DNS message as one transaction (RFC 1035 §4; Suricata 7+ makes each request
 * and each response its own tx). Names and rdata live in the tx's arena so rule keywords
 * (dns.query, dns.rrtype, dns.opcode) read them without copying. */
#ifndef SETU_DNS_H
#define SETU_DNS_H

#include "common/buf.h"
#include "sensor/applayer/applayer.h"

#include <stdbool.h>
#include <stdint.h>

enum {
	SETU_DNS_SEC_QUERY = 0,
	SETU_DNS_SEC_ANSWER,
	SETU_DNS_SEC_AUTHORITY,
	SETU_DNS_SEC_ADDITIONAL
};

/* RR types we parse the rdata of (others are kept raw). */
enum {
	SETU_DNS_A = 1,
	SETU_DNS_NS = 2,
	SETU_DNS_CNAME = 5,
	SETU_DNS_SOA = 6,
	SETU_DNS_NULL = 10,
	SETU_DNS_PTR = 12,
	SETU_DNS_MX = 15,
	SETU_DNS_TXT = 16,
	SETU_DNS_AAAA = 28,
	SETU_DNS_SRV = 33,
	SETU_DNS_OPT = 41,
	SETU_DNS_SSHFP = 44,
};

/* Event bits (setu_altx_t.events and state events); names in setu_dns_event_name(). */
#define SETU_DNS_EVENTS(X)                                \
	X(MALFORMED_DATA, "dns.malformed_data")           \
	X(NOT_A_REQUEST, "dns.not_a_request")             \
	X(NOT_A_RESPONSE, "dns.not_a_response")           \
	X(Z_FLAG_SET, "dns.z_flag_set")                   \
	X(INVALID_OPCODE, "dns.invalid_opcode")           \
	X(NAME_TOO_LONG, "dns.name_too_long")             \
	X(INFINITE_LOOP, "dns.infinite_loop")             \
	X(TOO_MANY_LABELS, "dns.too_many_labels")         \
	X(INVALID_ADDITIONALS, "dns.invalid_additionals") \
	X(INVALID_AUTHORITIES, "dns.invalid_authorities")
enum {
#define SETU_DNS_EV_BIT(id, name) SETU_DNS_EVB_##id,
	SETU_DNS_EVENTS(SETU_DNS_EV_BIT)
#undef SETU_DNS_EV_BIT
};
#define SETU_DNS_EV(id) (1u << SETU_DNS_EVB_##id)

typedef struct setu_dns_rr {
	uint32_t name_off, name_len; /* owner name, dotted, in the arena */
	uint32_t data_off, data_len; /* A/AAAA: raw address; NS/CNAME/PTR/MX/SRV/SOA: the
	                                (first) name; TXT/NULL/SSHFP/others: raw rdata */
	uint32_t data2_off, data2_len; /* SOA: rname */
	uint32_t n[5];                 /* MX: pref; SRV: prio, weight, port; SOA: serial,
	                                  refresh, retry, expire, minimum; SSHFP: algo, type */
	uint32_t ttl;
	uint16_t rrtype, rrclass;
	uint8_t section; /* SETU_DNS_SEC_* */
	bool name_trunc; /* name cut (too long / loop): EVE rrname_truncated */
	bool data_trunc;
	bool data_ok; /* rdata parsed as its type says */
} setu_dns_rr_t;

typedef struct setu_dns_tx {
	setu_altx_t hdr; /* first */
	uint16_t id, flags;
	uint16_t qdcount, ancount, nscount, arcount; /* as in the header */
	bool response;                               /* QR bit */
	setu_dns_rr_t *rr;                           /* owned; section order */
	uint32_t nrr, rr_cap;
	uint32_t nsec[4]; /* RRs kept per section */
	setu_buf_t arena; /* owned; reused when the tx is recycled */
} setu_dns_tx_t;

static inline uint8_t setu_dns_tx_opcode(const setu_dns_tx_t *tx)
{
	return (uint8_t)((tx->flags >> 11) & 0xf);
}
static inline uint8_t setu_dns_tx_rcode(const setu_dns_tx_t *tx)
{
	return (uint8_t)(tx->flags & 0xf);
}
static inline const uint8_t *setu_dns_rr_name(const setu_dns_tx_t *tx,
                                              const setu_dns_rr_t *rr)
{
	return (const uint8_t *)tx->arena.data + rr->name_off;
}
static inline const uint8_t *setu_dns_rr_data(const setu_dns_tx_t *tx,
                                              const setu_dns_rr_t *rr)
{
	return (const uint8_t *)tx->arena.data + rr->data_off;
}
/* i-th RR of a section, or NULL. */
const setu_dns_rr_t *setu_dns_tx_rr(const setu_dns_tx_t *tx, int section, uint32_t i);
/* Keyword buffer dns.query: i-th query name; false past the end. */
bool setu_dns_tx_query(const setu_dns_tx_t *tx, uint32_t i, const uint8_t **buf,
                       uint32_t *len);

/* "A", "AAAA", ... as Suricata names them; NULL if the type has no name. */
const char *setu_dns_rrtype_name(uint16_t t);
/* "NOERROR", "NXDOMAIN" ...; NULL if no name. */
const char *setu_dns_rcode_name(uint16_t rcode);

#endif
