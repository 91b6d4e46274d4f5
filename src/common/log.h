/* log.h — leveled logging to stderr. The level lives in a context the caller owns
 * (no mutable globals); a NULL context logs at INFO. */
#ifndef SETU_LOG_H
#define SETU_LOG_H

#include <stdio.h>

typedef enum setu_log_level {
	SETU_LOG_ERROR = 0,
	SETU_LOG_WARN,
	SETU_LOG_INFO,
	SETU_LOG_DEBUG,
} setu_log_level_t;

typedef struct setu_log {
	setu_log_level_t level;
	FILE *out;          /* borrowed; NULL = stderr */
	const char *prefix; /* e.g. "setu sensor"; borrowed; may be NULL */
} setu_log_t;

void setu_log(const setu_log_t *log, setu_log_level_t lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define SETU_ERR(l, ...) setu_log((l), SETU_LOG_ERROR, __VA_ARGS__)
#define SETU_WARN(l, ...) setu_log((l), SETU_LOG_WARN, __VA_ARGS__)
#define SETU_INFO(l, ...) setu_log((l), SETU_LOG_INFO, __VA_ARGS__)
#define SETU_DEBUG(l, ...) setu_log((l), SETU_LOG_DEBUG, __VA_ARGS__)

#endif
