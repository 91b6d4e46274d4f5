/* test_detect_parse.c — the Suricata rule parser: header grammar, every keyword, every
 * error path (table-driven), vars, config files and rule-file loading with counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sensor/detect/detect-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
	var_table_t av, pv;
	name_table_t fb, fi;
	class_entry_t classes[2];
	ref_entry_t refs[1];
	parse_ctx_t pc;
	setu_diag_t d;
} fixture_t;

static int setup(void **state)
{
	fixture_t *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_int_equal(var_table_defaults(&f->av, &f->pv), 0);
	f->classes[0].name = "trojan-activity";
	f->classes[0].desc = "A Network Trojan was detected";
	f->classes[0].prio = 1;
	f->classes[1].name = "misc-activity";
	f->classes[1].desc = "Misc activity";
	f->classes[1].prio = 3;
	f->refs[0].name = "url";
	f->refs[0].url = "http://";
	f->pc.addr_vars = &f->av;
	f->pc.port_vars = &f->pv;
	f->pc.flowbits = &f->fb;
	f->pc.flowints = &f->fi;
	f->pc.classes = f->classes;
	f->pc.nclasses = 2;
	f->pc.refs = f->refs;
	f->pc.nrefs = 1;
	f->pc.diag = &f->d;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_t *f = *state;
	var_table_free(&f->av);
	var_table_free(&f->pv);
	name_table_free(&f->fb);
	name_table_free(&f->fi);
	free(f);
	return 0;
}

static int parse(fixture_t *f, const char *text, setu_rule_t **r)
{
	memset(&f->d, 0, sizeof(f->d));
	return setu_rule_parse(&f->pc, text, strlen(text), r);
}

/* ---- table of rules: expected outcome and a substring of the message ---- */

typedef struct tcase {
	const char *rule;
	int rc;           /* 0, SETU_EPARSE, SETU_EUNSUPPORTED */
	const char *want; /* substring of the diag message (errors/skips) */
} tcase_t;

#define H "alert tcp any any -> any any "
#define OK(rule)              \
	{                     \
		rule, 0, NULL \
	}
#define BAD(rule, msg)                 \
	{                              \
		rule, SETU_EPARSE, msg \
	}
#define SKIP(rule, kw)                      \
	{                                   \
		rule, SETU_EUNSUPPORTED, kw \
	}

