#!/usr/bin/env bash
# End-to-end tests of the stock Linux guest (guests/linux): Debian's kernel
# boots in the monitor to its init's "linux-guest: ready", lgworker runs,
# `vmrun getGuestSymbols` fetches the symbols (data symbols included) and
# the BTF the guest exports on its disk, a GUEST: probe on the kernel's getpid handler (by name, from those
# symbols through vprobe.guestSyms) counts what lgworker reports, the
# kernel's text is unchanged after the unload, the Linux cookbook scripts
# (cookbook/linux-*.emt) name lgworker (the one with task_struct's layout
# from that BTF, through emmett-symdb and -T, the same processes with the
# same pids as the one with offsets), lgworker's reads and writes on
# the virtio disk /dev/vda show up as Disk_IOStart/Disk_IOFinish pairs, as
# many as it reports, and its ICMP echoes to the slirp gateway over the
# virtio network adapter show up as MAC_SendPacket/MAC_ReceivePacket, as
# many as it reports; all with KASLR on. Needs KVM that runs a stock
# kernel: without /dev/kvm, or where it has no hardware virtualization
# (tests/lib/host-kvm.sh), tests/run-all runs it under tests/nested-kvm/run.
# needs: kvm
# needs: hardware virtualization
set -u
cd "$(dirname "$0")/../.."
. tests/lib/vm-suite.sh
LG=$VMSUITE_ROOT/guests/linux
VPROBE=$VMSUITE_ROOT/${BUILD:-build}/bin/vprobe
SYMDB=$VMSUITE_ROOT/${BUILD:-build}/bin/emmett-symdb
if [[ ! -f $LG/out/vmlinuz || ! -f $LG/out/initrd.cpio.gz ]]; then
  for c in boots lgworker symbols getpid-probe text-restored procname procname-types syscalls top kstack virtio-disk disk-probes net-probes cr3-writes smm-warns; do
    echo "SKIP: linux-guest $c (guests/linux not built: apt could not download Debian's packages)"
  done
  exit 0
fi
suite_begin linux-guest boots lgworker symbols getpid-probe text-restored procname procname-types syscalls top kstack virtio-disk disk-probes net-probes cr3-writes smm-warns
# Under nested emulation the boot takes tens of seconds, and the init's
# symbol export some seconds more: the budget is generous, the time it
# took is printed.
BOOT_LIMIT=${LINUX_GUEST_BOOT_LIMIT:-300}

mkdir -p "$WORK/linux"
VM=$WORK/linux/linux.vmx
sed -e "s|^guest.kernel = .*|guest.kernel = \"$LG/out/vmlinuz\"|" \
    -e "s|^guest.initrd = .*|guest.initrd = \"$LG/out/initrd.cpio.gz\"|" "$LG/linux.vmx" > "$VM"
# KASLR on (linux.vmx has nokaslr): the symbols come from the running
# guest, so probes by name and the cookbook must work at the relocated
# addresses. LINUX_GUEST_KASLR=0 keeps nokaslr.
[[ ${LINUX_GUEST_KASLR:-1} == 1 ]] && sed -i 's/ nokaslr//' "$VM"
SERIAL=$WORK/linux/serial.log
# serial: the console so far, without the tty's carriage returns.
serial() { tr -d '\r' < "$SERIAL"; }

# A previous boot's symbol export left on the disk (one symbol, not this
# kernel's): the vmx clears it at power-on, so a fetch started with the
# boot waits for this boot's export instead of taking it (case symbols).
truncate -s 16M "$WORK/linux/disk0.img"
printf 'ffffffff81000000 T stale_symbol\n' > "$WORK/linux/stale.in"
"$LG/export-symbols" "$WORK/linux/disk0.img" "$WORK/linux/stale.in" > /dev/null
t0=$(date +%s.%N)
"$VMRUN" start "$VM" >/dev/null || { for c in "${CASES[@]}"; do fail "$c" "vmrun start failed"; done; exit 1; }
VMRUN_GUEST_SYMS_TIMEOUT=$BOOT_LIMIT "$VMRUN" getGuestSymbols "$VM" "$WORK/linux/early.syms" \
  > "$WORK/linux/early.out" 2>&1 &
EARLY=$!
ready=false
for _ in $(seq $((BOOT_LIMIT * 2))); do
  grep -q '^linux-guest: ready' "$SERIAL" 2>/dev/null && { ready=true; break; }
  sleep 0.5
