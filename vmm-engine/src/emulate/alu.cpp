#include "vmm-engine/src/emulate/alu.h"

namespace vmm::emu {
namespace {

uint64_t signBit(unsigned bits, uint64_t v) { return (v >> (bits - 1)) & 1; }

// PF: set when the low byte of the result has an even number of ones.
uint64_t parity(uint64_t v) {
  return (__builtin_popcountll(v & 0xff) & 1) ? 0 : kPF;
}

uint64_t resultFlags(unsigned bits, uint64_t r) {
  return parity(r) | (r == 0 ? kZF : 0) | (signBit(bits, r) ? kSF : 0);
}

}  // namespace

AluOut aluAdd(unsigned bits, uint64_t a, uint64_t b, uint64_t carry) {
  uint64_t m = widthMask(bits);
  a &= m, b &= m;
  unsigned __int128 wide = (unsigned __int128)a + b + (carry & 1);
  uint64_t r = uint64_t(wide) & m;
  bool cf = bits >= 64 ? (wide >> 64) != 0 : ((uint64_t(wide) >> bits) & 1);
  uint64_t f = resultFlags(bits, r);
  if (cf) f |= kCF;
  if (signBit(bits, (a ^ r) & (b ^ r))) f |= kOF;
  if ((a ^ b ^ r) & 0x10) f |= kAF;
  return {r, f};
}

AluOut aluSub(unsigned bits, uint64_t a, uint64_t b, uint64_t borrow) {
  uint64_t m = widthMask(bits);
  a &= m, b &= m;
  uint64_t r = (a - b - (borrow & 1)) & m;
  bool cf = (unsigned __int128)a < (unsigned __int128)b + (borrow & 1);
  uint64_t f = resultFlags(bits, r);
  if (cf) f |= kCF;
  if (signBit(bits, (a ^ b) & (a ^ r))) f |= kOF;
  if ((a ^ b ^ r) & 0x10) f |= kAF;
  return {r, f};
}

AluOut aluLogic(unsigned bits, uint64_t result) {
  uint64_t r = result & widthMask(bits);
  return {r, resultFlags(bits, r)};
}

bool conditionHolds(unsigned cc, uint64_t f) {
  bool of = f & kOF, cf = f & kCF, zf = f & kZF, sf = f & kSF, pf = f & kPF;
  bool holds = false;
  switch (cc >> 1) {
    case 0: holds = of; break;
    case 1: holds = cf; break;
    case 2: holds = zf; break;
    case 3: holds = cf || zf; break;
    case 4: holds = sf; break;
    case 5: holds = pf; break;
    case 6: holds = sf != of; break;
    case 7: holds = zf || sf != of; break;
  }
  return (cc & 1) ? !holds : holds;
}

}  // namespace vmm::emu
