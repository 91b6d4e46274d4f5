/* control.c — unix-socket control channel of the sensor. Protocol: the client sends one
 * line `{"command": "reload"}` (or the bare word), the sensor answers one line
 * `{"return": "OK"|"NOK", "message": ...}` and closes. */
#include "control.h"

#include "common/buf.h"
#include "engine-int.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A request line: commands are short; anything longer is refused. */
#define CONTROL_MAX_REQUEST 4096

struct setu_control {
	setu_engine_t *e;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	pthread_t tid;
	atomic_bool stop;
};

static void answer(int fd, bool ok, const char *message_json)
{
	setu_buf_t b;
	setu_buf_init(&b, 0);
	setu_buf_printf(&b, "{\"return\":\"%s\",\"message\":%s}\n", ok ? "OK" : "NOK",
	                message_json);
	if (setu_buf_ok(&b)) {
		size_t off = 0;
		while (off < b.len) {
			ssize_t n = write(fd, b.data + off, b.len - off);
			if (n <= 0)
				break;
			off += (size_t)n;
		}
	}
	setu_buf_free(&b);
}

static void answer_text(int fd, bool ok, const char *text)
{
	json_t *s = json_string(text);
	char *enc = s != NULL ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
	answer(fd, ok, enc != NULL ? enc : "\"\"");
	free(enc);
	json_decref(s);
}

void setu_control_parse(const char *req, size_t len, char cmd[64])
{
	cmd[0] = '\0';
	const char *nl = memchr(req, '\n', len);
	if (nl != NULL)
		len = (size_t)(nl - req);
	if (len == 0)
		return;
	if (req[0] == '{') {
		json_error_t jerr;
		/* JSON_ALLOW_NUL: an embedded NUL is part of the string, never a cut */
		json_t *j = json_loadb(req, len, JSON_ALLOW_NUL, &jerr);
		const char *s = json_string_value(json_object_get(j, "command"));
		if (s != NULL &&
		    strlen(s) == json_string_length(json_object_get(j, "command")))
			snprintf(cmd, 64, "%.63s", s);
		json_decref(j);
		return;
	}
	size_t n = len < 63 ? len : 63;
	memcpy(cmd, req, n);
	cmd[n] = '\0';
}

static void serve(setu_control_t *c, int fd)
{
	char req[CONTROL_MAX_REQUEST + 1];
	size_t len = 0;
	while (len < CONTROL_MAX_REQUEST) {
		struct pollfd pfd = {fd, POLLIN, 0};
		if (poll(&pfd, 1, 2000) <= 0)
			break;
		ssize_t n = read(fd, req + len, CONTROL_MAX_REQUEST - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(req, '\n', len) != NULL)
			break;
	}
	char cmd[64];
	setu_control_parse(req, len, cmd);
	if (strcmp(cmd, "reload") == 0 || strcmp(cmd, "reload-rules") == 0) {
		setu_diag_t d = {0};
		char msg[600];
		if (setu_engine_reload(c->e, &d) == 0) {
			uint64_t gen, ok, failed;
			setu_engine_reload_info(c->e, &gen, &ok, &failed);
			snprintf(msg, sizeof(msg), "rules reloaded: generation %llu",
			         (unsigned long long)gen);
			answer_text(fd, true, msg);
		} else {
			char why[512];
			setu_diag_format(&d, why, sizeof(why));
			snprintf(msg, sizeof(msg), "reload failed, old rules kept: %s",
			         why);
			answer_text(fd, false, msg);
		}
	} else if (strcmp(cmd, "stats") == 0 || strcmp(cmd, "dump-counters") == 0) {
		setu_buf_t b;
		setu_buf_init(&b, 0);
		if (setu_engine_stats_json(c->e, &b, 200) == 0)
			answer(fd, true, b.data);
		else
			answer_text(fd, false, "out of memory");
		setu_buf_free(&b);
	} else if (strcmp(cmd, "version") == 0) {
		answer_text(fd, true, "setu " SETU_ENGINE_VERSION);
	} else if (strcmp(cmd, "shutdown") == 0) {
		setu_engine_stop(c->e);
		answer_text(fd, true, "shutting down");
	} else {
		char msg[128];
		snprintf(msg, sizeof(msg),
		         "unknown command '%.60s' (reload, stats, version, shutdown)",
		         cmd);
		answer_text(fd, false, msg);
	}
}

static void *control_main(void *arg)
{
	setu_control_t *c = arg;
	while (!atomic_load(&c->stop)) {
		struct pollfd pfd = {c->fd, POLLIN, 0};
		int r = poll(&pfd, 1, 250);
		/* retired rule sets are freed here once no worker uses them */
		setu_engine_reap(c->e);
		if (r <= 0)
			continue;
		int fd = accept(c->fd, NULL, NULL);
		if (fd < 0)
			continue;
		serve(c, fd);
		close(fd);
	}
	return NULL;
}

setu_control_t *setu_control_start(setu_engine_t *e, const char *path, setu_diag_t *diag)
{
	if (diag != NULL) {
		diag->file = path;
		diag->line = 0;
	}
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		setu_diag_set(diag, SETU_EINVAL, "unix socket path too long");
		return NULL;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	setu_control_t *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		return NULL;
	}
	c->e = e;
	snprintf(c->path, sizeof(c->path), "%s", path);
	atomic_init(&c->stop, false);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		setu_diag_set(diag, SETU_EIO, "socket: %s", strerror(errno));
		free(c);
		return NULL;
	}
	unlink(path);
	if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(c->fd, 8) != 0) {
		setu_diag_set(diag, SETU_EIO, "cannot listen: %s", strerror(errno));
		close(c->fd);
		free(c);
		return NULL;
	}
	if (pthread_create(&c->tid, NULL, control_main, c) != 0) {
		setu_diag_set(diag, SETU_ENOMEM, "cannot start the control thread");
		close(c->fd);
		unlink(path);
		free(c);
		return NULL;
	}
	return c;
}

void setu_control_stop(setu_control_t *c)
{
	if (c == NULL)
		return;
	atomic_store(&c->stop, true);
	pthread_join(c->tid, NULL);
	close(c->fd);
	unlink(c->path);
	free(c);
}

int setu_control_request(const char *path, const char *command, char *out, size_t outlen,
                         setu_diag_t *diag)
{
	if (diag != NULL) {
		diag->file = path;
		diag->line = 0;
	}
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return setu_diag_set(diag, SETU_EINVAL, "unix socket path too long");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return setu_diag_set(diag, SETU_EIO, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int err = errno;
		close(fd);
		return setu_diag_set(
		    diag, SETU_ENET,
		    "cannot connect (is the sensor running with --unix-socket?): %s",
		    strerror(err));
	}
	char line[96];
	int n = snprintf(line, sizeof(line), "{\"command\":\"%s\"}\n", command);
	if (n < 0 || (size_t)n >= sizeof(line) || write(fd, line, (size_t)n) != n) {
		close(fd);
		return setu_diag_set(diag, SETU_EIO, "cannot send the command");
	}
	size_t len = 0;
	while (len + 1 < outlen) {
		ssize_t r = read(fd, out + len, outlen - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	out[len] = '\0';
	while (len > 0 && out[len - 1] == '\n')
		out[--len] = '\0';
	if (len == 0)
		return setu_diag_set(diag, SETU_EIO, "no answer from the sensor");
	return 0;
}
