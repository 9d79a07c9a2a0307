#!/usr/bin/env bash
# A fuzzing campaign on one target.
#   fuzz/run.sh TARGET SECONDS [--afl] [--fork N]
# Builds the targets if needed (preset fuzz: libFuzzer+ASan+UBSan; with --afl
# preset afl: AFL++), then fuzzes TARGET for SECONDS from its seed corpus and
# dictionary, printing progress every 30 s. --fork N runs libFuzzer's fork mode
# with N worker processes (one per core), sharing one corpus. Every crash is collected (libFuzzer
# is restarted after a crash until the time is up) and minimised (libFuzzer
# -minimize_crash=1, afl-tmin). Results in build/fuzz-runs/TARGET[-afl]/:
#   corpus/   the corpus grown by the run (seeds not included)
#   crashes/  crash, leak, timeout and oom inputs, and min-* their minimised forms
#   log       the engine's output;  summary  one line of figures
# TARGET is a name of fuzz/targets.list (or a built *_structured variant).
set -euo pipefail
usage() { echo "usage: fuzz/run.sh TARGET SECONDS [--afl] [--fork N]" >&2; exit 2; }
[ $# -ge 2 ] || usage
target=$1 secs=$2
shift 2
afl=0 fork=0
while [ $# -gt 0 ]; do
  case $1 in
    --afl) afl=1 ;;
    --fork) fork=${2:-}; shift ;;
    --fork=*) fork=${1#--fork=} ;;
    *) usage ;;
  esac
  shift
done
[[ $secs =~ ^[0-9]+$ && $fork =~ ^[0-9]+$ ]] || usage
[ $afl = 1 ] && [ "$fork" != 0 ] && { echo "fuzz/run.sh: --fork is for libFuzzer" >&2; exit 2; }
cd "$(dirname "$0")/.."
root=$PWD
preset=fuzz
[ $afl = 1 ] && preset=afl
[ -f "build/$preset/build.ninja" ] || cmake --preset $preset >/dev/null
AFL_QUIET=1 cmake --build --preset $preset -j2 >/dev/null
bin=$root/build/$preset/fuzz/bin
line=$(grep "^$target " "$bin/targets.txt" || true)
[ -n "$line" ] || { echo "fuzz/run.sh: unknown target $target (see $bin/targets.txt)" >&2; exit 2; }
read -r _ seeds dict <<<"$line"
seeddir=$root/build/$preset/fuzz/seeds/$seeds
dictopt=()
run=$root/build/fuzz-runs/$target
[ $afl = 1 ] && run=$run-afl
mkdir -p "$run/corpus" "$run/crashes"
: >"$run/log"
echo "fuzz/run.sh: $target, ${secs}s, $([ $afl = 1 ] && echo AFL++ || echo libFuzzer)$([ "$fork" != 0 ] && echo " -fork=$fork"), seeds $seeddir, output $run"

progress() { # pid
  local pid=$1 t=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    t=$((t + 1))
    if ((t % 30 == 0)); then
      if [ $afl = 1 ]; then
        local s=$run/afl/default/fuzzer_stats
        [ -f "$s" ] && echo "  ${t}s: $(grep -E '^(execs_done|execs_per_sec|corpus_count|bitmap_cvg|saved_crashes)' "$s" | awk '{printf "%s=%s ", $1, $3}')"
      else
        echo "  ${t}s: $(grep -E '^#[0-9]+' "$run/log.run" 2>/dev/null | tail -1)"
      fi
    fi
  done
}

