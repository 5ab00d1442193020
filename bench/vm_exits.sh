#!/usr/bin/env bash
# Cost of static probes on the exits they ride on, and of periodic
# profiling on guest throughput, measured on the demo guest in one run.
#
#   exits: the guest's `bench=out` workload does `out 0x80` in a CPL3 loop
#          and reports its rate once a second; its exits per second with no
#          script, with a script that has no exit probes, with an empty
#          `Out` probe and with an aggregate update in it.
#   profiling: `bench=compute` reports CPL3 loop iterations per second, with
#          no script and with a 1 kHz `USEC:1000` profiling script; once
#          with the demo's default 100 Hz guest timer and once with a
#          1000 Hz one, whose exits the profile's fires ride on.
# Each figure is the median of the guest's once-a-second reports. Where
# `perf` is installed, the last column is the monitor's own user-space time
# per exit: the share of 2 s of CPU samples of the VM process that land in
# user space (the vmx binary and its libraries), times the exit's cost.
# needs: kvm
set -u
cd "$(dirname "$0")/.."
. tests/lib/vm-suite.sh
SAMPLES=${BENCH_SAMPLES:-5}

if ! kvm_usable; then
  echo "vm_exits: SKIPPED: no usable /dev/kvm here (bench/run-all runs it under nested KVM)"
  exit 0
fi
vm_workdir vm-bench

# bench_vm NAME CMDLINE: a started 1-vCPU copy of the demo VM running one
# workload.
bench_vm() {
  local vmx
  vmx=$(new_vm "$1" 'numvcpus = "1"' "guest.cmdline = \"$2\"")
  "$VMRUN" start "$vmx" || exit 1
  echo "$vmx"
}

