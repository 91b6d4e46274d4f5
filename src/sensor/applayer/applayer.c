/* applayer.c — app-layer registry and per-flow glue: protocol detection by port and by
 * probing content in both directions (midstream-safe), dispatch to the DNS/HTTP/TLS
 * parsers, the transaction queue, EVE and counters. Follows Suricata's app-layer
 * (app-layer-detect-proto.c, app-layer-parser.c) in behaviour, not in code. */
#include "sensor/applayer/applayer.h"

#include "common/limits.h"
#include "sensor/applayer/applayer-int.h"
#include "setu/error.h"

#include <stdlib.h>
#include <string.h>

/* ---- names ---- */

static const char *const alproto_names[SETU_ALPROTO_MAX] = {
    [SETU_ALPROTO_UNKNOWN] = "unknown", [SETU_ALPROTO_DNS] = "dns",
    [SETU_ALPROTO_HTTP] = "http",       [SETU_ALPROTO_TLS] = "tls",
    [SETU_ALPROTO_FAILED] = "failed",
};

const char *setu_alproto_name(setu_alproto_t p)
{
	return (unsigned)p < SETU_ALPROTO_MAX ? alproto_names[p] : "unknown";
}

setu_alproto_t setu_alproto_by_name(const char *name)
{
	if (name == NULL)
		return SETU_ALPROTO_UNKNOWN;
	for (int i = 1; i < SETU_ALPROTO_MAX; i++)
		if (strcmp(name, alproto_names[i]) == 0)
			return (setu_alproto_t)i;
	if (strcmp(name, "http1") == 0)
		return SETU_ALPROTO_HTTP;
	if (strcmp(name, "ssl") == 0)
		return SETU_ALPROTO_TLS;
	return SETU_ALPROTO_UNKNOWN;
}

const char *setu_applayer_event_name(setu_alproto_t p, unsigned bit)
{
	switch (p) {
	case SETU_ALPROTO_DNS:
		return setu_dns_event_name(bit);
	case SETU_ALPROTO_HTTP:
		return setu_http_event_name(bit);
	case SETU_ALPROTO_TLS:
		return setu_tls_event_name(bit);
	default:
		return NULL;
	}
}

int setu_applayer_event_by_name(const char *name, setu_alproto_t *p)
{
	static const setu_alproto_t protos[] = {SETU_ALPROTO_DNS, SETU_ALPROTO_HTTP,
	                                        SETU_ALPROTO_TLS};
	for (size_t k = 0; k < sizeof(protos) / sizeof(protos[0]); k++)
		for (unsigned b = 0; b < 32; b++) {
			const char *n = setu_applayer_event_name(protos[k], b);
			if (n != NULL && strcmp(n, name) == 0) {
				if (p != NULL)
					*p = protos[k];
				return (int)b;
			}
		}
	return -1;
}

static const char *const detect_event_names[SETU_AL_DEV_MAX] = {
#define SETU_AL_DEV_NAME(id, name) [SETU_AL_DEV_##id] = name,
    SETU_AL_DETECT_EVENTS(SETU_AL_DEV_NAME)
#undef SETU_AL_DEV_NAME
};

const char *setu_applayer_detect_event_name(unsigned bit)
{
	return bit < SETU_AL_DEV_MAX ? detect_event_names[bit] : NULL;
}

int setu_applayer_detect_event_by_name(const char *name)
{
	for (unsigned b = 0; name != NULL && b < SETU_AL_DEV_MAX; b++)
		if (strcmp(detect_event_names[b], name) == 0)
			return (int)b;
	return -1;
}

/* ---- transaction queue ---- */

bool setu_altxq_push(setu_altxq_t *q, setu_altx_t *tx)
{
	if (q->count >= SETU_AL_MAX_TX_PER_FLOW) {
		q->dropped++;
		return false;
	}
	tx->id = q->next_id++;
	tx->next = NULL;
	if (q->tail != NULL)
		q->tail->next = tx;
	else
		q->head = tx;
	q->tail = tx;
	q->count++;
	return true;
}

