/* capture-afp.c — AF_PACKET live capture: TPACKET_V3 block rings, one socket per worker
 * in a PACKET_FANOUT_HASH group (packet(7); Documentation/networking/packet_mmap.rst).
 * Written by hand: libpcap opens one socket per handle and cannot join a fanout group, so
 * N workers reading their own packets with no reader thread needs the socket API itself.
 *
 * Both directions of a flow reach the same socket: PACKET_FANOUT_HASH picks the member by
 * __skb_get_hash_symmetric() (net/packet/af_packet.c, fanout_demux_hash), the flow
 * dissector's hash over addresses and ports put in a canonical order first
 * (__flow_hash_consistentify), i.e. symmetric for TCP and UDP; it ignores skb->hash, so a
 * socket's random tx hash cannot split a flow. PACKET_FANOUT_FLAG_DEFRAG reassembles IPv4
 * fragments before hashing, so a datagram's fragments (which lack ports) meet too. This
 * is not our IP-pair hash (ring.c); it need not be: only "one flow, one worker" matters.
 */
#include "capture-afp.h"

#include "common/limits.h"

#include <errno.h>
#include <linux/filter.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct afp_group afp_group_t;

typedef struct afp_sock {
	setu_capture_t base;
	afp_group_t *g; /* borrowed: the group owns this socket */
	int fd;
	uint8_t *map; /* the ring: block_nr blocks of block_size bytes */
	size_t map_len;
	uint32_t block_size, block_nr;
	uint32_t cur;                         /* block being read or waited for */
	struct tpacket_block_desc *bd;        /* NULL: no block held */
	uint32_t left;                        /* packets of bd not yet returned */
	uint8_t *next;                        /* next tpacket3_hdr in bd */
	bool csum_unverified;                 /* of the packet last returned */
	uint64_t npkts, nbytes;               /* this socket's reader only */
	_Atomic uint64_t pkts_pub, bytes_pub; /* published for stats readers */
	_Atomic uint64_t kernel_drops; /* PACKET_STATISTICS, summed (reads reset) */
} afp_sock_t;

struct afp_group {
	setu_capture_t base;
	setu_afp_config_t cfg; /* copy (bpf borrowed) */
	int ifindex;
	bool loopback;
	atomic_bool stop;
	unsigned n;
	afp_sock_t **s; /* owned */
};

/* ---- configuration ---- */

void setu_afp_config_default(setu_afp_config_t *c, const char *iface)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->iface, sizeof(c->iface), "%s", iface != NULL ? iface : "");
	c->cluster_id = SETU_AFP_CLUSTER_ID_DEFAULT;
	c->defrag = true;
	c->promisc = true;
	c->block_size = SETU_AFP_BLOCK_SIZE_DEFAULT;
	c->ring_size = SETU_AFP_RING_SIZE_DEFAULT;
	c->block_timeout = SETU_AFP_BLOCK_TIMEOUT_MS_DEFAULT;
}

/* A bad value of a known key: "FILE:LINE: key 'K': why". */
static int conf_bad(const setu_conf_t *conf, const char *key, setu_diag_t *d,
                    const char *why, const char *val)
{
	const setu_conf_node_t *n = setu_conf_lookup(conf, key);
	if (d != NULL) {
		d->file = n != NULL ? n->file : NULL;
		d->line = n != NULL ? n->line : 0;
		d->column = 0;
	}
	return setu_diag_set(d, SETU_ECONFIG, "key '%s': bad value '%s' (%s)", key,
	                     val != NULL ? val : "", why);
}

static int conf_u64(const setu_conf_t *conf, const char *key, uint64_t lo, uint64_t hi,
                    bool size, uint64_t *out, setu_diag_t *d)
{
	uint64_t v;
	int rc = size ? setu_conf_get_size(conf, key, &v, d)
	              : setu_conf_get_u64(conf, key, &v, d);
	if (rc == SETU_ENOENT)
		return 0;
	if (rc != 0)
		return rc;
	if (v < lo || v > hi) {
		char why[96];
		snprintf(why, sizeof(why), "expected %llu to %llu",
		         (unsigned long long)lo, (unsigned long long)hi);
		return conf_bad(conf, key, d, why, setu_conf_get(conf, key));
	}
	*out = v;
	return 0;
}

/* The key prefix of the af-packet item for this interface: "af-packet.N." or
 * "af-packet."; empty when there is no section. */
