/* applayer-flow.c — the app-layer on flows of the flow table (flow/flow.h): per-flow
 * state in storage[SETU_FLOW_STORAGE_APPLAYER], f->app_proto kept in step. */
#include "sensor/applayer/applayer.h"

#include "sensor/flow/flow.h"
#include "sensor/stream/stream.h"
#include "setu/error.h"

#include <netinet/in.h>

_Static_assert(SETU_STREAM_DATA_GAP == SETU_AL_GAP && SETU_STREAM_DATA_EOF == SETU_AL_EOF,
               "stream and app-layer flags must agree");

setu_alstate_t *setu_applayer_state(const setu_flow_t *f)
{
	return f->storage[SETU_FLOW_STORAGE_APPLAYER].ptr;
}

uint32_t setu_applayer_take_detect_events(setu_flow_t *f)
{
	setu_alstate_t *st = f->storage[SETU_FLOW_STORAGE_APPLAYER].ptr;
	return st != NULL ? setu_alstate_take_detect_events(st) : 0;
}

uint32_t setu_applayer_pending_detect_events(const setu_flow_t *f)
{
	const setu_alstate_t *st = f->storage[SETU_FLOW_STORAGE_APPLAYER].ptr;
	return st != NULL ? setu_alstate_pending_detect_events(st) : 0;
}

int setu_applayer_handle(setu_applayer_ctx_t *ac, setu_flow_t *f, const setu_pkt_t *p,
                         int dir, const uint8_t *data, size_t len, unsigned flags)
{
	(void)p;
	setu_alstate_t *st = f->storage[SETU_FLOW_STORAGE_APPLAYER].ptr;
	if (st == NULL) {
		if (f->app_proto == SETU_ALPROTO_FAILED)
			return 0;
		/* src/sp is the client in the flow table */
		st = setu_alstate_new(ac, f->proto == IPPROTO_UDP, f->sp, f->dp);
		if (st == NULL)
			return SETU_ENOMEM;
		f->storage[SETU_FLOW_STORAGE_APPLAYER].ptr = st;
		f->storage[SETU_FLOW_STORAGE_APPLAYER].free_fn = setu_alstate_free;
	}
	int rc = setu_alstate_handle(ac, st, dir, data, len, flags);
	f->app_proto = (uint16_t)setu_alstate_proto(st);
	return rc;
}

typedef struct flow_cb {
	setu_applayer_tx_cb cb;
	void *user;
	setu_flow_t *f;
} flow_cb_t;

static void flow_tx(void *user, setu_alproto_t proto, const setu_altx_t *tx)
{
	flow_cb_t *fc = user;
	fc->cb(fc->user, fc->f, proto, tx);
}

void setu_applayer_drain(setu_applayer_ctx_t *ac, setu_flow_t *f, bool flow_end,
                         setu_applayer_tx_cb cb, void *user)
{
	setu_alstate_t *st = f->storage[SETU_FLOW_STORAGE_APPLAYER].ptr;
	if (st == NULL)
		return;
	flow_cb_t fc = {cb, user, f};
	setu_alstate_drain(ac, st, flow_end, cb != NULL ? flow_tx : NULL, &fc);
}
