/* error.h — setu's one error model: negative SETU_E* codes from one X-macro, plus a
 * diagnostic (file, line, column, message) for errors a user can cause. */
#ifndef SETU_ERROR_H
#define SETU_ERROR_H

#include <stddef.h>

/* X(name, value, message). Values are stable: they may be logged and compared. */
#define SETU_ERRNO_MAP(X)                                  \
	X(OK, 0, "success")                                \
	X(ENOMEM, -1, "out of memory (or memcap reached)") \
	X(EINVAL, -2, "invalid argument")                  \
	X(EIO, -3, "input/output error")                   \
	X(ETRUNC, -4, "truncated input")                   \
	X(EPARSE, -5, "parse error")                       \
	X(EUNSUPPORTED, -6, "not supported")               \
	X(ENOENT, -7, "not found")                         \
	X(EEXIST, -8, "already exists")                    \
	X(ELIMIT, -9, "limit exceeded")                    \
	X(EAGAIN, -10, "try again")                        \
	X(EPERM, -11, "permission denied")                 \
	X(ECONFIG, -12, "bad configuration")               \
	X(EDB, -13, "database error")                      \
	X(ENET, -14, "network error")                      \
	X(EMALFORMED, -15, "malformed data")

enum setu_err {
#define SETU_ERR_ENUM(name, val, msg) SETU_##name = (val),
	SETU_ERRNO_MAP(SETU_ERR_ENUM)
#undef SETU_ERR_ENUM
};

/* Name ("ENOMEM") and message of an error code; never NULL. */
const char *setu_err_name(int code);
const char *setu_strerror(int code);

/* A diagnostic for errors a user can cause: which file, where, and a sentence. */
#define SETU_DIAG_MSG_MAX 256
typedef struct setu_diag {
	const char *file; /* borrowed; may be NULL */
	unsigned line;    /* 1-based; 0 = unknown */
	unsigned column;  /* 1-based; 0 = unknown */
	int code;         /* a SETU_E* code */
	char msg[SETU_DIAG_MSG_MAX];
} setu_diag_t;

/* Fill diag (if non-NULL) and return code, so callers can write
 * `return setu_diag_set(d, SETU_EPARSE, "...", ...);`. */
int setu_diag_set(setu_diag_t *d, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Render "file:line:col: msg" into buf (always NUL-terminated). */
void setu_diag_format(const setu_diag_t *d, char *buf, size_t size);

#endif
