/* tls/eve.c — the "tls" block of EVE records as Suricata 8 logs it with extended: yes
 * (subject, issuerdn, session_resumed, serial, fingerprint, sni, version, notbefore,
 * notafter, ja3, ja3s, ja4, client_alpns, server_alpns). */
#include "sensor/applayer/applayer-int.h"
#include "sensor/applayer/tls/tls.h"

static void j_str(setu_json_t *j, const char *key, const setu_tls_tx_t *tx,
                  setu_tls_str_t s)
{
	if (s.len > 0)
		setu_json_strn(j, key, setu_tls_str(tx, s), s.len);
}

static void j_alpns(setu_json_t *j, const char *key, const setu_tls_tx_t *tx,
                    const setu_tls_str_t *a, unsigned n)
{
	if (n == 0)
		return;
	setu_json_open_array(j, key);
	for (unsigned i = 0; i < n; i++)
		setu_json_strn(j, NULL, setu_tls_str(tx, a[i]), a[i].len);
	setu_json_close_array(j);
}

bool setu_tls_loggable(const setu_altx_t *t, const setu_applayer_eve_opts_t *o)
{
	const setu_tls_tx_t *tx = (const setu_tls_tx_t *)t;
	/* Suricata: a session is logged once it has a certificate, or when no certificate
	 * can be seen (TLS 1.3), or if resumed and session-resumption logging is on. */
	if (tx->resumed)
		return o->tls_session_resumption;
	return tx->has_cert || tx->tls13;
}

void setu_tls_eve(setu_json_t *j, const setu_altx_t *t, const setu_applayer_eve_opts_t *o)
{
	const setu_tls_tx_t *tx = (const setu_tls_tx_t *)t;
	char vb[32];
	setu_json_open_object(j, "tls");
	j_str(j, "subject", tx, tx->subject);
	j_str(j, "issuerdn", tx, tx->issuerdn);
	if (tx->resumed)
		setu_json_bool(j, "session_resumed", true);
	if (o->tls_extended) {
		j_str(j, "serial", tx, tx->serial);
		j_str(j, "fingerprint", tx, tx->fingerprint);
		j_str(j, "sni", tx, tx->sni);
		uint16_t v = tx->has_server_hello ? tx->server_version : 0;
		setu_json_str(j, "version", setu_tls_version_str(v, vb, sizeof(vb)));
		if (tx->notbefore[0])
			setu_json_str(j, "notbefore", tx->notbefore);
		if (tx->notafter[0])
			setu_json_str(j, "notafter", tx->notafter);
		if (o->tls_ja3 && tx->ja3.len > 0) {
			setu_json_open_object(j, "ja3");
			j_str(j, "hash", tx, tx->ja3_hash);
			j_str(j, "string", tx, tx->ja3);
			setu_json_close_object(j);
		}
		if (o->tls_ja3 && tx->ja3s.len > 0) {
			setu_json_open_object(j, "ja3s");
			j_str(j, "hash", tx, tx->ja3s_hash);
			j_str(j, "string", tx, tx->ja3s);
			setu_json_close_object(j);
		}
		if (o->tls_ja4)
			j_str(j, "ja4", tx, tx->ja4);
		j_alpns(j, "client_alpns", tx, tx->client_alpn, tx->n_client_alpn);
		j_alpns(j, "server_alpns", tx, tx->server_alpn, tx->n_server_alpn);
	}
	setu_json_close_object(j);
}
