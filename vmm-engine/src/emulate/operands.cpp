#include "vmm-engine/src/emulate/operands.h"

#include "vmm-engine/src/emulate/alu.h"

namespace vmm::emu {
namespace {

constexpr ZydisMachineMode kMode = ZYDIS_MACHINE_MODE_LONG_64;

// Gprs members in the order of Zydis's RAX..R15 (x86 encoding order).
constexpr uint64_t Gprs::*kByEncoding[16] = {
    &Gprs::rax, &Gprs::rcx, &Gprs::rdx, &Gprs::rbx, &Gprs::rsp, &Gprs::rbp,
    &Gprs::rsi, &Gprs::rdi, &Gprs::r8,  &Gprs::r9,  &Gprs::r10, &Gprs::r11,
    &Gprs::r12, &Gprs::r13, &Gprs::r14, &Gprs::r15};

bool isHigh8(ZydisRegister reg) {
  return reg == ZYDIS_REGISTER_AH || reg == ZYDIS_REGISTER_CH ||
         reg == ZYDIS_REGISTER_DH || reg == ZYDIS_REGISTER_BH;
}

uint64_t Gprs::*slotOf(ZydisRegister reg) {
  ZydisRegister big = ZydisRegisterGetLargestEnclosing(kMode, reg);
  return kByEncoding[big - ZYDIS_REGISTER_RAX];
}

}  // namespace

bool isGpr(ZydisRegister reg) {
  switch (ZydisRegisterGetClass(reg)) {
    case ZYDIS_REGCLASS_GPR8:
    case ZYDIS_REGCLASS_GPR16:
    case ZYDIS_REGCLASS_GPR32:
    case ZYDIS_REGCLASS_GPR64: return true;
    default: return false;
  }
}

unsigned regBits(ZydisRegister reg) { return ZydisRegisterGetWidth(kMode, reg); }

uint64_t readReg(const Gprs& g, ZydisRegister reg) {
  uint64_t full = g.*slotOf(reg);
  if (isHigh8(reg)) return (full >> 8) & 0xff;
  return full & widthMask(regBits(reg));
}

void writeReg(Gprs& g, ZydisRegister reg, uint64_t value) {
  uint64_t& slot = g.*slotOf(reg);
  unsigned bits = regBits(reg);
  if (isHigh8(reg)) {
    slot = (slot & ~0xff00ull) | ((value & 0xff) << 8);
  } else if (bits == 64 || bits == 32) {
    slot = value & widthMask(bits);
  } else {
    slot = (slot & ~widthMask(bits)) | (value & widthMask(bits));
  }
}

uint64_t effectiveAddress(const ZydisDecodedInstruction& in,
                          const ZydisDecodedOperand& op, const EmuCpu& cpu,
                          uint64_t next) {
  const ZydisDecodedOperandMem& m = op.mem;
  uint64_t ea = m.disp.has_displacement ? uint64_t(m.disp.value) : 0;
  if (m.base == ZYDIS_REGISTER_RIP || m.base == ZYDIS_REGISTER_EIP) {
    ea += next;
  } else if (m.base != ZYDIS_REGISTER_NONE) {
    ea += readReg(cpu.regs, m.base);
  }
  if (m.index != ZYDIS_REGISTER_NONE) ea += readReg(cpu.regs, m.index) * m.scale;
  if (in.address_width == 32) ea &= 0xffffffffull;
  if (op.mem.type == ZYDIS_MEMOP_TYPE_AGEN) return ea;
  if (m.segment == ZYDIS_REGISTER_FS) ea += cpu.fsBase;
  if (m.segment == ZYDIS_REGISTER_GS) ea += cpu.gsBase;
  return ea;
}

uint64_t immediate(const ZydisDecodedOperand& op, unsigned bits) {
  uint64_t v = op.imm.is_signed ? uint64_t(op.imm.value.s) : op.imm.value.u;
  return v & widthMask(bits);
}

}  // namespace vmm::emu
