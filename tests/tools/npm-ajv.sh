#!/bin/sh
# npm-ajv.sh SRC DEST — install ajv (pinned by SRC/package-lock.json) into DEST once.
set -eu
SRC=$1
DEST=$2
if [ -f "$DEST/node_modules/ajv/package.json" ] && [ -f "$DEST/node_modules/ajv-formats/package.json" ]; then
	echo "ajv already installed in $DEST"
	exit 0
fi
mkdir -p "$DEST"
cp "$SRC/package.json" "$SRC/package-lock.json" "$DEST/"
if ! npm ci --prefix "$DEST" --no-audit --no-fund; then
	echo "SKIP: npm could not install ajv (no registry?)"
	exit 77
fi