# rate VMX PATTERN: median of the next $SAMPLES rates the guest reports
# (lines "PATTERN N ..."), after skipping the one in progress.
rate() {
  local log=${1%/*}/serial.log from
  from=$(wc -l < "$log")
  while (( $(wc -l < "$log") < from + SAMPLES + 1 )); do sleep 0.2; done
  tail -n +$((from + 2)) "$log" | grep "^$2" | head -n "$SAMPLES" | awk '{print $2}' | sort -n |
    awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

vmx_pid() { pgrep -f "vmx.*$1" | head -1; }

# user_share PID: percentage of the process's CPU samples in user space, or
# "-" without perf. (/proc's utime cannot tell: its tick sampling counts much
# of the guest's time as the monitor's.) Samples in the ioctl stub are left
# out: it is `syscall; ret`, and the samples perf takes while the kernel
# runs the guest with interrupts off are delivered on the return to it.
user_share() {
  command -v perf >/dev/null || { echo -; return; }
  local data=$WORK/perf.data
  perf record -q -p "$1" -o "$data" -- sleep 2 >/dev/null 2>&1 || { echo -; return; }
  perf report -i "$data" --no-children --stdio --sort dso,sym 2>/dev/null |
    awk '/^ +[0-9.]+%/ && $2 !~ /^\[kernel/ && $NF != "__GI___ioctl" { s += $1 }
         END { printf "%.2f", s }'
}

# exits_mark VMX: a vprobeReset, whose vmx.log line carries the VM's exit
# counts so far; prints that line.
exits_mark() {
  "$VMRUN" vprobeReset "$1" >/dev/null
  grep 'exits=' "${1%/*}/vmx.log" | tail -n 1
}

# kick_rate LINE LINE: kick exits per second between two exits_mark lines
# ("2026-12-06T16:56:30.261| vmx| ...; exits=N ... kick=N ...").
kick_rate() {
  awk -v a="$1" -v b="$2" '
    function t(l, p) { split(substr(l, 12, 12), p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
    function k(l) { return match(l, /kick=[0-9]+/) ? substr(l, RSTART + 5, RLENGTH - 5) : 0 }
    BEGIN { d = t(b) - t(a); printf "%.0f", (d > 0 ? (k(b) - k(a)) / d : 0) }'
}

measure() {  # VMX PATTERN LABEL [SCRIPT]: prints "label rate user-share kicks/s"
  local vmx=$1 pat=$2 label=$3 script=${4:-}
  local from to r share
  from=$(exits_mark "$vmx")
  [[ -n $script ]] && "$VMRUN" vprobeLoad "$vmx" "$script" >/dev/null
  r=$(rate "$vmx" "$pat")
  share=-
  [[ $pat == outbench: ]] && share=$(user_share "$(vmx_pid "$vmx")")
  to=$(exits_mark "$vmx")
  echo "$label $r $share $(kick_rate "$from" "$to")"
}

OUT=$(bench_vm out "bench=out")
sleep 2
base=$(measure "$OUT" outbench: "none")
nohook=$(measure "$OUT" outbench: "no-exit-probes" '(vprobe VMM1Hz 1)')
empty=$(measure "$OUT" outbench: "empty-Out" '(vprobe Out)')
aggr=$(measure "$OUT" outbench: "Out-aggr" '(defaggr a 1 0) (vprobe Out (aggr a (ARG0) () 1))')
base2=$(measure "$OUT" outbench: "none-again")
"$VMRUN" stop "$OUT"

CPU=$(bench_vm compute "bench=compute")
sleep 2
c0=$(measure "$CPU" compute: "none")
ce=$(measure "$CPU" compute: "USEC:1000_empty_body" '(vprobe USEC:1000)')
c1=$(measure "$CPU" compute: "USEC:1000_ticks[RIP]++" '(defaggr ticks 1 0) (vprobe USEC:1000 (aggr ticks (RIP) () 1))')
c2=$(measure "$CPU" compute: "none-again")
"$VMRUN" stop "$CPU"

FAST=$(bench_vm compute1k "bench=compute hz=1000")
sleep 2
k0=$(measure "$FAST" compute: "none")
k1=$(measure "$FAST" compute: "USEC:1000_ticks[RIP]++" '(defaggr ticks 1 0) (vprobe USEC:1000 (aggr ticks (RIP) () 1))')
k2=$(measure "$FAST" compute: "none-again")
"$VMRUN" stop "$FAST"

row() {  # LABEL RATE BASE-RATE
  awk -v l="$1" -v r="$2" -v b="$3" -v u="$4" 'BEGIN {
    us = 1e6 / r
    printf "%-34s %12.0f %12.2f %9.3f %12s\n", l, r, us, us / (1e6 / b), u == "-" ? "-" : sprintf("%.2f", us * u / 100) }'
}
b=$(awk '{print $2}' <<<"$base")
echo "Static probes on the exit they ride on: CPL3 out 0x80 loop, 1 vCPU (median of $SAMPLES s)"
printf '%-34s %12s %12s %9s %12s\n' "script" "exits/s" "us/exit" "x none" "monitor us"
for m in "$base" "$nohook" "$empty" "$aggr" "$base2"; do
  read -r l r u _ <<<"$m"; row "$l" "$r" "$b" "$u"
done
cost_table() {  # TITLE ROW...: the first row is the baseline
  echo
  echo "$1"
  shift
  printf '%-34s %14s %10s %10s\n' "script" "iterations/s" "cost" "kicks/s"
  local cb
  cb=$(awk '{print $2}' <<<"$1")
  for m in "$@"; do
    read -r l r u k <<<"$m"
    awk -v l="$l" -v r="$r" -v b="$cb" -v k="$k" 'BEGIN { printf "%-34s %14.0f %9.2f%% %10s\n", l, r, (1 - r / b) * 100, k }'
  done
}
cost_table "Profiling cost on guest throughput: CPL3 compute loop, 1 vCPU, guest timer 100 Hz" \
  "$c0" "$ce" "$c1" "$c2"
cost_table "The same with a 1000 Hz guest timer (the profile's fires ride on its exits)" \
  "$k0" "$k1" "$k2"
echo
echo "targets: a static probe adds at most 5% to its exit; 1 kHz profiling costs under 2%"
echo "(a fire rides on the vCPU's next asynchronous exit, its guest timer's, when one comes"
echo " within 1.5 periods; otherwise it costs one exit, whose price the host's KVM sets:"
echo " the empty USEC:1000 row shows it, the next row adds the probe's own cost;"
echo " kicks/s: the vCPU's exits out of KVM_RUN for its guest timer, the probes and requests)"
