#!/usr/bin/env bash
# Soak and fault tests of the monitor (issue 15 item 2): a script can never
# hurt the VM it observes, nor can a client or the files around it.
#
# One demo VM runs a guest that checks itself (caller, poker, pager,
# disker, porter, mmioer: every result verified, reported on the serial
# port) while this suite
#   - loads and unloads a script using every probe kind the demo VM has
#     (VMM/VMX load and unload, periodic VMM and VMX, USEC, HV_Exit,
#     HV_Resume, HV_NPF, In, Out, Guest_IRQ, exception probes,
#     Guest_CR3Write, GUEST:, GUEST_READ:, GUEST_WRITE:, Disk_*), half the
#     time replacing the running script; every unload's output must arrive,
#     and every kind must fire in the cycles that dwell;
#   - kills vmrun clients at random points of their requests, several at
#     once, and leaves clients connected that never send, send half a
#     request, or vanish before the reply; requests that were acknowledged
#     must have happened;
#   - deletes, moves and fills up (a small tmpfs, where it can mount one)
#     vprobe.out under a printing script: nothing lost but what the
#     reference allows (a deleted file's lines), drops counted and said;
#   - finally kills the VM process with SIGKILL: the lock frees, `vmrun
#     list` and `start` recover.
# Then the guest's code is compared with demo.elf, the guest's own counters
# must have advanced with no check failed, and the VM process's RSS must not
# have grown by more than SOAK_RSS_BOUND_KB (default 4096) between the end
# of the warm-up cycles and the end.
#
# Short form (tests/run-all): SOAK_CYCLES (default 16) cycles, one round of
# faults. Long form (`make soak`, tests/soak): SOAK_MINUTES=N repeats rounds
# (50 cycles and every fault each) until N minutes have passed and at least
# SOAK_CYCLES (there 1000) cycles ran. Ends with one "soak:" line of figures.
# needs: kvm
set -u
cd "$(dirname "$0")/../.."
. tests/lib/vm-suite.sh
. tests/lib/guest-code.sh
. tests/lib/run-check.sh
suite_begin soak load-cycles probe-kinds-fired unload-output-complete clients-killed \
  acknowledged-kept silent-clients connection-flood output-moved output-deleted output-full \
  guest-self-checks code-unchanged rss-flat vm-killed-recovers

MINUTES=${SOAK_MINUTES:-0}
LONG=false; (( MINUTES > 0 )) && LONG=true
CYCLES_WANTED=${SOAK_CYCLES:-$($LONG && echo 1000 || echo 4)}
RSS_BOUND_KB=${SOAK_RSS_BOUND_KB:-4096}
BATCH=$($LONG && echo 50 || echo "$CYCLES_WANTED")
DEADLINE=$((SECONDS + MINUTES * 60))

# The output file lives on a small tmpfs where this user may mount one
# (root: the nested-KVM VM), so that output-full can fill it.
OUTFS=$WORK/outfs
if mkdir -p "$OUTFS" && mount -t tmpfs -o size=4m soak "$OUTFS" 2>/dev/null; then
  trap '"$VMRUN" stop "$VM" >/dev/null 2>&1; umount -l "$OUTFS"; suite_end' EXIT
  POUT=$OUTFS/vprobe.out
else
  POUT=""
fi
VM=$(new_vm main 'guest.cmdline = "procs=caller,poker,pager,disker,porter,mmioer"' \
  ${POUT:+"vprobe.outFile = \"$POUT\""})
