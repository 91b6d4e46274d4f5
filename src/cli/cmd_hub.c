/* cmd_hub.c — `setu hub`: run a TAXII 2.1 sharing hub, and administer its database
 * (organisations, members, tokens, collections and grants). */
#include "commands.h"

#include "hub/auth/acl.h"
#include "hub/auth/token.h"
#include "hub/hub.h"
#include "hub/store/store.h"
#include "hub/sync/policy.h"
#include "hub/sync/sync.h"

#include <curl/curl.h>

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
    "usage: setu hub [-c hub.yaml] [--db PATH]                 run the hub\n"
    "       setu hub [-c hub.yaml] [--db PATH] COMMAND ...     administer it\n"
    "\n"
    "commands:\n"
    "  org add NAME [--sector S] [--country CC]     add an organisation (prints its "
    "identity)\n"
    "  user add NAME --org ORG --role ROLE           add a member (ROLE: "
    "reader|contributor|admin)\n"
    "  token add --user NAME                         new API token for a member (printed "
    "once)\n"
    "  token add --org ORG --role ROLE [--name N]    ... for a new member of ORG\n"
    "  token revoke TOKEN-ID                         revoke a token (its number)\n"
    "  collection add TITLE [--public] [--description D]   add a collection (prints its "
    "id)\n"
    "  collection grant COLLECTION ORG read|write|read-write|none\n"
    "\n"
    "federation (docs/federation.md):\n"
    "  peer add NAME URL [--token T] [--org ORG]    a partner hub (URL: its API root; "
    "T:\n"
    "                                               the token this hub presents there;\n"
    "                                               ORG: the local organisation "
    "standing\n"
    "                                               for it, created as NAME if absent)\n"
    "  peer list | peer enable NAME | peer disable NAME\n"
    "  agreement add NAME --peer P --offer COLLECTION --tlp T [--types a,b] "
    "[--third-party]\n"
    "  agreement add NAME --peer P --pull REMOTE-ID --into COLLECTION --tlp T [--types "
    "a,b]\n"
    "                                               T: clear|green|amber (RED and\n"
    "                                               AMBER+STRICT never cross)\n"
    "  agreement list\n"
    "  audit [--peer P] [--limit N]                 the transfer trail, newest first\n"
    "  sync [--once] [--interval S] [--retries N]   pull from the partners (once, or\n"
    "                                               every S seconds until a signal)\n"
    "  sync status                                  the sync state as JSON\n"
    "\n"
    "options:\n"
    "  -c, --config FILE   hub.yaml (listen, port, database, tls.cert/key, title,\n"
    "                      api-root.name/title, max-content-length, threads)\n"
    "  --db PATH           the database (overrides 'database' of the config)\n"
    "  --port N            the TCP port (overrides 'port'; 0 = any free port)\n"
    "  --sync-interval S   when serving: pull from partners every S seconds (default "
    "60;\n"
    "                      0 = no sync thread)\n"
    "  -h, --help          this text\n";

typedef struct hub_args {
	const char *config;
	const char *db;
	const char *port;
	const char *words[8];
	size_t n_words;
	const char *sector, *country, *org, *role, *user, *name, *description;
	const char *token, *peer, *offer, *pull, *into, *tlp, *types, *limit, *interval,
	    *sync_interval, *retries;
	bool is_public, third_party, once;
	bool help;
} hub_args_t;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr; returns the exit status 1. */
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "setu hub: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return 1;
}

