// Integer arithmetic as the CPU does it: results truncated to the operand
// width and the six status flags (CF PF AF ZF SF OF) computed exactly, so
// an emulated "sub rsp, 0x28" leaves RFLAGS as the real one would.
#pragma once

#include <cstdint>

namespace vmm::emu {

inline constexpr uint64_t kCF = 1ull << 0, kPF = 1ull << 2, kAF = 1ull << 4,
                          kZF = 1ull << 6, kSF = 1ull << 7, kOF = 1ull << 11;
inline constexpr uint64_t kStatusFlags = kCF | kPF | kAF | kZF | kSF | kOF;

// All ones in the low `bits` bits (bits = 8, 16, 32 or 64).
inline uint64_t widthMask(unsigned bits) {
  return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

struct AluOut {
  uint64_t value;  // truncated to the width
  uint64_t flags;  // status flags only (kStatusFlags bits)
};

// a + b + carry (adc when carry is 1).
AluOut aluAdd(unsigned bits, uint64_t a, uint64_t b, uint64_t carry);
// a - b - borrow (sbb when borrow is 1, cmp discards value).
AluOut aluSub(unsigned bits, uint64_t a, uint64_t b, uint64_t borrow);
// and/or/xor/test: CF = OF = 0, AF cleared (undefined on the CPU).
AluOut aluLogic(unsigned bits, uint64_t result);

// Merges status flags into RFLAGS; `keep` are status bits left as they
// were (inc/dec keep CF).
inline uint64_t mergeFlags(uint64_t rflags, uint64_t flags, uint64_t keep = 0) {
  uint64_t change = kStatusFlags & ~keep;
  return (rflags & ~change) | (flags & change);
}

// The condition of a jcc/setcc/cmovcc, by the low nibble of its opcode
// (0 = O, 1 = NO, 2 = B, ... 15 = G).
bool conditionHolds(unsigned cc, uint64_t rflags);

}  // namespace vmm::emu
