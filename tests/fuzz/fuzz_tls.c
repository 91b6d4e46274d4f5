/* fuzz_tls.c — libFuzzer target for the app-layer glue (detection) and the TLS parser
 * with its EVE block. Byte 0: chunk size (bits 0-5), every tls.custom field (bit 7),
 * and where the server side starts
 * (bit 6: at the middle, else at the first "\r\n\r\n\r\n" marker or the middle);
 * client and server chunks are fed alternately, as a TCP flow to port 443 would be. */
#include "common/buf.h"
#include "sensor/applayer/applayer.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct out {
	setu_buf_t b;
	bool custom; /* byte 0 bit 7: every tls.custom field instead of extended */
} out_t;

static void emit(void *user, setu_alproto_t proto, const setu_altx_t *tx)
{
	out_t *u = user;
	setu_buf_t *b = &u->b;
	setu_applayer_eve_opts_t o;
	setu_applayer_eve_opts_default(&o);
	o.tls_ja3 = o.tls_ja4 = true;
	o.http_request_headers = o.http_response_headers = true;
	o.tls_session_resumption = true;
	if (u->custom)
		o.tls_custom = ~0u;
	setu_json_t j;
	setu_buf_reset(b);
	setu_json_init(&j, b);
	setu_json_open_object(&j, NULL);
	(void)setu_applayer_tx_loggable(proto, tx, &o);
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
	size_t split = size / 2;
	if (!(mode & 0x40)) {
		const uint8_t *m = memmem(data, size, "\r\n\r\n\r\n", 6);
		if (m != NULL)
			split = (size_t)(m - data) + 6;
	}
	size_t chunk = (size_t)(mode & 0x3f) + 1;
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	if (ac == NULL)
		return 0;
	setu_alstate_t *st = setu_alstate_new(ac, false, 40000, 443);
	out_t out;
	setu_buf_init(&out.b, 0);
	out.custom = (mode & 0x80) != 0;
	size_t c = 0, s = split;
	while (st != NULL && (c < split || s < size)) {
		if (c < split) {
			size_t n = split - c < chunk ? split - c : chunk;
			setu_alstate_handle(ac, st, 0, data + c, n,
			                    c + n == split ? SETU_AL_EOF : 0);
			c += n;
		}
		if (s < size) {
			size_t n = size - s < chunk ? size - s : chunk;
			setu_alstate_handle(ac, st, 1, data + s, n,
			                    s + n == size ? SETU_AL_EOF : 0);
			s += n;
		}
		setu_alstate_drain(ac, st, false, emit, &out);
	}
	if (st != NULL) {
		setu_alstate_drain(ac, st, true, emit, &out);
		setu_alstate_free(st);
	}
	setu_buf_free(&out.b);
	setu_applayer_ctx_free(ac);
	return 0;
}
