/* http/parser.c — HTTP/1.x over libhtp (Debian libhtp 0.5): one connection parser per
 * flow fed with both directions, Suricata's default personality (IDS), response
 * decompression by libhtp, pipelining, bodies kept up to the configured limits. */
#include "sensor/applayer/http/http.h"

#include "common/limits.h"
#include "sensor/applayer/applayer-int.h"
#include "setu/error.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

struct setu_http_cfg {
	htp_cfg_t *cfg; /* owned; shared read-only by the thread's connection parsers */
	size_t req_limit, resp_limit;
};

struct setu_http_state {
	setu_http_cfg_t *hc; /* borrowed */
	htp_connp_t *connp;  /* owned */
	setu_altxq_t q;
	setu_http_tx_t *pool; /* recycled txs (hdr.next) */
	bool stopped[2];      /* a gap or a libhtp error: that direction is not parsed */
	bool closed[2];
	setu_buf_t pending[2]; /* bytes libhtp left unconsumed (HTP_STREAM_DATA_OTHER)
	                          until the other direction catches up; reused */
	uint32_t events;       /* state events */
	/* CONNECT: a request is waiting for its response; the response headers are fed up
	 * to their end so that what follows a 2xx can go to the tunnelled protocol. */
	unsigned connect_pending;
	htp_tx_t
	    *connect_tx;  /* the CONNECT waiting for its answer (borrowed from libhtp) */
	uint8_t eoh_tail; /* header-end scan: 0 none, 1 "\n", 2 "\n\r" */
	bool tunnel;      /* CONNECT got a 2xx: the rest of the flow is not HTTP */
	size_t used;      /* bytes of the last chunk that were HTTP */
	int oom;
};

static const char *const http_event_names[] = {
#define SETU_HTTP_EV_NAME(id, name) name,
    SETU_HTTP_EVENTS(SETU_HTTP_EV_NAME)
#undef SETU_HTTP_EV_NAME
};

const char *setu_http_event_name(unsigned bit)
{
	return bit < sizeof(http_event_names) / sizeof(http_event_names[0])
	           ? http_event_names[bit]
	           : NULL;
}

bool setu_http_tx_header(const setu_http_tx_t *tx, int dir, const char *name,
                         const uint8_t **p, uint32_t *n)
{
	if (tx->htx == NULL)
		return false;
	htp_table_t *t = dir ? tx->htx->response_headers : tx->htx->request_headers;
	if (t == NULL)
		return false;
	htp_header_t *h = htp_table_get_c(t, name);
	return h != NULL && setu_http_bstr(h->value, p, n);
}

/* ---- transactions ---- */

static setu_http_tx_t *http_tx_get(setu_http_state_t *hs)
{
	setu_http_tx_t *tx = hs->pool;
	if (tx != NULL) {
		hs->pool = (setu_http_tx_t *)tx->hdr.next;
	} else {
		tx = calloc(1, sizeof(*tx));
		if (tx == NULL)
			return NULL;
		setu_buf_init(&tx->req_body, hs->hc->req_limit);
		setu_buf_init(&tx->uri_norm, SETU_HTTP_NORM_MAX);
		setu_buf_init(&tx->host_norm, SETU_HTTP_NORM_MAX);
		setu_buf_init(&tx->resp_body, hs->hc->resp_limit);
	}
	memset(&tx->hdr, 0, sizeof(tx->hdr));
	tx->htx = NULL;
	setu_buf_reset(&tx->req_body);
	setu_buf_reset(&tx->uri_norm);
	setu_buf_reset(&tx->host_norm);
	setu_buf_reset(&tx->resp_body);
	tx->req_body_trunc = tx->resp_body_trunc = false;
	tx->req_body_seen = tx->resp_body_seen = 0;
	if (tx->req_z_state == SETU_HTTP_Z_INFLATE)
		inflateEnd(tx->req_z);
	tx->req_enc = SETU_HTTP_ENC_NONE;
	tx->req_z_state = SETU_HTTP_Z_UNDECIDED;
	tx->req_head_n = 0;
	return tx;
}

