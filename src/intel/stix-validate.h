/* stix-validate.h — STIX 2.1 object validation (STIX 2.1 OS parts 3-7): the MUST rules
 * that a hub checks on write, beyond what the OASIS JSON schemas can express (modified >=
 * created, TLP ids, reference target types, indicator patterns parsed with
 * intel/pattern.h). */
#ifndef SETU_INTEL_STIX_VALIDATE_H
#define SETU_INTEL_STIX_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "setu/error.h"

/* Receives each error: d->msg names the property ("indicator 'valid_from' is required");
 * d->line/d->column are set for errors inside an indicator pattern (line and byte column
 * in the pattern text; 0 otherwise);
 * d->code is SETU_EMALFORMED (or SETU_ELIMIT / SETU_ENOMEM). d is only valid during the
 * call. */
typedef void (*setu_stix_error_fn)(void *arg, const setu_diag_t *d);

/* Validate one STIX 2.1 object (SDO, SRO, SCO, marking-definition, language-content,
 * extension-definition, or a custom object by the common rules). Returns 0 if valid, else
 * SETU_EMALFORMED with diag = the first error; SETU_ENOMEM if memory ran out while
 * checking (the indicator pattern parser allocates), which is not the object's fault. */
int setu_stix_validate_object(const json_t *obj, setu_diag_t *diag);

/* Report every error of one object through fn (may be NULL); returns the error count. */
unsigned setu_stix_validate_object_all(const json_t *obj, setu_stix_error_fn fn,
                                       void *arg);

/* A STIX 2.1 bundle (type "bundle", id bundle--UUID, objects) or a TAXII envelope
 * ({"objects": [...]}, other members ignored): checks the wrapper, then every object.
 * Object errors are prefixed "objects[i] <id>: ". Returns the error count. */
unsigned setu_stix_validate_collection_all(const json_t *doc, setu_stix_error_fn fn,
                                           void *arg);

/* Object type families (STIX 2.1 types defined by the spec). */
bool setu_stix_is_sdo_type(const char *type);
bool setu_stix_is_sco_type(const char *type);
bool setu_stix_is_sro_type(const char *type); /* relationship, sighting */

/* Type name syntax: 3-250 chars of a-z, 0-9 and single hyphens, starting with a letter.
 */
bool setu_stix_type_name_ok(const char *type);
/* Identifier `<type>--<RFC 4122 UUID>`; if type is non-NULL the prefix must be that type.
 */
bool setu_stix_id_ok(const char *id, const char *type);
/* STIX timestamp: RFC 3339, UTC "Z", optional fraction. Fills sec/nsec (either may be
 * NULL) and *frac_digits. Returns false if not a valid timestamp (including impossible
 * dates). */
bool setu_stix_parse_timestamp(const char *s, int64_t *sec, int32_t *nsec,
                               unsigned *frac_digits);

#endif
