#!/bin/sh
# hub_shutdown.sh SETU OUT — a sensor told to stop (SIGTERM) while its hub is down makes
# one short delivery attempt and exits within seconds, leaving its sightings in the
# durable spool; they reach the hub exactly once when the sensor next starts. Two kinds
# of "down": the hub stopped (connection refused) and a hub that accepts connections but
# never answers (hung). Traffic only to 127.0.0.0/8.
set -eu
SETU=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"
DB="$OUT/hub.db"
HUBPORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
UDPPORT=$((20000 + ($$ + 13) % 20000))
LIMIT=${SHUTDOWN_LIMIT_S:-5}
"$SETU" hub --db "$DB" org add CERT-JP --sector government --country JP >/dev/null
"$SETU" hub --db "$DB" org add PowerCo --sector energy --country JP >/dev/null
COL=$("$SETU" hub --db "$DB" collection add "shared with operators")
"$SETU" hub --db "$DB" collection grant "$COL" CERT-JP read-write >/dev/null
"$SETU" hub --db "$DB" collection grant "$COL" PowerCo read-write >/dev/null
POWERCO=$("$SETU" hub --db "$DB" org add PowerCo-grid --sector energy --country JP)
CERT_TOKEN=$("$SETU" hub --db "$DB" token add --org CERT-JP --role contributor --name analyst 2>/dev/null)
SENSOR_TOKEN=$("$SETU" hub --db "$DB" token add --org PowerCo --role contributor --name sensor 2>/dev/null)
HUB=
HUNG=
SENSOR=
cleanup() {
	[ -n "$SENSOR" ] && kill -TERM "$SENSOR" 2>/dev/null || true
	[ -n "$HUNG" ] && kill -TERM "$HUNG" 2>/dev/null || true
	[ -n "$HUB" ] && kill -TERM "$HUB" 2>/dev/null || true
}
trap cleanup EXIT
waitport() {
	for _ in $(seq 1 40); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$HUBPORT),1).close()" 2>/dev/null && return 0
		sleep 0.25
	done
	echo "nothing listens on port $HUBPORT"
	exit 1
}
start_hub() {
	"$SETU" hub --db "$DB" --port "$HUBPORT" >>"$OUT/hub.log" 2>&1 &
	HUB=$!
	waitport
}
stop_hub() {
	kill -TERM "$HUB"
	wait "$HUB" || true
	HUB=
}
start_hub
API="http://127.0.0.1:$HUBPORT/api1/"
python3 - "$API" "$COL" "$CERT_TOKEN" <<'PY'
import json, sys, urllib.request
api, col, token = sys.argv[1:]
T = "2026-01-01T00:00:00.000Z"
obj = {"type": "indicator", "spec_version": "2.1",
       "id": "indicator--00000000-0000-4000-8000-000000000001", "created": T, "modified": T,
       "name": "shared 1", "pattern": "[ipv4-addr:value = '127.0.0.2']", "pattern_type": "stix",
       "valid_from": "2020-01-01T00:00:00Z",
       "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}
req = urllib.request.Request(api + "collections/%s/objects/" % col, method="POST",
    data=json.dumps({"objects": [obj]}).encode(),
    headers={"Authorization": "Bearer " + token,
             "Content-Type": "application/taxii+json;version=2.1",
             "Accept": "application/taxii+json;version=2.1"})
assert json.load(urllib.request.urlopen(req, timeout=10))["success_count"] == 1
PY
start_sensor() { # start_sensor RUN
	mkdir -p "$OUT/$1/eve"
	SETU_HUB_TOKEN="$SENSOR_TOKEN" "$SETU" sensor -i lo -F "udp port $UDPPORT" -l "$OUT/$1/eve" \
		--hub "$API" --hub-collection "$COL" --hub-interval 1 --state-dir "$OUT/state" \
		--hub-identity "$POWERCO" >>"$OUT/$1/sensor.log" 2>&1 &
	SENSOR=$!
	for _ in $(seq 1 40); do
		# running: capture open (its first log lines), with or without the hub
		grep -q "rules loaded" "$OUT/$1/sensor.log" 2>/dev/null && break
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
	sleep 1
}
alerts() { # alerts N: N fresh flows to the shared address
	python3 - "$1" "$UDPPORT" <<'PY'
import socket, sys, time
for i in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"probe %d" % i, ("127.0.0.2", int(sys.argv[2])))
    s.close()
    time.sleep(0.05)
PY
}
# stop the sensor and check it took at most LIMIT seconds
timed_stop() { # timed_stop WHAT
	t0=$(date +%s.%N)
	kill -TERM "$SENSOR"
	wait "$SENSOR" || true
	SENSOR=
	took=$(python3 -c "print('%.2f' % ($(date +%s.%N) - $t0))")
	python3 -c "import sys; sys.exit(0 if $took <= $LIMIT else 1)" ||
		{ echo "stopping with $1 took $took s (limit $LIMIT s)"; exit 1; }
	[ -s "$OUT/state/sightings.spool" ] || { echo "nothing left in the spool after stopping with $1"; exit 1; }
	echo "ok: stopped with $1 in $took s; $(grep -c '"type":"sighting"' "$OUT/state/sightings.spool") sightings spooled"
}

