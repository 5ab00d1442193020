#!/usr/bin/env bash
# What vprobe does without a VM: usage errors, an Emmett error reported at
# its position before any VM is asked, a VM that is not running, listing a
# symbol database (-l -T). The cases with the demo VM are in vprobe.sh.
set -u
cd "$(dirname "$0")/../.."
BIN=$PWD/${BUILD:-build}/bin
VPROBE=$BIN/vprobe
if [[ ! -x $VPROBE ]]; then
  echo "FAIL: vprobe-built ($VPROBE is missing)"
  exit 1
fi
WORK=$(mktemp -d /tmp/vprobe-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export VPROBE_RUNTIME_DIR=$WORK/run VPROBE_HOST_CONFIG=$WORK/host.cfg
mkdir -m 700 "$VPROBE_RUNTIME_DIR"
echo 'vprobe.allow = "TRUE"' > "$VPROBE_HOST_CONFIG"

pass() { echo "PASS: vprobe $1"; }
fail() { echo "FAIL: vprobe $1: $2"; }

# new_vm NAME: a copy of the demo VM's .vmx in $WORK/NAME (never started).
new_vm() {
  mkdir -p "$WORK/$1"
  cp guests/demo/demo.vmx "$WORK/$1/demo.vmx"
  echo "$WORK/$1/demo.vmx"
}

# vp RUN-ARGS...: runs vprobe; OUT, ERR, RC hold what it did.
OUT=; ERR=; RC=
vp() {
  "$VPROBE" "$@" > "$WORK/out" 2> "$WORK/err"; RC=$?
  OUT=$(cat "$WORK/out"); ERR=$(cat "$WORK/err")
}

case_usage() {
  local problems=""
  vp; [[ $RC == 1 && $ERR == *"no virtual machine given"*"usage: vprobe"* ]] || problems+=" no-args($RC:$ERR)"
  vp x.vmx; [[ $RC == 1 && $ERR == *"no script given"* ]] || problems+=" no-script($ERR)"
  vp -c 'VMM1Hz {}' x.vmx f.emt; [[ $RC == 1 && $ERR == *"not both"* ]] || problems+=" code-and-file($ERR)"
  vp -d 0 -c 'VMM1Hz {}' x.vmx; [[ $RC == 1 && $ERR == *"-d expects a number of seconds"* ]] || problems+=" d0($ERR)"
  vp -d 1x -c 'VMM1Hz {}' x.vmx; [[ $RC == 1 && $ERR == *"not '1x'"* ]] || problems+=" d1x($ERR)"
  vp -i -s s.syms x.vmx f.vp; [[ $RC == 1 && $ERR == *"with -i the script is VP"* ]] || problems+=" i-s($ERR)"
  vp -l -d 1 x.vmx; [[ $RC == 1 && $ERR == *"-l lists the probe points"* ]] || problems+=" l-d($ERR)"
  vp -q x.vmx f.emt; [[ $RC == 1 && $ERR == *"unknown option '-q'"* ]] || problems+=" unknown($ERR)"
  vp --help; [[ $RC == 0 && $OUT == "usage: vprobe"* && -z $ERR ]] || problems+=" help($RC)"
  [[ -z $problems ]] && pass usage || fail usage "$problems"
}

case_emmett-error() {
  # Reported by emmett, at the Emmett position, before any VM is asked:
  # the VM named here does not even exist.
  vp -c 'HV_Exit { x = ; }' "$WORK/nowhere.vmx"
  [[ $RC == 1 && $ERR == "<command line>:1:15: error: expected an expression"* && -z $OUT ]] &&
    pass emmett-error || fail emmett-error "rc=$RC err=$ERR"
}

case_stack-files() {
  # --folded and --flamegraph: a file is needed, -l takes neither, -s is
  # taken with -i for them; a malformed -s file is an error before any VM
  # is asked (the VM here is not running).
  local problems="" off; off=$(new_vm off-stacks)
  vp --folded; [[ $RC == 1 && $ERR == *"option --folded needs a file name"* ]] || problems+=" no-file($ERR)"
  vp --flamegraph= -c 'VMM1Hz {}' x.vmx
  [[ $RC == 1 && $ERR == *"option --flamegraph needs a file name"* ]] || problems+=" empty-file($ERR)"
  vp -l --folded f x.vmx; [[ $RC == 1 && $ERR == *"-l lists the probe points"* ]] || problems+=" l($ERR)"
  printf '(vprobe VMM1Hz (logint 1))\n' > "$WORK/one.vp"
  vp -i -s guests/demo/demo.syms --folded "$WORK/f" "$off" "$WORK/one.vp"
  [[ $RC == 1 && $ERR == "vprobe: error: The virtual machine is not powered on: $off" ]] || problems+=" i-s($ERR)"
  printf 'not a symbol line\n' > "$WORK/bad.syms"
  vp -i -s "$WORK/bad.syms" --flamegraph="$WORK/g.svg" "$off" "$WORK/one.vp"
  [[ $RC == 1 && $ERR == "vprobe: error: $WORK/bad.syms:1: malformed symbol line"* ]] || problems+=" bad-syms($ERR)"
  [[ ! -e $WORK/f && ! -e $WORK/g.svg ]] || problems+=" files-written"
  [[ -z $problems ]] && pass stack-files || fail stack-files "$problems"
}

case_not-running() {
  local off; off=$(new_vm off)
  vp -d 1 -c 'VMM1Hz { logint(1); }' "$off"
  [[ $RC == 1 && $ERR == "vprobe: error: The virtual machine is not powered on: $off" ]] &&
    pass not-running || fail not-running "rc=$RC err=$ERR"
}

for c in "${NOVM_CASES[@]}"; do "case_$c"; done

case_list-symbols() {
  # -l -T lists the symbol database (no VM): the same entries as
  # emmett-symdb -l, lines with the addresses a line probe there probes.
  local db=guests/demo/demo.symdb problems=""
  if [[ ! -f $db ]]; then
    echo "SKIP: vprobe list-symbols ($db is missing: make guest)"
    return
  fi
  vp -l -T "$db" 'sys_*'
  [[ $RC == 0 && $OUT == "$("$BIN/emmett-symdb" -l 'sys_*' "$db")" ]] && grep -qx 'func sys_munmap' <<<"$OUT" ||
    problems+=" funcs($RC:$ERR)"
  vp -l -T "$db" 'mm.c:115'
  [[ $RC == 0 && $OUT == "line "*"kernel/mm.c:115 0x"* ]] || problems+=" line($OUT)"
  vp -l -v -T "$db" -T other="$db" 'percpu'
  [[ $RC == 0 && $OUT == "demo struct percpu ("*"other struct percpu ("* ]] || problems+=" two-dbs($OUT)"
  vp -l -T "$db" x.vmx; [[ $RC == 1 && $ERR == *"not a pattern"* ]] || problems+=" vmx-word($ERR)"
  vp -l -v x.vmx; [[ $RC == 1 && $ERR == *"-v is for listing a symbol database"* ]] || problems+=" v-without-T($ERR)"
  vp -l -T "$WORK/none.symdb"; [[ $RC == 1 && $ERR == *"none.symdb: error: cannot read the file" ]] || problems+=" missing($ERR)"
  [[ -z $problems ]] && pass list-symbols || fail list-symbols "$problems"
}

for c in usage emmett-error stack-files not-running list-symbols; do "case_$c"; done