DIR=${VM%/*}
POUT=${POUT:-$DIR/vprobe.out}
ERRF=$DIR/vprobe.err
SERIAL=$DIR/serial.log
start_vm "$VM" && sleep 1 ||
  { for c in "${CASES[@]}"; do fail "$c" "demo VM did not start"; done; exit 1; }

declare -A RESULT  # case -> problems found over all rounds ("" = none yet)
note() { RESULT[$1]+=" $2"; }
cycles=0 faults=0 killedClients=0 rssStart="" kindsSeen=" "

vmx_pid() { head -1 "$VM.lck" 2>/dev/null; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$(vmx_pid)/status" 2>/dev/null; }
stat_value() { "$VMRUN" vprobeStats "$VM" 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }
size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }

KCALL=$(sym kcall_target); UCALL=$(sym ucall_target)
POKE1=$(hexadd "$(sym poke_vars)" 8)
# Kinds that fire on this guest within a dwell; Guest_BP and
# Guest_TripleFault are loaded but never fire. (No NIC: MAC_*; no smier:
# SMM_*.)
KINDS="VMMLoad VMMUnload VMXLoad VMM1Hz VMM10Hz VMX1Hz USEC HV_Exit HV_Resume HV_NPF In Out
  Guest_IRQ Guest_PF Guest_CR3Write GUEST GUEST_WRITE GUEST_READ Disk_IOStart Disk_IOFinish"
count() { echo "(vprobe $1 (aggr k () (\"$2\") 1))"; }
all_kinds_script() {  # CYCLE
  local p s="(defaggr k 0 1)"
  for p in VMMLoad VMMUnload VMXLoad VMM1Hz VMM10Hz VMX1Hz HV_Exit HV_Resume HV_NPF In Out \
           Guest_IRQ Guest_PF Guest_BP Guest_TripleFault Guest_CR3Write Disk_IOStart Disk_IOFinish; do
    s+=" $(count "$p" "$p")"
  done
  s+=" $(count USEC:5000 USEC) $(count "GUEST:$KCALL" GUEST) $(count "GUEST:$UCALL" GUEST)"
  s+=" $(count "GUEST_WRITE:$POKE1" GUEST_WRITE) $(count "GUEST_READ:$POKE1" GUEST_READ)"
  echo "$s (vprobe VMXUnload (logaggr k) (printf \"END cycle $1\\n\"))"
}

# cycle N DWELL: load (replacing the running script three times in four,
# else after a reset); DWELL=true stays loaded long enough for the 1 Hz
# probes.
cycle() {
  local i=$1 dwell=$2
  "$VMRUN" vprobeLoad "$VM" "$(all_kinds_script "$i")" >/dev/null 2>"$WORK/load.err" ||
    { note load-cycles "load-$i($(head -c 200 "$WORK/load.err"))"; return; }
  $dwell && sleep 3
  (( i % 4 != 0 )) || "$VMRUN" vprobeReset "$VM" || note load-cycles "reset-$i-failed"
}

cycles_batch() {
  local n=$1 from=$(size_of "$POUT") first=$((cycles + 1)) i
  for ((i = first; i < first + n; i++)); do
    local dwell=false
    (( (i - first) % 10 == 9 || i == first + n - 1 )) && dwell=true
    cycle "$i" $dwell
    cycles=$i
    # The RSS baseline: after warm-up (allocators, caches, first JIT).
    (( i == 4 )) && [[ -z $rssStart ]] && rssStart=$(rss_kb)
  done
  "$VMRUN" vprobeReset "$VM" >/dev/null 2>&1
  local text missing k
  text=$(tail -c +$((from + 1)) "$POUT")
  # Every load's script was unloaded (by a reset or the next load) exactly
  # once, and its VMXUnload printed.
  missing=$(comm -3 <(seq "$first" "$cycles" | sort) \
                    <(sed -n 's/^END cycle \([0-9]*\)$/\1/p' <<<"$text" | sort))
  [[ -z $missing ]] || note unload-output-complete "cycles $first-$cycles: END lines missing or doubled: $(echo $missing | head -c 200)"
  for k in $(sed -En 's/^k\["([A-Za-z_0-9]+)"\] == avg 1 count [1-9].*/\1/p' <<<"$text"); do
    [[ $kindsSeen == *" $k "* ]] || kindsSeen+="$k "
  done
}

# raw_clients SECONDS MODE...: one process (perl starts slowly under
# emulation) holding one connection to the control socket per MODE: silent
# (connects, never sends), half (sends half a request), vanish (sends a
# whole request and closes before the reply). Once all are connected it
# makes $WORK/clients.up, then holds them SECONDS. It becomes perl: run
# it with `&` (start_clients does), so that $! is the process to kill.
raw_clients() {
  exec perl -MIO::Socket::UNIX -e '
    my ($path, $mark, $secs, @modes) = @ARGV;
    my @held;
    for my $mode (@modes) {
      my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $path) or die "connect $path: $!\n";
      if ($mode eq "vanish") { print $s "{\"type\":\"vprobeStats\"}\n"; close $s; next; }
      print $s "{\"type\":\"vprobe" if $mode eq "half";
      $s->flush; push @held, $s;
    }
    open(my $m, ">", $mark) and close $m;
    sleep $secs;' "$(sed -n 2p "$VM.lck")" "$WORK/clients.up" "$@"
}
# start_clients SECONDS MODE...: raw_clients in the background, its pid
# in $pid, once they are all connected (60 s at most).
start_clients() {
  local _
  rm -f "$WORK/clients.up"
  raw_clients "$@" &
  pid=$!
  for _ in $(seq 600); do [[ -f $WORK/clients.up ]] && return; sleep 0.1; done
}

