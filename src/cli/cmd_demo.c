/* cmd_demo.c — `setu demo`: the whole story on loopback, told in plain words. A response
 * centre's hub with two member organisations (a government CERT and a power company) and
 * a bank; the CERT shares indicators and a rule at different TLP levels; the power
 * company's sensor pulls them, analyses traffic that setu generates, alerts, and sends
 * sightings back; then each organisation is shown exactly what its markings let it see.
 * Everything runs as child processes of this executable, on 127.0.0.1 only. */
#include "commands.h"

#include "gen/gen.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <ftw.h>
#include <unistd.h>

extern char **environ;

typedef struct demo {
	char exe[PATH_MAX];
	char dir[PATH_MAX];
	char db[PATH_MAX + 16];
	int port;
	pid_t hub;
} demo_t;

/* Run this executable with args; stdout's first line into out (may be NULL). */
static int run(demo_t *d, char *out, size_t outlen, const char *const *args)
{
	int pipefd[2];
	if (pipe(pipefd) != 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	char log[PATH_MAX + 16];
	snprintf(log, sizeof(log), "%s/demo.log", d->dir);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log,
	                                 O_WRONLY | O_CREAT | O_APPEND, 0640);
	char *argv[32];
	size_t n = 0;
	argv[n++] = d->exe;
	for (; args[n - 1] != NULL && n < 31; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	pid_t pid;
	int rc = posix_spawn(&pid, d->exe, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		return -1;
	}
	FILE *f = fdopen(pipefd[0], "r");
	char line[512] = "";
	if (f != NULL) {
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		char skip[512];
		while (fgets(skip, sizeof(skip), f) != NULL)
			;
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	if (out != NULL)
		snprintf(out, outlen, "%s", line);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int port = -1;
	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (s >= 0)
		close(s);
	return port;
}

typedef struct resp {
	char *data;
	size_t len;
} resp_t;

static size_t on_body(char *p, size_t size, size_t n, void *user)
{
	resp_t *r = user;
	char *d = realloc(r->data, r->len + size * n + 1);
	if (d == NULL)
		return 0;
	memcpy(d + r->len, p, size * n);
	r->data = d;
	r->len += size * n;
	r->data[r->len] = '\0';
	return size * n;
}

/* A TAXII request to the hub; returns the parsed JSON body (or NULL) and the status. */
static json_t *taxii(demo_t *d, const char *method, const char *path, const char *token,
                     const char *body, long *status)
{
	char url[512], auth[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", d->port, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Accept: application/taxii+json;version=2.1");
	h = curl_slist_append(h, "Content-Type: application/taxii+json;version=2.1");
	resp_t r = {0};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	*status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	json_t *j = r.data != NULL ? json_loads(r.data, 0, NULL) : NULL;
	free(r.data);
	return j;
}

static const char GREEN[] = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
static const char AMBER[] = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
static const char CLEAR[] = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
static const char RECIPIENTS[] =
    "extension-definition--6d5b0a4e-2f1c-4e8b-9a3d-5c7e1f0b2a94";

static json_t *indicator(int n, const char *name, const char *ptype, const char *pattern,
                         const char *marking, const char *producer, const char *recipient)
{
	char id[64];
	snprintf(id, sizeof(id), "indicator--5e7a0000-0000-4000-8000-%012d", n);
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "type",
	              "indicator", "spec_version", "2.1", "id", id, "created",
	              "2026-01-01T00:00:00.000Z", "modified", "2026-01-01T00:00:00.000Z",
	              "name", name, "pattern", pattern, "pattern_type", ptype,
	              "valid_from", "2020-01-01T00:00:00Z", "created_by_ref", producer,
	              "object_marking_refs", marking);
	if (recipient != NULL)
		json_object_set_new(o, "extensions",
		                    json_pack("{s:{s:s, s:[s]}}", RECIPIENTS,
		                              "extension_type", "property-extension",
		                              "recipient_orgs", recipient));
	return o;
}

static const char *tlp_of(const json_t *o)
{
	const char *m = json_string_value(
	    json_array_get(json_object_get(o, "object_marking_refs"), 0));
	if (m == NULL)
		return "unmarked";
	if (strcmp(m, CLEAR) == 0)
		return "TLP:CLEAR";
	if (strcmp(m, GREEN) == 0)
		return "TLP:GREEN";
	if (strcmp(m, AMBER) == 0)
		return "TLP:AMBER";
	return "other";
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Start `setu hub --db x->db` on a free loopback port and wait until it answers. */
static int start_hub(demo_t *x, const char *logname, const char *token)
{
	x->port = free_port();
	char portbuf[16];
	snprintf(portbuf, sizeof(portbuf), "%d", x->port);
	char *argvh[] = {
	    x->exe, "hub", "--db", x->db, "--port", portbuf, "--sync-interval",
	    "0",    NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	char log[PATH_MAX + 32];
	snprintf(log, sizeof(log), "%s/%s", x->dir, logname);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log,
	                                 O_WRONLY | O_CREAT | O_APPEND, 0640);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log,
	                                 O_WRONLY | O_CREAT | O_APPEND, 0640);
	int sr = posix_spawn(&x->hub, x->exe, &fa, NULL, argvh, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (sr != 0) {
		fprintf(stderr, "setu demo: cannot start a hub\n");
		return -1;
	}
	long st = 0;
	for (int i = 0; i < 50 && st != 200; i++) {
		usleep(100000);
		json_decref(taxii(x, "GET", "/taxii2/", token, NULL, &st));
	}
	if (st != 200) {
		fprintf(stderr, "setu demo: a hub did not start (see %s)\n", log);
		return -1;
	}
	return 0;
}

static void demo_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: setu demo [--dir DIR]\n\n"
	    "Runs the whole story on loopback (127.0.0.1) and tells what happened: a "
	    "hub,\n"
	    "a CERT that shares indicators and a rule at different TLP levels, a power\n"
	    "company's sensor that pulls them, analyses generated traffic, alerts and\n"
	    "reports sightings, and what each organisation may then see. DIR (default: "
	    "a\n"
	    "new folder under /tmp) keeps the hub database, the capture and eve.json.\n");
}

