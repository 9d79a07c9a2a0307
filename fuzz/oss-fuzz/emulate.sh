#!/usr/bin/env bash
# Emulates the OSS-Fuzz build environment without Docker, to prove that
# fuzz/oss-fuzz/build.sh works: CC=clang, CXX=clang++, the libFuzzer engine,
# ASan+UBSan flags as OSS-Fuzz sets them, and $SRC, $WORK, $OUT directories.
# Runs build.sh, checks that every target of fuzz/targets.list is in $OUT with
# its seed corpus zip, options and dictionary, then runs each target for
# SECONDS (default 10) on its unzipped seeds with the options' arguments.
#   fuzz/oss-fuzz/emulate.sh [SECONDS] [DIR]     (DIR default: build/oss-fuzz)
set -euo pipefail
secs=${1:-10}
repo=$(cd "$(dirname "$0")/../.." && pwd)
base=${2:-$repo/build/oss-fuzz}
rm -rf "$base"
mkdir -p "$base/src" "$base/work" "$base/out"
export SRC=$base/src WORK=$base/work OUT=$base/out
ln -s "$repo" "$SRC/gotrace-harness"
cp "$repo/fuzz/oss-fuzz/build.sh" "$SRC/build.sh"
export CC=clang CXX=clang++
export SANITIZER_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize-address-use-after-scope"
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only $SANITIZER_FLAGS -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export FUZZING_ENGINE=libfuzzer SANITIZER=address ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c
echo "== build.sh (CC=$CC, LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE)"
(cd "$SRC/gotrace-harness" && nice bash "$SRC/build.sh")

fail=0 n=0
while read -r name _ _ _ dict structured; do
  case $name in '' | '#'*) continue ;; esac
  # build.sh leaves diff_go out when it could not build gthref (no Go).
  [ "$name" = diff_go ] && [ ! -x "$OUT/gthref" ] && { echo "skipped $name: no gthref in \$OUT (no Go)"; continue; }
  variants=("$name")
  [ "$structured" = yes ] && [ -f "$repo/fuzz/engine/libfuzzer_custom.c" ] && variants+=("${name}_structured")
  for v in "${variants[@]}"; do
    n=$((n + 1))
    for f in "$OUT/$v" "$OUT/${v}_seed_corpus.zip" "$OUT/$v.options"; do
      [ -e "$f" ] || { echo "missing: $f"; fail=$((fail + 1)); continue 2; }
    done
    if [ "$dict" != none ] && [ ! -f "$OUT/$v.dict" ]; then
      echo "missing: $OUT/$v.dict"
      fail=$((fail + 1))
      continue
    fi
    # The options file's [libfuzzer] keys become -key=value arguments, as
    # OSS-Fuzz's runner passes them.
    args=()
    while IFS='=' read -r k val; do
      k=$(echo "$k" | tr -d ' ') val=$(echo "$val" | tr -d ' ')
      [ -n "$k" ] && [ -n "$val" ] || continue
      [ "$k" = dict ] && val=$OUT/$val
      args+=("-$k=$val")
    done < <(sed -n '/^\[libfuzzer\]/,/^\[/p' "$OUT/$v.options" | grep '=')
    corpus=$WORK/run/$v
    rm -rf "$corpus"
    mkdir -p "$corpus/seeds" "$corpus/new"
    unzip -q "$OUT/${v}_seed_corpus.zip" -d "$corpus/seeds"
    nseeds=$(find "$corpus/seeds" -type f | wc -l)
    rc=0
    (cd "$corpus" && nice "$OUT/$v" "${args[@]}" -max_total_time="$secs" -print_final_stats=1 \
      -artifact_prefix="$corpus/" new seeds >"$corpus.log" 2>&1) || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$corpus.log")
    if [ $rc = 0 ]; then
      echo "ran $v: ${secs}s on $nseeds seeds, ${execs:-?} execs (${args[*]})"
    else
      echo "FAILED $v (exit $rc), log $corpus.log"
      grep -E 'ERROR|property failed|SUMMARY' "$corpus.log" | head -5 || true
      fail=$((fail + 1))
    fi
  done
done <"$repo/fuzz/targets.list"
echo "oss-fuzz emulation: $((n - fail)) passed, $fail failed ($OUT)"
[ $fail = 0 ]
