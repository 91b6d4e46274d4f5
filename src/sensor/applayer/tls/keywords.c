/* tls/keywords.c — TLS rule-keyword buffers (Suricata tls.sni, tls.subject,
 * tls.issuerdn, tls.cert_serial, tls.cert_fingerprint, tls.certs, ja3/ja3s/ja4). */
#include "sensor/applayer/applayer-int.h"
#include "sensor/applayer/tls/tls.h"

static bool str(const setu_tls_tx_t *tx, setu_tls_str_t s, const uint8_t **p, uint32_t *n)
{
	if (s.len == 0)
		return false;
	*p = setu_tls_str(tx, s);
	*n = s.len;
	return true;
}

bool setu_tls_buffer(const setu_altx_t *t, setu_al_buffer_t b, uint32_t idx,
                     const uint8_t **p, uint32_t *n)
{
	const setu_tls_tx_t *tx = (const setu_tls_tx_t *)t;
	switch (b) {
	case SETU_ALBUF_TLS_SNI:
		return str(tx, tx->sni, p, n);
	case SETU_ALBUF_TLS_SUBJECT:
		return str(tx, tx->cert.subject, p, n);
	case SETU_ALBUF_TLS_ISSUER:
		return str(tx, tx->cert.issuerdn, p, n);
	case SETU_ALBUF_TLS_SERIAL:
		return str(tx, tx->cert.serial, p, n);
	case SETU_ALBUF_TLS_FINGERPRINT:
		return str(tx, tx->cert.fingerprint, p, n);
	case SETU_ALBUF_TLS_CERTS:
		return idx < tx->cert.nder && str(tx, tx->cert.der[idx], p, n);
	case SETU_ALBUF_JA3_HASH:
		return str(tx, tx->ja3_hash, p, n);
	case SETU_ALBUF_JA3_STRING:
		return str(tx, tx->ja3, p, n);
	case SETU_ALBUF_JA3S_HASH:
		return str(tx, tx->ja3s_hash, p, n);
	case SETU_ALBUF_JA3S_STRING:
		return str(tx, tx->ja3s, p, n);
	case SETU_ALBUF_JA4_HASH:
		return str(tx, tx->ja4, p, n);
	default:
		return false;
	}
}
