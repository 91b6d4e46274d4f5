/* eve-alert.c — the EVE "alert" record: rule, packet/flow context, optional payload and
 * packet (Suricata output-json-alert.c field names and defaults). */
#include "eve-alert.h"

#include "sensor/flow/flow.h"
#include "sensor/output/eve-records.h"

#include <string.h>

void setu_eve_printable(setu_json_t *j, const char *key, const uint8_t *d, size_t n)
{
	/* written through the escaping writer in runs, so no temporary copy is needed */
	setu_buf_t *b = j->b;
	setu_json_key(j, key);
	setu_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t c = d[i];
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			setu_buf_append(b, e, 2);
		} else if (c == '\n') {
			setu_buf_append(b, "\\n", 2);
		} else if (c == '\r') {
			setu_buf_append(b, "\\r", 2);
		} else if (c == '\t') {
			setu_buf_append(b, "\\t", 2);
		} else if (c >= 0x20 && c < 0x7f) {
			setu_buf_putc(b, (char)c);
		} else {
			setu_buf_putc(b, '.');
		}
	}
	setu_buf_putc(b, '"');
}

/* "metadata": {"key": ["v1", "v2"], ...} from "key value" strings, keys grouped in order
 * of first appearance (Suricata's DetectMetadataHead layout). */
static void write_metadata(setu_json_t *j, const setu_rule_info_t *r)
{
	if (r->nmetadata == 0)
		return;
	setu_json_open_object(j, "metadata");
	for (size_t i = 0; i < r->nmetadata; i++) {
		const char *kv = r->metadata[i];
		const char *sp = strchr(kv, ' ');
		size_t klen = sp != NULL ? (size_t)(sp - kv) : strlen(kv);
		/* already written under an earlier entry with the same key? */
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++) {
			const char *o = r->metadata[k];
			const char *osp = strchr(o, ' ');
			size_t olen = osp != NULL ? (size_t)(osp - o) : strlen(o);
			seen = olen == klen && memcmp(o, kv, klen) == 0;
		}
		if (seen)
			continue;
		char key[128];
		if (klen >= sizeof(key))
			klen = sizeof(key) - 1;
		memcpy(key, kv, klen);
		key[klen] = '\0';
		setu_json_open_array(j, key);
		for (size_t k = i; k < r->nmetadata; k++) {
			const char *o = r->metadata[k];
			const char *osp = strchr(o, ' ');
			size_t olen = osp != NULL ? (size_t)(osp - o) : strlen(o);
			if (olen != klen || memcmp(o, kv, klen) != 0)
				continue;
			const char *val = osp != NULL ? osp + 1 : "";
			while (*val == ' ')
				val++;
			setu_json_str(j, NULL, val);
		}
		setu_json_close_array(j);
	}
	setu_json_close_object(j);
}

void setu_eve_alert_begin(setu_json_t *j, const setu_eve_opts_t *o, const setu_pkt_t *p,
                          const setu_alert_t *a)
{
	const setu_flow_t *f = p->flow;
	const setu_rule_info_t *r = a->rule;
	setu_eve_tuple_t t;
	setu_eve_tuple_of_packet(&t, p);
	setu_eve_begin(j, &p->ts, f != NULL ? f->flow_id : 0, "alert",
	               p->ip_ver != 0 ? &t : NULL);
	setu_eve_packet_fields(j, p);
	setu_eve_flow_extras(j, o, f);
	if (f != NULL)
		setu_json_str(j, "direction",
		              (p->flags & SETU_PKT_TOCLIENT) ? "to_client" : "to_server");
	setu_json_open_object(j, "alert");
	/* No inline mode yet: drop and reject rules are alerts, as in Suricata's IDS
	 * mode. */
	setu_json_str(j, "action", "allowed");
	setu_json_u64(j, "gid", r->gid);
	setu_json_u64(j, "signature_id", r->sid);
	setu_json_u64(j, "rev", r->rev);
	setu_json_str(j, "signature", r->msg != NULL ? r->msg : "");
	setu_json_str(j, "category", r->category != NULL ? r->category : "");
	setu_json_u64(j, "severity", (uint64_t)(r->priority > 0 ? r->priority : 3));
	if (o->alert_metadata)
		write_metadata(j, r);
	setu_json_close_object(j);
}

