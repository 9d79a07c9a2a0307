#!/usr/bin/env bash
# Fuzzing throughput: every libFuzzer target (ASan+UBSan) for SECONDS (default
# 60), one at a time, from its seeds; prints executions, exec/s and coverage
# per target. The same runner as CI (scripts/fuzz-ci.sh), without the AFL++
# build and without parallel jobs, so the figures compare.
#   fuzz/bench.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_CI_SECONDS=${1:-60} FUZZ_CI_JOBS=1 FUZZ_CI_AFL=0 exec bash scripts/fuzz-ci.sh
