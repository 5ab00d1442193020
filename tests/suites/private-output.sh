#!/usr/bin/env bash
# Guest data stays with the VM's owner: the files a running demo VM writes
# (vprobe.out, vprobe.err, vmx.log, serial.log, the lock) are 0600 under a
# loose umask; another user (nobody) can neither read them, nor connect,
# nor load a script; a symlink planted at vprobe.out is refused and nothing
# is written through it; vprobe.outputGroup shares the output with one
# group (0640), and only the output.
# needs: kvm
set -u
cd "$(dirname "$0")/../.."
. tests/lib/vm-suite.sh
suite_begin private-output files-owner-only others-cannot-read others-cannot-load \
  symlink-refused group-can-read

umask 022
# The folders must let nobody through, or every check below would pass
# for the wrong reason.
chmod 755 "$WORK"
NOBODY_RUN=$WORK/nobody-run
mkdir -m 700 "$NOBODY_RUN" && chown nobody "$NOBODY_RUN"
# nobody's copies of the tools: the repository may be closed to them.
cp -r "$BIN" "$WORK/bin" && chmod -R a+rX "$WORK/bin"
as_nobody() {
  setpriv --reuid=nobody --regid=nogroup --clear-groups \
    env VPROBE_RUNTIME_DIR="$NOBODY_RUN" VPROBE_HOST_CONFIG="$VPROBE_HOST_CONFIG" "$@"
}
VMX=$(new_vm priv)
DIR=${VMX%/*}
start_vm "$VMX"
OUT=$(run_script "$VMX" 2 '(vprobe VMM1Hz (printf "guest secret %d\n" VCPUID)) (vprobe VMXUnload (printf "END\n"))')

case_files-owner-only() {
  local f bad=""
  # VMM1Hz in a 2 s window: one vCPU or the other may not have fired yet.
  [[ $OUT == *"guest secret "[01]* ]] || { fail files-owner-only "the script printed: $OUT"; return; }
  for f in vprobe.out vprobe.err vmx.log serial.log demo.vmx.lck; do
    [[ $(stat -c %a "$DIR/$f" 2>&1) == 600 ]] || bad+=" $f:$(stat -c %a "$DIR/$f" 2>&1)"
  done
  [[ -z $bad ]] && pass files-owner-only || fail files-owner-only "modes:$bad"
}

case_others-cannot-read() {
  local f leaked=""
  as_nobody cat "$WORK/guest/demo.syms" >/dev/null 2>&1 ||
    { fail others-cannot-read "nobody cannot read even a 0644 file here"; return; }
  for f in vprobe.out vprobe.err vmx.log serial.log; do
    as_nobody cat "$DIR/$f" >/dev/null 2>&1 && leaked+=" $f"
  done
  [[ -z $leaked ]] && pass others-cannot-read || fail others-cannot-read "nobody read:$leaked"
}

case_others-cannot-load() {
  local why=""
  # The control: nobody can run the tools at all.
  as_nobody "$WORK/bin/vmrun" list >/dev/null 2>&1 ||
    { fail others-cannot-load "nobody cannot run vmrun here at all"; return; }
  as_nobody "$WORK/bin/vmrun" vprobeLoad "$VMX" '(vprobe VMM1Hz (printf "loaded by nobody\n"))' \
    >/dev/null 2>&1 && why+="vmrun vprobeLoad succeeded; "
  as_nobody "$WORK/bin/vprobe" -d 1 -c 'VMM1Hz { printf("vprobe by nobody\n"); }' "$VMX" \
    >/dev/null 2>&1 && why+="vprobe succeeded; "
  sleep 1.5
  grep -q 'by nobody' "$DIR/vprobe.out" && why+="nobody's script ran"
  [[ -z $why ]] && pass others-cannot-load || fail others-cannot-load "$why"
}

case_symlink-refused() {
  local vmx dir target=$WORK/target err
  vmx=$(new_vm planted)
  dir=${vmx%/*}
  echo precious > "$target"
  ln -s "$target" "$dir/vprobe.out"
  err=$("$VMRUN" start "$vmx" 2>&1) && { fail symlink-refused "the VM started"; return; }
  if [[ $err != *"$dir/vprobe.out: is a symbolic link; refused"* ]]; then
    fail symlink-refused "message: $err"
  elif [[ $(cat "$target") != precious ]]; then
    fail symlink-refused "the target was written: $(cat "$target")"
  else
    pass symlink-refused
  fi
}

case_group-can-read() {
  local vmx dir out
  vmx=$(new_vm shared 'vprobe.outputGroup = "nogroup"')
  dir=${vmx%/*}
  start_vm "$vmx" || { fail group-can-read "the VM did not start"; return; }
  out=$(run_script "$vmx" 2 '(vprobe VMM1Hz (printf "shared %d\n" VCPUID)) (vprobe VMXUnload (printf "END\n"))')
  local modes
  modes="$(stat -c '%a %G' "$dir/vprobe.out") / $(stat -c '%a' "$dir/vmx.log")"
  if [[ $modes != "640 nogroup / 600" ]]; then
    fail group-can-read "vprobe.out, vmx.log: $modes"
  elif [[ $(as_nobody cat "$dir/vprobe.out" 2>&1) != *"shared "[01]* ]]; then
    fail group-can-read "a member of the group could not read the output: $out"
  elif as_nobody cat "$dir/vmx.log" >/dev/null 2>&1; then
    fail group-can-read "the group could read vmx.log"
  else
    pass group-can-read
  fi
}

run_cases
