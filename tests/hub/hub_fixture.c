/* hub_fixture.c — test helpers for the hub (see hub_fixture.h). */
#include "hub_fixture.h"

#include "hub/auth/acl.h"

#include <curl/curl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int hubfx_init(hubfx_t *fx, size_t max_body)
{
	memset(fx, 0, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/setu-hubtest-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->db, sizeof(fx->db), "%s/hub.db", fx->dir);
	setu_diag_t d = {0};
	if (setu_store_open(fx->db, &fx->store, &d) != 0) {
		fprintf(stderr, "store: %s\n", d.msg);
		return -1;
	}
	setu_hub_config_defaults(&fx->cfg);
	snprintf(fx->cfg.database, sizeof(fx->cfg.database), "%s", fx->db);
	fx->cfg.port = 0;
	fx->cfg.threads = 4;
	if (max_body > 0)
		fx->cfg.max_content_length = max_body;
	setu_api_root_t root;
	return fx->store->ops->api_root_ensure(fx->store, fx->cfg.api_root,
	                                       fx->cfg.api_root_title, &root);
}

int hubfx_start(hubfx_t *fx)
{
	setu_diag_t d = {0};
	if (setu_hub_new(&fx->cfg, &fx->hub, &d) != 0 ||
	    setu_hub_start(fx->hub, &d) != 0) {
		fprintf(stderr, "hub: %s\n", d.msg);
		return -1;
	}
	fx->port = setu_hub_port(fx->hub);
	snprintf(fx->base, sizeof(fx->base), "%s://127.0.0.1:%u",
	         fx->cfg.tls_cert[0] ? "https" : "http", (unsigned)fx->port);
	return 0;
}

void hubfx_free(hubfx_t *fx)
{
	setu_hub_free(fx->hub);
	setu_store_close(fx->store);
	char path[400];
	const char *sfx[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", fx->db, sfx[i]);
		unlink(path);
	}
	rmdir(fx->dir);
}

int hubfx_org(hubfx_t *fx, const char *name, char *identity, size_t size)
{
	setu_org_t o = {0};
	snprintf(o.name, sizeof(o.name), "%s", name);
	int rc = fx->store->ops->org_add(fx->store, &o, NULL);
	if (rc == 0 && identity != NULL)
		snprintf(identity, size, "%s", o.identity);
	return rc;
}

int hubfx_member(hubfx_t *fx, const char *org, const char *name, int role, char *token,
                 setu_member_t *m)
{
	setu_org_t o;
	int rc = fx->store->ops->org_find(fx->store, org, &o);
	if (rc)
		return rc;
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->org_id = o.id;
	m->role = role;
	if ((rc = fx->store->ops->member_add(fx->store, m, NULL)) != 0)
		return rc;
	uint8_t hash[32];
	int64_t id;
	if ((rc = setu_token_generate(token, SETU_TOKEN_LEN + 1, hash)) != 0)
		return rc;
	return fx->store->ops->token_add(fx->store, m->id, hash, &id);
}

int hubfx_collection(hubfx_t *fx, const char *title, bool is_public, char uuid[40])
{
	setu_api_root_t root;
	setu_collection_t c;
	int rc = fx->store->ops->api_root_find(fx->store, fx->cfg.api_root, &root);
	if (rc == 0)
		rc = fx->store->ops->collection_add(fx->store, root.id, title, "",
		                                    is_public, &c);
	if (rc == 0)
		snprintf(uuid, 40, "%s", c.uuid);
	return rc;
}

int hubfx_grant(hubfx_t *fx, const char *coll_uuid, const char *org, bool r, bool w)
{
	setu_collection_t c;
	setu_org_t o;
	int rc = fx->store->ops->collection_find(fx->store, coll_uuid, 0, &c);
	if (rc == 0)
		rc = fx->store->ops->org_find(fx->store, org, &o);
	if (rc == 0)
		rc = fx->store->ops->collection_grant(fx->store, c.id, o.id, r, w);
	return rc;
}

static size_t on_body(char *p, size_t sz, size_t n, void *u)
{
	hubres_t *r = u;
	size_t len = sz * n;
	char *b = realloc(r->body, r->len + len + 1);
	if (b == NULL)
		return 0;
	memcpy(b + r->len, p, len);
	r->len += len;
	b[r->len] = '\0';
	r->body = b;
	return len;
}

static void header_value(const char *line, size_t n, const char *name, char *dst,
                         size_t size)
{
	size_t k = strlen(name);
	if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	const char *v = line + k + 1;
	while (*v == ' ')
		v++;
	size_t len = n - (size_t)(v - line);
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n'))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

static size_t on_header(char *p, size_t sz, size_t n, void *u)
{
	hubres_t *r = u;
	size_t len = sz * n;
	header_value(p, len, "Content-Type", r->ctype, sizeof(r->ctype));
	header_value(p, len, "X-TAXII-Date-Added-First", r->added_first,
	             sizeof(r->added_first));
	header_value(p, len, "X-TAXII-Date-Added-Last", r->added_last,
	             sizeof(r->added_last));
	header_value(p, len, "Retry-After", r->retry_after, sizeof(r->retry_after));
	if (len > 17 && strncasecmp(p, "WWW-Authenticate:", 17) == 0)
		r->www_auth = true;
	return len;
}

int hubfx_req(hubfx_t *fx, const char *method, const char *path, const char *token,
              const char *accept, const char *ctype, const char *body, hubres_t *out)
{
	memset(out, 0, sizeof(*out));
	CURL *c = curl_easy_init();
	if (c == NULL)
		return -1;
	char url[4096], h1[256], h2[256], h3[256];
	snprintf(url, sizeof(url), "%s%s", fx->base, path);
	struct curl_slist *hs = NULL;
	if (accept == NULL)
		accept = "application/taxii+json;version=2.1";
	if (accept[0] != '\0') {
		snprintf(h1, sizeof(h1), "Accept: %s", accept);
		hs = curl_slist_append(hs, h1);
	} else {
		hs = curl_slist_append(hs, "Accept:");
	}
	if (token != NULL) {
		bool raw =
		    strncmp(token, "Basic ", 6) == 0 || strncmp(token, "Bearer ", 7) == 0;
		snprintf(h2, sizeof(h2), "Authorization: %s%s", raw ? "" : "Bearer ",
		         token);
		hs = curl_slist_append(hs, h2);
	}
	if (body != NULL) {
		snprintf(h3, sizeof(h3), "Content-Type: %s",
		         ctype != NULL ? ctype : "application/taxii+json;version=2.1");
		hs = curl_slist_append(hs, h3);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		hs = curl_slist_append(hs, "Expect:");
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (fx->cfg.tls_cert[0]) { /* the tests' self-signed certificate */
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(hs);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return -1;
	if (out->body != NULL)
		out->json = json_loads(out->body, 0, NULL);
	return 0;
}

void hubres_free(hubres_t *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}
