#!/usr/bin/env bash
# Makes the fuzz seed corpora (not kept in git: regenerated at build time).
#   seeds.sh GTH OUTDIR [GTHREF]
# OUTDIR/binary  small generated traces of every version (gth gen), Go's
#                golden tests as binary (gthref test2bytes if GTHREF is given,
#                else gth pack, which writes the same bytes) and the inputs of
#                Go's FuzzReader corpus (gth pack decodes its files)
# OUTDIR/text    generated traces in Go's text format and the golden traces as
#                text (gth dump)
# OUTDIR/test    generated .test files and Go's golden .test files
# OUTDIR/bytes   inputs of the generate target: knob bytes and choice bytes
# Go's golden tests are taken from $(go env GOROOT) when go is on PATH (or
# GOROOT is set); without them the generated seeds alone are made.
set -euo pipefail
gth=${1:?usage: seeds.sh GTH OUTDIR [GTHREF]}
out=${2:?usage: seeds.sh GTH OUTDIR [GTHREF]}
gthref=${3:-}
rm -rf "$out/binary" "$out/text" "$out/test" "$out/bytes"
mkdir -p "$out/binary" "$out/text" "$out/test" "$out/bytes"

# Generated: per version, 24 binary traces (two sizes), 8 text, 6 .test.
for v in 22 23 25 26; do
  "$gth" gen --version 1.$v --seed 1 --count 16 --procs 2 --goroutines 16 --generations 2 --events 40 --out "$out/binary"
  "$gth" gen --version 1.$v --seed 101 --count 8 --procs 4 --goroutines 24 --generations 3 --events 150 \
    --perturb all --out "$out/binary"
  "$gth" gen --version 1.$v --seed 201 --count 8 --procs 2 --goroutines 16 --generations 2 --events 40 \
    --format text --out "$out/text"
  "$gth" gen --version 1.$v --seed 301 --count 6 --procs 2 --goroutines 16 --generations 1 --events 30 \
    --format test --out "$out/test"
done

# Go's golden tests.
goroot=${GOROOT:-}
if [ -z "$goroot" ] && command -v go >/dev/null 2>&1; then goroot=$(go env GOROOT); fi
golden="$goroot/src/internal/trace/testdata/tests"
if [ -n "$goroot" ] && [ -d "$golden" ]; then
  for t in "$golden"/*.test; do
    b=$(basename "$t" .test)
    cp "$t" "$out/test/golden-$b.test"
    if [ -n "$gthref" ] && [ -x "$gthref" ]; then
      "$gthref" test2bytes "$t" > "$out/binary/golden-$b.trace"
    else
      "$gth" pack "$t" -o "$out/binary/golden-$b.trace" 2>/dev/null
    fi
    "$gth" dump "$out/binary/golden-$b.trace" -o "$out/text/golden-$b.txt"
  done
  for f in "$goroot"/src/internal/trace/testdata/fuzz/FuzzReader/*; do
    [ -f "$f" ] && "$gth" pack "$f" -o "$out/binary/gofuzz-$(basename "$f").trace"
  done
else
  echo "seeds.sh: Go's golden tests not found (no GOROOT); generated seeds only" >&2
fi

# generate target: 18 knob bytes then choice bytes, from a fixed LCG.
x=12345
for i in $(seq 0 31); do
  len=$((18 + (i * 37) % 200))
  hex=""
  for ((j = 0; j < len; j++)); do
    x=$(((x * 1103515245 + 12345) % 2147483648))
    hex+=$(printf '\\x%02x' $(((x >> 16) & 255)))
  done
  printf "$hex" > "$out/bytes/seed-$i"
done
printf '' > "$out/bytes/empty"
echo "seeds: $(ls "$out/binary" | wc -l) binary, $(ls "$out/text" | wc -l) text, $(ls "$out/test" | wc -l) test, $(ls "$out/bytes" | wc -l) bytes in $out"
