/* tls/eve.c — the "tls" block of EVE records as Suricata 8 logs it: extended (subject,
 * issuerdn, session_resumed, serial, fingerprint, sni, version, notbefore, notafter,
 * ja3, ja3s, ja4, alpns, client) or the fields of a tls.custom list. */
#include "sensor/applayer/applayer-int.h"
#include "sensor/applayer/tls/tls.h"

#include <string.h>

static const char *const tls_field_names[] = {
#define SETU_TLS_F_NAME(id, name) name,
    SETU_TLS_FIELDS(SETU_TLS_F_NAME)
#undef SETU_TLS_F_NAME
};

uint32_t setu_tls_custom_field(const char *name)
{
	for (unsigned i = 0; i < sizeof(tls_field_names) / sizeof(tls_field_names[0]);
	     i++)
		if (strcmp(tls_field_names[i], name) == 0)
			return 1u << i;
	return 0;
}

static void j_str(setu_json_t *j, const char *key, const setu_tls_tx_t *tx,
                  setu_tls_str_t s)
{
	if (s.len > 0)
		setu_json_strn(j, key, setu_tls_str(tx, s), s.len);
}

static void j_list(setu_json_t *j, const char *key, const setu_tls_tx_t *tx,
                   const setu_tls_str_t *a, unsigned n)
{
	if (n == 0)
		return;
	setu_json_open_array(j, key);
	for (unsigned i = 0; i < n; i++)
		setu_json_strn(j, NULL, setu_tls_str(tx, a[i]), a[i].len);
	setu_json_close_array(j);
}

/* base64 of a DER certificate as a JSON string */
static void j_b64(setu_json_t *j, const char *key, const setu_tls_tx_t *tx,
                  setu_tls_str_t s)
{
	setu_buf_t b;
	setu_buf_init(&b, 0);
	setu_buf_putc(&b, '"');
	setu_base64_append(&b, setu_tls_str(tx, s), s.len);
	setu_buf_putc(&b, '"');
	if (setu_buf_ok(&b))
		setu_json_raw(j, key, b.data, b.len);
	setu_buf_free(&b);
}

static void j_chain(setu_json_t *j, const char *key, const setu_tls_tx_t *tx,
                    const setu_tls_cert_t *c)
{
	if (c->nder == 0)
		return;
	setu_json_open_array(j, key);
	for (unsigned i = 0; i < c->nder; i++)
		j_b64(j, NULL, tx, c->der[i]);
	setu_json_close_array(j);
}

bool setu_tls_loggable(const setu_altx_t *t, const setu_applayer_eve_opts_t *o)
{
	const setu_tls_tx_t *tx = (const setu_tls_tx_t *)t;
	/* Suricata 8 logs every session (with or without certificate, even a lone
	 * ClientHello) except resumed ones, unless session-resumption logging is on */
	return !tx->resumed || o->tls_session_resumption;
}

/* "client": {...} of a client certificate, as Suricata's client fields. */
static void j_client(setu_json_t *j, const setu_tls_tx_t *tx, bool cert, bool chain)
{
	const setu_tls_cert_t *c = &tx->client_cert;
	if (!c->present)
		return;
	setu_json_open_object(j, "client");
	j_str(j, "subject", tx, c->subject);
	j_str(j, "issuerdn", tx, c->issuerdn);
	j_str(j, "fingerprint", tx, c->fingerprint);
	j_str(j, "serial", tx, c->serial);
	if (c->notbefore[0])
		setu_json_str(j, "notbefore", c->notbefore);
	if (c->notafter[0])
		setu_json_str(j, "notafter", c->notafter);
	if (cert && c->nder > 0)
		j_b64(j, "certificate", tx, c->der[0]);
	if (chain)
		j_chain(j, "chain", tx, c);
	setu_json_close_object(j);
}

