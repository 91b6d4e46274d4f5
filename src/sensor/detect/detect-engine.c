/* detect-engine.c — loading rule files into a ready engine: parse and count every rule,
 * apply threshold.config, order rules (Suricata action order: pass, drop, reject, alert),
 * group them by protocol and compile one Hyperscan block-mode database per group over
 * the rules' fast patterns (Suricata's MPM prefilter, util-mpm-hs.c); the rules without
 * one are indexed by address or packet event (detect-ipidx.c). */
#include "detect-int.h"

#include <ctype.h>
#include <libgen.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct loader {
	setu_detect_engine_t *de;
	parse_ctx_t pc;
	setu_detect_report_cb report;
	void *user;
	/* (gid,sid) -> rule index for duplicate detection: open addressing */
	uint64_t *dup_keys;
	uint32_t *dup_vals;
	size_t dup_cap;
	uint32_t next_order;
	size_t cap_rules;
} loader_t;

static int count_kw(setu_detect_engine_t *de, const char *kw)
{
	for (size_t i = 0; i < de->nkw; i++)
		if (strcmp(de->kw[i].keyword, kw) == 0) {
			de->kw[i].count++;
			return 0;
		}
	if (de->nkw == de->capkw) {
		size_t nc = de->capkw ? de->capkw * 2 : 32;
		setu_detect_kwcount_t *nk = realloc(de->kw, nc * sizeof(*nk));
		if (nk == NULL)
			return SETU_ENOMEM;
		de->kw = nk;
		de->capkw = nc;
	}
	char *d = strdup(kw);
	if (d == NULL)
		return SETU_ENOMEM;
	de->kw[de->nkw].keyword = d;
	de->kw[de->nkw].count = 1;
	de->nkw++;
	return 0;
}

static void report(loader_t *ld, const setu_diag_t *d, bool skipped, const char *kw)
{
	if (ld->report == NULL)
		return;
	setu_detect_problem_t pb = {d, skipped, kw};
	ld->report(ld->user, &pb);
}

static uint64_t dup_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static int dup_grow(loader_t *ld)
{
	size_t nc = ld->dup_cap ? ld->dup_cap * 2 : 4096;
	uint64_t *nk = calloc(nc, sizeof(*nk));
	uint32_t *nv = calloc(nc, sizeof(*nv));
	if (nk == NULL || nv == NULL) {
		free(nk);
		free(nv);
		return SETU_ENOMEM;
	}
	for (size_t i = 0; i < ld->dup_cap; i++) {
		if (ld->dup_keys[i] == 0)
			continue;
		size_t h = dup_hash(ld->dup_keys[i]) & (nc - 1);
		while (nk[h] != 0)
			h = (h + 1) & (nc - 1);
		nk[h] = ld->dup_keys[i];
		nv[h] = ld->dup_vals[i];
	}
	free(ld->dup_keys);
	free(ld->dup_vals);
	ld->dup_keys = nk;
	ld->dup_vals = nv;
	ld->dup_cap = nc;
	return 0;
}

/* returns slot for key (existing or empty) */
static size_t dup_slot(loader_t *ld, uint64_t key)
{
	size_t h = dup_hash(key) & (ld->dup_cap - 1);
	while (ld->dup_keys[h] != 0 && ld->dup_keys[h] != key)
		h = (h + 1) & (ld->dup_cap - 1);
	return h;
}

/* Which TLS fingerprints (SETU_DETECT_USES_*) rule r reads. */
static unsigned rule_fingerprints(const setu_rule_t *r)
{
	unsigned f = 0;
	for (uint32_t i = 0; i < r->nbl; i++) {
		switch (r->bl[i].id) {
		case DB_JA3_HASH:
		case DB_JA3_STRING:
		case DB_JA3S_HASH:
		case DB_JA3S_STRING:
			f |= SETU_DETECT_USES_JA3;
			break;
		case DB_JA4_HASH:
			f |= SETU_DETECT_USES_JA4;
			break;
		default:
			break;
		}
	}
	return f;
}

static int add_rule(loader_t *ld, setu_rule_t *r, setu_diag_t *d)
{
	setu_detect_engine_t *de = ld->de;
	if (ld->dup_cap == 0 || (de->nrules + 1) * 2 > ld->dup_cap) {
		int rc = dup_grow(ld);
		if (rc != 0)
			return rc;
	}
	/* key never 0: sid >= 1 */
	uint64_t key = ((uint64_t)r->info.gid << 32) | r->info.sid;
	size_t slot = dup_slot(ld, key);
	if (ld->dup_keys[slot] == key) {
		setu_rule_t *old = de->rules[ld->dup_vals[slot]];
		de->stats.duplicate++;
		de->stats.failed++;
		d->column = 0;
		if (r->info.rev > old->info.rev) {
			setu_diag_set(
			    d, SETU_EEXIST,
			    "duplicate signature %u:%u: rev %u replaces rev %u (%s:%u)",
			    r->info.gid, r->info.sid, r->info.rev, old->info.rev,
			    old->info.file, old->info.line);
			report(ld, d, false, NULL);
			if (RF_PENDING(old))
				de->stats.applayer_pending--;
			if (RF_PENDING(r))
				de->stats.applayer_pending++;
			r->order = old->order;
			/* on ENOMEM the rule stays malloc-owned: still freed correctly */
			(void)setu_rule_to_arena(&de->arena, &r);
			de->rules[ld->dup_vals[slot]] = r;
			setu_rule_free(old);
		} else {
			setu_diag_set(
			    d, SETU_EEXIST,
			    "duplicate signature %u:%u (rev %u; kept rev %u from %s:%u)",
			    r->info.gid, r->info.sid, r->info.rev, old->info.rev,
			    old->info.file, old->info.line);
			report(ld, d, false, NULL);
			setu_rule_free(r);
		}
		return 0;
	}
	if (de->nrules == ld->cap_rules) {
		size_t nc = ld->cap_rules ? ld->cap_rules * 2 : 1024;
		setu_rule_t **nr = realloc(de->rules, nc * sizeof(*nr));
		if (nr == NULL) {
			setu_rule_free(r);
			return SETU_ENOMEM;
		}
		de->rules = nr;
		ld->cap_rules = nc;
	}
	/* accepted: into the arena (on ENOMEM it stays malloc-owned, still correct) */
	(void)setu_rule_to_arena(&de->arena, &r);
	r->order = ld->next_order++;
	ld->dup_keys[slot] = key;
	ld->dup_vals[slot] = de->nrules;
	de->rules[de->nrules++] = r;
	de->stats.loaded++;
	if (RF_PENDING(r))
		de->stats.applayer_pending++;
	return 0;
}

