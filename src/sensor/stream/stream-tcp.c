/* stream-tcp.c — TCP session tracking: the 3-way handshake, midstream and async-oneside
 * pickup, window/ack validation, FIN/RST close, with Suricata's states and stream events
 * (Suricata stream-tcp.c semantics; RFC 9293 §3.3.2 states, §3.4 sequence space).
 *
 * Suricata names states from the server's side: a FIN from the client moves the session
 * to CLOSE_WAIT, a FIN from the server to FIN_WAIT1. Memcap policy (stream.memcap): a
 * session that does not fit is not created (tcp.ssn_memcap_drop); the flow goes on
 * without stream tracking. */
#include "stream-private.h"

#include "common/bytes.h"
#include "setu/error.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

void setu_stream_config_default(setu_stream_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->midstream = false;
	cfg->async_oneside = false;
	cfg->checksum_validate = true;
	cfg->reassembly_depth = SETU_REASSEMBLY_DEPTH_DEFAULT;
	cfg->memcap = SETU_STREAM_MEMCAP_DEFAULT;
	cfg->reassembly_memcap = SETU_REASSEMBLY_MEMCAP_DEFAULT;
	cfg->raw_window = SETU_STREAM_RAW_WINDOW_DEFAULT;
	cfg->max_segments = SETU_STREAM_MAX_SEGMENTS;
	cfg->max_pending_bytes = SETU_STREAM_MAX_PENDING_BYTES;
	cfg->deliver_on_ack = true;
}

setu_stream_ctx_t *setu_stream_ctx_new(const setu_stream_config_t *cfg)
{
	setu_stream_ctx_t *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return NULL;
	if (cfg)
		sc->cfg = *cfg;
	else
		setu_stream_config_default(&sc->cfg);
	if (sc->cfg.raw_window && sc->cfg.raw_window < SETU_STREAM_RAW_WINDOW_MIN)
		sc->cfg.raw_window = SETU_STREAM_RAW_WINDOW_MIN;
	if (sc->cfg.max_segments == 0)
		sc->cfg.max_segments = SETU_STREAM_MAX_SEGMENTS;
	if (sc->cfg.max_pending_bytes == 0)
		sc->cfg.max_pending_bytes = SETU_STREAM_MAX_PENDING_BYTES;
	return sc;
}

void setu_stream_ctx_free(setu_stream_ctx_t *sc)
{
	if (!sc)
		return;
	setu_reasm_pool_free(sc);
	free(sc);
}

static const char *const state_names[SETU_TCP_STATE_MAX] = {
    [SETU_TCP_NONE] = "none",
    [SETU_TCP_SYN_SENT] = "syn_sent",
    [SETU_TCP_SYN_RECV] = "syn_recv",
    [SETU_TCP_ESTABLISHED] = "established",
    [SETU_TCP_FIN_WAIT1] = "fin_wait1",
    [SETU_TCP_FIN_WAIT2] = "fin_wait2",
    [SETU_TCP_TIME_WAIT] = "time_wait",
    [SETU_TCP_LAST_ACK] = "last_ack",
    [SETU_TCP_CLOSE_WAIT] = "close_wait",
    [SETU_TCP_CLOSING] = "closing",
    [SETU_TCP_CLOSED] = "closed",
};

const char *setu_tcp_state_name(setu_tcp_state_t st)
{
	if ((int)st < 0 || st >= SETU_TCP_STATE_MAX)
		return "none";
	return state_names[st];
}

const char *setu_stream_state_name(const setu_flow_t *f)
{
	if (!f || !f->tcp)
		return NULL;
	return setu_tcp_state_name(f->tcp->state);
}

setu_tcp_state_t setu_stream_state(const setu_flow_t *f)
{
	return f && f->tcp ? f->tcp->state : SETU_TCP_NONE;
}

bool setu_stream_had_gap(const setu_flow_t *f, int dir)
{
	if (!f || !f->tcp || dir < 0 || dir > 1)
		return false;
	return (f->tcp->s[dir].flags & SETU_STREAM_F_GAP_SEEN) != 0;
}

void setu_tcp_session_free(struct setu_tcp_session *ssn)
{
	if (!ssn)
		return;
	setu_reasm_release(ssn);
	if (ssn->sc) {
		ssn->sc->memuse -= sizeof(*ssn);
		ssn->sc->active--;
	}
	free(ssn);
}

bool setu_stream_is_reuse(const setu_flow_t *f, const setu_pkt_t *p)
{
	if (!f || !f->tcp || !p || !(p->flags & SETU_PKT_HAS_L4))
		return false;
	if ((p->tcp.flags & (SETU_TH_SYN | SETU_TH_ACK | SETU_TH_RST)) != SETU_TH_SYN)
		return false;
	const struct setu_tcp_session *ssn = f->tcp;
	if (ssn->state != SETU_TCP_CLOSED && ssn->state != SETU_TCP_TIME_WAIT &&
	    ssn->state != SETU_TCP_LAST_ACK)
		return false;
	/* A retransmission of the session's own SYN is not a new session. */
	return !(setu_addr_eq(&p->src, &f->src) && p->sp == f->sp &&
	         p->tcp.seq == ssn->s[0].isn);
}

/* --- helpers --- */

static void ev(setu_pkt_t *p, setu_event_t e)
{
	setu_pkt_set_event(p, e);
}

static void set_state(setu_flow_t *f, struct setu_tcp_session *ssn, setu_tcp_state_t st)
{
	ssn->state = st;
	switch (st) {
	case SETU_TCP_ESTABLISHED:
	case SETU_TCP_FIN_WAIT1:
	case SETU_TCP_FIN_WAIT2:
	case SETU_TCP_CLOSING:
	case SETU_TCP_CLOSE_WAIT:
		setu_flow_set_state(f, SETU_FLOW_STATE_ESTABLISHED);
		break;
	case SETU_TCP_LAST_ACK:
	case SETU_TCP_TIME_WAIT:
	case SETU_TCP_CLOSED:
		setu_flow_set_state(f, SETU_FLOW_STATE_CLOSED);
		break;
	default:
		break;
	}
}

static bool liberal(const struct setu_tcp_session *ssn)
{
	return (ssn->flags & (SETU_SSN_MIDSTREAM | SETU_SSN_ASYNC)) != 0;
}