static int parse_args(int argc, char **argv, hub_args_t *a)
{
	memset(a, 0, sizeof(*a));
	static const struct {
		const char *name;
		size_t off;
	} opts[] = {
	    {"--config", offsetof(hub_args_t, config)},
	    {"-c", offsetof(hub_args_t, config)},
	    {"--db", offsetof(hub_args_t, db)},
	    {"--port", offsetof(hub_args_t, port)},
	    {"--sector", offsetof(hub_args_t, sector)},
	    {"--country", offsetof(hub_args_t, country)},
	    {"--org", offsetof(hub_args_t, org)},
	    {"--role", offsetof(hub_args_t, role)},
	    {"--user", offsetof(hub_args_t, user)},
	    {"--name", offsetof(hub_args_t, name)},
	    {"--description", offsetof(hub_args_t, description)},
	    {"--token", offsetof(hub_args_t, token)},
	    {"--peer", offsetof(hub_args_t, peer)},
	    {"--offer", offsetof(hub_args_t, offer)},
	    {"--pull", offsetof(hub_args_t, pull)},
	    {"--into", offsetof(hub_args_t, into)},
	    {"--tlp", offsetof(hub_args_t, tlp)},
	    {"--types", offsetof(hub_args_t, types)},
	    {"--limit", offsetof(hub_args_t, limit)},
	    {"--interval", offsetof(hub_args_t, interval)},
	    {"--sync-interval", offsetof(hub_args_t, sync_interval)},
	    {"--retries", offsetof(hub_args_t, retries)},
	};
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
			a->help = true;
			continue;
		}
		if (strcmp(s, "--public") == 0) {
			a->is_public = true;
			continue;
		}
		if (strcmp(s, "--third-party") == 0) {
			a->third_party = true;
			continue;
		}
		if (strcmp(s, "--once") == 0) {
			a->once = true;
			continue;
		}
		if (s[0] == '-' && s[1] != '\0') {
			bool found = false;
			for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
				if (strcmp(s, opts[k].name) != 0)
					continue;
				if (i + 1 >= argc) {
					fprintf(stderr,
					        "setu hub: option %s needs a value\n", s);
					return 2;
				}
				*(const char **)((char *)a + opts[k].off) = argv[++i];
				found = true;
				break;
			}
			if (!found) {
				fprintf(stderr,
				        "setu hub: unknown option '%s' (try --help)\n",
				        s);
				return 2;
			}
			continue;
		}
		if (a->n_words == sizeof(a->words) / sizeof(a->words[0])) {
			fprintf(stderr, "setu hub: too many arguments\n");
			return 2;
		}
		a->words[a->n_words++] = s;
	}
	return 0;
}

static int load_config(const hub_args_t *a, setu_hub_config_t *cfg)
{
	setu_hub_config_defaults(cfg);
	if (a->config != NULL) {
		setu_diag_t d = {0};
		if (setu_hub_config_load(cfg, a->config, &d) != 0) {
			char msg[512];
			d.file = a->config;
			setu_diag_format(&d, msg, sizeof(msg));
			fprintf(stderr, "setu hub: %s\n", msg);
			return 1;
		}
	}
	if (a->db != NULL) {
		if (strlen(a->db) >= sizeof(cfg->database))
			return fail("--db: path too long");
		snprintf(cfg->database, sizeof(cfg->database), "%s", a->db);
	}
	if (a->port != NULL) {
		char *end = NULL;
		unsigned long p = strtoul(a->port, &end, 10);
		if (a->port[0] == '\0' || *end != '\0' || p > 65535)
			return fail("--port: '%s' is not a TCP port", a->port);
		cfg->port = (uint16_t)p;
	}
	return 0;
}

/* A non-negative decimal number of an option; -1 if not one. */
static long long opt_num(const char *v, long long max)
{
	char *end = NULL;
	long long n = strtoll(v, &end, 10);
	return v[0] != '\0' && *end == '\0' && n >= 0 && n <= max ? n : -1;
}

static void hub_notify(void *hub)
{
	setu_hub_notify_write(hub);
}

static int run_server(const setu_hub_config_t *cfg, const hub_args_t *a)
{
	long long interval = SETU_SYNC_INTERVAL_S_DEFAULT;
	if (a->sync_interval != NULL &&
	    (interval = opt_num(a->sync_interval, 7 * 24 * 3600)) < 0)
		return fail("--sync-interval: '%s' is not a number of seconds",
		            a->sync_interval);
	/* Block the stop signals before any thread starts, then wait for one. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	setu_diag_t d = {0};
	setu_hub_t *h = NULL;
	if (setu_hub_new(cfg, &h, &d) != 0 || setu_hub_start(h, &d) != 0) {
		setu_hub_free(h);
		return fail("%s", d.msg);
	}
	setu_syncd_t *sd = NULL;
	setu_log_t log = {.level = SETU_LOG_INFO, .prefix = "setu hub"};
	/* objects pulled from partners wake the push-hint waiters at once */
	setu_sync_opts_t so = {.log = &log, .on_stored = hub_notify, .on_stored_user = h};
	if (interval > 0 && setu_syncd_start(cfg->database, (unsigned)interval * 1000u,
	                                     &so, &sd, &d) != 0) {
		setu_hub_free(h);
		return fail("sync: %s", d.msg);
	}
	printf("setu hub: listening on %s://%s:%u/taxii2/ (database %s)\n",
	       cfg->tls_cert[0] ? "https" : "http", cfg->listen,
	       (unsigned)setu_hub_port(h), cfg->database);
	fflush(stdout);
	int sig = 0;
	sigwait(&set, &sig);
	fprintf(stderr, "setu hub: signal %d, stopping\n", sig);
	setu_syncd_stop(sd);
	setu_hub_free(h);
	return 0;
}

