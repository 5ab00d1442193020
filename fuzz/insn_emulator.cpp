// The probe instruction emulator (vmm-engine/insn_emulator.h) on any
// instruction bytes, registers and memory: the guest controls all three.
// What decode() accepts, execute() must run without crashing, and keep the
// "exactly once" contract of the header:
//   - every read comes before the one write (at most one), and the first
//     access that fails ends the instruction;
//   - Done only when every access succeeded; Fault/Unsupported exactly when
//     an access said so (with the memory's own fault), and then registers
//     are unchanged and no write happened;
//   - Done changes only what the instruction writes, as Zydis lists its
//     operands (registers, RIP, status flags, with its set-to-0/1 flags),
//     and RIP is the next instruction unless the instruction branches;
//     decode() refuses what writes state the emulator does not hold, and
//     the memory touched is the size Zydis gives the operands;
//   - operand addresses are those Zydis computes (plus FS/GS base);
//   - the stack instructions move RSP and touch the stack as the CPU does,
//     mov moves its source, branches go to their targets, and arithmetic
//     gives the host CPU's result and status flags;
//   - the decode address does not matter, only RIP at execution;
//   - clac/stac outside CPL0 raise #UD, and mov cr3 outside CPL0 or with
//     a reserved bit #GP(0), changing nothing; a mov cr3 that runs
//     computes the CR3 the SDM says (bit 63 the PCIDE no-flush request).
// Memory: a read/write window, a read-only window after it, an MMIO range
// (Unsupported) and faults elsewhere; the input may also make the n-th
// access fail, to reach every failure point.
#include <Zydis/Zydis.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz/support/input_bytes.h"
#include "vmm-engine/insn_emulator.h"

namespace {

constexpr uint64_t kRw = 0x10000, kRwSize = 0x1000, kRo = kRw + kRwSize,
                   kRoSize = 0x100, kMmio = 0x20000, kMmioSize = 0x1000;
constexpr size_t kInsnBytes = 15;
constexpr uint64_t kStatusFlags = 0x8d5;  // CF PF AF ZF SF OF

[[noreturn]] void broken(const char* what, const std::string& insn) {
  std::fprintf(stderr, "insn_emulator: %s ('%s')\n", what, insn.c_str());
  std::abort();
}

using Input = fuzz::InputBytes;

struct Access {
  bool write;
  uint64_t at;
  size_t len;
  vmm::EmuStatus status;
  uint64_t value;  // little-endian bytes read or written (len <= 8)
  vmm::EmuFault fault;
};

// Test memory that logs every access. Writes happen whole or not at all,
// as EmuMemory requires of implementations.
class LoggedMemory : public vmm::EmuMemory {
 public:
  uint8_t bytes[kRwSize + kRoSize] = {};
  std::vector<Access> log;
  unsigned failAt = 0;   // 1-based index of an access forced to fail; 0: none
  bool failUnsupported = false;

  vmm::EmuStatus read(uint64_t a, void* out, size_t n, vmm::EmuFault& f) override {
    auto st = check(a, n, kRwSize + kRoSize, 0, f);
    Access acc{false, a, n, st, 0, f};
    if (st == vmm::EmuStatus::Ok) {
      std::memcpy(out, bytes + (a - kRw), n);
      std::memcpy(&acc.value, out, n < 8 ? n : 8);
    }
    log.push_back(acc);
    return st;
  }
  vmm::EmuStatus write(uint64_t a, const void* in, size_t n, vmm::EmuFault& f) override {
    auto st = check(a, n, kRwSize, 2, f);
    Access acc{true, a, n, st, 0, f};
    std::memcpy(&acc.value, in, n < 8 ? n : 8);
    if (st == vmm::EmuStatus::Ok) std::memcpy(bytes + (a - kRw), in, n);
    log.push_back(acc);
    return st;
  }

