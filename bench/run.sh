#!/usr/bin/env bash
# bench/run.sh: speed and memory of the validator against Go's reader, side by
# side on the same files, in one run. Writes its own traces first (cached in
# build/bench-data): a long real trace of the pingpong test program, the same in
# stress mode (GODEBUG=traceadvanceperiod=0), and generated ones when the
# generator is built. Every command is pinned to the same core and run REPS
# times; the table gives the minimum and median time, MB/s and events/s of the
# median, the peak RSS (the child's rusage), and the ratio to Go's reader.
#
#   bench/run.sh [--quick] [--reps N] [--cpu N]
#
# --quick uses short traces (for trying the script; figures are noisy).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=3 cpu=0 dur=6s pairs=64
while [ $# -gt 0 ]; do
  case $1 in
    --quick) dur=1s; pairs=16; shift ;;
    --reps) reps=$2; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

build=build/release
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
data=build/bench-data
mkdir -p "$data"
cc -O2 -o "$data/measure" bench/measure.c
gth=$build/gth gthref=$build/gthref measure=$data/measure

traces=()
prog() { # prog NAME ENV...: a pingpong trace, written once
  local out=$data/$1-$pairs-$dur.trace
  if [ ! -s "$out" ]; then
    echo "writing $out ..." >&2
    (cd adapters/go/testprogs && go build -o "../../../$data/pingpong" ./pingpong)
    env "${@:2}" "$data/pingpong" -pairs "$pairs" -d "$dur" -o "$out" </dev/null
  fi
  traces+=("$out")
}
prog pingpong GODEBUG=
prog pingpong-stress GODEBUG=traceadvanceperiod=0
if "$gth" gen --help >/dev/null 2>&1; then
  for size in 100M 1G; do
    out=$data/gen-$size.trace
    [ "$dur" = 1s ] && [ "$size" = 1G ] && continue
    if [ ! -s "$out" ]; then
      echo "writing $out ..." >&2
      "$gth" gen --version 1.26 --seed 1 --size "$size" -o "$out" || { echo "gth gen failed" >&2; rm -f "$out"; }
    fi
    [ -s "$out" ] && traces+=("$out")
  done
fi

# run LABEL OUT -- CMD...: prints "min median rss" over REPS runs.
run() {
  local out=$2; shift 3
  local times=() rss=0 line t r st
  for ((i = 0; i < reps; i++)); do
    line=$("$measure" "$cpu" "$out" -- "$@")
    read -r t r st <<<"$line"
    if [ "$st" != 0 ] && [ "$st" != 1 ]; then echo "bench: $* exited $st" >&2; fi
    times+=("$t")
    [ "$r" -gt "$rss" ] && rss=$r
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  echo "$(echo "$sorted" | head -1) $(echo "$sorted" | sed -n "$(((reps + 1) / 2))p") $rss"
}

printf '%-28s %-30s %8s %8s %9s %10s %9s %7s %7s\n' trace command min_s med_s MB/s Mevents/s RSS_MiB x_speed x_mem
for t in "${traces[@]}"; do
  bytes=$(stat -c %s "$t")
  events=$("$gthref" readloop "$t")
  read -r gmin gmed grss <<<"$(run go /dev/null -- "$gthref" readloop "$t")"
  row() { # row LABEL MIN MED RSS
    awk -v l="$1" -v t="$(basename "$t")" -v mn="$2" -v md="$3" -v r="$4" -v b="$bytes" -v e="$events" \
        -v gm="$gmed" -v gr="$grss" 'BEGIN {
      printf "%-28s %-30s %8.3f %8.3f %9.1f %10.2f %9.1f %7.2f %7.2f\n", t, l, mn, md, b / md / 1e6, e / md / 1e6,
             r / 1024, gm / md, r / gr }'
  }
  row "go x/exp ReadEvent loop" "$gmin" "$gmed" "$grss"
  read -r a b c <<<"$(run p /dev/null -- "$gth" validate --profile=parser "$t")"; row "gth validate --profile=parser" "$a" "$b" "$c"
  read -r a b c <<<"$(run v /dev/null -- "$gth" validate "$t")"; row "gth validate" "$a" "$b" "$c"
  read -r a b c <<<"$(run e /dev/null -- "$gth" validate --events "$t")"; row "gth validate --events" "$a" "$b" "$c"
  read -r a b c <<<"$(run i /dev/null -- "$gth" info "$t")"; row "gth info" "$a" "$b" "$c"
done
if "$gth" gen --help >/dev/null 2>&1; then
  read -r a b c <<<"$(run g "$data/gen-out.trace" -- "$gth" gen --version 1.26 --seed 1 --threads 12 --procs 8 --size 200M)"
  bytes=$(stat -c %s "$data/gen-out.trace")
  events=$("$gthref" readloop "$data/gen-out.trace")
  awk -v mn="$a" -v md="$b" -v r="$c" -v by="$bytes" -v e="$events" 'BEGIN {
    printf "%-28s %-30s %8.3f %8.3f %9.1f %10.2f %9.1f\n", "(generated, 200 MB)", "gth gen", mn, md, by / md / 1e6, e / md / 1e6, r / 1024 }'
  rm -f "$data/gen-out.trace"
fi
echo "(x_speed: Go's median time / this one; x_mem: peak RSS / Go's; cpu $cpu, $reps runs each, commit $(git rev-parse --short HEAD 2>/dev/null || echo ?))"
