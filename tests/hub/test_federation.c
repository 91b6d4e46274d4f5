/* test_federation.c — three hubs on 127.0.0.1 (jp, in, asean) federated as issue 8 says:
 * Japan–India bilateral up to TLP:AMBER (when the producer named the partner), Japan–
 * ASEAN up to TLP:GREEN (indicators and sightings only), Japan forwarding India's
 * third-party content to ASEAN. Asserts exactly which objects arrive where over marking ×
 * producer × agreement × direction, including the two-hop chain in → jp → asean, the
 * transfer trail on both sides, the sync status endpoint, and that a second round moves
 * nothing. */
#include "fed_fixture.h"

#include "hub/auth/acl.h"
#include "hub/auth/marking.h"
#include "hub/stix/tlp.h"
#include "hub/sync/policy.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { JP, IN, ASEAN, NHUBS };

typedef struct obj {
	const char *label;
	int hub; /* where it is produced */
	const char *type;
	int tlp;
	int producer; /* 0 local, 1 third party (created_by_ref outside) */
	int names;    /* recipient: 0 none, 1 the partner (IN for JP objects, JP for IN
	                 objects), 2 a local organisation only, 3 a local member */
	bool want[NHUBS]; /* arrives (in the landing collections) at */
	char id[64];
} obj_t;

static int count_in(void *u, const setu_transfer_t *t)
{
	int64_t *n = u;
	if (strcmp(t->direction, "in") == 0 && strcmp(t->outcome, "stored") == 0)
		n[0]++;
	if (strcmp(t->direction, "out") == 0 && strcmp(t->outcome, "sent") == 0)
		n[1]++;
	return 0;
}

