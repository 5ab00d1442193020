#!/usr/bin/env bash
# The command lines of vp, emmett, emmett-symdb and vmx (docs/cli.md):
# --help names every option, --version the VP version, a wrong command
# line exits 2 saying what is wrong and what to type; the forms the other
# suites use still parse. vmrun's and vprobe's are in their own suites.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=$ROOT/${BUILD:-build}/bin
for t in vp emmett emmett-symdb vmx; do
  if [[ ! -x $BIN/$t ]]; then
    echo "FAIL: tools-cli-built ($BIN/$t is missing)"
    exit 1
  fi
done
WORK=$(mktemp -d /tmp/tools-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

. "$ROOT/tests/lib/run-check.sh"
. "$ROOT/tests/lib/tool-cli.sh"
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1 ($2)"; }

# --- vp ------------------------------------------------------------------
cli_help vp-help "$BIN/vp" check run dump --interp --vcpu --reg --mem --code-bytes --vp-version \
  --bag-bytes --syms FILE EVENT "vp run exits.vp --reg VMCS_EXIT_REASON=30 HV_Exitx3"
cli_version vp-version "$BIN/vp"
cli_bad_option vp-bad-option "$BIN/vp" 2
run "$BIN/vp"
check vp-no-command 2 '' "vp: error: A subcommand is required*usage: vp check*run 'vp --help'*"
run "$BIN/vp" frobnicate x.vp
check vp-unknown-command 2 '' "vp: error: unknown command 'frobnicate': expected check, run, dump*run 'vp --help'*"
run "$BIN/vp" run --help
check vp-run-help 0 'usage: vp run *--reg NAME=VALUE*EVENT: PROBE\[xCOUNT\]*' ''
run "$BIN/vp" run --intrep x.vp
check vp-typo-suggestion 2 '' "vp: error: unknown option '--intrep': did you mean '--interp'?*"
printf '(vprobe VMM1Hz (printf "reason %%d cpu %%d\\n" VMCS_EXIT_REASON VCPUID))\n' > r.vp
run "$BIN/vp" run r.vp --reg VMCS_EXIT_REASON=30 VMM1Hz --vcpu 2 --interp VMM1Hzx2
check vp-run-options-between-events 0 $'reason 30 cpu 2\nreason 30 cpu 2\nreason 30 cpu 2' ''
run "$BIN/vp" run r.vp --reg NOPE=1 VMM1Hz
check vp-bad-reg 2 '' "vp: error: bad --reg NOPE=1: expected NAME=VALUE*run 'vp --help'*"
run "$BIN/vp" run r.vp --vcpu 5000
check vp-bad-vcpu 2 '' "vp: error: bad --vcpu 5000 (0 to 1023)*"
run "$BIN/vp" run r.vp 'VMM1Hz:'
check vp-bad-event 2 '' "vp: error: bad event 'VMM1Hz:'*"
run "$BIN/vp" check --vp-version 1.x r.vp
check vp-bad-vp-version 2 '' "vp: error: bad value for --vp-version: 1.x*"
run "$BIN/vp" dump r.vp r.vp
check vp-dump-one-file 2 '' "vp: error: one FILE only, not 2*"
run "$BIN/vp" run r.vp --vcpu
check vp-option-needs-value 2 '' "vp: error: --vcpu needs a value (N)*run 'vp --help'*"
run "$BIN/vp" check
check vp-check-needs-file 2 '' "vp: error: FILE is required*"

# --- emmett --------------------------------------------------------------
cli_help emmett-help "$BIN/emmett" -D NAME[=VAL] -I DIR -s SYMS -T '[NAME=]SYMDB' -V VERSION -o OUT \
  --dump-ast FILE.emt "emmett cookbook/exits-by-reason.emt -o exits.vp"
cli_version emmett-version "$BIN/emmett"
cli_bad_option emmett-bad-option "$BIN/emmett" 2
run "$BIN/emmett"
check emmett-no-file 2 '' "emmett: error: FILE.emt is required*run 'emmett --help'*"
run "$BIN/emmett" -V 9.9 x.emt
check emmett-bad-version 2 '' "emmett: error: unsupported VP version '9.9' (1.0 to *)*"
run "$BIN/emmett" -D '=1' x.emt
check emmett-bad-define 2 '' "emmett: error: -D expects NAME or NAME=VALUE, not '=1'*"
printf '#if N == 2\nVMM1Hz { printf("%%d\\n", N); }\n#endif\n' > d.emt
run "$BIN/emmett" d.emt -DN=2 -o d.vp -V1.0
# -DN=2 made the #if true: the printf is there only then.
if [[ $RC == 0 && -z $OUT ]] && grep -q 'printf' d.vp; then
  pass emmett-attached-values
else
  fail emmett-attached-values "exit $RC, $ERR"
fi
printf 'VMM1Hz { printf("from stdin\\n"); }\n' > s.emt
run "$BIN/emmett" - < s.emt
check emmett-stdin 0 '*from stdin*' ''

# --- emmett-symdb --------------------------------------------------------
cli_help emmett-symdb-help "$BIN/emmett-symdb" -l -v -n NAME -o FILE ARGS \
  "emmett-symdb guests/demo/demo.elf -o guests/demo/demo.symdb"
cli_version emmett-symdb-version "$BIN/emmett-symdb"
cli_bad_option emmett-symdb-bad-option "$BIN/emmett-symdb" 2
run "$BIN/emmett-symdb"
check emmett-symdb-no-image 2 '' "emmett-symdb: error: no IMAGE given*"
run "$BIN/emmett-symdb" -l pattern
check emmett-symdb-list-needs-two 2 '' "emmett-symdb: error: -l takes a PATTERN and the FILE or IMAGE to list*"
run "$BIN/emmett-symdb" -v x.elf
check emmett-symdb-v-needs-l 2 '' "emmett-symdb: error: -v requires -l*"
run "$BIN/emmett-symdb" -l '*' "$BIN/emmett-symdb" -o x
check emmett-symdb-l-excludes-o 2 '' "emmett-symdb: error: *exclude*"
run "$BIN/emmett-symdb" -l 'no_such_thing_anywhere' "$BIN/vp"
check emmett-symdb-list-runs 0 '' ''

# --- vmx -----------------------------------------------------------------
cli_help vmx-help "$BIN/vmx" -f --foreground PATH.vmx "vmx -f guests/demo/demo.vmx"
cli_version vmx-version "$BIN/vmx"
cli_bad_option vmx-bad-option "$BIN/vmx" 2
run "$BIN/vmx"
check vmx-no-vmx 2 '' "vmx: error: PATH.vmx is required*"
run "$BIN/vmx" -f missing.vmx
check vmx-missing-file 1 '' $'missing.vmx: error: cannot open: No such file or directory\nError: The virtual machine was not started: missing.vmx'
