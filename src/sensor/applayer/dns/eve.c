/* dns/eve.c — the "dns" block of EVE records, Suricata 8 format version 3 (type request/
 * response, queries, answers detailed + grouped, authorities, additionals). */
#include "common/addr.h"
#include "sensor/applayer/applayer-int.h"
#include "sensor/applayer/dns/dns.h"

#include <stdio.h>

static void dns_rrtype(setu_json_t *j, const char *key, uint16_t t)
{
	const char *n = setu_dns_rrtype_name(t);
	char num[8];
	if (n == NULL) {
		snprintf(num, sizeof(num), "%u", t);
		n = num;
	}
	setu_json_str(j, key, n);
}

/* Suricata prints IPv6 uncompressed, each group as 4 hex digits. */
static void dns_addr(char *out, size_t size, const uint8_t *a, uint32_t len)
{
	/* written by hand (no printf): one per A/AAAA answer of every logged reply */
	static const char hx[] = "0123456789abcdef";
	char *o = out;
	if (len == 4) {
		setu_addr_t v4;
		setu_addr_set4(&v4, a);
		setu_addr_str(&v4, out, size);
		return;
	}
	if (len == 16 && size >= 40) {
		for (int i = 0; i < 16; i++) {
			if (i > 0 && i % 2 == 0)
				*o++ = ':';
			*o++ = hx[a[i] >> 4];
			*o++ = hx[a[i] & 15];
		}
	}
	*o = '\0';
}

static void dns_hex_colon(setu_json_t *j, const char *key, const uint8_t *p, uint32_t n)
{
	char buf[3 * 64 + 1];
	size_t o = 0;
	for (uint32_t i = 0; i < n && o + 4 < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, i ? ":%02x" : "%02x",
		                      p[i]);
	buf[o] = '\0';
	setu_json_str(j, key, buf);
}

static void dns_soa(setu_json_t *j, const char *key, const setu_dns_tx_t *tx,
                    const setu_dns_rr_t *rr)
{
	setu_json_open_object(j, key);
	setu_json_strn(j, "mname", setu_dns_rr_data(tx, rr), rr->data_len);
	setu_json_strn(j, "rname", (const uint8_t *)tx->arena.data + rr->data2_off,
	               rr->data2_len);
	setu_json_u64(j, "serial", rr->n[0]);
	setu_json_u64(j, "refresh", rr->n[1]);
	setu_json_u64(j, "retry", rr->n[2]);
	setu_json_u64(j, "expire", rr->n[3]);
	setu_json_u64(j, "minimum", rr->n[4]);
	setu_json_close_object(j);
}

static void dns_srv(setu_json_t *j, const char *key, const setu_dns_tx_t *tx,
                    const setu_dns_rr_t *rr)
{
	setu_json_open_object(j, key);
	setu_json_u64(j, "priority", rr->n[0]);
	setu_json_u64(j, "weight", rr->n[1]);
	setu_json_u64(j, "port", rr->n[2]);
	setu_json_strn(j, "name", setu_dns_rr_data(tx, rr), rr->data_len);
	setu_json_close_object(j);
}

static void dns_sshfp(setu_json_t *j, const char *key, const setu_dns_tx_t *tx,
                      const setu_dns_rr_t *rr)
{
	setu_json_open_object(j, key);
	setu_json_u64(j, "algo", rr->n[0]);
	setu_json_u64(j, "type", rr->n[1]);
	dns_hex_colon(j, "fingerprint", setu_dns_rr_data(tx, rr), rr->data_len);
	setu_json_close_object(j);
}

/* Walk the character-strings of TXT rdata; returns false at the end. */
static bool txt_next(const uint8_t *d, uint32_t n, uint32_t *pos, const uint8_t **s,
                     uint32_t *sl)
{
	if (*pos >= n)
		return false;
	uint32_t l = d[*pos];
	if (*pos + 1 + l > n)
		l = n - *pos - 1; /* truncated string: keep what is there */
	*s = d + *pos + 1;
	*sl = l;
	*pos += 1 + l;
	return true;
}

