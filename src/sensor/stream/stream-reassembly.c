/* stream-reassembly.c — per-direction TCP reassembly (Suricata stream-tcp-reassemble.c
 * semantics): segments held until handed on, overlaps resolved with the "bsd" policy,
 * data already handed on never changes ("first wins"), gaps when the peer ACKs data we
 * never saw or at flow end, reassembly depth, memcaps.
 *
 * Delivery: with deliver_on_ack (the default) data is handed on when the receiver ACKed
 * it, as Suricata does in IDS mode ("inline: no"), so that what is inspected is what the
 * receiver accepted; what was never ACKed goes out at flow end or RST. Async-oneside
 * sessions (the receiver is never seen) and deliver_on_ack = false hand data on as soon
 * as it is in order (Suricata's inline behaviour). Overlaps on delivered bytes are
 * compared against the raw window and raise stream.reassembly_overlap_different_data.
 *
 * Memcap policy (stream.reassembly.memcap): a segment that does not fit is counted
 * (tcp.segment_memcap_drop), the event stream.reassembly_insert_memcap is set, and
 * reassembly stops for the flow: what is pending is delivered over its holes, both
 * directions get EOF, and later data of the flow is tracked but not reassembled. A raw
 * window the memcap cannot pay for is dropped for that direction (data still flows). */
#include "stream-private.h"

#include "setu/error.h"

#include <stdlib.h>
#include <string.h>

int64_t setu_stream_off_of_seq(const setu_tcp_stream_t *st, uint32_t seq)
{
	uint32_t app_seq = st->base_seq + (uint32_t)st->app_off;
	return (int64_t)st->app_off + (int32_t)(seq - app_seq);
}

static void set_event(const setu_reasm_call_t *rc, setu_event_t e)
{
	if (rc->p)
		setu_pkt_set_event(rc->p, e);
}

static bool charge(const setu_reasm_call_t *rc, size_t n)
{
	setu_stream_ctx_t *sc = rc->sc;
	if (sc->reasm_memuse + n > sc->cfg.reassembly_memcap || sc->reasm_memuse + n < n)
		return false;
	sc->reasm_memuse += n;
	rc->f->tcp->reasm_mem += n;
	return true;
}

static void uncharge(const setu_reasm_call_t *rc, size_t n)
{
	rc->sc->reasm_memuse -= n;
	rc->f->tcp->reasm_mem -= n;
}

/* Segment blocks: a segment whose header and data fit 2 KiB takes a block of the
 * smallest class (64 << c bytes) that holds it, and goes back to the context's free list
 * of that class when its data was handed on, so that the steady stream of segments made
 * and freed per packet does not go through malloc (written here: glibc's bins for these
 * sizes still split, merge and consolidate chunks). x->cap (the bytes charged) never
 * changes after seg_new, so it tells the class. The free lists hold at most
 * SETU_STREAM_SEG_POOL_BYTES; a block beyond that goes back to malloc. */
static int seg_class(size_t cap)
{
	size_t need = sizeof(setu_stream_seg_t) + cap;
	for (int c = 0; c < SETU_STREAM_SEG_CLASSES; c++)
		if (need <= (size_t)64 << c)
			return c;
	return -1;
}

static setu_stream_seg_t *seg_alloc(setu_stream_ctx_t *sc, size_t len)
{
	int c = seg_class(len);
	if (c < 0)
		return malloc(sizeof(setu_stream_seg_t) + len);
	setu_stream_seg_t *x = sc ? sc->seg_pool[c] : NULL;
	if (x) {
		sc->seg_pool[c] = x->next;
		sc->seg_pool_bytes -= (size_t)64 << c;
		return x;
	}
	return malloc((size_t)64 << c);
}

static void seg_free(setu_stream_ctx_t *sc, setu_stream_seg_t *x)
{
	int c = seg_class(x->cap);
	if (c < 0 || !sc ||
	    sc->seg_pool_bytes + ((size_t)64 << c) > SETU_STREAM_SEG_POOL_BYTES) {
		free(x);
		return;
	}
	x->next = sc->seg_pool[c];
	sc->seg_pool[c] = x;
	sc->seg_pool_bytes += (size_t)64 << c;
}

