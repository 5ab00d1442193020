#!/usr/bin/env bash
# Symbol databases from DWARF, end to end on the host: symdb/tests/golden/
# prog.c is built here with `cc -g -O2`, emmett-symdb reads its DWARF, and
#   - the types it lists (`emmett-symdb -l -v`) are exactly prog.types (the
#     layouts are the x86-64 ABI's, whatever the compiler's version);
#   - work()'s parameters and locals have location lists (registers,
#     constants), and the line table covers prog.c;
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
