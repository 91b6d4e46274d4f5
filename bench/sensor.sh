#!/bin/sh
# bench/sensor.sh — sensor throughput on a reproducible generated capture (prints figures;
# never a test). Runs: no rules, ET Open (Suricata 4 flavour, 2019: the set comparisons
# with Suricata 4.1 use) and ET Open (Suricata 5 flavour, 2025), each with 1 and 2 workers.
#
#   bench/sensor.sh [BUILD_DIR] [SIZE]        default: build, 1G
#
# Prints per run: Gbit/s and Mpps of capture processed, alerts, rule-load seconds, wall
# seconds and peak RSS (from /usr/bin/time -v), and the CPU seconds of each thread (main =
# rule load + capture reader, each worker W#NN, the rest).
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
SIZE=${2:-1G}
SETU=$B/setu
RULES=../shared/testdata/rules
OUT=$B/bench-sensor
mkdir -p "$OUT"
PCAP=$OUT/bench-$SIZE.pcap
if [ ! -f "$PCAP" ]; then
	echo "generating $PCAP ($SIZE, seed 42, 300 attack flows)..."
	"$SETU" gen pcap -o "$PCAP" --seed 42 --size "$SIZE" --attacks 300 >/dev/null
fi
BYTES=$(stat -L -c %s "$PCAP")
PKTS=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['packets'])" "$PCAP.truth.json" 2>/dev/null || echo 0)

run() {
	name=$1
	shift
	d=$OUT/$name
	rm -rf "$d"
	mkdir -p "$d"
	python3 "$OUT/threads.py" "$d/threads" /usr/bin/time -v "$SETU" sensor -r "$PCAP" -l "$d" "$@" \
		>"$d/stdout" 2>"$d/stderr" || {
		echo "$name: sensor failed: $(tail -3 "$d/stderr")"
		return
	}
	python3 - "$name" "$d" "$BYTES" "$PKTS" <<'PY'
import json, re, sys
name, d, nbytes, npkts = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
err = open(d + "/stderr").read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", err)
secs = (int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
load = re.search(r"from \d+ files in ([\d.]+) s", err)
loaded = re.search(r"(\d+) rules loaded", err)
load_s = float(load.group(1)) if load else 0.0
alerts = sum(1 for l in open(d + "/eve.json") if '"event_type":"alert"' in l)
inspect = max(secs - load_s, 1e-9)
print(f"{name:22} rules {int(loaded.group(1)) if loaded else 0:6}  load {load_s:6.2f} s  "
      f"wall {secs:7.2f} s  {nbytes * 8 / inspect / 1e9:6.2f} Gbit/s  "
      f"{npkts / inspect / 1e6:6.3f} Mpps  alerts {alerts:7}  peak RSS {rss:7.1f} MB")
# CPU seconds per thread: the main thread (rule load, then the capture reader), the
# workers W#NN, and the rest (Hyperscan compile threads) -- on a 2-core machine shared
# with other work, the split says more than the wall clock
th = [l.split("\t") for l in open(d + "/threads")]
main = sum(float(c) for n, c in th if n == "main")
workers = [float(c) for n, c in th if n.startswith("W#")]
other = sum(float(c) for n, c in th if n == "other")
print(f"{'':22} cpu: main (load + reader) {main:5.2f} s  workers "
      + " / ".join(f"{c:.2f}" for c in workers) + f" s  other {other:.2f} s")
PY
}

# threads.py OUT CMD...: run CMD and write each thread's CPU seconds (utime + stime, last
# sample) of the sensor process under it to OUT, one "main|W#NN|other<TAB>seconds" a line.
cat >"$OUT/threads.py" <<'PY'
import os, subprocess, sys, time
hz = os.sysconf("SC_CLK_TCK")
child = subprocess.Popen(sys.argv[2:])
cpu = {}
def sensor_pids():
    try:
        kids = open("/proc/%d/task/%d/children" % (child.pid, child.pid)).read().split()
    except OSError:
        return []
    return [int(k) for k in kids]
while child.poll() is None:
    for pid in sensor_pids():
        try:
            tids = os.listdir("/proc/%d/task" % pid)
        except OSError:
            continue
        for tid in tids:
            try:
                st = open("/proc/%d/task/%s/stat" % (pid, tid)).read()
            except OSError:
                continue
            comm = st[st.index("(") + 1:st.rindex(")")]
            f = st[st.rindex(")") + 2:].split()
            kind = "main" if int(tid) == pid else comm if comm.startswith("W#") else "other"
            cpu[tid] = (kind, (int(f[11]) + int(f[12])) / hz)
    time.sleep(0.05)
with open(sys.argv[1], "w") as out:
    for kind, secs in sorted(cpu.values()):
        out.write("%s\t%.2f\n" % (kind, secs))
sys.exit(child.returncode)
PY
echo "capture: $PCAP ($BYTES bytes, $PKTS packets)"
S4=$(ls $RULES/et-open-suricata4-2019/*.rules | sed 's/^/-S /' | tr '\n' ' ')
S5=$(ls $RULES/et-open-suricata5-2025-07-28/*.rules $RULES/et-open-suricata5-2024-04-21-extra/*.rules 2>/dev/null | sed 's/^/-S /' | tr '\n' ' ')
for w in 1 2; do
	run "norules-w$w" --runmode workers --threads $w -k none
	# shellcheck disable=SC2086
	run "et4-2019-w$w" --runmode workers --threads $w -k none $S4 \
		--set classification-file=$RULES/oisf-suricata/classification.config
	# shellcheck disable=SC2086
	run "et5-2025-w$w" --runmode workers --threads $w -k none $S5 \
		--set classification-file=$RULES/oisf-suricata/classification.config
done