static int load_text(loader_t *ld, const char *fname, char *text, size_t len)
{
	setu_detect_engine_t *de = ld->de;
	size_t pos = 0;
	unsigned lineno = 0;
	char *joined = NULL;
	size_t jcap = 0;
	int rc = 0;
	while (pos < len) {
		unsigned start_line = lineno + 1;
		size_t jlen = 0;
		bool more = true;
		bool too_long = false;
		while (more && pos < len) {
			size_t e = pos;
			while (e < len && text[e] != '\n')
				e++;
			lineno++;
			size_t l = e - pos;
			while (l > 0 && (text[pos + l - 1] == '\r'))
				l--;
			more = l > 0 && text[pos + l - 1] == '\\';
			if (more)
				l--;
			if (jlen + l + 1 > SETU_DETECT_MAX_RULE_LEN) {
				too_long = true;
			} else {
				if (jlen + l + 1 > jcap) {
					size_t nc = jcap ? jcap * 2 : 4096;
					while (nc < jlen + l + 1)
						nc *= 2;
					char *nj = realloc(joined, nc);
					if (nj == NULL) {
						free(joined);
						return SETU_ENOMEM;
					}
					joined = nj;
					jcap = nc;
				}
				memcpy(joined + jlen, text + pos, l);
				jlen += l;
			}
			pos = e < len ? e + 1 : e;
		}
		if (joined == NULL) {
			jcap = 64;
			joined = malloc(jcap);
			if (joined == NULL)
				return SETU_ENOMEM;
		}
		joined[jlen] = '\0';
		size_t i = 0;
		while (i < jlen && isspace((unsigned char)joined[i]))
			i++;
		if (i == jlen || joined[i] == '#')
			continue;
		de->stats.rules_total++;
		setu_diag_t d = {0};
		d.file = fname;
		d.line = start_line;
		if (too_long) {
			d.column = 0;
			setu_diag_set(&d, SETU_ELIMIT, "rule longer than %u bytes",
			              SETU_DETECT_MAX_RULE_LEN);
			de->stats.failed++;
			report(ld, &d, false, NULL);
			continue;
		}
		ld->pc.diag = &d;
		setu_rule_t *r = NULL;
		int prc = setu_rule_parse(&ld->pc, joined + i, jlen - i, &r);
		if (d.column > 0)
			d.column += (unsigned)i;
		if (prc == SETU_ENOMEM) {
			rc = prc;
			break;
		}
		if (prc == SETU_EUNSUPPORTED) {
			de->stats.skipped++;
			if ((rc = count_kw(de, ld->pc.unsupported)) != 0)
				break;
			report(ld, &d, true, ld->pc.unsupported);
			continue;
		}
		if (prc != 0) {
			de->stats.failed++;
			report(ld, &d, false, NULL);
			continue;
		}
		r->info.file = fname;
		r->info.line = start_line;
		if ((rc = add_rule(ld, r, &d)) != 0)
			break;
	}
	free(joined);
	return rc;
}

/* ---- threshold.config application ---- */

static int apply_thc(setu_detect_engine_t *de)
{
	for (uint32_t i = 0; i < de->nrules; i++) {
		setu_rule_t *r = de->rules[i];
		for (size_t k = 0; k < de->nthc; k++) {
			const th_cfg_t *e = &de->thc[k];
			bool applies =
			    (e->sid == 0 && (e->gid == 0 || e->gid == r->info.gid)) ||
			    (e->sid == r->info.sid && e->gid == r->info.gid);
			if (!applies)
				continue;
			if (e->kind == THC_THRESHOLD) {
				/* a sid-specific entry replaces the rule's own threshold;
				 * a global (sid 0) one applies only to rules without
				 * their own */
				if (e->sid != 0 || r->th.type == TH_NONE)
					r->th = e->th;
			} else if (e->kind == THC_RATE) {
				r->rate = e;
			} else {
				const th_cfg_t **ns = realloc(
				    r->suppress, (r->nsuppress + 1) * sizeof(*ns));
				if (ns == NULL)
					return SETU_ENOMEM;
				ns[r->nsuppress++] = e;
				r->suppress = ns;
			}
		}
	}
	return 0;
}

/* ---- grouping and Hyperscan ---- */

static int action_rank(setu_action_t a)
{
	switch (a) {
	case SETU_ACTION_PASS:
		return 0;
	case SETU_ACTION_DROP:
		return 1;
	case SETU_ACTION_REJECT:
	case SETU_ACTION_REJECTSRC:
	case SETU_ACTION_REJECTDST:
	case SETU_ACTION_REJECTBOTH:
		return 2;
	default:
		return 3;
	}
}

