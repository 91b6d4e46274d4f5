/* log.c — leveled logging to stderr (one line per message). */
#include "log.h"

#include <stdarg.h>

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void setu_log(const setu_log_t *log, setu_log_level_t lvl, const char *fmt, ...)
{
	setu_log_level_t max = log != NULL ? log->level : SETU_LOG_INFO;
	if (lvl > max)
		return;
	FILE *out = (log != NULL && log->out != NULL) ? log->out : stderr;
	const char *prefix = (log != NULL && log->prefix != NULL) ? log->prefix : "setu";
	va_list ap;
	va_start(ap, fmt);
	fprintf(out, "%s: %s: ", prefix, level_names[lvl]);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	va_end(ap);
}
