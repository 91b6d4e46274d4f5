/* fuzz_stix_pattern.c — libFuzzer target for the STIX 2.1 pattern parser
 * (intel/pattern.h): parses in both grammar modes and walks every node of the AST it
 * returns. */
#include <stddef.h>
#include <stdint.h>

#include "intel/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const setu_pat_node_t *n, unsigned depth)
{
	char buf[64];
	size_t sum = n->nquals + n->nchildren;
	if (n->kind == SETU_PAT_COMPARISON || n->kind == SETU_PAT_EXISTS) {
		sum += setu_pat_path_format(&n->path, buf, sizeof(buf));
		sum += n->value.len + n->value.nitems;
		for (size_t i = 0; i < n->value.nitems; i++)
			sum += n->value.items[i].len;
	}
	for (size_t i = 0; i < n->nchildren; i++)
		sum += walk(n->children[i], depth + 1);
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (unsigned flags = 0; flags <= SETU_PATTERN_NO_NOT_EXISTS; flags++) {
		setu_pattern_t *p = NULL;
		setu_diag_t d = {0};
		if (setu_pattern_parse_ex((const char *)data, size, flags, &p, &d) == 0) {
			volatile size_t sink = walk(setu_pattern_root(p), 0);
			(void)sink;
			setu_pattern_free(p);
		}
	}
	return 0;
}
