#!/usr/bin/env bash
# End-to-end tests of fault injection (VP 1.3's destructive built-ins) on
# the demo guest's `faulter` process, which calls the kernel allocator
# fault_alloc ten times per tick and prints every NULL it gets (the
# allocator never fails by itself). Each case compares the failures the
# guest reports with the injections the script counted, and with the lines
# vmx.log got. Needs KVM: without /dev/kvm, tests/run-all runs it under
# tests/nested-kvm/run.
# needs: kvm
set -u
cd "$(dirname "$0")/../.."
. tests/lib/vm-suite.sh
. tests/lib/guest-code.sh
suite_begin fault-injection refused-when-off reported-when-on skipfunction setgpr setguest \
  genmce no-trace

# First a VM whose host does not allow fault injection (its .vmx asks).
OFF=$(new_vm off 'guest.cmdline = "procs=faulter"' 'vprobe.faultInjection = "TRUE"')
start_vm "$OFF" || { for c in "${CASES[@]}"; do fail "$c" "demo VM did not start"; done; exit 1; }

DESTRUCTIVE=("(setgpr RAX 0)" "(setguest 0x1000 8 0)" "(skipfunction 0)" "(genmce 0x8000000000000000 0)")

case_refused-when-off() {
  local call msg problems=""
  for call in "${DESTRUCTIVE[@]}"; do
    msg=$("$VMRUN" vprobeLoad "$OFF" "(vprobe GUEST:ENTER:0x1000 $call)" 2>&1) && problems+=" loaded($call)"
    [[ $msg == *"fault injection is not allowed on this host: add vprobe.allowFaultInjection = \"TRUE\" to $VPROBE_HOST_CONFIG"* ]] ||
      problems+=" message($msg)"
  done
  [[ $("$VMRUN" vprobeVersion "$OFF") == "VProbes version: 1.3 (enabled)" ]] || problems+=" version"
  "$VMRUN" vprobeListGlobals "$OFF" | grep -q setgpr && problems+=" listed"
  [[ -z $problems ]] && pass refused-when-off || fail refused-when-off "$problems"
}
run_one() { "case_$1"; }
run_one refused-when-off
"$VMRUN" stop "$OFF" >/dev/null

# The VM the other cases use: host and VM both say yes.
echo 'vprobe.allowFaultInjection = "TRUE"' >> "$VPROBE_HOST_CONFIG"
VM=$(new_vm main 'guest.cmdline = "procs=faulter"' 'vprobe.faultInjection = "TRUE"' \
  "vprobe.guestSyms = \"$SYMS\"")