/* The payload as logged: stream holes replaced by "[N bytes missing]", cut at max. */
static void render_payload(setu_buf_t *out, const setu_alert_t *a,
                           const setu_stream_gap_t *gaps, size_t ngaps, size_t max)
{
	size_t i = 0;
	uint64_t base = a->stream_offset;
	while (i < a->payload_len && out->len < max) {
		uint64_t pos = base + i;
		const setu_stream_gap_t *g = NULL;
		for (size_t k = 0; k < ngaps && g == NULL; k++)
			if (pos >= gaps[k].offset && pos < gaps[k].offset + gaps[k].len)
				g = &gaps[k];
		if (g != NULL) {
			setu_buf_printf(out, "[%llu bytes missing]",
			                (unsigned long long)g->len);
			uint64_t skip = g->offset + g->len - pos;
			i = skip > a->payload_len - i ? a->payload_len : i + (size_t)skip;
			continue;
		}
		setu_buf_putc(out, (char)a->payload[i]);
		i++;
	}
	if (out->len > max)
		out->len = max;
}

void setu_eve_alert_end(setu_json_t *j, const setu_eve_opts_t *o, const setu_pkt_t *p,
                        const setu_alert_t *a, const setu_stream_gap_t *gaps,
                        size_t ngaps)
{
	const setu_flow_t *f = p->flow;
	setu_eve_ether_packet(j, o, p);
	if (f != NULL) {
		char ts[SETU_EVE_TS_LEN], addr[SETU_ADDR_STRLEN];
		setu_json_open_object(j, "flow");
		setu_json_u64(j, "pkts_toserver", f->pkts_toserver);
		setu_json_u64(j, "pkts_toclient", f->pkts_toclient);
		setu_json_u64(j, "bytes_toserver", f->bytes_toserver);
		setu_json_u64(j, "bytes_toclient", f->bytes_toclient);
		setu_eve_timestamp(&f->start, ts);
		setu_json_str(j, "start", ts);
		setu_json_str(j, "src_ip", setu_addr_str(&f->src, addr, sizeof(addr)));
		setu_json_str(j, "dest_ip", setu_addr_str(&f->dst, addr, sizeof(addr)));
		if (f->proto == 6 || f->proto == 17 || f->proto == 132) {
			setu_json_u64(j, "src_port", f->sp);
			setu_json_u64(j, "dest_port", f->dp);
		}
		setu_json_close_object(j);
	}
	if (o->alert_payload || o->alert_payload_printable || o->alert_payload_length) {
		size_t max = o->alert_payload_buffer_size > 0
		                 ? o->alert_payload_buffer_size
		                 : SETU_EVE_RECORD_MAX / 2;
		setu_buf_t pl;
		setu_buf_init(&pl, max + 64);
		render_payload(&pl, a, ngaps > 0 ? gaps : NULL, ngaps, max);
		const uint8_t *pd = (const uint8_t *)(pl.data != NULL ? pl.data : "");
		if (o->alert_payload) {
			setu_json_key(j, "payload");
			setu_buf_putc(j->b, '"');
			setu_base64_append(j->b, pd, pl.len);
			setu_buf_putc(j->b, '"');
		}
		if (o->alert_payload_printable)
			setu_eve_printable(j, "payload_printable", pd, pl.len);
		setu_buf_free(&pl);
		if (o->alert_payload_length)
			setu_json_u64(j, "payload_length", a->payload_len);
		setu_json_u64(j, "stream", (a->flags & SETU_ALERT_STREAM_MATCH) ? 1 : 0);
	}
	if (o->alert_packet && p->len > 0) {
		setu_json_key(j, "packet");
		setu_buf_putc(j->b, '"');
		setu_base64_append(j->b, p->data, p->len);
		setu_buf_putc(j->b, '"');
		setu_json_open_object(j, "packet_info");
		setu_json_u64(j, "linktype", (uint64_t)p->linktype);
		setu_json_close_object(j);
	}
	setu_json_close_object(j);
}