static struct setu_tcp_session *session_new(setu_stream_ctx_t *sc)
{
	if (sc->memuse + sizeof(struct setu_tcp_session) > sc->cfg.memcap) {
		sc->c.ssn_memcap_drop++;
		return NULL;
	}
	struct setu_tcp_session *ssn = calloc(1, sizeof(*ssn));
	if (!ssn) {
		sc->c.ssn_memcap_drop++;
		return NULL;
	}
	ssn->sc = sc;
	ssn->rst_dir = -1;
	sc->memuse += sizeof(*ssn);
	sc->active++;
	sc->c.sessions++;
	return ssn;
}

static void stream_init_base(setu_tcp_stream_t *st, uint32_t base)
{
	st->base_seq = base;
	st->isn = base - 1;
	st->next_seq = base;
	st->flags |= SETU_STREAM_F_HAS_BASE;
}

static void set_last_ack(setu_tcp_stream_t *st, uint32_t ack)
{
	st->last_ack = ack;
	st->flags |= SETU_STREAM_F_ACKED;
}

static uint32_t scaled_win(const setu_tcp_stream_t *sender, const setu_pkt_t *p)
{
	/* RFC 7323 §2.2: the window of a SYN is never scaled */
	if (p->tcp.flags & SETU_TH_SYN)
		return p->tcp.win;
	return (uint32_t)p->tcp.win << sender->wscale;
}

/* The sender of p (dir) ACKed the peer's data and advertised a window for it. */
static void update_peer_from_ack(struct setu_tcp_session *ssn, int dir,
                                 const setu_pkt_t *p)
{
	setu_tcp_stream_t *st = &ssn->s[dir], *peer = &ssn->s[1 - dir];
	if (!(p->tcp.flags & SETU_TH_ACK))
		return;
	if (!(peer->flags & SETU_STREAM_F_ACKED) || SEQ_GT(p->tcp.ack, peer->last_ack))
		set_last_ack(peer, p->tcp.ack);
	peer->window = scaled_win(st, p);
	peer->next_win = peer->last_ack + peer->window;
	if (liberal(ssn) && SEQ_GT(p->tcp.ack, peer->next_seq))
		peer->next_seq = p->tcp.ack; /* the unseen side sent up to here */
}

static void rc_init(setu_reasm_call_t *rc, setu_stream_ctx_t *sc, setu_flow_t *f,
                    setu_pkt_t *p, setu_stream_data_cb cb, void *user)
{
	rc->sc = sc;
	rc->f = f;
	rc->p = p;
	rc->cb = cb;
	rc->user = user;
}

static void close_both(const setu_reasm_call_t *rc)
{
	setu_reasm_close(rc, 0);
	setu_reasm_close(rc, 1);
}

void setu_stream_swap(setu_flow_t *f)
{
	struct setu_tcp_session *ssn = f != NULL ? f->tcp : NULL;
	if (ssn == NULL)
		return;
	/* every per-direction field lives in s[] (the stream and its reassembly), but
	 * for the RST's sender */
	setu_tcp_stream_t t = ssn->s[0];
	ssn->s[0] = ssn->s[1];
	ssn->s[1] = t;
	if (ssn->rst_dir >= 0)
		ssn->rst_dir = (int8_t)(1 - ssn->rst_dir);
}

/* Swap the flow when the stream learns that the sender of p is the server. */
static int flow_dir(setu_flow_t *f, setu_pkt_t *p, bool sender_is_client)
{
	int dir = (p->flags & SETU_PKT_TOCLIENT) ? 1 : 0;
	if ((dir == 0) != sender_is_client) {
		setu_flow_swap(f, p);
		dir = 1 - dir;
	}
	return dir;
}

/* TCP Fast Open option in the SYN (RFC 7413 §4.1.1: kind 34, or the RFC 6994 experimental
 * form kind 254 with magic 0xF989): only then is data on a SYN stream data, as Suricata
 * treats it. Read here from the header bytes because packet.h has no flag for it. */
static bool syn_has_tfo(const setu_pkt_t *p)
{
	if (!p->l4 || p->tcp.hlen <= 20 || p->tcp.hlen > p->l4_len)
		return false;
	setu_rd_t r = setu_rd_init(p->l4 + 20, (size_t)p->tcp.hlen - 20);
	while (setu_rd_has(&r, 1)) {
		uint8_t kind = setu_rd_u8(&r);
		if (kind == 0)
			break;
		if (kind == 1)
			continue;
		uint8_t len = setu_rd_u8(&r);
		if (r.err || len < 2 || !setu_rd_has(&r, (size_t)len - 2))
			break;
		if (kind == 34)
			return true;
		if (kind == 254 && len >= 4 && setu_be16(setu_rd_ptr(&r)) == 0xF989)
			return true;
		setu_rd_skip(&r, (size_t)len - 2);
	}
	return false;
}

/* --- TCP timestamps (RFC 7323 §5 PAWS, as Suricata's stream engine checks them) ---
 *
 * A session uses timestamps when the SYN and the SYN/ACK both carried the option (or a
 * midstream pickup's packet did). Each endpoint's last accepted TSval and the capture
 * time of its packet are kept. Suricata judges a TSval by the receiver's OS policy
 * (host-os-policy); setu has no such table and applies Suricata's default, "bsd": a
 * TSval of 0 is invalid, a TSval below the last one is invalid, unless the endpoint was
 * silent for more than 24 days and the segment is the next in sequence. An invalid
 * packet gets stream.pkt_invalid_timestamp and is ignored by the stream. */

/* Is the TSval of p acceptable from endpoint st? Compared as serial numbers (RFC 7323
 * §5.3: modulo 2^32), against the last TSval taken from st. */
static bool ts_acceptable(const struct setu_tcp_session *ssn, const setu_tcp_stream_t *st,
                          const setu_pkt_t *p)
{
	uint32_t ts = p->tcp.tsval, now = (uint32_t)p->ts.tv_sec;
	if (ts == 0)
		return false;
	uint32_t last_pkt = st->last_pkt_ts;
	if (last_pkt == 0 && (ssn->flags & SETU_SSN_MIDSTREAM))
		last_pkt = now; /* the side was never seen before the pickup */
	bool idle = (uint64_t)now > (uint64_t)last_pkt + SETU_TCP_PAWS_IDLE_SECS;
	bool ok = (int32_t)(ts - st->last_ts) >= 0 && !(st->last_ts != 0 && idle);
	/* RFC 7323 §5.5: after a long idle time the old TSval says nothing */
	return ok || (p->tcp.seq == st->next_seq && idle);
}

