/* fuzz_changes.c — libFuzzer target: the push hint's request (GET /api/changes,
 * docs/push-hint.md) handled on an in-memory hub holding one indicator: argument
 * parsing (collection/after pairs, match[type] lists, wait), authentication and the
 * collection checks, and the store read with the ACL. Input: line 1 "METHOD QUERY",
 * line 2 Authorization ("-" = none). "COLL" in the query stands for the hub's one
 * collection id. The harness appends wait=0 (the last wait wins), so no input sleeps. */
#include "fuzz_hub.h"
#include "hub/api/changes.h"

#include "common/limits.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Harness state (not product code): one in-memory hub with a fixed token and collection,
 * renewed every 2000 inputs. */
static setu_store_t *store;
static setu_changes_t *changes;
static char coll_id[40];
static unsigned runs;

static setu_store_t *open_hub(void)
{
	fuzz_hub_t h;
	fuzz_hub_open(&h, "T", SETU_ROLE_CONTRIBUTOR, false);
	setu_store_t *s = h.store;
	static const char body[] =
	    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--"
	    "00000000-0000-4000-8000-000000000001\",\"created\":\"2026-01-01T00:00:00Z\","
	    "\"modified\":\"2026-01-01T00:00:00Z\",\"pattern\":\"[ipv4-addr:value = "
	    "'192.0.2.1']\",\"pattern_type\":\"stix\",\"valid_from\":"
	    "\"2026-01-01T00:00:00Z\"}";
	setu_store_obj_t so = {.stix_id =
	                           "indicator--00000000-0000-4000-8000-000000000001",
	                       .type = "indicator",
	                       .spec_version = "2.1",
	                       .version_text = "2026-01-01T00:00:00Z",
	                       .version_us = 1767225600000000LL,
	                       .tlp = SETU_HUB_TLP_GREEN,
	                       .body = body /* NUL-terminated */};
	if (s->ops->begin_write(s) != 0 ||
	    s->ops->object_put(s, h.coll.id, h.org.id, h.member.id, &so, NULL) != 0 ||
	    s->ops->commit(s) != 0)
		abort();
	snprintf(coll_id, sizeof(coll_id), "%s", h.coll.uuid);
	return s;
}

static setu_store_t *checkout(void *user)
{
	return user;
}

static void checkin(void *user, setu_store_t *s)
{
	(void)user;
	(void)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16384)
		return 0;
	if (store == NULL || ++runs % 2000 == 0) {
		setu_store_close(store);
		setu_changes_free(changes);
		store = open_hub();
		changes = setu_changes_new(4);
	}
	char *buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *nl = strchr(buf, '\n');
	const char *authz = NULL;
	if (nl != NULL) {
		*nl = '\0';
		char *nl2 = strchr(nl + 1, '\n');
		if (nl2 != NULL)
			*nl2 = '\0';
		if (strcmp(nl + 1, "-") != 0)
			authz = nl + 1;
	}
	const char *method = buf;
	char *query = strchr(buf, ' ');
	if (query != NULL)
		*query++ = '\0';
	/* COLL -> the collection id, in a copy */
	char qbuf[20000];
	qbuf[0] = '\0';
	if (query != NULL) {
		const char *p = query;
		size_t n = 0;
		while (*p != '\0' && n + 64 < sizeof(qbuf)) {
			if (strncmp(p, "COLL", 4) == 0) {
				n += (size_t)snprintf(qbuf + n, sizeof(qbuf) - n, "%s",
				                      coll_id);
				p += 4;
			} else {
				qbuf[n++] = *p++;
				qbuf[n] = '\0';
			}
		}
	}
	setu_kv_t kv[SETU_HUB_MAX_QUERY_ARGS + 1];
	size_t n = 0;
	bool too_many = false;
	char *save = NULL;
	for (char *a = strtok_r(qbuf, "&", &save); a != NULL;
	     a = strtok_r(NULL, "&", &save)) {
		if (n == SETU_HUB_MAX_QUERY_ARGS - 1) {
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
	kv[n].key = "wait";
	kv[n].value = "0";
	n++;
	setu_http_req_t req = {.method = method,
	                       .path = "/api/changes",
	                       .authorization = authz,
	                       .args = kv,
	                       .n_args = n,
	                       .too_many_args = too_many};
	setu_changes_pool_t pool = {checkout, checkin, store};
	setu_http_resp_t resp;
	if (!setu_api_changes_http(changes, &pool, &req, &resp))
		abort();
	if (resp.status != 200 && resp.status != 204 && resp.status != 400 &&
	    resp.status != 401 && resp.status != 403 && resp.status != 404 &&
	    resp.status != 405 && resp.status != 503)
		abort();
	setu_http_resp_clear(&resp);
	free(buf);
	return 0;
}
