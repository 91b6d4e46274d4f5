#!/bin/sh
# indicators.sh SETU OUT — shared STIX indicators on the sensor: a generated capture (its
# planted C2 domain and address) and a STIX bundle; checks that address, DNS query, TLS SNI
# CIDR+port and file-hash (a downloaded body) indicators alert with their id, TLP and
# producer, that expired and revoked
# indicators stay silent, and that what cannot compile is named and skipped.
set -eu
SETU=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT/eve"
"$SETU" gen pcap -o "$OUT/in.pcap" --seed 5 --bad-domain c2.example.org --bad-ip 203.0.113.77 >/dev/null
python3 - "$OUT/bundle.json" <<'PY'
import hashlib, json, sys
T = "2026-01-01T00:00:00Z"
# the body the generator's web shell answers with (src/gen/attacks.c)
BODY = b"uid=0(root) gid=0(root) groups=0(root)\n"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"  # TLP 2.0 GREEN
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"  # TLP 2.0 AMBER
CERT = "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"
def ind(n, pattern, **kw):
    o = {"type": "indicator", "spec_version": "2.1",
         "id": "indicator--00000000-0000-4000-8000-%012d" % n, "created": T, "modified": T,
         "name": "test indicator %d" % n, "pattern": pattern, "pattern_type": "stix",
         "valid_from": "2000-01-01T00:00:00Z", "created_by_ref": CERT,
         "object_marking_refs": [GREEN]}
    o.update(kw)
    return o
objs = [
    ind(1, "[ipv4-addr:value = '203.0.113.77']", object_marking_refs=[AMBER]),
    ind(2, "[domain-name:value = 'c2.example.org']"),
    ind(3, "[domain-name:value = 'c2.example.org'] OR [url:value = 'http://c2.example.org/x']"),
    ind(4, "[ipv4-addr:value = '203.0.113.77']", valid_until="2001-01-01T00:00:00Z"),
    ind(5, "[ipv4-addr:value = '203.0.113.77']", revoked=True),
    ind(6, "[ipv4-addr:value = '203.0.113.77'] FOLLOWEDBY [domain-name:value = 'x.example']"),
    ind(7, "[network-traffic:dst_ref.value = '203.0.113.77' AND network-traffic:dst_port = 9]"),
    ind(8, "[file:hashes.'SHA-256' = '%s']" % hashlib.sha256(BODY).hexdigest()),
    ind(9, "[file:hashes.MD5 = '%s']" % hashlib.md5(b"not the body").hexdigest()),
]
json.dump({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001",
           "objects": objs}, open(sys.argv[1], "w"))
PY
"$SETU" stix compile "$OUT/bundle.json" >"$OUT/compile.txt"
grep -q "indicator--00000000-0000-4000-8000-000000000006: skipped: .*FOLLOWEDBY" "$OUT/compile.txt"
grep -q "9 indicators: 8 compiled, 1 skipped" "$OUT/compile.txt"
"$SETU" sensor -r "$OUT/in.pcap" --indicators "$OUT/bundle.json" -l "$OUT/eve" 2>"$OUT/log"
python3 - "$OUT/eve/eve.json" <<'PY'
import json, sys
alerts = [e for e in map(json.loads, open(sys.argv[1])) if e["event_type"] == "alert"]
by = {}
for a in alerts:
    md = a["alert"].get("metadata", {})
    (i,) = md["stix_indicator"]
    by.setdefault(int(i[-12:]), []).append(a)
# 4 expired, 5 revoked, 6 skipped, 7 wrong port, 9 another file
assert set(by) == {1, 2, 3, 8}, sorted(by)
assert by[8][0].get("app_proto") == "http", by[8][0]
a1 = by[1][0]
assert a1["alert"]["metadata"]["tlp"] == ["TLP:AMBER"], a1["alert"]
assert a1["alert"]["metadata"]["producer"] == ["identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"]
assert "203.0.113.77" in (a1["src_ip"], a1["dest_ip"])
protos = sorted({a.get("app_proto") for a in by[2]})
assert "dns" in protos and "tls" in protos, protos  # the DNS query and the TLS SNI
print("ok: indicator alerts", {k: len(v) for k, v in by.items()}, "protocols of #2:", protos)
PY
