/* test_federation_faults.c — federation under faults (issue 8): a partner down during
 * sync (loud: logged, status endpoint, counters; recovers), a partner returning malformed
 * objects (each rejected with a logged, recorded reason; the sync goes on), a hub killed
 * mid-sync (SIGKILL of the syncing process) and restarted: no loss, no duplicates; and a
 * misconfigured puller that asks for more than the partner's agreement offers. All on
 * 127.0.0.1. */
#include "fed_fixture.h"

#include "hub/auth/acl.h"
#include "hub/sync/policy.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static setu_sync_opts_t quick_opts(const setu_log_t *log)
{
	setu_sync_opts_t o = {.log = log,
	                      .max_retries = 1,
	                      .backoff_initial_ms = 10,
	                      .backoff_max_ms = 20,
	                      .timeout_ms = 3000};
	return o;
}

/* Post n GREEN indicators to h's share, in envelopes of 500. */
static void post_many(fedhub_t *h, size_t n, int tlp)
{
	size_t cap = 600 * 700;
	char *arr = malloc(cap);
	assert_non_null(arr);
	for (size_t done = 0; done < n;) {
		size_t k = n - done < 500 ? n - done : 500, len = 0;
		arr[len++] = '[';
		for (size_t i = 0; i < k; i++) {
			char id[64];
			char *o = fed_object("indicator", tlp, NULL, NULL, NULL, id);
			assert_non_null(o);
			len += (size_t)snprintf(arr + len, cap - len, "%s%s",
			                        i ? "," : "", o);
			free(o);
		}
		arr[len++] = ']';
		arr[len] = '\0';
		assert_int_equal(fed_post(h, h->share, arr), 0);
		done += k;
	}
	free(arr);
}

static int state_of(void *u, const setu_sync_state_t *st, const setu_agreement_t *a)
{
	(void)a;
	*(setu_sync_state_t *)u = *st;
	return 0;
}

static void test_peer_down(void **state)
{
	(void)state;
	static fedhub_t a, b;
	assert_int_equal(fed_hub_init(&a, "aa"), 0);
	assert_int_equal(fed_hub_init(&b, "bb"), 0);
	assert_int_equal(fed_link(&a, &b), 0);
	assert_int_equal(
	    fed_offer(&a, "bb", "a-to-b", a.share, SETU_HUB_TLP_GREEN, NULL, false), 0);
	assert_int_equal(fed_pull(&b, "aa", "b-from-a", a.share, b.landing,
	                          SETU_HUB_TLP_GREEN, NULL, false),
	                 0);
	post_many(&a, 10, SETU_HUB_TLP_GREEN);
	uint16_t port = a.fx.port;
	setu_hub_free(a.fx.hub); /* the partner goes down */
	a.fx.hub = NULL;

	setu_log_t log = {.level = SETU_LOG_WARN, .prefix = "peer-down test"};
	setu_sync_opts_t o = quick_opts(&log);
	setu_sync_report_t rep = {0};
	setu_diag_t d = {0};
	assert_int_not_equal(setu_sync_round(b.fx.store, &o, &rep, &d), 0);
	assert_int_equal(rep.failures, 1);
	assert_non_null(strstr(d.msg, "127.0.0.1"));
	setu_sync_state_t st = {0};
	assert_int_equal(b.fx.store->ops->sync_state_list(b.fx.store, state_of, &st), 0);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.consecutive, 1);
	assert_true(st.last_error[0] != '\0');
	/* Visible on the status endpoint. */
	hubres_t r;
	assert_int_equal(
	    hubfx_req(&b.fx, "GET", "/api/sync/status", b.admin, "", NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(json_is_false(json_object_get(r.json, "healthy")));
	assert_int_equal(json_integer_value(json_object_get(r.json, "failures")), 1);
	json_t *ag = json_array_get(json_object_get(r.json, "agreements"), 0);
	assert_true(json_is_string(json_object_get(ag, "last_error")));
	hubres_free(&r);

	/* It comes back on the same port: the next round catches up and is healthy. */
	a.fx.cfg.port = port;
	assert_int_equal(hubfx_start(&a.fx), 0);
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(setu_sync_round(b.fx.store, &o, &rep, &d), 0);
	assert_int_equal(rep.stored, 10);
	assert_int_equal(b.fx.store->ops->sync_state_list(b.fx.store, state_of, &st), 0);
	assert_int_equal(st.failures, 1); /* history kept */
	assert_int_equal(st.consecutive, 0);
	assert_int_equal(st.last_error[0], '\0');
	fed_hub_free(&a);
	fed_hub_free(&b);
}

/* ------------------------------------------------- a partner serving bad objects */

typedef struct fake {
	struct MHD_Daemon *d;
	const char *body;
	unsigned hits;
	unsigned fail_first; /* answer the first N requests with fail_status */
	unsigned fail_status;
} fake_t;

static enum MHD_Result fake_handler(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version,
                                    const char *upload, size_t *upload_size, void **ptr)
{
	(void)url, (void)method, (void)version, (void)upload, (void)upload_size,
	    (void)ptr;
	fake_t *f = cls;
	if (f->hits++ < f->fail_first) {
		static const char err[] = "{\"title\":\"Service unavailable\"}";
		struct MHD_Response *r = MHD_create_response_from_buffer(
		    sizeof(err) - 1, (void *)err, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Content-Type",
		                        "application/taxii+json;version=2.1");
		enum MHD_Result rc = MHD_queue_response(c, f->fail_status, r);
		MHD_destroy_response(r);
		return rc;
	}
	const char *after =
	    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "added_after");
	/* Everything on the first page; nothing after the bookmark. */
	const char *body = after == NULL ? f->body : "{\"more\":false}";
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", "application/taxii+json;version=2.1");
	if (after == NULL) {
		MHD_add_response_header(r, "X-TAXII-Date-Added-First",
		                        "2026-03-01T00:00:00.000000Z");
		MHD_add_response_header(r, "X-TAXII-Date-Added-Last",
		                        "2026-03-01T00:00:05.000000Z");
	}
	enum MHD_Result rc = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return rc;
}

