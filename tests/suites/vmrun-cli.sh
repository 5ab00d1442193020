#!/usr/bin/env bash
# vmrun's command line, end to end, for what runs without a VM: usage
# errors, commands to a VM that is not running, .vmx and host-
# configuration errors with file:line, VProbes not allowed. The start,
# list, stop cycle is in vmrun-cycle.sh (it needs KVM).
# Prints "PASS: name" or "FAIL: name (why)" per case.
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

. "$ROOT/tests/lib/run-check.sh"
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1 ($2)"; }
vmrun() { run "$VMRUN" "$@"; }

nothing_left() {  # the VM's files beside the .vmx and in the runtime dir
  local vmx=$1
  [[ ! -e $vmx.lck && ! -e $vmx.sock ]] &&
    ! ls "$VPROBE_RUNTIME_DIR"/*.vm > /dev/null 2>&1
}

printf 'guest.image = "demo.elf"\nvprobe.enable = "TRUE"\n' > idle.vmx
printf '(vprobe VMM1Hz (printf "hello!\\n"))\n' > hello.vp

# --- usage ---------------------------------------------------------------
vmrun
check usage-no-command 1 '' $'Error: no command given\n\nUsage: vmrun*'
vmrun --help
check usage-help 0 'Usage: vmrun \[-T ws|fusion|player\] COMMAND*vprobeVersion PATH.vmx*' ''
vmrun frobnicate idle.vmx
check usage-unknown-command 1 '' "Error: unknown command 'frobnicate'"$'\n\nUsage: vmrun*'
vmrun vprobeLoad idle.vmx
check usage-missing-script 1 '' $'Error: wrong number of arguments for vprobeLoad\n\nUsage:*'
vmrun vprobeReset idle.vmx extra
check usage-extra-argument 1 '' $'Error: wrong number of arguments for vprobeReset\n\nUsage:*'
vmrun vprobeVersion
check usage-missing-vmx 1 '' $'Error: vprobeVersion needs the path of a .vmx file\n\nUsage:*'
vmrun start idle.vmx headless
check usage-bad-start-mode 1 '' "Error: invalid argument 'headless' for start: expected gui|nogui"$'\n\nUsage:*'
vmrun -T esx list
check usage-T-remote-product 1 '' "Error: unsupported host type 'esx' for -T: this vmrun drives local virtual machines (ws, fusion, player)"$'\n\nUsage:*'
vmrun -T
check usage-T-without-product 1 '' $'Error: -T needs a host type (ws, fusion or player)\n\nUsage:*'
vmrun -gu root list
check usage-unknown-option 1 '' $'Error: unknown option \'-gu\'\n\nUsage:*'
vmrun -T
check usage-T-alone-hint 1 '' "*"$'\n'"run 'vmrun --help' for every option and an example"
vmrun -T ws
check usage-T-without-command 1 '' $'Error: no command given\n\nUsage:*'
vmrun vprobeLoad idle.vmx '-(not an option)' extra
check usage-command-words-are-not-options 1 '' $'Error: wrong number of arguments for vprobeLoad\n\nUsage:*'
. "$ROOT/tests/lib/tool-cli.sh"
cli_help usage-help-lists-every-option "$VMRUN" -T ws\|fusion\|player -? start list vprobeLoad vprobeLoadFile \
  vprobeReset vprobeListProbes vprobeListGlobals vprobeVersion getGuestSymbols vprobeStats \
  "vmrun vprobeListProbes guests/demo/demo.vmx"
cli_version version "$VMRUN"
cli_bad_option usage-bad-option-hint "$VMRUN" 1
vmrun -T ws list
check T-ws-accepted 0 'Total running VMs: 0' ''
vmrun -T fusion LIST
check T-fusion-and-any-case 0 'Total running VMs: 0' ''

# --- a VM that is not running --------------------------------------------
for cmd in vprobeReset vprobeListProbes vprobeListGlobals vprobeVersion vprobeStats stop; do
  vmrun $cmd idle.vmx
  check "not-running-$cmd" 1 '' 'Error: The virtual machine is not powered on: idle.vmx'
done
vmrun vprobeLoad idle.vmx '(vprobe VMM1Hz (printf "hello!\n"))'
check not-running-vprobeLoad 1 '' 'Error: The virtual machine is not powered on: idle.vmx'
vmrun -T ws vprobeLoadFile idle.vmx hello.vp
check not-running-vprobeLoadFile 1 '' 'Error: The virtual machine is not powered on: idle.vmx'
vmrun vprobeLoadFile idle.vmx missing.vp
check load-file-unreadable 1 '' 'Error: Cannot read missing.vp: No such file or directory'
vmrun vprobeVersion nowhere/none.vmx
check vmx-does-not-exist 1 '' 'Error: Cannot open VM: nowhere/none.vmx: No such file or directory'
# A stale socket file left by a VM that died: still "not powered on".
: > idle.vmx.sock
vmrun vprobeVersion idle.vmx
check not-running-stale-socket 1 '' 'Error: The virtual machine is not powered on: idle.vmx'
rm -f idle.vmx.sock

# --- .vmx errors: file:line, the VM is not started -----------------------
printf '# demo\nguest.image = "demo.elf"\nmemsize = "8"\nnumvcpus = "two"\nthis line is wrong\nvprobe.enable = "perhaps"\n' > bad.vmx
vmrun start bad.vmx
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
vmrun start noimage.vmx
check vmx-missing-guest-image 1 '' 'noimage.vmx: error: guest.image is not set: name the guest'"'"'s ELF image, e.g. guest.image = "demo.elf" (or a Linux kernel with guest.kernel)
Error: The virtual machine was not started: noimage.vmx'
vmrun start missing.vmx
check vmx-missing-file 1 '' $'missing.vmx: error: cannot open: No such file or directory\nError: The virtual machine was not started: missing.vmx'

# --- host configuration and vprobe.allow ---------------------------------
printf 'guest.image = "demo.elf"\nvprobe.enable = "TRUE"\nvprobe.vpFile = "hello.vp"\n' > boot.vmx
printf 'vprobe.allow = "TRUE"\nvprobe.allow "FALSE"\n' > bad.config
VPROBE_HOST_CONFIG=$WORK/bad.config vmrun start boot.vmx
check host-config-error-with-line 1 '' "$WORK/bad.config:2: error: expected 'key = \"value\"', found 'vprobe.allow \"FALSE\"'
Error: The virtual machine was not started: boot.vmx"
printf '# nothing allowed here\n' > empty.config
VPROBE_HOST_CONFIG=$WORK/empty.config vmrun start boot.vmx
check vprobe-allow-missing 1 '' "Error: cannot load vprobe.vpFile $WORK/hello.vp: VProbes are not allowed on this host: add vprobe.allow = \"TRUE\" to $WORK/empty.config and restart the virtual machine"
VPROBE_HOST_CONFIG=$WORK/no-such.config vmrun start boot.vmx
check vprobe-allow-no-host-config 1 '' "Error: cannot load vprobe.vpFile $WORK/hello.vp: VProbes are not allowed on this host: add vprobe.allow = \"TRUE\" to $WORK/no-such.config and restart the virtual machine"
printf 'vprobe.allow = "FALSE"\n' > false.config
VPROBE_HOST_CONFIG=$WORK/false.config vmrun start boot.vmx
check vprobe-allow-false 1 '' "Error: cannot load vprobe.vpFile $WORK/hello.vp: VProbes are not allowed on this host:*"
printf 'guest.image = "demo.elf"\nvprobe.vpFile = "hello.vp"\n' > noenable.vmx
vmrun start noenable.vmx
check vprobe-enable-missing 1 '' "Error: cannot load vprobe.vpFile $WORK/hello.vp: VProbes are not enabled for this virtual machine: add vprobe.enable = \"TRUE\" to $WORK/noenable.vmx and restart the virtual machine"
if nothing_left "$WORK/boot.vmx" && nothing_left "$WORK/noenable.vmx"; then
  echo "PASS: refused-start-leaves-nothing"
else
  echo "FAIL: refused-start-leaves-nothing (files left: $(ls))"
fi

# --- getGuestSymbols: the Linux guest's exported symbols and BTF ----------
# Without a running VM it reads what the guest left on its disk and never
# waits: a complete export is written out, anything else is an error. The
# exports are written by the guest's own guests/linux/export-symbols, here
# on the host (a plain file for the disk).
EXPORT=$ROOT/guests/linux/export-symbols
printf 'guest.kernel = "bzImage"\ndisk0.fileName = "disk0.img"\nvprobe.guestSyms = "kallsyms"\n' > lg.vmx
printf 'ffffffff81000000 T _text\nffffffff810be350 T __x64_sys_getpid\nffffffff82a05940 D jiffies\nffffffffc0001000 t virtblk_probe\t[virtio_blk]\n' > syms.in
# A BTF of 24 header bytes (magic 0xeb9f, version 1, hdr_len 24, types at
# 0, 8 bytes, strings at 8, 4 bytes), then those 12 bytes.
printf '\x9f\xeb\x01\x00\x18\0\0\0\0\0\0\0\x08\0\0\0\x08\0\0\0\x04\0\0\0TYPEtype\0ab\0' > btf.in
at=$((8 << 20))
vmrun getGuestSymbols nosuch.vmx
check guest-syms-no-vmx 1 '' $'nosuch.vmx: error: cannot open: No such file or directory\nError: Cannot open VM: nosuch.vmx'
vmrun getGuestSymbols idle.vmx
check guest-syms-no-disk 1 '' "Error: idle.vmx has no disk0.fileName: the guest has no disk to export its symbols on*"
vmrun getGuestSymbols lg.vmx
check guest-syms-no-disk-file 1 '' "Error: $WORK/disk0.img: cannot read it (*), and the virtual machine is not powered on"
truncate -s 16M disk0.img
vmrun getGuestSymbols lg.vmx
check guest-syms-no-header 1 '' "Error: $WORK/disk0.img: no export header at byte $at, and the virtual machine is not powered on"
# An export cut before its header: the data alone is not an export.
"$EXPORT" disk0.img syms.in btf.in > /dev/null && dd if=/dev/zero of=disk0.img bs=4096 seek=2048 count=1 conv=notrunc status=none
vmrun getGuestSymbols lg.vmx
check guest-syms-incomplete 1 '' "Error: $WORK/disk0.img: no export header at byte $at, and the virtual machine is not powered on"
"$EXPORT" disk0.img syms.in btf.in > /dev/null && printf 'X' | dd of=disk0.img bs=1 seek=$((at + 4096 + 40)) conv=notrunc status=none
vmrun getGuestSymbols lg.vmx
check guest-syms-corrupt 1 '' "Error: $WORK/disk0.img: the gzip data of the symbols is corrupt or truncated"
"$EXPORT" disk0.img syms.in btf.in > /dev/null && truncate -s $((at + 8192)) disk0.img
vmrun getGuestSymbols lg.vmx
check guest-syms-past-disk 1 '' "Error: $WORK/disk0.img: the export header's lengths (* and * bytes) do not fit the disk ($((at + 8192)) bytes)"
if [[ ! -e kallsyms && ! -e kallsyms.btf ]]; then pass guest-syms-error-writes-nothing
else fail guest-syms-error-writes-nothing "$(ls kallsyms*) written"; fi
truncate -s 16M disk0.img
out=$("$EXPORT" disk0.img syms.in btf.in)
vmrun getGuestSymbols lg.vmx
check guest-syms-written 0 "$WORK/kallsyms: guest symbols written, $WORK/kallsyms.btf: guest BTF written" ''
if cmp -s kallsyms syms.in && cmp -s kallsyms.btf btf.in; then pass guest-syms-content
else fail guest-syms-content "kallsyms holds '$(head -c 200 kallsyms 2>/dev/null)' (export-symbols said: $out)"; fi
# Without a BTF the file beside the symbols goes too: the pair stays one guest's.
: > other.syms.btf
"$EXPORT" disk0.img syms.in > /dev/null
vmrun getGuestSymbols lg.vmx other.syms
check guest-syms-to-file 0 "other.syms: guest symbols written (no BTF: the guest sent none)" ''
if cmp -s other.syms syms.in && [[ ! -e other.syms.btf ]]; then pass guest-syms-no-btf
else fail guest-syms-no-btf "other.syms or other.syms.btf wrong: $(ls other.syms*)"; fi
