/* hub_stix_output.c — feeds a hub the shared STIX 2.1 fixtures and OASIS examples
 * (../shared/testdata/stix), plus objects carrying the setu TLP extension, then writes
 * every object version the hub serves back (Get Objects, match[version]=all, paged) as
 * one TAXII envelope to argv[1]; ctest then checks that file against the OASIS STIX 2.1
 * JSON schemas (validate-stix.js). Exit 77 when the shared data is absent. */
#include "hub_fixture.h"

#include "hub/auth/acl.h"
#include "hub/auth/marking.h"
#include "intel/tlp.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STIX_DIR SETU_SOURCE_DIR "/../shared/testdata/stix"

static size_t posted, accepted;

static void post_objects(hubfx_t *fx, const char *tok, const char *coll, json_t *objs)
{
	if (!json_is_array(objs) || json_array_size(objs) == 0)
		return;
	json_t *env = json_pack("{s:O}", "objects", objs);
	char *body = json_dumps(env, JSON_COMPACT);
	json_decref(env);
	char path[256];
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", coll);
	hubres_t r;
	if (hubfx_req(fx, "POST", path, tok, NULL, NULL, body, &r) == 0 &&
	    r.status == 202) {
		posted +=
		    (size_t)json_integer_value(json_object_get(r.json, "total_count"));
		accepted +=
		    (size_t)json_integer_value(json_object_get(r.json, "success_count"));
		size_t i;
		const json_t *f;
		json_array_foreach(json_object_get(r.json, "failures"), i, f)
		    fprintf(stderr, "refused %s: %s\n",
		            json_string_value(json_object_get(f, "id")),
		            json_string_value(json_object_get(f, "message")));
	} else {
		fprintf(stderr, "POST failed: %ld %s\n", r.status, r.body ? r.body : "");
	}
	hubres_free(&r);
	free(body);
}

static void post_file(hubfx_t *fx, const char *tok, const char *coll, const char *file)
{
	json_t *j = json_load_file(file, 0, NULL);
	if (j == NULL)
		return;
	json_t *objs = json_object_get(j, "objects");
	if (objs != NULL) {
		post_objects(fx, tok, coll, objs);
	} else if (json_is_object(j)) {
		json_t *one = json_pack("[O]", j);
		post_objects(fx, tok, coll, one);
		json_decref(one);
	}
	json_decref(j);
}

static void post_dir(hubfx_t *fx, const char *tok, const char *coll, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		post_file(fx, tok, coll, path);
	}
	if (d != NULL)
		closedir(d);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: hub_stix_output OUT.json\n");
		return 2;
	}
	if (access(STIX_DIR "/fixtures/envelope.json", R_OK) != 0) {
		printf("SKIP: %s absent\n", STIX_DIR);
		return 77;
	}
	hubfx_t fx;
	char tok[SETU_TOKEN_LEN + 1], coll[40], org_b[64];
	setu_member_t m;
	if (hubfx_init(&fx, 64u << 20) != 0 || hubfx_org(&fx, "A", NULL, 0) != 0 ||
	    hubfx_org(&fx, "B", org_b, sizeof(org_b)) != 0 ||
	    hubfx_member(&fx, "A", "a", SETU_ROLE_CONTRIBUTOR, tok, &m) != 0 ||
	    hubfx_collection(&fx, "all", false, coll) != 0 ||
	    hubfx_grant(&fx, coll, "A", true, true) != 0 || hubfx_start(&fx) != 0) {
		fprintf(stderr, "FAIL: cannot set up the hub\n");
		return 1;
	}
	post_file(&fx, tok, coll, STIX_DIR "/fixtures/good-indicator.json");
	post_file(&fx, tok, coll, STIX_DIR "/fixtures/envelope.json");
	post_file(&fx, tok, coll, STIX_DIR "/fixtures/medallion-envelope.json");
	post_dir(&fx, tok, coll, STIX_DIR "/cti-stix2-json-schemas/examples");
	post_dir(&fx, tok, coll,
	         STIX_DIR "/cti-stix2-json-schemas/examples/threat-reports");
	/* The hub's own additions: TLP 2.0 markings with named recipients. */
	const setu_tlp_t levels[] = {SETU_TLP_CLEAR, SETU_TLP_AMBER,
	                             SETU_TLP_AMBER_STRICT, SETU_TLP_RED};
	for (size_t i = 0; i < 4; i++) {
		char obj[2048];
		snprintf(obj, sizeof(obj),
		         "[{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
		         "\"indicator--"
		         "7a0c1e2d-3b4f-4a5e-8c6d-%012zx\",\"created\":\"2026-01-01T00:"
		         "00:00.000Z\","
		         "\"modified\":\"2026-01-01T00:00:00.000Z\",\"pattern\":\"["
		         "domain-name:value "
		         "= 'c2.example']\",\"pattern_type\":\"stix\",\"valid_from\":"
		         "\"2026-01-01T00:00:00Z\",\"object_marking_refs\":[\"%s\"],"
		         "\"extensions\":{"
		         "\"%s\":{\"extension_type\":\"property-extension\",\"recipient_"
		         "orgs\":[\"%s\"]"
		         ",\"recipient_users\":[\"%s\"]}}}]",
		         i + 1, setu_tlp_marking_id(levels[i]), SETU_TLP_EXTENSION_ID,
		         org_b, m.identity);
		json_t *arr = json_loads(obj, 0, NULL);
		post_objects(&fx, tok, coll, arr);
		json_decref(arr);
	}
	/* Read everything back, every version, page by page. */
	json_t *all = json_array();
	char next[128] = "", path[512];
	for (int guard = 0; guard < 1000; guard++) {
		snprintf(path, sizeof(path),
		         "/api1/collections/%s/objects/?match[version]=all&limit=100%s%s",
		         coll, next[0] ? "&next=" : "", next);
		hubres_t r;
		if (hubfx_req(&fx, "GET", path, tok, NULL, NULL, NULL, &r) != 0 ||
		    r.status != 200) {
			fprintf(stderr, "FAIL: GET objects: %ld\n", r.status);
			return 1;
		}
		json_array_extend(all, json_object_get(r.json, "objects"));
		const char *nx = json_string_value(json_object_get(r.json, "next"));
		snprintf(next, sizeof(next), "%s", nx != NULL ? nx : "");
		bool more = json_is_true(json_object_get(r.json, "more"));
		hubres_free(&r);
		if (!more)
			break;
	}
	size_t served = json_array_size(all);
	json_t *env = json_pack("{s:o}", "objects", all);
	int rc = json_dump_file(env, argv[1], JSON_INDENT(1));
	printf("hub_stix_output: %zu objects posted, %zu accepted, %zu served -> %s\n",
	       posted, accepted, served, argv[1]);
	json_decref(env);
	hubfx_free(&fx);
	/* The examples are valid STIX: most of them must be accepted and all served. */
	if (rc != 0 || accepted < posted * 9 / 10 || served == 0) {
		fprintf(stderr, "FAIL: %s\n",
		        rc != 0 ? "cannot write the output" : "too few objects accepted");
		return 1;
	}
	return 0;
}
