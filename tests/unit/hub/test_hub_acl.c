/* test_hub_acl.c — acl.c, the hub's one access decision: the TLP 2.0 rules of docs/tlp.md
 * on single objects, collection-level decisions, level ordering and names; the token and
 * Authorization header helpers; and hub.yaml loading. */
#include "hub/auth/acl.h"
#include "hub/auth/token.h"
#include "hub/hub.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool vis(int tlp, const setu_principal_t *p, bool member, bool pub,
                const char *rec)
{
	setu_acl_ctx_t ctx = {.who = p, .coll_member = member, .coll_public = pub};
	setu_acl_obj_t o = {
	    .tlp = tlp, .producer_org = 1, .producer_user = 10, .recipients = rec};
	return setu_acl_object_visible(&ctx, &o);
}

static void test_object_rules(void **state)
{
	(void)state;
	setu_principal_t producer = {.authenticated = true, .member_id = 10, .org_id = 1};
	setu_principal_t colleague = {
	    .authenticated = true, .member_id = 11, .org_id = 1};
	setu_principal_t named = {.authenticated = true, .member_id = 20, .org_id = 2};
	setu_principal_t org2 = {.authenticated = true, .member_id = 21, .org_id = 2};
	setu_principal_t other = {.authenticated = true, .member_id = 30, .org_id = 3};
	setu_principal_t anon = {.authenticated = false};
	const char *rec_org = ",o2,";
	const char *rec_user = ",u20,";

	assert_true(vis(SETU_HUB_TLP_CLEAR, &other, true, false, NULL));
	assert_false(vis(SETU_HUB_TLP_CLEAR, &other, false, false, NULL));
	assert_true(vis(SETU_HUB_TLP_CLEAR, &anon, false, true, NULL));
	assert_false(vis(SETU_HUB_TLP_CLEAR, &anon, false, false, NULL));

	assert_true(vis(SETU_HUB_TLP_GREEN, &other, true, false, NULL));
	assert_false(vis(SETU_HUB_TLP_GREEN, &anon, false, true, NULL));
	assert_false(vis(SETU_HUB_TLP_GREEN, &other, false, true, NULL));
	assert_true(vis(SETU_HUB_TLP_UNMARKED, &other, true, false, NULL));
	assert_false(vis(SETU_HUB_TLP_UNMARKED, &anon, true, true, NULL));

	for (int t = SETU_HUB_TLP_AMBER; t <= SETU_HUB_TLP_AMBER_STRICT; t++) {
		assert_true(vis(t, &producer, true, false, rec_org));
		assert_true(vis(t, &colleague, true, false, rec_org));
		assert_true(vis(t, &named, true, false, rec_org));
		assert_true(vis(t, &org2, true, false, rec_org));
		assert_false(vis(t, &other, true, false, rec_org));
		assert_false(
		    vis(t, &org2, false, false, rec_org)); /* recipients need the grant */
		assert_false(vis(t, &org2, true, false, NULL));
		assert_true(vis(t, &named, true, false, rec_user));
		assert_false(vis(t, &org2, true, false, rec_user));
		assert_false(vis(t, &anon, true, true, rec_org));
	}
	assert_true(vis(SETU_HUB_TLP_RED, &producer, true, false, rec_user));
	assert_false(vis(SETU_HUB_TLP_RED, &colleague, true, false, rec_user));
	assert_true(vis(SETU_HUB_TLP_RED, &named, true, false, rec_user));
	assert_false(vis(SETU_HUB_TLP_RED, &org2, true, false, rec_user));
	assert_false(
	    vis(SETU_HUB_TLP_RED, &org2, true, false, rec_org)); /* orgs are not enough */
	/* ",u2," must not match member 20 or 200. */
	setu_principal_t m2 = {.authenticated = true, .member_id = 2, .org_id = 9};
	assert_false(vis(SETU_HUB_TLP_RED, &m2, true, false, ",u20,u200,"));
	assert_false(vis(99, &producer, true, false, NULL)); /* unknown level: never */
}

