#!/bin/sh
# bench/loop.sh — publish-to-match latency of the loop on loopback (prints figures; never a
# test): a hub and a live sensor on `lo`; N indicators published one after another, each
# probed with fresh flows until the sensor alerts on it. Two runs, one driver:
#   polling:   no push hint (SETU_HUB_PUSH_HINT=off), pull every 1 s (the earlier figure)
#   push hint: GET /api/changes wakes the sensor, pull interval 30 s
#   bench/loop.sh [BUILD_DIR] [N]        default: build, 20
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
N=${2:-20}
SETU="$B/setu"
OUT="$B/bench-loop"
rm -rf "$OUT"
mkdir -p "$OUT"
DB="$OUT/hub.db"
HUBPORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
UDPPORT=$((20000 + $$ % 20000))
"$SETU" hub --db "$DB" org add CERT-JP >/dev/null
"$SETU" hub --db "$DB" org add PowerCo >/dev/null
COL=$("$SETU" hub --db "$DB" collection add "bench")
"$SETU" hub --db "$DB" collection grant "$COL" CERT-JP read-write >/dev/null
"$SETU" hub --db "$DB" collection grant "$COL" PowerCo read-write >/dev/null
CERT_TOKEN=$("$SETU" hub --db "$DB" token add --org CERT-JP --role contributor --name analyst 2>/dev/null)
SENSOR_TOKEN=$("$SETU" hub --db "$DB" token add --org PowerCo --role contributor --name sensor 2>/dev/null)
"$SETU" hub --db "$DB" --port "$HUBPORT" >"$OUT/hub.log" 2>&1 &
HUB=$!
SENSOR=
cleanup() {
	[ -n "$SENSOR" ] && kill -TERM "$SENSOR" 2>/dev/null || true
	kill -TERM "$HUB" 2>/dev/null || true
}
trap cleanup EXIT
sleep 0.5
API="http://127.0.0.1:$HUBPORT/api1/"

run() { # run NAME INTERVAL HINT(on|off) FIRST_INDICATOR
	mkdir -p "$OUT/$1/eve"
	SETU_HUB_PUSH_HINT=$3 SETU_HUB_TOKEN="$SENSOR_TOKEN" "$SETU" sensor -i lo -F "udp port $UDPPORT" \
		-l "$OUT/$1/eve" --hub "$API" --hub-collection "$COL" --hub-interval "$2" \
		--state-dir "$OUT/$1/state" >"$OUT/$1/sensor.log" 2>&1 &
	SENSOR=$!
	for _ in $(seq 1 40); do
		grep -q "reloaded\|push hint in use" "$OUT/$1/sensor.log" 2>/dev/null && break
		kill -0 "$SENSOR" 2>/dev/null || { echo "sensor died: $(cat "$OUT/$1/sensor.log")"; exit 1; }
		sleep 0.25
	done
	sleep 1
	python3 - "$API" "$COL" "$CERT_TOKEN" "$OUT/$1/eve/eve.json" "$UDPPORT" "$4" "$N" "$1" "$2" <<'PY'
import json, os, socket, statistics, sys, time, urllib.request
api, col, token, eve, port, first, n, name, interval = sys.argv[1:]
port, first, n = int(port), int(first), int(n)
T = "2026-01-01T00:00:00.000Z"
lat, never = [], 0
for k in range(first, first + n):
    ident = "indicator--00000000-0000-4000-8000-%012d" % k
    addr = "127.0.%d.%d" % (1 + k // 250, 1 + k % 250)
    obj = {"type": "indicator", "spec_version": "2.1", "id": ident, "created": T,
           "modified": T, "name": "bench %d" % k, "pattern": "[ipv4-addr:value = '%s']" % addr,
           "pattern_type": "stix", "valid_from": "2020-01-01T00:00:00Z"}
    req = urllib.request.Request(api + "collections/%s/objects/" % col, method="POST",
        data=json.dumps({"objects": [obj]}).encode(),
        headers={"Authorization": "Bearer " + token,
                 "Content-Type": "application/taxii+json;version=2.1",
                 "Accept": "application/taxii+json;version=2.1"})
    t0 = time.time()
    urllib.request.urlopen(req, timeout=10).read()
    needle = '"stix_indicator":["%s"' % ident
    done = None
    while time.time() - t0 < 45:
        # a fresh flow each time: indicators are matched on a flow's first packets
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"probe", (addr, port))
        s.close()
        time.sleep(0.01)
        if os.path.exists(eve) and needle in open(eve).read():
            done = time.time() - t0
            break
    if done is None:
        never += 1
    else:
        lat.append(done)
    time.sleep(0.3)
lat.sort()
p90 = lat[max(0, int(len(lat) * 0.9) - 1)] if lat else 0
print("%-9s publish-to-match over %d indicators (pull interval %s s): p50 %.2f s, p90 %.2f s, max %.2f s, %d never matched"
      % (name, len(lat), interval, statistics.median(lat) if lat else 0, p90, lat[-1] if lat else 0, never))
PY
	kill -TERM "$SENSOR"
	wait "$SENSOR" || true
	SENSOR=
}
echo "loopback, 2 shared cores (figures vary with load); probes every ~10 ms"
run polling 1 off 100
run push-hint 30 on 400
