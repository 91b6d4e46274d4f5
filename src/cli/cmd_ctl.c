/* cmd_ctl.c — `setu ctl`: talk to a running sensor over its unix socket. */
#include "commands.h"

#include "sensor/engine/control.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void ctl_usage(FILE *out)
{
	fprintf(out, "usage: setu ctl -s SOCKET COMMAND\n"
	             "\n"
	             "commands:\n"
	             "  reload    reload rules without stopping capture (old rules kept "
	             "on error)\n"
	             "  stats     print the sensor's counters now (EVE stats JSON)\n"
	             "  version   print the sensor's version\n"
	             "  shutdown  stop the sensor (every flow is logged before exit)\n"
	             "\n"
	             "SOCKET is the path given to `setu sensor --unix-socket`.\n");
}

int cmd_ctl(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"socket", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	const char *sock = NULL;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "hs:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			ctl_usage(stdout);
			return 0;
		case 's':
			sock = optarg;
			break;
		default:
			ctl_usage(stderr);
			return 2;
		}
	}
	if (sock == NULL || optind != argc - 1) {
		fprintf(
		    stderr,
		    "setu ctl: give -s SOCKET and one command (try 'setu ctl --help')\n");
		return 2;
	}
	const char *cmd = argv[optind];
	static const char *const known[] = {"reload", "stats", "version", "shutdown"};
	bool ok = false;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok = ok || strcmp(cmd, known[i]) == 0;
	if (!ok) {
		fprintf(
		    stderr,
		    "setu ctl: unknown command '%s' (reload, stats, version, shutdown)\n",
		    cmd);
		return 2;
	}
	char answer[1 << 20];
	setu_diag_t d = {0};
	if (setu_control_request(sock, cmd, answer, sizeof(answer), &d) != 0) {
		char buf[512];
		setu_diag_format(&d, buf, sizeof(buf));
		fprintf(stderr, "setu ctl: %s\n", buf);
		return 1;
	}
	printf("%s\n", answer);
	return strstr(answer, "\"return\":\"OK\"") != NULL ? 0 : 1;
}