typedef struct rejects {
	int rejected, with_reason, red;
} rejects_t;

static int count_rejects(void *u, const setu_transfer_t *t);

static void test_malformed_objects(void **state)
{
	(void)state;
	static fedhub_t b;
	assert_int_equal(fed_hub_init(&b, "bb"), 0);
	fake_t f = {0};
	char good[64], red[64];
	char *g = fed_object("indicator", SETU_HUB_TLP_GREEN, NULL, NULL, NULL, good);
	char *rd = fed_object("indicator", SETU_HUB_TLP_RED, NULL, NULL, NULL, red);
	char body[16384];
	snprintf(body, sizeof(body),
	         "{\"more\":false,\"objects\":["
	         "{\"type\":\"indicator\",\"id\":\"indicator--6a2d1c0b-9e8f-4d7c-8b6a-"
	         "5f4e3d2c1b0a\"},"
	         "{\"type\":\"indicator\",\"id\":\"indicator--NOT-A-UUID\",\"spec_"
	         "version\":\"2.1\"},"
	         "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
	         "\"indicator--5b3c2a1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d\",\"created\":"
	         "\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
	         "\"pattern\":\"[domain-name:value = \",\"pattern_type\":\"stix\","
	         "\"valid_from\":\"2026-01-01T00:00:00Z\"},"
	         "%s,%s]}",
	         rd, g);
	free(g);
	free(rd);
	f.body = body;
	/* Bound to 127.0.0.1 only, on a port the kernel picks. */
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	f.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
	                       fake_handler, &f, MHD_OPTION_SOCK_ADDR,
	                       (struct sockaddr *)&sa, MHD_OPTION_END);
	assert_non_null(f.d);
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(f.d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	/* The fake partner as a peer of b, pulled up to AMBER. */
	setu_store_t *s = b.fx.store;
	setu_org_t org;
	assert_int_equal(hubfx_org(&b.fx, "fake", NULL, 0), 0);
	assert_int_equal(s->ops->org_find(s, "fake", &org), 0);
	setu_peer_t p = {.enabled = true, .org_id = org.id};
	snprintf(p.name, sizeof(p.name), "fake");
	snprintf(p.url, sizeof(p.url), "http://127.0.0.1:%u/api1/", (unsigned)info->port);
	assert_int_equal(s->ops->peer_add(s, &p, NULL), 0);
	assert_int_equal(fed_pull(&b, "fake", "b-from-fake",
	                          "91c1a5a4-2b35-4e7a-8a55-0f2b8f7e3d11", b.landing,
	                          SETU_HUB_TLP_AMBER, NULL, false),
	                 0);

	setu_log_t log = {.level = SETU_LOG_WARN, .prefix = "malformed test"};
	setu_sync_opts_t o = quick_opts(&log);
	setu_sync_report_t rep = {0};
	setu_diag_t d = {0};
	assert_int_equal(setu_sync_round(s, &o, &rep, &d), 0); /* the sync goes on */
	assert_int_equal(rep.stored, 1);
	assert_int_equal(rep.rejected, 4);
	json_t *ids = fed_ids(&b, b.landing, b.reader);
	assert_int_equal(json_array_size(ids), 1);
	assert_true(fed_has(ids, good));
	json_decref(ids);
	/* Each rejection is on record with its reason. */
	setu_sync_state_t st = {0};
	assert_int_equal(s->ops->sync_state_list(s, state_of, &st), 0);
	assert_int_equal(st.rejected, 4);
	assert_string_equal(st.bookmark, "2026-03-01T00:00:05.000000Z");
	rejects_t c = {0};
	assert_int_equal(s->ops->transfer_list(s, 0, 0, count_rejects, &c), 0);
	assert_int_equal(c.rejected, 4);
	assert_int_equal(c.with_reason, 4);
	assert_int_equal(c.red, 1);
	MHD_stop_daemon(f.d);
	fed_hub_free(&b);
}

