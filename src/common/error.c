/* error.c — names and messages for SETU_E* codes; diagnostics. */
#include "setu/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *setu_err_name(int code)
{
	switch (code) {
#define SETU_ERR_NAME(name, val, msg) \
	case (val):                   \
		return #name;
		SETU_ERRNO_MAP(SETU_ERR_NAME)
#undef SETU_ERR_NAME
	}
	return "EUNKNOWN";
}

const char *setu_strerror(int code)
{
	switch (code) {
#define SETU_ERR_MSG(name, val, msg) \
	case (val):                  \
		return msg;
		SETU_ERRNO_MAP(SETU_ERR_MSG)
#undef SETU_ERR_MSG
	}
	return "unknown error";
}

int setu_diag_set(setu_diag_t *d, int code, const char *fmt, ...)
{
	if (d != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
		d->code = code;
	}
	return code;
}

void setu_diag_format(const setu_diag_t *d, char *buf, size_t size)
{
	if (size == 0)
		return;
	if (d->file != NULL && d->line > 0 && d->column > 0)
		snprintf(buf, size, "%s:%u:%u: %s", d->file, d->line, d->column, d->msg);
	else if (d->file != NULL && d->line > 0)
		snprintf(buf, size, "%s:%u: %s", d->file, d->line, d->msg);
	else if (d->file != NULL)
		snprintf(buf, size, "%s: %s", d->file, d->msg);
	else
		snprintf(buf, size, "%s", d->msg);
}
