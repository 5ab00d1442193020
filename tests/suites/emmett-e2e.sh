#!/usr/bin/env bash
# End-to-end tests of Emmett: each emmett2vp/tests/e2e/NAME.emt is compiled
# with build/bin/emmett, run with `build/bin/vp run NAME.vp ARGS...` (ARGS
# from NAME.events: options and events), and its standard output must be
# NAME.out (and its error stream NAME.stderr, empty if that file is absent).
# Prints PASS:/FAIL: per case, or one SKIP: line when a command is missing.
# UPDATE=1 rewrites the expected files.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
EMMETT=$PWD/$BUILD/bin/emmett
VP=$PWD/$BUILD/bin/vp
DIR=$PWD/emmett2vp/tests/e2e
if [[ ! -x $EMMETT ]]; then
  echo "SKIP: emmett-e2e ($BUILD/bin/emmett is not built)"
  exit 0
fi
if [[ ! -x $VP ]]; then
  echo "SKIP: emmett-e2e ($BUILD/bin/vp, the VP engine's command, is not built)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
for src in "$DIR"/*.emt; do
  name=$(basename "${src%.emt}")
  if ! "$EMMETT" "$src" -o "$name.vp" 2>"$name.cerr"; then
    echo "FAIL: e2e/$name (does not compile)"
    head -5 "$name.cerr"
    continue
  fi
  read -r -a args < "$DIR/$name.events" || true
  "$VP" run "$name.vp" "${args[@]}" >"$name.stdout" 2>"$name.stderr"
  if [[ ${UPDATE:-0} == 1 ]]; then
    cp "$name.stdout" "$DIR/$name.out"
    if [[ -s $name.stderr ]]; then cp "$name.stderr" "$DIR/$name.stderr"; else rm -f "$DIR/$name.stderr"; fi
  fi
  expected_err=/dev/null
  [[ -f $DIR/$name.stderr ]] && expected_err=$DIR/$name.stderr
  if cmp -s "$name.stdout" "$DIR/$name.out" && cmp -s "$name.stderr" "$expected_err"; then
    echo "PASS: e2e/$name"
  else
    echo "FAIL: e2e/$name"
    diff "$DIR/$name.out" "$name.stdout" | head -20
    diff "$expected_err" "$name.stderr" | head -10
  fi
done