static void audit_admin(setu_store_t *s, const char *what)
{
	setu_audit_t a = {.action = "admin", .detail = what};
	s->ops->audit_add(s, &a);
}

static int need_words(const hub_args_t *a, size_t n, const char *what)
{
	if (a->n_words != n) {
		fprintf(stderr, "setu hub: usage: setu hub %s (try --help)\n", what);
		return 2;
	}
	return 0;
}

static int cmd_org(setu_store_t *s, const hub_args_t *a)
{
	if (strcmp(a->words[1], "add") != 0)
		return fail("org: unknown command '%s' (try --help)", a->words[1]) + 1;
	int rc = need_words(a, 3, "org add NAME [--sector S] [--country CC]");
	if (rc)
		return rc;
	setu_org_t org = {0};
	if (strlen(a->words[2]) == 0 || strlen(a->words[2]) >= sizeof(org.name))
		return fail("org add: bad name '%s'", a->words[2]);
	if (a->country != NULL &&
	    (strlen(a->country) != 2 || a->country[0] < 'A' || a->country[0] > 'Z' ||
	     a->country[1] < 'A' || a->country[1] > 'Z'))
		return fail("--country: '%s' is not an ISO 3166-1 alpha-2 code (e.g. JP)",
		            a->country);
	if (a->sector != NULL && strlen(a->sector) >= sizeof(org.sector))
		return fail("--sector: too long");
	snprintf(org.name, sizeof(org.name), "%s", a->words[2]);
	snprintf(org.sector, sizeof(org.sector), "%s", a->sector ? a->sector : "");
	snprintf(org.country, sizeof(org.country), "%s", a->country ? a->country : "");
	setu_diag_t d = {0};
	if (s->ops->org_add(s, &org, &d) != 0)
		return fail("org add: %s", d.msg);
	audit_admin(s, "org add");
	printf("%s\n", org.identity);
	return 0;
}

static int add_member(setu_store_t *s, const char *name, const char *org_name,
                      const char *role, setu_member_t *m)
{
	setu_org_t org;
	int r = setu_role_parse(role);
	if (r < 0)
		return fail("--role: '%s' is not reader, contributor or admin", role);
	if (org_name == NULL || s->ops->org_find(s, org_name, &org) != 0)
		return fail("--org: no organisation '%s'", org_name);
	memset(m, 0, sizeof(*m));
	if (strlen(name) == 0 || strlen(name) >= sizeof(m->name))
		return fail("bad member name '%s'", name);
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->org_id = org.id;
	m->role = r;
	setu_diag_t d = {0};
	if (s->ops->member_add(s, m, &d) != 0)
		return fail("%s", d.msg);
	audit_admin(s, "member add");
	return 0;
}

static int cmd_user(setu_store_t *s, const hub_args_t *a)
{
	if (strcmp(a->words[1], "add") != 0)
		return fail("user: unknown command '%s' (try --help)", a->words[1]) + 1;
	int rc = need_words(a, 3, "user add NAME --org ORG --role ROLE");
	if (rc)
		return rc;
	setu_member_t m;
	if ((rc = add_member(s, a->words[2], a->org, a->role ? a->role : "reader", &m)) !=
	    0)
		return rc;
	printf("%s\n", m.identity);
	return 0;
}

