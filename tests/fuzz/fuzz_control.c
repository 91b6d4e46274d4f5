/* fuzz_control.c — libFuzzer target for the request line of the sensor's control socket
 * (`setu ctl`): a JSON object {"command": "..."} or a bare word. */
#include "sensor/engine/control.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char cmd[64];
	setu_control_parse((const char *)data, size, cmd);
	/* always a terminated string within the buffer */
	if (memchr(cmd, '\0', sizeof(cmd)) == NULL)
		__builtin_trap();
	return 0;
}
