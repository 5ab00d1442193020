#!/usr/bin/env bash
# System Management Mode: the demo guest's `smier` raises SMIs through
# the APM control port (0xb2) and checks its SMM handler ran once for
# each; the SMM_* probes must see every one of them, in order. Then a VM
# whose monitor has no SMM (VPROBE_SMM=off, as on a host whose KVM lacks
# KVM_CAP_X86_SMM): the load warns, the port raises nothing. kvm_pvm has
# no SMM: there tests/run-all runs the suite under tests/nested-kvm/run.
# needs: kvm
# needs: hardware virtualization
set -u
cd "$(dirname "$0")/../.."
. tests/lib/vm-suite.sh
suite_begin smm smi-probes guest-count smm-refused

VM=$(new_vm main 'guest.cmdline = "procs=smier"')
start_vm "$VM" || { for c in "${CASES[@]}"; do fail "$c" "demo VM did not start"; done; exit 1; }

# smier passes its running count of SMIs in RAX; the handler leaves the
# registers alone, so each probe of one SMI sees the same number, and the
# SMIPre numbers must run on without a gap. The handler's own count (at
# 0x38100; SMM has paging off) is one behind at its entry, level at rsm.
SMM_VP='(definteger pre) (definteger post) (definteger rpre) (definteger rpost)
(definteger first) (definteger last) (definteger gaps) (definteger bad)
(vprobe SMM_SMIPre
  (cond ((== first 0) (setint first RAX)))
  (cond ((&& (!= last 0) (!= RAX (+ last 1))) (setint gaps (+ gaps 1))))
  (setint last RAX) (setint pre (+ pre 1)))
(vprobe SMM_SMIPost
  (cond ((|| (!= RAX last) (!= RIP 0x8000)) (setint bad (+ bad 1))))
  (cond ((!= (& (getguest 0x38100) 0xffffffff) (- RAX 1)) (setint bad (+ bad 1))))
  (setint post (+ post 1)))
(vprobe SMM_RSMPre
  (cond ((|| (!= RAX last) (!= RIP 0x8006)) (setint bad (+ bad 1))))
  (cond ((!= (& (getguest 0x38100) 0xffffffff) RAX) (setint bad (+ bad 1))))
  (setint rpre (+ rpre 1)))
(vprobe SMM_RSMPost
  (cond ((|| (!= RAX last) (< RIP 0xffffffff80000000)) (setint bad (+ bad 1))))
  (setint rpost (+ rpost 1)))
(vprobe VMMUnload
  (printf "vcpu %d pre %d post %d rsmpre %d rsmpost %d first %d last %d gaps %d bad %d\n"
          VCPUID pre post rpre rpost first last gaps bad))
(vprobe VMXUnload (printf "END\n"))'

# field NAME LINE: the number after NAME in LINE.
field() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" <<<"$2"; }

case_smi-probes() {
  local out line pre post rpre rpost first last gaps bad
  sleep 1  # smier's first SMIs
  out=$(run_script "$VM" 3 "$SMM_VP")
  line=$(grep '^vcpu 0 ' <<<"$out")
  pre=$(field pre "$line"); post=$(field post "$line"); rpre=$(field rsmpre "$line")
  rpost=$(field rsmpost "$line"); first=$(field first "$line"); last=$(field last "$line")
  gaps=$(field gaps "$line"); bad=$(field bad "$line")
  # Every SMI the guest raised from `first` to `last` fired SMIPre; at
  # most the one in flight at the unload misses its later probes (the
  # stops are taken out between two exits), in that order.
  if [[ -n $pre && $pre -ge 5 && $pre == $((last - first + 1)) && $gaps == 0 && $bad == 0 &&
        $pre -ge $post && $post -ge $rpre && $rpre -ge $rpost && $rpost -ge $((pre - 1)) ]] &&
     grep -q '^vcpu 1 pre 0 post 0 rsmpre 0 rsmpost 0 ' <<<"$out"; then
    pass smi-probes
    echo "smm: $pre SMIs probed in the window (pre $pre post $post rsmpre $rpre rsmpost $rpost)"
  else
    fail smi-probes "$out"
  fi
}

case_guest-count() {
  # The guest's own check, after the probes came and went: its handler
  # ran once per SMI raised, in every report.
  local log=${VM%/*}/serial.log reports
  reports=$(grep '^smier: [0-9]' "$log")
  if [[ -n $reports ]] && ! grep -q 'BAD' <<<"$reports" &&
     awk '{ if ($2 != $7) exit 1 }' <<<"$reports" &&
     [[ $(tail -1 <<<"$reports" | awk '{print $2}') -ge 5 ]]; then
    pass guest-count
  else
    fail guest-count "serial: $(tail -5 "$log")"
  fi
}

case_smm-refused() {
  local vm out log
  vm=$(new_vm nosmm 'guest.cmdline = "procs=smier"')
  VPROBE_SMM=off "$VMRUN" start "$vm" >/dev/null && sleep 0.5 ||
    { fail smm-refused "VM did not start"; return; }
  out=$("$VMRUN" vprobeLoad "$vm" '(vprobe SMM_SMIPre (printf "pre\n")) (vprobe SMM_RSMPost (printf "post\n"))' 2>&1)
  sleep 2
  "$VMRUN" vprobeReset "$vm" >/dev/null 2>&1
  log=${vm%/*}/serial.log
  local want='warning: probe SMM_SMIPre is valid VP but this monitor never fires it here: SMM disabled for this VM (VPROBE_SMM=off); writes to port 0xb2 raise no SMI'
  local report; report=$(grep '^smier: ' "$log" | tail -1)
  if [[ $out == *"$want"* && $out == *"probe SMM_RSMPost is valid VP"* ]] &&
     [[ $report =~ ^smier:\ [1-9][0-9]*\ SMIs\ raised,\ handler\ ran\ 0\ times$ ]] &&
     ! grep -q '^pre$' "${vm%/*}/vprobe.out" 2>/dev/null; then
    pass smm-refused
  else
    fail smm-refused "load said: $out; guest: $report"
  fi
  "$VMRUN" stop "$vm" >/dev/null 2>&1
}

run_cases
