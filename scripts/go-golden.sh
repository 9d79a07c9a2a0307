#!/bin/sh
# go-golden.sh [--sample N] [--fuzz] [CORPUS_DIR]
#
# Proof that Go's own tests run our corpus unmodified. Copies the source of the
# golang.org/x/exp/trace module (the version pinned in adapters/go/go.mod, from
# the module cache: `go mod download -json` gives its Dir) into a temporary
# directory, makes it writable, puts our .test files (corpus/valid and
# corpus/invalid; with --sample N, N of them evenly spread) into its
# testdata/tests beside Go's own, and runs its own
# `go test -run TestReaderGolden`. Every one of our files must pass: the script
# counts the PASS lines of our files and fails unless all of them passed.
#
# --fuzz also exports the corpus as `go test fuzz v1` files into the module's
# testdata/fuzz/FuzzReader (`gth corpus export --fuzz`) and runs FuzzReader on
# them as seeds (`go test -run FuzzReader`).
#
# GTH: the gth command (default build/release/gth). Exit 0 when every file
# passed, 1 on a failure, 2 on usage or set-up errors.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
corpus=$here/corpus
sample=0
fuzz=0
while [ $# -gt 0 ]; do
	case $1 in
	--sample) [ $# -ge 2 ] || exit 2; sample=$2; shift 2 ;;
	--sample=*) sample=${1#--sample=}; shift ;;
	--fuzz) fuzz=1; shift ;;
	-*) echo "usage: $0 [--sample N] [--fuzz] [CORPUS_DIR]" >&2; exit 2 ;;
	*) corpus=$1; shift ;;
	esac
done
gth=${GTH:-$here/build/release/gth}

moddir=$(cd "$here/adapters/go" && go mod download -json golang.org/x/exp </dev/null |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
if [ -z "$moddir" ] || [ ! -d "$moddir/trace" ]; then
	echo "go-golden.sh: golang.org/x/exp is not in the module cache" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
# The module root (go.mod, go.sum) and the trace package tree; nothing is edited.
cp "$moddir/go.mod" "$moddir/go.sum" "$tmp/"
cp -R "$moddir/trace" "$tmp/trace"
chmod -R u+w "$tmp"

# Our files, named gth-<set>-<name>.test beside Go's own.
list=$tmp/list
: >"$list"
for set in valid invalid; do
	for f in "$corpus/$set"/*.test; do
		[ -e "$f" ] && echo "$set $f" >>"$list"
	done
done
total=$(wc -l <"$list")
if [ "$total" -eq 0 ]; then
	echo "go-golden.sh: no .test files in $corpus/valid or $corpus/invalid" >&2
	exit 2
fi
if [ "$sample" -gt 0 ] && [ "$sample" -lt "$total" ]; then
	awk -v n="$sample" -v t="$total" 'BEGIN { for (k = 0; k < n; k++) want[int(k * t / n) + 1] = 1 } want[NR]' \
		"$list" >"$list.s"
	mv "$list.s" "$list"
fi
ours=0
while read -r set f; do
	cp "$f" "$tmp/trace/testdata/tests/gth-$set-$(basename "$f")"
	ours=$((ours + 1))
done <"$list"
echo "go-golden.sh: $ours of our $total .test files into $(basename "$moddir")/trace/testdata/tests" >&2

status=0
log=$tmp/golden.log
if ! (cd "$tmp/trace" && GOFLAGS=-mod=mod go test -count=1 -run '^TestReaderGolden$' -v . </dev/null >"$log" 2>&1); then
	status=1
fi
passed=$(grep -c -- '--- PASS: TestReaderGolden/tests/gth-' "$log" || true)
failed=$(grep -c -- '--- FAIL: TestReaderGolden/tests/gth-' "$log" || true)
gopassed=$(grep -- '--- PASS: TestReaderGolden/tests/' "$log" | grep -vc 'tests/gth-' || true)
echo "go-golden.sh: TestReaderGolden: $passed of our $ours files passed, $failed failed (and $gopassed of Go's own passed)"
if [ "$status" -ne 0 ] || [ "$passed" -ne "$ours" ]; then
	grep -A5 -- '--- FAIL' "$log" | head -60 >&2
	tail -5 "$log" >&2
	status=1
fi

if [ "$fuzz" = 1 ]; then
	fz=$tmp/trace/testdata/fuzz/FuzzReader
	mkdir -p "$fz"
	"$gth" corpus export --dir "$corpus" --fuzz "$fz" || exit 2
	n=$(ls "$fz" | wc -l)
	if (cd "$tmp/trace" && GOFLAGS=-mod=mod go test -count=1 -run '^FuzzReader$' . </dev/null >"$log" 2>&1); then
		echo "go-golden.sh: FuzzReader: $n seed files run, ok"
	else
		echo "go-golden.sh: FuzzReader failed on our seed files" >&2
		tail -20 "$log" >&2
		status=1
	fi
fi
exit $status
