#!/usr/bin/env bash
# End-to-end tests of the guest probes (GUEST:, GUEST_READ:, GUEST_WRITE:,
# Guest_<exception>) on the demo guest, in the style of vm-e2e.sh. The guest
# runs the `caller`, `poker` and `pager` workloads (guests/demo/README.md),
# which do known numbers of calls and writes per round, check every result
# themselves and report each round on the serial port; the probes' counts
# and arguments are compared with that. Needs KVM: without /dev/kvm,
# tests/run-all runs it under tests/nested-kvm/run.
# needs: kvm
set -u
cd "$(dirname "$0")/../.."
. tests/lib/vm-suite.sh
. tests/lib/guest-code.sh
suite_begin dynamic-probes kernel-calls return-probe user-calls exit-kernel exit-recursion \
  exit-latency exit-unload exit-cookbook data-watch page-faults stack-and-offsets refusals cr3-writes load-loop \
  cookbook-current cookbook store-probe

# complete_rounds AGGR OUT VCPU: "ROUND COUNT" of AGGR[VCPU, ROUND] rows
# (or AGGR[ROUND] when VCPU is -), without the first and last round seen:
# the probes' window cuts those.
complete_rounds() {
  local re
  if [[ $3 == - ]]; then re="^$1\\[0x([0-9a-f]+)\\] == avg [0-9]+ count ([0-9]+) "
  else re="^$1\\[0x$3, 0x([0-9a-f]+)\\] == avg [0-9]+ count ([0-9]+) "; fi
  sed -En "s/$re.*/\\1 \\2/p" <<<"$2" | while read -r r n; do echo "$((16#$r)) $n"; done |
    sort -n | sed '1d;$d'
}

# every_round_is WANT ROUNDS: each line's count is WANT, and there is one.
every_round_is() {
  [[ -n $2 ]] && ! awk -v w="$1" '$2 != w { bad = 1 } END { exit !bad }' <<<"$2"
}

