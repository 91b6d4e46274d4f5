#!/bin/sh
# setup.sh — the one set-up command: install dependencies, build, and run setu's main job
# on traffic setu generates itself (a small realistic mix with a few attacks).
set -eu
cd "$(dirname "$0")/.."
JOBS=$(nproc 2>/dev/null || echo 2)

./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$JOBS"

OUT=out/demo
mkdir -p "$OUT"
rm -f "$OUT/eve.json"
echo "== generating a capture (DNS, HTTP, TLS, other TCP/UDP, attacks) =="
build/setu gen pcap -o "$OUT/traffic.pcap" --seed 1
echo "== analysing it with the sensor =="
RULES=""
if [ -f rules/demo.rules ]; then
	RULES="-S rules/demo.rules"
fi
# shellcheck disable=SC2086
build/setu sensor -r "$OUT/traffic.pcap" -l "$OUT" $RULES
echo "== what the sensor wrote ($OUT/eve.json) =="
python3 - "$OUT/eve.json" <<'PY'
import collections, json, sys
types = collections.Counter()
alerts = collections.Counter()
for line in open(sys.argv[1]):
    ev = json.loads(line)
    types[ev["event_type"]] += 1
    if ev["event_type"] == "alert":
        alerts[(ev["alert"]["signature_id"], ev["alert"]["signature"])] += 1
for t, n in sorted(types.items()):
    print(f"  {t:10} {n}")
for (sid, msg), n in sorted(alerts.items()):
    print(f"  alert sid {sid}: {msg} (x{n})")
PY