/* Before a packet of direction dir changes the session: false (with the event) when its
 * timestamp shows it is old or forged. */
static bool ts_validate(const struct setu_tcp_session *ssn, setu_pkt_t *p, int dir)
{
	if (!(ssn->flags & SETU_SSN_TIMESTAMP) || !p->tcp.has_ts)
		return true; /* Suricata: a segment without the option is not judged */
	if (ts_acceptable(ssn, &ssn->s[dir], p))
		return true;
	ev(p, SETU_EV_STREAM_PKT_INVALID_TIMESTAMP);
	return false;
}

/* After the packet was accepted: remember its timestamp. As Suricata, the TSval is
 * kept only from a segment that starts at the sender's next_seq once the packet was
 * taken in (an ACK without data, in practice), the packet time always. */
static void ts_update(struct setu_tcp_session *ssn, const setu_pkt_t *p, int dir)
{
	if (!(ssn->flags & SETU_SSN_TIMESTAMP) || !p->tcp.has_ts)
		return;
	setu_tcp_stream_t *st = &ssn->s[dir];
	if (!ts_acceptable(ssn, st, p))
		return;
	if (p->tcp.seq == st->next_seq)
		st->last_ts = p->tcp.tsval;
	st->last_pkt_ts = (uint32_t)p->ts.tv_sec;
}

/* The timestamp option of a SYN (or of a midstream pickup's packet) for endpoint st. */
static void ts_note_syn(setu_tcp_stream_t *st, const setu_pkt_t *p)
{
	st->flags &= ~SETU_STREAM_F_TS;
	st->last_ts = 0;
	st->last_pkt_ts = 0;
	if (!p->tcp.has_ts)
		return;
	st->flags |= SETU_STREAM_F_TS;
	st->last_ts = p->tcp.tsval;
	st->last_pkt_ts = (uint32_t)p->ts.tv_sec;
}

/* A midstream pickup on packet p of endpoint st (its peer: peer): if p carries
 * timestamps, the session uses them; the peer's last TSval is the one p echoes. */
static void ts_note_pickup(struct setu_tcp_session *ssn, setu_tcp_stream_t *st,
                           setu_tcp_stream_t *peer, const setu_pkt_t *p)
{
	if (!p->tcp.has_ts)
		return;
	st->last_ts = p->tcp.tsval;
	st->last_pkt_ts = (uint32_t)p->ts.tv_sec;
	peer->last_ts = p->tcp.tsecr;
	peer->last_pkt_ts = 0; /* unknown: taken as the next packet's time */
	ssn->flags |= SETU_SSN_TIMESTAMP;
}

/* --- state NONE: no session yet --- */

static int state_none(setu_stream_ctx_t *sc, setu_flow_t *f, setu_pkt_t *p,
                      const setu_reasm_call_t *rc)
{
	uint8_t fl = p->tcp.flags;
	if (fl & SETU_TH_RST) {
		ev(p, SETU_EV_STREAM_RST_BUT_NO_SESSION);
		return SETU_EINVAL;
	}
	if ((fl & SETU_TH_FIN) && !(fl & SETU_TH_SYN)) {
		ev(p, SETU_EV_STREAM_FIN_BUT_NO_SESSION);
		return SETU_EINVAL;
	}
	if ((fl & (SETU_TH_SYN | SETU_TH_ACK)) == (SETU_TH_SYN | SETU_TH_ACK)) {
		/* picked up with midstream, or with async-oneside: the server's side of
		 * a session whose client we may never see (Suricata) */
		if (!sc->cfg.midstream && !sc->cfg.async_oneside)
			return 0;
		struct setu_tcp_session *ssn = session_new(sc);
		if (!ssn)
			return SETU_ENOMEM;
		f->tcp = ssn;
		int dir = flow_dir(f, p, false); /* the SYN/ACK's sender is the server */
		setu_tcp_stream_t *srv = &ssn->s[dir], *cli = &ssn->s[1 - dir];
		stream_init_base(srv, p->tcp.seq + 1);
		srv->isn = p->tcp.seq;
		stream_init_base(cli, p->tcp.ack);
		srv->wscale = p->tcp.has_wscale ? p->tcp.wscale : 0;
		if (srv->wscale > SETU_TCP_WSCALE_MAX)
			srv->wscale = SETU_TCP_WSCALE_MAX;
		cli->wscale = srv->wscale; /* unknown: assume the same */
		set_last_ack(cli, p->tcp.ack);
		cli->window = p->tcp.win;
		cli->next_win = cli->last_ack + cli->window;
		ssn->flags |= SETU_SSN_MIDSTREAM | SETU_SSN_MIDSTREAM_SYNACK;
		ts_note_pickup(ssn, srv, cli, p);
		if (sc->cfg.async_oneside)
			ssn->flags |= SETU_SSN_ASYNC;
		sc->c.midstream_pickups++;
		set_state(f, ssn, SETU_TCP_SYN_RECV);
		return 0;
	}
	if (fl & SETU_TH_SYN) {
		struct setu_tcp_session *ssn = session_new(sc);
		if (!ssn)
			return SETU_ENOMEM;
		f->tcp = ssn;
		int dir = flow_dir(f, p, true);
		setu_tcp_stream_t *cli = &ssn->s[dir], *srv = &ssn->s[1 - dir];
		stream_init_base(cli, p->tcp.seq + 1);
		cli->isn = p->tcp.seq;
		cli->wscale_opt = p->tcp.has_wscale;
		cli->wscale = p->tcp.has_wscale ? p->tcp.wscale : 0;
		if (cli->wscale > SETU_TCP_WSCALE_MAX)
			cli->wscale = SETU_TCP_WSCALE_MAX;
		srv->window = p->tcp.win; /* what the client lets the server send */
		ts_note_syn(cli, p);
		set_state(f, ssn, SETU_TCP_SYN_SENT);
		if (p->payload_len && syn_has_tfo(p)) {
			/* TCP Fast Open (RFC 7413): data on the SYN is stream data from
			 * offset 0; if the server does not accept it, the client sends it
			 * again and the copy is a retransmission. */
			ssn->flags |= SETU_SSN_TFO;
			cli->next_seq += p->payload_len;
			setu_reasm_insert(rc, dir, p->tcp.seq + 1, p->payload,
			                  p->payload_len);
		}
		return 0;
	}
	if ((fl & SETU_TH_ACK) && sc->cfg.midstream) {
		struct setu_tcp_session *ssn = session_new(sc);
		if (!ssn)
			return SETU_ENOMEM;
		f->tcp = ssn;
		int dir = (p->flags & SETU_PKT_TOCLIENT) ? 1 : 0;
		setu_tcp_stream_t *st = &ssn->s[dir], *peer = &ssn->s[1 - dir];
		stream_init_base(st, p->tcp.seq);
		stream_init_base(peer, p->tcp.ack);
		/* Window scaling was negotiated out of sight: assume the largest shift
		 * and track this session liberally (no window checks), as Suricata does.
		 */
		st->wscale = peer->wscale = SETU_TCP_WSCALE_MAX;
		st->window = UINT32_MAX / 4;
		st->next_win = st->base_seq + st->window;
		set_last_ack(peer, p->tcp.ack);
		peer->window = scaled_win(st, p);
		peer->next_win = peer->last_ack + peer->window;
		ssn->flags |= SETU_SSN_MIDSTREAM;
		ts_note_pickup(ssn, st, peer, p);
		sc->c.midstream_pickups++;
		set_state(f, ssn, SETU_TCP_ESTABLISHED);
		p->flags |= SETU_PKT_STREAM_EST;
		st->next_seq = p->tcp.seq + p->payload_len;
		setu_reasm_insert(rc, dir, p->tcp.seq, p->payload, p->payload_len);
		if (fl & SETU_TH_FIN) {
			st->flags |= SETU_STREAM_F_FIN;
			st->fin_seq = p->tcp.seq + p->payload_len;
			st->next_seq++;
			set_state(f, ssn,
			          dir == 0 ? SETU_TCP_CLOSE_WAIT : SETU_TCP_FIN_WAIT1);
			setu_reasm_check_eof(rc, dir);
		}
		return 0;
	}
	return 0; /* no SYN and no midstream: not tracked */
}

