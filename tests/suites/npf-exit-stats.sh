#!/usr/bin/env bash
# HV_NPF and "every exit, counted" on the demo guest: the `mmioer` process
# (guests/demo/README.md) reads and writes the platform's scratch MMIO page
# (docs/platform.md) and reports its counts on the serial port; HV_NPF's
# count and the address and access kind it reads are compared with them.
# Then KVM's own exit statistics: in vmx.log at load, unload and stop, and
# from `vmrun vprobeStats`, growing with time. Needs KVM: without
# /dev/kvm, tests/run-all runs it under tests/nested-kvm/run.
# needs: kvm
set -u
cd "$(dirname "$0")/../.."
. tests/lib/vm-suite.sh
suite_begin npf-exit-stats hv-npf-count hv-npf-address hv-npf-data-page exit-stats-log \
  exit-stats-grow stop-log

MMIO_READ=0x100000000 MMIO_WRITE=0x100000008  # mmioer's read and write addresses
# poker (on the other vCPU) writes poke_vars, for a data probe's page.
VM=$(new_vm npf 'guest.cmdline = "procs=mmioer,poker"')
SERIAL=${VM%/*}/serial.log
start_vm "$VM" ||
  { for c in "${CASES[@]}"; do fail "$c" "demo VM did not start"; done; exit 1; }
for _ in $(seq 300); do grep -q '^mmioer: [0-9]' "$SERIAL" 2>/dev/null && break; sleep 0.1; done
MCPU=$(sed -n 's/^mmioer: pid [0-9]* started on cpu \([0-9]*\).*/\1/p' "$SERIAL")

# HV_NPF counts the accesses to each of mmioer's two addresses (read or
# write from the exit fields of the host's vendor); every serial write on
# mmioer's vCPU (one line of mmioer's, or a part of one: KVM splits a
# string `out` at a page boundary) prints the counts at that moment. The guest's line
# carries its own counts at the same moment, on the same vCPU.
NPF_VP='(definteger gpa) (definteger wr) (defshared nr pervm) (defshared nw pervm)
  (defaggr npf 1 1)
  (vprobe HV_NPF
    (setint gpa (cond ((!= VMCB_EXITCODE 0) VMCB_EXITINFO2) (1 VT_PHYSICAL_ADDR)))
    (setint wr (cond ((!= VMCB_EXITCODE 0) (& VMCB_EXITINFO1 2)) (1 (& VMCS_EXIT_QUAL 2))))
    (aggr npf (gpa) ((cond (wr "write") (1 "read"))) 1)
    (cond ((&& (== gpa '$MMIO_READ') (== wr 0)) (setint nr (+ nr 1)))
          ((&& (== gpa '$MMIO_WRITE') (!= wr 0)) (setint nw (+ nw 1)))))
  (vprobe Out (cond ((&& (== ARG0 0x3f8) (== VCPUID '${MCPU:-0}')) (printf "mark %d %d\n" nr nw))))
  (vprobe VMXUnload (logaggr npf) (printf "END\n"))'
# Long enough for 3 of mmioer's lines even with poker slowing it down.
NPF_OUT=$(run_script "$VM" 7 "$NPF_VP")

case_hv-npf-count() {
  # Marks without an access between them are one line written in parts.
  local marks lines verdict
  marks=$(sed -n 's/^mark \([0-9]*\) \([0-9]*\)$/\1 \2/p' <<<"$NPF_OUT" | uniq)
  lines=$(sed -n 's/^mmioer: \([0-9]*\) reads (\([0-9]*\) of all ones), \([0-9]*\) writes$/\1 \2 \3/p' "$SERIAL")
  # Find the guest line each first mark was printed with: from there on,
  # each window between two lines must hold exactly the accesses the guest
  # reports for it (guest count - probe count constant: what the guest
  # did before the load), and that constant lies between the guest's
  # counts at the line before and at this one (the load came in between).
  verdict=$(awk -v M="$marks" '
    BEGIN { nm = split(M, ml, "\n"); for (i = 1; i <= nm; i++) { split(ml[i], f, " "); mr[i] = f[1]; mw[i] = f[2] } }
    { n++; gr[n] = $1; go[n] = $2; gw[n] = $3 }
    END {
      if (nm < 3) { print "only " nm " marks"; exit }
      for (o = 1; o + nm - 1 <= n; o++) {
        # What the guest did before the load: between its two lines.
        cr = gr[o] - mr[1]; cw = gw[o] - mw[1]; ok = cr >= 0 && cw >= 0
        if (o > 1) ok = ok && cr >= gr[o - 1] && cw >= gw[o - 1]
        for (k = 2; ok && k <= nm; k++)
          ok = gr[o + k - 1] - mr[k] == cr && gw[o + k - 1] - mw[k] == cw
        for (k = 1; ok && k <= nm; k++) ok = go[o + k - 1] == gr[o + k - 1]
        if (ok) { printf "ok %d windows, last %d reads %d writes seen\n", nm - 1, mr[nm], mw[nm]; exit }
      }
      print "no alignment"
    }' <<<"$lines")
  if [[ $verdict == ok* ]]; then
    pass hv-npf-count
  else
    fail hv-npf-count "$verdict; marks: $(tr '\n' ' ' <<<"$marks"); guest: $(tail -8 <<<"$lines" | tr '\n' ' ')"
  fi
}

case_hv-npf-address() {
  # Every HV_NPF of this guest was one of mmioer's accesses: a read of the
  # first word or a write of the third, as the exit fields say.
  local rows reads writes
  rows=$(grep '^npf\[' <<<"$NPF_OUT")
  reads=$(aggr_count "npf[$MMIO_READ, \"read\"]" "$NPF_OUT")
  writes=$(aggr_count "npf[$MMIO_WRITE, \"write\"]" "$NPF_OUT")
  # A round is 20 reads then 10 writes: the window cuts at most one.
  if [[ $(wc -l <<<"$rows") == 2 && ${reads:-0} -ge 20 && ${writes:-0} -ge 10 ]] &&
     (( reads - 2 * writes <= 20 && 2 * writes - reads <= 20 )); then
    pass hv-npf-address
  else
    fail hv-npf-address "rows: $rows"
  fi
}

case_hv-npf-data-page() {
  # A GUEST_WRITE probe holds poke_vars' page back (read-only to the
  # guest): each write to it exits, HV_NPF fires first, with the write's
  # guest-physical address (the kernel's higher half maps physical + base).
  local va gpa out
  va=$(hexadd "$(sym poke_vars)" 8); gpa=$(printf '0x%x' $((va - 0xffffffff80000000)))
  out=$(run_script "$VM" 2 "(definteger last) (defaggr w 0 1)
    (vprobe HV_NPF (setint last (cond ((!= VMCB_EXITCODE 0) VMCB_EXITINFO2) (1 VT_PHYSICAL_ADDR))))
    (vprobe GUEST_WRITE:$va (aggr w () ((cond ((== last $gpa) \"after-npf\") (1 \"no-npf\"))) 1) (setint last 0))
    (vprobe VMXUnload (logaggr w) (printf \"END\n\"))")
  local after
  after=$(aggr_count 'w["after-npf"]' "$out")
  if [[ ${after:-0} -ge 50 ]] && ! grep -q '^w\["no-npf"\]' <<<"$out"; then
    pass hv-npf-data-page
  else
    fail hv-npf-data-page "$out"
  fi
}

# kvm_row NAME TEXT: the value of "NAME VALUE" in vprobeStats output.
kvm_row() { awk -v n="$1" '$1 == n { print $2 }' <<<"$2"; }

case_exit-stats-log() {
  # The load and the unload above each logged KVM's counts beside the
  # monitor's.
  local lines
  lines=$(grep -E '; exits=.*; KVM: exits=[1-9][0-9]* .*\(in kernel: exits=[0-9]+ io_exits=[0-9]+ halt_exits=[0-9]+\)' "${VM%/*}/vmx.log")
  if [[ $(wc -l <<<"$lines") -ge 2 ]]; then
    pass exit-stats-log
  else
    fail exit-stats-log "vmx.log: $(grep 'exits=' "${VM%/*}/vmx.log" | tail -3)"
  fi
}

case_exit-stats-grow() {
  local a b t0 t1
  a=$("$VMRUN" vprobeStats "$VM"); t0=$(date +%s.%N)
  sleep 2
  b=$("$VMRUN" vprobeStats "$VM"); t1=$(date +%s.%N)
  local name bad=""
  for name in monitor.exits monitor.mmio kvm.exits in_kernel.exits; do
    local x y
    x=$(kvm_row "$name" "$a"); y=$(kvm_row "$name" "$b")
    [[ -n $x && -n $y && $y -gt $x ]] || bad+=" $name:$x->$y"
  done
  # KVM's MMIO exits are those that reach the monitor: the two agree up to
  # the exits between the two reads of one command (a round is 30).
  local km mm
  km=$(kvm_row kvm.mmio_exits "$b"); mm=$(kvm_row monitor.mmio "$b")
  [[ -n $km && -n $mm ]] && (( km - mm <= 30 && mm - km <= 30 )) || bad+=" mmio:kvm=$km,monitor=$mm"
  if [[ -z $bad ]]; then
    pass exit-stats-grow
    echo "  exits in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s:" \
      "monitor $(( $(kvm_row monitor.exits "$b") - $(kvm_row monitor.exits "$a") )), in kernel" \
      "$(( $(kvm_row in_kernel.exits "$b") - $(kvm_row in_kernel.exits "$a") ))"
  else
    fail exit-stats-grow "did not grow:$bad; second read: $(tr '\n' ' ' <<<"$b")"
  fi
}

case_stop-log() {
  "$VMRUN" stop "$VM" >/dev/null
  local _
  for _ in $(seq 100); do grep -q 'machine stopped' "${VM%/*}/vmx.log" && break; sleep 0.1; done
  if grep 'machine stopped' "${VM%/*}/vmx.log" | grep -q 'KVM: exits=[1-9]'; then
    pass stop-log
  else
    fail stop-log "$(grep 'machine stopped' "${VM%/*}/vmx.log")"
  fi
}

run_cases
