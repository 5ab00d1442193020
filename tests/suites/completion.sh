#!/usr/bin/env bash
# Bash completion for vmrun and vprobe (contrib/bash-completion/vprobes.bash):
# the completion functions are called as bash calls them (COMP_WORDS,
# COMP_CWORD) and their COMPREPLY checked. The commands and options come
# from the tools' --help, so these also check that --help lists them.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=$ROOT/${BUILD:-build}/bin
if [[ ! -x $BIN/vmrun || ! -x $BIN/vprobe ]]; then
  echo "FAIL: completion-built ($BIN/vmrun or $BIN/vprobe is missing)"
  exit 1
fi
WORK=$(mktemp -d /tmp/completion.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export VPROBE_RUNTIME_DIR=$WORK/run VPROBE_HOST_CONFIG=$WORK/host.cfg
mkdir -m 700 "$VPROBE_RUNTIME_DIR"
mkdir "$WORK/files"
cd "$WORK/files"
mkdir vms
: > a.vmx; : > b.vp; : > c.emt; : > notes.txt

. "$ROOT/contrib/bash-completion/vprobes.bash"

# complete FUNCTION WORD... : COMPREPLY for the last WORD (the one being
# typed), sorted, one a line, in $GOT.
GOT=
complete_words() {
  local fn=$1
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  "$fn"
  GOT=$(printf '%s\n' "${COMPREPLY[@]}" | sort -u | grep .)
}

# expect NAME WANT: $GOT is exactly WANT (space-separated words).
expect() {
  local want
  want=$(printf '%s\n' $2 | sort -u)
  if [[ $GOT == "$want" ]]; then echo "PASS: completion $1"
  else echo "FAIL: completion $1 (got: $(echo $GOT), expected: $(echo $want))"; fi
}

VMRUN=$BIN/vmrun VPROBE=$BIN/vprobe
complete_words _vmrun "$VMRUN" ''
expect vmrun-commands "start stop list vprobeLoad vprobeLoadFile vprobeReset vprobeListProbes
  vprobeListGlobals vprobeVersion getGuestSymbols vprobeStats"
complete_words _vmrun "$VMRUN" -T ws vprobeL
expect vmrun-commands-after-T "vprobeLoad vprobeLoadFile vprobeListProbes vprobeListGlobals"
complete_words _vmrun "$VMRUN" -
expect vmrun-options "-T -h --help -? --version"
complete_words _vmrun "$VMRUN" -T ''
expect vmrun-T-products "ws fusion player"
complete_words _vmrun "$VMRUN" vprobeLoadFile ''
expect vmrun-vmx-files "a.vmx vms"
complete_words _vmrun "$VMRUN" start a.vmx ''
expect vmrun-start-modes "gui nogui"
complete_words _vmrun "$VMRUN" STOP a.vmx s
expect vmrun-stop-modes-any-case "soft"
complete_words _vmrun "$VMRUN" vprobeLoadFile a.vmx ''
expect vmrun-vp-files "b.vp vms"
complete_words _vmrun "$VMRUN" list ''
expect vmrun-list-takes-nothing ""
# A VM that is not running has no probes to offer: nothing, and without
# waiting for the 5 s the completion gives a VM to answer.
start=$SECONDS
complete_words _vmrun "$VMRUN" vprobeLoad a.vmx ''
expect vmrun-probes-vm-off ""
complete_words _vprobe "$VPROBE" a.vmx -c ''
expect vprobe-probes-vm-off ""
if ((SECONDS - start < 5)); then echo "PASS: completion vm-off-no-wait"
else echo "FAIL: completion vm-off-no-wait ($((SECONDS - start)) s)"; fi

complete_words _vprobe "$VPROBE" -
expect vprobe-options "-c -d -s -T -D -I -i -l -v -f --format --folded --flamegraph -h --help --version"
complete_words _vprobe "$VPROBE" -d 5 ''
expect vprobe-vmx-first "a.vmx vms"
complete_words _vprobe "$VPROBE" -d 5 a.vmx ''
expect vprobe-scripts-after-vmx "b.vp c.emt vms"
complete_words _vprobe "$VPROBE" -I ''
expect vprobe-include-dirs "vms"
