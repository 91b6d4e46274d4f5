/* fuzz_stix_object.c — libFuzzer target for STIX 2.1 object validation
 * (intel/stix-validate.h) and the effective TLP of objects (intel/tlp.h). */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "intel/stix-validate.h"
#include "intel/tlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(void *arg, const setu_diag_t *d)
{
	size_t *n = arg;
	*n += d->msg[0] != '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, &err);
	if (doc == NULL)
		return 0;
	size_t n = 0;
	(void)setu_stix_validate_collection_all(doc, count, &n);
	setu_diag_t d = {0};
	(void)setu_stix_validate_object(doc, &d);
	volatile int t = setu_tlp_of_object(doc) + setu_tlp_declared_by(doc);
	(void)t;
	json_t *objs = json_object_get(doc, "objects");
	size_t i;
	json_t *o;
	if (json_is_array(objs))
		json_array_foreach(objs, i, o) t = setu_tlp_of_object(o);
	json_decref(doc);
	return 0;
}
