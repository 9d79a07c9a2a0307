#!/usr/bin/env bash
# The test command of the README: installs dependencies, builds with warnings as
# errors, runs the whole cmocka suite, then runs it again under ASan+UBSan,
# then every fuzz target briefly on its seeds (scripts/fuzz-ci.sh).
# Last, the coverage build runs the suite once more and prints the coverage
# table (scripts/coverage.sh, about 2.5 minutes on two cores; GTH_COVERAGE=0
# skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== release build (gcc, -Werror)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release

echo "== ASan+UBSan build (clang, -Werror)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan

echo "== fuzz targets: every target ${FUZZ_CI_SECONDS:-30}s on its seeds (scripts/fuzz-ci.sh)"
bash scripts/fuzz-ci.sh

if [ "${GTH_COVERAGE:-1}" != 0 ]; then
  echo "== coverage (clang source-based)"
  bash scripts/coverage.sh
fi
