#!/usr/bin/env bash
# bench/run.sh: speed and memory of the validator against Go's reader, side by
# side on the same files, in one run. Writes its own traces first (cached in
# build/bench-data): a long real trace of the pingpong test program, the same in
# stress mode (GODEBUG=traceadvanceperiod=0), and generated ones when the
# generator is built. Every command is pinned to the same core and run REPS
# times; the table gives the minimum (best) and median time, MB/s and events/s
# of the best run, the peak RSS (the child's rusage), the ratio of Go's best
# time to ours, and the least CPU time (user + system, all threads) with the
# same ratio for it: on a loaded machine the CPU times are the steadier figure. Then, when valgrind is installed, the instructions per event of
# each command (callgrind) on a short real trace, which do not depend on the
# machine's load.
#
#   bench/run.sh [--quick] [--reps N] [--cpu N] [--pairs N] [--dur D] [--no-1g] [--no-callgrind]
#
# --quick uses short traces (for trying the script; figures are noisy);
# --pairs and --dur set the pingpong program's goroutine pairs and run time;
# --no-1g leaves out the 1 GB generated trace.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=3 cpu=0 dur=6s pairs=64 big=1 cg=1
while [ $# -gt 0 ]; do
  case $1 in
    --quick) dur=1s; pairs=16; shift ;;
    --reps) reps=$2; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    --pairs) pairs=$2; shift 2 ;;
    --dur) dur=$2; shift 2 ;;
    --no-1g) big=0; shift ;;
    --no-callgrind) cg=0; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
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
    { [ "$dur" = 1s ] || [ $big = 0 ]; } && [ "$size" = 1G ] && continue
    if [ ! -s "$out" ]; then
      echo "writing $out ..." >&2
      "$gth" gen --version 1.26 --seed 1 --size "$size" -o "$out" || { echo "gth gen failed" >&2; rm -f "$out"; }
    fi
    [ -s "$out" ] && traces+=("$out")
  done
fi

# run LABEL OUT -- CMD...: prints "min median rss mincpu" over REPS runs.
run() {
  local out=$2; shift 3
  local times=() cpus=() rss=0 line t r st c
  for ((i = 0; i < reps; i++)); do
    line=$("$measure" "$cpu" "$out" -- "$@")
    read -r t r st c <<<"$line"
    if [ "$st" != 0 ] && [ "$st" != 1 ]; then echo "bench: $* exited $st" >&2; fi
    times+=("$t")
    cpus+=("$c")
    [ "$r" -gt "$rss" ] && rss=$r
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  echo "$(echo "$sorted" | head -1) $(echo "$sorted" | sed -n "$(((reps + 1) / 2))p") $rss $(printf '%s\n' "${cpus[@]}" | sort -g | head -1)"
}

printf '%-28s %-30s %8s %8s %9s %10s %9s %7s %7s %7s %7s\n' trace command min_s med_s MB/s Mevents/s RSS_MiB x_speed x_mem cpu_s x_cpu
for t in "${traces[@]}"; do
  bytes=$(stat -c %s "$t")
  events=$("$gthref" readloop "$t")
  read -r gmin gmed grss gcpu <<<"$(run go /dev/null -- "$gthref" readloop "$t")"
  row() { # row LABEL MIN MED RSS CPU
    awk -v l="$1" -v t="$(basename "$t")" -v mn="$2" -v md="$3" -v r="$4" -v c="$5" -v b="$bytes" -v e="$events" \
        -v gm="$gmin" -v gr="$grss" -v gc="$gcpu" 'BEGIN {
      printf "%-28s %-30s %8.3f %8.3f %9.1f %10.2f %9.1f %7.2f %7.3f %7.3f %7.2f\n", t, l, mn, md, b / mn / 1e6,
             e / mn / 1e6, r / 1024, gm / mn, r / gr, c, gc / c }'
  }
  row "go x/exp ReadEvent loop" "$gmin" "$gmed" "$grss" "$gcpu"
  read -r a b c d <<<"$(run p /dev/null -- "$gth" validate --profile=parser "$t")"; row "gth validate --profile=parser" "$a" "$b" "$c" "$d"
  read -r a b c d <<<"$(run v /dev/null -- "$gth" validate "$t")"; row "gth validate" "$a" "$b" "$c" "$d"
  read -r a b c d <<<"$(run s /dev/null -- "$gth" validate --profile=strict "$t")"; row "gth validate --profile=strict" "$a" "$b" "$c" "$d"
  read -r a b c d <<<"$(run e /dev/null -- "$gth" validate --events "$t")"; row "gth validate --events" "$a" "$b" "$c" "$d"
  read -r a b c d <<<"$(run i /dev/null -- "$gth" info "$t")"; row "gth info" "$a" "$b" "$c" "$d"
done
if "$gth" gen --help >/dev/null 2>&1; then
  read -r a b c _ <<<"$(run g "$data/gen-out.trace" -- "$gth" gen --version 1.26 --seed 1 --threads 12 --procs 8 --size 200M)"
  bytes=$(stat -c %s "$data/gen-out.trace")
  events=$("$gthref" readloop "$data/gen-out.trace")
  awk -v mn="$a" -v md="$b" -v r="$c" -v by="$bytes" -v e="$events" 'BEGIN {
    printf "%-28s %-30s %8.3f %8.3f %9.1f %10.2f %9.1f\n", "(generated, 200 MB)", "gth gen", mn, md, by / mn / 1e6, e / mn / 1e6, r / 1024 }'
  rm -f "$data/gen-out.trace"
fi
echo "(x_speed: Go's best time / this one's best; x_mem: peak RSS / Go's; x_cpu: Go's least CPU time / this one's; cpu $cpu, $reps runs each, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD 2>/dev/null || echo ?))"

# Instructions per event (callgrind): a short real trace, each command once.
if [ $cg = 1 ] && command -v valgrind >/dev/null; then
  t=$data/pingpong-6-200ms.trace
  if [ ! -s "$t" ]; then
    (cd adapters/go/testprogs && go build -o "../../../$data/pingpong" ./pingpong)
    "$data/pingpong" -pairs 6 -d 200ms -o "$t" </dev/null
  fi
  events=$("$gthref" readloop "$t")
  printf '\n%-30s %14s %10s %9s\n' command instructions events per_event
  ir() { # ir LABEL CMD...
    local n
    n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "${@:2}" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    awk -v l="$1" -v n="$n" -v e="$events" 'BEGIN { printf "%-30s %14.0f %10d %9.1f\n", l, n, e, n / e }'
  }
  ir "gth validate --profile=parser" "$gth" validate --profile=parser "$t"
  ir "gth validate" "$gth" validate "$t"
  ir "gth validate --profile=strict" "$gth" validate --profile=strict "$t"
  ir "gth validate --events" "$gth" validate --events "$t"
  ir "gth info" "$gth" info "$t"
  echo "($(basename "$t"), $(stat -c %s "$t") bytes)"
fi