static void http_tx_destroy(setu_http_tx_t *tx)
{
	if (tx->req_z_state == SETU_HTTP_Z_INFLATE)
		inflateEnd(tx->req_z);
	free(tx->req_z);
	setu_buf_free(&tx->req_body);
	setu_buf_free(&tx->uri_norm);
	setu_buf_free(&tx->host_norm);
	setu_buf_free(&tx->resp_body);
	free(tx);
}

void setu_http_tx_release(void *ps, setu_altx_t *t)
{
	setu_http_state_t *hs = ps;
	setu_http_tx_t *tx = (setu_http_tx_t *)t;
	if (tx->htx != NULL) {
		htp_tx_set_user_data(tx->htx, NULL);
		/* libhtp only frees a tx whose request and response are both complete;
		 * the others are freed with the connection parser at flow end. */
		if (tx->htx->request_progress == HTP_REQUEST_COMPLETE &&
		    tx->htx->response_progress == HTP_RESPONSE_COMPLETE)
			htp_tx_destroy(tx->htx);
		tx->htx = NULL;
	}
	tx->hdr.next = (setu_altx_t *)hs->pool;
	hs->pool = tx;
}

/* Our tx for a libhtp tx, made on first sight (request start, or a response that came
 * without a request). */
static setu_http_tx_t *http_tx_of(htp_tx_t *htx)
{
	setu_http_tx_t *tx = htp_tx_get_user_data(htx);
	if (tx != NULL)
		return tx;
	setu_http_state_t *hs = htp_connp_get_user_data(htx->connp);
	if (hs == NULL)
		return NULL;
	tx = http_tx_get(hs);
	if (tx == NULL) {
		hs->oom = 1;
		return NULL;
	}
	tx->htx = htx;
	if (!setu_altxq_push(&hs->q, &tx->hdr)) {
		tx->htx = NULL;
		setu_http_tx_release(hs, &tx->hdr);
		return NULL;
	}
	htp_tx_set_user_data(htx, tx);
	return tx;
}

static int cb_tx_start(htp_tx_t *htx)
{
	http_tx_of(htx);
	return HTP_OK;
}

static void http_flags_to_events(setu_http_tx_t *tx)
{
	uint64_t f = tx->htx->flags;
	uint32_t *e = &tx->hdr.events;
	if (f & HTP_HOST_MISSING)
		*e |= SETU_HTTP_EV(MISSING_HOST_HEADER);
	if (f & HTP_HOST_AMBIGUOUS)
		*e |= SETU_HTTP_EV(HOST_HEADER_AMBIGUOUS);
	if (f & HTP_HOSTH_INVALID)
		*e |= SETU_HTTP_EV(HEADER_HOST_INVALID);
	if (f & HTP_HOSTU_INVALID)
		*e |= SETU_HTTP_EV(URI_HOST_INVALID);
	if (f & HTP_INVALID_FOLDING)
		*e |= SETU_HTTP_EV(INVALID_REQUEST_FIELD_FOLDING);
	if (f & HTP_REQUEST_INVALID_T_E)
		*e |= SETU_HTTP_EV(INVALID_TE_IN_REQUEST);
	if (f & HTP_REQUEST_INVALID_C_L)
		*e |= SETU_HTTP_EV(INVALID_CL_IN_REQUEST);
	if (f & HTP_FIELD_LONG)
		*e |= SETU_HTTP_EV(REQUEST_FIELD_TOO_LONG);
	if (f & HTP_FIELD_REPEATED)
		*e |= SETU_HTTP_EV(REQUEST_HEADER_REPETITION);
	if (f & HTP_REQUEST_INVALID)
		*e |= SETU_HTTP_EV(REQUEST_LINE_INVALID);
	if (f & HTP_STATUS_LINE_INVALID)
		*e |= SETU_HTTP_EV(STATUS_LINE_INVALID);
	if (f & HTP_REQUEST_SMUGGLING)
		*e |= SETU_HTTP_EV(REQUEST_SMUGGLING);
	if (f & HTP_HEADERS_TOO_MANY)
		*e |= SETU_HTTP_EV(TOO_MANY_HEADERS);
}

