#!/bin/sh
# stix-schema-check.sh — validate STIX 2.1 JSON files against the OASIS STIX 2.1 JSON schemas
# (cti-stix2-json-schemas) with ../shared/testdata/stix/validate-stix.js and ajv.
#
# usage: stix-schema-check.sh BUILD_DIR FILE.json...
# ajv is installed with npm into BUILD_DIR/stix-node on first run (never into the shared,
# read-only test data). Exit: 0 all valid, 1 something invalid, 77 skipped (no shared data,
# no node/npm, or the npm registry unreachable), 2 usage or tool error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD_DIR FILE.json..." >&2
	exit 2
fi
build=$1
shift
S=$(cd "$here/../../../shared/testdata/stix" 2>/dev/null && pwd) || S=
if [ -z "$S" ] || [ ! -f "$S/validate-stix.js" ]; then
	echo "SKIP: ../shared/testdata/stix is absent (shared test data)"
	exit 77
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "SKIP: node and npm are needed to validate against the STIX JSON schemas"
	exit 77
fi
B="$build/stix-node"
mkdir -p "$build" || exit 2
have_ajv() { [ -f "$1/node_modules/ajv/package.json" ] && [ -f "$1/node_modules/ajv-formats/package.json" ]; }
# tests may run in parallel (ctest -j): one npm install at a time among ours
if command -v flock >/dev/null 2>&1; then
	exec 9>"$build/stix-node.lock"
	flock 9
fi
if ! have_ajv "$B" && [ -d "$B" ]; then
	# another installer (e.g. the hub's test setup) may be filling it: give it time
	n=0
	while ! have_ajv "$B" && [ $n -lt 120 ]; do
		sleep 1
		n=$((n + 1))
	done
fi
if ! have_ajv "$B"; then
	# install aside, then move into place atomically so no reader sees half a tree
	tmp=$(mktemp -d "$build/stix-node.tmp.XXXXXX") || exit 2
	cp "$S/package.json" "$S/package-lock.json" "$tmp/" || exit 2
	# exact versions from the lock file; needs the npm registry once (or a warm cache)
	if ! npm ci --prefix "$tmp" --no-audit --no-fund >"$tmp/npm-ci.log" 2>&1; then
		echo "SKIP: 'npm ci' failed (registry unreachable?); see $tmp/npm-ci.log"
		tail -n 5 "$tmp/npm-ci.log"
		exit 77
	fi
	if [ ! -e "$B" ] && mv -T "$tmp" "$B" 2>/dev/null; then
		:
	else
		B=$tmp # someone else's folder is there: use ours for this run
	fi
fi
B=$(cd "$B" && pwd)
out=$(NODE_PATH="$B/node_modules" node "$S/validate-stix.js" "$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ $rc -eq 2 ] && printf '%s' "$out" | grep -q "needs ajv"; then
	echo "SKIP: ajv could not be loaded from $B/node_modules"
	exit 77
fi
exit $rc
