/* flow-id.c — EVE flow_id with the shape of Suricata's FlowGetId (src/flow.h): start time
 * (low 16 bits of seconds and of microseconds) above the 32-bit flow hash, cut to 51 bits
 * so JSON consumers that store numbers as doubles keep it exact. */
#include "flow.h"

uint64_t setu_flow_make_id(uint32_t hash, const struct timeval *start)
{
	uint64_t id = ((uint64_t)((uint64_t)start->tv_sec & 0xffffu) << 48) |
	              ((uint64_t)((uint64_t)start->tv_usec & 0xffffu) << 32) |
	              (uint64_t)hash;
	id &= 0x7ffffffffffffull;
	if (id == 0)
		id = 1; /* keep it positive: 0 means "no flow" to EVE consumers */
	return id;
}
