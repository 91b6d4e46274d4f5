/* intel.c — shared indicators on the sensor: indicator files (STIX 2.1 compiled by
 * intel/compile.c, or setu's text format) loaded with the rules into one rule set, and
 * matched on the facts of packets (addresses, ports: once per flow direction, as
 * Suricata's IP-only rules) and of app-layer transactions (DNS query, TLS SNI / JA3 /
 * certificate, HTTP host and URL, hashes of a downloaded file). A match is an EVE alert
 * that names the indicator, its TLP and its producer in alert.metadata. */
#include "engine-int.h"

#include "intel/compile.h"
#include "intel/tlp.h"
#include "sensor/applayer/dns/dns.h"
#include "sensor/applayer/http/http.h"
#include "sensor/applayer/tls/tls.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Indicator alerts are rule-like: gid 1, a sid derived from the indicator id (stable
 * across reloads and sensors) in a range of their own. */
#define SETU_IOC_SID_BASE 9500000u
#define SETU_IOC_SID_SPAN 400000u

typedef struct setu_ioc_rule {
	setu_rule_info_t info;
	char msg[200];
	char meta[3][160];
	const char *metap[3];
} setu_ioc_rule_t;

static void ioc_report(void *user, const char *id, const char *reason)
{
	fprintf(stderr, "setu sensor: %s: indicator %s skipped: %s\n", (const char *)user,
	        id, reason);
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; s != NULL && *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

int setu_ioc_load(setu_engine_t *e, setu_ruleset_t *rs, setu_diag_t *diag)
{
	setu_iocset_builder_t *b = setu_iocset_builder_new();
	if (b == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < e->cfg.nioc_files && rc == 0; i++) {
		const char *f = e->cfg.ioc_files[i];
		if (has_suffix(f, ".json")) {
			setu_stix_compile_stats_t st;
			rc = setu_stix_compile_file(b, f, ioc_report, (void *)f, &st,
			                            diag);
		} else {
			rc = setu_iocset_load_file(b, f, diag);
			if (rc > 0)
				rc = 0;
		}
	}
	if (rc == 0 && (rs->iocs = setu_iocset_build(b, diag)) == NULL)
		rc = diag != NULL && diag->code != 0 ? diag->code : SETU_ENOMEM;
	setu_iocset_builder_free(b);
	if (rc != 0)
		return rc;
	uint32_t n = setu_iocset_indicator_count(rs->iocs);
	rs->ioc_rules = calloc(n > 0 ? n : 1, sizeof(*rs->ioc_rules));
	if (rs->ioc_rules == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		const setu_ioc_indicator_t *ind = setu_iocset_indicator(rs->iocs, i);
		setu_ioc_rule_t *r = &rs->ioc_rules[i];
		const char *id = ind->id != NULL && ind->id[0] ? ind->id : NULL;
		snprintf(r->msg, sizeof(r->msg), "SETU shared indicator: %s",
		         ind->name != NULL && ind->name[0] ? ind->name
		         : id != NULL                      ? id
		                                           : "unnamed");
		size_t nm = 0;
		if (id != NULL)
			snprintf(r->meta[nm++], sizeof(r->meta[0]), "stix_indicator %s",
			         id);
		if (ind->tlp >= 0)
			snprintf(r->meta[nm++], sizeof(r->meta[0]), "tlp %s",
			         setu_tlp_name((setu_tlp_t)ind->tlp));
		if (ind->org != NULL && ind->org[0])
			snprintf(r->meta[nm++], sizeof(r->meta[0]), "producer %s",
			         ind->org);
		for (size_t k = 0; k < nm; k++)
			r->metap[k] = r->meta[k];
		r->info.gid = 1;
		r->info.sid = SETU_IOC_SID_BASE +
		              fnv1a(id != NULL ? id : r->msg) % SETU_IOC_SID_SPAN;
		r->info.rev = 1;
		r->info.msg = r->msg;
		r->info.action = ind->action == SETU_IOC_ACTION_DROP ? SETU_ACTION_DROP
		                 : ind->action == SETU_IOC_ACTION_PASS
		                     ? SETU_ACTION_PASS
		                     : SETU_ACTION_ALERT;
		r->info.category = "Shared indicator match";
		r->info.priority = ind->severity > 0 ? ind->severity : 2;
		r->info.metadata = r->metap;
		r->info.nmetadata = nm;
	}
	return 0;
}

void setu_ioc_rules_free(setu_ruleset_t *rs)
{
	setu_iocset_free(rs->iocs);
	free(rs->ioc_rules);
	rs->iocs = NULL;
	rs->ioc_rules = NULL;
}

typedef struct match_ctx {
	setu_worker_t *w;
	const setu_ruleset_t *rs;
	const setu_pkt_t *p;
	setu_alert_cb cb;
} match_ctx_t;

static int on_match(void *user, const setu_ioc_match_t *m)
{
	match_ctx_t *mc = user;
	if (m->ind->action == SETU_IOC_ACTION_PASS)
		return 0;
	setu_alert_t a = {
	    .rule = &mc->rs->ioc_rules[m->ind_idx].info,
	    .action = mc->rs->ioc_rules[m->ind_idx].info.action,
	    .payload = mc->p->payload,
	    .payload_len = mc->p->payload_len,
	};
	mc->cb(mc->w, mc->p, &a);
	return 0;
}

void setu_ioc_match_packet(setu_worker_t *w, setu_pkt_t *p, setu_alert_cb cb)
{
	const setu_ruleset_t *rs =
	    atomic_load_explicit(&w->ruleset, memory_order_relaxed);
	setu_flow_t *f = p->flow;
	if (rs == NULL || rs->iocs == NULL || f == NULL || p->ip_ver == 0)
		return;
	/* addresses and ports are the flow's: decided on the first packet of each
	 * direction */
	bool toclient = (p->flags & SETU_PKT_TOCLIENT) != 0;
	if ((toclient ? f->pkts_toclient : f->pkts_toserver) != 1)
		return;
	setu_ioc_facts_t facts = {
	    .src = &p->src,
	    .dst = &p->dst,
	    .has_ports =
	        (p->flags & SETU_PKT_HAS_L4) && (p->proto == 6 || p->proto == 17),
	    .sport = p->sp,
	    .dport = p->dp,
	};
	match_ctx_t mc = {w, rs, p, cb};
	setu_iocset_match(rs->iocs, &facts, (int64_t)p->ts.tv_sec, on_match, &mc, NULL);
}

/* "aa:bb:..." or "aabb..." hex → bytes; returns the count or 0. */
static size_t unhex(const uint8_t *s, size_t n, uint8_t *out, size_t cap)
{
	size_t k = 0;
	int hi = -1;
	for (size_t i = 0; i < n; i++) {
		int c = s[i], v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else if (c == ':')
			continue;
		else
			return 0;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (k == cap)
			return 0;
		out[k++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? k : 0;
}

void setu_ioc_match_tx(setu_worker_t *w, setu_alproto_t proto, const setu_altx_t *tx,
                       setu_pkt_t *p, setu_alert_cb cb)
{
	const setu_ruleset_t *rs =
	    atomic_load_explicit(&w->ruleset, memory_order_relaxed);
	if (rs == NULL || rs->iocs == NULL)
		return;
	setu_ioc_facts_t facts = {0};
	uint8_t ja3[16], fp[20], md5[16], sha1[20], sha256[32];
	setu_ioc_cert_t cert = {0};
	match_ctx_t mc = {w, rs, p, cb};
	int64_t now = (int64_t)p->ts.tv_sec;
	switch (proto) {
	case SETU_ALPROTO_DNS: {
		const setu_dns_tx_t *d = (const setu_dns_tx_t *)tx;
		if (d->response)
			return; /* the query was matched on its request */
		for (uint32_t i = 0;; i++) {
			const setu_dns_rr_t *rr =
			    setu_dns_tx_rr(d, SETU_DNS_SEC_QUERY, i);
			if (rr == NULL)
				break;
			facts.dns_query = (const char *)setu_dns_rr_name(d, rr);
			facts.dns_query_len = rr->name_len;
			setu_iocset_match(rs->iocs, &facts, now, on_match, &mc, NULL);
		}
		return;
	}
	case SETU_ALPROTO_TLS: {
		const setu_tls_tx_t *t = (const setu_tls_tx_t *)tx;
		if (t->sni.len > 0) {
			facts.tls_sni = (const char *)setu_tls_str(t, t->sni);
			facts.tls_sni_len = t->sni.len;
		}
		if (t->ja3_hash.len == 32 &&
		    unhex(setu_tls_str(t, t->ja3_hash), t->ja3_hash.len, ja3,
		          sizeof(ja3)) == 16)
			facts.ja3 = ja3;
		if (t->cert.present &&
		    unhex(setu_tls_str(t, t->cert.fingerprint), t->cert.fingerprint.len,
		          fp, sizeof(fp)) == 20) {
			cert.sha1 = fp;
			facts.certs = &cert;
			facts.n_certs = 1;
		}
		break;
	}
	case SETU_ALPROTO_HTTP: {
		const setu_http_tx_t *h = (const setu_http_tx_t *)tx;
		if (h->host_norm.len > 0) {
			facts.http_host = h->host_norm.data;
			facts.http_host_len = h->host_norm.len;
		}
		if (h->uri_norm.len > 0) {
			facts.http_uri = h->uri_norm.data;
			facts.http_uri_len = h->uri_norm.len;
		}
		/* a file's hashes: only of a whole response body (within the body limit,
		 * decompressed): a hash of part of a file would match nothing */
		if (tx->complete && h->resp_body.len > 0 && !h->resp_body_trunc &&
		    EVP_Digest(h->resp_body.data, h->resp_body.len, md5, NULL, EVP_md5(),
		               NULL) &&
		    EVP_Digest(h->resp_body.data, h->resp_body.len, sha1, NULL,
		               EVP_sha1(), NULL) &&
		    EVP_Digest(h->resp_body.data, h->resp_body.len, sha256, NULL,
		               EVP_sha256(), NULL)) {
			facts.md5 = md5;
			facts.sha1 = sha1;
			facts.sha256 = sha256;
		}
		break;
	}
	default:
		return;
	}
	setu_iocset_match(rs->iocs, &facts, now, on_match, &mc, NULL);
}
