/* cmd_version.c — `setu version`. */
#include "commands.h"

#include <stdio.h>

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("setu %s\n", SETU_VERSION);
	return 0;
}
