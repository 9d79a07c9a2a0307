#!/usr/bin/env bash
# The test suite under valgrind memcheck: builds build/valgrind (gcc -O1 -g,
# no sanitizers) and runs every test binary under memcheck, with the gth
# commands the tests start traced too (--trace-children) but never the Go
# adapter gthref or the Go toolchain (not our code, and Go's runtime is not
# valgrind-clean). Any memcheck error (invalid access, uninitialised value,
# definite or indirect leak) fails the run. Slow: 30-60 minutes on two cores.
#
#   bash scripts/valgrind.sh              # every test
#   bash scripts/valgrind.sh test_alloc_  # tests whose name matches a regex
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-.}"
command -v valgrind >/dev/null || {
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends valgrind >/dev/null
}
build=build/valgrind
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="-O1 -g" -DGTH_WERROR=ON >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
# The Go adapter first, outside valgrind, so that no test builds it under it.
cmake --build "$build" --target gth-goref >/dev/null 2>&1 || true

logs="$PWD/$build/valgrind-logs"
rm -rf "$logs"
mkdir -p "$logs"
vg=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
    --track-origins=yes --trace-children=yes
    "--trace-children-skip=*/gthref,*/go,*/go/bin/*,*/pkg/tool/*,/bin/*,/usr/bin/*"
    --log-file="$logs/%q{TEST}.%p.log")
failed=()
start=$SECONDS
for t in "$build"/tests/test_*; do
  name=$(basename "$t")
  [[ -x "$t" && "$name" =~ $filter ]] || continue
  t0=$SECONDS
  if (cd "$build" && TEST="$name" GTH_UNDER_VALGRIND=1 CMOCKA_MESSAGE_OUTPUT=stdout "${vg[@]}" "tests/$name" >"$logs/$name.out" 2>&1); then
    echo "ok      $name ($((SECONDS - t0)) s)"
  else
    echo "FAILED  $name ($((SECONDS - t0)) s): see $logs/$name.*"
    failed+=("$name")
  fi
done
# Memcheck errors in any process (a test or a gth command it ran).
errs=$(grep -l 'ERROR SUMMARY: [1-9]' "$logs"/*.log 2>/dev/null || true)
if [ -n "$errs" ]; then
  echo "memcheck errors in:"
  echo "$errs"
fi
echo "valgrind: $(ls "$logs"/*.log | wc -l) processes checked in $((SECONDS - start)) s"
if ((${#failed[@]})) || [ -n "$errs" ]; then
  exit 1
fi
echo "no memcheck errors"
