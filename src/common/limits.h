/* limits.h — every limit in setu, in one place, each with the reason for its value.
 * Defaults that a user may change through setu.yaml are marked (config: key). */
#ifndef SETU_LIMITS_H
#define SETU_LIMITS_H

/* Largest frame we accept from capture. 65535 covers IPv4/IPv6 max datagrams plus L2;
 * GRO/TSO-sized frames from live capture are up to 256 KiB on Linux. */
#define SETU_MAX_FRAME 262144u

/* Encapsulation depth (VLAN, PPPoE, GRE, VXLAN, IP-in-IP...). Suricata stops at a similar
 * depth; deeper nesting is an evasion or a loop, recorded as an anomaly. */
#define SETU_MAX_DECODE_DEPTH 8

/* Decode events stored on one packet. Real packets raise 0-2; beyond this we count
 * the overflow rather than grow. */
#define SETU_MAX_PKT_EVENTS 16

/* VLAN tags kept on a packet (QinQ = 2, Suricata keeps 3). */
#define SETU_MAX_VLAN 3

/* IPv4/IPv6 fragment reassembly: fragments per datagram and trackers in flight.
 * Windows and Linux accept ~64 fragments; more is an attack on the reassembler. */
#define SETU_DEFRAG_MAX_FRAGS 128u
#define SETU_DEFRAG_MEMCAP_DEFAULT (32u * 1024 * 1024) /* config: defrag.memcap */
#define SETU_DEFRAG_TIMEOUT_DEFAULT 60u                /* config: defrag.timeout */

/* Flow table. Suricata's defaults: memcap 128 MiB, hash size 65536, timeouts below. */
#define SETU_FLOW_MEMCAP_DEFAULT (128u * 1024 * 1024) /* config: flow.memcap */
#define SETU_FLOW_HASH_SIZE_DEFAULT 65536u            /* config: flow.hash-size */
#define SETU_FLOW_TIMEOUT_NEW_DEFAULT 30u        /* config: flow-timeouts.default.new */
#define SETU_FLOW_TIMEOUT_EST_DEFAULT 300u       /* ...default.established */
#define SETU_FLOW_TIMEOUT_CLOSED_DEFAULT 0u      /* ...default.closed */
#define SETU_FLOW_TIMEOUT_TCP_NEW_DEFAULT 60u    /* flow-timeouts.tcp.new */
#define SETU_FLOW_TIMEOUT_TCP_EST_DEFAULT 600u   /* flow-timeouts.tcp.established */
#define SETU_FLOW_TIMEOUT_TCP_CLOSED_DEFAULT 60u /* flow-timeouts.tcp.closed */
#define SETU_FLOW_TIMEOUT_UDP_NEW_DEFAULT 30u    /* flow-timeouts.udp.new */
#define SETU_FLOW_TIMEOUT_UDP_EST_DEFAULT 300u   /* flow-timeouts.udp.established */
#define SETU_FLOW_TIMEOUT_ICMP_NEW_DEFAULT 30u   /* flow-timeouts.icmp.new */
#define SETU_FLOW_TIMEOUT_ICMP_EST_DEFAULT 300u  /* flow-timeouts.icmp.established */

/* TCP reassembly. Suricata: stream.memcap 64 MiB, reassembly.memcap 256 MiB,
 * reassembly.depth 1 MiB per direction (enough for every app-layer we parse). */
#define SETU_STREAM_MEMCAP_DEFAULT (64u * 1024 * 1024) /* stream.memcap */
#define SETU_REASSEMBLY_MEMCAP_DEFAULT                                           \
	(256u * 1024 * 1024)                         /* stream.reassembly.memcap \
	                                              */
#define SETU_REASSEMBLY_DEPTH_DEFAULT (1024u * 1024) /* stream.reassembly.depth */
/* Out-of-order segments held per direction before we declare a gap: bounds memory
 * an attacker can pin with one flow. */
#define SETU_STREAM_MAX_SEGMENTS 65535u

/* Config file: largest YAML we read (a real setu.yaml is < 100 KiB). */
#define SETU_CONFIG_MAX_BYTES (4u * 1024 * 1024)

