#!/bin/sh
# run.sh OUTDIR [--toolchain goX.Y.Z] [--stress-only|--normal-only] [--duration D]
#
# Builds every test program of this directory with the given Go toolchain
# (--toolchain, else $GOTOOLCHAIN, else the local go: `GOTOOLCHAIN=go1.27.3
# run.sh OUTDIR` runs them under Go 1.27.3) and runs each one normally and under
# GODEBUG=traceadvanceperiod=0 (stress: a new generation as often as the runtime
# can), writing OUTDIR/<prog>-<goversion>-<normal|stress>.trace.
#
# --duration D (a Go duration, e.g. 20ms) is how long each program works (its
# -d flag; default 100ms): short runs give small traces.
#
# stdout: the path of every trace written, one per line.
# stderr: progress and skipped programs (e.g. coro needs Go 1.23).
# Exit status: 0 if every program built and ran, 1 otherwise, 2 on usage errors.
# Never reads stdin.
set -eu

usage() {
	echo "usage: $0 OUTDIR [--toolchain goX.Y.Z] [--stress-only|--normal-only] [--duration D]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
outdir=$1
shift
toolchain=${GOTOOLCHAIN:-local}
modes="normal stress"
duration=
while [ $# -gt 0 ]; do
	case $1 in
	--toolchain)
		[ $# -ge 2 ] || usage
		toolchain=$2
		shift 2
		;;
	--toolchain=*)
		toolchain=${1#--toolchain=}
		shift
		;;
	--duration)
		[ $# -ge 2 ] || usage
		duration=$2
		shift 2
		;;
	--duration=*)
		duration=${1#--duration=}
		shift
		;;
	--stress-only) modes=stress; shift ;;
	--normal-only) modes=normal; shift ;;
	*) usage ;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
export GOTOOLCHAIN="$toolchain"

# The first use of a toolchain downloads it through the module proxy.
gover=$(cd "$here" && go env GOVERSION </dev/null) || {
	echo "run.sh: toolchain $toolchain is not usable" >&2
	exit 1
}
echo "run.sh: toolchain $gover" >&2

bindir=$(mktemp -d)
trap 'rm -rf "$bindir"' EXIT INT TERM

status=0
for dir in "$here"/*/; do
	prog=$(basename "$dir")
	[ "$prog" = internal ] && continue
	# A program whose files are all excluded by build constraints (coro on
	# Go 1.22) has no Go files for this toolchain.
	nfiles=$(cd "$here" && go list -e -f '{{len .GoFiles}}' "./$prog" </dev/null)
	if [ "$nfiles" = 0 ]; then
		echo "run.sh: skip $prog: not buildable with $gover" >&2
		continue
	fi
	if ! (cd "$here" && go build -o "$bindir/$prog" "./$prog" </dev/null); then
		echo "run.sh: FAIL build $prog with $gover" >&2
		status=1
		continue
	fi
	for mode in $modes; do
		out="$outdir/$prog-$gover-$mode.trace"
		if [ "$mode" = stress ]; then
			godebug="${GODEBUG:+$GODEBUG,}traceadvanceperiod=0"
		else
			godebug="${GODEBUG:-}"
		fi
		if GODEBUG="$godebug" "$bindir/$prog" ${duration:+-d "$duration"} -o "$out" </dev/null; then
			echo "$out"
		else
			echo "run.sh: FAIL run $prog ($mode) with $gover" >&2
			status=1
		fi
	done
done
exit $status
