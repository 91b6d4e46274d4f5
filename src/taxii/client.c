/* client.c — TAXII 2.1 client endpoints (OASIS Standard 2021 §4 server discovery and
 * status, §5 collections, objects, manifest, versions) and the resumable sync over
 * pages (§3.4 filters, §3.5 pagination with next / added_after). */
#include "taxii/internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NSEG(a) (sizeof(a) / sizeof((a)[0]))

static int get_json(setu_taxii_client_t *c, const char *api_root, const char *const *segs,
                    size_t nseg, const setu_taxii_filter_t *f, setu_taxii_kind_t kind,
                    json_t **out, taxii_meta_t *meta, setu_diag_t *diag)
{
	char *url = NULL;
	int rc = taxii_url(c, api_root, segs, nseg, f, &url, diag);
	if (rc == 0)
		rc = taxii_exchange(c, "GET", url, NULL, 0, kind, out, meta, diag);
	else
		c->n_errors++;
	free(url);
	return rc;
}

static int get_simple(setu_taxii_client_t *c, const char *api_root,
                      const char *const *segs, size_t nseg, setu_taxii_kind_t kind,
                      json_t **out, setu_diag_t *diag)
{
	taxii_meta_t meta;
	json_t *o = NULL;
	int rc = get_json(c, api_root, segs, nseg, NULL, kind, &o, &meta, diag);
	if (rc == 0)
		*out = o;
	return rc;
}

void setu_taxii_page_clear(setu_taxii_page_t *page)
{
	json_decref(page->envelope);
	memset(page, 0, sizeof(*page));
}

static int get_page(setu_taxii_client_t *c, const char *api_root, const char *const *segs,
                    size_t nseg, const setu_taxii_filter_t *f, setu_taxii_kind_t kind,
                    setu_taxii_page_t *page, setu_diag_t *diag)
{
	setu_taxii_page_clear(page);
	taxii_meta_t meta;
	json_t *o = NULL;
	int rc = get_json(c, api_root, segs, nseg, f, kind, &o, &meta, diag);
	page->http_status = meta.status;
	if (rc != 0)
		return rc;
	page->envelope = o;
	setu_taxii_paging(o, &page->more, page->next);
	memcpy(page->date_added_first, meta.date_first, sizeof(page->date_added_first));
	memcpy(page->date_added_last, meta.date_last, sizeof(page->date_added_last));
	return 0;
}

int setu_taxii_discovery(setu_taxii_client_t *c, json_t **out, setu_diag_t *diag)
{
	return get_simple(c, NULL, NULL, 0, SETU_TAXII_DISCOVERY, out, diag);
}

int setu_taxii_api_root(setu_taxii_client_t *c, const char *api_root, json_t **out,
                        setu_diag_t *diag)
{
	return get_simple(c, api_root, NULL, 0, SETU_TAXII_API_ROOT, out, diag);
}

int setu_taxii_collections(setu_taxii_client_t *c, const char *api_root, json_t **out,
                           setu_diag_t *diag)
{
	const char *segs[] = {"collections"};
	return get_simple(c, api_root, segs, NSEG(segs), SETU_TAXII_COLLECTIONS, out,
	                  diag);
}

int setu_taxii_collection(setu_taxii_client_t *c, const char *api_root,
                          const char *collection_id, json_t **out, setu_diag_t *diag)
{
	const char *segs[] = {"collections", collection_id};
	return get_simple(c, api_root, segs, NSEG(segs), SETU_TAXII_COLLECTION, out,
	                  diag);
}

int setu_taxii_get_objects(setu_taxii_client_t *c, const char *api_root,
                           const char *collection_id, const setu_taxii_filter_t *f,
                           setu_taxii_page_t *page, setu_diag_t *diag)
{
	const char *segs[] = {"collections", collection_id, "objects"};
	return get_page(c, api_root, segs, NSEG(segs), f, SETU_TAXII_ENVELOPE, page,
	                diag);
}

int setu_taxii_get_manifest(setu_taxii_client_t *c, const char *api_root,
                            const char *collection_id, const setu_taxii_filter_t *f,
                            setu_taxii_page_t *page, setu_diag_t *diag)
{
	const char *segs[] = {"collections", collection_id, "manifest"};
	return get_page(c, api_root, segs, NSEG(segs), f, SETU_TAXII_MANIFEST, page,
	                diag);
}