/* --- RST in any state with a session --- */

static int handle_rst(setu_flow_t *f, setu_pkt_t *p, int dir, const setu_reasm_call_t *rc)
{
	struct setu_tcp_session *ssn = f->tcp;
	setu_tcp_stream_t *st = &ssn->s[dir], *peer = &ssn->s[1 - dir];
	uint32_t seq = p->tcp.seq;
	if (!ts_validate(ssn, p, dir))
		return SETU_EINVAL; /* Suricata: an old RST does not close the session */
	if (!liberal(ssn)) {
		if ((p->tcp.flags & SETU_TH_ACK) && ssn->state >= SETU_TCP_SYN_RECV &&
		    SEQ_GT(p->tcp.ack, peer->next_seq) &&
		    SEQ_GT(p->tcp.ack, peer->next_win)) {
			ev(p, SETU_EV_STREAM_RST_INVALID_ACK);
			return SETU_EINVAL;
		}
		/* RFC 5961 §3.2: the RST must fall in the receiver's window. */
		bool in_win =
		    seq == st->next_seq || (st->window && SEQ_GEQ(seq, st->last_ack) &&
		                            SEQ_LEQ(seq, st->next_win));
		if (!in_win)
			return SETU_EINVAL;
	}
	if (p->payload_len)
		ev(p, SETU_EV_STREAM_RST_WITH_DATA);
	ts_update(ssn, p, dir);
	if (ssn->state != SETU_TCP_CLOSED)
		ssn->rst_dir = (int8_t)dir;
	set_state(f, ssn, SETU_TCP_CLOSED);
	close_both(rc);
	return 0;
}

/* --- ESTABLISHED and the closing states --- */

typedef struct state_events {
	setu_event_t wrong_seq, fin_wrong_seq, invalid_ack;
} state_events_t;

static state_events_t state_events(setu_tcp_state_t st)
{
	state_events_t e = {SETU_EV_STREAM_EST_PACKET_OUT_OF_WINDOW,
	                    SETU_EV_STREAM_FIN_OUT_OF_WINDOW,
	                    SETU_EV_STREAM_EST_INVALID_ACK};
	switch (st) {
	case SETU_TCP_FIN_WAIT1:
		e = (state_events_t){SETU_EV_STREAM_FIN1_ACK_WRONG_SEQ,
		                     SETU_EV_STREAM_FIN1_FIN_WRONG_SEQ,
		                     SETU_EV_STREAM_FIN1_INVALID_ACK};
		break;
	case SETU_TCP_FIN_WAIT2:
		e = (state_events_t){SETU_EV_STREAM_FIN2_ACK_WRONG_SEQ,
		                     SETU_EV_STREAM_FIN2_FIN_WRONG_SEQ,
		                     SETU_EV_STREAM_FIN2_INVALID_ACK};
		break;
	case SETU_TCP_CLOSING:
		e = (state_events_t){SETU_EV_STREAM_CLOSING_ACK_WRONG_SEQ,
		                     SETU_EV_STREAM_CLOSING_ACK_WRONG_SEQ,
		                     SETU_EV_STREAM_CLOSING_INVALID_ACK};
		break;
	case SETU_TCP_CLOSE_WAIT:
		e = (state_events_t){SETU_EV_STREAM_CLOSEWAIT_ACK_OUT_OF_WINDOW,
		                     SETU_EV_STREAM_CLOSEWAIT_FIN_OUT_OF_WINDOW,
		                     SETU_EV_STREAM_CLOSEWAIT_INVALID_ACK};
		break;
	case SETU_TCP_LAST_ACK:
		e = (state_events_t){SETU_EV_STREAM_LASTACK_ACK_WRONG_SEQ,
		                     SETU_EV_STREAM_LASTACK_ACK_WRONG_SEQ,
		                     SETU_EV_STREAM_LASTACK_INVALID_ACK};
		break;
	case SETU_TCP_TIME_WAIT:
		e = (state_events_t){SETU_EV_STREAM_TIMEWAIT_ACK_WRONG_SEQ,
		                     SETU_EV_STREAM_TIMEWAIT_ACK_WRONG_SEQ,
		                     SETU_EV_STREAM_TIMEWAIT_INVALID_ACK};
		break;
	default:
		break;
	}
	return e;
}

