/* detect-tx.h — detection-engine internals for app-layer transactions (detect-tx.c):
 * buffer fetch, transforms and tx-level keyword checks. */
#ifndef SETU_DETECT_TX_H
#define SETU_DETECT_TX_H

#include "common/buf.h"
#include "detect-int.h"

#include <time.h>

/* Buffer db (entry idx of a multi-buffer) of tx for direction dir (0 request, 1
 * response); assembled buffers go to scratch. False when absent. */
bool detect_tx_buffer(int proto, const setu_altx_t *tx, int db, uint32_t idx, int dir,
                      setu_buf_t *scratch, const uint8_t **p, uint32_t *n);
/* dns.query, tls.certs, tls.subjectaltname: one buffer per entry, any may match */
bool detect_buffer_multi(int db);
/* Apply bl's transforms to the buffer (p, n) in place (results live in tmp); false on
 * memcap. */
bool detect_transform(const buflist_t *bl, const uint8_t **p, uint32_t *n,
                      setu_buf_t tmp[2]);
/* LIST_TXMATCH keywords of r on tx, side dir, at time now. */
bool detect_tx_match(const setu_rule_t *r, int proto, const setu_altx_t *tx, int dir,
                     time_t now);

#endif
