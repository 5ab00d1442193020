// The offset-at built-ins: decode guest code (with Zydis) to recover a
// structure offset that a kernel function uses, e.g. the pid offset from
// sys_getpid's load before its ret (chapter 4 of the reference).
#include <Zydis/Zydis.h>

#include <cstring>
#include <optional>

#include "vp/src/ast.h"
#include "vp/src/runtime/charge.h"
#include "vp/src/runtime/context_impl.h"

namespace vp::rt {

namespace {

constexpr size_t kScanBytes = 4096;
constexpr uint64_t kPage = 4096;

std::string hex(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Guest code from `addr` on, as far as it is mapped (at most kScanBytes).
struct CodeWindow {
  uint8_t bytes[kScanBytes];
  size_t size = 0;
};

bool readCode(Target& t, uint64_t addr, CodeWindow& w) {
  while (w.size < kScanBytes) {
    uint64_t a = addr + w.size;
    size_t chunk = std::min<uint64_t>(kScanBytes - w.size, kPage - (a % kPage));
    if (!t.readLinear(a, w.bytes + w.size, chunk)) break;
    w.size += chunk;
  }
  return w.size > 0;
}

bool writesReg(const ZydisDecodedOperand& op, ZydisRegister wanted) {
  return op.type == ZYDIS_OPERAND_TYPE_REGISTER &&
         (op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) &&
         ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64,
                                          op.reg.value) == wanted;
}

// The constant an instruction puts into its destination register: the
// displacement of a memory/lea source, or an immediate (add rsi, 0x..).
std::optional<uint64_t> loadedConstant(const ZydisDecodedInstruction& ins,
                                       const ZydisDecodedOperand* ops) {
  if (ins.operand_count_visible < 2) return std::nullopt;
  const ZydisDecodedOperand& src = ops[1];
  if (src.type == ZYDIS_OPERAND_TYPE_MEMORY) {
    return static_cast<uint64_t>(src.mem.disp.value);
  }
  if (src.type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
    return src.imm.is_signed ? static_cast<uint64_t>(src.imm.value.s) : src.imm.value.u;
  }
  return std::nullopt;
}

bool isEnd(const ZydisDecodedInstruction& ins) {
  return ins.mnemonic == ZYDIS_MNEMONIC_RET || ins.mnemonic == ZYDIS_MNEMONIC_JMP;
}

// Walks instructions from addr; `visit` returns true to stop. Fails with a
// Decode or MemAccess error set on the context.
template <typename Visit>
bool scan(RtCtx* c, const Expr* e, uint64_t addr, Visit visit) {
  ContextImpl& ctx = *c->owner;
  CodeWindow w;
  if (!readCode(ctx.target(), addr, w)) {
    fail(c, ErrorCode::MemAccess, e, addr);
    return false;
  }
  ZydisDecoder dec;
  ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  size_t off = 0;
  while (off < w.size) {
    ZydisDecodedInstruction ins;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, w.bytes + off, w.size - off, &ins, ops))) {
      ctx.detail = "cannot decode guest code at " + hex(addr + off);
      fail(c, ErrorCode::Decode, e, addr + off);
      return false;
    }
    if (visit(ins, ops, addr + off)) return true;
    off += ins.length;
  }
  ctx.detail = "pattern not found in " + std::to_string(w.size) +
               " bytes of guest code from " + hex(addr);
  fail(c, ErrorCode::Decode, e, addr);
  return false;
}

void notFound(RtCtx* c, const Expr* e, std::string what) {
  c->owner->detail = std::move(what);
  fail(c, ErrorCode::Decode, e);
}

}  // namespace

RtResult offatret(RtCtx* c, const Expr* e, uint64_t addr) {
  VP_CHARGE(c, e, BuiltinId::Offatret);
  std::optional<uint64_t> last;
  bool found = false;
  bool ok = scan(c, e, addr, [&](auto& ins, auto* ops, uint64_t) {
    if (ins.mnemonic == ZYDIS_MNEMONIC_RET) { found = true; return true; }
    if (ins.mnemonic == ZYDIS_MNEMONIC_JMP) return true;
    if (ins.operand_count_visible > 0 && writesReg(ops[0], ZYDIS_REGISTER_RAX)) {
      last = loadedConstant(ins, ops);
    }
    return false;
  });
  if (!ok) return {0, 1};
  if (!found || !last) {
    notFound(c, e, "offatret: no load of a constant into RAX before a ret at " + hex(addr));
    return {0, 1};
  }
  return {*last, 0};
}

RtResult offatseg(RtCtx* c, const Expr* e, uint64_t addr) {
  VP_CHARGE(c, e, BuiltinId::Offatseg);
  std::optional<uint64_t> value;
  bool ok = scan(c, e, addr, [&](auto& ins, auto* ops, uint64_t) {
    if (ins.attributes & (ZYDIS_ATTRIB_HAS_SEGMENT_FS | ZYDIS_ATTRIB_HAS_SEGMENT_GS)) {
      for (unsigned i = 0; i < ins.operand_count_visible; ++i) {
        if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY &&
            (ops[i].mem.segment == ZYDIS_REGISTER_FS || ops[i].mem.segment == ZYDIS_REGISTER_GS)) {
          value = static_cast<uint64_t>(ops[i].mem.disp.value);
        }
      }
      if (!value) value = loadedConstant(ins, ops);
      return true;
    }
    return isEnd(ins);
  });
  if (!ok) return {0, 1};
  if (!value) {
    notFound(c, e, "offatseg: no FS/GS-relative instruction at " + hex(addr));
    return {0, 1};
  }
  return {*value, 0};
}

RtResult offatstrcpy(RtCtx* c, const Expr* e, uint64_t addr, uint64_t fn) {
  VP_CHARGE(c, e, BuiltinId::Offatstrcpy);
  std::optional<uint64_t> rsi;
  bool called = false;
  bool ok = scan(c, e, addr, [&](auto& ins, auto* ops, uint64_t at) {
    bool branch = ins.mnemonic == ZYDIS_MNEMONIC_CALL || ins.mnemonic == ZYDIS_MNEMONIC_JMP;
    if (branch && ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
      ZyanU64 target = 0;
      if (ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&ins, &ops[0], at, &target)) && target == fn) {
        called = true;
        return true;
      }
    }
    if (ins.mnemonic == ZYDIS_MNEMONIC_RET) return true;
    if (ins.operand_count_visible > 0 && writesReg(ops[0], ZYDIS_REGISTER_RSI)) {
      rsi = loadedConstant(ins, ops);
    }
    return false;
  });
  if (!ok) return {0, 1};
  if (!called || !rsi) {
    notFound(c, e, "offatstrcpy: no call to " + hex(fn) + " with a constant offset in RSI at " + hex(addr));
    return {0, 1};
  }
  return {*rsi, 0};
}

}  // namespace vp::rt
