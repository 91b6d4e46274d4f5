/* decode-vlan.c — IEEE 802.1Q VLAN tags and 802.1ad QinQ stacks, plus the other 802.1
 * tags (802.1ah, VN-Tag, 802.1BR E-Tag); events as Suricata's decode-vlan.c
 * (vlan.header_too_small, vlan.unknown_type, vlan.too_many_layers), decode-vntag.c,
 * decode-etag.c. */
#include "sensor/decode/decode-int.h"

#define VLAN_HDR_LEN 4

int decode_vlan(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	if (p->vlan_count == 0)
		setu_dc_inc(dc, SETU_DC_VLAN);
	else if (p->vlan_count == 1)
		setu_dc_inc(dc, SETU_DC_VLAN_QINQ);
	else if (p->vlan_count == 2)
		setu_dc_inc(dc, SETU_DC_VLAN_QINQINQ);

	if (len < VLAN_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_VLAN_HEADER_TOO_SMALL);
		return SETU_ETRUNC;
	}
	if (p->vlan_count >= SETU_MAX_VLAN) {
		setu_pkt_set_event(p, SETU_EV_VLAN_TOO_MANY_LAYERS);
		return SETU_ELIMIT;
	}
	int rc = decode_layer_enter(dc, p);
	if (rc < 0)
		return rc;
	setu_rd_t r = setu_rd_init(buf, len);
	uint16_t tci = setu_rd_be16(&r);
	uint16_t type = setu_rd_be16(&r);
	p->vlan_id[p->vlan_count++] = tci & 0x0fff;
	return decode_ethertype(dc, p, type, setu_rd_ptr(&r), setu_rd_left(&r),
	                        SETU_EV_VLAN_UNKNOWN_TYPE);
}

/* IEEE 802.1ah (provider backbone bridging): a 4-byte I-TAG, then the customer's
 * Ethernet frame; event as Suricata's decode-vlan.c. */
int decode_ieee8021ah(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf,
                      size_t len)
{
	setu_dc_inc(dc, SETU_DC_IEEE8021AH);
	if (len < 4 + 14) {
		setu_pkt_set_event(p, SETU_EV_IEEE8021AH_HEADER_TOO_SMALL);
		return SETU_ETRUNC;
	}
	int rc = decode_layer_enter(dc, p);
	return rc < 0 ? rc : decode_ethernet(dc, p, buf + 4, len - 4);
}

/* Cisco VN-Tag (4-byte tag + ethertype) and IEEE 802.1BR E-Tag (6-byte tag +
 * ethertype); events as Suricata's decode-vntag.c and decode-etag.c. */
int decode_vntag(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_VNTAG);
	if (len < 6) {
		setu_pkt_set_event(p, SETU_EV_VNTAG_HEADER_TOO_SMALL);
		return SETU_ETRUNC;
	}
	int rc = decode_layer_enter(dc, p);
	if (rc < 0)
		return rc;
	return decode_ethertype(dc, p, setu_be16(buf + 4), buf + 6, len - 6,
	                        SETU_EV_VNTAG_UNKNOWN_TYPE);
}

int decode_etag(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_ETAG);
	if (len < 8) {
		setu_pkt_set_event(p, SETU_EV_ETAG_HEADER_TOO_SMALL);
		return SETU_ETRUNC;
	}
	int rc = decode_layer_enter(dc, p);
	if (rc < 0)
		return rc;
	return decode_ethertype(dc, p, setu_be16(buf + 6), buf + 8, len - 8,
	                        SETU_EV_ETAG_UNKNOWN_TYPE);
}
