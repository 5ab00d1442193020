# What every shell suite (and benchmark) that runs the demo VM shares
# (sourced, not run): the KVM check, a private work folder with its own
# runtime directory and host configuration, VM copies, script runs, the
# result lines, cleanup.
#
#   . tests/lib/vm-suite.sh
#   suite_begin NAME CASE...       # SKIPs every case and exits without KVM
#   case_foo() { ...; pass foo; }  # or: fail foo "why"
#   run_cases                      # runs case_<name> for each CASE
#
# Result lines are "PASS: NAME case", "FAIL: NAME case: why" and
# "SKIP: NAME case (why)", which tests/run-all counts. Where /dev/kvm is
# missing, tests/run-all runs the suite inside tests/nested-kvm/run.

VMSUITE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$VMSUITE_ROOT/${BUILD:-build}/bin
VMRUN=$BIN/vmrun
SYMS=$VMSUITE_ROOT/guests/demo/demo.syms

. "$VMSUITE_ROOT/tests/lib/host-kvm.sh"

# REPORTS counts result lines, so that run_cases can tell a case that
# ended without one (it would otherwise pass by saying nothing).
REPORTS=0
pass() { echo "PASS: $SUITE $1"; REPORTS=$((REPORTS + 1)); }
fail() { echo "FAIL: $SUITE $1: $2"; REPORTS=$((REPORTS + 1)); }
skip() { echo "SKIP: $SUITE $1 ($2)"; REPORTS=$((REPORTS + 1)); }

# suite_begin NAME CASE...: names the suite and its cases; without a KVM
# that can run the suite (tests/lib/host-kvm.sh) reports every case as
# skipped and exits. Otherwise makes $WORK, with a
# runtime directory and a host configuration that allows VProbes, private
# to this run (the user's VMs and /etc/vprobes/config are never touched),
# and stops every VM started under it when the suite ends.
suite_begin() {
  SUITE=$1; shift
  CASES=("$@")
  local c why=""
  if ! kvm_usable; then
    why="no usable /dev/kvm here"
  elif ! kvm_runs "$0"; then
    why="this host's KVM has no hardware virtualization (kvm_pvm), which this suite needs (see its header)"
  fi
  if [[ -n $why ]]; then
    for c in "${CASES[@]}"; do
      skip "$c" "$why; tests/run-all runs it under tests/nested-kvm/run"
    done
    exit 0
  fi
  vm_workdir "$SUITE"
}

# vm_workdir NAME: $WORK and what goes in it (as suite_begin), for a
# script that checks for KVM itself (the benchmarks).
vm_workdir() {
  WORK=$(mktemp -d "/tmp/$1.XXXXXX")
  export VPROBE_RUNTIME_DIR=$WORK/run VPROBE_HOST_CONFIG=$WORK/host.cfg
  mkdir -m 700 "$VPROBE_RUNTIME_DIR"
  allow_vprobes TRUE
  # One snapshot of the guest and its symbols for the whole run, so that
  # a `make guest` running meanwhile cannot pair one build's image with
  # another's symbols.
  mkdir "$WORK/guest"
  cp "$VMSUITE_ROOT/guests/demo/demo.elf" "$VMSUITE_ROOT/guests/demo/demo.syms" "$WORK/guest/"
  SYMS=$WORK/guest/demo.syms
  trap suite_end EXIT
}

