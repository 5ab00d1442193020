#!/usr/bin/env bash
# Script-plus-expected-output tests of the VP engine (compat-tests/ and
# cookbook/): for each NAME.vp,
#   NAME.args  arguments of `vp run` after the file (events, --reg, ...);
#              without it the test is `vp check`
#   NAME.cmd   instead: the whole `vp` command line (e.g. `dump FILE`), run
#              in the test's directory
#   NAME.out   expected stdout (absent: empty)
#   NAME.err   expected stderr (absent: empty)
#   NAME.rc    expected exit status (absent: 0)
# `vp run` tests run twice, with the JIT and with --interp: same results.
set -u
cd "$(dirname "$0")/../.."
VP=${BUILD:-build}/bin/vp
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect() {  # file-or-empty
  if [[ -f $1 ]]; then cat "$1"; fi
}

run_case() {
  local vp=$1 mode=$2 name=${1%.vp} rc
  local -a args=()
  if [[ -f $name.cmd ]]; then
    [[ -n $mode ]] && return
    read -r -a args < "$name.cmd"
    (cd "$(dirname "$vp")" && "$OLDPWD/$VP" "${args[@]}") >"$tmp/out" 2>"$tmp/err"; rc=$?
  elif [[ -f $name.args ]]; then
    read -r -a args < "$name.args"
    (cd "$(dirname "$vp")" && "$OLDPWD/$VP" run "$(basename "$vp")" $mode "${args[@]}") \
      >"$tmp/out" 2>"$tmp/err"; rc=$?
  else
    [[ -n $mode ]] && return
    (cd "$(dirname "$vp")" && "$OLDPWD/$VP" check "$(basename "$vp")") >"$tmp/out" 2>"$tmp/err"; rc=$?
  fi
  local want_rc=0; [[ -f $name.rc ]] && want_rc=$(cat "$name.rc")
  local label="$name${mode:+ $mode}"
  if ! diff -u <(expect "$name.out") "$tmp/out" > "$tmp/d1" ||
     ! diff -u <(expect "$name.err") "$tmp/err" > "$tmp/d2" || [[ $rc != "$want_rc" ]]; then
    echo "FAIL: $label (exit $rc, expected $want_rc)"
    cat "$tmp/d1" "$tmp/d2" | head -40
  else
    echo "PASS: $label"
  fi
}

for vp in compat-tests/*.vp cookbook/*.vp; do
  [[ -f $vp ]] || continue
  run_case "$vp" ""
  run_case "$vp" "--interp"
done
