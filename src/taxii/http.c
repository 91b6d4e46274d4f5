/* http.c — the TAXII 2.1 client's HTTP layer over libcurl (TAXII 2.1 §1.6.8 media type,
 * §3.5 X-TAXII-Date-Added-* headers, §3.6 errors; RFC 9110 status codes and
 * Retry-After): one reused handle, bounded bodies, retries with backoff and jitter. */
#include "taxii/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

void setu_taxii_config_default(setu_taxii_config_t *c)
{
	memset(c, 0, sizeof(*c));
	c->connect_timeout_ms = SETU_TAXII_CONNECT_TIMEOUT_MS_DEFAULT;
	c->timeout_ms = SETU_TAXII_TIMEOUT_MS_DEFAULT;
	c->max_retries = SETU_TAXII_MAX_RETRIES_DEFAULT;
	c->backoff_initial_ms = SETU_TAXII_BACKOFF_INITIAL_MS_DEFAULT;
	c->backoff_max_ms = SETU_TAXII_BACKOFF_MAX_MS_DEFAULT;
	c->max_response_bytes = SETU_TAXII_MAX_RESPONSE_DEFAULT;
}

static char *dup_or_null(const char *s, bool *oom)
{
	if (s == NULL)
		return NULL;
	char *d = strdup(s);
	if (d == NULL)
		*oom = true;
	return d;
}

/* A credential goes into a header: refuse bytes that would end or split it. */
static bool header_safe(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	}
	return true;
}

static bool scheme_ok(CURLU *u)
{
	char *scheme = NULL;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		return false;
	bool ok = strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0;
	curl_free(scheme);
	return ok;
}

/* Split user:password@ off the config URL (into Basic auth unless given apart), so the
 * URL we print in diagnostics never carries a secret. */
static int take_url(setu_taxii_client_t *c, const char *url, setu_diag_t *diag)
{
	CURLU *u = curl_url();
	if (u == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "taxii: out of memory");
	int rc = 0;
	char *user = NULL, *pass = NULL, *clean = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK || !scheme_ok(u)) {
		rc = setu_diag_set(diag, SETU_ECONFIG,
		                   "taxii: url is not an http:// or https:// URL");
		goto out;
	}
	curl_url_get(u, CURLUPART_USER, &user, CURLU_URLDECODE);
	curl_url_get(u, CURLUPART_PASSWORD, &pass, CURLU_URLDECODE);
	curl_url_set(u, CURLUPART_USER, NULL, 0);
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &clean, 0) != CURLUE_OK) {
		rc = setu_diag_set(diag, SETU_ECONFIG, "taxii: url cannot be used");
		goto out;
	}
	c->url = strdup(clean);
	if (c->url == NULL) {
		rc = setu_diag_set(diag, SETU_ENOMEM, "taxii: out of memory");
		goto out;
	}
	if (user != NULL && c->user == NULL) {
		c->user = strdup(user);
		c->password = strdup(pass != NULL ? pass : "");
		if (c->user == NULL || c->password == NULL)
			rc = setu_diag_set(diag, SETU_ENOMEM, "taxii: out of memory");
	}
out:
	curl_free(user);
	curl_free(pass);
	curl_free(clean);
	curl_url_cleanup(u);
	return rc;
}

