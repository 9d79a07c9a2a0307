#!/bin/sh
# Regenerates the documentation the code generates: docs/INVARIANTS.md and the
# blocks of docs/FORMAT.md between "<!-- BEGIN GENERATED: gth ... -->" and
# "<!-- END GENERATED -->". tests/test_docs.c and tests/test_validate_profile.c
# fail while they are stale. Usage: scripts/update-docs.sh [path/to/gth]
set -eu
cd "$(dirname "$0")/.."
gth=${1:-./build/release/gth}
"$gth" invariants --markdown > docs/INVARIANTS.md
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.out"' EXIT
cp docs/FORMAT.md "$tmp"
# Each pass replaces one block: the text after its BEGIN line up to END.
for block in "spec --markdown" "invariants --index --root ."; do
    name=${block% --root .}
    "$gth" $block > "$tmp.out"
    awk -v begin="<!-- BEGIN GENERATED: gth $name -->" -v gen="$tmp.out" '
        $0 == begin { print; while ((getline l < gen) > 0) print l; skip = 1; next }
        skip && /^<!-- END GENERATED -->$/ { skip = 0 }
        !skip { print }' "$tmp" > docs/FORMAT.md
    cp docs/FORMAT.md "$tmp"
done