/* A SYN or SYN/ACK on a session past its handshake. */
static int syn_on_established(struct setu_tcp_session *ssn, setu_pkt_t *p, int dir)
{
	uint8_t fl = p->tcp.flags;
	if (fl & SETU_TH_FIN)
		ev(p, SETU_EV_STREAM_FIN_SYN);
	if (fl & SETU_TH_ACK) {
		if (dir == 0)
			ev(p, SETU_EV_STREAM_EST_SYNACK_TOSERVER);
		else if (p->tcp.ack != ssn->s[0].isn + 1)
			ev(p, SETU_EV_STREAM_EST_SYNACK_RESEND_WITH_DIFF_ACK);
		else if (p->tcp.seq != ssn->s[1].isn)
			ev(p, SETU_EV_STREAM_EST_SYNACK_RESEND_WITH_DIFF_SEQ);
		else
			ev(p, SETU_EV_STREAM_EST_SYNACK_RESEND);
	} else if (dir == 1) {
		ev(p, SETU_EV_STREAM_EST_SYN_TOCLIENT);
	} else if (ssn->state >= SETU_TCP_FIN_WAIT1) {
		ev(p, SETU_EV_STREAM_SHUTDOWN_SYN_RESEND);
	} else if (p->tcp.seq == ssn->s[0].isn) {
		ev(p, SETU_EV_STREAM_EST_SYN_RESEND);
	} else {
		ev(p, SETU_EV_STREAM_EST_SYN_RESEND_DIFF_SEQ);
	}
	return SETU_EINVAL;
}

static bool acks_fin(const setu_tcp_stream_t *peer, const setu_pkt_t *p)
{
	return (p->tcp.flags & SETU_TH_ACK) && (peer->flags & SETU_STREAM_F_FIN) &&
	       SEQ_GEQ(p->tcp.ack, peer->fin_seq + 1);
}

static int est_like(setu_stream_ctx_t *sc, setu_flow_t *f, setu_pkt_t *p, int dir,
                    const setu_reasm_call_t *rc)
{
	struct setu_tcp_session *ssn = f->tcp;
	setu_tcp_stream_t *st = &ssn->s[dir], *peer = &ssn->s[1 - dir];
	uint8_t fl = p->tcp.flags;
	uint32_t seq = p->tcp.seq, ack = p->tcp.ack, len = p->payload_len;
	bool fin = (fl & SETU_TH_FIN) != 0;

	if (fl & SETU_TH_RST)
		return handle_rst(f, p, dir, rc);
	if (fl & SETU_TH_SYN)
		return syn_on_established(ssn, p, dir);
	if (ssn->state == SETU_TCP_CLOSED) {
		/* The side that reset the session keeps sending data: the RST was likely
		 * forged by a third party (Suricata's suspected_rst_inject). */
		if (ssn->rst_dir == dir && p->payload_len)
			ev(p, SETU_EV_STREAM_SUSPECTED_RST_INJECT);
		return 0; /* after the close: nothing more to reassemble */
	}
	if (!ts_validate(ssn, p, dir))
		return SETU_EINVAL;
	state_events_t se = state_events(ssn->state);

	if (!(fl & SETU_TH_ACK)) {
		/* every segment after the handshake carries an ACK (RFC 9293 §3.10.7.4)
		 */
		ev(p, SETU_EV_STREAM_PKT_INVALID_ACK);
		return SETU_EINVAL;
	}
	if (SEQ_GT(ack, peer->next_seq)) {
		if (!liberal(ssn) && SEQ_GT(ack, peer->next_win)) {
			ev(p, SETU_EV_STREAM_PKT_INVALID_ACK);
			ev(p, fin && ssn->state == SETU_TCP_ESTABLISHED
			          ? SETU_EV_STREAM_FIN_INVALID_ACK
			          : se.invalid_ack);
			return SETU_EINVAL;
		}
		/* the peer sent data we never saw, and this side got it */
		sc->c.ack_unseen_data++;
		peer->next_seq = ack;
	}

	/* Retransmission: everything in it was seen (and handed on) already. */
	bool retrans = false;
	if (len > 0) {
		/* seen and handed on already, or (Suricata) below what the peer ACKed */
		int64_t end = setu_stream_off_of_seq(st, seq + len);
		retrans =
		    (end <= (int64_t)st->app_off && SEQ_LEQ(seq + len, st->next_seq) &&
		     !(ssn->flags & SETU_SSN_NO_REASM) &&
		     !(st->flags & SETU_STREAM_F_DEPTH)) ||
		    ((st->flags & SETU_STREAM_F_ACKED) &&
		     SEQ_LEQ(seq + len, st->last_ack));
	} else if (fin) {
		retrans = (st->flags & SETU_STREAM_F_FIN) && seq == st->fin_seq;
	}
	if (retrans) {
		ev(p, SETU_EV_STREAM_PKT_RETRANSMISSION);
		sc->c.pkt_retransmission++;
	} else if (!liberal(ssn) && (len > 0 || fin)) {
		/* The data must fit the window the receiver advertised (zero-window
		 * probes of one byte excepted). */
		bool probe = st->window == 0 && len <= 1;
		if (SEQ_GT(seq + len, st->next_win) && !probe) {
			ev(p, fin ? se.fin_wrong_seq : se.wrong_seq);
			return SETU_EINVAL;
		}
	}

	if (SEQ_GT(seq + len, st->next_seq))
		st->next_seq = seq + len;
	update_peer_from_ack(ssn, dir, p);
	ts_update(ssn, p, dir);
	if (len)
		setu_reasm_insert(rc, dir, seq, p->payload, len);
	if (fin && !(st->flags & SETU_STREAM_F_FIN)) {
		st->flags |= SETU_STREAM_F_FIN;
		st->fin_seq = seq + len;
		if (SEQ_GT(st->fin_seq + 1, st->next_seq))
			st->next_seq = st->fin_seq + 1;
	}
	/* The peer ACKed up to `ack`: data of 1-dir we never saw there is a gap. Not for
	 * async sessions: one side is never seen, its ACKs say nothing about our capture.
	 */
	if (!(ssn->flags & SETU_SSN_ASYNC))
		setu_reasm_acked(rc, 1 - dir, ack);

	switch (ssn->state) {
	case SETU_TCP_ESTABLISHED:
		if (fin)
			set_state(f, ssn,
			          dir == 0 ? SETU_TCP_CLOSE_WAIT : SETU_TCP_FIN_WAIT1);
		break;
	case SETU_TCP_FIN_WAIT1: /* the server closed first */
		if (dir == 0 && fin)
			set_state(f, ssn,
			          acks_fin(peer, p) ? SETU_TCP_TIME_WAIT
			                            : SETU_TCP_CLOSING);
		else if (dir == 0 && acks_fin(peer, p))
			set_state(f, ssn, SETU_TCP_FIN_WAIT2);
		break;
	case SETU_TCP_FIN_WAIT2:
		if (dir == 0 && fin)
			set_state(f, ssn, SETU_TCP_TIME_WAIT);
		break;
	case SETU_TCP_CLOSE_WAIT: /* the client closed first */
		if (dir == 1 && fin)
			set_state(f, ssn, SETU_TCP_LAST_ACK);
		break;
	case SETU_TCP_LAST_ACK:
		if (dir == 0 && acks_fin(peer, p))
			set_state(f, ssn, SETU_TCP_CLOSED);
		break;
	case SETU_TCP_CLOSING:
		if (acks_fin(peer, p))
			set_state(f, ssn, SETU_TCP_TIME_WAIT);
		break;
	case SETU_TCP_TIME_WAIT:
		if (acks_fin(peer, p) && (st->flags & SETU_STREAM_F_FIN))
			set_state(f, ssn, SETU_TCP_CLOSED);
		break;
	default:
		break;
	}
	setu_reasm_check_eof(rc, dir);
	return 0;
}

