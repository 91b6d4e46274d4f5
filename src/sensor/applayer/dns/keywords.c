/* dns/keywords.c — DNS rule-keyword buffers (Suricata dns.query: each question's name).
 */
#include "sensor/applayer/applayer-int.h"
#include "sensor/applayer/dns/dns.h"

bool setu_dns_buffer(const setu_altx_t *t, setu_al_buffer_t b, uint32_t idx,
                     const uint8_t **p, uint32_t *n)
{
	const setu_dns_tx_t *tx = (const setu_dns_tx_t *)t;
	if (b == SETU_ALBUF_DNS_QUERY)
		return setu_dns_tx_query(tx, idx, p, n);
	return false;
}