void setu_altxq_drain(setu_altxq_t *q, setu_alproto_t proto, bool flow_end,
                      setu_alstate_tx_cb cb, void *user,
                      void (*release)(void *ps, setu_altx_t *tx), void *ps)
{
	while (q->head != NULL && (q->head->complete || flow_end)) {
		setu_altx_t *tx = q->head;
		q->head = tx->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->count--;
		if (!tx->logged) {
			tx->logged = true;
			if (cb != NULL)
				cb(user, proto, tx);
		}
		release(ps, tx);
	}
}

/* ---- context ---- */

enum { CNT_DNS_UDP, CNT_DNS_TCP, CNT_HTTP, CNT_TLS, CNT_N };

struct setu_applayer_ctx {
	setu_applayer_config_t cfg;
	setu_http_cfg_t *http; /* owned */
	uint64_t flows[CNT_N], txs[CNT_N], errors[CNT_N];
	uint64_t failed_tcp, failed_udp;
	/* allocation failures per protocol; [CNT_N]: before a protocol was known
	 * (probing) */
	uint64_t oom[CNT_N + 1];
};

void setu_applayer_config_default(setu_applayer_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->dns_enabled = cfg->http_enabled = cfg->tls_enabled = true;
	cfg->http_request_body_limit = SETU_HTTP_REQUEST_BODY_LIMIT_DEFAULT;
	cfg->http_response_body_limit = SETU_HTTP_RESPONSE_BODY_LIMIT_DEFAULT;
	cfg->tls_ja3 = cfg->tls_ja4 = true;
}

setu_applayer_ctx_t *setu_applayer_ctx_new(const setu_applayer_config_t *cfg)
{
	setu_applayer_ctx_t *ac = calloc(1, sizeof(*ac));
	if (ac == NULL)
		return NULL;
	if (cfg != NULL)
		ac->cfg = *cfg;
	else
		setu_applayer_config_default(&ac->cfg);
	if (ac->cfg.http_enabled) {
		ac->http = setu_http_cfg_new(ac->cfg.http_request_body_limit,
		                             ac->cfg.http_response_body_limit);
		if (ac->http == NULL) {
			free(ac);
			return NULL;
		}
	}
	return ac;
}

void setu_applayer_ctx_free(setu_applayer_ctx_t *ac)
{
	if (ac == NULL)
		return;
	setu_http_cfg_free(ac->http);
	free(ac);
}

void setu_applayer_counters(const setu_applayer_ctx_t *ac, setu_counter_cb cb, void *user)
{
	static const char *const fl[CNT_N] = {
	    "app_layer.flow.dns_udp", "app_layer.flow.dns_tcp", "app_layer.flow.http",
	    "app_layer.flow.tls"};
	static const char *const tx[CNT_N] = {"app_layer.tx.dns_udp",
	                                      "app_layer.tx.dns_tcp", "app_layer.tx.http",
	                                      "app_layer.tx.tls"};
	static const char *const er[CNT_N] = {
	    "app_layer.error.dns_udp.parser", "app_layer.error.dns_tcp.parser",
	    "app_layer.error.http.parser", "app_layer.error.tls.parser"};
	for (int i = 0; i < CNT_N; i++)
		cb(user, fl[i], ac->flows[i]);
	cb(user, "app_layer.flow.failed_tcp", ac->failed_tcp);
	cb(user, "app_layer.flow.failed_udp", ac->failed_udp);
	for (int i = 0; i < CNT_N; i++)
		cb(user, tx[i], ac->txs[i]);
	for (int i = 0; i < CNT_N; i++)
		cb(user, er[i], ac->errors[i]);
	static const char *const al[CNT_N + 1] = {
	    "app_layer.error.dns_udp.alloc", "app_layer.error.dns_tcp.alloc",
	    "app_layer.error.http.alloc", "app_layer.error.tls.alloc",
	    "app_layer.error.failed_tcp.alloc"};
	for (int i = 0; i <= CNT_N; i++)
		cb(user, al[i], ac->oom[i]);
}

