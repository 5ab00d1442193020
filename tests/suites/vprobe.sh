#!/usr/bin/env bash
# End-to-end tests of vprobe: Emmett scripts compiled, loaded into copies
# of the demo VM, their output streamed until -d or a signal ends the run,
# then unloaded (the unload probes print the aggregates). The paper's
# counting, latency and profiling patterns, -c, -s, -T (external types,
# a line probe), $name target variables, -i, -l, several files,
# exit(), the error paths, three cookbook scripts (one draws histograms),
# and -f json; and MAC_SendPacket/MAC_ReceivePacket against the demo's
# own count of its frames (net-probes). What vprobe does
# without a VM is in vprobe-cli.sh.
# needs: kvm
set -u
cd "$(dirname "$0")/../.."
. tests/lib/vm-suite.sh
VPROBE=$BIN/vprobe
suite_begin vprobe counting latency profile duration sigint-sigterm unprinted-aggregates \
  pipe-closed inline-code symbols external_types line-probe target_vars list completion-probes exit-ends runtime-error engine-refusal vp-input \
  several-files replaced vm-stops refusals cookbook json flamegraph net-probes

# vp RUN-ARGS...: runs vprobe; OUT, ERR, RC hold what it did.
OUT=; ERR=; RC=
vp() {
  "$VPROBE" "$@" > "$WORK/out" 2> "$WORK/err"; RC=$?
  OUT=$(cat "$WORK/out"); ERR=$(cat "$WORK/err")
}

# The id of the script loaded in VMX (0: none), from the VM's status.
loaded_script() {
  python3 - "$1.sock" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"type":"status"}\n')
buf = b''
while not buf.endswith(b'\n'):
    buf += s.recv(65536)
print(json.loads(buf)["script"])
EOF
}

# wait_loaded VMX: returns once a script is loaded in VMX (at most 30 s):
# under an emulator vprobe's compile and load can take longer than any
# fixed pause, and a case acting before it would race it.
wait_loaded() {
  local i
  for ((i = 0; i < 300; i++)); do
    [[ $(loaded_script "$1" 2>/dev/null) =~ ^[1-9] ]] && return
    sleep 0.1
  done
}

# count KEY-REGEX TEXT: the count column of the printa row whose keys match.
count_of() { awk -v k="$1" '$0 ~ k { print $(NF-3) }' <<<"$2" | head -1; }

# --- cases with the demo VM -----------------------------------------------------

if grep -q AuthenticAMD /proc/cpuinfo; then
  REASON=VMCB_EXITCODE IO=0x7b HLT=0x78
else
  REASON=VMCS_EXIT_REASON IO=0x1e HLT=0xc
fi

VM=$(new_vm main)
start_vm "$VM" || { for c in "${CASES[@]}"; do fail "$c" "demo VM did not start"; done; exit 1; }

case_counting() {
  # The paper's section 3.2 script, with the exit reason of this host.
  cat > "$WORK/counting.emt" <<EOF
aggr exits[1];
VMM:HV_Exit {
  exits[$REASON]++;
}
VMM:VMXUnload {
  printa(exits);
}
EOF
  vp -d 1.5 "$VM" "$WORK/counting.emt"
  local io hlt
  io=$(count_of "^ *$IO " "$OUT"); hlt=$(count_of "^ *$HLT " "$OUT")
  # porter alone does ~200 port writes per tick; idle vCPUs halt.
  if [[ $RC == 0 && ${OUT%%$'\n'*} == "intKey0 "*" count "*"pct%" && ${io:-0} -gt 1000 && ${hlt:-0} -gt 10 ]]; then
    pass counting
  else
    fail counting "rc=$RC io=$io hlt=$hlt out=$OUT err=$ERR"
  fi
}

case_latency() {
  # The paper's section 3.3 script; the latencies print at unload.
  cat > "$WORK/latency.emt" <<EOF
int exittsc;
aggr lats[1];
VMM:HV_Exit {
  exittsc = TSC;
}
VMM:HV_Resume {
  if (exittsc > 0) {
    lat = TSC - exittsc;
    lats[$REASON] <- lat;
  }
}
VMXUnload {
  logaggr(lats);
}
EOF
  vp -d 1.5 "$VM" "$WORK/latency.emt"
  local row problems=""
  for key in "$IO" "$HLT"; do
    row=$(grep "^lats\[$key\] == " <<<"$OUT")
    [[ $row =~ avg\ ([0-9]+)\ count\ ([0-9]+)\ min\ ([0-9]+) ]] || { problems+=" no-row-$key"; continue; }
    [[ ${BASH_REMATCH[1]} -gt 0 && ${BASH_REMATCH[2]} -gt 10 && ${BASH_REMATCH[3]} -gt 0 ]] ||
      problems+=" zero-latency-$key($row)"
  done
  [[ $RC == 0 && -z $problems ]] && pass latency || fail latency "rc=$RC$problems: $OUT $ERR"
}