static void dns_rr_head(setu_json_t *j, const setu_dns_tx_t *tx, const setu_dns_rr_t *rr)
{
	setu_json_strn(j, "rrname", setu_dns_rr_name(tx, rr), rr->name_len);
	dns_rrtype(j, "rrtype", rr->rrtype);
	setu_json_u64(j, "ttl", rr->ttl);
	if (rr->name_trunc)
		setu_json_bool(j, "rrname_truncated", true);
}

/* One "answers"/"authorities"/"additionals" entry (TXT: one per string, as Suricata 8).
 */
static void dns_rr_detailed(setu_json_t *j, const setu_dns_tx_t *tx,
                            const setu_dns_rr_t *rr)
{
	const uint8_t *d = setu_dns_rr_data(tx, rr);
	if (rr->rrtype == SETU_DNS_TXT && rr->data_len > 0) {
		uint32_t pos = 0, sl;
		const uint8_t *s;
		while (txt_next(d, rr->data_len, &pos, &s, &sl)) {
			setu_json_open_object(j, NULL);
			dns_rr_head(j, tx, rr);
			setu_json_strn(j, "rdata", s, sl);
			setu_json_close_object(j);
		}
		return;
	}
	setu_json_open_object(j, NULL);
	dns_rr_head(j, tx, rr);
	if (rr->data_ok) {
		char a[64];
		switch (rr->rrtype) {
		case SETU_DNS_A:
		case SETU_DNS_AAAA:
			dns_addr(a, sizeof(a), d, rr->data_len);
			setu_json_str(j, "rdata", a);
			break;
		case SETU_DNS_NS:
		case SETU_DNS_CNAME:
		case SETU_DNS_PTR:
		case SETU_DNS_MX:
		case SETU_DNS_NULL:
			setu_json_strn(j, "rdata", d, rr->data_len);
			if (rr->data_trunc)
				setu_json_bool(j, "rdata_truncated", true);
			break;
		case SETU_DNS_SOA:
			dns_soa(j, "soa", tx, rr);
			break;
		case SETU_DNS_SRV:
			dns_srv(j, "srv", tx, rr);
			break;
		case SETU_DNS_SSHFP:
			dns_sshfp(j, "sshfp", tx, rr);
			break;
		default:
			break;
		}
	}
	setu_json_close_object(j);
}

static bool dns_grouped_type(uint16_t t)
{
	switch (t) {
	case SETU_DNS_A:
	case SETU_DNS_AAAA:
	case SETU_DNS_CNAME:
	case SETU_DNS_MX:
	case SETU_DNS_NS:
	case SETU_DNS_PTR:
	case SETU_DNS_TXT:
	case SETU_DNS_NULL:
	case SETU_DNS_SOA:
	case SETU_DNS_SRV:
	case SETU_DNS_SSHFP:
		return true;
	default:
		return false;
	}
}