/* ---- per-flow state ---- */

struct setu_alstate {
	setu_alproto_t proto;
	bool is_udp;
	uint16_t cport, sport;
	void *ps;            /* protocol state; owned */
	setu_buf_t probe[2]; /* TCP bytes seen before detection, per direction */
	bool dir_failed[2];
	bool dir_eof[2];
	bool stopped; /* parser gave up (out of memory): no more parsing on this flow */
	uint8_t udp_tries;
	/* HTTP CONNECT tunnel: the HTTP state is kept here until its txs are drained, and
	 * the flow's protocol is detected again on what follows (Suricata does the same).
	 */
	void *old_ps;
	bool tunnelled;
	/* TCP: the first bytes seen toserver were a server's (midstream pickup): Suricata
	 * reverses such a flow; dirs given to us are physical, parsers see logical ones
	 */
	bool reversed;
	/* What each (physical) direction's first bytes were, AL_DET_*, and whether they
	 * were looked at: Suricata detects each direction and raises a mismatch when the
	 * two disagree, whichever protocol the flow keeps. */
	uint8_t dir_det[2];
	bool dir_checked[2];
	uint32_t detect_events; /* SETU_AL_DEV_* bits raised, not yet taken */
	uint32_t detect_seen;   /* every SETU_AL_DEV_* bit raised on the flow */
};

/* A direction's protocol as detection saw it: a setu_alproto_t (DNS, HTTP, TLS), or a
 * protocol setu does not parse but that Suricata detects by an unambiguous first
 * pattern, so that a mismatch with it is still seen. */
enum {
	AL_DET_NONE = SETU_ALPROTO_UNKNOWN,
	AL_DET_SSH = SETU_ALPROTO_MAX, /* RFC 4253 §4.2: "SSH-protoversion-..." */
};

/* Protocols setu only recognises (see AL_DET_*): AL_DET_NONE if none fits. */
static uint8_t al_probe_other(const uint8_t *d, size_t n)
{
	if (n >= 4 && memcmp(d, "SSH-", 4) == 0)
		return AL_DET_SSH;
	return AL_DET_NONE;
}

/* Direction dir's first bytes were found to be det (AL_DET_NONE: nothing known). When
 * both directions are known and differ: Suricata's
 * applayer_mismatch_protocol_both_directions, once per flow. */
static void al_note_dir(setu_alstate_t *st, int dir, uint8_t det)
{
	st->dir_checked[dir] = true;
	if (det == AL_DET_NONE)
		return;
	st->dir_det[dir] = det;
	uint8_t other = st->dir_det[1 - dir];
	const uint32_t bit = 1u << SETU_AL_DEV_MISMATCH;
	if (other != AL_DET_NONE && other != det && !(st->detect_seen & bit)) {
		st->detect_events |= bit;
		st->detect_seen |= bit;
	}
}

uint32_t setu_alstate_take_detect_events(setu_alstate_t *st)
{
	uint32_t ev = st->detect_events;
	st->detect_events = 0;
	return ev;
}

uint32_t setu_alstate_detect_events(const setu_alstate_t *st)
{
	return st->detect_seen;
}

uint32_t setu_alstate_pending_detect_events(const setu_alstate_t *st)
{
	return st->detect_events;
}

static int al_counter(const setu_alstate_t *st)
{
	switch (st->proto) {
	case SETU_ALPROTO_DNS:
		return st->is_udp ? CNT_DNS_UDP : CNT_DNS_TCP;
	case SETU_ALPROTO_HTTP:
		return CNT_HTTP;
	case SETU_ALPROTO_TLS:
		return CNT_TLS;
	default:
		return -1;
	}
}

setu_alstate_t *setu_alstate_new(setu_applayer_ctx_t *ac, bool is_udp,
                                 uint16_t client_port, uint16_t server_port)
{
	setu_alstate_t *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->is_udp = is_udp;
	st->cport = client_port;
	st->sport = server_port;
	setu_buf_init(&st->probe[0], SETU_AL_PROBE_MAX);
	setu_buf_init(&st->probe[1], SETU_AL_PROBE_MAX);
	return st;
}