setu_taxii_client_t *setu_taxii_client_new(const setu_taxii_config_t *cfg,
                                           setu_diag_t *diag)
{
	if (cfg == NULL || cfg->url == NULL) {
		setu_diag_set(diag, SETU_ECONFIG, "taxii: no url configured");
		return NULL;
	}
	if (cfg->connect_timeout_ms <= 0 || cfg->timeout_ms <= 0 ||
	    cfg->max_response_bytes == 0 ||
	    cfg->max_retries > SETU_TAXII_MAX_RETRIES_MAX ||
	    cfg->backoff_max_ms > SETU_TAXII_BACKOFF_MAX_MS_MAX ||
	    cfg->backoff_initial_ms > cfg->backoff_max_ms) {
		setu_diag_set(
		    diag, SETU_ECONFIG,
		    "taxii: bad settings (timeouts > 0, max_response_bytes > 0, "
		    "max_retries <= %u, backoff_initial_ms <= backoff_max_ms <= %u)",
		    SETU_TAXII_MAX_RETRIES_MAX, SETU_TAXII_BACKOFF_MAX_MS_MAX);
		return NULL;
	}
	if ((cfg->token != NULL && (!header_safe(cfg->token) || cfg->token[0] == '\0')) ||
	    (cfg->user != NULL && !header_safe(cfg->user)) ||
	    (cfg->password != NULL && !header_safe(cfg->password))) {
		/* Never echo the value: it is a secret. */
		setu_diag_set(
		    diag, SETU_ECONFIG,
		    "taxii: token, user or password is empty or has control characters");
		return NULL;
	}
	setu_taxii_client_t *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		setu_diag_set(diag, SETU_ENOMEM, "taxii: out of memory");
		return NULL;
	}
	bool oom = false;
	c->user = dup_or_null(cfg->user, &oom);
	c->password = dup_or_null(
	    cfg->user != NULL && cfg->password == NULL ? "" : cfg->password, &oom);
	c->ca_file = dup_or_null(cfg->ca_file, &oom);
	if (cfg->token != NULL) {
		size_t n = strlen(cfg->token) + sizeof("Authorization: Bearer ");
		c->auth_header = malloc(n);
		if (c->auth_header != NULL)
			snprintf(c->auth_header, n, "Authorization: Bearer %s",
			         cfg->token);
		else
			oom = true;
	}
	c->curl = curl_easy_init();
	if (oom || c->curl == NULL) {
		setu_diag_set(diag, SETU_ENOMEM, "taxii: out of memory");
		setu_taxii_client_free(c);
		return NULL;
	}
	if (take_url(c, cfg->url, diag) != 0) {
		setu_taxii_client_free(c);
		return NULL;
	}
	c->insecure = cfg->insecure;
	c->fresh_connections = cfg->fresh_connections;
	c->connect_timeout_ms = cfg->connect_timeout_ms;
	c->timeout_ms = cfg->timeout_ms;
	c->max_retries = cfg->max_retries;
	c->backoff_initial_ms = cfg->backoff_initial_ms;
	c->backoff_max_ms = cfg->backoff_max_ms;
	c->max_response_bytes = cfg->max_response_bytes;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* Jitter only has to differ between clients (so retries of many sensors spread
	 * out), not be secret: time, pid and the client's address are enough. */
	c->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
	         ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)c;
	if (c->rng == 0)
		c->rng = 0x9e3779b97f4a7c15ull;
	setu_buf_init(&c->body, c->max_response_bytes);
	return c;
}

void setu_taxii_client_free(setu_taxii_client_t *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free(c->url);
	if (c->auth_header != NULL) {
		/* Do not leave the token in freed heap memory. */
		explicit_bzero(c->auth_header, strlen(c->auth_header));
		free(c->auth_header);
	}
	if (c->password != NULL) {
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
	}
	free(c->user);
	free(c->ca_file);
	setu_buf_free(&c->body);
	free(c);
}

void setu_taxii_client_set_abort(setu_taxii_client_t *c, const atomic_bool *flag)
{
	c->abort = flag;
}

void setu_taxii_client_set_limits(setu_taxii_client_t *c, long connect_timeout_ms,
                                  long timeout_ms, unsigned max_retries)
{
	if (connect_timeout_ms > 0)
		c->connect_timeout_ms = connect_timeout_ms;
	if (timeout_ms > 0)
		c->timeout_ms = timeout_ms;
	c->max_retries = max_retries < SETU_TAXII_MAX_RETRIES_MAX
	                     ? max_retries
	                     : SETU_TAXII_MAX_RETRIES_MAX;
}

bool taxii_aborted(const setu_taxii_client_t *c)
{
	return c->abort != NULL && atomic_load(c->abort);
}

