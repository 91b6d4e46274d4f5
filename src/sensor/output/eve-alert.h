/* eve-alert.h — the EVE "alert" record (Suricata output-json-alert.c format). */
#ifndef SETU_EVE_ALERT_H
#define SETU_EVE_ALERT_H

#include "sensor/decode/packet.h"
#include "sensor/detect/detect.h"
#include "sensor/output/eve.h"
#include "sensor/stream/stream.h"

/* Writes the alert record up to (not including) the app-layer block: the caller may add
 * "app_proto" and the protocol block, then calls setu_eve_alert_end(). */
void setu_eve_alert_begin(setu_json_t *j, const setu_eve_opts_t *o, const setu_pkt_t *p,
                          const setu_alert_t *a);
/* gaps: holes in a stream match's payload (absolute stream offsets, as
 * setu_stream_raw_gaps gives them), printed as "[N bytes missing]" as Suricata does. */
void setu_eve_alert_end(setu_json_t *j, const setu_eve_opts_t *o, const setu_pkt_t *p,
                        const setu_alert_t *a, const setu_stream_gap_t *gaps,
                        size_t ngaps);

/* Suricata's printable form of a payload: bytes outside 0x20-0x7e (but \n, \r, \t) → '.'
 */
void setu_eve_printable(setu_json_t *j, const char *key, const uint8_t *d, size_t n);

#endif