static void al_ps_free(setu_alstate_t *st)
{
	switch (st->proto) {
	case SETU_ALPROTO_DNS:
		setu_dns_state_free(st->ps);
		break;
	case SETU_ALPROTO_HTTP:
		setu_http_state_free(st->ps);
		break;
	case SETU_ALPROTO_TLS:
		setu_tls_state_free(st->ps);
		break;
	default:
		break;
	}
	st->ps = NULL;
}

void setu_alstate_free(void *p)
{
	setu_alstate_t *st = p;
	if (st == NULL)
		return;
	al_ps_free(st);
	setu_http_state_free(st->old_ps);
	setu_buf_free(&st->probe[0]);
	setu_buf_free(&st->probe[1]);
	free(st);
}

setu_alproto_t setu_alstate_proto(const setu_alstate_t *st)
{
	return st->proto;
}

bool setu_alstate_reversed(const setu_alstate_t *st)
{
	if (st->is_udp && st->proto == SETU_ALPROTO_DNS && st->ps != NULL)
		return setu_dns_reversed(st->ps);
	return st->reversed;
}

void setu_alstate_swap(setu_alstate_t *st)
{
	if (st == NULL)
		return;
	setu_buf_t b = st->probe[0];
	st->probe[0] = st->probe[1];
	st->probe[1] = b;
	bool t = st->dir_failed[0];
	st->dir_failed[0] = st->dir_failed[1];
	st->dir_failed[1] = t;
	t = st->dir_eof[0];
	st->dir_eof[0] = st->dir_eof[1];
	st->dir_eof[1] = t;
	t = st->dir_checked[0];
	st->dir_checked[0] = st->dir_checked[1];
	st->dir_checked[1] = t;
	uint8_t det = st->dir_det[0];
	st->dir_det[0] = st->dir_det[1];
	st->dir_det[1] = det;
	if (st->is_udp) { /* UDP parsers get physical dirs: only DNS keeps a sense */
		if (st->proto == SETU_ALPROTO_DNS && st->ps != NULL)
			setu_dns_swap(st->ps);
	} else {
		/* TCP parsers (and a tunnel's old HTTP state) get logical dirs: only the
		 * mapping from physical ones changes */
		st->reversed = !st->reversed;
	}
}

uint32_t setu_alstate_events(const setu_alstate_t *st)
{
	if (st->ps == NULL)
		return 0;
	switch (st->proto) {
	case SETU_ALPROTO_DNS:
		return setu_dns_state_events(st->ps);
	case SETU_ALPROTO_HTTP:
		return setu_http_state_events(st->ps);
	case SETU_ALPROTO_TLS:
		return setu_tls_state_events(st->ps);
	default:
		return 0;
	}
}

static bool al_port(const setu_alstate_t *st, uint16_t port)
{
	return st->cport == port || st->sport == port;
}

/* Probe a direction's bytes: a protocol, UNKNOWN (need more) or FAILED (nothing fits). */
static setu_alproto_t al_probe_tcp(const setu_applayer_ctx_t *ac,
                                   const setu_alstate_t *st, int dir, const uint8_t *d,
                                   size_t n, bool *rev)
{
	bool more = false;
	int r;
	*rev = false;
	if (ac->cfg.tls_enabled) {
		r = setu_tls_probe(d, n);
		if (r > 0) { /* a ServerHello toserver / ClientHello toclient: reversed */
			bool server_msg = d[0] == 0x16 ? d[5] == 2 : false;
			*rev = dir == 0 ? server_msg : !server_msg;
			return SETU_ALPROTO_TLS;
		}
		more |= r == 0;
	}
	if (ac->cfg.http_enabled) {
		r = setu_http_probe(d, n, dir);
		if (r > 0)
			return SETU_ALPROTO_HTTP;
		int r2 = setu_http_probe(d, n, !dir); /* a response toserver: reversed */
		if (r2 > 0) {
			*rev = true;
			return SETU_ALPROTO_HTTP;
		}
		more |= r == 0 || r2 == 0;
	}
	if (ac->cfg.dns_enabled && al_port(st, 53)) { /* DNS has no pattern: by port */
		r = setu_dns_probe(d, n, true);
		if (r > 0)
			return SETU_ALPROTO_DNS;
		more |= r == 0;
	}
	return more && n < SETU_AL_PROBE_MAX ? SETU_ALPROTO_UNKNOWN : SETU_ALPROTO_FAILED;
}