static const tcase_t cases[] = {
    /* header */
    OK("alert tcp any any -> any any (sid:1;)"),
    OK("pass udp any any <> any 53 (sid:1;)"),
    OK("drop icmp any any -> any any (sid:1;)"),
    OK("reject ip [1.2.3.4,5.6.7.0/24] any -> ![10.0.0.0/8,!10.1.1.1] any (sid:1;)"),
    OK("alert tcp $HOME_NET [1024:,!2000:2100] -> $EXTERNAL_NET $HTTP_PORTS (sid:1;)"),
    OK("alert tcp 2001:db8::/32 :1023 -> ::1 [80,443] (sid:1;)"),
    OK("alert ip 1.2.3.4-1.2.3.10 any -> 10.0.0.0/255.0.0.0 any (sid:1;)"),
    OK("alert http any any -> any any (content:\"GET\"; sid:1;)"),
    OK("alert pkthdr any any -> any any (sid:1;)"),
    OK("alert tcp $HOME_NET any -> $EXTERNAL_NET !5800,!445 (sid:1;)"),
    OK("alert ip any any -> any $SHELLCODE_PORTS (sid:1;)"),
    BAD("bogus tcp any any -> any any (sid:1;)", "unknown rule action 'bogus'"),
    BAD("alert foo any any -> any any (sid:1;)", "unknown protocol 'foo'"),
    BAD("alert tcp any any <- any any (sid:1;)", "'<-' is not valid"),
    BAD("alert tcp any any <= any any (sid:1;)", "invalid direction"),
    BAD("alert tcp any any -> any (sid:1;)", "missing destination port"),
    BAD("alert tcp any any -> any any sid:1;", "expected '('"),
    BAD("alert tcp any any -> any any (sid:1;", "must end with ')'"),
    BAD("alert tcp 1.2.3.256 any -> any any (sid:1;)", "invalid address '1.2.3.256'"),
    BAD("alert tcp 1.2.3.4/33 any -> any any (sid:1;)", "invalid prefix length"),
    BAD("alert tcp 1.2.3.9-1.2.3.1 any -> any any (sid:1;)", "start is above end"),
    BAD("alert tcp !any any -> any any (sid:1;)", "matches nothing"),
    BAD("alert tcp $NOPE any -> any any (sid:1;)", "undefined address variable '$NOPE'"),
    BAD("alert tcp any 70000 -> any any (sid:1;)", "invalid port '70000'"),
    BAD("alert tcp any 90:80 -> any any (sid:1;)", "start is above end"),
    BAD("alert tcp any [80,443 -> any any (sid:1;)", "expected ',' or ']'"),
    BAD("alert icmp any 80 -> any any (sid:1;)", "ports can't be used with icmp"),
    BAD("alert tcp any !any -> any any (sid:1;)", "matches nothing"),
    /* option syntax */
    BAD(H "(msg:\"x\" sid:1;)", "quoted string"),
    BAD(H "(noalert sid:1;)", "not terminated by ';'"),
    BAD(H "(msg:\"x\"; sid:1)", "not terminated by ';'"),
    BAD(H "(msg:\"x\";)", "rule has no sid"),
    BAD(H "(:x; sid:1;)", "empty option name"),
    BAD(H "(nocase:1; sid:1;)", "takes no value"),
    BAD(H "(sid;)", "needs a value"),
    SKIP(H "(stream_size:server,>,1; sid:1;)", "keyword 'stream_size' not supported"),
    SKIP(H "(content:\"a\"; base64_decode; sid:1;)",
         "keyword 'base64_decode' not supported"),
    SKIP(H "(foo_bar:1; sid:1;)", "keyword 'foo_bar' not supported"),
    /* meta */
    OK(H "(msg:\"semi\\; colon\\: quote\\\" ok\"; sid:1; rev:2; gid:3;)"),
    OK(H "(msg:\"a;b inside quotes\"; sid:1;)"),
    BAD(H "(msg:unquoted; sid:1;)", "quoted string"),
    BAD(H "(msg:\"a\"; msg:\"b\"; sid:1;)", "duplicated 'msg'"),
    BAD(H "(sid:0;)", "sid: invalid value"),
    BAD(H "(sid:abc;)", "sid: invalid value"),
    BAD(H "(sid:1; sid:2;)", "duplicated 'sid'"),
    BAD(H "(sid:1; rev:x;)", "rev: invalid value"),
    OK(H "(classtype:trojan-activity; sid:1;)"),
    BAD(H "(classtype:nope; sid:1;)", "unknown classtype 'nope'"),
    BAD(H "(classtype:misc-activity; classtype:misc-activity; sid:1;)",
        "duplicated 'classtype'"),
    OK(H "(priority:2; sid:1;)"),
    BAD(H "(priority:0; sid:1;)", "priority: invalid value"),
    OK(H "(reference:url,example.com/x; sid:1;)"),
    BAD(H "(reference:cve; sid:1;)", "expected 'type,value'"),
    BAD(H "(reference:foo,bar; sid:1;)", "unknown type 'foo'"),
    OK(H "(metadata:created_at 2020_01_01, updated_at 2021_02_02; sid:1;)"),
    OK(H "(target:src_ip; sid:1;)"),
    BAD(H "(target:both; sid:1;)", "expected src_ip or dest_ip"),
    OK(H "(noalert; sid:1;)"),
    OK(H "(tag:session,10,packets; sid:1;)"),
    OK(H "(tag:host,60,seconds,src; sid:1;)"),
    BAD(H "(tag:flow; sid:1;)", "session or host"),
    BAD(H "(tag:session,10,minutes; sid:1;)", "invalid metric"),
    BAD(H "(tag:session,10,packets,src; sid:1;)", "only valid for host"),
    OK("alert pkthdr any any -> any any (decode-event:ipv4.trunc_pkt; sid:1;)"),
    OK("alert pkthdr any any -> any any (decode-event:decoder.ipv4.trunc_pkt; sid:1;)"),
    SKIP("alert pkthdr any any -> any any (decode-event:ipv4.no_such_event; sid:1;)",
         "'decode-event' not supported for event 'ipv4.no_such_event'"),
    OK(H "(stream-event:pkt_invalid_ack; sid:1;)"),
    SKIP(H "(stream-event:nope; sid:1;)", "'stream-event' not supported"),
    /* content */
    OK(H "(content:\"abc\"; sid:1;)"),
    OK(H "(content:\"|00 01 ff|abc|0a|\"; nocase; sid:1;)"),
    OK(H "(content:!\"abc\"; sid:1;)"),
    OK(H "(content:\"a\\;b\\\"c\\\\d\\:e\"; sid:1;)"),
    BAD(H "(content:\"\"; sid:1;)", "empty pattern"),
    BAD(H "(content:\"|0|\"; sid:1;)", "odd number of hex digits"),
    BAD(H "(content:\"|zz|\"; sid:1;)", "invalid hex character 'z'"),
    BAD(H "(content:\"|00\"; sid:1;)", "unterminated hex block"),
    BAD(H "(content:\"a\\nb\"; sid:1;)", "invalid escape '\\n'"),
    BAD(H "(content:\"abc; sid:1;)", "unbalanced quotes"),
    BAD(H "(nocase; sid:1;)", "nocase needs a preceding content"),
    BAD(H "(content:\"a\"; nocase; nocase; sid:1;)", "multiple nocase"),
    OK(H "(content:\"a\"; rawbytes; sid:1;)"),
    OK(H "(content:\"abc\"; offset:2; depth:10; sid:1;)"),
    OK(H "(content:\"a\"; content:\"b\"; distance:-2; within:5; sid:1;)"),
    BAD(H "(content:\"abc\"; depth:2; sid:1;)", "smaller than the content length"),
    BAD(H "(content:\"abc\"; depth:0; sid:1;)", "depth can't be 0"),
    BAD(H "(content:\"abc\"; depth:-1; sid:1;)", "negative value"),
    BAD(H "(content:\"abc\"; depth:4; depth:5; sid:1;)", "multiple depth"),
    BAD(H "(content:\"a\"; content:\"abc\"; within:2; sid:1;)",
        "less than the content length"),
    BAD(H "(content:\"a\"; depth:3; distance:1; sid:1;)", "relative keyword"),
    BAD(H "(content:\"a\"; distance:1; offset:3; sid:1;)", "relative keyword"),
    BAD(H "(content:\"a\"; depth:zz; sid:1;)",
        "unknown byte_extract/byte_math variable 'zz'"),
    BAD(H "(content:\"a\"; depth:99999999999; sid:1;)", "invalid value"),
    OK(H "(content:\"abc\"; startswith; sid:1;)"),
    OK(H "(content:\"abc\"; endswith; sid:1;)"),
    OK(H "(content:!\"abc\"; startswith; sid:1;)"),
    BAD(H "(content:\"abc\"; depth:4; startswith; sid:1;)", "startswith can't be mixed"),
    BAD(H "(content:\"abc\"; startswith; offset:1; sid:1;)",
        "can't be combined with startswith"),
    BAD(H "(content:\"abc\"; endswith; endswith; sid:1;)", "multiple endswith"),
    OK(H "(content:\"abc\"; fast_pattern; content:\"x\"; sid:1;)"),
    OK(H "(content:\"abcdef\"; fast_pattern:2,3; sid:1;)"),
    OK(H "(content:\"abcdef\"; fast_pattern:only; sid:1;)"),
    BAD(H "(content:\"abc\"; fast_pattern; content:\"d\"; fast_pattern; sid:1;)",
        "only one content"),
    BAD(H "(content:\"abc\"; fast_pattern:2,3; sid:1;)", "exceeds the content length"),
    BAD(H "(content:\"abc\"; fast_pattern:x; sid:1;)", "invalid argument"),
    BAD(H "(content:!\"abc\"; fast_pattern:only; sid:1;)", "negated content"),
    BAD(H "(content:\"abc\"; depth:5; fast_pattern:only; sid:1;)",
        "can't be used with depth"),
    BAD(H "(content:\"abc\"; fast_pattern:only; content:\"d\"; distance:0; sid:1;)",
        "followed by a relative keyword"),
    /* isdataat / dsize */
    OK(H "(content:\"a\"; isdataat:2,relative; sid:1;)"),
    OK(H "(isdataat:!10; sid:1;)"),
    BAD(H "(isdataat:5,sideways; sid:1;)", "unknown option 'sideways'"),
    BAD(H "(isdataat:70000; sid:1;)", "too large"),
    OK(H "(dsize:>10; sid:1;)"),
    OK(H "(dsize:10<>20; sid:1;)"),
    OK(H "(dsize:!5; sid:1;)"),
    BAD(H "(dsize:20<>10; sid:1;)", "must be below end"),
    BAD(H "(dsize:<0; sid:1;)", "can never match"),
    BAD(H "(dsize:1; dsize:2; sid:1;)", "2 or more dsizes"),
    BAD(H "(dsize:abc; sid:1;)", "invalid value"),
    BAD(H "(dsize:>3; flow:only_stream; sid:1;)", "both packet"),
    /* pcre */
    OK(H "(pcre:\"/ab+c/ismxAEGRBO\"; sid:1;)"),
    OK(H "(pcre:!\"/abc/\"; sid:1;)"),
    OK(H "(content:\"a\"; pcre:\"/\\;x\\\"/R\"; sid:1;)"),
    BAD(H "(pcre:\"abc\"; sid:1;)", "must start with '/'"),
    BAD(H "(pcre:/abc/; sid:1;)", "quoted string"),
    BAD(H "(pcre:\"/abc\"; sid:1;)", "missing closing '/'"),
    BAD(H "(pcre:\"/abc/q\"; sid:1;)", "unknown modifier 'q'"),
    BAD(H "(pcre:\"/a(b/\"; sid:1;)", "pcre:"),
    BAD(H "(pcre:\"/a/RR\"; sid:1;)", "'R' given twice"),
    SKIP(H "(pcre:\"/(?P<pkt_x>a)/\"; sid:1;)",
         "keyword 'pcre/capture-var' not supported"),
    SKIP(H "(pcre:\"/(?P<pkt_x>a)/\"; sid:1;)", "pcre/capture-var"),
    /* byte_* */
    OK(H "(byte_test:2,>,100,0; sid:1;)"),
    OK(H "(content:\"a\"; byte_test:4,!&,0x10,2,relative,little; sid:1;)"),
    OK(H "(byte_test:3,=,123,0,string,dec; sid:1;)"),
    OK(H "(byte_test:1,!,5,0; sid:1;)"),
    OK(H "(byte_test:2,<=,5,0,bitmask 0x3ff0; sid:1;)"),
    BAD(H "(byte_test:2,>,100; sid:1;)", "at least 4 arguments"),
    BAD(H "(byte_test:9,>,1,0; sid:1;)", "more than 8 bytes"),
    BAD(H "(byte_test:24,>,1,0,string,dec; sid:1;)", "more than 23 bytes"),
    BAD(H "(byte_test:0,>,1,0; sid:1;)", "0 bytes needs 'string'"),
    BAD(H "(byte_test:2,~,1,0; sid:1;)", "invalid operator"),
    BAD(H "(byte_test:2,>,1,0,sideways; sid:1;)", "unknown option"),
    BAD(H "(byte_test:2,>,nope,0; sid:1;)", "neither a number nor"),
    BAD(H "(byte_test:2,>,1,0,string,dec,little; sid:1;)", "endianness"),
    SKIP(H "(byte_test:2,>,1,0,dce; sid:1;)", "byte_test/dce"),
    OK(H "(byte_jump:4,0,relative,little,multiplier 2,align,post_offset -2; sid:1;)"),
    OK(H "(byte_jump:0,0,relative,post_offset -13; sid:1;)"),
    OK(H "(byte_jump:2,0,from_beginning; sid:1;)"),
    OK(H "(byte_extract:1,0,n; byte_jump:n,0,relative; byte_test:n,=,1,0; sid:1;)"),
    OK(H "(ttl:5; prefilter; sid:1;)"),
    BAD(H "(prefilter; sid:1;)", "needs a preceding keyword"),
    OK(H "(byte_jump:2,0,from_end,post_offset -4; sid:1;)"),
    BAD(H "(byte_jump:2; sid:1;)", "at least 2 arguments"),
    BAD(H "(byte_jump:2,0,from_beginning,from_end; sid:1;)", "can't be combined"),
    BAD(H "(byte_jump:2,0,multiplier 0; sid:1;)", "invalid multiplier"),
    BAD(H "(byte_jump:2,0,post_offset x; sid:1;)", "invalid post_offset"),
    OK(H "(byte_extract:2,0,len; content:\"a\"; distance:len; byte_test:1,>,len,0; "
         "sid:1;)"),
    OK(H "(byte_extract:4,2,v,relative,little,multiplier 2,align 4; sid:1;)"),
    BAD(H "(byte_extract:2,0; sid:1;)", "at least 3 arguments"),
    BAD(H "(byte_extract:2,0,v; byte_extract:2,0,v; sid:1;)", "already defined"),
    BAD(H "(byte_extract:2,0,v,align 3; sid:1;)", "align must be 2 or 4"),
    OK(H "(byte_math:bytes 2, offset 0, oper +, rvalue 10, result r; byte_test:2,>,r,0; "
         "sid:1;)"),
    OK(H "(byte_math:bytes 1, offset 0, oper <<, rvalue 2, result r, relative, endian "
         "little; sid:1;)"),
    BAD(H "(byte_math:bytes 2, offset 0, oper +, result r; sid:1;)", "required"),
    BAD(H "(byte_math:bytes 2, offset 0, oper %, rvalue 1, result r; sid:1;)",
        "invalid operator"),
    BAD(H "(byte_math:bytes 2, offset 0, oper /, rvalue 0, result r; sid:1;)",
        "division by zero"),
    /* flow */
    OK(H "(flow:established,to_server; sid:1;)"),
    OK(H "(flow:from_server,not_established,no_stream; sid:1;)"),
    OK(H "(flow:stateless,only_frag; sid:1;)"),
    BAD(H "(flow:established,not_established; sid:1;)", "can't be combined"),
    BAD(H "(flow:to_server,to_client; sid:1;)", "can't both be set"),
    BAD(H "(flow:only_stream,no_stream; sid:1;)", "can't both be set"),
    BAD(H "(flow:sideways; sid:1;)", "invalid option 'sideways'"),
    BAD(H "(flow:established,established; sid:1;)", "given twice"),
    BAD(H "(flow:established; flow:to_server; sid:1;)", "only one flow keyword"),
    /* flowbits / flowint */
    OK(H "(flowbits:set,a.b; flowbits:noalert; sid:1;)"),
    OK(H "(flowbits:isset,a|b|c; sid:1;)"),
    OK(H "(flowbits:isnotset,a&b; sid:1;)"),
    OK(H "(flowbits:setx,a,60; sid:1;)"),
    OK(H "(flowbits:toggle,a; flowbits:unset,b; sid:1;)"),
    BAD(H "(flowbits:set,a|b; sid:1;)", "only valid with isset"),
    BAD(H "(flowbits:isset,a|b&c; sid:1;)", "can't be mixed"),
    BAD(H "(flowbits:explode,a; sid:1;)", "invalid command"),
    BAD(H "(flowbits:set; sid:1;)", "needs a flowbit name"),
    BAD(H "(flowbits:set,a b; sid:1;)", "invalid flowbit name"),
    BAD(H "(flowbits:noalert,a; sid:1;)", "noalert takes no name"),
    BAD(H "(flowbits:setx,a; sid:1;)", "setx needs"),
    OK(H "(flowint:cnt,+,1; flowint:cnt,>=,10; flowint:other,=,cnt; sid:1;)"),
    OK(H "(flowint:cnt,isset; flowint:x,notset; sid:1;)"),
    BAD(H "(flowint:cnt,+; sid:1;)", "needs a value"),
    BAD(H "(flowint:cnt,isset,1; sid:1;)", "takes no value"),
    BAD(H "(flowint:cnt,**,1; sid:1;)", "invalid operator"),
    BAD(H "(flowint:cnt,=,-5; sid:1;)", "invalid value"),
    /* threshold / detection_filter */
    OK(H "(threshold:type limit, track by_src, seconds 60, count 1; sid:1;)"),
    OK(H "(threshold:type both,track by_dst,count 5,seconds 360; sid:1;)"),
    OK(H "(threshold:type backoff, track by_flow, count 1, multiplier 2; sid:1;)"),
    OK(H "(detection_filter:track by_rule, count 10, seconds 5; sid:1;)"),
    BAD(H "(threshold:type limit, track by_src, count 1; sid:1;)", "missing seconds"),
    BAD(H "(threshold:type sometimes, track by_src, count 1, seconds 1; sid:1;)",
        "invalid type"),
    BAD(H "(threshold:type limit, track by_moon, count 1, seconds 1; sid:1;)",
        "invalid track"),
    BAD(H "(threshold:track by_src, count 1, seconds 1; sid:1;)", "missing type"),
    BAD(H "(threshold:type limit, track by_src, count 0, seconds 1; sid:1;)",
        "count must be > 0"),
    BAD(H "(threshold:type backoff, track by_src, count 1, multiplier 2; sid:1;)",
        "by_flow"),
    BAD(H "(threshold:type backoff, track by_flow, count 1; sid:1;)",
        "needs a multiplier"),
    BAD(H "(threshold:type limit, track by_src, count 1, seconds 1, color red; sid:1;)",
        "unknown option"),
    BAD(H
        "(threshold:type limit, track by_src, count 1, seconds 1; detection_filter:track "
        "by_src, count 1, seconds 1; sid:1;)",
        "only one threshold"),
    /* ip */
    OK(H "(ttl:<5; ttl:10-20; sid:1;)"),
    OK(H "(tos:8; tos:!x10; sid:1;)"),
    OK(H "(ipopts:lsrr; sid:1;)"),
    OK(H "(fragbits:M+; sid:1;)"),
    OK(H "(fragbits:*MD; sid:1;)"),
    OK(H "(fragoffset:>0; sid:1;)"),
    OK(H "(id:31337; sid:1;)"),
    OK(H "(ip_proto:TCP; sid:1;)"),
    OK(H "(ip_proto:!17; sid:1;)"),
    OK(H "(sameip; sid:1;)"),
    BAD(H "(ttl:300; sid:1;)", "invalid value"),
    BAD(H "(tos:300; sid:1;)", "invalid value"),
    BAD(H "(ipopts:bogus; sid:1;)", "invalid option"),
    BAD(H "(ipopts:rr; ipopts:ts; sid:1;)", "only one ipopts"),
    BAD(H "(fragbits:X; sid:1;)", "invalid flag 'X'"),
    BAD(H "(id:70000; sid:1;)", "invalid value"),
    BAD(H "(ip_proto:martian; sid:1;)", "unknown protocol"),
    /* tcp */
    OK(H "(flags:S,12; sid:1;)"),
    OK(H "(flags:+SA; sid:1;)"),
    OK(H "(flags:*FPU; sid:1;)"),
    OK(H "(flags:!R; sid:1;)"),
    OK(H "(flags:0; sid:1;)"),
    OK(H "(tcp.flags:SA,CE; sid:1;)"),
    OK(H "(seq:0; ack:12345; window:!1024; tcp.mss:<536; sid:1;)"),
    BAD(H "(flags:SX; sid:1;)", "invalid flag 'X'"),
    BAD(H "(flags:+*S; sid:1;)", "more than one modifier"),
    BAD(H "(flags:0S; sid:1;)", "can't be combined"),
    BAD(H "(flags:S,Z; sid:1;)", "invalid mask flag"),
    BAD(H "(flags:S; flags:A; sid:1;)", "only one flags"),
    BAD(H "(seq:-1; sid:1;)", "invalid value"),
    BAD(H "(window:70000; sid:1;)", "invalid value"),
    BAD(H "(tcp.mss:<>; sid:1;)", "invalid"),
    /* icmp */
    OK("alert icmp any any -> any any (itype:8; icode:0; icmp_id:1; icmp_seq:2; sid:1;)"),
    OK("alert icmp any any -> any any (itype:>3; icode:1<>5; sid:1;)"),
    BAD("alert icmp any any -> any any (itype:256; sid:1;)", "invalid value"),
    BAD("alert icmp any any -> any any (icmp_id:x; sid:1;)", "invalid value"),
};

