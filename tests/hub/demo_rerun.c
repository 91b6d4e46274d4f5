/* demo_rerun.c — `setu demo --dir D` run twice on the same D (DESIGN.md, commands): the
 * second run starts from a clean state of its own (fresh hubs: India's hub log shows one
 * start, not two), and the files in D that the demo did not create survive both runs. */
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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

static int run_demo(const char *exe, const char *dir, const char *out)
{
	char *argv[] = {(char *)exe, "demo", "--dir", (char *)dir, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out,
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0640);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	pid_t pid;
	int rc = posix_spawn(&pid, exe, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	int st = 0;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* The file's content (static buffer) or NULL. */
static const char *read_file(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Lines of path containing needle; -1 when it cannot be read. */
static int count_lines(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: demo_rerun PATH-TO-setu\n");
		return 2;
	}
	char base[] = "/tmp/setu-demo-rerun-XXXXXX";
	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	char dir[64], out[96], keep[128], sub[128], subfile[128], path[160];
	snprintf(dir, sizeof(dir), "%s/d", base);
	snprintf(keep, sizeof(keep), "%s/my-notes.txt", dir);
	snprintf(sub, sizeof(sub), "%s/mine", dir);
	snprintf(subfile, sizeof(subfile), "%s/mine/hub.db", dir);
	mkdir(dir, 0750);
	mkdir(sub, 0750);
	/* the user's own files, one with a name the demo uses, in a folder of its own */
	CHECK(write_file(keep, "keep me\n") == 0, "cannot write %s", keep);
	CHECK(write_file(subfile, "not the demo's\n") == 0, "cannot write %s", subfile);

	for (int round = 1; round <= 2; round++) {
		snprintf(out, sizeof(out), "%s/run%d.out", base, round);
		int rc = run_demo(argv[1], dir, out);
		CHECK(rc == 0, "run %d of setu demo exited %d (output in %s)", round, rc,
		      out);
		/* a fresh state each time: India's hub (its own log) started once */
		snprintf(path, sizeof(path), "%s/hub-in.log", dir);
		int starts = count_lines(path, "listening on");
		CHECK(starts == 1, "run %d: hub-in.log shows %d hub starts, not 1", round,
		      starts);
		snprintf(path, sizeof(path), "%s/hub.log", dir);
		starts = count_lines(path, "listening on");
		CHECK(starts == 1, "run %d: hub.log shows %d hub starts, not 1", round,
		      starts);
		const char *k = read_file(keep);
		CHECK(k != NULL && strcmp(k, "keep me\n") == 0,
		      "run %d: the user's file was changed or removed", round);
		k = read_file(subfile);
		CHECK(k != NULL && strcmp(k, "not the demo's\n") == 0,
		      "run %d: the user's folder was changed", round);
	}
	if (failures == 0)
		nftw(base, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	else
		fprintf(stderr, "left %s for a look\n", base);
	printf("%d passed, %d failed\n", failures == 0 ? 1 : 0, failures == 0 ? 0 : 1);
	return failures == 0 ? 0 : 1;
}
