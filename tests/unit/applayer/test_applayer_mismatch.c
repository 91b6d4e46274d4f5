/* test_applayer_mismatch.c — protocol detection in both directions and Suricata's
 * applayer_mismatch_protocol_both_directions event (app-layer-events.rules): raised once
 * when the two directions' first bytes are different protocols, in either order, also
 * with a protocol setu only recognises (SSH); not for agreeing directions, unknown bytes
 * or data after a gap; kept right across a flow swap; and on the suricata-verify capture
 * output-eve-anomaly-02 (an HTTP request answered by an SSH server). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pcap_feed.h"
#include "sensor/applayer/applayer-int.h"

#include <stdio.h>
#include <sys/stat.h>

#define TD SETU_SOURCE_DIR "/../shared/testdata"
#define MISMATCH (1u << SETU_AL_DEV_MISMATCH)

static const char REQ[] = "GET / HTTP/1.1\r\nHost: 10.16.1.1:22\r\n\r\n";
static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
static const char SSH_BANNER[] = "SSH-2.0-OpenSSH_6.6.1\r\n";
/* A TLS record header and the start of a ServerHello (enough for detection). */
static const uint8_t SERVER_HELLO[] = {0x16, 0x03, 0x03, 0x00, 0x2a, 0x02, 0x00, 0x00,
                                       0x26, 0x03, 0x03, 0x11, 0x22, 0x33, 0x44, 0x55};

typedef struct fx {
	setu_applayer_ctx_t *ac;
	setu_alstate_t *st;
} fx_t;

static void fx_new(fx_t *x, uint16_t sport)
{
	x->ac = setu_applayer_ctx_new(NULL);
	assert_non_null(x->ac);
	x->st = setu_alstate_new(x->ac, false, 40000, sport);
	assert_non_null(x->st);
}

static void fx_free(fx_t *x)
{
	setu_alstate_drain(x->ac, x->st, true, NULL, NULL);
	setu_alstate_free(x->st);
	setu_applayer_ctx_free(x->ac);
}

