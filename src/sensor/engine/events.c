/* events.c — names and kinds of anomaly events (tables generated from the X-lists). */
#include "events.h"

#include <string.h>

static const char *const event_names[SETU_EV_MAX] = {[SETU_EV_NONE] = NULL,
#define SETU_EV_NAME(id, name) [SETU_EV_##id] = name,
                                                     SETU_DECODE_EVENTS(SETU_EV_NAME)
                                                         SETU_STREAM_EVENTS(SETU_EV_NAME)
#undef SETU_EV_NAME
};

/* First stream event: everything before it is a decoder event. */
enum {
#define SETU_EV_COUNT(id, name) +1
	SETU_EV_FIRST_STREAM = 1 SETU_DECODE_EVENTS(SETU_EV_COUNT)
#undef SETU_EV_COUNT
};

const char *setu_event_name(setu_event_t e)
{
	if ((int)e <= SETU_EV_NONE || e >= SETU_EV_MAX)
		return NULL;
	return event_names[e];
}

setu_event_kind_t setu_event_kind(setu_event_t e)
{
	return (int)e >= SETU_EV_FIRST_STREAM ? SETU_EVKIND_STREAM : SETU_EVKIND_DECODE;
}

setu_event_t setu_event_by_name(const char *name)
{
	for (int e = SETU_EV_NONE + 1; e < SETU_EV_MAX; e++)
		if (strcmp(event_names[e], name) == 0)
			return (setu_event_t)e;
	return SETU_EV_NONE;
}