/* --- the handshake --- */

static int state_syn_sent(setu_stream_ctx_t *sc, setu_flow_t *f, setu_pkt_t *p, int dir,
                          const setu_reasm_call_t *rc)
{
	struct setu_tcp_session *ssn = f->tcp;
	setu_tcp_stream_t *cli = &ssn->s[0], *srv = &ssn->s[1];
	uint8_t fl = p->tcp.flags;
	if (fl & SETU_TH_RST) {
		if (dir == 1 && (fl & SETU_TH_ACK)) {
			if (p->tcp.ack != cli->isn + 1) {
				ev(p, SETU_EV_STREAM_RST_INVALID_ACK);
				return SETU_EINVAL;
			}
		} else if (dir == 1 || p->tcp.seq != cli->next_seq) {
			return SETU_EINVAL;
		}
		set_state(f, ssn, SETU_TCP_CLOSED);
		close_both(rc);
		return 0;
	}
	if ((fl & (SETU_TH_SYN | SETU_TH_ACK)) == (SETU_TH_SYN | SETU_TH_ACK)) {
		if (dir == 0) {
			ev(p, SETU_EV_STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION);
			return SETU_EINVAL;
		}
		bool tfo_acked =
		    (ssn->flags & SETU_SSN_TFO) && p->tcp.ack == cli->next_seq;
		if (p->tcp.ack != cli->isn + 1 && !tfo_acked) {
			ev(p, SETU_EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK);
			return SETU_EINVAL;
		}
		if (!tfo_acked)
			cli->next_seq = cli->isn + 1; /* SYN data (if any) not accepted */
		stream_init_base(srv, p->tcp.seq + 1);
		srv->isn = p->tcp.seq;
		if (cli->wscale_opt && p->tcp.has_wscale) {
			srv->wscale = p->tcp.wscale > SETU_TCP_WSCALE_MAX
			                  ? SETU_TCP_WSCALE_MAX
			                  : p->tcp.wscale;
		} else {
			cli->wscale = srv->wscale =
			    0; /* RFC 7323: both sides or neither */
		}
		set_last_ack(cli, p->tcp.ack);
		cli->window = p->tcp.win;
		cli->next_win = cli->last_ack + cli->window;
		set_last_ack(srv, srv->base_seq);
		srv->next_win = srv->base_seq + srv->window;
		/* RFC 7323 §3.2: timestamps are used when both SYNs carried them */
		if ((cli->flags & SETU_STREAM_F_TS) && p->tcp.has_ts) {
			ts_note_syn(srv, p);
			ssn->flags |= SETU_SSN_TIMESTAMP;
		} else {
			cli->last_ts = srv->last_ts = 0;
			ssn->flags &= ~SETU_SSN_TIMESTAMP;
		}
		if (p->payload_len)
			ev(p, SETU_EV_STREAM_3WHS_SYNACK_TFO_DATA_IGNORED);
		set_state(f, ssn, SETU_TCP_SYN_RECV);
		if (tfo_acked)
			setu_reasm_acked(rc, 0, p->tcp.ack);
		return 0;
	}
	if (fl & SETU_TH_SYN) {
		if (dir == 1) {
			/* Simultaneous open (RFC 9293 §3.5 figure 8; Suricata's "4whs"):
			 * the server answers with its own SYN; the client will SYN/ACK
			 * it. */
			stream_init_base(srv, p->tcp.seq + 1);
			srv->isn = p->tcp.seq;
			srv->wscale_opt = p->tcp.has_wscale;
			if (cli->wscale_opt && p->tcp.has_wscale) {
				srv->wscale = p->tcp.wscale > SETU_TCP_WSCALE_MAX
				                  ? SETU_TCP_WSCALE_MAX
				                  : p->tcp.wscale;
			} else {
				cli->wscale = srv->wscale = 0;
			}
			cli->window = p->tcp.win;
			set_last_ack(cli, cli->base_seq);
			cli->next_win = cli->last_ack + cli->window;
			ssn->flags |= SETU_SSN_4WHS;
			set_state(f, ssn, SETU_TCP_SYN_RECV);
			return 0;
		}
		if (p->tcp.seq != cli->isn) { /* a new SYN replaces the old one */
			if (ssn->flags & SETU_SSN_TFO)
				return SETU_EINVAL; /* its data was handed on: keep the
				                       first */
			stream_init_base(cli, p->tcp.seq + 1);
			cli->isn = p->tcp.seq;
		}
		ts_note_syn(cli, p); /* the SYN the server will answer */
		if (p->payload_len && syn_has_tfo(p)) {
			ssn->flags |= SETU_SSN_TFO;
			if (SEQ_GT(p->tcp.seq + 1 + p->payload_len, cli->next_seq))
				cli->next_seq = p->tcp.seq + 1 + p->payload_len;
			setu_reasm_insert(rc, dir, p->tcp.seq + 1, p->payload,
			                  p->payload_len);
		}
		return 0;
	}
	if ((fl & SETU_TH_ACK) && dir == 0) {
		if (!sc->cfg.async_oneside)
			return 0; /* the server's side is missing: wait for it */
		if (p->tcp.seq != cli->next_seq) {
			ev(p, SETU_EV_STREAM_3WHS_ASYNC_WRONG_SEQ);
			return SETU_EINVAL;
		}
		stream_init_base(srv, p->tcp.ack);
		srv->wscale = cli->wscale;
		set_last_ack(cli, p->tcp.seq);
		cli->window = UINT32_MAX / 4;
		cli->next_win = cli->last_ack + cli->window;
		ssn->flags |= SETU_SSN_ASYNC;
		set_state(f, ssn, SETU_TCP_ESTABLISHED);
		return est_like(sc, f, p, dir, rc);
	}
	return SETU_EINVAL;
}

