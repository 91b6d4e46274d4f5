/* tls.h — a TLS/SSL session as one transaction (RFC 8446, RFC 5246, RFC 6101; SSLv2
 * ClientHello): versions, SNI, ALPN, JA3/JA3S (Salesforce), JA4 client fingerprint
 * (FoxIO, BSD-3 part), the server certificate chain. Strings live in the tx's arena so
 * rule keywords (tls.sni, tls.subject, ja3.hash ...) read them without copying. */
#ifndef SETU_TLS_H
#define SETU_TLS_H

#include "common/buf.h"
#include "common/limits.h"
#include "sensor/applayer/applayer.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define SETU_TLS_EVENTS(X)                                              \
	X(INVALID_SSLV2_HEADER, "tls.invalid_sslv2_header")             \
	X(INVALID_TLS_HEADER, "tls.invalid_tls_header")                 \
	X(INVALID_RECORD_VERSION, "tls.invalid_record_version")         \
	X(INVALID_RECORD_TYPE, "tls.invalid_record_type")               \
	X(INVALID_RECORD_LENGTH, "tls.invalid_record_length")           \
	X(INVALID_HANDSHAKE_MESSAGE, "tls.invalid_handshake_message")   \
	X(HANDSHAKE_INVALID_LENGTH, "tls.handshake_invalid_length")     \
	X(INVALID_CERTIFICATE, "tls.invalid_certificate")               \
	X(CERTIFICATE_INVALID_LENGTH, "tls.certificate_invalid_length") \
	X(MULTIPLE_SNI_EXTENSIONS, "tls.multiple_sni_extensions")       \
	X(INVALID_SNI_TYPE, "tls.invalid_sni_type")                     \
	X(INVALID_SNI_LENGTH, "tls.invalid_sni_length")                 \
	X(HEARTBEAT_MESSAGE, "tls.heartbeat_message")                   \
	X(ERROR_MESSAGE_ENCOUNTERED, "tls.error_message_encountered")
enum {
#define SETU_TLS_EV_BIT(id, name) SETU_TLS_EVB_##id,
	SETU_TLS_EVENTS(SETU_TLS_EV_BIT)
#undef SETU_TLS_EV_BIT
};
#define SETU_TLS_EV(id) (1u << SETU_TLS_EVB_##id)

/* A string in the tx arena (len 0 = absent). */
typedef struct setu_tls_str {
	uint32_t off, len;
} setu_tls_str_t;

#define SETU_TLS_MAX_ALPN 16
#define SETU_TLS_MAX_SAN 32 /* subjectAltName entries kept per certificate */

/* One side's certificate chain: the first certificate's fields and every DER as sent. */
typedef struct setu_tls_cert {
	bool present; /* the fields below are set */
	setu_tls_str_t subject, issuerdn, serial, fingerprint;
	char notbefore[24], notafter[24]; /* "2015-02-12T18:07:27" */
	time_t notbefore_t, notafter_t;
	setu_tls_str_t san[SETU_TLS_MAX_SAN]; /* DNS names and IP addresses, as text */
	uint8_t nsan;
	setu_tls_str_t der[SETU_TLS_MAX_CERTS]; /* the chain as sent (tls.certs) */
	uint8_t nder;
} setu_tls_cert_t;

typedef struct setu_tls_tx {
	setu_altx_t hdr; /* first */
	uint16_t
	    client_version; /* ClientHello legacy_version (SSLv2 hello: its version) */
	uint16_t
	    client_max_version; /* highest supported_versions entry (no GREASE), or 0 */
	uint16_t
	    server_version; /* negotiated: ServerHello supported_versions, else legacy */
	bool has_client_hello, has_server_hello, sslv2_hello;
	bool tls13; /* server selected TLS 1.3 (or a draft): certificates are hidden */
	bool
	    resumed; /* abbreviated handshake (no certificate, server ChangeCipherSpec) */
	bool cert_request; /* the server asked for a client certificate */
	/* handshake messages seen, for ssl_state: ClientKeyExchange, ServerKeyExchange,
	 * and a handshake type this parser does not know */
	bool client_keyx, server_keyx, unknown_hs;
	setu_tls_str_t sni;
	setu_tls_cert_t cert;        /* the server's first certificate */
	setu_tls_cert_t client_cert; /* the client's first certificate (client auth) */
	setu_tls_str_t ja3, ja3_hash, ja3s, ja3s_hash, ja4;
	setu_tls_str_t client_alpn[SETU_TLS_MAX_ALPN], server_alpn[SETU_TLS_MAX_ALPN];
	uint8_t n_client_alpn, n_server_alpn;
	setu_buf_t arena; /* owned; reused */
} setu_tls_tx_t;

static inline const uint8_t *setu_tls_str(const setu_tls_tx_t *tx, setu_tls_str_t s)
{
	return (const uint8_t *)tx->arena.data + s.off;
}

/* "TLS 1.2", "TLSv1", "SSLv3", "TLS 1.3 draft-28" ... as Suricata; buf >= 32. */
const char *setu_tls_version_str(uint16_t v, char *buf, size_t size);

/* Fingerprint helpers over a parsed ClientHello/ServerHello, exposed for tests/keywords:
 * JA4 client fingerprint of a ClientHello handshake body (without the 4-byte header). */
int setu_tls_ja4(const uint8_t *ch, size_t n, bool quic, char out[40]);

#endif