static void item_prefix(const setu_conf_t *conf, const char *iface, char *out,
                        size_t size)
{
	out[0] = '\0';
	const setu_conf_node_t *sec = setu_conf_lookup(conf, "af-packet");
	if (sec == NULL)
		return;
	if (!sec->is_seq) {
		snprintf(out, size, "af-packet.");
		return;
	}
	long pick = -1;
	for (size_t i = 0; i < sec->nchild; i++) {
		const setu_conf_node_t *in = setu_conf_child(sec->child[i], "interface");
		if (in == NULL || in->value == NULL)
			continue;
		if (strcmp(in->value, iface) == 0) {
			pick = (long)i;
			break;
		}
		if (strcmp(in->value, "default") == 0 && pick < 0)
			pick = (long)i;
	}
	if (pick >= 0)
		snprintf(out, size, "af-packet.%ld.", pick);
}

int setu_afp_config_from_conf(setu_afp_config_t *c, const setu_conf_t *conf,
                              setu_diag_t *d)
{
	char pre[64], key[128];
	item_prefix(conf, c->iface, pre, sizeof(pre));
	if (pre[0] == '\0')
		return 0;
	int rc;
	uint64_t v;
	const char *s;
#define KEY(k) (snprintf(key, sizeof(key), "%s%s", pre, (k)), key)
	s = setu_conf_get(conf, KEY("threads"));
	if (s != NULL && strcmp(s, "auto") != 0) {
		v = 0;
		if ((rc = conf_u64(conf, key, 1, 256, false, &v, d)) != 0)
			return rc;
		c->threads = (unsigned)v;
	}
	v = c->cluster_id;
	if ((rc = conf_u64(conf, KEY("cluster-id"), 0, 65535, false, &v, d)) != 0)
		return rc;
	c->cluster_id = (uint16_t)v;
	s = setu_conf_get(conf, KEY("cluster-type"));
	if (s != NULL && strcmp(s, "cluster_flow") != 0 && strcmp(s, "hash") != 0)
		return conf_bad(conf, key, d,
		                "only cluster_flow (hash) keeps both directions of a "
		                "flow in one worker",
		                s);
	if ((rc = setu_conf_get_bool(conf, KEY("defrag"), &c->defrag, d)) != 0 &&
	    rc != SETU_ENOENT)
		return rc;
	if ((rc = setu_conf_get_bool(conf, KEY("promisc"), &c->promisc, d)) != 0 &&
	    rc != SETU_ENOENT)
		return rc;
	/* use-mmap and tpacket-v3 are what this capture is: "no" cannot be honoured */
	static const char *const implied[] = {"use-mmap", "tpacket-v3"};
	for (size_t i = 0; i < sizeof(implied) / sizeof(implied[0]); i++) {
		bool b = true;
		if ((rc = setu_conf_get_bool(conf, KEY(implied[i]), &b, d)) != 0 &&
		    rc != SETU_ENOENT)
			return rc;
		if (!b)
			return conf_bad(conf, key, d,
			                "setu's af-packet always uses a TPACKET_V3 mmap "
			                "ring",
			                setu_conf_get(conf, key));
	}
	long page = sysconf(_SC_PAGESIZE);
	v = c->block_size;
	if ((rc = conf_u64(conf, KEY("block-size"), (uint64_t)(page > 0 ? page : 4096),
	                   SETU_AFP_BLOCK_SIZE_MAX, true, &v, d)) != 0)
		return rc;
	if ((v & (v - 1)) != 0)
		return conf_bad(conf, key, d, "a power of two, such as 1mb",
		                setu_conf_get(conf, key));
	c->block_size = (uint32_t)v;
	v = c->ring_size;
	if ((rc = conf_u64(conf, KEY("ring-size"), 1,
	                   SETU_AFP_RING_MAX_BYTES / SETU_AFP_FRAME_SIZE, false, &v,
	                   d)) != 0)
		return rc;
	c->ring_size = (uint32_t)v;
	v = c->block_timeout;
	if ((rc = conf_u64(conf, KEY("block-timeout"), 1, SETU_AFP_BLOCK_TIMEOUT_MS_MAX,
	                   false, &v, d)) != 0)
		return rc;
	c->block_timeout = (uint32_t)v;
	s = setu_conf_get(conf, KEY("bpf-filter"));
	if (s != NULL)
		c->bpf = s;
#undef KEY
	return 0;
}

/* ---- one socket ---- */

static struct tpacket_block_desc *block_at(const afp_sock_t *s, uint32_t i)
{
	return (struct tpacket_block_desc *)(s->map + (size_t)i * s->block_size);
}

