/* proto_http.c — generated HTTP/1.1 on TCP/80 (RFC 9110 semantics, RFC 9112 messages:
 * Content-Length and chunked framing; gzip content coding per RFC 1952 through zlib). */
#include "gen/gen_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

/* IMF-fixdate (RFC 9110 §5.6.7), written with fixed English names (no locale). */
static void http_date(uint64_t ts_us, char *out, size_t size)
{
	static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)(ts_us / 1000000u);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", wd[tm.tm_wday % 7],
	         tm.tm_mday, mo[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	         tm.tm_sec);
}

void gen_http_exchange(gen_conn_t *c, const char *request, size_t req_len,
                       const char *response, size_t resp_len)
{
	gen_rng_t *r = &c->ctx->rng;
	gen_tcp_send(c, 0, (const uint8_t *)request, req_len);
	/* Server think time: most answers are quick, a few are slow back-ends. */
	uint32_t think = gen_rng_pct(r, 85) ? gen_rng_range(r, 300, 15000)
	                                    : gen_rng_range(r, 20000, 400000);
	gen_conn_wait_reply(c, 0, think);
	gen_tcp_send(c, 1, (const uint8_t *)response, resp_len);
}

typedef enum body_kind { B_HTML, B_JS, B_CSS, B_JSON, B_PNG, B_JPEG } body_kind_t;

static const struct {
	const char *path;
	body_kind_t kind;
	bool post;
} paths[] = {
    {"/", B_HTML, false},
    {"/index.html", B_HTML, false},
    {"/news/2026/01/network-defence-cooperation.html", B_HTML, false},
    {"/static/js/app.8f3a2c.js", B_JS, false},
    {"/static/css/site.css", B_CSS, false},
    {"/images/logo.png", B_PNG, false},
    {"/images/photos/harbour-1024.jpg", B_JPEG, false},
    {"/api/v1/items?page=2&limit=50", B_JSON, false},
    {"/api/v1/status", B_JSON, false},
    {"/favicon.ico", B_PNG, false},
    {"/login", B_HTML, true},
    {"/api/v1/events", B_JSON, true},
};

static const char *const content_types[] = {
    "text/html; charset=utf-8",
    "application/javascript",
    "text/css",
    "application/json",
    "image/png",
    "image/jpeg",
};

static void make_body(gen_ctx_t *ctx, setu_buf_t *b, body_kind_t k, uint32_t n)
{
	setu_buf_reset(b);
	switch (k) {
	case B_PNG:
		gen_bmem(b, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
		gen_brand(ctx, b, n > 16 ? n - 16 : 0);
		break;
	case B_JPEG:
		gen_bmem(b, "\xff\xd8\xff\xe0\0\x10JFIF\0", 11);
		gen_brand(ctx, b, n > 11 ? n - 11 : 0);
		break;
	case B_JSON: {
		setu_buf_puts(b, "{\"items\":[");
		uint32_t i = 0;
		while (b->len + 64 < n && setu_buf_ok(b)) {
			setu_buf_printf(
			    b, "%s{\"id\":%u,\"name\":\"item-%08x\",\"ok\":true}",
			    i ? "," : "", i, (uint32_t)gen_rng_next(&ctx->rng));
			i++;
		}
		setu_buf_puts(b, "]}");
		break;
	}
	case B_JS:
	case B_CSS:
	case B_HTML:
	default:
		gen_html_text(ctx, b, n < 64 ? 64 : n);
		break;
	}
}

static int gzip_into(setu_buf_t *out, const uint8_t *in, size_t n)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	/* Level 1 as nginx (gzip_comp_level default); windowBits 31 = gzip wrapper; mtime
	 * 0 and the OS byte are fixed by zlib, so the output is reproducible. */
	if (deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return SETU_ENOMEM;
	uint8_t chunk[16384];
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	int rc;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, Z_FINISH);
		setu_buf_append(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc == Z_OK);
	deflateEnd(&z);
	return rc == Z_STREAM_END && setu_buf_ok(out) ? 0 : SETU_ENOMEM;
}

