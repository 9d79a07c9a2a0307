#!/bin/sh
# soak.sh MINUTES [OUTDIR] [options]
#
# The producer soak (docs/STRICT.md): for MINUTES minutes, runs every test
# program of adapters/go/testprogs in stress mode (GODEBUG=traceadvanceperiod=0,
# a new generation as often as the runtime can) under each Go release in turn,
# round after round, while background processes keep the CPUs busy, and checks
# every trace with Go's reader and test validator (gthref) and with
# `gth validate --profile=strict`.
#
# Every trace that either rejects is kept as OUTDIR/rejects/NAME.trace, NAME
# being PROGRAM-RELEASE-runN-INVARIANT (N: the round, which, with program and
# release, names the run: the programs take no seed), and minimised with
# `gth reduce` to OUTDIR/rejects/NAME.test (+ NAME.min.trace) under the
# predicate "Go rejects it with the same invariant" or "Go accepts it and
# strict reports the same rule". At most --reduce-max reductions per program,
# release and invariant (default 3); the later traces are kept unreduced.
#
# Options:
#   --releases "R1 R2"  default: go1.22.12 go1.23.12 go1.24.11 go1.25.5
#                       go1.26.8 go1.27.3 (fetched through GOTOOLCHAIN)
#   --duration D        how long each program works (its -d; default 100ms)
#   --godebug S         more GODEBUG settings for the programs (e.g.
#                       traceallocfree=1), besides traceadvanceperiod=0
#   --load N            background busy loops (default 2; 0: none)
#   --reduce-max N      reductions per program, release and invariant (default 3)
#   --gth PATH, --gthref PATH   default: build/release/gth and gthref
#
# A trace Go rejects and our validator accepts is asked of Go five more
# times: if Go accepts it once, its verdict is unstable (go-unstable, counted
# in go_unstable as well as go_rejects, not reduced); otherwise go-only. A
# gthref that fails (status other than 0 or 1) twice is counted apart.
#
# Output: OUTDIR/summary.tsv (release, runs, traces, go_rejects, go_unstable,
# strict_rejects, gthref_errors) and OUTDIR/rejects.tsv (one line per kept
# trace: release, program, run, who rejected, invariant, file), printed at the
# end.
# OUTDIR defaults to soak-out. Exit status: 0 when no trace was rejected,
# 1 when some were, 2 on usage or build errors.
set -u

usage() {
	echo "usage: $0 MINUTES [OUTDIR] [--releases \"R...\"] [--duration D] [--godebug S] [--load N] [--reduce-max N] [--gth PATH] [--gthref PATH]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
minutes=$1
shift
case $minutes in '' | *[!0-9]*) usage ;; esac
outdir=soak-out
case ${1:-} in -* | '') ;; *) outdir=$1; shift ;; esac
here=$(cd "$(dirname "$0")/.." && pwd)
releases="go1.22.12 go1.23.12 go1.24.11 go1.25.5 go1.26.8 go1.27.3"
duration=100ms
godebug=
load=2
reduce_max=3
gth=$here/build/release/gth
gthref=$here/build/release/gthref
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--releases) releases=$2 ;;
	--duration) duration=$2 ;;
	--godebug) godebug=$2 ;;
	--load) load=$2 ;;
	--reduce-max) reduce_max=$2 ;;
	--gth) gth=$2 ;;
	--gthref) gthref=$2 ;;
	*) usage ;;
	esac
	shift 2
done
for b in "$gth" "$gthref"; do
	[ -x "$b" ] || { echo "$0: $b is missing (build the release preset)" >&2; exit 2; }
done
progdir=$here/adapters/go/testprogs
mkdir -p "$outdir/bin" "$outdir/work" "$outdir/rejects" || exit 2
outdir=$(cd "$outdir" && pwd)
: >"$outdir/rejects.tsv"

# Background load: busy loops, ended on exit by their process ids.
loadpids=
cleanup() {
	for p in $loadpids; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Builds each program once per release.
for rel in $releases; do
	mkdir -p "$outdir/bin/$rel"
	for dir in "$progdir"/*/; do
		prog=$(basename "$dir")
		[ "$prog" = internal ] && continue
		n=$(cd "$progdir" && GOTOOLCHAIN=$rel go list -e -f '{{len .GoFiles}}' "./$prog" </dev/null) || {
			echo "$0: toolchain $rel is not usable" >&2
			exit 2
		}
		[ "$n" = 0 ] && continue # coro before Go 1.23
		(cd "$progdir" && GOTOOLCHAIN=$rel go build -o "$outdir/bin/$rel/$prog" "./$prog" </dev/null) || {
			echo "$0: cannot build $prog with $rel" >&2
			exit 2
		}
	done
done

i=0
while [ "$i" -lt "$load" ]; do
	nice -n 19 sh -c 'while :; do :; done' &
	loadpids="$loadpids $!"
	i=$((i + 1))
done

key() { echo "$1" | tr '.-' '__'; }
bump() { eval "$1_$2=\$((\${$1_$2:-0} + 1))"; }
get() { eval "echo \${$1_$2:-0}"; }

# Go's reader and test validator on a trace: 0 accepts, 1 rejects, else failed.
go_verdict() {
	"$gthref" validate --profile=validate "$1" >/dev/null 2>&1
	echo $?
}

# Our finding on a trace under profile $2: sets inv (empty if none) and word,
# the first word of its message (the event it names), so that a reduction
# keeps the same finding and does not drift to another of the same rule.
finding() {
	json=$("$gth" validate --profile="$2" --json "$1" 2>/dev/null)
	inv=$(printf '%s\n' "$json" | sed -n 's/.*"invariant":"\([^"]*\)".*/\1/p')
	word=$(printf '%s\n' "$json" | sed -n 's/.*"message":"\([^ "\\]*\).*/\1/p')
}