/* SYN_RECV after a simultaneous open: the client SYN/ACKs the server's SYN, the server's
 * ACK completes it. */
static int state_syn_recv_4whs(setu_stream_ctx_t *sc, setu_flow_t *f, setu_pkt_t *p,
                               int dir, const setu_reasm_call_t *rc)
{
	struct setu_tcp_session *ssn = f->tcp;
	setu_tcp_stream_t *cli = &ssn->s[0], *srv = &ssn->s[1];
	uint8_t fl = p->tcp.flags;
	if ((fl & (SETU_TH_SYN | SETU_TH_ACK)) == (SETU_TH_SYN | SETU_TH_ACK) &&
	    dir == 0) {
		if (p->tcp.ack != srv->base_seq) {
			ev(p, SETU_EV_STREAM_4WHS_SYNACK_WITH_WRONG_ACK);
			return SETU_EINVAL;
		}
		if (p->tcp.seq != cli->isn) {
			ev(p, SETU_EV_STREAM_4WHS_SYNACK_WITH_WRONG_SYN);
			return SETU_EINVAL;
		}
		set_last_ack(srv, p->tcp.ack);
		srv->window = p->tcp.win;
		srv->next_win = srv->last_ack + srv->window;
		return 0;
	}
	if (fl & SETU_TH_SYN)
		return SETU_EINVAL;
	if (!(fl & SETU_TH_ACK))
		return SETU_EINVAL;
	if (dir == 1) {
		if (p->tcp.seq != srv->next_seq) {
			ev(p, SETU_EV_STREAM_4WHS_WRONG_SEQ);
			return SETU_EINVAL;
		}
		if (p->tcp.ack != cli->next_seq) {
			ev(p, SETU_EV_STREAM_4WHS_INVALID_ACK);
			return SETU_EINVAL;
		}
	} else if (p->tcp.ack != srv->next_seq || p->tcp.seq != cli->next_seq) {
		ev(p, SETU_EV_STREAM_4WHS_WRONG_SEQ);
		return SETU_EINVAL;
	}
	set_state(f, ssn, SETU_TCP_ESTABLISHED);
	return est_like(sc, f, p, dir, rc);
}

static int state_syn_recv(setu_stream_ctx_t *sc, setu_flow_t *f, setu_pkt_t *p, int dir,
                          const setu_reasm_call_t *rc)
{
	struct setu_tcp_session *ssn = f->tcp;
	setu_tcp_stream_t *cli = &ssn->s[0], *srv = &ssn->s[1];
	uint8_t fl = p->tcp.flags;
	if (fl & SETU_TH_RST)
		return handle_rst(f, p, dir, rc);
	if (ssn->flags & SETU_SSN_4WHS)
		return state_syn_recv_4whs(sc, f, p, dir, rc);
	if ((fl & (SETU_TH_SYN | SETU_TH_ACK)) == (SETU_TH_SYN | SETU_TH_ACK)) {
		if (dir == 0) {
			ev(p, SETU_EV_STREAM_3WHS_SYNACK_TOSERVER_ON_SYN_RECV);
			return SETU_EINVAL;
		}
		if (p->tcp.ack != cli->base_seq) {
			ev(p, SETU_EV_STREAM_3WHS_SYNACK_RESEND_WITH_DIFF_ACK);
			return SETU_EINVAL;
		}
		if (p->tcp.seq != srv->isn) {
			ev(p, SETU_EV_STREAM_3WHS_SYNACK_RESEND_WITH_DIFF_SEQ);
			return SETU_EINVAL;
		}
		return 0; /* a resent SYN/ACK */
	}
	if (fl & SETU_TH_SYN) {
		if (dir == 1) {
			ev(p, SETU_EV_STREAM_3WHS_SYN_TOCLIENT_ON_SYN_RECV);
			return SETU_EINVAL;
		}
		if (!(ssn->flags & SETU_SSN_MIDSTREAM) && p->tcp.seq != cli->isn) {
			ev(p, SETU_EV_STREAM_3WHS_SYN_RESEND_DIFF_SEQ_ON_SYN_RECV);
			return SETU_EINVAL;
		}
		return 0;
	}
	if (!(fl & SETU_TH_ACK))
		return SETU_EINVAL;
	if (!ts_validate(ssn, p, dir))
		return SETU_EINVAL;
	if (dir == 1) {
		/* The server speaks before the handshake's last ACK was seen (Suricata's
		 * IDS-mode rules): a one-sided session (async-oneside) whose server goes
		 * on where the SYN/ACK left off; the server's data after a lost client
		 * packet, on a session picked up on its SYN/ACK; or the server's data
		 * after a lost 3WHS ACK. */
		uint32_t seq = p->tcp.seq, ack = p->tcp.ack;
		bool synack = (ssn->flags & SETU_SSN_MIDSTREAM_SYNACK) != 0;
		if (sc->cfg.async_oneside && seq == srv->next_seq) {
			ssn->flags |= SETU_SSN_ASYNC;
		} else if (synack && SEQ_GT(ack, cli->last_ack)) {
			set_last_ack(cli, ack); /* it acks client data we did not see */
		} else if (synack || ack != cli->last_ack || seq != srv->next_seq) {
			ev(p, SETU_EV_STREAM_3WHS_WRONG_SEQ_WRONG_ACK);
			return SETU_EINVAL;
		}
		set_state(f, ssn, SETU_TCP_ESTABLISHED);
		return est_like(sc, f, p, dir, rc);
	}
	uint32_t seq = p->tcp.seq;
	bool ack_ok = p->tcp.ack == srv->next_seq;
	bool seq_ok =
	    seq == cli->next_seq ||
	    (SEQ_GEQ(seq, cli->next_seq) && SEQ_LEQ(seq + p->payload_len, cli->next_win));
	if (!ack_ok) {
		ev(p, seq_ok ? SETU_EV_STREAM_3WHS_RIGHT_SEQ_WRONG_ACK_EVASION
		             : SETU_EV_STREAM_3WHS_WRONG_SEQ_WRONG_ACK);
		return SETU_EINVAL;
	}
	if (!seq_ok) {
		ev(p, SETU_EV_STREAM_3WHS_WRONG_SEQ_WRONG_ACK);
		return SETU_EINVAL;
	}
	set_state(f, ssn, SETU_TCP_ESTABLISHED);
	return est_like(sc, f, p, dir, rc);
}