clients_round() {
  local r=$1 pids=() j pid
  # Several clients at once, each killed at a random point of its request:
  # a moment within the first half of how long a load takes on this host
  # (milliseconds on hardware, seconds under emulation), so that most are
  # still running. The shell's "Killed" notices are not the suite's output.
  local t0 span load ms killed0=$killedClients
  load=$(all_kinds_script 0)
  t0=$(date +%s%N)
  "$VMRUN" vprobeLoad "$VM" "$load" >/dev/null 2>&1
  span=$(( ($(date +%s%N) - t0) / 2000000 + 1 ))
  {
    # Four loads (requests run one at a time, so most are still waiting
    # or loading when their moment comes) and two quick requests.
    for j in 1 2 3 4 5 6; do
      case $(( j <= 4 ? 0 : 1 + RANDOM % 3 )) in
        0) "$VMRUN" vprobeLoad "$VM" "$load" >/dev/null 2>&1 & ;;
        1) "$VMRUN" vprobeStats "$VM" >/dev/null 2>&1 & ;;
        2) "$VMRUN" vprobeListProbes "$VM" >/dev/null 2>&1 & ;;
        3) "$VMRUN" vprobeReset "$VM" >/dev/null 2>&1 & ;;
      esac
      pids+=("$(( (RANDOM * 32768 + RANDOM) % span )):$!")
    done
    t0=$(date +%s%N)
    for pid in $(printf '%s\n' "${pids[@]}" | sort -n); do
      ms=$(( ${pid%%:*} - ($(date +%s%N) - t0) / 1000000 ))
      (( ms > 0 )) && sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
      kill -9 "${pid#*:}" 2>/dev/null && killedClients=$((killedClients + 1))
    done
    wait
  } 2>/dev/null
  faults=$((faults + 6))
  (( killedClients > killed0 )) || note clients-killed "round $r: no client was still running when killed"
  "$VMRUN" vprobeStats "$VM" >/dev/null || note clients-killed "round $r: the VM stopped answering"

  # Requests that were acknowledged happened: 3 loads at once, each
  # printing its tag from VMXLoad, all answered, every tag in the file.
  for j in 1 2 3; do
    { "$VMRUN" vprobeLoad "$VM" "(vprobe VMXLoad (printf \"ack $r-$j\\n\"))" >/dev/null 2>"$WORK/ack$j.err"
      echo $? > "$WORK/ack$j.rc"; } &
  done
  wait
  "$VMRUN" vprobeReset "$VM" >/dev/null 2>&1
  for j in 1 2 3; do
    [[ $(cat "$WORK/ack$j.rc") == 0 ]] || { note acknowledged-kept "round $r: load $j: $(cat "$WORK/ack$j.err")"; continue; }
    grep -qx "ack $r-$j" "$POUT" || note acknowledged-kept "round $r: load $j acknowledged, its VMXLoad line missing"
  done

  # Clients that never send, send half, or vanish: others are served meanwhile.
  start_clients 120 silent half vanish vanish vanish vanish vanish
  if ! run_timed vprobeStats; then note silent-clients "round $r: vprobeStats beside silent clients: exit $RC: $ERR"
  elif ! kill -0 "$pid" 2>/dev/null; then note silent-clients "round $r: the silent clients were gone before the answer"
  fi
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  faults=$((faults + 7))

  # More connections than the VM serves: a clear refusal, then service
  # again once they close.
  start_clients 120 $(printf 'silent %.0s' $(seq 16))
  run_timed vprobeStats
  [[ $RC == 1 && $ERR == "Error: too many control connections; try again" ]] ||
    note connection-flood "round $r: 17th client: exit $RC: $ERR"
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  run_timed vprobeStats
  [[ $RC == 0 ]] || note connection-flood "round $r: after the flood: exit $RC: $ERR"
  faults=$((faults + 16))
}
run_timed() { run timeout 60 "$VMRUN" "$1" "$VM"; }