int setu_taxii_get_object(setu_taxii_client_t *c, const char *api_root,
                          const char *collection_id, const char *object_id,
                          const setu_taxii_filter_t *f, setu_taxii_page_t *page,
                          setu_diag_t *diag)
{
	const char *segs[] = {"collections", collection_id, "objects", object_id};
	return get_page(c, api_root, segs, NSEG(segs), f, SETU_TAXII_ENVELOPE, page,
	                diag);
}

int setu_taxii_get_versions(setu_taxii_client_t *c, const char *api_root,
                            const char *collection_id, const char *object_id,
                            const setu_taxii_filter_t *f, setu_taxii_page_t *page,
                            setu_diag_t *diag)
{
	const char *segs[] = {"collections", collection_id, "objects", object_id,
	                      "versions"};
	return get_page(c, api_root, segs, NSEG(segs), f, SETU_TAXII_VERSIONS, page,
	                diag);
}

int setu_taxii_delete_object(setu_taxii_client_t *c, const char *api_root,
                             const char *collection_id, const char *object_id,
                             const setu_taxii_filter_t *f, setu_diag_t *diag)
{
	const char *segs[] = {"collections", collection_id, "objects", object_id};
	char *url = NULL;
	int rc = taxii_url(c, api_root, segs, NSEG(segs), f, &url, diag);
	if (rc == 0) {
		taxii_meta_t meta;
		/* §5.7: 200 with no body is success; whatever body comes is not needed.
		 */
		rc = taxii_exchange(c, "DELETE", url, NULL, 0, SETU_TAXII_ERROR, NULL,
		                    &meta, diag);
	} else {
		c->n_errors++;
	}
	free(url);
	return rc;
}

int setu_taxii_post_objects(setu_taxii_client_t *c, const char *api_root,
                            const char *collection_id, const json_t *envelope,
                            json_t **status, setu_diag_t *diag)
{
	if (!json_is_object(envelope) ||
	    !json_is_array(json_object_get(envelope, "objects")))
		return setu_diag_set(
		    diag, SETU_EINVAL,
		    "taxii: POST needs an envelope {\"objects\": [...]}");
	const char *segs[] = {"collections", collection_id, "objects"};
	char *url = NULL;
	int rc = taxii_url(c, api_root, segs, NSEG(segs), NULL, &url, diag);
	if (rc != 0) {
		c->n_errors++;
		return rc;
	}
	char *body = json_dumps(envelope, JSON_COMPACT);
	if (body == NULL) {
		free(url);
		c->n_errors++;
		return setu_diag_set(diag, SETU_ENOMEM,
		                     "taxii: cannot serialise the envelope");
	}
	taxii_meta_t meta;
	json_t *st = NULL;
	rc = taxii_exchange(c, "POST", url, body, strlen(body), SETU_TAXII_STATUS, &st,
	                    &meta, diag);
	free(body);
	free(url);
	if (rc == 0)
		*status = st;
	return rc;
}