static int cmp_rules(const void *a, const void *b)
{
	const setu_rule_t *x = *(setu_rule_t *const *)a, *y = *(setu_rule_t *const *)b;
	int ra = action_rank(x->info.action), rb = action_rank(y->info.action);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Suricata's default priority ports (detect.grouping: tcp/udp whitelist), plus the
 * mail/file/remote-shell ports that ET rules name most. */
static const uint16_t prio_ports[DETECT_NPRIO_PORTS] = {
    21, 22, 23, 25, 53, 80, 110, 139, 143, 443, 445, 1433, 3306, 3389, 8080};

int detect_prio_port_index(uint16_t port)
{
	for (int i = 0; i < DETECT_NPRIO_PORTS; i++)
		if (prio_ports[i] == port)
			return i;
	return -1;
}

#define PM_ANY (1u << 31)

/* Which groups of one direction a port set falls in. */
static uint32_t port_class(const ipset_t *s)
{
	if (s->any)
		return PM_ANY;
	uint32_t m = 0;
	for (uint32_t i = 0; i < s->n32; i++) {
		if (s->r32[2 * i + 1] - s->r32[2 * i] > 64)
			return PM_ANY;
		for (uint32_t v = s->r32[2 * i]; v <= s->r32[2 * i + 1]; v++) {
			int k = detect_prio_port_index((uint16_t)v);
			if (k < 0)
				return PM_ANY;
			m |= 1u << k;
		}
	}
	return m;
}

static void rule_portmask(setu_rule_t *r)
{
	uint32_t dirflags = 0;
	for (uint32_t i = 0; i < r->lists[LIST_MATCH].n; i++)
		if (r->lists[LIST_MATCH].v[i].type == SM_FLOW)
			dirflags =
			    r->lists[LIST_MATCH].v[i].u.u32 & (FL_TOSERVER | FL_TOCLIENT);
	for (int dir = 0; dir < 2; dir++) {
		uint32_t m;
		if ((dir == 0 && (dirflags & FL_TOCLIENT)) ||
		    (dir == 1 && (dirflags & FL_TOSERVER))) {
			m = 0;
		} else {
			/* the server's port: dp for data to the server, sp for data to
			 * the client */
			const ipset_t *srv = dir == 0 ? &r->dp : &r->sp;
			const ipset_t *cli = dir == 0 ? &r->sp : &r->dp;
			m = port_class(srv);
			if (r->flags & RF_BIDIR)
				m |= port_class(cli);
			if (m & PM_ANY)
				m = PM_ANY;
		}
		r->portmask[0][dir] = r->portmask[1][dir] = m;
	}
}

/* A port group with few rules costs a Hyperscan database for little gain: its rules
 * move to the any-port group of their direction. */
static void merge_small_port_groups(setu_detect_engine_t *de)
{
	for (int proto = 0; proto < 2; proto++)
		for (int dir = 0; dir < 2; dir++) {
			uint32_t cnt[DETECT_NPRIO_PORTS] = {0};
			uint8_t want = proto == 0 ? RP_TCP : RP_UDP;
			for (uint32_t i = 0; i < de->nrules; i++) {
				const setu_rule_t *r = de->rules[i];
				if (r->rproto != want && r->rproto != RP_IP)
					continue;
				uint32_t m = r->portmask[proto][dir];
				for (int k = 0; k < DETECT_NPRIO_PORTS && !(m & PM_ANY);
				     k++)
					if (m & (1u << k))
						cnt[k]++;
			}
			uint32_t small = 0;
			for (int k = 0; k < DETECT_NPRIO_PORTS; k++)
				if (cnt[k] < SETU_DETECT_PORT_GROUP_MIN_RULES)
					small |= 1u << k;
			for (uint32_t i = 0; i < de->nrules; i++) {
				uint32_t *m = &de->rules[i]->portmask[proto][dir];
				if (*m & small)
					*m = PM_ANY;
			}
		}
}

static bool rule_in_group(const setu_rule_t *r, int g)
{
	/* tx rules go to setu_detect_tx; app-layer header rules without buffers are
	 * packet/stream rules restricted to flows of their protocol */
	if ((r->flags & (RF_TX | RF_PKTHDR)) || RF_PENDING(r))
		return false;
	if (g < G_ICMP4) {
		bool tcp = g < G_UDP;
		if (!(r->rproto == RP_IP || (tcp && r->rproto == RP_TCP) ||
		      (!tcp && r->rproto == RP_UDP)))
			return false;
		int k = (g - (tcp ? G_TCP : G_UDP)) % DETECT_PORTS_PER_DIR;
		int dir = (g - (tcp ? G_TCP : G_UDP)) / DETECT_PORTS_PER_DIR;
		uint32_t m = r->portmask[tcp ? 0 : 1][dir];
		/* a port group: its port's rules and the any-port ones */
		return k == 0 ? (m & PM_ANY) != 0
		              : (m & PM_ANY) != 0 || (m & (1u << (k - 1))) != 0;
	}
	switch (r->rproto) {
	case RP_IP:
		return true;
	case RP_ICMP4:
		return g == G_ICMP4;
	case RP_ICMP6:
		return g == G_ICMP6;
	case RP_ICMP_ANY:
		return g == G_ICMP4 || g == G_ICMP6;
	case RP_SCTP:
	case RP_IGMP:
		return g == G_OTHER;
	default:
		return false;
	}
}

/* A one-byte fast pattern occurs in most payloads and slows the Hyperscan scan of every
 * packet and stream chunk (measured on ET Open: the scans take ~25% longer with the
 * few rules that have one); those rules are found by address instead, as rules without
 * a fast pattern are, and verified in full. */
#define DETECT_MIN_PREFILTER_LEN 2u

static bool is_port_group(int g)
{
	return g < G_ICMP4 && g % DETECT_PORTS_PER_DIR != 0;
}

/* r is in port group g for its port, not as an any-port rule */
static bool port_specific(const setu_rule_t *r, int g)
{
	if (!is_port_group(g))
		return false;
	bool tcp = g < G_UDP;
	int k = (g - (tcp ? G_TCP : G_UDP)) % DETECT_PORTS_PER_DIR;
	int dir = (g - (tcp ? G_TCP : G_UDP)) / DETECT_PORTS_PER_DIR;
	uint32_t m = r->portmask[tcp ? 0 : 1][dir];
	return !(m & PM_ANY) && (m & (1u << (k - 1))) != 0;
}

typedef struct patent {
	const uint8_t *p;
	uint32_t len;
	bool nocase;
	uint32_t id;
} patent_t;

static uint64_t pat_hash(const uint8_t *p, uint32_t len, bool nocase)
{
	uint64_t h = 1469598103934665603ULL ^ (nocase ? 0x9e37u : 0);
	for (uint32_t i = 0; i < len; i++) {
		uint8_t c = nocase ? (uint8_t)tolower(p[i]) : p[i];
		h = (h ^ c) * 1099511628211ULL;
	}
	return h;
}

static bool pat_eq(const patent_t *e, const uint8_t *p, uint32_t len, bool nocase)
{
	if (e->len != len || e->nocase != nocase)
		return false;
	if (!nocase)
		return memcmp(e->p, p, len) == 0;
	for (uint32_t i = 0; i < len; i++)
		if (tolower(e->p[i]) != tolower(p[i]))
			return false;
	return true;
}

/* One Hyperscan compile, run on a worker thread at load (compiles are independent). */
typedef struct compile_job {
	hs_database_t **db; /* where the result goes */
	const uint8_t **pp; /* owned arrays of npat entries */
	size_t *plen;
	unsigned *pflags;
	unsigned *pids;
	uint32_t npat;
	char err[160]; /* compile error, "" if none */
} compile_job_t;

static void job_free(compile_job_t *job)
{
	free(job->pp);
	free(job->plen);
	free(job->pflags);
	free(job->pids);
}

static void job_run(compile_job_t *job)
{
	if (job->npat == 0)
		return;
	hs_compile_error_t *cerr = NULL;
	hs_error_t herr = hs_compile_lit_multi((const char *const *)job->pp, job->pflags,
	                                       job->pids, job->plen, job->npat,
	                                       HS_MODE_BLOCK, NULL, job->db, &cerr);
	if (herr != HS_SUCCESS) {
		snprintf(job->err, sizeof(job->err), "hyperscan: %s (pattern %d)",
		         cerr != NULL ? cerr->message : "compile failed",
		         cerr != NULL ? cerr->expression : -1);
		hs_free_compile_error(cerr);
		*job->db = NULL;
	}
}

typedef struct job_queue {
	compile_job_t *jobs;
	size_t n;
	size_t next; /* guarded by mu */
	pthread_mutex_t mu;
} job_queue_t;

static void *job_worker(void *arg)
{
	job_queue_t *q = arg;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		size_t i = q->next++;
		pthread_mutex_unlock(&q->mu);
		if (i >= q->n)
			return NULL;
		job_run(&q->jobs[i]);
	}
}

