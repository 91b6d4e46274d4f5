#!/bin/sh
# eve_schema.sh SETU SHARED OUT NODE_PATH — run the sensor with every EVE type and every
# anomaly kind on: a generated capture and the suricata-verify captures; then validate
# every record against Suricata's EVE schema (ajv). Exit 77 when the inputs are absent.
set -eu
SETU=$1
SHARED=$2
OUT=$3
export NODE_PATH=$4
VALIDATE=$SHARED/eve-schema/validate-eve.js
if [ ! -f "$VALIDATE" ]; then
	echo "SKIP: shared testdata absent: $VALIDATE"
	exit 77
fi
rm -rf "$OUT"
mkdir -p "$OUT"
cat > "$OUT/all.yaml" <<'YAML'
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      community-id: yes
      types:
        - alert
        - anomaly:
            types:
              decode: yes
              stream: yes
              applayer: yes
        - http
        - dns
        - tls
        - flow
        - stats:
            null-values: yes
YAML
i=0
run() {
	i=$((i + 1))
	d="$OUT/$i"
	mkdir -p "$d"
	# a capture the sensor rejects (unknown link type) is not this test's concern
	"$SETU" sensor -r "$1" -l "$d" -c "$OUT/all.yaml" -k none >"$d/log" 2>&1 || true
}
if "$SETU" gen pcap -o "$OUT/gen.pcap" --seed 7 >/dev/null 2>&1; then
	run "$OUT/gen.pcap"
fi
for p in $(find "$SHARED/suricata-verify" -name '*.pcap' -o -name '*.pcapng' | sort); do
	run "$p"
done
files=$(find "$OUT" -name eve.json -size +0)
if [ -z "$files" ]; then
	echo "no EVE output at all"
	exit 1
fi
# shellcheck disable=SC2086
node "$VALIDATE" --quiet $files
