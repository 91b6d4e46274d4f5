/* fuzz_conf.c — libFuzzer target for the YAML configuration loader and the readers on
 * top of it: the sensor's setu.yaml (its af-packet: section too) and the hub's
 * hub.yaml. */
#include "common/conf.h"
#include "hub/hub.h"
#include "sensor/capture/capture-afp.h"
#include "sensor/engine/engine.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setu_conf_t *c = setu_conf_new();
	if (c == NULL)
		return 0;
	setu_diag_t d = {0};
	if (setu_conf_load_string(c, (const char *)data, size, "fuzz.yaml", &d) == 0) {
		setu_sensor_config_t *cfg = malloc(sizeof(*cfg));
		if (cfg != NULL) {
			setu_sensor_config_default(cfg);
			(void)setu_sensor_config_apply(cfg, c, &d);
			free(cfg);
		}
		(void)setu_conf_get(c, "outputs.eve-log.types.0");
		setu_hub_config_t hub;
		setu_hub_config_defaults(&hub);
		(void)setu_hub_config_apply(&hub, c, &d);
		setu_afp_config_t afp;
		setu_afp_config_default(&afp, "eth0");
		(void)setu_afp_config_from_conf(&afp, c, &d);
	}
	setu_conf_free(c);
	return 0;
}
