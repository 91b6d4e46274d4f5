/* events.h — anomaly events raised on packets and flows, with Suricata's names so that
 * `decode-event:`/`stream-event:` rules and EVE `anomaly` records mean the same thing.
 * The lists live beside the code that raises them: decode/decode-events.h and
 * stream/stream-events.h. */
#ifndef SETU_EVENTS_H
#define SETU_EVENTS_H

#include "sensor/decode/decode-events.h"
#include "sensor/stream/stream-events.h"

/* Kind of an event, as EVE's anomaly.type says it. */
typedef enum setu_event_kind {
	SETU_EVKIND_DECODE = 0,
	SETU_EVKIND_STREAM = 1,
	SETU_EVKIND_APPLAYER = 2,
} setu_event_kind_t;

typedef enum setu_event {
	SETU_EV_NONE = 0,
#define SETU_EV_ENUM(id, name) SETU_EV_##id,
	SETU_DECODE_EVENTS(SETU_EV_ENUM) SETU_STREAM_EVENTS(SETU_EV_ENUM)
#undef SETU_EV_ENUM
	    SETU_EV_MAX
} setu_event_t;

/* "ipv4.trunc_pkt" / "stream.pkt_invalid_ack"; NULL for SETU_EV_NONE or out of range. */
const char *setu_event_name(setu_event_t e);
setu_event_kind_t setu_event_kind(setu_event_t e);
/* Lookup by name as written in rules ("ipv4.trunc_pkt"); SETU_EV_NONE if unknown. */
setu_event_t setu_event_by_name(const char *name);

#endif
