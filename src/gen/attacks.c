/* attacks.c — attack flows the generator places at known positions, each with the ET Open
 * rules (by sid, read from ../shared/testdata/rules) or shared indicators it must raise.
 * Rule variables assumed: Suricata's defaults, HOME_NET = RFC 1918, EXTERNAL_NET =
 * !HOME_NET, HTTP_SERVERS = HOME_NET; attacked servers sit in 10.10.0.0/24. */
#include "gen/gen_int.h"

#include <stdio.h>
#include <string.h>

enum {
	K_SQLI = 0,
	K_TRAVERSAL,
	K_ID_ROOT,
	K_SCAN,
	K_DNS_BAD,
	K_TLS_BAD,
	K_IP_BAD,
	K_COUNT
};

static const struct attack_kind {
	const char *kind;
	const char *description;
	/* sids per ruleset: [0] et-open-suricata4-2019, [1] et-open-suricata5-2025-07-28
	 */
	uint32_t sids[SETU_GEN_RULESETS][SETU_GEN_MAX_SIDS];
} kinds[K_COUNT] = {
    [K_SQLI] = {"http-sqli",
                "inbound GET with UNION SELECT in the query string, sqlmap User-Agent",
                /* 2006446 ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT;
                 * 2008538 ET SCAN Sqlmap SQL Injection Scan */
                {{2006446, 2008538}, {2006446, 2008538}}},
    [K_TRAVERSAL] =
        {"http-path-traversal",
         "inbound ../../etc/passwd request (Nmap NSE User-Agent); the server "
         "returns /etc/passwd",
         /* 2002034 ET ATTACK_RESPONSE Possible /etc/passwd via HTTP (linux style);
          * 2009358 ET SCAN Nmap Scripting Engine User-Agent Detected;
          * 2049400 ET WEB_SERVER /etc/passwd Detected in URI (2023, suricata5 set) */
         {{2002034, 2009358}, {2002034, 2009358, 2049400}}},
    [K_ID_ROOT] =
        {"http-webshell-id",
         "inbound web shell command ?cmd=id; the response body says uid=0(root)",
         /* 2100498 GPL ATTACK_RESPONSE id check returned root */
         {{2100498}, {2100498}}},
    [K_SCAN] = {"port-scan",
                "SYN scan of one internal host from one external source: SYNs to many "
                "ports, RST/ACK from closed ports, SYN/ACK then RST from open ones",
                /* 2010935/2010937/2010939 ET SCAN Suspicious inbound to MSSQL 1433 /
                 * mySQL 3306 / PostgreSQL 5432; 2002910 ET SCAN Potential VNC Scan
                 * 5800-5820 (threshold: 5 SYNs in 60 s by source) */
                {{2010935, 2010937, 2010939, 2002910},
                 {2010935, 2010937, 2010939, 2002910}}},
    [K_DNS_BAD] = {"dns-bad-domain",
                   "internal client resolves the shared indicator domain (--bad-domain)",
                   {{0}, {0}}},
    [K_TLS_BAD] = {"tls-sni-bad-domain",
                   "internal client opens TLS with SNI = the shared indicator domain",
                   {{0}, {0}}},
    [K_IP_BAD] =
        {"tcp-bad-ip",
         "internal client beacons over HTTP to the shared indicator IP (--bad-ip)",
         {{0}, {0}}},
};

size_t gen_attack_kinds(void)
{
	return K_COUNT;
}

void gen_attack_note(gen_ctx_t *ctx, int idx, const gen_conn_t *c)
{
	setu_gen_attack_t *a = &ctx->sum->attacks[idx];
	a->proto = c->proto;
	setu_addr_str(&c->ep[0].ip, a->src_ip, sizeof(a->src_ip));
	setu_addr_str(&c->ep[1].ip, a->dest_ip, sizeof(a->dest_ip));
	a->src_port = c->ep[0].port;
	a->dest_port = c->ep[1].port;
}

static void host_at(gen_ctx_t *ctx, gen_host_t *h, const char *ip, bool local)
{
	setu_addr_t a;
	setu_addr_parse(&a, ip);
	gen_host_make(ctx, h, &a, local);
}

/* An attacker outside HOME_NET: 198.51.100.200-254 or 203.0.113.200-254. */
static void attacker(gen_ctx_t *ctx, gen_host_t *h)
{
	char ip[32];
	gen_rng_t *r = &ctx->rng;
	for (;;) {
		snprintf(ip, sizeof(ip), "%s.%u",
		         gen_rng_pct(r, 50) ? "198.51.100" : "203.0.113",
		         gen_rng_range(r, 200, 254));
		setu_addr_t a;
		setu_addr_parse(&a, ip);
		if (!setu_addr_eq(&a, &ctx->bad_ip))
			break;
	}
	host_at(ctx, h, ip, false);
	h->os = GEN_OS_LINUX;
	h->ttl = (uint8_t)(64 - gen_rng_range(r, 8, 20));
}

