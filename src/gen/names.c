/* names.c — the generator's vocabulary: server names under reserved names only
 * (RFC 2606 / RFC 6761: example.com/.net/.org, .example, .test), browser User-Agents and
 * filler text for HTML bodies. */
#include "gen/gen_int.h"

#include <string.h>

static const char *const host_names[] = {
    "www.example.com",         "example.com",          "api.example.com",
    "cdn.example.net",         "static.example.net",   "img.example.net",
    "login.example.org",       "www.example.org",      "mail.example.com",
    "news.example.org",        "shop.example",         "www.shop.example",
    "video.example",           "updates.example.net",  "docs.example.org",
    "telemetry.example.com",   "assets.example.com",   "fonts.example.net",
    "maps.example.org",        "intranet.corp.test",   "wiki.corp.test",
    "git.corp.test",           "portal.bank.example",  "www.bank.example",
    "weather.example.org",     "ads.example.net",      "tracker.example.net",
    "push.example.com",        "time.example.org",     "files.example.com",
    "cloud.storage.example",   "auth.storage.example", "www.university.test",
    "library.university.test", "ocsp.ca.example",      "crl.ca.example",
    "status.example.com",      "chat.example.net",     "meet.example.net",
    "search.example.com",
};

const char *gen_pick_hostname(gen_ctx_t *ctx)
{
	size_t n = sizeof(host_names) / sizeof(host_names[0]);
	/* Popularity follows a rough power law: the first names get most traffic. */
	double u = gen_rng_unit(&ctx->rng);
	return host_names[(size_t)(u * u * (double)n)];
}

const char *const gen_user_agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "curl/7.88.1",
    "Debian APT-HTTP/1.3 (2.6.1)",
    "Microsoft-CryptoAPI/10.0",
};
const size_t gen_n_user_agents = sizeof(gen_user_agents) / sizeof(gen_user_agents[0]);

static const char *const words[] = {
    "network", "cooperation", "partner",  "security", "report",    "the",     "and",
    "of",      "national",    "centre",   "response", "incident",  "service", "update",
    "a",       "to",          "in",       "with",     "for",       "policy",  "data",
    "system",  "operator",    "exercise", "sharing",  "community", "is",      "on",
    "public",  "private",     "sector",   "energy",   "transport", "health",  "news",
};

void gen_html_text(gen_ctx_t *ctx, setu_buf_t *b, size_t n)
{
	size_t start = b->len, nw = sizeof(words) / sizeof(words[0]);
	static const char head[] = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	                           "<title>Example</title></head><body>\n";
	static const char tail[] = "</p>\n</body></html>\n";
	if (n < sizeof(head) + sizeof(tail) + 8) {
		for (size_t i = 0; i < n; i++)
			setu_buf_putc(b, i + 1 == n ? '\n' : 'x');
		return;
	}
	setu_buf_puts(b, head);
	setu_buf_puts(b, "<p>");
	size_t body_end = start + n - (sizeof(tail) - 1);
	while (b->len < body_end && setu_buf_ok(b)) {
		const char *w = words[gen_rng_below(&ctx->rng, (uint32_t)nw)];
		size_t wl = strlen(w);
		if (b->len + wl + 1 > body_end) {
			while (b->len < body_end && setu_buf_ok(b))
				setu_buf_putc(b, ' ');
			break;
		}
		setu_buf_append(b, w, wl);
		setu_buf_putc(b, gen_rng_below(&ctx->rng, 12) == 0 ? '\n' : ' ');
	}
	setu_buf_puts(b, tail);
}
