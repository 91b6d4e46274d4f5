/* marking.h — an object's effective TLP level and named recipients, as the hub stores
 * them: the most restrictive of its own TLP markings (object_marking_refs and
 * granular_markings; ids from hub/stix/tlp.h) and of the objects it references, plus the
 * recipients named in the setu TLP extension (docs/tlp.md). */
#ifndef SETU_HUB_MARKING_H
#define SETU_HUB_MARKING_H

#include "hub/store/store.h"
#include "setu/error.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The setu extension-definition that names recipients (docs/tlp.md). */
#include "intel/tlp.h"

#define SETU_TLP_EXTENSION_ID SETU_RECIPIENTS_EXTENSION_ID

/* Room for SETU_HUB_MAX_RECIPIENTS entries of ",o<id>" / ",u<id>". */
#define SETU_RECIPIENTS_MAX 2048

/* Compute the effective level and recipients (",o1,u2," form) of obj for a write into
 * collection_id. Validates the extension (known organisations and members only);
 * returns 0, or SETU_EINVAL with diag naming the property. */
int setu_hub_object_marking(setu_store_t *s, int64_t collection_id, const json_t *obj,
                            int *tlp, char *recipients, size_t size, setu_diag_t *diag);

/* The referenced ids of obj (its *_ref / *_refs properties except created_by_ref and
 * object_marking_refs), borrowed from obj; returns how many there are (may exceed max).
 */
size_t setu_hub_object_refs(const json_t *obj, const char **out, size_t max);

/* Fold a referenced object's level and recipients into (*tlp, recipients): the most
 * restrictive level; recipients narrowed when the referenced one is AMBER or above. */
void setu_hub_marking_inherit(int *tlp, char *recipients, int ref_tlp,
                              const char *ref_recipients);

/* After stix_id was stored with (tlp, recipients): restrict the stored objects that
 * already reference it (they were written before it and could not inherit). Inside the
 * write transaction. */
int setu_hub_marking_spread(setu_store_t *s, int64_t collection_id, const char *stix_id,
                            int tlp, const char *recipients);

#endif
