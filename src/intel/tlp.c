/* tlp.c — TLP marking-definitions: STIX 2.1 OS §7.2.1.4 (TLP 1.0 predefined ids) and the
 * FIRST/OASIS TLP 2.0 extension-definition markings (cti-stix-common-objects, tlp-2.0).
 */
#include "intel/tlp.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

typedef struct tlp_def {
	setu_tlp_t level;
	const char *id;
	const char *name;  /* the object's "name" */
	const char *value; /* definition.tlp (1.0) or tlp_2_0 (2.0) */
} tlp_def_t;

/* TLP 2.0: created 2022-10-01, extension property tlp_2_0. */
static const tlp_def_t tlp2[] = {
    {SETU_TLP_CLEAR, "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
     "TLP:CLEAR", "clear"},
    {SETU_TLP_GREEN, "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
     "TLP:GREEN", "green"},
    {SETU_TLP_AMBER, "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
     "TLP:AMBER", "amber"},
    {SETU_TLP_AMBER_STRICT, "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
     "TLP:AMBER+STRICT", "amber+strict"},
    {SETU_TLP_RED, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED",
     "red"},
};

/* TLP 1.0 as predefined by STIX 2.1: created 2017-01-20, definition_type "tlp". */
static const tlp_def_t tlp1[] = {
    {SETU_TLP_CLEAR, "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
     "TLP:WHITE", "white"},
    {SETU_TLP_GREEN, "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
     "TLP:GREEN", "green"},
    {SETU_TLP_AMBER, "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
     "TLP:AMBER", "amber"},
    {SETU_TLP_RED, "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED",
     "red"},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

setu_tlp_t setu_tlp_of_marking_id(const char *id)
{
	if (id == NULL)
		return SETU_TLP_NONE;
	for (size_t i = 0; i < NELEM(tlp2); i++)
		if (strcasecmp(id, tlp2[i].id) == 0)
			return tlp2[i].level;
	for (size_t i = 0; i < NELEM(tlp1); i++)
		if (strcasecmp(id, tlp1[i].id) == 0)
			return tlp1[i].level;
	return SETU_TLP_NONE;
}

bool setu_tlp_is_v1_id(const char *id)
{
	if (id == NULL)
		return false;
	for (size_t i = 0; i < NELEM(tlp1); i++)
		if (strcasecmp(id, tlp1[i].id) == 0)
			return true;
	return false;
}

const char *setu_tlp_name(setu_tlp_t t)
{
	for (size_t i = 0; i < NELEM(tlp2); i++)
		if (tlp2[i].level == t)
			return tlp2[i].name;
	return "none";
}

setu_tlp_t setu_tlp_from_name(const char *name)
{
	if (name == NULL)
		return SETU_TLP_NONE;
	if (strncasecmp(name, "TLP:", 4) == 0)
		name += 4;
	for (size_t i = 0; i < NELEM(tlp2); i++)
		if (strcasecmp(name, tlp2[i].value) == 0)
			return tlp2[i].level;
	if (strcasecmp(name, "white") == 0)
		return SETU_TLP_CLEAR;
	return SETU_TLP_NONE;
}

const char *setu_tlp_marking_id(setu_tlp_t t)
{
	for (size_t i = 0; i < NELEM(tlp2); i++)
		if (tlp2[i].level == t)
			return tlp2[i].id;
	return NULL;
}

const char *setu_tlp_v1_marking_id(setu_tlp_t t)
{
	for (size_t i = 0; i < NELEM(tlp1); i++)
		if (tlp1[i].level == t)
			return tlp1[i].id;
	return NULL;
}

setu_tlp_t setu_tlp_max(setu_tlp_t a, setu_tlp_t b)
{
	return a > b ? a : b;
}

setu_tlp_t setu_tlp_of_object(const json_t *obj)
{
	setu_tlp_t t = SETU_TLP_NONE;
	if (!json_is_object(obj))
		return t;
	const json_t *refs = json_object_get(obj, "object_marking_refs");
	size_t i;
	const json_t *v;
	if (json_is_array(refs))
		json_array_foreach(refs, i, v) t =
		    setu_tlp_max(t, setu_tlp_of_marking_id(json_string_value(v)));
	const json_t *gm = json_object_get(obj, "granular_markings");
	if (json_is_array(gm))
		json_array_foreach(gm, i, v)
		{
			const json_t *ref = json_object_get(v, "marking_ref");
			t = setu_tlp_max(t,
			                 setu_tlp_of_marking_id(json_string_value(ref)));
		}
	return t;
}

setu_tlp_t setu_tlp_declared_by(const json_t *md)
{
	if (!json_is_object(md))
		return SETU_TLP_NONE;
	const char *dt = json_string_value(json_object_get(md, "definition_type"));
	if (dt != NULL && strcmp(dt, "tlp") == 0) {
		const char *v = json_string_value(
		    json_object_get(json_object_get(md, "definition"), "tlp"));
		for (size_t i = 0; v != NULL && i < NELEM(tlp1); i++)
			if (strcmp(v, tlp1[i].value) == 0)
				return tlp1[i].level;
		return SETU_TLP_NONE;
	}
	const json_t *ext =
	    json_object_get(json_object_get(md, "extensions"), SETU_TLP2_EXTENSION_ID);
	const char *v = json_string_value(json_object_get(ext, "tlp_2_0"));
	for (size_t i = 0; v != NULL && i < NELEM(tlp2); i++)
		if (strcmp(v, tlp2[i].value) == 0)
			return tlp2[i].level;
	return SETU_TLP_NONE;
}

json_t *setu_tlp_marking_object(setu_tlp_t t)
{
	for (size_t i = 0; i < NELEM(tlp2); i++) {
		if (tlp2[i].level != t)
			continue;
		return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type",
		                 "marking-definition", "spec_version", "2.1", "id",
		                 tlp2[i].id, "created", "2022-10-01T00:00:00.000Z",
		                 "name", tlp2[i].name, "extensions",
		                 SETU_TLP2_EXTENSION_ID, "extension_type",
		                 "property-extension", "tlp_2_0", tlp2[i].value);
	}
	return NULL;
}

json_t *setu_tlp_v1_marking_object(setu_tlp_t t)
{
	for (size_t i = 0; i < NELEM(tlp1); i++) {
		if (tlp1[i].level != t)
			continue;
		return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "type",
		                 "marking-definition", "spec_version", "2.1", "id",
		                 tlp1[i].id, "created", "2017-01-20T00:00:00.000Z",
		                 "definition_type", "tlp", "name", tlp1[i].name,
		                 "definition", "tlp", tlp1[i].value);
	}
	return NULL;
}

json_t *setu_tlp_predefined_markings(void)
{
	json_t *arr = json_array();
	if (arr == NULL)
		return NULL;
	for (size_t i = 0; i < NELEM(tlp1); i++)
		if (json_array_append_new(arr,
		                          setu_tlp_v1_marking_object(tlp1[i].level)) != 0)
			goto fail;
	for (size_t i = 0; i < NELEM(tlp2); i++)
		if (json_array_append_new(arr, setu_tlp_marking_object(tlp2[i].level)) !=
		    0)
			goto fail;
	return arr;
fail:
	json_decref(arr);
	return NULL;
}