suite_end() {
  local vmx
  for vmx in "$WORK"/*/*.vmx; do [[ -f $vmx ]] && "$VMRUN" stop "$vmx" >/dev/null 2>&1; done
  rm -rf "$WORK"
}

# run_cases: each case, or with VMSUITE_CASES="a b" only those (to rerun
# a few under tests/nested-kvm/run: NESTED_KVM_ENV=VMSUITE_CASES). A case
# that reports nothing fails.
run_cases() {
  local c before
  for c in "${CASES[@]}"; do
    [[ -n ${VMSUITE_CASES:-} && " $VMSUITE_CASES " != *" $c "* ]] && continue
    before=$REPORTS
    "case_$c"
    (( REPORTS > before )) || fail "$c" "the case ended without a result"
  done
}

# allow_vprobes TRUE|FALSE: the host configuration's vprobe.allow.
allow_vprobes() { echo "vprobe.allow = \"$1\"" > "$VPROBE_HOST_CONFIG"; }

# new_vm NAME [.vmx LINE...]: a copy of the demo VM in $WORK/NAME, its
# guest.cmdline empty unless a line sets it; prints the .vmx's path.
new_vm() {
  local dir=$WORK/$1; shift
  mkdir -p "$dir"
  cp "$WORK/guest/demo.elf" "$dir/"
  grep -v '^guest.cmdline' "$VMSUITE_ROOT/guests/demo/demo.vmx" > "$dir/demo.vmx"
  local line
  for line in "$@"; do echo "$line" >> "$dir/demo.vmx"; done
  grep -q '^guest.cmdline' "$dir/demo.vmx" || echo 'guest.cmdline = ""' >> "$dir/demo.vmx"
  echo "$dir/demo.vmx"
}

# start_vm VMX: vmrun start, and the guest given a moment to boot.
start_vm() { "$VMRUN" start "$1" >/dev/null && sleep 0.5; }

# vprobe_out VMX: where the VM's probe output goes (vprobe.outFile, else
# vprobe.out beside the .vmx).
vprobe_out() {
  local f
  f=$(sed -n 's/^vprobe\.outFile = "\(.*\)"$/\1/p' "$1" | tail -1)
  echo "${f:-${1%/*}/vprobe.out}"
}

# run_script VMX SECONDS SCRIPT: loads SCRIPT, lets it run, unloads it
# (vprobeReset fires the unload probes) and prints what it wrote to
# vprobe.out. Scripts end their VMXUnload with (printf "END\n").
run_script() {
  local vmx=$1 secs=$2 script=$3 out from=0
  out=$(vprobe_out "$vmx")
  [[ -f $out ]] && from=$(stat -c %s "$out")
  "$VMRUN" vprobeLoad "$vmx" "$script" || return 1
  sleep "$secs"
  "$VMRUN" vprobeReset "$vmx" || return 1
  local _
  for _ in $(seq 100); do
    tail -c +$((from + 1)) "$out" 2>/dev/null | grep -q '^END$' && break
    sleep 0.1
  done
  tail -c +$((from + 1)) "$out"
}

# How long a script was loaded, measured by the VM itself: paste ARMED_VP
# into a script and ARMED_PRINT first into its VMXUnload; it prints
# "armed_us N", which armed_seconds reads back. Counts are compared with
# that, not with the sleep in run_script: on an emulated host, vmrun's
# own start-up takes a noticeable part of a second.
ARMED_VP='(defshared armed_t0 pervm) (vprobe VMXLoad (setint armed_t0 (getsystemtime)))'
ARMED_PRINT='(printf "armed_us %d\n" (- (getsystemtime) armed_t0))'
armed_seconds() { sed -n 's/^armed_us \([0-9]*\)$/\1/p' <<<"$1" | awk '{printf "%.3f", $1 / 1e6}'; }

# within N LOW HIGH: LOW <= N <= HIGH (decimals allowed).
within() { awk -v n="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(n != "" && n >= lo && n <= hi) }'; }

# aggr_count ROW OUT: the count of the logaggr row that starts with ROW
# (e.g. 'v[0x20]', 'n["pair"]') in OUT, or nothing.
aggr_count() {
  local row
  row=$(printf '%s' "$1" | sed 's/[][\\.*^$/]/\\&/g')
  sed -n "s/^$row == avg [0-9-]* count \([0-9]*\) .*/\1/p" <<<"$2" | head -1
}

hexadd() { printf '0x%x' $(($1 + $2)); }
# sym NAME: the address of a demo-guest symbol; sym_end NAME: the address
# just past it (the next symbol in the map).
sym() { hexadd "0x$(awk -v n="$1" '$3 == n { print $1 }' "$SYMS")" 0; }
sym_end() { hexadd "0x$(awk -v n="$1" 'f { print $1; exit } $3 == n { f = 1 }' "$SYMS")" 0; }
