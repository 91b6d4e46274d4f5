/* test_decode_pcaps.c — every capture of ../shared/testdata/pcaps (from its MANIFEST,
 * gzipped ones left out) through the decoder: no crash, and every pointer the decoder
 * sets stays inside the frame. Skips (77) when the shared test data is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sensor/decode/decode.h"
#include "setu/error.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCAPS SETU_SOURCE_DIR "/../shared/testdata/pcaps"

typedef struct totals {
	unsigned files, unreadable, unsupported;
	uint64_t pkts, invalid, l4, reassembled, tunnel;
} totals_t;

static bool inside(const setu_pkt_t *p, const uint8_t *ptr, uint64_t len)
{
	return ptr >= p->data && (uint64_t)(ptr - p->data) + len <= p->len;
}

static void check_bounds(const setu_pkt_t *p, const char *file)
{
	if (p->flags & SETU_PKT_REASSEMBLED)
		return; /* points into the decode context's buffer */
	bool ok = true;
	if (p->l3 && !inside(p, p->l3, p->l3_len))
		ok = false;
	if ((p->flags & SETU_PKT_HAS_L4) && p->l4 && !inside(p, p->l4, p->l4_len))
		ok = false;
	if (p->payload && !inside(p, p->payload, p->payload_len))
		ok = false;
	if (!ok) {
		fprintf(stderr, "%s packet %llu: decoded pointer outside the frame\n",
		        file, (unsigned long long)p->pcap_cnt);
		fail();
	}
}

static void run_file(setu_decode_ctx_t *dc, const char *path, totals_t *t)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc) {
		t->unreadable++;
		return;
	}
	t->files++;
	int dlt = pcap_datalink(pc);
	if (!setu_decode_linktype_supported(dlt))
		t->unsupported++;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t n = 0;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		setu_pkt_t p;
		setu_pkt_reset(&p);
		p.data = data;
		p.len = h->caplen;
		p.wire_len = h->len;
		p.ts = h->ts;
		p.pcap_cnt = ++n;
		p.linktype = dlt;
		int rc = setu_decode(dc, &p);
		if (rc == SETU_EUNSUPPORTED)
			continue;
		t->pkts++;
		if (rc < 0) {
			t->invalid++;
			assert_true(p.flags & SETU_PKT_INVALID);
		}
		if (p.flags & SETU_PKT_HAS_L4)
			t->l4++;
		if (p.flags & SETU_PKT_REASSEMBLED)
			t->reassembled++;
		if (p.flags & SETU_PKT_TUNNEL)
			t->tunnel++;
		check_bounds(&p, path);
		if ((n & 255) == 0)
			setu_decode_timeout(dc, &h->ts);
	}
	pcap_close(pc);
}

static void test_all_captures(void **state)
{
	(void)state;
	FILE *m = fopen(PCAPS "/MANIFEST.txt", "r");
	assert_non_null(m);
	setu_decode_config_t cfg;
	setu_decode_config_default(&cfg);
	setu_decode_ctx_t *dc = setu_decode_ctx_new(&cfg);
	assert_non_null(dc);
	totals_t t = {0};
	char line[4096];
	while (fgets(line, sizeof(line), m)) {
		if (line[0] == '#')
			continue;
		char *cols[7] = {0};
		char *save = NULL, *s = line;
		for (int i = 0; i < 7; i++, s = NULL)
			cols[i] = strtok_r(s, "\t\n", &save);
		if (!cols[0] || !cols[5] || strncmp(cols[5], "pcap", 4) != 0)
			continue;
		size_t l = strlen(cols[0]);
		if (l > 3 && strcmp(cols[0] + l - 3, ".gz") == 0)
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", PCAPS, cols[0]);
		run_file(dc, path, &t);
	}
	fclose(m);
	printf("captures: %u read (%u unreadable, %u with a link type we do not decode); "
	       "%llu packets decoded, %llu invalid, %llu with L4, %llu reassembled, "
	       "%llu tunnelled\n",
	       t.files, t.unreadable, t.unsupported, (unsigned long long)t.pkts,
	       (unsigned long long)t.invalid, (unsigned long long)t.l4,
	       (unsigned long long)t.reassembled, (unsigned long long)t.tunnel);
	/* The collection is mostly Ethernet with TCP/UDP: most packets reach L4. */
	assert_true(t.files > 1000);
	assert_true(t.pkts > 10000);
	assert_true(t.l4 * 2 > t.pkts);
	setu_decode_ctx_free(dc);
}

int main(void)
{
	FILE *m = fopen(PCAPS "/MANIFEST.txt", "r");
	if (!m) {
		printf("shared testdata absent: %s/MANIFEST.txt; skipping\n", PCAPS);
		return 77;
	}
	fclose(m);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_captures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
