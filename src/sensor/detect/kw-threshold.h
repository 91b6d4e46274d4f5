/* kw-threshold.h — shared parsing of threshold fields (rule keywords and
 * threshold.config). */
#ifndef SETU_KW_THRESHOLD_H
#define SETU_KW_THRESHOLD_H

#include "detect-int.h"

/* a[] = "name value" items; fills th (type already set when !want_type). */
int th_parse_fields(parse_ctx_t *pc, const char *kw, char **a, int n, bool want_type,
                    threshold_t *th);

#endif