static void test_collection_rules(void **state)
{
	(void)state;
	setu_principal_t reader = {
	    .authenticated = true, .org_id = 1, .role = SETU_ROLE_READER};
	setu_principal_t writer = {
	    .authenticated = true, .org_id = 1, .role = SETU_ROLE_CONTRIBUTOR};
	setu_principal_t admin = {
	    .authenticated = true, .org_id = 2, .role = SETU_ROLE_ADMIN};
	setu_principal_t anon = {0};
	assert_false(setu_acl_collection_visible(&reader, false, false, false));
	assert_true(setu_acl_collection_visible(&reader, false, false, true));
	assert_true(setu_acl_collection_visible(&anon, true, false, false));
	assert_false(setu_acl_collection_visible(&anon, false, false, false));
	assert_true(setu_acl_collection_can_read(&anon, true, false));
	assert_false(setu_acl_collection_can_write(&reader, true));
	assert_true(setu_acl_collection_can_write(&writer, true));
	assert_false(setu_acl_collection_can_write(&writer, false));
	assert_true(setu_acl_can_delete(&writer, true, 1));
	assert_false(setu_acl_can_delete(&writer, true, 2));
	assert_true(setu_acl_can_delete(&admin, true, 1));
	assert_false(setu_acl_read_is_audited(SETU_HUB_TLP_GREEN));
	assert_true(setu_acl_read_is_audited(SETU_HUB_TLP_AMBER));
	assert_true(setu_acl_read_is_audited(SETU_HUB_TLP_RED));
	assert_int_equal(setu_acl_tlp_max(SETU_HUB_TLP_UNMARKED, SETU_HUB_TLP_CLEAR),
	                 SETU_HUB_TLP_UNMARKED); /* unmarked counts as GREEN */
	assert_int_equal(setu_acl_tlp_max(SETU_HUB_TLP_UNMARKED, SETU_HUB_TLP_GREEN),
	                 SETU_HUB_TLP_GREEN);
	assert_int_equal(setu_acl_tlp_max(SETU_HUB_TLP_RED, SETU_HUB_TLP_AMBER),
	                 SETU_HUB_TLP_RED);
	assert_string_equal(setu_acl_tlp_name(SETU_HUB_TLP_AMBER_STRICT), "AMBER+STRICT");
	assert_int_equal(setu_role_parse("contributor"), SETU_ROLE_CONTRIBUTOR);
	assert_int_equal(setu_role_parse("root"), -1);
}

static void test_tokens(void **state)
{
	(void)state;
	char a[SETU_TOKEN_LEN + 1], b[SETU_TOKEN_LEN + 1];
	uint8_t ha[32], hb[32], hc[32];
	assert_int_equal(setu_token_generate(a, sizeof(a), ha), 0);
	assert_int_equal(setu_token_generate(b, sizeof(b), hb), 0);
	assert_int_equal(strlen(a), SETU_TOKEN_LEN);
	assert_memory_equal(a, "setu_", 5);
	assert_string_not_equal(a, b);
	setu_token_hash(a, strlen(a), hc);
	assert_memory_equal(ha, hc, 32);
	assert_memory_not_equal(ha, hb, 32);
	assert_int_equal(setu_token_generate(a, 10, ha), SETU_EINVAL);
}

static void test_config(void **state)
{
	(void)state;
	char path[] = "/tmp/setu-hubyaml-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *y =
	    "listen: 0.0.0.0\nport: 8443\ndatabase: /var/lib/setu/hub.db\n"
	    "title: CERT hub\napi-root:\n  name: cert\n  title: CERT sharing\n"
	    "max-content-length: 2mb\nthreads: 16\n";
	assert_int_equal(write(fd, y, strlen(y)), (ssize_t)strlen(y));
	close(fd);
	setu_hub_config_t cfg;
	setu_hub_config_defaults(&cfg);
	assert_string_equal(cfg.listen, "127.0.0.1");
	setu_diag_t d = {0};
	assert_int_equal(setu_hub_config_load(&cfg, path, &d), 0);
	assert_string_equal(cfg.listen, "0.0.0.0");
	assert_int_equal(cfg.port, 8443);
	assert_string_equal(cfg.api_root, "cert");
	assert_string_equal(cfg.api_root_title, "CERT sharing");
	assert_int_equal(cfg.max_content_length, 2 * 1024 * 1024);
	assert_int_equal(cfg.threads, 16);
	const char *bad[] = {
	    "port: 70000\n", "colour: blue\n",           "tls:\n  cert: a.pem\n",
	    "threads: 0\n",  "api-root:\n  name: a/b\n", "port: [1\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(path, "w");
		fputs(bad[i], f);
		fclose(f);
		setu_hub_config_defaults(&cfg);
		memset(&d, 0, sizeof(d));
		assert_int_not_equal(setu_hub_config_load(&cfg, path, &d), 0);
		assert_true(d.msg[0] != '\0');
	}
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_object_rules),
	    cmocka_unit_test(test_collection_rules),
	    cmocka_unit_test(test_tokens),
	    cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
