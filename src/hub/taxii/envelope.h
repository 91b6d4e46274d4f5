/* envelope.h — what the hub reads from each object of a TAXII 2.1 envelope before storing
 * it (type, id, spec_version, version per TAXII 2.1 §3.4.1). Exposed for tests and
 * fuzzing. */
#ifndef SETU_HUB_ENVELOPE_H
#define SETU_HUB_ENVELOPE_H

#include "setu/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct setu_envelope_meta {
	const char *type; /* borrowed from the JSON object */
	const char *id;
	const char *spec_version;
	const char *version_text; /* modified, else created, else "" (date_added is the
	                             version) */
	int64_t version_us;
	bool revoked;
} setu_envelope_meta_t;

/* 0, or SETU_EINVAL with diag naming the property. */
int setu_envelope_object_meta(const json_t *o, setu_envelope_meta_t *m,
                              setu_diag_t *diag);

#endif
