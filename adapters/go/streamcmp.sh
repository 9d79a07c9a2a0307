#!/usr/bin/env bash
# adapters/go/streamcmp.sh: checks that gthref's output is byte for byte what
# another revision's gthref prints — for changes that must not change a single
# line (the canonical printer, the verdicts). Builds gthref from REV (default
# HEAD) and from the working tree, runs both as `validate --batch --events` in
# both profiles over one list of traces and compares the outputs with cmp.
#
#   adapters/go/streamcmp.sh [--rev REV | --pipeline] [--release R] [--all] [--gth PATH]
#
# --pipeline compares the working tree's gthref with itself instead: reading
# every trace serially (GTHREF_PIPELINE=0) and reading (and validating) every
# trace ahead in batches of 7 events (GTHREF_PIPELINE=7, so that events are
# handed over while the reader still reads), built with Go's race detector,
# which ends the run (exit status 66, reported) at the first data race; it
# also compares `--profile=both --digest` (verdicts and digests of both
# profiles). --release R (1.22 ... 1.27) builds the adapter of that release's
# reader (adapters/releases/goR) instead of gthref.
#
# Traces: corpus/real and corpus/invalid-bin; Go's golden tests
# ($(go env GOROOT)/src/internal/trace/testdata/tests, packed with gth pack);
# 40 generated traces (gth gen, 10 seeds of each version). --all adds every .test
# of corpus/valid, corpus/invalid and corpus/invalid-validate. --gth: the gth
# binary used to pack and generate (default build/release/gth).
# Exit status: 0 same output, 1 the outputs differ, 2 usage or build error.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
rev=HEAD all=0 gth=$repo/build/release/gth pipeline=0 release=
while [ $# -gt 0 ]; do
  case $1 in
    --rev) rev=$2; shift 2 ;;
    --pipeline) pipeline=1; shift ;;
    --release) release=$2; shift 2 ;;
    --all) all=1; shift ;;
    --gth) gth=$2; shift 2 ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "streamcmp: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$gth" ] || { echo "streamcmp: no gth at $gth (build the release preset or pass --gth)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/old" "$tmp/traces/golden" "$tmp/traces/gen" "$tmp/traces/corpus"

# build TREE OUT [FLAGS...]: gthref, or the adapter of --release, from TREE.
build() {
  local tree=$1 out=$2
  shift 2
  if [ -z "$release" ]; then
    (cd "$tree/adapters/go" && go build "$@" -o "$out" ./cmd/gthref)
    return
  fi
  local tags
  case $release in
    1.22) tags=xtrace_api22 ;;
    1.23 | 1.24) tags=xtrace_api23 ;; # as cmake/GoReleases.cmake
    *) tags= ;;
  esac
  [ -f "$tree/adapters/releases/go$release/go.mod" ] ||
    { echo "streamcmp: no adapter for Go $release in $tree" >&2; return 2; }
  (cd "$tree/adapters/releases/go$release" &&
    go build "$@" ${tags:+-tags=$tags} -o "$out" golang.org/x/exp/trace/gthharness/cmd/gthref)
}

# The two binaries, and how each is run.
old_env=() new_env=()
if [ "$pipeline" = 1 ]; then
  what="GTHREF_PIPELINE=0 vs 7"
  build "$repo" "$tmp/gthref-new" -race || exit 2
  cp "$tmp/gthref-new" "$tmp/gthref-old"
  old_env=(GTHREF_PIPELINE=0) new_env=(GTHREF_PIPELINE=7)
  export GORACE="halt_on_error=1 exitcode=66"
else
  what="$rev vs working tree"
  git -C "$repo" archive "$rev" adapters/go adapters/releases | tar -x -C "$tmp/old" ||
    { echo "streamcmp: cannot read adapters/go at $rev" >&2; exit 2; }
  build "$tmp/old" "$tmp/gthref-old" || exit 2
  build "$repo" "$tmp/gthref-new" || exit 2
fi
# gthref NAME ARGS...: runs the old or new binary; exit status 1 only says
# that some trace was rejected.
gthref() {
  local name=$1 env
  shift
  if [ "$name" = old ]; then env=("${old_env[@]}"); else env=("${new_env[@]}"); fi
  env "${env[@]}" "$tmp/gthref-$name" "$@" && return
  local st=$?
  [ $st = 1 ] && return
  echo "streamcmp: gthref ($name) exited $st$([ $st = 66 ] && echo ": a data race")" >&2
  exit 1
}

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
# differs from run to run: such verdicts are compared up to that text. The
# outputs are normalised in place, so that at most two of them (each up to a
# few hundred MB) are on disk at once.
norm() { sed -i -E 's/^(REJECT "broken trace: failed to advance).*/\1/' "$1"; }

profiles=(parser validate)
[ "$pipeline" = 1 ] && profiles+=(both)
status=0
for prof in "${profiles[@]}"; do
  # --profile=both: both streams by digest (the events were compared above).
  flags=(--events)
  [ "$prof" = both ] && flags=(--digest)
  gthref old validate --batch "${flags[@]}" --profile=$prof <"$list" >"$tmp/old.$prof"
  norm "$tmp/old.$prof"
  gthref new validate --batch "${flags[@]}" --profile=$prof <"$list" >"$tmp/new.$prof"
  norm "$tmp/new.$prof"
  if cmp -s "$tmp/old.$prof" "$tmp/new.$prof"; then
    echo "streamcmp: profile $prof: same output on $(wc -l <"$list") traces ($(wc -l <"$tmp/new.$prof") lines)"
  else
    echo "streamcmp: profile $prof: outputs differ ($what):"
    diff "$tmp/old.$prof" "$tmp/new.$prof" | head -20 || true
    status=1
  fi
  rm -f "$tmp/old.$prof" "$tmp/new.$prof"
done
exit $status
