/* applayer.h — application-layer protocols of the sensor: detection (ports + content
 * probing, both directions, midstream-safe), DNS / HTTP (libhtp) / TLS parsers, their
 * transactions and EVE blocks. Behaviour and EVE formats follow Suricata 8. */
#ifndef SETU_APPLAYER_H
#define SETU_APPLAYER_H

#include "common/buf.h"
#include "common/counters.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum setu_alproto {
	SETU_ALPROTO_UNKNOWN = 0,
	SETU_ALPROTO_DNS,
	SETU_ALPROTO_HTTP,
	SETU_ALPROTO_TLS,
	SETU_ALPROTO_FAILED, /* detection gave up on this flow */
	SETU_ALPROTO_MAX
} setu_alproto_t;

/* "dns", "http", "tls" as EVE's app_proto writes them; "failed"; "unknown". */
const char *setu_alproto_name(setu_alproto_t p);
/* Inverse of setu_alproto_name (also accepts "http1", "ssl"); UNKNOWN if not known. */
setu_alproto_t setu_alproto_by_name(const char *name);

/* Flags of setu_applayer_handle / setu_alstate_handle. */
#define SETU_AL_GAP 0x1u /* data is missing before this chunk (len may be 0) */
#define SETU_AL_EOF 0x2u /* the direction is closed after this chunk */

typedef struct setu_applayer_config {
	bool dns_enabled, http_enabled, tls_enabled;
	size_t http_request_body_limit; /* bytes of request body kept per tx */
	size_t
	    http_response_body_limit; /* bytes of (decompressed) response body per tx */
	bool tls_ja3, tls_ja4; /* compute fingerprints (cheap; always on by default) */
} setu_applayer_config_t;

/* Suricata's shipped defaults: all enabled, bodies 100 KiB. */
void setu_applayer_config_default(setu_applayer_config_t *cfg);

/* Per worker thread: configuration copy, libhtp config, counters. */
typedef struct setu_applayer_ctx setu_applayer_ctx_t;
/* NULL cfg = defaults. Returns NULL on out-of-memory. */
setu_applayer_ctx_t *setu_applayer_ctx_new(const setu_applayer_config_t *cfg);
void setu_applayer_ctx_free(setu_applayer_ctx_t *ac);
/* Counters: "app_layer.flow.<proto>", "app_layer.tx.<proto>" (dns_udp/dns_tcp, http, tls,
 * failed_tcp, failed_udp) and "app_layer.error.<proto>.parser" as Suricata's stats. */
void setu_applayer_counters(const setu_applayer_ctx_t *ac, setu_counter_cb cb,
                            void *user);

/* Every transaction starts with this header (first member), whatever its protocol. */
typedef struct setu_altx {
	struct setu_altx *next; /* queue link; owned by the flow's app-layer state */
	uint64_t id;            /* 0-based index in the flow: EVE "tx_id" */
	uint32_t events;        /* protocol event bits, see setu_applayer_event_name() */
	/* Direction of the message the record is about, relative to the flow as the
	 * app-layer sees it: a DNS response 1, HTTP and TLS 0 (the client's request). On
	 * a TCP flow setu_alstate_reversed() reports, that is the reversed flow: the
	 * engine swaps the flow's src/dst first (as Suricata does), then EVE src/dst =
	 * flow src/dst if dir == 0, swapped if 1. (UDP DNS: the direction as given, which
	 * with the swapped flow reproduces Suricata's output for reversed DNS flows.) */
	uint8_t dir;
	bool complete; /* parser has finished with it */
	bool logged;   /* handed to a drain callback already */
} setu_altx_t;

/* Name of event bit `bit` (0..31) of protocol p, as Suricata's app-layer-event rules say
 * it ("dns.malformed_data", "tls.invalid_record_type" ...); NULL if none. */
const char *setu_applayer_event_name(setu_alproto_t p, unsigned bit);
/* Lookup by name ("dns.z_flag_set"); returns the bit or -1, and the protocol in *p. */
int setu_applayer_event_by_name(const char *name, setu_alproto_t *p);

/* Per-flow app-layer state: detection, the protocol parser's state, the tx queue.
 * The flow table stores it in storage[SETU_FLOW_STORAGE_APPLAYER] with free_fn =
 * setu_alstate_free. client_port/server_port: ports of the flow's toserver direction. */
