/* fuzz_iocset.c — libFuzzer target for the indicator text loader (src/intel/ioc), then a
 * build of whatever loaded and a match of facts derived from the input against it. */
#include "intel/ioc/iocset.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *user, const setu_ioc_match_t *m)
{
	(void)m;
	(*(unsigned *)user)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	if (b == NULL)
		return 0;
	setu_diag_t d = {0};
	/* A load error stops at its line; what was added before it is still built. */
	(void)setu_iocset_load_text(b, (const char *)data, size, "fuzz.ioc", &d);
	setu_iocset_t *s = setu_iocset_build(b, &d);
	setu_iocset_builder_free(b);
	if (s == NULL)
		return 0;
	/* Facts from the input's own bytes: addresses, ports, a name, a URL, hashes. */
	uint8_t raw[32] = {0};
	memcpy(raw, data, size < sizeof(raw) ? size : sizeof(raw));
	setu_addr_t a4, a6;
	setu_addr_set4(&a4, raw);
	setu_addr_set6(&a6, raw + 4);
	const char *text = (const char *)data;
	size_t half = size / 2;
	setu_ioc_cert_t cert = {raw, raw};
	setu_ioc_facts_t f = {
	    .src = &a4,
	    .dst = &a6,
	    .has_ports = true,
	    .sport = (uint16_t)(raw[0] << 8 | raw[1]),
	    .dport = (uint16_t)(raw[2] << 8 | raw[3]),
	    .dns_query = text,
	    .dns_query_len = size,
	    .tls_sni = text + half,
	    .tls_sni_len = size - half,
	    .http_host = text,
	    .http_host_len = half,
	    .http_uri = text + half,
	    .http_uri_len = size - half,
	    .md5 = raw,
	    .sha1 = raw,
	    .sha256 = raw,
	    .ja3 = raw,
	    .certs = &cert,
	    .n_certs = 1,
	};
	unsigned n = 0;
	(void)setu_iocset_match(s, &f, 1700000000, count, &n, NULL);
	f.url = text;
	f.url_len = size;
	(void)setu_iocset_match(s, &f, 0, count, &n, NULL);
	(void)setu_iocset_lookup_ip(s, &a4, 1700000000, NULL);
	(void)setu_iocset_lookup_domain(s, text, size, 1700000000);
	setu_iocset_free(s);
	return 0;
}
