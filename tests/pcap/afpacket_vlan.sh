#!/bin/sh
# afpacket_vlan.sh SETU OUT — AF_PACKET puts back the 802.1Q tag the kernel took off the
# frame (tp_vlan_tci with TP_STATUS_VLAN_VALID), so decoders, flows and rules see it.
# In a network namespace of its own (unshare -n: nothing outside it is touched), a TAP
# device receives tagged and untagged UDP frames written by the test; `setu sensor
# --af-packet tap` must log the tagged flow with vlan [42] and both directions, apart from
# the untagged flow of the same addresses and ports. Skips (77) without namespaces or TUN.
set -eu
SETU=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"
if ! unshare -n true 2>/dev/null || [ ! -c /dev/net/tun ]; then
	echo "SKIP: needs unshare -n (root) and /dev/net/tun"
	exit 77
fi
echo 'alert udp any any -> any 5353 (msg:"AFP vlan"; content:"TAGGED"; sid:7200001; rev:1;)' >"$OUT/vlan.rules"
unshare -n python3 - "$SETU" "$OUT" <<'PY'
import fcntl, json, os, signal, struct, subprocess, sys, time
setu, out = sys.argv[1], sys.argv[2]
TUNSETIFF, IFF_TAP, IFF_NO_PI = 0x400454ca, 0x0002, 0x1000
try:
    tun = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", b"setutap0", IFF_TAP | IFF_NO_PI))
except OSError as e:
    print("SKIP: cannot create a TAP device: %s" % e)
    sys.exit(77)
subprocess.check_call(["ip", "link", "set", "setutap0", "up"])
log = open(out + "/log", "w")
sensor = subprocess.Popen([setu, "sensor", "--af-packet", "setutap0", "--threads", "2",
                           "-l", out, "-S", out + "/vlan.rules", "-k", "none",
                           "--set", "af-packet.cluster-id=4242"], stdout=log, stderr=log)
time.sleep(1.5)
assert sensor.poll() is None, open(out + "/log").read()

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def frame(src, dst, sp, dp, payload, vlan):
    udp = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes([2, 0, 0, 0, 0, 2]) + bytes([2, 0, 0, 0, 0, 1])
    if vlan is not None:
        eth += struct.pack("!HH", 0x8100, vlan)
    return eth + b"\x08\x00" + ip + udp

a, b = [10, 42, 0, 1], [10, 42, 0, 2]
for i in range(3):
    os.write(tun, frame(a, b, 40000, 5353, b"TAGGED %d" % i, 42))
    os.write(tun, frame(b, a, 5353, 40000, b"REPLY %d" % i, 42))
os.write(tun, frame(a, b, 40000, 5353, b"PLAIN", None))
time.sleep(0.5)
sensor.send_signal(signal.SIGTERM)
rc = sensor.wait(timeout=10)
assert rc == 0, (rc, open(out + "/log").read())
events = [json.loads(l) for l in open(out + "/eve.json")]
flows = [e for e in events if e["event_type"] == "flow" and e["proto"] == "UDP"]
tagged = [f for f in flows if f.get("vlan") == [42]]
plain = [f for f in flows if "vlan" not in f]
assert len(tagged) == 1, flows
t = tagged[0]
assert (t["src_port"], t["dest_port"]) == (40000, 5353), t
assert t["flow"]["pkts_toserver"] == 3 and t["flow"]["pkts_toclient"] == 3, t
assert len(plain) == 1 and plain[0]["flow"]["pkts_toserver"] == 1, plain
alerts = [e for e in events if e["event_type"] == "alert"]
assert len(alerts) == 3 and all(e.get("vlan") == [42] for e in alerts), alerts
print("ok: af-packet reinserted the 802.1Q tag: flow vlan %r, %d alerts" % (t["vlan"], len(alerts)))
PY