typedef struct setu_alstate setu_alstate_t;
setu_alstate_t *setu_alstate_new(setu_applayer_ctx_t *ac, bool is_udp,
                                 uint16_t client_port, uint16_t server_port);
void setu_alstate_free(void *st);
setu_alproto_t setu_alstate_proto(const setu_alstate_t *st);
/* True when the flow's first-seen side turned out to be the server (midstream: a
 * response or ServerHello toserver; UDP: a DNS response first). Suricata then reverses
 * the flow: the engine should swap src/dst for logging. The app-layer already treats
 * dirs as reversed internally (tx->dir is the logical direction). */
bool setu_alstate_reversed(const setu_alstate_t *st);
/* The engine swapped the flow (setu_flow_swap): the dirs it gives from now on are the
 * other way round. Swaps the per-direction detection state (held probe bytes, failed,
 * EOF) and toggles the reversed sense of what parsers are given physical dirs (TCP: the
 * state's own; UDP DNS: the parser's), so that after swapping a reversed flow physical
 * and logical directions agree and setu_alstate_reversed() is false. Parsers' own
 * per-direction buffers are logical and stay as they are. */
void setu_alstate_swap(setu_alstate_t *st);
/* Event bits raised on the flow, outside any transaction (detection, TLS records). */
uint32_t setu_alstate_events(const setu_alstate_t *st);

/* Events of protocol detection itself, not of a protocol's parser: Suricata's app-layer
 * "packet" events (rules/app-layer-events.rules), which EVE logs as anomalies of type
 * "applayer", layer "proto_detect", event in upper case. X(ID, "name"); bit = ID. */
#define SETU_AL_DETECT_EVENTS(X) X(MISMATCH, "applayer_mismatch_protocol_both_directions")
enum {
#define SETU_AL_DEV_ENUM(id, name) SETU_AL_DEV_##id,
	SETU_AL_DETECT_EVENTS(SETU_AL_DEV_ENUM)
#undef SETU_AL_DEV_ENUM
	    SETU_AL_DEV_MAX
};
/* "applayer_mismatch_protocol_both_directions" ...; NULL for an unknown bit. */
const char *setu_applayer_detect_event_name(unsigned bit);
/* Inverse of the above: the bit, or -1. */
int setu_applayer_detect_event_by_name(const char *name);
/* The detection events raised since the last call (1u << SETU_AL_DEV_* bits); the call
 * clears them, so each is reported once, on the packet whose data raised it. */
uint32_t setu_alstate_take_detect_events(setu_alstate_t *st);
/* Every detection event raised on the flow so far (not cleared; it keeps each once). */
uint32_t setu_alstate_detect_events(const setu_alstate_t *st);
/* The ones raised since the last take (not cleared). */
uint32_t setu_alstate_pending_detect_events(const setu_alstate_t *st);

/* One chunk of in-order TCP data of direction dir (0 toserver, 1 toclient), or one whole
 * UDP payload. Detects the protocol, runs its parser (which resumes across chunks) and
 * queues completed transactions. Returns 0, or SETU_ENOMEM (the chunk was dropped and
 * counted). Malformed data is never an error: it raises events. */
int setu_alstate_handle(setu_applayer_ctx_t *ac, setu_alstate_t *st, int dir,
                        const uint8_t *data, size_t len, unsigned flags);

/* Transactions ready to be inspected/logged (complete, or all when flow_end), each handed
 * to cb exactly once, in id order; they are released after cb returns. */
typedef void (*setu_alstate_tx_cb)(void *user, setu_alproto_t proto,
                                   const setu_altx_t *tx);
void setu_alstate_drain(setu_applayer_ctx_t *ac, setu_alstate_t *st, bool flow_end,
                        setu_alstate_tx_cb cb, void *user);

/* Transactions still queued (complete or not), oldest first; follow tx->next. For
 * inspecting a tx in progress (e.g. tls.sni right after the ClientHello). NULL if none.
 */
const setu_altx_t *setu_alstate_tx_first(const setu_alstate_t *st);

/* ---- the same on a flow of the flow table (flow/flow.h): the state lives in
 * f->storage[SETU_FLOW_STORAGE_APPLAYER] and f->app_proto follows detection. dir and
 * flags as above (SETU_STREAM_DATA_GAP/EOF have the same values); UDP payloads are
 * recognised by f->proto. p may be NULL (stream flushes at flow end). ---- */