static int cb_req_headers(htp_tx_t *htx)
{
	setu_http_state_t *hs = htp_connp_get_user_data(htx->connp);
	setu_http_tx_t *tx = http_tx_of(htx);
	if (tx != NULL)
		setu_http_tx_normalize(tx);
	if (hs != NULL && htx->request_method_number == HTP_M_CONNECT) {
		hs->connect_pending++;
		hs->connect_tx = htx;
		hs->eoh_tail = 0;
	}
	return HTP_OK;
}

static int cb_tx_complete(htp_tx_t *htx)
{
	setu_http_state_t *hs = htp_connp_get_user_data(htx->connp);
	if (hs != NULL && htx == hs->connect_tx) {
		hs->connect_tx = NULL;
		hs->connect_pending = 0;
	}
	setu_http_tx_t *tx = http_tx_of(htx);
	if (tx != NULL) {
		http_flags_to_events(tx);
		tx->hdr.complete = true;
	}
	return HTP_OK;
}

static void body_add(setu_buf_t *b, bool *trunc, uint64_t *seen, const uint8_t *d,
                     size_t n)
{
	*seen += n;
	if (*trunc || d == NULL || n == 0)
		return;
	size_t room = b->max > b->len ? b->max - b->len : 0;
	if (n > room) {
		n = room;
		*trunc = true;
	}
	if (n > 0)
		setu_buf_append(b, d, n);
}

/* Request bodies with Content-Encoding gzip or deflate are inflated here rather than by
 * libhtp: libhtp 0.5.42 (Debian 12) falls back to raw deflate when a body announced as
 * gzip is clear text, and raw deflate turns text such as '{"a":1}' into garbage
 * (Suricata issue 6959). We inflate only a body that starts as its header says (gzip's
 * magic 1f 8b; a zlib header, or for "deflate" a first chunk that inflates raw) and
 * inspect any other as it came. Output stops at the request body limit, so a
 * compression bomb costs no more than that. */
static int req_enc_of(const setu_http_tx_t *tx)
{
	const uint8_t *v;
	uint32_t n;
	if (!setu_http_tx_header(tx, 0, "content-encoding", &v, &n))
		return SETU_HTTP_ENC_NONE;
	while (n > 0 && (v[0] == ' ' || v[0] == '\t'))
		v++, n--;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if ((n == 4 && strncasecmp((const char *)v, "gzip", 4) == 0) ||
	    (n == 6 && strncasecmp((const char *)v, "x-gzip", 6) == 0))
		return SETU_HTTP_ENC_GZIP;
	if ((n == 7 && strncasecmp((const char *)v, "deflate", 7) == 0) ||
	    (n == 9 && strncasecmp((const char *)v, "x-deflate", 9) == 0))
		return SETU_HTTP_ENC_DEFLATE;
	return SETU_HTTP_ENC_NONE;
}

/* windowBits for inflateInit2 if the body's first bytes fit the encoding, else 0 */
static int req_z_window(int enc, const uint8_t *d, size_t n)
{
	if (n < 2)
		return 0;
	if (d[0] == 0x1f && d[1] == 0x8b)
		return 15 + 16; /* gzip, whatever the header said */
	if (enc == SETU_HTTP_ENC_DEFLATE && (d[0] & 0x0f) == 8 && (d[0] >> 4) <= 7 &&
	    ((d[0] << 8) | d[1]) % 31 == 0)
		return 15; /* zlib */
	if (enc == SETU_HTTP_ENC_DEFLATE)
		return -15; /* raw deflate, as many servers send "deflate" */
	return 0;
}

