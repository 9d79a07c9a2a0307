#!/usr/bin/env bash
# The main job: installs dependencies, builds, and runs the conformance run —
# our validator against Go's reader on Go's golden traces and fuzz corpus —
# printing a summary. (Being replaced by `gth conform`, which adds generated and
# real traces and any parser under test.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)"
exec ./build/release/tests/test_reader_parser
