#!/bin/sh
# hub_hint.sh SETU OUT — the push hint end to end, on loopback (docs/push-hint.md): a live
# sensor pulling only every 60 s matches an indicator published at the hub within a few
# seconds, because the hub's GET /api/changes wakes it; and the same sensor in front of
# a hub without the endpoint (a proxy answering 404 for /api/changes) falls back to its
# interval pull and still matches. Traffic only to 127.0.0.0/8.
set -eu
SETU=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"
DB="$OUT/hub.db"
freeport() { python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"; }
HUBPORT=$(freeport)
PROXYPORT=$(freeport)
UDPPORT=$((20000 + ($$ + 7) % 20000))
"$SETU" hub --db "$DB" org add CERT-JP --sector government --country JP >/dev/null
"$SETU" hub --db "$DB" org add PowerCo --sector energy --country JP >/dev/null
COL=$("$SETU" hub --db "$DB" collection add "shared with operators")
"$SETU" hub --db "$DB" collection grant "$COL" CERT-JP read-write >/dev/null
"$SETU" hub --db "$DB" collection grant "$COL" PowerCo read-write >/dev/null
CERT_TOKEN=$("$SETU" hub --db "$DB" token add --org CERT-JP --role contributor --name analyst 2>/dev/null)
SENSOR_TOKEN=$("$SETU" hub --db "$DB" token add --org PowerCo --role contributor --name sensor 2>/dev/null)
"$SETU" hub --db "$DB" --port "$HUBPORT" >>"$OUT/hub.log" 2>&1 &
HUB=$!
SENSOR=
PROXY=
cleanup() {
	[ -n "$SENSOR" ] && kill -TERM "$SENSOR" 2>/dev/null || true
	[ -n "$PROXY" ] && kill -TERM "$PROXY" 2>/dev/null || true
	kill -TERM "$HUB" 2>/dev/null || true
}
trap cleanup EXIT
waitport() {
	for _ in $(seq 1 40); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),1)" 2>/dev/null && return 0
		sleep 0.25
	done
	echo "nothing listens on port $1"
	exit 1
}
waitport "$HUBPORT"
API="http://127.0.0.1:$HUBPORT/api1/"
publish() { # publish N PATTERN
	python3 - "$API" "$COL" "$CERT_TOKEN" "$1" "$2" <<'PY'
import json, sys, urllib.request
api, col, token, n, pattern = sys.argv[1:]
T = "2026-01-01T00:00:00.000Z"
obj = {"type": "indicator", "spec_version": "2.1",
       "id": "indicator--00000000-0000-4000-8000-%012d" % int(n), "created": T, "modified": T,
       "name": "shared %s" % n, "pattern": pattern, "pattern_type": "stix",
       "valid_from": "2020-01-01T00:00:00Z",
       "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}
req = urllib.request.Request(api + "collections/%s/objects/" % col, method="POST",
    data=json.dumps({"objects": [obj]}).encode(),
    headers={"Authorization": "Bearer " + token,
             "Content-Type": "application/taxii+json;version=2.1",
             "Accept": "application/taxii+json;version=2.1"})
st = json.load(urllib.request.urlopen(req, timeout=10))
assert st["success_count"] == 1, st
PY
}
send() { # send DST
	python3 -c "
import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
s.sendto(b'probe',(sys.argv[1],$UDPPORT))" "$1"
}
start_sensor() { # start_sensor URL INTERVAL NAME [OPTION...]
	mkdir -p "$OUT/$3/eve"
	u=$1 i=$2 n=$3
	shift 3
	SETU_HUB_TOKEN="$SENSOR_TOKEN" "$SETU" sensor -i lo -F "udp port $UDPPORT" -l "$OUT/$n/eve" \
		--hub "$u" --hub-collection "$COL" --hub-interval "$i" --state-dir "$OUT/$n/state" \
		"$@" >>"$OUT/$n/sensor.log" 2>&1 &
	SENSOR=$!
}
await_log() { # await_log NAME TEXT
	for _ in $(seq 1 60); do
		grep -q "$2" "$OUT/$1/sensor.log" 2>/dev/null && return 0
		if ! kill -0 "$SENSOR" 2>/dev/null; then
			if grep -qi "permission\|not permitted" "$OUT/$1/sensor.log"; then
				echo "SKIP: cannot capture on lo here"
				exit 77
			fi
			echo "sensor died: $(cat "$OUT/$1/sensor.log")"
			exit 1
		fi
		sleep 0.25
	done
	echo "sensor never said '$2': $(cat "$OUT/$1/sensor.log")"
	exit 1
}
# seconds from publishing indicator N (address ADDR) to its first alert in NAME's EVE,
# probing with a fresh flow every ~20 ms (indicators match a flow's first packets)
time_to_match() { # time_to_match NAME N ADDR LIMIT_S
	python3 - "$API" "$COL" "$CERT_TOKEN" "$OUT/$1/eve/eve.json" "$UDPPORT" "$2" "$3" "$4" <<'PY'
import json, os, socket, sys, time, urllib.request
api, col, token, eve, port, n, addr, limit = sys.argv[1:]
T = "2026-01-01T00:00:00.000Z"
ident = "indicator--00000000-0000-4000-8000-%012d" % int(n)
obj = {"type": "indicator", "spec_version": "2.1", "id": ident, "created": T, "modified": T,
       "name": "shared %s" % n, "pattern": "[ipv4-addr:value = '%s']" % addr,
       "pattern_type": "stix", "valid_from": "2020-01-01T00:00:00Z",
       "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}
req = urllib.request.Request(api + "collections/%s/objects/" % col, method="POST",
    data=json.dumps({"objects": [obj]}).encode(),
    headers={"Authorization": "Bearer " + token,
             "Content-Type": "application/taxii+json;version=2.1",
             "Accept": "application/taxii+json;version=2.1"})
t0 = time.time()
assert json.load(urllib.request.urlopen(req, timeout=10))["success_count"] == 1
needle = '"stix_indicator":["%s"' % ident
while time.time() - t0 < float(limit):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"probe", (addr, int(port)))
    s.close()
    time.sleep(0.02)
    if os.path.exists(eve) and needle in open(eve).read():
        print("%.2f" % (time.time() - t0))
        sys.exit(0)
print("never")
PY
}

# 1. with the hint: a 60 s interval, and a match within seconds
publish 1 "[ipv4-addr:value = '127.0.0.2']"
start_sensor "$API" 60 hint
await_log hint "reloaded"
await_log hint "push hint in use"
sleep 0.5
LAT=$(time_to_match hint 2 127.0.0.3 5)
[ "$LAT" != never ] || { echo "no match within 5 s with a 60 s interval: the hint did not wake the sensor"; cat "$OUT/hint/sensor.log"; exit 1; }
echo "ok: publish-to-match with the push hint at a 60 s interval: $LAT s"
LAT2=$(time_to_match hint 3 127.0.0.4 5)
[ "$LAT2" != never ] || { echo "the second indicator was not hinted"; exit 1; }
echo "ok: and again: $LAT2 s"
kill -TERM "$SENSOR"
wait "$SENSOR" || true
SENSOR=

# 2. a hub without the endpoint: everything but /api/changes is passed through
python3 - "$PROXYPORT" "$HUBPORT" >"$OUT/proxy.log" 2>&1 <<'PY' &
import http.server, sys, urllib.request, urllib.error
port, hub = int(sys.argv[1]), int(sys.argv[2])
class P(http.server.BaseHTTPRequestHandler):
    def relay(self):
        if self.path.startswith("/api/changes"):
            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
            return
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (hub, self.path), data=body,
                                     method=self.command,
                                     headers={k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")})
        try:
            r = urllib.request.urlopen(req, timeout=30)
            code, hdrs, data = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            code, hdrs, data = e.code, e.headers, e.read()
        self.send_response(code)
        for k, v in hdrs.items():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    do_GET = do_POST = do_DELETE = relay
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), P).serve_forever()
PY
PROXY=$!
waitport "$PROXYPORT"
start_sensor "http://127.0.0.1:$PROXYPORT/api1/" 2 nohint
await_log nohint "reloaded"
await_log nohint "offers no push hint"
LAT3=$(time_to_match nohint 4 127.0.0.5 10)
[ "$LAT3" != never ] || { echo "no match by the interval pull without the hint"; cat "$OUT/nohint/sensor.log"; exit 1; }
echo "ok: without the endpoint (404) the sensor pulls every 2 s: publish-to-match $LAT3 s"
kill -TERM "$SENSOR"
wait "$SENSOR" || true
SENSOR=

# 3. --hub-no-hint: the real hub, but the sensor only polls (every 2 s)
start_sensor "$API" 2 optout --hub-no-hint
await_log optout "reloaded"
LAT4=$(time_to_match optout 5 127.0.0.6 10)
[ "$LAT4" != never ] || { echo "no match by the interval pull with --hub-no-hint"; cat "$OUT/optout/sensor.log"; exit 1; }
if grep -q "push hint" "$OUT/optout/sensor.log"; then
	echo "--hub-no-hint still used the push hint: $(grep "push hint" "$OUT/optout/sensor.log")"
	exit 1
fi
echo "ok: --hub-no-hint polls only: publish-to-match $LAT4 s"
kill -TERM "$SENSOR"
wait "$SENSOR" || true
SENSOR=