/* One EVE record. Payload-carrying alerts are base64 of up to 64 KiB plus fields. */
#define SETU_EVE_RECORD_MAX (1024u * 1024)
/* The EVE file's write buffer: records reach the file in writes of this size (one
 * write(2) per ~400 records of the bench mix, made under the sink's lock), and at the
 * monitor's periodic flush. glibc ignores a size given without a buffer (it would use
 * st_blksize, 4 KiB: a write per 7 records, the other workers waiting on the lock). */
#define SETU_EVE_WRITE_BUFFER (256u * 1024)
/* A record waits in that buffer at most about this long once another one is written
 * after it (live capture: alerts reach the file within a fraction of a second); idle
 * moments and the monitor's rounds flush too. */
#define SETU_EVE_FLUSH_MS 200u
/* Each worker gathers its EVE records and hands them to the sink (one lock) in blocks
 * of about this size (or when the oldest is SETU_EVE_FLUSH_MS old, or the worker is
 * idle): a lock per record had two workers waiting on each other hundreds of times a
 * second. */
#define SETU_EVE_WORKER_BUFFER (64u * 1024)

/* --- decode (owner: src/sensor/decode) --- */
/* Datagrams in reassembly at once (config: defrag.trackers). Suricata's default is 65535;
 * each costs a tracker (~200 B) before the memcap counts its fragments. */
#define SETU_DEFRAG_MAX_TRACKERS_DEFAULT 65535u
/* Hash buckets of the defrag table: a power of two, ~1/16 of the trackers at most. */
#define SETU_DEFRAG_HASH_SIZE 4096u
/* IPv6 unfragmentable part (header + extension headers before the fragment header) we
 * keep for the rebuilt datagram; real ones are 40-100 bytes, more is an evasion. */
#define SETU_DEFRAG_V6_UNFRAG_MAX 512u
/* Largest reassembled datagram: 65535 bytes of IPv6 payload plus its unfragmentable
 * part (IPv4: 65535 in total). */
#define SETU_DEFRAG_BUF_SIZE (65535u + SETU_DEFRAG_V6_UNFRAG_MAX)
/* MPLS labels we walk before giving up (RFC 3032 stacks are 1-4 deep in practice). */
#define SETU_MPLS_MAX_LABELS 16u

/* --- flow and stream (owner: src/sensor/flow, src/sensor/stream) --- */
/* Stream segment blocks a worker keeps for reuse after their data was handed on (a free
 * list per size class, 64 B..2 KiB blocks): a busy worker frees and makes ~1 segment a
 * packet, and 4 MiB holds a couple of thousand full-MSS segments. Not charged to the
 * reassembly memcap (it counts live segments, as before); larger segments use malloc. */
#define SETU_STREAM_SEG_POOL_BYTES (4u * 1024 * 1024)
/* Raw-stream window buffers (4 KiB doubling up to 1.5 x raw-window) a worker keeps for
 * the next flows when a flow ends: ~40 full windows, so that the flows ending each
 * second do not each grow a window through five reallocs and free it as a large chunk
 * (which makes glibc consolidate its bins). Not charged to the memcap either. */
#define SETU_STREAM_RAW_POOL_BYTES (4u * 1024 * 1024)

/* Flow emergency mode (Suricata's flow-timeouts.*.emergency-* and
 * flow.emergency-recovery): when the flow memcap is hit, idle flows are pruned with these
 * shorter timeouts; the table leaves emergency mode once memuse falls below (100 -
 * recovery)% of the memcap. */
#define SETU_FLOW_EMERG_RECOVERY_DEFAULT 30u       /* flow.emergency-recovery (%) */
#define SETU_FLOW_TIMEOUT_EMERG_NEW_DEFAULT 10u    /* ...default.emergency-new */
#define SETU_FLOW_TIMEOUT_EMERG_EST_DEFAULT 100u   /* ...default.emergency-established */
#define SETU_FLOW_TIMEOUT_EMERG_CLOSED_DEFAULT 0u  /* ...default.emergency-closed */
#define SETU_FLOW_TIMEOUT_TCP_EMERG_NEW_DEFAULT 5u /* ...tcp.emergency-new */
#define SETU_FLOW_TIMEOUT_TCP_EMERG_EST_DEFAULT 100u   /* ...tcp.emergency-established */
#define SETU_FLOW_TIMEOUT_TCP_EMERG_CLOSED_DEFAULT 10u /* ...tcp.emergency-closed */
/* Hash buckets: at least 1 (a table of 0 buckets is a config error), at most 16M
 * (128 MiB of bucket heads; more is a typo, not a need). */