/* "grouped": {"A": [...], "CNAME": [...]} in order of first appearance. */
static void dns_grouped(setu_json_t *j, const setu_dns_tx_t *tx)
{
	uint32_t n = tx->nsec[SETU_DNS_SEC_ANSWER];
	bool any = false;
	for (uint32_t i = 0; i < n && !any; i++) {
		const setu_dns_rr_t *rr = setu_dns_tx_rr(tx, SETU_DNS_SEC_ANSWER, i);
		any = rr->data_ok && dns_grouped_type(rr->rrtype);
	}
	if (!any)
		return;
	setu_json_open_object(j, "grouped");
	for (uint32_t i = 0; i < n; i++) {
		const setu_dns_rr_t *rr = setu_dns_tx_rr(tx, SETU_DNS_SEC_ANSWER, i);
		if (!rr->data_ok || !dns_grouped_type(rr->rrtype))
			continue;
		bool first = true; /* only the first RR of a type opens its array */
		for (uint32_t k = 0; k < i && first; k++) {
			const setu_dns_rr_t *o =
			    setu_dns_tx_rr(tx, SETU_DNS_SEC_ANSWER, k);
			if (o->data_ok && o->rrtype == rr->rrtype)
				first = false;
		}
		if (!first)
			continue;
		setu_json_open_array(j, setu_dns_rrtype_name(rr->rrtype));
		for (uint32_t k = i; k < n; k++) {
			const setu_dns_rr_t *o =
			    setu_dns_tx_rr(tx, SETU_DNS_SEC_ANSWER, k);
			if (!o->data_ok || o->rrtype != rr->rrtype)
				continue;
			const uint8_t *d = setu_dns_rr_data(tx, o);
			char a[64];
			switch (o->rrtype) {
			case SETU_DNS_A:
			case SETU_DNS_AAAA:
				dns_addr(a, sizeof(a), d, o->data_len);
				setu_json_str(j, NULL, a);
				break;
			case SETU_DNS_TXT: {
				uint32_t pos = 0, sl;
				const uint8_t *s;
				while (txt_next(d, o->data_len, &pos, &s, &sl))
					setu_json_strn(j, NULL, s, sl);
				break;
			}
			case SETU_DNS_SOA:
				dns_soa(j, NULL, tx, o);
				break;
			case SETU_DNS_SRV:
				dns_srv(j, NULL, tx, o);
				break;
			case SETU_DNS_SSHFP:
				dns_sshfp(j, NULL, tx, o);
				break;
			default:
				setu_json_strn(j, NULL, d, o->data_len);
				break;
			}
		}
		setu_json_close_array(j);
	}
	setu_json_close_object(j);
}

static void dns_section_json(setu_json_t *j, const char *key, const setu_dns_tx_t *tx,
                             int sec)
{
	uint32_t n = tx->nsec[sec];
	bool any = false;
	for (uint32_t i = 0; i < n && !any; i++)
		any = setu_dns_tx_rr(tx, sec, i)->rrtype != SETU_DNS_OPT;
	if (!any)
		return;
	setu_json_open_array(j, key);
	for (uint32_t i = 0; i < n; i++) {
		const setu_dns_rr_t *rr = setu_dns_tx_rr(tx, sec, i);
		if (rr->rrtype != SETU_DNS_OPT) /* EDNS pseudo-RR: not a record */
			dns_rr_detailed(j, tx, rr);
	}
	setu_json_close_array(j);
}

bool setu_dns_loggable(const setu_altx_t *t, const setu_applayer_eve_opts_t *o)
{
	const setu_dns_tx_t *tx = (const setu_dns_tx_t *)t;
	return tx->response ? o->dns_responses : o->dns_requests;
}

static void dns_flags_json(setu_json_t *j, const setu_dns_tx_t *tx)
{
	char hex[8];
	snprintf(hex, sizeof(hex), "%x", tx->flags);
	setu_json_str(j, "flags", hex);
	if (tx->flags & 0x8000)
		setu_json_bool(j, "qr", true);
	if (tx->flags & 0x0400)
		setu_json_bool(j, "aa", true);
	if (tx->flags & 0x0200)
		setu_json_bool(j, "tc", true);
	if (tx->flags & 0x0100)
		setu_json_bool(j, "rd", true);
	if (tx->flags & 0x0080)
		setu_json_bool(j, "ra", true);
	if (tx->flags & 0x0040)
		setu_json_bool(j, "z", true);
}

static void dns_rcode_json(setu_json_t *j, const setu_dns_tx_t *tx)
{
	char num[8];
	const char *rc = setu_dns_rcode_name(setu_dns_tx_rcode(tx));
	if (rc == NULL) {
		snprintf(num, sizeof(num), "%u", setu_dns_tx_rcode(tx));
		rc = num;
	}
	setu_json_str(j, "rcode", rc);
}

