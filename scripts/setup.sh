#!/bin/sh
# setup.sh — the one set-up command: install dependencies, build, and run setu's main job
# on traffic setu generates itself (a small realistic mix with a few attacks).
set -eu
cd "$(dirname "$0")/.."
JOBS=$(nproc 2>/dev/null || echo 2)

./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$JOBS"

# setu's main job, on loopback: a hub, a CERT sharing indicators and a rule under TLP,
# an operator's sensor pulling them, analysing generated traffic, alerting and sending
# sightings back, and what each organisation may then see.
mkdir -p out
rm -rf out/demo
build/setu demo --dir out/demo
