#!/bin/sh
# live_lo.sh SETU OUT — live capture on the loopback interface: start `setu sensor -i lo`,
# send UDP datagrams to 127.0.0.1, stop it with SIGTERM and check that it exits cleanly and
# logged the flow. Skips (77) when capturing is not permitted here.
set -eu
SETU=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"
PORT=$((40000 + $$ % 20000))
"$SETU" sensor -i lo -l "$OUT" -F "udp port $PORT" >"$OUT/log" 2>&1 &
PID=$!
sleep 1
if ! kill -0 "$PID" 2>/dev/null; then
	if grep -qi "permission\|not permitted\|socket" "$OUT/log"; then
		echo "SKIP: cannot capture on lo here: $(cat "$OUT/log")"
		exit 77
	fi
	echo "sensor died: $(cat "$OUT/log")"
	exit 1
fi
python3 - "$PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"setu live test %d" % i, ("127.0.0.1", port))
    time.sleep(0.05)
PY
sleep 1
kill -TERM "$PID"
STATUS=0
wait "$PID" || STATUS=$?
if [ "$STATUS" -ne 0 ]; then
	echo "sensor exited with $STATUS after SIGTERM: $(cat "$OUT/log")"
	exit 1
fi
python3 - "$OUT/eve.json" "$PORT" <<'PY'
import json, sys
port = int(sys.argv[2])
flows = [e for e in map(json.loads, open(sys.argv[1])) if e["event_type"] == "flow"
         and e.get("dest_port") == port and e["proto"] == "UDP"]
assert len(flows) == 1, "expected one UDP flow to port %d, got %r" % (port, flows)
f = flows[0]["flow"]
assert f["pkts_toserver"] == 5, f
assert f["reason"] == "shutdown", f
print("ok: live capture on lo logged", f)
PY