# A predicate command: our finding on {} under profile $1 is $inv with a
# message starting with $word.
same() {
	printf '%s' "'$gth' validate --profile=$1 --json {} 2>/dev/null | grep -q '\"invariant\":\"$inv\".*\"message\":\"$word '"
}

# Reduces a rejected trace; $1 the trace, $2 the .test to write, $3 the
# predicate command.
reduce() {
	"$gth" reduce --cmd "$3" --timeout 60 --max-tests 4000 -q -o "$2" --binary "${2%.test}.min.trace" "$1" \
		>/dev/null 2>&1 || echo "$0: could not reduce $1" >&2
}

deadline=$(($(date +%s) + minutes * 60))
round=0
while [ "$(date +%s)" -lt "$deadline" ]; do
	round=$((round + 1))
	for rel in $releases; do
		k=$(key "$rel")
		for bin in "$outdir/bin/$rel"/*; do
			[ "$(date +%s)" -lt "$deadline" ] || break 2
			prog=$(basename "$bin")
			tr=$outdir/work/$prog-$rel-run$round.trace
			bump runs "$k"
			GODEBUG=traceadvanceperiod=0${godebug:+,$godebug} "$bin" -d "$duration" -o "$tr" </dev/null >/dev/null 2>&1 || {
				echo "$0: $prog ($rel, run $round) failed" >&2
				rm -f "$tr"
				continue
			}
			bump traces "$k"
			who= inv= pred=
			grc=$(go_verdict "$tr")
			# Any status but 0 and 1 is a failure of gthref itself: once more.
			[ "$grc" -le 1 ] || grc=$(go_verdict "$tr")
			if [ "$grc" -eq 1 ]; then
				who=go
				finding "$tr" validate
				if [ -n "$inv" ]; then
					pred="'$gthref' validate --profile=validate {} >/dev/null 2>&1; [ \$? -eq 1 ] && $(same validate)"
				else
					# Go rejects what we accept: ask Go again, since its verdict
					# can depend on the order it picks among equal candidates.
					acc=0 j=0
					while [ "$j" -lt 5 ]; do
						[ "$(go_verdict "$tr")" = 0 ] && acc=$((acc + 1))
						j=$((j + 1))
					done
					if [ "$acc" -gt 0 ]; then
						inv=go-unstable # accepted $acc times of 5 more: not reduced
						bump unstable "$k"
					else
						inv=go-only
						pred="'$gthref' validate --profile=validate {} >/dev/null 2>&1; [ \$? -eq 1 ] && '$gth' validate {} >/dev/null 2>&1"
					fi
				fi
			elif [ "$grc" -ne 0 ]; then
				who=error
				inv=gthref-status-$grc
			else
				finding "$tr" strict
				if [ -n "$inv" ]; then
					who=strict
					pred="'$gthref' validate --profile=validate {} >/dev/null 2>&1 && $(same strict)"
				fi
			fi
			if [ -z "$who" ]; then
				rm -f "$tr"
				continue
			fi
			bump "${who}rej" "$k"
			name=$prog-$rel-run$round-$inv
			mv "$tr" "$outdir/rejects/$name.trace"
			rk=$(key "$prog-$rel-$inv")
			bump reduced "$rk"
			if [ -n "$pred" ] && [ "$(get reduced "$rk")" -le "$reduce_max" ]; then
				reduce "$outdir/rejects/$name.trace" "$outdir/rejects/$name.test" "$pred"
			fi
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$rel" "$prog" "$round" "$who" "$inv" "rejects/$name.trace" \
				>>"$outdir/rejects.tsv"
			echo "$0: $who rejects $prog ($rel, run $round): $inv" >&2
		done
	done
done

{
	printf 'release\truns\ttraces\tgo_rejects\tgo_unstable\tstrict_rejects\tgthref_errors\n'
	tr=0 tt=0 tg=0 tu=0 ts=0 te=0
	for rel in $releases; do
		k=$(key "$rel")
		r=$(get runs "$k") t=$(get traces "$k") g=$(get gorej "$k") u=$(get unstable "$k")
		s=$(get strictrej "$k") e=$(get errorrej "$k")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rel" "$r" "$t" "$g" "$u" "$s" "$e"
		tr=$((tr + r)) tt=$((tt + t)) tg=$((tg + g)) tu=$((tu + u)) ts=$((ts + s)) te=$((te + e))
	done
	printf 'total\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tr" "$tt" "$tg" "$tu" "$ts" "$te"
} >"$outdir/summary.tsv"
rmdir "$outdir/work" 2>/dev/null
echo "soak: $minutes min, $round rounds, load $load, duration $duration, GODEBUG traceadvanceperiod=0${godebug:+,$godebug}, in $outdir"
cat "$outdir/summary.tsv"
[ -s "$outdir/rejects.tsv" ] && exit 1
exit 0