case_profile() {
  # No GUEST probe: a 100 Hz timer samples RIP on each vCPU.
  vp -d 2 -c 'TIMER:10msec { ticks[VCPUID, RIP >= 0xffffffff80000000 ? "kernel" : "user"]++; }
              VMXUnload { printa(ticks, "%=d %s %count$d"); }' "$VM"
  local total user
  total=$(awk '{ s += $3 } END { print s + 0 }' <<<"$OUT")
  user=$(grep -c '^[01] user ' <<<"$OUT")
  # 100 Hz on 2 vCPUs for 2 s (fewer on a loaded host, never more);
  # cruncher and porter run in user mode.
  if [[ $RC == 0 && $total -ge 200 && $total -le 420 && $user -ge 1 ]]; then
    pass profile
  else
    fail profile "rc=$RC samples=$total: $OUT $ERR"
  fi
}

case_duration() {
  # -d ends the run after about that long; the unload probe still prints.
  local t0 t1
  t0=$(date +%s%N)
  vp -d 1 -c 'VMXLoad { printf("loaded\n"); } VMXUnload { printf("unloaded\n"); }' "$VM"
  t1=$(date +%s%N)
  local ms=$(( (t1 - t0) / 1000000 ))
  # (The upper bound leaves room for a loaded machine.)
  if [[ $RC == 0 && $OUT == $'loaded\nunloaded' && $ms -ge 1000 && $ms -lt 5000 && $(loaded_script "$VM") == 0 ]]; then
    pass duration
  else
    fail duration "rc=$RC ${ms}ms out=$OUT err=$ERR"
  fi
}

case_sigint-sigterm() {
  # Ctrl-C (and SIGTERM) unload the script: its aggregates print, its
  # periodic probe stops printing, and vprobe exits 0.
  local problems="" sig pid out
  for sig in INT TERM; do
    "$VPROBE" -c 'VMM10Hz { if (VCPUID == 0) printf("tick\n"); }
                  HV_Exit { exits[VCPUID]++; } VMXUnload { printa(exits, "%=d %count$d"); }' \
      "$VM" > "$WORK/sig.out" 2> "$WORK/sig.err" &
    pid=$!
    # The signal comes once the script runs (two ticks seen), however long
    # vprobe took to start: an emulated host is slow to start it.
    local waited
    for waited in $(seq 300); do
      [[ $(grep -c '^tick$' "$WORK/sig.out") -ge 2 ]] && break
      sleep 0.1
    done
    kill -"$sig" "$pid"
    wait "$pid"; local rc=$?
    out=$(cat "$WORK/sig.out")
    [[ $rc == 0 ]] || problems+=" $sig-rc-$rc"
    [[ $(grep -c '^tick$' <<<"$out") -ge 2 ]] || problems+=" $sig-no-ticks"
    grep -q '^0 [0-9][0-9]*$' <<<"$out" || problems+=" $sig-no-aggregate"
    [[ $(loaded_script "$VM") == 0 ]] || problems+=" $sig-still-loaded"
    [[ -s $WORK/sig.err ]] && problems+=" $sig-stderr($(cat "$WORK/sig.err"))"
  done
  local size; size=$(stat -c %s "${VM%/*}/vprobe.out"); sleep 0.3
  [[ $(stat -c %s "${VM%/*}/vprobe.out") == "$size" ]] || problems+=" still-printing"
  [[ -z $problems ]] && pass sigint-sigterm || fail sigint-sigterm "$problems: $out"
}

case_unprinted-aggregates() {
  # As with DTrace: an aggregate the script fills but never prints is
  # shown when the run ends (after the script's own unload output, in the
  # reference's logaggr format); one the script prints is not shown twice.
  vp -d 1 -c 'Out { ports[ARG0]++; } HV_Exit { exits[VCPUID]++; }
              VMXUnload { printf("own\n"); printa(exits, "%=d %count$d"); }' "$VM"
  local problems=""
  [[ $RC == 0 && -z $ERR ]] || problems+=" rc=$RC err=$ERR"
  [[ $(head -1 <<<"$OUT") == own ]] || problems+=" own-not-first"
  [[ $(grep -c '^aggr: ' <<<"$OUT") == 1 ]] || problems+=" headers"
  grep -q '^aggr: ports (1 integer key) (0 string keys)$' <<<"$OUT" || problems+=" no-ports-header"
  # porter writes port 0x80 all the time
  grep -q '^ports\[0x80\] == avg 1 count [1-9][0-9]* min 1 max 1 latest 1$' <<<"$OUT" || problems+=" no-0x80-row"
  [[ -z $problems ]] && pass unprinted-aggregates || fail unprinted-aggregates "$problems: $OUT"
}