#define SETU_FLOW_HASH_SIZE_MAX (16u * 1024 * 1024)
/* Raw-stream window kept per direction for stream rules: Suricata inspects raw stream
 * data in chunks of 2560 bytes (toserver/toclient-chunk-size); 64 KiB keeps many chunks
 * of context, the minimum keeps a chunk plus rule lookbehind. */
#define SETU_STREAM_RAW_WINDOW_DEFAULT 65535u /* stream.reassembly.raw-window */
#define SETU_STREAM_RAW_WINDOW_MIN 2048u
/* Bytes held per direction (out of order, or not yet ACKed) before we stop waiting and
 * hand them on over their holes (bounds what one flow can pin, with
 * SETU_STREAM_MAX_SEGMENTS; 4 MiB is several times a busy TCP window). */
#define SETU_STREAM_MAX_PENDING_BYTES (4u * 1024 * 1024)
/* TCP window scale cap from RFC 7323 §2.3: larger shift values are treated as 14. */
#define SETU_TCP_WSCALE_MAX 14u

/* --- detect (owner: src/sensor/detect) --- */
/* Detect engine arena: chunk size of the bump allocator holding accepted rules
 * (structs, keyword payloads, strings); bigger objects get a chunk of their own. */
#define SETU_DETECT_ARENA_CHUNK (256u * 1024)
/* Fast patterns remembered per TCP flow direction so that reassembled stream data is
 * prefiltered once (only new bytes are scanned, not the whole raw window again): a
 * direction whose window holds more distinct patterns falls back to scanning its whole
 * window each time (same alerts, more CPU). 16 bytes each. */
#define SETU_DETECT_STREAM_HITS_MAX 64u
/* (interval, rule) entries of one group's address index of rules without a fast pattern
 * (ET Open needs a few thousand): beyond it the group verifies those rules on every
 * packet, as without an index (slower, never wrong). Bounds memory of hostile sets. */
#define SETU_DETECT_IPIDX_MAX_ENTRIES (16u * 1024 * 1024)
/* An assembled or transformed app-layer buffer (http.header, http.start, a transform's
 * output) is cut at this size: bodies are already capped by the app-layer (100 KiB). */
#define SETU_DETECT_MAX_TX_BUFFER (1024u * 1024)
/* App-layer txs per flow whose inspection progress is tracked (the app-layer keeps at
 * most SETU_AL_MAX_TX_PER_FLOW queued); beyond it a tx is inspected once, when handed
 * over. */
#define SETU_DETECT_MAX_TX_INFLIGHT 256u
/* Rule files: a rule line (with continuations) longer than this is refused; the longest
 * ET Open rule is ~8 KiB. */
#define SETU_DETECT_MAX_RULE_LEN (64u * 1024)
/* A rule file larger than this is refused (the whole ET Open set is ~40 MiB in ~60
 * files). */
#define SETU_DETECT_MAX_FILE_BYTES (256u * 1024 * 1024)
/* Header token (address/port list after variable names): long lists are rare. */
#define SETU_DETECT_MAX_HEADER_TOKEN 8192
/* Ranges in one address/port set after expansion: bounds memory of hostile var nesting.
 */
#define SETU_DETECT_MAX_SET_RANGES 65536u
/* Variable nesting ($A = [$B,...]): Suricata refuses loops; 16 is deeper than any real
 * config. */
#define SETU_DETECT_MAX_VAR_DEPTH 16
/* Payload keywords (content, pcre, byte_*, isdataat) in one rule: ET's largest has ~40.
 */
#define SETU_DETECT_MAX_PAYLOAD_KW 256u
/* depth/offset/distance/within literal values (Suricata caps them at 65535 as well). */
#define SETU_DETECT_MAX_CONTENT_MOD 65535
/* Distinct flowbit / flowint names in one engine (ET Open uses ~1,500 flowbits). */
#define SETU_DETECT_MAX_FLOWVARS 65536u
/* Names in one flowbits `a|b|c` expression. */
#define SETU_DETECT_MAX_FLOWBITS_OR 32u
/* metadata/reference entries kept per rule. */
#define SETU_DETECT_MAX_META 64u
/* Recursion budget of the content inspection backtracking per rule and buffer
 * (Suricata's inspection-recursion-limit default is 3000). */