# run 1: the hub answers, then goes away; alerts after that; stop
start_sensor run1
for _ in $(seq 1 40); do
	grep -q "reloaded" "$OUT/run1/sensor.log" && break
	sleep 0.25
done
alerts 3
sleep 2.5 # one interval: delivered (pulls and posts never queue behind the long poll)
python3 - "$API" "$COL" "$CERT_TOKEN" <<'PY'
import json, sys, urllib.request
api, col, token = sys.argv[1:]
req = urllib.request.Request(api + "collections/%s/objects/?match[type]=sighting" % col,
    headers={"Authorization": "Bearer " + token, "Accept": "application/taxii+json;version=2.1"})
objs = json.load(urllib.request.urlopen(req, timeout=10)).get("objects", [])
assert sum(o["count"] for o in objs) == 3, objs
PY
echo "ok: sightings delivered within an interval while the hub is up"
stop_hub
alerts 4
sleep 1.5 # counted and spooled; delivery is failing and retrying
timed_stop "the hub stopped"

# run 2: a hub that accepts connections and never answers
python3 - "$HUBPORT" <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
held = []
while True:
    c, _ = s.accept()
    held.append(c)  # read nothing, answer nothing
PY
HUNG=$!
waitport
start_sensor run2
alerts 5
sleep 1.5
timed_stop "a hung hub"
kill -TERM "$HUNG"
wait "$HUNG" 2>/dev/null || true
HUNG=

# run 3: the hub is back; the spool is delivered at start
start_hub
start_sensor run3
for _ in $(seq 1 60); do
	[ -s "$OUT/state/sightings.spool" ] || break
	sleep 0.25
done
[ -s "$OUT/state/sightings.spool" ] && { echo "the spool was not delivered after the restart"; exit 1; }
t0=$(date +%s.%N)
kill -TERM "$SENSOR"
wait "$SENSOR" || true
SENSOR=
echo "ok: spool delivered at the next start; stop with the hub up took $(python3 -c "print('%.2f' % ($(date +%s.%N) - $t0))") s"

# exactly once: the counts at the hub equal the alerts of all three runs, no id twice
python3 - "$API" "$COL" "$CERT_TOKEN" "$OUT" <<'PY'
import collections, glob, json, sys, urllib.request
api, col, token, out = sys.argv[1:]
req = urllib.request.Request(api + "collections/%s/objects/?match[type]=sighting&limit=1000" % col,
    headers={"Authorization": "Bearer " + token, "Accept": "application/taxii+json;version=2.1"})
objs = json.load(urllib.request.urlopen(req, timeout=10)).get("objects", [])
ids = [o["id"] for o in objs]
assert len(ids) == len(set(ids)), "a sighting arrived twice"
at_hub = sum(o["count"] for o in objs)
alerts = 0
for f in glob.glob(out + "/run*/eve/eve.json"):
    for e in map(json.loads, open(f)):
        if e["event_type"] == "alert" and "stix_indicator" in e["alert"].get("metadata", {}):
            alerts += 1
assert alerts >= 12, alerts
assert at_hub == alerts, (at_hub, alerts)
print("ok: %d alerts in three runs, %d sightings at the hub counting %d, none twice" % (alerts, len(objs), at_hub))
PY
