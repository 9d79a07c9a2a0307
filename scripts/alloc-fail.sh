#!/usr/bin/env bash
# The full allocation-failure run: every injection point of every input of the
# tests/test_alloc_*.c suites (the default ctest run takes a sample), in the
# ASan+UBSan build so that LeakSanitizer checks each failed run for leaks on top
# of the tests' own block accounting. About two and a half minutes on two cores.
#
#   bash scripts/alloc-fail.sh [-h|--help]
#
# Exit status: ctest's (0 when every suite passed).
set -euo pipefail
case ${1-} in
  -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
  "") ;;
  *) echo "alloc-fail.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$(nproc 2>/dev/null || echo 2)"
GTH_ALLOC_FULL=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -R '^test_alloc_' --output-on-failure -V | grep -E 'injected failures|ERROR|FAILED|Sanitizer|runtime error|tests passed|Passed|Failed'