SERIAL=${VM%/*}/serial.log LOG=${VM%/*}/vmx.log
start_vm "$VM" || { for c in "${CASES[@]:1}"; do fail "$c" "demo VM did not start"; done; exit 1; }
for _ in $(seq 100); do grep -q '^faulter: pid' "$SERIAL" && break; sleep 0.1; done

case_reported-when-on() {
  local problems=""
  [[ $("$VMRUN" vprobeVersion "$VM") == "VProbes version: 1.3 (enabled, fault injection on)" ]] ||
    problems+=" version($("$VMRUN" vprobeVersion "$VM"))"
  "$VMRUN" vprobeListGlobals "$VM" | grep -qx 'skipfunction function (fault injection)' || problems+=" listed"
  [[ -z $problems ]] && pass reported-when-on || fail reported-when-on "$problems"
}

# inject NAME WANT SCRIPT: runs SCRIPT (which prints "injected N" in its
# VMXUnload) and checks that the guest reported N new failures, N = WANT,
# and that vmx.log got N lines for the probe.
inject() {
  local name=$1 want=$2 script=$3 before logged out n got
  before=$(grep -c 'faulter: allocation .* failed' "$SERIAL")
  logged=$(grep -c "vprobe fault injection: GUEST:fault_alloc on vCPU" "$LOG")
  out=$(run_script "$VM" 1.5 "$script")
  n=$(sed -n 's/^injected //p' <<<"$out")
  sleep 0.5  # the guest prints after the call returns
  got=$(( $(grep -c 'faulter: allocation .* failed' "$SERIAL") - before ))
  logged=$(( $(grep -c "vprobe fault injection: GUEST:fault_alloc on vCPU" "$LOG") - logged ))
  if [[ $n == "$want" && $got == "$want" && $logged -ge $want ]] && ! grep -qE 'PANIC|killed' "$SERIAL"; then
    pass "$name"
  else
    fail "$name" "script injected '$n', guest reported $got failures, vmx.log $logged lines; want $want; $(tr '\n' ' ' <<<"$out")"
  fi
}

case_skipfunction() {
  # The slides' example (setgpr, then skipfunction without a value) twice,
  # skipfunction with the value 0 three times.
  inject skipfunction 5 '(defshared n pervm) (defshared done pervm)
    (vprobe GUEST:fault_alloc (let ((i (fetchadd n 1)))
      (cond ((< i 2) (do (setgpr RAX 0) (skipfunction) (fetchadd done 1)))
            ((< i 5) (do (skipfunction 0) (fetchadd done 1))))))
    (vprobe VMXUnload (printf "injected %d\nEND\n" done))'
}

case_setgpr() {
  # A size of 0 makes the allocation fail: the system call returns NULL.
  inject setgpr 4 '(defshared n pervm) (defshared done pervm)
    (vprobe GUEST:fault_alloc (cond ((< (fetchadd n 1) 4) (do (setgpr RDI 0) (fetchadd done 1)))))
    (vprobe VMXUnload (printf "injected %d\nEND\n" done))'
}

case_setguest() {
  # falloc_max = 0 for three calls, then back to 64; each hit also writes
  # the probed instruction's own byte (push rbp) over the planted one:
  # the probe keeps firing and unload restores the guest's byte.
  local max fa
  max=$(sym falloc_max); fa=$(sym fault_alloc)
  inject setguest 3 "(defshared n pervm) (defshared done pervm)
    (vprobe GUEST:fault_alloc (let ((i (fetchadd n 1)))
      (setguest $fa 1 0x55)
      (cond ((== i 0) (setguest $max 8 0)) ((== i 3) (setguest $max 8 64)))
      (cond ((< i 3) (fetchadd done 1)))))
    (vprobe VMMUnload (setguest $max 8 64))
    (vprobe VMXUnload (printf \"injected %d\nEND\n\" done))"
}

case_genmce() {
  # An uncorrected error (VAL, UC, EN) once: the guest's #MC handler logs
  # the bank and goes on.
  local before out status=$((0xb000000000000135)) line
  before=$(grep -c '^kernel: machine check' "$SERIAL")
  out=$(run_script "$VM" 1 '(defshared n pervm)
    (vprobe GUEST:fault_alloc (cond ((== (fetchadd n 1) 0) (genmce 0xb000000000000135 0x1234000 1))))
    (vprobe VMXUnload (printf "END\n"))')
  sleep 0.5
  line=$(grep '^kernel: machine check' "$SERIAL" | tail -n +$((before + 1)))
  printf -v status '%u' "$status"
  if [[ $(wc -l <<<"$line") == 1 && $line == *" bank 1 status $status addr $((0x1234000))" ]] &&
     grep -q "vprobe fault injection: GUEST:fault_alloc on vCPU [0-9]: genmce bank 1 MCi_STATUS 0xb000000000000135 MCi_ADDR 0x1234000" "$LOG" &&
     ! grep -qE 'PANIC|killed' "$SERIAL"; then
    pass genmce
  else
    fail genmce "guest: '$line'; $(grep 'genmce' "$LOG" | tail -1) $(tr '\n' ' ' <<<"$out")"
  fi
}

case_no-trace() {
  local why calls0 calls1
  why=$(code_matches_elf "$VM") || { fail no-trace "$why"; return; }
  # The allocator works again: no failure since the last script.
  calls0=$(grep -c 'faulter: allocation .* failed' "$SERIAL"); sleep 1
  calls1=$(grep -c 'faulter: allocation .* failed' "$SERIAL")
  [[ $calls0 == "$calls1" ]] && grep -q '^faulter: [0-9]* allocations' "$SERIAL" && pass no-trace ||
    fail no-trace "failures went on after unload: $calls0 -> $calls1"
}

for c in "${CASES[@]:1}"; do run_one "$c"; done
