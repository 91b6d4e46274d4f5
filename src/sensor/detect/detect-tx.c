/* detect-tx.c — what app-layer rules inspect on a transaction: sticky buffers fetched
 * from the app-layer (applayer.h / kwbuf.h), Suricata's transforms (dotprefix,
 * to_lowercase, to_uppercase, url_decode, strip_whitespace, compress_whitespace,
 * header_lowercase) and the transaction-level keywords (urilen, dns.opcode, dns.rrtype,
 * tls.version, ssl_version, ssl_state, certificate validity and dates, tls.store). */
#include "detect-int.h"
#include "detect-tx.h"
#include "sensor/applayer/dns/dns.h"
#include "sensor/applayer/kwbuf.h"

#include <string.h>

bool num_match(const sm_num_t *n, uint64_t v)
{
	switch (n->op) {
	case CMP_EQ:
		return v == n->a;
	case CMP_NE:
		return v != n->a;
	case CMP_LT:
		return v < n->a;
	case CMP_GT:
		return v > n->a;
	case CMP_LE:
		return v <= n->a;
	case CMP_GE:
		return v >= n->a;
	default:
		return v > n->a && v < n->b;
	}
}

/* the app-layer's own buffer id for ours, or SETU_ALBUF_MAX */
static setu_al_buffer_t al_buffer(int db)
{
	switch (db) {
	case DB_HTTP_URI:
		return SETU_ALBUF_HTTP_URI;
	case DB_HTTP_URI_RAW:
		return SETU_ALBUF_HTTP_URI_RAW;
	case DB_HTTP_METHOD:
		return SETU_ALBUF_HTTP_METHOD;
	case DB_HTTP_HOST:
		return SETU_ALBUF_HTTP_HOST;
	case DB_HTTP_HOST_RAW:
		return SETU_ALBUF_HTTP_HOST_RAW;
	case DB_HTTP_UA:
		return SETU_ALBUF_HTTP_USER_AGENT;
	case DB_HTTP_STAT_CODE:
		return SETU_ALBUF_HTTP_STAT_CODE;
	case DB_HTTP_STAT_MSG:
		return SETU_ALBUF_HTTP_STAT_MSG;
	case DB_HTTP_REQUEST_LINE:
		return SETU_ALBUF_HTTP_REQUEST_LINE;
	case DB_HTTP_RESPONSE_LINE:
		return SETU_ALBUF_HTTP_RESPONSE_LINE;
	case DB_HTTP_REQUEST_BODY:
		return SETU_ALBUF_HTTP_REQUEST_BODY;
	case DB_HTTP_RESPONSE_BODY:
		return SETU_ALBUF_HTTP_RESPONSE_BODY;
	case DB_HTTP_REFERER:
		return SETU_ALBUF_HTTP_REFERER;
	case DB_HTTP_LOCATION:
		return SETU_ALBUF_HTTP_LOCATION;
	case DB_HTTP_SERVER:
		return SETU_ALBUF_HTTP_SERVER;
	case DB_DNS_QUERY:
		return SETU_ALBUF_DNS_QUERY;
	case DB_TLS_SNI:
		return SETU_ALBUF_TLS_SNI;
	case DB_TLS_SUBJECT:
		return SETU_ALBUF_TLS_SUBJECT;
	case DB_TLS_ISSUER:
		return SETU_ALBUF_TLS_ISSUER;
	case DB_TLS_SERIAL:
		return SETU_ALBUF_TLS_SERIAL;
	case DB_TLS_FINGERPRINT:
		return SETU_ALBUF_TLS_FINGERPRINT;
	case DB_TLS_CERTS:
		return SETU_ALBUF_TLS_CERTS;
	case DB_JA3_HASH:
		return SETU_ALBUF_JA3_HASH;
	case DB_JA3_STRING:
		return SETU_ALBUF_JA3_STRING;
	case DB_JA3S_HASH:
		return SETU_ALBUF_JA3S_HASH;
	case DB_JA3S_STRING:
		return SETU_ALBUF_JA3S_STRING;
	case DB_JA4_HASH:
		return SETU_ALBUF_JA4_HASH;
	default:
		return SETU_ALBUF_MAX;
	}
}