if [ $afl = 0 ]; then
  [ "$dict" != none ] && dictopt=("-dict=$bin/$dict.dict")
  forkopt=()
  [ "$fork" != 0 ] && forkopt=("-fork=$fork")
  start=$(date +%s)
  execs=0 runs=0
  while :; do
    left=$((secs - ($(date +%s) - start)))
    ((left > 0)) || break
    runs=$((runs + 1))
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$bin/$target" -max_total_time=$left -timeout=25 -rss_limit_mb=2560 -print_final_stats=1 "${forkopt[@]}" \
      -artifact_prefix="$run/crashes/" "${dictopt[@]}" "$run/corpus" "$seeddir" >"$run/log.run" 2>&1 &
    pid=$!
    progress $pid
    rc=0
    wait $pid || rc=$?
    cat "$run/log.run" >>"$run/log"
    # Executions of this run: the final statistics, or in fork mode (which
    # prints none) the last status line's count.
    n=$(grep '^stat::number_of_executed_units' "$run/log.run" | tail -1 | awk '{print $2}' || true)
    [ -n "$n" ] || n=$(grep -oE '^#[0-9]+' "$run/log.run" | tail -1 | tr -d '#' || true)
    rm -f "$run/log.run"
    execs=$((execs + ${n:-0}))
    [ $rc = 0 ] && break
    echo "  crash (exit $rc): $(grep -E 'Test unit written' "$run/log" | tail -1)"
  done
  last=$(grep -E '^#[0-9]+' "$run/log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | awk '{print $2}')
  ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | awk '{print $2}')
  corp=$(grep -oE 'corp: [0-9]+(/[0-9A-Za-z]+)?' <<<"$last" | awk '{print $2}')
  # Minimise every crasher.
  for f in "$run/crashes"/*; do
    [ -f "$f" ] || continue
    case $(basename "$f") in min-*) continue ;; esac
    # Bounded: each step of minimising an oom or timeout input runs to the limit.
    timeout -k 5 180 "$bin/$target" -minimize_crash=1 -runs=20000 -max_total_time=120 -timeout=25 \
      -rss_limit_mb=2560 -exact_artifact_path="$run/crashes/min-$(basename "$f")" "$f" >>"$run/log" 2>&1 || true
  done
  crashes=$(find "$run/crashes" -type f ! -name 'min-*' | wc -l)
  summary="target=$target engine=libfuzzer fork=$fork seconds=$secs runs=$runs execs=$execs cov=${cov:-?} ft=${ft:-?} corpus=${corp:-?} crashes=$crashes"
else
  [ "$dict" != none ] && dictopt=(-x "$bin/$dict.dict")
  rm -rf "$run/afl"
  # Seeds over 1 MiB are refused by afl-fuzz; none of ours is.
  AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
    afl-fuzz -V "$secs" -i "$seeddir" -o "$run/afl" "${dictopt[@]}" -- "$bin/$target" >>"$run/log" 2>&1 &
  pid=$!
  progress $pid
  wait $pid || echo "  afl-fuzz exited with $?"
  s=$run/afl/default/fuzzer_stats
  val() { grep -E "^$1 " "$s" | awk '{print $3}'; }
  for f in "$run/afl/default/crashes"/id:*; do
    [ -f "$f" ] || continue
    id=$(basename "$f" | cut -d, -f1 | tr ':' '-')
    cp "$f" "$run/crashes/$id"
    timeout -k 5 180 afl-tmin -i "$f" -o "$run/crashes/min-$id" -- "$bin/$target" >>"$run/log" 2>&1 || true
  done
  cp -r "$run/afl/default/queue/." "$run/corpus/" 2>/dev/null || true
  crashes=$(find "$run/crashes" -type f ! -name 'min-*' | wc -l)
  summary="target=$target engine=afl seconds=$secs execs=$(val execs_done) execs_per_sec=$(val execs_per_sec) corpus=$(val corpus_count) edges=$(val edges_found) bitmap=$(val bitmap_cvg) crashes=$crashes"
fi
echo "$summary" | tee "$run/summary"
if [ "$crashes" -gt 0 ]; then
  echo "crashes in $run/crashes (min-* minimised); keep each fixed one under fuzz/regressions/$target/"
  exit 1
fi
