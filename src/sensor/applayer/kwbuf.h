/* kwbuf.h — rule-keyword buffers and values of app-layer transactions that the protocol
 * folders' keywords.c do not provide (Suricata http.header, http.header_names,
 * http.start, http.accept*, dns.opcode, dns.rrtype, tls.version ...). Buffers that have
 * to be assembled go into a caller-owned scratch buffer (reused; no allocation once it
 * has grown); the others point into the transaction. */
#ifndef SETU_APPLAYER_KWBUF_H
#define SETU_APPLAYER_KWBUF_H

#include "common/buf.h"
#include "sensor/applayer/applayer.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef enum setu_kwb {
	SETU_KWB_HTTP_HEADER,       /* "Name: value\r\n" per header, without Cookie */
	SETU_KWB_HTTP_HEADER_RAW,   /* every header as "Name: value\r\n", names as sent */
	SETU_KWB_HTTP_HEADER_NAMES, /* "\r\nName1\r\nName2\r\n\r\n" */
	SETU_KWB_HTTP_START,        /* start line, headers, empty line */
	SETU_KWB_HTTP_COOKIE,       /* Cookie (request) / Set-Cookie (response) */
	SETU_KWB_HTTP_CONTENT_TYPE,
	SETU_KWB_HTTP_CONTENT_LEN,
	SETU_KWB_HTTP_ACCEPT,
	SETU_KWB_HTTP_ACCEPT_ENC,
	SETU_KWB_HTTP_ACCEPT_LANG,
	SETU_KWB_HTTP_CONNECTION,
	SETU_KWB_HTTP_PROTOCOL, /* request or response protocol string */
	SETU_KWB_HTTP_BODY, /* file_data: request body toserver, response body toclient */
	SETU_KWB_HTTP_HEADER_N, /* http.request/response_header: idx-th "Name: value" */
} setu_kwb_t;

/* Buffer kwb of an HTTP tx for direction dir (0 request, 1 response); false if absent. */
bool setu_http_kwbuf(const setu_altx_t *tx, setu_kwb_t kwb, int dir, uint32_t idx,
                     setu_buf_t *scratch, const uint8_t **p, uint32_t *n);
/* The request (dir 0) or response (dir 1) of an HTTP tx is complete: rules of that side
 * can be inspected. */
bool setu_http_kw_ready(const setu_altx_t *tx, int dir);
/* Length of the normalised (or raw) uri, false if the tx has no uri. */
bool setu_http_kw_urilen(const setu_altx_t *tx, bool raw, uint32_t *len);

/* DNS: the opcode; the rrtype of the i-th question (false past the end), then of the
 * i-th answer of a response (Suricata dns.rrtype looks at both). */
uint8_t setu_dns_kw_opcode(const setu_altx_t *tx);
uint8_t setu_dns_kw_rcode(const setu_altx_t *tx);
/* Names for the rrname buffers: section 0..3 (queries, answers, authorities,
 * additionals): the i-th owner name; section 4 (dns.response.rrname): every owner name,
 * then every name carried in rdata (CNAME, NS, PTR, MX, SRV, SOA), in order. */
bool setu_dns_kw_name(const setu_altx_t *tx, int section, uint32_t i, const uint8_t **p,
                      uint32_t *n);
bool setu_dns_kw_rrtype(const setu_altx_t *tx, uint32_t i, uint16_t *rrtype);

/* TLS: version seen in direction dir (0 ClientHello, 1 negotiated), 0 if none; whether
 * the handshake states seen; the server certificate's validity dates (false if none); the
 * i-th subjectAltName. */
/* Client side ready once the ClientHello is parsed; server side once the tx is complete
 * (ServerHello, certificates). */
bool setu_tls_kw_ready(const setu_altx_t *tx, int dir);
uint16_t setu_tls_kw_version(const setu_altx_t *tx, int dir);
/* ssl_state: the handshake states seen (SETU_TLS_ST_* bits) */
#define SETU_TLS_ST_CLIENT_HELLO 1u
#define SETU_TLS_ST_SERVER_HELLO 2u
#define SETU_TLS_ST_CLIENT_KEYX 4u
#define SETU_TLS_ST_SERVER_KEYX 8u
#define SETU_TLS_ST_UNKNOWN 16u
uint32_t setu_tls_kw_states(const setu_altx_t *tx);
bool setu_tls_kw_validity(const setu_altx_t *tx, time_t *notbefore, time_t *notafter);
/* Certificate fields of side dir (0 the client's certificate, 1 the server's):
 * field 0 subject, 1 issuer, 2 serial, 3 SHA-1 fingerprint, 4 the idx-th DER of the
 * chain (tls.certs). */
bool setu_tls_kw_cert(const setu_altx_t *tx, int field, int dir, uint32_t idx,
                      const uint8_t **p, uint32_t *n);
/* Certificates in the server's chain; i-th client ALPN. */
uint32_t setu_tls_kw_chain_len(const setu_altx_t *tx);
bool setu_tls_kw_alpn(const setu_altx_t *tx, uint32_t i, const uint8_t **p, uint32_t *n);
bool setu_tls_kw_san(const setu_altx_t *tx, uint32_t i, const uint8_t **p, uint32_t *n);

#endif