static void test_cases(void **state)
{
	fixture_t *f = *state;
	int failures = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const tcase_t *c = &cases[i];
		setu_rule_t *r = NULL;
		int rc = parse(f, c->rule, &r);
		bool ok =
		    rc == c->rc && (c->want == NULL || strstr(f->d.msg, c->want) != NULL);
		if (rc == 0 && r == NULL)
			ok = false;
		if (!ok) {
			print_error("case %zu: %s\n  want rc=%d '%s', got rc=%d '%s'\n",
			            i, c->rule, c->rc, c->want ? c->want : "", rc,
			            f->d.msg);
			failures++;
		}
		if (rc != 0 && r != NULL)
			failures++;
		setu_rule_free(r);
	}
	assert_int_equal(failures, 0);
}

static void test_fields(void **state)
{
	fixture_t *f = *state;
	setu_rule_t *r;
	assert_int_equal(
	    parse(
	        f,
	        "drop tcp $HOME_NET any -> any 80 (msg:\"a\\;b\"; "
	        "classtype:trojan-activity; "
	        "reference:url,example.com; metadata:k v, k2 v2; sid:42; rev:7; gid:3;)",
	        &r),
	    0);
	assert_string_equal(r->info.msg, "a;b");
	assert_int_equal(r->info.sid, 42);
	assert_int_equal(r->info.rev, 7);
	assert_int_equal(r->info.gid, 3);
	assert_int_equal(r->info.action, SETU_ACTION_DROP);
	assert_string_equal(r->info.classtype, "trojan-activity");
	assert_string_equal(r->info.category, "A Network Trojan was detected");
	assert_int_equal(r->info.priority, 1);
	assert_int_equal(r->info.nreferences, 1);
	assert_string_equal(r->info.references[0], "url,http://example.com");
	assert_int_equal(r->info.nmetadata, 2);
	assert_string_equal(r->info.metadata[1], "k2 v2");
	setu_rule_free(r);
	/* explicit priority wins in either order */
	assert_int_equal(
	    parse(f, H "(priority:2; classtype:trojan-activity; sid:1;)", &r), 0);
	assert_int_equal(r->info.priority, 2);
	setu_rule_free(r);
	assert_int_equal(
	    parse(f, H "(classtype:trojan-activity; priority:4; sid:1;)", &r), 0);
	assert_int_equal(r->info.priority, 4);
	setu_rule_free(r);
	assert_int_equal(parse(f, H "(sid:1;)", &r), 0);
	assert_int_equal(r->info.priority, 3);
	setu_rule_free(r);
}

