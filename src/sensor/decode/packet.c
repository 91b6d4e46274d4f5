/* packet.c — reuse of a setu_pkt_t between frames (see packet.h). */
#include "sensor/decode/packet.h"

#include <string.h>

void setu_pkt_reset(setu_pkt_t *p)
{
	memset(p, 0, sizeof(*p));
}