/* Compile every group's database, on `threads` threads (0: one per CPU), at most
 * SETU_DETECT_COMPILE_THREADS. */
static int compile_all(compile_job_t *jobs, size_t n, unsigned threads, setu_diag_t *diag)
{
	job_queue_t q = {jobs, n, 0, PTHREAD_MUTEX_INITIALIZER};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nt = threads > 0 ? threads : cpus > 1 ? (size_t)cpus : 1;
	if (nt > SETU_DETECT_COMPILE_THREADS)
		nt = SETU_DETECT_COMPILE_THREADS;
	pthread_t th[SETU_DETECT_COMPILE_THREADS];
	size_t started = 0;
	for (size_t i = 1; i < nt; i++)
		if (pthread_create(&th[started], NULL, job_worker, &q) == 0)
			started++;
	job_worker(&q); /* this thread works too; without extra threads it does all */
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&q.mu);
	for (size_t i = 0; i < n; i++)
		if (jobs[i].err[0] != '\0')
			return setu_diag_set(diag, SETU_EINVAL, "%s", jobs[i].err);
	return 0;
}

/* The group's rules without a fast pattern, indexed by address: those a packet can
 * match, and those reassembled stream data can match (payload keywords, stream). */
static int index_nonpf(setu_detect_engine_t *de, pgroup_t *pg)
{
	uint32_t *sel = malloc((pg->nnonpf ? pg->nnonpf : 1) * sizeof(*sel));
	if (sel == NULL)
		return SETU_ENOMEM;
	uint32_t n = 0;
	for (uint32_t i = 0; i < pg->nnonpf; i++)
		if (!(de->rules[pg->nonpf[i]]->flags & RF_STREAM_ONLY))
			sel[n++] = pg->nonpf[i];
	int rc = ipidx_build(&pg->pidx, de, sel, n);
	n = 0;
	for (uint32_t i = 0; i < pg->nnonpf; i++) {
		const setu_rule_t *r = de->rules[pg->nonpf[i]];
		if ((r->flags & RF_REQ_STREAM) && r->lists[LIST_PMATCH].n > 0)
			sel[n++] = pg->nonpf[i];
	}
	if (rc == 0)
		rc = ipidx_build(&pg->sidx, de, sel, n);
	free(sel);
	return rc;
}

/* cov[] value of a pattern some covered-packet rule uses without a bound */
#define COV_UNBOUNDED UINT32_MAX

/* Where a fast pattern must end in the payload when its content is anchored by literal
 * depth (and offset) or startswith, and that is within SETU_DETECT_HEAD_MAX bytes; else
 * COV_UNBOUNDED. (A chopped fast pattern lies inside its content: the same bound.) */
static uint32_t fp_head_bound(const sm_content_t *ct)
{
	if (ct->flags & (CT_DISTANCE | CT_WITHIN))
		return COV_UNBOUNDED;
	int64_t end;
	if (ct->flags & CT_DEPTH) {
		if (ct->depth.var >= 0 ||
		    ((ct->flags & CT_OFFSET) && ct->offset.var >= 0))
			return COV_UNBOUNDED;
		end = ((ct->flags & CT_OFFSET) ? ct->offset.v : 0) + ct->depth.v;
	} else if ((ct->flags & CT_STARTSWITH) && !(ct->flags & CT_OFFSET)) {
		end = ct->len;
	} else {
		return COV_UNBOUNDED;
	}
	return end > 0 && end <= (int64_t)SETU_DETECT_HEAD_MAX ? (uint32_t)end
	                                                       : COV_UNBOUNDED;
}

/* job = the patterns k with lo <= cov[k] <= hi (ids kept), compiled into *db; none: no
 * job. */
static int subset_job(compile_job_t *job, hs_database_t **db, const uint32_t *cov,
                      uint32_t npat, uint32_t lo, uint32_t hi, const uint8_t **pp,
                      const size_t *plen, const unsigned *pflags, const unsigned *pids)
{
	uint32_t n = 0;
	for (uint32_t k = 0; k < npat; k++)
		n += cov[k] >= lo && cov[k] <= hi;
	if (n == 0)
		return 0;
	job->pp = malloc(n * sizeof(*job->pp));
	job->plen = malloc(n * sizeof(*job->plen));
	job->pflags = malloc(n * sizeof(*job->pflags));
	job->pids = malloc(n * sizeof(*job->pids));
	if (job->pp == NULL || job->plen == NULL || job->pflags == NULL ||
	    job->pids == NULL)
		return SETU_ENOMEM;
	for (uint32_t k = 0; k < npat; k++)
		if (cov[k] >= lo && cov[k] <= hi) {
			job->pp[job->npat] = pp[k];
			job->plen[job->npat] = plen[k];
			job->pflags[job->npat] = pflags[k];
			job->pids[job->npat] = pids[k];
			job->npat++;
		}
	job->db = db;
	return 0;
}

