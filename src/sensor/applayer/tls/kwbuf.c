/* tls/kwbuf.c — TLS values for rule keywords: tls.version / ssl_version, ssl_state's
 * handshake states, tls.cert_expired / notbefore / notafter dates, tls.subjectaltname. */
#include "sensor/applayer/kwbuf.h"
#include "sensor/applayer/tls/tls.h"

bool setu_tls_kw_ready(const setu_altx_t *t, int dir)
{
	const setu_tls_tx_t *tx = (const setu_tls_tx_t *)t;
	return t->complete || (dir == 0 && tx->has_client_hello);
}

uint16_t setu_tls_kw_version(const setu_altx_t *t, int dir)
{
	const setu_tls_tx_t *tx = (const setu_tls_tx_t *)t;
	if (dir == 1 && tx->has_server_hello)
		return tx->server_version;
	return tx->has_client_hello ? tx->client_version : 0;
}

uint32_t setu_tls_kw_states(const setu_altx_t *t)
{
	const setu_tls_tx_t *tx = (const setu_tls_tx_t *)t;
	return (tx->has_client_hello ? SETU_TLS_ST_CLIENT_HELLO : 0) |
	       (tx->has_server_hello ? SETU_TLS_ST_SERVER_HELLO : 0) |
	       (tx->client_keyx ? SETU_TLS_ST_CLIENT_KEYX : 0) |
	       (tx->server_keyx ? SETU_TLS_ST_SERVER_KEYX : 0) |
	       (tx->unknown_hs ? SETU_TLS_ST_UNKNOWN : 0);
}

bool setu_tls_kw_validity(const setu_altx_t *t, time_t *notbefore, time_t *notafter)
{
	const setu_tls_tx_t *tx = (const setu_tls_tx_t *)t;
	if (!tx->cert.present)
		return false;
	*notbefore = tx->cert.notbefore_t;
	*notafter = tx->cert.notafter_t;
	return true;
}

bool setu_tls_kw_cert(const setu_altx_t *t, int field, int dir, uint32_t idx,
                      const uint8_t **p, uint32_t *n)
{
	const setu_tls_tx_t *tx = (const setu_tls_tx_t *)t;
	const setu_tls_cert_t *c = dir == 0 ? &tx->client_cert : &tx->cert;
	setu_tls_str_t s;
	switch (field) {
	case 0:
		s = c->subject;
		break;
	case 1:
		s = c->issuerdn;
		break;
	case 2:
		s = c->serial;
		break;
	case 3:
		s = c->fingerprint;
		break;
	default:
		if (idx >= c->nder)
			return false;
		s = c->der[idx];
		break;
	}
	if (field != 4 && (!c->present || idx > 0))
		return false;
	if (s.len == 0)
		return false;
	*p = setu_tls_str(tx, s);
	*n = s.len;
	return true;
}

uint32_t setu_tls_kw_chain_len(const setu_altx_t *t)
{
	return ((const setu_tls_tx_t *)t)->cert.nder;
}

bool setu_tls_kw_alpn(const setu_altx_t *t, uint32_t i, const uint8_t **p, uint32_t *n)
{
	const setu_tls_tx_t *tx = (const setu_tls_tx_t *)t;
	if (i >= tx->n_client_alpn || tx->client_alpn[i].len == 0)
		return false;
	*p = setu_tls_str(tx, tx->client_alpn[i]);
	*n = tx->client_alpn[i].len;
	return true;
}

bool setu_tls_kw_san(const setu_altx_t *t, uint32_t i, const uint8_t **p, uint32_t *n)
{
	const setu_tls_tx_t *tx = (const setu_tls_tx_t *)t;
	if (i >= tx->cert.nsan || tx->cert.san[i].len == 0)
		return false;
	*p = setu_tls_str(tx, tx->cert.san[i]);
	*n = tx->cert.san[i].len;
	return true;
}
