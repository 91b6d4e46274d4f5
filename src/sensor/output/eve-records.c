/* eve-records.c — EVE flow, anomaly and stats records (Suricata output-json-flow.c,
 * output-json-anomaly.c, output-json-stats.c field names and formats). */
#include "eve-records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void setu_eve_tuple_of_flow(setu_eve_tuple_t *t, const setu_flow_t *f)
{
	memset(t, 0, sizeof(*t));
	t->src = f->src;
	t->dst = f->dst;
	t->sp = f->sp;
	t->dp = f->dp;
	t->proto = f->proto;
	t->has_ports = f->proto == 6 || f->proto == 17 || f->proto == 132;
	t->nvlan = f->vlan_count;
	memcpy(t->vlan, f->vlan_id, sizeof(t->vlan));
	t->ip_ver = f->src.family;
}

void setu_eve_tuple_of_packet(setu_eve_tuple_t *t, const setu_pkt_t *p)
{
	memset(t, 0, sizeof(*t));
	t->src = p->src;
	t->dst = p->dst;
	t->sp = p->sp;
	t->dp = p->dp;
	t->proto = p->proto;
	t->has_ports = (p->flags & SETU_PKT_HAS_L4) &&
	               (p->proto == 6 || p->proto == 17 || p->proto == 132);
	t->nvlan = p->vlan_count;
	memcpy(t->vlan, p->vlan_id, sizeof(t->vlan));
	t->ip_ver = p->ip_ver;
}

void setu_eve_flow_extras(setu_json_t *j, const setu_eve_opts_t *o, const setu_flow_t *f)
{
	if (f == NULL || !o->community_id)
		return;
	char cid[SETU_COMMUNITY_ID_LEN + 8];
	if (setu_community_id(f, o->community_id_seed, cid, sizeof(cid)) == 0)
		setu_json_str(j, "community_id", cid);
}

static void mac_str(char out[18], const uint8_t m[6])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
	         m[5]);
}

static void ether_pair(setu_json_t *j, const uint8_t src[6], const uint8_t dst[6])
{
	char m[18];
	setu_json_open_object(j, "ether");
	mac_str(m, src);
	setu_json_str(j, "src_mac", m);
	mac_str(m, dst);
	setu_json_str(j, "dest_mac", m);
	setu_json_close_object(j);
}

void setu_eve_ether_packet(setu_json_t *j, const setu_eve_opts_t *o, const setu_pkt_t *p)
{
	if (o->ethernet && p->has_eth)
		ether_pair(j, p->eth_src, p->eth_dst);
}

void setu_eve_ether_flow_dir(setu_json_t *j, const setu_eve_opts_t *o,
                             const setu_pkt_t *p)
{
	if (!o->ethernet || p == NULL || !p->has_eth)
		return;
	if (p->flags & SETU_PKT_TOCLIENT)
		ether_pair(j, p->eth_dst, p->eth_src);
	else
		ether_pair(j, p->eth_src, p->eth_dst);
}

static void macset_put(setu_macset_t *m, int side, const uint8_t mac[6])
{
	for (unsigned i = 0; i < m->n[side]; i++)
		if (memcmp(m->mac[side][i], mac, 6) == 0)
			return;
	if (m->n[side] == SETU_EVE_MACSET_MAX)
		return; /* more addresses than anyone reads in a flow record: keep the
		           first */
	memcpy(m->mac[side][m->n[side]++], mac, 6);
}

void setu_eve_macset_add(setu_flow_t *f, const setu_pkt_t *p)
{
	if (f == NULL || !p->has_eth)
		return;
	setu_macset_t *m = f->storage[SETU_FLOW_STORAGE_OUTPUT].ptr;
	if (m == NULL) {
		m = calloc(1, sizeof(*m));
		if (m == NULL)
			return;
		f->storage[SETU_FLOW_STORAGE_OUTPUT].ptr = m;
		f->storage[SETU_FLOW_STORAGE_OUTPUT].free_fn = free;
	}
	bool toclient = (p->flags & SETU_PKT_TOCLIENT) != 0;
	macset_put(m, toclient ? 1 : 0, p->eth_src);
	macset_put(m, toclient ? 0 : 1, p->eth_dst);
}

static void ether_flow(setu_json_t *j, const setu_eve_opts_t *o, const setu_flow_t *f)
{
	const setu_macset_t *m = f->storage[SETU_FLOW_STORAGE_OUTPUT].ptr;
	if (!o->ethernet || m == NULL)
		return;
	static const char *const keys[2] = {"src_macs", "dest_macs"};
	char s[18];
	setu_json_open_object(j, "ether");
	for (int side = 0; side < 2; side++) {
		setu_json_open_array(j, keys[side]);
		for (int i = 0; i < (int)m->n[side]; i++) {
			mac_str(s, m->mac[side][i]);
			setu_json_str(j, NULL, s);
		}
		setu_json_close_array(j);
	}
	setu_json_close_object(j);
}

