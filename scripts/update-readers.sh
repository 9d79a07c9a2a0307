#!/bin/sh
# Regenerates docs/READERS.md, the compatibility matrix of Go's release readers:
# builds gth and the readers (build/release), runs `gth matrix` over the
# built-in sets, and replaces the block of docs/READERS.md between
# "<!-- BEGIN GENERATED: gth matrix -->" and "<!-- END GENERATED -->" with its
# Markdown output. The reproducers go to build/release/matrix-out/.
# Usage: scripts/update-readers.sh [gth matrix options]
set -eu
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release -j2
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.md"' EXIT
./build/release/gth matrix --out build/release/matrix-out --markdown "$tmp" "$@"
cp docs/READERS.md "$tmp.md"
awk -v begin="<!-- BEGIN GENERATED: gth matrix -->" -v gen="$tmp" '
    $0 == begin { print; while ((getline l < gen) > 0) print l; skip = 1; next }
    skip && /^<!-- END GENERATED -->$/ { skip = 0 }
    !skip { print }' "$tmp.md" > docs/READERS.md
