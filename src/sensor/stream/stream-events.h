/* stream-events.h — TCP stream anomaly events (Suricata's stream-event names).
 * X(ID, "name"). */
#ifndef SETU_STREAM_EVENTS_H
#define SETU_STREAM_EVENTS_H

#define SETU_STREAM_EVENTS(X)                               \
	X(STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION,            \
	  "stream.3whs_synack_in_wrong_direction")          \
	X(STREAM_PKT_INVALID_ACK, "stream.pkt_invalid_ack") \
	X(STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA,         \
	  "stream.reassembly_overlap_different_data")

#endif