case_pipe-closed() {
  # `vprobe ... | head -2`: the closed pipe ends the run, quietly, and the
  # script is unloaded.
  local lines rc
  "$VPROBE" -c 'VMM10Hz { printf("line %d\n", VCPUID); }' "$VM" 2> "$WORK/p.err" | head -2 > "$WORK/p.out"
  rc=${PIPESTATUS[0]}
  lines=$(cat "$WORK/p.out")
  if [[ $rc == 0 && $(wc -l <<<"$lines") == 2 && ! -s $WORK/p.err && $(loaded_script "$VM") == 0 ]]; then
    pass pipe-closed
  else
    fail pipe-closed "rc=$rc lines=$lines err=$(cat "$WORK/p.err")"
  fi
}

case_inline-code() {
  # The README's example, as typed: an implicit aggregate, printed by
  # VMMUnload on each vCPU.
  vp -d 1 -c 'HV_Exit { exits[VMCS_EXIT_REASON]++; } VMMUnload { logaggr(exits); }' "$VM"
  if [[ $RC == 0 && $(grep -c '^aggr: exits (1 integer key) (0 string keys)$' <<<"$OUT") == 2 ]] &&
     grep -q '^exits\[0x[0-9a-f]*\] == avg 1 count [1-9]' <<<"$OUT"; then
    pass inline-code
  else
    fail inline-code "rc=$RC out=$OUT err=$ERR"
  fi
}

# check_profile CASE NAMERE: the per-process profile in $OUT (from a
# cookbook profile-procs script) shows cruncher (never sleeps), names each
# process with the pid the guest gave it, and has at least two rows whose
# name matches NAMERE.
check_profile() {
  local problems="" p pid seen
  grep -q " cruncher " <<<"$OUT" || problems+=" cruncher-missing"
  for p in sysloop disker porter pager cruncher; do
    pid=$(sed -n "s/^$p: pid \([0-9]*\) started.*/\1/p" "${VM%/*}/serial.log" | tail -1)
    seen=$(awk -v n="$p" '$3 == n { print $2 }' <<<"$OUT" | sort -u)
    [[ -z $seen || $seen == "$pid" ]] || problems+=" $p-pid-$seen-not-$pid"
  done
  [[ $(grep -cE "^ *[01] +[0-9]+ $2 +[0-9]+ +[0-9.]+%\$" <<<"$OUT") -ge 2 ]] || problems+=" fewer-than-2-rows"
  [[ $RC == 0 && -z $problems ]] && pass "$1" || fail "$1" "rc=$RC$problems: $OUT $ERR"
}

case_symbols() {
  # curprocname()/curpid() in Emmett, with offatret(sys_getpid) and
  # offatstrcpy(get_task_comm, strncpy) resolved through -s: each process
  # seen carries the pid the guest gave it, and cruncher (never sleeps)
  # is seen.
  vp -d 2 -s "$SYMS" "$VM" cookbook/profile-procs.emt
  check_profile symbols '[a-z]+'
}

case_external_types() {
  # The same profiler with curproc-types.emh: the demo kernel's struct
  # percpu and struct task from its DWARF (-T demo.symdb), no offsets
  # written or read out of code. Each process is named and numbered as
  # the guest numbered it, as with curproc.emh.
  if [[ ! -f guests/demo/demo.symdb ]]; then
    echo "SKIP: vprobe external_types (guests/demo/demo.symdb is missing: make guest)"
    return
  fi
  vp -d 2 -T guests/demo/demo.symdb "$VM" cookbook/profile-procs-types.emt
  check_profile external_types '[a-z<>A-Z]+'
}