static int cmd_token(setu_store_t *s, const hub_args_t *a)
{
	if (strcmp(a->words[1], "revoke") == 0) {
		int rc = need_words(a, 3, "token revoke TOKEN-ID");
		if (rc)
			return rc;
		char *end = NULL;
		long long id = strtoll(a->words[2], &end, 10);
		if (*end != '\0' || id <= 0)
			return fail("token revoke: '%s' is not a token number",
			            a->words[2]);
		if (s->ops->token_revoke(s, id) != 0)
			return fail("token revoke: no live token %s", a->words[2]);
		audit_admin(s, "token revoke");
		return 0;
	}
	if (strcmp(a->words[1], "add") != 0)
		return fail("token: unknown command '%s' (try --help)", a->words[1]) + 1;
	int rc =
	    need_words(a, 2, "token add --user NAME | --org ORG --role ROLE [--name N]");
	if (rc)
		return rc;
	setu_member_t m;
	if (a->user != NULL) {
		if (s->ops->member_find(s, a->user, &m) != 0)
			return fail("--user: no member '%s'", a->user);
	} else if (a->org != NULL && a->role != NULL) {
		char name[128];
		if (a->name != NULL) {
			snprintf(name, sizeof(name), "%s", a->name);
		} else {
			char uuid[37];
			if (setu_uuid4(uuid) != 0)
				return fail("no randomness");
			snprintf(name, sizeof(name), "%s-%.8s", a->org, uuid);
		}
		if ((rc = add_member(s, name, a->org, a->role, &m)) != 0)
			return rc;
	} else {
		return fail("token add: give --user NAME, or --org ORG and --role ROLE") +
		       1;
	}
	char token[SETU_TOKEN_LEN + 1];
	uint8_t hash[32];
	int64_t id = 0;
	if (setu_token_generate(token, sizeof(token), hash) != 0 ||
	    s->ops->token_add(s, m.id, hash, &id) != 0)
		return fail("token add: cannot store the token");
	audit_admin(s, "token add");
	printf("%s\n", token);
	fprintf(stderr, "token %lld for member '%s' (%s); shown once, keep it safe\n",
	        (long long)id, m.name, setu_role_name(m.role));
	return 0;
}

static int cmd_collection(setu_store_t *s, const hub_args_t *a,
                          const setu_hub_config_t *cfg)
{
	setu_api_root_t root;
	if (s->ops->api_root_ensure(s, cfg->api_root, cfg->api_root_title, &root) != 0)
		return fail("cannot create the API root");
	if (strcmp(a->words[1], "add") == 0) {
		int rc =
		    need_words(a, 3, "collection add TITLE [--public] [--description D]");
		if (rc)
			return rc;
		if (strlen(a->words[2]) == 0 ||
		    strlen(a->words[2]) >= SETU_STORE_NAME_MAX)
			return fail("collection add: bad title '%s'", a->words[2]);
		setu_collection_t c;
		if (s->ops->collection_add(s, root.id, a->words[2], a->description,
		                           a->is_public, &c) != 0)
			return fail("collection add: cannot store '%s'", a->words[2]);
		audit_admin(s, "collection add");
		printf("%s\n", c.uuid);
		return 0;
	}
	if (strcmp(a->words[1], "grant") == 0) {
		int rc = need_words(
		    a, 5, "collection grant COLLECTION ORG read|write|read-write|none");
		if (rc)
			return rc;
		setu_collection_t c;
		setu_org_t org;
		if (s->ops->collection_find(s, a->words[2], 0, &c) != 0)
			return fail("collection grant: no collection '%s'", a->words[2]);
		if (s->ops->org_find(s, a->words[3], &org) != 0)
			return fail("collection grant: no organisation '%s'",
			            a->words[3]);
		const char *g = a->words[4];
		bool r = strcmp(g, "read") == 0 || strcmp(g, "read-write") == 0;
		bool w = strcmp(g, "write") == 0 || strcmp(g, "read-write") == 0;
		if (!r && !w && strcmp(g, "none") != 0)
			return fail("collection grant: '%s' is not read, write, "
			            "read-write or none",
			            g) +
			       1;
		if (s->ops->collection_grant(s, c.id, org.id, r, w) != 0)
			return fail("collection grant: cannot store the grant");
		audit_admin(s, "collection grant");
		return 0;
	}
	return fail("collection: unknown command '%s' (try --help)", a->words[1]) + 1;
}

static int print_peer(void *u, const setu_peer_t *p)
{
	(void)u;
	printf("%s\t%s\t%s\torg=%s\ttoken=%s\n", p->name, p->url,
	       p->enabled ? "enabled" : "disabled", p->org_identity,
	       p->token[0] ? "set" : "none");
	return 0;
}

static int print_agreement(void *u, const setu_agreement_t *ag)
{
	(void)u;
	if (ag->direction == SETU_SYNC_OFFER)
		printf("%s\tpeer=%s\toffer %s", ag->name, ag->peer_name,
		       ag->local_collection);
	else
		printf("%s\tpeer=%s\tpull %s into %s", ag->name, ag->peer_name,
		       ag->remote_collection, ag->local_collection);
	printf("\tmax=%s\ttypes=%s\tthird-party=%s\n", setu_acl_tlp_name(ag->max_tlp),
	       ag->types[0] ? ag->types : "*", ag->third_party ? "yes" : "no");
	return 0;
}

