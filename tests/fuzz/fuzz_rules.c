/* fuzz_rules.c — libFuzzer target for the Suricata rule parser and the matcher: the input
 * is loaded as a rule file; the rules that load are then run over a TCP packet and a
 * stream chunk whose payload is the input itself. */
#include "sensor/detect/detect.h"
#include "sensor/flow/flow.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_alert(void *user, const setu_pkt_t *p, const setu_alert_t *a)
{
	(void)p;
	size_t *n = user;
	*n += a->rule->sid != 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	setu_diag_t d = {0};
	setu_detect_engine_t *de = setu_detect_engine_load_mem(
	    NULL, "fuzz", (const char *)data, size, NULL, NULL, &d);
	if (de == NULL)
		return 0;
	setu_detect_thread_t *dt = setu_detect_thread_new(de);
	if (dt != NULL) {
		setu_flow_t flow;
		memset(&flow, 0, sizeof(flow));
		flow.state = SETU_FLOW_STATE_ESTABLISHED;
		setu_pkt_t p;
		memset(&p, 0, sizeof(p));
		setu_addr_parse(&p.src, "10.0.0.1");
		setu_addr_parse(&p.dst, "8.8.8.8");
		p.ip_ver = 4;
		p.proto = 6;
		p.sp = 1234;
		p.dp = 80;
		p.flags = SETU_PKT_HAS_L4 | SETU_PKT_TOSERVER;
		p.ip.ttl = 64;
		p.tcp.flags = SETU_TH_ACK;
		p.payload = data;
		p.payload_len = (uint32_t)size;
		p.flow = &flow;
		size_t n = 0;
		setu_detect_packet(dt, &p, on_alert, &n);
		setu_detect_stream(dt, &p, 0, data, size / 2, 0, on_alert, &n);
		setu_detect_stream(dt, &p, 0, data, size, 0, on_alert, &n);
		p.proto = 17;
		setu_detect_packet(dt, &p, on_alert, &n);
		if (flow.storage[SETU_FLOW_STORAGE_DETECT].free_fn != NULL)
			flow.storage[SETU_FLOW_STORAGE_DETECT].free_fn(
			    flow.storage[SETU_FLOW_STORAGE_DETECT].ptr);
		setu_detect_thread_free(dt);
	}
	setu_detect_engine_free(de);
	return 0;
}