static int build_group(setu_detect_engine_t *de, int g, compile_job_t *job,
                       compile_job_t *cjob, compile_job_t *hjob)
{
	pgroup_t *pg = &de->groups[g];
	uint32_t nr = 0, own = 0;
	for (uint32_t i = 0; i < de->nrules; i++)
		if (rule_in_group(de->rules[i], g)) {
			nr++;
			own += port_specific(de->rules[i], g);
		}
	if (nr == 0 || (is_port_group(g) && own == 0))
		return 0;
	pg->used = true;
	/* pattern table: hashed, deduplicated */
	size_t hcap = 16;
	while (hcap < (size_t)nr * 2)
		hcap *= 2;
	patent_t *ht = calloc(hcap, sizeof(*ht));
	uint32_t *rule_pat = malloc(nr * sizeof(*rule_pat));
	uint32_t *rule_ids = malloc(nr * sizeof(*rule_ids));
	const uint8_t **pp = malloc(nr * sizeof(*pp));
	size_t *plen = malloc(nr * sizeof(*plen));
	unsigned *pflags = malloc(nr * sizeof(*pflags));
	unsigned *pids = malloc(nr * sizeof(*pids));
	pg->nonpf = malloc(nr * sizeof(*pg->nonpf));
	/* per pattern: whether a rule inspected on covered TCP packets uses it: 0 no,
	 * else the bound of its end for all of them (COV_UNBOUNDED: none) */
	uint32_t *cov = calloc(nr, sizeof(*cov));
	int rc = 0;
	if (ht == NULL || rule_pat == NULL || rule_ids == NULL || pp == NULL ||
	    plen == NULL || pflags == NULL || pids == NULL || pg->nonpf == NULL ||
	    cov == NULL) {
		rc = SETU_ENOMEM;
		goto out;
	}
	uint32_t npf = 0, npat = 0;
	for (uint32_t i = 0; i < de->nrules; i++) {
		const setu_rule_t *r = de->rules[i];
		if (!rule_in_group(r, g))
			continue;
		const sm_content_t *ct =
		    r->fp_index >= 0 ? r->lists[LIST_PMATCH].v[r->fp_index].u.ct : NULL;
		const uint8_t *p = ct != NULL ? ct->pat : NULL;
		uint32_t len = ct != NULL ? ct->len : 0;
		if (ct != NULL && (ct->flags & CT_FP_CHOP)) {
			p += ct->fp_off;
			len = ct->fp_len;
		}
		if (len < DETECT_MIN_PREFILTER_LEN) {
			pg->nonpf[pg->nnonpf++] = i;
			continue;
		}
		bool nocase = (ct->flags & CT_NOCASE) != 0;
		size_t h = pat_hash(p, len, nocase) & (hcap - 1);
		while (ht[h].p != NULL && !pat_eq(&ht[h], p, len, nocase))
			h = (h + 1) & (hcap - 1);
		if (ht[h].p == NULL) {
			ht[h].p = p;
			ht[h].len = len;
			ht[h].nocase = nocase;
			ht[h].id = npat;
			pp[npat] = p;
			plen[npat] = len;
			pflags[npat] =
			    HS_FLAG_SINGLEMATCH | (nocase ? HS_FLAG_CASELESS : 0);
			pids[npat] = npat;
			npat++;
		}
		if (len > pg->maxpat)
			pg->maxpat = len;
		if (detect_rule_on_covered(r)) {
			uint32_t b = fp_head_bound(ct);
			if (b > cov[ht[h].id])
				cov[ht[h].id] = b;
		}
		rule_pat[npf] = ht[h].id;
		rule_ids[npf] = i;
		npf++;
	}
	if ((rc = index_nonpf(de, pg)) != 0)
		goto out;
	pg->npat = npat;
	pg->pat_off = calloc(npat + 1, sizeof(*pg->pat_off));
	pg->pat_rules = malloc((npf ? npf : 1) * sizeof(*pg->pat_rules));
	if (pg->pat_off == NULL || pg->pat_rules == NULL) {
		rc = SETU_ENOMEM;
		goto out;
	}
	for (uint32_t k = 0; k < npf; k++)
		pg->pat_off[rule_pat[k] + 1]++;
	for (uint32_t k = 0; k < npat; k++)
		pg->pat_off[k + 1] += pg->pat_off[k];
	{
		uint32_t *fill = calloc(npat + 1, sizeof(*fill));
		if (fill == NULL) {
			rc = SETU_ENOMEM;
			goto out;
		}
		for (uint32_t k = 0; k < npf; k++) {
			uint32_t pid = rule_pat[k];
			pg->pat_rules[pg->pat_off[pid] + fill[pid]++] = rule_ids[k];
		}
		free(fill);
	}
	uint32_t nunb = 0;
	for (uint32_t k = 0; k < npat; k++)
		nunb += cov[k] == COV_UNBOUNDED;
	/* outside TCP every packet scans db */
	pg->cdb_db = nunb == npat || g < G_TCP || g >= G_UDP;
	if (!pg->cdb_db) {
		/* the covered packets' databases: subsets, with the same ids */
		if ((rc = subset_job(cjob, &pg->cdb, cov, npat, COV_UNBOUNDED,
		                     COV_UNBOUNDED, pp, plen, pflags, pids)) != 0 ||
		    (rc = subset_job(hjob, &pg->hdb, cov, npat, 1, SETU_DETECT_HEAD_MAX,
		                     pp, plen, pflags, pids)) != 0)
			goto out;
		for (uint32_t k = 0; k < npat; k++)
			if (cov[k] != COV_UNBOUNDED && cov[k] > pg->head_len)
				pg->head_len = cov[k];
	}
	job->db = &pg->db;
	job->pp = pp;
	job->plen = plen;
	job->pflags = pflags;
	job->pids = pids;
	job->npat = npat;
	pp = NULL;
	plen = NULL;
	pflags = NULL;
	pids = NULL;
	de->stats.patterns += npat;
	de->stats.prefilter_rules += npf;
	de->stats.groups++;
out:
	free(cov);
	free(ht);
	free(rule_pat);
	free(rule_ids);
	free(pp);
	free(plen);
	free(pflags);
	free(pids);
	return rc;
}

/* r's prefilter pattern in its buffer (b: that buffer only, -1 any), NULL if none: the
 * bytes *p, *len that the untransformed buffer must hold, caseless when *nocase. Short
 * ones are kept: app-layer buffers are short and their scans cheap (a one-byte pattern
 * here saves more verification than it costs, measured on ET Open).
 * Transforms (kw-applayer.c lets only these through): the pattern P occurs in
 * to_lowercase(B) or to_uppercase(B) only if it occurs in B ignoring case; in k
 * dotprefixes of B ("." x k + B) only if P without its leading dots (up to k, less the
 * chopped fast pattern's offset) occurs in B. */
