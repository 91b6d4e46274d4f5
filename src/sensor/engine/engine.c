/* engine.c — sensor configuration (Suricata-like setu.yaml keys) and the engine context.
 */
#include "engine-int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void setu_sensor_config_default(setu_sensor_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	setu_decode_config_default(&cfg->decode);
	setu_flow_config_default(&cfg->flow);
	setu_stream_config_default(&cfg->stream);
	setu_eve_opts_default(&cfg->eve);
	setu_applayer_eve_opts_default(&cfg->al_eve);
	cfg->csum = SETU_CSUM_AUTO;
	cfg->runmode = SETU_RUNMODE_SINGLE;
	snprintf(cfg->log_dir, sizeof(cfg->log_dir), ".");
}

/* Typed reads that leave the default when the key is absent. */
static int opt_bool(const setu_conf_t *c, const char *key, bool *out, setu_diag_t *d)
{
	int rc = setu_conf_get_bool(c, key, out, d);
	return rc == SETU_ENOENT ? 0 : rc;
}

static int opt_size(const setu_conf_t *c, const char *key, size_t *out, setu_diag_t *d)
{
	uint64_t v;
	int rc = setu_conf_get_size(c, key, &v, d);
	if (rc == SETU_ENOENT)
		return 0;
	if (rc == 0)
		*out = (size_t)v;
	return rc;
}

static int opt_u32(const setu_conf_t *c, const char *key, uint32_t *out, setu_diag_t *d)
{
	uint64_t v;
	int rc = setu_conf_get_u64(c, key, &v, d);
	if (rc == SETU_ENOENT)
		return 0;
	if (rc != 0)
		return rc;
	if (v > UINT32_MAX)
		return setu_diag_set(d, SETU_ECONFIG, "key '%s': value %llu too large",
		                     key, (unsigned long long)v);
	*out = (uint32_t)v;
	return 0;
}

static int opt_path(const setu_conf_t *c, const char *key, char *out, size_t size,
                    setu_diag_t *d)
{
	const char *v = setu_conf_get(c, key);
	if (v == NULL)
		return 0;
	if (strlen(v) >= size)
		return setu_diag_set(d, SETU_ECONFIG, "key '%s': path too long", key);
	snprintf(out, size, "%s", v);
	return 0;
}

/* A fingerprint setting: yes|no|auto (SETU_FP_*). */
static int opt_fp(const setu_conf_t *c, const char *key, int *out, setu_diag_t *d)
{
	const char *v = setu_conf_get(c, key);
	bool b;
	if (v == NULL)
		return 0;
	if (strcmp(v, "auto") == 0)
		*out = SETU_FP_AUTO;
	else if (setu_parse_bool(v, &b) == 0)
		*out = b ? SETU_FP_YES : SETU_FP_NO;
	else
		return setu_diag_set(
		    d, SETU_ECONFIG,
		    "key '%s': bad value '%s' (expected yes, no or auto)", key, v);
	return 0;
}

void setu_sensor_applayer_eve_opts(const setu_sensor_config_t *cfg, unsigned fingerprints,
                                   setu_applayer_eve_opts_t *out)
{
	*out = cfg->al_eve;
	out->tls_ja3 = cfg->tls_ja3_fp == SETU_FP_YES ||
	               (cfg->tls_ja3_fp == SETU_FP_AUTO &&
	                (fingerprints & SETU_DETECT_USES_JA3) != 0);
	out->tls_ja4 =
	    cfg->tls_ja4_fp == SETU_FP_YES ||
	    (cfg->tls_ja4_fp == SETU_FP_AUTO &&
	     (cfg->al_eve.tls_ja4 || (fingerprints & SETU_DETECT_USES_JA4) != 0));
}

#define TRY(x)                       \
	do {                         \
		if ((rc = (x)) != 0) \
			return rc;   \
	} while (0)

/* dns/http/tls record options (outputs.eve-log.types.<proto>.* and
 * app-layer.protocols.tls.*). A configuration that lists the types gets Suricata's
 * per-type defaults for what it does not say (extended: no). */
