#!/bin/sh
# npm-ajv.sh SRC DEST — install ajv (pinned by SRC/package-lock.json) into DEST once.
# Safe when several tests install at once: one holds DEST.lock (the same lock the STIX
# schema check takes), and the tree is built aside and moved into place whole.
set -eu
SRC=$1
DEST=$2
have() { [ -f "$DEST/node_modules/ajv/package.json" ] && [ -f "$DEST/node_modules/ajv-formats/package.json" ]; }
mkdir -p "$(dirname "$DEST")"
if command -v flock >/dev/null 2>&1; then
	exec 9>"$DEST.lock"
	flock 9
fi
if have; then
	echo "ajv already installed in $DEST"
	exit 0
fi
tmp=$(mktemp -d "$DEST.tmp.XXXXXX")
cp "$SRC/package.json" "$SRC/package-lock.json" "$tmp/"
if ! npm ci --prefix "$tmp" --no-audit --no-fund; then
	echo "SKIP: npm could not install ajv (no registry?)"
	rm -rf "$tmp"
	exit 77
fi
rm -rf "$DEST"
mv -T "$tmp" "$DEST"
