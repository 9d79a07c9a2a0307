#!/usr/bin/env bash
# adapters/go/streamcmp.sh: checks that gthref's output is byte for byte what
# another revision's gthref prints — for changes that must not change a single
# line (the canonical printer, the verdicts). Builds gthref from REV (default
# HEAD) and from the working tree, runs both as `validate --batch --events` in
# both profiles over one list of traces and compares the outputs with cmp.
#
#   adapters/go/streamcmp.sh [--rev REV] [--all] [--gth PATH]
#
# Traces: corpus/real and corpus/invalid-bin; Go's golden tests
# ($(go env GOROOT)/src/internal/trace/testdata/tests, packed with gth pack);
# 40 generated traces (gth gen, 10 seeds of each version). --all adds every .test
# of corpus/valid, corpus/invalid and corpus/invalid-validate. --gth: the gth
# binary used to pack and generate (default build/release/gth).
# Exit status: 0 same output, 1 the outputs differ, 2 usage or build error.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
rev=HEAD all=0 gth=$repo/build/release/gth
while [ $# -gt 0 ]; do
  case $1 in
    --rev) rev=$2; shift 2 ;;
    --all) all=1; shift ;;
    --gth) gth=$2; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "streamcmp: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$gth" ] || { echo "streamcmp: no gth at $gth (build the release preset or pass --gth)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/old" "$tmp/traces/golden" "$tmp/traces/gen" "$tmp/traces/corpus"

# The two binaries.
git -C "$repo" archive "$rev" adapters/go | tar -x -C "$tmp/old" ||
  { echo "streamcmp: cannot read adapters/go at $rev" >&2; exit 2; }
(cd "$tmp/old/adapters/go" && go build -o "$tmp/gthref-old" ./cmd/gthref) || exit 2
(cd "$repo/adapters/go" && go build -o "$tmp/gthref-new" ./cmd/gthref) || exit 2

# The traces.
list=$tmp/paths
ls "$repo"/corpus/real/*.trace "$repo"/corpus/invalid-bin/*.trace >"$list"
golden=$(go env GOROOT)/src/internal/trace/testdata/tests
for t in "$golden"/*.test; do
  [ -e "$t" ] || continue
  out=$tmp/traces/golden/$(basename "$t" .test).trace
  "$gth" pack "$t" -o "$out" 2>/dev/null && echo "$out" >>"$list"
done
for v in 1.22 1.23 1.25 1.26; do
  "$gth" gen --version "$v" --seed 1 --count 10 -o "$tmp/traces/gen/$v" || exit 2
  ls "$tmp/traces/gen/$v"/*.trace >>"$list"
done
if [ "$all" = 1 ]; then
  for t in "$repo"/corpus/valid/*.test "$repo"/corpus/invalid/*.test "$repo"/corpus/invalid-validate/*.test; do
    out=$tmp/traces/corpus/$(basename "$(dirname "$t")")-$(basename "$t" .test).trace
    "$gth" pack "$t" -o "$out" 2>/dev/null && echo "$out" >>"$list"
  done
fi

# Go prints the reader's state after "failed to advance" in map order, which
# differs from run to run: such verdicts are compared up to that text.
norm() { sed -E 's/^(REJECT "broken trace: failed to advance).*/\1/' "$1" >"$1.norm"; }

status=0
for prof in parser validate; do
  # Exit status 1 only says that some trace was rejected.
  "$tmp/gthref-old" validate --batch --events --profile=$prof <"$list" >"$tmp/old.$prof" || [ $? = 1 ]
  "$tmp/gthref-new" validate --batch --events --profile=$prof <"$list" >"$tmp/new.$prof" || [ $? = 1 ]
  norm "$tmp/old.$prof"
  norm "$tmp/new.$prof"
  if cmp -s "$tmp/old.$prof.norm" "$tmp/new.$prof.norm"; then
    echo "streamcmp: profile $prof: same output on $(wc -l <"$list") traces ($(wc -l <"$tmp/new.$prof") lines)"
  else
    echo "streamcmp: profile $prof: outputs differ ($rev vs working tree):"
    diff "$tmp/old.$prof.norm" "$tmp/new.$prof.norm" | head -20 || true
    status=1
  fi
done
exit $status
