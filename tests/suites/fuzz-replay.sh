#!/usr/bin/env bash
# Replays every saved fuzz input (fuzz/corpus/TARGET/) through its target,
# built normally ($BUILD/fuzz/TARGET-replay) and, for the parser and
# runtime targets, under ASan/UBSan (build-san/). Inputs that once crashed a
# target or broke one of its properties stay here as regression tests.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
for dir in fuzz/corpus/*/; do
  t=$(basename "$dir")
  [[ -n $(ls -A "$dir") ]] || continue
  for bin in "$BUILD/fuzz/$t-replay" "build-san/fuzz/$t-replay"; do
    [[ -x $bin ]] || continue
    name="$t ($(dirname "$(dirname "$bin")"))"
    if out=$("$bin" "$dir" 2>&1); then
      echo "PASS: $name: $(printf '%s\n' "$out" | tail -n1)"
    else
      echo "FAIL: $name"
      printf '%s\n' "$out" | tail -n 30
    fi
  done
  [[ -x $BUILD/fuzz/$t-replay ]] || echo "FAIL: $t: $BUILD/fuzz/$t-replay not built"
done
