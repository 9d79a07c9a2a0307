#!/usr/bin/env bash
# bench/gthref.sh: the speed of gthref validate (Go's reader, every event's
# canonical line, optionally Go's validator) against gthref readloop (Go's bare
# ReadEvent loop) on real traces, in one run. Prints, per trace and summed over
# the traces, the best wall time and the best CPU time (user + system, all
# threads) of each command over REPS rounds, and each against readloop's.
#
# Nothing is pinned: gthref reads and validates a large trace on goroutines of
# their own while it formats (adapters/README.md, "Reading ahead"), so its wall
# time is what a user waits for with two cores or more and its CPU time what it
# costs. Each validate command runs as it is (pipelined) and with
# GTHREF_PIPELINE=0 (serial). `--profile=both --digest` is what gth diff and
# gth conform ask of it. The commands alternate within a round, so that the
# load of the machine falls on all of them alike.
#
#   bench/gthref.sh [--reps N] [--duration D] [--all]
#
# The traces are written once by adapters/go/testprogs/run.sh with the local
# Go (cached in build/bench-data/gthref-D): pingpong normal, churn stress,
# blocking normal and gcpressure stress (--all: every trace of at least 1 MB).
# --duration is the programs' run time (default 1s).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=3 dur=1s all=0
while [ $# -gt 0 ]; do
  case $1 in
    --reps) reps=$2; shift 2 ;;
    --duration) dur=$2; shift 2 ;;
    --all) all=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "bench/gthref.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

build=build/release
cmake --preset release >/dev/null
cmake --build --preset release --target gth-goref >/dev/null
gthref=$PWD/$build/gthref
data=build/bench-data/gthref-$dur
mkdir -p "$data"
cc -O2 -o "$data/measure" bench/measure.c
measure=$data/measure

if ! ls "$data"/*.trace >/dev/null 2>&1; then
  echo "writing traces into $data ..." >&2
  adapters/go/testprogs/run.sh "$data" --duration "$dur" </dev/null >/dev/null ||
    echo "bench/gthref.sh: some test programs failed; using the traces written" >&2
fi
traces=()
if [ $all = 1 ]; then
  for t in "$data"/*.trace; do
    [ "$(stat -c %s "$t")" -ge 1048576 ] && traces+=("$t")
  done
else
  for name in pingpong-*-normal churn-*-stress blocking-*-normal gcpressure-*-stress; do
    for t in "$data"/$name.trace; do [ -s "$t" ] && traces+=("$t"); done
  done
fi
[ ${#traces[@]} -gt 0 ] || { echo "bench/gthref.sh: no trace in $data" >&2; exit 1; }

cmds=(
  "readloop|readloop"
  "parser|validate --profile=parser --quiet"
  "parser serial|S validate --profile=parser --quiet"
  "validate|validate --profile=validate --quiet"
  "validate serial|S validate --profile=validate --quiet"
  "parser --events|validate --profile=parser --events"
  "parser --events serial|S validate --profile=parser --events"
  "parser --digest|validate --profile=parser --digest"
  "parser --digest serial|S validate --profile=parser --digest"
  "both --digest|validate --profile=both --digest"
  "both --digest serial|S validate --profile=both --digest"
)

raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
echo "gthref $("$gthref" version 2>/dev/null | head -1); $reps rounds; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((round = 1; round <= reps; round++)); do
  for t in "${traces[@]}"; do
    for c in "${cmds[@]}"; do
      label=${c%%|*} args=${c#*|} envs=()
      if [ "${args:0:2}" = "S " ]; then envs=(env GTHREF_PIPELINE=0); args=${args:2}; fi
      # shellcheck disable=SC2086 # args are words
      read -r wall _ st cpu <<<"$("$measure" - /dev/null -- "${envs[@]}" "$gthref" $args "$t")"
      [ "$st" = 0 ] || echo "bench/gthref.sh: $label on $t exited $st" >&2
      printf '%s\t%s\t%s\t%s\n' "$(basename "$t" .trace)" "$label" "$wall" "$cpu" >>"$raw"
    done
  done
  echo "round $round of $reps done" >&2
done

awk -F'\t' '
  { k = $1 SUBSEP $2
    if (!(k in w) || $3 < w[k]) w[k] = $3
    if (!(k in c) || $4 < c[k]) c[k] = $4
    if (!($1 in seen)) { seen[$1] = 1; order[++nt] = $1 }
    if (!($2 in cseen)) { cseen[$2] = 1; corder[++nc] = $2 } }
  function row(name, cw, cc, rw, rc) {
    printf "| %s | %.3f | %.2f× | %.3f | %.2f× |\n", name, cw, cw / rw, cc, cc / rc }
  END {
    for (i = 1; i <= nt; i++) {
      t = order[i]
      printf "\n%s\n\n| command | wall s | ÷ readloop | CPU s | ÷ readloop |\n|---|---:|---:|---:|---:|\n", t
      for (j = 1; j <= nc; j++) {
        k = t SUBSEP corder[j]
        row(corder[j], w[k], c[k], w[t SUBSEP "readloop"], c[t SUBSEP "readloop"])
        sw[corder[j]] += w[k]; sc[corder[j]] += c[k]
      }
    }
    printf "\nsummed over %d traces\n\n| command | wall s | ÷ readloop | CPU s | ÷ readloop |\n|---|---:|---:|---:|---:|\n", nt
    for (j = 1; j <= nc; j++) row(corder[j], sw[corder[j]], sc[corder[j]], sw["readloop"], sc["readloop"])
  }' "$raw"
