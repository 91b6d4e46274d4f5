/* fuzz_taxii_client.c — libFuzzer target: the input is a response body a TAXII 2.1 server
 * sent to setu's client (§3.6.1 error, §3.7 envelope, §4.1-4.3 discovery/api-root/status,
 * §5.1-5.8 collections/manifest/versions), parsed as every resource kind, then read the
 * way the client reads it (paging, status counts, error summary); its lines are also fed
 * to the response-header reader (X-TAXII-Date-Added-*, Retry-After), and its first line
 * tried as a Content-Type and as a timestamp. */
#include "taxii/internal.h"
#include "taxii/taxii.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	static const setu_taxii_kind_t kinds[] = {
	    SETU_TAXII_DISCOVERY,  SETU_TAXII_API_ROOT, SETU_TAXII_COLLECTIONS,
	    SETU_TAXII_COLLECTION, SETU_TAXII_ENVELOPE, SETU_TAXII_MANIFEST,
	    SETU_TAXII_VERSIONS,   SETU_TAXII_STATUS,   SETU_TAXII_ERROR,
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		setu_diag_t d = {0};
		json_t *o = NULL;
		if (setu_taxii_parse(kinds[i], body, size, &o, &d) != 0) {
			if (o != NULL || memchr(d.msg, '\0', sizeof(d.msg)) == NULL)
				abort();
			continue;
		}
		bool more;
		char next[SETU_TAXII_NEXT_MAX];
		setu_taxii_paging(o, &more, next);
		if (memchr(next, '\0', sizeof(next)) == NULL)
			abort();
		if (kinds[i] == SETU_TAXII_STATUS) {
			setu_taxii_status_counts_t n;
			setu_taxii_status_counts(o, &n);
		}
		json_decref(o);
	}
	char summary[200];
	if (setu_taxii_error_summary(body, size, summary, sizeof(summary))) {
		for (const char *p = summary; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20)
				abort(); /* diagnostics stay on one line */
	}

	/* Every line as a response header line, as libcurl hands them over. */
	setu_taxii_client_t hc;
	memset(&hc, 0, sizeof(hc));
	for (size_t off = 0; off < size;) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl != NULL ? (size_t)(nl - (data + off)) + 1 : size - off;
		taxii_header_line(&hc, body + off, len);
		off += len;
	}
	if (memchr(hc.date_first, '\0', sizeof(hc.date_first)) == NULL ||
	    memchr(hc.date_last, '\0', sizeof(hc.date_last)) == NULL ||
	    hc.retry_after_s > SETU_TAXII_RETRY_AFTER_MAX_S)
		abort();

	/* The first line as a header value (headers are NUL-free text). */
	char line[256];
	size_t n = 0;
	while (n < size && n + 1 < sizeof(line) && data[n] != '\n' && data[n] != '\0') {
		line[n] = (char)data[n];
		n++;
	}
	line[n] = '\0';
	(void)setu_taxii_media_ok(line);
	setu_taxii_ts_t a, b;
	if (setu_taxii_ts_parse(line, &a) == 0) {
		if (a.nsec >= 1000000000u)
			abort();
		if (setu_taxii_ts_cmp(&a, &a) != 0)
			abort();
		if (setu_taxii_ts_parse("2024-01-01T00:00:00Z", &b) != 0)
			abort();
		(void)setu_taxii_ts_cmp(&a, &b);
	}
	return 0;
}
