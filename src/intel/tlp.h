/* tlp.h — Traffic Light Protocol markings in STIX 2.1: the predefined TLP 1.0
 * marking-definitions (STIX 2.1 OS §7.2.1.4) and the TLP 2.0 marking-definitions
 * published by FIRST/OASIS as extension-definition based markings
 * (cti-stix-common-objects, tlp-2.0). */
#ifndef SETU_INTEL_TLP_H
#define SETU_INTEL_TLP_H

#include <stdbool.h>

#include <jansson.h>

/* Levels in order of restriction; TLP 1.0 WHITE is TLP 2.0 CLEAR. */
typedef enum setu_tlp {
	SETU_TLP_NONE = -1,
	SETU_TLP_CLEAR = 0,
	SETU_TLP_GREEN,
	SETU_TLP_AMBER,
	SETU_TLP_AMBER_STRICT,
	SETU_TLP_RED,
} setu_tlp_t;

/* The extension-definition that TLP 2.0 marking-definitions carry. */
#define SETU_TLP2_EXTENSION_ID \
	"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* The level a marking-definition id stands for (TLP 1.0 or 2.0 ids), or SETU_TLP_NONE. */
setu_tlp_t setu_tlp_of_marking_id(const char *id);
/* True if id is one of the TLP 1.0 predefined ids (as opposed to TLP 2.0). */
bool setu_tlp_is_v1_id(const char *id);
/* "TLP:CLEAR" ... "TLP:AMBER+STRICT", "TLP:RED"; "none" for SETU_TLP_NONE. */
const char *setu_tlp_name(setu_tlp_t t);
/* Parse "TLP:AMBER+STRICT", "amber+strict", "TLP:WHITE", "white" (case-insensitive). */
setu_tlp_t setu_tlp_from_name(const char *name);
/* The TLP 2.0 marking-definition id of a level; NULL for SETU_TLP_NONE. */
const char *setu_tlp_marking_id(setu_tlp_t t);
/* The TLP 1.0 predefined id of a level (CLEAR = WHITE); NULL for NONE and AMBER+STRICT.
 */
const char *setu_tlp_v1_marking_id(setu_tlp_t t);
/* The more restrictive of two levels (NONE is the least). */
setu_tlp_t setu_tlp_max(setu_tlp_t a, setu_tlp_t b);

/* The effective TLP of a STIX object: the most restrictive of the TLP markings among its
 * object_marking_refs and granular_markings[].marking_ref; NONE if it has none. Combine
 * with the levels of objects it references with setu_tlp_max(). */
setu_tlp_t setu_tlp_of_object(const json_t *obj);

/* The level a marking-definition *object* declares (TLP 1.0 definition_type "tlp" or the
 * TLP 2.0 extension's tlp_2_0 value), or NONE. Does not check the id: see the validator.
 */
setu_tlp_t setu_tlp_declared_by(const json_t *marking_definition);

/* New reference to the full TLP 2.0 marking-definition object of a level (what the hub
 * serves), or NULL for NONE / out of memory. */
json_t *setu_tlp_marking_object(setu_tlp_t t);
/* New reference to the TLP 1.0 predefined marking-definition object (WHITE, GREEN, AMBER,
 * RED), or NULL for NONE, AMBER+STRICT or out of memory. */
json_t *setu_tlp_v1_marking_object(setu_tlp_t t);
/* New array of all nine predefined objects (TLP 1.0 then TLP 2.0), or NULL. */
json_t *setu_tlp_predefined_markings(void);

/* setu's property extension naming the recipients of TLP:AMBER and TLP:RED content
 * (recipient_orgs, recipient_users; docs/tlp.md). The hub enforces it; sensors copy it
 * onto the sightings of such indicators so that the producer sees them. */
#define SETU_RECIPIENTS_EXTENSION_ID \
	"extension-definition--6d5b0a4e-2f1c-4e8b-9a3d-5c7e1f0b2a94"

#endif
