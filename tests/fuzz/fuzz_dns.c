/* fuzz_dns.c — libFuzzer target for the DNS parser (RFC 1035) and its EVE block.
 * Byte 0 picks the transport (bit 0: TCP) and the TCP chunk size (bits 1-6); the rest is
 * one datagram (fed as request and as response) or a TCP stream fed in both directions.
 */
#include "common/buf.h"
#include "sensor/applayer/applayer-int.h"

#include <stddef.h>
#include <stdint.h>

static void emit(void *user, setu_alproto_t proto, const setu_altx_t *tx)
{
	setu_buf_t *b = user;
	setu_applayer_eve_opts_t o;
	setu_applayer_eve_opts_default(&o);
	setu_json_t j;
	setu_buf_reset(b);
	setu_json_init(&j, b);
	setu_json_open_object(&j, NULL);
	setu_applayer_eve_tx(&j, proto, tx, &o);
	setu_json_close_object(&j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	setu_dns_state_t *ds = setu_dns_state_new();
	if (ds == NULL)
		return 0;
	setu_buf_t out;
	setu_buf_init(&out, 0);
	if (mode & 1) {
		size_t chunk = (size_t)((mode >> 1) & 0x3f) + 1;
		for (size_t off = 0; off < size; off += chunk) {
			size_t n = size - off < chunk ? size - off : chunk;
			setu_dns_parse(ds, 0, true, data + off, n, 0);
			setu_dns_parse(ds, 1, true, data + off, n,
			               off + n == size ? SETU_AL_EOF : 0);
			setu_altxq_drain(setu_dns_txq(ds), SETU_ALPROTO_DNS, false, emit,
			                 &out, setu_dns_tx_release, ds);
		}
	} else {
		setu_dns_parse(ds, 0, false, data, size, 0);
		setu_dns_parse(ds, 1, false, data, size, 0);
	}
	setu_altxq_drain(setu_dns_txq(ds), SETU_ALPROTO_DNS, true, emit, &out,
	                 setu_dns_tx_release, ds);
	setu_buf_free(&out);
	setu_dns_state_free(ds);
	return 0;
}
