/* decode-ethernet.c — Ethernet II and 802.3/SNAP frames (IEEE 802.3, RFC 1042);
 * events as Suricata's decode-ethernet.c. */
#include "sensor/decode/decode-int.h"

#include <string.h>

#define ETH_HDR_LEN 14

int decode_ethernet(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_ETHERNET);
	if (len < ETH_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_ETHERNET_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	setu_rd_t r = setu_rd_init(buf, len);
	setu_rd_copy(&r, p->eth_dst, 6);
	setu_rd_copy(&r, p->eth_src, 6);
	uint16_t type = setu_rd_be16(&r);
	p->has_eth = true;

	if (type < 0x0600) {
		/* 802.3 with an LLC header: only SNAP (AA AA 03 + OUI 000000) carries an
		 * ethertype; plain LLC (STP, NetBIOS...) has nothing for us. */
		const uint8_t *llc = setu_rd_ptr(&r);
		if (setu_rd_left(&r) >= 8 && llc[0] == 0xaa && llc[1] == 0xaa &&
		    llc[2] == 0x03 && llc[3] == 0 && llc[4] == 0 && llc[5] == 0) {
			setu_rd_skip(&r, 6);
			type = setu_rd_be16(&r);
		} else {
			return 0;
		}
	}
	return decode_ethertype(dc, p, type, setu_rd_ptr(&r), setu_rd_left(&r),
	                        SETU_EV_ETHERNET_UNKNOWN_ETHERTYPE);
}
