#!/usr/bin/env bash
# End-to-end tests of the stock Linux guest (guests/linux): Debian's kernel
# boots in the monitor to its init's "linux-guest: ready", lgworker runs,
# a GUEST: probe on the kernel's getpid handler (address from the guest's
# /proc/kallsyms, printed by its init) counts what lgworker reports, and
# the kernel's text is unchanged after the unload; lgworker's reads and
# writes on the virtio disk /dev/vda show up as Disk_IOStart/Disk_IOFinish
# pairs, as many as it reports; its ICMP echoes to the slirp gateway over
# the virtio network adapter show up as MAC_SendPacket/MAC_ReceivePacket,
# as many as it reports. Needs KVM: without
# /dev/kvm, tests/run-all runs it under tests/nested-kvm/run.
# needs: kvm
set -u
cd "$(dirname "$0")/../.."
. tests/lib/vm-suite.sh
LG=$VMSUITE_ROOT/guests/linux
if [[ ! -f $LG/out/vmlinuz || ! -f $LG/out/initrd.cpio.gz ]]; then
  for c in boots lgworker getpid-probe text-restored virtio-disk disk-probes net-probes; do
    echo "SKIP: linux-guest $c (guests/linux not built: apt could not download Debian's packages)"
  done
  exit 0
fi
suite_begin linux-guest boots lgworker getpid-probe text-restored virtio-disk disk-probes net-probes
# Under nested emulation the boot takes tens of seconds: the budget is
# generous, the time it took is printed.
BOOT_LIMIT=${LINUX_GUEST_BOOT_LIMIT:-150}

mkdir -p "$WORK/linux"
VM=$WORK/linux/linux.vmx
sed -e "s|^guest.kernel = .*|guest.kernel = \"$LG/out/vmlinuz\"|" \
    -e "s|^guest.initrd = .*|guest.initrd = \"$LG/out/initrd.cpio.gz\"|" "$LG/linux.vmx" > "$VM"
SERIAL=$WORK/linux/serial.log
# serial: the console so far, without the tty's carriage returns.
serial() { tr -d '\r' < "$SERIAL"; }

t0=$(date +%s.%N)
"$VMRUN" start "$VM" >/dev/null || { for c in "${CASES[@]}"; do fail "$c" "vmrun start failed"; done; exit 1; }
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

ADDR=$(serial | sed -n 's/^linux-guest: symbol \([0-9a-f]*\) __x64_sys_getpid$/0x\1/p' | head -1)

# text_bytes: 16 bytes at ADDR as the guest sees them, read by a script.
text_bytes() {
  run_script "$VM" 0.2 "(vprobe VMMLoad (printf \"text %x %x\n\" (getguest $ADDR) (getguest (+ $ADDR 8))))
    (vprobe VMXUnload (printf \"END\n\"))" | sed -n 's/^text //p'
}

TEXT_BEFORE=""
case_getpid-probe() {
  if [[ -z $ADDR ]]; then fail getpid-probe "the guest printed no __x64_sys_getpid address"; return; fi
  TEXT_BEFORE=$(text_bytes)
  wait_lg_lines 2
  local n0 n1 n2 n3 out hits all
  n0=$(lg_counts | wc -l)
  "$VMRUN" vprobeLoad "$VM" "(defaggr h 0 0) (vprobe GUEST:$ADDR (aggr h () () 1))
    (vprobe VMXUnload (logaggr h) (printf \"END\n\"))" || { fail getpid-probe "load refused"; return; }
  n1=$(lg_counts | wc -l)
  local from=$(stat -c %s "${VM%/*}/vprobe.out")
  sleep 6
  n2=$(lg_counts | wc -l)
  "$VMRUN" vprobeReset "$VM" || { fail getpid-probe "reset failed"; return; }
  n3=$(lg_counts | wc -l)
  for _ in $(seq 100); do
    tail -c +$((from + 1)) "${VM%/*}/vprobe.out" | grep -q '^END$' && break; sleep 0.1
  done
  out=$(tail -c +$((from + 1)) "${VM%/*}/vprobe.out")
  hits=$(sed -n 's/^h == avg [0-9-]* count \([0-9]*\) .*/\1/p; s/^h\[\] == avg [0-9-]* count \([0-9]*\) .*/\1/p' <<<"$out" | head -1)
  wait_lg_lines $((n3 + 1))
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
  wait_lg_lines 2
  local n0 n1 n2 n3 out all from
  n0=$(lg_counts | wc -l)
  from=$(stat -c %s "${VM%/*}/vprobe.out")
  "$VMRUN" vprobeLoad "$VM" '(definteger id) (definteger sec) (definteger cnt) (definteger rd)
    (defaggr n 0 1) (defaggr shape 3 0)
    (vprobe Disk_IOStart (aggr n () ((cond (ARG3 "rstart") (1 "wstart"))) 1)
      (setint id ARG4) (setint sec ARG5) (setint cnt ARG6) (setint rd ARG3))
    (vprobe Disk_IOFinish (aggr shape (ARG0 ARG6 ARG7) () 1)
      (cond ((&& (== id ARG4) (== sec ARG5) (== cnt ARG6) (== rd ARG3))
             (aggr n () ((cond (ARG3 "rpair") (1 "wpair"))) 1))
            (1 (aggr n () ("bad") 1))))
    (vprobe VMXUnload (logaggr n) (logaggr shape) (printf "END\n"))' || { fail disk-probes "load refused"; return; }
  n1=$(lg_counts | wc -l)
  sleep 6
  n2=$(lg_counts | wc -l)
  "$VMRUN" vprobeReset "$VM" || { fail disk-probes "reset failed"; return; }
  n3=$(lg_counts | wc -l)
  for _ in $(seq 100); do
    tail -c +$((from + 1)) "${VM%/*}/vprobe.out" | grep -q '^END$' && break; sleep 0.1
  done
  out=$(tail -c +$((from + 1)) "${VM%/*}/vprobe.out")
  wait_lg_lines $((n3 + 1))
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
lg_ping() { serial | sed -n 's/^lgworker: .* pingsent=\([0-9]*\) pingrecv=\([0-9]*\)$/\1 \2/p'; }

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
  wait_lg_lines 2
  local n0 n1 n2 n3 out all from
  n0=$(lg_counts | wc -l)
  from=$(stat -c %s "${VM%/*}/vprobe.out")
  "$VMRUN" vprobeLoad "$VM" '(defaggr n 0 1)
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
    (vprobe VMXUnload (logaggr n) (printf "END\n"))' || { fail net-probes "load refused"; return; }
  n1=$(lg_counts | wc -l)
  sleep 6
  n2=$(lg_counts | wc -l)
  "$VMRUN" vprobeReset "$VM" || { fail net-probes "reset failed"; return; }
  n3=$(lg_counts | wc -l)
  for _ in $(seq 100); do
    tail -c +$((from + 1)) "${VM%/*}/vprobe.out" | grep -q '^END$' && break; sleep 0.1
  done
  out=$(tail -c +$((from + 1)) "${VM%/*}/vprobe.out")
  wait_lg_lines $((n3 + 1))
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

case_text-restored() {
  local after
  after=$(text_bytes)
  if [[ -n $TEXT_BEFORE && $after == "$TEXT_BEFORE" ]]; then pass text-restored
  else fail text-restored "kernel text at $ADDR before: '$TEXT_BEFORE', after unload: '$after'"; fi
}

run_cases
"$VMRUN" stop "$VM" >/dev/null 2>&1
