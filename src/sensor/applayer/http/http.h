/* http.h — an HTTP/1.x transaction as libhtp parsed it (request + response, RFC 9112),
 * plus the bodies we keep for inspection. Rule keywords read the htp_tx_t fields
 * (bstr, no copy) and the body buffers directly. */
#ifndef SETU_HTTP_H
#define SETU_HTTP_H

#include "common/buf.h"
#include "sensor/applayer/applayer.h"

#include <htp/htp.h>

/* Event bits, Suricata's app-layer-event names (from libhtp's tx flags). */
#define SETU_HTTP_EVENTS(X)                                                         \
	X(MISSING_HOST_HEADER, "http.missing_host_header")                          \
	X(HOST_HEADER_AMBIGUOUS, "http.host_header_ambiguous")                      \
	X(HEADER_HOST_INVALID, "http.header_host_invalid")                          \
	X(URI_HOST_INVALID, "http.uri_host_invalid")                                \
	X(INVALID_REQUEST_FIELD_FOLDING, "http.invalid_request_field_folding")      \
	X(INVALID_TE_IN_REQUEST, "http.invalid_transfer_encoding_value_in_request") \
	X(INVALID_CL_IN_REQUEST, "http.invalid_content_length_field_in_request")    \
	X(REQUEST_FIELD_TOO_LONG, "http.request_field_too_long")                    \
	X(REQUEST_HEADER_REPETITION, "http.request_header_repetition")              \
	X(REQUEST_LINE_INVALID, "http.request_line_invalid")                        \
	X(STATUS_LINE_INVALID, "http.response_status_line_invalid")                 \
	X(REQUEST_SMUGGLING, "http.request_smuggling")                              \
	X(TOO_MANY_HEADERS, "http.request_too_many_headers")                        \
	X(UNKNOWN_ERROR, "http.unknown_error")
enum {
#define SETU_HTTP_EV_BIT(id, name) SETU_HTTP_EVB_##id,
	SETU_HTTP_EVENTS(SETU_HTTP_EV_BIT)
#undef SETU_HTTP_EV_BIT
};
#define SETU_HTTP_EV(id) (1u << SETU_HTTP_EVB_##id)

typedef struct setu_http_tx {
	setu_altx_t hdr; /* first */
	htp_tx_t *htx;   /* borrowed from the flow's libhtp connection parser; NULL once
	                    released */
	setu_buf_t
	    req_body; /* owned: request body (dechunked), up to the request body limit */
	setu_buf_t resp_body; /* owned: response body (dechunked, decompressed), up to its
	                         limit */
	setu_buf_t
	    uri_norm; /* owned: http.uri as Suricata builds it (decoded path, ?query,
	                 #fragment), made when the request headers are parsed */
	setu_buf_t host_norm; /* owned: http.host (hostname, lower case) */
	bool req_body_trunc, resp_body_trunc;
	uint64_t req_body_seen, resp_body_seen; /* body bytes seen in total */
	/* request body Content-Encoding, inflated by us (parser.c says why) */
	uint8_t req_enc;     /* SETU_HTTP_ENC_* from the request headers */
	uint8_t req_z_state; /* SETU_HTTP_Z_*: undecided, inflating, as is, failed */
	uint8_t req_head[2], req_head_n; /* first body bytes, until the decision */
	struct z_stream_s *req_z;        /* owned, kept for reuse with the tx */
} setu_http_tx_t;
enum { SETU_HTTP_ENC_NONE, SETU_HTTP_ENC_GZIP, SETU_HTTP_ENC_DEFLATE };
enum { SETU_HTTP_Z_UNDECIDED, SETU_HTTP_Z_INFLATE, SETU_HTTP_Z_ASIS, SETU_HTTP_Z_FAILED };

/* Keyword helpers: a bstr as bytes; false when absent. */
static inline bool setu_http_bstr(const bstr *b, const uint8_t **p, uint32_t *n)
{
	if (b == NULL)
		return false;
	*p = bstr_ptr(b);
	*n = (uint32_t)bstr_len(b);
	return true;
}
/* Value of a request (dir 0) or response (dir 1) header by name, case-insensitive. */
bool setu_http_tx_header(const setu_http_tx_t *tx, int dir, const char *name,
                         const uint8_t **p, uint32_t *n);
/* Build uri_norm and host_norm (called once the request line and headers are parsed). */
void setu_http_tx_normalize(setu_http_tx_t *tx);

#endif
