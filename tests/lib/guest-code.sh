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

# guest_sum VMX PADDR LEN: the same sum over guest physical memory, from
# a VP script (200 words per fire, within the probe time budget).
guest_sum() {
  local vmx=$1; shift
  run_script "$vmx" 0.5 "(definteger off) (definteger sum)
    (vprobe USEC:2000 (cond ((== VCPUID 0)
      (let ((n 0))
        (while (&& (< n 200) (< off $2))
          (setint sum (+ sum (getguestphys (+ $1 off))))
          (setint off (+ off 8)) (setint n (+ n 1))))
      (cond ((>= off $2) (do (printf \"sum %x\n\" sum) (exit)))))))
    (vprobe VMXUnload (printf \"END\n\"))" | sed -n 's/^sum //p'
}

# code_matches_elf VMX: the guest's code and constants are demo.elf's,
# byte for byte (no breakpoint left behind); else says where they differ.
code_matches_elf() {
  local pa len want got
  while read -r pa len want; do
    got=$(guest_sum "$1" "$pa" "$len")
    [[ $got == "$want" ]] || { echo "segment $pa: guest $got, demo.elf $want"; return 1; }
  done < <(code_sums)
}
