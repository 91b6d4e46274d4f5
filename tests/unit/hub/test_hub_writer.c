/* test_hub_writer.c — the hub's group-commit writer (src/hub/store/writer.c) and the Add
 * Objects path on top of it (TAXII 2.1 §5.4, envelope.c): concurrent jobs all durable and
 * grouped, one failing object or job not failing the others, a job given up mid-stream
 * or a process dying mid-batch leaving nothing of it, and envelopes split without
 * re-serialisation (bytes stored as received) with the same answers as a whole parse. */
#include "hub/auth/acl.h"
#include "hub/auth/token.h"
#include "hub/store/store.h"
#include "hub/store/writer.h"
#include "hub/taxii/taxii.h"

#include <sqlite3.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct fx {
	char dir[64];
	char db[128];
	setu_store_t *s; /* the test's own connection */
	setu_org_t a, b;
	setu_member_t ma;
	setu_collection_t c;
	char token[SETU_TOKEN_LEN + 1];
} fx_t;

static int setup(void **state)
{
	fx_t *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/setu-writer-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/hub.db", f->dir);
	setu_diag_t d = {0};
	assert_int_equal(setu_store_open(f->db, &f->s, &d), 0);
	setu_api_root_t root;
	assert_int_equal(f->s->ops->api_root_ensure(f->s, "api1", "t", &root), 0);
	snprintf(f->a.name, sizeof(f->a.name), "A");
	snprintf(f->b.name, sizeof(f->b.name), "B");
	assert_int_equal(f->s->ops->org_add(f->s, &f->a, NULL), 0);
	assert_int_equal(f->s->ops->org_add(f->s, &f->b, NULL), 0);
	snprintf(f->ma.name, sizeof(f->ma.name), "alice");
	f->ma.org_id = f->a.id;
	f->ma.role = SETU_ROLE_CONTRIBUTOR;
	assert_int_equal(f->s->ops->member_add(f->s, &f->ma, NULL), 0);
	assert_int_equal(f->s->ops->collection_add(f->s, root.id, "c", "", false, &f->c),
	                 0);
	assert_int_equal(f->s->ops->collection_grant(f->s, f->c.id, f->a.id, true, true),
	                 0);
	uint8_t hash[32];
	int64_t tid;
	assert_int_equal(setu_token_generate(f->token, sizeof(f->token), hash), 0);
	assert_int_equal(f->s->ops->token_add(f->s, f->ma.id, hash, &tid), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx_t *f = *state;
	setu_store_close(f->s);
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	for (int i = 0; i < 4; i++) {
		char p[160];
		snprintf(p, sizeof(p), "%s%s", f->db, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Rows of the objects table (through a plain SQLite connection: what is committed). */
static long long count_sql(const fx_t *f, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	long long n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static long long objects_like(const fx_t *f, const char *prefix)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM objects WHERE stix_id LIKE '%s%%'", prefix);
	return count_sql(f, sql);
}

/* A job of n indicator items whose ids start with indicator--<tag>. */
typedef struct tjob {
	setu_write_job_t job;
	setu_write_item_t items[64];
	char ids[64][80];
	char bodies[64][160];
	int finish_rc; /* what finish returns (to make a job fail in the store) */
	int finished;
} tjob_t;

static int tfinish(setu_write_job_t *job, setu_store_t *s)
{
	(void)s;
	tjob_t *t = job->user;
	t->finished++;
	return t->finish_rc;
}

static void make_job(tjob_t *t, const fx_t *f, int64_t org, int64_t member, unsigned tag,
                     size_t n)
{
	memset(t, 0, sizeof(*t));
	assert_true(n <= 64);
	for (size_t i = 0; i < n; i++) {
		snprintf(t->ids[i], sizeof(t->ids[i]),
		         "indicator--%08x-0000-4000-8000-%012zx", tag, i);
		snprintf(t->bodies[i], sizeof(t->bodies[i]), "{\"id\":\"%s\"}",
		         t->ids[i]);
		t->items[i].write = true;
		t->items[i].id = t->ids[i];
		t->items[i].so =
		    (setu_store_obj_t){.stix_id = t->ids[i],
		                       .type = "indicator",
		                       .spec_version = "2.1",
		                       .version_text = "2026-01-01T00:00:00Z",
		                       .version_us = 1767225600000000LL,
		                       .body = t->bodies[i],
		                       .tlp = SETU_HUB_TLP_GREEN};
	}
	t->job = (setu_write_job_t){.collection_id = f->c.id,
	                            .org_id = org,
	                            .member_id = member,
	                            .items = t->items,
	                            .n = n,
	                            .finish = tfinish,
	                            .user = t};
}

/* ------------------------------------------------------------ concurrent jobs */

typedef struct worker {
	const fx_t *f;
	setu_writer_t *w;
	unsigned tag;
	int rc;
	tjob_t t;
} worker_t;

static void *run_worker(void *arg)
{
	worker_t *k = arg;
	setu_store_t *s = NULL;
	setu_diag_t d = {0};
	k->rc = setu_store_open(k->f->db, &s, &d);
	if (k->rc != 0)
		return NULL;
	for (unsigned r = 0; r < 5 && k->rc == 0; r++) {
		make_job(&k->t, k->f, k->f->a.id, k->f->ma.id, k->tag * 16 + r, 40);
		/* stream the items in steps, as envelope.c does */
		setu_writer_begin(k->w, s, &k->t.job);
		for (size_t i = 8; i <= 40; i += 8)
			setu_writer_ready(k->w, &k->t.job, i);
		k->rc = setu_writer_end(k->w, &k->t.job, 0);
		for (size_t i = 0; k->rc == 0 && i < 40; i++)
			if (k->t.items[i].rc != 0)
				k->rc = k->t.items[i].rc;
	}
	setu_store_close(s);
	return NULL;
}

static void test_concurrent_jobs(void **state)
{
	fx_t *f = *state;
	setu_writer_t *w = setu_writer_new();
	assert_non_null(w);
	enum { T = 8 };
	worker_t k[T];
	pthread_t th[T];
	for (unsigned i = 0; i < T; i++) {
		k[i] = (worker_t){.f = f, .w = w, .tag = i + 1};
		assert_int_equal(pthread_create(&th[i], NULL, run_worker, &k[i]), 0);
	}
	for (unsigned i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(k[i].rc, 0);
	}
	/* every acknowledged object is committed, with its audit row */
	assert_int_equal(objects_like(f, "indicator--"), T * 5 * 40);
	assert_int_equal(count_sql(f, "SELECT count(*) FROM audit WHERE action='add'"),
	                 T * 5 * 40);
	uint64_t groups = 0, jobs = 0;
	setu_writer_stats(w, &groups, &jobs);
	assert_int_equal(jobs, T * 5);
	assert_true(groups >= 1 && groups <= jobs);
	/* date_added is unique across the hub */
	assert_int_equal(
	    count_sql(f, "SELECT count(DISTINCT date_added_us) FROM objects"),
	    T * 5 * 40);
	setu_writer_free(w);
}

/* ------------------------------------------------ one bad object, one bad job */

static void test_failures_stay_local(void **state)
{
	fx_t *f = *state;
	setu_writer_t *w = setu_writer_new();
	/* B owns an id that A then tries to version: that one object fails (EPERM) */
	tjob_t *own = calloc(1, sizeof(*own));
	make_job(own, f, f->b.id, 0, 0xb0, 1);
	assert_int_equal(setu_writer_run(w, f->s, &own->job), 0);
	tjob_t *t = calloc(1, sizeof(*t));
	make_job(t, f, f->a.id, f->ma.id, 0xa0, 10);
	snprintf(t->ids[3], sizeof(t->ids[3]), "%s", own->ids[0]);
	t->items[3].so.version_us += 1000000; /* a new version of B's object */
	t->items[3].so.body = "{}";
	/* and one failed before the store (validation): not written, keeps its rc */
	t->items[5].write = false;
	t->items[5].rc = SETU_EMALFORMED;
	snprintf(t->items[5].msg, sizeof(t->items[5].msg), "pattern: bad");
	assert_int_equal(setu_writer_run(w, f->s, &t->job), 0);
	for (size_t i = 0; i < 10; i++) {
		if (i == 3) {
			assert_int_equal(t->items[i].rc, SETU_EPERM);
			assert_non_null(strstr(t->items[i].msg, "another organisation"));
		} else if (i == 5) {
			assert_int_equal(t->items[i].rc, SETU_EMALFORMED);
			assert_string_equal(t->items[i].msg, "pattern: bad");
		} else {
			assert_int_equal(t->items[i].rc, 0);
		}
	}
	assert_int_equal(objects_like(f, "indicator--000000a0"), 8);
	assert_int_equal(objects_like(f, "indicator--000000b0"), 1); /* B's only */

	/* A job that fails in the store (its finish fails) while others share its
	 * group: it alone fails, with nothing stored; the others are durable. */
	enum { T = 4 };
	tjob_t *j = calloc(T, sizeof(*j));
	setu_store_t *conn[T];
	setu_diag_t d = {0};
	for (unsigned i = 0; i < T; i++) {
		assert_int_equal(setu_store_open(f->db, &conn[i], &d), 0);
		make_job(&j[i], f, f->a.id, f->ma.id, 0xc0 + i, 20);
	}
	j[2].finish_rc = SETU_EDB;
	/* all four queued before any item is ready: one group */
	for (unsigned i = 0; i < T; i++)
		setu_writer_begin(w, conn[i], &j[i].job);
	for (unsigned i = 0; i < T; i++)
		setu_writer_ready(w, &j[i].job, 20);
	for (unsigned i = 0; i < T; i++)
		assert_int_equal(setu_writer_end(w, &j[i].job, 0), i == 2 ? SETU_EDB : 0);
	for (unsigned i = 0; i < T; i++) {
		char p[40];
		snprintf(p, sizeof(p), "indicator--%08x", 0xc0 + i);
		assert_int_equal(objects_like(f, p), i == 2 ? 0 : 20);
		setu_store_close(conn[i]);
	}
	assert_true(j[0].finished >= 1);
	free(j);
	free(t);
	free(own);
	setu_writer_free(w);
}

/* ------------------------------------------- streaming, giving up, durability */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void test_stream_and_abort(void **state)
{
	fx_t *f = *state;
	setu_writer_t *w = setu_writer_new();
	tjob_t *t = calloc(1, sizeof(*t));
	make_job(t, f, f->a.id, f->ma.id, 0xd0, 40);
	setu_writer_begin(w, f->s, &t->job);
	setu_writer_ready(w, &t->job, 20);
	sleep_ms(100); /* the writer has stored the 20, inside its open transaction */
	assert_int_equal(objects_like(f, "indicator--000000d0"), 0); /* not committed */
	assert_int_equal(t->finished, 0);
	setu_writer_ready(w, &t->job, 40);
	assert_int_equal(setu_writer_end(w, &t->job, 0), 0);
	assert_int_equal(objects_like(f, "indicator--000000d0"), 40);

	/* A request that arrives while the group waits for another one's objects joins
	 * it: one commit for both. */
	uint64_t g0 = 0, j0 = 0, g1 = 0, j1 = 0;
	setu_writer_stats(w, &g0, &j0);
	tjob_t *v = calloc(2, sizeof(*v));
	setu_store_t *s3 = NULL;
	setu_diag_t d3 = {0};
	assert_int_equal(setu_store_open(f->db, &s3, &d3), 0);
	make_job(&v[0], f, f->a.id, f->ma.id, 0xd1, 30);
	make_job(&v[1], f, f->a.id, f->ma.id, 0xd2, 30);
	setu_writer_begin(w, f->s, &v[0].job);
	setu_writer_ready(w, &v[0].job, 10);
	sleep_ms(50); /* the writer holds v[0] and waits for the rest of it */
	setu_writer_begin(w, s3, &v[1].job);
	setu_writer_ready(w, &v[1].job, 30);
	sleep_ms(50);
	assert_int_equal(objects_like(f, "indicator--000000d2"), 0); /* not before v[0] */
	setu_writer_ready(w, &v[0].job, 30);
	assert_int_equal(setu_writer_end(w, &v[1].job, 0), 0);
	assert_int_equal(setu_writer_end(w, &v[0].job, 0), 0);
	setu_writer_stats(w, &g1, &j1);
	assert_int_equal(j1 - j0, 2);
	assert_int_equal(g1 - g0, 1);
	assert_int_equal(objects_like(f, "indicator--000000d1"), 30);
	assert_int_equal(objects_like(f, "indicator--000000d2"), 30);
	setu_store_close(s3);
	free(v);

	/* Given up half-way while another job shares the group: nothing of it is
	 * stored, the other one is. */
	tjob_t *u = calloc(1, sizeof(*u));
	setu_store_t *s2 = NULL;
	setu_diag_t d = {0};
	assert_int_equal(setu_store_open(f->db, &s2, &d), 0);
	make_job(t, f, f->a.id, f->ma.id, 0xe0, 40);
	make_job(u, f, f->a.id, f->ma.id, 0xe1, 10);
	setu_writer_begin(w, f->s, &t->job);
	setu_writer_begin(w, s2, &u->job);
	setu_writer_ready(w, &t->job, 16);
	setu_writer_ready(w, &u->job, 10);
	sleep_ms(50);
	assert_int_equal(setu_writer_end(w, &t->job, SETU_ENOMEM), SETU_ENOMEM);
	assert_int_equal(setu_writer_end(w, &u->job, 0), 0);
	assert_int_equal(objects_like(f, "indicator--000000e0"), 0);
	assert_int_equal(objects_like(f, "indicator--000000e1"), 10);
	assert_int_equal(count_sql(f, "SELECT count(*) FROM audit WHERE object_id LIKE "
	                              "'indicator--000000e0%'"),
	                 0);
	setu_store_close(s2);
	free(u);
	free(t);
	setu_writer_free(w);
}

/* The process dies with half a job written in the writer's open transaction: after
 * recovery nothing of that job is there, and the database is intact. */
static void test_crash_mid_batch(void **state)
{
	fx_t *f = *state;
	/* the child opens its own connection: none is shared across fork() */
	setu_store_close(f->s);
	f->s = NULL;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setu_store_t *s = NULL;
		setu_diag_t d = {0};
		if (setu_store_open(f->db, &s, &d) != 0)
			_exit(2);
		setu_writer_t *w = setu_writer_new();
		static tjob_t t;
		make_job(&t, f, f->a.id, f->ma.id, 0xf0, 64);
		setu_writer_begin(w, s, &t.job);
		setu_writer_ready(w, &t.job, 48);
		sleep_ms(200);
		_exit(0); /* no end, no commit: as if killed */
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(objects_like(f, "indicator--000000f0"), 0);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* and the hub writes on after it */
	setu_diag_t d = {0};
	assert_int_equal(setu_store_open(f->db, &f->s, &d), 0);
	setu_writer_t *w = setu_writer_new();
	tjob_t *t = calloc(1, sizeof(*t));
	make_job(t, f, f->a.id, f->ma.id, 0xf1, 5);
	assert_int_equal(setu_writer_run(w, f->s, &t->job), 0);
	assert_int_equal(objects_like(f, "indicator--000000f1"), 5);
	free(t);
	setu_writer_free(w);
}

/* An in-memory store has one connection: the caller writes its own jobs. */
static void test_in_memory_local(void **state)
{
	(void)state;
	fx_t *m = calloc(1, sizeof(*m));
	setu_diag_t d = {0};
	assert_int_equal(setu_store_open(":memory:", &m->s, &d), 0);
	setu_api_root_t root;
	assert_int_equal(m->s->ops->api_root_ensure(m->s, "api1", "t", &root), 0);
	snprintf(m->a.name, sizeof(m->a.name), "A");
	assert_int_equal(m->s->ops->org_add(m->s, &m->a, NULL), 0);
	assert_int_equal(m->s->ops->collection_add(m->s, root.id, "c", "", false, &m->c),
	                 0);
	setu_writer_t *w = setu_writer_new();
	tjob_t *t = calloc(1, sizeof(*t));
	make_job(t, m, m->a.id, 0, 0x10, 12);
	setu_writer_begin(w, m->s, &t->job);
	setu_writer_ready(w, &t->job, 6);
	setu_writer_ready(w, &t->job, 12);
	assert_int_equal(setu_writer_end(w, &t->job, 0), 0);
	assert_int_equal(t->finished, 1);
	int64_t n = 0;
	assert_int_equal(m->s->ops->audit_count(m->s, "add", &n), 0);
	assert_int_equal(n, 12);
	uint64_t groups = 0, jobs = 0;
	setu_writer_stats(w, &groups, &jobs);
	assert_int_equal(jobs, 1);
	/* given up: nothing written */
	make_job(t, m, m->a.id, 0, 0x11, 4);
	setu_writer_begin(w, m->s, &t->job);
	assert_int_equal(setu_writer_end(w, &t->job, SETU_ENOMEM), SETU_ENOMEM);
	assert_int_equal(m->s->ops->audit_count(m->s, "add", &n), 0);
	assert_int_equal(n, 12);
	free(t);
	setu_writer_free(w);
	setu_store_close(m->s);
	free(m);
}

/* ------------------------------------------------------ envelopes over TAXII */

static int post_to(fx_t *f, const char *coll, setu_writer_t *w, const char *body,
                   setu_http_resp_t *resp)
{
	char path[128], auth[128];
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", coll);
	snprintf(auth, sizeof(auth), "Bearer %s", f->token);
	setu_taxii_t t = {.store = f->s,
	                  .writer = w,
	                  .title = "t",
	                  .default_root = "api1",
	                  .max_content_length = 1 << 20};
	setu_http_req_t req = {.method = "POST",
	                       .path = path,
	                       .content_type = SETU_TAXII_MEDIA,
	                       .authorization = auth,
	                       .body = body,
	                       .body_len = strlen(body)};
	setu_taxii_handle(&t, &req, resp);
	return resp->status;
}

static int post(fx_t *f, setu_writer_t *w, const char *body, setu_http_resp_t *resp)
{
	return post_to(f, f->c.uuid, w, body, resp);
}

#define IND(u, extra)                                                                  \
	"{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" u      \
	"\",\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:" \
	"00.000Z\","                                                                   \
	"\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"stix\","    \
	"\"valid_from\":\"2026-01-01T00:00:00Z\"" extra "}"

static char *stored_body(const fx_t *f, const char *id)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT body FROM objects WHERE stix_id = ?1 "
	                                    "ORDER BY collection_id LIMIT 1",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	char *b = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		b = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return b;
}

static void test_envelopes(void **state)
{
	fx_t *f = *state;
	setu_writer_t *w = setu_writer_new();
	setu_http_resp_t r;
	/* Pretty-printed, "more" before "objects", one bad object among good ones: each
	 * object is stored as the bytes it was sent as, the bad one fails alone. */
	const char *env = "{\n  \"more\" : false,\n  \"objects\" : [\n    " IND(
	    "11111111-0000-4000-8000-000000000001",
	    ",\n \"name\" : \"caf\\u00e9 x\"") " ,\n    " IND("11111111-0000-"
	                                                      "4000-8000-"
	                                                      "000000000002",
	                                                      ",\"pattern\":\"["
	                                                      "bad\"") ",\n    "
	                                                               "42,"
	                                                               "\n" IND(
	                                                                   "11111"
	                                                                   "111-"
	                                                                   "0000-"
	                                                                   "4000-"
	                                                                   "8000-"
	                                                                   "00000"
	                                                                   "00000"
	                                                                   "03",
	                                                                   "") "\n  "
	                                                                       "]\n}\n";
	/* (the second repeats "pattern": a duplicate key, rejected for the envelope) */
	assert_int_equal(post(f, w, env, &r), 400);
	assert_non_null(strstr(r.body, "line"));
	setu_http_resp_clear(&r);
	assert_int_equal(objects_like(f, "indicator--11111111"), 0);

	env = "{\n  \"more\" : false,\n  \"objects\" : [\n    " IND(
	    "11111111-0000-4000-8000-000000000001",
	    ",\n \"name\" : \"caf\\u00e9 x\"") " ,\n    "
	                                       "{\"type\":\"indicator\",\"spec_version\":"
	                                       "\"2.1\",\"id\":\"indicator--11111111-"
	                                       "0000-"
	                                       "4000-8000-000000000002\",\"created\":"
	                                       "\"2026-01-01T00:00:00.000Z\","
	                                       "\"modified\":"
	                                       "\"2026-01-01T00:00:00.000Z\",\"pattern\":"
	                                       "\"["
	                                       "bad\","
	                                       "\"pattern_type\":\"stix\",\"valid_from\":"
	                                       "\"2026-01-01T00:00:00Z\"},\n    "
	                                       "42,\n" IND(
	                                           "11111111-0000-4000-8000-000000000003",
	                                           "") "\n  ]\n}\n";
	assert_int_equal(post(f, w, env, &r), 202);
	json_t *st = json_loadb(r.body, r.body_len, 0, NULL);
	if (json_integer_value(json_object_get(st, "success_count")) != 2)
		print_message("status: %s\n", r.body);
	assert_non_null(st);
	assert_int_equal(json_integer_value(json_object_get(st, "total_count")), 4);
	assert_int_equal(json_integer_value(json_object_get(st, "success_count")), 2);
	assert_int_equal(json_integer_value(json_object_get(st, "failure_count")), 2);
	json_t *fails = json_object_get(st, "failures");
	assert_int_equal(json_array_size(fails), 2);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(fails, 0), "id")),
	    "indicator--11111111-0000-4000-8000-000000000002");
	assert_non_null(strstr(
	    json_string_value(json_object_get(json_array_get(fails, 0), "message")),
	    "pattern"));
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(fails, 1), "message")),
	    "object: not a JSON object");
	/* every status detail has a version (TAXII 2.1 §4.3.1): for what has none and
	 * was not stored, the request's timestamp */
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(fails, 1), "version")),
	    json_string_value(json_object_get(st, "request_timestamp")));
	json_t *oks = json_object_get(st, "successes");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(oks, 0), "version")),
	    "2026-01-01T00:00:00.000Z");
	json_decref(st);
	setu_http_resp_clear(&r);
	char *b = stored_body(f, "indicator--11111111-0000-4000-8000-000000000001");
	assert_non_null(b);
	assert_string_equal(b, IND("11111111-0000-4000-8000-000000000001",
	                           ",\n \"name\" : \"caf\\u00e9 x\""));
	free(b);
	assert_int_equal(objects_like(f, "indicator--11111111"), 2);

	/* Shapes the fast split leaves to the whole parse: same answers. */
	const char *bad[] = {
	    "",
	    "[]",
	    "{}",
	    "{\"objects\":{}}",
	    "{\"objects\":[" IND("22222222-0000-4000-8000-000000000001", "") "] x",
	    "{\"objects\":[" IND("22222222-0000-4000-8000-000000000001",
	                         "") "],\"objects\":[]}",
	    "{\"objects\":[" IND("22222222-0000-4000-8000-000000000001", "") ",]}",
	    "{\"objects\":[{\"a\":[1}]}",
	    "{\"more\":tru,\"objects\":[]}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(post(f, w, bad[i], &r), 400);
		setu_http_resp_clear(&r);
	}
	assert_int_equal(objects_like(f, "indicator--22222222"), 0);
	/* an escaped key: not the fast path, still an envelope */
	env = "{\"obj\\u0065cts\":[" IND("33333333-0000-4000-8000-000000000001", "") "]}";
	assert_int_equal(post(f, w, env, &r), 202);
	assert_non_null(strstr(r.body, "\"success_count\":1"));
	setu_http_resp_clear(&r);
	b = stored_body(f, "indicator--33333333-0000-4000-8000-000000000001");
	assert_non_null(b); /* compact JSON of the parsed object */
	assert_non_null(strstr(b, "\"pattern_type\":\"stix\""));
	free(b);
	/* an SCO (no created/modified) is versioned by its date_added */
	env = "{\"objects\":[{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\",\"id\":"
	      "\"ipv4-addr--44444444-0000-4000-8000-000000000001\",\"value\":"
	      "\"192.0.2.1\"}]}";
	assert_int_equal(post(f, w, env, &r), 202);
	st = json_loadb(r.body, r.body_len, 0, NULL);
	const char *v = json_string_value(json_object_get(
	    json_array_get(json_object_get(st, "successes"), 0), "version"));
	assert_non_null(v);
	char want[SETU_TS_LEN];
	setu_ts_format(count_sql(f, "SELECT date_added_us FROM objects WHERE stix_id = "
	                            "'ipv4-addr--44444444-0000-4000-8000-000000000001'"),
	               want, sizeof(want));
	assert_string_equal(v, want);
	json_decref(st);
	setu_http_resp_clear(&r);
	/* empty */
	assert_int_equal(post(f, w, "{\"objects\":[]}", &r), 202);
	assert_non_null(strstr(r.body, "\"total_count\":0"));
	setu_http_resp_clear(&r);
	setu_writer_free(w);
}