long setu_taxii_client_last_status(const setu_taxii_client_t *c)
{
	return c->last_status;
}

void setu_taxii_client_counters(const setu_taxii_client_t *c, setu_counter_cb cb,
                                void *user)
{
	cb(user, "taxii_client.requests", c->n_requests);
	cb(user, "taxii_client.retries", c->n_retries);
	cb(user, "taxii_client.errors", c->n_errors);
	cb(user, "taxii_client.bytes_in", c->n_bytes_in);
	cb(user, "taxii_client.objects", c->n_objects);
}

void taxii_sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* ---- URLs ---- */

static int append_arg(setu_taxii_client_t *c, setu_buf_t *q, const char *key,
                      const char *val)
{
	char *e = curl_easy_escape(c->curl, val, 0);
	if (e == NULL)
		return SETU_ENOMEM;
	if (q->len > 0)
		setu_buf_putc(q, '&');
	setu_buf_puts(q, key);
	setu_buf_putc(q, '=');
	setu_buf_puts(q, e);
	curl_free(e);
	return setu_buf_ok(q) ? 0 : SETU_ELIMIT;
}

static int build_query(setu_taxii_client_t *c, const setu_taxii_filter_t *f,
                       setu_buf_t *q)
{
	/* Keys with brackets are sent percent-encoded (RFC 3986 §3.4 does not allow '['
	 * in a query); servers decode them (§3.4 match[<field>]). */
	const struct {
		const char *key;
		const char *val;
	} args[] = {
	    {"added_after", f->added_after},
	    {"match%5Btype%5D", f->match_type},
	    {"match%5Bid%5D", f->match_id},
	    {"match%5Bversion%5D", f->match_version},
	    {"match%5Bspec_version%5D", f->match_spec_version},
	    {"next", f->next},
	};
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		if (args[i].val == NULL)
			continue;
		int rc = append_arg(c, q, args[i].key, args[i].val);
		if (rc != 0)
			return rc;
	}
	if (f->limit > 0) {
		if (q->len > 0)
			setu_buf_putc(q, '&');
		setu_buf_printf(q, "limit=%u", f->limit);
	}
	return setu_buf_ok(q) ? 0 : SETU_ELIMIT;
}

int taxii_url(setu_taxii_client_t *c, const char *api_root, const char *const *segs,
              size_t nseg, const setu_taxii_filter_t *f, char **url, setu_diag_t *diag)
{
	CURLU *u = curl_url();
	setu_buf_t path, q;
	setu_buf_init(&path, SETU_TAXII_URL_MAX);
	setu_buf_init(&q, SETU_TAXII_URL_MAX);
	char *p = NULL, *ret = NULL;
	int rc = 0;
	if (u == NULL) {
		rc = setu_diag_set(diag, SETU_ENOMEM, "taxii: out of memory");
		goto out;
	}
	curl_url_set(u, CURLUPART_URL, c->url, 0);
	/* Setting a relative URL on a handle that holds one resolves it (RFC 3986 §5). */
	if (api_root != NULL &&
	    (curl_url_set(u, CURLUPART_URL, api_root, 0) != CURLUE_OK || !scheme_ok(u))) {
		rc = setu_diag_set(
		    diag, SETU_EINVAL,
		    "taxii: API root '%.100s' is not an http(s) URL or path", api_root);
		goto out;
	}
	curl_url_set(u, CURLUPART_USER, NULL, 0);
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	curl_url_set(u, CURLUPART_QUERY, NULL, 0);
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	/* The rest is appended as text: curl's URL API would rewrite our %XX escapes in
	 * lowercase, and RFC 3986 §2.1 asks for uppercase. */
	if (curl_url_get(u, CURLUPART_URL, &p, 0) != CURLUE_OK) {
		rc =
		    setu_diag_set(diag, SETU_EINVAL, "taxii: cannot build a request URL");
		goto out;
	}
	setu_buf_puts(&path, p);
	if (path.len == 0 || path.data[path.len - 1] != '/')
		setu_buf_putc(&path, '/');
	for (size_t i = 0; i < nseg; i++) {
		if (segs[i] == NULL || segs[i][0] == '\0' || strcmp(segs[i], ".") == 0 ||
		    strcmp(segs[i], "..") == 0) {
			rc = setu_diag_set(diag, SETU_EINVAL,
			                   "taxii: empty or dot id in a request path");
			goto out;
		}
		char *e = curl_easy_escape(c->curl, segs[i], 0);
		if (e == NULL) {
			rc = setu_diag_set(diag, SETU_ENOMEM, "taxii: out of memory");
			goto out;
		}
		setu_buf_puts(&path, e);
		setu_buf_putc(&path, '/');
		curl_free(e);
	}
	if (f != NULL && (rc = build_query(c, f, &q)) != 0)
		goto toolong;
	if (q.len > 0) {
		setu_buf_putc(&path, '?');
		setu_buf_append(&path, q.data, q.len);
	}
	if (!setu_buf_ok(&path))
		goto toolong;
	ret = path.data;
	path.data = NULL; /* taken */
	goto out;
toolong:
	if (rc == SETU_ENOMEM || path.oom || q.oom)
		rc = setu_diag_set(diag, SETU_ENOMEM, "taxii: out of memory");
	else
		rc = setu_diag_set(diag, SETU_ELIMIT,
		                   "taxii: request URL longer than %u bytes",
		                   SETU_TAXII_URL_MAX);
out:
	curl_free(p);
	curl_url_cleanup(u);
	setu_buf_free(&path);
	setu_buf_free(&q);
	*url = ret;
	return rc;
}