static void flags_hex(setu_json_t *j, const char *key, uint8_t flags)
{
	char b[3];
	static const char hex[] = "0123456789abcdef";
	b[0] = hex[flags >> 4];
	b[1] = hex[flags & 15];
	b[2] = '\0';
	setu_json_str(j, key, b);
}

void setu_eve_write_flow(setu_json_t *j, const setu_eve_opts_t *o, const setu_flow_t *f,
                         const char *app_proto, const char *tcp_state)
{
	setu_eve_tuple_t t;
	setu_eve_tuple_of_flow(&t, f);
	setu_eve_begin(j, &f->last, f->flow_id, "flow", &t);
	if (f->proto == 1 || f->proto == 58) {
		setu_json_u64(j, "icmp_type", f->icmp_type);
		setu_json_u64(j, "icmp_code", f->icmp_code);
	}
	setu_eve_flow_extras(j, o, f);
	ether_flow(j, o, f);
	if (app_proto != NULL)
		setu_json_str(j, "app_proto", app_proto);
	setu_json_open_object(j, "flow");
	setu_json_u64(j, "pkts_toserver", f->pkts_toserver);
	setu_json_u64(j, "pkts_toclient", f->pkts_toclient);
	setu_json_u64(j, "bytes_toserver", f->bytes_toserver);
	setu_json_u64(j, "bytes_toclient", f->bytes_toclient);
	char ts[SETU_EVE_TS_LEN];
	setu_eve_timestamp(&f->start, ts);
	setu_json_str(j, "start", ts);
	setu_eve_timestamp(&f->last, ts);
	setu_json_str(j, "end", ts);
	int64_t age = (int64_t)f->last.tv_sec - (int64_t)f->start.tv_sec;
	setu_json_i64(j, "age", age < 0 ? 0 : age);
	setu_json_str(j, "state", setu_flow_state_name(f));
	const char *reason = setu_flow_end_reason_name(f);
	setu_json_str(j, "reason", reason != NULL ? reason : "shutdown");
	setu_json_bool(j, "alerted", f->alerted);
	if (f->emergency)
		setu_json_bool(j, "emergency", true);
	setu_json_close_object(j);
	if (f->proto == 6) {
		setu_json_open_object(j, "tcp");
		flags_hex(j, "tcp_flags", f->tcp_flags);
		flags_hex(j, "tcp_flags_ts", f->tcp_flags_ts);
		flags_hex(j, "tcp_flags_tc", f->tcp_flags_tc);
		static const struct {
			uint8_t bit;
			const char *name;
		} names[] = {{SETU_TH_SYN, "syn"}, {SETU_TH_FIN, "fin"},
		             {SETU_TH_RST, "rst"}, {SETU_TH_PUSH, "psh"},
		             {SETU_TH_ACK, "ack"}, {SETU_TH_URG, "urg"},
		             {SETU_TH_ECN, "ecn"}, {SETU_TH_CWR, "cwr"}};
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (f->tcp_flags & names[i].bit)
				setu_json_bool(j, names[i].name, true);
		if (tcp_state != NULL)
			setu_json_str(j, "state", tcp_state);
		setu_json_close_object(j);
	}
	setu_json_close_object(j);
}

void setu_eve_packet_fields(setu_json_t *j, const setu_pkt_t *p)
{
	if (p == NULL)
		return;
	if (p->pcap_cnt != 0)
		setu_json_u64(j, "pcap_cnt", p->pcap_cnt);
	if (p->proto == 1 || p->proto == 58) {
		setu_json_u64(j, "icmp_type", p->icmp.type);
		setu_json_u64(j, "icmp_code", p->icmp.code);
	}
	/* pseudo packets made at flow end carry the data the stream still held */
	setu_json_str(j, "pkt_src",
	              (p->flags & SETU_PKT_PSEUDO) ? "stream (flow timeout)"
	                                           : "wire/pcap");
}

void setu_eve_write_anomaly(setu_json_t *j, const setu_eve_opts_t *o, const setu_pkt_t *p,
                            setu_event_t e)
{
	setu_eve_tuple_t t;
	setu_eve_tuple_of_packet(&t, p);
	const setu_flow_t *f = p->flow;
	setu_eve_begin(j, &p->ts, f != NULL ? f->flow_id : 0, "anomaly",
	               p->ip_ver != 0 ? &t : NULL);
	setu_eve_packet_fields(j, p);
	setu_eve_flow_extras(j, o, f);
	setu_json_open_object(j, "anomaly");
	bool stream = setu_event_kind(e) == SETU_EVKIND_STREAM;
	setu_json_str(j, "type", stream ? "stream" : "decode");
	char name[128];
	const char *n = setu_event_name(e);
	if (stream)
		snprintf(name, sizeof(name), "%s", n);
	else
		snprintf(name, sizeof(name), "decoder.%s", n);
	setu_json_str(j, "event", name);
	setu_json_close_object(j);
	setu_eve_ether_packet(j, o, p);
	if (o->anomaly_packethdr && p->len > 0) {
		setu_json_open_object(j, "packet_info");
		setu_json_u64(j, "linktype", (uint64_t)p->linktype);
		setu_json_close_object(j);
	}
	setu_json_close_object(j);
}