int setu_taxii_get_status(setu_taxii_client_t *c, const char *api_root,
                          const char *status_id, json_t **status, setu_diag_t *diag)
{
	const char *segs[] = {"status", status_id};
	return get_simple(c, api_root, segs, NSEG(segs), SETU_TAXII_STATUS, status, diag);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int setu_taxii_wait_status(setu_taxii_client_t *c, const char *api_root,
                           const char *status_id, unsigned timeout_ms, json_t **status,
                           setu_diag_t *diag)
{
	uint64_t deadline = now_ms() + timeout_ms;
	unsigned interval = SETU_TAXII_STATUS_POLL_MS_INITIAL;
	json_t *last = NULL;
	for (;;) {
		json_t *st = NULL;
		int rc = setu_taxii_get_status(c, api_root, status_id, &st, diag);
		if (rc != 0) {
			json_decref(last);
			return rc;
		}
		json_decref(last);
		last = st;
		setu_taxii_status_counts_t n;
		setu_taxii_status_counts(st, &n);
		if (n.complete) {
			*status = st;
			return 0;
		}
		uint64_t now = now_ms();
		if (now >= deadline) {
			*status = st;
			return setu_diag_set(
			    diag, SETU_EAGAIN,
			    "taxii: status %.80s still pending after %u ms "
			    "(%llu of %llu pending)",
			    status_id, timeout_ms, (unsigned long long)n.pending,
			    (unsigned long long)n.total);
		}
		uint64_t left = deadline - now;
		taxii_sleep_ms(left < interval ? (unsigned)left : interval);
		if (interval < SETU_TAXII_STATUS_POLL_MS_MAX)
			interval = interval * 2 < SETU_TAXII_STATUS_POLL_MS_MAX
			               ? interval * 2
			               : SETU_TAXII_STATUS_POLL_MS_MAX;
	}
}

/* ---- sync ---- */

int setu_taxii_sync_objects(setu_taxii_client_t *c, const char *api_root,
                            const char *collection_id, const setu_taxii_filter_t *base,
                            char bookmark[SETU_TAXII_TS_MAX], setu_taxii_object_cb cb,
                            void *user, setu_diag_t *diag)
{
	setu_taxii_filter_t f = {0};
	if (base != NULL)
		f = *base;
	f.next = NULL;
	/* The request's added_after: the bookmark, else the base filter's. When paging by
	 * `next`, it stays as in the first request (§3.5: same original query). */
	char after[SETU_TAXII_TS_MAX] = "";
	const char *start = bookmark[0] != '\0' ? bookmark : f.added_after;
	if (start != NULL) {
		setu_taxii_ts_t t;
		if (setu_taxii_ts_parse(start, &t) != 0)
			return setu_diag_set(diag, SETU_EINVAL,
			                     "taxii: bookmark '%.40s' is not a timestamp",
			                     start);
		memcpy(after, start, strlen(start) + 1);
	}
	f.added_after = after[0] != '\0' ? after : NULL;
	char next[SETU_TAXII_NEXT_MAX] = "";
	setu_taxii_page_t page = {0};
	int rc = 0;
	for (unsigned n = 0;; n++) {
		if (n == SETU_TAXII_SYNC_MAX_PAGES) {
			rc = 0; /* bounded call; the bookmark lets the next call go on */
			break;
		}
		f.next = next[0] != '\0' ? next : NULL;
		rc = setu_taxii_get_objects(c, api_root, collection_id, &f, &page, diag);
		if (rc != 0)
			break;
		const json_t *objs = json_object_get(page.envelope, "objects");
		size_t count = json_array_size(objs);
		if (count > 0 && page.date_added_last[0] == '\0') {
			rc = setu_diag_set(
			    diag, SETU_EMALFORMED,
			    "taxii: collection %.60s: a page of %zu objects came "
			    "without X-TAXII-Date-Added-Last: cannot bookmark",
			    collection_id, count);
			break;
		}
		for (size_t i = 0; i < count; i++) {
			rc = cb(user, json_array_get(objs, i), page.date_added_last);
			if (rc != 0)
				break;
			c->n_objects++;
		}
		if (rc != 0) {
			setu_diag_set(
			    diag, rc,
			    "taxii: collection %.60s: the consumer stopped the sync "
			    "(bookmark stays at '%s')",
			    collection_id, bookmark);
			break;
		}
		if (count > 0) {
			/* The whole page is delivered: only now may the bookmark move. */
			setu_taxii_ts_t was, now;
			setu_taxii_ts_parse(page.date_added_last, &now);
			if (bookmark[0] == '\0' ||
			    setu_taxii_ts_parse(bookmark, &was) != 0 ||
			    setu_taxii_ts_cmp(&now, &was) > 0)
				memcpy(bookmark, page.date_added_last, SETU_TAXII_TS_MAX);
		}
		if (!page.more)
			break;
		if (page.next[0] != '\0') {
			if (strcmp(page.next, next) == 0) {
				rc = setu_diag_set(
				    diag, SETU_EMALFORMED,
				    "taxii: collection %.60s: server repeated the "
				    "same 'next' token",
				    collection_id);
				break;
			}
			memcpy(next, page.next, sizeof(next));
			continue;
		}
		/* more without next: page with added_after = X-TAXII-Date-Added-Last,
		 * which must move forward or we would ask for the same page forever. */
		setu_taxii_ts_t prev, last;
		if (count == 0 || page.date_added_last[0] == '\0' ||
		    (after[0] != '\0' && setu_taxii_ts_parse(after, &prev) == 0 &&
		     setu_taxii_ts_parse(page.date_added_last, &last) == 0 &&
		     setu_taxii_ts_cmp(&last, &prev) <= 0)) {
			rc = setu_diag_set(
			    diag, SETU_EMALFORMED,
			    "taxii: collection %.60s: server says more=true but "
			    "gives neither 'next' nor a later "
			    "X-TAXII-Date-Added-Last",
			    collection_id);
			break;
		}
		memcpy(after, page.date_added_last, sizeof(after));
		f.added_after = after;
		next[0] = '\0';
	}
	setu_taxii_page_clear(&page);
	return rc;
}