/* ---- one exchange ---- */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *user)
{
	setu_taxii_client_t *c = user;
	size_t n = size * nmemb;
	/* A body over the limit aborts the transfer (returning less than n): refused, not
	 * truncated. */
	if (setu_buf_append(&c->body, ptr, n) != 0)
		return 0;
	return n;
}

static void trim_copy(char *dst, size_t dsize, const char *v, size_t n, bool *bad)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' ||
	                 v[n - 1] == '\n'))
		n--;
	if (n >= dsize) {
		*bad = true;
		dst[0] = '\0';
		return;
	}
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static bool header_is(const char *line, size_t n, const char *name, size_t *vstart)
{
	size_t k = strlen(name);
	if (n <= k || line[k] != ':' || strncasecmp(line, name, k) != 0)
		return false;
	*vstart = k + 1;
	return true;
}

void taxii_header_line(setu_taxii_client_t *c, const char *line, size_t n)
{
	size_t v;
	if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or 100 Continue): forget the last
		 * one's. */
		c->date_first[0] = c->date_last[0] = '\0';
		c->date_bad = false;
		c->retry_after_s = 0;
	} else if (header_is(line, n, "X-TAXII-Date-Added-First", &v)) {
		trim_copy(c->date_first, sizeof(c->date_first), line + v, n - v,
		          &c->date_bad);
	} else if (header_is(line, n, "X-TAXII-Date-Added-Last", &v)) {
		trim_copy(c->date_last, sizeof(c->date_last), line + v, n - v,
		          &c->date_bad);
	} else if (header_is(line, n, "Retry-After", &v)) {
		/* Only the delay-seconds form (RFC 9110 §10.2.3); an HTTP-date is ignored
		 * and our own backoff applies. */
		unsigned s = 0;
		bool any = false;
		for (size_t i = v; i < n; i++) {
			char ch = line[i];
			if (ch >= '0' && ch <= '9') {
				if (s < SETU_TAXII_RETRY_AFTER_MAX_S)
					s = s * 10 + (unsigned)(ch - '0');
				any = true;
			} else if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') {
				any = false;
				break;
			}
		}
		if (any)
			c->retry_after_s = s < SETU_TAXII_RETRY_AFTER_MAX_S
			                       ? s
			                       : SETU_TAXII_RETRY_AFTER_MAX_S;
	}
}