static void test_content_decode_and_fp(void **state)
{
	fixture_t *f = *state;
	setu_rule_t *r;
	assert_int_equal(parse(f,
	                       H "(content:\"A|42 43|\\\"\"; content:\"longer one\"; "
	                         "content:!\"longest negated one\"; sid:1;)",
	                       &r),
	                 0);
	assert_int_equal(r->lists[LIST_PMATCH].n, 3);
	const sm_content_t *c0 = r->lists[LIST_PMATCH].v[0].u.ct;
	assert_int_equal(c0->len, 4);
	assert_memory_equal(c0->pat, "ABC\"", 4);
	/* longest positive content is the fast pattern, negated ones are not used */
	assert_int_equal(r->fp_index, 1);
	setu_rule_free(r);
	assert_int_equal(
	    parse(f, H "(content:\"longer one\"; content:\"ab\"; fast_pattern; sid:1;)",
	          &r),
	    0);
	assert_int_equal(r->fp_index, 1);
	setu_rule_free(r);
	assert_int_equal(parse(f, H "(content:!\"only negated\"; sid:1;)", &r), 0);
	assert_int_equal(r->fp_index, -1);
	setu_rule_free(r);
	/* relative chaining marks the previous keyword */
	assert_int_equal(
	    parse(f,
	          H "(content:\"a\"; pcre:\"/b/R\"; byte_test:1,=,1,0,relative; sid:1;)",
	          &r),
	    0);
	assert_true(r->lists[LIST_PMATCH].v[0].u.ct->flags & CT_RELATIVE_NEXT);
	assert_true(r->lists[LIST_PMATCH].v[1].u.rx->flags & RX_RELATIVE_NEXT);
	/* TCP payload rule: inspected on the stream */
	assert_true(r->flags & RF_REQ_STREAM);
	setu_rule_free(r);
	assert_int_equal(parse(f, H "(content:\"a\"; dsize:>1; sid:1;)", &r), 0);
	assert_true(r->flags & RF_REQ_PACKET);
	assert_false(r->flags & RF_REQ_STREAM);
	setu_rule_free(r);
	/* a content anchored with depth/offset: stream and packets (Suricata) */
	assert_int_equal(parse(f, H "(content:\"a\"; depth:4; sid:1;)", &r), 0);
	assert_true(r->flags & RF_REQ_STREAM);
	assert_true(r->flags & RF_REQ_PACKET);
	assert_false(r->flags & RF_PKT_ONLY);
	setu_rule_free(r);
	assert_int_equal(parse(f, H "(flow:only_stream; content:\"a\"; sid:1;)", &r), 0);
	assert_true(r->flags & RF_STREAM_ONLY);
	setu_rule_free(r);
	/* udp payload rules are packet rules */
	assert_int_equal(
	    parse(f, "alert udp any any -> any any (content:\"a\"; sid:1;)", &r), 0);
	assert_false(r->flags & RF_REQ_STREAM);
	setu_rule_free(r);
	assert_int_equal(
	    parse(f, "alert http any any -> any any (content:\"a\"; sid:1;)", &r), 0);
	assert_true(r->flags & RF_APPLAYER);
	assert_string_equal(r->applayer, "http");
	setu_rule_free(r);
}

