/* counters.h — the one way a part reports its counters: a callback called once per
 * counter, with the dotted name Suricata uses in EVE stats ("decoder.pkts",
 * "defrag.ipv4.fragments"). */
#ifndef SETU_COUNTERS_H
#define SETU_COUNTERS_H

#include <stdint.h>

/* Called once per counter; `name` is borrowed for the duration of the call. */
typedef void (*setu_counter_cb)(void *user, const char *name, uint64_t value);

#endif