/* Inflate n bytes into the request body; false when the data is not what it claimed. */
static bool req_inflate(setu_http_tx_t *tx, const uint8_t *d, size_t n)
{
	z_stream *z = tx->req_z;
	uint8_t out[4096];
	z->next_in = (Bytef *)(uintptr_t)d;
	z->avail_in = (uInt)n;
	while (z->avail_in > 0 && !tx->req_body_trunc) {
		z->next_out = out;
		z->avail_out = sizeof(out);
		int rc = inflate(z, Z_NO_FLUSH);
		size_t got = sizeof(out) - z->avail_out;
		body_add(&tx->req_body, &tx->req_body_trunc, &tx->req_body_seen, out,
		         got);
		if (rc == Z_STREAM_END)
			return true; /* trailing bytes after the stream are ignored */
		if (rc != Z_OK)
			return rc == Z_BUF_ERROR && got == 0;
	}
	return true;
}

/* Request body bytes in the tx's decided mode. */
static void req_body_feed(setu_http_tx_t *tx, const uint8_t *d, size_t n)
{
	if (n == 0)
		return;
	if (tx->req_z_state == SETU_HTTP_Z_INFLATE) {
		bool fresh = tx->req_body.len == 0 && !tx->req_body_trunc;
		if (req_inflate(tx, d, n))
			return;
		inflateEnd(tx->req_z);
		/* nothing came out: clear text after all (the caller's first bytes are in
		 * d) */
		tx->req_z_state = fresh && tx->req_body.len == 0 ? SETU_HTTP_Z_ASIS
		                                                 : SETU_HTTP_Z_FAILED;
	}
	if (tx->req_z_state == SETU_HTTP_Z_ASIS)
		body_add(&tx->req_body, &tx->req_body_trunc, &tx->req_body_seen, d, n);
}

static int cb_req_body(htp_tx_data_t *d)
{
	setu_http_tx_t *tx = http_tx_of(d->tx);
	if (tx == NULL || d->data == NULL || d->len == 0)
		return HTP_OK;
	if (tx->req_z_state != SETU_HTTP_Z_UNDECIDED) {
		req_body_feed(tx, d->data, d->len);
		return HTP_OK;
	}
	if (tx->req_head_n == 0)
		tx->req_enc = (uint8_t)req_enc_of(tx);
	if (tx->req_enc == SETU_HTTP_ENC_NONE) {
		tx->req_z_state = SETU_HTTP_Z_ASIS;
		req_body_feed(tx, d->data, d->len);
		return HTP_OK;
	}
	/* the decision needs the body's first two bytes */
	uint8_t head[2];
	size_t hn = tx->req_head_n;
	memcpy(head, tx->req_head, hn);
	size_t take = d->len < 2 - hn ? d->len : 2 - hn;
	memcpy(head + hn, d->data, take);
	if (hn + take < 2) {
		memcpy(tx->req_head, head, hn + take);
		tx->req_head_n = (uint8_t)(hn + take);
		return HTP_OK;
	}
	int wb = req_z_window(tx->req_enc, head, 2);
	tx->req_z_state = SETU_HTTP_Z_ASIS;
	if (wb != 0 && tx->req_z == NULL)
		tx->req_z = malloc(sizeof(*tx->req_z));
	if (wb != 0 && tx->req_z != NULL) {
		memset(tx->req_z, 0, sizeof(*tx->req_z));
		if (inflateInit2(tx->req_z, wb) == Z_OK)
			tx->req_z_state = SETU_HTTP_Z_INFLATE;
	}
	/* the stashed bytes, then this chunk; if the stash alone failed to inflate, the
	 * chunk goes as is after it */
	req_body_feed(tx, tx->req_head, hn);
	req_body_feed(tx, d->data, d->len);
	return HTP_OK;
}