/* Raw window buffers: the window grows 4 KiB, 8 KiB ... up to 1.5 x raw_window (see
 * raw_put); a buffer of one of those capacities goes back to the context's free list of
 * its class when its flow ends, and a window that grows takes the next class's buffer
 * from there when there is one (in place of realloc). Other capacities (a window made
 * at once for a large chunk) go back to malloc. */
static int raw_class(const setu_stream_ctx_t *sc, size_t cap)
{
	size_t w = sc->cfg.raw_window;
	if (cap == w + w / 2)
		return SETU_STREAM_RAW_CLASSES - 1;
	for (int k = 0; k < SETU_STREAM_RAW_CLASSES - 1; k++)
		if (cap == (size_t)4096 << k)
			return k;
	return -1;
}

/* A free buffer of exactly cap bytes, or NULL. */
static uint8_t *raw_pool_get(setu_stream_ctx_t *sc, size_t cap)
{
	int k = raw_class(sc, cap);
	if (k < 0 || !sc->raw_pool[k])
		return NULL;
	uint8_t *b = sc->raw_pool[k];
	memcpy(&sc->raw_pool[k], b, sizeof(void *));
	sc->raw_pool_bytes -= cap;
	return b;
}

static void raw_buf_free(setu_stream_ctx_t *sc, uint8_t *b, size_t cap)
{
	if (!b)
		return;
	int k = sc ? raw_class(sc, cap) : -1;
	if (k < 0 || sc->raw_pool_bytes + cap > SETU_STREAM_RAW_POOL_BYTES) {
		free(b);
		return;
	}
	memcpy(b, &sc->raw_pool[k], sizeof(void *));
	sc->raw_pool[k] = b;
	sc->raw_pool_bytes += cap;
}

void setu_reasm_pool_free(setu_stream_ctx_t *sc)
{
	for (int k = 0; k < SETU_STREAM_RAW_CLASSES; k++) {
		void *b = sc->raw_pool[k];
		while (b) {
			void *next;
			memcpy(&next, b, sizeof(void *));
			free(b);
			b = next;
		}
		sc->raw_pool[k] = NULL;
	}
	sc->raw_pool_bytes = 0;
	for (int c = 0; c < SETU_STREAM_SEG_CLASSES; c++) {
		setu_stream_seg_t *x = sc->seg_pool[c];
		while (x) {
			setu_stream_seg_t *next = x->next;
			free(x);
			x = next;
		}
		sc->seg_pool[c] = NULL;
	}
	sc->seg_pool_bytes = 0;
}

static void free_segs(const setu_reasm_call_t *rc, setu_tcp_stream_t *st)
{
	setu_stream_seg_t *x = st->segs;
	while (x) {
		setu_stream_seg_t *next = x->next;
		uncharge(rc, sizeof(*x) + x->cap);
		seg_free(rc->sc, x);
		x = next;
	}
	st->segs = NULL;
	st->nsegs = 0;
	st->seg_bytes = 0;
}

static void raw_drop(const setu_reasm_call_t *rc, setu_tcp_stream_t *st)
{
	raw_buf_free(rc->sc, st->raw, st->raw_cap);
	uncharge(rc, st->raw_cap);
	st->raw = NULL;
	st->raw_len = st->raw_cap = 0;
	st->nraw_gaps = 0;
	st->flags |= SETU_STREAM_F_RAW_OFF;
}

/* Forget holes that slid out of the window. */
static void raw_trim_gaps(setu_tcp_stream_t *st)
{
	unsigned n = 0;
	for (unsigned i = 0; i < st->nraw_gaps; i++) {
		setu_stream_gap_t g = st->raw_gaps[i];
		if (g.offset + g.len <= st->raw_off)
			continue;
		if (g.offset < st->raw_off) {
			g.len -= st->raw_off - g.offset;
			g.offset = st->raw_off;
		}
		st->raw_gaps[n++] = g;
	}
	st->nraw_gaps = (uint8_t)n;
}

/* Append len bytes (zeros when data is NULL) at the end of the raw window. The window
 * grows with the data (short flows keep small buffers) up to 1.5 times raw_window; when
 * full, the oldest bytes beyond the window are dropped, so each byte moves at most twice.
 */