/* Give the block back to the kernel and move to the next one. */
static void release_block(afp_sock_t *s)
{
	__atomic_store_n(&s->bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
	                 __ATOMIC_RELEASE);
	s->bd = NULL;
	s->cur = s->cur + 1 == s->block_nr ? 0 : s->cur + 1;
}

/* Wait for the current block; 1 when it is ours, 0 on timeout, negative on error. */
static int wait_block(afp_sock_t *s, setu_diag_t *diag)
{
	struct tpacket_block_desc *bd = block_at(s, s->cur);
	if (__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)
		return 1;
	struct pollfd pfd = {s->fd, POLLIN | POLLERR, 0};
	int r = poll(&pfd, 1, SETU_AFP_IDLE_POLL_MS);
	if (r < 0 && errno != EINTR)
		return setu_diag_set(diag, SETU_EIO, "poll: %s", strerror(errno));
	if (r > 0 && (pfd.revents & POLLERR)) {
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (diag != NULL) {
			diag->file = s->base.source;
			diag->line = 0;
		}
		return setu_diag_set(diag, SETU_EIO, "capture stopped: %s",
		                     err != 0 ? strerror(err) : "socket error");
	}
	return (__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
	        TP_STATUS_USER) != 0;
}

/* Put the 802.1Q tag the NIC took off back after the MAC addresses, so decoders and rules
 * see the frame as it was on the wire. In place when the ring left room before the frame
 * (it always leaves the sockaddr_ll padding), else the frame cannot be fixed. */
static bool reinsert_vlan(uint8_t *hdr, const struct tpacket3_hdr *h, setu_pkt_t *p)
{
	if (h->tp_mac < TPACKET3_HDRLEN + 4 || p->len < 12)
		return false;
	uint8_t *mac = hdr + h->tp_mac;
	uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) && h->hv1.tp_vlan_tpid
	                    ? h->hv1.tp_vlan_tpid
	                    : ETH_P_8021Q;
	uint16_t tci = h->hv1.tp_vlan_tci;
	memmove(mac - 4, mac, 12);
	mac[8] = (uint8_t)(tpid >> 8);
	mac[9] = (uint8_t)tpid;
	mac[10] = (uint8_t)(tci >> 8);
	mac[11] = (uint8_t)tci;
	p->data = mac - 4;
	p->len += 4;
	p->wire_len += 4;
	return true;
}

static int sock_next(setu_capture_t *c, setu_pkt_t *p, setu_diag_t *diag)
{
	afp_sock_t *s = (afp_sock_t *)c;
	for (;;) {
		if (s->bd != NULL && s->left == 0)
			release_block(s);
		if (s->bd == NULL) {
			if (atomic_load_explicit(&s->g->stop, memory_order_relaxed))
				return 0;
			int r = wait_block(s, diag);
			if (r < 0)
				return r;
			if (r == 0)
				return SETU_EAGAIN;
			s->bd = block_at(s, s->cur);
			s->left = s->bd->hdr.bh1.num_pkts;
			uint32_t first = s->bd->hdr.bh1.offset_to_first_pkt;
			s->next = (uint8_t *)s->bd + first;
			if (first >= s->block_size)
				s->left =
				    0; /* never from a sane kernel; skip the block */
			continue;
		}
		uint8_t *hdr = s->next;
		const struct tpacket3_hdr *h = (const struct tpacket3_hdr *)hdr;
		size_t off = (size_t)(hdr - (uint8_t *)s->bd);
		s->left--;
		if (off + TPACKET3_HDRLEN >
		    s->block_size) { /* never from a sane kernel */
			s->left = 0;
			continue;
		}
		if (h->tp_next_offset != 0 && off + h->tp_next_offset < s->block_size)
			s->next = hdr + h->tp_next_offset;
		else
			s->left = 0;
		if (off + h->tp_mac + h->tp_snaplen > s->block_size ||
		    h->tp_mac < TPACKET3_HDRLEN)
			continue;
		/* lo shows each packet twice, sent then received: keep the received one
		 */
		const struct sockaddr_ll *sll =
		    (const struct sockaddr_ll *)(hdr + TPACKET_ALIGN(sizeof(*h)));
		if (s->g->loopback && sll->sll_pkttype == PACKET_OUTGOING)
			continue;
		setu_pkt_reset(p);
		p->data = hdr + h->tp_mac;
		p->len = h->tp_snaplen;
		p->wire_len = h->tp_len;
		p->ts.tv_sec = (time_t)h->tp_sec;
		p->ts.tv_usec = (suseconds_t)(h->tp_nsec / 1000);
		p->linktype = SETU_DLT_EN10MB;
		if (h->tp_status & TP_STATUS_VLAN_VALID)
			reinsert_vlan(hdr, h, p);
		s->csum_unverified = (h->tp_status & TP_STATUS_CSUMNOTREADY) != 0;
		s->npkts++;
		s->nbytes += p->len;
		atomic_store_explicit(&s->pkts_pub, s->npkts, memory_order_relaxed);
		atomic_store_explicit(&s->bytes_pub, s->nbytes, memory_order_relaxed);
		return 1;
	}
}