static int cb_resp_body(htp_tx_data_t *d)
{
	setu_http_tx_t *tx = http_tx_of(d->tx);
	if (tx == NULL)
		return HTP_OK;
	/* a body of known length (up to the limit) gets its room at once rather than
	 * growing by doubling, a copy each time */
	int64_t cl = d->tx->response_content_length;
	setu_buf_t *b = &tx->resp_body;
	if (b->cap == 0 && cl > 0 && d->data != NULL && !tx->resp_body_trunc)
		(void)setu_buf_reserve(b, (uint64_t)cl < b->max ? (size_t)cl : b->max);
	body_add(b, &tx->resp_body_trunc, &tx->resp_body_seen, d->data, d->len);
	return HTP_OK;
}

setu_http_cfg_t *setu_http_cfg_new(size_t req_body_limit, size_t resp_body_limit)
{
	setu_http_cfg_t *hc = calloc(1, sizeof(*hc));
	if (hc == NULL)
		return NULL;
	hc->req_limit = req_body_limit;
	hc->resp_limit = resp_body_limit;
	hc->cfg = htp_config_create();
	if (hc->cfg == NULL) {
		free(hc);
		return NULL;
	}
	htp_cfg_t *c = hc->cfg;
	htp_config_set_server_personality(c, HTP_SERVER_IDS);
	/* Suricata's defaults: decompress responses (2 layers), no double decoding, keep
	 * transactions until we release them, parse cookies for http.cookie */
	htp_config_set_response_decompression(c, 1);
	htp_config_set_response_decompression_layer_limit(c, 2);
	htp_config_set_tx_auto_destroy(c, 0);
	htp_config_set_parse_request_cookies(c, 0);
	htp_config_set_field_limits(c, 9000, 18000);
	/* as Suricata: '+' in a query stays '+', and a request line 'GET /a b HTTP/1.1'
	 * has the URI
	 * '/a b' (Suricata 8) rather than a protocol 'b HTTP/1.1' */
	htp_config_set_plusspace_decode(c, HTP_DECODER_URLENCODED, 0);
	htp_config_set_allow_space_uri(c, 1);
	htp_config_register_request_start(c, cb_tx_start);
	htp_config_register_response_start(c, cb_tx_start);
	htp_config_register_request_body_data(c, cb_req_body);
	htp_config_register_response_body_data(c, cb_resp_body);
	htp_config_register_request_headers(c, cb_req_headers);
	htp_config_register_transaction_complete(c, cb_tx_complete);
	return hc;
}

void setu_http_cfg_free(setu_http_cfg_t *hc)
{
	if (hc == NULL)
		return;
	htp_config_destroy(hc->cfg);
	free(hc);
}

/* ---- state ---- */

int setu_http_probe(const uint8_t *d, size_t n, int dir)
{
	static const char *const methods[] = {
	    "GET ",     "POST ",   "HEAD ",      "PUT ",      "DELETE ",    "OPTIONS ",
	    "CONNECT ", "TRACE ",  "PATCH ",     "PROPFIND ", "PROPPATCH ", "MKCOL ",
	    "COPY ",    "MOVE ",   "LOCK ",      "UNLOCK ",   "SEARCH ",    "CHECKOUT ",
	    "MERGE ",   "REPORT ", "SUBSCRIBE ", "NOTIFY ",   "M-SEARCH ",  "BCOPY ",
	};
	/* blank lines before a message are tolerated (libhtp skips them too), e.g. a
	 * stray CRLF after a CONNECT request before the tunnelled session starts */
	size_t skip = 0;
	while (skip < n && (d[skip] == '\r' || d[skip] == '\n'))
		skip++;
	if (skip > 16)
		return -1;
	d += skip;
	n -= skip;
	if (n == 0)
		return 0;
	if (dir == 1) {
		static const char r[] = "HTTP/";
		size_t k = n < 5 ? n : 5;
		if (memcmp(d, r, k) != 0)
			return -1;
		return n >= 5 ? 1 : 0;
	}
	bool more = false;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t ml = strlen(methods[i]);
		size_t k = n < ml ? n : ml;
		/* Suricata's patterns are case-insensitive */
		if (strncasecmp((const char *)d, methods[i], k) != 0)
			continue;
		if (n >= ml)
			return 1;
		more = true;
	}
	return more ? 0 : -1;
}