static int count_rejects(void *u, const setu_transfer_t *t)
{
	rejects_t *c = u;
	if (strcmp(t->outcome, "rejected") == 0) {
		c->rejected++;
		c->with_reason += t->detail[0] != '\0';
		c->red += strstr(t->detail, "RED") != NULL;
	}
	return 0;
}

/* ------------------------------------------- killed mid-sync, restarted */

static int count_outcomes(void *u, const setu_transfer_t *t)
{
	int64_t *n = u;
	if (strcmp(t->direction, "in") == 0) {
		n[0] += strcmp(t->outcome, "stored") == 0;
		n[1] += strcmp(t->outcome, "duplicate") == 0;
	}
	return 0;
}

static void test_killed_mid_sync(void **state)
{
	(void)state;
	static fedhub_t a, b;
	assert_int_equal(fed_hub_init(&a, "aa"), 0);
	assert_int_equal(fed_hub_init(&b, "bb"), 0);
	assert_int_equal(fed_link(&a, &b), 0);
	assert_int_equal(
	    fed_offer(&a, "bb", "a-to-b", a.share, SETU_HUB_TLP_GREEN, NULL, false), 0);
	assert_int_equal(fed_pull(&b, "aa", "b-from-a", a.share, b.landing,
	                          SETU_HUB_TLP_GREEN, NULL, false),
	                 0);
	const size_t total = 6000;
	post_many(&a, total, SETU_HUB_TLP_GREEN);

	/* 1. Stopped after two pages (as if the process ended there). */
	setu_log_t log = {.level = SETU_LOG_ERROR, .prefix = "kill test"};
	setu_sync_opts_t o = quick_opts(&log);
	o.page_limit = 250;
	o.stop_after_pages = 2;
	setu_sync_report_t rep = {0};
	setu_diag_t d = {0};
	assert_int_not_equal(setu_sync_round(b.fx.store, &o, &rep, &d), 0);
	assert_int_equal(rep.stored, 500);

	/* 2. A child process syncing on its own connection, SIGKILLed mid-way. */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setu_store_t *cs = NULL;
		if (setu_store_open(b.fx.db, &cs, NULL) != 0)
			_exit(3);
		setu_sync_opts_t co = quick_opts(&log);
		co.page_limit = 100;
		setu_sync_report_t crep = {0};
		setu_sync_round(cs, &co, &crep, NULL);
		_exit(0);
	}
	/* Wait until it has made some pages durable, then kill it. */
	setu_sync_state_t st = {0};
	for (int i = 0; i < 2000; i++) {
		b.fx.store->ops->sync_state_list(b.fx.store, state_of, &st);
		if (st.received > 1500)
			break;
		usleep(2000);
	}
	kill(pid, SIGKILL);
	int status = 0;
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status) ||
	            (WIFEXITED(status) && WEXITSTATUS(status) == 0));
	b.fx.store->ops->sync_state_list(b.fx.store, state_of, &st);
	fprintf(stderr, "killed after %lld durable objects\n", (long long)st.received);

	/* 3. "Restart": a fresh connection resumes from the bookmark. */
	setu_store_close(b.fx.store);
	assert_int_equal(setu_store_open(b.fx.db, &b.fx.store, NULL), 0);
	o.stop_after_pages = 0;
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(setu_sync_round(b.fx.store, &o, &rep, &d), 0);
	json_t *ids = fed_ids(&b, b.landing, b.reader);
	assert_int_equal(json_array_size(ids), total); /* no loss */
	json_decref(ids);
	int64_t n[2] = {0};
	assert_int_equal(
	    b.fx.store->ops->transfer_list(b.fx.store, 0, 0, count_outcomes, n), 0);
	assert_int_equal(n[0], (int64_t)total); /* each stored exactly once */
	assert_int_equal(n[1], 0);              /* and never fetched twice into a page */
	b.fx.store->ops->sync_state_list(b.fx.store, state_of, &st);
	assert_int_equal(st.received, (int64_t)total);

	/* Re-reading everything (bookmark lost) stores nothing twice. */
	st.bookmark[0] = '\0';
	assert_int_equal(b.fx.store->ops->sync_state_put(b.fx.store, &st), 0);
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(setu_sync_round(b.fx.store, &o, &rep, &d), 0);
	assert_int_equal(rep.stored, 0);
	assert_int_equal(rep.duplicates, total);
	fed_hub_free(&a);
	fed_hub_free(&b);
}

