/* decode-sll.c — Linux "cooked" capture headers: LINKTYPE_LINUX_SLL (16 bytes) and
 * LINKTYPE_LINUX_SLL2 (20 bytes), as documented on tcpdump.org/linktypes. */
#include "sensor/decode/decode-int.h"

#define SLL_HDR_LEN 16
#define SLL2_HDR_LEN 20
#define ARPHRD_NETLINK 824

/* The protocol field is an ethertype, except for a few Linux-only values below 0x0600
 * (802.2 LLC, 802.3 "raw", CAN...) that we do not decode. */
static int sll_payload(setu_decode_ctx_t *dc, setu_pkt_t *p, uint16_t hatype,
                       uint16_t proto, const uint8_t *buf, size_t len)
{
	if (hatype == ARPHRD_NETLINK || proto < 0x0600)
		return 0;
	return decode_ethertype(dc, p, proto, buf, len, SETU_EV_NONE);
}

int decode_sll(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_SLL);
	if (len < SLL_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_SLL_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	setu_rd_t r = setu_rd_init(buf, len);
	setu_rd_skip(&r, 2); /* packet type */
	uint16_t hatype = setu_rd_be16(&r);
	setu_rd_skip(&r, 2 + 8); /* address length, address */
	uint16_t proto = setu_rd_be16(&r);
	return sll_payload(dc, p, hatype, proto, setu_rd_ptr(&r), setu_rd_left(&r));
}

int decode_sll2(setu_decode_ctx_t *dc, setu_pkt_t *p, const uint8_t *buf, size_t len)
{
	setu_dc_inc(dc, SETU_DC_SLL2);
	if (len < SLL2_HDR_LEN) {
		setu_pkt_set_event(p, SETU_EV_SLL2_PKT_TOO_SMALL);
		return SETU_ETRUNC;
	}
	setu_rd_t r = setu_rd_init(buf, len);
	uint16_t proto = setu_rd_be16(&r);
	setu_rd_skip(&r, 2 + 4); /* reserved, interface index */
	uint16_t hatype = setu_rd_be16(&r);
	setu_rd_skip(&r, 1 + 1 + 8); /* packet type, address length, address */
	return sll_payload(dc, p, hatype, proto, setu_rd_ptr(&r), setu_rd_left(&r));
}
