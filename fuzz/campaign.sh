#!/usr/bin/env bash
# A campaign over every libFuzzer target, one at a time (fuzz/run.sh each, under
# nice), then a Markdown table of the figures (for fuzz/CAMPAIGNS.md) on stdout
# and in build/fuzz-runs/campaign.md.
#   fuzz/campaign.sh SECONDS [TARGET...]     (default: every target of targets.txt)
set -uo pipefail
secs=${1:?usage: fuzz/campaign.sh SECONDS [TARGET...]}
shift
cd "$(dirname "$0")/.."
[ -f build/fuzz/build.ninja ] || cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j2 >/dev/null
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
  while read -r name _; do targets+=("$name"); done <build/fuzz/fuzz/bin/targets.txt
fi
out=build/fuzz-runs/campaign.md
mkdir -p build/fuzz-runs
{
  echo "Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (with local changes)'), $(date -u '+%Y-%m-%d %H:%M UTC'), ${secs} s per target, libFuzzer + ASan + UBSan, one target at a time, nice."
  echo
  echo "| target | executions | exec/s | cov | ft | corpus (units/size) | crashes |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
} >"$out"
for t in "${targets[@]}"; do
  nice bash fuzz/run.sh "$t" "$secs" | sed "s/^/[$t] /" >&2
  s=$(cat "build/fuzz-runs/$t/summary" 2>/dev/null || echo "")
  val() { grep -oE "(^| )$1=[^ ]+" <<<"$s" | head -1 | cut -d= -f2; }
  execs=$(val execs)
  eps=$(grep '^stat::average_exec_per_sec' "build/fuzz-runs/$t/log" | awk '{s += $2; n++} END {if (n) printf "%d", s / n}')
  echo "| $t | ${execs:-?} | ${eps:-?} | $(val cov) | $(val ft) | $(val corpus) | $(val crashes) |" >>"$out"
done
cat "$out"