 private:
  vmm::EmuStatus check(uint64_t a, size_t n, uint64_t limit, uint32_t err,
                       vmm::EmuFault& f) {
    if (n == 0 || n > 8) broken("an access of an odd size", "");
    bool forced = failAt != 0 && log.size() + 1 == failAt;
    if ((forced && failUnsupported) || (a - kMmio < kMmioSize))
      return vmm::EmuStatus::Unsupported;
    bool inside = a >= kRw && a - kRw <= limit && n <= limit - (a - kRw);
    if (!forced && inside) return vmm::EmuStatus::Ok;
    // Present (write to the read-only window) or not present; the values
    // are arbitrary but must come back unchanged in the result.
    f = {14, true, err | (inside || a - kRo < kRoSize ? 1u : 0u), a};
    return vmm::EmuStatus::Fault;
  }
};

struct Case {
  uint8_t insn[kInsnBytes] = {};
  size_t insnLen = 0;
  uint64_t decodeAt = 0;
  vmm::EmuCpu cpu;
  LoggedMemory mem;
};

// Registers are raw input, or (by a mask bit) pointers into the RW window
// so that memory operands and the stack often land in mapped memory.
Case readCase(Input& in) {
  Case c;
  for (size_t i = 0; i < kInsnBytes; ++i) c.insn[i] = uint8_t(in.take(1));
  c.insnLen = 1 + in.take(1) % kInsnBytes;
  uint64_t mask = in.take(4);
  uint64_t regs[18];  // Gprs order: RAX..R15, RIP, RFLAGS
  static_assert(sizeof regs == sizeof(vmm::Gprs));
  for (unsigned i = 0; i < 18; ++i) {
    uint64_t v = in.take(8);
    regs[i] = i < 17 && (mask >> i) & 1 ? kRw + v % kRwSize : v;
  }
  std::memcpy(&c.cpu.regs, regs, sizeof regs);
  c.cpu.fsBase = (mask & (1 << 17)) ? 0 : in.take(8);
  c.cpu.gsBase = (mask & (1 << 18)) ? 0 : in.take(8);
  c.cpu.cpl = (mask & (1 << 19)) ? 3 : 0;
  c.cpu.cr4 = (mask & (1 << 21)) ? 1ull << 17 : 0;  // CR4.PCIDE
  c.decodeAt = (mask & (1 << 20)) ? c.cpu.regs.rip : in.take(8);
  c.mem.failAt = (mask >> 24) & 7;
  c.mem.failUnsupported = (mask >> 27) & 1;
  for (size_t i = 0; i < sizeof c.mem.bytes && in.n > 0; ++i) c.mem.bytes[i] = uint8_t(in.take(1));
  return c;
}

bool sameRegs(const vmm::Gprs& a, const vmm::Gprs& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool sameCpu(const vmm::EmuCpu& a, const vmm::EmuCpu& b) {
  return sameRegs(a.regs, b.regs) && a.cpl == b.cpl && a.fsBase == b.fsBase &&
         a.gsBase == b.gsBase && a.cr4 == b.cr4 && a.cr3Written == b.cr3Written &&
         a.cr3 == b.cr3 && a.cr3NoFlush == b.cr3NoFlush;
}

// Our own decoding, for the operand lists the checks compare against.
struct Decoded {
  ZydisDecodedInstruction in;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
};

Decoded zydis(const Case& c) {
  Decoded d{};
  ZydisDecoder dec;
  ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, c.insn, c.insnLen, &d.in, d.ops)))
    broken("decode() accepted bytes Zydis refuses", "");
  return d;
}

// Accesses: reads first, at most one write and it last, nothing after a
// failure; the outcome is the failure's, or Done.
void checkAccessOrder(const std::vector<Access>& log, const vmm::EmuResult& r,
                      const std::string& t) {
  size_t writes = 0;
  for (size_t i = 0; i < log.size(); ++i) {
    const Access& a = log[i];
    if (a.write && ++writes > 1) broken("more than one write", t);
    if (a.write && i + 1 != log.size()) broken("an access after the write", t);
    if (a.status != vmm::EmuStatus::Ok && i + 1 != log.size())
      broken("an access after one failed", t);
  }
  vmm::EmuStatus last = log.empty() ? vmm::EmuStatus::Ok : log.back().status;
  auto want = last == vmm::EmuStatus::Ok      ? vmm::EmuOutcome::Done
              : last == vmm::EmuStatus::Fault ? vmm::EmuOutcome::Fault
                                              : vmm::EmuOutcome::Unsupported;
  if (r.outcome != want) broken("the outcome is not what the memory said", t);
  if (r.outcome == vmm::EmuOutcome::Unsupported && r.why == nullptr)
    broken("Unsupported without a reason", t);
}

