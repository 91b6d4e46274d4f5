/* fed_fixture.c — federation test helpers (see fed_fixture.h). */
#include "fed_fixture.h"

#include "hub/auth/acl.h"
#include "hub/auth/marking.h"
#include "hub/stix/tlp.h"
#include "hub/sync/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fed_hub_init(fedhub_t *h, const char *name)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->org, sizeof(h->org), "%s-cert", name);
	setu_member_t m;
	char n[96];
	if (hubfx_init(&h->fx, 0) != 0 ||
	    hubfx_org(&h->fx, h->org, h->org_identity, sizeof(h->org_identity)) != 0)
		return -1;
	snprintf(n, sizeof(n), "%s-writer", name);
	if (hubfx_member(&h->fx, h->org, n, SETU_ROLE_CONTRIBUTOR, h->writer,
	                 &h->writer_m))
		return -1;
	snprintf(n, sizeof(n), "%s-reader", name);
	if (hubfx_member(&h->fx, h->org, n, SETU_ROLE_READER, h->reader, &m))
		return -1;
	snprintf(n, sizeof(n), "%s-admin", name);
	if (hubfx_member(&h->fx, h->org, n, SETU_ROLE_ADMIN, h->admin, &m))
		return -1;
	snprintf(n, sizeof(n), "%s-share", name);
	if (hubfx_collection(&h->fx, n, false, h->share) ||
	    hubfx_grant(&h->fx, h->share, h->org, true, true))
		return -1;
	snprintf(n, sizeof(n), "%s-landing", name);
	if (hubfx_collection(&h->fx, n, false, h->landing) ||
	    hubfx_grant(&h->fx, h->landing, h->org, true, false))
		return -1;
	return hubfx_start(&h->fx);
}

void fed_hub_free(fedhub_t *h)
{
	hubfx_free(&h->fx);
}

/* On h: the organisation standing for partner p, and a reader token of it (what p
 * presents to h). */
static int partner_org(fedhub_t *h, fedhub_t *p, setu_org_t *org, char *tok)
{
	setu_store_t *s = h->fx.store;
	setu_member_t m;
	char n[96];
	if (hubfx_org(&h->fx, p->name, NULL, 0) != 0 ||
	    s->ops->org_find(s, p->name, org) != 0)
		return -1;
	snprintf(n, sizeof(n), "%s-sync-at-%s", p->name, h->name);
	return hubfx_member(&h->fx, p->name, n, SETU_ROLE_READER, tok, &m);
}

int fed_link(fedhub_t *a, fedhub_t *b)
{
	setu_org_t oa, ob; /* ob on a, oa on b */
	char ta[SETU_TOKEN_LEN + 1], tb[SETU_TOKEN_LEN + 1];
	if (partner_org(a, b, &ob, tb) != 0 || partner_org(b, a, &oa, ta) != 0)
		return -1;
	setu_peer_t pa = {.enabled = true, .org_id = ob.id}; /* on a: peer b */
	snprintf(pa.name, sizeof(pa.name), "%s", b->name);
	snprintf(pa.url, sizeof(pa.url), "%s/%s/", b->fx.base, b->fx.cfg.api_root);
	snprintf(pa.token, sizeof(pa.token), "%s", ta);
	setu_peer_t pb = {.enabled = true, .org_id = oa.id}; /* on b: peer a */
	snprintf(pb.name, sizeof(pb.name), "%s", a->name);
	snprintf(pb.url, sizeof(pb.url), "%s/%s/", a->fx.base, a->fx.cfg.api_root);
	snprintf(pb.token, sizeof(pb.token), "%s", tb);
	if (a->fx.store->ops->peer_add(a->fx.store, &pa, NULL) != 0 ||
	    b->fx.store->ops->peer_add(b->fx.store, &pb, NULL) != 0)
		return -1;
	return 0;
}

int fed_peer_identity(fedhub_t *h, const char *partner, char *out, size_t size)
{
	setu_org_t o;
	int rc = h->fx.store->ops->org_find(h->fx.store, partner, &o);
	if (rc == 0)
		snprintf(out, size, "%s", o.identity);
	return rc;
}

