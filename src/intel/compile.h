/* compile.h — STIX 2.1 indicators (pattern_type "stix") compiled into the sensor's
 * indicator sets (intel/ioc/iocset.h). What a single packet or transaction can decide is
 * compiled; what cannot (correlation across observations, qualifiers, negation, object
 * types the sensor does not see) is named with the indicator id and the reason, and
 * skipped — never widened into something that matches more than the pattern says. */
#ifndef SETU_INTEL_COMPILE_H
#define SETU_INTEL_COMPILE_H

#include "intel/ioc/iocset.h"
#include "setu/error.h"

#include <jansson.h>
#include <stddef.h>

typedef struct setu_stix_compile_stats {
	size_t objects;    /* objects looked at */
	size_t indicators; /* of which indicators */
	size_t compiled;   /* indicators added to the set */
	size_t skipped;    /* indicators that cannot be compiled (reported) */
	size_t other;      /* non-indicator objects, or other pattern types */
} setu_stix_compile_stats_t;

/* Called once per skipped indicator: its id and why. */
typedef void (*setu_stix_compile_report_cb)(void *user, const char *indicator_id,
                                            const char *reason);

/* Compile one STIX indicator object into b. Returns 0 (added), SETU_EUNSUPPORTED (not
 * compilable: diag says why), SETU_EINVAL (not a STIX-pattern indicator), SETU_ENOMEM. */
int setu_stix_compile_indicator(setu_iocset_builder_t *b, const json_t *obj,
                                uint32_t user, setu_diag_t *diag);

/* Compile every indicator of a bundle, a TAXII envelope, a JSON array or one object. */
int setu_stix_compile_json(setu_iocset_builder_t *b, const json_t *doc,
                           setu_stix_compile_report_cb report, void *user,
                           setu_stix_compile_stats_t *st);

/* Read a JSON file and compile it (a one-line error in diag if it cannot be read). */
int setu_stix_compile_file(setu_iocset_builder_t *b, const char *path,
                           setu_stix_compile_report_cb report, void *user,
                           setu_stix_compile_stats_t *st, setu_diag_t *diag);

#endif