static int applayer_eve_from_conf(setu_sensor_config_t *cfg, const setu_conf_t *c,
                                  setu_diag_t *d)
{
	setu_applayer_eve_opts_t *o = &cfg->al_eve;
	int rc;
	o->dns_version = cfg->eve.dns_version;
	if (setu_conf_lookup(c, "outputs.eve-log.types") != NULL) {
		o->http_extended = false;
		o->tls_extended = false;
	}
	TRY(opt_bool(c, "outputs.eve-log.types.http.extended", &o->http_extended, d));
	TRY(opt_bool(c, "outputs.eve-log.types.tls.extended", &o->tls_extended, d));
	TRY(opt_bool(c, "outputs.eve-log.types.tls.session-resumption",
	             &o->tls_session_resumption, d));
	TRY(opt_bool(c, "outputs.eve-log.types.tls.ja4", &o->tls_ja4, d));
	TRY(opt_bool(c, "outputs.eve-log.types.dns.requests", &o->dns_requests, d));
	TRY(opt_bool(c, "outputs.eve-log.types.dns.responses", &o->dns_responses, d));
	const setu_conf_node_t *fm =
	    setu_conf_lookup(c, "outputs.eve-log.types.dns.formats");
	if (fm != NULL && fm->is_seq) {
		o->dns_detailed = o->dns_grouped = false;
		for (size_t i = 0; i < fm->nchild; i++) {
			const char *v = fm->child[i]->value;
			if (v != NULL && strcmp(v, "detailed") == 0)
				o->dns_detailed = true;
			else if (v != NULL && strcmp(v, "grouped") == 0)
				o->dns_grouped = true;
		}
	}
	const char *dh = setu_conf_get(c, "outputs.eve-log.types.http.dump-all-headers");
	if (dh != NULL) {
		o->http_request_headers =
		    strcmp(dh, "both") == 0 || strcmp(dh, "request") == 0;
		o->http_response_headers =
		    strcmp(dh, "both") == 0 || strcmp(dh, "response") == 0;
	}
	const setu_conf_node_t *cu =
	    setu_conf_lookup(c, "outputs.eve-log.types.tls.custom");
	if (cu != NULL && cu->is_seq) {
		o->tls_custom = 0;
		for (size_t i = 0; i < cu->nchild; i++) {
			const char *v = cu->child[i]->value;
			uint32_t bit = v != NULL ? setu_tls_custom_field(v) : 0;
			if (bit == 0)
				return setu_diag_set(
				    d, SETU_ECONFIG,
				    "key 'outputs.eve-log.types.tls.custom': unknown "
				    "field '%s'",
				    v != NULL ? v : "(list)");
			o->tls_custom |= bit;
		}
	}
	/* JA3/JA4: yes, no or auto (resolved against the rules, see
	 * setu_sensor_applayer_eve_opts) */
	TRY(opt_fp(c, "app-layer.protocols.tls.ja3-fingerprints", &cfg->tls_ja3_fp, d));
	TRY(opt_fp(c, "app-layer.protocols.tls.ja4-fingerprints", &cfg->tls_ja4_fp, d));
	return 0;
}
#undef TRY