static int al_tunnel(setu_applayer_ctx_t *ac, setu_alstate_t *st, int dir,
                     const uint8_t *d, size_t n, unsigned flags);

static int al_parse(setu_applayer_ctx_t *ac, setu_alstate_t *st, int dir,
                    const uint8_t *d, size_t n, unsigned flags)
{
	if (st->stopped)
		return 0;
	int rc = 0;
	switch (st->proto) {
	case SETU_ALPROTO_UNKNOWN: /* a tunnel's first bytes, replayed during detection */
		return setu_alstate_handle(ac, st, dir ^ st->reversed, d, n, flags);
	case SETU_ALPROTO_DNS:
		rc = setu_dns_parse(st->ps, dir, !st->is_udp, d, n, flags);
		break;
	case SETU_ALPROTO_HTTP:
		rc = setu_http_parse(st->ps, dir, d, n, flags);
		if (rc == 0 && !st->tunnelled)
			return al_tunnel(ac, st, dir, d, n, flags);
		break;
	case SETU_ALPROTO_TLS:
		rc = setu_tls_parse(st->ps, dir, d, n, flags);
		break;
	default:
		break;
	}
	if (rc == SETU_ENOMEM) {
		int c = al_counter(st);
		ac->oom[c >= 0 ? c : CNT_N]++;
		return rc;
	}
	if (rc < 0) {
		int c = al_counter(st);
		if (c >= 0)
			ac->errors[c]++;
		if (rc != SETU_EMALFORMED)
			st->stopped = true;
		rc = 0;
	}
	return rc;
}

static int al_set_proto(setu_applayer_ctx_t *ac, setu_alstate_t *st, setu_alproto_t p)
{
	void *ps = NULL;
	switch (p) {
	case SETU_ALPROTO_DNS:
		ps = setu_dns_state_new();
		break;
	case SETU_ALPROTO_HTTP:
		ps = setu_http_state_new(ac->http);
		break;
	case SETU_ALPROTO_TLS:
		ps = setu_tls_state_new();
		break;
	default:
		break;
	}
	if (ps == NULL) {
		ac->oom[CNT_N]++; /* the protocol was found but its state could not be
		                     made */
		return SETU_ENOMEM;
	}
	st->proto = p;
	st->ps = ps;
	int c = al_counter(st);
	if (c >= 0)
		ac->flows[c]++;
	return 0;
}

/* After a 2xx answer to CONNECT: keep the HTTP state for draining, detect again on the
 * bytes that follow (toserver bytes held by libhtp first, then the rest of this chunk).
 */
static int al_tunnel(setu_applayer_ctx_t *ac, setu_alstate_t *st, int dir,
                     const uint8_t *d, size_t n, unsigned flags)
{
	size_t used = n, tsn = 0;
	const uint8_t *ts = NULL;
	if (!setu_http_tunnel(st->ps, &used, &ts, &tsn))
		return 0;
	st->tunnelled = true;
	st->old_ps = st->ps;
	st->ps = NULL;
	st->proto = SETU_ALPROTO_UNKNOWN;
	st->dir_failed[0] = st->dir_failed[1] = false;
	st->dir_eof[0] = st->dir_eof[1] = false;
	st->dir_det[0] = st->dir_det[1] = AL_DET_NONE; /* the tunnel is detected anew */
	st->dir_checked[0] = st->dir_checked[1] = false;
	setu_buf_free(&st->probe[0]);
	setu_buf_free(&st->probe[1]);
	setu_buf_init(&st->probe[0], SETU_AL_PROBE_MAX);
	setu_buf_init(&st->probe[1], SETU_AL_PROBE_MAX);
	int rc = 0; /* dir is logical here; setu_alstate_handle takes physical ones */
	if (tsn > 0)
		rc = setu_alstate_handle(ac, st, st->reversed, ts, tsn, 0);
	if (rc == 0 && (used < n || (flags & SETU_AL_EOF)))
		rc = setu_alstate_handle(ac, st, dir ^ st->reversed, d + used, n - used,
		                         flags);
	return rc;
}

