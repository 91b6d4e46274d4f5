/* decode-chdlc.c — Cisco HDLC framing (LINKTYPE_C_HDLC, 104): address, control, then an
 * ethertype; event chdlc.pkt_too_small as Suricata's decode-chdlc.c. */
#include "sensor/decode/decode-int.h"

#define CHDLC_HDR_LEN 4

int decode_chdlc(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_CHDLC);
	if (len < CHDLC_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_CHDLC_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	return decode_ethertype(dc, p, setu_be16(buf + 2), buf + CHDLC_HDR_LEN,
	                        len - CHDLC_HDR_LEN, SETU_EV_NONE);
}
