#!/bin/sh
# workers_equiv.sh SETU RULES OUT — the same capture through --runmode single and through
# workers (2 and 3 threads) gives the same records (alerts, flows, app-layer), compared as
# sorted sets with the run-specific fields (flow_id, stats) left out.
set -eu
SETU=$1
RULES=$2
OUT=$3
rm -rf "$OUT"
mkdir -p "$OUT/single" "$OUT/w2" "$OUT/w3"
"$SETU" gen pcap -o "$OUT/in.pcap" --seed 11 --flows 1500 --attacks 14 >/dev/null
"$SETU" sensor -r "$OUT/in.pcap" -S "$RULES" -l "$OUT/single" --runmode single
"$SETU" sensor -r "$OUT/in.pcap" -S "$RULES" -l "$OUT/w2" --runmode workers --threads 2
"$SETU" sensor -r "$OUT/in.pcap" -S "$RULES" -l "$OUT/w3" --runmode workers --threads 3
python3 - "$OUT" <<'PY'
import json, sys
def canon(path):
    out = []
    for line in open(path):
        e = json.loads(line)
        if e["event_type"] == "stats":
            continue
        e.pop("flow_id", None)
        out.append(json.dumps(e, sort_keys=True))
    return sorted(out)
base = canon(sys.argv[1] + "/single/eve.json")
kinds = {}
for l in base:
    t = json.loads(l)["event_type"]
    kinds[t] = kinds.get(t, 0) + 1
assert kinds.get("alert", 0) > 0 and kinds.get("flow", 0) > 1000, kinds
for w in ("w2", "w3"):
    other = canon(sys.argv[1] + "/" + w + "/eve.json")
    if other != base:
        a, b = set(base), set(other)
        print("%s differs: %d only in single, %d only in %s" % (w, len(a - b), len(b - a), w))
        for x in list(a - b)[:3]:
            print("  single:", x[:300])
        for x in list(b - a)[:3]:
            print("  " + w + ":", x[:300])
        sys.exit(1)
print("same records with 1, 2 and 3 workers:", kinds)
PY
