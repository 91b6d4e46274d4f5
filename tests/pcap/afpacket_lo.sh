#!/bin/sh
# afpacket_lo.sh SETU OUT — AF_PACKET capture (TPACKET_V3 + PACKET_FANOUT) on loopback:
# `setu sensor --af-packet lo --threads 2` with its af-packet: section from a setu.yaml,
# then UDP exchanges, an HTTP exchange over TCP and a DNS query/answer, all to 127.x
# addresses; SIGTERM; the EVE log must hold one flow record per flow with both directions
# counted (the kernel's fanout hash kept each flow on one worker), the alerts of rules
# that must fire, and a final stats record with the capture counters. Bad af-packet
# values are refused with one line. Skips (77) without root / CAP_NET_RAW.
set -eu
SETU=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"

# configuration errors need no privilege: one line each, exit 1
for bad in "af-packet.block-size=12345" "af-packet.cluster-type=cluster_cpu" \
	"af-packet.ring-size=0" "af-packet.block-timeout=5000" "af-packet.cluster-id=70000"; do
	if "$SETU" sensor --af-packet lo -l "$OUT" --set "$bad" >"$OUT/bad.log" 2>&1; then
		echo "accepted --set $bad"
		exit 1
	fi
	key=${bad%%=*}
	if [ "$(wc -l <"$OUT/bad.log")" -ne 1 ] || ! grep -q "key '$key'" "$OUT/bad.log"; then
		echo "--set $bad: expected one line naming '$key', got: $(cat "$OUT/bad.log")"
		exit 1
	fi
done
echo "ok: bad af-packet values refused: $(cat "$OUT/bad.log")"

if ! python3 -c 'import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)' \
	2>/dev/null; then
	echo "SKIP: AF_PACKET sockets need root or CAP_NET_RAW (uid $(id -u))"
	exit 77
fi

SEED=$$
UDP_PORT=$((20000 + SEED % 10000))
HTTP_PORT=$((UDP_PORT + 10000))
# DNS is recognised on port 53: a loopback address of our own avoids any local resolver
DNS_ADDR="127.0.$((SEED % 200 + 20)).$((SEED % 250 + 2))"
CLUSTER=$((1000 + SEED % 60000))
cat >"$OUT/setu.yaml" <<EOF
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      types:
        - alert
        - flow
        - dns
        - http
        - stats:
            totals: yes
            null-values: yes
flow-timeouts:
  udp:
    new: 2
    established: 2
af-packet:
  - interface: default
    cluster-id: 1
  - interface: lo
    cluster-id: $CLUSTER
    cluster-type: cluster_flow
    defrag: yes
    use-mmap: yes
    block-size: 1mb
    ring-size: 1024
    block-timeout: 10
EOF
cat >"$OUT/afp.rules" <<EOF
alert udp any any -> any $UDP_PORT (msg:"AFP udp payload"; content:"AFP-UDP-PING"; sid:7100001; rev:1;)
alert udp any $UDP_PORT -> any any (msg:"AFP udp reply"; content:"AFP-UDP-PONG"; sid:7100002; rev:1;)
alert http any any -> any any (msg:"AFP http uri"; flow:established,to_server; http.uri; content:"/afp-test/index"; sid:7100003; rev:1;)
alert dns any any -> any any (msg:"AFP dns query"; dns.query; content:"afp-test.example"; nocase; sid:7100004; rev:1;)
EOF
"$SETU" sensor --af-packet lo --threads 2 -c "$OUT/setu.yaml" -l "$OUT" -S "$OUT/afp.rules" \
	-F "udp port $UDP_PORT or tcp port $HTTP_PORT or (udp port 53 and host $DNS_ADDR)" \
	--unix-socket "$OUT/ctl.sock" >"$OUT/log" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true' EXIT
sleep 1.5
if ! kill -0 "$PID" 2>/dev/null; then
	echo "sensor died: $(cat "$OUT/log")"
	exit 1
fi
# a reload while idle: both workers move to the new rules without traffic
"$SETU" ctl -s "$OUT/ctl.sock" reload >"$OUT/reload"
grep -q '"return":"OK"' "$OUT/reload" || { echo "reload failed: $(cat "$OUT/reload")"; exit 1; }
python3 - "$UDP_PORT" "$HTTP_PORT" "$DNS_ADDR" "$OUT/sent.json" <<'PY'
import json, socket, struct, sys, threading, time
udp_port, http_port, dns_addr, sent_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
sent = {"udp": [], "http": [], "dns": []}

# UDP: 12 flows (distinct client ports, so the fanout spreads them), 3 round trips each
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("127.0.0.1", udp_port))
srv.settimeout(2)
for i in range(12):
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.bind(("127.0.0.1", 0))
    c.settimeout(2)
    for k in range(3):
        c.sendto(b"AFP-UDP-PING %d %d" % (i, k), ("127.0.0.1", udp_port))
        data, peer = srv.recvfrom(100)
        srv.sendto(b"AFP-UDP-PONG " + data, peer)
        c.recvfrom(100)
    sent["udp"].append(c.getsockname()[1])
    c.close()

