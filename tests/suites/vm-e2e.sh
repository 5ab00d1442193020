#!/usr/bin/env bash
# End-to-end tests of the monitor: start copies of the demo VM with vmrun,
# load VP scripts into them, read vprobe.out, stop. Needs KVM: without
# /dev/kvm, tests/run-all runs it under tests/nested-kvm/run.
# needs: kvm
set -u
cd "$(dirname "$0")/../.."
. tests/lib/vm-suite.sh
suite_begin vm-e2e probes-load-once vmm10hz in-out guest-irq disk-pairs hv-exit-resume \
  curprocname usec-profile exit-unloads replace-script script-error-keeps \
  refusals garbage-socket triple-fault vmx-vcpu-state cookbook output-drops

VM=$(new_vm main)
start_vm "$VM" || { for c in "${CASES[@]}"; do fail "$c" "demo VM did not start"; done; exit 1; }

case_probes-load-once() {
  local out
  out=$(run_script "$VM" 0.5 '(vprobe VMMLoad (printf "load %d\n" VCPUID))
    (vprobe VMXLoad (printf "vmxload\n"))
    (vprobe VMMUnload (printf "unload %d\n" VCPUID))
    (vprobe VMXUnload (printf "vmxunload\nEND\n"))')
  local want=$'load 0\nload 1\nvmxload\nunload 0\nunload 1\nvmxunload\nEND'
  [[ $(sort <<<"$out") == $(sort <<<"$want") ]] && pass probes-load-once ||
    fail probes-load-once "got: $out"
}

case_vmm10hz() {
  local out n0 n1 secs
  out=$(run_script "$VM" 3 "$ARMED_VP (defaggr t 1 0) (vprobe VMM10Hz (aggr t (VCPUID) () 1))
    (vprobe VMXUnload $ARMED_PRINT (logaggr t) (printf \"END\n\"))")
  n0=$(aggr_count 't[0x0]' "$out"); n1=$(aggr_count 't[0x1]' "$out"); secs=$(armed_seconds "$out")
  # 10 per second on each vCPU while the script was loaded; a fire may be
  # up to 1.5 periods late (docs/probes.md), so the first can be missing,
  # and the ticks of the last 1.5 periods can still be owed when the
  # unload drops them (seen in CI: 38 in 4.008 s on both vCPUs).
  local lo hi
  lo=$(awk -v s="$secs" 'BEGIN { print 10 * s - 3.5 }'); hi=$(awk -v s="$secs" 'BEGIN { print 10 * s + 1 }')
  if within "$n0" "$lo" "$hi" && within "$n1" "$lo" "$hi"; then
    pass vmm10hz
  else
    fail vmm10hz "counts vcpu0=$n0 vcpu1=$n1 in $secs s (want $lo..$hi): $out"
  fi
}

case_in-out() {
  # porter: 200 outs and 5 ins of port 0x80 per round, on one vCPU; the
  # guest's own report of its port writes is compared with the probe's.
  local out outs ins
  out=$(run_script "$VM" 2 '(defaggr o 1 0) (defaggr i 1 1)
    (vprobe Out (aggr o (ARG0) () ARG1))
    (vprobe In (aggr i (ARG0) ((cond ((== ARG1 1) "byte") (1 "wide"))) ARG2))
    (vprobe VMXUnload (logaggr o) (logaggr i) (printf "END\n"))')
  outs=$(sed -n 's/^o\[0x80\] == avg 1 count \([0-9]*\) .*/\1/p' <<<"$out")
  ins=$(sed -n 's/^i\[0x80, "byte"\] == avg 1 count \([0-9]*\) .*/\1/p' <<<"$out")
  # The window cuts porter's rounds anywhere: within a round of 200 outs.
  local gap=$((outs - ins * 40)); gap=${gap#-}
  if [[ -n $outs && -n $ins && $outs -ge 1000 && $gap -le 200 ]] &&
     grep -q '^o\[0x3f8\] == avg 1 ' <<<"$out" && grep -q '^o\[0x520\] == avg 1 ' <<<"$out" &&
     grep -q '^i\[0x524, "wide"\]' <<<"$out"; then
    pass in-out
  else
    fail in-out "outs to 0x80=$outs ins of 0x80=$ins (porter does 40 outs per in): $out"
  fi
}

case_guest-irq() {
  local out secs timer others lo hi
  out=$(run_script "$VM" 1 "$ARMED_VP (defaggr v 1 0) (vprobe Guest_IRQ (aggr v (ARG0) () 1))
    (vprobe VMXUnload $ARMED_PRINT (logaggr v) (printf \"END\n\"))")
  # Vector 0x20 is the timer (100 per second on each vCPU; a tick that
  # finds the last one still pending merges with it), 0x21 the disk
  # completion; nothing else is delivered.
  # A vCPU the host does not run merges its ticks: on a loaded 2-core
  # host under nested KVM 71% of the nominal count was seen, hence 0.5.
  secs=$(armed_seconds "$out")
  timer=$(aggr_count 'v[0x20]' "$out")
  others=$(grep '^v\[' <<<"$out" | grep -cv '^v\[0x2[01]\]')
  lo=$(awk -v s="$secs" 'BEGIN { print 200 * s * 0.5 }'); hi=$(awk -v s="$secs" 'BEGIN { print 200 * s + 4 }')
  if within "$timer" "$lo" "$hi" && [[ $others -eq 0 ]] && grep -q '^v\[0x21\]' <<<"$out"; then
    pass guest-irq
  else
    fail guest-irq "timer=$timer in $secs s (want $lo..$hi) others=$others: $out"
  fi
}

case_disk-pairs() {
  # Disk probes fire on the disk's device thread and VMXUnload on another
  # VMX thread: integers are per thread in VP, so the totals go through an
  # aggregate.
  local out
  out=$(run_script "$VM" 2 '(defbag sec 64) (defbag cnt 64) (defbag rd 64) (defaggr n 0 1)
    (vprobe Disk_IOStart (aggr n () ("start") 1)
      (baginsert sec ARG4 ARG5) (baginsert cnt ARG4 ARG6) (baginsert rd ARG4 ARG3))
    (vprobe Disk_IOFinish
      (cond ((&& (== (bagremove sec ARG4) ARG5) (== (bagremove cnt ARG4) ARG6)
                 (== (bagremove rd ARG4) ARG3) (== ARG7 1) (== ARG0 0x76))
             (do (aggr n () ("pair") 1) (printf "io %d %s sector %d count %d\n" ARG4
                 (cond (ARG3 "read") (1 "write")) ARG5 ARG6)))
            (1 (aggr n () ("bad") 1))))
    (vprobe VMXUnload (logaggr n) (printf "END\n"))')
  local pairs bad starts reads writes
  pairs=$(sed -n 's/^n\["pair"\] == avg 1 count \([0-9]*\) .*/\1/p' <<<"$out")
  starts=$(sed -n 's/^n\["start"\] == avg 1 count \([0-9]*\) .*/\1/p' <<<"$out")
  bad=$(sed -n 's/^n\["bad"\] == avg 1 count \([0-9]*\) .*/\1/p' <<<"$out")
  reads=$(grep -c ' read sector' <<<"$out"); writes=$(grep -c ' write sector' <<<"$out")
  # disker writes a pattern then reads it back: the same sectors both ways.
  local ws rs
  ws=$(grep ' write sector' <<<"$out" | awk '{print $5, $7}' | sort -u)
  rs=$(grep ' read sector' <<<"$out" | awk '{print $5, $7}' | sort -u)
  # A request already running when the script loaded finishes without its
  # start: at most one "bad".
  if [[ -n $pairs && $pairs -ge 4 && ${bad:-0} -le 1 && $starts -ge $pairs && $starts -le $((pairs + 1)) &&
        $reads -ge 2 && $writes -ge 2 && -n $(comm -12 <(echo "$ws") <(echo "$rs")) ]]; then
    pass disk-pairs
  else
    fail disk-pairs "pairs=$pairs bad=$bad starts=$starts reads=$reads writes=$writes: $out"
  fi
}

case_hv-exit-resume() {
  local out
  out=$(run_script "$VM" 1 '(defaggr e 1 0) (defaggr r 1 0)
    (vprobe HV_Exit (aggr e (VCPUID) () 1)) (vprobe HV_Resume (aggr r (VCPUID) () 1))
    (vprobe VMXUnload (logaggr e) (logaggr r) (printf "END\n"))')
  local e0 r0 e1 r1
  e0=$(sed -n 's/^e\[0x0\] == avg 1 count \([0-9]*\).*/\1/p' <<<"$out")
  r0=$(sed -n 's/^r\[0x0\] == avg 1 count \([0-9]*\).*/\1/p' <<<"$out")
  e1=$(sed -n 's/^e\[0x1\] == avg 1 count \([0-9]*\).*/\1/p' <<<"$out")
  r1=$(sed -n 's/^r\[0x1\] == avg 1 count \([0-9]*\).*/\1/p' <<<"$out")
  if [[ -n $e0 && $e0 -gt 100 && $e0 == "$r0" && $e1 == "$r1" ]]; then
    pass hv-exit-resume
  else
    fail hv-exit-resume "exits/resumes vcpu0 $e0/$r0 vcpu1 $e1/$r1"
  fi
}

case_curprocname() {
  # The reference's chapter 4 sample, verbatim but for the addresses, which
  # come from demo.syms.
  local getpid comm strncpy out
  getpid=$(sym sys_getpid); comm=$(sym get_task_comm); strncpy=$(sym strncpy)
  out=$(run_script "$VM" 3 "(defstring _procName) (definteger _pidOffset) (definteger _nameOffset)
    (defun guestload (addr) (cond ((< addr 4096) 0) (1 (getguest addr))))
    (defun guestloadstr (str addr) (cond ((< addr 4096) (setstr str \"<NULL>\")) (1 (getgueststr str 255 addr))))
    (defun curthrptra ()
      (cond ((= _pidOffset 0)
        (do (setint _pidOffset (offatret $getpid))
            (setint _nameOffset (offatstrncpy $comm $strncpy)))))
      (cond ((>= GSBASE 0x100000000) GSBASE) (1 KERNELGSBASE)))
    (defun curprocname () (guestloadstr _procName (+ _nameOffset (guestload (curthrptra)))) _procName)
    (defun curpid () (guestload (+ _pidOffset (guestload (curthrptra)))))
    (defaggr running 1 1)
    (vprobe Guest_IRQ (aggr running ((& (curpid) 0xffffffff)) ((curprocname)) 1))
    (vprobe VMXUnload (logaggr running) (printf \"END\n\"))")
  # Each process that shows up must carry the pid the guest gave it (its
  # own "NAME: pid P started" line on the serial port); the busy ones must
  # show up. disker and sysloop sleep most of the time.
  local problems="" p pid seen
  for p in idle porter pager cruncher; do
    grep -q "^running\[0x[0-9a-f]*, \"$p\"\]" <<<"$out" || problems+=" $p-missing"
  done
  for p in sysloop disker porter pager cruncher; do
    pid=$(sed -n "s/^$p: pid \([0-9]*\) started.*/\1/p" "${VM%/*}/serial.log" | tail -1)
    seen=$(grep "\"$p\"\]" <<<"$out" | sort -t= -k2 | sed -n 's/^running\[0x\([0-9a-f]*\),.*count \([0-9]*\).*/\2 \1/p' | sort -n | tail -1 | awk '{print $2}')
    [[ -z $seen || $((16#$seen)) == "$pid" ]] || problems+=" $p-pid-$seen-not-$pid"
  done
  if [[ -z $problems ]]; then
    pass curprocname
  else
    fail curprocname "$problems: $out"
  fi
}

case_usec-profile() {
  local out secs total lo hi
  out=$(run_script "$VM" 2 "$ARMED_VP (defaggr ticks 1 1)
    (vprobe USEC:10000 (aggr ticks (VCPUID) ((cond ((>= RIP 0xffffffff80000000) \"kernel\") (1 \"user\"))) 1))
    (vprobe VMXUnload $ARMED_PRINT (logaggr ticks) (printf \"END\n\"))")
  secs=$(armed_seconds "$out")
  total=$(grep '^ticks\[' <<<"$out" | sed -n 's/.* count \([0-9]*\) .*/\1/p' | paste -sd+ | bc)
  # 100 Hz on 2 vCPUs while loaded (a fire may be skipped when a vCPU
  # cannot take it for two periods: on a loaded 2-core host under nested
  # KVM 71% of the nominal count was seen, hence 0.5), and the busy user
  # processes show up.
  lo=$(awk -v s="$secs" 'BEGIN { print 200 * s * 0.5 }'); hi=$(awk -v s="$secs" 'BEGIN { print 200 * s + 4 }')
  if within "$total" "$lo" "$hi" && grep -q '^ticks\[0x[01], "user"\]' <<<"$out"; then
    pass usec-profile
  else
    fail usec-profile "total=$total in $secs s (want $lo..$hi): $out"
  fi
}

# A script that prints faster than the files take it, with 4 KB of output
# buffer per thread: the VM keeps running, what reaches vprobe.out is
# whole fires (30 intact lines each, about 2.8 KB:
# at most one fits, so anything above ~50 fires a second drops), and vprobe.err counts the lines it
# dropped, per probe; kept and lost add up to what the probe printed.
case_output-drops() {
  local vm dir out err fires kept lost
  vm=$(new_vm drops 'vprobe.outputBufferKB = "4"' 'numvcpus = "1"')
  dir=${vm%/*}
  start_vm "$vm" || { fail output-drops "VM did not start"; return; }
  local p='(printf "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL %d\n" n)'
  out=$(run_script "$vm" 2 "(defaggr fires 0 0) (definteger n)
    (vprobe USEC:500 (aggr fires () () 1) (setint n 0) $(for _ in $(seq 30); do echo -n "$p (setint n (+ n 1)) "; done))
    (vprobe VMXUnload (logaggr fires) (printf \"END\n\"))")
  local stats; stats=$("$VMRUN" vprobeStats "$vm" | sed -n 's/^output.lost_lines //p')
  "$VMRUN" stop "$vm" >/dev/null 2>&1
  err=$(cat "$dir/vprobe.err" 2>/dev/null)
  fires=$(sed -n 's/^fires\[\] == .* count \([0-9]*\) .*/\1/p' <<<"$out")
  kept=$(grep -c '^LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL [0-9]*$' <<<"$out")
  lost=$(sed -n 's/^vprobe: lost \([0-9]*\) lines of output from probe USEC:500: .*/\1/p' <<<"$err" | paste -sd+ | bc)
  local torn=$(grep -c '^LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL' <<<"$out") firsts=$(grep -c '^LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL 0$' <<<"$out") lasts=$(grep -c '^LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL 29$' <<<"$out")
  echo "vm-e2e: output-drops: $fires fires of 30 lines, $kept lines kept, ${lost:-0} counted lost in vprobe.err, vprobeStats output.lost_lines ${stats:-none}"
  if [[ -n $fires && -n $lost ]] && (( lost > 0 && kept + lost == 30 * fires && torn == kept && stats == lost &&
        firsts == lasts && kept == 30 * firsts )); then
    pass output-drops
  else
    fail output-drops "fires=$fires kept=$kept lost=${lost:-none} stats=${stats:-none} torn=$torn firsts=$firsts lasts=$lasts; err: $(head -c 400 <<<"$err")"
  fi
}

case_exit-unloads() {
  local out probes
  out=$(run_script "$VM" 1.5 '(definteger n)
    (vprobe VMM10Hz (cond ((== VCPUID 0) (setint n (+ n 1))
      (printf "tick %d\n" n) (cond ((== n 3) (exit))))))
    (vprobe VMMUnload (printf "unload %d\n" VCPUID))
    (vprobe VMXUnload (printf "END\n"))')
  # (exit) unloads the script by itself: vprobeReset then finds nothing,
  # so the END above comes from the unload that (exit) caused.
  if [[ $(grep -c '^tick' <<<"$out") == 3 ]] && grep -q '^unload 0' <<<"$out" && grep -q '^END' <<<"$out"; then
    pass exit-unloads
  else
    fail exit-unloads "$out"
  fi
}

case_replace-script() {
  local out=${VM%/*}/vprobe.out from
  from=$(stat -c %s "$out")
  "$VMRUN" vprobeLoad "$VM" '(vprobe VMXLoad (printf "first loaded\n")) (vprobe VMXUnload (printf "first unloaded\n"))' &&
  "$VMRUN" vprobeLoad "$VM" '(vprobe VMXLoad (printf "second loaded\n")) (vprobe VMXUnload (printf "second unloaded\nEND\n"))' &&
  "$VMRUN" vprobeReset "$VM"
  sleep 0.3
  local got
  got=$(tail -c +$((from + 1)) "$out")
  [[ $got == $'first loaded\nfirst unloaded\nsecond loaded\nsecond unloaded\nEND' ]] && pass replace-script ||
    fail replace-script "$got"
}

case_script-error-keeps() {
  local out=${VM%/*}/vprobe.out from msg rc
  from=$(stat -c %s "$out")
  "$VMRUN" vprobeLoad "$VM" '(vprobe VMM10Hz (cond ((== VCPUID 0) (printf "alive\n")))) (vprobe VMXUnload (printf "END\n"))'
  msg=$("$VMRUN" vprobeLoad "$VM" '(vprobe VMM1Hz (logint "x"))' 2>&1); rc=$?
  sleep 0.5
  "$VMRUN" vprobeReset "$VM"; sleep 0.3
  local got
  got=$(tail -c +$((from + 1)) "$out")
  if [[ $rc == 1 && $msg == *"<command line>:1:24: error: expected an integer here, but this is a string"* ]] &&
     [[ $(grep -c alive <<<"$got") -ge 3 ]]; then
    pass script-error-keeps
  else
    fail script-error-keeps "rc=$rc msg=$msg out=$got"
  fi
}

case_refusals() {
  local problems="" msg
  msg=$("$VMRUN" start "$VM" 2>&1) && problems+=" second-start-accepted"
  [[ $msg == *"already"* || $msg == *"running"* ]] || problems+=" second-start-message($msg)"
  local off; off=$(new_vm notrunning)
  msg=$("$VMRUN" vprobeLoad "$off" '(vprobe VMM1Hz 1)' 2>&1) && problems+=" load-on-stopped-vm"
  [[ $msg == *"not powered on"* ]] || problems+=" stopped-message($msg)"
  local bad; bad=$(new_vm badvmx 'numvcpus = "many"')
  msg=$("$VMRUN" start "$bad" 2>&1) && problems+=" bad-vmx-started"
  [[ $msg == *"demo.vmx:"*"error"* ]] || problems+=" bad-vmx-message($msg)"
  local noenable; noenable=$(new_vm noenable 'vprobe.enable = "FALSE"')
  if start_vm "$noenable"; then
    msg=$("$VMRUN" vprobeLoad "$noenable" '(vprobe VMM1Hz 1)' 2>&1) && problems+=" enable-false-loaded"
    [[ $msg == *"vprobe.enable"* ]] || problems+=" enable-message($msg)"
    [[ $("$VMRUN" vprobeVersion "$noenable") == *"(disabled)"* ]] || problems+=" version-disabled"
    "$VMRUN" stop "$noenable" >/dev/null
  else
    problems+=" noenable-did-not-start"
  fi
  allow_vprobes FALSE
  local noallow; noallow=$(new_vm noallow)
  if start_vm "$noallow"; then
    msg=$("$VMRUN" vprobeLoad "$noallow" '(vprobe VMM1Hz 1)' 2>&1) && problems+=" allow-false-loaded"
    [[ $msg == *"vprobe.allow"* ]] || problems+=" allow-message($msg)"
    "$VMRUN" stop "$noallow" >/dev/null
  else
    problems+=" noallow-did-not-start"
  fi
  allow_vprobes TRUE
  [[ -z $problems ]] && pass refusals || fail refusals "$problems"
}

case_garbage-socket() {
  local sock
  sock=$(ls "${VM}".sock 2>/dev/null || true)
  [[ -S $sock ]] || { fail garbage-socket "no socket beside the .vmx"; return; }
  local reply
  # Read to the end: the two replies may come in separate reads. The
  # timeout is for a hung VM only: an emulated host starts python slowly.
  reply=$(printf 'this is not json\n{"type":"nonsense"}\n' | timeout 60 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read())
s.shutdown(socket.SHUT_WR)
data = b""
while chunk := s.recv(65536):
    data += chunk
print(data.decode())' "$sock")
  if [[ $(grep -c '"ok":false' <<<"$reply") == 2 ]] &&
     [[ $("$VMRUN" vprobeVersion "$VM") == "VProbes version: 1.3 (enabled)" ]]; then
    pass garbage-socket
  else
    fail garbage-socket "reply: $reply"
  fi
}

case_triple-fault() {
  local dir=$WORK/tf script
  mkdir -p "$dir"
  printf '(vprobe Guest_TripleFault (printf "triple fault on vcpu %%d at rip %%x\\n" VCPUID RIP))\n' > "$dir/tf.vp"
  local tf; tf=$(new_vm tf 'guest.cmdline = "triplefault"' 'vprobe.vpFile = "tf.vp"')
  "$VMRUN" start "$tf" >/dev/null 2>&1
  for _ in $(seq 50); do [[ -f $dir/vmx.log ]] && grep -q 'stopped: triple fault' "$dir/vmx.log" && break; sleep 0.1; done
  sleep 0.3
  if grep -q '^triple fault on vcpu 0 at rip ' "$dir/vprobe.out" 2>/dev/null &&
     grep -q 'stopped: triple fault' "$dir/vmx.log" && ! "$VMRUN" list | grep -q "$tf"; then
    pass triple-fault
  else
    fail triple-fault "out: $(cat "$dir/vprobe.out" 2>&1) log: $(tail -3 "$dir/vmx.log" 2>&1)"
  fi
}

case_vmx-vcpu-state() {
  local err=${VM%/*}/vprobe.err from
  from=$(stat -c %s "$err" 2>/dev/null || echo 0)
  run_script "$VM" 1.2 '(vprobe VMX1Hz (printf "%x\n" RIP)) (vprobe VMXUnload (printf "END\n"))' >/dev/null
  local got; got=$(tail -c +$((from + 1)) "$err")
  [[ $got == *"<command line>:1:31: runtime error: VCPU state (RIP) is not available on non-vcpu vmx threads (probe VMX1Hz, vmx)"* ]] &&
    pass vmx-vcpu-state || fail vmx-vcpu-state "$got"
}

case_cookbook() {
  # Every cookbook VP script loads into the demo VM and runs without errors.
  local err=${VM%/*}/vprobe.err problems="" f from msg
  for f in cookbook/*.vp; do
    [[ -f $f ]] || continue
    from=$(stat -c %s "$err" 2>/dev/null || echo 0)
    if ! msg=$("$VMRUN" vprobeLoadFile "$VM" "$f" 2>&1); then
      problems+=" $f: $msg"
      continue
    fi
    sleep 1.2
    "$VMRUN" vprobeReset "$VM"
    sleep 0.2
    [[ $(tail -c +$((from + 1)) "$err" 2>/dev/null) == "" ]] || problems+=" $f: $(tail -c +$((from + 1)) "$err")"
  done
  [[ -z $problems ]] && pass cookbook || fail cookbook "$problems"
}

run_cases
"$VMRUN" stop "$VM" >/dev/null || fail stop "vmrun stop failed"