static int kwb_of(int db)
{
	switch (db) {
	case DB_HTTP_HEADER:
		return SETU_KWB_HTTP_HEADER;
	case DB_HTTP_HEADER_RAW:
		return SETU_KWB_HTTP_HEADER_RAW;
	case DB_HTTP_HEADER_NAMES:
		return SETU_KWB_HTTP_HEADER_NAMES;
	case DB_HTTP_START:
		return SETU_KWB_HTTP_START;
	case DB_HTTP_COOKIE:
		return SETU_KWB_HTTP_COOKIE;
	case DB_HTTP_CONTENT_TYPE:
		return SETU_KWB_HTTP_CONTENT_TYPE;
	case DB_HTTP_CONTENT_LEN:
		return SETU_KWB_HTTP_CONTENT_LEN;
	case DB_HTTP_ACCEPT:
		return SETU_KWB_HTTP_ACCEPT;
	case DB_HTTP_ACCEPT_ENC:
		return SETU_KWB_HTTP_ACCEPT_ENC;
	case DB_HTTP_ACCEPT_LANG:
		return SETU_KWB_HTTP_ACCEPT_LANG;
	case DB_HTTP_CONNECTION:
		return SETU_KWB_HTTP_CONNECTION;
	case DB_HTTP_PROTOCOL:
		return SETU_KWB_HTTP_PROTOCOL;
	case DB_FILE_DATA:
		return SETU_KWB_HTTP_BODY;
	default:
		return -1;
	}
}

bool detect_tx_buffer(int proto, const setu_altx_t *tx, int db, uint32_t idx, int dir,
                      setu_buf_t *scratch, const uint8_t **p, uint32_t *n)
{
	if (detect_buffers[db].alproto != proto)
		return false;
	switch (db) { /* both sides have a certificate (client authentication) */
	case DB_TLS_SUBJECT:
		return setu_tls_kw_cert(tx, 0, dir, idx, p, n);
	case DB_TLS_ISSUER:
		return setu_tls_kw_cert(tx, 1, dir, idx, p, n);
	case DB_TLS_SERIAL:
		return setu_tls_kw_cert(tx, 2, dir, idx, p, n);
	case DB_TLS_FINGERPRINT:
		return setu_tls_kw_cert(tx, 3, dir, idx, p, n);
	case DB_TLS_CERTS:
		return setu_tls_kw_cert(tx, 4, dir, idx, p, n);
	default:
		break;
	}
	setu_al_buffer_t ab = al_buffer(db);
	if (ab != SETU_ALBUF_MAX)
		return setu_applayer_tx_buffer((setu_alproto_t)proto, tx, ab, idx, p, n);
	switch (db) {
	case DB_TLS_SAN:
		return setu_tls_kw_san(tx, idx, p, n);
	case DB_TLS_ALPN:
		return setu_tls_kw_alpn(tx, idx, p, n);
	case DB_DNS_QUERIES_RRNAME:
		return setu_dns_kw_name(tx, SETU_DNS_SEC_QUERY, idx, p, n);
	case DB_DNS_ANSWERS_RRNAME:
		return setu_dns_kw_name(tx, SETU_DNS_SEC_ANSWER, idx, p, n);
	case DB_DNS_AUTH_RRNAME:
		return setu_dns_kw_name(tx, SETU_DNS_SEC_AUTHORITY, idx, p, n);
	case DB_DNS_ADDL_RRNAME:
		return setu_dns_kw_name(tx, SETU_DNS_SEC_ADDITIONAL, idx, p, n);
	case DB_DNS_RESPONSE_RRNAME:
		return setu_dns_kw_name(tx, 4, idx, p, n);
	case DB_HTTP_REQUEST_HEADER:
	case DB_HTTP_RESPONSE_HEADER:
		return setu_http_kwbuf(tx, SETU_KWB_HTTP_HEADER_N,
		                       db == DB_HTTP_RESPONSE_HEADER ? 1 : 0, idx,
		                       scratch, p, n);
	default:
		break;
	}
	int k = kwb_of(db);
	if (k < 0 || idx > 0)
		return false;
	return setu_http_kwbuf(tx, (setu_kwb_t)k, dir, 0, scratch, p, n);
}