static void test_three_hubs(void **state)
{
	(void)state;
	static fedhub_t hubs[NHUBS];
	const char *names[NHUBS] = {"jp", "in", "asean"};
	for (int i = 0; i < NHUBS; i++)
		assert_int_equal(fed_hub_init(&hubs[i], names[i]), 0);
	fedhub_t *jp = &hubs[JP], *in = &hubs[IN], *asean = &hubs[ASEAN];
	assert_int_equal(fed_link(jp, in), 0);
	assert_int_equal(fed_link(jp, asean), 0);
	/* A collection on jp that forwards what India sent (third-party to ASEAN). */
	/* Japan–India: AMBER both ways, every type; no third-party content. */
	assert_int_equal(
	    fed_offer(jp, "in", "jp-to-in", jp->share, SETU_HUB_TLP_AMBER, NULL, false),
	    0);
	assert_int_equal(
	    fed_offer(in, "jp", "in-to-jp", in->share, SETU_HUB_TLP_AMBER, NULL, false),
	    0);
	assert_int_equal(fed_pull(in, "jp", "in-from-jp", jp->share, in->landing,
	                          SETU_HUB_TLP_AMBER, NULL, false),
	                 0);
	assert_int_equal(fed_pull(jp, "in", "jp-from-in", in->share, jp->landing,
	                          SETU_HUB_TLP_AMBER, NULL, false),
	                 0);
	/* Japan–ASEAN: GREEN, indicators and sightings; Japan's own share, and what it
	 * received (third party) from its landing collection. */
	assert_int_equal(fed_offer(jp, "asean", "jp-to-asean", jp->share,
	                           SETU_HUB_TLP_GREEN, "indicator,sighting", false),
	                 0);
	assert_int_equal(fed_offer(jp, "asean", "jp-fwd-asean", jp->landing,
	                           SETU_HUB_TLP_GREEN, "indicator,sighting", true),
	                 0);
	assert_int_equal(fed_pull(asean, "jp", "asean-from-jp", jp->share, asean->landing,
	                          SETU_HUB_TLP_GREEN, "indicator,sighting", false),
	                 0);
	assert_int_equal(fed_pull(asean, "jp", "asean-fwd-jp", jp->landing,
	                          asean->landing, SETU_HUB_TLP_GREEN,
	                          "indicator,sighting", true),
	                 0);

	char in_on_jp[64], jp_on_in[64],
	    outsider[64] = "identity--0c1f4b52-7d8e-4a3b-9f60-2b7c1d5e8a90";
	assert_int_equal(fed_peer_identity(jp, "in", in_on_jp, sizeof(in_on_jp)), 0);
	assert_int_equal(fed_peer_identity(in, "jp", jp_on_in, sizeof(jp_on_in)), 0);

	/* clang-format off */
	/* label                       hub    type         tlp                        prod names  arrives at: jp  in  asean */
	obj_t objs[] = {
	    {"jp clear",                  JP, "indicator", SETU_HUB_TLP_CLEAR,        0, 0, {true, true,  true},  ""},
	    {"jp green",                  JP, "indicator", SETU_HUB_TLP_GREEN,        0, 0, {true, true,  true},  ""},
	    {"jp unmarked",               JP, "indicator", SETU_HUB_TLP_UNMARKED,     0, 0, {true, true,  true},  ""},
	    {"jp green malware",          JP, "malware",   SETU_HUB_TLP_GREEN,        0, 0, {true, true,  false}, ""},
	    {"jp green third party",      JP, "indicator", SETU_HUB_TLP_GREEN,        1, 0, {true, false, false}, ""},
	    {"jp clear third party",      JP, "indicator", SETU_HUB_TLP_CLEAR,        1, 0, {true, false, false}, ""},
	    {"jp amber naming in",        JP, "indicator", SETU_HUB_TLP_AMBER,        0, 1, {true, true,  false}, ""},
	    {"jp amber 3rd party, in",    JP, "indicator", SETU_HUB_TLP_AMBER,        1, 1, {true, false, false}, ""},
	    {"jp amber local only",       JP, "indicator", SETU_HUB_TLP_AMBER,        0, 2, {true, false, false}, ""},
	    {"jp amber no recipient",     JP, "indicator", SETU_HUB_TLP_AMBER,        0, 0, {true, false, false}, ""},
	    {"jp amber malware naming in",JP, "malware",   SETU_HUB_TLP_AMBER,        0, 1, {true, true,  false}, ""},
	    {"jp amber+strict in",        JP, "indicator", SETU_HUB_TLP_AMBER_STRICT, 0, 1, {true, false, false}, ""},
	    {"jp red",                    JP, "indicator", SETU_HUB_TLP_RED,          0, 3, {true, false, false}, ""},
	    {"in green",                  IN, "indicator", SETU_HUB_TLP_GREEN,        0, 0, {true, true,  true},  ""},
	    {"in clear",                  IN, "indicator", SETU_HUB_TLP_CLEAR,        0, 0, {true, true,  true},  ""},
	    {"in unmarked",               IN, "indicator", SETU_HUB_TLP_UNMARKED,     0, 0, {true, true,  true},  ""},
	    {"in clear malware",          IN, "malware",   SETU_HUB_TLP_CLEAR,        0, 0, {true, true,  false}, ""},
	    {"in amber naming jp",        IN, "indicator", SETU_HUB_TLP_AMBER,        0, 1, {true, true,  false}, ""},
	    {"in amber no recipient",     IN, "indicator", SETU_HUB_TLP_AMBER,        0, 0, {false, true, false}, ""},
	    {"in amber+strict jp",        IN, "indicator", SETU_HUB_TLP_AMBER_STRICT, 0, 1, {false, true, false}, ""},
	    {"in red",                    IN, "indicator", SETU_HUB_TLP_RED,          0, 3, {false, true, false}, ""},
	    {"in green third party",      IN, "indicator", SETU_HUB_TLP_GREEN,        1, 0, {false, true, false}, ""},
	    {"asean green",               ASEAN, "indicator", SETU_HUB_TLP_GREEN,     0, 0, {false, false, true}, ""},
	};
	/* clang-format on */
	size_t n = sizeof(objs) / sizeof(objs[0]);
	enum { GREEN_JP = 1, AMBER_IN = 6 };
	assert_string_equal(objs[GREEN_JP].label, "jp green");
	assert_string_equal(objs[AMBER_IN].label, "jp amber naming in");
	for (size_t i = 0; i < n; i++) {
		obj_t *o = &objs[i];
		fedhub_t *h = &hubs[o->hub];
		const char *rec_org = o->names == 1 ? (o->hub == JP ? in_on_jp : jp_on_in)
		                      : o->names == 2 ? h->org_identity
		                                      : NULL;
		const char *rec_user = o->names == 3 ? h->writer_m.identity : NULL;
		char *txt =
		    fed_object(o->type, o->tlp, o->producer == 1 ? outsider : NULL,
		               rec_org, rec_user, o->id);
		assert_non_null(txt);
		char arr[8192];
		snprintf(arr, sizeof(arr), "[%s]", txt);
		free(txt);
		if (fed_post(h, h->share, arr) != 0)
			fail_msg("cannot post '%s'", o->label);
	}

	/* Rounds in dependency order (India, Japan, ASEAN) so the two-hop chain runs. */
	setu_sync_report_t rep[NHUBS];
	assert_int_equal(fed_sync(in, &rep[IN]), 0);
	assert_int_equal(fed_sync(jp, &rep[JP]), 0);
	assert_int_equal(fed_sync(asean, &rep[ASEAN]), 0);

	size_t want_total[NHUBS] = {0};
	json_t *seen[NHUBS];
	for (int hb = 0; hb < NHUBS; hb++) {
		/* What a member of the local organisation sees in the landing collection:
		 * everything received, AMBER included (docs/federation.md). */
		seen[hb] = fed_ids(&hubs[hb], hubs[hb].landing, hubs[hb].reader);
		assert_non_null(seen[hb]);
	}
	int errors = 0;
	for (size_t i = 0; i < n; i++) {
		for (int hb = 0; hb < NHUBS; hb++) {
			if (hb == objs[i].hub)
				continue;
			bool got = fed_has(seen[hb], objs[i].id);
			want_total[hb] += objs[i].want[hb];
			if (got != objs[i].want[hb]) {
				fprintf(stderr, "'%s' %s at %s\n", objs[i].label,
				        got ? "LEAKED" : "missing", names[hb]);
				errors++;
			}
		}
	}
	assert_int_equal(errors, 0);
	for (int hb = 0; hb < NHUBS; hb++)
		assert_int_equal(json_array_size(seen[hb]), want_total[hb]);
	assert_int_equal(rep[IN].stored, want_total[IN]);
	assert_int_equal(rep[JP].stored, want_total[JP]);
	assert_int_equal(rep[ASEAN].stored, want_total[ASEAN]);
	assert_int_equal(rep[IN].rejected + rep[JP].rejected + rep[ASEAN].rejected, 0);

	/* Received objects keep their markings and the recipient extension as written,
	 * and India's own members read Japan's AMBER indicator there. */
	{
		char path[300];
		snprintf(path, sizeof(path), "/%s/collections/%s/objects/%s/",
		         in->fx.cfg.api_root, in->landing, objs[AMBER_IN].id);
		hubres_t r0;
		assert_int_equal(
		    hubfx_req(&in->fx, "GET", path, in->reader, NULL, NULL, NULL, &r0),
		    0);
		assert_int_equal(r0.status, 200);
		json_t *o = json_array_get(json_object_get(r0.json, "objects"), 0);
		assert_string_equal(json_string_value(json_array_get(
		                        json_object_get(o, "object_marking_refs"), 0)),
		                    setu_tlp_marking_id(SETU_TLP_AMBER));
		assert_non_null(json_object_get(json_object_get(o, "extensions"),
		                                SETU_TLP_EXTENSION_ID));
		hubres_free(&r0);
	}

	/* The trail: India recorded every arrival, Japan every departure to India. */
	setu_peer_t pin, pjp;
	assert_int_equal(jp->fx.store->ops->peer_find(jp->fx.store, "in", &pin), 0);
	assert_int_equal(in->fx.store->ops->peer_find(in->fx.store, "jp", &pjp), 0);
	int64_t c_in[2] = {0}, c_jp[2] = {0};
	assert_int_equal(
	    in->fx.store->ops->transfer_list(in->fx.store, pjp.id, 0, count_in, c_in), 0);
	assert_int_equal(
	    jp->fx.store->ops->transfer_list(jp->fx.store, pin.id, 0, count_in, c_jp), 0);
	assert_int_equal(c_in[0], (int64_t)want_total[IN]); /* stored at India from jp */
	assert_int_equal(c_jp[1], (int64_t)want_total[IN]); /* sent by jp to India */

	/* Status endpoint: admin only; healthy after clean rounds. */
	hubres_t r;
	assert_int_equal(
	    hubfx_req(&jp->fx, "GET", "/api/sync/status", jp->admin, "", NULL, NULL, &r),
	    0);
	assert_int_equal(r.status, 200);
	assert_non_null(r.json);
	assert_true(json_is_true(json_object_get(r.json, "healthy")));
	assert_int_equal(json_array_size(json_object_get(r.json, "agreements")), 1);
	hubres_free(&r);
	assert_int_equal(
	    hubfx_req(&jp->fx, "GET", "/api/sync/status", jp->reader, "", NULL, NULL, &r),
	    0);
	assert_int_equal(r.status, 403);
	hubres_free(&r);
	assert_int_equal(
	    hubfx_req(&jp->fx, "GET", "/api/sync/status", NULL, "", NULL, NULL, &r), 0);
	assert_int_equal(r.status, 401);
	hubres_free(&r);

	/* A second round moves nothing new: no duplicates. */
	for (int hb = 0; hb < NHUBS; hb++) {
		setu_sync_report_t again;
		assert_int_equal(fed_sync(&hubs[hb], &again), 0);
		assert_int_equal(again.stored, 0);
		json_t *ids = fed_ids(&hubs[hb], hubs[hb].landing, hubs[hb].reader);
		assert_int_equal(json_array_size(ids), want_total[hb]);
		json_decref(ids);
	}

	/* A newer version replaces the older one at the partner; revocation propagates.
	 */
	{
		const char *id = objs[GREEN_JP].id; /* jp green */
		char body[1024];
		snprintf(
		    body, sizeof(body),
		    "[{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\","
		    "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":"
		    "\"2026-02-01T00:00:00.000Z\",\"revoked\":true,\"pattern\":"
		    "\"[domain-name:value = 'gone.example']\",\"pattern_type\":\"stix\","
		    "\"valid_from\":\"2026-01-01T00:00:00Z\",\"object_marking_refs\":[\"%"
		    "s\"]}]",
		    id, setu_tlp_marking_id(SETU_TLP_GREEN));
		assert_int_equal(fed_post(jp, jp->share, body), 0);
		setu_sync_report_t r2;
		assert_int_equal(fed_sync(in, &r2), 0);
		assert_int_equal(r2.stored, 1);
		char path[300];
		snprintf(path, sizeof(path), "/%s/collections/%s/objects/%s/",
		         in->fx.cfg.api_root, in->landing, id);
		assert_int_equal(
		    hubfx_req(&in->fx, "GET", path, in->reader, NULL, NULL, NULL, &r), 0);
		assert_int_equal(r.status, 200);
		json_t *o = json_array_get(json_object_get(r.json, "objects"), 0);
		assert_string_equal(json_string_value(json_object_get(o, "modified")),
		                    "2026-02-01T00:00:00.000Z");
		assert_true(json_is_true(json_object_get(o, "revoked")));
		hubres_free(&r);
	}

	/* Sightings made in India about Japan's indicators go back to Japan when their
	 * marking allows: GREEN, and AMBER naming Japan; not AMBER naming nobody. */
	{
		const char *marks[3] = {setu_tlp_marking_id(SETU_TLP_GREEN),
		                        setu_tlp_marking_id(SETU_TLP_AMBER),
		                        setu_tlp_marking_id(SETU_TLP_AMBER)};
		char sid[3][64], body[4096];
		size_t len = 0;
		len += (size_t)snprintf(body + len, sizeof(body) - len, "[");
		for (int k = 0; k < 3; k++) {
			char uuid[37];
			assert_int_equal(setu_uuid4(uuid), 0);
			snprintf(sid[k], sizeof(sid[k]), "sighting--%s", uuid);
			char ext[512] = "";
			if (k == 1)
				snprintf(ext, sizeof(ext),
				         ",\"extensions\":{\"%s\":{\"extension_type\":"
				         "\"property-extension\",\"recipient_orgs\":[\"%"
				         "s\"]}}",
				         SETU_TLP_EXTENSION_ID, jp_on_in);
			len += (size_t)snprintf(
			    body + len, sizeof(body) - len,
			    "%s{\"type\":\"sighting\",\"spec_version\":\"2.1\",\"id\":\"%"
			    "s\","
			    "\"created\":\"2026-03-01T00:00:00.000Z\",\"modified\":"
			    "\"2026-03-01T00:00:00.000Z\",\"count\":1,\"sighting_of_"
			    "ref\":\"%s\","
			    "\"object_marking_refs\":[\"%s\"]%s}",
			    k ? "," : "", sid[k],
			    objs[AMBER_IN].id /* jp amber naming in */, marks[k], ext);
		}
		snprintf(body + len, sizeof(body) - len, "]");
		assert_int_equal(fed_post(in, in->share, body), 0);
		setu_sync_report_t r3;
		assert_int_equal(fed_sync(jp, &r3), 0);
		assert_int_equal(r3.stored, 2);
		json_t *ids = fed_ids(jp, jp->landing, jp->reader);
		assert_true(fed_has(ids, sid[0]));
		assert_true(fed_has(ids, sid[1]));
		assert_false(fed_has(ids, sid[2]));
		json_decref(ids);
	}

	for (int hb = 0; hb < NHUBS; hb++) {
		json_decref(seen[hb]);
		fed_hub_free(&hubs[hb]);
	}
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_three_hubs),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
