#!/usr/bin/env bash
# End-to-end tests of vprobe: Emmett scripts compiled, loaded into copies
# of the demo VM, their output streamed until -d or a signal ends the run,
# then unloaded (the unload probes print the aggregates). The paper's
# counting, latency and profiling patterns, -c, -s, -T (external types),
# -i, -l, several files,
# exit(), the error paths, and two cookbook scripts. What vprobe does
# without a VM is in vprobe-cli.sh.
# needs: kvm
set -u
cd "$(dirname "$0")/../.."
. tests/lib/vm-suite.sh
VPROBE=$BIN/vprobe
suite_begin vprobe counting latency profile duration sigint-sigterm unprinted-aggregates \
  pipe-closed inline-code symbols external_types list completion-probes exit-ends runtime-error engine-refusal vp-input \
  several-files replaced vm-stops refusals cookbook

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
  sleep 0.5
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
  sleep 0.5
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

case_cookbook() {
  # Two cookbook scripts, as their headers say to run them.
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
  [[ -z $problems ]] && pass cookbook || fail cookbook "$problems: $first $OUT $ERR"
}

run_cases
"$VMRUN" stop "$VM" >/dev/null || fail stop "vmrun stop failed"
