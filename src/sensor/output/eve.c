/* eve.c — EVE JSON options, sink and record header (Suricata eve-log format). */
#include "eve.h"

#include "common/limits.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void setu_eve_opts_default(setu_eve_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	o->enabled = true;
	snprintf(o->filename, sizeof(o->filename), "eve.json");
	o->types = SETU_EVE_T(ALERT) | SETU_EVE_T(ANOMALY) | SETU_EVE_T(HTTP) |
	           SETU_EVE_T(DNS) | SETU_EVE_T(TLS) | SETU_EVE_T(FLOW) |
	           SETU_EVE_T(STATS);
	o->alert_metadata = true;
	o->alert_payload_buffer_size = 4096;
	o->anomaly_applayer = true;
	o->stats_totals = true;
	o->stats_interval = 8;
	o->http_extended = true;
	o->tls_extended = true;
	o->dns_version = 3;
	o->community_id_seed = 0;
}

static int type_bit(const char *name)
{
#define SETU_EVE_MATCH(id, nm)     \
	if (strcmp(name, nm) == 0) \
		return SETU_EVE_BIT_##id;
	SETU_EVE_TYPES(SETU_EVE_MATCH)
#undef SETU_EVE_MATCH
	return -1;
}

static int get_bool_opt(const setu_conf_t *c, const char *key, bool *out,
                        setu_diag_t *diag)
{
	int rc = setu_conf_get_bool(c, key, out, diag);
	return rc == SETU_ENOENT ? 0 : rc;
}

/* One entry of `types:`: a scalar ("flow"), a one-key mapping in a list
 * ("- alert: {...}"), or a key of a mapping (when set with --set). */
static int type_entry(setu_eve_opts_t *o, const setu_conf_t *c, const char *name,
                      const setu_conf_node_t *sub, char *key, size_t keysz,
                      setu_diag_t *diag)
{
	if (name == NULL)
		return 0;
	int bit = type_bit(name);
	if (bit < 0)
		return 0; /* an event type we do not produce (smtp, files...) */
	bool enabled = true;
	if (sub != NULL) {
		const setu_conf_node_t *en = setu_conf_child(sub, "enabled");
		if (en != NULL && en->value != NULL &&
		    setu_parse_bool(en->value, &enabled) != 0) {
			if (diag != NULL) {
				diag->file = en->file;
				diag->line = en->line;
			}
			return setu_diag_set(
			    diag, SETU_ECONFIG,
			    "key 'outputs.eve-log.types.%s.enabled': bad value '%s'",
			    name, en->value);
		}
	}
	if (enabled)
		o->types |= 1u << bit;
	if (sub == NULL)
		return 0;
	/* per-type options, by their full dotted key so errors name them */
	static const struct {
		const char *type, *opt;
		size_t off;
	} bools[] = {
	    {"alert", "payload", offsetof(setu_eve_opts_t, alert_payload)},
	    {"alert", "payload-printable",
	     offsetof(setu_eve_opts_t, alert_payload_printable)},
	    {"alert", "payload-length", offsetof(setu_eve_opts_t, alert_payload_length)},
	    {"alert", "packet", offsetof(setu_eve_opts_t, alert_packet)},
	    {"alert", "metadata", offsetof(setu_eve_opts_t, alert_metadata)},
	    {"anomaly", "packethdr", offsetof(setu_eve_opts_t, anomaly_packethdr)},
	    {"anomaly", "types.decode", offsetof(setu_eve_opts_t, anomaly_decode)},
	    {"anomaly", "types.stream", offsetof(setu_eve_opts_t, anomaly_stream)},
	    {"anomaly", "types.applayer", offsetof(setu_eve_opts_t, anomaly_applayer)},
	    {"http", "extended", offsetof(setu_eve_opts_t, http_extended)},
	    {"tls", "extended", offsetof(setu_eve_opts_t, tls_extended)},
	    {"stats", "totals", offsetof(setu_eve_opts_t, stats_totals)},
	    {"stats", "threads", offsetof(setu_eve_opts_t, stats_threads)},
	    {"stats", "deltas", offsetof(setu_eve_opts_t, stats_deltas)},
	    {"stats", "null-values", offsetof(setu_eve_opts_t, stats_null_values)},
	};
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		if (strcmp(bools[i].type, name) != 0)
			continue;
		snprintf(key, keysz, "outputs.eve-log.types.%s.%s", name, bools[i].opt);
		bool *dst = (bool *)((char *)o + bools[i].off);
		/* alert.metadata may be a mapping: then it is on */
		const setu_conf_node_t *n = setu_conf_lookup(c, key);
		if (n != NULL && n->value == NULL && n->nchild > 0) {
			*dst = true;
			continue;
		}
		int rc = get_bool_opt(c, key, dst, diag);
		if (rc != 0)
			return rc;
	}
	if (strcmp(name, "alert") == 0) {
		uint64_t v;
		snprintf(key, keysz, "outputs.eve-log.types.alert.payload-buffer-size");
		int rc = setu_conf_get_size(c, key, &v, diag);
		if (rc == 0)
			o->alert_payload_buffer_size =
			    v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
		else if (rc != SETU_ENOENT)
			return rc;
	}
	if (strcmp(name, "dns") == 0) {
		uint64_t v;
		snprintf(key, keysz, "outputs.eve-log.types.dns.version");
		int rc = setu_conf_get_u64(c, key, &v, diag);
		if (rc == 0) {
			if (v < 2 || v > 3)
				return setu_diag_set(
				    diag, SETU_ECONFIG,
				    "key '%s': bad value (expected 2 or 3)", key);
			o->dns_version = (int)v;
		} else if (rc != SETU_ENOENT) {
			return rc;
		}
	}
	return 0;
}