static const sm_content_t *tx_fp(const setu_rule_t *r, int b, const uint8_t **p,
                                 uint32_t *len, bool *nocase)
{
	if (r->tx_fp_bl < 0 || (b >= 0 && detect_scan_buffer(r->bl[r->tx_fp_bl].id) != b))
		return NULL;
	const buflist_t *bl = &r->bl[r->tx_fp_bl];
	const sm_content_t *ct = bl->l.v[bl->fp_index].u.ct;
	uint32_t off = 0;
	*p = ct->pat;
	*len = ct->len;
	if (ct->flags & CT_FP_CHOP) {
		off = ct->fp_off;
		*p = ct->pat + ct->fp_off;
		*len = ct->fp_len;
	}
	*nocase = (ct->flags & CT_NOCASE) != 0;
	uint32_t dots = 0;
	for (uint32_t t = 0; t < bl->ntf; t++) {
		if (bl->tf[t] == TF_DOTPREFIX)
			dots++;
		else
			*nocase = true; /* to_lowercase, to_uppercase */
	}
	uint32_t strip = 0;
	while (off + strip < dots && strip < *len && (*p)[strip] == '.')
		strip++;
	*p += strip;
	*len -= strip;
	return *len > 0 ? ct : NULL;
}

/* One Hyperscan database per (protocol, buffer) over the tx rules' fast patterns. */
/* Fill job (and tp) for the tx rules of protocol p whose pattern lives in buffer b. */
static int tx_prefilter_job(setu_detect_engine_t *de, int p, int b, uint32_t np,
                            compile_job_t *job)
{
	struct txpf *tp = &de->txpf[p][b];
	uint32_t n = de->ntxrules[p];
	tp->rule = malloc(np * sizeof(*tp->rule));
	job->pp = malloc(np * sizeof(*job->pp));
	job->plen = malloc(np * sizeof(*job->plen));
	job->pflags = malloc(np * sizeof(*job->pflags));
	job->pids = malloc(np * sizeof(*job->pids));
	if (tp->rule == NULL || job->pp == NULL || job->plen == NULL ||
	    job->pflags == NULL || job->pids == NULL)
		return SETU_ENOMEM;
	for (uint32_t k = 0; k < n; k++) {
		const setu_rule_t *r = de->rules[de->txrules[p][k]];
		const uint8_t *pat;
		uint32_t len;
		bool nocase;
		const sm_content_t *ct = tx_fp(r, b, &pat, &len, &nocase);
		if (ct == NULL)
			continue;
		uint32_t i = tp->npat++;
		job->pp[i] = pat;
		job->plen[i] = len;
		if (detect_buffers[r->bl[r->tx_fp_bl].id].dirs == 1 &&
		    detect_buffers[b].dirs != 1)
			tp->req_on_resp = true;
		job->pflags[i] = HS_FLAG_SINGLEMATCH | (nocase ? HS_FLAG_CASELESS : 0);
		job->pids[i] = i;
		tp->rule[i] = k;
	}
	job->npat = tp->npat;
	job->db = &tp->db;
	de->stats.prefilter_rules += tp->npat;
	de->stats.patterns += tp->npat;
	return 0;
}

/* The tx->events bits an app-layer rule of protocol p requires (its app-layer-event
 * keywords on p; one on another protocol never matches, and costs nothing to check). */
static uint32_t tx_rule_events(const setu_rule_t *r, int p)
{
	uint32_t m = 0;
	const sm_list_arr_t *l = &r->lists[LIST_TXMATCH];
	for (uint32_t i = 0; i < l->n; i++) {
		const sm_alnum_t *an = l->v[i].u.an;
		if (l->v[i].type == SM_APPEVENT && (int)an->mask == p && an->num.a < 32)
			m |= 1u << an->num.a;
	}
	return m;
}

/* One Hyperscan database per (protocol, buffer) over the tx rules' fast patterns,
 * compiled in parallel like the packet groups'. */
static int build_tx_prefilter(setu_detect_engine_t *de, setu_diag_t *diag)
{
	compile_job_t *jobs = calloc((size_t)SETU_ALPROTO_MAX * DB_COUNT, sizeof(*jobs));
	if (jobs == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	size_t nj = 0;
	int rc = 0;
	for (int p = 0; p < SETU_ALPROTO_MAX && rc == 0; p++) {
		uint32_t n = de->ntxrules[p];
		de->txnonpf[p] = malloc((n ? n : 1) * sizeof(*de->txnonpf[p]));
		de->txnonpf_ev[p] = malloc((n ? n : 1) * sizeof(*de->txnonpf_ev[p]));
		if (de->txnonpf[p] == NULL || de->txnonpf_ev[p] == NULL) {
			rc = SETU_ENOMEM;
			break;
		}
		for (uint32_t k = 0; k < n; k++) {
			const setu_rule_t *r = de->rules[de->txrules[p][k]];
			const uint8_t *pat;
			uint32_t len;
			bool nc;
			if (tx_fp(r, -1, &pat, &len, &nc) != NULL)
				continue;
			de->txnonpf_ev[p][de->ntxnonpf[p]] = tx_rule_events(r, p);
			de->txnonpf[p][de->ntxnonpf[p]++] = k;
		}
		for (int b = 0; b < DB_COUNT && rc == 0; b++) {
			uint32_t np = 0;
			for (uint32_t k = 0; k < n; k++) {
				const uint8_t *pat;
				uint32_t len;
				bool nc;
				np += tx_fp(de->rules[de->txrules[p][k]], b, &pat, &len,
				            &nc) != NULL;
			}
			if (np > 0)
				rc = tx_prefilter_job(de, p, b, np, &jobs[nj++]);
		}
	}
	if (rc != 0)
		setu_diag_set(diag, rc, "out of memory building the app-layer prefilter");
	else
		rc = compile_all(jobs, nj, de->compile_threads, diag);
	for (size_t i = 0; i < nj; i++)
		job_free(&jobs[i]);
	free(jobs);
	return rc;
}

static int cmp_kw(const void *a, const void *b)
{
	const setu_detect_kwcount_t *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->keyword, y->keyword);
}