int setu_stream_handle_packet(setu_stream_ctx_t *sc, setu_flow_t *f, setu_pkt_t *p,
                              setu_stream_data_cb cb, void *user)
{
	if (!sc || !p)
		return SETU_EINVAL;
	if (!f) {
		sc->c.no_flow++;
		return SETU_EINVAL;
	}
	if (p->proto != IPPROTO_TCP || f->proto != IPPROTO_TCP ||
	    !(p->flags & SETU_PKT_HAS_L4))
		return SETU_EINVAL;
	uint8_t fl = p->tcp.flags;
	if ((fl & (SETU_TH_SYN | SETU_TH_ACK)) == (SETU_TH_SYN | SETU_TH_ACK))
		sc->c.synack++;
	else if (fl & SETU_TH_SYN)
		sc->c.syn++;
	if (fl & SETU_TH_RST)
		sc->c.rst++;
	if (fl & SETU_TH_URG)
		sc->c.urg++;
	if (sc->cfg.checksum_validate && (p->flags & SETU_PKT_TCP_CSUM_BAD)) {
		sc->c.invalid_checksum++;
		return SETU_EINVAL;
	}
	if (p->payload_len && !p->payload)
		return SETU_EINVAL;
	if (p->flags & SETU_PKT_PSEUDO)
		return 0; /* made by the engine: nothing on the wire to track */
	if (!(fl & SETU_TH_ACK) && p->tcp.ack != 0)
		ev(p, SETU_EV_STREAM_PKT_BROKEN_ACK); /* ack field set without the ACK
		                                         flag */

	setu_reasm_call_t rc;
	rc_init(&rc, sc, f, p, cb, user);
	int r;
	if (!f->tcp) {
		r = state_none(sc, f, p, &rc);
	} else if (f->tcp->flags & SETU_SSN_RELEASED) {
		return 0; /* the flow already ended */
	} else {
		int dir = (p->flags & SETU_PKT_TOCLIENT) ? 1 : 0;
		switch (f->tcp->state) {
		case SETU_TCP_SYN_SENT:
			r = state_syn_sent(sc, f, p, dir, &rc);
			break;
		case SETU_TCP_SYN_RECV:
			r = state_syn_recv(sc, f, p, dir, &rc);
			break;
		case SETU_TCP_NONE:
			r = SETU_EINVAL;
			break;
		default:
			r = est_like(sc, f, p, dir, &rc);
			break;
		}
	}
	if (f->tcp && f->tcp->state >= SETU_TCP_ESTABLISHED)
		p->flags |= SETU_PKT_STREAM_EST;
	return r;
}

void setu_stream_flow_end(setu_stream_ctx_t *sc, setu_flow_t *f, setu_stream_data_cb cb,
                          void *user)
{
	if (!sc || !f || !f->tcp || (f->tcp->flags & SETU_SSN_RELEASED))
		return;
	setu_reasm_call_t rc;
	rc_init(&rc, sc, f, NULL, cb, user);
	close_both(&rc);
	setu_reasm_release(f->tcp);
}

void setu_stream_counters(const setu_stream_ctx_t *sc, setu_counter_cb cb, void *user)
{
	if (!sc || !cb)
		return;
	cb(user, "tcp.active_sessions", sc->active);
	cb(user, "tcp.sessions", sc->c.sessions);
	cb(user, "tcp.ssn_memcap_drop", sc->c.ssn_memcap_drop);
	cb(user, "tcp.pseudo", 0);
	cb(user, "tcp.invalid_checksum", sc->c.invalid_checksum);
	cb(user, "tcp.no_flow", sc->c.no_flow);
	cb(user, "tcp.syn", sc->c.syn);
	cb(user, "tcp.synack", sc->c.synack);
	cb(user, "tcp.rst", sc->c.rst);
	cb(user, "tcp.urg", sc->c.urg);
	cb(user, "tcp.midstream_pickups", sc->c.midstream_pickups);
	cb(user, "tcp.pkt_on_wrong_thread", 0); /* flows are hashed to one worker */
	cb(user, "tcp.ack_unseen_data", sc->c.ack_unseen_data);
	cb(user, "tcp.segment_memcap_drop", sc->c.segment_memcap_drop);
	cb(user, "tcp.stream_depth_reached", sc->c.stream_depth_reached);
	cb(user, "tcp.reassembly_gap", sc->c.reassembly_gap);
	cb(user, "tcp.overlap", sc->c.overlap);
	cb(user, "tcp.overlap_diff_data", sc->c.overlap_diff_data);
	cb(user, "tcp.insert_data_normal_fail", sc->c.insert_data_normal_fail);
	cb(user, "tcp.insert_data_overlap_fail", 0);
	cb(user, "tcp.memuse", sc->memuse);
	cb(user, "tcp.reassembly_memuse", sc->reasm_memuse);
}