/* A puller configured for more than the partner offers gets only what the partner's
 * agreement releases: the serving side enforces the policy. */
static void test_misconfigured_puller(void **state)
{
	(void)state;
	static fedhub_t a, b;
	assert_int_equal(fed_hub_init(&a, "aa"), 0);
	assert_int_equal(fed_hub_init(&b, "bb"), 0);
	assert_int_equal(fed_link(&a, &b), 0);
	assert_int_equal(fed_offer(&a, "bb", "a-to-b", a.share, SETU_HUB_TLP_CLEAR,
	                           "indicator", false),
	                 0);
	assert_int_equal(fed_pull(&b, "aa", "b-from-a", a.share, b.landing,
	                          SETU_HUB_TLP_AMBER, NULL, true),
	                 0);
	/* Also a pull of a collection the partner may read (an admin granted it) but that
	 * no offer agreement covers: the store gives a peer principal nothing of it. */
	assert_int_equal(fed_pull(&b, "aa", "b-from-a-landing", a.landing, b.landing,
	                          SETU_HUB_TLP_AMBER, NULL, true),
	                 0);
	assert_int_equal(hubfx_grant(&a.fx, a.landing, "bb", true, false), 0);
	assert_int_equal(hubfx_grant(&a.fx, a.landing, a.org, true, true), 0);
	char stray[64];
	char *so = fed_object("indicator", SETU_HUB_TLP_CLEAR, NULL, NULL, NULL, stray);
	char sarr[4096];
	snprintf(sarr, sizeof(sarr), "[%s]", so);
	free(so);
	assert_int_equal(fed_post(&a, a.landing, sarr), 0);
	char bnamed[64], ids[6][64];
	assert_int_equal(fed_peer_identity(&a, "bb", bnamed, sizeof(bnamed)), 0);
	int tlps[6] = {SETU_HUB_TLP_CLEAR,        SETU_HUB_TLP_GREEN,
	               SETU_HUB_TLP_UNMARKED,     SETU_HUB_TLP_AMBER,
	               SETU_HUB_TLP_AMBER_STRICT, SETU_HUB_TLP_RED};
	char arr[16384];
	size_t len = 0;
	arr[len++] = '[';
	for (int i = 0; i < 6; i++) {
		char *o = fed_object("indicator", tlps[i], NULL, i == 5 ? NULL : bnamed,
		                     i == 5 ? a.writer_m.identity : NULL, ids[i]);
		len += (size_t)snprintf(arr + len, sizeof(arr) - len, "%s%s",
		                        i ? "," : "", o);
		free(o);
	}
	snprintf(arr + len, sizeof(arr) - len, "]");
	assert_int_equal(fed_post(&a, a.share, arr), 0);
	setu_sync_report_t rep;
	assert_int_equal(fed_sync(&b, &rep), 0);
	json_t *got = fed_ids(&b, b.landing, b.reader);
	assert_int_equal(json_array_size(got), 1);
	assert_true(fed_has(got, ids[0]));
	json_decref(got);
	fed_hub_free(&a);
	fed_hub_free(&b);
}