#define SETU_DETECT_INSPECT_RECURSION_LIMIT 3000u
/* Threshold tracking entries (by_src/by_dst/by_both) shared by all workers; when full,
 * the oldest expired entries are reused, else the event is counted and the alert passes
 * through unthresholded (fail open: never lose an alert). */
#define SETU_DETECT_THRESHOLD_MAX_ENTRIES 65536u
/* A per-port rule group (own Hyperscan database) is made only for a busy port with at
 * least this many port-specific rules; fewer go to the any-port group. Each database
 * costs compile time and memory; below ~32 rules verifying them directly is cheaper. */
#define SETU_DETECT_PORT_GROUP_MIN_RULES 32u
/* Threads compiling the groups' Hyperscan databases at load (capped by the CPUs online):
 * compiles are independent and dominate load time. */
#define SETU_DETECT_COMPILE_THREADS 4
/* A fast pattern that must end within the first this many payload bytes (depth/offset)
 * goes, for packets the stream covers, to a database scanned over those bytes only. In ET
 * Open nearly all such bounds are <= 32; larger ones are scanned with the rest. */
#define SETU_DETECT_HEAD_MAX 64u

/* --- applayer (owner: src/sensor/applayer) --- */
/* Protocol detection: bytes of a direction probed before giving up (Suricata probes a
 * few KiB; every protocol we detect says so in its first record/message). */
#define SETU_AL_PROBE_MAX 4096u
/* Transactions queued on one flow and not yet drained. Suricata's DNS request-flood
 * default and libhtp max-tx are 500/512: more is a flood, counted and new txs dropped. */
#define SETU_AL_MAX_TX_PER_FLOW 512u
/* DNS: one message is at most 64 KiB (TCP length prefix; UDP datagram). Names are cut at
 * 1025 bytes like Suricata (longest legal text form is 253), and compression pointers
 * followed at most 255 times before the name is declared a loop. */
#define SETU_DNS_MAX_MSG 65535u
#define SETU_DNS_MAX_NAME 1025u
#define SETU_DNS_MAX_JUMPS 255u
/* RRs kept per DNS message (all sections); real answers carry < 50. */
#define SETU_DNS_MAX_RRS 1024u
/* Names and rdata of one DNS message, decompressed: compression lets a 64 KiB message
 * expand ~500x; past 4x the message a tx keeps what fit and raises dns.malformed_data. */
#define SETU_DNS_ARENA_MAX (4u * SETU_DNS_MAX_MSG + 4096u)
/* HTTP bodies kept per tx for inspection (Suricata default-config: 100 KiB each).
 * (config: app-layer.protocols.http.libhtp.default-config.request-body-limit) */
#define SETU_HTTP_REQUEST_BODY_LIMIT_DEFAULT (100u * 1024)
#define SETU_HTTP_RESPONSE_BODY_LIMIT_DEFAULT (100u * 1024)
/* HTTP bytes libhtp could not take yet (it waits for the other direction, e.g. after
 * CONNECT or Expect: 100-continue); more than this pending means a stuck parser. */
#define SETU_HTTP_PENDING_MAX (1024u * 1024)
/* http.uri / http.host normalized copies per tx: libhtp's own field limit is 18000. */
#define SETU_HTTP_NORM_MAX 65536u
/* TLS: a record is at most 2^14 + 2048 bytes (RFC 5246 6.2.3); a handshake message we
 * buffer is bounded at 256 KiB (large certificate chains), beyond that it is skipped. */
#define SETU_TLS_MAX_RECORD (16384u + 2048u)
#define SETU_TLS_MAX_HANDSHAKE (256u * 1024)
/* Certificates kept per chain (Suricata logs the whole chain; real chains are <= 5). */
#define SETU_TLS_MAX_CERTS 16u
/* JA3 string: 5 fields of decimal lists; 2 KiB covers any real ClientHello. */
#define SETU_TLS_JA3_MAX 2048u

/* --- intel and STIX (owner: src/intel, src/hub/stix) --- */

