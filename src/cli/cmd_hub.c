/* cmd_hub.c — `setu hub`: run a TAXII 2.1 sharing hub, and administer its database
 * (organisations, members, tokens, collections and grants). */
#include "commands.h"

#include "hub/auth/acl.h"
#include "hub/auth/token.h"
#include "hub/hub.h"
#include "hub/store/store.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    "options:\n"
    "  -c, --config FILE   hub.yaml (listen, port, database, tls.cert/key, title,\n"
    "                      api-root.name/title, max-content-length, threads)\n"
    "  --db PATH           the database (overrides 'database' of the config)\n"
    "  --port N            the TCP port (overrides 'port'; 0 = any free port)\n"
    "  -h, --help          this text\n";

typedef struct hub_args {
	const char *config;
	const char *db;
	const char *port;
	const char *words[8];
	size_t n_words;
	const char *sector, *country, *org, *role, *user, *name, *description;
	bool is_public;
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

static int run_server(const setu_hub_config_t *cfg)
{
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
	printf("setu hub: listening on %s://%s:%u/taxii2/ (database %s)\n",
	       cfg->tls_cert[0] ? "https" : "http", cfg->listen,
	       (unsigned)setu_hub_port(h), cfg->database);
	fflush(stdout);
	int sig = 0;
	sigwait(&set, &sig);
	fprintf(stderr, "setu hub: signal %d, stopping\n", sig);
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

int cmd_hub(int argc, char **argv)
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
		return run_server(&cfg);
	if (a.n_words < 2) {
		fprintf(stderr, "setu hub: '%s' needs a subcommand (try --help)\n",
		        a.words[0]);
		return 2;
	}
	const char *w = a.words[0];
	if (strcmp(w, "org") != 0 && strcmp(w, "user") != 0 && strcmp(w, "token") != 0 &&
	    strcmp(w, "collection") != 0) {
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
	else
		rc = cmd_collection(s, &a, &cfg);
	setu_store_close(s);
	return rc;
}
