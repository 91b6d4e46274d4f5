/* control.h — the sensor's unix-socket control channel (`setu ctl`): one JSON line per
 * request and per answer, like Suricata's unix socket (commands reload, stats, version).
 */
#ifndef SETU_CONTROL_H
#define SETU_CONTROL_H

#include "sensor/engine/engine.h"

typedef struct setu_control setu_control_t;

/* Listen on path (an existing socket file is replaced) and serve in a thread of its own.
 */
setu_control_t *setu_control_start(setu_engine_t *e, const char *path, setu_diag_t *diag);
/* Stop serving, remove the socket file. */
void setu_control_stop(setu_control_t *c);

/* The command word of one request line (up to its newline, at most len bytes): a JSON
 * object {"command": "..."} or a bare word; "" when there is none. */
void setu_control_parse(const char *req, size_t len, char cmd[64]);

/* Client side: send one command, get the answer line (without newline) into out. */
int setu_control_request(const char *path, const char *command, char *out, size_t outlen,
                         setu_diag_t *diag);

#endif