/* The hub's sync thread pulls on its own, and a disabled peer is neither pulled from nor
 * served. */
static void test_sync_thread_and_disable(void **state)
{
	(void)state;
	static fedhub_t a, b;
	assert_int_equal(fed_hub_init(&a, "aa"), 0);
	assert_int_equal(fed_hub_init(&b, "bb"), 0);
	assert_int_equal(fed_link(&a, &b), 0);
	assert_int_equal(
	    fed_offer(&a, "bb", "a-to-b", a.share, SETU_HUB_TLP_GREEN, NULL, false), 0);
	assert_int_equal(fed_pull(&b, "aa", "b-from-a", a.share, b.landing,
	                          SETU_HUB_TLP_GREEN, NULL, false),
	                 0);
	post_many(&a, 30, SETU_HUB_TLP_GREEN);
	setu_log_t log = {.level = SETU_LOG_ERROR, .prefix = "syncd test"};
	setu_sync_opts_t o = quick_opts(&log);
	setu_syncd_t *sd = NULL;
	setu_diag_t d = {0};
	assert_int_equal(setu_syncd_start(b.fx.db, 50, &o, &sd, &d), 0);
	for (int i = 0; i < 400 && setu_syncd_rounds(sd) < 2; i++)
		usleep(10000);
	assert_true(setu_syncd_rounds(sd) >= 2);
	setu_syncd_stop(sd);
	json_t *ids = fed_ids(&b, b.landing, b.reader);
	assert_int_equal(json_array_size(ids), 30);
	json_decref(ids);

	/* a disables peer bb: bb's reads of a now see nothing. */
	setu_peer_t p;
	assert_int_equal(a.fx.store->ops->peer_find(a.fx.store, "bb", &p), 0);
	assert_int_equal(a.fx.store->ops->peer_enable(a.fx.store, p.id, false), 0);
	post_many(&a, 5, SETU_HUB_TLP_GREEN);
	setu_sync_report_t rep = {0};
	assert_int_equal(setu_sync_round(b.fx.store, &o, &rep, &d), 0);
	assert_int_equal(rep.stored, 0);
	assert_int_equal(a.fx.store->ops->peer_enable(a.fx.store, p.id, true), 0);
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(setu_sync_round(b.fx.store, &o, &rep, &d), 0);
	assert_int_equal(rep.stored, 5);
	/* b disables aa: no pull at all. */
	setu_peer_t q;
	assert_int_equal(b.fx.store->ops->peer_find(b.fx.store, "aa", &q), 0);
	assert_int_equal(b.fx.store->ops->peer_enable(b.fx.store, q.id, false), 0);
	post_many(&a, 5, SETU_HUB_TLP_GREEN);
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(setu_sync_round(b.fx.store, &o, &rep, &d), 0);
	assert_int_equal(rep.pages, 0);
	fed_hub_free(&a);
	fed_hub_free(&b);
}

