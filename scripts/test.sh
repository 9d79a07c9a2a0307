#!/usr/bin/env bash
# The test command of the README: installs dependencies, builds with warnings as
# errors, runs the whole cmocka suite, then runs it again under ASan+UBSan.
# GTH_COVERAGE=1 adds the coverage run and its table (scripts/coverage.sh, about
# four more minutes on two cores, so not by default).
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

if [ "${GTH_COVERAGE:-0}" = 1 ]; then
  echo "== coverage (clang source-based)"
  bash scripts/coverage.sh
fi
