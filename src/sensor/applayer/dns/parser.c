/* dns/parser.c — DNS message parser over UDP datagrams and TCP streams (RFC 1035 §4,
 * RFC 7766 length prefix; SRV RFC 2782, SSHFP RFC 4255), each message one transaction as
 * Suricata 7+ does. Written by hand: no Debian library parses untrusted DNS into
 * structures without allocating per message and with Suricata's anomaly events. */
#include "sensor/applayer/dns/dns.h"

#include "common/bytes.h"
#include "common/limits.h"
#include "sensor/applayer/applayer-int.h"
#include "setu/error.h"

#include <stdlib.h>
#include <string.h>

struct setu_dns_state {
	setu_altxq_t q;
	setu_dns_tx_t *pool; /* recycled txs (linked through hdr.next) */
	setu_buf_t
	    tcp[2];     /* partial TCP message per direction (length prefix included) */
	bool resync[2]; /* after a gap: wait for something that probes as DNS */
	bool seen_first, reversed;
	uint32_t events; /* state events (messages too short to make a tx) */
};

static const char *const dns_event_names[] = {
#define SETU_DNS_EV_NAME(id, name) name,
    SETU_DNS_EVENTS(SETU_DNS_EV_NAME)
#undef SETU_DNS_EV_NAME
};

const char *setu_dns_event_name(unsigned bit)
{
	return bit < sizeof(dns_event_names) / sizeof(dns_event_names[0])
	           ? dns_event_names[bit]
	           : NULL;
}

static const struct {
	uint16_t t;
	const char *name;
} rrtype_names[] = {
    {1, "A"},       {2, "NS"},        {3, "MD"},          {4, "MF"},     {5, "CNAME"},
    {6, "SOA"},     {7, "MB"},        {8, "MG"},          {9, "MR"},     {10, "NULL"},
    {11, "WKS"},    {12, "PTR"},      {13, "HINFO"},      {14, "MINFO"}, {15, "MX"},
    {16, "TXT"},    {17, "RP"},       {18, "AFSDB"},      {19, "X25"},   {20, "ISDN"},
    {21, "RT"},     {22, "NSAP"},     {23, "NSAPPTR"},    {24, "SIG"},   {25, "KEY"},
    {26, "PX"},     {27, "GPOS"},     {28, "AAAA"},       {29, "LOC"},   {30, "NXT"},
    {33, "SRV"},    {34, "ATMA"},     {35, "NAPTR"},      {36, "KX"},    {37, "CERT"},
    {38, "A6"},     {39, "DNAME"},    {41, "OPT"},        {42, "APL"},   {43, "DS"},
    {44, "SSHFP"},  {45, "IPSECKEY"}, {46, "RRSIG"},      {47, "NSEC"},  {48, "DNSKEY"},
    {49, "DHCID"},  {50, "NSEC3"},    {51, "NSEC3PARAM"}, {52, "TLSA"},  {55, "HIP"},
    {59, "CDS"},    {60, "CDNSKEY"},  {64, "SVCB"},       {65, "HTTPS"}, {99, "SPF"},
    {249, "TKEY"},  {250, "TSIG"},    {251, "IXFR"},      {252, "AXFR"}, {253, "MAILB"},
    {254, "MAILA"}, {255, "ANY"},     {256, "URI"},       {32768, "TA"}, {32769, "DLV"},
};

const char *setu_dns_rrtype_name(uint16_t t)
{
	for (size_t i = 0; i < sizeof(rrtype_names) / sizeof(rrtype_names[0]); i++)
		if (rrtype_names[i].t == t)
			return rrtype_names[i].name;
	return NULL;
}

static const char *const rcode_names[] = {
    "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",   "REFUSED",
    "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE",  NULL,
    NULL,       NULL,      NULL,       NULL,       "BADVERS",  "BADKEY",
    "BADTIME",  "BADMODE", "BADNAME",  "BADALG",   "BADTRUNC",
};

const char *setu_dns_rcode_name(uint16_t rcode)
{
	return rcode < sizeof(rcode_names) / sizeof(rcode_names[0]) ? rcode_names[rcode]
	                                                            : NULL;
}