case_line-probe() {
  # A line probe inside a loop of the demo kernel: the line of sys_munmap's
  # loop that clears a mapped page's entry (GUEST:OFFSET:sys_munmap:LN, resolved
  # through demo.symdb) fires once per page each call says it unmapped
  # (its return value, counted only for calls seen from their start), and
  # the guest's own report (pager: N rounds, M pages ...) says 32 pages a
  # round, as many as the probe saw per call.
  if [[ ! -f guests/demo/demo.symdb ]]; then
    echo "SKIP: vprobe line-probe (guests/demo/demo.symdb is missing: make guest)"
    return
  fi
  local line rounds pages
  line=$(grep -n '^ *\*e = 0;' guests/demo/kernel/mm.c | cut -d: -f1)
  # inside and cur are the vCPU's own (the pager runs on one); the totals
  # are shared, for VMXUnload to print.
  vp -d 2 -s "$SYMS" -T guests/demo/demo.symdb "$VM" -c "int inside, cur;
    pervm int hits; pervm int pages; pervm int calls;
    GUEST:sys_munmap { inside = 1; cur = 0; }
    GUEST:OFFSET:sys_munmap:L$line { if (inside) { cur++; } }
    GUEST:EXIT:sys_munmap(int64 n) {
      if (inside) { fetchadd(hits, cur); fetchadd(pages, n); fetchadd(calls, 1); }
      inside = 0;
    }
    VMXUnload { printf(\"calls %d hits %d pages %d\\n\", calls, hits, pages); }"
  read -r rounds pages < <(sed -n 's/^pager: \([0-9]*\) rounds, \([0-9]*\) pages.*/\1 \2/p' "${VM%/*}/serial.log" | tail -1)
  local calls hits returned
  read -r calls hits returned < <(sed -n 's/^calls \([0-9]*\) hits \([0-9]*\) pages \([0-9]*\)$/\1 \2 \3/p' <<<"$OUT")
  if [[ $RC == 0 && ${calls:-0} -ge 5 && $hits == "$returned" && ${rounds:-0} -gt 0 &&
        $((pages % rounds)) == 0 && $((hits)) == $((calls * pages / rounds)) ]]; then
    pass line-probe
  else
    fail line-probe "rc=$RC line=$line calls=$calls hits=$hits returned=$returned guest=$rounds/$pages out=$OUT err=$ERR"
  fi
}

case_target_vars() {
  # cookbook/munmap-args.emt: sys_munmap's parameters by name ($addr,
  # $len) and syscall_dispatch's trap frame ($f->rdi, $f->rsi), placed by
  # the kernel's DWARF (-T). pager unmaps its heap (USER_HEAP, 0x500000)
  # every round, as many pages as its log says it faulted in per round;
  # both probes must see exactly those arguments, as often, and no others.
  if [[ ! -f guests/demo/demo.symdb ]]; then
    echo "SKIP: vprobe target_vars (guests/demo/demo.symdb is missing: make guest)"
    return
  fi
  vp -d 2 -s "$SYMS" -T guests/demo/demo.symdb "$VM" cookbook/munmap-args.emt
  local log rounds pages len inner outer others
  log=$(grep -E '^pager: [0-9]+ rounds, [0-9]+ pages' "${VM%/*}/serial.log" | tail -1)
  rounds=$(awk '{ print $2 }' <<<"$log"); pages=$(awk '{ print $4 }' <<<"$log")
  len=$(( ${rounds:-0} > 0 ? pages / rounds * 4096 : -1 ))
  inner=$(awk -v l="$len" '$1 == "sys_munmap" && $2 == "pager" && $3 == "0x500000" && $4 == l { print $5 }' <<<"$OUT")
  outer=$(awk -v l="$len" '$1 == "syscall_dispatch" && $2 == "pager" && $3 == "0x500000" && $4 == l { print $5 }' <<<"$OUT")
  others=$(awk -v l="$len" 'NR > 1 && !($2 == "pager" && $3 == "0x500000" && $4 == l)' <<<"$OUT")
  if [[ $RC == 0 && $len == 131072 && ${inner:-0} -ge 3 && -n $outer && -z $others &&
        $(( inner - outer )) -le 1 && $(( outer - inner )) -le 1 ]]; then
    pass target_vars
  else
    fail target_vars "rc=$RC len=$len inner=$inner outer=$outer log=$log out=$OUT err=$ERR"
  fi
}

case_list() {
  vp -l "$VM"
  if [[ $RC == 0 && $OUT == "$("$VMRUN" vprobeListProbes "$VM")" ]] && grep -qx HV_Exit <<<"$OUT" &&
     grep -qx 'USEC:<microseconds>' <<<"$OUT"; then
    pass list
  else
    fail list "rc=$RC out=$OUT err=$ERR"
  fi
}

# Bash completion (contrib/bash-completion/vprobes.bash) offers the
# running VM's probe names where a script is typed.
case_completion-probes() {
  local problems="" got
  . contrib/bash-completion/vprobes.bash
  COMP_WORDS=("$VMRUN" vprobeLoad "$VM" HV_E); COMP_CWORD=3; COMPREPLY=()
  _vmrun
  got=" ${COMPREPLY[*]} "
  [[ $got == *" HV_Exit "* && $got != *" VMM1Hz "* ]] || problems+=" vmrun:$got"
  COMP_WORDS=("$VPROBE" "$VM" -c VMM1); COMP_CWORD=3; COMPREPLY=()
  _vprobe
  got=" ${COMPREPLY[*]} "
  [[ $got == *" VMM1Hz "* && $got != *" HV_Exit "* ]] || problems+=" vprobe:$got"
  [[ -z $problems ]] && pass completion-probes || fail completion-probes "$problems"
}

case_exit-ends() {
  # exit() unloads the script by itself; vprobe then ends without -d.
  vp -c 'int n; VMM10Hz { if (VCPUID == 0) { n++; printf("tick %d\n", n); if (n == 3) exit(); } }
         VMXUnload { printf("unloaded\n"); }' "$VM"
  [[ $RC == 0 && $OUT == $'tick 1\ntick 2\ntick 3\nunloaded' ]] && pass exit-ends ||
    fail exit-ends "rc=$RC out=$OUT err=$ERR"
}

case_runtime-error() {
  # The engine reports a position in the generated VP; vprobe names the
  # Emmett line and column.
  printf 'int n;\nVMM1Hz {\n  n = 0;\n  logint(100 / n);\n}\n' > "$WORK/div.emt"
  vp -d 1.2 "$VM" "$WORK/div.emt"
  local first=${ERR%%$'\n'*}
  if [[ $RC == 0 && $first == "$WORK/div.emt:4:14: runtime error: division by zero (probe VMM1Hz, vcpu "[01]") [generated VP "*:*"]" ]]; then
    pass runtime-error
  else
    fail runtime-error "rc=$RC err=$ERR"
  fi
}

case_engine-refusal() {
  # 33 probes compile, but the engine takes at most 32: the error is in
  # the generated VP, with a note at the Emmett line; nothing stays loaded
  # and the script that ran before is untouched.
  "$VMRUN" vprobeLoad "$VM" '(vprobe VMXUnload (printf "previous unloaded\n"))'
  local before; before=$(loaded_script "$VM")
  for i in $(seq 33); do echo "VMM1Hz { logint($i); }"; done > "$WORK/many.emt"
  vp -d 1 "$VM" "$WORK/many.emt"
  local problems=""
  [[ $RC == 1 ]] || problems+=" rc=$RC"
  grep -q "^$WORK/many.emt (generated VP):[0-9]*:1: error: too many probes" <<<"$ERR" || problems+=" no-vp-error"
  [[ $ERR == *"replaced"* ]] && problems+=" claims-replaced"
  grep -q "^$WORK/many.emt:33:1: note: the VP error above (generated VP [0-9]*:1) comes from here$" <<<"$ERR" ||
    problems+=" no-note"
  [[ $ERR == *"vprobe: error: The VP script has errors; it was not loaded" ]] || problems+=" no-summary"
  [[ $(loaded_script "$VM") == "$before" && $before != 0 ]] || problems+=" previous-script-gone"
  "$VMRUN" vprobeReset "$VM"
  [[ -z $problems ]] && pass engine-refusal || fail engine-refusal "$problems: $ERR"
}

case_vp-input() {
  # -i: VP loaded as it is, under its own name.
  printf '(vprobe VMXLoad (printf "vp load\\n"))\n(vprobe VMXUnload (printf "vp unload\\n"))\n' > "$WORK/old.vp"
  vp -i -d 0.5 "$VM" "$WORK/old.vp"
  local ok=$RC out=$OUT
  vp -i -d 0.5 -c '(vprobe VMM1Hz (logint "x"))' "$VM"
  if [[ $ok == 0 && $out == $'vp load\nvp unload' && $RC == 1 &&
        $ERR == "<command line>:1:24: error: expected an integer here, but this is a string"* ]]; then
    pass vp-input
  else
    fail vp-input "ok=$ok out=$out rc=$RC err=$ERR"
  fi
}

case_several-files() {
  # Files are one script: a macro and a function of the first are used by
  # the second; an error in the second is reported in the second.
  printf '#define EVERY 10msec\nint twice(int x) {\n  return 2 * x;\n}\n' > "$WORK/lib.emt"
  printf 'TIMER:EVERY {\n  n[VCPUID] <- twice(1);\n}\nVMXUnload {\n  printa(n, "%%=d %%sum$d");\n}\n' > "$WORK/main.emt"
  vp -d 1 "$VM" "$WORK/lib.emt" "$WORK/main.emt"
  local ok=$RC out=$OUT sum
  sum=$(awk '$1 == 0 { print $2 }' <<<"$out")
  printf 'VMXUnload {\n  twice("x");\n}\n' > "$WORK/bad.emt"
  vp -d 1 "$VM" "$WORK/lib.emt" "$WORK/bad.emt"
  # Every sample is twice(1): the sum is even, and the timer fired.
  if [[ $ok == 0 && ${sum:-0} -ge 2 && $((sum % 2)) == 0 && $RC == 1 &&
        $ERR == "$WORK/bad.emt:2:9: error: "* ]]; then
    pass several-files
  else
    fail several-files "ok=$ok out=$out rc=$RC err=$ERR"
  fi
}

case_replaced() {
  # Someone else's load ends the run; their script stays loaded.
  "$VPROBE" -c 'VMXUnload { printf("mine unloaded\n"); }' "$VM" > "$WORK/r.out" 2> "$WORK/r.err" &
  local pid=$!
  wait_loaded "$VM"
  "$VMRUN" vprobeLoad "$VM" '(vprobe VMXUnload (printf "theirs unloaded\n"))'
  wait "$pid"; local rc=$?
  local theirs; theirs=$(loaded_script "$VM")
  "$VMRUN" vprobeReset "$VM"
  if [[ $rc == 1 && $(cat "$WORK/r.err") == *"another script was loaded into $VM"* && $theirs != 0 &&
        $(cat "$WORK/r.out") == "mine unloaded" ]]; then
    pass replaced
  else
    fail replaced "rc=$rc theirs=$theirs out=$(cat "$WORK/r.out") err=$(cat "$WORK/r.err")"
  fi
}

case_vm-stops() {
  local vm2; vm2=$(new_vm stops)
  "$VMRUN" start "$vm2" >/dev/null || { fail vm-stops "second VM did not start"; return; }
  "$VPROBE" -c 'VMXUnload { printf("unloaded by the stop\n"); }' "$vm2" > "$WORK/s.out" 2> "$WORK/s.err" &
  local pid=$!
  wait_loaded "$vm2"
  "$VMRUN" stop "$vm2"
  wait "$pid"; local rc=$?
  if [[ $rc == 1 && $(cat "$WORK/s.err") == "vprobe: error: the virtual machine powered off: $vm2" &&
        $(cat "$WORK/s.out") == "unloaded by the stop" ]]; then
    pass vm-stops
  else
    fail vm-stops "rc=$rc out=$(cat "$WORK/s.out") err=$(cat "$WORK/s.err")"
  fi
}

case_refusals() {
  # A VM whose engine runs as VP 1.0: a script needing 1.2 is an Emmett
  # error at the line that needs it. The same VM has VProbes disabled: a
  # 1.0 script is refused with the setting to change. Then a VM on a host
  # that does not allow VProbes.
  local old; old=$(new_vm old 'vprobe.version = "1.0"' 'vprobe.enable = "FALSE"')
  "$VMRUN" start "$old" >/dev/null || { fail refusals "VM did not start"; return; }
  local problems=""
  vp -d 1 -c 'HV_Exit { exits[VCPUID]++; }
VMXUnload { printa(exits); }' "$old"
  [[ $RC == 1 && $ERR == "<command line>:2:13: error: this script needs VP 1.2 (for "*"but the target engine is VP 1.0"* ]] ||
    problems+=" version($RC: $ERR)"
  vp -d 1 -c 'VMM1Hz { logint(1); }' "$old"
  [[ $RC == 1 && $ERR == *"vprobe: error: VProbes are not enabled for this virtual machine: add vprobe.enable"* ]] ||
    problems+=" enable($RC: $ERR)"
  "$VMRUN" stop "$old"
  # Not allowed on this host: the host setting is named.
  echo 'vprobe.allow = "FALSE"' > "$VPROBE_HOST_CONFIG"
  local noallow; noallow=$(new_vm noallow)
  if "$VMRUN" start "$noallow" >/dev/null; then
    vp -d 1 -c 'VMM1Hz { logint(1); }' "$noallow"
    [[ $RC == 1 && $ERR == *"vprobe: error: VProbes are not allowed on this host: add vprobe.allow"* ]] ||
      problems+=" allow($RC: $ERR)"
    "$VMRUN" stop "$noallow"
  else
    problems+=" noallow-did-not-start"
  fi
  echo 'vprobe.allow = "TRUE"' > "$VPROBE_HOST_CONFIG"
  [[ -z $problems ]] && pass refusals || fail refusals "$problems"
}

# chart_drawn HEADER-REGEX TEXT: TEXT has a histogram whose header matches
# (`name[keys]:`), its first line a range, a count and a 52-wide bar.
chart_drawn() {
  grep -E -A1 "^$1:\$" <<<"$2" | grep -Eq '^[[(][^|]* +[0-9]+ \|[@ ]{52}\|$'
}

case_cookbook() {
  # Three cookbook scripts, as their headers say to run them.
  local problems=""
  vp -d 1.5 "$VM" cookbook/exits-by-reason.emt
  [[ $RC == 0 && $OUT == "reason name "*"exits   share"* ]] || problems+=" exits-by-reason($RC)"
  grep -Eq "^ *(30|123) I/O +[0-9]+ +[0-9.]+%$" <<<"$OUT" || problems+=" no-io-row"
  local first=$OUT
  vp -d 1.5 -s "$SYMS" "$VM" cookbook/syscalls-by-process.emt
  [[ $RC == 0 ]] || problems+=" syscalls($RC)"
  # A GUEST probe on syscall_dispatch: sysloop's bursts of 20 getpids,
  # disker's disk calls, each with the pid the guest gave the process.
  local getpids pid
  getpids=$(awk '$3 == "sysloop" && $4 == "getpid" { print $5 }' <<<"$OUT")
  [[ ${getpids:-0} -ge 20 ]] || problems+=" getpids=$getpids"
  pid=$(sed -n "s/^sysloop: pid \([0-9]*\) started.*/\1/p" "${VM%/*}/serial.log" | tail -1)
  awk -v p="$pid" '$1 == p && $2 == 0 && $3 == "sysloop" { f = 1 } END { exit !f }' <<<"$OUT" || problems+=" sysloop-pid"
  grep -Eq '^ *[0-9]+ +4 disker +disk +[1-9][0-9]* ' <<<"$OUT" || problems+=" no-disker-disk-calls"
  local second=$OUT
  # Histograms the script never prints, drawn at unload: exit latencies by
  # kind, disker's request latencies and sizes.
  vp -d 2 "$VM" cookbook/latency-histograms.emt
  [[ $RC == 0 && -z $ERR ]] || problems+=" histograms($RC)"
  local chart
  for chart in 'exit_ns\["(HLT|I/O)"\]' 'disk_us\["(read|write)"\]' 'disk_sectors'; do
    chart_drawn "$chart" "$OUT" || problems+=" no-chart:$chart"
  done
  [[ -z $problems ]] && pass cookbook || fail cookbook "$problems: $first $second $OUT $ERR"
}

case_json() {
  # -f json: every line a JSON record (printf, the runtime error at its
  # Emmett line, the aggregate printed at unload); vprobe.out gets none.
  local outFile=${VM%/*}/vprobe.out before
  before=$(stat -c %s "$outFile" 2>/dev/null || echo 0)
  printf '%s\n' 'int n;' 'aggr hits[1];' \
    'VMM10Hz { if (VCPUID == 0) { n++; hits[n % 2]++; printf("tick %d\n", n);' \
    '  if (n == 2) { logint(100 / (n - 2)); } if (n == 3) { exit(); } } }' \
    'VMXUnload { printa(hits); }' > "$WORK/json.emt"
  vp -f json "$VM" "$WORK/json.emt"
  local problems
  problems=$(python3 - "$WORK/out" "$WORK/json.emt" <<'EOF'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
recs = []
for l in text.splitlines():
    try: recs.append(json.loads(l))
    except ValueError: print("does not parse: " + l)
kinds = [r.get("type") for r in recs]
if kinds != ["printf", "printf", "error", "printf", "aggregate"]: print("kinds %s" % kinds)
ticks = [r.get("text") for r in recs if r.get("type") == "printf"]
if ticks != ["tick 1", "tick 2", "tick 3"]: print("ticks %s" % ticks)
if any(r.get("vcpu") != 0 or r.get("probe") != "VMM10Hz" for r in recs[:4]): print("origin %s" % recs[:4])
err = next((r for r in recs if r.get("type") == "error"), {})
if not err.get("message", "").startswith(sys.argv[2] + ":4:28: runtime error: division by zero"): print("error %s" % err)
agg = recs[-1] if recs else {}
rows = {tuple(r["keys"]): r["count"] for r in agg.get("rows", [])}
if agg.get("vcpu") is not None or rows != {(0,): 1, (1,): 2}: print("aggregate %s" % agg)
EOF
)
  local after; after=$(stat -c %s "$outFile" 2>/dev/null || echo 0)
  [[ $before == "$after" ]] || problems+=" vprobe.out-grew($before->$after)"
  [[ $RC == 0 && -z $problems ]] && pass json || fail json "rc=$RC $problems out=$OUT err=$ERR"
}

case_flamegraph() {
  # cookbook/flame-profile.emt (stacks sampled at 1 kHz), plus one probe
  # with a stack the demo is known to have: sysloop's getpid, once
  # sys_getpid's frame is set up, walks through syscall_dispatch and the
  # system call entry into sysloop_main. The folded file holds those
  # stacks, root first and named; the SVG names their frames and parses.
  printf 'GUEST:sys_getpid+4 {\n  gueststack(stack);\n  stacks[curprocname(), stack]++;\n}\n' > "$WORK/getpid.emt"
  rm -f "$WORK/p.folded" "$WORK/p.svg"
  vp -d 2 -s "$SYMS" --folded "$WORK/p.folded" --flamegraph "$WORK/p.svg" "$VM" \
    cookbook/flame-profile.emt "$WORK/getpid.emt"
  local problems="" folded f
  folded=$(cat "$WORK/p.folded" 2>/dev/null)
  grep -Eq '^cruncher;(.*;)?compute_for_a_second [0-9]+$' <<<"$folded" || problems+=" no-cruncher-stack"
  grep -Eq '^idle;idle_loop [0-9]+$' <<<"$folded" || problems+=" no-idle-stack"
  # On a PVM host the system call enters through the guest's #PF handler
  # (docs/host-notes.md), whose frame ends the walk in the kernel.
  grep -Eq '^sysloop;(sysloop_main;(.*;)?|enter_frame;isr_common;)syscall_dispatch;sys_getpid [0-9]+$' <<<"$folded" ||
    problems+=" no-getpid-stack"
  grep -q 'GUEST_0x' "$WORK/p.folded" && problems+=" unfolded-stack"
  for f in cruncher compute_for_a_second idle_loop sysloop_main syscall_dispatch sys_getpid; do
    grep -q "<title>$f ([0-9]* samples\?, " "$WORK/p.svg" 2>/dev/null || problems+=" svg-lacks-$f"
  done
  python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$WORK/p.svg" 2>/dev/null ||
    problems+=" svg-not-xml"
  # The aggregate is still printed on standard output, unfolded.
  grep -q '^stacks\["cruncher", "GUEST_0x' <<<"$OUT" || problems+=" stdout-changed"
  [[ $RC == 0 && -z $problems ]] && pass flamegraph ||
    fail flamegraph "rc=$RC$problems: $(head -20 <<<"$folded") $ERR"
}

# MAC_SendPacket/MAC_ReceivePacket on the demo's ethernet0 (demo.vmx has
# one, so `pinger` is in the default mix): each frame sorted by what it is,
# read with getguestphys at ARG2 (our extension; ARG1 the frame's length):
# the 98-byte ICMP echo requests pinger sends to slirp's gateway and the
# echo replies, other frames (ARP) apart. The guest counts the frames its
# driver handed the adapter and took from it (shared_info.net_sent and
# net_received, read at the load and the unload on vCPU 0); the probes
# must see as many, within the few frames in flight at either end (a
# received frame is counted by the guest at its next poll, a tenth of a
# second later). ARG0 is the adapter, 0.
case_net-probes() {
  local si sent recv out
  si=$(sym shared_info); sent=$(hexadd "$si" 80); recv=$(hexadd "$si" 88)
  out=$(run_script "$VM" 3 "(defaggr n 0 1) (definteger s0) (definteger r0)
    (vprobe VMMLoad (cond ((== VCPUID 0) (setint s0 (getguest $sent)) (setint r0 (getguest $recv)))))
    (vprobe VMMUnload (cond ((== VCPUID 0)
      (printf \"guest sent %d received %d\n\" (- (getguest $sent) s0) (- (getguest $recv) r0)))))
    (vprobe MAC_SendPacket (aggr n () ((cond
      ((!= ARG0 0) \"badadapter\")
      ((&& (== ARG1 98) (== (& (getguestphys (+ ARG2 12)) 0xffff) 0x8)
           (== (& (getguestphys (+ ARG2 23)) 0xff) 1) (== (& (getguestphys (+ ARG2 34)) 0xff) 8)) \"echoreq\")
      (1 \"othersend\"))) 1))
    (vprobe MAC_ReceivePacket (aggr n () ((cond
      ((!= ARG0 0) \"badadapter\")
      ((&& (== ARG1 98) (== (& (getguestphys (+ ARG2 12)) 0xffff) 0x8)
           (== (& (getguestphys (+ ARG2 23)) 0xff) 1) (== (& (getguestphys (+ ARG2 34)) 0xff) 0)) \"echorep\")
      (1 \"otherrecv\"))) 1))
    (vprobe VMXUnload (logaggr n) (printf \"END\n\"))")
  local req rep os orc bad gs gr
  req=$(aggr_count 'n["echoreq"]' "$out"); rep=$(aggr_count 'n["echorep"]' "$out")
  os=$(aggr_count 'n["othersend"]' "$out"); orc=$(aggr_count 'n["otherrecv"]' "$out")
  bad=$(aggr_count 'n["badadapter"]' "$out")
  read -r gs gr < <(sed -n 's/^guest sent \([0-9-]*\) received \([0-9-]*\)$/\1 \2/p' <<<"$out")
  local ps=$(( ${req:-0} + ${os:-0} )) pr=$(( ${rep:-0} + ${orc:-0} ))
  echo "vprobe: MAC_SendPacket $ps (echo requests ${req:-0}), MAC_ReceivePacket $pr (echo replies ${rep:-0}); the guest's driver: sent ${gs:-?} received ${gr:-?}"
  if [[ -n $gs && -n $gr && -z $bad ]] && (( ${req:-0} >= 3 && ${rep:-0} >= 3 &&
        ps >= gs - 4 && ps <= gs + 4 && pr >= gr - 4 && pr <= gr + 4 )) &&
     grep -q '^pinger: [0-9]* frames sent, [0-9]* received, [0-9]* echo requests, [1-9][0-9]* echo replies$' "${VM%/*}/serial.log"; then
    pass net-probes
  else
    fail net-probes "$out; serial: $(grep -E '^pinger|ethernet0' "${VM%/*}/serial.log" | tail -3 | tr '\n' '|')"
  fi
}

run_cases
"$VMRUN" stop "$VM" >/dev/null || fail stop "vmrun stop failed"
