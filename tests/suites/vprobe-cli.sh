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

# Usage errors exit 2 (docs/cli.md), saying what is wrong, the usage and
# what to type for the rest.
case_usage() {
  local problems=""
  vp; [[ $RC == 2 && $ERR == *"no virtual machine given"*"usage: vprobe"*"run 'vprobe --help'"* ]] || problems+=" no-args($RC:$ERR)"
  vp x.vmx; [[ $RC == 2 && $ERR == *"no script given"* ]] || problems+=" no-script($ERR)"
  vp -c 'VMM1Hz {}' x.vmx f.emt; [[ $RC == 2 && $ERR == *"not both"* ]] || problems+=" code-and-file($ERR)"
  vp -d 0 -c 'VMM1Hz {}' x.vmx; [[ $RC == 2 && $ERR == *"-d expects a number of seconds"* ]] || problems+=" d0($ERR)"
  vp -d 1x -c 'VMM1Hz {}' x.vmx; [[ $RC == 2 && $ERR == *"not '1x'"* ]] || problems+=" d1x($ERR)"
  vp -i -s s.syms x.vmx f.vp; [[ $RC == 2 && $ERR == *"with -i the script is VP"* ]] || problems+=" i-s($ERR)"
  vp -l -d 1 x.vmx; [[ $RC == 2 && $ERR == *"-l lists the probe points"* ]] || problems+=" l-d($ERR)"
  vp -q x.vmx f.emt; [[ $RC == 2 && $ERR == "vprobe: error: unknown option '-q'"$'\n'* ]] || problems+=" unknown($ERR)"
  vp -D '' -c 'VMM1Hz {}' x.vmx; [[ $RC == 2 && $ERR == *"-D expects NAME or NAME=VALUE"* ]] || problems+=" D-empty($ERR)"
  vp -c; [[ $RC == 2 && $ERR == "vprobe: error: -c needs a value (CODE)"*"run 'vprobe --help'"* ]] || problems+=" c-no-value($ERR)"
  vp -c 'VMM1Hz {}' -c 'VMM1Hz {}' x.vmx; [[ $RC == 2 && $ERR == "vprobe: error: -c may be given once, not 2 times"* ]] || problems+=" c-twice($ERR)"
  vp --help; [[ $RC == 0 && $OUT == "usage: vprobe"* && -z $ERR ]] || problems+=" help($RC)"
  vp -f xml -c 'VMM1Hz {}' x.vmx; [[ $RC == 2 && $ERR == *"-f expects text or json, not 'xml'"* ]] || problems+=" f-xml($ERR)"
  vp --format; [[ $RC == 2 && $ERR == *"--format needs a value"* ]] || problems+=" format-novalue($ERR)"
  [[ -z $problems ]] && pass usage || fail usage "$problems"
}

# The style every tool shares: --help names every option, --version, the
# hint after a bad option.
case_cli() {
  cli_help "help-lists-every-option" "$VPROBE" -c CODE -d SECONDS -s SYMS "-T [NAME=]SYMDB" "-D NAME[=VAL]" \
    "-I DIR" -i -l VMX FILE "vprobe -d 5 guests/demo/demo.vmx cookbook/exits-by-reason.emt"
  cli_version version "$VPROBE"
  cli_bad_option bad-option "$VPROBE" 2
  vp --formatt json x.vmx
  [[ $RC == 2 && $ERR == "vprobe: error: unknown option '--formatt': did you mean '--format'?"$'\n'* ]] && pass long-unknown-option ||
    fail long-unknown-option "rc=$RC err=$ERR"
  # Options after VMX and FILE, values attached (-sFILE), "--" ending them.
  vp nowhere.vmx -d0.5 -DX=1 -Iinc -- -c
  [[ $RC == 1 && $ERR == "vprobe: error: cannot read -c: No such file or directory" ]] &&
    pass option-forms || fail option-forms "rc=$RC err=$ERR"
}

case_emmett-error() {
  # Reported by emmett, at the Emmett position, before any VM is asked:
  # the VM named here does not even exist.
  vp -c 'HV_Exit { x = ; }' "$WORK/nowhere.vmx"
  [[ $RC == 1 && $ERR == "<command line>:1:15: error: expected an expression"* && -z $OUT ]] &&
    pass emmett-error || fail emmett-error "rc=$RC err=$ERR"
}