struct setu_flow;
struct setu_pkt;
int setu_applayer_handle(setu_applayer_ctx_t *ac, struct setu_flow *f,
                         const struct setu_pkt *p, int dir, const uint8_t *data,
                         size_t len, unsigned flags);
typedef void (*setu_applayer_tx_cb)(void *user, struct setu_flow *f, setu_alproto_t proto,
                                    const setu_altx_t *tx);
void setu_applayer_drain(setu_applayer_ctx_t *ac, struct setu_flow *f, bool flow_end,
                         setu_applayer_tx_cb cb, void *user);
/* The flow's app-layer state, or NULL before its first payload. */
setu_alstate_t *setu_applayer_state(const struct setu_flow *f);
/* setu_alstate_take_detect_events on the flow's state; 0 without one. The engine calls
 * it after handing the app-layer a packet's data, and logs what it returns. */
uint32_t setu_applayer_take_detect_events(struct setu_flow *f);
/* The detection events raised while the app-layer took the current packet's data, not
 * yet taken (for rules matching them on that packet, as Suricata's packet app-layer
 * events); 0 without a state. */
uint32_t setu_applayer_pending_detect_events(const struct setu_flow *f);

/* Rule-keyword buffers of a tx (sticky buffers), read in place: no copy, no allocation.
 * Multi-buffers (dns.query over the questions, tls.certs over the chain) take idx. */
#define SETU_AL_BUFFERS(X)                                             \
	X(DNS_QUERY, SETU_ALPROTO_DNS, "dns.query")                    \
	X(HTTP_URI, SETU_ALPROTO_HTTP, "http.uri")                     \
	X(HTTP_URI_RAW, SETU_ALPROTO_HTTP, "http.uri.raw")             \
	X(HTTP_METHOD, SETU_ALPROTO_HTTP, "http.method")               \
	X(HTTP_HOST, SETU_ALPROTO_HTTP, "http.host")                   \
	X(HTTP_HOST_RAW, SETU_ALPROTO_HTTP, "http.host.raw")           \
	X(HTTP_USER_AGENT, SETU_ALPROTO_HTTP, "http.user_agent")       \
	X(HTTP_REQUEST_LINE, SETU_ALPROTO_HTTP, "http.request_line")   \
	X(HTTP_RESPONSE_LINE, SETU_ALPROTO_HTTP, "http.response_line") \
	X(HTTP_PROTOCOL, SETU_ALPROTO_HTTP, "http.protocol")           \
	X(HTTP_STAT_CODE, SETU_ALPROTO_HTTP, "http.stat_code")         \
	X(HTTP_STAT_MSG, SETU_ALPROTO_HTTP, "http.stat_msg")           \
	X(HTTP_REQUEST_BODY, SETU_ALPROTO_HTTP, "http.request_body")   \
	X(HTTP_RESPONSE_BODY, SETU_ALPROTO_HTTP, "http.response_body") \
	X(HTTP_CONTENT_TYPE, SETU_ALPROTO_HTTP, "http.content_type")   \
	X(HTTP_REFERER, SETU_ALPROTO_HTTP, "http.referer")             \
	X(HTTP_COOKIE, SETU_ALPROTO_HTTP, "http.cookie")               \
	X(HTTP_SERVER, SETU_ALPROTO_HTTP, "http.server")               \
	X(HTTP_LOCATION, SETU_ALPROTO_HTTP, "http.location")           \
	X(TLS_SNI, SETU_ALPROTO_TLS, "tls.sni")                        \
	X(TLS_SUBJECT, SETU_ALPROTO_TLS, "tls.subject")                \
	X(TLS_ISSUER, SETU_ALPROTO_TLS, "tls.issuerdn")                \
	X(TLS_SERIAL, SETU_ALPROTO_TLS, "tls.cert_serial")             \
	X(TLS_FINGERPRINT, SETU_ALPROTO_TLS, "tls.cert_fingerprint")   \
	X(TLS_CERTS, SETU_ALPROTO_TLS, "tls.certs")                    \
	X(JA3_HASH, SETU_ALPROTO_TLS, "ja3.hash")                      \
	X(JA3_STRING, SETU_ALPROTO_TLS, "ja3.string")                  \
	X(JA3S_HASH, SETU_ALPROTO_TLS, "ja3s.hash")                    \
	X(JA3S_STRING, SETU_ALPROTO_TLS, "ja3s.string")                \
	X(JA4_HASH, SETU_ALPROTO_TLS, "ja4.hash")
