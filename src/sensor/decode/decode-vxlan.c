/* decode-vxlan.c — VXLAN (RFC 7348) on UDP port 4789: 8-byte header with the I flag,
 * then an Ethernet frame; event vxlan.unknown_payload_type as Suricata's decode-vxlan.c.
 */
#include "sensor/decode/decode-int.h"

#define VXLAN_HDR_LEN 8

int decode_vxlan(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	/* Not VXLAN unless the header is whole, the I flag is set and the last reserved
	 * byte is zero: then the datagram stays plain UDP, as in Suricata. (Bytes 1-3 are
	 * not checked: the group-policy extension uses them.) */
	if (len < VXLAN_HDR_LEN + 14)
		return 0;
	if (!(buf[0] & 0x08) || buf[7] != 0)
		return 0;
	setu_dc_inc(dc, SETU_DC_VXLAN);
	const uint8_t *eth = buf + VXLAN_HDR_LEN;
	uint16_t type = setu_be16(eth + 12);
	switch (type) {
	case 0x0800:
	case 0x86dd:
	case 0x0806:
	case 0x8100:
	case 0x88a8:
	case 0x9100:
		break;
	default:
		setu_pkt_set_event(p, SETU_EV_VXLAN_UNKNOWN_PAYLOAD_TYPE);
		return 1;
	}
	int rc = decode_tunnel_enter(dc, p);
	if (rc == 0)
		rc = decode_ethernet(dc, p, eth, len - VXLAN_HDR_LEN);
	return rc < 0 ? rc : 1;
}
