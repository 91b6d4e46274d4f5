#!/bin/sh
# test.sh — the whole test suite: installs dependencies, checks formatting, builds with
# -Werror, runs ctest; then builds with ASan+UBSan and runs ctest again under them.
# Usage: scripts/test.sh [--quick]   (--quick: skip the sanitizer pass)
set -eu
cd "$(dirname "$0")/.."
JOBS=$(nproc 2>/dev/null || echo 2)

./scripts/install-deps.sh

echo "== format check (clang-format) =="
./scripts/check-format.sh

echo "== build (RelWithDebInfo, -Werror) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSETU_WERROR=ON >/dev/null
cmake --build build -j"$JOBS"
echo "== ctest =="
(cd build && ctest --output-on-failure -j"$JOBS")

if [ "${1:-}" = "--quick" ]; then
	exit 0
fi

echo "== build (ASan+UBSan, clang, with libFuzzer targets) =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSETU_WERROR=ON -DSETU_SANITIZE=ON \
	-DSETU_FUZZ=ON -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build build-asan -j"$JOBS"
echo "== ctest under ASan+UBSan =="
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd build-asan && ctest --output-on-failure -j"$JOBS")
