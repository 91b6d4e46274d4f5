#!/bin/sh
# check-format.sh — fail if any C file differs from .clang-format; --fix rewrites them.
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find src include tests bench -name '*.[ch]')
[ -n "$files" ] || exit 0
if [ "${1:-}" = "--fix" ]; then
	# twice: a few constructs (aligned trailing comments) settle on the second pass
	echo "$files" | xargs clang-format -i
	echo "$files" | xargs clang-format -i
	exit 0
fi
bad=0
for f in $files; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "format: $f differs from .clang-format (run scripts/check-format.sh --fix)"
		bad=1
	fi
done
exit $bad
