// The offset-at built-ins: decode guest code (with Zydis) to recover a
// structure offset that a kernel function uses, e.g. the pid offset from
// sys_getpid's load before its ret (chapter 4 of the reference).
#include <Zydis/Zydis.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "vp/src/ast.h"
#include "vp/src/runtime/charge.h"
#include "vp/src/runtime/context_impl.h"

namespace vp::rt {

namespace {

// How far a scan goes before it gives up looking for its pattern.
constexpr size_t kScanBytes = 4096;

std::string hex(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Reads the bytes of the instruction at `addr`: `want` (at most one
// instruction's worth) or, where guest memory ends sooner, as many as are
// mapped. Code may be mapped only up to its last instruction, so the read
// is retried shorter rather than failed. Returns the count read.
size_t readInstruction(Target& t, uint64_t addr, uint8_t* buf, size_t want) {
  for (size_t n = want; n > 0; --n) {
    if (t.readLinear(addr, buf, n)) return n;
  }
  return 0;
}

// Guest code read up to a page at a time, so a scan translates each page
// once (of a partly readable page, as much as can be read); an instruction
// the window cannot serve (it crosses the page, or runs past the readable
// part) is read on its own.
class CodeReader {
 public:
  explicit CodeReader(Target& t) : t_(t) {}

  size_t read(uint64_t at, uint8_t* out, size_t want) {
    if (!(at >= start_ && at - start_ + want <= size_)) refill(at, want);
    if (at >= start_ && at - start_ + want <= size_) {
      std::memcpy(out, window_ + (at - start_), want);
      return want;
    }
    return readInstruction(t_, at, out, want);
  }

 private:
  static constexpr uint64_t kPage = 4096;

  void refill(uint64_t at, size_t want) {
    size_t toPageEnd = static_cast<size_t>(kPage - at % kPage);
    if (toPageEnd < want) return;
    size_t n = t_.readLinear(at, window_, toPageEnd) ? toPageEnd : readablePrefix(at, toPageEnd);
    if (n < want) return;
    start_ = at;
    size_ = n;
  }

  // How many bytes from `at` (fewer than `max`) can be read, found in a
  // dozen reads: otherwise each instruction of a partly readable page
  // would try the whole page again. A shorter read succeeds whenever a
  // longer one does. Leaves them in the window.
  size_t readablePrefix(uint64_t at, size_t max) {
    size_t lo = 0, hi = max;  // lo bytes read, hi not
    while (hi - lo > 1) {
      size_t mid = lo + (hi - lo) / 2;
      if (t_.readLinear(at, window_, mid)) lo = mid;
      else hi = mid;
    }
    return lo > 0 && t_.readLinear(at, window_, lo) ? lo : 0;
  }

  Target& t_;
  uint8_t window_[kPage];
  uint64_t start_ = 0;
  size_t size_ = 0;
};

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
  ZydisDecoder dec;
  ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  CodeReader code(ctx.target());
  size_t off = 0;
  while (off < kScanBytes) {
    uint64_t at = addr + off;
    uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
    size_t want = std::min<size_t>(sizeof bytes, kScanBytes - off);
    size_t got = code.read(at, bytes, want);
    if (got == 0) {
      fail(c, ErrorCode::MemAccess, e, at);
      return false;
    }
    ZydisDecodedInstruction ins;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    ZyanStatus st = ZydisDecoderDecodeFull(&dec, bytes, got, &ins, ops);
    if (!ZYAN_SUCCESS(st)) {
      if (st == ZYDIS_STATUS_NO_MORE_DATA && got < want) {
        // The instruction runs into memory that is not mapped.
        fail(c, ErrorCode::MemAccess, e, at + got);
        return false;
      }
      if (st == ZYDIS_STATUS_NO_MORE_DATA) break;  // cut by the scan's end
      ctx.detail = "cannot decode guest code at " + hex(at);
      fail(c, ErrorCode::Decode, e, at);
      return false;
    }
    if (visit(ins, ops, at)) return true;
    off += ins.length;
  }
  ctx.detail = "pattern not found in " + std::to_string(std::min(off, kScanBytes)) +
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
