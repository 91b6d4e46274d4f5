#!/bin/sh
# bench/fed_loop.sh — time for an indicator published at one country's hub to reach a
# partner country's sensor (prints figures; never a test). Two hubs on loopback (jp, in)
# with a TLP:GREEN agreement; India's hub syncs from Japan every second (its sync thread),
# India's sensor captures live on `lo` and pulls from India's hub every second. N indicators
# are published at Japan one after another; each is probed with traffic to 127.0.2.i until
# India's sensor alerts on it.
#   bench/fed_loop.sh [BUILD_DIR] [N]        default: build, 10
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
N=${2:-10}
S=$B/setu
OUT=$B/bench-fed-loop
rm -rf "$OUT"
mkdir -p "$OUT/eve"
JP=$OUT/jp.db
IN=$OUT/in.db
port() { python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"; }
PJ=$(port)
PI=$(port)
UDP=$((20000 + $$ % 20000))
"$S" hub --db "$JP" org add CERT-JP >/dev/null
JCOL=$("$S" hub --db "$JP" collection add jp-share)
"$S" hub --db "$JP" collection grant "$JCOL" CERT-JP read-write >/dev/null
TJ=$("$S" hub --db "$JP" token add --org CERT-JP --role contributor --name analyst 2>/dev/null)
"$S" hub --db "$IN" org add Grid-IN >/dev/null
ICOL=$("$S" hub --db "$IN" collection add from-jp)
"$S" hub --db "$IN" collection grant "$ICOL" Grid-IN read-write >/dev/null
TI=$("$S" hub --db "$IN" token add --org Grid-IN --role contributor --name sensor 2>/dev/null)
"$S" hub --db "$JP" org add india-hub >/dev/null
TJ4I=$("$S" hub --db "$JP" token add --org india-hub --role reader --name india 2>/dev/null)
"$S" hub --db "$IN" org add japan-hub >/dev/null
TI4J=$("$S" hub --db "$IN" token add --org japan-hub --role reader --name japan 2>/dev/null)
"$S" hub --db "$JP" peer add india "http://127.0.0.1:$PI/api1/" --token "$TI4J" --org india-hub >/dev/null
"$S" hub --db "$IN" peer add japan "http://127.0.0.1:$PJ/api1/" --token "$TJ4I" --org japan-hub >/dev/null
"$S" hub --db "$JP" agreement add jp-to-in --peer india --offer "$JCOL" --tlp green >/dev/null
"$S" hub --db "$IN" agreement add in-from-jp --peer japan --pull "$JCOL" --into "$ICOL" --tlp green >/dev/null
"$S" hub --db "$JP" --port "$PJ" --sync-interval 0 >"$OUT/jp.log" 2>&1 &
HJ=$!
"$S" hub --db "$IN" --port "$PI" --sync-interval 1 >"$OUT/in.log" 2>&1 &
HI=$!
SETU_HUB_TOKEN=$TI "$S" sensor -i lo -F "udp port $UDP" -l "$OUT/eve" --hub "http://127.0.0.1:$PI/api1/" \
	--hub-collection "$ICOL" --hub-interval 1 --state-dir "$OUT/state" >"$OUT/sensor.log" 2>&1 &
SN=$!
trap 'kill -TERM $SN $HJ $HI 2>/dev/null || true' EXIT
sleep 2
: >"$OUT/latency.txt"
i=1
while [ $i -le "$N" ]; do
	t0=$(date +%s.%N)
	python3 - "$PJ" "$JCOL" "$TJ" "$i" <<'PY'
import json, sys, urllib.request
port, col, tok, i = sys.argv[1:]
T = "2026-01-01T00:00:00.000Z"
o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-%012d" % int(i),
     "created": T, "modified": T, "pattern": "[ipv4-addr:value = '127.0.2.%s']" % i, "pattern_type": "stix",
     "valid_from": "2020-01-01T00:00:00Z",
     "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}
r = urllib.request.Request("http://127.0.0.1:%s/api1/collections/%s/objects/" % (port, col), method="POST",
    data=json.dumps({"objects": [o]}).encode(),
    headers={"Authorization": "Bearer " + tok, "Content-Type": "application/taxii+json;version=2.1",
             "Accept": "application/taxii+json;version=2.1"})
assert json.load(urllib.request.urlopen(r, timeout=10))["success_count"] == 1
PY
	id=$(printf 'indicator--00000000-0000-4000-8000-%012d' $i)
	for _ in $(seq 1 200); do
		python3 -c "import socket; socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto(b'probe',('127.0.2.$i',$UDP))"
		sleep 0.05
		if grep -q "\"stix_indicator\":\[\"$id\"" "$OUT/eve/eve.json" 2>/dev/null; then
			python3 -c "print('%.3f' % ($(date +%s.%N) - $t0))" >>"$OUT/latency.txt"
			break
		fi
	done
	i=$((i + 1))
done
python3 - "$OUT/latency.txt" "$N" <<'PY'
import statistics, sys
v = sorted(float(x) for x in open(sys.argv[1]) if x.strip())
n = int(sys.argv[2])
if not v:
    print("no indicator reached the partner's sensor"); sys.exit(1)
print("published at Japan's hub → alert at India's sensor, %d indicators (sync and pull every 1 s): "
      "p50 %.2f s, p90 %.2f s, max %.2f s, %d never" % (len(v), statistics.median(v),
      v[max(0, int(len(v) * 0.9) - 1)], v[-1], n - len(v)))
PY