bool detect_buffer_multi(int db)
{
	switch (db) {
	case DB_DNS_QUERY:
	case DB_DNS_QUERIES_RRNAME:
	case DB_DNS_ANSWERS_RRNAME:
	case DB_DNS_AUTH_RRNAME:
	case DB_DNS_ADDL_RRNAME:
	case DB_DNS_RESPONSE_RRNAME:
	case DB_HTTP_REQUEST_HEADER:
	case DB_HTTP_RESPONSE_HEADER:
	case DB_TLS_CERTS:
	case DB_TLS_SAN:
	case DB_TLS_ALPN:
		return true;
	default:
		return false;
	}
}

static int hexv(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* one transform from a into b (b reset first) */
static void transform_one(uint8_t tf, const uint8_t *in, uint32_t n, setu_buf_t *b)
{
	setu_buf_reset(b);
	switch (tf) {
	case TF_DOTPREFIX:
		setu_buf_putc(b, '.');
		setu_buf_append(b, in, n);
		break;
	case TF_TO_LOWER:
	case TF_TO_UPPER:
	case TF_HEADER_LOWER:
		for (uint32_t i = 0; i < n; i++) {
			uint8_t c = in[i];
			if (tf == TF_TO_UPPER && c >= 'a' && c <= 'z')
				c = (uint8_t)(c - 32);
			else if (tf != TF_TO_UPPER && c >= 'A' && c <= 'Z')
				c = (uint8_t)(c + 32);
			setu_buf_putc(b, (char)c);
		}
		if (tf == TF_HEADER_LOWER) {
			/* only the names: values keep their case */
			uint8_t *d = (uint8_t *)b->data;
			bool name = true;
			for (uint32_t i = 0; d != NULL && i < n; i++) {
				if (!name)
					d[i] = in[i];
				if (in[i] == ':')
					name = false;
				else if (in[i] == '\n')
					name = true;
			}
		}
		break;
	case TF_URL_DECODE:
		for (uint32_t i = 0; i < n; i++) {
			if (in[i] == '%' && i + 2 < n && hexv(in[i + 1]) >= 0 &&
			    hexv(in[i + 2]) >= 0) {
				setu_buf_putc(
				    b, (char)(hexv(in[i + 1]) << 4 | hexv(in[i + 2])));
				i += 2;
			} else if (in[i] == '+') {
				setu_buf_putc(b, ' ');
			} else {
				setu_buf_putc(b, (char)in[i]);
			}
		}
		break;
	case TF_STRIP_WS:
		for (uint32_t i = 0; i < n; i++)
			if (!is_ws(in[i]))
				setu_buf_putc(b, (char)in[i]);
		break;
	case TF_COMPRESS_WS:
		for (uint32_t i = 0; i < n; i++) {
			if (is_ws(in[i])) {
				setu_buf_putc(b, ' ');
				while (i + 1 < n && is_ws(in[i + 1]))
					i++;
			} else {
				setu_buf_putc(b, (char)in[i]);
			}
		}
		break;
	default: /* TF_STRIP_PSEUDO: HTTP/1 has no pseudo headers */
		setu_buf_append(b, in, n);
		break;
	}
}

bool detect_transform(const buflist_t *bl, const uint8_t **p, uint32_t *n,
                      setu_buf_t tmp[2])
{
	int cur = 0;
	for (uint8_t i = 0; i < bl->ntf; i++) {
		transform_one(bl->tf[i], *p, *n, &tmp[cur]);
		if (!setu_buf_ok(&tmp[cur]))
			return false;
		*p = tmp[cur].len ? (const uint8_t *)tmp[cur].data : (const uint8_t *)"";
		*n = (uint32_t)tmp[cur].len;
		cur ^= 1;
	}
	return true;
}

static uint32_t ssl_version_bit(uint16_t v)
{
	switch (v) {
	case 0x0002:
	case 0x0200:
		return 1;
	case 0x0300:
		return 2;
	case 0x0301:
		return 4;
	case 0x0302:
		return 8;
	case 0x0303:
		return 16;
	default:
		return (v == 0x0304 || (v & 0xff00) == 0x7f00) ? 32 : 0;
	}
}

bool detect_tx_match(const setu_rule_t *r, int proto, const setu_altx_t *tx, int dir,
                     time_t now)
{
	const sm_list_arr_t *l = &r->lists[LIST_TXMATCH];
	for (uint32_t i = 0; i < l->n; i++) {
		const sm_t *sm = &l->v[i];
		const sm_alnum_t *an = sm->u.an;
		switch (sm->type) {
		case SM_URILEN: {
			uint32_t len;
			if (proto != SETU_ALPROTO_HTTP ||
			    !setu_http_kw_urilen(tx, an->raw, &len) ||
			    !num_match(&an->num, len))
				return false;
			break;
		}
		case SM_DNS_OPCODE:
			if (proto != SETU_ALPROTO_DNS ||
			    num_match(&an->num, setu_dns_kw_opcode(tx)) == an->negated)
				return false;
			break;
		case SM_DNS_RCODE:
			if (proto != SETU_ALPROTO_DNS ||
			    num_match(&an->num, setu_dns_kw_rcode(tx)) == an->negated)
				return false;
			break;
		case SM_TLS_CHAIN_LEN:
			if (proto != SETU_ALPROTO_TLS ||
			    num_match(&an->num, setu_tls_kw_chain_len(tx)) == an->negated)
				return false;
			break;
		case SM_DNS_RRTYPE: {
			if (proto != SETU_ALPROTO_DNS)
				return false;
			bool any = false;
			uint16_t t;
			for (uint32_t k = 0; !any && setu_dns_kw_rrtype(tx, k, &t); k++)
				any = num_match(&an->num, t) != an->negated;
			if (!any)
				return false;
			break;
		}
		case SM_TLS_VERSION: {
			if (proto != SETU_ALPROTO_TLS)
				return false;
			uint16_t v = setu_tls_kw_version(tx, dir);
			if (v == 0 || (v == an->num.a) == an->negated)
				return false;
			break;
		}
		case SM_SSL_VERSION: {
			if (proto != SETU_ALPROTO_TLS)
				return false;
			uint32_t bit = ssl_version_bit(setu_tls_kw_version(tx, 1));
			if (bit == 0 || (bit & an->num.b) ||
			    (an->mask != 0 && !(bit & an->mask)))
				return false;
			break;
		}
		case SM_SSL_STATE: {
			if (proto != SETU_ALPROTO_TLS)
				return false;
			uint32_t seen = setu_tls_kw_states(tx);
			if ((seen & an->num.b) || (an->mask != 0 && !(seen & an->mask)))
				return false;
			break;
		}
		case SM_TLS_CERT_VALID:
		case SM_TLS_NOTBEFORE:
		case SM_TLS_NOTAFTER: {
			time_t nb, na;
			if (proto != SETU_ALPROTO_TLS ||
			    !setu_tls_kw_validity(tx, &nb, &na))
				return false;
			if (sm->type == SM_TLS_CERT_VALID) {
				/* Suricata: valid = within [notbefore, notafter];
				 * expired = past notafter */
				bool ok =
				    sm->u.u32 == 1 ? now >= nb && now <= na : na < now;
				if (!ok)
					return false;
			} else {
				time_t t = sm->type == SM_TLS_NOTBEFORE ? nb : na;
				if (t < 0 || !num_match(&an->num, (uint64_t)t))
					return false;
			}
			break;
		}
		case SM_APPEVENT:
			if (proto != (int)an->mask || !(tx->events & (1u << an->num.a)))
				return false;
			break;
		case SM_TLS_STORE: /* accepted; nothing is stored */
			if (proto != SETU_ALPROTO_TLS)
				return false;
			break;
		default:
			return false;
		}
	}
	return true;
}