/* libcurl calls this at least about once a second, also while a long poll idles */
static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return taxii_aborted(user) ? 1 : 0;
}

/* A retry wait, cut short by an abort (slices of 50 ms). */
static void backoff_sleep(setu_taxii_client_t *c, unsigned ms)
{
	while (ms > 0 && !taxii_aborted(c)) {
		unsigned d = ms < 50 ? ms : 50;
		taxii_sleep_ms(d);
		ms -= d;
	}
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *user)
{
	size_t n = size * nmemb;
	taxii_header_line(user, line, n);
	return n;
}

static const char *reason(long status)
{
	/* RFC 9110 §15 reason phrases: HTTP/2 carries none, so we name them ourselves. */
	static const struct {
		long code;
		const char *text;
	} t[] = {
	    {200, "OK"},
	    {201, "Created"},
	    {202, "Accepted"},
	    {204, "No Content"},
	    {301, "Moved Permanently"},
	    {302, "Found"},
	    {304, "Not Modified"},
	    {307, "Temporary Redirect"},
	    {308, "Permanent Redirect"},
	    {400, "Bad Request"},
	    {401, "Unauthorized"},
	    {403, "Forbidden"},
	    {404, "Not Found"},
	    {405, "Method Not Allowed"},
	    {406, "Not Acceptable"},
	    {408, "Request Timeout"},
	    {409, "Conflict"},
	    {413, "Content Too Large"},
	    {415, "Unsupported Media Type"},
	    {416, "Range Not Satisfiable"},
	    {422, "Unprocessable Content"},
	    {429, "Too Many Requests"},
	    {500, "Internal Server Error"},
	    {501, "Not Implemented"},
	    {502, "Bad Gateway"},
	    {503, "Service Unavailable"},
	    {504, "Gateway Timeout"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].code == status)
			return t[i].text;
	}
	return "";
}

static int status_code(long status)
{
	switch (status) {
	case 400:
	case 422:
		return SETU_EINVAL;
	case 401:
	case 403:
		return SETU_EPERM;
	case 404:
		return SETU_ENOENT;
	case 406:
	case 415:
		return SETU_EUNSUPPORTED;
	case 409:
		return SETU_EEXIST;
	case 413:
		return SETU_ELIMIT;
	case 429:
		return SETU_EAGAIN;
	}
	if (status >= 500)
		return SETU_EAGAIN;
	return SETU_EIO;
}

