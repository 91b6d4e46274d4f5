/* http/eve.c — the "http" block of EVE records as Suricata logs it with extended: yes
 * (hostname, http_port, url, http_user_agent, http_content_type, http_refer, http_method,
 * protocol, status, redirect, length; request/response headers when dump-all-headers). */
#include "sensor/applayer/applayer-int.h"
#include "sensor/applayer/http/http.h"

#include <string.h>

static void j_bstr(setu_json_t *j, const char *key, const bstr *b)
{
	if (b != NULL)
		setu_json_strn(j, key, bstr_ptr(b), bstr_len(b));
}

static const htp_header_t *hdr(const htp_table_t *t, const char *name)
{
	return t != NULL ? htp_table_get_c(t, name) : NULL;
}

static void headers_json(setu_json_t *j, const char *key, const htp_table_t *t)
{
	if (t == NULL)
		return;
	setu_json_open_array(j, key);
	size_t n = htp_table_size(t);
	for (size_t i = 0; i < n; i++) {
		htp_header_t *h = htp_table_get_index(t, i, NULL);
		if (h == NULL)
			continue;
		setu_json_open_object(j, NULL);
		j_bstr(j, "name", h->name);
		j_bstr(j, "value", h->value);
		setu_json_close_object(j);
	}
	setu_json_close_array(j);
}

/* A tx with neither a request line nor a status line (stray bytes libhtp turned into a
 * tx of their own) has nothing to log. */
bool setu_http_loggable(const setu_altx_t *t, const setu_applayer_eve_opts_t *o)
{
	(void)o;
	const setu_http_tx_t *tx = (const setu_http_tx_t *)t;
	return tx->htx != NULL &&
	       (tx->htx->request_method != NULL || tx->htx->response_status != NULL);
}

void setu_http_eve(setu_json_t *j, const setu_altx_t *t,
                   const setu_applayer_eve_opts_t *o)
{
	const setu_http_tx_t *tx = (const setu_http_tx_t *)t;
	const htp_tx_t *h = tx->htx;
	setu_json_open_object(j, "http");
	if (h == NULL) {
		setu_json_close_object(j);
		return;
	}
	j_bstr(j, "hostname", h->request_hostname);
	/* only when the Host header or the URI carries a port (not the flow's port) */
	if (h->request_port_number >= 0)
		setu_json_u64(j, "http_port", (uint64_t)h->request_port_number);
	j_bstr(j, "url", h->request_uri);
	const htp_header_t *x = hdr(h->request_headers, "user-agent");
	if (x != NULL)
		j_bstr(j, "http_user_agent", x->value);
	x = hdr(h->response_headers, "content-type");
	if (x != NULL && x->value != NULL) {
		/* up to the first ';' (parameters dropped), as Suricata */
		const uint8_t *v = bstr_ptr(x->value);
		size_t n = bstr_len(x->value);
		const uint8_t *semi = memchr(v, ';', n);
		setu_json_strn(j, "http_content_type", v, semi ? (size_t)(semi - v) : n);
	}
	if (o->http_extended) {
		x = hdr(h->request_headers, "referer");
		if (x != NULL)
			j_bstr(j, "http_refer", x->value);
		j_bstr(j, "http_method", h->request_method);
		j_bstr(j, "protocol", h->request_protocol);
		if (h->response_status != NULL) {
			/* a status line whose code is not a number: Suricata 8 logs the
			 * text */
			if (h->response_status_number > 0)
				setu_json_u64(j, "status",
				              (uint64_t)h->response_status_number);
			else
				j_bstr(j, "status_string", h->response_status);
			x = hdr(h->response_headers, "location");
			if (x != NULL)
				j_bstr(j, "redirect", x->value);
		}
		setu_json_u64(
		    j, "length",
		    h->response_message_len > 0 ? (uint64_t)h->response_message_len : 0);
	}
	if (o->http_request_headers)
		headers_json(j, "request_headers", h->request_headers);
	if (o->http_response_headers)
		headers_json(j, "response_headers", h->response_headers);
	setu_json_close_object(j);
}