static const char passwd[] =
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
    "sys:x:3:3:sys:/dev:/usr/sbin/nologin\n"
    "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    "sshd:x:105:65534::/run/sshd:/usr/sbin/nologin\n";

static void web_attack(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, int idx,
                       int kind)
{
	gen_rng_t *r = &ctx->rng;
	gen_host_t atk, web;
	attacker(ctx, &atk);
	host_at(ctx, &web, "10.10.0.80", true);
	web.os = GEN_OS_LINUX;
	web.ttl = 63;
	gen_flow_t *f = gen_flow_new(ctx, SETU_GEN_APP_HTTP);
	if (f == NULL)
		return;
	f->attack = idx;
	gen_conn_t c;
	gen_conn_init(&c, ctx, f, 6, &atk, gen_ephemeral_port(ctx, &atk), &web, 80, t);
	gen_conn_count(&c, SETU_GEN_APP_HTTP);
	gen_attack_note(ctx, idx, &c);
	gen_tcp_handshake(&c);

	char req[1024], resp[2048];
	const char *body;
	int status = 200;
	switch (kind) {
	case K_SQLI:
		snprintf(
		    req, sizeof(req),
		    "GET "
		    "/products.php?id=1%%20UNION%%20SELECT%%20username,password%%20FROM"
		    "%%20users--%%3b HTTP/1.1\r\nHost: 10.10.0.80\r\n"
		    "User-Agent: sqlmap/1.7.2#stable (https://sqlmap.org)\r\n"
		    "Accept: */*\r\nAccept-Encoding: gzip,deflate\r\nConnection: "
		    "close\r\n\r\n");
		body =
		    "<html><body><table><tr><td>admin</td><td>"
		    "5f4dcc3b5aa765d61d8327deb882cf99</td></tr></table></body></html>\n";
		break;
	case K_TRAVERSAL:
		snprintf(req, sizeof(req),
		         "GET /download.php?file=../../../../etc/passwd HTTP/1.1\r\n"
		         "Host: 10.10.0.80\r\nUser-Agent: Mozilla/5.0 (compatible; Nmap "
		         "Scripting "
		         "Engine; https://nmap.org/book/nse.html)\r\nConnection: "
		         "close\r\n\r\n");
		body = passwd;
		break;
	default:
		snprintf(req, sizeof(req),
		         "GET /uploads/shell.php?cmd=id HTTP/1.1\r\nHost: 10.10.0.80\r\n"
		         "User-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n");
		body = "uid=0(root) gid=0(root) groups=0(root)\n";
		break;
	}
	snprintf(resp, sizeof(resp),
	         "HTTP/1.1 %d OK\r\nDate: Thu, 15 Jan 2026 09:00:00 GMT\r\n"
	         "Server: Apache/2.4.57 (Debian)\r\nContent-Type: %s\r\n"
	         "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
	         status, kind == K_SQLI ? "text/html" : "text/plain", strlen(body), body);
	gen_http_exchange(&c, req, strlen(req), resp, strlen(resp));
	c.t += gen_rng_range(r, 100, 2000);
	gen_tcp_close(&c, 1, false);
	sink->add(sink->user, f);
}

static void port_scan(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, int idx)
{
	static const uint16_t base_ports[] = {21,   23,   25,   110,  135,  139,
	                                      445,  1433, 1521, 3306, 3389, 5432,
	                                      5900, 6379, 8080, 8443, 9200, 27017};
	uint16_t ports[64];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(base_ports) / sizeof(base_ports[0]); i++)
		ports[n++] = base_ports[i];
	for (uint16_t p = 5800; p <= 5809; p++)
		ports[n++] = p;
	gen_rng_t *r = &ctx->rng;
	for (size_t i = n - 1; i > 0; i--) { /* scanners randomise the order */
		size_t j = gen_rng_below(r, (uint32_t)(i + 1));
		uint16_t tmp = ports[i];
		ports[i] = ports[j];
		ports[j] = tmp;
	}
	gen_host_t atk, target;
	attacker(ctx, &atk);
	host_at(ctx, &target, "10.10.0.5", true);
	target.os = GEN_OS_LINUX;
	target.ttl = 63;
	gen_flow_t *f = gen_flow_new(ctx, SETU_GEN_APP_SCAN);
	if (f == NULL)
		return;
	f->attack = idx;
	uint16_t sport =
	    (uint16_t)gen_rng_range(r, 40000, 65000); /* one port, as nmap -sS */
	for (size_t i = 0; i < n; i++) {
		gen_conn_t c;
		gen_conn_init(&c, ctx, f, 6, &atk, sport, &target, ports[i], t);
		c.scan_syn = true;
		c.ts_opt = false;
		gen_conn_count(&c, SETU_GEN_APP_SCAN);
		if (i == 0)
			gen_attack_note(ctx, idx, &c);
		gen_tcp_segment(&c, 0, 0x02, NULL, 0);
		c.t += 2u * c.ep[1].owd_us + gen_rng_range(r, 20, 200);
		if (ports[i] == 3306 || ports[i] == 8080) {
			gen_tcp_segment(&c, 1, 0x12, NULL, 0);
			c.t += 2u * c.ep[0].owd_us + gen_rng_range(r, 10, 100);
			gen_tcp_segment(&c, 0, 0x04, NULL, 0);
		} else {
			c.ep[1].seq = 0;
			gen_tcp_segment(&c, 1, 0x14, NULL, 0);
		}
		t += gen_rng_range(r, 300, 3000);
	}
	sink->add(sink->user, f);
}

