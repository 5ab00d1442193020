#!/usr/bin/env bash
# vmrun's command line, end to end, for what runs without /dev/kvm and
# without a machine: usage errors, commands to a VM that is not running,
# .vmx and host-configuration errors with file:line, VProbes not allowed.
# The start/stop cycle needs the machine and the demo guest; it SKIPs
# (saying why) until both are there.
# Prints "PASS: name", "FAIL: name (why)" or "SKIP: name (why)" per case.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD:-build}
VMRUN=$ROOT/$BUILD/bin/vmrun
if [[ ! -x $VMRUN || ! -x $ROOT/$BUILD/bin/vmx ]]; then
  echo "FAIL: vmrun-built ($BUILD/bin/vmrun or $BUILD/bin/vmx missing)"
  exit 1
fi

WORK=$(mktemp -d /tmp/vmrun-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# Private runtime directory and host configuration: the suite never sees
# or touches the user's running VMs or /etc/vprobes/config.
export VPROBE_RUNTIME_DIR=$WORK/rt
export VPROBE_HOST_CONFIG=$WORK/host.config
printf 'vprobe.allow = "TRUE"\n' > "$VPROBE_HOST_CONFIG"
cd "$WORK"

OUT=; ERR=; RC=
run() {
  "$VMRUN" "$@" > out.txt 2> err.txt; RC=$?
  OUT=$(cat out.txt); ERR=$(cat err.txt)
}

# check NAME RC STDOUT-PATTERN STDERR-PATTERN (bash globs; '' = must be empty)
check() {
  local name=$1 rc=$2 outPat=$3 errPat=$4 why=""
  [[ $RC == "$rc" ]] || why="exit $RC, expected $rc"
  if [[ -z $outPat ]]; then [[ -z $OUT ]] || why+="${why:+; }unexpected stdout: $OUT"
  elif [[ $OUT != $outPat ]]; then why+="${why:+; }stdout: $OUT"; fi
  if [[ -z $errPat ]]; then [[ -z $ERR ]] || why+="${why:+; }unexpected stderr: $ERR"
  elif [[ $ERR != $errPat ]]; then why+="${why:+; }stderr: $ERR"; fi
  if [[ -z $why ]]; then echo "PASS: $name"; else echo "FAIL: $name ($why)"; fi
}

nothing_left() {  # the VM's files beside the .vmx and in the runtime dir
  local vmx=$1
  [[ ! -e $vmx.lck && ! -e $vmx.sock ]] &&
    ! ls "$VPROBE_RUNTIME_DIR"/*.vm > /dev/null 2>&1
}

printf 'guest.image = "demo.elf"\nvprobe.enable = "TRUE"\n' > idle.vmx
printf '(vprobe VMM1Hz (printf "hello!\\n"))\n' > hello.vp

# --- usage ---------------------------------------------------------------
run
check usage-no-command 1 '' $'Error: no command given\n\nUsage: vmrun*'
run --help
check usage-help 0 'Usage: vmrun \[-T ws|fusion|player\] COMMAND*vprobeVersion PATH.vmx*' ''
run frobnicate idle.vmx
check usage-unknown-command 1 '' "Error: unknown command 'frobnicate'"$'\n\nUsage: vmrun*'
run vprobeLoad idle.vmx
check usage-missing-script 1 '' $'Error: wrong number of arguments for vprobeLoad\n\nUsage:*'
run vprobeReset idle.vmx extra
check usage-extra-argument 1 '' $'Error: wrong number of arguments for vprobeReset\n\nUsage:*'
run vprobeVersion
check usage-missing-vmx 1 '' $'Error: vprobeVersion needs the path of a .vmx file\n\nUsage:*'
run start idle.vmx headless
check usage-bad-start-mode 1 '' "Error: invalid argument 'headless' for start: expected gui|nogui"$'\n\nUsage:*'
run -T esx list
check usage-T-remote-product 1 '' "Error: unsupported host type 'esx' for -T: this vmrun drives local virtual machines (ws, fusion, player)"$'\n\nUsage:*'
run -T
check usage-T-without-product 1 '' $'Error: -T needs a host type (ws, fusion or player)\n\nUsage:*'
run -gu root list
check usage-unknown-option 1 '' $'Error: unknown option \'-gu\'\n\nUsage:*'
run -T ws list
check T-ws-accepted 0 'Total running VMs: 0' ''
run -T fusion LIST
check T-fusion-and-any-case 0 'Total running VMs: 0' ''

# --- a VM that is not running --------------------------------------------
for cmd in vprobeReset vprobeListProbes vprobeListGlobals vprobeVersion stop; do
  run $cmd idle.vmx
  check "not-running-$cmd" 1 '' 'Error: The virtual machine is not powered on: idle.vmx'
done
run vprobeLoad idle.vmx '(vprobe VMM1Hz (printf "hello!\n"))'
check not-running-vprobeLoad 1 '' 'Error: The virtual machine is not powered on: idle.vmx'
run -T ws vprobeLoadFile idle.vmx hello.vp
check not-running-vprobeLoadFile 1 '' 'Error: The virtual machine is not powered on: idle.vmx'
run vprobeLoadFile idle.vmx missing.vp
check load-file-unreadable 1 '' 'Error: Cannot read missing.vp: No such file or directory'
run vprobeVersion nowhere/none.vmx
check vmx-does-not-exist 1 '' 'Error: Cannot open VM: nowhere/none.vmx: No such file or directory'
# A stale socket file left by a VM that died: still "not powered on".
: > idle.vmx.sock
run vprobeVersion idle.vmx
check not-running-stale-socket 1 '' 'Error: The virtual machine is not powered on: idle.vmx'
rm -f idle.vmx.sock

# --- .vmx errors: file:line, the VM is not started -----------------------
printf '# demo\nguest.image = "demo.elf"\nmemsize = "8"\nnumvcpus = "two"\nthis line is wrong\nvprobe.enable = "perhaps"\n' > bad.vmx
run start bad.vmx
check vmx-errors-with-line 1 '' "bad.vmx:3: error: memsize: expected a whole number from 16 to 4096, got \"8\"
bad.vmx:4: error: numvcpus: expected a whole number from 1 to 16, got \"two\"
bad.vmx:5: error: expected 'key = \"value\"', found 'this line is wrong'
bad.vmx:6: error: vprobe.enable: expected TRUE or FALSE, got \"perhaps\"
Error: The virtual machine was not started: bad.vmx"
if nothing_left "$WORK/bad.vmx" && [[ ! -e vmx.log ]]; then
  echo "PASS: vmx-errors-start-nothing"
else
  echo "FAIL: vmx-errors-start-nothing (files left: $(ls))"
fi
printf 'memsize = "64"\n' > noimage.vmx
run start noimage.vmx
check vmx-missing-guest-image 1 '' 'noimage.vmx: error: guest.image is not set: name the guest'"'"'s ELF image, e.g. guest.image = "demo.elf"
Error: The virtual machine was not started: noimage.vmx'
run start missing.vmx
check vmx-missing-file 1 '' $'missing.vmx: error: cannot open: No such file or directory\nError: The virtual machine was not started: missing.vmx'

# --- host configuration and vprobe.allow ---------------------------------
printf 'guest.image = "demo.elf"\nvprobe.enable = "TRUE"\nvprobe.vpFile = "hello.vp"\n' > boot.vmx
printf 'vprobe.allow = "TRUE"\nvprobe.allow "FALSE"\n' > bad.config
VPROBE_HOST_CONFIG=$WORK/bad.config run start boot.vmx
check host-config-error-with-line 1 '' "$WORK/bad.config:2: error: expected 'key = \"value\"', found 'vprobe.allow \"FALSE\"'
Error: The virtual machine was not started: boot.vmx"
printf '# nothing allowed here\n' > empty.config
VPROBE_HOST_CONFIG=$WORK/empty.config run start boot.vmx
check vprobe-allow-missing 1 '' "Error: cannot load vprobe.vpFile $WORK/hello.vp: VProbes are not allowed on this host: add vprobe.allow = \"TRUE\" to $WORK/empty.config and restart the virtual machine"
VPROBE_HOST_CONFIG=$WORK/no-such.config run start boot.vmx
check vprobe-allow-no-host-config 1 '' "Error: cannot load vprobe.vpFile $WORK/hello.vp: VProbes are not allowed on this host: add vprobe.allow = \"TRUE\" to $WORK/no-such.config and restart the virtual machine"
printf 'vprobe.allow = "FALSE"\n' > false.config
VPROBE_HOST_CONFIG=$WORK/false.config run start boot.vmx
check vprobe-allow-false 1 '' "Error: cannot load vprobe.vpFile $WORK/hello.vp: VProbes are not allowed on this host:*"
printf 'guest.image = "demo.elf"\nvprobe.vpFile = "hello.vp"\n' > noenable.vmx
run start noenable.vmx
check vprobe-enable-missing 1 '' "Error: cannot load vprobe.vpFile $WORK/hello.vp: VProbes are not enabled for this virtual machine: add vprobe.enable = \"TRUE\" to $WORK/noenable.vmx and restart the virtual machine"
if nothing_left "$WORK/boot.vmx" && nothing_left "$WORK/noenable.vmx"; then
  echo "PASS: refused-start-leaves-nothing"
else
  echo "FAIL: refused-start-leaves-nothing (files left: $(ls))"
fi

# --- the whole cycle: needs /dev/kvm, the machine and the demo guest -----
image=$ROOT/guests/demo/demo.elf
if [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
  echo "SKIP: start-list-stop (/dev/kvm is not usable here)"
elif [[ ! -f $image ]]; then
  echo "SKIP: start-list-stop (no demo guest at guests/demo/demo.elf)"
else
  printf 'guest.image = "%s"\nvprobe.enable = "TRUE"\n' "$image" > cycle.vmx
  run start cycle.vmx
  if [[ $RC != 0 && $ERR == *"no virtual machine monitor"* ]]; then
    echo "SKIP: start-list-stop (the machine is not wired into tools/vmx yet)"
  else
    check start 0 '' ''
    run start cycle.vmx
    check start-twice-refused 1 '' "Error: The virtual machine is already running (pid *): $WORK/cycle.vmx"
    run list
    check list-shows-vm 0 "Total running VMs: 1"$'\n'"$WORK/cycle.vmx" ''
    run vprobeVersion cycle.vmx
    check version-enabled 0 'VProbes version: 1.* (enabled)' ''
    run vprobeLoad cycle.vmx '(vprobe VMM1Hz (printf "hello!\n")'
    check load-compile-error 1 '' '<command line>:1:*: error: *'
    run stop cycle.vmx
    check stop 0 '' ''
    run list
    check list-after-stop 0 'Total running VMs: 0' ''
  fi
fi
