/* pattern.c — STIX 2.1 Patterning parser (STIX 2.1 OS part 9; OASIS grammar
 * STIXPattern.g4).
 *
 * Written by hand: Debian packages no C library for STIX patterns (the OASIS reference is
 * a Python ANTLR validator), and an ANTLR C runtime is not packaged either. The grammar
 * is LL(1) once left recursion is turned into loops, so this is a recursive-descent
 * parser over a lazy lexer that follows the grammar's lexer rules (longest match,
 * keywords before identifiers). Same-operator chains become one n-ary node, so the tree
 * depth grows only with parentheses (bounded by SETU_STIX_PATTERN_MAX_DEPTH).
 *
 * Memory: every node, string and array lives in one arena freed by setu_pattern_free();
 * its size is O(pattern length), and the length is capped by SETU_STIX_PATTERN_MAX_LEN.
 */
#include "intel/pattern.h"

#include "common/limits.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- arena */

typedef struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[]; /* aligned storage */
} arena_chunk_t;

typedef struct arena {
	arena_chunk_t *head; /* owned list */
} arena_t;

static void *arena_alloc(arena_t *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	n = (n + align - 1) / align * align;
	if (n == 0)
		n = align;
	arena_chunk_t *c = a->head;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > 8192 ? n : 8192;
		c = malloc(sizeof(*c) + cap);
		if (c == NULL)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

static void arena_free(arena_t *a)
{
	arena_chunk_t *c = a->head;
	while (c != NULL) {
		arena_chunk_t *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

struct setu_pattern {
	arena_t arena;
	const setu_pat_node_t *root;
	size_t ncomparisons;
};

/* ---------------------------------------------------------------- tokens */

typedef enum tok_type {
	T_EOF = 0,
	T_AND,
	T_OR,
	T_NOT,
	T_FOLLOWEDBY,
	T_LIKE,
	T_MATCHES,
	T_ISSUPERSET,
	T_ISSUBSET,
	T_EXISTS,
	T_LAST,
	T_IN,
	T_START,
	T_STOP,
	T_SECONDS,
	T_WITHIN,
	T_REPEATS,
	T_TIMES,
	T_BOOL,
	T_IDENT,   /* IdentifierWithoutHyphen */
	T_IDENT_H, /* IdentifierWithHyphen */
	T_EQ,
	T_NEQ,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_COLON,
	T_DOT,
	T_COMMA,
	T_LPAREN,
	T_RPAREN,
	T_LBRACK,
	T_RBRACK,
	T_ASTERISK,
	T_INT_POS,
	T_INT_NEG,
	T_FLOAT_POS,
	T_FLOAT_NEG,
	T_STRING,
	T_HEX,
	T_BINARY,
	T_TIMESTAMP,
} tok_type_t;

typedef struct tok {
	tok_type_t type;
	size_t off, len; /* in the source */
	unsigned col;    /* 1-based byte column of off on its line */
} tok_t;

static const struct {
	const char *word;
	tok_type_t type;
} keywords[] = {
    {"AND", T_AND},
    {"OR", T_OR},
    {"NOT", T_NOT},
    {"FOLLOWEDBY", T_FOLLOWEDBY},
    {"LIKE", T_LIKE},
    {"MATCHES", T_MATCHES},
    {"ISSUPERSET", T_ISSUPERSET},
    {"ISSUBSET", T_ISSUBSET},
    {"EXISTS", T_EXISTS},
    {"LAST", T_LAST},
    {"IN", T_IN},
    {"START", T_START},
    {"STOP", T_STOP},
    {"SECONDS", T_SECONDS},
    {"true", T_BOOL},
    {"false", T_BOOL},
    {"WITHIN", T_WITHIN},
    {"REPEATS", T_REPEATS},
    {"TIMES", T_TIMES},
};

typedef struct parser {
	const char *src;
	size_t len;
	size_t pos; /* lexer position */
	unsigned flags;
	tok_t tok;         /* current (lookahead) token */
	size_t line_start; /* offset where the line of ps->pos begins */
	int depth;
	setu_pattern_t *pat;
	setu_diag_t *diag;
	int err; /* first error, latched */
} parser_t;

/* ---------------------------------------------------------------- errors */

/* Fill the diagnostic for byte offset off: line and byte column (1-based). */
static int perr_at(parser_t *ps, size_t off, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int perr_at(parser_t *ps, size_t off, int code, const char *fmt, ...)
{
	if (ps->err != 0)
		return ps->err;
	ps->err = code;
	if (ps->diag == NULL)
		return code;
	unsigned line = 1;
	size_t line_start = 0;
	for (size_t i = 0; i < off && i < ps->len; i++) {
		if (ps->src[i] == '\n') {
			line++;
			line_start = i + 1;
		}
	}
	ps->diag->line = line;
	ps->diag->column = (unsigned)(off - line_start + 1);
	ps->diag->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->diag->msg, sizeof(ps->diag->msg), fmt, ap);
	va_end(ap);
	return code;
}

/* A printable description of the current token for messages. */
static const char *tok_desc(const parser_t *ps, const tok_t *t, char *buf, size_t size)
{
	if (t->type == T_EOF)
		return "end of pattern";
	size_t n = t->len > 40 ? 40 : t->len;
	size_t o = 0;
	buf[o++] = '\'';
	for (size_t i = 0; i < n && o + 5 < size; i++) {
		unsigned char c = (unsigned char)ps->src[t->off + i];
		buf[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (n < t->len && o + 4 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

/* True when the current token is an identifier spelling a keyword in the wrong case. */
static bool tok_is_lowercase_keyword(const parser_t *ps)
{
	if (ps->tok.type != T_IDENT)
		return false;
	for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (keywords[k].type != T_BOOL &&
		    strlen(keywords[k].word) == ps->tok.len &&
		    strncasecmp(keywords[k].word, ps->src + ps->tok.off, ps->tok.len) ==
		        0)
			return true;
	return false;
}

static int expected(parser_t *ps, const char *what)
{
	char b[64];
	return perr_at(ps, ps->tok.off, SETU_EPARSE, "expected %s but found %s%s", what,
	               tok_desc(ps, &ps->tok, b, sizeof(b)),
	               tok_is_lowercase_keyword(ps) ? " (keywords are upper case)" : "");
}

/* ---------------------------------------------------------------- lexer */

static bool is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_b64(int c)
{
	return is_ident_char(c) && c != '_' ? true : (c == '+' || c == '/');
}

/* Length of the whitespace sequence at s[i] (the grammar's WS set, UTF-8), or 0. */
static size_t ws_len(const char *s, size_t len, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x0b || c == 0x0c)
		return 1;
	if (c == 0xc2 && i + 1 < len) {
		unsigned char d = (unsigned char)s[i + 1];
		return (d == 0x85 || d == 0xa0) ? 2 : 0;
	}
	if (i + 2 >= len)
		return 0;
	unsigned char d = (unsigned char)s[i + 1], e = (unsigned char)s[i + 2];
	if (c == 0xe1 && d == 0x9a && e == 0x80) /* U+1680 */
		return 3;
	if (c == 0xe2 && d == 0x80 && (e <= 0x8a || e == 0xa8 || e == 0xa9 || e == 0xaf))
		return 3; /* U+2000..200A, U+2028, U+2029, U+202F */
	if (c == 0xe2 && d == 0x81 && e == 0x9f) /* U+205F */
		return 3;
	if (c == 0xe3 && d == 0x80 && e == 0x80) /* U+3000 */
		return 3;
	return 0;
}

/* Length of a StringLiteral starting at the quote s[i], or 0 if it is not one; on 0,
 * *bad is the offset of the offending byte (bad escape, or len when unterminated). */
static size_t string_len(const char *s, size_t len, size_t i, size_t *bad)
{
	size_t j = i + 1;
	while (j < len) {
		if (s[j] == '\'')
			return j + 1 - i;
		if (s[j] == '\\') {
			if (j + 1 < len && (s[j + 1] == '\'' || s[j + 1] == '\\')) {
				j += 2;
				continue;
			}
			*bad = j;
			return 0;
		}
		j++;
	}
	*bad = len;
	return 0;
}

/* TimestampLiteral body check (between the quotes) per the grammar. */
static bool ts_shape_ok(const char *b, size_t n)
{
	/* YYYY-MM-DDTHH:MM:SS[.f+]Z */
	if (n < 20)
		return false;
	for (int k = 0; k < 4; k++)
		if (!is_digit(b[k]))
			return false;
	if (b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':')
		return false;
	int idx[] = {5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
	for (size_t k = 0; k < sizeof(idx) / sizeof(idx[0]); k++)
		if (!is_digit(b[idx[k]]))
			return false;
	int mo = (b[5] - '0') * 10 + b[6] - '0';
	int d = (b[8] - '0') * 10 + b[9] - '0';
	int h = (b[11] - '0') * 10 + b[12] - '0';
	int mi = (b[14] - '0') * 10 + b[15] - '0';
	int se = (b[17] - '0') * 10 + b[18] - '0';
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return false;
	size_t k = 19;
	if (b[k] == '.') {
		k++;
		size_t start = k;
		while (k < n && is_digit(b[k]))
			k++;
		if (k == start)
			return false;
	}
	return k + 1 == n && b[k] == 'Z';
}

/* Length of a HexLiteral / BinaryLiteral / TimestampLiteral at s[i] ('h', 'b' or 't'
 * followed by a quote), or 0 when the text does not fit the literal's rule. */
static size_t special_literal_len(const char *s, size_t len, size_t i)
{
	size_t j = i + 2, end = j;
	while (end < len && s[end] != '\'')
		end++;
	if (end >= len)
		return 0;
	const char *b = s + j;
	size_t n = end - j;
	switch (s[i]) {
	case 'h':
		if (n % 2 != 0)
			return 0;
		for (size_t k = 0; k < n; k++)
			if (!is_hex((unsigned char)b[k]))
				return 0;
		break;
	case 'b': {
		/* at least one group of four; '=' only at the end of the last group */
		if (n == 0 || n % 4 != 0)
			return 0;
		size_t pad = 0;
		if (b[n - 1] == '=')
			pad = (b[n - 2] == '=') ? 2 : 1;
		for (size_t k = 0; k < n - pad; k++)
			if (!is_b64((unsigned char)b[k]))
				return 0;
		break;
	}
	case 't':
		if (!ts_shape_ok(b, n))
			return 0;
		break;
	default:
		return 0;
	}
	return end + 1 - i;
}

/* Scan the next token into ps->tok; on a lexical error, latch it and return EOF. */
static void lex(parser_t *ps)
{
	const char *s = ps->src;
	size_t len = ps->len, i = ps->pos;
	for (;;) {
		if (i >= len)
			break;
		size_t w = ws_len(s, len, i);
		if (w > 0) {
			i += w;
			continue;
		}
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			size_t j = i + 2;
			while (j + 1 < len && !(s[j] == '*' && s[j + 1] == '/'))
				j++;
			if (j + 1 >= len)
				break; /* unterminated: '/' is an error below */
			i = j + 2;
			continue;
		}
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
			while (i < len && s[i] != '\r' && s[i] != '\n')
				i++;
			continue;
		}
		break;
	}
	for (size_t k = ps->pos; k < i; k++)
		if (s[k] == '\n')
			ps->line_start = k + 1;
	tok_t t = {T_EOF, i, 0, (unsigned)(i - ps->line_start + 1)};
	ps->tok = t;
	if (i >= len) {
		ps->pos = i;
		return;
	}
	unsigned char c = (unsigned char)s[i];
	size_t n = 1;
	tok_type_t type;
	switch (c) {
	case ':':
		type = T_COLON;
		break;
	case ',':
		type = T_COMMA;
		break;
	case '(':
		type = T_LPAREN;
		break;
	case ')':
		type = T_RPAREN;
		break;
	case '[':
		type = T_LBRACK;
		break;
	case ']':
		type = T_RBRACK;
		break;
	case '*':
		type = T_ASTERISK;
		break;
	case '=':
		type = T_EQ;
		n = (i + 1 < len && s[i + 1] == '=') ? 2 : 1;
		break;
	case '!':
		if (i + 1 < len && s[i + 1] == '=') {
			type = T_NEQ;
			n = 2;
			break;
		}
		perr_at(ps, i, SETU_EPARSE,
		        "unexpected character '!' (did you mean '!='?)");
		return;
	case '<':
		if (i + 1 < len && s[i + 1] == '=') {
			type = T_LE;
			n = 2;
		} else if (i + 1 < len && s[i + 1] == '>') {
			type = T_NEQ;
			n = 2;
		} else {
			type = T_LT;
		}
		break;
	case '>':
		if (i + 1 < len && s[i + 1] == '=') {
			type = T_GE;
			n = 2;
		} else {
			type = T_GT;
		}
		break;
	case '\'': {
		size_t bad = 0;
		n = string_len(s, len, i, &bad);
		if (n == 0) {
			if (bad >= len)
				perr_at(ps, i, SETU_EPARSE,
				        "unterminated string literal");
			else
				perr_at(
				    ps, bad, SETU_EPARSE,
				    "invalid escape in string literal: only \\' and \\\\ "
				    "are allowed");
			return;
		}
		type = T_STRING;
		break;
	}
	default:
		if (is_ident_start(c)) {
			if ((c == 'h' || c == 'b' || c == 't') && i + 1 < len &&
			    s[i + 1] == '\'') {
				n = special_literal_len(s, len, i);
				if (n > 0) {
					type = c == 'h'   ? T_HEX
					       : c == 'b' ? T_BINARY
					                  : T_TIMESTAMP;
					break;
				}
				perr_at(ps, i, SETU_EPARSE, "%s",
				        c == 'h'
				            ? "invalid hex literal: expected h'' with an "
				              "even number of hex digits"
				        : c == 'b'
				            ? "invalid binary literal: expected b'' with "
				              "padded base64"
				            : "invalid timestamp literal: expected "
				              "t'YYYY-MM-DDTHH:MM:SS[.s]Z'");
				return;
			}
			bool hyphen = false;
			while (i + n < len && (is_ident_char((unsigned char)s[i + n]) ||
			                       s[i + n] == '-')) {
				if (s[i + n] == '-')
					hyphen = true;
				n++;
			}
			type = hyphen ? T_IDENT_H : T_IDENT;
			if (!hyphen)
				for (size_t k = 0;
				     k < sizeof(keywords) / sizeof(keywords[0]); k++)
					if (strlen(keywords[k].word) == n &&
					    memcmp(keywords[k].word, s + i, n) == 0) {
						type = keywords[k].type;
						break;
					}
			break;
		}
		if (is_digit(c) || c == '+' || c == '-' || c == '.') {
			size_t j = i + ((c == '+' || c == '-') ? 1 : 0);
			size_t int_len = 0, float_len = 0;
			if (j < len && s[j] == '0')
				int_len = j + 1 - i;
			else if (j < len && s[j] >= '1' && s[j] <= '9') {
				size_t k = j;
				while (k < len && is_digit((unsigned char)s[k]))
					k++;
				int_len = k - i;
			}
			size_t k = j;
			while (k < len && is_digit((unsigned char)s[k]))
				k++;
			if (k + 1 < len && s[k] == '.' &&
			    is_digit((unsigned char)s[k + 1])) {
				k++;
				while (k < len && is_digit((unsigned char)s[k]))
					k++;
				float_len = k - i;
			}
			if (float_len > int_len) {
				n = float_len;
				type = c == '-' ? T_FLOAT_NEG : T_FLOAT_POS;
				break;
			}
			if (int_len > 0) {
				n = int_len;
				type = c == '-' ? T_INT_NEG : T_INT_POS;
				break;
			}
			if (c == '.') {
				type = T_DOT;
				break;
			}
		}
		if (c >= 0x20 && c < 0x7f)
			perr_at(ps, i, SETU_EPARSE, "unexpected character '%c'", c);
		else
			perr_at(ps, i, SETU_EPARSE, "unexpected byte 0x%02x", c);
		return;
	}
	ps->tok.type = type;
	ps->tok.len = n;
	ps->pos = i + n;
	if (type == T_STRING) /* the only token that may span lines */
		for (size_t k = i; k < i + n; k++)
			if (s[k] == '\n')
				ps->line_start = k + 1;
}

/* ---------------------------------------------------------------- helpers */

static void *palloc(parser_t *ps, size_t n)
{
	void *p = arena_alloc(&ps->pat->arena, n);
	if (p == NULL && ps->err == 0) {
		ps->err = SETU_ENOMEM;
		setu_diag_set(ps->diag, SETU_ENOMEM, "out of memory parsing the pattern");
	}
	return p;
}

static char *pstrndup(parser_t *ps, const char *s, size_t n)
{
	char *d = palloc(ps, n + 1);
	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

/* Unescape a StringLiteral token body (without quotes) into the arena. */
static char *unescape(parser_t *ps, const char *s, size_t n, size_t *outlen)
{
	char *d = palloc(ps, n + 1);
	if (d == NULL)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		d[o++] = s[i];
	}
	d[o] = '\0';
	*outlen = o;
	return d;
}

/* A growable array of node pointers used while collecting n-ary children. */
typedef struct nvec {
	const setu_pat_node_t **v;
	size_t n, cap;
} nvec_t;

static bool nvec_push(parser_t *ps, nvec_t *nv, const setu_pat_node_t *node)
{
	if (nv->n == nv->cap) {
		size_t cap = nv->cap ? nv->cap * 2 : 4;
		const setu_pat_node_t **v = realloc(nv->v, cap * sizeof(*v));
		if (v == NULL) {
			perr_at(ps, ps->tok.off, SETU_ENOMEM,
			        "out of memory parsing the pattern");
			return false;
		}
		nv->v = v;
		nv->cap = cap;
	}
	nv->v[nv->n++] = node;
	return true;
}

static setu_pat_node_t *new_node(parser_t *ps, setu_pat_kind_t kind, const tok_t *at)
{
	setu_pat_node_t *n = palloc(ps, sizeof(*n));
	if (n != NULL) {
		n->kind = kind;
		n->column = at->col;
		n->offset = at->off;
	}
	return n;
}

/* Finish an n-ary node: one child stays itself; more become `kind` with the children. */
static const setu_pat_node_t *finish_nary(parser_t *ps, nvec_t *nv, setu_pat_kind_t kind,
                                          const tok_t *at)
{
	const setu_pat_node_t *res = NULL;
	if (ps->err == 0 && nv->n == 1) {
		res = nv->v[0];
	} else if (ps->err == 0 && nv->n > 1) {
		setu_pat_node_t *n = new_node(ps, kind, at);
		const setu_pat_node_t **kids = palloc(ps, nv->n * sizeof(*kids));
		if (n != NULL && kids != NULL) {
			memcpy(kids, nv->v, nv->n * sizeof(*kids));
			n->children = kids;
			n->nchildren = nv->n;
			res = n;
		}
	}
	free(nv->v);
	return res;
}

/* ---------------------------------------------------------------- literals */

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

/* Fill a TIMESTAMP value from the token t'...'. */
static int timestamp_value(parser_t *ps, const tok_t *t, setu_pat_value_t *v)
{
	const char *b = ps->src + t->off + 2;
	size_t n = t->len - 3;
	int y = (b[0] - '0') * 1000 + (b[1] - '0') * 100 + (b[2] - '0') * 10 + b[3] - '0';
	int mo = (b[5] - '0') * 10 + b[6] - '0';
	int d = (b[8] - '0') * 10 + b[9] - '0';
	int h = (b[11] - '0') * 10 + b[12] - '0';
	int mi = (b[14] - '0') * 10 + b[15] - '0';
	int se = (b[17] - '0') * 10 + b[18] - '0';
	if (d > days_in_month(y, mo))
		return perr_at(ps, t->off, SETU_EPARSE,
		               "invalid timestamp: %04d-%02d has no day %d", y, mo, d);
	v->kind = SETU_PAT_V_TIMESTAMP;
	v->ts_sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	int32_t ns = 0;
	if (b[19] == '.') {
		int digits = 0;
		for (size_t k = 20; k < n - 1; k++, digits++)
			if (digits < 9)
				ns = ns * 10 + (b[k] - '0');
		for (; digits < 9; digits++)
			ns *= 10;
	}
	v->ts_nsec = ns;
	v->bytes = pstrndup(ps, b, n);
	v->len = n;
	return ps->err;
}

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : 63;
}

static int hexval(int c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Build a value from the current token (already known to be a literal token). */
static int literal_value(parser_t *ps, setu_pat_value_t *v)
{
	const tok_t *t = &ps->tok;
	const char *s = ps->src + t->off;
	memset(v, 0, sizeof(*v));
	v->column = t->col;
	v->offset = t->off;
	switch (t->type) {
	case T_INT_POS:
	case T_INT_NEG: {
		bool neg = s[0] == '-';
		size_t k = (s[0] == '+' || s[0] == '-') ? 1 : 0;
		uint64_t u = 0;
		for (; k < t->len; k++) {
			if (u > (UINT64_MAX - 9) / 10)
				return perr_at(ps, t->off, SETU_EPARSE,
				               "integer literal out of the 64-bit range");
			u = u * 10 + (uint64_t)(s[k] - '0');
		}
		if ((!neg && u > INT64_MAX) || (neg && u > (uint64_t)INT64_MAX + 1))
			return perr_at(ps, t->off, SETU_EPARSE,
			               "integer literal out of the 64-bit range");
		v->kind = SETU_PAT_V_INT;
		v->i = neg ? (int64_t)(0 - u) : (int64_t)u;
		v->f = (double)v->i;
		break;
	}
	case T_FLOAT_POS:
	case T_FLOAT_NEG: {
		char tmp[64];
		if (t->len >= sizeof(tmp)) {
			/* strtod needs a terminated copy; very long floats are legal */
			char *cp = pstrndup(ps, s, t->len);
			if (cp == NULL)
				return ps->err;
			v->f = strtod(cp, NULL);
		} else {
			memcpy(tmp, s, t->len);
			tmp[t->len] = '\0';
			v->f = strtod(tmp, NULL);
		}
		v->kind = SETU_PAT_V_FLOAT;
		break;
	}
	case T_STRING:
		v->kind = SETU_PAT_V_STRING;
		v->bytes = unescape(ps, s + 1, t->len - 2, &v->len);
		break;
	case T_BOOL:
		v->kind = SETU_PAT_V_BOOL;
		v->b = s[0] == 't';
		break;
	case T_TIMESTAMP:
		return timestamp_value(ps, t, v);
	case T_HEX: {
		size_t n = (t->len - 3) / 2;
		char *d = palloc(ps, n + 1);
		if (d == NULL)
			return ps->err;
		for (size_t k = 0; k < n; k++)
			d[k] = (char)(hexval((unsigned char)s[2 + 2 * k]) * 16 +
			              hexval((unsigned char)s[3 + 2 * k]));
		v->kind = SETU_PAT_V_HEX;
		v->bytes = d;
		v->len = n;
		break;
	}
	case T_BINARY: {
		const char *b = s + 2;
		size_t n = t->len - 3;
		char *d = palloc(ps, n / 4 * 3 + 1);
		if (d == NULL)
			return ps->err;
		size_t o = 0;
		for (size_t k = 0; k < n; k += 4) {
			uint32_t acc = 0;
			int got = 0;
			for (int q = 0; q < 4; q++) {
				if (b[k + q] == '=')
					break;
				acc |= (uint32_t)b64_val((unsigned char)b[k + q])
				       << (18 - 6 * q);
				got++;
			}
			d[o++] = (char)(acc >> 16);
			if (got > 2)
				d[o++] = (char)(acc >> 8);
			if (got > 3)
				d[o++] = (char)acc;
		}
		v->kind = SETU_PAT_V_BINARY;
		v->bytes = d;
		v->len = o;
		break;
	}
	default:
		return expected(ps, "a constant");
	}
	return ps->err;
}

static bool tok_is_orderable(tok_type_t t)
{
	return t == T_INT_POS || t == T_INT_NEG || t == T_FLOAT_POS || t == T_FLOAT_NEG ||
	       t == T_STRING || t == T_BINARY || t == T_HEX || t == T_TIMESTAMP;
}

/* setLiteral: '(' ')' | '(' primitive (',' primitive)* ')' */
static int parse_set(parser_t *ps, setu_pat_value_t *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = SETU_PAT_V_SET;
	v->column = ps->tok.col;
	v->offset = ps->tok.off;
	if (ps->tok.type != T_LPAREN)
		return expected(ps, "'(' to start a set of constants after IN");
	lex(ps);
	size_t n = 0, cap = 0;
	setu_pat_value_t *items = NULL;
	if (ps->tok.type == T_RPAREN) {
		lex(ps);
		return ps->err;
	}
	for (;;) {
		if (ps->err)
			break;
		if (!tok_is_orderable(ps->tok.type) && ps->tok.type != T_BOOL) {
			expected(ps, "a constant in the set");
			break;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			setu_pat_value_t *ni = palloc(ps, ncap * sizeof(*ni));
			if (ni == NULL)
				break;
			if (n > 0)
				memcpy(ni, items, n * sizeof(*ni));
			items = ni; /* the old array stays in the arena: O(n) total */
			cap = ncap;
		}
		if (literal_value(ps, &items[n]) != 0)
			break;
		n++;
		lex(ps);
		if (ps->tok.type == T_COMMA) {
			lex(ps);
			continue;
		}
		if (ps->tok.type == T_RPAREN) {
			lex(ps);
			break;
		}
		expected(ps, "',' or ')' in the set");
		break;
	}
	v->items = items;
	v->nitems = n;
	return ps->err;
}

/* ---------------------------------------------------------------- object paths */

static int parse_path(parser_t *ps, setu_pat_path_t *path)
{
	memset(path, 0, sizeof(*path));
	if (ps->tok.type != T_IDENT && ps->tok.type != T_IDENT_H)
		return expected(ps, "an object type (e.g. 'ipv4-addr')");
	path->column = ps->tok.col;
	path->object_type = pstrndup(ps, ps->src + ps->tok.off, ps->tok.len);
	lex(ps);
	if (ps->tok.type != T_COLON) {
		if (ps->tok.type == T_DOT)
			return perr_at(
			    ps, ps->tok.off, SETU_EPARSE,
			    "expected ':' between the object type and the property "
			    "but found '.'");
		return expected(ps, "':' after the object type");
	}
	lex(ps);
	size_t n = 0, cap = 0;
	setu_pat_step_t *steps = NULL;
	bool first = true;
	for (;;) {
		if (ps->err)
			return ps->err;
		setu_pat_step_t st = {SETU_PAT_STEP_KEY, NULL, 0};
		if (first) {
			if (ps->tok.type == T_IDENT) {
				st.key = pstrndup(ps, ps->src + ps->tok.off, ps->tok.len);
			} else if (ps->tok.type == T_STRING) {
				size_t l;
				st.key = unescape(ps, ps->src + ps->tok.off + 1,
				                  ps->tok.len - 2, &l);
			} else if (ps->tok.type == T_IDENT_H) {
				return perr_at(
				    ps, ps->tok.off, SETU_EPARSE,
				    "property names cannot contain '-' unquoted: write "
				    "'%.*s' in quotes",
				    (int)(ps->tok.len > 60 ? 60 : ps->tok.len),
				    ps->src + ps->tok.off);
			} else {
				return expected(ps, "a property name after ':'");
			}
			lex(ps);
			first = false;
		} else if (ps->tok.type == T_DOT) {
			lex(ps);
			if (ps->tok.type == T_IDENT) {
				st.key = pstrndup(ps, ps->src + ps->tok.off, ps->tok.len);
			} else if (ps->tok.type == T_STRING) {
				size_t l;
				st.key = unescape(ps, ps->src + ps->tok.off + 1,
				                  ps->tok.len - 2, &l);
			} else if (ps->tok.type == T_IDENT_H) {
				return perr_at(
				    ps, ps->tok.off, SETU_EPARSE,
				    "property names cannot contain '-' unquoted: write "
				    "'%.*s' in quotes",
				    (int)(ps->tok.len > 60 ? 60 : ps->tok.len),
				    ps->src + ps->tok.off);
			} else {
				return expected(ps, "a property name after '.'");
			}
			lex(ps);
		} else if (ps->tok.type == T_LBRACK) {
			lex(ps);
			if (ps->tok.type == T_ASTERISK) {
				st.kind = SETU_PAT_STEP_ANY;
			} else if (ps->tok.type == T_INT_POS ||
			           ps->tok.type == T_INT_NEG) {
				setu_pat_value_t iv;
				if (literal_value(ps, &iv) != 0)
					return ps->err;
				st.kind = SETU_PAT_STEP_INDEX;
				st.index = iv.i;
			} else {
				return expected(ps, "a list index or '*' inside '[ ]'");
			}
			lex(ps);
			if (ps->tok.type != T_RBRACK)
				return expected(ps, "']' after the list index");
			lex(ps);
		} else {
			break;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			setu_pat_step_t *ns = palloc(ps, ncap * sizeof(*ns));
			if (ns == NULL)
				return ps->err;
			if (n > 0)
				memcpy(ns, steps, n * sizeof(*ns));
			steps = ns;
			cap = ncap;
		}
		steps[n++] = st;
	}
	path->steps = steps;
	path->nsteps = n;
	return ps->err;
}

/* ---------------------------------------------------------------- hash values */

/* Hash algorithms the reference validator checks (names upper-cased without '-'). */
static const struct {
	const char *name;
	const char *display;
	unsigned lens[6]; /* allowed hex lengths; 0 ends */
} hash_algos[] = {
    {"MD5", "MD5", {32}},
    {"MD6", "MD6", {32, 40, 56, 64, 96, 128}},
    {"RIPEMD160", "RIPEMD-160", {40}},
    {"SHA1", "SHA-1", {40}},
    {"SHA224", "SHA-224", {56}},
    {"SHA256", "SHA-256", {64}},
    {"SHA384", "SHA-384", {96}},
    {"SHA512", "SHA-512", {128}},
    {"SHA3224", "SHA3-224", {56}},
    {"SHA3256", "SHA3-256", {64}},
    {"SHA3384", "SHA3-384", {96}},
    {"SHA3512", "SHA3-512", {128}},
    {"SSDEEP", "SSDEEP", {0}},
    {"WHIRLPOOL", "WHIRLPOOL", {128}},
};

static bool hash_value_ok(size_t algo, const setu_pat_value_t *v)
{
	if (v->kind != SETU_PAT_V_STRING)
		return false;
	if (hash_algos[algo].lens[0] == 0) { /* SSDEEP: [a-zA-Z0-9/+:.]{1,128} */
		if (v->len < 1 || v->len > 128)
			return false;
		for (size_t k = 0; k < v->len; k++) {
			unsigned char c = (unsigned char)v->bytes[k];
			if (!(isalnum(c) || c == '/' || c == '+' || c == ':' || c == '.'))
				return false;
		}
		return true;
	}
	for (size_t k = 0; k < v->len; k++)
		if (!is_hex((unsigned char)v->bytes[k]))
			return false;
	for (int k = 0; k < 6 && hash_algos[algo].lens[k] != 0; k++)
		if (v->len == hash_algos[algo].lens[k])
			return true;
	return false;
}

/* The reference validator's object check: under a `hashes` property, a value compared to
 * a known algorithm must look like that hash. Applied to =, != and IN (LIKE/MATCHES take
 * patterns, not hashes). */
static int check_hash(parser_t *ps, const setu_pat_node_t *cmp)
{
	const setu_pat_path_t *p = &cmp->path;
	bool has_hashes = false;
	for (size_t k = 0; k < p->nsteps; k++)
		if (p->steps[k].kind == SETU_PAT_STEP_KEY &&
		    strcmp(p->steps[k].key, "hashes") == 0)
			has_hashes = true;
	const setu_pat_step_t *last = &p->steps[p->nsteps - 1];
	if (!has_hashes || last->kind != SETU_PAT_STEP_KEY)
		return 0;
	if (cmp->op != SETU_PAT_OP_EQ && cmp->op != SETU_PAT_OP_NEQ &&
	    cmp->op != SETU_PAT_OP_IN)
		return 0;
	char norm[32];
	size_t o = 0;
	for (const char *c = last->key; *c != '\0'; c++) {
		if (*c == '-')
			continue;
		if (o + 1 >= sizeof(norm))
			return 0; /* longer than any known name */
		norm[o++] = (char)toupper((unsigned char)*c);
	}
	norm[o] = '\0';
	for (size_t a = 0; a < sizeof(hash_algos) / sizeof(hash_algos[0]); a++) {
		if (strcmp(norm, hash_algos[a].name) != 0)
			continue;
		const setu_pat_value_t *vals = &cmp->value;
		size_t nv = 1;
		if (cmp->value.kind == SETU_PAT_V_SET) {
			vals = cmp->value.items;
			nv = cmp->value.nitems;
		}
		for (size_t k = 0; k < nv; k++) {
			if (hash_value_ok(a, &vals[k]))
				continue;
			if (vals[k].kind == SETU_PAT_V_STRING)
				return perr_at(
				    ps, vals[k].offset, SETU_EPARSE,
				    "'%.*s' is not a valid %s hash",
				    (int)(vals[k].len > 140 ? 140 : vals[k].len),
				    vals[k].bytes, hash_algos[a].display);
			return perr_at(ps, vals[k].offset, SETU_EPARSE,
			               "a %s hash must be a string constant, not %s",
			               hash_algos[a].display,
			               setu_pat_vkind_name(vals[k].kind));
		}
		return 0;
	}
	return 0;
}

/* ---------------------------------------------------------------- comparisons */

static const setu_pat_node_t *parse_cmp_or(parser_t *ps);

/* propTest */
static const setu_pat_node_t *parse_prop_test(parser_t *ps)
{
	tok_t at = ps->tok;
	if (ps->tok.type == T_LPAREN) {
		if (++ps->depth > SETU_STIX_PATTERN_MAX_DEPTH) {
			perr_at(ps, at.off, SETU_ELIMIT,
			        "parentheses nested deeper than %d",
			        SETU_STIX_PATTERN_MAX_DEPTH);
			return NULL;
		}
		lex(ps);
		const setu_pat_node_t *inner = parse_cmp_or(ps);
		if (inner == NULL)
			return NULL;
		if (ps->tok.type != T_RPAREN) {
			expected(ps, "')' or AND/OR");
			return NULL;
		}
		ps->depth--;
		lex(ps);
		return inner;
	}
	bool negated = false;
	if (ps->tok.type == T_NOT) {
		size_t not_off = ps->tok.off;
		lex(ps);
		if (ps->tok.type != T_EXISTS) {
			expected(
			    ps, "EXISTS after a leading NOT (write 'path NOT op value')");
			return NULL;
		}
		if (ps->flags & SETU_PATTERN_NO_NOT_EXISTS) {
			perr_at(ps, not_off, SETU_EPARSE,
			        "NOT EXISTS is not allowed (STIX 2.1 grammar before "
			        "2024-03)");
			return NULL;
		}
		negated = true;
	}
	if (ps->tok.type == T_EXISTS) {
		lex(ps);
		setu_pat_node_t *n = new_node(ps, SETU_PAT_EXISTS, &at);
		if (n == NULL || parse_path(ps, &n->path) != 0)
			return NULL;
		n->op = SETU_PAT_OP_EXISTS;
		n->negated = negated;
		ps->pat->ncomparisons++;
		return n;
	}
	if (ps->tok.type != T_IDENT && ps->tok.type != T_IDENT_H) {
		expected(ps, "an object path, EXISTS or '('");
		return NULL;
	}
	setu_pat_node_t *n = new_node(ps, SETU_PAT_COMPARISON, &at);
	if (n == NULL || parse_path(ps, &n->path) != 0)
		return NULL;
	if (ps->tok.type == T_NOT) {
		n->negated = true;
		lex(ps);
	}
	switch (ps->tok.type) {
	case T_EQ:
		n->op = SETU_PAT_OP_EQ;
		break;
	case T_NEQ:
		n->op = SETU_PAT_OP_NEQ;
		break;
	case T_GT:
		n->op = SETU_PAT_OP_GT;
		break;
	case T_LT:
		n->op = SETU_PAT_OP_LT;
		break;
	case T_GE:
		n->op = SETU_PAT_OP_GE;
		break;
	case T_LE:
		n->op = SETU_PAT_OP_LE;
		break;
	case T_IN:
		n->op = SETU_PAT_OP_IN;
		break;
	case T_LIKE:
		n->op = SETU_PAT_OP_LIKE;
		break;
	case T_MATCHES:
		n->op = SETU_PAT_OP_MATCHES;
		break;
	case T_ISSUBSET:
		n->op = SETU_PAT_OP_ISSUBSET;
		break;
	case T_ISSUPERSET:
		n->op = SETU_PAT_OP_ISSUPERSET;
		break;
	default:
		expected(ps,
		         "a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, "
		         "ISSUBSET, ISSUPERSET)");
		return NULL;
	}
	lex(ps);
	if (ps->err)
		return NULL;
	tok_type_t vt = ps->tok.type;
	switch (n->op) {
	case SETU_PAT_OP_EQ:
	case SETU_PAT_OP_NEQ:
		if (!tok_is_orderable(vt) && vt != T_BOOL) {
			expected(ps,
			         "a constant (string, number, boolean, t'', h'' or b'')");
			return NULL;
		}
		break;
	case SETU_PAT_OP_GT:
	case SETU_PAT_OP_LT:
	case SETU_PAT_OP_GE:
	case SETU_PAT_OP_LE:
		if (!tok_is_orderable(vt)) {
			char msg[96];
			snprintf(msg, sizeof(msg),
			         "an orderable constant after %s (not a boolean)",
			         setu_pat_op_name(n->op));
			expected(ps, msg);
			return NULL;
		}
		break;
	case SETU_PAT_OP_IN:
		if (parse_set(ps, &n->value) != 0)
			return NULL;
		break;
	default:
		if (vt != T_STRING) {
			char msg[96];
			snprintf(msg, sizeof(msg), "a string constant after %s",
			         setu_pat_op_name(n->op));
			expected(ps, msg);
			return NULL;
		}
		break;
	}
	if (n->op != SETU_PAT_OP_IN) {
		if (literal_value(ps, &n->value) != 0)
			return NULL;
		lex(ps);
	}
	ps->pat->ncomparisons++;
	if (check_hash(ps, n) != 0)
		return NULL;
	return ps->err ? NULL : n;
}

/* One level of a left-associative n-ary operator: `sub (op sub)*`, as one node whose
 * children are the operands (a single operand is returned as it is). */
static const setu_pat_node_t *parse_nary(parser_t *ps,
                                         const setu_pat_node_t *(*sub)(parser_t *),
                                         int op, setu_pat_kind_t kind)
{
	nvec_t nv = {0};
	tok_t at = ps->tok;
	for (;;) {
		const setu_pat_node_t *c = sub(ps);
		if (c == NULL || !nvec_push(ps, &nv, c))
			break;
		if ((int)ps->tok.type != op)
			break;
		lex(ps);
	}
	return finish_nary(ps, &nv, kind, &at);
}

static const setu_pat_node_t *parse_cmp_and(parser_t *ps)
{
	return parse_nary(ps, parse_prop_test, T_AND, SETU_PAT_CMP_AND);
}

static const setu_pat_node_t *parse_cmp_or(parser_t *ps)
{
	return parse_nary(ps, parse_cmp_and, T_OR, SETU_PAT_CMP_OR);
}

/* ---------------------------------------------------------------- observations */

static const setu_pat_node_t *parse_obs_followedby(parser_t *ps);

/* Qualifiers after an observation expression; duplicates of one kind directly on a
 * bracketed observation are an error (as in the reference validator). */
static int parse_qualifiers(parser_t *ps, setu_pat_node_t *node)
{
	size_t cap = 0;
	setu_pat_qual_t *q = NULL;
	while (ps->err == 0 && (ps->tok.type == T_WITHIN || ps->tok.type == T_REPEATS ||
	                        ps->tok.type == T_START)) {
		setu_pat_qual_t nq;
		memset(&nq, 0, sizeof(nq));
		size_t qoff = ps->tok.off;
		const char *qname = "WITHIN";
		if (ps->tok.type == T_WITHIN) {
			nq.kind = SETU_PAT_Q_WITHIN;
			lex(ps);
			if (ps->tok.type != T_INT_POS && ps->tok.type != T_FLOAT_POS)
				return expected(
				    ps, "a positive number of seconds after WITHIN");
			setu_pat_value_t v;
			if (literal_value(ps, &v) != 0)
				return ps->err;
			nq.seconds = v.kind == SETU_PAT_V_INT ? (double)v.i : v.f;
			lex(ps);
			if (ps->tok.type != T_SECONDS)
				return expected(ps, "SECONDS");
			lex(ps);
		} else if (ps->tok.type == T_REPEATS) {
			nq.kind = SETU_PAT_Q_REPEATS;
			qname = "REPEATS";
			lex(ps);
			if (ps->tok.type != T_INT_POS)
				return expected(ps, "a positive integer after REPEATS");
			setu_pat_value_t v;
			if (literal_value(ps, &v) != 0)
				return ps->err;
			nq.times = v.i;
			lex(ps);
			if (ps->tok.type != T_TIMES)
				return expected(ps, "TIMES");
			lex(ps);
		} else {
			nq.kind = SETU_PAT_Q_STARTSTOP;
			qname = "START/STOP";
			lex(ps);
			if (ps->tok.type != T_TIMESTAMP)
				return expected(ps, "a timestamp t'...' after START");
			if (literal_value(ps, &nq.start) != 0)
				return ps->err;
			lex(ps);
			if (ps->tok.type != T_STOP)
				return expected(ps, "STOP");
			lex(ps);
			if (ps->tok.type != T_TIMESTAMP)
				return expected(ps, "a timestamp t'...' after STOP");
			if (literal_value(ps, &nq.stop) != 0)
				return ps->err;
			lex(ps);
		}
		if (ps->err)
			return ps->err;
		if (node->kind == SETU_PAT_OBSERVATION)
			for (size_t k = 0; k < node->nquals; k++)
				if (node->quals[k].kind == nq.kind)
					return perr_at(
					    ps, qoff, SETU_EPARSE,
					    "duplicate %s qualifier on one observation "
					    "(put the expression in parentheses to "
					    "qualify "
					    "it again)",
					    qname);
		if (node->nquals == cap) {
			size_t ncap = cap ? cap * 2 : 2;
			setu_pat_qual_t *nqs = palloc(ps, ncap * sizeof(*nqs));
			if (nqs == NULL)
				return ps->err;
			if (node->nquals > 0)
				memcpy(nqs, q, node->nquals * sizeof(*nqs));
			q = nqs;
			cap = ncap;
			node->quals = q;
		}
		q[node->nquals++] = nq;
	}
	return ps->err;
}

static const setu_pat_node_t *parse_obs_primary(parser_t *ps)
{
	tok_t at = ps->tok;
	setu_pat_node_t *n;
	if (ps->tok.type == T_LBRACK) {
		lex(ps);
		n = new_node(ps, SETU_PAT_OBSERVATION, &at);
		const setu_pat_node_t *c = parse_cmp_or(ps);
		if (n == NULL || c == NULL)
			return NULL;
		if (ps->tok.type != T_RBRACK) {
			expected(ps, "']' or AND/OR to continue the comparison");
			return NULL;
		}
		lex(ps);
		const setu_pat_node_t **kids = palloc(ps, sizeof(*kids));
		if (kids == NULL)
			return NULL;
		kids[0] = c;
		n->children = kids;
		n->nchildren = 1;
	} else if (ps->tok.type == T_LPAREN) {
		if (++ps->depth > SETU_STIX_PATTERN_MAX_DEPTH) {
			perr_at(ps, at.off, SETU_ELIMIT,
			        "parentheses nested deeper than %d",
			        SETU_STIX_PATTERN_MAX_DEPTH);
			return NULL;
		}
		lex(ps);
		n = new_node(ps, SETU_PAT_GROUP, &at);
		const setu_pat_node_t *c = parse_obs_followedby(ps);
		if (n == NULL || c == NULL)
			return NULL;
		if (ps->tok.type != T_RPAREN) {
			expected(ps, "')' or AND/OR/FOLLOWEDBY");
			return NULL;
		}
		ps->depth--;
		lex(ps);
		const setu_pat_node_t **kids = palloc(ps, sizeof(*kids));
		if (kids == NULL)
			return NULL;
		kids[0] = c;
		n->children = kids;
		n->nchildren = 1;
	} else {
		expected(ps, "'[' to start an observation (or '(')");
		return NULL;
	}
	if (parse_qualifiers(ps, n) != 0)
		return NULL;
	return n;
}

static const setu_pat_node_t *parse_obs_and(parser_t *ps)
{
	return parse_nary(ps, parse_obs_primary, T_AND, SETU_PAT_OBS_AND);
}

static const setu_pat_node_t *parse_obs_or(parser_t *ps)
{
	return parse_nary(ps, parse_obs_and, T_OR, SETU_PAT_OBS_OR);
}

static const setu_pat_node_t *parse_obs_followedby(parser_t *ps)
{
	return parse_nary(ps, parse_obs_or, T_FOLLOWEDBY, SETU_PAT_FOLLOWEDBY);
}

/* ---------------------------------------------------------------- API */

int setu_pattern_parse_ex(const char *src, size_t len, unsigned flags,
                          setu_pattern_t **out, setu_diag_t *diag)
{
	if (out == NULL || (src == NULL && len > 0))
		return setu_diag_set(diag, SETU_EINVAL, "no pattern");
	*out = NULL;
	if (diag != NULL) {
		diag->line = 0;
		diag->column = 0;
		diag->msg[0] = '\0';
		diag->code = 0;
	}
	if (len > SETU_STIX_PATTERN_MAX_LEN)
		return setu_diag_set(diag, SETU_ELIMIT,
		                     "pattern is %zu bytes, more than the %u allowed",
		                     len, SETU_STIX_PATTERN_MAX_LEN);
	setu_pattern_t *pat = calloc(1, sizeof(*pat));
	if (pat == NULL)
		return setu_diag_set(diag, SETU_ENOMEM,
		                     "out of memory parsing the pattern");
	parser_t ps = {
	    .src = src ? src : "", .len = len, .flags = flags, .pat = pat, .diag = diag};
	lex(&ps);
	const setu_pat_node_t *root = NULL;
	if (ps.err == 0 && ps.tok.type == T_EOF)
		perr_at(&ps, 0, SETU_EPARSE,
		        "empty pattern: expected '[' to start an observation");
	else if (ps.err == 0)
		root = parse_obs_followedby(&ps);
	if (ps.err == 0 && ps.tok.type != T_EOF)
		expected(&ps, "AND, OR, FOLLOWEDBY, a qualifier (WITHIN, REPEATS, START) "
		              "or the end");
	if (ps.err != 0 || root == NULL) {
		int err = ps.err != 0 ? ps.err : SETU_EPARSE;
		setu_pattern_free(pat);
		return err;
	}
	pat->root = root;
	*out = pat;
	return 0;
}

int setu_pattern_parse(const char *src, size_t len, setu_pattern_t **out,
                       setu_diag_t *diag)
{
	return setu_pattern_parse_ex(src, len, 0, out, diag);
}

void setu_pattern_free(setu_pattern_t *p)
{
	if (p == NULL)
		return;
	arena_free(&p->arena);
	free(p);
}

const setu_pat_node_t *setu_pattern_root(const setu_pattern_t *p)
{
	return p != NULL ? p->root : NULL;
}

size_t setu_pattern_ncomparisons(const setu_pattern_t *p)
{
	return p != NULL ? p->ncomparisons : 0;
}

const char *setu_pat_op_name(setu_pat_op_t op)
{
	static const char *const names[] = {
	    "=",  "!=",   ">",       "<",        ">=",         "<=",
	    "IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS"};
	return (unsigned)op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}

const char *setu_pat_kind_name(setu_pat_kind_t k)
{
	static const char *const names[] = {"observation",
	                                    "group",
	                                    "AND (observations)",
	                                    "OR (observations)",
	                                    "FOLLOWEDBY",
	                                    "AND",
	                                    "OR",
	                                    "comparison",
	                                    "EXISTS"};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

const char *setu_pat_vkind_name(setu_pat_vkind_t k)
{
	static const char *const names[] = {"integer",   "float", "string", "boolean",
	                                    "timestamp", "hex",   "binary", "set"};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

size_t setu_pat_path_format(const setu_pat_path_t *path, char *buf, size_t size)
{
	size_t o = 0;
	char tmp[32];
	for (size_t k = 0; k < path->nsteps; k++) {
		const setu_pat_step_t *st = &path->steps[k];
		const char *piece = tmp;
		if (st->kind == SETU_PAT_STEP_KEY)
			piece = st->key;
		else if (st->kind == SETU_PAT_STEP_ANY)
			piece = "*";
		else
			snprintf(tmp, sizeof(tmp), "%lld", (long long)st->index);
		if (k > 0) {
			if (o + 1 < size)
				buf[o] = '.';
			o++;
		}
		for (const char *c = piece; *c != '\0'; c++, o++)
			if (o + 1 < size)
				buf[o] = *c;
	}
	if (size > 0)
		buf[o < size ? o : size - 1] = '\0';
	return o;
}

bool setu_pat_path_is(const setu_pat_path_t *path, const char *type, const char *dotted)
{
	if (path == NULL || type == NULL || dotted == NULL || path->object_type == NULL ||
	    strcmp(path->object_type, type) != 0)
		return false;
	const char *d = dotted;
	char tmp[32];
	for (size_t k = 0; k < path->nsteps; k++) {
		const setu_pat_step_t *st = &path->steps[k];
		const char *piece = tmp;
		if (st->kind == SETU_PAT_STEP_KEY)
			piece = st->key;
		else if (st->kind == SETU_PAT_STEP_ANY)
			piece = "*";
		else
			snprintf(tmp, sizeof(tmp), "%lld", (long long)st->index);
		if (k > 0) {
			if (*d != '.')
				return false;
			d++;
		}
		size_t n = strlen(piece);
		if (strncmp(d, piece, n) != 0)
			return false;
		d += n;
	}
	return *d == '\0';
}
