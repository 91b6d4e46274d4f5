/* http/kwbuf.c — HTTP rule buffers assembled from libhtp's header tables the way
 * Suricata builds them (detect-http-header.c / -header-names.c / -start.c semantics:
 * http.header leaves Cookie/Set-Cookie out, header_names is framed by CRLFs). */
#include "sensor/applayer/http/http.h"
#include "sensor/applayer/kwbuf.h"

#include <strings.h>

static bool out(setu_buf_t *b, const uint8_t **p, uint32_t *n)
{
	if (!setu_buf_ok(b) || b->len == 0)
		return false;
	*p = (const uint8_t *)b->data;
	*n = (uint32_t)b->len;
	return true;
}

static bool is_named(const htp_header_t *h, const char *name)
{
	return h->name != NULL && bstr_cmp_c_nocase(h->name, name) == 0;
}

/* headers of one direction into scratch: mode 0 http.header, 1 raw, 2 names */
static bool headers(const htp_table_t *t, int dir, int mode, setu_buf_t *b)
{
	size_t n = t != NULL ? htp_table_size(t) : 0;
	if (n == 0)
		return false;
	if (mode == 2)
		setu_buf_append(b, "\r\n", 2);
	for (size_t i = 0; i < n; i++) {
		htp_header_t *h = htp_table_get_index(t, i, NULL);
		if (h == NULL || h->name == NULL)
			continue;
		if (mode == 0 && is_named(h, dir ? "set-cookie" : "cookie"))
			continue;
		setu_buf_append(b, bstr_ptr(h->name), bstr_len(h->name));
		if (mode != 2) {
			setu_buf_append(b, ": ", 2);
			if (h->value != NULL)
				setu_buf_append(b, bstr_ptr(h->value),
				                bstr_len(h->value));
		}
		setu_buf_append(b, "\r\n", 2);
	}
	if (mode == 2)
		setu_buf_append(b, "\r\n", 2);
	return true;
}

static bool body(const setu_buf_t *src, const uint8_t **p, uint32_t *n)
{
	if (src->len == 0)
		return false;
	*p = (const uint8_t *)src->data;
	*n = (uint32_t)src->len;
	return true;
}

bool setu_http_kwbuf(const setu_altx_t *t, setu_kwb_t kwb, int dir, uint32_t idx,
                     setu_buf_t *scratch, const uint8_t **p, uint32_t *n)
{
	const setu_http_tx_t *tx = (const setu_http_tx_t *)t;
	const htp_tx_t *h = tx->htx;
	if (h == NULL)
		return false;
	const htp_table_t *tab = dir ? h->response_headers : h->request_headers;
	setu_buf_reset(scratch);
	switch (kwb) {
	case SETU_KWB_HTTP_HEADER:
		return headers(tab, dir, 0, scratch) && out(scratch, p, n);
	case SETU_KWB_HTTP_HEADER_RAW:
		return headers(tab, dir, 1, scratch) && out(scratch, p, n);
	case SETU_KWB_HTTP_HEADER_NAMES:
		return headers(tab, dir, 2, scratch) && out(scratch, p, n);
	case SETU_KWB_HTTP_START: {
		const bstr *line = dir ? h->response_line : h->request_line;
		if (line == NULL)
			return false;
		setu_buf_append(scratch, bstr_ptr(line), bstr_len(line));
		setu_buf_append(scratch, "\r\n", 2);
		headers(tab, dir, 1, scratch);
		setu_buf_append(scratch, "\r\n", 2);
		return out(scratch, p, n);
	}
	case SETU_KWB_HTTP_COOKIE:
		return setu_http_tx_header(tx, dir, dir ? "set-cookie" : "cookie", p, n);
	case SETU_KWB_HTTP_CONTENT_TYPE:
		return setu_http_tx_header(tx, dir, "content-type", p, n);
	case SETU_KWB_HTTP_CONTENT_LEN:
		return setu_http_tx_header(tx, dir, "content-length", p, n);
	case SETU_KWB_HTTP_ACCEPT:
		return setu_http_tx_header(tx, 0, "accept", p, n);
	case SETU_KWB_HTTP_ACCEPT_ENC:
		return setu_http_tx_header(tx, 0, "accept-encoding", p, n);
	case SETU_KWB_HTTP_ACCEPT_LANG:
		return setu_http_tx_header(tx, 0, "accept-language", p, n);
	case SETU_KWB_HTTP_CONNECTION:
		return setu_http_tx_header(tx, dir, "connection", p, n);
	case SETU_KWB_HTTP_PROTOCOL:
		return setu_http_bstr(dir ? h->response_protocol : h->request_protocol, p,
		                      n);
	case SETU_KWB_HTTP_BODY:
		return body(dir ? &tx->resp_body : &tx->req_body, p, n);
	case SETU_KWB_HTTP_HEADER_N: {
		if (tab == NULL || idx >= htp_table_size(tab))
			return false;
		htp_header_t *hd = htp_table_get_index(tab, idx, NULL);
		if (hd == NULL || hd->name == NULL)
			return false;
		setu_buf_append(scratch, bstr_ptr(hd->name), bstr_len(hd->name));
		setu_buf_append(scratch, ": ", 2);
		if (hd->value != NULL)
			setu_buf_append(scratch, bstr_ptr(hd->value),
			                bstr_len(hd->value));
		return out(scratch, p, n);
	}
	}
	return false;
}

bool setu_http_kw_ready(const setu_altx_t *t, int dir)
{
	const setu_http_tx_t *tx = (const setu_http_tx_t *)t;
	if (t->complete)
		return true;
	if (tx->htx == NULL)
		return false;
	return dir == 0 ? tx->htx->request_progress >= HTP_REQUEST_COMPLETE
	                : tx->htx->response_progress >= HTP_RESPONSE_COMPLETE;
}

bool setu_http_kw_urilen(const setu_altx_t *t, bool raw, uint32_t *len)
{
	const setu_http_tx_t *tx = (const setu_http_tx_t *)t;
	if (tx->htx == NULL)
		return false;
	if (raw) {
		if (tx->htx->request_uri == NULL)
			return false;
		*len = (uint32_t)bstr_len(tx->htx->request_uri);
		return true;
	}
	if (tx->uri_norm.len == 0)
		return false;
	*len = (uint32_t)tx->uri_norm.len;
	return true;
}
