/* fuzz_taxii_request.c — libFuzzer target: a whole TAXII 2.1 request as text, handled by
 * the router (routes, media types, auth, filters, pagination tokens) on an in-memory hub.
 * Input: line 1 "METHOD PATH[?QUERY]", line 2 Accept, line 3 Content-Type, line 4
 * Authorization ("-" = none), then the body. Query arguments are split on & and = as-is;
 * "COLL" in the path stands for the id of the hub's one (public, read-write) collection.
 */
#include "fuzz_hub.h"
#include "hub/taxii/taxii.h"

#include "common/limits.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Harness state (not product code): one in-memory hub with a fixed token and collection
 * id, so seeds can name them; renewed every 2000 inputs. */
static setu_store_t *store;
static char coll_id[40];
static unsigned runs;

static setu_store_t *open_hub(void)
{
	fuzz_hub_t h;
	fuzz_hub_open(&h, "T", SETU_ROLE_ADMIN, true);
	snprintf(coll_id, sizeof(coll_id), "%s", h.coll.uuid);
	return h.store;
}

static char *take_line(char **p, char *end)
{
	char *s = *p;
	if (s >= end)
		return NULL;
	char *nl = memchr(s, '\n', (size_t)(end - s));
	if (nl == NULL) {
		*p = end;
		return s;
	}
	*nl = '\0';
	*p = nl + 1;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	if (store == NULL || ++runs % 2000 == 0) {
		setu_store_close(store);
		store = open_hub();
	}
	char *buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *p = buf, *end = buf + size;
	char *line1 = take_line(&p, end), *accept = take_line(&p, end);
	char *ctype = take_line(&p, end), *authz = take_line(&p, end);
	if (line1 == NULL) {
		free(buf);
		return 0;
	}
	char *sp = strchr(line1, ' ');
	const char *method = line1;
	char slash[2] = "/";
	char *path = slash;
	if (sp != NULL) {
		*sp = '\0';
		path = sp + 1;
	}
	char pathbuf[8192];
	const char *coll = strstr(path, "COLL");
	if (coll != NULL && strlen(path) + 40 < sizeof(pathbuf)) {
		snprintf(pathbuf, sizeof(pathbuf), "%.*s%s%s", (int)(coll - path), path,
		         coll_id, coll + 4);
		path = pathbuf;
	}
	char *q = strchr(path, '?');
	setu_kv_t kv[SETU_HUB_MAX_QUERY_ARGS];
	size_t n = 0;
	bool too_many = false;
	if (q != NULL) {
		*q = '\0';
		char *save = NULL;
		for (char *a = strtok_r(q + 1, "&", &save); a != NULL;
		     a = strtok_r(NULL, "&", &save)) {
			if (n == SETU_HUB_MAX_QUERY_ARGS) {
				too_many = true;
				break;
			}
			char *eq = strchr(a, '=');
			if (eq != NULL)
				*eq = '\0';
			kv[n].key = a;
			kv[n].value = eq != NULL ? eq + 1 : "";
			n++;
		}
	}
	char auth[256] = "";
	if (authz != NULL && strcmp(authz, "-") != 0)
		snprintf(auth, sizeof(auth), "%s", authz);
	setu_taxii_t t = {.store = store,
	                  .title = "fuzz",
	                  .default_root = "api1",
	                  .max_content_length = 4096};
	setu_http_req_t req = {.method = method,
	                       .path = path,
	                       .accept = accept,
	                       .content_type = ctype,
	                       .authorization = auth[0] ? auth : NULL,
	                       .host = "127.0.0.1:1",
	                       .args = kv,
	                       .n_args = n,
	                       .too_many_args = too_many,
	                       .body = p,
	                       .body_len = (size_t)(end - p),
	                       .body_too_large = (size_t)(end - p) > 4096};
	setu_http_resp_t resp;
	setu_taxii_handle(&t, &req, &resp);
	if (resp.status < 200 || resp.status > 599)
		abort();
	/* Error answers are TAXII error messages with a title. */
	if (resp.status >= 400) {
		json_t *j =
		    resp.body ? json_loadb(resp.body, resp.body_len, 0, NULL) : NULL;
		if (j == NULL || !json_is_string(json_object_get(j, "title")))
			abort();
		json_decref(j);
	}
	setu_http_resp_clear(&resp);
	free(buf);
	return 0;
}
