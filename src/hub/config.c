/* config.c — hub.yaml (YAML 1.1 via libyaml, through common/conf.h) into
 * setu_hub_config_t. */
#include "common/conf.h"
#include "common/limits.h"
#include "hub/hub.h"

#include <stdio.h>
#include <string.h>

void setu_hub_config_defaults(setu_hub_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->listen, sizeof(cfg->listen), "127.0.0.1");
	cfg->port = 9443;
	snprintf(cfg->database, sizeof(cfg->database), "setu-hub.db");
	snprintf(cfg->title, sizeof(cfg->title), "setu hub");
	snprintf(cfg->api_root, sizeof(cfg->api_root), "api1");
	snprintf(cfg->api_root_title, sizeof(cfg->api_root_title), "setu sharing");
	cfg->max_content_length = SETU_HUB_MAX_BODY_DEFAULT;
	cfg->threads = SETU_HUB_THREADS_DEFAULT;
}

static const char *const known_keys[] = {
    "listen", "port",     "database",           "tls",
    "title",  "api-root", "max-content-length", "threads",
};

static int str_key(const setu_conf_t *c, const char *key, char *dst, size_t size,
                   setu_diag_t *diag)
{
	const setu_conf_node_t *n = setu_conf_lookup(c, key);
	if (n == NULL)
		return 0;
	if (n->value == NULL || strlen(n->value) >= size) {
		setu_diag_set(diag, SETU_ECONFIG,
		              "key '%s': expected a string shorter than %zu", key, size);
		if (diag != NULL)
			diag->line = n->line;
		return SETU_ECONFIG;
	}
	snprintf(dst, size, "%s", n->value);
	return 0;
}

int setu_hub_config_load(setu_hub_config_t *cfg, const char *path, setu_diag_t *diag)
{
	setu_conf_t *c = setu_conf_new();
	if (c == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	int rc = setu_conf_load_file(c, path, diag);
	if (rc == 0) {
		if (diag != NULL)
			diag->file = path;
		rc = setu_hub_config_apply(cfg, c, diag);
	}
	setu_conf_free(c);
	return rc;
}

int setu_hub_config_apply(setu_hub_config_t *cfg, const setu_conf_t *c, setu_diag_t *diag)
{
	int rc = 0;
	for (size_t i = 0; c->root != NULL && i < c->root->nchild; i++) {
		const setu_conf_node_t *n = c->root->child[i];
		bool known = false;
		for (size_t k = 0; k < sizeof(known_keys) / sizeof(known_keys[0]); k++)
			known = known || strcmp(n->name, known_keys[k]) == 0;
		if (!known) {
			rc = setu_diag_set(diag, SETU_ECONFIG, "unknown key '%s'",
			                   n->name);
			if (diag != NULL)
				diag->line = n->line;
			goto out;
		}
	}
	if ((rc = str_key(c, "listen", cfg->listen, sizeof(cfg->listen), diag)) ||
	    (rc = str_key(c, "database", cfg->database, sizeof(cfg->database), diag)) ||
	    (rc = str_key(c, "tls.cert", cfg->tls_cert, sizeof(cfg->tls_cert), diag)) ||
	    (rc = str_key(c, "tls.key", cfg->tls_key, sizeof(cfg->tls_key), diag)) ||
	    (rc = str_key(c, "title", cfg->title, sizeof(cfg->title), diag)) ||
	    (rc = str_key(c, "api-root.name", cfg->api_root, sizeof(cfg->api_root),
	                  diag)) ||
	    (rc = str_key(c, "api-root.title", cfg->api_root_title,
	                  sizeof(cfg->api_root_title), diag)))
		goto out;
	uint64_t v;
	if ((rc = setu_conf_get_u64(c, "port", &v, diag)) == 0) {
		if (v > 65535) {
			rc = setu_diag_set(diag, SETU_ECONFIG,
			                   "key 'port': %llu is not a TCP port",
			                   (unsigned long long)v);
			goto out;
		}
		cfg->port = (uint16_t)v;
	} else if (rc != SETU_ENOENT) {
		goto out;
	}
	if ((rc = setu_conf_get_size(c, "max-content-length", &v, diag)) == 0) {
		if (v < 1024 || v > (uint64_t)1 << 30) {
			rc = setu_diag_set(
			    diag, SETU_ECONFIG,
			    "key 'max-content-length': %llu is outside 1 KiB..1 GiB",
			    (unsigned long long)v);
			goto out;
		}
		cfg->max_content_length = (size_t)v;
	} else if (rc != SETU_ENOENT) {
		goto out;
	}
	if ((rc = setu_conf_get_u64(c, "threads", &v, diag)) == 0) {
		if (v < 1 || v > 256) {
			rc = setu_diag_set(diag, SETU_ECONFIG,
			                   "key 'threads': %llu is outside 1..256",
			                   (unsigned long long)v);
			goto out;
		}
		cfg->threads = (unsigned)v;
	} else if (rc != SETU_ENOENT) {
		goto out;
	}
	rc = 0;
	if ((cfg->tls_cert[0] != '\0') != (cfg->tls_key[0] != '\0'))
		rc = setu_diag_set(diag, SETU_ECONFIG,
		                   "tls: give both 'cert' and 'key', or neither");
	for (const char *p = cfg->api_root; rc == 0 && *p; p++)
		if (*p == '/' || *p == '?' || *p == '#' || *p == ' ')
			rc = setu_diag_set(
			    diag, SETU_ECONFIG,
			    "key 'api-root.name': '%s' must be one URL path segment",
			    cfg->api_root);
	if (rc == 0 && strcmp(cfg->api_root, "taxii2") == 0)
		rc = setu_diag_set(diag, SETU_ECONFIG,
		                   "key 'api-root.name': 'taxii2' is the discovery path");
out:
	return rc;
}