static void al_fail(setu_applayer_ctx_t *ac, setu_alstate_t *st)
{
	st->proto = SETU_ALPROTO_FAILED;
	if (st->is_udp)
		ac->failed_udp++;
	else
		ac->failed_tcp++;
	setu_buf_free(&st->probe[0]);
	setu_buf_free(&st->probe[1]);
}

static int al_handle_udp(setu_applayer_ctx_t *ac, setu_alstate_t *st, int dir,
                         const uint8_t *d, size_t n)
{
	if (st->proto == SETU_ALPROTO_UNKNOWN) {
		if (!ac->cfg.dns_enabled || !al_port(st, 53)) {
			al_fail(ac, st);
			return 0;
		}
		if (n == 0)
			return 0;
		if (setu_dns_probe(d, n, false) <= 0) {
			/* junk before the first real query: give it a few packets
			 * (Suricata keeps probing a DNS-port flow until one message
			 * parses) */
			if (++st->udp_tries >= 4)
				al_fail(ac, st);
			return 0;
		}
		int rc = al_set_proto(ac, st, SETU_ALPROTO_DNS);
		if (rc != 0)
			return rc;
	}
	return al_parse(ac, st, dir, d, n, 0);
}

/* The first bytes of a direction that arrive once the flow's protocol is known (from the
 * other direction): detect them too, for the mismatch event only. After a gap, or when
 * the chunk is too short to tell, the direction stays unknown. */
static void al_check_dir(const setu_applayer_ctx_t *ac, setu_alstate_t *st, int dir,
                         const uint8_t *d, size_t n, unsigned flags)
{
	uint8_t det = AL_DET_NONE;
	if (!(flags & SETU_AL_GAP)) {
		bool rev;
		setu_alproto_t p = al_probe_tcp(ac, st, dir, d, n, &rev);
		if (p == SETU_ALPROTO_FAILED)
			det = al_probe_other(d, n);
		else if (p != SETU_ALPROTO_UNKNOWN)
			det = (uint8_t)p;
	}
	al_note_dir(st, dir, det);
}

