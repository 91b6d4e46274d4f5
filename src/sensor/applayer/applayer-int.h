/* applayer-int.h — what the app-layer glue (applayer.c) and the protocol folders share:
 * the transaction queue and each protocol's standalone parser API. Not for other parts.
 */
#ifndef SETU_APPLAYER_INT_H
#define SETU_APPLAYER_INT_H

#include "sensor/applayer/applayer.h"

/* Transactions of one flow, in id order. Parsers append; drain removes from the head. */
typedef struct setu_altxq {
	setu_altx_t *head, *tail;
	uint32_t count;
	uint64_t next_id;
	uint64_t dropped; /* txs refused because count reached SETU_AL_MAX_TX_PER_FLOW */
} setu_altxq_t;

/* Append tx (assigns its id). Returns false (tx not queued) when the queue is full. */
bool setu_altxq_push(setu_altxq_t *q, setu_altx_t *tx);
/* Hand ready txs to cb once each and release them with release(ps, tx). Txs after the
 * first incomplete one wait (order is kept) unless flow_end. */
void setu_altxq_drain(setu_altxq_t *q, setu_alproto_t proto, bool flow_end,
                      setu_alstate_tx_cb cb, void *user,
                      void (*release)(void *ps, setu_altx_t *tx), void *ps);

/* Content probes: 1 = this protocol, 0 = need more bytes, -1 = not this protocol. */
int setu_dns_probe(const uint8_t *d, size_t n, bool is_tcp);
int setu_http_probe(const uint8_t *d, size_t n, int dir);
int setu_tls_probe(const uint8_t *d, size_t n);

/* --- DNS (dns/parser.c) --- */
typedef struct setu_dns_state setu_dns_state_t;
setu_dns_state_t *setu_dns_state_new(void);
void setu_dns_state_free(void *ds);
/* is_tcp: data is a TCP stream (2-byte length prefixed messages); else one datagram. */
int setu_dns_parse(setu_dns_state_t *ds, int dir, bool is_tcp, const uint8_t *d, size_t n,
                   unsigned flags);
setu_altxq_t *setu_dns_txq(setu_dns_state_t *ds);
void setu_dns_tx_release(void *ds, setu_altx_t *tx);
uint32_t setu_dns_state_events(const setu_dns_state_t *ds);
/* The first message seen was a response sent toserver (reversed UDP flow). */
bool setu_dns_reversed(const setu_dns_state_t *ds);
/* The flow was swapped: the dirs given from now on are the other way (toggles the above).
 */
void setu_dns_swap(setu_dns_state_t *ds);
void setu_dns_eve(setu_json_t *j, const setu_altx_t *tx,
                  const setu_applayer_eve_opts_t *o);
bool setu_dns_loggable(const setu_altx_t *tx, const setu_applayer_eve_opts_t *o);
const char *setu_dns_event_name(unsigned bit);

/* --- HTTP (http/parser.c, libhtp) --- */
typedef struct setu_http_cfg setu_http_cfg_t; /* per thread: libhtp config */
setu_http_cfg_t *setu_http_cfg_new(size_t req_body_limit, size_t resp_body_limit);
void setu_http_cfg_free(setu_http_cfg_t *hc);
typedef struct setu_http_state setu_http_state_t;
setu_http_state_t *setu_http_state_new(setu_http_cfg_t *hc);
void setu_http_state_free(void *hs);
int setu_http_parse(setu_http_state_t *hs, int dir, const uint8_t *d, size_t n,
                    unsigned flags);
/* After a 2xx answer to CONNECT the flow is a tunnel: true, with the bytes of the last
 * parsed chunk that were HTTP (*used; the rest belong to the tunnel) and the toserver
 * bytes that came after the CONNECT request (borrowed until the state is freed). */
bool setu_http_tunnel(setu_http_state_t *hs, size_t *used, const uint8_t **ts_pending,
                      size_t *ts_pending_n);
setu_altxq_t *setu_http_txq(setu_http_state_t *hs);
void setu_http_tx_release(void *hs, setu_altx_t *tx);
uint32_t setu_http_state_events(const setu_http_state_t *hs);
void setu_http_eve(setu_json_t *j, const setu_altx_t *tx,
                   const setu_applayer_eve_opts_t *o);
bool setu_http_loggable(const setu_altx_t *tx, const setu_applayer_eve_opts_t *o);
const char *setu_http_event_name(unsigned bit);

/* --- TLS (tls/parser.c) --- */
typedef struct setu_tls_state setu_tls_state_t;
setu_tls_state_t *setu_tls_state_new(void);
void setu_tls_state_free(void *ts);
int setu_tls_parse(setu_tls_state_t *ts, int dir, const uint8_t *d, size_t n,
                   unsigned flags);
setu_altxq_t *setu_tls_txq(setu_tls_state_t *ts);
void setu_tls_tx_release(void *ts, setu_altx_t *tx);
uint32_t setu_tls_state_events(const setu_tls_state_t *ts);
void setu_tls_eve(setu_json_t *j, const setu_altx_t *tx,
                  const setu_applayer_eve_opts_t *o);
bool setu_tls_loggable(const setu_altx_t *tx, const setu_applayer_eve_opts_t *o);
const char *setu_tls_event_name(unsigned bit);

/* Per-protocol keyword buffers (dns/ http/ tls/ keywords.c). */
bool setu_dns_buffer(const setu_altx_t *tx, setu_al_buffer_t b, uint32_t idx,
                     const uint8_t **p, uint32_t *n);
bool setu_http_buffer(const setu_altx_t *tx, setu_al_buffer_t b, uint32_t idx,
                      const uint8_t **p, uint32_t *n);
bool setu_tls_buffer(const setu_altx_t *tx, setu_al_buffer_t b, uint32_t idx,
                     const uint8_t **p, uint32_t *n);

#endif
