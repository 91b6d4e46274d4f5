/* stream-events.h — TCP stream anomaly events, with Suricata's stream-event names
 * (Suricata src/decode-events.c "stream.*" entries; stats counters "stream.<name>").
 * X(ID, "name"). Rules write them without the "stream." prefix (stream-event:NAME). */
#ifndef SETU_STREAM_EVENTS_H
#define SETU_STREAM_EVENTS_H

#define SETU_STREAM_EVENTS(X)                                                           \
	X(STREAM_3WHS_ACK_DATA_INJECT, "stream.3whs_ack_data_inject")                   \
	X(STREAM_3WHS_ACK_IN_WRONG_DIR, "stream.3whs_ack_in_wrong_dir")                 \
	X(STREAM_3WHS_ASYNC_WRONG_SEQ, "stream.3whs_async_wrong_seq")                   \
	X(STREAM_3WHS_RIGHT_SEQ_WRONG_ACK_EVASION,                                      \
	  "stream.3whs_right_seq_wrong_ack_evasion")                                    \
	X(STREAM_3WHS_SYN_FLOOD, "stream.3whs_syn_flood")                               \
	X(STREAM_3WHS_SYN_RESEND_DIFF_SEQ_ON_SYN_RECV,                                  \
	  "stream.3whs_syn_resend_diff_seq_on_syn_recv")                                \
	X(STREAM_3WHS_SYN_TOCLIENT_ON_SYN_RECV, "stream.3whs_syn_toclient_on_syn_recv") \
	X(STREAM_3WHS_SYNACK_FLOOD, "stream.3whs_synack_flood")                         \
	X(STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION,                                        \
	  "stream.3whs_synack_in_wrong_direction")                                      \
	X(STREAM_3WHS_SYNACK_RESEND_WITH_DIFF_ACK,                                      \
	  "stream.3whs_synack_resend_with_diff_ack")                                    \
	X(STREAM_3WHS_SYNACK_RESEND_WITH_DIFF_SEQ,                                      \
	  "stream.3whs_synack_resend_with_diff_seq")                                    \
	X(STREAM_3WHS_SYNACK_TFO_DATA_IGNORED, "stream.3whs_synack_tfo_data_ignored")   \
	X(STREAM_3WHS_SYNACK_TOSERVER_ON_SYN_RECV,                                      \
	  "stream.3whs_synack_toserver_on_syn_recv")                                    \
	X(STREAM_3WHS_SYNACK_WITH_WRONG_ACK, "stream.3whs_synack_with_wrong_ack")       \
	X(STREAM_3WHS_WRONG_SEQ_WRONG_ACK, "stream.3whs_wrong_seq_wrong_ack")           \
	X(STREAM_4WHS_INVALID_ACK, "stream.4whs_invalid_ack")                           \
	X(STREAM_4WHS_SYNACK_WITH_WRONG_ACK, "stream.4whs_synack_with_wrong_ack")       \
	X(STREAM_4WHS_SYNACK_WITH_WRONG_SYN, "stream.4whs_synack_with_wrong_syn")       \
	X(STREAM_4WHS_WRONG_SEQ, "stream.4whs_wrong_seq")                               \
	X(STREAM_CLOSEWAIT_ACK_OUT_OF_WINDOW, "stream.closewait_ack_out_of_window")     \
	X(STREAM_CLOSEWAIT_FIN_OUT_OF_WINDOW, "stream.closewait_fin_out_of_window")     \
	X(STREAM_CLOSEWAIT_INVALID_ACK, "stream.closewait_invalid_ack")                 \
	X(STREAM_CLOSEWAIT_PKT_BEFORE_LAST_ACK, "stream.closewait_pkt_before_last_ack") \
	X(STREAM_CLOSING_ACK_WRONG_SEQ, "stream.closing_ack_wrong_seq")                 \
	X(STREAM_CLOSING_INVALID_ACK, "stream.closing_invalid_ack")                     \
	X(STREAM_EST_ACK_ZWP_DATA, "stream.est_ack_zwp_data")                           \
	X(STREAM_EST_INVALID_ACK, "stream.est_invalid_ack")                             \
	X(STREAM_EST_PACKET_OUT_OF_WINDOW, "stream.est_packet_out_of_window")           \
	X(STREAM_EST_PKT_BEFORE_LAST_ACK, "stream.est_pkt_before_last_ack")             \
	X(STREAM_EST_SYN_RESEND, "stream.est_syn_resend")                               \
	X(STREAM_EST_SYN_RESEND_DIFF_SEQ, "stream.est_syn_resend_diff_seq")             \
	X(STREAM_EST_SYN_TOCLIENT, "stream.est_syn_toclient")                           \
	X(STREAM_EST_SYNACK_RESEND, "stream.est_synack_resend")                         \
	X(STREAM_EST_SYNACK_RESEND_WITH_DIFF_ACK,                                       \
	  "stream.est_synack_resend_with_diff_ack")                                     \
	X(STREAM_EST_SYNACK_RESEND_WITH_DIFF_SEQ,                                       \
	  "stream.est_synack_resend_with_diff_seq")                                     \
	X(STREAM_EST_SYNACK_TOSERVER, "stream.est_synack_toserver")                     \
	X(STREAM_FIN1_ACK_WRONG_SEQ, "stream.fin1_ack_wrong_seq")                       \
	X(STREAM_FIN1_FIN_WRONG_SEQ, "stream.fin1_fin_wrong_seq")                       \
	X(STREAM_FIN1_INVALID_ACK, "stream.fin1_invalid_ack")                           \
	X(STREAM_FIN2_ACK_WRONG_SEQ, "stream.fin2_ack_wrong_seq")                       \
	X(STREAM_FIN2_FIN_WRONG_SEQ, "stream.fin2_fin_wrong_seq")                       \
	X(STREAM_FIN2_INVALID_ACK, "stream.fin2_invalid_ack")                           \
	X(STREAM_FIN_BUT_NO_SESSION, "stream.fin_but_no_session")                       \
	X(STREAM_FIN_INVALID_ACK, "stream.fin_invalid_ack")                             \
	X(STREAM_FIN_OUT_OF_WINDOW, "stream.fin_out_of_window")                         \
	X(STREAM_FIN_SYN, "stream.fin_syn")                                             \
	X(STREAM_LASTACK_ACK_WRONG_SEQ, "stream.lastack_ack_wrong_seq")                 \
	X(STREAM_LASTACK_INVALID_ACK, "stream.lastack_invalid_ack")                     \
	X(STREAM_PKT_BAD_WINDOW_UPDATE, "stream.pkt_bad_window_update")                 \
	X(STREAM_PKT_BROKEN_ACK, "stream.pkt_broken_ack")                               \
	X(STREAM_PKT_INVALID_ACK, "stream.pkt_invalid_ack")                             \
	X(STREAM_PKT_INVALID_TIMESTAMP, "stream.pkt_invalid_timestamp")                 \
	X(STREAM_PKT_RETRANSMISSION, "stream.pkt_retransmission")                       \
	X(STREAM_PKT_SPURIOUS_RETRANSMISSION, "stream.pkt_spurious_retransmission")     \
	X(STREAM_REASSEMBLY_DEPTH_REACHED, "stream.reassembly_depth_reached")           \
	X(STREAM_REASSEMBLY_INSERT_INVALID, "stream.reassembly_insert_invalid")         \
	X(STREAM_REASSEMBLY_INSERT_LIMIT, "stream.reassembly_insert_limit")             \
	X(STREAM_REASSEMBLY_INSERT_MEMCAP, "stream.reassembly_insert_memcap")           \
	X(STREAM_REASSEMBLY_NO_SEGMENT, "stream.reassembly_no_segment")                 \
	X(STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA,                                     \
	  "stream.reassembly_overlap_different_data")                                   \
	X(STREAM_REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ,                                    \
	  "stream.reassembly_segment_before_base_seq")                                  \
	X(STREAM_REASSEMBLY_SEQ_GAP, "stream.reassembly_seq_gap")                       \
	X(STREAM_REASSEMBLY_URGENT_OOB_LIMIT_REACHED,                                   \
	  "stream.reassembly_urgent_oob_limit_reached")                                 \
	X(STREAM_RST_BUT_NO_SESSION, "stream.rst_but_no_session")                       \
	X(STREAM_RST_INVALID_ACK, "stream.rst_invalid_ack")                             \
	X(STREAM_RST_WITH_DATA, "stream.rst_with_data")                                 \
	X(STREAM_SHUTDOWN_SYN_RESEND, "stream.shutdown_syn_resend")                     \
	X(STREAM_SUSPECTED_RST_INJECT, "stream.suspected_rst_inject")                   \
	X(STREAM_TIMEWAIT_ACK_WRONG_SEQ, "stream.timewait_ack_wrong_seq")               \
	X(STREAM_TIMEWAIT_INVALID_ACK, "stream.timewait_invalid_ack")                   \
	X(STREAM_WRONG_THREAD, "stream.wrong_thread")

/* Old spellings accepted in rules (Suricata's rules/stream-events.rules still uses them):
 * A(rule_name, canonical_name_without_prefix). The detect parser maps rule_name before
 * prefixing "stream." and looking the event up. */
#define SETU_STREAM_EVENT_ALIASES(A)                                                   \
	A("3whs_synack_resend_with_different_ack", "3whs_synack_resend_with_diff_ack") \
	A("est_synack_resend_with_different_ack", "est_synack_resend_with_diff_ack")

#endif