VM=$(new_vm main 'guest.cmdline = "procs=caller,poker,pager"')
SERIAL=${VM%/*}/serial.log
start_vm "$VM" && sleep 0.5 ||
  { for c in "${CASES[@]}"; do fail "$c" "demo VM did not start"; done; exit 1; }

guest_ok() {  # the guest's own checks, and nothing killed
  ! grep -qE 'BAD|killed|PANIC' "$SERIAL"
}

KCALL=$(sym kcall_target); KRET=$(sym kcall_target_ret); UCALL=$(sym ucall_target)
POKE1=$(hexadd "$(sym poke_vars)" 8)

CALLS_OUT=""
calls_run() {
  [[ -n $CALLS_OUT ]] && return
  CALLS_OUT=$(run_script "$VM" 4 "(defaggr k 2 0) (defaggr r 2 0) (defaggr u 2 0) (defaggr bad 0 1)
    (vprobe GUEST:$KCALL (aggr k (VCPUID RDI) () 1)
      (cond ((&& (== RDX (+ (* RDI 1000) RSI)) (== RIP $KCALL) (== (& CS 3) 0)) 0)
            (1 (aggr bad () (\"kernel args\") 1))))
    (vprobe GUEST:$KRET (aggr r (VCPUID RDI) () 1)
      (cond ((== RAX (+ (* 3 RDI) (^ RSI RDX))) 0) (1 (aggr bad () (\"kernel result\") 1))))
    (vprobe GUEST:$UCALL (aggr u (VCPUID RDI) () 1)
      (cond ((&& (== (& CS 3) 3) (== RIP $UCALL) (>= RSP 0x5fc000) (< RSP 0x600000)) 0)
            (1 (aggr bad () (\"user context\") 1))))
    (vprobe VMXUnload (logaggr k) (logaggr r) (logaggr u) (logaggr bad) (printf \"END\n\"))")
}

# calls_case NAME AGGR: every complete round has exactly 100 hits, on
# both vCPUs, with the right arguments, and the guest's results are right.
calls_case() {
  calls_run
  local r0 r1
  r0=$(complete_rounds "$2" "$CALLS_OUT" 0); r1=$(complete_rounds "$2" "$CALLS_OUT" 1)
  if every_round_is 100 "$r0" && every_round_is 100 "$r1" && ! grep -q '^bad\[' <<<"$CALLS_OUT" &&
     guest_ok && grep -q '^caller: cpu 0 round .*: ok' "$SERIAL" && grep -q '^caller: cpu 1 round .*: ok' "$SERIAL"; then
    pass "$1"
  else
    fail "$1" "complete rounds vcpu0: $(tr '\n' ' ' <<<"$r0")/ vcpu1: $(tr '\n' ' ' <<<"$r1")/ $(grep '^bad' <<<"$CALLS_OUT")"
  fi
}

# GUEST:EXIT: (return probes, VP 1.3) on kcall_target (kernel, called 100
# times per round on each vCPU) and usum (user, recursive: usum(n) =
# n(n+1)/2, n = round % 10 + 1, n + 1 calls deep). The entry probes keep
# what each call must return in a bag under its RSP; the exit probe finds
# it under ARG2 (the entry's RSP) and compares ARG0 (the return value).
# The two callers are processes with the same user stack addresses (one
# per vCPU, pinned): the user bag's keys add the vCPU.
EXIT_OUT=""
exit_run() {
  [[ -n $EXIT_OUT ]] && return
  local usum=$(sym usum) err=${VM%/*}/vprobe.err efrom
  efrom=$(stat -c %s "$err" 2>/dev/null || echo 0)
  EXIT_OUT=$(run_script "$VM" 3 "(version \"1.3\") (defaggr ke 2 0) (defaggr kx 2 0) (defaggr ue 1 0)
    (defaggr ux 1 0) (defaggr klat 0 0) (defaggr deep 1 0) (defaggr bad 0 1)
    (defbag kwant 64) (defbag kround 64) (defbag un 256)
    (vprobe GUEST:$KCALL (aggr ke (VCPUID RDI) () 1)
      (baginsert kwant RSP (+ (* 3 RDI) (^ RSI RDX))) (baginsert kround RSP RDI))
    (vprobe GUEST:EXIT:$KCALL
      (aggr kx (VCPUID (bagremove kround ARG2)) () 1) (aggr klat () () ARG1)
      (cond ((!= ARG0 (bagremove kwant ARG2)) (aggr bad () (\"kernel result\") 1)))
      (cond ((!= RSP (+ ARG2 8)) (aggr bad () (\"kernel rsp\") 1))))
    (vprobe GUEST:$usum (aggr ue (VCPUID) () 1) (baginsert un (+ RSP (<< VCPUID 48)) RDI))
    (vprobe GUEST:EXIT:$usum (aggr ux (VCPUID) () 1)
      (let ((n (bagremove un (+ ARG2 (<< VCPUID 48)))))
        (aggr deep (n) () 1)
        (cond ((!= ARG0 (/ (* n (+ n 1)) 2)) (aggr bad () (\"user result\") 1)))))
    (vprobe VMXUnload (logaggr ke) (logaggr kx) (logaggr ue) (logaggr ux) (logaggr klat)
      (logaggr deep) (logaggr bad) (printf \"END\n\"))")
  [[ -z $(tail -c +$((efrom + 1)) "$err" 2>/dev/null) ]] ||
    EXIT_OUT+=$'\n'"vprobe.err: $(tail -c +$((efrom + 1)) "$err" | head -3)"
}

case_exit-kernel() {
  # Every complete round: 100 entries and 100 returns on each vCPU, each
  # return value what kcall_target computes.
  exit_run
  local e0 e1 x0 x1
  e0=$(complete_rounds ke "$EXIT_OUT" 0); e1=$(complete_rounds ke "$EXIT_OUT" 1)
  x0=$(complete_rounds kx "$EXIT_OUT" 0); x1=$(complete_rounds kx "$EXIT_OUT" 1)
  if every_round_is 100 "$x0" && every_round_is 100 "$x1" && [[ $e0 == "$x0" && $e1 == "$x1" ]] &&
     ! grep -qE '^(bad\[|vprobe.err)' <<<"$EXIT_OUT" && guest_ok; then
    pass exit-kernel
  else
    fail exit-kernel "returns per round vcpu0: $(tr '\n' ' ' <<<"$x0")/ vcpu1: $(tr '\n' ' ' <<<"$x1")/ entries $(tr '\n' ' ' <<<"$e0$e1") $(grep -E '^(bad|vprobe.err)' <<<"$EXIT_OUT")"
  fi
}

case_exit-recursion() {
  # usum's levels (n down to 0) each return their own sum: no "user
  # result" mismatch, every depth 0..10 seen, and returns equal entries up
  # to the calls the unload cut (one recursion, 11 deep at most).
  exit_run
  local e x problems="" v d
  for v in 0 1; do
    e=$(aggr_count "ue[0x$v]" "$EXIT_OUT"); x=$(aggr_count "ux[0x$v]" "$EXIT_OUT")
    [[ -n $e && -n $x ]] && (( x > 20 && e >= x && e - x <= 11 )) || problems+=" vcpu$v(entries $e returns $x)"
  done
  for d in $(seq 0 10); do
    [[ -n $(aggr_count "deep[$(printf '0x%x' "$d")]" "$EXIT_OUT") ]] || problems+=" depth-$d-unseen"
  done
  grep -qE '^(bad\[|vprobe.err)' <<<"$EXIT_OUT" && problems+=" $(grep -E '^(bad|vprobe.err)' <<<"$EXIT_OUT")"
  [[ -z $problems ]] && guest_ok && pass exit-recursion || fail exit-recursion "$problems"
}

case_exit-latency() {
  # ARG1, the nanoseconds from entry to return: positive, and below the
  # time the script ran (a return costs two exits, not seconds).
  exit_run
  local row min max
  row=$(grep '^klat\[\] == ' <<<"$EXIT_OUT")
  min=$(sed -n 's/.* min \([0-9]*\) .*/\1/p' <<<"$row"); max=$(sed -n 's/.* max \([0-9]*\) .*/\1/p' <<<"$row")
  [[ -n $min && -n $max ]] && (( min > 0 && max < 1000000000 )) && pass exit-latency ||
    fail exit-latency "klat: $row"
}