static void raw_put(const setu_reasm_call_t *rc, setu_tcp_stream_t *st,
                    const uint8_t *data, size_t len)
{
	size_t w = rc->sc->cfg.raw_window;
	if (w == 0 || (st->flags & SETU_STREAM_F_RAW_OFF) || len == 0)
		return;
	size_t maxcap = w + w / 2;
	if (len >= w) {
		size_t skip = len - w;
		if (data)
			data += skip;
		st->raw_off += st->raw_len + skip;
		st->raw_len = 0;
		st->nraw_gaps = 0;
		len = w;
	}
	if (st->raw_len + len > st->raw_cap && st->raw_cap < maxcap) {
		size_t cap = st->raw_cap ? st->raw_cap * 2 : 4096;
		if (cap < st->raw_len + len)
			cap = st->raw_len + len;
		if (cap > maxcap)
			cap = maxcap;
		uint8_t *nb = NULL;
		if (charge(rc, cap - st->raw_cap)) {
			nb = raw_pool_get(rc->sc, cap);
			if (nb) {
				if (st->raw_len)
					memcpy(nb, st->raw, st->raw_len);
				raw_buf_free(rc->sc, st->raw, st->raw_cap);
			} else {
				nb = realloc(st->raw, cap);
			}
			if (!nb)
				uncharge(rc, cap - st->raw_cap);
		}
		if (!nb) {
			raw_drop(rc, st);
			return;
		}
		st->raw = nb;
		st->raw_cap = cap;
	}
	if (st->raw_len + len > st->raw_cap) {
		size_t drop = st->raw_len + len - w; /* keep the last w bytes */
		memmove(st->raw, st->raw + drop, st->raw_len - drop);
		st->raw_len -= drop;
		st->raw_off += drop;
		raw_trim_gaps(st);
	}
	if (data)
		memcpy(st->raw + st->raw_len, data, len);
	else
		memset(st->raw + st->raw_len, 0, len);
	st->raw_len += len;
}

/* A hole of the stream before app_off: keep it inside the window when it is small,
 * otherwise restart the window at app_off. */
static void raw_gap(const setu_reasm_call_t *rc, setu_tcp_stream_t *st)
{
	uint64_t end = st->raw_off + st->raw_len;
	uint64_t hole = st->app_off > end ? st->app_off - end : 0;
	if (!(st->flags & SETU_STREAM_F_RAW_OFF) && hole < rc->sc->cfg.raw_window &&
	    st->nraw_gaps < SETU_STREAM_RAW_GAPS) {
		raw_put(rc, st, NULL, (size_t)hole);
		if (st->raw && st->raw_off + st->raw_len == st->app_off) {
			uint64_t start = st->app_off - hole;
			if (start < st->raw_off) { /* part of the hole slid out already */
				hole -= st->raw_off - start;
				start = st->raw_off;
			}
			if (hole) {
				st->raw_gaps[st->nraw_gaps].offset = start;
				st->raw_gaps[st->nraw_gaps].len = hole;
				st->nraw_gaps++;
			}
			return;
		}
	}
	st->raw_len = 0;
	st->raw_off = st->app_off;
	st->nraw_gaps = 0;
}

static void depth_reached(const setu_reasm_call_t *rc, int dir)
{
	setu_tcp_stream_t *st = &rc->f->tcp->s[dir];
	if (st->flags & SETU_STREAM_F_DEPTH)
		return;
	st->flags |= SETU_STREAM_F_DEPTH;
	rc->sc->c.stream_depth_reached++;
	set_event(rc, SETU_EV_STREAM_REASSEMBLY_DEPTH_REACHED);
	free_segs(rc, st);
}