static void test_addresses(void **state)
{
	fixture_t *f = *state;
	setu_rule_t *r;
	assert_int_equal(parse(f,
	                       "alert tcp [10.0.0.0/8,!10.1.0.0/16] any -> $EXTERNAL_NET "
	                       "[1:100,!50] (sid:1;)",
	                       &r),
	                 0);
	setu_addr_t a;
	assert_int_equal(setu_addr_parse(&a, "10.2.3.4"), 0);
	assert_true(ipset_match_addr(&r->src, &a));
	assert_int_equal(setu_addr_parse(&a, "10.1.3.4"), 0);
	assert_false(ipset_match_addr(&r->src, &a));
	assert_int_equal(setu_addr_parse(&a, "11.0.0.1"), 0);
	assert_false(ipset_match_addr(&r->src, &a));
	/* EXTERNAL_NET = !HOME_NET: public and IPv6 addresses are external */
	assert_true(ipset_match_addr(&r->dst, &a));
	assert_int_equal(setu_addr_parse(&a, "192.168.1.1"), 0);
	assert_false(ipset_match_addr(&r->dst, &a));
	assert_int_equal(setu_addr_parse(&a, "2001:db8::1"), 0);
	assert_true(ipset_match_addr(&r->dst, &a));
	assert_true(ipset_match_port(&r->dp, 49));
	assert_false(ipset_match_port(&r->dp, 50));
	assert_true(ipset_match_port(&r->dp, 100));
	assert_false(ipset_match_port(&r->dp, 101));
	assert_true(r->sp.any);
	setu_rule_free(r);
}