/* Builds one response (headers + framed body) into out. */
static void http_response(gen_ctx_t *ctx, setu_buf_t *out, uint64_t ts, int status,
                          const char *host, const char *path, body_kind_t kind,
                          bool gzip_ok, const char *server)
{
	gen_rng_t *r = &ctx->rng;
	setu_buf_t body, z;
	setu_buf_init(&body, SETU_GEN_MAX_BODY + 65536);
	setu_buf_init(&z, SETU_GEN_MAX_BODY + 65536);
	char date[64];
	http_date(ts, date, sizeof(date));
	const char *reason = status == 200   ? "OK"
	                     : status == 301 ? "Moved Permanently"
	                                     : "Not Found";
	const char *ctype = content_types[kind];
	if (status == 200) {
		static const double med[] = {9000, 18000, 5000, 1200, 9000, 25000};
		make_body(ctx, &body, kind, gen_body_size(ctx, med[kind], 1.0));
	} else {
		ctype = "text/html";
		setu_buf_printf(
		    &body,
		    "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n"
		    "<center><h1>%d %s</h1></center>\r\n<hr><center>%s</center>\r\n"
		    "</body>\r\n</html>\r\n",
		    status, reason, status, reason, server);
	}
	bool text = kind != B_PNG && kind != B_JPEG;
	bool gz = status == 200 && text && gzip_ok && gen_rng_pct(r, 50);
	bool chunked = status == 200 && text && gen_rng_pct(r, 25);
	const setu_buf_t *payload = &body;
	if (gz && gzip_into(&z, (const uint8_t *)body.data, body.len) == 0)
		payload = &z;
	else
		gz = false;

	setu_buf_reset(out);
	setu_buf_printf(
	    out, "HTTP/1.1 %d %s\r\nServer: %s\r\nDate: %s\r\nContent-Type: %s\r\n",
	    status, reason, server, date, ctype);
	if (chunked)
		setu_buf_puts(out, "Transfer-Encoding: chunked\r\n");
	else
		setu_buf_printf(out, "Content-Length: %zu\r\n", payload->len);
	setu_buf_puts(out, "Connection: keep-alive\r\n");
	if (status == 301)
		setu_buf_printf(out, "Location: https://%s%s\r\n", host, path);
	if (gz)
		setu_buf_puts(out, "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
	if (status == 200 && !text)
		setu_buf_printf(out,
		                "Cache-Control: max-age=86400\r\nETag: \"%08x-%zx\"\r\n",
		                (uint32_t)gen_rng_next(r), payload->len);
	if (status == 200 && kind == B_HTML && gen_rng_pct(r, 30))
		setu_buf_printf(out, "Set-Cookie: sid=%016llx; Path=/; HttpOnly\r\n",
		                (unsigned long long)gen_rng_next(r));
	setu_buf_puts(out, "\r\n");
	if (chunked) {
		size_t off = 0;
		while (off < payload->len) {
			size_t n = gen_rng_range(r, 1024, 8192);
			if (n > payload->len - off)
				n = payload->len - off;
			setu_buf_printf(out, "%zx\r\n", n);
			setu_buf_append(out, payload->data + off, n);
			setu_buf_puts(out, "\r\n");
			off += n;
		}
		setu_buf_puts(out, "0\r\n\r\n");
	} else {
		setu_buf_append(out, payload->data, payload->len);
	}
	if (!setu_buf_ok(out) && ctx->err == 0)
		ctx->err = out->oom ? SETU_ENOMEM : SETU_ELIMIT;
	setu_buf_free(&body);
	setu_buf_free(&z);
}

void gen_http_session(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, bool v6)
{
	gen_rng_t *r = &ctx->rng;
	const char *host = gen_pick_hostname(ctx);
	gen_host_t *cl = gen_pick_client(ctx, v6);
	gen_host_t srv;
	gen_server_for_name(ctx, host, v6, &srv);
	if (gen_rng_pct(r, 40))
		t = gen_dns_lookup(ctx, sink, t, cl, host, &srv.ip, -1) +
		    gen_rng_range(r, 50, 2000);

	gen_flow_t *f = gen_flow_new(ctx, SETU_GEN_APP_HTTP);
	if (f == NULL)
		return;
	gen_conn_t c;
	gen_conn_init(&c, ctx, f, 6, cl, gen_ephemeral_port(ctx, cl), &srv, 80, t);
	gen_conn_count(&c, SETU_GEN_APP_HTTP);
	gen_tcp_handshake(&c);

	const char *ua = gen_user_agents[gen_rng_below(r, (uint32_t)gen_n_user_agents)];
	static const char *const servers[] = {"nginx/1.22.1", "Apache/2.4.62 (Debian)",
	                                      "nginx", "Microsoft-IIS/10.0"};
	const char *server = servers[gen_rng_below(r, 4)];
	bool cookie = gen_rng_pct(r, 40);
	uint64_t cookie_v = gen_rng_next(r);
	uint32_t nreq = gen_rng_pct(r, 70) ? 1 : gen_rng_range(r, 2, 4);
	setu_buf_t resp;
	setu_buf_init(&resp, SETU_GEN_MAX_BODY * 2 + 65536);

	for (uint32_t i = 0; i < nreq && ctx->err == 0; i++) {
		size_t pi = gen_rng_below(r, sizeof(paths) / sizeof(paths[0]));
		bool post = paths[pi].post;
		body_kind_t kind = paths[pi].kind;
		setu_buf_t *q = &ctx->payload;
		setu_buf_reset(q);
		setu_buf_printf(q, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n",
		                post ? "POST" : "GET", paths[pi].path, host, ua);
		setu_buf_printf(
		    q, "Accept: %s\r\n",
		    kind == B_HTML   ? "text/html,application/xhtml+xml,application/"
		                       "xml;q=0.9,*/*;q=0.8"
		    : kind == B_JSON ? "application/json"
		    : (kind == B_PNG || kind == B_JPEG)
		        ? "image/avif,image/webp,image/png,image/*;q=0.8,*/*;q=0.5"
		        : "*/*");
		setu_buf_puts(
		    q, "Accept-Language: en-US,en;q=0.9,ja;q=0.8\r\n"
		       "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n");
		if (i > 0 || gen_rng_pct(r, 30))
			setu_buf_printf(q, "Referer: http://%s/\r\n", host);
		if (cookie)
			setu_buf_printf(q, "Cookie: sid=%016llx; lang=en\r\n",
			                (unsigned long long)cookie_v);
		if (post) {
			char body[256];
			int n = kind == B_JSON
			            ? snprintf(body, sizeof(body),
			                       "{\"event\":\"page_view\",\"ts\":%llu,"
			                       "\"id\":\"%08x\"}",
			                       (unsigned long long)(c.t / 1000u),
			                       (uint32_t)gen_rng_next(r))
			            : snprintf(body, sizeof(body),
			                       "username=user%u&password=%08x&remember=1",
			                       gen_rng_below(r, 1000),
			                       (uint32_t)gen_rng_next(r));
			setu_buf_printf(
			    q, "Content-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
			    kind == B_JSON ? "application/json"
			                   : "application/x-www-form-urlencoded",
			    n, body);
		} else {
			setu_buf_puts(q, "\r\n");
		}
		uint32_t x = gen_rng_below(r, 100);
		int status = x < 86 ? 200 : x < 94 ? 301 : 404;
		if (post && status == 301)
			status = 200;
		/* The request is sent before the response is built: ctx->payload is
		 * reused. */
		gen_tcp_send(&c, 0, (const uint8_t *)q->data, q->len);
		uint32_t think = gen_rng_pct(r, 85) ? gen_rng_range(r, 300, 15000)
		                                    : gen_rng_range(r, 20000, 400000);
		gen_conn_wait_reply(&c, 0, think);
		http_response(ctx, &resp, c.t, status, host, paths[pi].path, kind, true,
		              server);
		gen_tcp_send(&c, 1, (const uint8_t *)resp.data, resp.len);
		if (i + 1 < nreq)
			c.t += 2u * c.ep[0].owd_us + gen_rng_range(r, 1000, 300000);
	}
	setu_buf_free(&resp);
	uint32_t x = gen_rng_below(r, 100);
	c.t += gen_rng_range(r, 1000, 2000000);
	gen_tcp_close(&c, x < 70 ? 0 : 1, x >= 90);
	sink->add(sink->user, f);
}