typedef enum setu_al_buffer {
#define SETU_AL_BUF_ENUM(id, proto, name) SETU_ALBUF_##id,
	SETU_AL_BUFFERS(SETU_AL_BUF_ENUM)
#undef SETU_AL_BUF_ENUM
	    SETU_ALBUF_MAX
} setu_al_buffer_t;
/* The keyword's name ("http.uri") and protocol; lookup by name (SETU_ALBUF_MAX if none).
 */
const char *setu_al_buffer_name(setu_al_buffer_t b);
setu_alproto_t setu_al_buffer_proto(setu_al_buffer_t b);
setu_al_buffer_t setu_al_buffer_by_name(const char *name);
/* Buffer b (entry idx of a multi-buffer) of tx; false when the tx has none (or not yet).
 */
bool setu_applayer_tx_buffer(setu_alproto_t proto, const setu_altx_t *tx,
                             setu_al_buffer_t b, uint32_t idx, const uint8_t **p,
                             uint32_t *n);

/* EVE options, Suricata's defaults given by setu_applayer_eve_opts_default(). */
typedef struct setu_applayer_eve_opts {
	int dns_version;    /* 3 (Suricata 8 default), or 2 (Suricata 7's format) */
	bool dns_requests;  /* log requests (default yes) */
	bool dns_responses; /* log responses (default yes) */
	bool dns_detailed;  /* "answers": [...]  (default yes) */
	bool dns_grouped;   /* "grouped": {...}  (default yes) */
	bool http_extended; /* default yes */
	bool http_request_headers; /* dump-all-headers request|both (default no) */
	bool http_response_headers;
	bool tls_extended;           /* default yes */
	bool tls_session_resumption; /* log resumed sessions (default no) */
	bool tls_ja3, tls_ja4;       /* log fingerprints (default no: Suricata "auto") */
	uint32_t tls_custom; /* tls.custom: SETU_TLS_F_* bits; 0 = (extended) default */
} setu_applayer_eve_opts_t;

/* tls.custom field names as suricata.yaml lists them, in Suricata's output order. */
#define SETU_TLS_FIELDS(X)                          \
	X(SUBJECT, "subject")                       \
	X(ISSUER, "issuer")                         \
	X(SESSION_RESUMED, "session_resumed")       \
	X(SERIAL, "serial")                         \
	X(FINGERPRINT, "fingerprint")               \
	X(SNI, "sni")                               \
	X(VERSION, "version")                       \
	X(NOT_BEFORE, "not_before")                 \
	X(NOT_AFTER, "not_after")                   \
	X(CERTIFICATE, "certificate")               \
	X(CHAIN, "chain")                           \
	X(JA3, "ja3")                               \
	X(JA3S, "ja3s")                             \
	X(JA4, "ja4")                               \
	X(SUBJECTALTNAME, "subjectaltname")         \
	X(CLIENT, "client")                         \
	X(CLIENT_CERTIFICATE, "client_certificate") \
	X(CLIENT_CHAIN, "client_chain")             \
	X(CLIENT_ALPNS, "client_alpns")             \
	X(SERVER_ALPNS, "server_alpns")
enum {
#define SETU_TLS_F_BIT(id, name) SETU_TLS_FB_##id,
	SETU_TLS_FIELDS(SETU_TLS_F_BIT)
#undef SETU_TLS_F_BIT
};
#define SETU_TLS_F(id) (1u << SETU_TLS_FB_##id)
/* Bit of a tls.custom field name, or 0 if unknown (the config reports it by name). */
uint32_t setu_tls_custom_field(const char *name);
void setu_applayer_eve_opts_default(setu_applayer_eve_opts_t *o);

/* Should this tx produce its own "dns"/"http"/"tls" EVE record under these options? */
bool setu_applayer_tx_loggable(setu_alproto_t proto, const setu_altx_t *tx,
                               const setu_applayer_eve_opts_t *opts);
/* Write the protocol's block ("dns": {...} / "http": {...} / "tls": {...}) for a tx into
 * an open JSON object. */
void setu_applayer_eve_tx(setu_json_t *j, setu_alproto_t proto, const setu_altx_t *tx,
                          const setu_applayer_eve_opts_t *opts);

#endif
