#!/bin/sh
# bench/reload.sh — memory of a live rule reload (prints figures; never a test). A sensor
# with the full ET Open 2019 set (Suricata 4 flavour) captures a generated capture replayed
# on `lo` (AF_PACKET, 2 workers); once its RSS is steady, `setu ctl reload` is issued N
# times while /proc/PID/status (VmRSS, VmHWM) is sampled every few ms. Prints the steady
# RSS, the peak RSS during the reloads and their ratio (target: <= 1.6), and the reload
# times. Needs root (AF_PACKET, sending on lo); traffic stays on lo.
#
#   bench/reload.sh [BUILD_DIR] [N] [PPS]        default: build, 5 reloads, 20000 pkt/s
#
# SETU_RELOAD_CAPTURE=pcap uses `-i lo` (libpcap, one reader + workers) instead.
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
N=${2:-5}
PPS=${3:-20000}
SETU=$B/setu
RULES=../shared/testdata/rules
OUT=$B/bench-reload
rm -rf "$OUT"
mkdir -p "$OUT"
PCAP=$B/bench-sensor/bench-50M.pcap
if [ ! -f "$PCAP" ]; then
	mkdir -p "$B/bench-sensor"
	echo "generating $PCAP (50M, seed 42, 100 attack flows)..."
	"$SETU" gen pcap -o "$PCAP" --seed 42 --size 50M --attacks 100 >/dev/null
fi
S4=$(ls $RULES/et-open-suricata4-2019/*.rules | sed 's/^/-S /' | tr '\n' ' ')
SOCK=$OUT/ctl.sock
# the replayed capture only: its addresses are never loopback ones
FILTER="not net 127.0.0.0/8 and not ip6 host ::1"
if [ "${SETU_RELOAD_CAPTURE:-af-packet}" = pcap ]; then
	CAPTURE="-i lo --runmode workers"
else
	CAPTURE="--af-packet lo --set af-packet.cluster-id=$((2000 + $$ % 60000))"
fi
# shellcheck disable=SC2086
"$SETU" sensor $CAPTURE --threads 2 -F "$FILTER" -l "$OUT" -k none $S4 \
	--set classification-file=$RULES/oisf-suricata/classification.config \
	--unix-socket "$SOCK" >"$OUT/sensor.log" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true' EXIT
python3 - "$SETU" "$SOCK" "$PID" "$PCAP" "$N" "$PPS" "$OUT" <<'PY'
import os, socket, struct, subprocess, sys, threading, time
setu, sock, pid, pcap, n, pps, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]

def status():
    d = {}
    try:
        for line in open("/proc/%d/status" % pid):
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                d[k] = int(v.split()[0]) / 1024.0
    except FileNotFoundError:
        pass
    return d

# wait for the rules to load and the control socket to appear
t0 = time.time()
while not os.path.exists(sock):
    if time.time() - t0 > 120 or not os.path.exists("/proc/%d" % pid):
        sys.exit("sensor did not start: " + open(out + "/sensor.log").read())
    time.sleep(0.1)
load_s = time.time() - t0

# replay the capture on lo, looping, at pps packets per second
frames = []
with open(pcap, "rb") as f:
    hdr = f.read(24)
    endian = "<" if hdr[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    while len(frames) < 200000:
        h = f.read(16)
        if len(h) < 16:
            break
        _, _, incl, _ = struct.unpack(endian + "IIII", h)
        data = f.read(incl)
        if len(data) <= 1514:
            frames.append(data)
stop = threading.Event()
sent = [0]
def replay():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind(("lo", 0))
    batch = max(1, pps // 200)
    i = 0
    next_t = time.time()
    while not stop.is_set():
        for _ in range(batch):
            s.send(frames[i])
            i = (i + 1) % len(frames)
        sent[0] += batch
        next_t += batch / pps
        d = next_t - time.time()
        if d > 0:
            time.sleep(d)
threading.Thread(target=replay, daemon=True).start()

samples = []  # (time, rss, hwm, phase)
phase = ["warmup"]
def sampler():
    while not stop.is_set():
        st = status()
        if st:
            samples.append((time.time(), st.get("VmRSS", 0), st.get("VmHWM", 0), phase[0]))
        time.sleep(0.002)
threading.Thread(target=sampler, daemon=True).start()

def rss_now():
    return status().get("VmRSS", 0)

# steady state: RSS changes < 1% over 3 s (at most 60 s of warm-up)
prev = rss_now()
for _ in range(20):
    time.sleep(3)
    cur = rss_now()
    if abs(cur - prev) < 0.01 * prev:
        break
    prev = cur
phase[0] = "steady"
time.sleep(3)
times = []
for k in range(n):
    phase[0] = "reload:%d" % k
    t = time.time()
    r = subprocess.run([setu, "ctl", "-s", sock, "reload"], capture_output=True, text=True)
    times.append(time.time() - t)
    if '"OK"' not in r.stdout:
        sys.exit("reload %d failed: %s %s" % (k + 1, r.stdout, r.stderr))
    # the old set is freed once every worker has moved (the control thread reaps it)
    time.sleep(1.5)
    phase[0] = "after:%d" % k
    time.sleep(1.5)
stop.set()
time.sleep(0.05)
steady = [s[1] for s in samples if s[3] == "steady"]
steady_rss = sorted(steady)[len(steady) // 2]
peaks = [max(s[1] for s in samples if s[3] in ("reload:%d" % k, "after:%d" % k))
         for k in range(n)]
peak = max(peaks)
after = [s[1] for s in samples if s[3] == "after:%d" % (n - 1)]
hwm = max(s[2] for s in samples)
print("sensor: ET Open 2019 (suricata4 flavour), 2 workers, replay %d pkt/s on lo (%d sent)"
      % (pps, sent[0]))
print("startup (rules + sockets): %.2f s; %d samples every ~2 ms" % (load_s, len(samples)))
print("steady RSS            %8.1f MB (median of %d samples)" % (steady_rss, len(steady)))
print("peak RSS in reloads   %8.1f MB  (VmHWM %.1f MB)" % (peak, hwm))
print("peak RSS per reload    " + " ".join("%.1f" % p for p in peaks) + " MB")
print("RSS after last reload %8.1f MB" % after[-1])
print("ratio peak/steady     %8.2f  (target <= 1.6)" % (peak / steady_rss))
print("reload times          " + " ".join("%.2f" % t for t in times) + " s")
with open(out + "/samples.tsv", "w") as f:
    for s in samples:
        f.write("%.4f\t%.1f\t%.1f\t%s\n" % s)
PY
kill -TERM $PID
wait $PID || true
trap - EXIT