/* ---- whole-file loading through the public API ---- */

typedef struct probs {
	int errors, skips;
	char last[512];
	char last_kw[64];
} probs_t;

static void on_problem(void *user, const setu_detect_problem_t *pb)
{
	probs_t *p = user;
	if (pb->skipped) {
		p->skips++;
		snprintf(p->last_kw, sizeof(p->last_kw), "%s", pb->keyword);
	} else {
		p->errors++;
	}
	setu_diag_format(pb->diag, p->last, sizeof(p->last));
}

static void test_load_mem(void **state)
{
	(void)state;
	const char *text =
	    "# a comment\n"
	    "\n"
	    "alert tcp any any -> any any (msg:\"ok\"; content:\"abc\"; sid:1;)\n"
	    "alert tcp any any -> any any (msg:\"multi\"; \\\n"
	    "   content:\"def\"; sid:2;)\n"
	    "#alert tcp any any -> any any (msg:\"disabled\"; sid:3;)\n"
	    "alert tcp any any -> any any (msg:\"skip\"; xbits:isset,a,track ip_src; "
	    "sid:4;)\n"
	    "alert tcp any any -> any any (msg:\"bad\"; depth:3; sid:5;)\n"
	    "alert tcp any any -> any any (msg:\"dup\"; sid:1; rev:0;)\n"
	    "alert ftp any any -> any any (msg:\"pending\"; sid:6;)\n";
	probs_t p = {0};
	setu_diag_t d = {0};
	setu_detect_engine_t *de = setu_detect_engine_load_mem(
	    NULL, "mem.rules", text, strlen(text), on_problem, &p, &d);
	assert_non_null(de);
	const setu_detect_stats_t *st = setu_detect_engine_stats(de);
	assert_int_equal(st->rules_total, 6);
	assert_int_equal(st->loaded, 3);
	assert_int_equal(st->applayer_pending, 1);
	assert_int_equal(st->skipped, 1);
	assert_int_equal(st->failed, 2);
	assert_int_equal(st->duplicate, 1);
	assert_int_equal(st->nunsupported, 1);
	assert_string_equal(st->unsupported[0].keyword, "xbits");
	assert_int_equal(p.skips, 1);
	assert_int_equal(p.errors, 2);
	assert_string_equal(p.last_kw, "xbits");
	assert_non_null(strstr(p.last, "mem.rules:9: duplicate signature 1:1"));
	setu_detect_engine_free(de);
}