static void feed(fx_t *x, int dir, const void *d, size_t n, unsigned flags)
{
	assert_int_equal(setu_alstate_handle(x->ac, x->st, dir, d, n, flags), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(setu_applayer_detect_event_name(SETU_AL_DEV_MISMATCH),
	                    "applayer_mismatch_protocol_both_directions");
	assert_null(setu_applayer_detect_event_name(SETU_AL_DEV_MAX));
	assert_int_equal(setu_applayer_detect_event_by_name(
	                     "applayer_mismatch_protocol_both_directions"),
	                 SETU_AL_DEV_MISMATCH);
	assert_int_equal(setu_applayer_detect_event_by_name("http.bogus"), -1);
	assert_int_equal(setu_applayer_detect_event_by_name(NULL), -1);
	/* the name Suricata's shipped rules use */
	FILE *fp = fopen(TD "/rules/oisf-suricata/app-layer-events.rules", "r");
	if (fp == NULL)
		return; /* shared testdata absent: the names above were checked */
	char line[2048];
	bool found = false;
	while (fgets(line, sizeof(line), fp) != NULL)
		found |= strstr(line, "app-layer-event:applayer_mismatch_protocol_both_"
		                      "directions;") != NULL;
	fclose(fp);
	assert_true(found);
}

static void test_http_then_ssh_server(void **state)
{
	(void)state;
	fx_t x;
	fx_new(&x, 22);
	feed(&x, 0, REQ, sizeof(REQ) - 1, 0);
	assert_int_equal(setu_alstate_proto(x.st), SETU_ALPROTO_HTTP);
	assert_int_equal(setu_alstate_take_detect_events(x.st), 0);
	feed(&x, 1, SSH_BANNER, sizeof(SSH_BANNER) - 1, 0);
	/* raised once, on the data that showed it; the flow stays HTTP (its parser has
	 * had the request already, as in Suricata) */
	assert_int_equal(setu_alstate_take_detect_events(x.st), MISMATCH);
	assert_int_equal(setu_alstate_take_detect_events(x.st), 0);
	assert_int_equal(setu_alstate_detect_events(x.st), MISMATCH);
	assert_int_equal(setu_alstate_proto(x.st), SETU_ALPROTO_HTTP);
	feed(&x, 1, "Protocol mismatch.\n", 19, 0);
	feed(&x, 0, REQ, sizeof(REQ) - 1, 0);
	assert_int_equal(setu_alstate_take_detect_events(x.st), 0);
	fx_free(&x);
}

static void test_server_speaks_first(void **state)
{
	(void)state;
	/* the banner comes first: setu cannot parse SSH, so detection waits for the other
	 * direction, which is HTTP: the directions disagree */
	fx_t x;
	fx_new(&x, 22);
	feed(&x, 1, SSH_BANNER, sizeof(SSH_BANNER) - 1, 0);
	assert_int_equal(setu_alstate_proto(x.st), SETU_ALPROTO_UNKNOWN);
	assert_int_equal(setu_alstate_take_detect_events(x.st), 0);
	feed(&x, 0, REQ, sizeof(REQ) - 1, 0);
	assert_int_equal(setu_alstate_proto(x.st), SETU_ALPROTO_HTTP);
	assert_int_equal(setu_alstate_take_detect_events(x.st), MISMATCH);
	fx_free(&x);
}

static void test_http_then_tls(void **state)
{
	(void)state;
	fx_t x;
	fx_new(&x, 443);
	feed(&x, 0, REQ, sizeof(REQ) - 1, 0);
	feed(&x, 1, SERVER_HELLO, sizeof(SERVER_HELLO), 0);
	assert_int_equal(setu_alstate_take_detect_events(x.st), MISMATCH);
	fx_free(&x);
}

static void test_agreeing_or_unknown_directions(void **state)
{
	(void)state;
	fx_t x;
	/* HTTP both ways */
	fx_new(&x, 80);
	feed(&x, 0, REQ, sizeof(REQ) - 1, 0);
	feed(&x, 1, RESP, sizeof(RESP) - 1, 0);
	assert_int_equal(setu_alstate_detect_events(x.st), 0);
	fx_free(&x);
	/* the server answers with bytes of no known protocol */
	fx_new(&x, 80);
	feed(&x, 0, REQ, sizeof(REQ) - 1, 0);
	feed(&x, 1, "\x00\x01garbage", 9, 0);
	assert_int_equal(setu_alstate_detect_events(x.st), 0);
	/* and only its first bytes count */
	feed(&x, 1, SSH_BANNER, sizeof(SSH_BANNER) - 1, 0);
	assert_int_equal(setu_alstate_detect_events(x.st), 0);
	fx_free(&x);
	/* the server's first bytes were lost: what follows a gap is not its start */
	fx_new(&x, 80);
	feed(&x, 0, REQ, sizeof(REQ) - 1, 0);
	feed(&x, 1, SSH_BANNER, sizeof(SSH_BANNER) - 1, SETU_AL_GAP);
	assert_int_equal(setu_alstate_detect_events(x.st), 0);
	fx_free(&x);
	/* a flow whose detection failed both ways raises nothing */
	fx_new(&x, 22);
	feed(&x, 1, SSH_BANNER, sizeof(SSH_BANNER) - 1, 0);
	feed(&x, 0, "SSH-2.0-client\r\n", 16, 0);
	assert_int_equal(setu_alstate_proto(x.st), SETU_ALPROTO_FAILED);
	assert_int_equal(setu_alstate_detect_events(x.st), 0);
	fx_free(&x);
}

static void test_swap_keeps_directions(void **state)
{
	(void)state;
	/* HTTP found on physical direction 0; the engine then swaps the flow: the HTTP
	 * side is now direction 1, and the first bytes of direction 0 are still unseen */
	fx_t x;
	fx_new(&x, 22);
	feed(&x, 0, REQ, sizeof(REQ) - 1, 0);
	setu_alstate_swap(x.st);
	feed(&x, 0, SSH_BANNER, sizeof(SSH_BANNER) - 1, 0);
	assert_int_equal(setu_alstate_take_detect_events(x.st), MISMATCH);
	fx_free(&x);
}

/* The capture's flows are freed when it ends: look at each one as its transactions are
 * handed on (pf_end drains every flow before freeing it). */
typedef struct sv_seen {
	pf_ctx_t *pc;
	unsigned txs;
	uint32_t events;
	setu_alproto_t proto;
} sv_seen_t;

static void sv_tx(void *user, setu_alproto_t proto, const setu_altx_t *tx)
{
	sv_seen_t *s = user;
	(void)tx;
	s->txs++;
	s->proto = proto;
	s->events |= setu_alstate_detect_events(s->pc->cur->st);
}

static void test_sv_capture(void **state)
{
	(void)state;
	const char *pcap = TD "/suricata-verify/tests/output-eve-anomaly-02/input.pcap";
	struct stat sb;
	if (stat(pcap, &sb) != 0) {
		print_message("shared testdata absent: %s\n", pcap);
		skip();
	}
	setu_applayer_ctx_t *ac = setu_applayer_ctx_new(NULL);
	assert_non_null(ac);
	sv_seen_t seen = {0};
	pf_ctx_t *pc = pf_new(ac, sv_tx, &seen);
	assert_non_null(pc);
	seen.pc = pc;
	assert_int_equal(pf_file(pc, pcap), 0);
	assert_int_equal(pc->flows_n, 1);
	assert_true(seen.txs >= 1);
	assert_int_equal(seen.proto, SETU_ALPROTO_HTTP);
	assert_int_equal(seen.events, MISMATCH);
	pf_free(pc);
	setu_applayer_ctx_free(ac);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_http_then_ssh_server),
	    cmocka_unit_test(test_server_speaks_first),
	    cmocka_unit_test(test_http_then_tls),
	    cmocka_unit_test(test_agreeing_or_unknown_directions),
	    cmocka_unit_test(test_swap_keeps_directions),
	    cmocka_unit_test(test_sv_capture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
