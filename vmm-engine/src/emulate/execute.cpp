// ProbeInsn::execute: the semantics of each instruction decode() accepts.
// Works on a copy of the registers and defers the one memory write, so
// nothing is committed unless every read and the write succeed.
#include <cstring>

#include "vmm-engine/insn_emulator.h"
#include "vmm-engine/src/emulate/alu.h"
#include "vmm-engine/src/emulate/operands.h"

namespace vmm {
namespace {

using namespace emu;

struct Exec {
  Exec(const ZydisDecodedInstruction& i, const ZydisDecodedOperand* o, const EmuCpu& c,
       EmuMemory& m)
      : in(i), ops(o), cpu(c), mem(m), r(c.regs) {}
  const ZydisDecodedInstruction& in;
  const ZydisDecodedOperand* ops;
  const EmuCpu& cpu;
  EmuMemory& mem;
  Gprs r;             // the state after the instruction
  uint64_t next = 0;  // address of the next instruction
  EmuStatus status = EmuStatus::Ok;
  EmuFault fault;
  bool hasWrite = false, cr3Written = false, cr3NoFlush = false;
  uint64_t cr3 = 0;
  uint64_t writeAt = 0, writeValue = 0;
  unsigned writeBytes = 0;

  bool readMem(uint64_t addr, unsigned bytes, uint64_t& v) {
    v = 0;
    status = mem.read(addr, &v, bytes, fault);  // little-endian host
    return status == EmuStatus::Ok;
  }
  void queueWrite(uint64_t addr, unsigned bytes, uint64_t v) {
    hasWrite = true, writeAt = addr, writeBytes = bytes, writeValue = v;
  }
  uint64_t address(const ZydisDecodedOperand& op) const {
    return effectiveAddress(in, op, cpu, next);
  }
  // Register, immediate (extended to `bits`) or memory source.
  bool read(const ZydisDecodedOperand& op, unsigned bits, uint64_t& v) {
    switch (op.type) {
      case ZYDIS_OPERAND_TYPE_REGISTER: v = readReg(r, op.reg.value); return true;
      case ZYDIS_OPERAND_TYPE_IMMEDIATE: v = immediate(op, bits); return true;
      default: return readMem(address(op), op.size / 8, v);
    }
  }
  void write(const ZydisDecodedOperand& op, uint64_t v) {
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER)
      writeReg(r, op.reg.value, v);
    else
      queueWrite(address(op), op.size / 8, v);
  }
  void push(uint64_t v) {
    r.rsp -= 8;
    queueWrite(r.rsp, 8, v);
  }
  bool pop(uint64_t& v) {
    if (!readMem(r.rsp, 8, v)) return false;
    r.rsp += 8;
    return true;
  }
  bool target(const ZydisDecodedOperand& op, uint64_t& t) {
    if (op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
      ZyanU64 abs = 0;
      ZydisCalcAbsoluteAddress(&in, &op, cpu.regs.rip, &abs);
      t = abs;
      return true;
    }
    return read(op, 64, t);
  }
};

unsigned conditionCode(ZydisMnemonic m) {
  static constexpr ZydisMnemonic kOrder[16] = {
      ZYDIS_MNEMONIC_JO, ZYDIS_MNEMONIC_JNO, ZYDIS_MNEMONIC_JB,   ZYDIS_MNEMONIC_JNB,
      ZYDIS_MNEMONIC_JZ, ZYDIS_MNEMONIC_JNZ, ZYDIS_MNEMONIC_JBE,  ZYDIS_MNEMONIC_JNBE,
      ZYDIS_MNEMONIC_JS, ZYDIS_MNEMONIC_JNS, ZYDIS_MNEMONIC_JP,   ZYDIS_MNEMONIC_JNP,
      ZYDIS_MNEMONIC_JL, ZYDIS_MNEMONIC_JNL, ZYDIS_MNEMONIC_JLE,  ZYDIS_MNEMONIC_JNLE};
  for (unsigned i = 0; i < 16; ++i)
    if (kOrder[i] == m) return i;
  return 16;
}

uint64_t signExtend(uint64_t v, unsigned fromBits) {
  if (fromBits >= 64) return v;
  uint64_t sign = 1ull << (fromBits - 1);
  return ((v & widthMask(fromBits)) ^ sign) - sign;
}

bool moveLike(Exec& x) {
  const ZydisDecodedOperand &dst = x.ops[0], &src = x.ops[1];
  unsigned bits = dst.size;
  uint64_t v = 0;
  switch (x.in.mnemonic) {
    case ZYDIS_MNEMONIC_LEA: v = x.address(src); break;
    case ZYDIS_MNEMONIC_MOVZX:
      if (!x.read(src, src.size, v)) return false;
      break;
    case ZYDIS_MNEMONIC_MOVSX:
    case ZYDIS_MNEMONIC_MOVSXD:
      if (!x.read(src, src.size, v)) return false;
      v = signExtend(v, src.size);
      break;
    default:
      if (!x.read(src, bits, v)) return false;
  }
  x.write(dst, v & widthMask(bits));
  return true;
}

bool alu(Exec& x) {
  const ZydisDecodedOperand &dst = x.ops[0], &src = x.ops[1];
  unsigned bits = dst.size;
  uint64_t a, b;
  if (!x.read(dst, bits, a) || !x.read(src, bits, b)) return false;
  uint64_t cf = x.r.rflags & kCF;
  AluOut o{};
  switch (x.in.mnemonic) {
    case ZYDIS_MNEMONIC_ADD: o = aluAdd(bits, a, b, 0); break;
    case ZYDIS_MNEMONIC_ADC: o = aluAdd(bits, a, b, cf); break;
    case ZYDIS_MNEMONIC_SUB: case ZYDIS_MNEMONIC_CMP: o = aluSub(bits, a, b, 0); break;
    case ZYDIS_MNEMONIC_SBB: o = aluSub(bits, a, b, cf); break;
    case ZYDIS_MNEMONIC_AND: case ZYDIS_MNEMONIC_TEST: o = aluLogic(bits, a & b); break;
    case ZYDIS_MNEMONIC_OR: o = aluLogic(bits, a | b); break;
    default: o = aluLogic(bits, a ^ b); break;  // XOR
  }
  x.r.rflags = mergeFlags(x.r.rflags, o.flags);
  bool discard = x.in.mnemonic == ZYDIS_MNEMONIC_CMP || x.in.mnemonic == ZYDIS_MNEMONIC_TEST;
  if (!discard) x.write(dst, o.value);
  return true;
}

bool incDec(Exec& x) {
  const ZydisDecodedOperand& dst = x.ops[0];
  uint64_t a;
  if (!x.read(dst, dst.size, a)) return false;
  AluOut o = x.in.mnemonic == ZYDIS_MNEMONIC_INC ? aluAdd(dst.size, a, 1, 0)
                                                 : aluSub(dst.size, a, 1, 0);
  x.r.rflags = mergeFlags(x.r.rflags, o.flags, kCF);
  x.write(dst, o.value);
  return true;
}

bool stackOp(Exec& x) {
  uint64_t v;
  switch (x.in.mnemonic) {
    case ZYDIS_MNEMONIC_PUSH:
      if (!x.read(x.ops[0], 64, v)) return false;
      x.push(v);
      return true;
    case ZYDIS_MNEMONIC_POP:
      if (!x.pop(v)) return false;
      writeReg(x.r, x.ops[0].reg.value, v);
      return true;
    case ZYDIS_MNEMONIC_LEAVE:
      x.r.rsp = x.cpu.regs.rbp;
      if (!x.pop(v)) return false;
      x.r.rbp = v;
      return true;
    default:  // RET [imm16]
      if (!x.pop(v)) return false;
      if (x.in.operand_count_visible == 1) x.r.rsp += x.ops[0].imm.value.u & 0xffff;
      x.r.rip = v;
      return true;
  }
}

bool branch(Exec& x) {
  uint64_t t;
  if (!x.target(x.ops[0], t)) return false;
  if (x.in.mnemonic == ZYDIS_MNEMONIC_CALL) {
    x.push(x.next);
  } else if (x.in.mnemonic != ZYDIS_MNEMONIC_JMP &&
             !conditionHolds(conditionCode(x.in.mnemonic), x.r.rflags)) {
    return true;  // jcc not taken
  }
  x.r.rip = t;
  return true;
}

// clac/stac (SMAP): RFLAGS.AC cleared/set; #UD outside CPL0. (Linux's
// exception entries start with clac.) The guest ran it, so its CPU has
// SMAP.
bool smapFlag(Exec& x) {
  constexpr uint64_t kAc = 1ull << 18;
  if (x.cpu.cpl != 0) {
    x.fault = EmuFault{6, false, 0, 0};
    x.status = EmuStatus::Fault;
    return false;
  }
  x.r.rflags = x.in.mnemonic == ZYDIS_MNEMONIC_CLAC ? x.r.rflags & ~kAc : x.r.rflags | kAc;
  return true;
}

// mov cr3, r64 (SDM, MOV to control register): #GP(0) outside CPL0 or
// with a reserved bit set; with CR4.PCIDE, bit 63 asks for no TLB flush
// and is not stored. Bits above 51 are reserved whatever the CPU's
// physical-address width (narrower widths: KVM refuses the load).
bool movToCr3(Exec& x, const ProbeInsn& insn) {
  constexpr uint64_t kPcide = 1ull << 17, kNoFlush = 1ull << 63;
  uint64_t v = insn.cr3Source(x.cpu.regs);
  bool noFlush = (x.cpu.cr4 & kPcide) && (v & kNoFlush);
  if (noFlush) v &= ~kNoFlush;
  if (x.cpu.cpl != 0 || (v >> 52) != 0) {
    x.fault = EmuFault{13, true, 0, 0};
    x.status = EmuStatus::Fault;
    return false;
  }
  x.cr3Written = true, x.cr3NoFlush = noFlush, x.cr3 = v;
  return true;
}

bool dispatch(Exec& x) {
  switch (x.in.mnemonic) {
    case ZYDIS_MNEMONIC_NOP: case ZYDIS_MNEMONIC_ENDBR64:
    case ZYDIS_MNEMONIC_ENDBR32: case ZYDIS_MNEMONIC_PAUSE: return true;
    case ZYDIS_MNEMONIC_CLAC: case ZYDIS_MNEMONIC_STAC: return smapFlag(x);
    case ZYDIS_MNEMONIC_PUSH: case ZYDIS_MNEMONIC_POP:
    case ZYDIS_MNEMONIC_LEAVE: case ZYDIS_MNEMONIC_RET: return stackOp(x);
    case ZYDIS_MNEMONIC_MOV: case ZYDIS_MNEMONIC_MOVZX: case ZYDIS_MNEMONIC_MOVSX:
    case ZYDIS_MNEMONIC_MOVSXD: case ZYDIS_MNEMONIC_LEA: return moveLike(x);
    case ZYDIS_MNEMONIC_INC: case ZYDIS_MNEMONIC_DEC: return incDec(x);
    case ZYDIS_MNEMONIC_CALL: case ZYDIS_MNEMONIC_JMP: return branch(x);
    default:
      if (conditionCode(x.in.mnemonic) < 16) return branch(x);
      return alu(x);  // decode() admitted nothing else
  }
}

}  // namespace

EmuResult ProbeInsn::execute(EmuCpu& cpu, EmuMemory& mem) const {
  Exec x(insn_, ops_, cpu, mem);
  x.next = cpu.regs.rip + insn_.length;
  x.r.rip = x.next;
  bool ok = writesCr3() ? movToCr3(x, *this) : dispatch(x);
  if (ok && x.hasWrite) {
    x.status = mem.write(x.writeAt, &x.writeValue, x.writeBytes, x.fault);
    ok = x.status == EmuStatus::Ok;
  }
  if (ok) {
    cpu.regs = x.r;
    cpu.cr3Written = x.cr3Written, cpu.cr3NoFlush = x.cr3NoFlush;
    if (x.cr3Written) cpu.cr3 = x.cr3;
    return {};
  }
  if (x.status == EmuStatus::Fault) return {EmuOutcome::Fault, x.fault, nullptr};
  return {EmuOutcome::Unsupported, {}, "the instruction accesses memory outside guest RAM"};
}

}  // namespace vmm