static int agreement(fedhub_t *h, const char *partner, const char *name, int dir,
                     const char *local, const char *remote, int max_tlp,
                     const char *types, bool third_party)
{
	setu_store_t *s = h->fx.store;
	setu_peer_t p;
	setu_collection_t c;
	setu_agreement_t a;
	memset(&a, 0, sizeof(a));
	if (s->ops->peer_find(s, partner, &p) != 0 ||
	    s->ops->collection_find(s, local, 0, &c) != 0)
		return -1;
	snprintf(a.name, sizeof(a.name), "%s", name);
	a.peer_id = p.id;
	a.direction = dir;
	a.max_tlp = max_tlp;
	if (setu_sync_types_norm(types, a.types, sizeof(a.types)) != 0)
		return -1;
	a.third_party = third_party;
	a.local_collection_id = c.id;
	snprintf(a.remote_collection, sizeof(a.remote_collection), "%s",
	         remote != NULL ? remote : "");
	if (s->ops->agreement_add(s, &a, NULL) != 0)
		return -1;
	/* As `setu hub agreement add --offer` does: the partner may read it. */
	return dir == SETU_SYNC_OFFER
	           ? s->ops->collection_grant(s, c.id, p.org_id, true, false)
	           : 0;
}

int fed_offer(fedhub_t *server, const char *partner, const char *name, const char *coll,
              int max_tlp, const char *types, bool third_party)
{
	return agreement(server, partner, name, SETU_SYNC_OFFER, coll, NULL, max_tlp,
	                 types, third_party);
}

int fed_pull(fedhub_t *client, const char *partner, const char *name,
             const char *remote_coll, const char *landing, int max_tlp, const char *types,
             bool third_party)
{
	return agreement(client, partner, name, SETU_SYNC_PULL, landing, remote_coll,
	                 max_tlp, types, third_party);
}

static const char *marking_id(int tlp)
{
	switch (tlp) {
	case SETU_HUB_TLP_CLEAR:
		return setu_tlp_marking_id(SETU_TLP_CLEAR);
	case SETU_HUB_TLP_GREEN:
		return setu_tlp_marking_id(SETU_TLP_GREEN);
	case SETU_HUB_TLP_AMBER:
		return setu_tlp_marking_id(SETU_TLP_AMBER);
	case SETU_HUB_TLP_AMBER_STRICT:
		return setu_tlp_marking_id(SETU_TLP_AMBER_STRICT);
	case SETU_HUB_TLP_RED:
		return setu_tlp_marking_id(SETU_TLP_RED);
	}
	return NULL;
}

char *fed_object(const char *type, int tlp, const char *created_by, const char *rec_org,
                 const char *rec_user, char id_out[64])
{
	char uuid[37];
	if (setu_uuid4(uuid) != 0)
		return NULL;
	snprintf(id_out, 64, "%s--%s", type, uuid);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", type, "spec_version",
	                      "2.1", "id", id_out, "created", "2026-01-01T00:00:00.000Z",
	                      "modified", "2026-01-01T00:00:00.000Z");
	if (strcmp(type, "indicator") == 0) {
		char pat[96];
		snprintf(pat, sizeof(pat), "[domain-name:value = '%.8s.example']", uuid);
		json_object_set_new(o, "pattern", json_string(pat));
		json_object_set_new(o, "pattern_type", json_string("stix"));
		json_object_set_new(o, "valid_from", json_string("2026-01-01T00:00:00Z"));
	} else {
		json_object_set_new(o, "name", json_string("sample"));
		json_object_set_new(o, "is_family", json_false());
	}
	const char *mid = marking_id(tlp);
	if (mid != NULL)
		json_object_set_new(o, "object_marking_refs", json_pack("[s]", mid));
	if (created_by != NULL)
		json_object_set_new(o, "created_by_ref", json_string(created_by));
	if (rec_org != NULL || rec_user != NULL) {
		json_t *ext = json_pack("{s:s}", "extension_type", "property-extension");
		if (rec_org != NULL)
			json_object_set_new(ext, "recipient_orgs",
			                    json_pack("[s]", rec_org));
		if (rec_user != NULL)
			json_object_set_new(ext, "recipient_users",
			                    json_pack("[s]", rec_user));
		json_object_set_new(o, "extensions",
		                    json_pack("{s:o}", SETU_TLP_EXTENSION_ID, ext));
	}
	char *txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return txt;
}

