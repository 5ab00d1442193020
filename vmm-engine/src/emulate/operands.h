// Operand access for the probe instruction emulator: general registers by
// Zydis name (with the x86 width rules) and effective addresses.
#pragma once

#include <Zydis/Zydis.h>

#include <cstdint>

#include "vmm-engine/insn_emulator.h"

namespace vmm::emu {

// True for RAX..R15 and their 32/16/8-bit parts (AH..BH included).
bool isGpr(ZydisRegister reg);
unsigned regBits(ZydisRegister reg);

uint64_t readReg(const Gprs& g, ZydisRegister reg);
// Writes as the CPU does: a 32-bit destination clears bits 63:32, 16- and
// 8-bit destinations keep the rest of the register.
void writeReg(Gprs& g, ZydisRegister reg, uint64_t value);

// The address a memory operand (or lea's AGEN operand) names, for an
// instruction whose next instruction is at `next`. Segment bases: only FS
// and GS have one in 64-bit mode; lea never adds it.
uint64_t effectiveAddress(const ZydisDecodedInstruction& in,
                          const ZydisDecodedOperand& op, const EmuCpu& cpu,
                          uint64_t next);

// The immediate of `op`, sign- or zero-extended as decoded, truncated to
// `bits`.
uint64_t immediate(const ZydisDecodedOperand& op, unsigned bits);

}  // namespace vmm::emu