#define STEP(...)                    \
	do {                         \
		printf(__VA_ARGS__); \
		fflush(stdout);      \
	} while (0)

int cmd_demo(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"dir", required_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	demo_t d = {0}, in = {0};
	const char *dir = NULL;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "hd:", longopts, NULL)) != -1) {
		if (c == 'h') {
			demo_usage(stdout);
			return 0;
		}
		if (c != 'd') {
			demo_usage(stderr);
			return 2;
		}
		dir = optarg;
	}
	ssize_t n = readlink("/proc/self/exe", d.exe, sizeof(d.exe) - 1);
	if (n <= 0) {
		fprintf(stderr, "setu demo: cannot find the setu executable\n");
		return 1;
	}
	d.exe[n] = '\0';
	if (dir != NULL) {
		/* like mkdir -p: the parents first */
		char parent[PATH_MAX];
		snprintf(parent, sizeof(parent), "%s", dir);
		for (char *p = parent + 1; *p != '\0'; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			mkdir(parent, 0750);
			*p = '/';
		}
		if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
			fprintf(stderr, "setu demo: %s: %s\n", dir, strerror(errno));
			return 1;
		}
		snprintf(d.dir, sizeof(d.dir), "%s", dir);
	} else {
		snprintf(d.dir, sizeof(d.dir), "/tmp/setu-demo-XXXXXX");
		if (mkdtemp(d.dir) == NULL) {
			fprintf(stderr, "setu demo: cannot create a folder in /tmp\n");
			return 1;
		}
	}
	snprintf(d.db, sizeof(d.db), "%s/hub.db", d.dir);
	/* A story starts afresh: an earlier run's hubs and sensors would not match
	 * (India's hub would already hold its organisations). Remove exactly what a run
	 * creates (the sensors' folders are the demo's own, whole); nothing else in the
	 * folder. */
	const char *old[] = {"hub.db",
	                     "hub.db-wal",
	                     "hub.db-shm",
	                     "hub.log",
	                     "demo.log",
	                     "powerco.pcap",
	                     "powerco.pcap.truth.json",
	                     "sensor",
	                     "hub-in.db",
	                     "hub-in.db-wal",
	                     "hub-in.db-shm",
	                     "hub-in.log",
	                     "grid-in.pcap",
	                     "grid-in.pcap.truth.json",
	                     "sensor-in"};
	for (size_t i = 0; i < sizeof(old) / sizeof(old[0]); i++) {
		char p[PATH_MAX + 32];
		snprintf(p, sizeof(p), "%s/%s", d.dir, old[i]);
		nftw(p, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = 1;
	char cert[128], power[128], bank[128], col[64], tcert[128], tpower[128],
	    tbank[128];
	STEP("setu demo — everything in %s, network traffic only on 127.0.0.1\n\n",
	     d.dir);

	STEP("1. A national response centre sets up its sharing hub (TAXII 2.1, "
	     "SQLite):\n");
	const char *a1[] = {"hub",       "--db",    d.db,       "org",
	                    "add",       "CERT-JP", "--sector", "government",
	                    "--country", "JP",      NULL};
	const char *a2[] = {"hub",      "--db",   d.db,        "org", "add", "PowerCo",
	                    "--sector", "energy", "--country", "JP",  NULL};
	const char *a3[] = {"hub",      "--db",    d.db,        "org", "add", "Bank-IN",
	                    "--sector", "finance", "--country", "IN",  NULL};
	const char *a4[] = {
	    "hub", "--db", d.db, "collection", "add", "national-indicators", NULL};
	if (run(&d, cert, sizeof(cert), a1) != 0 ||
	    run(&d, power, sizeof(power), a2) != 0 ||
	    run(&d, bank, sizeof(bank), a3) != 0 || run(&d, col, sizeof(col), a4) != 0) {
		fprintf(stderr, "setu demo: could not set up the hub (see %s/demo.log)\n",
		        d.dir);
		goto out;
	}
	const char *g1[] = {"hub", "--db",    d.db,         "collection", "grant",
	                    col,   "CERT-JP", "read-write", NULL};
	const char *g2[] = {"hub", "--db",    d.db,         "collection", "grant",
	                    col,   "PowerCo", "read-write", NULL};
	const char *g3[] = {"hub", "--db",    d.db,   "collection", "grant",
	                    col,   "Bank-IN", "read", NULL};
	const char *t1[] = {"hub",         "--db",   d.db,           "token",
	                    "add",         "--org",  "CERT-JP",      "--role",
	                    "contributor", "--name", "cert-analyst", NULL};
	const char *t2[] = {"hub",
	                    "--db",
	                    d.db,
	                    "token",
	                    "add",
	                    "--org",
	                    "PowerCo",
	                    "--role",
	                    "contributor",
	                    "--name",
	                    "powerco-sensor",
	                    NULL};
	const char *t3[] = {"hub",    "--db",   d.db,           "token",
	                    "add",    "--org",  "Bank-IN",      "--role",
	                    "reader", "--name", "bank-analyst", NULL};
	if (run(&d, NULL, 0, g1) || run(&d, NULL, 0, g2) || run(&d, NULL, 0, g3) ||
	    run(&d, tcert, sizeof(tcert), t1) || run(&d, tpower, sizeof(tpower), t2) ||
	    run(&d, tbank, sizeof(tbank), t3)) {
		fprintf(stderr, "setu demo: could not grant access (see %s/demo.log)\n",
		        d.dir);
		goto out;
	}
	STEP("   members: CERT-JP (government), PowerCo (energy operator), Bank-IN "
	     "(bank);\n"
	     "   collection 'national-indicators' (%s): CERT and PowerCo write, the bank "
	     "reads.\n",
	     col);

	if (start_hub(&d, "hub.log", tcert) != 0)
		goto out;
	long st = 0;
	STEP("   the hub listens on http://127.0.0.1:%d/taxii2/\n\n", d.port);

	STEP("2. CERT-JP shares what it knows, each item under its handling rule:\n");
	json_t *objs = json_array();
	json_array_append_new(
	    objs,
	    indicator(1, "C2 domain of a campaign against utilities", "stix",
	              "[domain-name:value = 'malware-c2.example']", CLEAR, cert, NULL));
	json_array_append_new(objs, indicator(2, "C2 server address", "stix",
	                                      "[ipv4-addr:value = '203.0.113.66']", GREEN,
	                                      cert, NULL));
	json_array_append_new(
	    objs,
	    indicator(
	        3, "Web shell probing PowerCo (for PowerCo only)", "suricata",
	        "alert tcp any any -> any any (msg:\"CERT-JP web shell answered: id "
	        "returned root\"; flow:established; content:\"uid=0|28|root|29|\"; "
	        "classtype:bad-unknown; sid:8800001; rev:1;)",
	        AMBER, cert, power));
	json_t *envelope = json_pack("{s:o}", "objects", objs);
	char *env = envelope != NULL ? json_dumps(envelope, JSON_COMPACT) : NULL;
	json_decref(envelope);
	char path[256];
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", col);
	json_t *status = taxii(&d, "POST", path, tcert, env, &st);
	free(env);
	long ok = json_integer_value(json_object_get(status, "success_count"));
	json_decref(status);
	if (st != 202 || ok != 3) {
		fprintf(stderr, "setu demo: publishing failed (HTTP %ld, %ld accepted)\n",
		        st, ok);
		goto out;
	}
	STEP(
	    "   TLP:CLEAR  indicator: the domain malware-c2.example (anyone may know)\n"
	    "   TLP:GREEN  indicator: the address 203.0.113.66 (the community: members)\n"
	    "   TLP:AMBER  Suricata rule for a web shell, naming PowerCo as its "
	    "recipient\n\n");

	STEP("3. Traffic on PowerCo's network (generated by setu: DNS, HTTP, TLS and a "
	     "few attacks):\n");
	char pcap[PATH_MAX + 32];
	snprintf(pcap, sizeof(pcap), "%s/powerco.pcap", d.dir);
	setu_gen_config_t gc;
	setu_gen_config_default(&gc);
	gc.seed = 2026;
	setu_gen_summary_t sum;
	memset(&sum, 0, sizeof(sum));
	setu_diag_t diag = {0};
	if (setu_gen_pcap_summary(&gc, pcap, &sum, &diag) != 0) {
		fprintf(stderr, "setu demo: cannot generate traffic: %s\n", diag.msg);
		setu_gen_summary_free(&sum);
		goto out;
	}
	setu_gen_summary_free(&sum);
	STEP("   %s\n\n", pcap);

	STEP("4. PowerCo's sensor pulls what it may see, analyses the traffic, reports "
	     "back:\n");
	char logdir[PATH_MAX + 16], api[128];
	snprintf(logdir, sizeof(logdir), "%s/sensor", d.dir);
	mkdir(logdir, 0750);
	snprintf(api, sizeof(api), "http://127.0.0.1:%d/api1/", d.port);
	setenv("SETU_HUB_TOKEN", tpower, 1);
	const char *s1[] = {"sensor", "-r",
	                    pcap,     "-l",
	                    logdir,   "--hub",
	                    api,      "--hub-collection",
	                    col,      "--hub-identity",
	                    power,    NULL};
	if (run(&d, NULL, 0, s1) != 0) {
		fprintf(stderr, "setu demo: the sensor failed (see %s/demo.log)\n",
		        d.dir);
		goto out;
	}
	char evepath[PATH_MAX + 32];
	snprintf(evepath, sizeof(evepath), "%s/eve.json", logdir);
	FILE *ef = fopen(evepath, "r");
	unsigned alerts = 0, shared = 0, events = 0;
	char line[65536];
	while (ef != NULL && fgets(line, sizeof(line), ef) != NULL) {
		events++;
		json_t *e = json_loads(line, 0, NULL);
		const char *t = json_string_value(json_object_get(e, "event_type"));
		if (t != NULL && strcmp(t, "alert") == 0) {
			alerts++;
			json_t *al = json_object_get(e, "alert");
			const char *sig =
			    json_string_value(json_object_get(al, "signature"));
			bool is_shared = json_object_get(json_object_get(al, "metadata"),
			                                 "stix_indicator") != NULL;
			shared += is_shared;
			STEP("   ALERT %s  %s -> %s  %s\n",
			     is_shared ? "[shared]" : "[local] ",
			     json_string_value(json_object_get(e, "src_ip")),
			     json_string_value(json_object_get(e, "dest_ip")),
			     sig != NULL ? sig : "");
		}
		json_decref(e);
	}
	if (ef != NULL)
		fclose(ef);
	STEP("   %u EVE records in %s, %u alerts, %u from what CERT-JP shared\n\n",
	     events, evepath, alerts, shared);
	if (shared == 0) {
		fprintf(
		    stderr,
		    "setu demo: no shared indicator matched: the loop did not close\n");
		goto out;
	}

	STEP("5. Who sees what at the hub (TLP enforced on every read):\n");
	const struct {
		const char *who, *token;
	} readers[] = {{"CERT-JP", tcert}, {"PowerCo", tpower}, {"Bank-IN", tbank}};
	unsigned sightings_seen_by_cert = 0, bank_amber = 0, bank_sightings = 0;
	for (size_t i = 0; i < 3; i++) {
		json_t *r = taxii(&d, "GET", path, readers[i].token, NULL, &st);
		json_t *list = json_object_get(r, "objects");
		unsigned ni[3] = {0}, ns = 0;
		char tlps[200] = "";
		size_t k;
		json_t *o;
		json_array_foreach(list, k, o)
		{
			const char *type = json_string_value(json_object_get(o, "type"));
			if (type != NULL && strcmp(type, "sighting") == 0) {
				ns++;
				continue;
			}
			const char *tl = tlp_of(o);
			ni[strcmp(tl, "TLP:CLEAR") == 0   ? 0
			   : strcmp(tl, "TLP:GREEN") == 0 ? 1
			                                  : 2]++;
		}
		snprintf(tlps, sizeof(tlps), "CLEAR %u, GREEN %u, AMBER %u", ni[0], ni[1],
		         ni[2]);
		STEP("   %-8s sees %u shared items (%s) and %u sightings\n",
		     readers[i].who, ni[0] + ni[1] + ni[2], tlps, ns);
		if (i == 0)
			sightings_seen_by_cert = ns;
		if (i == 2) {
			bank_amber = ni[2];
			bank_sightings = ns;
		}
		json_decref(r);
	}
	STEP("\n   The bank sees the CLEAR and GREEN indicators but not the AMBER rule "
	     "meant\n"
	     "   for PowerCo. Sightings carry the marking of what was sighted: CERT-JP "
	     "learns\n"
	     "   at once where what it shared was seen; the sighting of the AMBER rule "
	     "stays\n"
	     "   between CERT-JP and PowerCo, and the bank never sees it.\n\n");
	if (sightings_seen_by_cert == 0 || bank_amber != 0 ||
	    bank_sightings >= sightings_seen_by_cert) {
		fprintf(stderr,
		        "setu demo: the markings were not enforced as expected\n");
		goto out;
	}
	STEP("6. The centre's picture: the most sighted indicators, as each may see it\n"
	     "   (GET /api/sightings/top):\n");
	bool amber_to_bank = false;
	for (size_t i = 0; i < 3; i++) {
		json_t *r = taxii(&d, "GET", "/api/sightings/top?limit=5",
		                  readers[i].token, NULL, &st);
		json_t *top = json_object_get(r, "top");
		size_t k;
		json_t *row;
		STEP("   %-8s", readers[i].who);
		json_array_foreach(top, k, row)
		{
			const char *id =
			    json_string_value(json_object_get(row, "indicator"));
			STEP(" %s x%lld;",
			     json_string_value(json_object_get(row, "name")),
			     (long long)json_integer_value(
			         json_object_get(row, "sightings")));
			if (i == 2 && id != NULL && strstr(id, "000000000003") != NULL)
				amber_to_bank = true;
		}
		STEP("\n");
		json_decref(r);
	}
	if (amber_to_bank) {
		fprintf(stderr,
		        "setu demo: the bank saw the sightings of the AMBER rule\n");
		goto out;
	}
	STEP("\n7. A partner country: India's CERT runs its own hub; Japan and India "
	     "agree to share\n"
	     "   up to TLP:GREEN, and India's sightings come back to Japan:\n");
	in = d; /* the same executable and folder; its own database, port and process */
	in.hub = 0;
	snprintf(in.db, sizeof(in.db), "%s/hub-in.db", d.dir);
	char gridin[128], icol[64], tin[128], tj4i[128], ti4j[128], jback[64];

	const char *c1[] = {"hub",      "--db",   in.db,       "org", "add", "Grid-IN",
	                    "--sector", "energy", "--country", "IN",  NULL};
	const char *c2[] = {"hub", "--db",       in.db, "collection",
	                    "add", "from-japan", NULL};
	const char *c4[] = {"hub",       "--db",      d.db,       "org",
	                    "add",       "india-hub", "--sector", "partner hub",
	                    "--country", "IN",        NULL};
	const char *c5[] = {"hub",    "--db",   d.db,           "token",
	                    "add",    "--org",  "india-hub",    "--role",
	                    "reader", "--name", "india-puller", NULL};
	const char *c6[] = {"hub",       "--db",      in.db,      "org",
	                    "add",       "japan-hub", "--sector", "partner hub",
	                    "--country", "JP",        NULL};
	const char *c7[] = {"hub",    "--db",   in.db,          "token",
	                    "add",    "--org",  "japan-hub",    "--role",
	                    "reader", "--name", "japan-puller", NULL};
	if (run(&in, gridin, sizeof(gridin), c1) || run(&in, icol, sizeof(icol), c2) ||
	    run(&d, NULL, 0, c4) || run(&d, tj4i, sizeof(tj4i), c5) ||
	    run(&in, NULL, 0, c6) || run(&in, ti4j, sizeof(ti4j), c7)) {
		fprintf(stderr,
		        "setu demo: could not set up India's hub (see %s/demo.log)\n",
		        d.dir);
		goto out;
	}
	const char *c3[] = {"hub", "--db",    in.db,        "collection", "grant",
	                    icol,  "Grid-IN", "read-write", NULL};
	const char *c8[] = {"hub",         "--db",   in.db,         "token",
	                    "add",         "--org",  "Grid-IN",     "--role",
	                    "contributor", "--name", "grid-sensor", NULL};
	const char *c9[] = {"hub", "--db", d.db, "collection", "add", "from-india", NULL};
	if (run(&in, NULL, 0, c3) || run(&in, tin, sizeof(tin), c8) ||
	    run(&d, jback, sizeof(jback), c9)) {
		fprintf(stderr,
		        "setu demo: could not set up India's hub (see %s/demo.log)\n",
		        d.dir);
		goto out;
	}
	if (start_hub(&in, "hub-in.log", tin) != 0)
		goto out;
	char jurl[128], iurl[128];
	snprintf(jurl, sizeof(jurl), "http://127.0.0.1:%d/api1/", d.port);
	snprintf(iurl, sizeof(iurl), "http://127.0.0.1:%d/api1/", in.port);
	const char *p1[] = {"hub", "--db",    d.db, "peer",  "add",       "india",
	                    iurl,  "--token", ti4j, "--org", "india-hub", NULL};
	const char *p2[] = {"hub", "--db",    in.db, "peer",  "add",       "japan",
	                    jurl,  "--token", tj4i,  "--org", "japan-hub", NULL};
	const char *g4[] = {"hub", "--db",    d.db,   "collection", "grant",
	                    jback, "CERT-JP", "read", NULL};
	const char *ag1[] = {"hub",      "--db",   d.db,    "agreement", "add",
	                     "jp-to-in", "--peer", "india", "--offer",   col,
	                     "--tlp",    "green",  NULL};
	const char *ag2[] = {"hub",        "--db",   in.db,   "agreement", "add",
	                     "in-from-jp", "--peer", "japan", "--pull",    col,
	                     "--into",     icol,     "--tlp", "green",     NULL};
	const char *ag3[] = {"hub",     "--db",     in.db,           "agreement",
	                     "add",     "in-to-jp", "--peer",        "japan",
	                     "--offer", icol,       "--tlp",         "green",
	                     "--types", "sighting", "--third-party", NULL};
	const char *ag4[] = {"hub",        "--db",   d.db,    "agreement", "add",
	                     "jp-from-in", "--peer", "india", "--pull",    icol,
	                     "--into",     jback,    "--tlp", "green",     "--types",
	                     "sighting",   NULL};
	if (run(&d, NULL, 0, p1) || run(&in, NULL, 0, p2) || run(&d, NULL, 0, g4) ||
	    run(&d, NULL, 0, ag1) || run(&in, NULL, 0, ag2) || run(&in, NULL, 0, ag3) ||
	    run(&d, NULL, 0, ag4)) {
		fprintf(stderr,
		        "setu demo: could not record the agreements (see %s/demo.log)\n",
		        d.dir);
		goto out;
	}
	STEP("   agreements: Japan offers 'national-indicators' to India up to "
	     "TLP:GREEN;\n"
	     "   India offers its sightings back to Japan.\n");
	const char *sy1[] = {"hub", "--db", in.db, "sync", "--once", NULL};
	if (run(&in, NULL, 0, sy1) != 0) {
		fprintf(stderr, "setu demo: India's sync failed (see %s/demo.log)\n",
		        d.dir);
		goto out;
	}
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", icol);
	json_t *ir = taxii(&in, "GET", path, tin, NULL, &st);
	unsigned in_items = 0, in_amber = 0;
	size_t ik;
	json_t *io;
	json_array_foreach(json_object_get(ir, "objects"), ik, io)
	{
		in_items++;
		in_amber += strcmp(tlp_of(io), "TLP:AMBER") == 0;
	}
	json_decref(ir);
	STEP("   India's hub received %u items from Japan (%u AMBER: the rule for "
	     "PowerCo stays in\n"
	     "   Japan).\n",
	     in_items, in_amber);
	char ipcap[PATH_MAX + 32], ilog[PATH_MAX + 32];
	snprintf(ipcap, sizeof(ipcap), "%s/grid-in.pcap", d.dir);
	snprintf(ilog, sizeof(ilog), "%s/sensor-in", d.dir);
	mkdir(ilog, 0750);
	gc.seed = 91;
	memset(&sum, 0, sizeof(sum));
	if (setu_gen_pcap_summary(&gc, ipcap, &sum, &diag) != 0) {
		setu_gen_summary_free(&sum);
		fprintf(stderr, "setu demo: cannot generate traffic: %s\n", diag.msg);
		goto out;
	}
	setu_gen_summary_free(&sum);
	setenv("SETU_HUB_TOKEN", tin, 1);
	const char *s2[] = {"sensor", "-r",
	                    ipcap,    "-l",
	                    ilog,     "--hub",
	                    iurl,     "--hub-collection",
	                    icol,     "--hub-identity",
	                    gridin,   NULL};
	const char *sy2[] = {"hub", "--db", d.db, "sync", "--once", NULL};
	if (run(&in, NULL, 0, s2) != 0 || run(&d, NULL, 0, sy2) != 0) {
		fprintf(stderr,
		        "setu demo: India's sensor or Japan's sync failed (see "
		        "%s/demo.log)\n",
		        d.dir);
		goto out;
	}
	snprintf(path, sizeof(path), "/api1/collections/%s/objects/", jback);
	json_t *jr = taxii(&d, "GET", path, tcert, NULL, &st);
	json_int_t back = 0;
	json_array_foreach(json_object_get(jr, "objects"), ik, io)
	{
		const char *type = json_string_value(json_object_get(io, "type"));
		if (type != NULL && strcmp(type, "sighting") == 0)
			back += json_integer_value(json_object_get(io, "count"));
	}
	json_decref(jr);
	STEP("   Grid-IN's sensor pulled them from India's hub and alerted; CERT-JP now "
	     "sees %lld\n"
	     "   sightings from India of what it shared (collection 'from-india').\n",
	     (long long)back);
	if (in_items == 0 || in_amber != 0 || back == 0) {
		fprintf(stderr,
		        "setu demo: the partner exchange did not happen as agreed\n");
		goto out;
	}
	STEP("\nDone. Files: %s (hub.db, powerco.pcap, sensor/eve.json, logs).\n", d.dir);
	rc = 0;
out:
	if (in.hub > 0) {
		kill(in.hub, SIGTERM);
		waitpid(in.hub, NULL, 0);
	}
	if (d.hub > 0) {
		kill(d.hub, SIGTERM);
		waitpid(d.hub, NULL, 0);
	}
	curl_global_cleanup();
	return rc;
}