/* ---------------------------------------------------------------- federation */

static int cmd_peer(setu_store_t *s, const hub_args_t *a)
{
	const char *sub = a->words[1];
	if (strcmp(sub, "list") == 0) {
		int rc = need_words(a, 2, "peer list");
		if (rc)
			return rc;
		return s->ops->peer_list(s, print_peer, NULL) != 0
		           ? fail("peer list: store error")
		           : 0;
	}
	if (strcmp(sub, "enable") == 0 || strcmp(sub, "disable") == 0) {
		int rc = need_words(a, 3, "peer enable|disable NAME");
		if (rc)
			return rc;
		setu_peer_t p;
		if (s->ops->peer_find(s, a->words[2], &p) != 0)
			return fail("peer: no peer '%s'", a->words[2]);
		if (s->ops->peer_enable(s, p.id, sub[0] == 'e') != 0)
			return fail("peer %s: store error", sub);
		audit_admin(s, sub[0] == 'e' ? "peer enable" : "peer disable");
		return 0;
	}
	if (strcmp(sub, "add") != 0)
		return fail("peer: unknown command '%s' (try --help)", sub) + 1;
	int rc = need_words(a, 4, "peer add NAME URL [--token T] [--org ORG]");
	if (rc)
		return rc;
	setu_peer_t p = {.enabled = true};
	const char *name = a->words[2], *url = a->words[3];
	if (name[0] == '\0' || strlen(name) >= sizeof(p.name))
		return fail("peer add: bad name '%s'", name);
	if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
	    strlen(url) >= sizeof(p.url))
		return fail(
		    "peer add: '%s' is not an http(s) URL of the partner's API root",
		    url);
	if (a->token != NULL && strlen(a->token) >= sizeof(p.token))
		return fail("--token: too long");
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.url, sizeof(p.url), "%s", url);
	snprintf(p.token, sizeof(p.token), "%s", a->token != NULL ? a->token : "");
	const char *org_name = a->org != NULL ? a->org : name;
	setu_org_t org = {0};
	setu_diag_t d = {0};
	if (s->ops->org_find(s, org_name, &org) != 0) {
		snprintf(org.name, sizeof(org.name), "%s", org_name);
		snprintf(org.sector, sizeof(org.sector), "partner hub");
		snprintf(org.country, sizeof(org.country), "%s",
		         a->country != NULL ? a->country : "");
		if (s->ops->org_add(s, &org, &d) != 0)
			return fail("peer add: %s", d.msg);
	}
	p.org_id = org.id;
	if (s->ops->peer_add(s, &p, &d) != 0)
		return fail("peer add: %s", d.msg);
	audit_admin(s, "peer add");
	printf("%s\n", org.identity);
	fprintf(
	    stderr,
	    "peer '%s' stands as organisation '%s' (%s); give the partner a token with "
	    "'setu hub token add --org %s --role reader'\n",
	    p.name, org.name, org.identity, org.name);
	return 0;
}

