#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: every target of fuzz/targets.list, built
# with the environment's $CC $CFLAGS and linked with $CXX $CXXFLAGS
# $LIB_FUZZING_ENGINE into $OUT, each with NAME_seed_corpus.zip, NAME.dict (if
# it has one) and NAME.options beside it. Plain compiler calls, no CMake: the
# base image's CMake is older than the project's minimum.
# Source: $GTH_SRC, else the repository this script is in (fuzz/oss-fuzz/), else
# $SRC/gotrace-harness (OSS-Fuzz copies this file to $SRC/build.sh).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${GTH_SRC:-}
if [ -z "$src" ]; then
  if [ -f "$here/../targets.list" ]; then src=$(cd "$here/../.." && pwd); else src=$SRC/gotrace-harness; fi
fi
: "${OUT:?}" "${WORK:?}" "${CC:?}" "${CXX:?}"
CFLAGS=${CFLAGS:-}
CXXFLAGS=${CXXFLAGS:-}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}
cd "$src"

defs=(-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$src")
obj=$WORK/gth-obj
rm -rf "$obj"
mkdir -p "$obj/lib" "$obj/cli" "$OUT"

# libgth: the modules CMakeLists.txt lists (GTH_MODULES), so the two builds
# cannot drift apart.
modules=$(sed -n 's/^set(GTH_MODULES \(.*\))$/\1/p' CMakeLists.txt)
[ -n "$modules" ] || { echo "build.sh: GTH_MODULES not found in CMakeLists.txt" >&2; exit 1; }
for m in $modules; do
  for f in "$m"/*.c; do
    $CC $CFLAGS "${defs[@]}" -c "$f" -o "$obj/lib/$(echo "$f" | tr / _).o"
  done
done
rm -f "$WORK/libgth.a"
ar rcs "$WORK/libgth.a" "$obj"/lib/*.o

# Host tools, built the same way: gth (seed corpora) and the dictionary writer.
for f in cli/*.c; do
  $CC $CFLAGS "${defs[@]}" -DGTH_SOURCE_DIR="\"$src\"" -c "$f" -o "$obj/cli/$(basename "$f" .c).o"
done
$CC $CFLAGS "$obj"/cli/*.o "$WORK/libgth.a" -lcrypto -lm -o "$WORK/gth"
$CC $CFLAGS "${defs[@]}" fuzz/dictgen.c "$WORK/libgth.a" -lm -o "$WORK/dictgen"
$CC $CFLAGS "${defs[@]}" -c fuzz/common.c -o "$obj/common.o"

# Tools run here are instrumented; keep their sanitizers quiet about leaks.
export ASAN_OPTIONS=detect_leaks=0
"$WORK/dictgen" binary >"$WORK/binary.dict"
"$WORK/dictgen" text >"$WORK/text.dict"
bash fuzz/seeds.sh "$WORK/gth" "$WORK/seeds"

# diff_go runs Go's reader in a gthref child, which it finds beside itself in
# $OUT. OSS-Fuzz's base-builder image has no Go: there diff_go is left out
# (the other targets do not need Go); where Go is installed, gthref is built
# (pure Go, no instrumentation: only the C side is fuzzed for coverage).
gthref_ok=0
if command -v go >/dev/null 2>&1; then
  if (cd adapters/go && CGO_ENABLED=0 go build -o "$OUT/gthref" ./cmd/gthref); then
    gthref_ok=1
  else
    echo "build.sh: building gthref failed; diff_go left out" >&2
  fi
else
  echo "build.sh: no Go toolchain (the OSS-Fuzz base image has none): diff_go, which needs gthref, left out" >&2
fi

mutator=fuzz/engine/libfuzzer_custom.c
built=0
while read -r name srcfile def seeds dict structured; do
  case $name in '' | '#'*) continue ;; esac
  [ "$srcfile" = diff_go.c ] && [ $gthref_ok = 0 ] && continue
  dflag=()
  [ "$def" != - ] && dflag=(-D"$def")
  # diff_go compares stream digests (libcrypto's SHA-256); the others need no
  # libcrypto at run time.
  libs=(-lm)
  [ "$srcfile" = diff_go.c ] && libs=(-lcrypto -lm)
  $CC $CFLAGS "${defs[@]}" "${dflag[@]}" -c "fuzz/targets/$srcfile" -o "$obj/$name.o"
  variants=("$name")
  if [ "$structured" = yes ] && [ -f "$mutator" ]; then
    $CC $CFLAGS "${defs[@]}" -c "$mutator" -o "$obj/mutator_custom.o"
    variants+=("${name}_structured")
  fi
  for v in "${variants[@]}"; do
    extra=()
    [ "$v" != "$name" ] && extra=("$obj/mutator_custom.o")
    $CXX $CXXFLAGS "$obj/$name.o" "${extra[@]}" "$obj/common.o" "$WORK/libgth.a" $LIB_FUZZING_ENGINE "${libs[@]}" -o "$OUT/$v"
    rm -f "$OUT/${v}_seed_corpus.zip"
    (cd "$WORK/seeds/$seeds" && zip -q -r "$OUT/${v}_seed_corpus.zip" .)
    {
      echo "[libfuzzer]"
      echo "max_len = 262144"
      echo "timeout = 25"
      if [ "$dict" != none ]; then
        cp "$WORK/$dict.dict" "$OUT/$v.dict"
        echo "dict = $v.dict"
      fi
    } >"$OUT/$v.options"
    built=$((built + 1))
  done
done <fuzz/targets.list
echo "build.sh: $built fuzz targets in $OUT"
