#!/bin/sh
# corpus-real.sh [CORPUS_DIR] [--duration D] [--toolchain goX.Y.Z]
#
# Writes corpus/real/: binary traces of our test programs (adapters/go/testprogs)
# from real Go runtimes, every release that writes the v2 format (go1.22.12,
# go1.23.12, go1.24.11 - which writes format 1.23 -, go1.25.5, the local go and
# go1.27.3 - which writes format 1.26 -),
# each run normally and under GODEBUG=traceadvanceperiod=0 (stress), for a short
# time (default 5ms) so that the set stays small; and a few traces of Go 1.21
# (go1.21.13, the older v1 format, which gth does not read) named *-go1.21.13-*.
# Toolchains come through the module proxy (GOTOOLCHAIN) on first use.
# A trace larger than 512 KB (CPU profiling under stress writes many generations
# quickly) is written again with a shorter run, down to 1ms, and left out if
# it is still larger (cpuprofile under stress before Go 1.26 writes 4-7 MB even
# then).
# With --toolchain (repeatable), only the traces of those toolchains are
# written again (go1.21.13 for the v1 ones; "local" for the local go) and the
# others are kept.
# Afterwards run `gth corpus build` to refresh corpus/MANIFEST.tsv.
#
# Runtime traces differ on every run: this script is not part of `gth corpus
# build`, and its output is committed as it is.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
corpus=$here/corpus
duration=5ms
only=
while [ $# -gt 0 ]; do
	case $1 in
	--duration) duration=$2; shift 2 ;;
	--duration=*) duration=${1#--duration=}; shift ;;
	--toolchain) only="$only $2"; shift 2 ;;
	--toolchain=*) only="$only ${1#--toolchain=}"; shift ;;
	-*) echo "usage: $0 [CORPUS_DIR] [--duration D] [--toolchain goX.Y.Z]..." >&2; exit 2 ;;
	*) corpus=$1; shift ;;
	esac
done
real=$corpus/real
mkdir -p "$real"
localver=$(go env GOVERSION </dev/null)

# wanted TOOLCHAIN: whether this run writes the traces of TOOLCHAIN.
wanted() {
	[ -z "$only" ] && return 0
	for t in $only; do
		[ "$t" = "$1" ] && return 0
		[ "$t" = local ] && [ "$1" = "$localver" ] && return 0
		[ "$t" = "$localver" ] && [ "$1" = local ] && return 0
	done
	return 1
}

if [ -z "$only" ]; then
	rm -f "$real"/*.trace
else
	for t in $only; do
		[ "$t" = local ] && t=$localver
		rm -f "$real"/*-"$t"-*.trace
	done
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
limit=524288

# run_one TOOLCHAIN MODDIR PROG MODE DURATION OUT: builds and runs one program.
run_one() {
	godebug=
	[ "$4" = stress ] && godebug=traceadvanceperiod=0
	(cd "$2" && GOTOOLCHAIN=$1 go build -o "$tmp/bin-$3" "./$3" </dev/null) &&
		GODEBUG=$godebug "$tmp/bin-$3" -d "$5" -o "$6" </dev/null
}

status=0
for tc in go1.22.12 go1.23.12 go1.24.11 go1.25.5 local go1.27.3; do
	wanted "$tc" || continue
	sh "$here/adapters/go/testprogs/run.sh" "$real" --toolchain "$tc" --duration "$duration" >/dev/null || status=1
done

# Go 1.21 writes the v1 format. The test programs' module asks for Go 1.22, so
# a copy of it declaring go 1.21 is built (only programs that build with 1.21).
wanted go1.21.13 && mkdir -p "$tmp/mod21" &&
cp -R "$here/adapters/go/testprogs/." "$tmp/mod21/"
[ ! -d "$tmp/mod21" ] || sed -i 's/^go 1\.22$/go 1.21/' "$tmp/mod21/go.mod"
for prog in pingpong blocking annotations; do
	[ -d "$tmp/mod21" ] || break
	for mode in normal stress; do
		run_one go1.21.13 "$tmp/mod21" $prog $mode "$duration" "$real/$prog-go1.21.13-$mode.trace" || {
			echo "corpus-real.sh: FAIL $prog with go1.21.13 ($mode)" >&2
			status=1
		}
	done
done

# Oversized traces again, shorter.
for f in "$real"/*.trace; do
	[ "$(wc -c <"$f")" -gt $limit ] || continue
	base=$(basename "$f" .trace)
	prog=${base%%-go1.*}
	rest=${base#"$prog"-}
	gover=${rest%-*}
	mode=${rest##*-}
	wanted "$gover" || continue
	moddir=$here/adapters/go/testprogs
	[ "$gover" = go1.21.13 ] && moddir=$tmp/mod21
	tc=$gover
	[ "$gover" = "$localver" ] && tc=local
	for d in 5ms 2ms 1ms; do
		run_one "$tc" "$moddir" "$prog" "$mode" $d "$f" || { status=1; break; }
		[ "$(wc -c <"$f")" -gt $limit ] || break
	done
	if [ "$(wc -c <"$f")" -gt $limit ]; then
		echo "corpus-real.sh: $base: left out, $(wc -c <"$f") bytes even from a 1ms run" >&2
		rm -f "$f"
	else
		echo "corpus-real.sh: $base: $(wc -c <"$f") bytes (shorter run)" >&2
	fi
done
du -sh "$real" >&2
exit $status