int setu_alstate_handle(setu_applayer_ctx_t *ac, setu_alstate_t *st, int dir,
                        const uint8_t *data, size_t len, unsigned flags)
{
	dir = dir ? 1 : 0;
	if (st->proto == SETU_ALPROTO_FAILED)
		return 0;
	if (st->is_udp)
		return al_handle_udp(ac, st, dir, data, len);
	if (st->proto != SETU_ALPROTO_UNKNOWN) {
		if (!st->dir_checked[dir] && len > 0)
			al_check_dir(ac, st, dir, data, len, flags);
		return al_parse(ac, st, dir ^ st->reversed, data, len, flags);
	}

	/* detection: accumulate this direction's first bytes and probe them */
	if (flags & SETU_AL_EOF)
		st->dir_eof[dir] = true;
	if (flags & SETU_AL_GAP)
		setu_buf_reset(&st->probe[dir]); /* not contiguous any more */
	if (st->dir_failed[dir] || len == 0)
		goto check_failed;
	setu_buf_t *b = &st->probe[dir];
	const uint8_t *d = data;
	size_t n = len,
	       prev = b->len; /* bytes of this direction held from earlier chunks */
	if (prev > 0) {
		size_t room = SETU_AL_PROBE_MAX - prev;
		if (setu_buf_append(b, data, len < room ? len : room) == SETU_ENOMEM) {
			ac->oom[CNT_N]++;
			return SETU_ENOMEM;
		}
		d = (const uint8_t *)b->data;
		n = b->len;
	}
	bool rev;
	setu_alproto_t p = al_probe_tcp(ac, st, dir, d, n, &rev);
	if (p == SETU_ALPROTO_FAILED) {
		al_note_dir(st, dir, al_probe_other(d, n));
		st->dir_failed[dir] = true;
		setu_buf_reset(b);
		goto check_failed;
	}
	if (p == SETU_ALPROTO_UNKNOWN) {
		/* UNKNOWN implies n < SETU_AL_PROBE_MAX: the whole chunk is held */
		if (prev == 0 && setu_buf_append(b, data, len) == SETU_ENOMEM) {
			ac->oom[CNT_N]++;
			return SETU_ENOMEM;
		}
		goto check_failed;
	}
	if (!st->tunnelled) /* a tunnel keeps the flow's sense */
		st->reversed = rev;
	int rc = al_set_proto(ac, st, p);
	if (rc != 0)
		return rc;
	al_note_dir(st, dir, (uint8_t)p);
	/* bytes of the other direction held for want of more: too short to tell */
	if (st->probe[1 - dir].len > 0)
		st->dir_checked[1 - dir] = true;
	/* Feed what was held back, requests before responses: the (logical) toserver
	 * bytes, then the toclient bytes; this chunk goes right after its own direction's
	 * held bytes. k is physical, parsers get k ^ reversed. */
	for (int l = 0; l < 2; l++) {
		int k = l ^ st->reversed;
		if (k == dir) {
			if (prev > 0)
				al_parse(ac, st, l, (const uint8_t *)b->data, prev, 0);
			int r2 = al_parse(ac, st, l, data, len, flags);
			if (r2 != 0)
				rc = r2;
		} else if (st->probe[k].len > 0) {
			al_parse(ac, st, l, (const uint8_t *)st->probe[k].data,
			         st->probe[k].len, 0);
		}
	}
	setu_buf_free(&st->probe[0]);
	setu_buf_free(&st->probe[1]);
	return rc;

check_failed:
	if ((st->dir_failed[0] || st->dir_eof[0]) &&
	    (st->dir_failed[1] || st->dir_eof[1]) &&
	    (st->dir_failed[0] || st->dir_failed[1]))
		al_fail(ac, st);
	return 0;
}

void setu_alstate_drain(setu_applayer_ctx_t *ac, setu_alstate_t *st, bool flow_end,
                        setu_alstate_tx_cb cb, void *user)
{
	if (st->old_ps !=
	    NULL) { /* the HTTP part of a CONNECT tunnel: it will not grow */
		setu_altxq_t *oq = setu_http_txq(st->old_ps);
		uint32_t before = oq->count;
		setu_altxq_drain(oq, SETU_ALPROTO_HTTP, true, cb, user,
		                 setu_http_tx_release, st->old_ps);
		ac->txs[CNT_HTTP] += before - oq->count;
		setu_http_state_free(st->old_ps);
		st->old_ps = NULL;
	}
	if (st->ps == NULL)
		return;
	setu_altxq_t *q;
	void (*rel)(void *, setu_altx_t *);
	switch (st->proto) {
	case SETU_ALPROTO_DNS:
		q = setu_dns_txq(st->ps);
		rel = setu_dns_tx_release;
		break;
	case SETU_ALPROTO_HTTP:
		q = setu_http_txq(st->ps);
		rel = setu_http_tx_release;
		break;
	case SETU_ALPROTO_TLS:
		q = setu_tls_txq(st->ps);
		rel = setu_tls_tx_release;
		break;
	default:
		return;
	}
	uint32_t before = q->count;
	setu_altxq_drain(q, st->proto, flow_end, cb, user, rel, st->ps);
	int c = al_counter(st);
	if (c >= 0)
		ac->txs[c] += before - q->count;
}

