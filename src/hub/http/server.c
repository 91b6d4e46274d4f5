/* server.c — HTTP/1.1 (RFC 9110/9112) listener on libmicrohttpd: internal polling thread
 * with a thread pool, optional TLS, a body limit answered with 413 before the body is
 * read, and requests that wait (the push hint's long poll) suspended with
 * MHD_suspend_connection so that they hold no pool thread; a waker thread of our own
 * resumes them (libmicrohttpd has no timer for a suspended connection). */
#include "hub/http/server.h"

#include "common/buf.h"
#include "common/limits.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Per-request state, kept in MHD's con_cls between calls; it outlives a suspension (MHD
 * calls on_done only once the request ended) and is freed by on_done. */
typedef struct req_state {
	setu_buf_t body;
	bool too_large;
	setu_http_slot_t slot; /* the handler's state across suspensions */
	/* Suspension, under the server's mu: */
	struct MHD_Connection *conn;
	struct req_state *prev, *next; /* in the suspended list while suspended */
	bool suspended;
	bool deferred; /* suspended at least once: counted in n_deferred until on_done */
	int64_t wake_at_ms;
} req_state_t;

struct setu_http_server {
	struct MHD_Daemon *d;
	setu_http_handler_fn fn;
	void *user;
	size_t max_body;
	bool tls;
	char *cert_pem; /* owned: MHD keeps pointers to them */
	char *key_pem;
	uint16_t port;