const setu_dns_rr_t *setu_dns_tx_rr(const setu_dns_tx_t *tx, int section, uint32_t i)
{
	if (section < 0 || section > 3 || i >= tx->nsec[section])
		return NULL;
	uint32_t base = 0;
	for (int s = 0; s < section; s++)
		base += tx->nsec[s];
	return &tx->rr[base + i];
}

bool setu_dns_tx_query(const setu_dns_tx_t *tx, uint32_t i, const uint8_t **buf,
                       uint32_t *len)
{
	const setu_dns_rr_t *rr = setu_dns_tx_rr(tx, SETU_DNS_SEC_QUERY, i);
	if (rr == NULL)
		return false;
	*buf = setu_dns_rr_name(tx, rr);
	*len = rr->name_len;
	return true;
}

/* ---- name decompression ---- */

typedef struct dns_name_out {
	uint32_t off, len;
	bool trunc;
} dns_name_out_t;

/* Decode the name starting at *pos of msg[0..mlen) into the arena. On return *pos is past
 * the name as it sits in the message (after the first pointer if one was followed).
 * Returns 0, or -1 when the name runs off the message (malformed). Loops and oversize
 * names are not errors: they cut the name and raise an event, as Suricata does. */
static int dns_name(const uint8_t *msg, size_t mlen, size_t *pos, setu_buf_t *ar,
                    dns_name_out_t *out, uint32_t *ev)
{
	size_t p = *pos, after = 0;
	bool jumped = false, stop = false;
	unsigned jumps = 0, labels = 0;
	out->off = (uint32_t)ar->len;
	out->len = 0;
	out->trunc = false;
	for (;;) {
		if (p >= mlen)
			return -1;
		uint8_t l = msg[p];
		if (l == 0) {
			p++;
			break;
		}
		if ((l & 0xc0) == 0xc0) {
			if (p + 1 >= mlen)
				return -1;
			size_t ptr = ((size_t)(l & 0x3f) << 8) | msg[p + 1];
			if (!jumped) {
				after = p + 2;
				jumped = true;
			}
			if (++jumps > SETU_DNS_MAX_JUMPS) {
				*ev |= SETU_DNS_EV(INFINITE_LOOP);
				out->trunc = true;
				break;
			}
			if (ptr >= mlen)
				return -1;
			p = ptr;
			continue;
		}
		if (l &
		    0xc0) /* 0x40/0x80: extended label types, obsolete (RFC 6891 §5) */
			return -1;
		if (p + 1 + l > mlen)
			return -1;
		if (++labels > 255) {
			*ev |= SETU_DNS_EV(TOO_MANY_LABELS);
			out->trunc = true;
			stop = true;
			if (jumped) /* after a jump, work must stay bounded: stop here */
				break;
		}
		if (!stop) {
			size_t add = l + (out->len ? 1u : 0u);
			if (out->len + add > SETU_DNS_MAX_NAME) {
				*ev |= SETU_DNS_EV(NAME_TOO_LONG);
				out->trunc = true;
				stop = true;
				size_t room = SETU_DNS_MAX_NAME - out->len;
				if (out->len && room) {
					setu_buf_putc(ar, '.');
					room--;
					out->len++;
				}
				setu_buf_append(ar, msg + p + 1, room);
				out->len += (uint32_t)room;
			} else {
				if (out->len)
					setu_buf_putc(ar, '.');
				setu_buf_append(ar, msg + p + 1, l);
				out->len += (uint32_t)add;
			}
		}
		p += 1 + (size_t)l;
	}
	*pos = jumped ? after : p;
	return setu_buf_ok(ar) ? 0 : -2;
}

/* ---- message ---- */

