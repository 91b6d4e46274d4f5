/* capture-afp.h — live capture with Linux AF_PACKET: one TPACKET_V3 mmap'd block ring per
 * worker, all sockets in one PACKET_FANOUT group (packet(7), Documentation/networking/
 * packet_mmap.rst), configured by Suricata's `af-packet:` keys. */
#ifndef SETU_CAPTURE_AFP_H
#define SETU_CAPTURE_AFP_H

#include "common/conf.h"
#include "sensor/capture/capture.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct setu_afp_config {
	char iface[64];         /* interface name */
	unsigned threads;       /* sockets (= workers); 0 = not set here */
	uint16_t cluster_id;    /* fanout group id (af-packet.cluster-id) */
	bool defrag;            /* PACKET_FANOUT_FLAG_DEFRAG (af-packet.defrag) */
	bool promisc;           /* promiscuous mode (af-packet.promisc; default yes) */
	uint32_t block_size;    /* bytes per ring block (af-packet.block-size) */
	uint32_t ring_size;     /* packets per socket at SETU_AFP_FRAME_SIZE each */
	uint32_t block_timeout; /* ms before the kernel hands over a part-filled block */
	const char *bpf;        /* borrowed; NULL = no filter (af-packet.bpf-filter) */
} setu_afp_config_t;

void setu_afp_config_default(setu_afp_config_t *c, const char *iface);
/* Read the `af-packet:` section: either Suricata's list of per-interface items (the item
 * whose `interface` is iface, else the one named `default`) or a single mapping. A bad
 * value is a one-line error naming the file, line and key. */
int setu_afp_config_from_conf(setu_afp_config_t *c, const setu_conf_t *conf,
                              setu_diag_t *diag);

/* Open nsock sockets on c->iface joined in one fanout group; every socket is ready to
 * read when this returns. NULL + diag on error. The capture returned is the group: its
 * stats sum every socket (kernel drops included); it reads packets itself only when
 * nsock is 1. c->bpf must outlive the capture. */
setu_capture_t *setu_capture_open_afp(const setu_afp_config_t *c, unsigned nsock,
                                      setu_diag_t *diag);
/* Sockets of an AF_PACKET capture; 0 for any other kind of capture. */
unsigned setu_capture_afp_count(const setu_capture_t *c);
/* Socket i of the group as a capture of its own (owned by the group; read it from one
 * thread only). A packet's bytes stay valid until the next call on that socket. */
setu_capture_t *setu_capture_afp_socket(setu_capture_t *c, unsigned i);
/* Whether the packet last returned by socket s left its TCP/UDP checksum to the NIC
 * (TP_STATUS_CSUMNOTREADY: sent by this host with checksum offload), so a "bad"
 * checksum on it means nothing. */
bool setu_capture_afp_csum_unverified(const setu_capture_t *s);

#endif