/* Kernel counters of one socket since the last read (the read resets them). */
static void sock_poll_drops(afp_sock_t *s)
{
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);
	memset(&st, 0, sizeof(st));
	if (getsockopt(s->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
		atomic_fetch_add_explicit(&s->kernel_drops, st.tp_drops,
		                          memory_order_relaxed);
}

static void sock_stats(const setu_capture_t *c, setu_capture_stats_t *st)
{
	afp_sock_t *s = (afp_sock_t *)(uintptr_t)c;
	memset(st, 0, sizeof(*st));
	sock_poll_drops(s);
	st->packets = atomic_load_explicit(&s->pkts_pub, memory_order_relaxed);
	st->bytes = atomic_load_explicit(&s->bytes_pub, memory_order_relaxed);
	st->kernel_drops = atomic_load_explicit(&s->kernel_drops, memory_order_relaxed);
}

static void sock_breakloop(setu_capture_t *c)
{
	atomic_store(&((afp_sock_t *)c)->g->stop, true);
}

static void sock_free(afp_sock_t *s)
{
	if (s == NULL)
		return;
	if (s->map != NULL && s->map != MAP_FAILED)
		munmap(s->map, s->map_len);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

/* Sockets are closed by their group. */
static void sock_close(setu_capture_t *c)
{
	(void)c;
}

static const setu_capture_ops_t afp_sock_ops = {
    .name = "af-packet",
    .next = sock_next,
    .stats = sock_stats,
    .breakloop = sock_breakloop,
    .close = sock_close,
};

static int sock_err(setu_diag_t *diag, const char *iface, const char *what)
{
	int err = errno;
	if (diag != NULL) {
		diag->file = iface;
		diag->line = 0;
	}
	return setu_diag_set(diag, err == EPERM ? SETU_EPERM : SETU_EIO, "%s: %s", what,
	                     strerror(err));
}

/* Compile the user's BPF filter for Ethernet frames (libpcap's compiler, no handle). */
static int compile_bpf(const setu_afp_config_t *c, struct bpf_program *prog,
                       setu_diag_t *diag)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	if (dead == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	int rc = 0;
	if (pcap_compile(dead, prog, c->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0)
		rc = setu_diag_set(diag, SETU_EINVAL, "bad BPF filter '%s': %s", c->bpf,
		                   pcap_geterr(dead));
	pcap_close(dead);
	return rc;
}

/* One socket: ring first, a drop-all filter, bind, join the group, then the real
 * filter. Bound but not yet in the group, a socket would receive a copy of every packet
 * (duplicates of what the group gets); the drop-all filter keeps those out. */
static afp_sock_t *sock_open(afp_group_t *g, const struct bpf_program *prog,
                             setu_diag_t *diag)
{
	const setu_afp_config_t *c = &g->cfg;
	afp_sock_t *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		return NULL;
	}
	s->base.ops = &afp_sock_ops;
	s->base.linktype = SETU_DLT_EN10MB;
	s->base.source = g->base.source;
	s->base.live = true;
	s->g = g;
	s->map = NULL;
	atomic_init(&s->pkts_pub, 0);
	atomic_init(&s->bytes_pub, 0);
	atomic_init(&s->kernel_drops, 0);
	s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* no packets until bind */
	if (s->fd < 0) {
		sock_err(diag, c->iface,
		         "cannot open an AF_PACKET socket (needs root or "
		         "CAP_NET_RAW)");
		goto fail;
	}
	int ver = TPACKET_V3;
	if (setsockopt(s->fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) != 0) {
		sock_err(diag, c->iface, "TPACKET_V3 not available");
		goto fail;
	}
	uint64_t bytes = (uint64_t)c->ring_size * SETU_AFP_FRAME_SIZE;
	uint64_t nblocks = (bytes + c->block_size - 1) / c->block_size;
	if (nblocks < 2)
		nblocks = 2; /* one being read, one being filled */
	s->block_size = c->block_size;
	s->block_nr = (uint32_t)nblocks;
	struct tpacket_req3 req;
	memset(&req, 0, sizeof(req));
	req.tp_block_size = s->block_size;
	req.tp_block_nr = s->block_nr;
	req.tp_frame_size = SETU_AFP_FRAME_SIZE;
	req.tp_frame_nr = (s->block_size / SETU_AFP_FRAME_SIZE) * s->block_nr;
	req.tp_retire_blk_tov = c->block_timeout;
	if (setsockopt(s->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) != 0) {
		sock_err(diag, c->iface,
		         "cannot set up the ring (af-packet.block-size, "
		         "ring-size)");
		goto fail;
	}
	s->map_len = (size_t)s->block_size * s->block_nr;
	s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		sock_err(diag, c->iface, "cannot map the ring");
		goto fail;
	}
	struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog dropprog = {1, &drop};
	if (setsockopt(s->fd, SOL_SOCKET, SO_ATTACH_FILTER, &dropprog,
	               sizeof(dropprog)) != 0) {
		sock_err(diag, c->iface, "cannot attach a filter");
		goto fail;
	}
	struct sockaddr_ll sll;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = g->ifindex;
	if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		sock_err(diag, c->iface, "cannot bind to the interface");
		goto fail;
	}
	if (c->promisc && !g->loopback) {
		struct packet_mreq mr;
		memset(&mr, 0, sizeof(mr));
		mr.mr_ifindex = g->ifindex;
		mr.mr_type = PACKET_MR_PROMISC;
		if (setsockopt(s->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
		               sizeof(mr)) != 0) {
			sock_err(diag, c->iface, "cannot set promiscuous mode");
			goto fail;
		}
	}
	uint32_t type = PACKET_FANOUT_HASH | (c->defrag ? PACKET_FANOUT_FLAG_DEFRAG : 0);
	uint32_t fanout = (uint32_t)c->cluster_id | (type << 16);
	if (setsockopt(s->fd, SOL_PACKET, PACKET_FANOUT, &fanout, sizeof(fanout)) != 0) {
		char what[160];
		snprintf(what, sizeof(what),
		         "cannot join fanout group %u (af-packet.cluster-id: in use on "
		         "another interface or with other settings?)",
		         (unsigned)c->cluster_id);
		sock_err(diag, c->iface, what);
		goto fail;
	}
	int frc;
	if (prog != NULL) {
		struct sock_fprog fp = {(unsigned short)prog->bf_len,
		                        (struct sock_filter *)prog->bf_insns};
		frc = setsockopt(s->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp));
	} else {
		int dummy = 0;
		frc = setsockopt(s->fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy,
		                 sizeof(dummy));
	}
	if (frc != 0) {
		sock_err(diag, c->iface, "cannot set the BPF filter");
		goto fail;
	}
	return s;