setu_http_state_t *setu_http_state_new(setu_http_cfg_t *hc)
{
	if (hc == NULL)
		return NULL;
	setu_http_state_t *hs = calloc(1, sizeof(*hs));
	if (hs == NULL)
		return NULL;
	hs->hc = hc;
	hs->connp = htp_connp_create(hc->cfg);
	if (hs->connp == NULL) {
		free(hs);
		return NULL;
	}
	htp_connp_set_user_data(hs->connp, hs);
	setu_buf_init(&hs->pending[0], SETU_HTTP_PENDING_MAX);
	setu_buf_init(&hs->pending[1], SETU_HTTP_PENDING_MAX);
	htp_connp_open(hs->connp, NULL, 0, NULL, 0, NULL);
	return hs;
}

void setu_http_state_free(void *p)
{
	setu_http_state_t *hs = p;
	if (hs == NULL)
		return;
	setu_altx_t *t = hs->q.head;
	while (t != NULL) {
		setu_altx_t *n = t->next;
		((setu_http_tx_t *)t)->htx = NULL;
		http_tx_destroy((setu_http_tx_t *)t);
		t = n;
	}
	setu_http_tx_t *tx = hs->pool;
	while (tx != NULL) {
		setu_http_tx_t *n = (setu_http_tx_t *)tx->hdr.next;
		http_tx_destroy(tx);
		tx = n;
	}
	htp_connp_destroy_all(hs->connp); /* frees libhtp's txs too */
	setu_buf_free(&hs->pending[0]);
	setu_buf_free(&hs->pending[1]);
	free(hs);
}

setu_altxq_t *setu_http_txq(setu_http_state_t *hs)
{
	return &hs->q;
}

uint32_t setu_http_state_events(const setu_http_state_t *hs)
{
	return hs->events;
}

/* Feed libhtp; keep what it leaves (DATA_OTHER) in pending[dir]. Returns the libhtp
 * status. */
static int http_feed(setu_http_state_t *hs, int dir, const uint8_t *d, size_t n)
{
	int rc = dir == 0 ? htp_connp_req_data(hs->connp, NULL, d, n)
	                  : htp_connp_res_data(hs->connp, NULL, d, n);
	setu_buf_t *pb = &hs->pending[dir];
	if (rc == HTP_STREAM_DATA_OTHER) {
		size_t used = dir == 0 ? htp_connp_req_data_consumed(hs->connp)
		                       : htp_connp_res_data_consumed(hs->connp);
		if (used > n)
			used = n;
		if ((const char *)d == pb->data) { /* feeding from pending itself */
			memmove(pb->data, pb->data + used, n - used);
			pb->len = n - used;
		} else {
			setu_buf_reset(pb);
			if (setu_buf_append(pb, d + used, n - used) != 0)
				hs->oom = 1;
		}
	} else if ((const char *)d == pb->data) {
		setu_buf_reset(pb);
	}
	return rc;
}

/* Length of the prefix of d that ends the response header block ("\n\n" or "\n\r\n"),
 * or n + 1 if it does not end in d; the scan state carries over chunks. */
static size_t http_eoh(setu_http_state_t *hs, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = d[i];
		if (c == '\n') {
			if (hs->eoh_tail >= 1) {
				hs->eoh_tail = 0;
				return i + 1;
			}
			hs->eoh_tail = 1;
		} else if (c == '\r' && hs->eoh_tail == 1) {
			hs->eoh_tail = 2;
		} else if (c != '\r') {
			hs->eoh_tail = 0;
		}
	}
	return n + 1;
}