/* The fast split and the whole parse (forced by an escaped key) give the same answers
 * and store the same objects, for envelopes whose strings hold brackets, commas, quotes
 * and escapes. */
static void test_fast_equals_slow(void **state)
{
	fx_t *f = *state;
	setu_writer_t *w = setu_writer_new();
	setu_api_root_t root;
	assert_int_equal(f->s->ops->api_root_find(f->s, "api1", &root), 0);
	setu_collection_t c2;
	assert_int_equal(f->s->ops->collection_add(f->s, root.id, "c2", "", false, &c2),
	                 0);
	assert_int_equal(f->s->ops->collection_grant(f->s, c2.id, f->a.id, true, true),
	                 0);
	static const char *const objs[] = {
	    IND("55555555-0000-4000-8000-000000000001",
	        ",\"name\":\"a],[b\\\"}{,\\\\\",\"labels\":[\"x]\",\"{y\"]"),
	    "  " IND("55555555-0000-4000-8000-000000000002",
	             ",\"description\":\"\\u00e9\\u2603 \\/ \\n\"") "\t",
	    IND("55555555-0000-4000-8000-000000000003", ",\"pattern\":\"[x\""),
	    "{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\",\"id\":\"ipv4-addr--"
	    "55555555-0000-4000-8000-000000000004\",\"value\":\"198.51.100.7\"}",
	    "{\"type\":\"relationship\",\"spec_version\":\"2.1\",\"id\":"
	    "\"relationship--55555555-0000-4000-8000-000000000005\",\"created\":"
	    "\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
	    "\"relationship_type\":\"indicates\",\"source_ref\":\"indicator--55555555-"
	    "0000-4000-8000-000000000001\",\"target_ref\":\"ipv4-addr--55555555-0000-"
	    "4000-"
	    "8000-000000000004\"}",
	    "[1,[2,{\"a\":\"]\"}]]",
	    "null",
	    "{\"type\":\"indicator\",\"id\":\"indicator--bad\"}",
	};
	size_t n = sizeof(objs) / sizeof(objs[0]);
	for (size_t skip = 0; skip < n; skip++) {
		/* envelopes of every object but one (the one with a duplicate key makes
		 * the whole envelope a 400 on both paths) */
		char fast[8192], slow[8192];
		size_t lf = (size_t)snprintf(fast, sizeof(fast), "{ \"objects\" :\n[");
		size_t ls = (size_t)snprintf(slow, sizeof(slow), "{\"obj\\u0065cts\":[");
		bool first = true;
		for (size_t i = 0; i < n; i++) {
			if (i == skip)
				continue;
			lf += (size_t)snprintf(fast + lf, sizeof(fast) - lf, "%s%s",
			                       first ? "" : " ,\r\n", objs[i]);
			ls += (size_t)snprintf(slow + ls, sizeof(slow) - ls, "%s%s",
			                       first ? "" : ",", objs[i]);
			first = false;
		}
		snprintf(fast + lf, sizeof(fast) - lf, "] , \"more\" : false }\n");
		snprintf(slow + ls, sizeof(slow) - ls, "],\"more\":false}");
		setu_http_resp_t a, b;
		int sa = post_to(f, f->c.uuid, w, fast, &a);
		int sb = post_to(f, c2.uuid, w, slow, &b);
		assert_int_equal(sa, sb);
		json_t *ja = json_loadb(a.body, a.body_len, 0, NULL);
		json_t *jb = json_loadb(b.body, b.body_len, 0, NULL);
		assert_non_null(ja);
		assert_non_null(jb);
		if (sa == 202) {
			const char *keys[] = {"total_count", "success_count",
			                      "failure_count"};
			for (int k = 0; k < 3; k++)
				assert_int_equal(
				    json_integer_value(json_object_get(ja, keys[k])),
				    json_integer_value(json_object_get(jb, keys[k])));
			json_t *fa = json_object_get(ja, "failures");
			json_t *fb = json_object_get(jb, "failures");
			assert_int_equal(json_array_size(fa), json_array_size(fb));
			for (size_t i = 0; i < json_array_size(fa); i++)
				assert_string_equal(
				    json_string_value(json_object_get(
				        json_array_get(fa, i), "message")),
				    json_string_value(json_object_get(
				        json_array_get(fb, i), "message")));
		} else {
			assert_string_equal(
			    json_string_value(json_object_get(ja, "title")),
			    json_string_value(json_object_get(jb, "title")));
		}
		json_decref(ja);
		json_decref(jb);
		setu_http_resp_clear(&a);
		setu_http_resp_clear(&b);
	}
	/* what both stored is the same JSON (the fast path keeps the bytes) */
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(
	    sqlite3_prepare_v2(db,
	                       "SELECT a.body, b.body FROM objects a JOIN objects b ON "
	                       "a.stix_id = b.stix_id AND a.version_us = b.version_us "
	                       "WHERE a.collection_id = ?1 AND b.collection_id = ?2",
	                       -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_int64(st, 1, f->c.id);
	sqlite3_bind_int64(st, 2, c2.id);
	int rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *x = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
		json_t *y = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
		assert_non_null(x);
		assert_true(json_equal(x, y));
		json_decref(x);
		json_decref(y);
		rows++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_int_equal(rows, 4); /* the indicators 1 and 2, the SCO, the relationship */
	assert_int_equal(count_sql(f,
	                           "SELECT count(*) FROM objects WHERE collection_id = "
	                           "(SELECT id FROM collections WHERE title = 'c')"),
	                 4);
	/* byte for byte, without the whitespace around it */
	char *b = stored_body(f, "indicator--55555555-0000-4000-8000-000000000002");
	assert_non_null(b);
	size_t want = strlen(objs[1]) - 3; /* two spaces before, a tab after */
	assert_int_equal(strlen(b), want);
	assert_memory_equal(b, objs[1] + 2, want);
	free(b);
	setu_writer_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_concurrent_jobs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failures_stay_local, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stream_and_abort, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_crash_mid_batch, setup, teardown),
	    cmocka_unit_test(test_in_memory_local),
	    cmocka_unit_test_setup_teardown(test_envelopes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fast_equals_slow, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
