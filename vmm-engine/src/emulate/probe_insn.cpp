// ProbeInsn::decode: Zydis decoding plus the check that the emulator
// (execute.cpp) implements the instruction with these operands. The
// check is the whole contract: what passes here, execute() must handle.
#include <cstdio>

#include "vmm-engine/insn_emulator.h"
#include "vmm-engine/src/emulate/operands.h"

namespace vmm {
namespace {

using emu::isGpr;

bool isJcc(ZydisMnemonic m) {
  switch (m) {
    case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_JNO: case ZYDIS_MNEMONIC_JB:
    case ZYDIS_MNEMONIC_JNB: case ZYDIS_MNEMONIC_JZ: case ZYDIS_MNEMONIC_JNZ:
    case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_JNBE: case ZYDIS_MNEMONIC_JS:
    case ZYDIS_MNEMONIC_JNS: case ZYDIS_MNEMONIC_JP: case ZYDIS_MNEMONIC_JNP:
    case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_JLE:
    case ZYDIS_MNEMONIC_JNLE: return true;
    default: return false;
  }
}

enum class Shape { Free, Dst, Push, Pop, Stack, Move, Alu, Branch };

// Which operand shapes each supported mnemonic may have.
bool shapeOf(ZydisMnemonic m, Shape& s) {
  switch (m) {
    case ZYDIS_MNEMONIC_NOP: case ZYDIS_MNEMONIC_ENDBR64:
    case ZYDIS_MNEMONIC_ENDBR32: case ZYDIS_MNEMONIC_PAUSE: s = Shape::Free; return true;
    case ZYDIS_MNEMONIC_CLAC: case ZYDIS_MNEMONIC_STAC: s = Shape::Free; return true;
    case ZYDIS_MNEMONIC_PUSH: s = Shape::Push; return true;
    case ZYDIS_MNEMONIC_POP: s = Shape::Pop; return true;
    case ZYDIS_MNEMONIC_LEAVE: case ZYDIS_MNEMONIC_RET: s = Shape::Stack; return true;
    case ZYDIS_MNEMONIC_MOV: case ZYDIS_MNEMONIC_MOVZX: case ZYDIS_MNEMONIC_MOVSX:
    case ZYDIS_MNEMONIC_MOVSXD: case ZYDIS_MNEMONIC_LEA: s = Shape::Move; return true;
    case ZYDIS_MNEMONIC_ADD: case ZYDIS_MNEMONIC_ADC: case ZYDIS_MNEMONIC_SUB:
    case ZYDIS_MNEMONIC_SBB: case ZYDIS_MNEMONIC_AND: case ZYDIS_MNEMONIC_OR:
    case ZYDIS_MNEMONIC_XOR: case ZYDIS_MNEMONIC_CMP: case ZYDIS_MNEMONIC_TEST:
      s = Shape::Alu; return true;
    case ZYDIS_MNEMONIC_INC: case ZYDIS_MNEMONIC_DEC: s = Shape::Dst; return true;
    case ZYDIS_MNEMONIC_CALL: case ZYDIS_MNEMONIC_JMP: s = Shape::Branch; return true;
    default:
      if (isJcc(m)) { s = Shape::Branch; return true; }
      return false;
  }
}

bool memOk(const ZydisDecodedOperand& op) {
  if (op.mem.type != ZYDIS_MEMOP_TYPE_MEM && op.mem.type != ZYDIS_MEMOP_TYPE_AGEN) return false;
  auto addrReg = [](ZydisRegister r) {
    return r == ZYDIS_REGISTER_NONE || r == ZYDIS_REGISTER_RIP ||
           r == ZYDIS_REGISTER_EIP || (isGpr(r) && emu::regBits(r) >= 32);
  };
  return addrReg(op.mem.base) && addrReg(op.mem.index) && op.size <= 64;
}

// Every visible operand: a general register, an immediate or plain memory.
const char* operandProblem(const ZydisDecodedInstruction& in, const ZydisDecodedOperand* ops) {
  unsigned mems = 0;
  for (unsigned i = 0; i < in.operand_count_visible; ++i) {
    const ZydisDecodedOperand& op = ops[i];
    switch (op.type) {
      case ZYDIS_OPERAND_TYPE_REGISTER:
        if (!isGpr(op.reg.value)) return "it uses a register other than a general-purpose one";
        break;
      case ZYDIS_OPERAND_TYPE_IMMEDIATE: break;
      case ZYDIS_OPERAND_TYPE_MEMORY:
        if (!memOk(op)) return "its memory operand is not a plain general-register address";
        ++mems;
        break;
      default: return "it has a far pointer operand";
    }
  }
  return mems > 1 ? "it has two memory operands" : nullptr;
}

const char* shapeProblem(Shape s, const ZydisDecodedInstruction& in, const ZydisDecodedOperand* ops) {
  unsigned n = in.operand_count_visible;
  auto is = [&](unsigned i, ZydisOperandType t) { return i < n && ops[i].type == t; };
  bool stack64 = in.operand_width == 64;
  // Before the width rules: a far return with REX.W has 64-bit operands
  // and would otherwise run as a near one, leaving CS on the stack.
  if (in.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR) return "far branches are not emulated";
  switch (s) {
    case Shape::Free: return nullptr;
    case Shape::Push: return stack64 && n == 1 ? nullptr : "16-bit stack operations are not emulated";
    case Shape::Pop:
      if (!is(0, ZYDIS_OPERAND_TYPE_REGISTER)) return "pop to memory is not emulated";
      return stack64 ? nullptr : "16-bit stack operations are not emulated";
    case Shape::Stack: return stack64 ? nullptr : "16-bit stack operations are not emulated";
    case Shape::Move:
      return n == 2 && (is(0, ZYDIS_OPERAND_TYPE_REGISTER) || is(0, ZYDIS_OPERAND_TYPE_MEMORY))
                 ? nullptr
                 : "unexpected operands";
    case Shape::Alu: return n == 2 ? nullptr : "unexpected operands";
    case Shape::Dst: return n == 1 ? nullptr : "unexpected operands";
    case Shape::Branch: return n == 1 && stack64 ? nullptr : "unexpected operands";
  }
  return "unexpected operands";
}

const char* prefixProblem(const ZydisDecodedInstruction& in) {
  if (in.attributes & ZYDIS_ATTRIB_HAS_LOCK) return "it has a lock prefix";
  if (in.attributes & (ZYDIS_ATTRIB_HAS_XACQUIRE | ZYDIS_ATTRIB_HAS_XRELEASE))
    return "it has a lock-elision prefix";
  bool rep = in.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE);
  if (rep && in.mnemonic != ZYDIS_MNEMONIC_RET) return "it has a rep prefix";
  return nullptr;
}

std::string format(const ZydisDecodedInstruction& in, const ZydisDecodedOperand* ops,
                   uint64_t address) {
  ZydisFormatter f;
  char buf[160];
  if (!ZYAN_SUCCESS(ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_INTEL)) ||
      !ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&f, &in, ops, in.operand_count_visible,
                                                    buf, sizeof buf, address, nullptr)))
    return "?";
  return buf;
}