	/* Suspended requests. Lock order: this mu may be taken under the handler's own
	 * locks (a wake from setu_changes_notify), and MHD_suspend_connection is called
	 * under it (from the connection's own pool thread: the only safe place), but
	 * MHD_resume_connection is always called without it, so that no lock of
	 * libmicrohttpd's is ever waited for while a thread of another pool worker holds
	 * ours. */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC; the waker sleeps on it, stop waits on it */
	req_state_t *susp; /* doubly linked list of suspended requests */
	unsigned n_susp;
	unsigned n_deferred; /* requests that were suspended and have not ended yet */
	uint64_t epoch;      /* bumped by every wake_all */
	bool closing;        /* stop began: nothing is suspended any more */
	bool waker_stop;
	bool waker_started;
	pthread_t waker;
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Under s->mu. */
static void susp_unlink(setu_http_server_t *s, req_state_t *st)
{
	if (st->prev != NULL)
		st->prev->next = st->next;
	else
		s->susp = st->next;
	if (st->next != NULL)
		st->next->prev = st->prev;
	st->prev = st->next = NULL;
	st->suspended = false;
	s->n_susp--;
}

/* Under s->mu: take the requests due at `now` (all when now < 0) off the list; they are
 * returned chained through next, to be resumed after the lock is released. The earliest
 * wake time left is in *next_ms (INT64_MAX: none). */
static req_state_t *susp_take_due(setu_http_server_t *s, int64_t now, int64_t *next_ms)
{
	req_state_t *due = NULL;
	*next_ms = INT64_MAX;
	for (req_state_t *st = s->susp, *nx; st != NULL; st = nx) {
		nx = st->next;
		if (now < 0 || st->wake_at_ms <= now) {
			susp_unlink(s, st);
			st->next = due;
			due = st;
		} else if (st->wake_at_ms < *next_ms) {
			*next_ms = st->wake_at_ms;
		}
	}
	return due;
}

/* Without s->mu. A suspended connection stays valid until it is resumed (MHD neither
 * times it out nor notices a disconnect meanwhile, and the stop resumes everything before
 * MHD_stop_daemon), and only the thread that took it off the list resumes it, once. Read
 * next before resuming: the request may end (and its state be freed) at once after. */
static void resume_list(req_state_t *due)
{
	while (due != NULL) {
		req_state_t *nx = due->next;
		struct MHD_Connection *conn = due->conn;
		due->next = NULL;
		MHD_resume_connection(
		    conn); /* MHD_USE_ITC wakes the connection's thread */
		due = nx;
	}
}

static void *waker_main(void *arg)
{
	setu_http_server_t *s = arg;
	pthread_mutex_lock(&s->mu);
	while (!s->waker_stop) {
		int64_t next_ms;
		req_state_t *due = susp_take_due(s, mono_ms(), &next_ms);
		if (due != NULL) {
			pthread_mutex_unlock(&s->mu);
			resume_list(due);
			pthread_mutex_lock(&s->mu);
			continue;
		}
		if (next_ms == INT64_MAX) {
			pthread_cond_wait(&s->cv, &s->mu);
		} else {
			struct timespec ts = {.tv_sec = (time_t)(next_ms / 1000),
			                      .tv_nsec =
			                          (long)(next_ms % 1000) * 1000000L};
			pthread_cond_timedwait(&s->cv, &s->mu, &ts);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

void setu_http_server_wake_all(setu_http_server_t *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->epoch++;
	for (req_state_t *st = s->susp; st != NULL; st = st->next)
		st->wake_at_ms = 0;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

unsigned setu_http_server_suspended(setu_http_server_t *s)
{
	pthread_mutex_lock(&s->mu);
	unsigned n = s->n_susp;
	pthread_mutex_unlock(&s->mu);
	return n;
}

typedef struct args_ctx {
	setu_kv_t kv[SETU_HUB_MAX_QUERY_ARGS];
	size_t n;
	bool overflow;
} args_ctx_t;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
	(void)kind;
	args_ctx_t *a = cls;
	if (a->n == SETU_HUB_MAX_QUERY_ARGS) {
		a->overflow = true;
		return MHD_NO;
	}
	a->kv[a->n].key = key;
	a->kv[a->n].value = value != NULL ? value : "";
	a->n++;
	return MHD_YES;
}

static enum MHD_Result respond(struct MHD_Connection *conn, setu_http_resp_t *r,
                               bool head)
{
	struct MHD_Response *resp;
	if (r->body != NULL && !head) {
		resp = MHD_create_response_from_buffer(r->body_len, r->body,
		                                       MHD_RESPMEM_MUST_FREE);
		if (resp != NULL)
			r->body = NULL; /* MHD frees it */
	} else {
		resp = MHD_create_response_from_buffer(0, (void *)"",
		                                       MHD_RESPMEM_PERSISTENT);
	}
	if (resp == NULL) {
		setu_http_resp_clear(r);
		return MHD_NO;
	}
	if (r->content_type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        r->content_type);
	if (r->added_first[0] != '\0')
		MHD_add_response_header(resp, "X-TAXII-Date-Added-First", r->added_first);
	if (r->added_last[0] != '\0')
		MHD_add_response_header(resp, "X-TAXII-Date-Added-Last", r->added_last);
	if (r->www_authenticate) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		                        "Bearer realm=\"setu hub\"");
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		                        "Basic realm=\"setu hub\", charset=\"UTF-8\"");
	}
	if (r->allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->retry_after_s > 0) {
		/* RFC 9110 §10.2.3: delay-seconds */
		char ra[16];
		snprintf(ra, sizeof(ra), "%u", r->retry_after_s);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	setu_http_resp_clear(r);
	return ret;
}

/* Under s->mu, from the connection's own pool thread (inside the access handler, the
 * only place MHD allows it): suspend the request until wake_at_ms or a wake_all. */
static void suspend_locked(setu_http_server_t *s, struct MHD_Connection *conn,
                           req_state_t *st, int64_t wake_at_ms)
{
	st->conn = conn;
	st->wake_at_ms = wake_at_ms;
	st->prev = NULL;
	st->next = s->susp;
	if (s->susp != NULL)
		s->susp->prev = st;
	s->susp = st;
	st->suspended = true;
	s->n_susp++;
	if (!st->deferred) {
		st->deferred = true;
		s->n_deferred++;
	}
	MHD_suspend_connection(conn);
	pthread_cond_broadcast(
	    &s->cv); /* the waker takes the new wake time into account */
}

/* Run the handler and answer, or suspend the request when the handler has no answer yet.
 * in_headers: called before the body was read (the 413 path), where MHD cannot suspend.
 */
static enum MHD_Result dispatch(setu_http_server_t *s, struct MHD_Connection *conn,
                                const char *url, const char *method, req_state_t *st,
                                bool in_headers)
{
	args_ctx_t args = {.n = 0};
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &args);
	setu_http_req_t req = {
	    .method = method,
	    .path = url,
	    .accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                          MHD_HTTP_HEADER_ACCEPT),
	    .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                                MHD_HTTP_HEADER_CONTENT_TYPE),
	    .authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                                 MHD_HTTP_HEADER_AUTHORIZATION),
	    .host =
	        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
	    .tls = s->tls,
	    .args = args.kv,
	    .n_args = args.n,
	    .too_many_args = args.overflow,
	    .body = st->body.data,
	    .body_len = st->body.len,
	    .body_too_large = st->too_large,
	};
	bool head = strcmp(method, "HEAD") == 0;
	setu_http_resp_t resp;
	for (unsigned round = 0;; round++) {
		/* the epoch before the handler looks: a wake_all during its run is seen
		 * below, so a wake-up between its check and the suspension is not lost */
		pthread_mutex_lock(&s->mu);
		uint64_t epoch = s->epoch;
		pthread_mutex_unlock(&s->mu);
		memset(&resp, 0, sizeof(resp));
		s->fn(s->user, &req, &resp, &st->slot);
		if (!resp.suspend)
			return respond(conn, &resp, head);
		unsigned wake_after_ms = resp.wake_after_ms;
		setu_http_resp_clear(&resp); /* a suspending handler answers nothing */
		pthread_mutex_lock(&s->mu);
		if (in_headers || s->closing) {
			pthread_mutex_unlock(&s->mu);
			resp.status = in_headers ? 413 : 503;
			resp.retry_after_s = in_headers ? 0 : 1;
			return respond(conn, &resp, head);
		}
		bool woken = s->epoch != epoch;
		if (woken && round < SETU_HUB_HTTP_RERUN_MAX) {
			pthread_mutex_unlock(&s->mu);
			continue; /* woken while it ran: look again now */
		}
		/* woken again and again (a stream of writes): let the waker resume it
		 * at once, so that this thread serves its other connections meanwhile */
		int64_t now = mono_ms();
		suspend_locked(s, conn, st, woken ? now : now + (int64_t)wake_after_ms);
		pthread_mutex_unlock(&s->mu);
		return MHD_YES;
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
	(void)version;
	setu_http_server_t *s = cls;
	req_state_t *st = *con_cls;
	if (st == NULL) {
		st = calloc(1, sizeof(*st));
		if (st == NULL)
			return MHD_NO;
		setu_buf_init(&st->body, 0);
		*con_cls = st;
		const char *cl = MHD_lookup_connection_value(
		    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > s->max_body) {
			/* Answer now: the body is never read (the connection closes
			 * after). */
			st->too_large = true;
			return dispatch(s, conn, url, method, st, true);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!st->too_large) {
			if (st->body.len + *upload_data_size > s->max_body) {
				st->too_large = true;
				setu_buf_free(&st->body);
				setu_buf_init(&st->body, 0);
			} else if (setu_buf_append(&st->body, upload_data,
			                           *upload_data_size) != 0) {
				return MHD_NO;
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* the request is complete, or it was suspended and is resumed: (re)run */
	return dispatch(s, conn, url, method, st, false);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	setu_http_server_t *s = cls;
	req_state_t *st = *con_cls;
	if (st == NULL)
		return;
	if (st->deferred) {
		pthread_mutex_lock(&s->mu);
		if (st->suspended) /* never while the stop is correct; do not dangle */
			susp_unlink(s, st);
		s->n_deferred--;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	if (st->slot.free_state != NULL && st->slot.state != NULL)
		st->slot.free_state(st->slot.state);
	setu_buf_free(&st->body);
	free(st);
	*con_cls = NULL;
}

static char *read_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = malloc(max + 1);
	size_t n = buf != NULL ? fread(buf, 1, max, f) : 0;
	fclose(f);
	if (buf == NULL || n == 0 || n == max) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Frees what start made; the daemon is stopped (or never started). */
static void server_free(setu_http_server_t *s)
{
	if (s->waker_started) {
		pthread_mutex_lock(&s->mu);
		s->waker_stop = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->waker, NULL);
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->cert_pem);
	free(s->key_pem);
	free(s);
}

int setu_http_server_start(const setu_http_opts_t *o, setu_http_handler_fn fn, void *user,
                           setu_http_server_t **out, setu_diag_t *diag)
{
	*out = NULL;
	setu_http_server_t *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	s->fn = fn;
	s->user = user;
	s->max_body = o->max_body;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);

	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	/* MHD_ALLOW_SUSPEND_RESUME implies MHD_USE_ITC: a resume from our waker thread
	 * wakes the pool thread that owns the connection at once */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
	                 MHD_ALLOW_SUSPEND_RESUME;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	const char *listen = o->listen != NULL ? o->listen : "127.0.0.1";
	if (inet_pton(AF_INET, listen, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(o->port);
	} else if (inet_pton(AF_INET6, listen, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(o->port);
		flags |= MHD_USE_IPv6;
	} else {
		server_free(s);
		return setu_diag_set(diag, SETU_ECONFIG,
		                     "listen: '%s' is not an IP address", listen);
	}
	if (o->tls_cert != NULL && o->tls_cert[0] != '\0') {
		s->cert_pem = read_file(o->tls_cert, 1u << 20);
		s->key_pem = read_file(o->tls_key, 1u << 20);
		if (s->cert_pem == NULL || s->key_pem == NULL) {
			server_free(s);
			return setu_diag_set(diag, SETU_ECONFIG,
			                     "tls: cannot read '%s' or '%s'", o->tls_cert,
			                     o->tls_key);
		}
		flags |= MHD_USE_TLS;
		s->tls = true;
	}
	if (pthread_create(&s->waker, NULL, waker_main, s) != 0) {
		server_free(s);
		return setu_diag_set(diag, SETU_ENOMEM, "cannot start the waker thread");
	}
	s->waker_started = true;
	unsigned threads = o->threads > 0 ? o->threads : 1;
	struct MHD_OptionItem tls_opts[] = {
	    {MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert_pem},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, s->key_pem},
	    {MHD_OPTION_END, 0, NULL},
	};
	struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};
	s->d = MHD_start_daemon(
	    flags, o->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)SETU_HUB_CONNECTION_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SETU_HUB_CONNECTION_TIMEOUT_S,
	    MHD_OPTION_NOTIFY_COMPLETED, on_done, s, MHD_OPTION_ARRAY,
	    s->tls ? tls_opts : no_opts, MHD_OPTION_END);
	if (s->d == NULL) {
		bool tls = s->tls;
		server_free(s);
		return setu_diag_set(diag, SETU_ENET, "cannot listen on %s port %u%s",
		                     listen, (unsigned)o->port,
		                     tls ? " (or bad TLS files)" : "");
	}
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info != NULL ? info->port : o->port;
	*out = s;
	return 0;
}

uint16_t setu_http_server_port(const setu_http_server_t *s)
{
	return s->port;
}

void setu_http_server_stop(setu_http_server_t *s)
{
	if (s == NULL)
		return;
	/* From here on nothing is suspended (dispatch answers 503 instead), and the waker
	 * ends: whatever is still suspended is resumed here. MHD_stop_daemon must never
	 * see a suspended connection (microhttpd.h: an API violation, MHD panics). */
	pthread_mutex_lock(&s->mu);
	s->closing = true;
	s->waker_stop = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->waker, NULL);
	s->waker_started = false;
	int64_t next_ms;
	pthread_mutex_lock(&s->mu);
	req_state_t *due = susp_take_due(s, -1, &next_ms);
	pthread_mutex_unlock(&s->mu);
	resume_list(due);
	/* Let the resumed requests answer (their handlers know the owner is stopping)
	 * before the daemon closes their connections; bounded for a client that does not
	 * read its answer. */
	int64_t until = mono_ms() + SETU_HUB_HTTP_STOP_DRAIN_MS;
	pthread_mutex_lock(&s->mu);
	while (s->n_deferred > 0 && mono_ms() < until) {
		struct timespec ts = {.tv_sec = (time_t)(until / 1000),
		                      .tv_nsec = (long)(until % 1000) * 1000000L};
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	pthread_mutex_unlock(&s->mu);
	MHD_stop_daemon(s->d);
	server_free(s);
}
