#!/bin/sh
# bench/hub.sh — 64 concurrent HTTP clients (wrk, keep-alive) on a hub's filtered TAXII 2.1
# page (match[type]=indicator&limit=100&added_after=T, Bearer token) at N stored objects:
# prints req/s, latency percentiles and errors (socket errors and non-200 answers). The
# database is built by bench_hub --make-db (the full ingest path, 80% indicators); the hub
# is `setu hub` on 127.0.0.1. Prints figures; never a test.
#   bench/hub.sh [BUILD_DIR] [N objects] [SECONDS]     default: build, 1000000, 10
#   environment: CONNS (default 64), WRK_THREADS (2), THREADS (hub threads, 8)
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
N=${2:-1000000}
SECS=${3:-10}
CONNS=${CONNS:-64}
if ! command -v wrk >/dev/null 2>&1; then
	echo "hub.sh: wrk not found (scripts/install-deps.sh installs it)" >&2
	exit 1
fi
OUT=$B/bench-hub
rm -rf "$OUT"
mkdir -p "$OUT"
"$B/bench/bench_hub" --make-db "$OUT" "$N"
# TOKEN, COLLECTION, ADDED_AFTER, API_ROOT
. "$OUT/bench.env"
P=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
cat >"$OUT/hub.yaml" <<EOF
listen: 127.0.0.1
port: $P
database: $OUT/hub.db
threads: ${THREADS:-8}
EOF
"$B/setu" hub -c "$OUT/hub.yaml" --sync-interval 0 >"$OUT/hub.log" 2>&1 &
H=$!
trap 'kill -TERM $H 2>/dev/null || true' EXIT
URL="http://127.0.0.1:$P/$API_ROOT/collections/$COLLECTION/objects/?match%5Btype%5D=indicator&limit=100&added_after=$ADDED_AFTER"
ACCEPT="Accept: application/taxii+json;version=2.1"
ok=""
for _ in $(seq 1 100); do
	if curl -sf -o "$OUT/page.json" -H "Authorization: Bearer $TOKEN" -H "$ACCEPT" "$URL"; then
		ok=1
		break
	fi
	sleep 0.1
done
if [ -z "$ok" ]; then
	echo "hub.sh: the hub did not answer the page (see $OUT/hub.log)" >&2
	exit 1
fi
python3 - "$OUT/page.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
objs = p.get("objects", [])
assert objs and all(o["type"] == "indicator" for o in objs), "the page is not indicators"
print("page: %d indicators, more=%s, %d bytes" % (len(objs), p.get("more"), len(json.dumps(p))))
PY
cat >"$OUT/count.lua" <<'EOF'
-- Counts non-200 answers over every wrk thread; prints the figures.
local threads = {}
function setup(thread)
	table.insert(threads, thread)
end
function init(args)
	non200 = 0
end
function response(status, headers, body)
	if status ~= 200 then
		non200 = non200 + 1
	end
end
function done(summary, latency, requests)
	local bad = 0
	for _, t in ipairs(threads) do
		bad = bad + t:get("non200")
	end
	local s = summary.duration / 1e6
	local e = summary.errors
	io.write(string.format("wrk: %d requests in %.1f s = %.0f req/s\n", summary.requests, s,
		summary.requests / s))
	io.write(string.format("errors: %d non-200, socket connect %d read %d write %d timeout %d\n",
		bad, e.connect, e.read, e.write, e.timeout))
	io.write(string.format("latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
		latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
		latency:percentile(99) / 1e3, latency:percentile(99.9) / 1e3, latency.max / 1e3))
end
EOF
echo "wrk: $CONNS connections, ${WRK_THREADS:-2} threads, $SECS s, hub threads ${THREADS:-8}, $N objects"
wrk -t"${WRK_THREADS:-2}" -c"$CONNS" -d"${SECS}s" -s "$OUT/count.lua" \
	-H "Authorization: Bearer $TOKEN" -H "$ACCEPT" "$URL" | tee "$OUT/wrk.txt" |
	grep -E "^(wrk|errors|latency):"