fail:
	sock_free(s);
	return NULL;
}

/* ---- the group ---- */

static int group_next(setu_capture_t *c, setu_pkt_t *p, setu_diag_t *diag)
{
	afp_group_t *g = (afp_group_t *)c;
	if (g->n != 1)
		return setu_diag_set(diag, SETU_EUNSUPPORTED,
		                     "an af-packet group of %u sockets is read by its "
		                     "workers",
		                     g->n);
	return sock_next(&g->s[0]->base, p, diag);
}

static void group_stats(const setu_capture_t *c, setu_capture_stats_t *st)
{
	const afp_group_t *g = (const afp_group_t *)c;
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < g->n; i++) {
		setu_capture_stats_t one;
		sock_stats(&g->s[i]->base, &one);
		st->packets += one.packets;
		st->bytes += one.bytes;
		st->kernel_drops += one.kernel_drops;
	}
}

static void group_breakloop(setu_capture_t *c)
{
	atomic_store(&((afp_group_t *)c)->stop, true);
}

static void group_close(setu_capture_t *c)
{
	afp_group_t *g = (afp_group_t *)c;
	for (unsigned i = 0; g->s != NULL && i < g->n; i++)
		sock_free(g->s[i]);
	free(g->s);
	free(g);
}

static const setu_capture_ops_t afp_group_ops = {
    .name = "af-packet",
    .next = group_next,
    .stats = group_stats,
    .breakloop = group_breakloop,
    .close = group_close,
};

/* Interface index, link type and MTU; only Ethernet framing is decoded (lo is Ethernet-
 * framed with ARPHRD_LOOPBACK). */