int fed_post(fedhub_t *h, const char *coll, const char *objects)
{
	char path[256];
	snprintf(path, sizeof(path), "/%s/collections/%s/objects/", h->fx.cfg.api_root,
	         coll);
	size_t len = strlen(objects) + 32;
	char *body = malloc(len);
	if (body == NULL)
		return -1;
	snprintf(body, len, "{\"objects\":%s}", objects);
	hubres_t r;
	int rc = hubfx_req(&h->fx, "POST", path, h->writer, NULL, NULL, body, &r);
	free(body);
	if (rc == 0 &&
	    (r.status != 202 || r.json == NULL ||
	     json_integer_value(json_object_get(r.json, "failure_count")) != 0)) {
		fprintf(stderr, "post to %s: %ld %s\n", h->name, r.status,
		        r.body != NULL ? r.body : "");
		rc = -1;
	}
	hubres_free(&r);
	return rc;
}

json_t *fed_ids(fedhub_t *h, const char *coll, const char *token)
{
	json_t *ids = json_array();
	char next[300] = "";
	for (int guard = 0; guard < 10000; guard++) {
		char path[700];
		snprintf(path, sizeof(path), "/%s/collections/%s/objects/?limit=1000%s%s",
		         h->fx.cfg.api_root, coll, next[0] ? "&next=" : "", next);
		hubres_t r;
		if (hubfx_req(&h->fx, "GET", path, token, NULL, NULL, NULL, &r) != 0 ||
		    r.status != 200 || r.json == NULL) {
			hubres_free(&r);
			json_decref(ids);
			return NULL;
		}
		size_t i;
		json_t *o;
		json_array_foreach(json_object_get(r.json, "objects"), i, o)
		    json_array_append(ids, json_object_get(o, "id"));
		const char *n = json_string_value(json_object_get(r.json, "next"));
		bool more = json_is_true(json_object_get(r.json, "more"));
		snprintf(next, sizeof(next), "%s", n != NULL ? n : "");
		hubres_free(&r);
		if (!more || next[0] == '\0')
			break;
	}
	return ids;
}

bool fed_has(const json_t *ids, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach((json_t *)ids, i, v)
	{
		if (strcmp(json_string_value(v), id) == 0)
			return true;
	}
	return false;
}

static void count_stored(void *user)
{
	(*(unsigned *)user)++;
}

int fed_sync(fedhub_t *h, setu_sync_report_t *rep)
{
	setu_log_t log = {.level = SETU_LOG_WARN, .prefix = h->name};
	unsigned signalled = 0;
	setu_sync_opts_t o = {.log = &log,
	                      .max_retries = 1,
	                      .backoff_initial_ms = 10,
	                      .backoff_max_ms = 20,
	                      .timeout_ms = 5000,
	                      .on_stored = count_stored,
	                      .on_stored_user = &signalled};
	memset(rep, 0, sizeof(*rep));
	setu_diag_t d = {0};
	int rc = setu_sync_round(h->fx.store, &o, rep, &d);
	if (rc != 0)
		fprintf(stderr, "sync on %s: %s\n", h->name, d.msg);
	/* the hub's push-hint waiters are woken exactly when pulled objects were stored
	 */
	if (rc == 0 && (rep->stored > 0) != (signalled > 0)) {
		fprintf(stderr, "sync on %s: %llu stored but %u commit signals\n",
		        h->name, (unsigned long long)rep->stored, signalled);
		rc = SETU_EINVAL;
	}
	return rc;
}
