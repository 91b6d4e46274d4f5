#!/bin/sh
# workers_equiv.sh SETU RULES OUT — the same capture through --runmode single and through
# workers gives the same records (alerts, flows, app-layer, anomalies, pcap_cnt) and the
# same decoder totals, compared as sorted sets with the run-specific fields (flow_id)
# left out. Workers on a classic pcap file walk the mapped file themselves (2 and 3
# threads); read from stdin, the same bytes take the reader-thread path with rings (2
# threads). The capture is the generated one with non-IP frames (ARP) and truncated IPv4
# and IPv6 frames mixed in, which exactly one worker must take (decode events and
# counters once), plus a run stopped by a truncated last record (same records up to it
# and the same error).
set -eu
SETU=$1
RULES=$2
OUT=$3
rm -rf "$OUT"
mkdir -p "$OUT"
"$SETU" gen pcap -o "$OUT/gen.pcap" --seed 11 --flows 1500 --attacks 14 >/dev/null
python3 - "$OUT/gen.pcap" "$OUT/in.pcap" "$OUT/trunc.pcap" <<'PY'
import struct, sys
src, dst, trunc = sys.argv[1:4]
b = open(src, "rb").read()
hdr, off, recs = b[:24], 24, []
while off < len(b):
    sec, frac, incl, orig = struct.unpack_from("<IIII", b, off)
    recs.append((sec, frac, b[off + 16:off + 16 + incl]))
    off += 16 + incl
assert struct.unpack_from("<I", b, 20)[0] == 1, "expected an Ethernet capture"
mac = bytes.fromhex("020000000001") + bytes.fromhex("020000000002")
arp = mac + b"\x08\x06" + bytes.fromhex("0001080006040001") + b"\x02\0\0\0\0\x02" \
    + bytes([10, 0, 0, 1]) + b"\0" * 6 + bytes([10, 0, 0, 2])
out = []
for i, (sec, frac, data) in enumerate(recs):
    out.append((sec, frac, data))
    if i % 97 == 5:    # non-IP: hashes to worker 0
        out.append((sec, frac, arp))
    elif i % 97 == 40 and len(data) > 40:  # an IP frame cut inside its IP header
        out.append((sec, frac, data[:14 + 12]))
    elif i % 97 == 70:  # ethernet header alone
        out.append((sec, frac, data[:13]))
def write(path, rs, tail=b""):
    with open(path, "wb") as f:
        f.write(hdr)
        for sec, frac, data in rs:
            f.write(struct.pack("<IIII", sec, frac, len(data), len(data)) + data)
        f.write(tail)
write(dst, out)
# the last record claims more bytes than the file holds
write(trunc, out[:len(out) // 2], struct.pack("<IIII", 1, 0, 400, 400) + b"\0" * 100)
PY
run() { # NAME INPUT ARGS...: the sensor's exit status and stderr kept
	name=$1
	in=$2
	shift 2
	mkdir -p "$OUT/$name"
	rc=0
	if [ "$in" = "-" ]; then
		"$SETU" sensor -r - -S "$RULES" -l "$OUT/$name" "$@" <"$OUT/in.pcap" \
			2>"$OUT/$name/stderr" || rc=$?
	else
		"$SETU" sensor -r "$in" -S "$RULES" -l "$OUT/$name" "$@" \
			2>"$OUT/$name/stderr" || rc=$?
	fi
	echo "$rc" >"$OUT/$name/rc"
}
run single "$OUT/in.pcap" --runmode single
run w1 "$OUT/in.pcap" --runmode workers --threads 1
run w2 "$OUT/in.pcap" --runmode workers --threads 2
run w3 "$OUT/in.pcap" --runmode workers --threads 3
run w2-reader - --runmode workers --threads 2
run t-single "$OUT/trunc.pcap" --runmode single
run t-w2 "$OUT/trunc.pcap" --runmode workers --threads 2
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
def load(name):
    recs, stats = [], None
    for line in open(out + "/" + name + "/eve.json"):
        e = json.loads(line)
        if e["event_type"] == "stats":
            stats = e["stats"]
            continue
        e.pop("flow_id", None)
        recs.append(json.dumps(e, sort_keys=True))
    return sorted(recs), stats
def rc(name):
    return int(open(out + "/" + name + "/rc").read())
def decoder(st):
    # every decoder counter, the packet-size gauges included (max of the workers', average
    # of the whole capture), equals the single-threaded run's
    return dict(st["decoder"])
def compare(ref, names):
    base, bst = load(ref)
    for w in names:
        other, ost = load(w)
        if other != base:
            a, b = set(base), set(other)
            print("%s differs from %s: %d only in %s, %d only in %s"
                  % (w, ref, len(a - b), ref, len(b - a), w))
            for x in list(a - b)[:3]:
                print("  " + ref + ":", x[:300])
            for x in list(b - a)[:3]:
                print("  " + w + ":", x[:300])
            sys.exit(1)
        if decoder(ost) != decoder(bst):
            print("%s decoder totals differ from %s:\n  %s\n  %s"
                  % (w, ref, decoder(ost), decoder(bst)))
            sys.exit(1)
    return base, bst
for n in ("single", "w1", "w2", "w3", "w2-reader"):
    assert rc(n) == 0, (n, open(out + "/" + n + "/stderr").read())
base, st = compare("single", ("w1", "w2", "w3", "w2-reader"))
kinds = {}
for l in base:
    t = json.loads(l)["event_type"]
    kinds[t] = kinds.get(t, 0) + 1
assert kinds.get("alert", 0) > 0 and kinds.get("flow", 0) > 1000, kinds
d = st["decoder"]
# the ARP and the short frames were decoded once each, not once per worker
assert d["pkts"] == d["ethernet"] and d["pkts"] > d["ipv4"] + d["ipv6"], d
assert d.get("arp", 0) > 0 or d.get("invalid", 0) > 0 or kinds.get("anomaly", 0) > 0, d
# a truncated file: the same error and the same records up to it
for n in ("t-single", "t-w2"):
    assert rc(n) != 0, n
    assert "truncated dump file" in open(out + "/" + n + "/stderr").read(), n
tb, _ = compare("t-single", ("t-w2",))
assert 0 < len(tb) < len(base), (len(tb), len(base))
print("same records and decoder totals with single, 1/2/3 walking workers and 2 "
      "workers behind a reader:", kinds, d)
PY
