/* taxii_fixture.h — a small real HTTP server (libmicrohttpd) on 127.0.0.1 and an
 * ephemeral port, for the TAXII client's tests: each request is recorded (method, raw
 * URI, headers, decoded arguments, body, client port, arrival time) and answered by a
 * handler the test supplies. Test code only; included by one test file. */
#ifndef SETU_TEST_TAXII_FIXTURE_H
#define SETU_TEST_TAXII_FIXTURE_H

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define FX_MAX_REQS 256

typedef struct fx_req {
	char method[16];
	char uri[2048]; /* raw, as sent (path and query, still percent-encoded) */
	char path[1024];
	char accept[160];
	char auth[512];
	char content_type[160];
	char added_after[64], next[300], limit[16], match_type[200], match_id[200],
	    match_version[100], match_spec_version[64];
	bool has_added_after, has_next;
	char *body; /* owned by the fixture */
	size_t body_len;
	unsigned short client_port;
	uint64_t t_ms; /* monotonic arrival time */
} fx_req_t;

typedef struct fx_resp {
	int status;
	const char *content_type; /* NULL = the TAXII media type; "" = none */
	char *body;               /* malloc'd; taken by the fixture */
	size_t body_len;
	bool chunked;             /* no Content-Length: sent in chunks */
	char first[64], last[64]; /* X-TAXII-Date-Added-First/Last ("" = not sent) */
	char retry_after[16];
	char location[256]; /* Location header ("" = not sent) */
} fx_resp_t;

typedef void (*fx_handler_fn)(void *user, const fx_req_t *req, fx_resp_t *resp);

typedef struct fx {
	struct MHD_Daemon *d;
	uint16_t port;
	char base[64]; /* "http://127.0.0.1:PORT" */
	pthread_mutex_t mu;
	fx_req_t reqs[FX_MAX_REQS];
	size_t nreq;
	fx_handler_fn handler;
	void *user;
	const char
	    *cert_pem; /* borrowed; non-NULL = serve HTTPS with this cert and key */
	const char *key_pem;
} fx_t;

typedef struct fx_conn {
	char uri[2048];
	bool started;
	char *body;
	size_t len, cap;
	bool too_big;
} fx_conn_t;

static uint64_t fx_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void fx_copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src != NULL ? src : "");
}

static void *fx_uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)conn;
	fx_conn_t *s = calloc(1, sizeof(*s));
	if (s != NULL)
		fx_copy(s->uri, sizeof(s->uri), uri);
	return s;
}

static void fx_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	fx_conn_t *s = *con_cls;
	if (s != NULL) {
		free(s->body);
		free(s);
	}
	*con_cls = NULL;
}

typedef struct fx_chunk {
	char *data;
	size_t len;
} fx_chunk_t;

static ssize_t fx_chunk_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	fx_chunk_t *ch = cls;
	if (pos >= ch->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = ch->len - (size_t)pos;
	if (n > max)
		n = max;
	if (n > 1000)
		n = 1000; /* many small chunks */
	memcpy(buf, ch->data + pos, n);
	return (ssize_t)n;
}

static void fx_chunk_free(void *cls)
{
	fx_chunk_t *ch = cls;
	free(ch->data);
	free(ch);
}

static enum MHD_Result fx_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_size,
                                 void **con_cls)
{
	(void)version;
	fx_t *fx = cls;
	fx_conn_t *s = *con_cls;
	if (s == NULL)
		return MHD_NO;
	if (!s->started) {
		s->started = true;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;
		if (s->len + n + 1 > s->cap) {
			size_t cap = (s->len + n + 1) * 2;
			char *b = realloc(s->body, cap);
			if (b == NULL)
				return MHD_NO;
			s->body = b;
			s->cap = cap;
		}
		memcpy(s->body + s->len, upload_data, n);
		s->len += n;
		s->body[s->len] = '\0';
		*upload_size = 0;
		return MHD_YES;
	}

	fx_req_t r;
	memset(&r, 0, sizeof(r));
	fx_copy(r.method, sizeof(r.method), method);
	fx_copy(r.uri, sizeof(r.uri), s->uri);
	fx_copy(r.path, sizeof(r.path), url);
	fx_copy(r.accept, sizeof(r.accept),
	        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept"));
	fx_copy(r.auth, sizeof(r.auth),
	        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"));
	fx_copy(r.content_type, sizeof(r.content_type),
	        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type"));
	const char *v =
	    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "added_after");
	r.has_added_after = v != NULL;
	fx_copy(r.added_after, sizeof(r.added_after), v);
	v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "next");
	r.has_next = v != NULL;
	fx_copy(r.next, sizeof(r.next), v);
	fx_copy(r.limit, sizeof(r.limit),
	        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "limit"));
	fx_copy(r.match_type, sizeof(r.match_type),
	        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "match[type]"));
	fx_copy(r.match_id, sizeof(r.match_id),
	        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "match[id]"));
	fx_copy(
	    r.match_version, sizeof(r.match_version),
	    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "match[version]"));
	fx_copy(r.match_spec_version, sizeof(r.match_spec_version),
	        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
	                                    "match[spec_version]"));
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL &&
	    ci->client_addr->sa_family == AF_INET)
		r.client_port =
		    ntohs(((const struct sockaddr_in *)ci->client_addr)->sin_port);
	r.t_ms = fx_now_ms();
	if (s->len > 0) {
		r.body = malloc(s->len + 1);
		if (r.body != NULL) {
			memcpy(r.body, s->body, s->len + 1);
			r.body_len = s->len;
		}
	}

	fx_resp_t resp;
	memset(&resp, 0, sizeof(resp));
	resp.status = 500;
	pthread_mutex_lock(&fx->mu);
	fx->handler(fx->user, &r, &resp);
	if (fx->nreq < FX_MAX_REQS)
		fx->reqs[fx->nreq++] = r;
	else
		free(r.body);
	pthread_mutex_unlock(&fx->mu);

	struct MHD_Response *mr;
	if (resp.chunked) {
		fx_chunk_t *ch = malloc(sizeof(*ch));
		if (ch == NULL)
			return MHD_NO;
		ch->data = resp.body;
		ch->len = resp.body_len;
		mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
		                                       fx_chunk_read, ch, fx_chunk_free);
	} else {
		mr = MHD_create_response_from_buffer(
		    resp.body_len, resp.body != NULL ? resp.body : (char *)"",
		    MHD_RESPMEM_MUST_COPY);
		free(resp.body);
	}
	if (mr == NULL)
		return MHD_NO;
	const char *ct = resp.content_type != NULL ? resp.content_type
	                                           : "application/taxii+json;version=2.1";
	if (ct[0] != '\0')
		MHD_add_response_header(mr, "Content-Type", ct);
	if (resp.first[0] != '\0')
		MHD_add_response_header(mr, "X-TAXII-Date-Added-First", resp.first);
	if (resp.last[0] != '\0')
		MHD_add_response_header(mr, "X-TAXII-Date-Added-Last", resp.last);
	if (resp.retry_after[0] != '\0')
		MHD_add_response_header(mr, "Retry-After", resp.retry_after);
	if (resp.location[0] != '\0')
		MHD_add_response_header(mr, "Location", resp.location);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp.status, mr);
	MHD_destroy_response(mr);
	return ret;
}

