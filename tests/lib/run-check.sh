# Running a command and checking what it did, for the command-line suites
# (sourced, not run).
#
#   run CMD ARGS...                    RC, OUT, ERR: its status, stdout, stderr
#   check NAME RC OUT-GLOB ERR-GLOB    PASS/FAIL line for NAME ('' = empty)
#
# check reports through pass NAME / fail NAME WHY, which the suite defines.

OUT=; ERR=; RC=
run() {
  local tmp
  tmp=$(mktemp -d)
  "$@" > "$tmp/out" 2> "$tmp/err"; RC=$?
  OUT=$(cat "$tmp/out"); ERR=$(cat "$tmp/err")
  rm -rf "$tmp"
}

check() {
  local name=$1 rc=$2 outPat=$3 errPat=$4 why=""
  [[ $RC == "$rc" ]] || why="exit $RC, expected $rc"
  if [[ -z $outPat ]]; then [[ -z $OUT ]] || why+="${why:+; }unexpected stdout: $OUT"
  elif [[ $OUT != $outPat ]]; then why+="${why:+; }stdout: $OUT"; fi
  if [[ -z $errPat ]]; then [[ -z $ERR ]] || why+="${why:+; }unexpected stderr: $ERR"
  elif [[ $ERR != $errPat ]]; then why+="${why:+; }stderr: $ERR"; fi
  if [[ -z $why ]]; then pass "$name"; else fail "$name" "$why"; fi
}
