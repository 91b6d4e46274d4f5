/* hub_cli.c — `setu hub` as a user runs it (argv[1] = the setu executable): --help, the
 * admin commands with good and bad input (one-line error, non-zero exit), then the server
 * started as a child on a free loopback port, a token used and revoked, SIGTERM. */
#include <curl/curl.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *setu;
static char db[256];
static int failures;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fprintf(stderr, "\n");                               \
			failures++;                                          \
		}                                                            \
	} while (0)

/* Run `setu hub --db DB ARGS`; returns the exit status, stdout's first line in out, and
 * the number of stderr lines. */
static int run(const char *args, char *out, size_t size, int *err_lines)
{
	char cmd[1024], errf[300];
	snprintf(errf, sizeof(errf), "%s.err", db);
	snprintf(cmd, sizeof(cmd), "%s hub --db %s %s 2>%s", setu, db, args, errf);
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	out[0] = '\0';
	if (fgets(out, (int)size, p) != NULL)
		out[strcspn(out, "\n")] = '\0';
	char skip[512];
	while (fgets(skip, sizeof(skip), p) != NULL)
		;
	int st = pclose(p);
	*err_lines = 0;
	FILE *e = fopen(errf, "r");
	while (e != NULL && fgets(skip, sizeof(skip), e) != NULL)
		(*err_lines)++;
	if (e != NULL)
		fclose(e);
	unlink(errf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static long get(const char *url, const char *token)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char auth[200];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	FILE *devnull = fopen("/dev/null", "w");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, devnull);
	long code = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	fclose(devnull);
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2 || access(argv[1], X_OK) != 0) {
		printf("SKIP: the setu executable is not built\n");
		return 77;
	}
	setu = argv[1];
	char dir[] = "/tmp/setu-hubcli-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(db, sizeof(db), "%s/hub.db", dir);
	char out[512], tok[200], coll[64];
	int el, rc;

	rc = run("--help", out, sizeof(out), &el);
	CHECK(rc == 0 && strstr(out, "usage: setu hub") != NULL, "--help: %d '%s'", rc,
	      out);
	rc = run("org add ACME --sector energy --country JP", out, sizeof(out), &el);
	CHECK(rc == 0 && strncmp(out, "identity--", 10) == 0, "org add: %d '%s'", rc,
	      out);
	rc = run("org add ACME", out, sizeof(out), &el);
	CHECK(rc == 1 && el == 1, "duplicate org: %d, %d lines", rc, el);
	rc = run("org add Bad --country Japan", out, sizeof(out), &el);
	CHECK(rc == 1 && el == 1, "bad country: %d, %d lines", rc, el);
	rc = run("user add alice --org ACME --role contributor", out, sizeof(out), &el);
	CHECK(rc == 0 && strncmp(out, "identity--", 10) == 0, "user add: %d '%s'", rc,
	      out);
	rc = run("user add bob --org Nobody --role reader", out, sizeof(out), &el);
	CHECK(rc == 1 && el == 1, "user of unknown org: %d", rc);
	rc = run("user add bob --org ACME --role root", out, sizeof(out), &el);
	CHECK(rc == 1 && el == 1, "bad role: %d", rc);
	rc = run("token add --user alice", tok, sizeof(tok), &el);
	CHECK(rc == 0 && strncmp(tok, "setu_", 5) == 0 && strlen(tok) == 69,
	      "token add: %d '%s'", rc, tok);
	rc = run("token add", out, sizeof(out), &el);
	CHECK(rc == 2 && el == 1, "token add without owner: %d", rc);
	rc = run("collection add Shared", coll, sizeof(coll), &el);
	CHECK(rc == 0 && strlen(coll) == 36, "collection add: %d '%s'", rc, coll);
	char args[256];
	snprintf(args, sizeof(args), "collection grant %s ACME read-write", coll);
	rc = run(args, out, sizeof(out), &el);
	CHECK(rc == 0, "grant: %d", rc);
	snprintf(args, sizeof(args), "collection grant %s ACME everything", coll);
	rc = run(args, out, sizeof(out), &el);
	CHECK(rc == 2 && el == 1, "bad grant: %d", rc);
	rc = run("collection grant Nope ACME read", out, sizeof(out), &el);
	CHECK(rc == 1 && el == 1, "grant on unknown collection: %d", rc);
	rc = run("frobnicate now", out, sizeof(out), &el);
	CHECK(rc == 2 && el == 1, "unknown command: %d", rc);
	rc = run("--bogus", out, sizeof(out), &el);
	CHECK(rc == 2 && el == 1, "unknown option: %d", rc);
	rc = run("token revoke abc", out, sizeof(out), &el);
	CHECK(rc == 1 && el == 1, "revoke bad id: %d", rc);

	/* The server, as a child. */
	int pfd[2];
	if (pipe(pfd) != 0)
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execl(setu, setu, "hub", "--db", db, "--port", "0", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	FILE *so = fdopen(pfd[0], "r");
	unsigned port = 0;
	if (so != NULL && fgets(out, sizeof(out), so) != NULL) {
		const char *p = strstr(out, "127.0.0.1:");
		if (p != NULL)
			port = (unsigned)atoi(p + 10);
	}
	CHECK(port > 0, "server did not announce its port: '%s'", out);
	if (port > 0) {
		char url[256];
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/api1/collections/%s/",
		         port, coll);
		CHECK(get(url, tok) == 200, "collection with token");
		rc = run("token revoke 1", out, sizeof(out), &el);
		CHECK(rc == 0, "revoke: %d", rc);
		CHECK(get(url, tok) == 401, "collection with revoked token");
	}
	kill(pid, SIGTERM);
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "server exit status %d", st);
	if (so != NULL)
		fclose(so);
	char f[300];
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(f, sizeof(f), "%s%s", db, sfx[i]);
		unlink(f);
	}
	rmdir(dir);
	if (failures == 0)
		printf("hub cli: all checks passed\n");
	return failures == 0 ? 0 : 1;
}
