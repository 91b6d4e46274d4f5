/* cmd_sensor.c — `setu sensor`: offline (-r FILE) or live (-i IFACE) analysis with
 * Suricata-style options. */
#include "commands.h"

#include "common/conf.h"
#include "sensor/capture/capture-afp.h"
#include "sensor/capture/capture.h"
#include "sensor/engine/control.h"
#include "sensor/engine/engine.h"
#include "sensor/engine/hubsync.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void sensor_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: setu sensor (-r FILE | -i IFACE | --af-packet IFACE) [options]\n"
	    "\n"
	    "  -r FILE             read a pcap or pcapng file ('-' = stdin)\n"
	    "  -i IFACE            capture live from an interface (libpcap)\n"
	    "  --af-packet IFACE   capture live with AF_PACKET (Linux): one TPACKET_V3\n"
	    "                      ring per worker in a fanout group (af-packet: keys)\n"
	    "  --capture METHOD    with -i: pcap (default) or af-packet\n"
	    "  -l DIR              log directory (eve.json is written there; default .)\n"
	    "  -c FILE             configuration (YAML, Suricata-like keys)\n"
	    "  -S FILE             rule file (exclusive; may be repeated)\n"
	    "  -k all|none|auto    checksum validation (default auto)\n"
	    "  --set KEY=VALUE     override a configuration key (may be repeated)\n"
	    "  --runmode MODE      single | workers (default single)\n"
	    "  --threads N         worker threads for --runmode workers (default: "
	    "cores)\n"
	    "  -F FILTER           BPF filter for live capture\n"
	    "  --unix-socket PATH  serve `setu ctl` commands (reload, stats) on PATH\n"
	    "  --hub URL           pull shared rules and indicators from a hub's TAXII "
	    "API\n"
	    "                      root (with --hub-collection ID..., --hub-token T or\n"
	    "                      $SETU_HUB_TOKEN, --hub-interval S (60), --state-dir "
	    "DIR)\n"
	    "                      alerts of shared indicators and rules go back to the\n"
	    "                      hub as STIX sightings (--hub-identity = your org);\n"
	    "                      --hub-no-hint: poll only, do not wait on the hub's\n"
	    "                      push hint (GET /api/changes)\n"
	    "  --indicators FILE   shared indicators: STIX 2.1 JSON (bundle, TAXII "
	    "envelope)\n"
	    "                      or setu's text format (may be repeated; reloaded with "
	    "rules)\n"
	    "\n"
	    "Signals: SIGUSR2 reloads the rules without stopping capture; SIGINT and\n"
	    "SIGTERM stop it (every flow is logged before exit).\n"
	    "  -h, --help          this help\n");
}

/* SIGINT/SIGTERM/SIGUSR2 are blocked in every thread and taken by this one with
 * sigwait, so no handler (and no global for it to reach) is needed. */
static void *signal_thread(void *arg)
{
	setu_engine_t *e = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR2);
	for (;;) {
		int sig;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig != SIGUSR2) {
			setu_engine_stop(e);
			return NULL;
		}
		setu_diag_t d = {0};
		uint64_t gen, ok, failed;
		if (setu_engine_reload(e, &d) == 0) {
			setu_engine_reload_info(e, &gen, &ok, &failed);
			fprintf(stderr, "setu sensor: rules reloaded (generation %llu)\n",
			        (unsigned long long)gen);
		} else {
			char buf[512];
			setu_diag_format(&d, buf, sizeof(buf));
			fprintf(stderr,
			        "setu sensor: reload failed, old rules kept: %s\n", buf);
		}
	}
}

static int fail(const setu_diag_t *d)
{
	char buf[512];
	setu_diag_format(d, buf, sizeof(buf));
	fprintf(stderr, "setu sensor: %s\n", buf);
	return 1;
}

