#!/usr/bin/env bash
# Symbol databases from DWARF, end to end on the host: symdb/tests/golden/
# prog.c is built here with `cc -g -O2`, emmett-symdb reads its DWARF, and
#   - the types it lists (`emmett-symdb -l -v`) are exactly prog.types (the
#     layouts are the x86-64 ABI's, whatever the compiler's version);
#   - work()'s parameters and locals have location lists (registers,
#     constants), and the line table covers prog.c;
#   - line probes resolve to the addresses the database's line table
#     gives (`emmett-symdb -l` lists them): a line's first statement in
#     work(), and a line of scale(), inlined into twice() twice, at both
#     places with a warning saying so;
#   - spill()'s frame rules start at RSP+8 (the call frame information);
#   - each Emmett script NAME.emt there compiles with -T prog.symdb and
#     -s (prog's nm symbols) to exactly NAME.vp, or fails with exactly the
#     errors in NAME.err. spill's address depends on the compiler: the
#     files write it 0xadd0.
# Prints PASS:/FAIL:/SKIP: per case. UPDATE=1 rewrites the expected files.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SYMDB=$PWD/$BUILD/bin/emmett-symdb
EMMETT=$PWD/$BUILD/bin/emmett
VP=$PWD/$BUILD/bin/vp
DIR=symdb/tests/golden
for tool in "$SYMDB" "$EMMETT" "$VP"; do
  if [[ ! -x $tool ]]; then
    echo "FAIL: symdb-golden (${tool#$PWD/} is not built)"
    exit 1
  fi
done
if ! command -v cc >/dev/null; then
  echo "SKIP: symdb-golden (no C compiler to build the test program)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! cc -g -O2 -o "$tmp/prog" "$DIR/prog.c" 2>"$tmp/cc.err"; then
  echo "FAIL: symdb-golden (cc -g -O2 prog.c failed)"
  head -5 "$tmp/cc.err"
  exit 0
fi
if ! "$SYMDB" "$tmp/prog" -o "$tmp/prog.symdb" 2>"$tmp/db.err"; then
  echo "FAIL: symdb/read prog (emmett-symdb failed)"
  cat "$tmp/db.err"
  exit 0
fi
echo "PASS: symdb/read prog"

"$SYMDB" -l -v '*' "$tmp/prog.symdb" | awk '/^(struct|union|enum|typedef) /{p=1} /^func /{p=0} p' >"$tmp/types"
[[ ${UPDATE:-0} == 1 ]] && cp "$tmp/types" "$DIR/prog.types"
if cmp -s "$tmp/types" "$DIR/prog.types"; then
  echo "PASS: symdb/types (structs, unions, enums, typedefs, arrays, bit fields, anonymous members)"
else
  echo "FAIL: symdb/types"
  diff "$DIR/prog.types" "$tmp/types" | head -20
fi

# work(t, n): t and n arrive in registers (rdi 5, rsi 4); sum starts as
# the constant 0. Where they go next depends on the compiler.
locs=$(awk '/^func .* work$/{p=1; next} /^func /{p=0} p' "$tmp/prog.symdb")
if grep -q '^param [0-9]* t$' <<<"$locs" && grep -q '^loc 0x[0-9a-f]* 0x[0-9a-f]* reg 5$' <<<"$locs" &&
   grep -q '^loc 0x[0-9a-f]* 0x[0-9a-f]* reg 4$' <<<"$locs" && grep -q '^local [0-9]* sum$' <<<"$locs" &&
   grep -q ' const 0x0$' <<<"$locs"; then
  echo "PASS: symdb/locations (work's parameters in rdi/rsi, a local as a constant)"
else
  echo "FAIL: symdb/locations"
  head -20 <<<"$locs"
fi
if "$SYMDB" -l 'prog.c:3*' "$tmp/prog.symdb" | grep -q '^line .*prog.c:3[0-9] 0x'; then
  echo "PASS: symdb/lines (prog.c's line table)"
else
  echo "FAIL: symdb/lines"
fi