static int http_dir_feed(setu_http_state_t *hs, int dir, const uint8_t *d, size_t n)
{
	setu_buf_t *pb = &hs->pending[dir];
	if (pb->len > 0) { /* keep the order: pending bytes first */
		if (setu_buf_append(pb, d, n) != 0)
			return SETU_ENOMEM;
		d = (const uint8_t *)pb->data;
		n = pb->len;
	}
	int rc = http_feed(hs, dir, d, n);
	if (rc == HTP_STREAM_ERROR)
		return rc;
	/* Suricata: a 2xx answer to CONNECT turns the flow into a tunnel whose protocol
	 * is detected again (the toserver bytes libhtp holds then belong to the tunnel)
	 */
	htp_tx_t *ct = hs->connect_tx;
	if (dir == 1 && ct != NULL && ct->response_status_number >= 200 &&
	    ct->response_status_number < 300)
		hs->tunnel = true;
	/* the other direction may be able to move on now */
	setu_buf_t *po = &hs->pending[!dir];
	if (po->len > 0 && !hs->stopped[!dir] && !hs->tunnel) {
		int r2 = http_feed(hs, !dir, (const uint8_t *)po->data, po->len);
		if (r2 == HTP_STREAM_ERROR)
			hs->stopped[!dir] = true;
	}
	return rc;
}

static int http_dir(setu_http_state_t *hs, int dir, const uint8_t *d, size_t n)
{
	hs->used = n;
	if (dir == 1 && hs->connect_pending > 0 && hs->pending[1].len == 0) {
		size_t end = http_eoh(hs, d, n);
		if (end <= n) { /* feed the CONNECT answer's headers alone */
			int rc = http_dir_feed(hs, 1, d, end);
			htp_tx_t *ct = hs->connect_tx;
			if (!hs->tunnel && ct != NULL && ct->response_status_number > 0)
				hs->connect_pending = 0; /* refused: HTTP goes on */
			if (hs->tunnel || rc == HTP_STREAM_ERROR) {
				hs->used = end;
				return rc;
			}
			return end < n ? http_dir_feed(hs, 1, d + end, n - end) : rc;
		}
	}
	return http_dir_feed(hs, dir, d, n);
}

bool setu_http_tunnel(setu_http_state_t *hs, size_t *used, const uint8_t **ts_pending,
                      size_t *ts_pending_n)
{
	if (!hs->tunnel)
		return false;
	*used = hs->used;
	*ts_pending = (const uint8_t *)hs->pending[0].data;
	*ts_pending_n = hs->pending[0].len;
	return true;
}

int setu_http_parse(setu_http_state_t *hs, int dir, const uint8_t *d, size_t n,
                    unsigned flags)
{
	dir = dir ? 1 : 0;
	if (hs->tunnel) /* the glue moves a tunnelled flow on; nothing is HTTP any more */
		return 0;
	if (flags & SETU_AL_GAP) { /* libhtp cannot resynchronise inside a message */
		hs->stopped[dir] = true;
		setu_buf_reset(&hs->pending[dir]);
	}
	if (hs->stopped[dir])
		return 0;
	int rc = HTP_STREAM_DATA;
	if (n > 0) {
		hs->oom = 0;
		rc = http_dir(hs, dir, d, n);
		if (hs->oom || rc == SETU_ENOMEM)
			return SETU_ENOMEM;
	}
	if (rc == HTP_STREAM_ERROR) {
		hs->events |= SETU_HTTP_EV(UNKNOWN_ERROR);
		hs->stopped[dir] = true;
		return SETU_EMALFORMED;
	}
	if (flags & SETU_AL_EOF) {
		hs->closed[dir] = true;
		if (dir == 0)
			htp_connp_req_close(hs->connp, NULL);
		if (hs->closed[0] && hs->closed[1])
			htp_connp_close(hs->connp, NULL);
	}
	return 0;
}
