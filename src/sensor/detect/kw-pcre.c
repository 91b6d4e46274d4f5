/* kw-pcre.c — the pcre keyword: "/regex/flags" compiled with PCRE2 (+JIT), with the
 * Suricata modifiers (i s m x A E G R B O) and the HTTP buffer modifiers
 * (U I P Q H D M C S Y V W Z), which make the regex inspect that buffer. */
#include "detect-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kw_pcre_setup(parse_ctx_t *pc, setu_rule_t *r, const char *arg)
{
	bool neg = false;
	if (*arg == '!') {
		neg = true;
		arg++;
		while (*arg == ' ')
			arg++;
	}
	size_t n = strlen(arg);
	if (n < 2 || arg[0] != '"' || arg[n - 1] != '"')
		return perr(
		    pc, "pcre: the argument must be a quoted string \"/regex/flags\"");
	const char *s = arg + 1;
	n -= 2;
	if (n < 2 || s[0] != '/')
		return perr(pc, "pcre: the regex must start with '/'");
	size_t last = n;
	while (last > 1 && s[last - 1] != '/')
		last--;
	if (last <= 1)
		return perr(pc, "pcre: missing closing '/'");
	size_t rlen = last - 2; /* between the slashes */
	const char *flags = s + last;
	size_t flen = n - last;
	uint32_t opts = 0, rxf = 0;
	int db = -1; /* HTTP modifier: the buffer the regex inspects */
	for (size_t i = 0; i < flen; i++) {
		char f = flags[i];
		switch (f) {
		case 'i':
			opts |= PCRE2_CASELESS;
			break;
		case 's':
			opts |= PCRE2_DOTALL;
			break;
		case 'm':
			opts |= PCRE2_MULTILINE;
			break;
		case 'x':
			opts |= PCRE2_EXTENDED;
			break;
		case 'A':
			opts |= PCRE2_ANCHORED;
			break;
		case 'E':
			opts |= PCRE2_DOLLAR_ENDONLY;
			break;
		case 'G':
			opts |= PCRE2_UNGREEDY;
			break;
		case 'R':
			if (rxf & RX_RELATIVE)
				return perr(pc, "pcre: modifier 'R' given twice");
			rxf |= RX_RELATIVE;
			break;
		case 'B': /* rawbytes: payload buffers are raw already */
			break;
		case 'O': /* override the match limits */
			rxf |= RX_NOLIMIT;
			break;
		case 'U':
		case 'I':
		case 'P':
		case 'Q':
		case 'H':
		case 'D':
		case 'M':
		case 'C':
		case 'S':
		case 'Y':
		case 'V':
		case 'W':
		case 'Z': {
			int b = detect_pcre_buffer(f);
			if (b < 0 || (db >= 0 && db != b)) {
				char kw[16];
				snprintf(kw, sizeof(kw), "pcre/%c", f);
				return b < 0
				           ? punsup(pc, kw)
				           : perr(pc, "pcre: modifiers for two buffers");
			}
			db = b;
			break;
		}
		default:
			return perr(pc, "pcre: unknown modifier '%c'", f);
		}
	}
	char *re_src = malloc(rlen + 1);
	if (re_src == NULL)
		return SETU_ENOMEM;
	/* Undo the rule-level escapes of ';' and '"' that pcre sees as plain characters.
	 */
	size_t w = 0;
	for (size_t i = 0; i < rlen; i++) {
		const char c = s[1 + i];
		if (c == '\\' && i + 1 < rlen && (s[2 + i] == ';' || s[2 + i] == '"')) {
			re_src[w++] = s[2 + i];
			i++;
			continue;
		}
		re_src[w++] = c;
	}
	re_src[w] = '\0';
	if (strstr(re_src, "?P<pkt_") || strstr(re_src, "?P<flow_") ||
	    strstr(re_src, "?<pkt_") || strstr(re_src, "?<flow_")) {
		free(re_src);
		return punsup(pc, "pcre/capture-var");
	}
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re =
	    pcre2_compile((PCRE2_SPTR)re_src, w, opts, &errcode, &erroff, NULL);
	free(re_src);
	if (re == NULL) {
		PCRE2_UCHAR msg[120];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return perr(pc, "pcre: %s at offset %zu", (const char *)msg,
		            (size_t)erroff);
	}
	/* JIT is an accelerator: if it is unavailable the interpreter gives the same
	 * answers, so a JIT failure is not a rule error. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	sm_pcre_t *rx = calloc(1, sizeof(*rx));
	sm_t *sm = rx != NULL ? rule_add_sm(r, LIST_PMATCH, SM_PCRE) : NULL;
	if (sm == NULL) {
		free(rx);
		pcre2_code_free(re);
		return SETU_ENOMEM;
	}
	rx->re = re;
	rx->flags = rxf | (neg ? RX_NEGATED : 0);
	sm->u.rx = rx;
	if (db >= 0)
		return rule_move_last_to_buffer(pc, r, db, SM_PCRE);
	return 0;
}