static setu_dns_tx_t *dns_tx_get(setu_dns_state_t *ds)
{
	setu_dns_tx_t *tx = ds->pool;
	if (tx != NULL) {
		ds->pool = (setu_dns_tx_t *)tx->hdr.next;
	} else {
		tx = calloc(1, sizeof(*tx));
		if (tx == NULL)
			return NULL;
		setu_buf_init(&tx->arena, SETU_DNS_ARENA_MAX);
	}
	setu_buf_reset(&tx->arena);
	setu_buf_putc(&tx->arena, '\0'); /* offset 0 = empty string, data never NULL */
	tx->arena.len = 1;
	memset(&tx->hdr, 0, sizeof(tx->hdr));
	tx->nrr = 0;
	memset(tx->nsec, 0, sizeof(tx->nsec));
	return tx;
}

static void dns_tx_destroy(setu_dns_tx_t *tx)
{
	setu_buf_free(&tx->arena);
	free(tx->rr);
	free(tx);
}

void setu_dns_tx_release(void *ps, setu_altx_t *t)
{
	setu_dns_state_t *ds = ps;
	setu_dns_tx_t *tx = (setu_dns_tx_t *)t;
	tx->hdr.next = (setu_altx_t *)ds->pool;
	ds->pool = tx;
}

static setu_dns_rr_t *dns_rr_add(setu_dns_tx_t *tx)
{
	if (tx->nrr >= SETU_DNS_MAX_RRS)
		return NULL;
	if (tx->nrr == tx->rr_cap) {
		uint32_t cap = tx->rr_cap ? tx->rr_cap * 2 : 16;
		setu_dns_rr_t *r = realloc(tx->rr, cap * sizeof(*r));
		if (r == NULL)
			return NULL;
		tx->rr = r;
		tx->rr_cap = cap;
	}
	setu_dns_rr_t *rr = &tx->rr[tx->nrr++];
	memset(rr, 0, sizeof(*rr));
	return rr;
}

/* Copy bytes into the arena; on failure (arena limit or out of memory) nothing is
 * recorded, so no offset ever points past what was written. */
static bool arena_put(setu_buf_t *ar, const uint8_t *p, size_t n, uint32_t *off,
                      uint32_t *len)
{
	size_t at = ar->len;
	if (setu_buf_append(ar, p, n) != 0) {
		*off = *len = 0;
		return false;
	}
	*off = (uint32_t)at;
	*len = (uint32_t)n;
	return true;
}

/* rdata of rr at msg[off..off+rdlen). Failure leaves the rdata raw with data_ok false. */
static void dns_rdata(const uint8_t *msg, size_t mlen, size_t off, uint16_t rdlen,
                      setu_dns_tx_t *tx, setu_dns_rr_t *rr, uint32_t *ev)
{
	setu_buf_t *ar = &tx->arena;
	const uint8_t *rd = msg + off;
	dns_name_out_t nm;
	size_t p = off;
	setu_rd_t r = setu_rd_init(rd, rdlen);
	rr->data_ok = false;
	switch (rr->rrtype) {
	case SETU_DNS_A:
	case SETU_DNS_AAAA:
		if (rdlen == (rr->rrtype == SETU_DNS_A ? 4 : 16)) {
			rr->data_ok =
			    arena_put(ar, rd, rdlen, &rr->data_off, &rr->data_len);
			return;
		}
		break;
	case SETU_DNS_NS:
	case SETU_DNS_CNAME:
	case SETU_DNS_PTR:
	case SETU_DNS_MX:
	case SETU_DNS_SRV:
		if (rr->rrtype == SETU_DNS_MX) {
			rr->n[0] = setu_rd_be16(&r);
			p += 2;
		} else if (rr->rrtype == SETU_DNS_SRV) {
			rr->n[0] = setu_rd_be16(&r);
			rr->n[1] = setu_rd_be16(&r);
			rr->n[2] = setu_rd_be16(&r);
			p += 6;
		}
		if (r.err || dns_name(msg, mlen, &p, ar, &nm, ev) != 0)
			break;
		rr->data_off = nm.off;
		rr->data_len = nm.len;
		rr->data_trunc = nm.trunc;
		rr->data_ok = true;
		return;
	case SETU_DNS_SOA:
		if (dns_name(msg, mlen, &p, ar, &nm, ev) != 0)
			break;
		rr->data_off = nm.off;
		rr->data_len = nm.len;
		if (dns_name(msg, mlen, &p, ar, &nm, ev) != 0)
			break;
		rr->data2_off = nm.off;
		rr->data2_len = nm.len;
		if (p + 20 > mlen)
			break;
		for (int i = 0; i < 5; i++)
			rr->n[i] = setu_be32(msg + p + 4 * (size_t)i);
		rr->data_ok = true;
		return;
	case SETU_DNS_SSHFP:
		if (rdlen < 2)
			break;
		rr->n[0] = rd[0];
		rr->n[1] = rd[1];
		rr->data_ok =
		    arena_put(ar, rd + 2, rdlen - 2u, &rr->data_off, &rr->data_len);
		return;
	default:
		break;
	}
	/* raw: TXT (split into strings at log time), NULL, unknown types, failures */
	rr->data2_off = rr->data2_len = 0;
	bool put = arena_put(ar, rd, rdlen, &rr->data_off, &rr->data_len);
	if (put && (rr->rrtype == SETU_DNS_TXT || rr->rrtype == SETU_DNS_NULL))
		rr->data_ok = true;
}

