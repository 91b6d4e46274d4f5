/* fuzz_taxii_envelope.c — libFuzzer target: the input is the body of a TAXII 2.1 Add
 * Objects request (§5.4), handled end to end (JSON parse, envelope, STIX validation, TLP
 * extension, store write, status resource) against an in-memory SQLite hub. */
#include "fuzz_hub.h"
#include "hub/taxii/taxii.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_TOKEN "setu_fuzzfuzzfuzz"

/* Harness state (not product code): one in-memory hub, renewed every 2000 inputs so the
 * database stays small. */
static setu_store_t *store;
static char coll_path[128];
static unsigned runs;

static setu_store_t *open_hub(void)
{
	fuzz_hub_t h;
	fuzz_hub_open(&h, FUZZ_TOKEN, SETU_ROLE_CONTRIBUTOR, false);
	snprintf(coll_path, sizeof(coll_path), "/api1/collections/%s/objects/",
	         h.coll.uuid);
	return h.store;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (store == NULL || ++runs % 2000 == 0) {
		setu_store_close(store);
		store = open_hub();
	}
	setu_taxii_t t = {.store = store,
	                  .title = "fuzz",
	                  .default_root = "api1",
	                  .max_content_length = 1u << 20};
	setu_http_req_t req = {.method = "POST",
	                       .path = coll_path,
	                       .accept = SETU_TAXII_MEDIA,
	                       .content_type = SETU_TAXII_MEDIA,
	                       .authorization = "Bearer " FUZZ_TOKEN,
	                       .body = (const char *)data,
	                       .body_len = size,
	                       .body_too_large = size > (1u << 20)};
	setu_http_resp_t resp;
	setu_taxii_handle(&t, &req, &resp);
	/* Every answer is a well-formed TAXII message: 202 status or 4xx error. */
	if (resp.status != 202 && resp.status != 400 && resp.status != 413)
		abort();
	if (resp.body == NULL)
		abort();
	json_t *j = json_loadb(resp.body, resp.body_len, 0, NULL);
	if (j == NULL)
		abort();
	if (resp.status == 202) {
		json_int_t total = json_integer_value(json_object_get(j, "total_count"));
		json_int_t ok = json_integer_value(json_object_get(j, "success_count"));
		json_int_t bad = json_integer_value(json_object_get(j, "failure_count"));
		if (ok + bad != total)
			abort();
	}
	json_decref(j);
	setu_http_resp_clear(&resp);
	return 0;
}
