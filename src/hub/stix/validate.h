/* validate.h — the hub's view of STIX 2.1 object validation; the code lives in src/intel
 * (shared with the sensor), see intel/stix-validate.h. */
#ifndef SETU_HUB_STIX_VALIDATE_H
#define SETU_HUB_STIX_VALIDATE_H

#include "intel/pattern.h"
#include "intel/stix-validate.h"

#endif