/* Hand the next in-order bytes on (trimmed to the depth). */
static void deliver(const setu_reasm_call_t *rc, int dir, const uint8_t *data, size_t len)
{
	setu_tcp_stream_t *st = &rc->f->tcp->s[dir];
	if (st->flags & SETU_STREAM_F_DEPTH)
		return;
	uint32_t depth = rc->sc->cfg.reassembly_depth;
	bool reached = false;
	if (depth && st->app_off + len >= depth) {
		len = st->app_off >= depth ? 0 : (size_t)(depth - st->app_off);
		reached = true;
	}
	if (len > 0) {
		unsigned fl = 0;
		if (st->flags & SETU_STREAM_F_GAP_NEXT) {
			fl |= SETU_STREAM_DATA_GAP;
			st->flags &= ~SETU_STREAM_F_GAP_NEXT;
			raw_gap(rc, st);
		}
		if (st->raw_len == 0) {
			st->raw_off = st->app_off;
			st->nraw_gaps = 0;
		}
		raw_put(rc, st, data, len);
		uint64_t off = st->app_off;
		st->app_off += len;
		if (rc->cb)
			rc->cb(rc->user, rc->f, dir, data, len, off, fl);
	}
	if (reached)
		depth_reached(rc, dir);
}

/* Skip to `off` over bytes we never saw. */
static void skip_to(const setu_reasm_call_t *rc, int dir, uint64_t off)
{
	setu_tcp_stream_t *st = &rc->f->tcp->s[dir];
	if (off <= st->app_off)
		return;
	st->app_off = off;
	st->flags |= SETU_STREAM_F_GAP_NEXT | SETU_STREAM_F_GAP_SEEN;
	rc->sc->c.reassembly_gap++;
	set_event(rc, SETU_EV_STREAM_REASSEMBLY_SEQ_GAP);
	uint32_t depth = rc->sc->cfg.reassembly_depth;
	if (depth && st->app_off >= depth)
		depth_reached(rc, dir);
}

/* Hand on the pending bytes that are in order, up to `limit` (exclusive). A segment
 * delivered in part keeps its remainder at the head of the list. */
static void flush_upto(const setu_reasm_call_t *rc, int dir, uint64_t limit)
{
	setu_tcp_stream_t *st = &rc->f->tcp->s[dir];
	while (st->segs && st->segs->off <= st->app_off && st->app_off < limit &&
	       !(st->flags & SETU_STREAM_F_DEPTH)) {
		setu_stream_seg_t *x = st->segs;
		st->segs = x->next;
		st->nsegs--;
		st->seg_bytes -= x->len;
		if (x->off + x->len > st->app_off) {
			size_t skip = (size_t)(st->app_off - x->off);
			size_t n = x->len - skip;
			if (st->app_off + n > limit)
				n = (size_t)(limit - st->app_off);
			deliver(rc, dir, x->data + skip, n);
			if (!(st->flags & SETU_STREAM_F_DEPTH) &&
			    x->off + x->len > st->app_off) {
				size_t used = (size_t)(st->app_off - x->off);
				memmove(x->data, x->data + used, x->len - used);
				x->off += used;
				x->len -= (uint32_t)used;
				x->next = st->segs;
				st->segs = x;
				st->nsegs++;
				st->seg_bytes += x->len;
				return;
			}
		}
		uncharge(rc, sizeof(*x) + x->cap);
		seg_free(rc->sc, x);
	}
}

static void flush_contiguous(const setu_reasm_call_t *rc, int dir)
{
	flush_upto(rc, dir, UINT64_MAX);
}

/* How far dir may be handed on now: everything in order (inline mode, async sessions),
 * or what the receiver ACKed. */
static uint64_t deliver_limit(const setu_reasm_call_t *rc, int dir)
{
	const struct setu_tcp_session *ssn = rc->f->tcp;
	const setu_tcp_stream_t *st = &ssn->s[dir];
	if (!rc->sc->cfg.deliver_on_ack || (ssn->flags & SETU_SSN_ASYNC))
		return UINT64_MAX;
	if (!(st->flags & SETU_STREAM_F_ACKED))
		return st->app_off;
	int64_t a = setu_stream_off_of_seq(st, st->last_ack);
	if (st->flags & SETU_STREAM_F_FIN) {
		int64_t fin = setu_stream_off_of_seq(st, st->fin_seq);
		if (a > fin)
			a = fin;
	}
	return a > (int64_t)st->app_off ? (uint64_t)a : st->app_off;
}