void setu_eve_write_applayer_anomaly(setu_json_t *j, const setu_eve_opts_t *o,
                                     const setu_flow_t *f, const struct timeval *ts,
                                     const char *app_proto, const char *event,
                                     const char *layer, uint64_t tx_id)
{
	setu_eve_tuple_t t;
	setu_eve_tuple_of_flow(&t, f);
	setu_eve_begin(j, ts, f->flow_id, "anomaly", &t);
	setu_eve_flow_extras(j, o, f);
	if (tx_id != UINT64_MAX) /* UINT64_MAX: outside any transaction */
		setu_json_u64(j, "tx_id", tx_id);
	setu_json_open_object(j, "anomaly");
	setu_json_str(j, "app_proto", app_proto);
	setu_json_str(j, "type", "applayer");
	/* Suricata logs app-layer events by their upper-case name without the protocol
	 * ("http.request_line_invalid" -> "REQUEST_LINE_INVALID") */
	char name[96];
	const char *dot = strchr(event, '.');
	const char *src = dot != NULL ? dot + 1 : event;
	size_t k = 0;
	for (; src[k] != '\0' && k + 1 < sizeof(name); k++)
		name[k] = (char)(src[k] >= 'a' && src[k] <= 'z' ? src[k] - 32 : src[k]);
	name[k] = '\0';
	setu_json_str(j, "event", name);
	setu_json_str(j, "layer", layer);
	setu_json_close_object(j);
	setu_json_close_object(j);
}

void setu_stats_init(setu_stats_t *s)
{
	memset(s, 0, sizeof(*s));
}

void setu_stats_free(setu_stats_t *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void setu_stats_reset(setu_stats_t *s)
{
	s->n = 0;
}

/* Counters of several workers add up, except the packet-size gauges: the largest packet
 * is the largest of the workers', the average is made again from the summed bytes and
 * packets when the record is written. */
void setu_stats_add(void *stats, const char *name, uint64_t value)
{
	setu_stats_t *s = stats;
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].name, name) == 0) {
			if (strcmp(name, "decoder.max_pkt_size") == 0)
				s->v[i].value =
				    value > s->v[i].value ? value : s->v[i].value;
			else
				s->v[i].value += value;
			return;
		}
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 128;
		setu_stats_entry_t *v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL)
			return; /* a counter is lost from this one record; never fatal */
		s->v = v;
		s->cap = cap;
	}
	snprintf(s->v[s->n].name, sizeof(s->v[s->n].name), "%s", name);
	s->v[s->n].value = value;
	s->n++;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const setu_stats_entry_t *)a)->name,
	              ((const setu_stats_entry_t *)b)->name);
}

/* Number of leading dot-separated components two names share. */
static size_t common_depth(const char *a, const char *b, size_t *off)
{
	size_t depth = 0, i = 0, last = 0;
	for (;; i++) {
		if (a[i] != b[i])
			break;
		if (a[i] == '\0')
			break;
		if (a[i] == '.') {
			depth++;
			last = i + 1;
		}
	}
	*off = last;
	return depth;
}

void setu_eve_write_stats(setu_json_t *j, const setu_eve_opts_t *o, setu_stats_t *s,
                          const struct timeval *ts, uint64_t uptime)
{
	uint64_t *avg = NULL, bytes = 0, pkts = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].name, "decoder.avg_pkt_size") == 0)
			avg = &s->v[i].value;
		else if (strcmp(s->v[i].name, "decoder.bytes") == 0)
			bytes = s->v[i].value;
		else if (strcmp(s->v[i].name, "decoder.pkts") == 0)
			pkts = s->v[i].value;
	}
	if (avg != NULL)
		*avg = pkts ? bytes / pkts : 0;
	setu_eve_begin(j, ts, 0, "stats", NULL);
	setu_json_open_object(j, "stats");
	setu_json_u64(j, "uptime", uptime);
	qsort(s->v, s->n, sizeof(s->v[0]), entry_cmp);
	const char *prev = "";
	size_t open = 0; /* objects open below "stats" */
	for (size_t i = 0; i < s->n; i++) {
		const char *name = s->v[i].name;
		if (s->v[i].value == 0 && !o->stats_null_values)
			continue;
		size_t off;
		size_t keep = common_depth(prev, name, &off);
		while (open > keep) {
			setu_json_close_object(j);
			open--;
		}
		/* open the remaining components of name, then write the leaf */
		const char *p = name;
		size_t comp = 0;
		while (comp < open) {
			p = strchr(p, '.') + 1;
			comp++;
		}
		const char *dot;
		while ((dot = strchr(p, '.')) != NULL) {
			char part[96];
			size_t len = (size_t)(dot - p);
			if (len >= sizeof(part))
				len = sizeof(part) - 1;
			memcpy(part, p, len);
			part[len] = '\0';
			setu_json_open_object(j, part);
			open++;
			p = dot + 1;
		}
		setu_json_u64(j, p, s->v[i].value);
		prev = name;
	}
	while (open > 0) {
		setu_json_close_object(j);
		open--;
	}
	setu_json_close_object(j);
	setu_json_close_object(j);
}