static bool curl_retryable(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static uint64_t rng_next(setu_taxii_client_t *c)
{
	/* xorshift64* (Vigna): enough to spread retries, no state outside the client. */
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 0x2545f4914f6cdd1dull;
}

/* Wait before retry number `retry` (0-based): d = min(initial * 2^retry, max), a
 * random time in [d/2, d] ("equal jitter"), at least what Retry-After asked (capped). */
static unsigned backoff_ms(setu_taxii_client_t *c, unsigned retry)
{
	uint64_t d = c->backoff_initial_ms;
	for (unsigned i = 0; i < retry && d < c->backoff_max_ms; i++)
		d *= 2;
	if (d > c->backoff_max_ms)
		d = c->backoff_max_ms;
	uint64_t half = d / 2;
	uint64_t w = half + rng_next(c) % (d - half + 1);
	uint64_t ra = (uint64_t)c->retry_after_s * 1000u;
	if (ra > w)
		w = ra < c->backoff_max_ms ? ra : c->backoff_max_ms;
	return (unsigned)w;
}

static int setup(setu_taxii_client_t *c, const char *method, const char *url,
                 const char *body, size_t body_len, struct curl_slist **hdrs)
{
	CURL *h = c->curl;
	/* reset keeps the live connections, DNS and TLS session caches (keep-alive). */
	curl_easy_reset(h);
	struct curl_slist *l = NULL, *t;
	const char *lines[] = {
	    "Accept: " SETU_TAXII_CLIENT_MEDIA,
	    body != NULL ? "Content-Type: " SETU_TAXII_CLIENT_MEDIA : NULL,
	    body != NULL ? "Expect:" : NULL, /* no 100-continue round trip */
	    c->auth_header,
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (lines[i] == NULL)
			continue;
		t = curl_slist_append(l, lines[i]);
		if (t == NULL) {
			curl_slist_free_all(l);
			return SETU_ENOMEM;
		}
		l = t;
	}
	*hdrs = l;
	CURLcode e = CURLE_OK;
#define SET(opt, val)                                      \
	do {                                               \
		if (e == CURLE_OK)                         \
			e = curl_easy_setopt(h, opt, val); \
	} while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_HTTPHEADER, l);
	SET(CURLOPT_USERAGENT, "setu/0.1 (TAXII 2.1 client)");
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, SETU_TAXII_MAX_REDIRECTS);
	SET(CURLOPT_POSTREDIR, (long)(CURL_REDIR_POST_301 | CURL_REDIR_POST_302));
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, c->timeout_ms);
	SET(CURLOPT_ACCEPT_ENCODING, ""); /* gzip etc.; the limit applies decoded */
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_response_bytes);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, c);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, c);
	if (c->abort != NULL) {
		SET(CURLOPT_XFERINFOFUNCTION, on_progress);
		SET(CURLOPT_XFERINFODATA, c);
		SET(CURLOPT_NOPROGRESS, 0L);
	}
	if (c->user != NULL) {
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		SET(CURLOPT_USERNAME, c->user);
		SET(CURLOPT_PASSWORD, c->password);
	}
	if (c->ca_file != NULL)
		SET(CURLOPT_CAINFO, c->ca_file);
	if (c->fresh_connections)
		SET(CURLOPT_FORBID_REUSE, 1L);
	if (c->insecure) {
		SET(CURLOPT_SSL_VERIFYPEER, 0L);
		SET(CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (strcmp(method, "POST") == 0) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, body != NULL ? body : "");
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	} else if (strcmp(method, "GET") != 0) {
		SET(CURLOPT_CUSTOMREQUEST, method);
	}
#undef SET
	return e == CURLE_OK ? 0 : SETU_EINVAL;
}

static bool is_json_media(const char *ct)
{
	if (ct == NULL)
		return false;
	while (*ct == ' ')
		ct++;
	return setu_taxii_media_ok(ct) || strncasecmp(ct, "application/json", 16) == 0;
}