# The addresses emmett probes for PROBE (one per line of output).
probed() {
  "$EMMETT" -T "$tmp/prog.symdb" - <<<"$1 { logint(1); }" 2>"$tmp/probe.err" | sed -n 's/^(vprobe GUEST:\(0x[0-9a-f]*\) .*/\1/p'
}
# The addresses `emmett-symdb -l` lists for prog.c:LINE.
listed() { "$SYMDB" -l "prog.c:$1" "$tmp/prog.symdb" | awk '{ for (i = 3; i <= NF; i++) print $i }'; }
# The lowest statement start of prog.c:LINE inside FUNCTION's ranges, from
# the raw line table (the database's `line ADDR FILE LINE [nostmt]`).
from_table() {
  python3 - "$tmp/prog.symdb" "$1" "$2" <<'EOF'
import sys
fn, line, ranges, files, best, cur = sys.argv[2], int(sys.argv[3]), [], {}, None, None
for rec in open(sys.argv[1]):
    f = rec.split()
    if f[0] == 'file': files[f[1]] = f[2]
    elif f[0] == 'func': cur = f[4] if len(f) > 4 else ''
    elif f[0] == 'range' and cur == fn: ranges.append((int(f[1], 16), int(f[2], 16)))
    elif f[0] == 'line' and len(f) == 4 and int(f[3]) == line and files[f[2]].endswith('/prog.c'):
        a = int(f[1], 16)
        if any(lo <= a < hi for lo, hi in ranges) and (best is None or a < best): best = a
print(hex(best) if best is not None else 'none')
EOF
}
work_line=$(grep -n 'sum += t\[i\]' "$DIR/prog.c" | cut -d: -f1)
work_first=$(awk '/^__attribute__.*int work\(/ { print NR }' "$DIR/prog.c")
want=$(from_table work "$work_line")
got_l=$(probed "GUEST:OFFSET:work:L$work_line") got_f=$(probed "GUEST:OFFSET:work:F$((work_line - work_first))")
got_file=$(probed "GUEST:prog.c:$work_line")
if [[ $want != none && $got_l == "$want" && $got_f == "$want" && $got_file == "$want" && $(listed "$work_line") == "$want" ]]; then
  echo "PASS: symdb/line-probe (work:L$work_line, work:F$((work_line - work_first)), prog.c:$work_line at $want, the line's first statement)"
else
  echo "FAIL: symdb/line-probe (line table: $want; L: $got_l; F: $got_f; file: $got_file; listed: $(listed "$work_line"))"
fi
scale_line=$(grep -n 'return v \* 7' "$DIR/prog.c" | cut -d: -f1)
got=$(probed "GUEST:prog.c:$scale_line")
copies=$(awk '/^func .* twice$/{p=1; next} /^func /{p=0} p && /^inline 1 0x[0-9a-f]* scale$/' "$tmp/prog.symdb" | wc -l)
if [[ $copies == 2 && $(wc -l <<<"$got") == 2 && $got == "$(listed "$scale_line")" ]] &&
   grep -q "warning: line prog.c:$scale_line has code in 2 places (inlined or duplicated); probing each: .*(scale inlined into twice), .*(scale inlined into twice)" "$tmp/probe.err"; then
  echo "PASS: symdb/line-probe-inlined (prog.c:$scale_line, inlined twice into twice(): both probed, with a warning)"
else
  echo "FAIL: symdb/line-probe-inlined (copies: $copies; probed: $got; listed: $(listed "$scale_line"))"
  cat "$tmp/probe.err"
fi

# spill(t, b, c, d, e, f, g): g, the seventh, is at the frame base (the
# call frame address), which is RSP+8 at the entry.
spill=$(awk '/^func .* spill$/{p=1; next} /^func /{p=0} p' "$tmp/prog.symdb")
entry=$(awk '/^func .* spill$/{print $2}' "$tmp/prog.symdb")
entry=${entry:-0xnone}
if grep -q '^param [0-9]* g$' <<<"$spill" && grep -q '^loc 0x[0-9a-f]* 0x[0-9a-f]* fbreg 0$' <<<"$spill" &&
   grep -q "^cfa $entry 0x[0-9a-f]* breg 7 8$" <<<"$spill" && grep -q '^loc 0x[0-9a-f]* 0x[0-9a-f]* const 0x3$' <<<"$spill"; then
  echo "PASS: symdb/frames (the stack argument at the call frame address, RSP+8 at the entry)"
else
  echo "FAIL: symdb/frames"
  head -20 <<<"$spill"
fi

nm "$tmp/prog" >"$tmp/prog.syms"
. tests/lib/golden.sh
cd "$DIR"
for src in *.emt; do
  name=${src%.emt}
  "$EMMETT" -T "$tmp/prog.symdb" -s "$tmp/prog.syms" "$src" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  sed -i "s|$tmp/||g; s/\b$entry\b/0xadd0/g" "$tmp/err" "$tmp/out"
  golden_verdict symdb "$name" "$rc"
done