static void bad_tls(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, int idx)
{
	gen_host_t *cl = gen_pick_client(ctx, false);
	gen_host_t srv;
	gen_server_for_name(ctx, ctx->cfg->bad_domain, false, &srv);
	gen_flow_t *f = gen_flow_new(ctx, SETU_GEN_APP_TLS);
	if (f == NULL)
		return;
	f->attack = idx;
	gen_conn_t c;
	gen_conn_init(&c, ctx, f, 6, cl, gen_ephemeral_port(ctx, cl), &srv, 443, t);
	gen_conn_count(&c, SETU_GEN_APP_TLS);
	gen_attack_note(ctx, idx, &c);
	gen_tcp_handshake(&c);
	gen_tls_conversation(&c, ctx->cfg->bad_domain, gen_rng_pct(&ctx->rng, 50));
	gen_tcp_close(&c, 0, false);
	sink->add(sink->user, f);
}

static void bad_ip(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, int idx)
{
	gen_rng_t *r = &ctx->rng;
	bool v6 = ctx->bad_ip.family == 6;
	gen_host_t *cl = gen_pick_client(ctx, v6);
	gen_host_t srv;
	gen_host_make(ctx, &srv, &ctx->bad_ip, false);
	gen_flow_t *f = gen_flow_new(ctx, SETU_GEN_APP_HTTP);
	if (f == NULL)
		return;
	f->attack = idx;
	gen_conn_t c;
	gen_conn_init(&c, ctx, f, 6, cl, gen_ephemeral_port(ctx, cl), &srv, 80, t);
	gen_conn_count(&c, SETU_GEN_APP_HTTP);
	gen_attack_note(ctx, idx, &c);
	gen_tcp_handshake(&c);
	char host[SETU_ADDR_STRLEN], req[512], resp[512];
	setu_addr_str(&ctx->bad_ip, host, sizeof(host));
	char beacon[33];
	for (int i = 0; i < 32; i++)
		beacon[i] = "0123456789abcdef"[gen_rng_below(r, 16)];
	beacon[32] = '\0';
	int bl = (int)strlen(beacon) + 3;
	snprintf(
	    req, sizeof(req),
	    "POST /gate.php HTTP/1.1\r\nHost: %s%s%s\r\n"
	    "User-Agent: Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)\r\n"
	    "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\nid=%s",
	    v6 ? "[" : "", host, v6 ? "]" : "", bl, beacon);
	snprintf(resp, sizeof(resp),
	         "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\n"
	         "Content-Length: 4\r\nConnection: close\r\n\r\nWAIT");
	gen_http_exchange(&c, req, strlen(req), resp, strlen(resp));
	gen_tcp_close(&c, 1, false);
	sink->add(sink->user, f);
}

void gen_attack(gen_ctx_t *ctx, const gen_sink_t *sink, uint64_t t, size_t idx)
{
	int kind = (int)(idx % K_COUNT);
	setu_gen_attack_t *a = &ctx->sum->attacks[idx];
	a->kind = kinds[kind].kind;
	a->description = kinds[kind].description;
	memcpy(a->sids, kinds[kind].sids, sizeof(a->sids));
	int i = (int)idx;
	switch (kind) {
	case K_SQLI:
	case K_TRAVERSAL:
	case K_ID_ROOT:
		web_attack(ctx, sink, t, i, kind);
		break;
	case K_SCAN:
		port_scan(ctx, sink, t, i);
		break;
	case K_DNS_BAD: {
		a->indicator_type = "domain-name";
		snprintf(a->indicator, sizeof(a->indicator), "%s", ctx->cfg->bad_domain);
		gen_host_t *cl = gen_pick_client(ctx, false);
		gen_dns_lookup(ctx, sink, t, cl, ctx->cfg->bad_domain, &ctx->bad_ip, i);
		break;
	}
	case K_TLS_BAD:
		a->indicator_type = "domain-name";
		snprintf(a->indicator, sizeof(a->indicator), "%s", ctx->cfg->bad_domain);
		bad_tls(ctx, sink, t, i);
		break;
	default:
		a->indicator_type = ctx->bad_ip.family == 6 ? "ipv6-addr" : "ipv4-addr";
		setu_addr_str(&ctx->bad_ip, a->indicator, sizeof(a->indicator));
		bad_ip(ctx, sink, t, i);
		break;
	}
}