done
boot_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "linux-guest: boot to 'linux-guest: ready' took $boot_s s (vmrun start included); the guest says: $(serial | grep -m1 '^linux-guest: ready')"

# lg_counts: lgworker's reports so far, their getpid counts.
lg_counts() { serial | sed -n 's/^lgworker: getpid=\([0-9]*\) .*/\1/p'; }
wait_lg_lines() {  # wait_lg_lines N: until N report lines (30 s at most)
  for _ in $(seq 60); do (( $(lg_counts | wc -l) >= $1 )) && return 0; sleep 0.5; done
  return 1
}

case_boots() {
  if $ready; then pass boots
  else fail boots "no 'linux-guest: ready' within $BOOT_LIMIT s; serial.log ends: $(serial | tail -5 | tr '\n' '|')"; fi
}

case_lgworker() {
  if $ready && wait_lg_lines 2 && serial | grep -q '^lgworker: getpid=[1-9][0-9]* writes=[1-9][0-9]* reads=[1-9][0-9]* sleeps=[1-9]'; then
    pass lgworker
  else
    fail lgworker "no lgworker report with calls, writes, reads and sleeps: $(grep lgworker "$SERIAL" | tail -3 | tr '\n' '|')"
  fi
}

# The guest's symbols and BTF: its init exports them on its disk before
# it says ready, fetched into the file the .vmx's vprobe.guestSyms names
# and that file's .btf.
KSYMS=$WORK/linux/kallsyms
PRINTED=$(serial | sed -n 's/^linux-guest: symbol \([0-9a-f]*\) __x64_sys_getpid$/\1/p' | head -1)
ADDR=""
case_symbols() {
  local t0 out refused
  # Before the fetch, vprobe.guestSyms names a file not there yet: a
  # GUEST:symbol probe is refused naming it, other scripts load.
  refused=$("$VMRUN" vprobeLoad "$VM" "(vprobe GUEST:__x64_sys_getpid (printf \"x\"))" 2>&1) &&
    { fail symbols "a GUEST:symbol probe loaded before the symbols were fetched"; "$VMRUN" vprobeReset "$VM"; return; }
  if [[ $refused != *"note: cannot read guest symbols $KSYMS"* ]]; then
    fail symbols "the refusal does not name $KSYMS: $refused"; return
  fi
  if ! out=$("$VMRUN" vprobeLoad "$VM" "(vprobe VMXLoad (printf \"plain\\n\"))" 2>&1) ||
     ! "$VMRUN" vprobeReset "$VM"; then
    fail symbols "a script without guest symbols did not load before the fetch: $out"; return
  fi
  t0=$(date +%s.%N)
  if ! out=$(VMRUN_GUEST_SYMS_TIMEOUT=${LINUX_GUEST_SYMS_LIMIT:-240} "$VMRUN" getGuestSymbols "$VM" 2>&1); then
    fail symbols "vmrun getGuestSymbols: $out"; return
  fi
  echo "linux-guest: kernel text at $(awk '$3 == "_text" { print $1; exit }' "$KSYMS") ($(grep -o 'guest.cmdline = .*' "$VM"))"
  local said n a magic data
  said=$(serial | grep -m1 '^linux-guest: symbols exported')
  echo "linux-guest: getGuestSymbols took $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s; the guest says: $said"
  n=$(wc -l < "$KSYMS")
  a=$(awk '$3 == "__x64_sys_getpid" { print $1; exit }' "$KSYMS")
  ADDR=${a:+0x$a}
  magic=$(od -A n -t x1 -N 2 "$KSYMS.btf" 2>/dev/null | tr -d ' ')
  data=$(grep -c ' [DdBbRr] ' "$KSYMS")
  echo "linux-guest: $n symbols fetched, $data of them data (D d B b R r); $(grep -E ' (jiffies|init_task)$' "$KSYMS" | tr '\n' ' ')"
  # The address init read from /proc/kallsyms itself; as many symbols
  # and BTF bytes as the guest says it exported, tens of thousands with
  # thousands of data symbols among them (init_task), and a BTF with its
  # magic 0xeB9F (little-endian).
  # The fetch started with the boot got this boot's export too.
  wait "$EARLY"
  if ! cmp -s "$WORK/linux/early.syms" "$KSYMS"; then
    fail symbols "the fetch started at power-on got $(wc -l < "$WORK/linux/early.syms" 2>/dev/null) lines, not this boot's $n: $(cat "$WORK/linux/early.out")"; return
  fi
  if [[ -n $a && $a == "$PRINTED" ]] && (( n > 10000 && data > 1000 )) &&
     grep -q ' A current_task$' "$KSYMS" && [[ $said == *": $n symbols ("* ]] &&
     grep -q ' D init_task$' "$KSYMS" && [[ $magic == 9feb ]] &&
     [[ $said == *", BTF $(stat -c %s "$KSYMS.btf") bytes ("* ]]; then
    pass symbols
  else
    fail symbols "$n symbols, __x64_sys_getpid at '$a' (init printed '$PRINTED'), $data data symbols, BTF magic '$magic': $out | $said"
  fi
}