/* Indicator sets (src/intel/ioc). Atoms per indicator: an expression is evaluated over a
 * 64-bit mask; STIX observations with more distinct property tests than that do not occur
 * in feeds (an OR over one property is one atom, whatever its number of values). */
#define SETU_IOC_MAX_ATOMS 64u
/* Postfix ops in one indicator's expression (64 atoms need at most 127 ops + NOTs). */
#define SETU_IOC_MAX_EXPR_OPS 256u
/* Indicators evaluated per match call; more candidates are counted and skipped (a value
 * shared by hundreds of indicators is a feed error; bounded work per packet). */
#define SETU_IOC_MAX_CANDIDATES 256u
/* Values (table entries before dedup) and indicators in one set: 64 M values is ~4 GiB of
 * tables, far beyond real feeds (~1-10 M); keeps 32-bit indices safe. */
#define SETU_IOC_MAX_VALUES (64u * 1024 * 1024)
#define SETU_IOC_MAX_INDICATORS (16u * 1024 * 1024)
/* Longest URL stored or matched (normalised). Browsers and servers stop at 8 KiB. */
#define SETU_IOC_URL_MAX 8192u
/* Text loader: a line (one value and its metadata), and a whole file. */
#define SETU_IOC_LINE_MAX 16384u
#define SETU_IOC_FILE_MAX_BYTES (1024u * 1024 * 1024)

/* STIX pattern text we parse (indicator.pattern). Feed indicators with OR lists of a few
 * thousand hashes stay under 300 KiB; the AST is O(length), so this also bounds its
 * memory. */
#define SETU_STIX_PATTERN_MAX_LEN (1024u * 1024)
/* Parenthesis nesting in a pattern: the parser recurses once per level. Real patterns
 * nest 1-3 deep; 64 keeps the stack small under any input. */
#define SETU_STIX_PATTERN_MAX_DEPTH 64
/* A file given to `setu stix check`: bundles from feeds are a few MiB; 256 MiB is far
 * above any of them while still refusing to slurp an arbitrary disk image. */
#define SETU_STIX_FILE_MAX_BYTES (256u * 1024 * 1024)
/* Errors `setu stix check` prints before summarising the rest as a count. */
#define SETU_STIX_CHECK_MAX_ERRORS 1000u

/* --- hub (owner: src/hub) --- */
/* Group commit (src/hub/store/writer.c): requests that arrive while a group waits for the
 * objects of its requests join it up to this many objects (one largest envelope), so one
 * fsync covers them without holding the write lock for long (~50 ms of inserts). */
#define SETU_HUB_WRITER_GROUP_MAX_OBJECTS 10000u
/* Push hint (GET /api/changes, src/hub/api/changes.c): a waiter holds no HTTP pool thread
 * (its request is suspended, libmicrohttpd suspend/resume in src/hub/http/server.c), only
 * its connection (counted in SETU_HUB_CONNECTION_LIMIT) and ~22 KiB of state, so the cap
 * does not depend on `threads`: at most this many wait at once (the default; hub.h's
 * changes_max_waiters may lower it), beyond it 503 with Retry-After, leaving most of the
 * connection limit to TAXII clients. The longest wait a client may ask (below the
 * connection timeout, which restarts when a suspended request resumes) and its default. A
 * waiter also re-reads the store this often, so writes by another process on the same
 * database (the CLI, a second hub on PostgreSQL, federation) wake it too. */
#define SETU_HUB_CHANGES_MAX_WAITERS 128u
#define SETU_HUB_CHANGES_WAIT_MAX_S 25u
#define SETU_HUB_CHANGES_WAIT_DEFAULT_S 20u
#define SETU_HUB_CHANGES_RECHECK_MS 2000u
#define SETU_HUB_CHANGES_RETRY_AFTER_S 5u
/* Collections one wait may watch (a sensor pulls a handful). */
#define SETU_HUB_CHANGES_MAX_COLLECTIONS 16u
/* Federation (src/hub/sync): objects asked per page when pulling from a partner hub, the
 * default pause between sync rounds, and the longest agreement type list (",a,b,"). */
#define SETU_SYNC_PAGE_LIMIT 1000u
#define SETU_SYNC_INTERVAL_S_DEFAULT 60u
#define SETU_SYNC_TYPES_MAX 1024u

