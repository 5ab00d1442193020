#!/usr/bin/env bash
# vmrun's whole cycle on the demo guest: start (and a second start
# refused), list, vprobeVersion, a script that does not compile refused
# with its position, stop, list again; and the files a VM leaves beside
# its .vmx and in the runtime directory gone after the stop.
# needs: kvm
set -u
cd "$(dirname "$0")/../.."
. tests/lib/vm-suite.sh
suite_begin vmrun start start-twice-refused list-shows-vm version-enabled load-compile-error \
  stop list-after-stop nothing-left

VMX=$(new_vm cycle)
. tests/lib/run-check.sh
vmrun() { run "$VMRUN" "$@"; }

case_start() { vmrun start "$VMX"; check start 0 '' ''; }
case_start-twice-refused() {
  vmrun start "$VMX"
  check start-twice-refused 1 '' "Error: The virtual machine is already running (pid *): $VMX"
}
case_list-shows-vm() { vmrun list; check list-shows-vm 0 "Total running VMs: 1"$'\n'"$VMX" ''; }
case_version-enabled() { vmrun vprobeVersion "$VMX"; check version-enabled 0 'VProbes version: 1.* (enabled)' ''; }
case_load-compile-error() {
  vmrun vprobeLoad "$VMX" '(vprobe VMM1Hz (printf "hello!\n")'
  check load-compile-error 1 '' '<command line>:1:*: error: *'
}
case_stop() { vmrun stop "$VMX"; check stop 0 '' ''; }
case_list-after-stop() { vmrun list; check list-after-stop 0 'Total running VMs: 0' ''; }
case_nothing-left() {
  local left
  left=$(ls "$VMX.lck" "$VMX.sock" "$VPROBE_RUNTIME_DIR"/*.vm 2>/dev/null)
  [[ -z $left ]] && pass nothing-left || fail nothing-left "left: $left"
}

run_cases