int setu_eve_opts_from_conf(setu_eve_opts_t *o, const setu_conf_t *c, setu_diag_t *diag)
{
	char key[160];
	int rc = get_bool_opt(c, "outputs.eve-log.enabled", &o->enabled, diag);
	if (rc != 0)
		return rc;
	const char *fn = setu_conf_get(c, "outputs.eve-log.filename");
	if (fn != NULL) {
		if (fn[0] == '\0' || strlen(fn) >= sizeof(o->filename))
			return setu_diag_set(
			    diag, SETU_ECONFIG,
			    "key 'outputs.eve-log.filename': bad value '%s'", fn);
		snprintf(o->filename, sizeof(o->filename), "%s", fn);
	}
	if ((rc = get_bool_opt(c, "outputs.eve-log.community-id", &o->community_id,
	                       diag)) != 0)
		return rc;
	uint64_t seed;
	rc = setu_conf_get_u64(c, "outputs.eve-log.community-id-seed", &seed, diag);
	if (rc == 0) {
		if (seed > 65535)
			return setu_diag_set(
			    diag, SETU_ECONFIG,
			    "key 'outputs.eve-log.community-id-seed': bad value "
			    "(expected 0-65535)");
		o->community_id_seed = (uint16_t)seed;
	} else if (rc != SETU_ENOENT) {
		return rc;
	}
	if ((rc = get_bool_opt(c, "outputs.eve-log.ethernet", &o->ethernet, diag)) != 0)
		return rc;
	if ((rc = get_bool_opt(c, "outputs.eve-log.pcap-file", &o->pcap_file, diag)) != 0)
		return rc;
	uint64_t iv;
	rc = setu_conf_get_u64(c, "stats.interval", &iv, diag);
	if (rc == 0)
		o->stats_interval = iv > 86400 ? 86400 : (uint32_t)iv;
	else if (rc != SETU_ENOENT)
		return rc;

	const setu_conf_node_t *types = setu_conf_lookup(c, "outputs.eve-log.types");
	if (types != NULL) {
		o->types = 0;
		for (size_t i = 0; i < types->nchild; i++) {
			const setu_conf_node_t *item = types->child[i];
			const char *name = item->value;
			const setu_conf_node_t *sub = NULL;
			if (!types->is_seq) {
				name = item->name;
				sub = item;
			} else if (name == NULL && item->nchild == 1) {
				sub = item->child[0];
				name = sub->name;
			}
			rc = type_entry(o, c, name, sub, key, sizeof(key), diag);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

setu_eve_sink_t *setu_eve_sink_open(const char *path, setu_diag_t *diag)
{
	setu_eve_sink_t *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		return NULL;
	}
	s->f = fopen(path, "a");
	if (s->f == NULL) {
		if (diag != NULL) {
			diag->file = path;
			diag->line = 0;
		}
		setu_diag_set(diag, SETU_EIO, "cannot open for writing: %s",
		              strerror(errno));
		free(s);
		return NULL;
	}
	/* with a buffer of our own: glibc takes the size only with one */
	s->buf = malloc(SETU_EVE_WRITE_BUFFER);
	if (s->buf != NULL)
		setvbuf(s->f, s->buf, _IOFBF, SETU_EVE_WRITE_BUFFER);
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

int64_t setu_eve_coarse_ms(void)
{
	struct timespec t;
	/* the coarse clock: a few ns a call, a few ms of resolution, enough here */
	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &t) != 0)
		return 0;
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* With s->lock held: the records just buffered are flushed when the oldest buffered one
 * is SETU_EVE_FLUSH_MS old. */
static bool sink_age(setu_eve_sink_t *s, int64_t now)
{
	if (s->pending_ms == 0) {
		s->pending_ms = now != 0 ? now : 1;
	} else if (now - s->pending_ms >= (int64_t)SETU_EVE_FLUSH_MS) {
		s->pending_ms = 0;
		return fflush(s->f) == 0;
	}
	return true;
}

int setu_eve_sink_write(setu_eve_sink_t *s, const char *rec, size_t len)
{
	int64_t now = setu_eve_coarse_ms();
	pthread_mutex_lock(&s->lock);
	size_t n = fwrite(rec, 1, len, s->f);
	int ok = n == len && fputc('\n', s->f) != EOF;
	ok = sink_age(s, now) && ok;
	if (ok) {
		s->records++;
		s->bytes += len + 1;
	} else {
		s->errors++;
	}
	pthread_mutex_unlock(&s->lock);
	return ok ? 0 : SETU_EIO;
}

int setu_eve_sink_write_block(setu_eve_sink_t *s, const char *recs, size_t len,
                              uint64_t nrec)
{
	int64_t now = setu_eve_coarse_ms();
	pthread_mutex_lock(&s->lock);
	bool ok = fwrite(recs, 1, len, s->f) == len;
	ok = sink_age(s, now) && ok;
	if (ok) {
		s->records += nrec;
		s->bytes += len;
	} else {
		s->errors += nrec;
	}
	pthread_mutex_unlock(&s->lock);
	return ok ? 0 : SETU_EIO;
}

int setu_eve_sink_flush(setu_eve_sink_t *s)
{
	pthread_mutex_lock(&s->lock);
	int rc = fflush(s->f) == 0 ? 0 : SETU_EIO;
	s->pending_ms = 0;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void setu_eve_sink_close(setu_eve_sink_t *s)
{
	if (s == NULL)
		return;
	fclose(s->f);
	free(s->buf); /* after fclose: it flushes from it */
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void setu_eve_timestamp(const struct timeval *tv, char out[SETU_EVE_TS_LEN])
{
	struct tm tm;
	time_t t = tv->tv_sec;
	localtime_r(&t, &tm);
	long us = (long)tv->tv_usec;
	long off = tm.tm_gmtoff / 60; /* minutes east of UTC, as %z prints it */
	int year = tm.tm_year + 1900;
	if (year >= 0 && year <= 9999 && us >= 0 && us < 1000000 && off > -6000 &&
	    off < 6000) {
		/* digits written directly: one of these per EVE record */
		char *o = out;
		unsigned long long v;
		int w;
		static const struct {
			int width;
			char sep;
		} f[] = {{4, '-'}, {2, '-'}, {2, 'T'}, {2, ':'},
		         {2, ':'}, {2, '.'}, {6, 0}};
		const long val[] = {year,      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		                    tm.tm_min, tm.tm_sec,     us};
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			v = (unsigned long long)val[i];
			for (w = f[i].width - 1; w >= 0; w--) {
				o[w] = (char)('0' + v % 10);
				v /= 10;
			}
			o += f[i].width;
			if (f[i].sep)
				*o++ = f[i].sep;
		}
		*o++ = off < 0 ? '-' : '+';
		if (off < 0)
			off = -off;
		o[0] = (char)('0' + off / 600);
		o[1] = (char)('0' + off / 60 % 10);
		o[2] = (char)('0' + off % 60 / 10);
		o[3] = (char)('0' + off % 10);
		o[4] = '\0';
		return;
	}
	char date[64], zone[16];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(out, SETU_EVE_TS_LEN, "%s.%06ld%s", date, (long)tv->tv_usec, zone);
}

const char *setu_eve_proto_name(uint8_t proto, char buf[8])
{
	switch (proto) {
	case 1:
		return "ICMP";
	case 2:
		return "IGMP";
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 47:
		return "GRE";
	case 50:
		return "ESP";
	case 51:
		return "AH";
	case 58:
		return "IPv6-ICMP";
	case 132:
		return "SCTP";
	default:
		snprintf(buf, 8, "%u", proto);
		return buf;
	}
}

void setu_eve_begin(setu_json_t *j, const struct timeval *ts, uint64_t flow_id,
                    const char *event_type, const setu_eve_tuple_t *t)
{
	char tsbuf[SETU_EVE_TS_LEN];
	setu_eve_timestamp(ts, tsbuf);
	setu_json_open_object(j, NULL);
	setu_json_str(j, "timestamp", tsbuf);
	if (flow_id != 0)
		setu_json_u64(j, "flow_id", flow_id);
	setu_json_str(j, "event_type", event_type);
	if (t == NULL)
		return;
	if (t->nvlan > 0) {
		setu_json_open_array(j, "vlan");
		for (unsigned i = 0; i < t->nvlan; i++)
			setu_json_u64(j, NULL, t->vlan[i]);
		setu_json_close_array(j);
	}
	char a[SETU_ADDR_STRLEN], pb[8];
	if (t->src.family != 0) {
		setu_json_str(j, "src_ip", setu_addr_str(&t->src, a, sizeof(a)));
		if (t->has_ports)
			setu_json_u64(j, "src_port", t->sp);
		setu_json_str(j, "dest_ip", setu_addr_str(&t->dst, a, sizeof(a)));
		if (t->has_ports)
			setu_json_u64(j, "dest_port", t->dp);
		setu_json_u64(j, "ip_v", t->ip_ver);
		setu_json_str(j, "proto", setu_eve_proto_name(t->proto, pb));
	}
}