int cmd_sensor(int argc, char **argv)
{
	enum {
		OPT_SET = 256,
		OPT_RUNMODE,
		OPT_THREADS,
		OPT_UNIX_SOCKET,
		OPT_INDICATORS,
		OPT_HUB,
		OPT_HUB_TOKEN,
		OPT_HUB_COLLECTION,
		OPT_HUB_INTERVAL,
		OPT_STATE_DIR,
		OPT_HUB_IDENTITY,
		OPT_AF_PACKET,
		OPT_CAPTURE,
		OPT_HUB_NO_HINT
	};
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"set", required_argument, NULL, OPT_SET},
	    {"runmode", required_argument, NULL, OPT_RUNMODE},
	    {"threads", required_argument, NULL, OPT_THREADS},
	    {"unix-socket", required_argument, NULL, OPT_UNIX_SOCKET},
	    {"indicators", required_argument, NULL, OPT_INDICATORS},
	    {"hub", required_argument, NULL, OPT_HUB},
	    {"hub-token", required_argument, NULL, OPT_HUB_TOKEN},
	    {"hub-collection", required_argument, NULL, OPT_HUB_COLLECTION},
	    {"hub-interval", required_argument, NULL, OPT_HUB_INTERVAL},
	    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
	    {"hub-identity", required_argument, NULL, OPT_HUB_IDENTITY},
	    {"af-packet", required_argument, NULL, OPT_AF_PACKET},
	    {"capture", required_argument, NULL, OPT_CAPTURE},
	    {"hub-no-hint", no_argument, NULL, OPT_HUB_NO_HINT},
	    {NULL, 0, NULL, 0},
	};
	const char *rfile = NULL, *iface = NULL, *cfile = NULL, *logdir = NULL,
	           *bpf = NULL;
	const char *csum = NULL, *runmode = NULL, *threads = NULL, *sockpath = NULL;
	const char *afp_iface = NULL, *capture = NULL;
	setu_afp_config_t afp;
	const char *rules[SETU_MAX_RULE_FILES];
	size_t nrules = 0;
	const char *iocs[SETU_MAX_RULE_FILES];
	size_t niocs = 0;
	setu_hubsync_config_t hub = {.interval_s = 60};
	const char *statedir = NULL;
	setu_hubsync_t *hubsync = NULL;
	char hub_ioc[PATH_MAX], hub_rules[PATH_MAX];
	const char **sets = calloc((size_t)argc + 1, sizeof(*sets));
	size_t nsets = 0;
	int rc = 2;
	setu_conf_t *conf = NULL;
	setu_engine_t *e = NULL;
	setu_capture_t *cap = NULL;
	setu_control_t *ctl = NULL;
	setu_sensor_config_t *cfg = NULL;
	if (sets == NULL) {
		fprintf(stderr, "setu sensor: out of memory\n");
		return 1;
	}
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "hr:i:l:c:S:s:k:F:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			sensor_usage(stdout);
			rc = 0;
			goto out;
		case 'r':
			rfile = optarg;
			break;
		case 'i':
			iface = optarg;
			break;
		case 'l':
			logdir = optarg;
			break;
		case 'c':
			cfile = optarg;
			break;
		case 'S':
		case 's':
			if (nrules == SETU_MAX_RULE_FILES) {
				fprintf(stderr, "setu sensor: at most %d rule files\n",
				        SETU_MAX_RULE_FILES);
				goto out;
			}
			rules[nrules++] = optarg;
			break;
		case 'k':
			csum = optarg;
			break;
		case 'F':
			bpf = optarg;
			break;
		case OPT_SET:
			sets[nsets++] = optarg;
			break;
		case OPT_RUNMODE:
			runmode = optarg;
			break;
		case OPT_THREADS:
			threads = optarg;
			break;
		case OPT_UNIX_SOCKET:
			sockpath = optarg;
			break;
		case OPT_HUB:
			hub.url = optarg;
			break;
		case OPT_HUB_TOKEN:
			hub.token = optarg;
			break;
		case OPT_HUB_COLLECTION:
			if (hub.ncollections == SETU_HUBSYNC_MAX_COLLECTIONS) {
				fprintf(stderr,
				        "setu sensor: at most %d hub collections\n",
				        SETU_HUBSYNC_MAX_COLLECTIONS);
				goto out;
			}
			hub.collections[hub.ncollections++] = optarg;
			break;
		case OPT_HUB_INTERVAL: {
			char *end = NULL;
			unsigned long v = strtoul(optarg, &end, 10);
			hub.interval_s = end != optarg && *end == '\0' && v <= 86400 &&
			                         optarg[0] != '-'
			                     ? (unsigned)v
			                     : 0;
			if (hub.interval_s == 0) {
				fprintf(
				    stderr,
				    "setu sensor: --hub-interval: 1 to 86400 seconds\n");
				goto out;
			}
			break;
		}
		case OPT_HUB_IDENTITY:
			hub.identity = optarg;
			break;
		case OPT_HUB_NO_HINT:
			hub.no_push_hint = true;
			break;
		case OPT_STATE_DIR:
			statedir = optarg;
			break;
		case OPT_AF_PACKET:
			afp_iface = optarg;
			break;
		case OPT_CAPTURE:
			capture = optarg;
			break;
		case OPT_INDICATORS:
			if (niocs == SETU_MAX_RULE_FILES) {
				fprintf(stderr,
				        "setu sensor: at most %d indicator files\n",
				        SETU_MAX_RULE_FILES);
				goto out;
			}
			iocs[niocs++] = optarg;
			break;
		default:
			sensor_usage(stderr);
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "setu sensor: unexpected argument '%s'\n", argv[optind]);
		goto out;
	}
	if (capture != NULL) {
		if (iface == NULL ||
		    (strcmp(capture, "pcap") != 0 && strcmp(capture, "af-packet") != 0)) {
			fprintf(stderr, "setu sensor: --capture: pcap or af-packet, with "
			                "-i IFACE\n");
			goto out;
		}
		if (strcmp(capture, "af-packet") == 0 && afp_iface == NULL) {
			afp_iface = iface;
			iface = NULL;
		}
	}
	if ((rfile != NULL) + (iface != NULL) + (afp_iface != NULL) != 1) {
		fprintf(stderr, "setu sensor: give exactly one of -r FILE, -i IFACE or "
		                "--af-packet IFACE\n");
		goto out;
	}
	rc = 1;
	setu_diag_t diag = {0};
	conf = setu_conf_new();
	cfg = calloc(1, sizeof(*cfg));
	if (conf == NULL || cfg == NULL) {
		fprintf(stderr, "setu sensor: out of memory\n");
		goto out;
	}
	if (cfile != NULL && setu_conf_load_file(conf, cfile, &diag) != 0) {
		rc = fail(&diag);
		goto out;
	}
	for (size_t i = 0; i < nsets; i++) {
		if (setu_conf_set_arg(conf, sets[i], &diag) != 0) {
			rc = fail(&diag);
			goto out;
		}
	}
	if (runmode != NULL)
		setu_conf_set(conf, "runmode", runmode);
	if (threads != NULL)
		setu_conf_set(conf, "threading.worker-threads", threads);
	if (csum != NULL) {
		if (strcmp(csum, "none") != 0 && strcmp(csum, "all") != 0 &&
		    strcmp(csum, "auto") != 0) {
			fprintf(stderr,
			        "setu sensor: -k: expected all, none or auto, got '%s'\n",
			        csum);
			rc = 2;
			goto out;
		}
		setu_conf_set(conf, "pcap-file.checksum-checks",
		              strcmp(csum, "none") == 0  ? "no"
		              : strcmp(csum, "all") == 0 ? "yes"
		                                         : "auto");
	}
	setu_sensor_config_default(cfg);
	if (setu_sensor_config_apply(cfg, conf, &diag) != 0) {
		rc = fail(&diag);
		goto out;
	}
	if (afp_iface != NULL) { /* checked before rules are loaded */
		setu_afp_config_default(&afp, afp_iface);
		if (setu_afp_config_from_conf(&afp, conf, &diag) != 0) {
			rc = fail(&diag);
			goto out;
		}
		if (bpf != NULL)
			afp.bpf = bpf;
	}
	if (logdir != NULL) {
		if (strlen(logdir) >= sizeof(cfg->log_dir)) {
			fprintf(stderr, "setu sensor: -l: path too long\n");
			goto out;
		}
		snprintf(cfg->log_dir, sizeof(cfg->log_dir), "%s", logdir);
	}
	for (size_t i = 0; i < nrules; i++)
		cfg->rule_files[i] = rules[i];
	cfg->nrule_files = nrules;
	for (size_t i = 0; i < niocs; i++)
		cfg->ioc_files[i] = iocs[i];
	cfg->nioc_files = niocs;
	if (hub.url != NULL) {
		if (hub.ncollections == 0) {
			fprintf(
			    stderr,
			    "setu sensor: --hub needs at least one --hub-collection\n");
			rc = 2;
			goto out;
		}
		if (hub.token == NULL)
			hub.token = getenv("SETU_HUB_TOKEN"); /* keeps it out of `ps` */
		hub.state_dir = statedir != NULL ? statedir : cfg->log_dir;
		/* a capture file is read in a moment: the shared rules must be in force
		 * before its first packet */
		hub.first_pull_before_start = rfile != NULL;
		if (setu_hubsync_prepare(hub.state_dir, hub_ioc, hub_rules, &diag) != 0 ||
		    cfg->nrule_files == SETU_MAX_RULE_FILES ||
		    cfg->nioc_files == SETU_MAX_RULE_FILES) {
			rc = fail(&diag);
			goto out;
		}
		/* what was pulled takes part in every load and reload */
		cfg->rule_files[cfg->nrule_files++] = hub_rules;
		cfg->ioc_files[cfg->nioc_files++] = hub_ioc;
	}

	e = setu_engine_new(cfg, &diag);
	if (e == NULL) {
		rc = fail(&diag);
		goto out;
	}
	if (afp_iface != NULL) {
		/* workers: --threads, else af-packet's threads, else
		 * threading.worker-threads, else one per core */
		unsigned n = threads != NULL   ? cfg->threads
		             : afp.threads > 0 ? afp.threads
		                               : cfg->threads;
		if (n == 0) {
			long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
			n = ncpu > 0 ? (unsigned)ncpu : 1;
		}
		cap = setu_capture_open_afp(&afp, n, &diag);
	} else {
		cap = rfile != NULL
		          ? setu_capture_open_file(rfile, &diag)
		          : setu_capture_open_live(iface, bpf, 65535, true, &diag);
	}
	if (cap == NULL) {
		rc = fail(&diag);
		goto out;
	}
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR2);
	/* before any thread starts, so that every thread inherits the mask */
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (sockpath != NULL && (ctl = setu_control_start(e, sockpath, &diag)) == NULL) {
		rc = fail(&diag);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	if (hub.url != NULL && (hubsync = setu_hubsync_start(e, &hub, &diag)) == NULL) {
		rc = fail(&diag);
		goto out;
	}
	pthread_t sigtid;
	bool have_sigtid = pthread_create(&sigtid, NULL, signal_thread, e) == 0;
	int r = setu_engine_run(e, cap, &diag);
	if (have_sigtid) {
		/* wake the signal thread if it is still waiting; it stops on SIGTERM */
		pthread_kill(sigtid, SIGTERM);
		pthread_join(sigtid, NULL);
	}
	/* the mask stays: a stop signal that arrives from now on must not kill the
	 * process before it has closed its output */
	if (r != 0) {
		rc = fail(&diag);
		/* a capture that ends early (truncated file) still produced valid output
		 * for every packet before the damage; the message says where it stopped.
		 */
	} else {
		rc = 0;
	}
out:
	setu_hubsync_stop(hubsync);
	setu_control_stop(ctl);
	setu_capture_close(cap);
	setu_engine_free(e);
	setu_conf_free(conf);
	free(cfg);
	free(sets);
	return rc;
}
