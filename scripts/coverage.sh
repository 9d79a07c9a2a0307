#!/usr/bin/env bash
# Line and branch coverage of the test suite, per directory of libgth (clang
# source-based coverage, the `coverage` preset): configures and builds
# build/coverage, runs ctest with a raw profile per process, merges them and
# prints a table of lines and branches covered per directory, with the totals of
# spec/, format/ and validator/ (targets: >= 95% lines, >= 85% branches).
#
#   bash scripts/coverage.sh            # build, run the suite, print the table
#   bash scripts/coverage.sh --files    # also the per-file table of llvm-cov
#   bash scripts/coverage.sh --html DIR # also an HTML report in DIR
#
# Only our C code is measured (the Go adapter is not instrumented); tests/ and
# cli/ are left out of the table. Exit status: that of ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
files=0
html=""
while (($#)); do
  case "$1" in
    --files) files=1 ;;
    --html) html="$2"; shift ;;
    *) echo "usage: $0 [--files] [--html DIR]" >&2; exit 2 ;;
  esac
  shift
done

# The llvm tools of the clang that builds: llvm-profdata-NN / llvm-cov-NN.
major=$(clang --version | sed -n 's/.*clang version \([0-9][0-9]*\)\..*/\1/p' | head -1)
tool() {
  for t in "$1-$major" "$1"; do
    command -v "$t" >/dev/null 2>&1 && { echo "$t"; return; }
  done
  echo "$1 not found (install llvm, see scripts/install-deps.sh)" >&2
  exit 2
}
profdata=$(tool llvm-profdata)
cov=$(tool llvm-cov)

build=build/coverage
cmake --preset coverage >/dev/null
cmake --build --preset coverage -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
rm -rf "$build/profiles"
mkdir -p "$build/profiles"
status=0
# Every allocation-failure injection point, not the sample (adds seconds).
GTH_ALLOC_FULL=1 LLVM_PROFILE_FILE="$PWD/$build/profiles/%p-%m.profraw" ctest --preset coverage || status=$?

"$profdata" merge -sparse -o "$build/coverage.profdata" "$build"/profiles/*.profraw
# Every instrumented binary: the gth command and each test (libgth is linked
# into each of them).
objs=(-object "$build/gth")
for t in "$build"/tests/test_*; do
  [ -x "$t" ] && objs+=(-object "$t")
done
ignore='(^|/)(tests|cli|bench)/|^/usr/'
"$cov" report --show-branch-summary -instr-profile="$build/coverage.profdata" \
  -ignore-filename-regex="$ignore" "${objs[@]}" > "$build/coverage.txt"
if ((files)); then cat "$build/coverage.txt"; fi
if [ -n "$html" ]; then
  "$cov" show -format=html -output-dir="$html" -instr-profile="$build/coverage.profdata" \
    -ignore-filename-regex="$ignore" "${objs[@]}"
  echo "HTML report: $html/index.html"
fi

# Per directory, from the per-file rows: Filename Regions Missed Cover Functions
# Missed Executed Lines Missed Cover Branches Missed Cover.
awk -v root="$PWD/" '
  function pct(c, t) { return t ? sprintf("%6.2f%%", 100 * c / t) : "     -" }
  NF == 13 && $1 != "Filename" && $1 != "TOTAL" {
    f = $1; sub("^" root, "", f)
    d = f; sub("/[^/]*$", "", d)
    if (d == f) d = "."
    L[d] += $8; LM[d] += $9; B[d] += $11; BM[d] += $12
    if (d ~ /^(spec|format|validator)$/) { tl += $8; tlm += $9; tb += $11; tbm += $12 }
    dirs[d] = 1
  }
  END {
    printf "%-22s %8s %8s %8s   %8s %8s %8s\n", "directory", "lines", "missed", "cover", "branches", "missed", "cover"
    n = split("base spec format validator generator", order, " ")
    for (i = 1; i <= n; i++) {
      d = order[i]
      if (!(d in dirs)) continue
      printf "%-22s %8d %8d %8s   %8d %8d %8s\n", d, L[d], LM[d], pct(L[d] - LM[d], L[d]), B[d], BM[d], pct(B[d] - BM[d], B[d])
    }
    printf "%-22s %8d %8d %8s   %8d %8d %8s\n", "spec+format+validator", tl, tlm, pct(tl - tlm, tl), tb, tbm, pct(tb - tbm, tb)
  }' "$build/coverage.txt"
exit $status
