/* al_test.h — helpers shared by the app-layer unit tests: run a parser state over
 * chunks, render drained transactions to EVE text, read fields back with jansson. */
#ifndef SETU_AL_TEST_H
#define SETU_AL_TEST_H

#include "common/buf.h"
#include "sensor/applayer/applayer-int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Collects the EVE block of each drained tx as one JSON object per line. */
typedef struct al_out {
	setu_buf_t text;
	unsigned ntx;
	setu_applayer_eve_opts_t opts;
	uint32_t events; /* OR of tx events */
	bool only_loggable;
} al_out_t;

static inline void al_out_init(al_out_t *o)
{
	memset(o, 0, sizeof(*o));
	setu_buf_init(&o->text, 0);
	setu_applayer_eve_opts_default(&o->opts);
	o->opts.tls_ja3 = o->opts.tls_ja4 = true;
}

static inline void al_out_cb(void *user, setu_alproto_t proto, const setu_altx_t *tx)
{
	al_out_t *o = user;
	o->events |= tx->events;
	if (o->only_loggable && !setu_applayer_tx_loggable(proto, tx, &o->opts))
		return;
	setu_json_t j;
	setu_json_init(&j, &o->text);
	setu_json_open_object(&j, NULL);
	setu_json_u64(&j, "tx_id", tx->id);
	setu_json_u64(&j, "dir", tx->dir);
	setu_applayer_eve_tx(&j, proto, tx, &o->opts);
	setu_json_close_object(&j);
	setu_buf_putc(&o->text, '\n');
	o->ntx++;
}

/* The n-th line of o->text parsed as JSON (caller json_decref), or NULL. */
static inline json_t *al_out_line(const al_out_t *o, unsigned n)
{
	const char *p = o->text.data;
	if (p == NULL)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		p = strchr(p, '\n');
		if (p == NULL)
			return NULL;
		p++;
	}
	const char *e = strchr(p, '\n');
	if (e == NULL)
		return NULL;
	json_error_t err;
	return json_loadb(p, (size_t)(e - p), 0, &err);
}

/* A field by dotted path with [i] indices ("dns.answers[0].rdata"). */
static inline json_t *jpath(json_t *root, const char *path)
{
	char buf[256];
	strncpy(buf, path, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	json_t *cur = root;
	for (char *tok = strtok(buf, "."); tok != NULL && cur != NULL;
	     tok = strtok(NULL, ".")) {
		char *br = strchr(tok, '[');
		if (br != NULL)
			*br = '\0';
		if (*tok)
			cur = json_object_get(cur, tok);
		while (br != NULL && cur != NULL) {
			size_t idx = strtoul(br + 1, NULL, 10);
			cur = json_array_get(cur, idx);
			br = strchr(br + 1, '[');
		}
	}
	return cur;
}

static inline const char *jstr(json_t *root, const char *path)
{
	json_t *v = jpath(root, path);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static inline long long jint(json_t *root, const char *path)
{
	json_t *v = jpath(root, path);
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

static inline int jbool(json_t *root, const char *path)
{
	json_t *v = jpath(root, path);
	return json_is_boolean(v) ? json_is_true(v) : -1;
}

#endif