/* Largest request body (TAXII max_content_length). 10 MiB holds an envelope of ~10,000
 * indicators; larger uploads are split by clients that read max_content_length. */
#define SETU_HUB_MAX_BODY_DEFAULT (10u * 1024 * 1024) /* config: max-content-length */
/* Objects per envelope: bounds one write transaction and one status resource. */
#define SETU_HUB_MAX_ENVELOPE_OBJECTS 10000u
/* Page size: the default and the cap for `limit` (a page of 1000 indicators is ~1 MB). */
#define SETU_HUB_PAGE_MAX 1000u
/* Values in one match[...] filter (comma list or repeated keys) and query arguments per
 * request: bounds the SQL the store builds (each value is one bound parameter). */
#define SETU_HUB_MAX_MATCH_VALUES 100u
#define SETU_HUB_MAX_QUERY_ARGS 64u
/* Named recipients of one object (setu TLP extension): a sharing circle, not a mailing
 * list. */
#define SETU_HUB_MAX_RECIPIENTS 64u
/* References recorded per object (for late TLP inheritance): a large report lists a few
 * thousand objects; more is refused rather than partly recorded. */
#define SETU_HUB_MAX_REFS 10000u
/* HTTP worker threads (libmicrohttpd thread pool) and open connections. */
#define SETU_HUB_THREADS_DEFAULT 8u /* config: threads */
#define SETU_HUB_CONNECTION_LIMIT 1024u
#define SETU_HUB_CONNECTION_TIMEOUT_S 30u
/* Suspended requests (src/hub/http/server.c): a handler woken while it ran is run again
 * at once this many times, then handed to the waker thread (a stream of writes must not
 * keep a pool thread busy); a stopping hub lets resumed requests answer for this long
 * before libmicrohttpd closes their connections (a client that does not read its answer).
 */
#define SETU_HUB_HTTP_RERUN_MAX 4u
#define SETU_HUB_HTTP_STOP_DRAIN_MS 2000u
/* SQLite per connection: page cache (KiB) big enough to hold the hot index pages of a
 * million-object collection (the id index is ~80 MB at 1M); reads go through mmap (no
 * pread per page); the WAL is checkpointed every 8192 pages (32 MiB) rather than every
 * 1000, so that checkpoints (each an fsync of the database) do not dominate ingest. */
#define SETU_HUB_SQLITE_CACHE_KIB 32768
#define SETU_HUB_SQLITE_MMAP_BYTES (1024LL * 1024 * 1024)
#define SETU_HUB_SQLITE_WAL_CHECKPOINT_PAGES 8192

/* --- gen (owner: src/gen) --- */
/* Largest frame the generator writes: Ethernet (14) + a 1500-byte IP packet. Every
 * flow uses a 1500-byte MTU, as most captured links do. */
#define SETU_GEN_MAX_FRAME 1514u
/* Bytes of built-but-not-yet-written packets held at once (flows are built whole and
 * merged by time). Bounds memory for any capture size; when reached, new flows wait. */
#define SETU_GEN_ACTIVE_BYTES_MAX (64u * 1024 * 1024)
/* Flows in the merge heap at once: a realistic concurrency for one capture link. */
#define SETU_GEN_ACTIVE_FLOWS_MAX 4096u
/* Largest application body in one flow (HTTP response, TLS download): keeps one flow
 * well below SETU_GEN_ACTIVE_BYTES_MAX. */
#define SETU_GEN_MAX_BODY (2u * 1024 * 1024)
/* Largest --size (1 TiB) and --flows: beyond these a typo is likelier than a need. */
#define SETU_GEN_MAX_SIZE (1024ull * 1024 * 1024 * 1024)
#define SETU_GEN_MAX_FLOWS 100000000ull
/* Attack flows in one capture; the ground truth keeps one record per attack. */
#define SETU_GEN_MAX_ATTACKS 100000u
/* TLS server certificates kept per run (one per server name; the generator's name pool
 * has ~45 names, so 64 means each is made once). */
#define SETU_GEN_CERT_CACHE 64u

/* --- taxii client (owner: src/taxii) --- */
/* Largest response body the client keeps (config: max_response_bytes): a page of 1000
 * indicators is ~1 MB and hubs cap request bodies at 10 MiB; a larger answer is refused
 * with an error, never truncated. */