int setu_sensor_config_apply(setu_sensor_config_t *cfg, const setu_conf_t *c,
                             setu_diag_t *d)
{
	int rc;
#define TRY(x)                       \
	do {                         \
		if ((rc = (x)) != 0) \
			return rc;   \
	} while (0)
	/* checksums: pcap-file.checksum-checks / pcap.checksum-checks: yes|no|auto */
	const char *ck = setu_conf_get(c, "pcap-file.checksum-checks");
	if (ck != NULL) {
		bool b;
		if (strcmp(ck, "auto") == 0)
			cfg->csum = SETU_CSUM_AUTO;
		else if (setu_parse_bool(ck, &b) == 0)
			cfg->csum = b ? SETU_CSUM_ALL : SETU_CSUM_NONE;
		else
			return setu_diag_set(
			    d, SETU_ECONFIG,
			    "key 'pcap-file.checksum-checks': bad value '%s' "
			    "(expected yes, no or auto)",
			    ck);
	}
	/* stream */
	TRY(opt_bool(c, "stream.midstream", &cfg->stream.midstream, d));
	cfg->flow.midstream = cfg->stream.midstream;
	TRY(opt_bool(c, "stream.async-oneside", &cfg->stream.async_oneside, d));
	TRY(opt_size(c, "stream.memcap", &cfg->stream.memcap, d));
	TRY(opt_size(c, "stream.reassembly.memcap", &cfg->stream.reassembly_memcap, d));
	size_t depth = cfg->stream.reassembly_depth;
	TRY(opt_size(c, "stream.reassembly.depth", &depth, d));
	if (depth > UINT32_MAX)
		return setu_diag_set(d, SETU_ECONFIG,
		                     "key 'stream.reassembly.depth': too large");
	cfg->stream.reassembly_depth = (uint32_t)depth;
	/* flow */
	TRY(opt_size(c, "flow.memcap", &cfg->flow.memcap, d));
	TRY(opt_u32(c, "flow.hash-size", &cfg->flow.hash_size, d));
	TRY(opt_u32(c, "flow.emergency-recovery", &cfg->flow.emergency_recovery, d));
	static const char *const protos[SETU_FLOW_PROTO_MAX] = {"default", "tcp", "udp",
	                                                        "icmp"};
	static const char *const slots[SETU_FLOW_TO_MAX] = {
	    "new",           "established",           "closed",
	    "emergency-new", "emergency-established", "emergency-closed"};
	char key[128];
	for (int p = 0; p < SETU_FLOW_PROTO_MAX; p++) {
		for (int s = 0; s < SETU_FLOW_TO_MAX; s++) {
			snprintf(key, sizeof(key), "flow-timeouts.%s.%s", protos[p],
			         slots[s]);
			TRY(opt_u32(c, key, &cfg->flow.timeouts[p][s], d));
		}
	}
	/* defrag */
	TRY(opt_size(c, "defrag.memcap", &cfg->decode.defrag_memcap, d));
	TRY(opt_u32(c, "defrag.timeout", &cfg->decode.defrag_timeout, d));
	TRY(opt_u32(c, "defrag.trackers", &cfg->decode.defrag_max_trackers, d));
	/* outputs */
	TRY(setu_eve_opts_from_conf(&cfg->eve, c, d));
	TRY(applayer_eve_from_conf(cfg, c, d));
	TRY(opt_path(c, "default-log-dir", cfg->log_dir, sizeof(cfg->log_dir), d));
	/* detection files */
	TRY(opt_path(c, "classification-file", cfg->classification_file,
	             sizeof(cfg->classification_file), d));
	TRY(opt_path(c, "reference-config-file", cfg->reference_file,
	             sizeof(cfg->reference_file), d));
	TRY(opt_path(c, "threshold-file", cfg->threshold_file,
	             sizeof(cfg->threshold_file), d));
	/* runmode */
	const char *rm = setu_conf_get(c, "runmode");
	if (rm != NULL) {
		if (strcmp(rm, "single") == 0)
			cfg->runmode = SETU_RUNMODE_SINGLE;
		else if (strcmp(rm, "workers") == 0 || strcmp(rm, "autofp") == 0)
			cfg->runmode = SETU_RUNMODE_WORKERS;
		else
			return setu_diag_set(
			    d, SETU_ECONFIG,
			    "key 'runmode': bad value '%s' (expected single or "
			    "workers)",
			    rm);
	}
	/* rule variables */
	static const char *const groups[2] = {"vars.address-groups", "vars.port-groups"};
	for (int g = 0; g < 2; g++) {
		const setu_conf_node_t *n = setu_conf_lookup(c, groups[g]);
		setu_detect_var_t *vars = g == 0 ? cfg->address_vars : cfg->port_vars;
		size_t *nvars = g == 0 ? &cfg->naddress_vars : &cfg->nport_vars;
		for (size_t i = 0; n != NULL && i < n->nchild; i++) {
			const setu_conf_node_t *v = n->child[i];
			if (v->value == NULL)
				continue;
			if (*nvars == SETU_MAX_RULE_VARS)
				return setu_diag_set(d, SETU_ECONFIG,
				                     "%s: more than %d variables",
				                     groups[g], SETU_MAX_RULE_VARS);
			vars[*nvars].name = v->name;
			vars[*nvars].value = v->value;
			(*nvars)++;
		}
	}
	uint32_t threads = cfg->threads;
	TRY(opt_u32(c, "threading.worker-threads", &threads, d));
	if (threads > 256)
		return setu_diag_set(d, SETU_ECONFIG,
		                     "key 'threading.worker-threads': at most 256");
	cfg->threads = threads;
#undef TRY
	return 0;
}

