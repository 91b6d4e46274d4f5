/* dns/kwbuf.c — DNS values for rule keywords: dns.opcode (header OPCODE, RFC 1035
 * §4.1.1) and dns.rrtype (question types, then answer types of a response). */
#include "sensor/applayer/dns/dns.h"
#include "sensor/applayer/kwbuf.h"

uint8_t setu_dns_kw_opcode(const setu_altx_t *t)
{
	return setu_dns_tx_opcode((const setu_dns_tx_t *)t);
}

uint8_t setu_dns_kw_rcode(const setu_altx_t *t)
{
	return setu_dns_tx_rcode((const setu_dns_tx_t *)t);
}

static bool has_name_rdata(const setu_dns_rr_t *rr)
{
	switch (rr->rrtype) {
	case SETU_DNS_CNAME:
	case SETU_DNS_NS:
	case SETU_DNS_PTR:
	case SETU_DNS_MX:
	case SETU_DNS_SRV:
	case SETU_DNS_SOA:
		return rr->data_ok && rr->data_len > 0;
	default:
		return false;
	}
}

bool setu_dns_kw_name(const setu_altx_t *t, int section, uint32_t i, const uint8_t **p,
                      uint32_t *n)
{
	const setu_dns_tx_t *tx = (const setu_dns_tx_t *)t;
	const setu_dns_rr_t *rr = NULL;
	if (section >= 0 && section < 4) {
		rr = setu_dns_tx_rr(tx, section, i);
	} else {
		if (!tx->response)
			return false;
		if (i < tx->nrr) {
			rr = &tx->rr[i];
		} else {
			/* rdata names: the (i - nrr)-th RR that carries one */
			uint32_t want = i - tx->nrr;
			for (uint32_t k = 0; k < tx->nrr; k++) {
				if (!has_name_rdata(&tx->rr[k]))
					continue;
				if (want-- == 0) {
					*p = setu_dns_rr_data(tx, &tx->rr[k]);
					*n = tx->rr[k].data_len;
					return true;
				}
			}
			return false;
		}
	}
	if (rr == NULL)
		return false;
	*p = setu_dns_rr_name(tx, rr);
	*n = rr->name_len;
	return true;
}

bool setu_dns_kw_rrtype(const setu_altx_t *t, uint32_t i, uint16_t *rrtype)
{
	const setu_dns_tx_t *tx = (const setu_dns_tx_t *)t;
	uint32_t nq = tx->nsec[SETU_DNS_SEC_QUERY];
	const setu_dns_rr_t *rr = i < nq
	                              ? setu_dns_tx_rr(tx, SETU_DNS_SEC_QUERY, i)
	                              : setu_dns_tx_rr(tx, SETU_DNS_SEC_ANSWER, i - nq);
	if (rr == NULL)
		return false;
	*rrtype = rr->rrtype;
	return true;
}
