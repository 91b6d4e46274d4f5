#!/bin/sh
# bench/sensor.sh — sensor throughput on a reproducible generated capture (prints figures;
# never a test). Runs: no rules, ET Open (Suricata 4 flavour, 2019: the set comparisons
# with Suricata 4.1 use) and ET Open (Suricata 5 flavour, 2025), each with 1 and 2 workers.
#
#   bench/sensor.sh [BUILD_DIR] [SIZE] [RUNS] [SETS]   default: build, 1G, 1, all sets
#
# SETS: the rule sets to run, among "norules et4-2019 et5-2025" (e.g. "norules et4-2019").
# Prints per run: Gbit/s and Mpps of capture processed, alerts, rule-load seconds, wall
# seconds and peak RSS (from /usr/bin/time -v), and the CPU seconds of each thread (main =
# rule load, then the capture reader -- or, on a classic pcap file, which the workers walk
# themselves, only the monitor --, each worker W#NN, the rest). With RUNS > 1, each
# configuration runs RUNS times (interleaved) and a summary gives min and median of the
# inspection seconds (wall minus rule load) and the 2-worker speedup, per set: on a shared
# machine the spread says how far to trust the figures.
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
SIZE=${2:-1G}
RUNS=${3:-1}
SETS=${4:-norules et4-2019 et5-2025}
SETU=$B/setu
RULES=../shared/testdata/rules
OUT=$B/bench-sensor
mkdir -p "$OUT"
rm -f "$OUT/results.jsonl"
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
	python3 - "$name" "$d" "$BYTES" "$PKTS" "$OUT/results.jsonl" <<'PY'
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
print(f"{'':22} cpu: main (load + reader/monitor) {main:5.2f} s  workers "
      + " / ".join(f"{c:.2f}" for c in workers) + f" s  other {other:.2f} s")
with open(sys.argv[5], "a") as res:
    res.write(json.dumps({"name": re.sub(r"-r\d+$", "", name), "inspect": inspect,
                          "main": main, "workers": workers}) + "\n")
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
set_wanted() {
	case " $SETS " in *" $1 "*) return 0 ;; esac
	return 1
}
i=1
while [ "$i" -le "$RUNS" ]; do
	sfx=""
	[ "$RUNS" -gt 1 ] && sfx="-r$i"
	for w in 1 2; do
		set_wanted norules && run "norules-w$w$sfx" --runmode workers --threads $w -k none
		# shellcheck disable=SC2086
		set_wanted et4-2019 && run "et4-2019-w$w$sfx" --runmode workers --threads $w -k none $S4 \
			--set classification-file=$RULES/oisf-suricata/classification.config
		# shellcheck disable=SC2086
		set_wanted et5-2025 && run "et5-2025-w$w$sfx" --runmode workers --threads $w -k none $S5 \
			--set classification-file=$RULES/oisf-suricata/classification.config
	done
	i=$((i + 1))
done
[ "$RUNS" -gt 1 ] && python3 - "$OUT/results.jsonl" <<'PY'
import json, statistics, sys
runs = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    runs.setdefault(r["name"], []).append(r)
print("summary (inspection seconds = wall - rule load; cpu = per-thread CPU seconds):")
for name in sorted(runs):
    t = sorted(r["inspect"] for r in runs[name])
    wk = ["/".join(f"{c:.2f}" for c in r["workers"]) for r in runs[name]]
    print(f"  {name:16} n={len(t)} min {t[0]:6.2f} s  median {statistics.median(t):6.2f} s"
          f"  max {t[-1]:6.2f} s  worker cpu {' '.join(wk)}")
for s1 in sorted(n for n in runs if n.endswith("-w1")):
    s2 = s1[:-1] + "2"
    if s2 not in runs:
        continue
    a = sorted(r["inspect"] for r in runs[s1])
    b = sorted(r["inspect"] for r in runs[s2])
    print(f"  speedup {s1[:-3]:10} 2 vs 1 worker: median {statistics.median(a) / statistics.median(b):.2f}x"
          f"  min {a[0] / b[0]:.2f}x  range {a[0] / b[-1]:.2f}-{a[-1] / b[0]:.2f}x")
PY
exit 0