static void test_error_position(void **state)
{
	(void)state;
	const char *text =
	    "alert tcp any any -> any any (msg:\"x\"; content:\"|zz|\"; sid:1;)\n";
	probs_t p = {0};
	setu_diag_t d = {0};
	setu_detect_engine_t *de = setu_detect_engine_load_mem(
	    NULL, "f.rules", text, strlen(text), on_problem, &p, &d);
	assert_non_null(de);
	/* column of the content option */
	assert_non_null(strstr(p.last, "f.rules:1:40: content: invalid hex character"));
	setu_detect_engine_free(de);
}

static void test_bad_var_is_fatal(void **state)
{
	(void)state;
	setu_detect_var_t v = {"HOME_NET", "[10.0.0.0/8,nonsense]"};
	setu_detect_config_t cfg = {0};
	cfg.address_vars = &v;
	cfg.naddress_vars = 1;
	setu_diag_t d = {0};
	setu_detect_engine_t *de =
	    setu_detect_engine_load_mem(&cfg, "x", "", 0, NULL, NULL, &d);
	assert_null(de);
	assert_non_null(strstr(d.msg, "HOME_NET"));
	/* a var loop is refused too */
	setu_detect_var_t loop[2] = {{"A", "$B"}, {"B", "$A"}};
	cfg.address_vars = loop;
	cfg.naddress_vars = 2;
	de = setu_detect_engine_load_mem(&cfg, "x", "", 0, NULL, NULL, &d);
	assert_null(de);
	assert_non_null(strstr(d.msg, "too deep"));
}

