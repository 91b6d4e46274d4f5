/* hint.c — the client side of setu's push hint (docs/push-hint.md): one long poll,
 * GET /api/changes?collection=..&after=..&wait=.., on the server of the config URL.
 * Not part of TAXII 2.1; the pull that follows a hint is (§5.3 with added_after). */
#include "taxii/internal.h"

#include <stdlib.h>
#include <string.h>

static void arg(setu_taxii_client_t *c, setu_buf_t *q, const char *key, const char *v)
{
	char *e = curl_easy_escape(c->curl, v, 0);
	if (e == NULL) {
		q->oom = true;
		return;
	}
	setu_buf_putc(q, q->len > 0 ? '&' : '?');
	setu_buf_puts(q, key);
	setu_buf_putc(q, '=');
	setu_buf_puts(q, e);
	curl_free(e);
}

/* The delay a 503 asked for: Retry-After, else the body's "retry_after". */
static unsigned retry_advice(setu_taxii_client_t *c)
{
	if (c->retry_after_s > 0)
		return c->retry_after_s;
	json_t *b =
	    c->body.data != NULL ? json_loadb(c->body.data, c->body.len, 0, NULL) : NULL;
	json_int_t v = json_integer_value(json_object_get(b, "retry_after"));
	json_decref(b);
	return v > 0 && v < (json_int_t)SETU_TAXII_RETRY_AFTER_MAX_S ? (unsigned)v : 0;
}

int setu_taxii_wait_changes(setu_taxii_client_t *c, const char *const *collections,
                            const char *const *after, size_t n, const char *match_type,
                            unsigned wait_s, bool *changed, unsigned *retry_after_s,
                            setu_diag_t *diag)
{
	*changed = false;
	*retry_after_s = 0;
	if (n == 0)
		return setu_diag_set(diag, SETU_EINVAL, "push hint: no collection");
	/* /api/changes is at the server's root, beside the API roots ("/api1/") */
	char *base = NULL;
	int rc = taxii_url(c, "/api/changes", NULL, 0, NULL, &base, diag);
	if (rc != 0)
		return rc;
	setu_buf_t url;
	setu_buf_init(&url, SETU_TAXII_URL_MAX);
	setu_buf_puts(&url, base);
	free(base);
	if (url.len > 0 && url.data[url.len - 1] == '/')
		url.len--; /* the endpoint has no trailing slash */
	setu_buf_t q;
	setu_buf_init(&q, SETU_TAXII_URL_MAX);
	for (size_t i = 0; i < n; i++) {
		arg(c, &q, "collection", collections[i]);
		/* "" (never pulled) pairs with the earliest time there is */
		arg(c, &q, "after",
		    after != NULL && after[i] != NULL && after[i][0] != '\0'
		        ? after[i]
		        : "1970-01-01T00:00:00Z");
	}
	if (match_type != NULL)
		arg(c, &q, "match%5Btype%5D", match_type);
	setu_buf_printf(&q, "&wait=%u", wait_s);
	if (setu_buf_ok(&q))
		setu_buf_append(&url, q.data, q.len);
	setu_buf_putc(&url, '\0');
	bool ok = setu_buf_ok(&q) && setu_buf_ok(&url);
	setu_buf_free(&q);
	if (!ok) {
		setu_buf_free(&url);
		return setu_diag_set(diag, SETU_ELIMIT,
		                     "push hint: request URL too long or out of memory");
	}
	/* one attempt: the caller paces its own retries */
	unsigned retries = c->max_retries;
	c->max_retries = 0;
	taxii_meta_t meta;
	rc = taxii_exchange(c, "GET", url.data, NULL, 0, SETU_TAXII_ERROR, NULL, &meta,
	                    diag);
	c->max_retries = retries;
	setu_buf_free(&url);
	if (rc == 0) {
		*changed = meta.status == 200;
		return 0;
	}
	if (meta.status == 503)
		*retry_after_s = retry_advice(c);
	return rc;
}
