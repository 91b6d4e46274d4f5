/* server.c — HTTP/1.1 (RFC 9110/9112) listener on libmicrohttpd: internal polling thread
 * with a thread pool, optional TLS, a body limit answered with 413 before the body is
 * read. */
#include "hub/http/server.h"

#include "common/buf.h"
#include "common/limits.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct setu_http_server {
	struct MHD_Daemon *d;
	setu_http_handler_fn fn;
	void *user;
	size_t max_body;
	bool tls;
	char *cert_pem; /* owned: MHD keeps pointers to them */
	char *key_pem;
	uint16_t port;
};

/* Per-request state, kept in MHD's con_cls between calls. */
typedef struct req_state {
	setu_buf_t body;
	bool too_large;
} req_state_t;

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
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	setu_http_resp_clear(r);
	return ret;
}

static enum MHD_Result dispatch(setu_http_server_t *s, struct MHD_Connection *conn,
                                const char *url, const char *method, req_state_t *st)
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
	setu_http_resp_t resp;
	s->fn(s->user, &req, &resp);
	return respond(conn, &resp, strcmp(method, "HEAD") == 0);
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
			return dispatch(s, conn, url, method, st);
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
	return dispatch(s, conn, url, method, st);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	req_state_t *st = *con_cls;
	if (st != NULL) {
		setu_buf_free(&st->body);
		free(st);
		*con_cls = NULL;
	}
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

	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
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
		free(s);
		return setu_diag_set(diag, SETU_ECONFIG,
		                     "listen: '%s' is not an IP address", listen);
	}
	if (o->tls_cert != NULL && o->tls_cert[0] != '\0') {
		s->cert_pem = read_file(o->tls_cert, 1u << 20);
		s->key_pem = read_file(o->tls_key, 1u << 20);
		if (s->cert_pem == NULL || s->key_pem == NULL) {
			free(s->cert_pem);
			free(s->key_pem);
			free(s);
			return setu_diag_set(diag, SETU_ECONFIG,
			                     "tls: cannot read '%s' or '%s'", o->tls_cert,
			                     o->tls_key);
		}
		flags |= MHD_USE_TLS;
		s->tls = true;
	}
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
		free(s->cert_pem);
		free(s->key_pem);
		free(s);
		return setu_diag_set(diag, SETU_ENET, "cannot listen on %s port %u%s",
		                     listen, (unsigned)o->port,
		                     o->tls_cert ? " (or bad TLS files)" : "");
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
	MHD_stop_daemon(s->d);
	free(s->cert_pem);
	free(s->key_pem);
	free(s);
}