/* Parse count RRs of a section. Returns 0 or -1 (malformed: stop). */
static int dns_section(const uint8_t *msg, size_t mlen, size_t *pos, unsigned count,
                       int sec, setu_dns_tx_t *tx)
{
	uint32_t *ev = &tx->hdr.events;
	for (unsigned i = 0; i < count; i++) {
		dns_name_out_t nm;
		size_t p = *pos;
		size_t mark = tx->arena.len;
		if (dns_name(msg, mlen, &p, &tx->arena, &nm, ev) != 0)
			return -1;
		setu_rd_t r = setu_rd_init(msg, mlen);
		r.off = p;
		uint16_t type = setu_rd_be16(&r), cls = setu_rd_be16(&r);
		uint32_t ttl = 0;
		uint16_t rdlen = 0;
		if (sec != SETU_DNS_SEC_QUERY) {
			ttl = setu_rd_be32(&r);
			rdlen = setu_rd_be16(&r);
			if (!r.err && setu_rd_left(&r) < rdlen)
				r.err = true;
		}
		if (r.err) {
			tx->arena.len = mark;
			return -1;
		}
		setu_dns_rr_t *rr = dns_rr_add(tx);
		if (rr != NULL) {
			rr->name_off = nm.off;
			rr->name_len = nm.len;
			rr->name_trunc = nm.trunc;
			rr->rrtype = type;
			rr->rrclass = cls;
			rr->ttl = ttl;
			rr->section = (uint8_t)sec;
			tx->nsec[sec]++;
			if (sec != SETU_DNS_SEC_QUERY)
				dns_rdata(msg, mlen, r.off, rdlen, tx, rr, ev);
		} else {
			tx->arena.len =
			    mark; /* over SETU_DNS_MAX_RRS: walk, keep nothing */
		}
		*pos = r.off + rdlen;
	}
	return 0;
}

static bool dns_opcode_valid(uint8_t op)
{
	return op <= 2 || (op >= 4 && op <= 6);
}