void setu_tls_eve(setu_json_t *j, const setu_altx_t *t, const setu_applayer_eve_opts_t *o)
{
	const setu_tls_tx_t *tx = (const setu_tls_tx_t *)t;
	const setu_tls_cert_t *c = &tx->cert;
	uint32_t f = o->tls_custom;
	bool custom = f != 0;
	if (!custom) {
		f = SETU_TLS_F(SUBJECT) | SETU_TLS_F(ISSUER) |
		    SETU_TLS_F(SESSION_RESUMED);
		if (o->tls_extended)
			f |= SETU_TLS_F(SERIAL) | SETU_TLS_F(FINGERPRINT) |
			     SETU_TLS_F(SNI) | SETU_TLS_F(VERSION) |
			     SETU_TLS_F(NOT_BEFORE) | SETU_TLS_F(NOT_AFTER) |
			     SETU_TLS_F(JA3) | SETU_TLS_F(JA3S) | SETU_TLS_F(JA4) |
			     SETU_TLS_F(CLIENT_ALPNS) | SETU_TLS_F(SERVER_ALPNS) |
			     SETU_TLS_F(CLIENT);
	}
	char vb[32];
	setu_json_open_object(j, "tls");
	if (f & SETU_TLS_F(SUBJECT))
		j_str(j, "subject", tx, c->subject);
	if (f & SETU_TLS_F(ISSUER))
		j_str(j, "issuerdn", tx, c->issuerdn);
	if ((f & SETU_TLS_F(SESSION_RESUMED)) && tx->resumed)
		setu_json_bool(j, "session_resumed", true);
	if (f & SETU_TLS_F(SERIAL))
		j_str(j, "serial", tx, c->serial);
	if (f & SETU_TLS_F(FINGERPRINT))
		j_str(j, "fingerprint", tx, c->fingerprint);
	if (f & SETU_TLS_F(SNI))
		j_str(j, "sni", tx, tx->sni);
	if (f & SETU_TLS_F(VERSION)) {
		/* the negotiated version; without a ServerHello, what the client offered
		 */
		uint16_t v = tx->has_server_hello   ? tx->server_version
		             : tx->has_client_hello ? tx->client_version
		                                    : 0;
		setu_json_str(j, "version", setu_tls_version_str(v, vb, sizeof(vb)));
	}
	if ((f & SETU_TLS_F(NOT_BEFORE)) && c->notbefore[0])
		setu_json_str(j, "notbefore", c->notbefore);
	if ((f & SETU_TLS_F(NOT_AFTER)) && c->notafter[0])
		setu_json_str(j, "notafter", c->notafter);
	if ((f & SETU_TLS_F(CERTIFICATE)) && c->nder > 0)
		j_b64(j, "certificate", tx, c->der[0]);
	if (f & SETU_TLS_F(CHAIN))
		j_chain(j, "chain", tx, c);
	if ((f & SETU_TLS_F(JA3)) && o->tls_ja3 && tx->ja3.len > 0) {
		setu_json_open_object(j, "ja3");
		j_str(j, "hash", tx, tx->ja3_hash);
		j_str(j, "string", tx, tx->ja3);
		setu_json_close_object(j);
	}
	if ((f & SETU_TLS_F(JA3S)) && o->tls_ja3 && tx->ja3s.len > 0) {
		setu_json_open_object(j, "ja3s");
		j_str(j, "hash", tx, tx->ja3s_hash);
		j_str(j, "string", tx, tx->ja3s);
		setu_json_close_object(j);
	}
	if ((f & SETU_TLS_F(JA4)) && o->tls_ja4)
		j_str(j, "ja4", tx, tx->ja4);
	if (f & SETU_TLS_F(SUBJECTALTNAME))
		j_list(j, "subjectaltname", tx, c->san, c->nsan);
	if (f & SETU_TLS_F(CLIENT))
		j_client(j, tx, custom && (f & SETU_TLS_F(CLIENT_CERTIFICATE)),
		         custom && (f & SETU_TLS_F(CLIENT_CHAIN)));
	if (f & SETU_TLS_F(CLIENT_ALPNS))
		j_list(j, "client_alpns", tx, tx->client_alpn, tx->n_client_alpn);
	if (f & SETU_TLS_F(SERVER_ALPNS))
		j_list(j, "server_alpns", tx, tx->server_alpn, tx->n_server_alpn);
	setu_json_close_object(j);
}