case_stack-files() {
  # --folded and --flamegraph: a file is needed (also after '=', where
  # the next word must not become the file), -l takes neither, -s is
  # taken with -i for them; a malformed -s file is an error before any VM
  # is asked (the VM here is not running).
  local problems="" off; off=$(new_vm off-stacks)
  vp --folded; [[ $RC == 2 && $ERR == *"--folded needs a value (FILE)"* ]] || problems+=" no-file($ERR)"
  for opt in --folded --flamegraph; do
    vp "$opt=" "$off" -c 'VMM1Hz { logint(1); }'
    [[ $RC == 2 && $ERR == "vprobe: error: option $opt= gives no FILE: write $opt=FILE or $opt FILE"* ]] ||
      problems+=" empty$opt($ERR)"
  done
  vp -l --folded f x.vmx; [[ $RC == 2 && $ERR == *"-l lists the probe points"* ]] || problems+=" l($ERR)"
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

# The JSON records vprobe -f json passes on, made by the engine as `vp run
# -f json` prints them: every line parses, each kind is there with its
# fields, and the text format is what it was without -f.
case_json-records() {
  local vpbin=$BIN/vp
  cat > "$WORK/j.vp" <<'EOF'
(defaggr lat 1 1)
(definteger n)
(vprobe VMXLoad (printf "start\n"))
(vprobe VMM1Hz (setint n (+ n 1)) (aggr lat (ARG0) ("disk") ARG1) (printf "n=%d\n" n) (logint (/ 1 (- n 2))))
(vprobe VMXUnload (logaggr lat))
EOF
  local events=(VMM1Hz:7,10 VMM1Hz:7,30 VMM1Hz:0xffffffffffffffff,5)
  "$vpbin" run "$WORK/j.vp" -f json "${events[@]}" > "$WORK/j.out" 2> "$WORK/j.err"
  local rc=$? problems
  problems=$(python3 - "$WORK/j.out" <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
if lines[-1] != "": print("no final newline")
recs = []
for l in lines[:-1]:
    try: recs.append(json.loads(l))
    except ValueError: print("does not parse: " + l)
kinds = [r.get("type") for r in recs]
# The last line is the unfinished "1" of the last fire, made a record at unload.
if kinds != ["printf", "printf", "printf", "error", "printf", "aggregate", "printf"]: print("kinds %s" % kinds)
err = recs[3] if len(recs) > 3 else {}
if err.get("probe") != "VMM1Hz" or err.get("vcpu") != 0 or "division by zero" not in err.get("message", ""):
    print("error record %s" % err)
agg = next((r for r in recs if r.get("type") == "aggregate"), {})
rows = agg.get("rows", [])
if agg.get("name") != "lat" or [r["keys"] for r in rows] != [[7, "disk"], [2**64 - 1, "disk"]]:
    print("aggregate %s" % agg)
elif (rows[0]["count"], rows[0]["min"], rows[0]["max"], rows[0]["avg"], rows[0]["latest"]) != (2, 10, 30, 20, 30):
    print("stats %s" % rows[0])
EOF
)
  "$vpbin" run "$WORK/j.vp" "${events[@]}" > "$WORK/t.out" 2>&1
  "$vpbin" run "$WORK/j.vp" --format text "${events[@]}" > "$WORK/t2.out" 2>&1
  cmp -s "$WORK/t.out" "$WORK/t2.out" || problems+=" text-differs"
  grep -q '^lat\[0x7, "disk"\] == avg 20 count 2 min 10 max 30 latest 30$' "$WORK/t.out" || problems+=" text-aggregate"
  [[ $rc == 0 && ! -s $WORK/j.err && -z $problems ]] && pass json-records ||
    fail json-records "rc=$rc $problems $(head -c 300 "$WORK/j.err")"
}

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
  vp -l -T "$db" x.vmx; [[ $RC == 2 && $ERR == *"not a pattern"* ]] || problems+=" vmx-word($ERR)"
  vp -l -v x.vmx; [[ $RC == 2 && $ERR == *"-v is for listing a symbol database"* ]] || problems+=" v-without-T($ERR)"
  vp -l -T "$WORK/none.symdb"; [[ $RC == 1 && $ERR == *"none.symdb: error: cannot read the file" ]] || problems+=" missing($ERR)"
  [[ -z $problems ]] && pass list-symbols || fail list-symbols "$problems"
}

. tests/lib/run-check.sh
. tests/lib/tool-cli.sh
for c in usage cli emmett-error stack-files not-running json-records list-symbols; do "case_$c"; done