/* One whole message (UDP datagram, or TCP message without its length prefix). */
static int dns_message(setu_dns_state_t *ds, int dir, const uint8_t *msg, size_t mlen)
{
	if (mlen < 12) {
		ds->events |= SETU_DNS_EV(MALFORMED_DATA);
		return 0;
	}
	setu_dns_tx_t *tx = dns_tx_get(ds);
	if (tx == NULL)
		return SETU_ENOMEM;
	tx->id = setu_be16(msg);
	tx->flags = setu_be16(msg + 2);
	tx->qdcount = setu_be16(msg + 4);
	tx->ancount = setu_be16(msg + 6);
	tx->nscount = setu_be16(msg + 8);
	tx->arcount = setu_be16(msg + 10);
	tx->response = (tx->flags & 0x8000) != 0;
	if (!ds->seen_first) {
		ds->seen_first = true;
		/* midstream or reversed UDP: the first message we see is a response in
		 * the toserver direction; directions are then swapped for events. */
		ds->reversed = dir == 0 && tx->response;
	}
	int logical = ds->reversed ? !dir : dir;
	if (logical == 0 && tx->response)
		tx->hdr.events |= SETU_DNS_EV(NOT_A_REQUEST);
	if (logical == 1 && !tx->response)
		tx->hdr.events |= SETU_DNS_EV(NOT_A_RESPONSE);
	if (tx->flags & 0x0040)
		tx->hdr.events |= SETU_DNS_EV(Z_FLAG_SET);
	if (!dns_opcode_valid(setu_dns_tx_opcode(tx)))
		tx->hdr.events |= SETU_DNS_EV(INVALID_OPCODE);
	tx->hdr.dir = (uint8_t)dir;

	size_t pos = 12;
	if (dns_section(msg, mlen, &pos, tx->qdcount, SETU_DNS_SEC_QUERY, tx) != 0 ||
	    dns_section(msg, mlen, &pos, tx->ancount, SETU_DNS_SEC_ANSWER, tx) != 0) {
		tx->hdr.events |= SETU_DNS_EV(MALFORMED_DATA);
	} else if (dns_section(msg, mlen, &pos, tx->nscount, SETU_DNS_SEC_AUTHORITY,
	                       tx) != 0) {
		tx->hdr.events |= SETU_DNS_EV(INVALID_AUTHORITIES);
	} else if (dns_section(msg, mlen, &pos, tx->arcount, SETU_DNS_SEC_ADDITIONAL,
	                       tx) != 0) {
		tx->hdr.events |= SETU_DNS_EV(INVALID_ADDITIONALS);
	}
	if (tx->arena.oom) {
		setu_dns_tx_release(ds, &tx->hdr);
		return SETU_ENOMEM;
	}
	/* arena limit (a compression bomb: names expanded far past the message size):
	 * the tx keeps what fit, parsing stopped with an event above */
	tx->hdr.complete = true;
	if (!setu_altxq_push(&ds->q, &tx->hdr))
		setu_dns_tx_release(ds, &tx->hdr);
	return 0;
}

int setu_dns_probe(const uint8_t *d, size_t n, bool is_tcp)
{
	if (is_tcp) {
		if (n < 2)
			return 0;
		size_t ml = setu_be16(d);
		if (ml < 12)
			return -1;
		d += 2;
		n -= 2;
		if (n < ml) {
			if (n < 12)
				return 0;
			/* check the header and what we have of the questions */
		} else {
			n = ml;
		}
	}
	if (n < 12)
		return is_tcp ? 0 : -1;
	uint16_t flags = setu_be16(d + 2);
	uint16_t qd = setu_be16(d + 4);
	if (!dns_opcode_valid((uint8_t)((flags >> 11) & 0xf)))
		return -1;
	if (qd == 0 && !(flags & 0x8000))
		return -1; /* a query asks something */
	if (qd > 64)
		return -1;
	/* walk the questions (no arena: names are only checked) */
	size_t p = 12;
	for (unsigned i = 0; i < qd; i++) {
		unsigned labels = 0;
		for (;;) {
			if (p >= n)
				return is_tcp ? 0 : -1;
			uint8_t l = d[p];
			if (l == 0) {
				p++;
				break;
			}
			if ((l & 0xc0) == 0xc0) {
				if (p + 1 >= n)
					return is_tcp ? 0 : -1;
				if ((((size_t)(l & 0x3f) << 8) | d[p + 1]) >= n)
					return -1;
				p += 2;
				break;
			}
			if (l & 0xc0)
				return -1;
			if (++labels > 127)
				return -1;
			p += 1 + (size_t)l;
		}
		if (p + 4 > n)
			return is_tcp ? 0 : -1;
		p += 4;
	}
	return 1;
}

setu_dns_state_t *setu_dns_state_new(void)
{
	setu_dns_state_t *ds = calloc(1, sizeof(*ds));
	if (ds == NULL)
		return NULL;
	setu_buf_init(&ds->tcp[0], SETU_DNS_MAX_MSG + 2);
	setu_buf_init(&ds->tcp[1], SETU_DNS_MAX_MSG + 2);
	return ds;
}