/* A fake partner on 127.0.0.1 serving one GREEN indicator, pulled by b. */
static uint16_t fake_start(fake_t *f, fedhub_t *b, char good[64], char *body, size_t size)
{
	char *g = fed_object("indicator", SETU_HUB_TLP_GREEN, NULL, NULL, NULL, good);
	snprintf(body, size, "{\"more\":false,\"objects\":[%s]}", g);
	free(g);
	f->body = body;
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	f->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
	                        fake_handler, f, MHD_OPTION_SOCK_ADDR,
	                        (struct sockaddr *)&sa, MHD_OPTION_END);
	assert_non_null(f->d);
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
	setu_store_t *s = b->fx.store;
	setu_org_t org;
	assert_int_equal(hubfx_org(&b->fx, "fake", NULL, 0), 0);
	assert_int_equal(s->ops->org_find(s, "fake", &org), 0);
	setu_peer_t p = {.enabled = true, .org_id = org.id};
	snprintf(p.name, sizeof(p.name), "fake");
	snprintf(p.url, sizeof(p.url), "http://127.0.0.1:%u/api1/", (unsigned)info->port);
	assert_int_equal(s->ops->peer_add(s, &p, NULL), 0);
	assert_int_equal(fed_pull(b, "fake", "b-from-fake",
	                          "91c1a5a4-2b35-4e7a-8a55-0f2b8f7e3d11", b->landing,
	                          SETU_HUB_TLP_GREEN, NULL, false),
	                 0);
	return info->port;
}

/* A partner answering errors: 503 twice then fine (retried, the round succeeds); 403
 * (our token revoked there): not retried, the round fails loudly, then recovers. */
static void test_peer_errors(void **state)
{
	(void)state;
	static fedhub_t b;
	assert_int_equal(fed_hub_init(&b, "bb"), 0);
	fake_t f = {.fail_first = 2, .fail_status = 503};
	char good[64], body[4096];
	fake_start(&f, &b, good, body, sizeof(body));
	setu_log_t log = {.level = SETU_LOG_ERROR, .prefix = "errors test"};
	setu_sync_opts_t o = quick_opts(&log);
	o.max_retries = 3;
	setu_sync_report_t rep = {0};
	setu_diag_t d = {0};
	assert_int_equal(setu_sync_round(b.fx.store, &o, &rep, &d), 0);
	assert_int_equal(rep.stored, 1);
	assert_true(f.hits >= 3);
	/* 403: one attempt only, a loud failure that names the status. */
	f.hits = 0;
	f.fail_first = 100;
	f.fail_status = 403;
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(setu_sync_round(b.fx.store, &o, &rep, &d), SETU_EPERM);
	assert_int_equal(f.hits, 1);
	assert_non_null(strstr(d.msg, "403"));
	setu_sync_state_t st = {0};
	assert_int_equal(b.fx.store->ops->sync_state_list(b.fx.store, state_of, &st), 0);
	assert_int_equal(st.consecutive, 1);
	assert_non_null(strstr(st.last_error, "403"));
	f.fail_first = 0;
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(setu_sync_round(b.fx.store, &o, &rep, &d), 0);
	assert_int_equal(b.fx.store->ops->sync_state_list(b.fx.store, state_of, &st), 0);
	assert_int_equal(st.consecutive, 0);
	assert_int_equal(st.failures, 1);
	MHD_stop_daemon(f.d);
	fed_hub_free(&b);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_peer_down),
	    cmocka_unit_test(test_malformed_objects),
	    cmocka_unit_test(test_killed_mid_sync),
	    cmocka_unit_test(test_misconfigured_puller),
	    cmocka_unit_test(test_sync_thread_and_disable),
	    cmocka_unit_test(test_peer_errors),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
