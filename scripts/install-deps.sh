#!/bin/sh
# install-deps.sh — install setu's build and test dependencies from Debian 12 packages.
# Idempotent: installs only what is missing; run as root (or with sudo available).
set -eu

PKGS="build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
libpcap-dev libhyperscan-dev libpcre2-dev libhtp-dev libmaxminddb-dev
libsqlite3-dev libpq-dev postgresql libmicrohttpd-dev libcurl4-openssl-dev
libjansson-dev libyaml-dev libssl-dev zlib1g-dev libcmocka-dev
python3 python3-yaml ca-certificates time wrk"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

# node + npm are needed only for the schema-validation tests (ajv); some machines carry
# a NodeSource nodejs that bundles npm and conflicts with Debian's npm package.
if ! command -v node >/dev/null 2>&1; then missing="$missing nodejs"; fi
if ! command -v npm >/dev/null 2>&1; then missing="$missing npm"; fi

if [ -z "$missing" ]; then
	echo "install-deps: all dependencies present"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
