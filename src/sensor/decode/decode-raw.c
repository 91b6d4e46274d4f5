/* decode-raw.c — LINKTYPE_RAW: an IPv4 or IPv6 packet with no link header, told apart
 * by its version nibble; event ipraw.invalid_ip_version as Suricata's decode-raw.c. */
#include "sensor/decode/decode-int.h"

int decode_raw(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_RAW);
	if (len < 1) {
		setu_pkt_set_event(p, SETU_EV_IPV4_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	switch (buf[0] >> 4) {
	case 4:
		return decode_ipv4(dc, p, buf, len);
	case 6:
		return decode_ipv6(dc, p, buf, len);
	default:
		setu_pkt_set_event(p, SETU_EV_IPRAW_INVALID_IP_VERSION);
		return SETU_EMALFORMED;
	}
}