# HTTP over TCP: one request and response, then close
lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsn.bind(("127.0.0.1", http_port))
lsn.listen(1)
def serve():
    conn, _ = lsn.accept()
    req = b""
    while b"\r\n\r\n" not in req:
        req += conn.recv(4096)
    body = b"afp test body\n"
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                 b"Connection: close\r\n\r\n%s" % (len(body), body))
    conn.close()
t = threading.Thread(target=serve)
t.start()
c = socket.create_connection(("127.0.0.1", http_port))
c.sendall(b"GET /afp-test/index.html HTTP/1.1\r\nHost: afp.example\r\nUser-Agent: setu-test\r\n\r\n")
resp = b""
while True:
    d = c.recv(4096)
    if not d:
        break
    resp += d
assert resp.startswith(b"HTTP/1.1 200"), resp
sent["http"].append(c.getsockname()[1])
c.close()
t.join()

# DNS: an A query for afp-test.example and its answer from a listener on DNS_ADDR:53
dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dns.bind((dns_addr, 53))
dns.settimeout(2)
q = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
q.bind(("127.0.0.1", 0))
q.settimeout(2)
qname = b"".join(bytes([len(l)]) + l for l in b"afp-test.example".split(b".")) + b"\0"
query = struct.pack("!HHHHHH", 0x5e7a, 0x0100, 1, 0, 0, 0) + qname + struct.pack("!HH", 1, 1)
q.sendto(query, (dns_addr, 53))
req, peer = dns.recvfrom(512)
answer = (struct.pack("!HHHHHH", 0x5e7a, 0x8180, 1, 1, 0, 0) + qname + struct.pack("!HH", 1, 1)
          + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 7]))
dns.sendto(answer, peer)
q.recvfrom(512)
sent["dns"].append(q.getsockname()[1])
json.dump(sent, open(sent_path, "w"))
PY
# no more traffic: the idle workers must still time the UDP flows out (2 s)
sleep 4
"$SETU" ctl -s "$OUT/ctl.sock" stats >"$OUT/stats"
grep -q '"generation":2' "$OUT/stats" || { echo "ctl stats: $(cat "$OUT/stats")"; exit 1; }
kill -TERM "$PID"
STATUS=0
wait "$PID" || STATUS=$?
trap - EXIT
if [ "$STATUS" -ne 0 ]; then
	echo "sensor exited with $STATUS after SIGTERM: $(cat "$OUT/log")"
	exit 1
fi
python3 - "$OUT/eve.json" "$OUT/sent.json" "$UDP_PORT" "$HTTP_PORT" <<'PY'
import collections, json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
sent = json.load(open(sys.argv[2]))
udp_port, http_port = int(sys.argv[3]), int(sys.argv[4])
flows = collections.defaultdict(list)
for e in events:
    if e["event_type"] == "flow":
        flows[(e["proto"], e["src_port"], e["dest_port"])].append(e)
stats = [e for e in events if e["event_type"] == "stats"]
assert stats, "no stats record"
st = stats[-1]["stats"]
# a packet missing below may be one the kernel dropped (counted here) or one setu lost
drops = "capture %r" % st.get("capture")
def one_flow(proto, cport, sport, min_each):
    got = flows.get((proto, cport, sport), [])
    # a flow split between two workers would show as two records (or a reversed one)
    rev = flows.get((proto, sport, cport), [])
    assert len(got) == 1 and not rev, "%s %d->%d: records %r reversed %r; %s" % (
        proto, cport, sport, got, rev, drops)
    f = got[0]["flow"]
    assert f["pkts_toserver"] >= min_each and f["pkts_toclient"] >= min_each, (
        proto, cport, f, drops)
    return f
for p in sent["udp"]:
    f = one_flow("UDP", p, udp_port, 3)
    assert f["pkts_toserver"] == 3 and f["pkts_toclient"] == 3, (f, drops)
    assert f["reason"] == "timeout", f  # ended by an idle worker, not at shutdown
for p in sent["http"]:
    f = one_flow("TCP", p, http_port, 4)
    assert f.get("state") == "closed", f
for p in sent["dns"]:
    one_flow("UDP", p, 53, 1)
sids = collections.Counter(e["alert"]["signature_id"] for e in events if e["event_type"] == "alert")
assert sids[7100001] == 36 and sids[7100002] == 36, sids  # every ping and every pong
assert sids[7100003] == 1 and sids[7100004] >= 1, sids
assert any(e["event_type"] == "http" and e["http"].get("url") == "/afp-test/index.html"
           for e in events), "no http record"
assert any(e["event_type"] == "dns" for e in events), "no dns record"
assert st["capture"]["kernel_drops"] == 0, st["capture"]
assert st["decoder"]["pkts"] >= 36 * 2 + 8, st["decoder"]
print("ok: af-packet on lo: %d UDP flows, 1 HTTP, 1 DNS, each one record with both "
      "directions; alerts %s; decoder pkts %d" % (len(sent["udp"]), dict(sids), st["decoder"]["pkts"]))
PY
