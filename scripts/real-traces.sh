#!/bin/sh
# real-traces.sh OUTDIR [--runs N] [--duration D] [--gth PATH] [RELEASE...]
#
# Writes real traces with each Go release (default: go1.22.12 go1.23.12
# go1.24.11 go1.25.5 go1.26.8 go1.27.3, each fetched through GOTOOLCHAIN on
# first use): every test program of adapters/go/testprogs, normally and under
# GODEBUG=traceadvanceperiod=0 (stress), N times (default 3), and checks each
# trace with `gth validate --profile=strict` (docs/STRICT.md).
#
# stdout: one line per release, "RELEASE traces=T clean=C strict=S invalid=I",
# then a total line. strict: traces with a strict.* finding (a false positive
# of the strict profile, or a producer bug); invalid: traces that the
# validate profile already rejects (a runtime bug Go's reader catches too),
# listed on stderr. Traces are kept in OUTDIR/RELEASE/runK/.
# Exit status: 1 if any trace has a strict finding, 2 on usage or build
# errors, 0 otherwise.
set -eu

usage() {
	echo "usage: $0 OUTDIR [--runs N] [--duration D] [--gth PATH] [RELEASE...]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
outdir=$1
shift
runs=3
duration=
here=$(cd "$(dirname "$0")/.." && pwd)
gth=$here/build/release/gth
releases=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	--duration) [ $# -ge 2 ] || usage; duration=$2; shift 2 ;;
	--gth) [ $# -ge 2 ] || usage; gth=$2; shift 2 ;;
	-*) usage ;;
	*) releases="$releases $1"; shift ;;
	esac
done
[ -n "$releases" ] || releases="go1.22.12 go1.23.12 go1.24.11 go1.25.5 go1.26.8 go1.27.3"
[ -x "$gth" ] || { echo "$0: no gth at $gth (build the release preset)" >&2; exit 2; }
mkdir -p "$outdir"

# Classifies one trace: clean, strict or invalid (the invariant on stderr).
classify() {
	json=$("$gth" validate --profile=strict --json "$1" 2>/dev/null) && { echo clean; return; }
	inv=$(printf '%s\n' "$json" | sed -n 's/.*"invariant":"\([^"]*\)".*/\1/p')
	case $inv in
	strict.*) echo "$0: STRICT $inv: $1" >&2; echo strict ;;
	*) echo "$0: invalid without strict rules [$inv]: $1" >&2; echo invalid ;;
	esac
}

tt=0 tc=0 ts=0 ti=0
for rel in $releases; do
	n=0 c=0 s=0 i=0
	run=1
	while [ "$run" -le "$runs" ]; do
		dir=$outdir/$rel/run$run
		list=$(sh "$here/adapters/go/testprogs/run.sh" "$dir" --toolchain "$rel" ${duration:+--duration "$duration"}) || {
			echo "$0: run.sh failed for $rel (run $run)" >&2
			exit 2
		}
		for f in $list; do
			n=$((n + 1))
			case $(classify "$f") in
			clean) c=$((c + 1)) ;;
			strict) s=$((s + 1)) ;;
			*) i=$((i + 1)) ;;
			esac
		done
		run=$((run + 1))
	done
	echo "$rel traces=$n clean=$c strict=$s invalid=$i"
	tt=$((tt + n)) tc=$((tc + c)) ts=$((ts + s)) ti=$((ti + i))
done
echo "total traces=$tt clean=$tc strict=$ts invalid=$ti"
[ "$ts" -eq 0 ]
