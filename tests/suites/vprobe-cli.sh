#!/usr/bin/env bash
# What vprobe does without a VM: usage errors, an Emmett error reported at
# its position before any VM is asked, a VM that is not running. The
# cases with the demo VM are in vprobe.sh.
set -u
cd "$(dirname "$0")/../.."
BIN=$PWD/${BUILD:-build}/bin
VPROBE=$BIN/vprobe
if [[ ! -x $VPROBE ]]; then
  echo "FAIL: vprobe-built ($VPROBE is missing)"
  exit 1
fi
WORK=$(mktemp -d /tmp/vprobe-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export VPROBE_RUNTIME_DIR=$WORK/run VPROBE_HOST_CONFIG=$WORK/host.cfg
mkdir -m 700 "$VPROBE_RUNTIME_DIR"
echo 'vprobe.allow = "TRUE"' > "$VPROBE_HOST_CONFIG"

pass() { echo "PASS: vprobe $1"; }
fail() { echo "FAIL: vprobe $1: $2"; }

# new_vm NAME: a copy of the demo VM's .vmx in $WORK/NAME (never started).
new_vm() {
  mkdir -p "$WORK/$1"
  cp guests/demo/demo.vmx "$WORK/$1/demo.vmx"
  echo "$WORK/$1/demo.vmx"
}

# vp RUN-ARGS...: runs vprobe; OUT, ERR, RC hold what it did.
OUT=; ERR=; RC=
vp() {
  "$VPROBE" "$@" > "$WORK/out" 2> "$WORK/err"; RC=$?
  OUT=$(cat "$WORK/out"); ERR=$(cat "$WORK/err")
}

# Usage errors exit 2 (docs/cli.md), saying what is wrong, the usage and
# what to type for the rest.
case_usage() {
  local problems=""
  vp; [[ $RC == 2 && $ERR == *"no virtual machine given"*"usage: vprobe"*"run 'vprobe --help'"* ]] || problems+=" no-args($RC:$ERR)"
  vp x.vmx; [[ $RC == 2 && $ERR == *"no script given"* ]] || problems+=" no-script($ERR)"
  vp -c 'VMM1Hz {}' x.vmx f.emt; [[ $RC == 2 && $ERR == *"not both"* ]] || problems+=" code-and-file($ERR)"
  vp -d 0 -c 'VMM1Hz {}' x.vmx; [[ $RC == 2 && $ERR == *"-d expects a number of seconds"* ]] || problems+=" d0($ERR)"
  vp -d 1x -c 'VMM1Hz {}' x.vmx; [[ $RC == 2 && $ERR == *"not '1x'"* ]] || problems+=" d1x($ERR)"
  vp -i -s s.syms x.vmx f.vp; [[ $RC == 2 && $ERR == *"with -i the script is VP"* ]] || problems+=" i-s($ERR)"
  vp -l -d 1 x.vmx; [[ $RC == 2 && $ERR == *"-l lists the probe points"* ]] || problems+=" l-d($ERR)"
  vp -q x.vmx f.emt; [[ $RC == 2 && $ERR == "vprobe: error: unknown option '-q'"$'\n'* ]] || problems+=" unknown($ERR)"
  vp -D '' -c 'VMM1Hz {}' x.vmx; [[ $RC == 2 && $ERR == *"-D expects NAME or NAME=VALUE"* ]] || problems+=" D-empty($ERR)"
  vp -c; [[ $RC == 2 && $ERR == "vprobe: error: -c needs a value (CODE)"*"run 'vprobe --help'"* ]] || problems+=" c-no-value($ERR)"
  vp -c 'VMM1Hz {}' -c 'VMM1Hz {}' x.vmx; [[ $RC == 2 && $ERR == "vprobe: error: -c may be given once, not 2 times"* ]] || problems+=" c-twice($ERR)"
  vp --help; [[ $RC == 0 && $OUT == "usage: vprobe"* && -z $ERR ]] || problems+=" help($RC)"
  [[ -z $problems ]] && pass usage || fail usage "$problems"
}

# The style every tool shares: --help names every option, --version, the
# hint after a bad option.
case_cli() {
  cli_help "help-lists-every-option" "$VPROBE" -c CODE -d SECONDS -s SYMS "-T [NAME=]SYMDB" "-D NAME[=VAL]" \
    "-I DIR" -i -l VMX FILE "vprobe -d 5 guests/demo/demo.vmx cookbook/exits-by-reason.emt"
  cli_version version "$VPROBE"
  cli_bad_option bad-option "$VPROBE" 2
  vp --formatt json x.vmx
  [[ $RC == 2 && $ERR == "vprobe: error: unknown option '--formatt'"$'\n'* ]] && pass long-unknown-option ||
    fail long-unknown-option "rc=$RC err=$ERR"
  # Options after VMX and FILE, values attached (-sFILE), "--" ending them.
  vp nowhere.vmx -d0.5 -DX=1 -Iinc -- -c
  [[ $RC == 1 && $ERR == "vprobe: error: cannot read -c: No such file or directory" ]] &&
    pass option-forms || fail option-forms "rc=$RC err=$ERR"
}

case_emmett-error() {
  # Reported by emmett, at the Emmett position, before any VM is asked:
  # the VM named here does not even exist.
  vp -c 'HV_Exit { x = ; }' "$WORK/nowhere.vmx"
  [[ $RC == 1 && $ERR == "<command line>:1:15: error: expected an expression"* && -z $OUT ]] &&
    pass emmett-error || fail emmett-error "rc=$RC err=$ERR"
}

case_not-running() {
  local off; off=$(new_vm off)
  vp -d 1 -c 'VMM1Hz { logint(1); }' "$off"
  [[ $RC == 1 && $ERR == "vprobe: error: The virtual machine is not powered on: $off" ]] &&
    pass not-running || fail not-running "rc=$RC err=$ERR"
}

for c in "${NOVM_CASES[@]}"; do "case_$c"; done

. tests/lib/run-check.sh
. tests/lib/tool-cli.sh
for c in usage cli emmett-error not-running; do "case_$c"; done