static int iface_info(afp_group_t *g, setu_diag_t *diag)
{
	const char *name = g->cfg.iface;
	if (diag != NULL) {
		diag->file = name;
		diag->line = 0;
	}
	if (name[0] == '\0' || strlen(name) >= IFNAMSIZ)
		return setu_diag_set(diag, SETU_EINVAL, "bad interface name");
	g->ifindex = (int)if_nametoindex(name);
	if (g->ifindex == 0)
		return setu_diag_set(diag, SETU_ENOENT, "no such interface");
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return setu_diag_set(diag, SETU_EIO, "socket: %s", strerror(errno));
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%.*s", IFNAMSIZ - 1, name);
	int rc = 0;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		rc = setu_diag_set(diag, SETU_EIO, "cannot read the link type: %s",
		                   strerror(errno));
	} else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER &&
	           ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK) {
		rc = setu_diag_set(diag, SETU_EUNSUPPORTED,
		                   "link type ARPHRD %u is not Ethernet: capture it with "
		                   "-i (libpcap)",
		                   (unsigned)ifr.ifr_hwaddr.sa_family);
	} else {
		g->loopback = ifr.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%.*s", IFNAMSIZ - 1, name);
		/* the kernel cuts a packet to its block: refuse a block that cannot hold
		 * one whole frame of this link */
		uint32_t need = TPACKET_ALIGN(TPACKET3_HDRLEN + 16) +
		                (uint32_t)sizeof(struct tpacket_block_desc) + ETH_HLEN;
		if (ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0 &&
		    g->cfg.block_size < need + (uint32_t)ifr.ifr_mtu) {
			uint32_t fit = g->cfg.block_size > 0 ? g->cfg.block_size : 4096;
			while (fit < need + (uint32_t)ifr.ifr_mtu)
				fit <<= 1;
			rc = setu_diag_set(diag, SETU_ECONFIG,
			                   "af-packet.block-size %u cannot hold a frame "
			                   "of MTU %d (use %u or more)",
			                   g->cfg.block_size, ifr.ifr_mtu, fit);
		}
	}
	close(fd);
	return rc;
}

setu_capture_t *setu_capture_open_afp(const setu_afp_config_t *c, unsigned nsock,
                                      setu_diag_t *diag)
{
	if (nsock == 0 || nsock > 256) {
		setu_diag_set(diag, SETU_EINVAL, "af-packet: 1 to 256 sockets");
		return NULL;
	}
	afp_group_t *g = calloc(1, sizeof(*g));
	afp_sock_t **socks = calloc(nsock, sizeof(*socks));
	if (g == NULL || socks == NULL) {
		free(g);
		free(socks);
		setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		return NULL;
	}
	g->cfg = *c;
	g->base.ops = &afp_group_ops;
	g->base.linktype = SETU_DLT_EN10MB;
	g->base.source = g->cfg.iface;
	g->base.live = true;
	g->s = socks;
	atomic_init(&g->stop, false);
	struct bpf_program prog;
	bool have_prog = false;
	if (iface_info(g, diag) != 0)
		goto fail;
	if (c->bpf != NULL && c->bpf[0] != '\0') {
		if (compile_bpf(c, &prog, diag) != 0)
			goto fail;
		have_prog = true;
	}
	for (; g->n < nsock; g->n++) {
		g->s[g->n] = sock_open(g, have_prog ? &prog : NULL, diag);
		if (g->s[g->n] == NULL)
			goto fail;
	}
	if (have_prog)
		pcap_freecode(&prog);
	return &g->base;
fail:
	if (have_prog)
		pcap_freecode(&prog);
	group_close(&g->base);
	return NULL;
}

unsigned setu_capture_afp_count(const setu_capture_t *c)
{
	return c != NULL && c->ops == &afp_group_ops ? ((const afp_group_t *)c)->n : 0;
}

setu_capture_t *setu_capture_afp_socket(setu_capture_t *c, unsigned i)
{
	if (setu_capture_afp_count(c) <= i)
		return NULL;
	return &((afp_group_t *)c)->s[i]->base;
}

bool setu_capture_afp_csum_unverified(const setu_capture_t *s)
{
	if (setu_capture_afp_count(s) == 1) /* a group of one reads its socket itself */
		s = &((const afp_group_t *)s)->s[0]->base;
	return s != NULL && s->ops == &afp_sock_ops &&
	       ((const afp_sock_t *)s)->csum_unverified;
}