/* Start on 127.0.0.1:port (0 = ephemeral). Returns 0 or -1. */
static int fx_start(fx_t *fx, uint16_t port)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bool tls = fx->cert_pem != NULL;
	struct MHD_OptionItem tls_opts[] = {
	    {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)(uintptr_t)fx->cert_pem},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)(uintptr_t)fx->key_pem},
	    {MHD_OPTION_END, 0, NULL},
	};
	struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};
	fx->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | (tls ? MHD_USE_TLS : 0), port, NULL, NULL,
	    fx_access, fx, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_URI_LOG_CALLBACK,
	    fx_uri_log, NULL, MHD_OPTION_NOTIFY_COMPLETED, fx_completed, NULL,
	    MHD_OPTION_ARRAY, tls ? tls_opts : no_opts, MHD_OPTION_END);
	if (fx->d == NULL)
		return -1;
	const union MHD_DaemonInfo *di =
	    MHD_get_daemon_info(fx->d, MHD_DAEMON_INFO_BIND_PORT);
	if (di == NULL || di->port == 0)
		return -1;
	fx->port = di->port;
	snprintf(fx->base, sizeof(fx->base), "%s://127.0.0.1:%u", tls ? "https" : "http",
	         (unsigned)fx->port);
	return 0;
}

static void fx_stop(fx_t *fx)
{
	if (fx->d != NULL)
		MHD_stop_daemon(fx->d);
	fx->d = NULL;
}

/* cert_pem/key_pem NULL: plain HTTP. */
static fx_t *fx_new_tls(fx_handler_fn h, void *user, const char *cert_pem,
                        const char *key_pem)
{
	fx_t *fx = calloc(1, sizeof(*fx));
	if (fx == NULL)
		return NULL;
	pthread_mutex_init(&fx->mu, NULL);
	fx->handler = h;
	fx->user = user;
	fx->cert_pem = cert_pem;
	fx->key_pem = key_pem;
	if (fx_start(fx, 0) != 0) {
		fx_stop(fx);
		pthread_mutex_destroy(&fx->mu);
		free(fx);
		return NULL;
	}
	return fx;
}

static fx_t *fx_new(fx_handler_fn h, void *user)
{
	return fx_new_tls(h, user, NULL, NULL);
}

static void fx_reset(fx_t *fx)
{
	pthread_mutex_lock(&fx->mu);
	for (size_t i = 0; i < fx->nreq; i++)
		free(fx->reqs[i].body);
	fx->nreq = 0;
	pthread_mutex_unlock(&fx->mu);
}

static size_t fx_count(fx_t *fx)
{
	pthread_mutex_lock(&fx->mu);
	size_t n = fx->nreq;
	pthread_mutex_unlock(&fx->mu);
	return n;
}

static void fx_free(fx_t *fx)
{
	if (fx == NULL)
		return;
	fx_stop(fx);
	fx_reset(fx);
	pthread_mutex_destroy(&fx->mu);
	free(fx);
}

/* Set a response body from a string. */
static void fx_body(fx_resp_t *r, int status, const char *body)
{
	r->status = status;
	r->body_len = strlen(body);
	r->body = malloc(r->body_len + 1);
	if (r->body != NULL)
		memcpy(r->body, body, r->body_len + 1);
	else
		r->body_len = 0;
}

#endif
