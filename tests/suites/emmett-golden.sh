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
cd "$DIR"
for src in *.emt; do
  name=${src%.emt}
  flags=()
  [[ -f $name.flags ]] && read -r -a flags < "$name.flags"
  "$EMMETT" -s guest.syms "${flags[@]}" "$src" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [[ ${UPDATE:-0} == 1 ]]; then
    if [[ $rc -eq 0 ]]; then cp "$tmp/out" "$name.vp"; rm -f "$name.err"; else cp "$tmp/err" "$name.err"; rm -f "$name.vp"; fi
  fi
  if [[ -f $name.err ]]; then
    if [[ $rc -eq 1 ]] && cmp -s "$tmp/err" "$name.err"; then
      echo "PASS: golden/$name (errors)"
    else
      echo "FAIL: golden/$name (expected the errors in $name.err, exit 1; got exit $rc)"
      diff "$name.err" "$tmp/err" | head -20
    fi
    continue
  fi
  if [[ ! -f $name.vp ]]; then
    echo "FAIL: golden/$name (no $name.vp or $name.err)"
    continue
  fi
  if [[ $rc -ne 0 ]] || ! cmp -s "$tmp/out" "$name.vp"; then
    echo "FAIL: golden/$name"
    cat "$tmp/err" | head -10
    diff "$name.vp" "$tmp/out" | head -30
    continue
  fi
  echo "PASS: golden/$name"
  if [[ -x $VP ]]; then
    version=$(sed -n 's/^(version "\(.*\)")$/\1/p' "$name.vp" | head -n1)
    version=${version:-1.0}
    if "$VP" check --vp-version "$version" "$name.vp" >"$tmp/check" 2>&1; then
      echo "PASS: golden/$name loads on a VP $version engine"
    else
      echo "FAIL: golden/$name does not load on a VP $version engine"
      head -10 "$tmp/check"
    fi
  fi
done
if [[ ! -x $VP ]]; then
  echo "SKIP: emmett-golden vp check ($BUILD/bin/vp is not built)"
fi