/* Deliver everything pending, skipping the holes. */
static void flush_over_gaps(const setu_reasm_call_t *rc, int dir)
{
	setu_tcp_stream_t *st = &rc->f->tcp->s[dir];
	while (st->segs && !(st->flags & SETU_STREAM_F_DEPTH)) {
		if (st->segs->off > st->app_off)
			skip_to(rc, dir, st->segs->off);
		flush_contiguous(rc, dir);
	}
}

/* Memcap hit: stop reassembly for the whole flow (see the policy above). */
static void stop_reassembly(const setu_reasm_call_t *rc)
{
	struct setu_tcp_session *ssn = rc->f->tcp;
	if (ssn->flags & SETU_SSN_NO_REASM)
		return;
	rc->sc->c.segment_memcap_drop++;
	set_event(rc, SETU_EV_STREAM_REASSEMBLY_INSERT_MEMCAP);
	setu_reasm_close(rc, 0);
	setu_reasm_close(rc, 1);
	ssn->flags |= SETU_SSN_NO_REASM;
	for (int d = 0; d < 2; d++)
		free_segs(rc, &ssn->s[d]);
}

static setu_stream_seg_t *seg_new(const setu_reasm_call_t *rc, uint64_t off,
                                  const uint8_t *data, size_t len)
{
	if (!charge(rc, sizeof(setu_stream_seg_t) + len))
		return NULL;
	setu_stream_seg_t *x = seg_alloc(rc->sc, len);
	if (!x) {
		uncharge(rc, sizeof(setu_stream_seg_t) + len);
		return NULL;
	}
	x->next = NULL;
	x->off = off;
	x->len = (uint32_t)len;
	x->cap = (uint32_t)len;
	memcpy(x->data, data, len);
	return x;
}

/* Compare bytes of an old/new overlap; count and flag different data. */
static void overlap_check(const setu_reasm_call_t *rc, const uint8_t *a, const uint8_t *b,
                          size_t n)
{
	rc->sc->c.overlap++;
	if (n && memcmp(a, b, n) != 0) {
		rc->sc->c.overlap_diff_data++;
		set_event(rc, SETU_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA);
	}
}

/* Compare [off, hi) of a segment with the raw window (holes excluded). */
static void raw_compare(const setu_reasm_call_t *rc, const setu_tcp_stream_t *st,
                        uint64_t off, const uint8_t *data, uint64_t hi)
{
	rc->sc->c.overlap++;
	uint64_t lo = off > st->raw_off ? off : st->raw_off;
	if (hi > st->raw_off + st->raw_len)
		hi = st->raw_off + st->raw_len;
	if (!st->raw || hi <= lo)
		return;
	bool diff = false;
	uint64_t cur = lo;
	while (cur < hi && !diff) {
		uint64_t stop = hi, next = hi;
		for (unsigned i = 0; i < st->nraw_gaps; i++) {
			const setu_stream_gap_t *g = &st->raw_gaps[i];
			if (g->offset + g->len <= cur || g->offset >= stop)
				continue;
			if (g->offset <= cur) { /* cur is inside a hole: skip it */
				stop = cur;
				next = g->offset + g->len;
				break;
			}
			stop = g->offset;
			next = g->offset + g->len;
		}
		if (stop > cur)
			diff = memcmp(st->raw + (cur - st->raw_off), data + (cur - off),
			              (size_t)(stop - cur)) != 0;
		cur = next > cur ? next : hi;
	}
	if (diff) {
		rc->sc->c.overlap_diff_data++;
		set_event(rc, SETU_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA);
	}
}

