#!/usr/bin/env bash
# A campaign over fuzz targets, one at a time (fuzz/run.sh each, under nice),
# then a Markdown table of the figures (for fuzz/CAMPAIGNS.md) on stdout and in
# build/fuzz-runs/campaign-ENGINE-TIME.md. Two campaigns of AFL++ (one core
# each) may run side by side on different targets.
#   fuzz/campaign.sh SECONDS [--fork N | --afl] [TARGET...]
# SECONDS per target; --fork N: libFuzzer's fork mode over N cores; --afl:
# AFL++ instead of libFuzzer. Default targets: every target of targets.list.
set -uo pipefail
usage() { echo "usage: fuzz/campaign.sh SECONDS [--fork N | --afl] [TARGET...]" >&2; exit 2; }
secs=${1:-}
[[ $secs =~ ^[0-9]+$ ]] || usage
shift
opts=() engine="libFuzzer + ASan + UBSan" preset=fuzz
while [ $# -gt 0 ]; do
  case $1 in
    --fork) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; opts+=(--fork "$2"); engine="$engine, -fork=$2"; shift 2 ;;
    --afl) opts+=(--afl); engine="AFL++ (no sanitizer)"; preset=afl; shift ;;
    --*) usage ;;
    *) break ;;
  esac
done
cd "$(dirname "$0")/.."
[ -f "build/$preset/build.ninja" ] || cmake --preset $preset >/dev/null
AFL_QUIET=1 cmake --build --preset $preset -j2 >/dev/null
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
  while read -r name _; do targets+=("$name"); done < <(grep -vE '^(#|$)' fuzz/targets.list)
fi
out=build/fuzz-runs/campaign-$preset-$(date -u +%Y%m%d-%H%M%S)-$$.md
mkdir -p build/fuzz-runs
{
  echo "Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (with local changes)'), $(date -u '+%Y-%m-%d %H:%M UTC'), ${secs} s per target, $engine, one target at a time, nice."
  echo
  echo "| target | executions | exec/s | coverage | corpus | crashes |"
  echo "|---|---:|---:|---|---:|---:|"
} >"$out"
total=0
for t in "${targets[@]}"; do
  nice bash fuzz/run.sh "$t" "$secs" "${opts[@]}" | sed "s/^/[$t] /" >&2
  s=$(cat "build/fuzz-runs/$t$([ $preset = afl ] && echo -afl)/summary" 2>/dev/null || echo "")
  val() { grep -oE "(^| )$1=[^ ]+" <<<"$s" | head -1 | cut -d= -f2; }
  execs=$(val execs)
  if [ $preset = afl ]; then
    cov="edges $(val edges), bitmap $(val bitmap)"
  else
    cov="cov $(val cov), ft $(val ft)"
  fi
  echo "| $t | ${execs:-?} | $(( ${execs:-0} / (secs > 0 ? secs : 1) )) | $cov | $(val corpus) | $(val crashes) |" >>"$out"
  total=$((total + ${execs:-0}))
done
echo >>"$out"
echo "$total executions in all." >>"$out"
cat "$out"
