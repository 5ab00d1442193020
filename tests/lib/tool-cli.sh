# The command-line style every tool shares (docs/cli.md), checked for one
# tool at a time (sourced; needs run-check.sh and the suite's pass/fail).
#
#   cli_help NAME TOOL WORD...      --help exits 0, prints on stdout only,
#                                   and names each WORD (every option)
#   cli_version NAME TOOL           --version prints the VP version
#   cli_bad_option NAME TOOL RC     an unknown option exits RC with the
#                                   hint "run 'TOOL --help'"

# The engine's VP version, from the one place it is written.
cli_vp_version() {
  sed -n 's/.*kEngineVersion{\([0-9]*\), *\([0-9]*\)}.*/\1.\2/p' "$(dirname "${BASH_SOURCE[0]}")/../../vp/version.h"
}

cli_help() {
  local name=$1 tool=$2 word missing=""
  shift 2
  run "$tool" --help
  for word in "$@" --help --version Examples: "Exit status:"; do
    [[ $OUT == *"$word"* ]] || missing+=" $word"
  done
  if [[ $RC == 0 && -z $ERR && -z $missing ]]; then pass "$name"
  else fail "$name" "exit $RC, missing:$missing, stderr: $ERR"; fi
}

cli_version() {
  local name=$1 tool=$2 want
  want="$(basename "$tool") (VProbes on KVM) VP $(cli_vp_version), build "
  run "$tool" --version
  if [[ $RC == 0 && -z $ERR && $OUT == "$want"?* && $OUT != *$'\n'* ]]; then pass "$name"
  else fail "$name" "exit $RC, stdout: $OUT, expected '$want...'"; fi
}

cli_bad_option() {
  local name=$1 tool=$2 rc=$3 base
  base=$(basename "$tool")
  run "$tool" --no-such-option
  if [[ $RC == "$rc" && -z $OUT && $ERR == *"unknown option '--no-such-option'"* &&
        $ERR == *$'\n'"run '$base --help' for every option and an example" ]]; then pass "$name"
  else fail "$name" "exit $RC (expected $rc), stderr: $ERR"; fi
}