/* Suricata 7's format (dns.version 2): a request is {"type":"query", rrname, rrtype of
 * its first question}; a response is {"type":"answer", flags, rrname/rrtype of the first
 * question, rcode, answers, grouped, authorities}. */
static void dns_eve_v2(setu_json_t *j, const setu_dns_tx_t *tx,
                       const setu_applayer_eve_opts_t *o)
{
	const setu_dns_rr_t *q = setu_dns_tx_rr(tx, SETU_DNS_SEC_QUERY, 0);
	setu_json_open_object(j, "dns");
	if (!tx->response) {
		setu_json_str(j, "type", "query");
		setu_json_u64(j, "id", tx->id);
		if (q != NULL) {
			setu_json_strn(j, "rrname", setu_dns_rr_name(tx, q), q->name_len);
			dns_rrtype(j, "rrtype", q->rrtype);
		}
		setu_json_u64(j, "tx_id", tx->hdr.id);
		setu_json_u64(j, "opcode", setu_dns_tx_opcode(tx));
		setu_json_close_object(j);
		return;
	}
	setu_json_u64(j, "version", 2);
	setu_json_str(j, "type", "answer");
	setu_json_u64(j, "id", tx->id);
	dns_flags_json(j, tx);
	setu_json_u64(j, "opcode", setu_dns_tx_opcode(tx));
	if (q != NULL) {
		setu_json_strn(j, "rrname", setu_dns_rr_name(tx, q), q->name_len);
		dns_rrtype(j, "rrtype", q->rrtype);
	}
	dns_rcode_json(j, tx);
	if (o->dns_detailed)
		dns_section_json(j, "answers", tx, SETU_DNS_SEC_ANSWER);
	if (o->dns_grouped)
		dns_grouped(j, tx);
	dns_section_json(j, "authorities", tx, SETU_DNS_SEC_AUTHORITY);
	setu_json_close_object(j);
}

void setu_dns_eve(setu_json_t *j, const setu_altx_t *t, const setu_applayer_eve_opts_t *o)
{
	const setu_dns_tx_t *tx = (const setu_dns_tx_t *)t;
	if (o->dns_version == 2) {
		dns_eve_v2(j, tx, o);
		return;
	}
	setu_json_open_object(j, "dns");
	setu_json_u64(j, "version", 3);
	setu_json_str(j, "type", tx->response ? "response" : "request");
	setu_json_u64(j, "tx_id", tx->hdr.id);
	setu_json_u64(j, "id", tx->id);
	dns_flags_json(j, tx);
	setu_json_u64(j, "opcode", setu_dns_tx_opcode(tx));
	dns_rcode_json(j, tx);
	uint32_t nq = tx->nsec[SETU_DNS_SEC_QUERY];
	if (nq > 0) {
		setu_json_open_array(j, "queries");
		for (uint32_t i = 0; i < nq; i++) {
			const setu_dns_rr_t *rr =
			    setu_dns_tx_rr(tx, SETU_DNS_SEC_QUERY, i);
			setu_json_open_object(j, NULL);
			setu_json_strn(j, "rrname", setu_dns_rr_name(tx, rr),
			               rr->name_len);
			dns_rrtype(j, "rrtype", rr->rrtype);
			if (rr->name_trunc)
				setu_json_bool(j, "rrname_truncated", true);
			setu_json_close_object(j);
		}
		setu_json_close_array(j);
	}
	if (o->dns_detailed)
		dns_section_json(j, "answers", tx, SETU_DNS_SEC_ANSWER);
	if (o->dns_grouped)
		dns_grouped(j, tx);
	dns_section_json(j, "authorities", tx, SETU_DNS_SEC_AUTHORITY);
	dns_section_json(j, "additionals", tx, SETU_DNS_SEC_ADDITIONAL);
	setu_json_close_object(j);
}
