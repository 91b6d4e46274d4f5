/* http/keywords.c — HTTP rule-keyword buffers as Suricata defines them (http.uri is the
 * decoded path + ?query + #fragment, http.host the lower-case hostname, .raw variants
 * as sent); read from libhtp's tx and our normalized copies, without copying. */
#include "sensor/applayer/applayer-int.h"
#include "sensor/applayer/http/http.h"

#include <ctype.h>

static bool buf(const setu_buf_t *b, const uint8_t **p, uint32_t *n)
{
	if (b->len == 0)
		return false;
	*p = (const uint8_t *)b->data;
	*n = (uint32_t)b->len;
	return true;
}

void setu_http_tx_normalize(setu_http_tx_t *tx)
{
	const htp_tx_t *h = tx->htx;
	setu_buf_reset(&tx->uri_norm);
	setu_buf_reset(&tx->host_norm);
	if (h == NULL)
		return;
	const htp_uri_t *u = h->parsed_uri;
	if (u != NULL) {
		if (u->path != NULL)
			setu_buf_append(&tx->uri_norm, bstr_ptr(u->path),
			                bstr_len(u->path));
		if (u->query != NULL) {
			setu_buf_putc(&tx->uri_norm, '?');
			setu_buf_append(&tx->uri_norm, bstr_ptr(u->query),
			                bstr_len(u->query));
		}
		if (u->fragment != NULL) {
			setu_buf_putc(&tx->uri_norm, '#');
			setu_buf_append(&tx->uri_norm, bstr_ptr(u->fragment),
			                bstr_len(u->fragment));
		}
	}
	if (h->request_hostname != NULL) {
		const uint8_t *p = bstr_ptr(h->request_hostname);
		size_t n = bstr_len(h->request_hostname);
		for (size_t i = 0; i < n; i++)
			setu_buf_putc(&tx->host_norm, (char)tolower(p[i]));
	}
}

bool setu_http_buffer(const setu_altx_t *t, setu_al_buffer_t b, uint32_t idx,
                      const uint8_t **p, uint32_t *n)
{
	const setu_http_tx_t *tx = (const setu_http_tx_t *)t;
	const htp_tx_t *h = tx->htx;
	(void)idx;
	if (h == NULL)
		return false;
	switch (b) {
	case SETU_ALBUF_HTTP_URI:
		return buf(&tx->uri_norm, p, n);
	case SETU_ALBUF_HTTP_URI_RAW:
		return setu_http_bstr(h->request_uri, p, n);
	case SETU_ALBUF_HTTP_METHOD:
		return setu_http_bstr(h->request_method, p, n);
	case SETU_ALBUF_HTTP_HOST:
		return buf(&tx->host_norm, p, n);
	case SETU_ALBUF_HTTP_HOST_RAW:
		return setu_http_tx_header(tx, 0, "host", p, n);
	case SETU_ALBUF_HTTP_USER_AGENT:
		return setu_http_tx_header(tx, 0, "user-agent", p, n);
	case SETU_ALBUF_HTTP_REQUEST_LINE:
		return setu_http_bstr(h->request_line, p, n);
	case SETU_ALBUF_HTTP_RESPONSE_LINE:
		return setu_http_bstr(h->response_line, p, n);
	case SETU_ALBUF_HTTP_PROTOCOL:
		return setu_http_bstr(h->request_protocol, p, n);
	case SETU_ALBUF_HTTP_STAT_CODE:
		return setu_http_bstr(h->response_status, p, n);
	case SETU_ALBUF_HTTP_STAT_MSG:
		return setu_http_bstr(h->response_message, p, n);
	case SETU_ALBUF_HTTP_REQUEST_BODY:
		return buf(&tx->req_body, p, n);
	case SETU_ALBUF_HTTP_RESPONSE_BODY:
		return buf(&tx->resp_body, p, n);
	case SETU_ALBUF_HTTP_CONTENT_TYPE:
		return setu_http_tx_header(tx, 1, "content-type", p, n) ||
		       setu_http_tx_header(tx, 0, "content-type", p, n);
	case SETU_ALBUF_HTTP_REFERER:
		return setu_http_tx_header(tx, 0, "referer", p, n);
	case SETU_ALBUF_HTTP_COOKIE:
		return setu_http_tx_header(tx, 0, "cookie", p, n);
	case SETU_ALBUF_HTTP_SERVER:
		return setu_http_tx_header(tx, 1, "server", p, n);
	case SETU_ALBUF_HTTP_LOCATION:
		return setu_http_tx_header(tx, 1, "location", p, n);
	default:
		return false;
	}
}