case_exit-unload() {
  # After the return probes' script went, the code (with the return
  # addresses that were planted in syscall_dispatch, caller_main and
  # usum) is demo.elf's, byte for byte.
  exit_run
  local why
  why=$(code_matches_elf "$VM") && pass exit-unload || fail exit-unload "$why"
}

case_exit-cookbook() {
  # cookbook/func-latency.emt, compiled with the demo's symbols: a
  # latency row for the caller processes, positive, and kcall_target's
  # results (3r + (i ^ 1000r + i), always above 3).
  local vp=$WORK/func-latency.vp out err=${VM%/*}/vprobe.err efrom row min
  "$BIN/emmett" -s "$SYMS" cookbook/func-latency.emt -o "$vp" || { fail exit-cookbook "does not compile"; return; }
  efrom=$(stat -c %s "$err" 2>/dev/null || echo 0)
  out=$(run_script "$VM" 2 "$(cat "$vp") (vprobe VMXUnload (printf \"END\n\"))")
  row=$(grep -E '^caller ' <<<"$out" | head -1)
  min=$(awk '{ print $4 }' <<<"$row")
  if [[ -n $row ]] && (( min > 0 )) && grep -qE '^kcall_target ' <<<"$out" &&
     [[ -z $(tail -c +$((efrom + 1)) "$err" 2>/dev/null) ]]; then
    pass exit-cookbook
  else
    fail exit-cookbook "$(head -8 <<<"$out")"
  fi
}

case_kernel-calls() { calls_case kernel-calls k; }
case_return-probe() { calls_case return-probe r; }
case_user-calls() { calls_case user-calls u; }

case_data-watch() {
  # poker writes poke_vars[1] 50 times per round (value 1000r + i), its
  # neighbours 200 times, and reads poke_vars[1] back after each write.
  local out w r poke=$(sym sys_poke) pend
  pend=$(sym_end sys_poke)
  out=$(run_script "$VM" 3 "(defaggr w 1 0) (defaggr r 1 0) (defaggr bad 0 1)
    (vprobe GUEST_WRITE:$POKE1 (aggr w ((/ (getguest $POKE1) 1000)) () 1)
      (cond ((&& (== (getguest $POKE1) RSI) (>= RIP $poke) (< RIP $pend)) 0) (1 (aggr bad () (\"write\") 1))))
    (vprobe GUEST_READ:$POKE1 (aggr r ((/ (getguest $POKE1) 1000)) () 1)
      (cond ((&& (>= RIP $poke) (< RIP $pend)) 0) (1 (aggr bad () (\"read\") 1))))
    (vprobe VMXUnload (logaggr w) (logaggr r) (logaggr bad) (printf \"END\n\"))")
  w=$(complete_rounds w "$out" -); r=$(complete_rounds r "$out" -)
  if every_round_is 50 "$w" && every_round_is 50 "$r" && ! grep -q '^bad\[' <<<"$out" &&
     guest_ok && grep -q '^poker: cpu [0-9] round [0-9]*: ok' "$SERIAL"; then
    pass data-watch
  else
    fail data-watch "writes per round: $(tr '\n' ' ' <<<"$w")/ reads: $(tr '\n' ' ' <<<"$r")/ $(grep '^bad' <<<"$out") $(grep -cE 'BAD|killed|PANIC' "$SERIAL") guest errors"
  fi
}

case_page-faults() {
  # pager writes the first word of 32 fresh heap pages per round: #PF
  # with CR2 = the page, error code 6 (user, write, not present), in
  # pager_main, on its own stack. On hosts whose `syscall` stays in user
  # mode every system call is also a #PF (CR2 = syscall_entry, error
  # 0x15: user, fetch, present); nothing else faults.
  local out pm pmend se heap bad
  pm=$(sym pager_main); pmend=$(sym_end pager_main); se=$(sym syscall_entry)
  out=$(run_script "$VM" 2 "(defaggr heap 1 0) (defaggr other 1 1) (defaggr bad 0 1)
    (vprobe Guest_PF
      (cond ((&& (>= CR2 0x500000) (< CR2 0x5c0000))
             (do (aggr heap (CR2) () 1)
                 (cond ((&& (== ARG0 6) (>= RIP $pm) (< RIP $pmend) (== (& CS 3) 3)
                            (>= RSP 0x5fc000) (< RSP 0x600000)) 0)
                       (1 (aggr bad () (\"heap fault\") 1)))))
            (1 (aggr other (ARG0) ((cond ((== CR2 $se) \"syscall_entry\") (1 \"elsewhere\"))) 1))))
    (vprobe VMXUnload (logaggr heap) (logaggr other) (logaggr bad) (printf \"END\n\"))")
  heap=$(sed -En 's/^heap\[0x([0-9a-f]+)\] == avg 1 count ([0-9]+) .*/\1 \2/p' <<<"$out")
  bad=""
  [[ $(wc -l <<<"$heap") == 32 ]] || bad+=" pages=$(wc -l <<<"$heap")"
  grep -qv '000 ' <<<"$heap" && bad+=" unaligned-cr2"
  # The window cuts a round anywhere: counts per page differ by one at most.
  awk 'NR == 1 { lo = hi = $2 } { if ($2 < lo) lo = $2; if ($2 > hi) hi = $2 } END { exit !(hi - lo <= 1 && lo >= 5) }' <<<"$heap" ||
    bad+=" counts($(awk '{print $2}' <<<"$heap" | sort -n | uniq -c | tr '\n' ' '))"
  grep '^other\[' <<<"$out" | grep -qv '^other\[0x15, "syscall_entry"\]' && bad+=" unexpected-fault"
  grep -q '^bad\[' <<<"$out" && bad+=" $(grep '^bad' <<<"$out")"
  [[ -z $bad ]] && guest_ok && pass page-faults || fail page-faults "$bad: $(head -40 <<<"$out")"
}

case_stack-and-offsets() {
  # In kcall_target (kernel, 2 MiB pages) and ucall_target (user, 4 KiB
  # pages), once their frames are set up (+4: the lea after push rbp; mov
  # rbp, rsp): gueststack walks into the callers; offatret, offatseg,
  # offatstrcpy decode kernel code; getgueststr reads the current task's
  # name; getguestphys reads what getguest reads.
  local out sd sdend cm cmend kphys kin uin
  sd=$(sym syscall_dispatch); sdend=$(sym_end syscall_dispatch)
  cm=$(sym caller_main); cmend=$(sym_end caller_main)
  kphys=$(hexadd "$KCALL" -0xffffffff80000000)
  kin=$(hexadd "$KCALL" 4); uin=$(hexadd "$UCALL" 4)
  out=$(run_script "$VM" 1.5 "(definteger k) (definteger u) (defstring st) (defstring name)
    (vprobe GUEST:$kin (cond ((== k 0)
      (setint k 1) (gueststack st)
      (getgueststr name 16 (+ (getguest GSBASE) 0x3f0))
      (printf \"kstack %s\nkname %s\noffsets %x %x %x\nphys %d\n\" st name
        (offatret $(sym sys_getpid)) (offatseg $(sym sys_getpid))
        (offatstrncpy $(sym get_task_comm) $(sym strncpy))
        (== (getguestphys (+ $kphys 8)) (getguest (+ $KCALL 8)))))))
    (vprobe GUEST:$uin (cond ((== u 0) (setint u 1) (gueststack st) (printf \"ustack %s\n\" st))))
    (vprobe VMXUnload (printf \"END\n\"))")
  local bad="" kst ust
  kst=$(sed -n 's/^kstack GUEST_//p' <<<"$out" | head -1); ust=$(sed -n 's/^ustack GUEST_//p' <<<"$out" | head -1)
  in_range() { local a=$(($1)); (( a >= $2 && a < $3 )); }
  IFS=_ read -r -a kf <<<"$kst"; IFS=_ read -r -a uf <<<"$ust"
  [[ ${kf[0]:-} == "$kin" ]] || bad+=" kstack-rip"
  in_range "${kf[1]:-0}" "$sd" "$sdend" || bad+=" kstack-caller(not in syscall_dispatch)"
  [[ ${uf[0]:-} == "$uin" ]] || bad+=" ustack-rip"
  in_range "${uf[1]:-0}" "$cm" "$cmend" || bad+=" ustack-caller(not in caller_main)"
  grep -qx 'kname caller' <<<"$out" || bad+=" name"
  grep -qx 'offsets 1a8 0 3f0' <<<"$out" || bad+=" offsets"
  grep -qx 'phys 1' <<<"$out" || bad+=" phys"
  [[ -z $bad ]] && pass stack-and-offsets || fail stack-and-offsets "$bad: $out"
}

case_refusals() {
  # A probe that cannot be honoured refuses the whole script at load time,
  # saying which and why; the running script keeps running.
  local out=${VM%/*}/vprobe.out from problems="" msg
  from=$(stat -c %s "$out")
  "$VMRUN" vprobeLoad "$VM" '(vprobe VMM10Hz (cond ((== VCPUID 0) (printf "alive\n")))) (vprobe VMXUnload (printf "END\n"))'
  local mid unmapped hard
  mid=$(hexadd "$(sym get_task_comm)" 7)  # inside "lea 0x3f0(%rsi), %rsi"
  msg=$("$VMRUN" vprobeLoad "$VM" "(vprobe GUEST:$mid 1)" 2>&1) && problems+=" mid-accepted"
  [[ $msg == *"GUEST:$mid: the bytes there (f0 03 00 00"*"do not decode"*"is $mid the start of an instruction?"* ]] ||
    problems+=" mid-message($msg)"
  msg=$("$VMRUN" vprobeLoad "$VM" "(vprobe GUEST:0x7fff00000000 1) (vprobe GUEST_WRITE:0x12345000 1)" 2>&1) &&
    problems+=" unmapped-accepted"
  [[ $msg == *"GUEST:0x7fff00000000: address 0x7fff00000000 is not mapped"* &&
     $msg == *"GUEST_WRITE:0x12345000: address 0x12345000 is not mapped"* ]] || problems+=" unmapped-message($msg)"
  hard=$(sym idle_loop)  # sti; hlt
  msg=$("$VMRUN" vprobeLoad "$VM" "(vprobe GUEST:$KCALL 1) (vprobe GUEST:$hard 1)" 2>&1) && problems+=" sti-accepted"
  [[ $msg == *"GUEST:$hard: the instruction there, 'sti' (fb), cannot be emulated"* ]] || problems+=" sti-message($msg)"
  sleep 1
  "$VMRUN" vprobeReset "$VM"; sleep 0.3
  local got
  got=$(tail -c +$((from + 1)) "$out")
  [[ $(grep -c '^alive$' <<<"$got") -ge 8 && $(tail -1 <<<"$got") == END ]] || problems+=" not-kept($(grep -c alive <<<"$got") alive)"
  # Nothing of the refused scripts was planted: kcall_target starts with
  # push rbp (0x55) again.
  local first
  first=$(run_script "$VM" 0.2 "(vprobe VMMLoad (cond ((== VCPUID 0) (printf \"byte %x\n\" (& 0xff (getguest $KCALL))))))
    (vprobe VMXUnload (printf \"END\n\"))")
  grep -qx 'byte 55' <<<"$first" || problems+=" planted($first)"
  [[ -z $problems ]] && pass refusals || fail refusals "$problems"
}

case_cr3-writes() {
  # Guest_CR3Write fires before each mov cr3 of the demo kernel, which
  # counts it just before in shared_info.cr3_loads[cpu]: on each vCPU one
  # fire per count, without a gap; ARG0 (the new CR3) page-aligned. The
  # load gives no warning; unloaded, the code is demo.elf's again.
  local loads msg out=${VM%/*}/vprobe.out from problems="" got why
  loads=$(hexadd "$(sym shared_info)" 48)
  from=$(stat -c %s "$out")
  msg=$("$VMRUN" vprobeLoad "$VM" "(definteger n) (definteger first) (definteger last)
    (definteger gaps) (definteger c) (definteger odd)
    (vprobe Guest_CR3Write
      (setint c (getguest (+ $loads (* 8 VCPUID))))
      (cond ((== n 0) (setint first c)) ((!= c (+ last 1)) (setint gaps (+ gaps 1))))
      (cond ((!= (& ARG0 0xfff) 0) (setint odd (+ odd 1))))
      (setint last c) (setint n (+ n 1)))
    (vprobe VMMUnload
      (printf \"cr3 vcpu %d fires %d counted %d gaps %d odd %d\n\" VCPUID n (- (+ last 1) first) gaps odd))" 2>&1) ||
    problems+=" refused"
  [[ -z $msg ]] || problems+=" load-said($msg)"
  sleep 2
  "$VMRUN" vprobeReset "$VM"
  for _ in $(seq 50); do
    got=$(tail -c +$((from + 1)) "$out" | grep '^cr3 vcpu')
    [[ $(wc -l <<<"$got") -ge 2 ]] && break
    sleep 0.1
  done
  [[ $(wc -l <<<"$got") == 2 ]] || problems+=" vcpus($got)"
  awk '$5 < 10 || $5 != $7 || $9 != 0 || $11 != 0 { bad = 1 } END { exit bad }' <<<"$got" ||
    problems+=" counts($(tr '\n' ' ' <<<"$got"))"
  why=$(code_matches_elf "$VM") || problems+=" after: $why"
  # An image without section headers gives the monitor no code to search:
  # the load warns that the probe never fires, and the script still runs.
  local bare bare_out
  bare=$(new_vm cr3-bare 'numvcpus = "1"')
  python3 - "${bare%/*}/demo.elf" <<'PY'
import struct, sys
p = sys.argv[1]; d = bytearray(open(p, 'rb').read())
struct.pack_into('<Q', d, 40, 0); struct.pack_into('<HHH', d, 58, 0, 0, 0)  # e_shoff, e_shentsize/num/strndx
open(p, 'wb').write(d)
PY
  if start_vm "$bare"; then
    msg=$("$VMRUN" vprobeLoad "$bare" '(vprobe Guest_CR3Write 1) (vprobe VMM10Hz (printf "alive\n"))' 2>&1) ||
      problems+=" bare-refused($msg)"
    [[ $msg == *"Guest_CR3Write: never fires: the monitor finds mov-to-CR3 instructions in the code sections of the guest.image ELF"* ]] ||
      problems+=" bare-message($msg)"
    sleep 0.5
    "$VMRUN" vprobeReset "$bare"
    bare_out=${bare%/*}/vprobe.out
    grep -q '^alive$' "$bare_out" 2>/dev/null || problems+=" bare-script-did-not-run"
    "$VMRUN" stop "$bare" >/dev/null
  else
    problems+=" bare-vm-did-not-start"
  fi
  [[ -z $problems ]] && guest_ok && pass cr3-writes || fail cr3-writes "$problems"
}

case_load-loop() {
  # 200 loads (every third one replacing the previous script, the others
  # after a reset) of a script planting int3s in kernel and user code and
  # in exception handlers, and watching a page, while the guest runs.
  local problems="" why oks0 oks1 err=${VM%/*}/vprobe.err errfrom
  why=$(code_matches_elf "$VM") || problems+=" before: $why"
  oks0=$(grep -c ': ok ' "$SERIAL")
  errfrom=$(stat -c %s "$err" 2>/dev/null || echo 0)
  local script="(definteger n)
    (vprobe GUEST:$KCALL (setint n (+ n 1))) (vprobe GUEST:$KRET (setint n (+ n 1)))
    (vprobe GUEST:$UCALL (setint n (+ n 1))) (vprobe GUEST_WRITE:$POKE1 (setint n (+ n 1)))
    (vprobe GUEST_READ:$POKE1 (setint n (+ n 1))) (vprobe Guest_PF (setint n (+ n 1)))
    (vprobe Guest_BP 1) (vprobe VMMUnload (printf \"hits %d\n\" n))"
  local i out=${VM%/*}/vprobe.out from
  from=$(stat -c %s "$out")
  for i in $(seq 200); do
    "$VMRUN" vprobeLoad "$VM" "$script" >/dev/null || { problems+=" load-$i-failed"; break; }
    (( i % 3 == 0 )) || "$VMRUN" vprobeReset "$VM"
  done
  "$VMRUN" vprobeReset "$VM"
  local hits
  hits=$(tail -c +$((from + 1)) "$out" | awk '/^hits / { s += $2 } END { print s + 0 }')
  (( hits > 0 )) || problems+=" no-hits"
  "$VMRUN" list | grep -q "$VM" || problems+=" vm-gone"
  sleep 1
  why=$(code_matches_elf "$VM") || problems+=" after: $why"
  oks1=$(grep -c ': ok ' "$SERIAL")
  (( oks1 > oks0 )) || problems+=" guest-stalled"
  guest_ok || problems+=" guest-check($(grep -E 'BAD|killed|PANIC' "$SERIAL" | head -3))"
  [[ -z $(tail -c +$((errfrom + 1)) "$err" 2>/dev/null) ]] || problems+=" errors($(tail -c +$((errfrom + 1)) "$err" | head -3))"
  [[ -z $problems ]] && pass load-loop || fail load-loop "$problems (hits $hits)"
}

case_store-probe() {
  # sys_munmap's store that clears a page-table entry (`*e = 0`), probed:
  # the monitor performs that store for the guest. Where KVM shadows the
  # guest's page tables (no EPT/NPT, vmm-engine/host_paging.h) it must
  # then make KVM drop its shadow (Vm::dropShadowPageTables), or pager's
  # next touches of the unmapped pages would not fault and its rounds
  # would unmap fewer than their 32 pages. Every round while the probe is
  # in must still unmap all 32, and the probe fire for them.
  local store out n r0 p0 r1 p1
  store=0x$(objdump -d --no-show-raw-insn "$WORK/guest/demo.elf" | awk '/<sys_munmap>:/,/^$/' |
    sed -En 's/^ *([0-9a-f]+):\s+movq +\$0x0,\(%r[a-z0-9]+\)$/\1/p' | head -1)
  [[ $store == 0x ]] && { fail store-probe "no movq \$0,(reg) in sys_munmap"; return; }
  pager_totals() { sed -n 's/^pager: \([0-9]*\) rounds, \([0-9]*\) pages.*/\1 \2/p' "$SERIAL" | tail -1; }
  for _ in $(seq 50); do [[ -n $(pager_totals) ]] && break; sleep 0.2; done
  read -r r0 p0 < <(pager_totals)
  out=$(run_script "$VM" 3 "(defshared n pervm) (vprobe GUEST:$store (setint n (+ n 1)))
    (vprobe VMXUnload (printf \"stores %d\nEND\n\" n))")
  sleep 1.5  # pager's next report
  read -r r1 p1 < <(pager_totals)
  n=$(sed -n 's/^stores \([0-9]*\)$/\1/p' <<<"$out")
  if [[ -n $r0 && -n $r1 && $((r1 - r0)) -ge 2 && $((p1 - p0)) == $((32 * (r1 - r0))) &&
        ${n:-0} -ge 32 && $n -le $((p1 - p0)) ]] && guest_ok; then
    pass store-probe
  else
    fail store-probe "pager $r0/$p0 -> $r1/$p1 (32 pages a round expected), stores probed ${n:-?}: $out"
  fi
}

case_cookbook-current() {
  # The committed cookbook scripts carry demo.syms's current addresses.
  local f stale=""
  for f in cookbook/*.vp; do
    grep -q '; sym:' "$f" || continue
    cookbook/fill-syms "$f" | cmp -s - "$f" || stale+=" $f"
  done
  [[ -z $stale ]] && pass cookbook-current ||
    fail cookbook-current "stale addresses in$stale (run cookbook/fill-syms -i cookbook/*.vp)"
}

cookbook_run() {  # FILE SECONDS: its output, after fill-syms, vprobe.err checked
  local f=$WORK/$(basename "$1") out=${VM%/*}/vprobe.out err=${VM%/*}/vprobe.err from efrom
  cookbook/fill-syms "$1" > "$f" || return 1
  from=$(stat -c %s "$out"); efrom=$(stat -c %s "$err" 2>/dev/null || echo 0)
  "$VMRUN" vprobeLoadFile "$VM" "$f" >/dev/null || return 1
  sleep "$2"
  "$VMRUN" vprobeReset "$VM"; sleep 0.3
  [[ -z $(tail -c +$((efrom + 1)) "$err" 2>/dev/null) ]] || return 1
  tail -c +$((from + 1)) "$out"
}

case_cookbook() {
  local problems="" out pids
  out=$(cookbook_run cookbook/trace-kcall.vp 1) || problems+=" trace-kcall-failed"
  awk '/^kcall_target\(/ { gsub(/[(),]/, " "); n++; if ($4 != $2 * 1000 + $3) bad++ }
       END { exit !(n > 50 && !bad) }' <<<"$out" || problems+=" trace-kcall($(head -3 <<<"$out"))"
  out=$(cookbook_run cookbook/calls-per-process.vp 1.5) || problems+=" calls-per-process-failed"
  pids=$(sed -n 's/^caller: pid \([0-9]*\) started.*/\1/p' "$SERIAL" | sort -n | tr '\n' ' ')
  [[ $(sed -En 's/^calls\[0x([0-9a-f]+), "caller"\].*/\1/p' <<<"$out" | while read -r p; do echo $((16#$p)); done |
       sort -nu | tr '\n' ' ') == "$pids" ]] && ! grep '^calls\[' <<<"$out" | grep -qv '"caller"\]' ||
    problems+=" calls-per-process(pids $pids: $(head -4 <<<"$out"))"
  out=$(cookbook_run cookbook/kcall-latency.vp 1.5) || problems+=" kcall-latency-failed"
  grep -qE '^ns\["kcall_target"\] == avg [0-9]+ count [1-9]' <<<"$out" || problems+=" kcall-latency($out)"
  out=$(cookbook_run cookbook/watch-poke.vp 1.5) || problems+=" watch-poke-failed"
  grep -qE '^writes\["poke_vars\[1\]"\] == avg [0-9]+ count [1-9]' <<<"$out" || problems+=" watch-poke($out)"
  out=$(cookbook_run cookbook/user-calls.vp 1.5) || problems+=" user-calls-failed"
  grep -q '^calls\[0x0, "user mode"\]' <<<"$out" && grep -q '^calls\[0x1, "user mode"\]' <<<"$out" &&
    ! grep -q 'kernel mode' <<<"$out" || problems+=" user-calls($out)"
  out=$(cookbook_run cookbook/pf-stack.vp 0.3) || problems+=" pf-stack-failed"
  [[ $(grep -cE '^ ?[0-9]+ \(00000000005f[0-9a-f]{4}\): [0-9a-f]{16}$' <<<"$out") -gt 16 ]] ||
    problems+=" pf-stack($(head -3 <<<"$out"))"
  [[ -z $problems ]] && guest_ok && pass cookbook || fail cookbook "$problems"
}

run_cases
"$VMRUN" stop "$VM" >/dev/null || fail stop "vmrun stop failed"
