#!/usr/bin/env bash
# The CI fuzz step (called by scripts/test.sh): builds the libFuzzer targets
# (preset fuzz: clang, ASan+UBSan) and runs every target for FUZZ_CI_SECONDS
# (default 30) on its seed corpus and dictionary, two at a time; any crash,
# leak, timeout or out-of-memory fails the step. Then builds the AFL++ targets
# (preset afl) to check that they link, unless FUZZ_CI_AFL=0.
# New inputs go to a scratch corpus; the seeds are not touched.
# diff_go (differential against Go's reader) needs gthref: the fuzz build makes
# it beside the targets when Go is found at configure time, or GTH_GTHREF names
# one; without either, diff_go is reported as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_CI_SECONDS:-30}
jobs=${FUZZ_CI_JOBS:-2}

echo "== fuzz targets (libFuzzer, ASan+UBSan)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc 2>/dev/null || echo 2)"
dir=build/fuzz/fuzz
work=$(mktemp -d "${TMPDIR:-/tmp}/gth-fuzz-ci.XXXXXX")
trap 'rm -rf "$work"' EXIT

run_one() { # name seeds dict
  local name=$1 seeds=$2 dict=$3 opts=()
  [ "$dict" != none ] && opts+=("-dict=$dir/bin/$dict.dict")
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  local rc=0
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$dir/bin/$name" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$work/$name/artifacts/" "${opts[@]}" "$work/$name/corpus" "$dir/seeds/$seeds" \
    >"$work/$name.log" 2>&1 || rc=$?
  echo "$rc" >"$work/$name.rc"
}

names=()
while read -r name seeds dict; do
  [ -n "$name" ] || continue
  if [[ $name == diff_go* ]] && [ ! -x "$dir/bin/gthref" ] && [ -z "${GTH_GTHREF:-}" ]; then
    echo "fuzz $name: skipped (no gthref: Go was not found when configuring, and GTH_GTHREF is not set)"
    continue
  fi
  names+=("$name")
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$name" "$seeds" "$dict" &
done <"$dir/bin/targets.txt"
wait

failed=0
for name in "${names[@]}"; do
  rc=$(cat "$work/$name.rc")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$name.log")
  cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$work/$name.log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9A-Za-z]+' || true)
  if [ "$rc" = 0 ]; then
    echo "fuzz $name: ok, ${secs}s, ${execs:-?} execs (${eps:-?}/s), $cov"
  else
    failed=$((failed + 1))
    echo "fuzz $name: FAILED (exit $rc)"
    grep -E 'ERROR|property failed|SUMMARY|Test unit written' "$work/$name.log" | head -20 || true
    for f in "$work/$name/artifacts"/*; do
      [ -e "$f" ] || continue
      mkdir -p build/fuzz-ci-artifacts
      cp "$f" "build/fuzz-ci-artifacts/$name-$(basename "$f")"
      echo "  kept build/fuzz-ci-artifacts/$name-$(basename "$f")"
    done
  fi
done
echo "fuzz: $((${#names[@]} - failed)) passed, $failed failed"
[ "$failed" = 0 ] || exit 1

if [ "${FUZZ_CI_AFL:-1}" != 0 ] && command -v afl-clang-fast >/dev/null; then
  echo "== fuzz targets (AFL++ build)"
  cmake --preset afl >/dev/null
  AFL_QUIET=1 cmake --build --preset afl -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
  echo "afl: built $(wc -l <build/afl/fuzz/bin/targets.txt) targets"
fi