const setu_altx_t *setu_alstate_tx_first(const setu_alstate_t *st)
{
	if (st->old_ps != NULL && setu_http_txq(st->old_ps)->head != NULL)
		return setu_http_txq(st->old_ps)->head;
	if (st->ps == NULL)
		return NULL;
	switch (st->proto) {
	case SETU_ALPROTO_DNS:
		return setu_dns_txq(st->ps)->head;
	case SETU_ALPROTO_HTTP:
		return setu_http_txq(st->ps)->head;
	case SETU_ALPROTO_TLS:
		return setu_tls_txq(st->ps)->head;
	default:
		return NULL;
	}
}

/* ---- keyword buffers ---- */

static const struct {
	setu_alproto_t proto;
	const char *name;
} al_buffers[SETU_ALBUF_MAX] = {
#define SETU_AL_BUF_ROW(id, proto, name) [SETU_ALBUF_##id] = {proto, name},
    SETU_AL_BUFFERS(SETU_AL_BUF_ROW)
#undef SETU_AL_BUF_ROW
};

const char *setu_al_buffer_name(setu_al_buffer_t b)
{
	return (unsigned)b < SETU_ALBUF_MAX ? al_buffers[b].name : NULL;
}

setu_alproto_t setu_al_buffer_proto(setu_al_buffer_t b)
{
	return (unsigned)b < SETU_ALBUF_MAX ? al_buffers[b].proto : SETU_ALPROTO_UNKNOWN;
}

setu_al_buffer_t setu_al_buffer_by_name(const char *name)
{
	for (int i = 0; i < SETU_ALBUF_MAX; i++)
		if (strcmp(al_buffers[i].name, name) == 0)
			return (setu_al_buffer_t)i;
	return SETU_ALBUF_MAX;
}

bool setu_applayer_tx_buffer(setu_alproto_t proto, const setu_altx_t *tx,
                             setu_al_buffer_t b, uint32_t idx, const uint8_t **p,
                             uint32_t *n)
{
	if ((unsigned)b >= SETU_ALBUF_MAX || al_buffers[b].proto != proto || tx == NULL)
		return false;
	switch (proto) {
	case SETU_ALPROTO_DNS:
		return setu_dns_buffer(tx, b, idx, p, n);
	case SETU_ALPROTO_HTTP:
		return setu_http_buffer(tx, b, idx, p, n);
	case SETU_ALPROTO_TLS:
		return setu_tls_buffer(tx, b, idx, p, n);
	default:
		return false;
	}
}

/* ---- EVE ---- */

void setu_applayer_eve_opts_default(setu_applayer_eve_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	o->dns_version = 3;
	o->dns_requests = o->dns_responses = true;
	o->dns_detailed = o->dns_grouped = true;
	o->http_extended = true;
	o->tls_extended = true;
}

bool setu_applayer_tx_loggable(setu_alproto_t proto, const setu_altx_t *tx,
                               const setu_applayer_eve_opts_t *opts)
{
	switch (proto) {
	case SETU_ALPROTO_DNS:
		return setu_dns_loggable(tx, opts);
	case SETU_ALPROTO_HTTP:
		return setu_http_loggable(tx, opts);
	case SETU_ALPROTO_TLS:
		return setu_tls_loggable(tx, opts);
	default:
		return false;
	}
}

void setu_applayer_eve_tx(setu_json_t *j, setu_alproto_t proto, const setu_altx_t *tx,
                          const setu_applayer_eve_opts_t *opts)
{
	setu_applayer_eve_opts_t def;
	if (opts == NULL) {
		setu_applayer_eve_opts_default(&def);
		opts = &def;
	}
	switch (proto) {
	case SETU_ALPROTO_DNS:
		setu_dns_eve(j, tx, opts);
		break;
	case SETU_ALPROTO_HTTP:
		setu_http_eve(j, tx, opts);
		break;
	case SETU_ALPROTO_TLS:
		setu_tls_eve(j, tx, opts);
		break;
	default:
		break;
	}
}
