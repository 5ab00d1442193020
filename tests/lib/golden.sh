# Golden comparison of an Emmett compile, for the suites that keep
# NAME.emt beside NAME.vp or NAME.err (sourced; needs $tmp and $VP).
#
#   golden_verdict LABEL NAME RC
#
# compares what the compiler wrote for NAME.emt ($tmp/out, $tmp/err, its
# exit status RC) with NAME.vp or NAME.err in the current directory
# (UPDATE=1 rewrites them first) and prints PASS:/FAIL: lines. A matching
# NAME.vp must also load (`vp check`) on an engine of the version it
# declares, where $VP is built, so a VP 1.0 script is checked against a
# 1.0-only engine.
golden_verdict() {
  local label=$1 name=$2 rc=$3 version
  if [[ ${UPDATE:-0} == 1 ]]; then
    if [[ $rc -eq 0 ]]; then cp "$tmp/out" "$name.vp"; rm -f "$name.err"; else cp "$tmp/err" "$name.err"; rm -f "$name.vp"; fi
  fi
  if [[ -f $name.err ]]; then
    if [[ $rc -eq 1 ]] && cmp -s "$tmp/err" "$name.err"; then
      echo "PASS: $label/$name (errors)"
    else
      echo "FAIL: $label/$name (expected the errors in $name.err, exit 1; got exit $rc)"
      diff "$name.err" "$tmp/err" | head -20
    fi
    return
  fi
  if [[ ! -f $name.vp ]]; then
    echo "FAIL: $label/$name (no $name.vp or $name.err)"
    return
  fi
  if [[ $rc -ne 0 ]] || ! cmp -s "$tmp/out" "$name.vp"; then
    echo "FAIL: $label/$name"
    head -10 "$tmp/err"
    diff "$name.vp" "$tmp/out" | head -30
    return
  fi
  echo "PASS: $label/$name"
  [[ -x $VP ]] || return 0
  version=$(sed -n 's/^(version "\(.*\)")$/\1/p' "$name.vp" | head -n1)
  version=${version:-1.0}
  if "$VP" check --vp-version "$version" "$name.vp" >"$tmp/check" 2>&1; then
    echo "PASS: $label/$name loads on a VP $version engine"
  else
    echo "FAIL: $label/$name does not load on a VP $version engine"
    head -10 "$tmp/check"
  fi
}