int taxii_exchange(setu_taxii_client_t *c, const char *method, const char *url,
                   const char *body, size_t body_len, setu_taxii_kind_t kind,
                   json_t **out, taxii_meta_t *meta, setu_diag_t *diag)
{
	memset(meta, 0, sizeof(*meta));
	c->last_status = 0;
	int rc;
	for (unsigned attempt = 0;; attempt++) {
		struct curl_slist *hdrs = NULL;
		setu_buf_reset(&c->body);
		c->body.overflow = c->body.oom = false;
		c->date_first[0] = c->date_last[0] = '\0';
		c->date_bad = false;
		c->retry_after_s = 0;
		c->errbuf[0] = '\0';
		if (taxii_aborted(c)) {
			rc = setu_diag_set(diag, SETU_EAGAIN, "%s %s: cancelled", method,
			                   url);
			break;
		}
		if (setup(c, method, url, body, body_len, &hdrs) != 0 ||
		    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf) !=
		        CURLE_OK) {
			curl_slist_free_all(hdrs);
			rc = setu_diag_set(diag, SETU_ENOMEM,
			                   "%s %s: cannot set up the request", method,
			                   url);
			break;
		}
		c->n_requests++;
		CURLcode cc = curl_easy_perform(c->curl);
		/* The handle outlives the list: no pointer to freed memory in it. */
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
		curl_slist_free_all(hdrs);
		long status = 0;
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
		c->last_status = meta->status = status;
		c->n_bytes_in += c->body.len;
		bool last = attempt >= c->max_retries;

		if (cc == CURLE_FILESIZE_EXCEEDED ||
		    (cc == CURLE_WRITE_ERROR && c->body.overflow)) {
			rc = setu_diag_set(
			    diag, SETU_ELIMIT,
			    "%s %s: %ld %s: response larger than %zu bytes refused",
			    method, url, status, reason(status), c->max_response_bytes);
			break;
		}
		if (cc == CURLE_WRITE_ERROR && c->body.oom) {
			rc = setu_diag_set(diag, SETU_ENOMEM, "%s %s: out of memory",
			                   method, url);
			break;
		}
		if (cc == CURLE_ABORTED_BY_CALLBACK) {
			rc = setu_diag_set(diag, SETU_EAGAIN, "%s %s: cancelled", method,
			                   url);
			break;
		}
		if (cc != CURLE_OK) {
			if (curl_retryable(cc) && !last) {
				c->n_retries++;
				backoff_sleep(c, backoff_ms(c, attempt));
				continue;
			}
			rc = setu_diag_set(
			    diag, SETU_ENET, "%s %s: %s (%u attempt%s)", method, url,
			    c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(cc),
			    attempt + 1, attempt == 0 ? "" : "s");
			break;
		}
		if ((status >= 500 || status == 429) && !last) {
			c->n_retries++;
			backoff_sleep(c, backoff_ms(c, attempt));
			continue;
		}
		char *ct = NULL;
		curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &ct);
		if (status < 200 || status > 299) {
			char summary[200];
			bool have = is_json_media(ct) &&
			            setu_taxii_error_summary(c->body.data, c->body.len,
			                                     summary, sizeof(summary));
			rc = setu_diag_set(
			    diag, status_code(status), "%s %s: %ld %s%s%s%s", method, url,
			    status, reason(status), have ? ": " : "", have ? summary : "",
			    (status >= 500 || status == 429) && attempt > 0
			        ? " (after retries)"
			        : "");
			break;
		}
		if (c->date_bad) {
			rc = setu_diag_set(
			    diag, SETU_EMALFORMED,
			    "%s %s: %ld %s: X-TAXII-Date-Added header too long", method,
			    url, status, reason(status));
			break;
		}
		setu_taxii_ts_t ts;
		if ((c->date_first[0] != '\0' &&
		     setu_taxii_ts_parse(c->date_first, &ts) != 0) ||
		    (c->date_last[0] != '\0' &&
		     setu_taxii_ts_parse(c->date_last, &ts) != 0)) {
			rc = setu_diag_set(
			    diag, SETU_EMALFORMED,
			    "%s %s: %ld %s: X-TAXII-Date-Added header is not a timestamp",
			    method, url, status, reason(status));
			break;
		}
		memcpy(meta->date_first, c->date_first, sizeof(meta->date_first));
		memcpy(meta->date_last, c->date_last, sizeof(meta->date_last));
		if (out == NULL) {
			rc = 0;
			break;
		}
		if (!setu_taxii_media_ok(ct)) {
			rc = setu_diag_set(diag, SETU_EMALFORMED,
			                   "%s %s: %ld %s: media type '%.60s' is not %s",
			                   method, url, status, reason(status),
			                   ct != NULL ? ct : "(none)",
			                   SETU_TAXII_CLIENT_MEDIA);
			break;
		}
		setu_diag_t pd = {0};
		rc = setu_taxii_parse(kind, c->body.data != NULL ? c->body.data : "",
		                      c->body.len, out, &pd);
		if (rc != 0)
			rc = setu_diag_set(diag, rc, "%s %s: %ld %s: %s", method, url,
			                   status, reason(status), pd.msg);
		break;
	}
	if (rc != 0)
		c->n_errors++;
	/* The body may hold a large page: do not keep it between calls. */
	if (c->body.cap > 65536) {
		setu_buf_free(&c->body);
		setu_buf_init(&c->body, c->max_response_bytes);
	}
	return rc;
}