void setu_dns_state_free(void *p)
{
	setu_dns_state_t *ds = p;
	if (ds == NULL)
		return;
	setu_altx_t *t = ds->q.head;
	while (t != NULL) {
		setu_altx_t *n = t->next;
		dns_tx_destroy((setu_dns_tx_t *)t);
		t = n;
	}
	setu_dns_tx_t *tx = ds->pool;
	while (tx != NULL) {
		setu_dns_tx_t *n = (setu_dns_tx_t *)tx->hdr.next;
		dns_tx_destroy(tx);
		tx = n;
	}
	setu_buf_free(&ds->tcp[0]);
	setu_buf_free(&ds->tcp[1]);
	free(ds);
}

setu_altxq_t *setu_dns_txq(setu_dns_state_t *ds)
{
	return &ds->q;
}

uint32_t setu_dns_state_events(const setu_dns_state_t *ds)
{
	return ds->events;
}

bool setu_dns_reversed(const setu_dns_state_t *ds)
{
	return ds->reversed;
}

void setu_dns_swap(setu_dns_state_t *ds)
{
	ds->reversed = !ds->reversed;
	ds->seen_first = true; /* the sense is known now: keep it */
}

/* TCP: messages with a 2-byte length prefix may span chunks; the partial one is kept in
 * a per-direction buffer (reused), whole messages in the chunk are parsed in place. */
static int dns_tcp(setu_dns_state_t *ds, int dir, const uint8_t *d, size_t n,
                   unsigned flags)
{
	setu_buf_t *b = &ds->tcp[dir];
	if (flags & SETU_AL_GAP) {
		setu_buf_reset(b);
		ds->resync[dir] = true;
	}
	while (n > 0) {
		if (b->len == 0) {
			if (ds->resync[dir]) {
				int pr = setu_dns_probe(d, n, true);
				if (pr < 0) /* not at a message start: drop this chunk */
					return 0;
				if (pr == 0) {
					if (setu_buf_append(b, d, n) != 0)
						return SETU_ENOMEM;
					return 0;
				}
				ds->resync[dir] = false;
			}
			if (n >= 2) {
				size_t ml = setu_be16(d);
				if (n >= 2 + ml) { /* whole message in place */
					int rc = dns_message(ds, dir, d + 2, ml);
					if (rc != 0)
						return rc;
					d += 2 + ml;
					n -= 2 + ml;
					continue;
				}
			}
			if (setu_buf_append(b, d, n) != 0)
				return SETU_ENOMEM;
			return 0;
		}
		/* complete the buffered message */
		size_t need;
		if (b->len < 2) {
			size_t take = 2 - b->len < n ? 2 - b->len : n;
			setu_buf_append(b, d, take);
			d += take;
			n -= take;
			if (b->len < 2)
				return 0;
		}
		need = 2 + (size_t)setu_be16((const uint8_t *)b->data) - b->len;
		size_t take = need < n ? need : n;
		if (setu_buf_append(b, d, take) != 0)
			return SETU_ENOMEM;
		d += take;
		n -= take;
		if (take < need)
			return 0;
		if (ds->resync[dir]) {
			if (setu_dns_probe((const uint8_t *)b->data, b->len, true) != 1) {
				setu_buf_reset(b);
				continue;
			}
			ds->resync[dir] = false;
		}
		int rc = dns_message(ds, dir, (const uint8_t *)b->data + 2, b->len - 2);
		setu_buf_reset(b);
		if (rc != 0)
			return rc;
	}
	if ((flags & SETU_AL_EOF) && b->len > 0) {
		ds->events |= SETU_DNS_EV(MALFORMED_DATA);
		setu_buf_reset(b);
	}
	return 0;
}

int setu_dns_parse(setu_dns_state_t *ds, int dir, bool is_tcp, const uint8_t *d, size_t n,
                   unsigned flags)
{
	dir = dir ? 1 : 0;
	if (is_tcp)
		return dns_tcp(ds, dir, d, n, flags);
	if (n == 0)
		return 0;
	return dns_message(ds, dir, d, n);
}
