/* capture-pcap.c — pcapng files, stdin and live interfaces through libpcap (classic pcap
 * files are read in place by capture-mmap.c). */
#include "capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct pcap_capture {
	setu_capture_t base;
	pcap_t *pcap;
	bool live;
	FILE *file; /* file mode: owned by pcap (pcap_fopen_offline), used for position */
	uint64_t packets, bytes, file_size;
} pcap_capture_t;

static int pcap_next_pkt(setu_capture_t *c, setu_pkt_t *p, setu_diag_t *diag)
{
	pcap_capture_t *pc = (pcap_capture_t *)c;
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(pc->pcap, &h, &data);
		if (rc == 1) {
			pc->packets++;
			pc->bytes += h->caplen;
			setu_pkt_reset(p);
			p->data = data;
			p->len = h->caplen;
			p->wire_len = h->len;
			p->ts = h->ts;
			p->pcap_cnt = pc->packets;
			p->linktype = c->linktype;
			return 1;
		}
		if (rc == 0)
			return SETU_EAGAIN; /* live: no packet within the timeout */
		if (rc == PCAP_ERROR_BREAK)
			return 0; /* end of file, or breakloop */
		if (diag != NULL) {
			diag->file = c->source;
			diag->line = 0;
		}
		return setu_diag_set(diag, SETU_EIO, "after packet %llu: %s",
		                     (unsigned long long)pc->packets,
		                     pcap_geterr(pc->pcap));
	}
}

static void pcap_stats_get(const setu_capture_t *c, setu_capture_stats_t *st)
{
	const pcap_capture_t *pc = (const pcap_capture_t *)c;
	memset(st, 0, sizeof(*st));
	st->packets = pc->packets;
	st->bytes = pc->bytes;
	st->file_size = pc->file_size;
	if (pc->live) {
		struct pcap_stat ps;
		if (pcap_stats(pc->pcap, &ps) == 0)
			st->kernel_drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	} else if (pc->file != NULL) {
		long pos = ftell(pc->file);
		st->file_pos = pos > 0 ? (uint64_t)pos : 0;
	}
}

static void pcap_breakloop_op(setu_capture_t *c)
{
	pcap_breakloop(((pcap_capture_t *)c)->pcap);
}

static void pcap_close_op(setu_capture_t *c)
{
	pcap_capture_t *pc = (pcap_capture_t *)c;
	pcap_close(pc->pcap); /* also closes pc->file */
	free(pc);
}

static const setu_capture_ops_t pcap_file_ops = {
    .name = "pcap-file",
    .next = pcap_next_pkt,
    .stats = pcap_stats_get,
    .breakloop = pcap_breakloop_op,
    .close = pcap_close_op,
};

static const setu_capture_ops_t pcap_live_ops = {
    .name = "pcap",
    .next = pcap_next_pkt,
    .stats = pcap_stats_get,
    .breakloop = pcap_breakloop_op,
    .close = pcap_close_op,
};

setu_capture_t *setu_capture_open_file(const char *path, setu_diag_t *diag)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	if (diag != NULL) {
		diag->file = path;
		diag->line = 0;
	}
	if (strcmp(path, "-") != 0) {
		setu_capture_t *mm = setu_capture_open_mmap(path, diag);
		if (mm != NULL)
			return mm;
	}
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		setu_diag_set(diag, SETU_EIO, "cannot open: %s", strerror(errno));
		return NULL;
	}
	uint64_t size = 0;
	struct stat st;
	if (f != stdin && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
		size = (uint64_t)st.st_size;
	pcap_t *pcap =
	    pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, err);
	if (pcap == NULL) {
		if (f != stdin)
			fclose(f);
		setu_diag_set(diag, SETU_EMALFORMED,
		              "not a readable pcap or pcapng file: %s", err);
		return NULL;
	}
	pcap_capture_t *pc = calloc(1, sizeof(*pc));
	if (pc == NULL) {
		pcap_close(pcap);
		setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		return NULL;
	}
	pc->base.ops = &pcap_file_ops;
	pc->base.linktype = pcap_datalink(pcap);
	pc->base.source = path;
	pc->pcap = pcap;
	pc->file = f;
	pc->file_size = size;
	return &pc->base;
}

setu_capture_t *setu_capture_open_live(const char *iface, const char *bpf, int snaplen,
                                       bool promisc, setu_diag_t *diag)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	if (diag != NULL) {
		diag->file = iface;
		diag->line = 0;
	}
	pcap_t *pcap = pcap_create(iface, err);
	if (pcap == NULL) {
		setu_diag_set(diag, SETU_EIO, "cannot open interface: %s", err);
		return NULL;
	}
	pcap_set_snaplen(pcap, snaplen);
	pcap_set_promisc(pcap, promisc ? 1 : 0);
	pcap_set_timeout(pcap, 100); /* ms: lets the loop see breakloop and timers */
	pcap_set_buffer_size(pcap, 32 * 1024 * 1024);
	int rc = pcap_activate(pcap);
	if (rc < 0) {
		setu_diag_set(diag, SETU_EIO, "cannot capture: %s", pcap_geterr(pcap));
		pcap_close(pcap);
		return NULL;
	}
	if (bpf != NULL && bpf[0] != '\0') {
		struct bpf_program prog;
		if (pcap_compile(pcap, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
		    pcap_setfilter(pcap, &prog) != 0) {
			setu_diag_set(diag, SETU_EINVAL, "bad BPF filter '%s': %s", bpf,
			              pcap_geterr(pcap));
			pcap_close(pcap);
			return NULL;
		}
		pcap_freecode(&prog);
	}
	pcap_capture_t *pc = calloc(1, sizeof(*pc));
	if (pc == NULL) {
		pcap_close(pcap);
		setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		return NULL;
	}
	pc->base.ops = &pcap_live_ops;
	pc->base.linktype = pcap_datalink(pcap);
	pc->base.source = iface;
	pc->pcap = pcap;
	pc->live = true;
	pc->base.live = true;
	return &pc->base;
}