# The output files under a printing script: TAG N for N = 0, 1, ... from a
# VMX timer, "TAG-END count" from VMXUnload.
seq_script() {
  echo "(defshared n pervm) (vprobe USEC:10000 (printf \"$1 %d\\n\" (fetchadd n 1)))
    (vprobe VMXUnload (printf \"$1-END %d\\n\" n))"
}
# seq_complete TAG FILE...: every TAG line from 0 to TAG-END's count, once.
seq_complete() {
  local tag=$1; shift
  cat "$@" 2>/dev/null | awk -v t="$tag" '$1 == t { seen[$2]++ } $1 == t "-END" { n = $2; ends++ }
    END { if (ends != 1 || n < 1) exit 1; for (i = 0; i < n; i++) if (seen[i] != 1) exit 1
          for (k in seen) if (k + 0 >= n) exit 1 }'
}
load() { "$VMRUN" vprobeLoad "$VM" "$(seq_script "$1")" >/dev/null || note "$2" "load $1 refused"; }

# One printing script after another: A, its file deleted (A's lines go
# with it, as the reference says), B in the new file, its file moved
# (nothing lost: the moved file keeps B's lines until the next load), C,
# its file system filled up (C's lines dropped, counted, said), D once
# space is back.
files_round() {
  local r=$1 u0 u1 _ said0 err0
  u0=$(stat_value output.unwritten_lines)
  said0=$(grep -c "$POUT: cannot write: No space left on device" "$DIR/vmx.log")
  err0=$(grep -cE "^vprobe: [0-9]+ lines could not be written to $POUT \(No space left on device\)$" "$ERRF")
  load "A$r" output-deleted; sleep 0.5
  rm "$POUT"; sleep 0.5
  load "B$r" output-deleted; sleep 0.5
  [[ -f $POUT ]] && grep -q "^A$r-END " "$POUT" ||
    note output-deleted "round $r: no new file with the running script's unload line"
  mv "$POUT" "$POUT.moved"; sleep 0.5
  load "C$r" output-moved
  seq_complete "B$r" "$POUT.moved" "$POUT" ||
    note output-moved "round $r: lines of the script running when the file moved are missing"
  faults=$((faults + 2))
  if [[ $POUT == "$OUTFS"/* ]]; then
    cat /dev/zero > "$OUTFS/filler" 2>/dev/null
    # The last page of the file may still take a few lines.
    for _ in $(seq 60); do
      u1=$(stat_value output.unwritten_lines)
      [[ -n $u1 ]] && (( u1 > u0 )) && break
      sleep 0.5
    done
    [[ -n $u1 ]] && (( u1 > u0 )) || note output-full "round $r: unwritten_lines $u0 -> $u1 on a full file system"
    (( $(grep -c "$POUT: cannot write: No space left on device" "$DIR/vmx.log") > said0 )) ||
      note output-full "round $r: nothing in vmx.log about the full file system"
    [[ ! -s $POUT || $(tail -c 1 "$POUT" | od -An -c) == *'\n'* ]] ||
      note output-full "round $r: the file ends with part of a line"
    rm -f "$OUTFS/filler"
    faults=$((faults + 1))
  fi
  load "D$r" output-moved; sleep 0.5
  "$VMRUN" vprobeReset "$VM"
  seq_complete "D$r" "$POUT" || note output-moved "round $r: the next script's lines are not all in the file"
  if [[ $POUT == "$OUTFS"/* ]]; then
    (( $(grep -cE "^vprobe: [0-9]+ lines could not be written to $POUT \(No space left on device\)$" "$ERRF") > err0 )) ||
      note output-full "round $r: vprobe.err does not say what was dropped"
    grep -q "^C$r-END " "$POUT" || note output-full "round $r: the unload line of the script that met the full file system is missing"
  fi
  rm -f "$POUT.moved"
  : > "$POUT"  # the soak's own output must not fill the tmpfs
}

# The guest's own reports on the serial port.
guest_counts() {
  local p
  for p in 'caller: cpu 0 round .*: ok' 'caller: cpu 1 round .*: ok' 'poker: .*: ok' \
           'disker: wrote+verified' 'pager: ' 'porter: ' 'mmioer: '; do
    printf '%s ' "$(grep -c "^$p" "$SERIAL")"
  done
}
guest_bad() {
  grep -E 'BAD|killed|PANIC|triple' "$SERIAL" | head -3
  # mmioer reads all ones from the scratch MMIO page, every time.
  awk '/^mmioer: [0-9]+ reads/ { gsub(/[()]/, ""); if ($2 != $4) { print; exit } }' "$SERIAL"
}

vm_killed_recovers() {
  local pid=$(vmx_pid) problems="" _ boots
  progress "killing the VM process"
  boots=$(grep -c '^demo kernel:' "$SERIAL")
  kill -9 "$pid"
  for _ in $(seq 300); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
  run "$VMRUN" list
  [[ $RC == 0 && $OUT == "Total running VMs: 0" ]] || problems+=" list: $OUT $ERR;"
  run "$VMRUN" vprobeStats "$VM"
  [[ $RC == 1 && $ERR == "Error: The virtual machine is not powered on: $VM" ]] || problems+=" stats after kill: exit $RC: $ERR;"
  run "$VMRUN" start "$VM"
  [[ $RC == 0 ]] || problems+=" start after kill: exit $RC: $ERR;"
  run "$VMRUN" list
  [[ $OUT == "Total running VMs: 1"$'\n'"$VM" ]] || problems+=" list after restart: $OUT;"
  [[ $(vmx_pid) != "$pid" ]] || problems+=" same pid;"
  "$VMRUN" vprobeLoad "$VM" '(vprobe VMXLoad (printf "after restart\n"))' && "$VMRUN" vprobeReset "$VM" &&
    grep -qx 'after restart' "$POUT" || problems+=" no script ran after the restart;"
  for _ in $(seq 600); do (( $(grep -c '^demo kernel:' "$SERIAL") > boots )) && break; sleep 0.1; done
  (( $(grep -c '^demo kernel:' "$SERIAL") > boots )) || problems+=" the guest did not boot again;"
  progress "VM restarted"
  faults=$((faults + 1))
  [[ -z $problems ]] && pass vm-killed-recovers || fail vm-killed-recovers "$problems"
}

# The run: rounds of cycles and faults, then the final checks.
progress() { echo "soak: ${SECONDS}s: $*" >&2; }
progress "VM up"
counts0=$(guest_counts)
round=0
while :; do
  round=$((round + 1))
  cycles_batch "$BATCH"; progress "round $round: $cycles cycles"
  clients_round "$round"; progress "round $round: client faults"
  files_round "$round"; progress "round $round: output-file faults"
  $LONG || break
  (( SECONDS >= DEADLINE && cycles >= CYCLES_WANTED )) && break
  progress "round $round: $cycles cycles, $faults faults, RSS $(rss_kb) KiB"
done
rssEnd=$(rss_kb)

for c in load-cycles unload-output-complete clients-killed acknowledged-kept silent-clients \
         connection-flood output-moved output-deleted; do
  [[ -z ${RESULT[$c]:-} ]] && pass "$c" || fail "$c" "${RESULT[$c]}"
done
if [[ $POUT != "$OUTFS"/* ]]; then
  skip output-full "cannot mount a tmpfs here (not root); tests/run-all's nested-KVM VM can"
else
  [[ -z ${RESULT[output-full]:-} ]] && pass output-full || fail output-full "${RESULT[output-full]}"
fi
missingKinds=""
for k in $KINDS; do [[ $kindsSeen == *" $k "* ]] || missingKinds+=" $k"; done
[[ -z $missingKinds ]] && pass probe-kinds-fired || fail probe-kinds-fired "never fired:$missingKinds (fired:$kindsSeen)"

counts1=$(guest_counts)
bad=$(guest_bad)
stalled=$(paste <(tr ' ' '\n' <<<"$counts0") <(tr ' ' '\n' <<<"$counts1") | awk 'NF == 2 && $2 <= $1' | wc -l)
[[ -z $bad && $stalled == 0 ]] && pass guest-self-checks ||
  fail guest-self-checks "guest reports before: $counts0 after: $counts1; $bad"
progress "final checks"
why=$(code_matches_elf "$VM") && pass code-unchanged || fail code-unchanged "$why"
[[ -n $rssStart && -n $rssEnd ]] && (( rssEnd - rssStart <= RSS_BOUND_KB )) && pass rss-flat ||
  fail rss-flat "RSS ${rssStart:-?} KiB after warm-up, ${rssEnd:-?} KiB at the end (bound +$RSS_BOUND_KB KiB)"
progress "guest code checked"
lost=$(stat_value output.lost_lines); unwritten=$(stat_value output.unwritten_lines)
vm_killed_recovers
echo "soak: $cycles cycles in $((SECONDS / 60)) min $((SECONDS % 60)) s; VM process RSS ${rssStart:-?} KiB after warm-up," \
  "${rssEnd:-?} KiB at the end (bound +$RSS_BOUND_KB KiB); drops: ${lost:-?} lines lost to full buffers," \
  "${unwritten:-?} unwritten (full file system); faults survived: $faults ($killedClients clients killed mid-request)"