void setu_reasm_insert(const setu_reasm_call_t *rc, int dir, uint32_t seq,
                       const uint8_t *data, uint32_t len)
{
	struct setu_tcp_session *ssn = rc->f->tcp;
	setu_tcp_stream_t *st = &ssn->s[dir];
	if (len == 0 || !data || (ssn->flags & SETU_SSN_NO_REASM) ||
	    (st->flags & (SETU_STREAM_F_DEPTH | SETU_STREAM_F_EOF_SENT)))
		return;
	int64_t soff = setu_stream_off_of_seq(st, seq);
	if (soff < 0) {
		if (soff + (int64_t)len <= 0) {
			set_event(rc, SETU_EV_STREAM_REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ);
			return;
		}
		data += (size_t)-soff;
		len -= (uint32_t)-soff;
		soff = 0;
	}
	uint64_t off = (uint64_t)soff, end = off + len;

	/* Bytes already handed on: the first data wins; compare with what we kept. */
	if (off < st->app_off) {
		raw_compare(rc, st, off, data, end < st->app_off ? end : st->app_off);
		if (end <= st->app_off)
			return;
		data += st->app_off - off;
		len -= (uint32_t)(st->app_off - off);
		off = st->app_off;
	}
	uint32_t depth = rc->sc->cfg.reassembly_depth;
	if (depth) {
		if (off >= depth) {
			/* beyond the depth while a hole is still open: never needed */
			return;
		}
		if (end > depth) {
			end = depth;
			len = (uint32_t)(end - off);
		}
	}

	uint64_t limit = deliver_limit(rc, dir);
	/* Fast path: in order, nothing pending, may go now. */
	if (off == st->app_off && !st->segs && limit == UINT64_MAX) {
		deliver(rc, dir, data, len);
		setu_reasm_check_eof(rc, dir);
		return;
	}

	/* Bound what one direction can hold: past the limits, stop waiting for the hole.
	 */
	if (st->nsegs >= rc->sc->cfg.max_segments ||
	    st->seg_bytes + len > rc->sc->cfg.max_pending_bytes) {
		set_event(rc, SETU_EV_STREAM_REASSEMBLY_INSERT_LIMIT);
		rc->sc->c.insert_data_normal_fail++;
		flush_over_gaps(rc, dir);
		if (st->flags & SETU_STREAM_F_DEPTH)
			return;
		if (end <= st->app_off)
			return;
		if (off < st->app_off) {
			data += st->app_off - off;
			len -= (uint32_t)(st->app_off - off);
			off = st->app_off;
		}
		skip_to(rc, dir, off);
		deliver(rc, dir, data, len);
		setu_reasm_check_eof(rc, dir);
		return;
	}

	/* Insert the parts of [off, end) not covered by pending segments; where they
	 * overlap, "bsd": the new data wins if the new segment starts before the old one.
	 */
	setu_stream_seg_t **pp = &st->segs;
	uint64_t cur = off;
	while (cur < end) {
		setu_stream_seg_t *x = *pp;
		if (!x || x->off >= end || cur < x->off) {
			uint64_t pend = (x && x->off < end) ? x->off : end;
			setu_stream_seg_t *n =
			    seg_new(rc, cur, data + (cur - off), (size_t)(pend - cur));
			if (!n) {
				stop_reassembly(rc);
				return;
			}
			n->next = x;
			*pp = n;
			st->nsegs++;
			st->seg_bytes += n->len;
			pp = &n->next;
			cur = pend;
			continue;
		}
		uint64_t xend = x->off + x->len;
		if (xend <= cur) {
			pp = &x->next;
			continue;
		}
		uint64_t oe = end < xend ? end : xend;
		uint8_t *old = x->data + (cur - x->off);
		const uint8_t *nw = data + (cur - off);
		overlap_check(rc, old, nw, (size_t)(oe - cur));
		if (off < x->off)
			memcpy(old, nw, (size_t)(oe - cur));
		cur = oe;
		pp = &x->next;
	}
	flush_upto(rc, dir, limit);
	setu_reasm_check_eof(rc, dir);
}

void setu_reasm_acked(const setu_reasm_call_t *rc, int dir, uint32_t ack)
{
	struct setu_tcp_session *ssn = rc->f->tcp;
	setu_tcp_stream_t *st = &ssn->s[dir];
	if ((ssn->flags & SETU_SSN_NO_REASM) ||
	    (st->flags & (SETU_STREAM_F_DEPTH | SETU_STREAM_F_EOF_SENT)))
		return;
	int64_t target = setu_stream_off_of_seq(st, ack);
	if (st->flags & SETU_STREAM_F_FIN) {
		int64_t fin = setu_stream_off_of_seq(st, st->fin_seq);
		if (target > fin)
			target = fin;
	}
	if (target <= (int64_t)st->app_off)
		return;
	uint64_t lim = rc->sc->cfg.deliver_on_ack ? (uint64_t)target : UINT64_MAX;
	while (st->app_off < (uint64_t)target && !(st->flags & SETU_STREAM_F_DEPTH)) {
		setu_stream_seg_t *x = st->segs;
		if (x && x->off <= st->app_off) {
			flush_upto(rc, dir, lim);
		} else if (x && x->off < (uint64_t)target) {
			skip_to(rc, dir, x->off);
		} else {
			skip_to(rc, dir, (uint64_t)target);
			flush_upto(rc, dir, lim);
			break;
		}
	}
	setu_reasm_check_eof(rc, dir);
}