static int finish(setu_detect_engine_t *de, setu_diag_t *diag)
{
	int rc = apply_thc(de);
	if (rc != 0)
		return setu_diag_set(diag, rc, "out of memory applying threshold.config");
	if (de->nrules > 1)
		qsort(de->rules, de->nrules, sizeof(*de->rules), cmp_rules);
	for (uint32_t i = 0; i < de->nrules; i++) {
		de->rules[i]->idx = i;
		rule_portmask(de->rules[i]);
	}
	merge_small_port_groups(de);
	/* [g]: db, [G_COUNT + g]: cdb, [2 * G_COUNT + g]: hdb */
	compile_job_t jobs[3 * G_COUNT];
	memset(jobs, 0, sizeof(jobs));
	for (int g = 0; g < G_COUNT && rc == 0; g++)
		rc = build_group(de, g, &jobs[g], &jobs[G_COUNT + g],
		                 &jobs[2 * G_COUNT + g]);
	if (rc != 0)
		setu_diag_set(diag, rc, "out of memory building rule groups");
	else
		rc = compile_all(jobs, 3 * G_COUNT, de->compile_threads, diag);
	for (int g = 0; g < 3 * G_COUNT; g++)
		job_free(&jobs[g]);
	if (rc != 0)
		return rc;
	de->pkthdr = malloc((de->nrules ? de->nrules : 1) * sizeof(*de->pkthdr));
	if (de->pkthdr == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	/* those that need an event are found by it (packets without events, nearly all,
	 * try none of them) */
	uint32_t *ev = malloc((de->nrules ? de->nrules : 1) * sizeof(*ev)), nev = 0;
	if (ev == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < de->nrules; i++) {
		const setu_rule_t *r = de->rules[i];
		if (!(r->flags & RF_PKTHDR) || (r->flags & (RF_APPLAYER | RF_TX)))
			continue;
		if (ipidx_rule_event(r) >= 0)
			ev[nev++] = i;
		else
			de->pkthdr[de->npkthdr++] = i;
	}
	rc = ipidx_build(&de->pkthdr_ev, de, ev, nev);
	free(ev);
	if (rc != 0)
		return setu_diag_set(diag, rc, "out of memory");
	for (int p = 0; p < SETU_ALPROTO_MAX; p++) {
		de->txrules[p] =
		    malloc((de->nrules ? de->nrules : 1) * sizeof(*de->txrules[p]));
		if (de->txrules[p] == NULL)
			return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < de->nrules; i++) {
		const setu_rule_t *r = de->rules[i];
		if ((r->flags & RF_TX) && r->alproto < SETU_ALPROTO_MAX)
			de->txrules[r->alproto][de->ntxrules[r->alproto]++] = i;
		de->stats.fingerprints |= rule_fingerprints(r);
		for (uint32_t k = 0; k < r->lists[LIST_MATCH].n; k++) {
			const sm_t *sm = &r->lists[LIST_MATCH].v[k];
			if (sm->type == SM_FLOW &&
			    (sm->u.u32 & (FL_ESTABLISHED | FL_NOT_ESTABLISHED)))
				de->flow_est_rules = true;
		}
	}
	if ((rc = build_tx_prefilter(de, diag)) != 0)
		return rc;
	if (de->nkw > 1)
		qsort(de->kw, de->nkw, sizeof(*de->kw), cmp_kw);
	de->stats.unsupported = de->kw;
	de->stats.nunsupported = de->nkw;
	de->ths = th_state_new();
	if (de->ths == NULL)
		return setu_diag_set(diag, SETU_ENOMEM, "out of memory");
#ifdef __GLIBC__
	/* the Hyperscan compiles freed tens of MB of temporaries, partly in the
	 * compile threads' malloc arenas: give them back to the system, or the
	 * process keeps them resident for its whole life */
	malloc_trim(0);
#endif
	return 0;
}

void setu_detect_engine_free(setu_detect_engine_t *de)
{
	if (de == NULL)
		return;
	for (uint32_t i = 0; i < de->nrules; i++)
		setu_rule_free(de->rules[i]);
	free(de->rules);
	for (int g = 0; g < G_COUNT; g++) {
		pgroup_t *pg = &de->groups[g];
		hs_free_database(pg->db);
		if (!pg->cdb_db) {
			hs_free_database(pg->cdb);
			hs_free_database(pg->hdb);
		}
		free(pg->pat_off);
		free(pg->pat_rules);
		free(pg->nonpf);
		ipidx_free(&pg->pidx);
		ipidx_free(&pg->sidx);
	}
	free(de->pkthdr);
	ipidx_free(&de->pkthdr_ev);
	for (int p = 0; p < SETU_ALPROTO_MAX; p++) {
		free(de->txrules[p]);
		free(de->txnonpf[p]);
		free(de->txnonpf_ev[p]);
		for (int b = 0; b < DB_COUNT; b++) {
			hs_free_database(de->txpf[p][b].db);
			free(de->txpf[p][b].rule);
		}
	}
	name_table_free(&de->flowbits);
	name_table_free(&de->flowints);
	detect_free_classes(de->classes, de->nclasses);
	detect_free_refs(de->refs, de->nrefs);
	detect_free_thcfg(de->thc, de->nthc);
	var_table_free(&de->addr_vars);
	var_table_free(&de->port_vars);
	for (size_t i = 0; i < de->nkw; i++)
		free((char *)de->kw[i].keyword);
	free(de->kw);
	for (size_t i = 0; i < de->nfiles; i++)
		free(de->files[i]);
	free(de->files);
	th_state_free(de->ths);
	detect_arena_free(&de->arena); /* after the rules: they live in it */
	free(de);
}

const setu_detect_stats_t *setu_detect_engine_stats(const setu_detect_engine_t *de)
{
	return &de->stats;
}

static char *beside(const char *file, const char *name)
{
	if (file == NULL)
		return NULL;
	char *dup = strdup(file);
	if (dup == NULL)
		return NULL;
	const char *dir = dirname(dup);
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	free(dup);
	if (p != NULL && access(p, R_OK) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

static setu_detect_engine_t *engine_begin(const setu_detect_config_t *cfg,
                                          const char *first, loader_t *ld,
                                          setu_detect_report_cb rep, void *user,
                                          setu_diag_t *diag)
{
	setu_detect_config_t empty = {0};
	if (cfg == NULL)
		cfg = &empty;
	setu_detect_engine_t *de = calloc(1, sizeof(*de));
	if (de == NULL) {
		setu_diag_set(diag, SETU_ENOMEM, "out of memory");
		return NULL;
	}
	memset(ld, 0, sizeof(*ld));
	ld->de = de;
	{
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		de->id = ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^
		         ((uint64_t)(uintptr_t)de << 16);
	}
	ld->report = rep;
	ld->user = user;
	de->compile_threads = cfg->compile_threads;
	int rc = var_table_defaults(&de->addr_vars, &de->port_vars);
	for (size_t i = 0; rc == 0 && i < cfg->naddress_vars; i++)
		rc = var_table_set(&de->addr_vars, cfg->address_vars[i].name,
		                   cfg->address_vars[i].value);
	for (size_t i = 0; rc == 0 && i < cfg->nport_vars; i++)
		rc = var_table_set(&de->port_vars, cfg->port_vars[i].name,
		                   cfg->port_vars[i].value);
	if (rc != 0) {
		setu_diag_set(diag, rc, "out of memory");
		goto fail;
	}
	ld->pc.addr_vars = &de->addr_vars;
	ld->pc.port_vars = &de->port_vars;
	ld->pc.flowbits = &de->flowbits;
	ld->pc.flowints = &de->flowints;
	/* check that configured vars parse (Suricata refuses a bad address group) */
	for (size_t i = 0; i < de->addr_vars.n + de->port_vars.n; i++) {
		bool port = i >= de->addr_vars.n;
		const var_entry_t *v =
		    port ? &de->port_vars.v[i - de->addr_vars.n] : &de->addr_vars.v[i];
		ipset_t s;
		setu_diag_t d = {0};
		ld->pc.diag = &d;
		rc = port ? ipset_parse_port(&ld->pc, v->value, &s)
		          : ipset_parse_addr(&ld->pc, v->value, &s);
		if (rc != 0) {
			setu_diag_set(diag, SETU_ECONFIG, "variable %s: %s", v->name,
			              d.msg);
			goto fail;
		}
		ipset_free(&s);
	}
	char *cls = cfg->classification_file != NULL
	                ? strdup(cfg->classification_file)
	                : beside(first, "classification.config");
	if (cls != NULL) {
		rc = detect_load_classification(cls, &de->classes, &de->nclasses, diag);
		if (rc != 0 && diag != NULL && diag->file == cls)
			diag->file = cfg->classification_file;
		free(cls);
		if (rc != 0)
			goto fail;
	}
	char *ref = cfg->reference_file != NULL ? strdup(cfg->reference_file)
	                                        : beside(first, "reference.config");
	if (ref != NULL) {
		rc = detect_load_reference(ref, &de->refs, &de->nrefs, diag);
		if (rc != 0 && diag != NULL && diag->file == ref)
			diag->file = cfg->reference_file;
		free(ref);
		if (rc != 0)
			goto fail;
	}
	ld->pc.classes = de->classes;
	ld->pc.nclasses = de->nclasses;
	ld->pc.refs = de->refs;
	ld->pc.nrefs = de->nrefs;
	if (cfg->threshold_file != NULL) {
		ld->pc.diag = diag;
		rc = detect_load_threshold(&ld->pc, cfg->threshold_file, &de->thc,
		                           &de->nthc);
		if (rc != 0)
			goto fail;
	}
	return de;
fail:
	setu_detect_engine_free(de);
	return NULL;
}

static setu_detect_engine_t *engine_end(loader_t *ld, int rc, setu_diag_t *diag)
{
	setu_detect_engine_t *de = ld->de;
	free(ld->dup_keys);
	free(ld->dup_vals);
	if (rc == 0)
		rc = finish(de, diag);
	else if (rc == SETU_ENOMEM)
		setu_diag_set(diag, rc, "out of memory loading rules");
	if (rc != 0) {
		setu_detect_engine_free(de);
		return NULL;
	}
	return de;
}

setu_detect_engine_t *setu_detect_engine_load(const setu_detect_config_t *cfg,
                                              const char *const *files, size_t nfiles,
                                              setu_detect_report_cb rep, void *user,
                                              setu_diag_t *diag)
{
	loader_t ld;
	setu_detect_engine_t *de =
	    engine_begin(cfg, nfiles > 0 ? files[0] : NULL, &ld, rep, user, diag);
	if (de == NULL)
		return NULL;
	int rc = 0;
	de->files = calloc(nfiles ? nfiles : 1, sizeof(*de->files));
	if (de->files == NULL)
		rc = SETU_ENOMEM;
	for (size_t i = 0; rc == 0 && i < nfiles; i++) {
		de->files[i] = strdup(files[i]);
		if (de->files[i] == NULL) {
			rc = SETU_ENOMEM;
			break;
		}
		de->nfiles++;
		char *text;
		size_t len;
		rc = detect_read_file(files[i], &text, &len, SETU_DETECT_MAX_FILE_BYTES);
		if (rc != 0) {
			if (diag != NULL) {
				diag->file = files[i];
				diag->line = 0;
				diag->column = 0;
			}
			rc = setu_diag_set(diag, SETU_EIO, "cannot read rule file: %s",
			                   rc == SETU_ELIMIT ? "file too large"
			                                     : setu_strerror(rc));
			break;
		}
		rc = load_text(&ld, de->files[i], text, len);
		free(text);
	}
	if (rc == SETU_EIO) {
		free(ld.dup_keys);
		free(ld.dup_vals);
		setu_detect_engine_free(de);
		return NULL;
	}
	return engine_end(&ld, rc, diag);
}

setu_detect_engine_t *setu_detect_engine_load_mem(const setu_detect_config_t *cfg,
                                                  const char *name, const char *text,
                                                  size_t len, setu_detect_report_cb rep,
                                                  void *user, setu_diag_t *diag)
{
	loader_t ld;
	setu_detect_engine_t *de = engine_begin(cfg, NULL, &ld, rep, user, diag);
	if (de == NULL)
		return NULL;
	int rc = 0;
	de->files = calloc(1, sizeof(*de->files));
	char *copy = malloc(len + 1);
	if (de->files == NULL || copy == NULL ||
	    (de->files[0] = strdup(name ? name : "<mem>")) == NULL)
		rc = SETU_ENOMEM;
	else
		de->nfiles = 1;
	if (rc == 0) {
		memcpy(copy, text, len);
		copy[len] = '\0';
		rc = load_text(&ld, de->files[0], copy, len);
	}
	free(copy);
	return engine_end(&ld, rc, diag);
}
