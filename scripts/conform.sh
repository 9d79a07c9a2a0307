#!/usr/bin/env bash
# The main job: installs dependencies, builds gth and the Go reference adapter,
# and runs `gth conform` — Go's golden tests and fuzz corpus, real traces freshly
# written by our test programs, and deterministic variants, through our
# validator and Go's reader in both profiles — printing the agreement table.
# Extra arguments go to gth conform (e.g. --adapter CMD to test another parser).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)"
exec ./build/release/gth conform "$@"