void setu_reasm_check_eof(const setu_reasm_call_t *rc, int dir)
{
	setu_tcp_stream_t *st = &rc->f->tcp->s[dir];
	if (!(st->flags & SETU_STREAM_F_FIN) || (st->flags & SETU_STREAM_F_EOF_SENT))
		return;
	if (setu_stream_off_of_seq(st, st->fin_seq) > (int64_t)st->app_off)
		return;
	st->flags |= SETU_STREAM_F_EOF_SENT;
	if (rc->cb)
		rc->cb(rc->user, rc->f, dir, NULL, 0, st->app_off, SETU_STREAM_DATA_EOF);
}

void setu_reasm_close(const setu_reasm_call_t *rc, int dir)
{
	struct setu_tcp_session *ssn = rc->f->tcp;
	setu_tcp_stream_t *st = &ssn->s[dir];
	if (st->flags & SETU_STREAM_F_EOF_SENT)
		return;
	if (!(ssn->flags & SETU_SSN_NO_REASM))
		flush_over_gaps(rc, dir);
	unsigned fl = SETU_STREAM_DATA_EOF;
	if (st->flags & SETU_STREAM_F_GAP_NEXT)
		fl |= SETU_STREAM_DATA_GAP;
	if ((st->flags & SETU_STREAM_F_FIN) && !(st->flags & SETU_STREAM_F_DEPTH) &&
	    setu_stream_off_of_seq(st, st->fin_seq) > (int64_t)st->app_off)
		fl |= SETU_STREAM_DATA_GAP; /* data before the FIN never arrived */
	st->flags |= SETU_STREAM_F_EOF_SENT;
	if (rc->cb)
		rc->cb(rc->user, rc->f, dir, NULL, 0, st->app_off, fl);
}

void setu_reasm_release(struct setu_tcp_session *ssn)
{
	for (int d = 0; d < 2; d++) {
		setu_tcp_stream_t *st = &ssn->s[d];
		setu_stream_seg_t *x = st->segs;
		while (x) {
			setu_stream_seg_t *next = x->next;
			seg_free(ssn->sc, x);
			x = next;
		}
		st->segs = NULL;
		st->nsegs = 0;
		st->seg_bytes = 0;
		raw_buf_free(ssn->sc, st->raw, st->raw_cap);
		st->raw = NULL;
		st->raw_len = st->raw_cap = 0;
	}
	if (ssn->sc)
		ssn->sc->reasm_memuse -= ssn->reasm_mem;
	ssn->reasm_mem = 0;
	ssn->flags |= SETU_SSN_RELEASED | SETU_SSN_NO_REASM;
}

int setu_stream_raw_window(const setu_flow_t *f, int dir, const uint8_t **data,
                           size_t *len, uint64_t *offset)
{
	if (!f || !f->tcp || dir < 0 || dir > 1 || !data || !len || !offset)
		return SETU_ENOENT;
	const setu_tcp_stream_t *st = &f->tcp->s[dir];
	if (!st->raw || st->raw_len == 0)
		return SETU_ENOENT;
	*data = st->raw;
	*len = st->raw_len;
	*offset = st->raw_off;
	return 0;
}

size_t setu_stream_raw_gaps(const setu_flow_t *f, int dir, setu_stream_gap_t *out,
                            size_t max)
{
	if (!f || !f->tcp || dir < 0 || dir > 1)
		return 0;
	const setu_tcp_stream_t *st = &f->tcp->s[dir];
	size_t n = st->nraw_gaps < max ? st->nraw_gaps : max;
	for (size_t i = 0; i < n; i++)
		out[i] = st->raw_gaps[i];
	return n;
}