void checkFaultPassedOn(const LoggedMemory& m, const vmm::EmuResult& r, const std::string& t) {
  if (r.outcome != vmm::EmuOutcome::Fault) return;
  const vmm::EmuFault& f = m.log.back().fault;
  if (r.fault.vector != f.vector || r.fault.hasErrorCode != f.hasErrorCode ||
      r.fault.errorCode != f.errorCode || r.fault.cr2 != f.cr2)
    broken("the fault is not the one the memory raised", t);
}

// RAX..R15 in encoding order 0..15; 16 for any other register.
unsigned gprIndex(ZydisRegister reg) {
  ZydisRegister big = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, reg);
  if (big < ZYDIS_REGISTER_RAX || big > ZYDIS_REGISTER_R15) return 16;
  return unsigned(big - ZYDIS_REGISTER_RAX);
}

// Which of RAX..R15 (in encoding order) the instruction may write.
uint64_t writableGprs(const Decoded& d) {
  uint64_t m = 0;
  for (unsigned i = 0; i < d.in.operand_count; ++i)
    if (d.ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER &&
        (d.ops[i].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
      m |= (1ull << gprIndex(d.ops[i].reg.value)) & 0xffff;
  return m;
}

uint64_t gprByEncoding(const vmm::Gprs& g, unsigned i) {
  if (i >= 16) broken("not a general register", "");
  const uint64_t vmm::Gprs::*order[16] = {
      &vmm::Gprs::rax, &vmm::Gprs::rcx, &vmm::Gprs::rdx, &vmm::Gprs::rbx,
      &vmm::Gprs::rsp, &vmm::Gprs::rbp, &vmm::Gprs::rsi, &vmm::Gprs::rdi,
      &vmm::Gprs::r8,  &vmm::Gprs::r9,  &vmm::Gprs::r10, &vmm::Gprs::r11,
      &vmm::Gprs::r12, &vmm::Gprs::r13, &vmm::Gprs::r14, &vmm::Gprs::r15};
  return g.*order[i];
}

bool writesRip(const Decoded& d) {
  for (unsigned i = 0; i < d.in.operand_count; ++i)
    if (d.ops[i].type == ZYDIS_OPERAND_TYPE_REGISTER && d.ops[i].reg.value == ZYDIS_REGISTER_RIP &&
        (d.ops[i].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
      return true;
  return false;
}

void checkRegisters(const Decoded& d, const vmm::Gprs& before, const vmm::Gprs& after,
                    const std::string& t) {
  uint64_t allowed = writableGprs(d);
  for (unsigned i = 0; i < 16; ++i)
    if (gprByEncoding(before, i) != gprByEncoding(after, i) && !((allowed >> i) & 1))
      broken("a register the instruction does not write changed", t);
  uint64_t next = before.rip + d.in.length;
  if (!writesRip(d) && after.rip != next) broken("RIP is not the next instruction", t);
  const ZydisDecodedOperand& op0 = d.ops[0];
  if (writesRip(d) && op0.type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op0.imm.is_relative) {
    uint64_t target = next + uint64_t(op0.imm.value.s);
    bool conditional = d.in.mnemonic != ZYDIS_MNEMONIC_JMP && d.in.mnemonic != ZYDIS_MNEMONIC_CALL;
    if (after.rip != target && !(conditional && after.rip == next))
      broken("a relative branch went elsewhere", t);
  }
  const ZydisAccessedFlags* f = d.in.cpu_flags;
  uint64_t mayChange = f ? (f->modified | f->set_0 | f->set_1 | f->undefined) : 0;
  if ((before.rflags ^ after.rflags) & ~mayChange) broken("RFLAGS bits changed it does not write", t);
  if (f && ((after.rflags & f->set_0) || (~after.rflags & f->set_1 & kStatusFlags)))
    broken("flags the instruction sets to 0/1 are not", t);
}

// The value a source operand had: a register before the instruction, an
// immediate sign- or zero-extended as encoded, or what the first read
// returned.
uint64_t sourceValue(const ZydisDecodedOperand& op, const vmm::Gprs& b,
                     const std::vector<Access>& log) {
  switch (op.type) {
    case ZYDIS_OPERAND_TYPE_REGISTER: {
      uint64_t full = gprByEncoding(b, gprIndex(op.reg.value));
      bool high8 = op.reg.value >= ZYDIS_REGISTER_AH && op.reg.value <= ZYDIS_REGISTER_BH;
      return high8 ? (full >> 8) & 0xff : full;
    }
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
      return op.imm.is_signed ? uint64_t(op.imm.value.s) : op.imm.value.u;
    default: return log.empty() ? 0 : log.front().value;
  }
}

uint64_t widthMask(unsigned bits) { return bits >= 64 ? ~0ull : (1ull << bits) - 1; }

// What the emulator can hold: general registers, RIP, RFLAGS (and CR3,
// which a mov cr3 computes for its caller to load). An
// instruction writing anything else (a segment register) must be refused
// by decode(), or it would run only in part. Nor may it touch more or less
// memory than the instruction does (a far return also pops CS, Zydis says
// so by the size of its stack operand). Zydis lists a memory operand for
// the multi-byte nop, which accesses nothing.
void checkEffectsCovered(const Decoded& d, const std::vector<Access>& log, const std::string& t) {
  if (d.in.mnemonic == ZYDIS_MNEMONIC_NOP) return;
  size_t reads = 0, writes = 0;
  for (unsigned i = 0; i < d.in.operand_count; ++i) {
    const ZydisDecodedOperand& op = d.ops[i];
    bool w = op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE;
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER && w && gprIndex(op.reg.value) == 16 &&
        op.reg.value != ZYDIS_REGISTER_RIP && op.reg.value != ZYDIS_REGISTER_RFLAGS &&
        op.reg.value != ZYDIS_REGISTER_CR3)
      broken("decode() accepted an instruction writing a register the emulator does not hold", t);
    if (op.type == ZYDIS_OPERAND_TYPE_MEMORY && op.mem.type == ZYDIS_MEMOP_TYPE_MEM) {
      reads += (op.actions & ZYDIS_OPERAND_ACTION_MASK_READ) ? op.size / 8 : 0;
      writes += w ? op.size / 8 : 0;
    }
  }
  size_t didRead = 0, didWrite = 0;
  for (const Access& a : log) (a.write ? didWrite : didRead) += a.len;
  if (didRead != reads || didWrite != writes)
    broken("the memory accesses are not the instruction's", t);
}

// Push/pop/call/ret/leave against the architecture: where the stack access
// is, what RSP becomes, what was stored or loaded.
void checkStack(const Decoded& d, const vmm::Gprs& b, const vmm::Gprs& a,
                const std::vector<Access>& log, const std::string& t) {
  auto stackWrite = [&](uint64_t value) {
    if (log.empty()) broken("a push without a write", t);
    const Access& w = log.back();
    if (!w.write || w.at != b.rsp - 8 || w.len != 8 || w.value != value)
      broken("the push is not 8 bytes of the value below RSP", t);
    if (a.rsp != b.rsp - 8) broken("RSP did not move down by 8", t);
  };
  auto stackRead = [&](uint64_t from) -> uint64_t {
    if (log.empty()) broken("a pop without a read", t);
    const Access& r = log.back();
    if (r.write || r.at != from || r.len != 8) broken("the pop is not 8 bytes at RSP", t);
    return r.value;
  };
  switch (d.in.mnemonic) {
    case ZYDIS_MNEMONIC_CALL: stackWrite(b.rip + d.in.length); break;
    case ZYDIS_MNEMONIC_PUSH: stackWrite(sourceValue(d.ops[0], b, log)); break;
    case ZYDIS_MNEMONIC_POP: {
      uint64_t v = stackRead(b.rsp);
      uint64_t wantRsp = d.ops[0].reg.value == ZYDIS_REGISTER_RSP ? v : b.rsp + 8;
      if (gprByEncoding(a, gprIndex(d.ops[0].reg.value)) != v || a.rsp != wantRsp)
        broken("pop loaded the wrong value or RSP", t);
      break;
    }
    case ZYDIS_MNEMONIC_RET: {
      uint64_t v = stackRead(b.rsp);
      uint64_t extra = d.in.operand_count_visible == 1 ? (d.ops[0].imm.value.u & 0xffff) : 0;
      if (a.rip != v || a.rsp != b.rsp + 8 + extra) broken("ret went to the wrong place", t);
      break;
    }
    case ZYDIS_MNEMONIC_LEAVE:
      if (stackRead(b.rbp) != a.rbp || a.rsp != b.rbp + 8) broken("leave restored the wrong frame", t);
      break;
    default: break;
  }
}

// Indirect jmp/call go where the register or memory operand says.
void checkIndirectBranch(const Decoded& d, const vmm::Gprs& b, const vmm::Gprs& a,
                         const std::vector<Access>& log, const std::string& t) {
  bool jump = d.in.mnemonic == ZYDIS_MNEMONIC_JMP || d.in.mnemonic == ZYDIS_MNEMONIC_CALL;
  if (!jump || d.ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) return;
  if (a.rip != sourceValue(d.ops[0], b, log)) broken("an indirect branch went elsewhere", t);
}

// mov stores or loads its source unchanged (a 32-bit register destination
// zero-extends, narrower ones keep the rest of the register).
bool movesToCr3(const Decoded& d) {
  return d.in.mnemonic == ZYDIS_MNEMONIC_MOV && d.ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
         d.ops[0].reg.value == ZYDIS_REGISTER_CR3;
}

// mov cr3: the value it loads (bit 63 dropped under CR4.PCIDE), and
// whether it asks for no flush.
uint64_t newCr3(const Decoded& d, const Case& c, bool& noFlush) {
  uint64_t v = gprByEncoding(c.cpu.regs, gprIndex(d.ops[1].reg.value));
  noFlush = (c.cpu.cr4 & (1ull << 17)) && (v >> 63);
  return noFlush ? v & ~(1ull << 63) : v;
}

// The exception an instruction raises without touching memory, or 0.
unsigned systemFault(const Decoded& d, const Case& c) {
  if (d.in.mnemonic == ZYDIS_MNEMONIC_CLAC || d.in.mnemonic == ZYDIS_MNEMONIC_STAC)
    return c.cpu.cpl ? 6 : 0;
  if (!movesToCr3(d)) return 0;
  bool noFlush;
  return c.cpu.cpl || (newCr3(d, c, noFlush) >> 52) ? 13 : 0;
}

void checkCr3(const Decoded& d, const Case& c, const vmm::EmuCpu& a, const std::string& t) {
  if (!movesToCr3(d)) {
    if (a.cr3Written) broken("an instruction other than mov cr3 wrote CR3", t);
    return;
  }
  bool noFlush;
  uint64_t v = newCr3(d, c, noFlush);
  if (!a.cr3Written || a.cr3 != v || a.cr3NoFlush != noFlush) broken("mov cr3 loaded another value", t);
}

void checkMov(const Decoded& d, const vmm::Gprs& b, const vmm::Gprs& a,
              const std::vector<Access>& log, const std::string& t) {
  if (d.in.mnemonic != ZYDIS_MNEMONIC_MOV || movesToCr3(d)) return;
  const ZydisDecodedOperand &dst = d.ops[0], &src = d.ops[1];
  uint64_t v = sourceValue(src, b, log) & widthMask(dst.size);
  if (dst.type == ZYDIS_OPERAND_TYPE_MEMORY) {
    if (log.empty()) broken("mov to memory did not write", t);
    const Access& w = log.back();
    if (!w.write || w.len * 8 != dst.size || w.value != v) broken("mov stored another value", t);
    return;
  }
  uint64_t before = gprByEncoding(b, gprIndex(dst.reg.value));
  uint64_t after = gprByEncoding(a, gprIndex(dst.reg.value));
  bool high8 = dst.reg.value >= ZYDIS_REGISTER_AH && dst.reg.value <= ZYDIS_REGISTER_BH;
  uint64_t want = high8 ? (before & ~0xff00ull) | (v << 8)
                  : dst.size >= 32 ? v
                                   : (before & ~widthMask(dst.size)) | v;
  if (after != want) broken("mov loaded another value", t);
}

// A read-modify-write of a memory operand writes where it read, as wide.
void checkReadModifyWrite(const Decoded& d, const std::vector<Access>& log, const std::string& t) {
  for (unsigned i = 0; i < d.in.operand_count_visible; ++i) {
    const ZydisDecodedOperand& op = d.ops[i];
    if (op.type != ZYDIS_OPERAND_TYPE_MEMORY || op.mem.type != ZYDIS_MEMOP_TYPE_MEM) continue;
    bool reads = op.actions & ZYDIS_OPERAND_ACTION_MASK_READ;
    bool writes = op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE;
    if (reads && writes && log.size() == 2 &&
        (log[0].at != log[1].at || log[0].len != log[1].len || log[0].len * 8 != op.size))
      broken("a read-modify-write wrote elsewhere than it read", t);
  }
}

// Zydis's own address arithmetic as the oracle for operand addresses:
// the first access goes to the visible memory operand (lea: the result is
// its address). Zydis does not add segment bases; FS and GS have one.
bool zydisAddress(const Decoded& d, const ZydisDecodedOperand& op, const vmm::EmuCpu& c,
                  uint64_t& at) {
  static ZydisRegisterContext ctx;
  for (unsigned i = 0; i < 16; ++i) {
    uint64_t v = gprByEncoding(c.regs, i);
    ctx.values[ZYDIS_REGISTER_RAX + i] = v;
    ctx.values[ZYDIS_REGISTER_EAX + i] = v & 0xffffffff;
  }
  if (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddressEx(&d.in, &op, c.regs.rip, &ctx, &at))) return false;
  if (op.mem.type == ZYDIS_MEMOP_TYPE_MEM && op.mem.segment == ZYDIS_REGISTER_FS) at += c.fsBase;
  if (op.mem.type == ZYDIS_MEMOP_TYPE_MEM && op.mem.segment == ZYDIS_REGISTER_GS) at += c.gsBase;
  return true;
}

void checkAddress(const Decoded& d, const vmm::EmuCpu& b, const vmm::Gprs* after,
                  const std::vector<Access>& log, const std::string& t) {
  for (unsigned i = 0; i < d.in.operand_count_visible; ++i) {
    const ZydisDecodedOperand& op = d.ops[i];
    if (op.type != ZYDIS_OPERAND_TYPE_MEMORY) continue;
    uint64_t at;
    if (!zydisAddress(d, op, b, at)) broken("Zydis cannot compute the operand's address", t);
    if (d.in.mnemonic == ZYDIS_MNEMONIC_LEA) {
      if (after && (gprByEncoding(*after, gprIndex(d.ops[0].reg.value)) & widthMask(d.ops[0].size)) !=
                       (at & widthMask(d.ops[0].size)))
        broken("lea computed another address", t);
    } else if (op.mem.type == ZYDIS_MEMOP_TYPE_MEM && !log.empty() && log.front().at != at) {
      broken("the memory operand was accessed at another address", t);
    }
  }
}

// The host CPU as the oracle for arithmetic: the same operation on the
// same operands and status flags. The asm steps below the red zone before
// pushing, as the compiler may keep locals there.
#define NATIVE2(ins)                                                           \
  asm volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\t" ins          \
               " %[b], %[a]\n\tpushfq\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp"     \
               : [a] "+r"(a), [f] "+r"(flags) : [b] "r"(b) : "cc", "memory")
#define NATIVE1(ins)                                                           \
  asm volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\t" ins          \
               " %[a]\n\tpushfq\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp"           \
               : [a] "+r"(a), [f] "+r"(flags) : : "cc", "memory")

template <typename T>
bool native(ZydisMnemonic m, uint64_t& value, uint64_t src, uint64_t& flags) {
  T a = T(value), b = T(src);
  switch (m) {
    case ZYDIS_MNEMONIC_ADD: NATIVE2("add"); break;
    case ZYDIS_MNEMONIC_ADC: NATIVE2("adc"); break;
    case ZYDIS_MNEMONIC_SUB: NATIVE2("sub"); break;
    case ZYDIS_MNEMONIC_SBB: NATIVE2("sbb"); break;
    case ZYDIS_MNEMONIC_AND: NATIVE2("and"); break;
    case ZYDIS_MNEMONIC_OR: NATIVE2("or"); break;
    case ZYDIS_MNEMONIC_XOR: NATIVE2("xor"); break;
    case ZYDIS_MNEMONIC_CMP: NATIVE2("cmp"); break;
    case ZYDIS_MNEMONIC_TEST: NATIVE2("test"); break;
    case ZYDIS_MNEMONIC_INC: NATIVE1("inc"); break;
    case ZYDIS_MNEMONIC_DEC: NATIVE1("dec"); break;
    default: return false;
  }
  value = a;
  return true;
}

bool nativeAlu(ZydisMnemonic m, unsigned bits, uint64_t& value, uint64_t src, uint64_t& flags) {
  switch (bits) {
    case 8: return native<uint8_t>(m, value, src, flags);
    case 16: return native<uint16_t>(m, value, src, flags);
    case 32: return native<uint32_t>(m, value, src, flags);
    case 64: return native<uint64_t>(m, value, src, flags);
    default: return false;
  }
}

bool arithmetic(ZydisMnemonic m) {
  uint64_t value = 0, flags = 2;
  return native<uint8_t>(m, value, 0, flags);
}

// The value an operand has after the instruction: its register, or what
// the write stored.
uint64_t resultValue(const ZydisDecodedOperand& op, const vmm::Gprs& a,
                     const std::vector<Access>& log) {
  if (op.type != ZYDIS_OPERAND_TYPE_REGISTER) return log.empty() ? 0 : log.back().value;
  uint64_t full = gprByEncoding(a, gprIndex(op.reg.value));
  bool high8 = op.reg.value >= ZYDIS_REGISTER_AH && op.reg.value <= ZYDIS_REGISTER_BH;
  return high8 ? (full >> 8) & 0xff : full;
}

// Integer instructions give the result and status flags the host CPU
// gives (alu.h promises them exact), except flags the SDM leaves undefined.
void checkAlu(const Decoded& d, const vmm::Gprs& b, const vmm::Gprs& a,
              const std::vector<Access>& log, const std::string& t) {
  if (!arithmetic(d.in.mnemonic)) return;
  const ZydisDecodedOperand& dst = d.ops[0];
  bool unary = d.in.mnemonic == ZYDIS_MNEMONIC_INC || d.in.mnemonic == ZYDIS_MNEMONIC_DEC;
  uint64_t value = sourceValue(dst, b, log);
  uint64_t src = unary ? 0 : sourceValue(d.ops[1], b, log);
  uint64_t flags = (b.rflags & kStatusFlags) | 2;
  if (!nativeAlu(d.in.mnemonic, dst.size, value, src, flags)) return;
  uint64_t undefined = d.in.cpu_flags ? d.in.cpu_flags->undefined : 0;
  if ((flags ^ a.rflags) & kStatusFlags & ~undefined) broken("status flags differ from the CPU's", t);
  bool discard = d.in.mnemonic == ZYDIS_MNEMONIC_CMP || d.in.mnemonic == ZYDIS_MNEMONIC_TEST;
  if (discard) {
    if (!log.empty() && log.back().write) broken("cmp/test wrote memory", t);
    return;
  }
  uint64_t mask = dst.size >= 64 ? ~0ull : (1ull << dst.size) - 1;
  if ((resultValue(dst, a, log) & mask) != (value & mask)) broken("the result differs from the CPU's", t);
}

struct Run {
  vmm::EmuResult result;
  vmm::EmuCpu cpu;
  LoggedMemory mem;
};

Run execute(const vmm::ProbeInsn& insn, const Case& c) {
  Run r{{}, c.cpu, c.mem};
  r.result = insn.execute(r.cpu, r.mem);
  return r;
}

void checkRun(const Decoded& d, const Case& c, const Run& r, const std::string& t) {
  if (unsigned vector = systemFault(d, c)) {
    if (r.result.outcome != vmm::EmuOutcome::Fault || r.result.fault.vector != vector ||
        r.result.fault.hasErrorCode != (vector == 13) || r.result.fault.errorCode != 0)
      broken("a privileged instruction did not raise its exception", t);
    if (!r.mem.log.empty() || !sameCpu(r.cpu, c.cpu) ||
        std::memcmp(r.mem.bytes, c.mem.bytes, sizeof c.mem.bytes) != 0)
      broken("a privileged instruction's exception changed state", t);
    return;
  }
  checkAccessOrder(r.mem.log, r.result, t);
  checkFaultPassedOn(r.mem, r.result, t);
  bool done = r.result.outcome == vmm::EmuOutcome::Done;
  checkAddress(d, c.cpu, done ? &r.cpu.regs : nullptr, r.mem.log, t);
  if (!done) {
    if (!sameCpu(r.cpu, c.cpu)) broken("a failed instruction changed registers", t);
    if (std::memcmp(r.mem.bytes, c.mem.bytes, sizeof c.mem.bytes) != 0)
      broken("a failed instruction changed memory", t);
    return;
  }
  if (r.cpu.cpl != c.cpu.cpl || r.cpu.fsBase != c.cpu.fsBase || r.cpu.gsBase != c.cpu.gsBase)
    broken("the instruction changed CPL or a segment base", t);
  checkRegisters(d, c.cpu.regs, r.cpu.regs, t);
  checkEffectsCovered(d, r.mem.log, t);
  checkStack(d, c.cpu.regs, r.cpu.regs, r.mem.log, t);
  checkIndirectBranch(d, c.cpu.regs, r.cpu.regs, r.mem.log, t);
  checkMov(d, c.cpu.regs, r.cpu.regs, r.mem.log, t);
  checkCr3(d, c, r.cpu, t);
  checkAlu(d, c.cpu.regs, r.cpu.regs, r.mem.log, t);
  checkReadModifyWrite(d, r.mem.log, t);
}

bool sameRun(const Run& a, const Run& b) {
  return a.result.outcome == b.result.outcome && sameCpu(a.cpu, b.cpu) &&
         std::memcmp(a.mem.bytes, b.mem.bytes, sizeof a.mem.bytes) == 0 &&
         a.mem.log.size() == b.mem.log.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  Case c = readCase(in);
  vmm::ProbeInsn insn, elsewhere;
  std::string why;
  if (!vmm::ProbeInsn::decode(c.insn, c.insnLen, c.decodeAt, insn, why)) {
    if (why.empty()) broken("decode() refused without saying why", "");
    return 0;
  }
  const std::string& t = insn.text();
  if (insn.length() == 0 || insn.length() > c.insnLen) broken("decoded length out of range", t);
  Decoded d = zydis(c);
  if (d.in.length != insn.length()) broken("decoded length differs from Zydis", t);
  Run r = execute(insn, c);
  checkRun(d, c, r, t);
  // The decode address is only for messages: RIP at execution decides.
  if (!vmm::ProbeInsn::decode(c.insn, c.insnLen, c.decodeAt ^ 0x5a5a000, elsewhere, why))
    broken("decode() depends on the address", t);
  if (!sameRun(r, execute(elsewhere, c))) broken("execute() depends on the decode address", t);
  return 0;
}