static char *write_tmp(const char *content)
{
	char *path = strdup("/tmp/setu_detect_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	return path;
}

static void test_config_files(void **state)
{
	(void)state;
	char *cls =
	    write_tmp("# comment\nconfig classification: bad-thing,A Bad Thing,1\n"
	              "config classification: meh,Meh, 3\n");
	char *ref = write_tmp("config reference: cve https://cve.example/\n");
	char *thr = write_tmp(
	    "suppress gen_id 1, sig_id 10\n"
	    "suppress gen_id 1, sig_id 11, track by_src, ip 10.0.0.0/8\n"
	    "threshold gen_id 1, sig_id 12, type limit, track by_dst, count 1, "
	    "seconds 60\n"
	    "event_filter gen_id 1, sig_id 13, type both, track by_src, count 2, "
	    "seconds 60\n"
	    "rate_filter gen_id 1, sig_id 14, track by_rule, count 2, seconds 60, "
	    "new_action drop, timeout 10\n");
	const char *text =
	    "alert tcp any any -> any any (classtype:bad-thing; reference:cve,2020-1; "
	    "sid:10;)\n"
	    "alert tcp any any -> any any (classtype:nope; sid:11;)\n"
	    "alert tcp any any -> any any (reference:bid,1; sid:12;)\n";
	setu_detect_config_t cfg = {0};
	cfg.classification_file = cls;
	cfg.reference_file = ref;
	cfg.threshold_file = thr;
	probs_t p = {0};
	setu_diag_t d = {0};
	setu_detect_engine_t *de = setu_detect_engine_load_mem(
	    &cfg, "c.rules", text, strlen(text), on_problem, &p, &d);
	assert_non_null(de);
	assert_int_equal(setu_detect_engine_stats(de)->loaded, 1);
	assert_int_equal(p.errors, 2);
	const setu_rule_t *r = de->rules[0];
	assert_string_equal(r->info.category, "A Bad Thing");
	assert_int_equal(r->info.priority, 1);
	assert_string_equal(r->info.references[0], "cve,https://cve.example/2020-1");
	assert_int_equal(r->nsuppress, 1);
	setu_detect_engine_free(de);

	/* broken config files are fatal with file:line */
	char *badthr = write_tmp("suppress gen_id 1\n");
	cfg.threshold_file = badthr;
	de = setu_detect_engine_load_mem(&cfg, "c.rules", text, strlen(text), NULL, NULL,
	                                 &d);
	assert_null(de);
	assert_int_equal(d.line, 1);
	assert_non_null(strstr(d.msg, "needs gen_id and sig_id"));
	char *badcls = write_tmp("config classification: x,y\n");
	cfg.threshold_file = NULL;
	cfg.classification_file = badcls;
	de = setu_detect_engine_load_mem(&cfg, "c.rules", text, strlen(text), NULL, NULL,
	                                 &d);
	assert_null(de);
	assert_int_equal(d.code, SETU_ECONFIG);
	cfg.classification_file = "/nonexistent/classification.config";
	de = setu_detect_engine_load_mem(&cfg, "c.rules", text, strlen(text), NULL, NULL,
	                                 &d);
	assert_null(de);
	const char *files[1] = {"/nonexistent/x.rules"};
	cfg.classification_file = NULL;
	de = setu_detect_engine_load(&cfg, files, 1, NULL, NULL, &d);
	assert_null(de);
	assert_int_equal(d.code, SETU_EIO);
	unlink(cls);
	unlink(ref);
	unlink(thr);
	unlink(badthr);
	unlink(badcls);
	free(cls);
	free(ref);
	free(thr);
	free(badthr);
	free(badcls);
}

/* The shared ET Open sets: nothing fails to parse except genuinely invalid rules. */
static void test_et_open(void **state)
{
	(void)state;
	const char *dir =
	    SETU_SOURCE_DIR "/../shared/testdata/rules/et-open-suricata5-2025-07-28";
	char path[1024];
	snprintf(path, sizeof(path), "%s/emerging-exploit.rules", dir);
	if (access(path, R_OK) != 0) {
		print_message("skipped: %s not present\n", path);
		skip();
	}
	const char *files[] = {path};
	probs_t p = {0};
	setu_diag_t d = {0};
	setu_detect_engine_t *de =
	    setu_detect_engine_load(NULL, files, 1, on_problem, &p, &d);
	assert_non_null(de);
	const setu_detect_stats_t *st = setu_detect_engine_stats(de);
	assert_int_equal(st->failed, 0);
	assert_true(st->loaded > 300);
	assert_true(st->prefilter_rules > 0);
	setu_detect_engine_free(de);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_cases, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_content_decode_and_fp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_addresses, setup, teardown),
	    cmocka_unit_test(test_load_mem),
	    cmocka_unit_test(test_error_position),
	    cmocka_unit_test(test_bad_var_is_fatal),
	    cmocka_unit_test(test_config_files),
	    cmocka_unit_test(test_et_open),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