#define SETU_TAXII_MAX_RESPONSE_DEFAULT (32u * 1024 * 1024)
/* Timeouts: connecting to a hub on a WAN takes < 1 s; a whole request (a large page from
 * a busy hub) gets a minute before it counts as a connection error and is retried. */
#define SETU_TAXII_CONNECT_TIMEOUT_MS_DEFAULT 10000L
#define SETU_TAXII_TIMEOUT_MS_DEFAULT 60000L
/* Retries on connection errors, 5xx and 429, with exponential backoff (initial doubles
 * up to max) and jitter: 6 retries ride out a ~30 s hub restart. */
#define SETU_TAXII_MAX_RETRIES_DEFAULT 6u
#define SETU_TAXII_BACKOFF_INITIAL_MS_DEFAULT 250u
#define SETU_TAXII_BACKOFF_MAX_MS_DEFAULT 15000u
/* Upper bounds on those settings: beyond them a typo is likelier than a need. */
#define SETU_TAXII_MAX_RETRIES_MAX 100u
#define SETU_TAXII_BACKOFF_MAX_MS_MAX 600000u
/* Longest URL we build (API root + ids + filters). Servers commonly refuse > 8 KiB. */
#define SETU_TAXII_URL_MAX 8192u
/* Longest `next` token kept (TAXII 2.1 §3.4: an opaque string; real servers use < 100).
 */
#define SETU_TAXII_NEXT_MAX 256u
/* A TAXII timestamp ("2024-01-02T03:04:05.123456Z") with room for nanoseconds. */
#define SETU_TAXII_TS_MAX 40u
/* Redirects followed (a trailing-slash or http->https redirect needs 1-2). */
#define SETU_TAXII_MAX_REDIRECTS 3L
/* Pages one sync call walks before returning (it resumes from its bookmark): bounds a
 * call against a server whose pagination never ends (1M pages of 1000 = 1G objects). */
#define SETU_TAXII_SYNC_MAX_PAGES 1000000u
/* Status polling (wait for an Add Objects request to complete): first interval, doubled
 * up to the max; hubs finish small envelopes within ~100 ms. */
#define SETU_TAXII_STATUS_POLL_MS_INITIAL 50u
#define SETU_TAXII_STATUS_POLL_MS_MAX 2000u
/* Retry-After seconds honoured (capped anyway by the backoff max). */
#define SETU_TAXII_RETRY_AFTER_MAX_S 3600u

/* --- capture and runmodes (owner: src/sensor/capture, src/sensor/engine) --- */
/* AF_PACKET TPACKET_V3 rings (config: af-packet.*). A block holds many packets; the
 * kernel truncates a packet to the block, so 1 MiB keeps GRO-sized (64 KiB) frames and
 * lo's 64 KiB MTU whole. ring-size counts packets of SETU_AFP_FRAME_SIZE bytes (a full
 * Ethernet frame with the ring's headers), as Suricata's ring-size counts frames; 8192
 * per socket is 16 MiB, ~13 ms of a busy 10 Gbit/s link per worker. */
#define SETU_AFP_BLOCK_SIZE_DEFAULT (1024u * 1024)  /* af-packet.block-size */
#define SETU_AFP_BLOCK_SIZE_MAX (64u * 1024 * 1024) /* typo guard */
#define SETU_AFP_FRAME_SIZE 2048u
#define SETU_AFP_RING_SIZE_DEFAULT 8192u              /* af-packet.ring-size */
#define SETU_AFP_RING_MAX_BYTES (1024u * 1024 * 1024) /* per socket: typo guard */
/* A part-filled block is handed over after this many ms (Suricata's default), so packets
 * of a quiet link are seen at once; the idle wait that lets a worker run flow timeouts
 * and see a stop or reload request without traffic. */
#define SETU_AFP_BLOCK_TIMEOUT_MS_DEFAULT 10u /* af-packet.block-timeout */
#define SETU_AFP_BLOCK_TIMEOUT_MS_MAX 1000u
#define SETU_AFP_IDLE_POLL_MS 100
/* Fanout group id when none is configured (Suricata's default cluster-id). */
#define SETU_AFP_CLUSTER_ID_DEFAULT 99u

#endif