setu_engine_t *setu_engine_new(const setu_sensor_config_t *cfg, setu_diag_t *diag)
{
	setu_engine_t *e = calloc(1, sizeof(*e));
	if (e == NULL) {
		setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	if (e->cfg.csum == SETU_CSUM_NONE)
		e->cfg.decode.checksum_validate = false;
	else
		e->cfg.decode.checksum_validate = true;
	e->cfg.stream.checksum_validate = e->cfg.decode.checksum_validate;
	atomic_init(&e->stop, false);
	gettimeofday(&e->started, NULL);

	struct stat st;
	if (stat(e->cfg.log_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		if (diag != NULL) {
			diag->file = cfg->log_dir;
			diag->line = 0;
		}
		setu_diag_set(diag, SETU_EIO, "log directory does not exist");
		free(e);
		return NULL;
	}
	/* app-layer: Suricata's defaults; EVE record options from outputs.eve-log (those
	 * without rules: each rule set carries its own, see reload.c) */
	setu_applayer_config_default(&e->applayer);
	setu_sensor_applayer_eve_opts(&e->cfg, 0, &e->al_eve);

	pthread_mutex_init(&e->reload_lock, NULL);
	pthread_mutex_init(&e->workers_lock, NULL);
	atomic_init(&e->stats_gen, 0);
	atomic_init(&e->rules, NULL);
	atomic_init(&e->sightings, NULL);
	if (e->cfg.nrule_files > 0 || e->cfg.nioc_files > 0) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		setu_ruleset_t *rs = setu_ruleset_load(e, 1, diag);
		if (rs == NULL) {
			free(e);
			return NULL;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		atomic_store(&e->rules, rs);
		const setu_detect_stats_t *ds =
		    rs->de != NULL ? setu_detect_engine_stats(rs->de) : NULL;
		/* no worker runs yet: the options of the first set hold until the
		 * first reload (workers read the per-set ones after it) */
		setu_sensor_applayer_eve_opts(&e->cfg, ds != NULL ? ds->fingerprints : 0,
		                              &e->al_eve);
		if (rs->iocs != NULL)
			fprintf(stderr,
			        "setu sensor: %u indicators loaded from %zu files\n",
			        setu_iocset_indicator_count(rs->iocs), e->cfg.nioc_files);
		if (ds != NULL)
			fprintf(stderr,
			        "setu sensor: %zu rules loaded (%zu wait for app-layer "
			        "keywords), %zu "
			        "skipped, %zu failed, from %zu files in %.3f s\n",
			        ds->loaded, ds->applayer_pending, ds->skipped, ds->failed,
			        e->cfg.nrule_files,
			        (double)(t1.tv_sec - t0.tv_sec) +
			            (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	}

	if (e->cfg.eve.enabled) {
		char path[PATH_MAX + 256];
		if (e->cfg.eve.filename[0] == '/')
			snprintf(path, sizeof(path), "%s", e->cfg.eve.filename);
		else
			snprintf(path, sizeof(path), "%s/%s", e->cfg.log_dir,
			         e->cfg.eve.filename);
		e->eve = setu_eve_sink_open(path, diag);
		if (e->eve == NULL) {
			setu_ruleset_free(atomic_load(&e->rules));
			free(e);
			return NULL;
		}
	}
	return e;
}

void setu_engine_free(setu_engine_t *e)
{
	if (e == NULL)
		return;
	setu_eve_sink_close(e->eve);
	setu_ruleset_free(atomic_load(&e->rules));
	while (e->retired != NULL) {
		setu_ruleset_t *rs = e->retired;
		e->retired = rs->next_retired;
		setu_ruleset_free(rs);
	}
	pthread_mutex_destroy(&e->reload_lock);
	pthread_mutex_destroy(&e->workers_lock);
	free(e);
}

void setu_engine_stop(setu_engine_t *e)
{
	atomic_store(&e->stop, true);
	setu_capture_t *cap = atomic_load(&e->running);
	if (cap != NULL)
		setu_capture_breakloop(cap);
}
