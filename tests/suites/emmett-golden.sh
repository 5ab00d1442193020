#!/usr/bin/env bash
# Golden tests of the Emmett compiler: each emmett2vp/tests/golden/NAME.emt
# is compiled (in that directory, with -s guest.syms and the options in
# NAME.flags if present) and must produce exactly NAME.vp, or fail with
# exactly the diagnostics in NAME.err. When the VP engine's command exists,
# every NAME.vp must also load (`vp check`) on an engine of the version it
# declares, so a VP 1.0 script is checked against a 1.0-only engine.
# Prints PASS:/FAIL:/SKIP: per case. UPDATE=1 rewrites the expected files.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
EMMETT=$PWD/$BUILD/bin/emmett
VP=$PWD/$BUILD/bin/vp
DIR=emmett2vp/tests/golden
if [[ ! -x $EMMETT ]]; then
  echo "SKIP: emmett-golden ($BUILD/bin/emmett is not built)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/lib/golden.sh
cd "$DIR"
for src in *.emt; do
  name=${src%.emt}
  flags=()
  [[ -f $name.flags ]] && read -r -a flags < "$name.flags"
  "$EMMETT" -s guest.syms "${flags[@]}" "$src" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  golden_verdict golden "$name" "$rc"
done
if [[ ! -x $VP ]]; then
  echo "SKIP: emmett-golden vp check ($BUILD/bin/vp is not built)"
fi