static int cmd_agreement(setu_store_t *s, const hub_args_t *a)
{
	if (strcmp(a->words[1], "list") == 0) {
		int rc = need_words(a, 2, "agreement list");
		if (rc)
			return rc;
		return s->ops->agreement_list(s, 0, print_agreement, NULL) != 0
		           ? fail("agreement list: store error")
		           : 0;
	}
	if (strcmp(a->words[1], "add") != 0)
		return fail("agreement: unknown command '%s' (try --help)", a->words[1]) +
		       1;
	int rc = need_words(a, 3,
	                    "agreement add NAME --peer P (--offer C | --pull R --into C) "
	                    "--tlp T");
	if (rc)
		return rc;
	setu_agreement_t ag;
	memset(&ag, 0, sizeof(ag));
	if (a->words[2][0] == '\0' || strlen(a->words[2]) >= sizeof(ag.name))
		return fail("agreement add: bad name '%s'", a->words[2]);
	snprintf(ag.name, sizeof(ag.name), "%s", a->words[2]);
	setu_peer_t p;
	if (a->peer == NULL || s->ops->peer_find(s, a->peer, &p) != 0)
		return fail("--peer: no peer '%s'",
		            a->peer != NULL ? a->peer : "(missing)");
	ag.peer_id = p.id;
	if ((a->offer != NULL) == (a->pull != NULL))
		return fail("agreement add: give exactly one of --offer COLLECTION and "
		            "--pull "
		            "REMOTE-ID") +
		       1;
	ag.max_tlp = setu_sync_tlp_parse(a->tlp);
	if (a->tlp == NULL || ag.max_tlp < SETU_HUB_TLP_CLEAR ||
	    ag.max_tlp > SETU_HUB_TLP_AMBER)
		return fail(
		    "--tlp: '%s' is not clear, green or amber (RED and AMBER+STRICT "
		    "never cross)",
		    a->tlp != NULL ? a->tlp : "(missing)");
	rc = setu_sync_types_norm(a->types, ag.types, sizeof(ag.types));
	if (rc != 0)
		return fail("--types: '%s' is not a comma list of STIX type names",
		            a->types);
	ag.third_party = a->third_party;
	setu_collection_t c;
	const char *local = a->offer != NULL ? a->offer : a->into;
	if (local == NULL)
		return fail("agreement add: --pull needs --into LOCAL-COLLECTION") + 1;
	if (s->ops->collection_find(s, local, p.org_id, &c) != 0)
		return fail("agreement add: no collection '%s'", local);
	ag.local_collection_id = c.id;
	if (a->pull != NULL) {
		ag.direction = SETU_SYNC_PULL;
		if (a->pull[0] == '\0' || strlen(a->pull) >= sizeof(ag.remote_collection))
			return fail("--pull: bad collection id '%s'", a->pull);
		snprintf(ag.remote_collection, sizeof(ag.remote_collection), "%s",
		         a->pull);
	} else {
		ag.direction = SETU_SYNC_OFFER;
	}
	setu_diag_t d = {0};
	if (s->ops->begin_write(s) != 0)
		return fail("agreement add: store busy");
	rc = s->ops->agreement_add(s, &ag, &d);
	/* An offer lets the partner's organisation read the collection; the release
	 * policy then decides, object by object, what it is given. */
	if (rc == 0 && ag.direction == SETU_SYNC_OFFER)
		rc = s->ops->collection_grant(s, c.id, p.org_id, true, c.grant_write);
	if (rc == 0)
		rc = s->ops->commit(s);
	if (rc != 0) {
		s->ops->rollback(s);
		return fail("agreement add: %s", d.msg[0] ? d.msg : setu_strerror(rc));
	}
	audit_admin(s, "agreement add");
	return 0;
}

static int print_transfer(void *u, const setu_transfer_t *t)
{
	(void)u;
	char ts[SETU_TS_LEN];
	setu_ts_format(t->at_us, ts, sizeof(ts));
	printf("%s %-3s peer=%s agreement=%lld %s %s %s %s%s%s\n", ts, t->direction,
	       t->peer_name, (long long)t->agreement_id, t->object_id,
	       t->version[0] ? t->version : "-", setu_acl_tlp_name(t->tlp), t->outcome,
	       t->detail[0] ? ": " : "", t->detail);
	return 0;
}

static int cmd_audit(setu_store_t *s, const hub_args_t *a)
{
	int rc = need_words(a, 2, "audit [--peer P] [--limit N]");
	if (rc)
		return rc;
	if (a->words[1][0] != '\0')
		return fail("audit: unexpected '%s'", a->words[1]) + 1;
	int64_t peer_id = 0;
	if (a->peer != NULL) {
		setu_peer_t p;
		if (s->ops->peer_find(s, a->peer, &p) != 0)
			return fail("--peer: no peer '%s'", a->peer);
		peer_id = p.id;
	}
	long long limit = 0;
	if (a->limit != NULL && (limit = opt_num(a->limit, 100000000)) < 0)
		return fail("--limit: '%s' is not a number", a->limit);
	if (s->ops->transfer_list(s, peer_id, (size_t)limit, print_transfer, NULL) != 0)
		return fail("audit: store error");
	return 0;
}

