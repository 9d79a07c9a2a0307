#!/usr/bin/env bash
# check.sh [-v] [RELEASE...]
#
# For each release adapter (default: all of adapters/releases/go1.*), compares
# the reader of the release's latest patch toolchain with the golang.org/x/exp
# snapshot its go.mod pins (snapdiff.sh). Toolchains and modules come through
# the module proxy on first use. Prints the comparison of each release and
# exits 1 if any release differs from its snapshot (adapters/RELEASES.md lists
# the differences that are known).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
verbose=
if [ "${1-}" = -v ]; then verbose=-v; shift; fi

# toolchain RELEASE: the latest patch release the adapter stands for.
toolchain() {
	sed -n 's/^\/\/ that of Go [0-9.]* (\(go[0-9.]*\)).*/\1/p' "$here/go$1/go.mod"
}

rels=("$@")
if [ ${#rels[@]} = 0 ]; then
	for d in "$here"/go1.*/; do rels+=("$(basename "$d" | sed 's/^go//')"); done
fi
status=0
for rel in "${rels[@]}"; do
	mod=$here/go$rel/go.mod
	[ -f "$mod" ] || { echo "check.sh: no adapter for Go $rel" >&2; exit 2; }
	tc=$(toolchain "$rel")
	pv=$(sed -n 's/^replace golang.org\/x\/exp => golang.org\/x\/exp \(v[^ ]*\)$/\1/p' "$mod")
	goroot=$(cd "$here/go$rel" && GOTOOLCHAIN=$tc go env GOROOT </dev/null)
	xdir=$(cd "$here/go$rel" && go mod download -json "golang.org/x/exp@$pv" </dev/null |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	src=$goroot/src/internal/trace
	[ -d "$src/v2" ] && src=$src/v2 # Go 1.22
	echo "== Go $rel: $tc against golang.org/x/exp $pv"
	"$here/snapdiff.sh" $verbose "$src" "$xdir/trace" || status=1
done
exit $status
