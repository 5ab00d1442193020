# The demo guest's code checked against demo.elf from inside the guest,
# for suites that plant probes in it (sourced after tests/lib/vm-suite.sh).
#
#   code_matches_elf VMX     status 0, or prints the first segment that differs

# code_sums: "PADDR SUM" of every read-only PT_LOAD segment of demo.elf
# (code and constants), 64-bit sums of their whole little-endian words.
code_sums() {
  python3 - "$WORK/guest/demo.elf" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
phoff, = struct.unpack_from('<Q', d, 32); phnum, = struct.unpack_from('<H', d, 56)
for i in range(phnum):
    t, f, off, va, pa, fsz, msz, al = struct.unpack_from('<IIQQQQQQ', d, phoff + 56 * i)
    if t != 1 or f & 2: continue
    n = fsz // 8
    s = sum(struct.unpack_from('<%dQ' % n, d, off)) & (2**64 - 1)
    print('0x%x %d %x' % (pa, n * 8, s))
EOF
}

# guest_sums VMX: "INDEX SUM" for each segment code_sums lists, summed
# over guest physical memory by one VP script (one load for all, as a load
# costs seconds on an emulated host), segment after segment, 200 words per
# fire (within the probe time budget).
guest_sums() {
  local pa len want n=0 vars="" clauses="" prints=""
  while read -r pa len want; do
    vars+=" (definteger off$n) (definteger sum$n)"
    clauses+=" ((< off$n $len) (let ((k 0)) (while (&& (< k 200) (< off$n $len))
      (setint sum$n (+ sum$n (getguestphys (+ $pa off$n)))) (setint off$n (+ off$n 8)) (setint k (+ k 1)))))"
    prints+=" (printf \"sum $n %x\n\" sum$n)"
    n=$((n + 1))
  done < <(code_sums)
  run_script "$1" 0.5 "$vars
    (vprobe USEC:2000 (cond ((== VCPUID 0) (cond $clauses (1 (do $prints (exit)))))))
    (vprobe VMXUnload (printf \"END\n\"))" | sed -n 's/^sum //p'
}

# code_matches_elf VMX: the guest's code and constants are demo.elf's,
# byte for byte (no breakpoint left behind); else says where they differ.
code_matches_elf() {
  local pa len want n=0 got
  got=$(guest_sums "$1")
  while read -r pa len want; do
    [[ $(sed -n "s/^$n //p" <<<"$got") == "$want" ]] ||
      { echo "segment $pa: guest $(sed -n "s/^$n //p" <<<"$got"), demo.elf $want"; return 1; }
    n=$((n + 1))
  done < <(code_sums)
}