std::string hexBytes(const uint8_t* b, size_t n) {
  std::string s;
  char h[4];
  for (size_t i = 0; i < n; ++i) {
    snprintf(h, sizeof h, i ? " %02x" : "%02x", b[i]);
    s += h;
  }
  return s;
}

bool isMovToCr3(const ZydisDecodedInstruction& in, const ZydisDecodedOperand* ops) {
  return in.mnemonic == ZYDIS_MNEMONIC_MOV && in.operand_count_visible == 2 &&
         ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == ZYDIS_REGISTER_CR3 &&
         ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER && isGpr(ops[1].reg.value) &&
         emu::regBits(ops[1].reg.value) == 64;
}

}  // namespace

bool ProbeInsn::writesCr3() const { return isMovToCr3(insn_, ops_); }

uint64_t ProbeInsn::cr3Source(const Gprs& g) const { return emu::readReg(g, ops_[1].reg.value); }

bool ProbeInsn::storesToMemory() const {
  for (unsigned i = 0; i < insn_.operand_count_visible; ++i)
    if (ops_[i].type == ZYDIS_OPERAND_TYPE_MEMORY && (ops_[i].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
      return true;
  return false;
}

bool ProbeInsn::decode(const uint8_t* bytes, size_t len, uint64_t address, ProbeInsn& out,
                       std::string& why) {
  ZydisDecoder dec;
  ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, bytes, len, &out.insn_, out.ops_))) {
    why = "the bytes there (" + hexBytes(bytes, len < 8 ? len : 8) +
          ") do not decode as an x86-64 instruction";
    return false;
  }
  out.text_ = format(out.insn_, out.ops_, address);
  Shape shape;
  const char* problem = nullptr;
  if (isMovToCr3(out.insn_, out.ops_)) {
    problem = prefixProblem(out.insn_);
  } else if (!shapeOf(out.insn_.mnemonic, shape)) {
    problem = "the monitor does not emulate this instruction";
  } else if (!(problem = prefixProblem(out.insn_)) &&
             !(problem = operandProblem(out.insn_, out.ops_))) {
    problem = shapeProblem(shape, out.insn_, out.ops_);
  }
  if (!problem) return true;
  why = "the instruction there, '" + out.text_ + "' (" + hexBytes(bytes, out.insn_.length) +
        "), cannot be emulated: " + problem;
  return false;
}

}  // namespace vmm
