/* main.c — the `setu` executable: dispatches to one subcommand per file (cmd_*.c). */
#include "commands.h"

#include <stdio.h>
#include <string.h>

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} command_t;

static const command_t commands[] = {
    {"demo", cmd_demo,
     "run the whole story on loopback: hub, sharing, sensor, sightings"},
    {"sensor", cmd_sensor, "analyse traffic from a capture file or an interface"},
    {"ctl", cmd_ctl, "control a running sensor (reload rules, counters)"},
    {"stix", cmd_stix, "check STIX 2.1 objects and patterns"},
    {"hub", cmd_hub, "run or administer a sharing hub (TAXII 2.1)"},
    {"gen", cmd_gen, "generate synthetic traffic captures"},
    {"version", cmd_version, "print the version"},
    {"rules", cmd_rules, "check Suricata rule files"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: setu COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'setu COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "setu: unknown command '%s' (try 'setu --help')\n", argv[1]);
	return 2;
}
