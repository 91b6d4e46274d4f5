/* cmd_gen.c — `setu gen pcap`: write a reproducible synthetic capture and its ground
 * truth (see src/gen/gen.h for both formats). */
#include "commands.h"

#include "gen/gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void gen_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: setu gen pcap -o FILE [options]\n"
	    "\n"
	    "Write a reproducible Ethernet capture (classic pcap) with a realistic mix "
	    "of\n"
	    "DNS, HTTP, TLS, SSH, NTP and other TCP/UDP traffic plus attack flows, and "
	    "its\n"
	    "ground truth as FILE.truth.json. Same seed and options = same bytes.\n"
	    "\n"
	    "options:\n"
	    "  -o, --output FILE     capture to write (required)\n"
	    "  --seed N              PRNG seed (default 1)\n"
	    "  --flows N             number of sessions (default 250, about 3.5 MB)\n"
	    "  --size BYTES          target capture size instead of --flows; suffixes\n"
	    "                        K, M, G (powers of 1024), e.g. --size 1G\n"
	    "  --attacks N           attack flows, spread evenly (default 7 = one of "
	    "each:\n"
	    "                        http-sqli, http-path-traversal, http-webshell-id,\n"
	    "                        port-scan, dns-bad-domain, tls-sni-bad-domain,\n"
	    "                        tcp-bad-ip)\n"
	    "  --ipv6-share PCT      percent of sessions over IPv6 (default 10)\n"
	    "  --bad-domain NAME     indicator domain for the DNS/TLS attacks\n"
	    "                        (default malware-c2.example)\n"
	    "  --bad-ip IP           indicator address for the tcp-bad-ip attack\n"
	    "                        (default 203.0.113.66)\n"
	    "  --share APP=W[,...]   relative weight of a session kind; APP is dns, "
	    "http,\n"
	    "                        tls, ssh, ntp, other_tcp or other_udp\n"
	    "                        (default dns=40,http=20,tls=28,ssh=2,ntp=4,\n"
	    "                        other_tcp=4,other_udp=2)\n"
	    "  -h, --help            this text\n");
}

static int parse_u64(const char *s, uint64_t max, bool suffix, uint64_t *out)
{
	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	uint64_t mul = 1;
	if (suffix && *end != '\0' && end[1] == '\0') {
		switch (*end) {
		case 'k':
		case 'K':
			mul = 1024;
			break;
		case 'm':
		case 'M':
			mul = 1024 * 1024;
			break;
		case 'g':
		case 'G':
			mul = 1024ull * 1024 * 1024;
			break;
		default:
			return -1;
		}
		end++;
	}
	if (*end != '\0' || v > max / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_shares(setu_gen_config_t *cfg, const char *arg)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq == NULL)
			return -1;
		*eq = '\0';
		uint64_t w;
		if (parse_u64(eq + 1, 1000000, false, &w) != 0)
			return -1;
		int found = -1;
		for (int i = 0; i < SETU_GEN_APP_SCAN; i++)
			if (strcmp(tok, setu_gen_app_name((setu_gen_app_t)i)) == 0)
				found = i;
		if (found < 0)
			return -1;
		cfg->share[found] = (uint32_t)w;
	}
	return 0;
}

int cmd_gen(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		gen_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "pcap") != 0) {
		fprintf(stderr, "setu gen: unknown target '%s' (try 'setu gen --help')\n",
		        argv[1]);
		return 2;
	}
	setu_gen_config_t cfg;
	setu_gen_config_default(&cfg);
	const char *out = NULL;
	bool have_flows = false, have_size = false;
	for (int i = 2; i < argc; i += 2) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			gen_usage(stdout);
			return 0;
		}
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t n = 0;
		int bad = 0;
		if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			out = v;
			bad = v == NULL;
		} else if (strcmp(a, "--seed") == 0) {
			bad = parse_u64(v, UINT64_MAX, false, &cfg.seed);
		} else if (strcmp(a, "--flows") == 0) {
			bad = parse_u64(v, UINT64_MAX, false, &cfg.flows);
			have_flows = true;
		} else if (strcmp(a, "--size") == 0) {
			bad = parse_u64(v, UINT64_MAX, true, &cfg.size);
			have_size = true;
		} else if (strcmp(a, "--attacks") == 0) {
			bad = parse_u64(v, UINT32_MAX, false, &n);
			cfg.attacks = (uint32_t)n;
		} else if (strcmp(a, "--ipv6-share") == 0) {
			bad = parse_u64(v, UINT32_MAX, false, &n);
			cfg.ipv6_share = (uint32_t)n;
		} else if (strcmp(a, "--bad-domain") == 0) {
			cfg.bad_domain = v;
			bad = v == NULL;
		} else if (strcmp(a, "--bad-ip") == 0) {
			cfg.bad_ip = v;
			bad = v == NULL;
		} else if (strcmp(a, "--share") == 0) {
			bad = v == NULL || parse_shares(&cfg, v) != 0;
		} else {
			fprintf(stderr,
			        "setu gen: unknown option '%s' (try 'setu gen --help')\n",
			        a);
			return 2;
		}
		if (bad) {
			fprintf(stderr, "setu gen: option %s needs a valid value%s%s%s\n",
			        a, v ? " (got '" : "", v ? v : "", v ? "')" : "");
			return 2;
		}
	}
	if (out == NULL) {
		fprintf(stderr,
		        "setu gen: -o FILE is required (try 'setu gen --help')\n");
		return 2;
	}
	if (have_flows && have_size) {
		fprintf(stderr, "setu gen: give --flows or --size, not both\n");
		return 2;
	}
	setu_diag_t diag;
	memset(&diag, 0, sizeof(diag));
	setu_gen_summary_t sum;
	int rc = setu_gen_pcap_summary(&cfg, out, &sum, &diag);
	if (rc != 0) {
		setu_gen_summary_free(&sum);
		fprintf(stderr, "setu gen: %s\n",
		        diag.msg[0] ? diag.msg : setu_strerror(rc));
		return rc == SETU_EINVAL ? 2 : 1;
	}
	uint64_t flows = 0;
	for (int i = 0; i < SETU_GEN_APP_MAX; i++)
		flows += sum.flows[i];
	printf("setu gen: wrote %s (%llu packets, %llu bytes, %llu flows, %zu attacks, "
	       "%.1f s of traffic) and %s.truth.json\n",
	       out, (unsigned long long)sum.packets, (unsigned long long)sum.bytes,
	       (unsigned long long)flows, sum.n_attacks,
	       (double)(sum.last_ts_us - sum.first_ts_us) / 1e6, out);
	setu_gen_summary_free(&sum);
	return 0;
}