# text_bytes: 16 bytes at ADDR as the guest sees them, read by a script.
text_bytes() {
  run_script "$VM" 0.2 "(vprobe VMMLoad (printf \"text %x %x\n\" (getguest $ADDR) (getguest (+ $ADDR 8))))
    (vprobe VMXUnload (printf \"END\n\"))" | sed -n 's/^text //p'
}

# armed_window CASE SCRIPT: loads SCRIPT (which prints END at VMXUnload),
# keeps it armed for 6 s and resets it. Sets N0..N3, the number of
# lgworker reports before the load, after it, before the reset and after
# it (reports before N0 and after N3 bound a count from above, those
# between N1 and N2 from below), OUT, what the script printed, and MSG,
# what the load said. A refused load or reset fails CASE (status 1).
armed_window() {
  local from
  wait_lg_lines 2
  N0=$(lg_counts | wc -l)
  from=$(stat -c %s "${VM%/*}/vprobe.out")
  MSG=$("$VMRUN" vprobeLoad "$VM" "$2" 2>&1) || { fail "$1" "load refused: $MSG"; return 1; }
  N1=$(lg_counts | wc -l)
  sleep 6
  N2=$(lg_counts | wc -l)
  "$VMRUN" vprobeReset "$VM" || { fail "$1" "reset failed"; return 1; }
  N3=$(lg_counts | wc -l)
  for _ in $(seq 100); do
    tail -c +$((from + 1)) "${VM%/*}/vprobe.out" | grep -q '^END$' && break; sleep 0.1
  done
  OUT=$(tail -c +$((from + 1)) "${VM%/*}/vprobe.out")
  wait_lg_lines $((N3 + 1))
}

TEXT_BEFORE=""
case_getpid-probe() {
  if [[ -z $ADDR ]]; then fail getpid-probe "no __x64_sys_getpid in the fetched symbols"; return; fi
  TEXT_BEFORE=$(text_bytes)
  armed_window getpid-probe "(defaggr h 0 0) (vprobe GUEST:__x64_sys_getpid (aggr h () () 1))
    (vprobe VMXUnload (logaggr h) (printf \"END\n\"))" || return
  local n0=$N0 n1=$N1 n2=$N2 n3=$N3 out=$OUT hits all
  hits=$(sed -n 's/^h == avg [0-9-]* count \([0-9]*\) .*/\1/p; s/^h\[\] == avg [0-9-]* count \([0-9]*\) .*/\1/p' <<<"$out" | head -1)
  mapfile -t all < <(lg_counts)
  # Reports printed before the load and after the reset bound the hits
  # from above; reports printed while armed, from below.
  local before=${all[n0 - 1]} after=${all[n3]} first=${all[n1]:-} last=${all[n2 - 1]:-}
  local lo=0
  (( n2 > n1 + 1 )) && lo=$((last - first))
  echo "linux-guest: getpid hits=$hits; lgworker reported $before before the load, $after after the reset; $first..$last while armed"
  if [[ -n $hits ]] && (( hits >= lo && hits <= after - before && hits > 0 && n2 > n1 + 1 )); then
    pass getpid-probe
  else
    fail getpid-probe "hits=$hits, want $lo..$((after - before)) (reports $before, $first..$last, $after): $out"
  fi
}

# lg_disk: lgworker's reports so far, "DISKWRITES DISKREADS DISKERRORS".
lg_disk() { serial | sed -n 's/^lgworker: getpid=.* diskwrites=\([0-9]*\) diskreads=\([0-9]*\) diskerrors=\([0-9]*\).*$/\1 \2 \3/p'; }

# The guest found the disk, and lgworker wrote blocks and read each back
# with what it wrote (through the device: O_DIRECT), with no error.
case_virtio-disk() {
  local last
  wait_lg_lines 2
  last=$(lg_disk | tail -1)
  echo "$(serial | grep -m1 "^linux-guest: .*disk") (diskwrites diskreads diskerrors: $last); the kernel's (quiet) lines on PCI/virtio: $(serial | grep -iE 'pci|virtio|vda' | grep -v '^linux-guest' | head -6 | tr '\n' '|')"
  if serial | grep -q '^linux-guest: disk /dev/vda 32768 sectors' &&
     [[ $last =~ ^[1-9][0-9]*\ [1-9][0-9]*\ 0$ ]]; then
    pass virtio-disk
  else
    fail virtio-disk "disk line: '$(serial | grep -m1 '^linux-guest: .*disk')', lgworker's disk counts: '$last'; kernel says: $(serial | grep -iE 'virtio|vda|pci' | tail -8 | tr '\n' '|')"
  fi
}

# Disk_IOStart/Disk_IOFinish for 6 s: each finish matches the start just
# before it (ioId, sector, count, direction: the disk serves one request
# at a time on its thread, where both probes fire, so integers, which are
# per thread in VP, hold the open one; a request already running at the
# load makes at most one unpaired finish), every request is lgworker's 4 KiB
# (8 sectors, one buffer: ARG7 1) on the virtio adapter (ARG0 0x56), and
# the reads and writes seen lie between what lgworker reported while the
# script was armed (a lower bound) and what it reported from the last line
# before the load to the first after the unload (an upper bound). Its
# O_DIRECT transfers are synchronous, one request each: none merge.
case_disk-probes() {
  armed_window disk-probes '(definteger id) (definteger sec) (definteger cnt) (definteger rd)
    (defaggr n 0 1) (defaggr shape 3 0)
    (vprobe Disk_IOStart (aggr n () ((cond (ARG3 "rstart") (1 "wstart"))) 1)
      (setint id ARG4) (setint sec ARG5) (setint cnt ARG6) (setint rd ARG3))
    (vprobe Disk_IOFinish (aggr shape (ARG0 ARG6 ARG7) () 1)
      (cond ((&& (== id ARG4) (== sec ARG5) (== cnt ARG6) (== rd ARG3))
             (aggr n () ((cond (ARG3 "rpair") (1 "wpair"))) 1))
            (1 (aggr n () ("bad") 1))))
    (vprobe VMXUnload (logaggr n) (logaggr shape) (printf "END\n"))' || return
  local n0=$N0 n1=$N1 n2=$N2 n3=$N3 out=$OUT all
  mapfile -t all < <(lg_disk)
  count() { sed -n "s/^n\[\"$1\"\] == avg 1 count \([0-9]*\) .*/\1/p" <<<"$out" | head -1; }
  local rs ws rp wp bad shapes
  rs=$(count rstart); ws=$(count wstart); rp=$(count rpair); wp=$(count wpair); bad=$(count bad)
  shapes=$(grep -c '^shape\[' <<<"$out"); local good_shape=$(grep -c '^shape\[0x56, *0x8, *0x1\]' <<<"$out")
  # Totals before the load, after the reset, first and last while armed.
  local b=(${all[n0 - 1]}) a=(${all[n3]}) f=(${all[n1]:-0 0 0}) l=(${all[n2 - 1]:-0 0 0})
  local wlo=0 rlo=0
  (( n2 > n1 + 1 )) && { wlo=$((l[0] - f[0])); rlo=$((l[1] - f[1])); }
  local whi=$((a[0] - b[0])) rhi=$((a[1] - b[1]))
  echo "linux-guest: Disk_IOStart reads=$rs writes=$ws, paired reads=$rp writes=$wp, unpaired=${bad:-0}; lgworker: reads $rlo..$rhi writes $wlo..$whi while armed; $(grep '^shape' <<<"$out" | tr '\n' ' ')"
  if [[ -n $rs && -n $ws && -n $rp && -n $wp ]] && (( rp > 0 && wp > 0 && ${bad:-0} <= 1 &&
        rs >= rp && rs <= rp + 1 && ws >= wp && ws <= wp + 1 &&
        rs >= rlo && rs <= rhi && ws >= wlo && ws <= whi && shapes == 1 && good_shape == 1 )); then
    pass disk-probes
  else
    fail disk-probes "starts r=$rs w=$ws pairs r=$rp w=$wp bad=$bad, want reads $rlo..$rhi writes $wlo..$whi, one shape (0x56, 8 sectors, 1 buffer): $out"
  fi
}

# lg_ping: lgworker's reports so far, "PINGSENT PINGRECV".
lg_ping() { serial | sed -n 's/^lgworker: .* pingsent=\([0-9]*\) pingrecv=\([0-9]*\).*/\1 \2/p'; }
lg_forks() { serial | sed -n 's/^lgworker: .* forks=\([0-9]*\).*/\1/p'; }

# MAC_SendPacket/MAC_ReceivePacket for 6 s, each frame sorted by its
# bytes, read with getguestphys at ARG2 (our extension: the frame's
# guest-physical address; ARG1 its length): lgworker's ICMP echo requests
# (98 bytes: Ethernet, IPv4, ICMP type 8) sent and echo replies (type 0)
# received from slirp's gateway. The requests seen lie between what
# lgworker reported sending while armed and what it reported from the
# last line before the load to the first after the unload (the same
# bounds as disk-probes); replies are > 0 and at most one more than it
# reported receiving in the wider window (one may be in guest memory, not
# yet read, at the reset). Other frames (ARP, the kernel's IPv6
# solicitations) are counted apart and not compared. ARG0 is 0 (ethernet0).
case_net-probes() {
  armed_window net-probes '(defaggr n 0 1)
    (vprobe MAC_SendPacket (aggr n () ((cond
      ((&& (== ARG0 0) (== ARG1 98) (== (& (getguestphys (+ ARG2 12)) 0xffff) 0x8)
           (== (& (>> (getguestphys (+ ARG2 16)) 56) 0xff) 1)
           (== (& (>> (getguestphys (+ ARG2 32)) 16) 0xff) 8)) "echoreq")
      (1 "othersend"))) 1))
    (vprobe MAC_ReceivePacket (aggr n () ((cond
      ((&& (== ARG0 0) (== ARG1 98) (== (& (getguestphys (+ ARG2 12)) 0xffff) 0x8)
           (== (& (>> (getguestphys (+ ARG2 16)) 56) 0xff) 1)
           (== (& (>> (getguestphys (+ ARG2 32)) 16) 0xff) 0)) "echorep")
      (1 "otherrecv"))) 1))
    (vprobe VMXUnload (logaggr n) (printf "END\n"))' || return
  local n0=$N0 n1=$N1 n2=$N2 n3=$N3 out=$OUT all
  mapfile -t all < <(lg_ping)
  count() { sed -n "s/^n\[\"$1\"\] == avg 1 count \([0-9]*\) .*/\1/p" <<<"$out" | head -1; }
  local req rep os orc
  req=$(count echoreq); rep=$(count echorep); os=$(count othersend); orc=$(count otherrecv)
  local b=(${all[n0 - 1]:-0 0}) a=(${all[n3]:-0 0}) f=(${all[n1]:-0 0}) l=(${all[n2 - 1]:-0 0})
  local slo=0
  (( n2 > n1 + 1 )) && slo=$((l[0] - f[0]))
  local shi=$((a[0] - b[0])) rhi=$((a[1] - b[1]))
  echo "$(serial | grep -m1 '^linux-guest: .*network'); MAC_SendPacket echo requests=$req other=${os:-0}, MAC_ReceivePacket echo replies=$rep other=${orc:-0}; lgworker: sent $slo..$shi, received up to $rhi while armed"
  if [[ -n $req && -n $rep ]] && (( req > 0 && req >= slo && req <= shi && rep > 0 && rep <= rhi + 1 )); then
    pass net-probes
  else
    fail net-probes "echo requests=$req want $slo..$shi, replies=$rep want 1..$((rhi + 1)): $out; lgworker: $(serial | grep '^lgworker' | tail -2 | tr '\n' '|'); kernel: $(serial | grep -iE 'virtio|eth0|net' | tail -5 | tr '\n' '|')"
  fi
}

# Guest_CR3Write on a kernel without an image: the monitor finds the mov
# cr3s in the kernel text that the guest's own symbols (vprobe.guestSyms)
# delimit. lgworker forks a child each round: the switches to it and back
# load CR3, so the probe fires at least once per fork lgworker reports,
# and not wildly more (other address-space switches are rare here).
case_cr3-writes() {
  armed_window cr3-writes '(defaggr w 0 1)
    (vprobe Guest_CR3Write (aggr w () ((cond ((== (& ARG0 0xfffffffffff000) (& CR3 0xfffffffffff000)) "same") (1 "other"))) 1))
    (vprobe VMXUnload (logaggr w) (printf "END\n"))' || return
  local n0=$N0 n1=$N1 n2=$N2 n3=$N3 out=$OUT all msg=$MSG
  mapfile -t all < <(lg_forks)
  count() { sed -n "s/^w\[\"$1\"\] == avg 1 count \([0-9]*\) .*/\1/p" <<<"$out" | head -1; }
  local other=$(count other) same=$(count same)
  other=${other:-0} same=${same:-0}
  local lo=0 hi=$(( ${all[n3]:-0} - ${all[n0 - 1]:-0} ))
  (( n2 > n1 + 1 )) && lo=$(( ${all[n2 - 1]:-0} - ${all[n1]:-0} ))
  echo "linux-guest: Guest_CR3Write: $(grep -o 'Guest_CR3Write: [^|]*' <<<"$msg" | head -1); fired $((other + same)) times ($other to another address space, $same reloads); lgworker forked $lo..$hi times while armed"
  if (( other > 0 && other >= lo && other + same <= 5 * hi + 150 )) && [[ $msg != *"never fires"* ]]; then
    pass cr3-writes
  else
    fail cr3-writes "fired other=$other same=$same, forks $lo..$hi: $msg | $out"
  fi
}

# SMM_* on the Linux platform: valid VP, no SMI source here; the load
# says so and the script still runs.
case_smm-warns() {
  local msg
  msg=$("$VMRUN" vprobeLoad "$VM" '(vprobe SMM_SMIPre 1) (vprobe VMXUnload (printf "END\n"))' 2>&1) ||
    { fail smm-warns "load refused: $msg"; return; }
  "$VMRUN" vprobeReset "$VM" >/dev/null 2>&1
  if [[ $msg == *"probe SMM_SMIPre is valid VP but this monitor never fires it here: this VM's platform has no SMI source"* ]]; then
    pass smm-warns
  else
    fail smm-warns "load said: $msg"
  fi
}

case_text-restored() {
  local after
  after=$(text_bytes)
  if [[ -n $TEXT_BEFORE && $after == "$TEXT_BEFORE" ]]; then pass text-restored
  else fail text-restored "kernel text at $ADDR before: '$TEXT_BEFORE', after unload: '$after'"; fi
}

# cookbook SCRIPT SECONDS: the Linux cookbook script's output, run as its
# header says (vprobe -d, -s the fetched symbols).
cookbook() {
  "$VPROBE" -d "$2" -s "$KSYMS" "$VM" "$VMSUITE_ROOT/cookbook/$1.emt" 2>&1
}

PROCNAME_OUT=""
case_procname() {
  local out
  out=$(cookbook linux-procname 3)
  PROCNAME_OUT=$out
  # One line per sample; lgworker's carry its pid (the same in each, unless
  # it restarted), the idle task's pid 0.
  local lg=$(grep -cE '^[1-9][0-9]* lgworker$' <<<"$out") all=$(grep -cE '^[0-9]+ [^ ]' <<<"$out")
  echo "linux-guest: linux-procname: $all samples, $lg of lgworker ($(grep -m1 ' lgworker$' <<<"$out")), $(grep -c '^0 swapper/0$' <<<"$out") idle"
  if (( lg > 0 && all >= 10 )); then pass procname
  else fail procname "$(head -c 600 <<<"$out" | tr '\n' '|')"; fi
}

# lgworker's pid in a procname output: the one with the most samples.
lgworker_pid() { grep -E '^[1-9][0-9]* lgworker$' <<<"$1" | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }'; }

# linux-procname-types.emt: the same sampler with task_struct's layout
# from the BTF the guest exported (fetched by case symbols), made into a
# database as the script's header says. It names lgworker with the pid
# linux-procname.emt (offsets) found, and every process both sampled
# (pid 0 aside: each vCPU's idle task has it) with the same name.
case_procname-types() {
  local db=$WORK/linux/vmlinux.symdb out t0 made lg want all differ
  [[ -n $PROCNAME_OUT ]] || PROCNAME_OUT=$(cookbook linux-procname 3)
  t0=$(date +%s.%N)
  if ! out=$("$SYMDB" "$KSYMS.btf" -n vmlinux -o "$db" 2>&1); then
    fail procname-types "emmett-symdb $KSYMS.btf: $out"; return
  fi
  made=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  out=$("$VPROBE" -d 3 -s "$KSYMS" -T "$db" "$VM" "$VMSUITE_ROOT/cookbook/linux-procname-types.emt" 2>&1)
  lg=$(lgworker_pid "$out") want=$(lgworker_pid "$PROCNAME_OUT")
  all=$(grep -cE '^[0-9]+ [^ ]' <<<"$out")
  differ=$(awk 'NR == FNR { name[$1] = $2; next } $1 != 0 && ($1 in name) && name[$1] != $2' \
             <(grep -E '^[0-9]+ [^ ]+$' <<<"$PROCNAME_OUT" | sort -u) <(grep -E '^[0-9]+ [^ ]+$' <<<"$out" | sort -u))
  echo "linux-guest: linux-procname-types: the BTF ($(stat -c %s "$KSYMS.btf") bytes) into a database of $(grep -c '^type ' "$db") types in $made s; $all samples, lgworker's pid $lg (linux-procname.emt: $want); sampled: $(grep -E '^[0-9]+ [^ ]+$' <<<"$out" | sort -u | tr '\n' ' ' | head -c 300)"
  if [[ -n $lg && $lg == "$want" && -z $differ ]] && (( all >= 10 )); then
    pass procname-types
  else
    fail procname-types "lgworker $lg (offsets: $want), named differently: $(tr '\n' '|' <<<"$differ"); $(head -c 600 <<<"$out" | tr '\n' '|')"
  fi
}

# top_row OUTPUT: the name in the last printa row (the busiest).
top_row() { grep -E "$2" <<<"$1" | tail -1 | awk "{ print \$$3 }"; }

case_syscalls() {
  local out
  out=$(cookbook linux-syscalls 3)
  local top=$(top_row "$out" '^ *[0-9]+ +[0-9]+ [^ ]+ +[a-z_]+ +[0-9]+ ' 3)
  echo "linux-guest: linux-syscalls, the busiest rows: $(grep -E '^ *[0-9]+ +[0-9]+ ' <<<"$out" | tail -3 | tr -s ' ' | tr '\n' '|')"
  if [[ $top == lgworker ]] && grep -qE ' lgworker +getpid ' <<<"$out"; then pass syscalls
  else fail syscalls "top '$top': $(head -c 800 <<<"$out" | tr '\n' '|')"; fi
}

case_top() {
  local out
  out=$(cookbook linux-top 3)
  local rows='^ *[0-9]+ [^ ]+ +[0-9]+ +[0-9.]+%'
  local top=$(top_row "$out" "$rows" 2)
  echo "linux-guest: linux-top: $(grep '^idle' <<<"$out"); the busiest: $(grep -E "$rows" <<<"$out" | tail -3 | tr -s ' ' | tr '\n' '|')"
  # The shares of the processes add up to 100% (rounding aside).
  local total=$(grep -E "$rows" <<<"$out" | awk '{ sub("%", "", $4); s += $4 } END { print int(s + 0.5) }')
  if [[ $top == lgworker ]] && (( total >= 99 && total <= 101 )); then pass top
  else fail top "top '$top', shares sum ${total}%: $(head -c 800 <<<"$out" | tr '\n' '|')"; fi
}

case_kstack() {
  local out named
  out=$(cookbook linux-kstack 3)
  named=$("$VMSUITE_ROOT/cookbook/ksymbolize" "$KSYMS" <<<"$out")
  echo "linux-guest: linux-kstack, lgworker's first stack: $(grep -m1 ' lgworker ' <<<"$named")"
  # lgworker writes through write(2): vfs_write called from ksys_write,
  # itself under the system call entry.
  if grep -qE '^[0-9]+ lgworker vfs_write\+0x0 <- ksys_write\+0x[0-9a-f]+ <- .*do_syscall_64\+0x' <<<"$named"; then
    pass kstack
  else
    fail kstack "$(head -c 800 <<<"$named" | tr '\n' '|')"
  fi
}

run_cases
"$VMRUN" stop "$VM" >/dev/null 2>&1
