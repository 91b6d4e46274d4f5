#!/bin/sh
# bench/loop.sh — publish-to-match latency of the loop on loopback (prints figures; never a
# test): a hub and a live sensor on `lo` pulling every second; N indicators published one
# after another, each probed with traffic until the sensor alerts on it.
#   bench/loop.sh [BUILD_DIR] [N]        default: build, 20
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
ROUNDS=${2:-20} exec ./tests/pcap/hub_loop.sh "$B/setu" "$B/bench-loop"
