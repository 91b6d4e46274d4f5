/* hub_fed_cli.c — federation as an operator runs it (argv[1] = the setu executable): two
 * hubs (jp, in) on 127.0.0.1 as child processes, `setu hub peer|agreement|sync|audit`
 * with good and bad input, a pull that brings exactly what jp's agreement releases, the
 * transfer trail on both sides, and the sync status endpoint of a running hub whose sync
 * thread is on. docs/federation.md. */
#include <curl/curl.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *setu;
static char dir[64];
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

/* Run `setu hub --db DIR/NAME.db ARGS`; stdout (all of it) into out; exit status. */
static int run(const char *hub, const char *args, char *out, size_t size)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "%s hub --db %s/%s.db %s 2>>%s/stderr.log", setu, dir,
	         hub, args, dir);
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	size_t n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void chomp(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

/* Start `setu hub` on a free loopback port; returns its pid and port. */
static pid_t serve(const char *hub, const char *sync_interval, unsigned *port)
{
	int pfd[2];
	if (pipe(pfd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char db[128];
		snprintf(db, sizeof(db), "%s/%s.db", dir, hub);
		dup2(pfd[1], 1);
		close(pfd[0]);
		execl(setu, setu, "hub", "--db", db, "--port", "0", "--sync-interval",
		      sync_interval, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	FILE *f = fdopen(pfd[0], "r");
	char line[512] = "";
	*port = 0;
	if (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		const char *p = strstr(line, "127.0.0.1:");
		if (p != NULL)
			*port = (unsigned)strtoul(p + 10, NULL, 10);
	}
	if (f != NULL)
		fclose(f);
	return pid;
}

static long http(const char *method, const char *url, const char *token, const char *body,
                 char *out, size_t size)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char auth[200];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Accept: application/taxii+json;version=2.1");
	if (body != NULL) {
		h = curl_slist_append(h,
		                      "Content-Type: application/taxii+json;version=2.1");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	FILE *mem = fmemopen(out, size, "w");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
	long code = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	fclose(mem);
	return code;
}

static void stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2 || access(argv[1], X_OK) != 0) {
		printf("SKIP: the setu executable is not built\n");
		return 77;
	}
	setu = argv[1];
	snprintf(dir, sizeof(dir), "/tmp/setu-fedcli-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	char out[16384], share[64], landing[64], writer[128], reader[128], admin[128],
	    peer_tok[128], url[256], args[1024];

	/* jp: an organisation, its shared collection and a contributor. */
	CHECK(run("jp", "org add cert-jp --country JP", out, sizeof(out)) == 0,
	      "org add");
	CHECK(run("jp", "collection add jp-share", share, sizeof(share)) == 0,
	      "coll add");
	chomp(share);
	CHECK(run("jp", "collection grant jp-share cert-jp read-write", out,
	          sizeof(out)) == 0,
	      "grant");
	CHECK(run("jp", "token add --org cert-jp --role contributor", writer,
	          sizeof(writer)) == 0,
	      "token");
	chomp(writer);
	/* in: an organisation reading its landing collection, and an admin. */
	CHECK(run("in", "org add cert-in --country IN", out, sizeof(out)) == 0,
	      "org add");
	CHECK(run("in", "collection add from-jp", landing, sizeof(landing)) == 0, "coll");
	chomp(landing);
	CHECK(run("in", "collection grant from-jp cert-in read", out, sizeof(out)) == 0,
	      "grant");
	CHECK(run("in", "token add --org cert-in --role reader", reader,
	          sizeof(reader)) == 0,
	      "t");
	chomp(reader);
	CHECK(run("in", "token add --org cert-in --role admin", admin, sizeof(admin)) ==
	          0,
	      "t");
	chomp(admin);

	unsigned jp_port = 0;
	pid_t jp = serve("jp", "0", &jp_port);
	CHECK(jp > 0 && jp_port > 0, "jp server did not start");

	/* jp knows India as a peer, gives it a token, offers jp-share up to GREEN. */
	CHECK(run("jp", "peer add in http://127.0.0.1:1/api1/ --country IN", out,
	          sizeof(out)) == 0,
	      "peer add");
	CHECK(strncmp(out, "identity--", 10) == 0, "peer add prints the identity: %s",
	      out);
	CHECK(run("jp", "token add --org in --role reader", peer_tok, sizeof(peer_tok)) ==
	          0,
	      "t");
	chomp(peer_tok);
	CHECK(run("jp", "agreement add jp-to-in --peer in --offer jp-share --tlp green",
	          out, sizeof(out)) == 0,
	      "agreement add offer");
	/* Bad input: one line on stderr, non-zero exit. */
	CHECK(run("jp", "agreement add bad --peer in --offer jp-share --tlp red", out,
	          sizeof(out)) != 0,
	      "tlp red accepted");
	CHECK(run("jp", "agreement add bad --peer nobody --offer jp-share --tlp green",
	          out, sizeof(out)) != 0,
	      "unknown peer accepted");
	CHECK(run("jp",
	          "agreement add bad --peer in --offer jp-share --pull x --into jp-share "
	          "--tlp green",
	          out, sizeof(out)) != 0,
	      "offer+pull accepted");
	CHECK(run("jp",
	          "agreement add bad --peer in --offer jp-share --tlp green --types 'In "
	          "dicator'",
	          out, sizeof(out)) != 0,
	      "bad types accepted");
	CHECK(run("jp", "peer add x ftp://example/ --token t", out, sizeof(out)) != 0,
	      "ftp URL accepted");
	CHECK(run("jp", "peer add in http://127.0.0.1:1/api1/", out, sizeof(out)) != 0,
	      "duplicate peer accepted");
	CHECK(run("jp", "agreement list", out, sizeof(out)) == 0 &&
	          strstr(out, "jp-to-in") && strstr(out, "max=GREEN"),
	      "agreement list: %s", out);
	CHECK(run("jp", "peer list", out, sizeof(out)) == 0 && strstr(out, "in\t"),
	      "peer list");

	/* Two indicators on jp: GREEN crosses, RED does not. */
	const char *green = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
	const char *red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
	char body[4096], path[512];
	snprintf(
	    body, sizeof(body),
	    "{\"objects\":[{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
	    "\"indicator--11111111-2222-4333-8444-555555555555\",\"created\":"
	    "\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
	    "\"pattern\":\"[domain-name:value = 'a.example']\",\"pattern_type\":\"stix\","
	    "\"valid_from\":\"2026-01-01T00:00:00Z\",\"object_marking_refs\":[\"%s\"]},"
	    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
	    "\"indicator--66666666-7777-4888-9999-aaaaaaaaaaaa\",\"created\":"
	    "\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
	    "\"pattern\":\"[domain-name:value = 'b.example']\",\"pattern_type\":\"stix\","
	    "\"valid_from\":\"2026-01-01T00:00:00Z\",\"object_marking_refs\":[\"%s\"]}]}",
	    green, red);
	snprintf(path, sizeof(path), "http://127.0.0.1:%u/api1/collections/%s/objects/",
	         jp_port, share);
	CHECK(http("POST", path, writer, body, out, sizeof(out)) == 202, "post: %s", out);

	/* in pulls from jp. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/api1/", jp_port);
	snprintf(args, sizeof(args), "peer add jp %s --token %s", url, peer_tok);
	CHECK(run("in", args, out, sizeof(out)) == 0, "peer add jp");
	snprintf(
	    args, sizeof(args),
	    "agreement add in-from-jp --peer jp --pull %s --into from-jp --tlp green",
	    share);
	CHECK(run("in", args, out, sizeof(out)) == 0, "agreement add pull");
	CHECK(run("in", "sync --once", out, sizeof(out)) == 0, "sync --once failed");
	CHECK(run("in", "audit --peer jp", out, sizeof(out)) == 0, "audit");
	CHECK(strstr(out, "indicator--11111111-2222-4333-8444-555555555555") != NULL &&
	          strstr(out, "stored") != NULL,
	      "audit on in: %s", out);
	CHECK(strstr(out, "indicator--66666666") == NULL, "RED crossed: %s", out);
	CHECK(run("jp", "audit --peer in --limit 10", out, sizeof(out)) == 0 &&
	          strstr(out, "out peer=in") != NULL && strstr(out, "sent") != NULL &&
	          strstr(out, "indicator--66666666") == NULL,
	      "audit on jp: %s", out);
	CHECK(run("in", "sync status", out, sizeof(out)) == 0 &&
	          strstr(out, "\"healthy\": true") != NULL,
	      "sync status: %s", out);

	/* in as a running hub with its sync thread: the status endpoint, admin only. */
	unsigned in_port = 0;
	pid_t in = serve("in", "1", &in_port);
	CHECK(in > 0 && in_port > 0, "in server did not start");
	snprintf(path, sizeof(path), "http://127.0.0.1:%u/api/sync/status", in_port);
	CHECK(http("GET", path, admin, NULL, out, sizeof(out)) == 200 &&
	          strstr(out, "\"received\":1") != NULL,
	      "status: %s", out);
	CHECK(http("GET", path, reader, NULL, out, sizeof(out)) == 403,
	      "status for a reader");
	/* A peer that goes down makes the running hub's status say so. */
	stop(jp);
	jp = -1;
	int unhealthy = 0;
	for (int i = 0; i < 60 && !unhealthy; i++) {
		usleep(500000);
		if (http("GET", path, admin, NULL, out, sizeof(out)) == 200 &&
		    strstr(out, "\"healthy\":false") != NULL)
			unhealthy = 1;
	}
	CHECK(unhealthy, "the status never reported the failing peer: %s", out);
	stop(in);
	CHECK(run("in", "sync --once --retries 1", out, sizeof(out)) != 0,
	      "sync --once with the peer down exits 0");

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (failures == 0 && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	curl_global_cleanup();
	if (failures)
		fprintf(stderr, "%d failures (logs in %s)\n", failures, dir);
	return failures ? 1 : 0;
}
