/* test_capture_mmap.c — classic pcap files read in place (capture-mmap.c): both byte
 * orders, micro- and nanosecond time stamps, the libpcap sentences for truncated and
 * oversized records, page release, the files it leaves to libpcap (pcapng, link types
 * whose file value is not the DLT), and walking: several cursors over one mapping, each
 * seeing what the single reader sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/limits.h"
#include "sensor/capture/capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put32(uint8_t *b, uint32_t v, bool be)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void put16(uint8_t *b, uint16_t v, bool be)
{
	b[0] = (uint8_t)(be ? v >> 8 : v);
	b[1] = (uint8_t)(be ? v : v >> 8);
}

/* A pcap file: header, then records of `lens` bytes (byte i of record k = k + i), with
 * `cut` bytes removed from the end. Returns the path (static buffer). */
static const char *write_pcap(uint32_t magic, bool be, uint32_t linktype,
                              const uint32_t *lens, size_t n, size_t cut, char *path)
{
	snprintf(path, 64, "/tmp/setu-test-mmap-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	uint8_t buf[8192];
	size_t len = 0;
	put32(buf, magic, be);
	put16(buf + 4, 2, be);
	put16(buf + 6, 4, be);
	put32(buf + 8, 0, be);
	put32(buf + 12, 0, be);
	put32(buf + 16, 65535, be);
	put32(buf + 20, linktype, be);
	len = 24;
	for (size_t k = 0; k < n; k++) {
		put32(buf + len, 1700000000u + (uint32_t)k, be);
		put32(buf + len + 4, 123456789u, be);
		put32(buf + len + 8, lens[k], be);
		put32(buf + len + 12, lens[k] + 10, be);
		len += 16;
		for (uint32_t i = 0; i < lens[k] && len < sizeof(buf); i++)
			buf[len++] = (uint8_t)(k + i);
	}
	assert_true(cut <= len);
	assert_int_equal(write(fd, buf, len - cut), (ssize_t)(len - cut));
	close(fd);
	return path;
}

static void read_all(uint32_t magic, bool be, uint32_t usec_expected)
{
	char path[64];
	const uint32_t lens[3] = {60, 0, 1514};
	write_pcap(magic, be, 1, lens, 3, 0, path);
	setu_diag_t d = {0};
	setu_capture_t *c = setu_capture_open_file(path, &d);
	assert_non_null(c);
	assert_true(c->stable);
	assert_int_equal(c->linktype, SETU_DLT_EN10MB);
	setu_pkt_t p;
	for (unsigned k = 0; k < 3; k++) {
		assert_int_equal(setu_capture_next(c, &p, &d), 1);
		assert_int_equal(p.len, lens[k]);
		assert_int_equal(p.wire_len, lens[k] + 10);
		assert_int_equal(p.ts.tv_sec, 1700000000 + (long)k);
		assert_int_equal(p.ts.tv_usec, usec_expected);
		assert_int_equal(p.pcap_cnt, k + 1);
		if (p.len > 0)
			assert_int_equal(p.data[p.len - 1], (uint8_t)(k + p.len - 1));
	}
	assert_int_equal(setu_capture_next(c, &p, &d), 0);
	setu_capture_stats_t st;
	setu_capture_get_stats(c, &st);
	assert_int_equal(st.packets, 3);
	assert_int_equal(st.bytes, 60 + 1514);
	assert_int_equal(st.file_pos, st.file_size);
	setu_capture_close(c);
	unlink(path);
}

static void test_orders_and_precision(void **state)
{
	(void)state;
	/* usec field 123456789 is taken as is (libpcap does not check it) */
	read_all(0xa1b2c3d4u, false, 123456789u);
	read_all(0xa1b2c3d4u, true, 123456789u);
	read_all(0xa1b23c4du, false, 123456u); /* nanoseconds → microseconds */
	read_all(0xa1b23c4du, true, 123456u);
}

static void expect_error(const uint32_t *lens, size_t n, size_t cut, unsigned ok_before,
                         const char *msg)
{
	char path[64];
	write_pcap(0xa1b2c3d4u, false, 1, lens, n, cut, path);
	setu_diag_t d = {0};
	setu_capture_t *c = setu_capture_open_file(path, &d);
	assert_non_null(c);
	setu_pkt_t p;
	for (unsigned k = 0; k < ok_before; k++)
		assert_int_equal(setu_capture_next(c, &p, &d), 1);
	assert_int_equal(setu_capture_next(c, &p, &d), SETU_EIO);
	if (strstr(d.msg, msg) == NULL)
		fail_msg("expected '%s' in '%s'", msg, d.msg);
	assert_string_equal(d.file, path);
	setu_capture_close(c);
	unlink(path);
}

static void test_truncated_and_oversized(void **state)
{
	(void)state;
	const uint32_t two[2] = {100, 100};
	expect_error(two, 2, 50, 1,
	             "after packet 1: truncated dump file; tried to read 100 captured "
	             "bytes, only got 50");
	expect_error(two, 2, 110, 1,
	             "after packet 1: truncated dump file; tried to read 16 header "
	             "bytes, only got 6");
	/* a record length beyond any frame is refused before reading it */
	char path[64];
	const uint32_t one[1] = {40};
	write_pcap(0xa1b2c3d4u, false, 1, one, 1, 0, path);
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	uint8_t big[4];
	put32(big, SETU_MAX_FRAME + 1, false);
	fseek(f, 24 + 8, SEEK_SET);
	fwrite(big, 1, 4, f);
	fclose(f);
	setu_diag_t d = {0};
	setu_capture_t *c = setu_capture_open_file(path, &d);
	assert_non_null(c);
	setu_pkt_t p;
	assert_int_equal(setu_capture_next(c, &p, &d), SETU_EIO);
	assert_non_null(strstr(d.msg, "invalid packet capture length"));
	setu_capture_close(c);
	unlink(path);
}

static void test_left_to_libpcap(void **state)
{
	(void)state;
	char path[64];
	const uint32_t one[1] = {40};
	setu_diag_t d = {0};
	/* LINKTYPE_ATM_RFC1483 (100) is DLT 11 in libpcap: not read in place */
	write_pcap(0xa1b2c3d4u, false, 100, one, 1, 0, path);
	assert_null(setu_capture_open_mmap(path, &d));
	setu_capture_t *c = setu_capture_open_file(path, &d);
	assert_non_null(c);
	assert_false(c->stable);
	setu_capture_close(c);
	unlink(path);
	/* a pcapng section header block */
	snprintf(path, sizeof(path), "/tmp/setu-test-mmap-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static const uint8_t shb[28] = {
	    0x0a, 0x0d, 0x0d, 0x0a, 28,   0,    0,    0,    0x4d, 0x3c, 0x2b, 0x1a, 1, 0,
	    0,    0,    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28,   0,    0, 0};
	assert_int_equal(write(fd, shb, sizeof(shb)), (ssize_t)sizeof(shb));
	close(fd);
	assert_null(setu_capture_open_mmap(path, &d));
	unlink(path);
	/* an empty file and a missing one */
	assert_null(setu_capture_open_mmap("/nonexistent/setu.pcap", &d));
	c = setu_capture_open_file("/nonexistent/setu.pcap", &d);
	assert_null(c);
	assert_non_null(strstr(d.msg, "cannot open"));
}

static void test_release_keeps_data(void **state)
{
	(void)state;
	/* release is advisory: bytes above the point stay readable, and a release of
	 * everything read so far does not disturb the rest of the file */
	char path[64];
	uint32_t lens[4] = {1500, 1500, 1500, 1500};
	write_pcap(0xa1b2c3d4u, false, 1, lens, 4, 0, path);
	setu_diag_t d = {0};
	setu_capture_t *c = setu_capture_open_file(path, &d);
	assert_non_null(c);
	setu_pkt_t p;
	for (unsigned k = 0; k < 4; k++) {
		assert_int_equal(setu_capture_next(c, &p, &d), 1);
		setu_capture_release(c, p.data);
		assert_int_equal(p.data[10], (uint8_t)(k + 10));
	}
	setu_capture_close(c);
	unlink(path);
}

static void test_ahead(void **state)
{
	(void)state;
	/* mapping pages ahead (the monitor, while walkers read) changes no record: any
	 * offset, past the end too, before and after pages were released */
	char path[64];
	uint32_t lens[4] = {1500, 1500, 1500, 1500};
	write_pcap(0xa1b2c3d4u, false, 1, lens, 4, 0, path);
	setu_diag_t d = {0};
	setu_capture_t *c = setu_capture_open_file(path, &d);
	assert_non_null(c);
	setu_capture_ahead(c, 0);
	setu_capture_ahead(c, 100);
	setu_capture_ahead(c, UINT64_MAX);
	setu_capture_cursor_t a;
	setu_capture_walk_start(c, &a);
	setu_capture_rec_t r;
	for (unsigned k = 0; k < 4; k++) {
		assert_int_equal(setu_capture_walk(c, &a, &r, &d), 1);
		assert_int_equal(r.len, 1500);
		assert_int_equal(r.data[1499], (uint8_t)(k + 1499));
		setu_capture_walked(c, &a);
		setu_capture_ahead(c, a.off + 4096);
	}
	assert_int_equal(setu_capture_walk(c, &a, &r, &d), 0);
	setu_capture_close(c);
	unlink(path);
}

static void test_walkers(void **state)
{
	(void)state;
	char path[64];
	const uint32_t lens[4] = {60, 0, 1514, 200};
	write_pcap(0xa1b23c4du, true, 1, lens, 4, 0, path);
	setu_diag_t d = {0};
	setu_capture_t *ref = setu_capture_open_file(path, &d);
	setu_capture_t *c = setu_capture_open_file(path, &d);
	assert_non_null(ref);
	assert_non_null(c);
	assert_true(setu_capture_walkable(c));
	/* two walkers, interleaved unevenly, each see every record as next() does */
	setu_capture_cursor_t a, b;
	setu_capture_walk_start(c, &a);
	setu_capture_walk_start(c, &b);
	setu_capture_rec_t ra, rb;
	setu_pkt_t p, q;
	for (unsigned k = 0; k < 4; k++) {
		assert_int_equal(setu_capture_next(ref, &p, &d), 1);
		assert_int_equal(setu_capture_walk(c, &a, &ra, &d), 1);
		for (unsigned j = 1; k == 2 && j <= 2; j++) { /* b catches up */
			assert_int_equal(setu_capture_walk(c, &b, &rb, &d), 1);
			assert_int_equal(rb.pcap_cnt, j);
		}
		if (k >= 2) {
			assert_int_equal(setu_capture_walk(c, &b, &rb, &d), 1);
			assert_ptr_equal(rb.data, ra.data);
			assert_int_equal(rb.pcap_cnt, ra.pcap_cnt);
		}
		memset(&q, 0xa5, sizeof(q));
		setu_pkt_reset(&q);
		setu_capture_rec_to_pkt(c, &ra, &q);
		assert_int_equal(q.len, p.len);
		assert_int_equal(q.wire_len, p.wire_len);
		assert_int_equal(q.ts.tv_sec, p.ts.tv_sec);
		assert_int_equal(q.ts.tv_usec, 123456); /* nanoseconds in the file */
		assert_int_equal(q.ts.tv_usec, p.ts.tv_usec);
		assert_int_equal(q.pcap_cnt, k + 1);
		assert_int_equal(q.pcap_cnt, p.pcap_cnt);
		assert_int_equal(q.linktype, p.linktype);
		assert_memory_equal(q.data, p.data, p.len);
	}
	assert_int_equal(setu_capture_walk(c, &a, &ra, &d), 0);
	assert_int_equal(setu_capture_walk(c, &b, &rb, &d), 0);
	/* walking leaves the capture's own position alone; `walked` moves it (stats) and
	 * never back */
	setu_capture_stats_t st;
	setu_capture_get_stats(c, &st);
	assert_int_equal(st.packets, 0);
	assert_int_equal(st.file_pos, 24);
	setu_capture_walked(c, &a);
	setu_capture_get_stats(c, &st);
	assert_int_equal(st.packets, 4);
	assert_int_equal(st.bytes, 60 + 0 + 1514 + 200);
	assert_int_equal(st.file_pos, st.file_size);
	setu_capture_cursor_t back;
	setu_capture_walk_start(c, &back);
	setu_capture_walked(c, &back);
	setu_capture_get_stats(c, &st);
	assert_int_equal(st.packets, 4);
	setu_capture_close(c);
	setu_capture_close(ref);
	unlink(path);
	/* a truncated file: a walker stops where the reader does, with its sentence */
	const uint32_t two[2] = {100, 100};
	write_pcap(0xa1b2c3d4u, false, 1, two, 2, 50, path);
	c = setu_capture_open_file(path, &d);
	assert_non_null(c);
	setu_capture_walk_start(c, &a);
	assert_int_equal(setu_capture_walk(c, &a, &ra, &d), 1);
	assert_int_equal(setu_capture_walk(c, &a, &ra, &d), SETU_EIO);
	assert_string_equal(d.msg,
	                    "after packet 1: truncated dump file; tried to read 100 "
	                    "captured bytes, only got 50");
	assert_int_equal(a.packets, 1);
	setu_capture_close(c);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_orders_and_precision),
	    cmocka_unit_test(test_truncated_and_oversized),
	    cmocka_unit_test(test_left_to_libpcap),
	    cmocka_unit_test(test_release_keeps_data),
	    cmocka_unit_test(test_ahead),
	    cmocka_unit_test(test_walkers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