static int cmd_sync(setu_store_t *s, const hub_args_t *a)
{
	int rc = need_words(a, 2, "sync [--once] [--interval S] | sync status");
	if (rc)
		return rc;
	if (strcmp(a->words[1], "status") == 0) {
		json_t *v = NULL;
		if (setu_sync_status_json(s, &v) != 0)
			return fail("sync status: store error");
		char *txt = json_dumps(v, JSON_INDENT(2));
		json_decref(v);
		if (txt == NULL)
			return fail("out of memory");
		printf("%s\n", txt);
		free(txt);
		return 0;
	}
	if (a->words[1][0] != '\0')
		return fail("sync: unknown command '%s' (try --help)", a->words[1]) + 1;
	long long interval = SETU_SYNC_INTERVAL_S_DEFAULT;
	if (a->interval != NULL && ((interval = opt_num(a->interval, 7 * 24 * 3600)) < 1))
		return fail("--interval: '%s' is not a number of seconds (>= 1)",
		            a->interval);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	setu_log_t log = {.level = SETU_LOG_INFO, .prefix = "setu hub sync"};
	setu_sync_opts_t o = {.log = &log};
	if (a->retries != NULL) {
		long long r = opt_num(a->retries, SETU_TAXII_MAX_RETRIES_MAX);
		if (r < 1)
			return fail("--retries: '%s' is not a number of attempts (>= 1)",
			            a->retries);
		o.max_retries = (unsigned)r;
	}
	for (;;) {
		setu_sync_report_t rep = {0};
		setu_diag_t d = {0};
		rc = setu_sync_round(s, &o, &rep, &d);
		fprintf(stderr,
		        "setu hub sync: %llu pages, %llu stored, %llu already held, %llu "
		        "rejected, %llu agreements failed%s%s\n",
		        (unsigned long long)rep.pages, (unsigned long long)rep.stored,
		        (unsigned long long)rep.duplicates,
		        (unsigned long long)rep.rejected,
		        (unsigned long long)rep.failures, rc != 0 ? ": " : "",
		        rc != 0 ? d.msg : "");
		if (a->once)
			return rc != 0 ? 1 : 0;
		struct timespec ts = {.tv_sec = (time_t)interval};
		if (sigtimedwait(&set, NULL, &ts) > 0)
			return 0;
	}
}

static int hub_main(int argc, char **argv)
{
	hub_args_t a;
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;
	if (a.help) {
		fputs(usage_text, stdout);
		return 0;
	}
	setu_hub_config_t cfg;
	if ((rc = load_config(&a, &cfg)) != 0)
		return rc;
	if (a.n_words == 0 || strcmp(a.words[0], "serve") == 0)
		return run_server(&cfg, &a);
	if (a.n_words == 1 &&
	    (strcmp(a.words[0], "audit") == 0 || strcmp(a.words[0], "sync") == 0))
		a.words[a.n_words++] = ""; /* no subcommand */
	if (a.n_words < 2) {
		fprintf(stderr, "setu hub: '%s' needs a subcommand (try --help)\n",
		        a.words[0]);
		return 2;
	}
	const char *w = a.words[0];
	if (strcmp(w, "org") != 0 && strcmp(w, "user") != 0 && strcmp(w, "token") != 0 &&
	    strcmp(w, "collection") != 0 && strcmp(w, "peer") != 0 &&
	    strcmp(w, "agreement") != 0 && strcmp(w, "audit") != 0 &&
	    strcmp(w, "sync") != 0) {
		fprintf(stderr, "setu hub: unknown command '%s' (try --help)\n", w);
		return 2;
	}
	setu_store_t *s = NULL;
	setu_diag_t d = {0};
	if (setu_store_open(cfg.database, &s, &d) != 0)
		return fail("%s", d.msg);
	if (strcmp(w, "org") == 0)
		rc = cmd_org(s, &a);
	else if (strcmp(w, "user") == 0)
		rc = cmd_user(s, &a);
	else if (strcmp(w, "token") == 0)
		rc = cmd_token(s, &a);
	else if (strcmp(w, "peer") == 0)
		rc = cmd_peer(s, &a);
	else if (strcmp(w, "agreement") == 0)
		rc = cmd_agreement(s, &a);
	else if (strcmp(w, "audit") == 0)
		rc = cmd_audit(s, &a);
	else if (strcmp(w, "sync") == 0)
		rc = cmd_sync(s, &a);
	else
		rc = cmd_collection(s, &a, &cfg);
	setu_store_close(s);
	return rc;
}

int cmd_hub(int argc, char **argv)
{
	/* Before any thread: the sync uses libcurl (taxii/taxii.h). */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return fail("cannot initialise libcurl");
	int rc = hub_main(argc, argv);
	curl_global_cleanup();
	return rc;
}
