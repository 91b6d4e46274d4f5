/* tlp.h — the hub's view of TLP 1.0/2.0 marking-definitions (STIX 2.1 §7.2.1.4, FIRST TLP
 * 2.0); the code lives in src/intel (shared with the sensor), see intel/tlp.h. */
#ifndef SETU_HUB_STIX_TLP_H
#define SETU_HUB_STIX_TLP_H

#include "intel/tlp.h"

#endif
