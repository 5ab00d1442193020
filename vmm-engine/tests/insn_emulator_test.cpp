// The probe instruction emulator, instruction by instruction: registers
// and memory before and after, faults that change nothing, and the
// instructions decode() refuses. No KVM needed.
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <xbyak/xbyak.h>

#include "vmm-engine/insn_emulator.h"

using namespace Xbyak::util;

namespace {

constexpr uint64_t kCode = 0xffffffff81000000ull;
constexpr uint64_t kCF = 1, kPF = 4, kAF = 0x10, kZF = 0x40, kSF = 0x80, kOF = 0x800;

// Flat test memory: one readable/writable window, one read-only window;
// anything else faults as not present, and [kMmio, kMmio+4K) is "not RAM".
class TestMemory : public vmm::EmuMemory {
 public:
  static constexpr uint64_t kBase = 0x10000, kSize = 0x4000;
  static constexpr uint64_t kRo = 0x20000, kMmio = 0x30000;
  uint8_t bytes[kSize] = {};
  uint8_t ro[64] = {};
  int writes = 0;

  vmm::EmuStatus read(uint64_t a, void* out, size_t n, vmm::EmuFault& f) override {
    if (a >= kMmio && a < kMmio + 4096) return vmm::EmuStatus::Unsupported;
    if (a >= kRo && a + n <= kRo + sizeof ro) {
      memcpy(out, ro + (a - kRo), n);
      return vmm::EmuStatus::Ok;
    }
    if (!inside(a, n)) return fault(f, a, 0);
    memcpy(out, bytes + (a - kBase), n);
    return vmm::EmuStatus::Ok;
  }
  vmm::EmuStatus write(uint64_t a, const void* in, size_t n, vmm::EmuFault& f) override {
    if (a >= kRo && a < kRo + sizeof ro) return fault(f, a, 3);  // present, write
    if (!inside(a, n)) return fault(f, a, 2);
    memcpy(bytes + (a - kBase), in, n);
    ++writes;
    return vmm::EmuStatus::Ok;
  }
  uint64_t q(uint64_t a) const {
    uint64_t v;
    memcpy(&v, bytes + (a - kBase), 8);
    return v;
  }
  void setQ(uint64_t a, uint64_t v) { memcpy(bytes + (a - kBase), &v, 8); }

 private:
  static bool inside(uint64_t a, size_t n) { return a >= kBase && a + n <= kBase + kSize; }
  static vmm::EmuStatus fault(vmm::EmuFault& f, uint64_t a, uint32_t err) {
    f = {14, true, err, a};
    return vmm::EmuStatus::Fault;
  }
};

struct Asm : Xbyak::CodeGenerator {
  Asm() : Xbyak::CodeGenerator(4096, Xbyak::AutoGrow) {}
};

vmm::ProbeInsn decodeOk(const Asm& a, uint64_t at = kCode) {
  vmm::ProbeInsn insn;
  std::string why;
  bool ok = vmm::ProbeInsn::decode(a.getCode(), a.getSize(), at, insn, why);
  INFO(why);
  REQUIRE(ok);
  return insn;
}

std::string refusal(std::initializer_list<uint8_t> bytes) {
  std::vector<uint8_t> b(bytes);
  vmm::ProbeInsn insn;
  std::string why;
  bool ok = vmm::ProbeInsn::decode(b.data(), b.size(), kCode, insn, why);
  return ok ? "accepted" : why;
}

struct Run {
  vmm::EmuCpu cpu;
  TestMemory mem;
  Run() {
    cpu.regs.rip = kCode;
    cpu.regs.rsp = TestMemory::kBase + 0x1000;
    cpu.regs.rflags = 0x202;
  }
  vmm::EmuResult exec(const vmm::ProbeInsn& insn) { return insn.execute(cpu, mem); }
  vmm::EmuResult exec(const Asm& a) { return exec(decodeOk(a)); }
};

}  // namespace

TEST_CASE("emulator: push rbp writes the stack and moves RSP", "[emulator]") {
  Asm a;
  a.push(rbp);
  Run r;
  r.cpu.regs.rbp = 0x1122334455667788;
  auto before = r.cpu.regs;
  REQUIRE(r.exec(a).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rsp == before.rsp - 8);
  CHECK(r.mem.q(r.cpu.regs.rsp) == 0x1122334455667788);
  CHECK(r.cpu.regs.rip == kCode + 1);
  CHECK(r.cpu.regs.rflags == before.rflags);
  CHECK(r.mem.writes == 1);
}

TEST_CASE("emulator: push r12, push rsp, push imm8/imm32, push [mem]", "[emulator]") {
  Run r;
  uint64_t sp = r.cpu.regs.rsp;
  r.cpu.regs.r12 = 0xabc;
  Asm p1;
  p1.push(r12);
  REQUIRE(r.exec(p1).outcome == vmm::EmuOutcome::Done);
  CHECK(r.mem.q(sp - 8) == 0xabc);
  CHECK(r.cpu.regs.rip == kCode + 2);
  Asm p2;
  p2.push(rsp);  // pushes the value before the decrement
  r.cpu.regs.rip = kCode;
  REQUIRE(r.exec(p2).outcome == vmm::EmuOutcome::Done);
  CHECK(r.mem.q(sp - 16) == sp - 8);
  Asm p3;
  p3.push(-2);  // imm8, sign-extended to 64 bits
  r.cpu.regs.rip = kCode;
  REQUIRE(r.exec(p3).outcome == vmm::EmuOutcome::Done);
  CHECK(r.mem.q(sp - 24) == ~1ull);
  Asm p4;
  p4.push(0x12345678);
  r.cpu.regs.rip = kCode;
  REQUIRE(r.exec(p4).outcome == vmm::EmuOutcome::Done);
  CHECK(r.mem.q(sp - 32) == 0x12345678);
  CHECK(r.cpu.regs.rip == kCode + 5);
  Asm p5;
  p5.push(qword[rsp + 8]);  // address computed with the old RSP
  r.cpu.regs.rip = kCode;
  REQUIRE(r.exec(p5).outcome == vmm::EmuOutcome::Done);
  CHECK(r.mem.q(sp - 40) == ~1ull);
  CHECK(r.cpu.regs.rsp == sp - 40);
}

TEST_CASE("emulator: pop, pop rsp, leave", "[emulator]") {
  Run r;
  uint64_t sp = r.cpu.regs.rsp;
  r.mem.setQ(sp, 0x55);
  r.mem.setQ(sp + 8, 0x66);
  Asm p;
  p.pop(rbx);
  REQUIRE(r.exec(p).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rbx == 0x55);
  CHECK(r.cpu.regs.rsp == sp + 8);
  Asm q;
  q.pop(rsp);  // RSP takes the popped value
  r.cpu.regs.rip = kCode;
  REQUIRE(r.exec(q).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rsp == 0x66);
  Asm l;
  l.leave();
  Run s;
  s.cpu.regs.rbp = TestMemory::kBase + 0x800;
  s.mem.setQ(TestMemory::kBase + 0x800, 0x7777);
  REQUIRE(s.exec(l).outcome == vmm::EmuOutcome::Done);
  CHECK(s.cpu.regs.rbp == 0x7777);
  CHECK(s.cpu.regs.rsp == TestMemory::kBase + 0x808);
  CHECK(s.mem.writes == 0);
}

TEST_CASE("emulator: mov between registers keeps the x86 width rules", "[emulator]") {
  Run r;
  r.cpu.regs.rax = 0x1111111111111111;
  r.cpu.regs.rbx = 0xaaaaaaaabbbbbbbb;
  Asm m64;
  m64.mov(rbp, rsp);
  auto sp = r.cpu.regs.rsp;
  REQUIRE(r.exec(m64).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rbp == sp);
  CHECK(r.cpu.regs.rip == kCode + 3);
  Asm m32;
  m32.mov(eax, ebx);  // clears bits 63:32
  REQUIRE(r.exec(m32).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rax == 0xbbbbbbbb);
  Asm m16;
  m16.mov(ax, 0x1234);  // keeps the rest
  r.cpu.regs.rax = 0xffffffffffffffff;
  REQUIRE(r.exec(m16).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rax == 0xffffffffffff1234);
  Asm m8;
  m8.mov(ah, bl);
  REQUIRE(r.exec(m8).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rax == 0xffffffffffffbb34);
  Asm imm64;
  imm64.mov(r15, 0x0123456789abcdefull);
  REQUIRE(r.exec(imm64).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.r15 == 0x0123456789abcdefull);
  Asm imm32;
  imm32.mov(rcx, -5);  // C7 /0, sign-extended
  REQUIRE(r.exec(imm32).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rcx == uint64_t(-5));
}

TEST_CASE("emulator: mov to and from memory, RIP-relative and GS-relative", "[emulator]") {
  Run r;
  r.cpu.regs.rdi = TestMemory::kBase + 0x100;
  r.cpu.regs.rsi = 0xdeadbeefcafef00d;
  Asm st;
  st.mov(qword[rdi + 8], rsi);
  REQUIRE(r.exec(st).outcome == vmm::EmuOutcome::Done);
  CHECK(r.mem.q(TestMemory::kBase + 0x108) == 0xdeadbeefcafef00d);
  Asm st32;
  st32.mov(dword[rdi + 8], 0x11223344);
  REQUIRE(r.exec(st32).outcome == vmm::EmuOutcome::Done);
  CHECK(r.mem.q(TestMemory::kBase + 0x108) == 0xdeadbeef11223344);
  // mov rax, [rip + disp]: the operand follows RIP, not the decode address.
  Asm ld;
  ld.db(0x48), ld.db(0x8b), ld.db(0x05), ld.dd(0x100);  // mov rax, [rip+0x100]
  vmm::ProbeInsn insn = decodeOk(ld);
  r.cpu.regs.rip = TestMemory::kBase + 0x1000 - 7;
  r.mem.setQ(TestMemory::kBase + 0x1100, 0x4242);
  REQUIRE(r.exec(insn).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rax == 0x4242);
  // sys_getpid's "mov rax, gs:[0]" reads the GS base.
  Asm gs;
  gs.db(0x65), gs.db(0x48), gs.db(0x8b), gs.db(0x04), gs.db(0x25), gs.dd(0);
  r.cpu.regs.rip = kCode;
  r.cpu.gsBase = TestMemory::kBase + 0x200;
  r.mem.setQ(TestMemory::kBase + 0x200, 0x9999);
  REQUIRE(r.exec(gs).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rax == 0x9999);
}

TEST_CASE("emulator: movzx, movsx, movsxd, lea", "[emulator]") {
  Run r;
  r.cpu.regs.rbx = 0x80f0;
  Asm zx;
  zx.movzx(eax, bl);
  REQUIRE(r.exec(zx).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rax == 0xf0);
  Asm sx;
  sx.movsx(rax, bx);
  REQUIRE(r.exec(sx).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rax == 0xffffffffffff80f0);
  Asm sxd;
  r.cpu.regs.rcx = 0x80000000;
  sxd.movsxd(rdx, ecx);
  REQUIRE(r.exec(sxd).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rdx == 0xffffffff80000000);
  Asm lea;
  r.cpu.regs.rsi = 0x1000;
  r.cpu.regs.rdi = 3;
  lea.lea(rsi, ptr[rsi + rdi * 8 + 0x3f0]);
  auto flags = r.cpu.regs.rflags;
  REQUIRE(r.exec(lea).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rsi == 0x1000 + 24 + 0x3f0);
  CHECK(r.cpu.regs.rflags == flags);
  CHECK(r.mem.writes == 0);
  Asm lea32;
  r.cpu.regs.rax = 0xfffffffff;
  lea32.lea(eax, ptr[eax + 1]);  // 32-bit address size wraps
  REQUIRE(r.exec(lea32).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rax == 0);
}

TEST_CASE("emulator: sub/add rsp and the status flags", "[emulator]") {
  Run r;
  r.cpu.regs.rsp = 0x1000;
  Asm sub;
  sub.sub(rsp, 0x28);
  REQUIRE(r.exec(sub).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rsp == 0xfd8);
  // 0x1000 - 0x28 = 0xfd8: no carry, no overflow, not zero, even parity
  // of 0xd8 (4 ones), borrow from bit 4 (AF).
  CHECK((r.cpu.regs.rflags & (kCF | kZF | kSF | kOF)) == 0);
  CHECK((r.cpu.regs.rflags & kPF) == kPF);
  CHECK((r.cpu.regs.rflags & kAF) == kAF);
  CHECK((r.cpu.regs.rflags & 0x200) == 0x200);  // IF untouched
  Asm add;
  add.add(rsp, 0x28);
  REQUIRE(r.exec(add).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rsp == 0x1000);
  CHECK((r.cpu.regs.rflags & (kCF | kZF | kSF | kOF)) == 0);
  Asm wrap;
  r.cpu.regs.rax = 1;
  wrap.sub(eax, 2);  // borrow, negative
  REQUIRE(r.exec(wrap).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rax == 0xffffffff);
  CHECK((r.cpu.regs.rflags & (kCF | kSF)) == (kCF | kSF));
  CHECK((r.cpu.regs.rflags & (kZF | kOF)) == 0);
  Asm ovf;
  r.cpu.regs.rax = 0x7fffffffffffffff;
  ovf.add(rax, 1);  // signed overflow, no carry
  REQUIRE(r.exec(ovf).outcome == vmm::EmuOutcome::Done);
  CHECK((r.cpu.regs.rflags & (kOF | kSF)) == (kOF | kSF));
  CHECK((r.cpu.regs.rflags & kCF) == 0);
}

TEST_CASE("emulator: xor/and/or/test/cmp/adc/sbb/inc/dec", "[emulator]") {
  Run r;
  r.cpu.regs.rax = 0x1234;
  r.cpu.regs.rflags |= kCF | kOF;
  Asm x;
  x.xor_(eax, eax);
  REQUIRE(r.exec(x).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rax == 0);
  CHECK((r.cpu.regs.rflags & (kZF | kPF)) == (kZF | kPF));
  CHECK((r.cpu.regs.rflags & (kCF | kOF | kSF)) == 0);
  Asm t;
  r.cpu.regs.rdx = 0;
  t.test(rdx, rdx);
  REQUIRE(r.exec(t).outcome == vmm::EmuOutcome::Done);
  CHECK((r.cpu.regs.rflags & kZF) == kZF);
  CHECK(r.cpu.regs.rdx == 0);
  Asm c;
  r.cpu.regs.rbx = 5;
  c.cmp(rbx, 7);
  REQUIRE(r.exec(c).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rbx == 5);
  CHECK((r.cpu.regs.rflags & (kCF | kSF)) == (kCF | kSF));
  Asm adc;
  r.cpu.regs.rcx = 10;
  adc.adc(rcx, 1);  // CF is set from the cmp
  REQUIRE(r.exec(adc).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rcx == 12);
  Asm sbb;
  r.cpu.regs.rflags |= kCF;
  sbb.sbb(rcx, 1);
  REQUIRE(r.exec(sbb).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rcx == 10);
  Asm o;
  o.or_(rcx, 0x100);
  REQUIRE(r.exec(o).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rcx == 0x10a);
  Asm an;
  an.and_(ecx, 0xf);
  REQUIRE(r.exec(an).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rcx == 0xa);
  Asm inc;
  r.cpu.regs.rflags |= kCF;
  r.cpu.regs.rdi = 0xffffffffffffffff;
  inc.inc(rdi);  // wraps to 0, CF kept
  REQUIRE(r.exec(inc).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rdi == 0);
  CHECK((r.cpu.regs.rflags & (kZF | kCF)) == (kZF | kCF));
  Asm dec;
  dec.dec(qword[rsp]);  // read-modify-write of memory
  r.mem.setQ(r.cpu.regs.rsp, 3);
  REQUIRE(r.exec(dec).outcome == vmm::EmuOutcome::Done);
  CHECK(r.mem.q(r.cpu.regs.rsp) == 2);
}

TEST_CASE("emulator: call, ret, jmp, jcc", "[emulator]") {
  Run r;
  uint64_t sp = r.cpu.regs.rsp;
  Asm call;
  call.db(0xe8), call.dd(0x100);  // call rel32
  REQUIRE(r.exec(call).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rip == kCode + 5 + 0x100);
  CHECK(r.mem.q(sp - 8) == kCode + 5);
  Asm ret;
  ret.ret();
  REQUIRE(r.exec(ret).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rip == kCode + 5);
  CHECK(r.cpu.regs.rsp == sp);
  Asm retn;
  retn.ret(16);
  r.mem.setQ(sp, 0x4000);
  REQUIRE(r.exec(retn).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rip == 0x4000);
  CHECK(r.cpu.regs.rsp == sp + 24);
  Asm repret;
  repret.db(0xf3), repret.db(0xc3);  // "repz ret", as older GCC emits
  r.cpu.regs.rsp = sp;
  REQUIRE(r.exec(repret).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rip == 0x4000);
  Asm callr;
  r.cpu.regs.rax = 0x5000;
  r.cpu.regs.rip = kCode;
  callr.call(rax);
  REQUIRE(r.exec(callr).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rip == 0x5000);
  CHECK(r.mem.q(r.cpu.regs.rsp) == kCode + 2);
  Asm jmp;
  jmp.db(0xeb), jmp.db(0xfe);  // jmp $
  r.cpu.regs.rip = kCode;
  REQUIRE(r.exec(jmp).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rip == kCode);
  Asm jz;
  jz.db(0x74), jz.db(0x10);  // jz +0x10
  r.cpu.regs.rflags &= ~kZF;
  REQUIRE(r.exec(jz).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rip == kCode + 2);
  r.cpu.regs.rip = kCode;
  r.cpu.regs.rflags |= kZF;
  REQUIRE(r.exec(jz).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rip == kCode + 0x12);
  Asm jl;
  jl.db(0x0f), jl.db(0x8c), jl.dd(0x200);  // jl rel32: SF != OF
  r.cpu.regs.rip = kCode;
  r.cpu.regs.rflags = (r.cpu.regs.rflags & ~(kSF | kOF)) | kSF;
  REQUIRE(r.exec(jl).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rip == kCode + 6 + 0x200);
}

TEST_CASE("emulator: endbr64, multi-byte nop, pause change only RIP", "[emulator]") {
  Run r;
  auto before = r.cpu.regs;
  Asm e;
  e.db(0xf3), e.db(0x0f), e.db(0x1e), e.db(0xfa);
  REQUIRE(r.exec(e).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rip == kCode + 4);
  Asm n;
  n.db(0x66), n.db(0x0f), n.db(0x1f), n.db(0x44), n.db(0), n.db(0);  // nopw 0(%rax,%rax)
  REQUIRE(r.exec(n).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rip == kCode + 4 + 6);
  Asm p;
  p.pause();
  REQUIRE(r.exec(p).outcome == vmm::EmuOutcome::Done);
  before.rip = r.cpu.regs.rip;
  CHECK(memcmp(&before, &r.cpu.regs, sizeof before) == 0);
  CHECK(r.mem.writes == 0);
}

TEST_CASE("emulator: clac/stac change RFLAGS.AC at CPL0, #UD elsewhere", "[emulator]") {
  constexpr uint64_t kAC = 1ull << 18;
  Run r;
  r.cpu.regs.rflags |= kAC;
  Asm c;
  c.db(0x0f), c.db(0x01), c.db(0xca);  // clac
  REQUIRE(r.exec(c).outcome == vmm::EmuOutcome::Done);
  CHECK((r.cpu.regs.rflags & kAC) == 0);
  CHECK(r.cpu.regs.rip == kCode + 3);
  Asm s;
  s.db(0x0f), s.db(0x01), s.db(0xcb);  // stac
  r.cpu.regs.rip = kCode;
  REQUIRE(r.exec(s).outcome == vmm::EmuOutcome::Done);
  CHECK((r.cpu.regs.rflags & kAC) != 0);
  r.cpu.cpl = 3;
  r.cpu.regs.rip = kCode;
  auto before = r.cpu.regs;
  vmm::EmuResult res = r.exec(c);
  REQUIRE(res.outcome == vmm::EmuOutcome::Fault);
  CHECK(res.fault.vector == 6);
  CHECK_FALSE(res.fault.hasErrorCode);
  CHECK(memcmp(&before, &r.cpu.regs, sizeof before) == 0);
}

TEST_CASE("emulator: mov cr3 computes the new CR3 at CPL0, #GP elsewhere", "[emulator]") {
  constexpr uint64_t kPcide = 1ull << 17, kNoFlush = 1ull << 63;
  Run r;
  Asm m;
  m.db(0x41), m.db(0x0f), m.db(0x22), m.db(0xd9);  // mov cr3, r9 (REX.B)
  vmm::ProbeInsn insn = decodeOk(m);
  CHECK(insn.writesCr3());
  CHECK(insn.text() == "mov cr3, r9");
  r.cpu.regs.r9 = 0x123000;
  CHECK(insn.cr3Source(r.cpu.regs) == 0x123000);
  REQUIRE(r.exec(insn).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.cr3Written);
  CHECK_FALSE(r.cpu.cr3NoFlush);
  CHECK(r.cpu.cr3 == 0x123000);
  CHECK(r.cpu.regs.rip == kCode + 4);
  // With PCIDs, bit 63 asks for no flush and is not stored.
  r.cpu.regs.rip = kCode, r.cpu.cr4 = kPcide, r.cpu.regs.r9 = kNoFlush | 0x456005;
  REQUIRE(r.exec(insn).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.cr3NoFlush);
  CHECK(r.cpu.cr3 == 0x456005);
  // Without them bit 63 is reserved; so are bits 52-62; CPL3 may not.
  struct Bad {
    uint64_t cr4, value;
    unsigned cpl;
  };
  for (auto [cr4, value, cpl] : {Bad{0, kNoFlush | 0x1000, 0}, Bad{kPcide, 1ull << 55, 0},
                                 Bad{0, 0x1000, 3}}) {
    Run f;
    f.cpu.cr4 = cr4, f.cpu.regs.r9 = value, f.cpu.cpl = cpl;
    auto before = f.cpu.regs;
    vmm::EmuResult res = f.exec(insn);
    REQUIRE(res.outcome == vmm::EmuOutcome::Fault);
    CHECK(res.fault.vector == 13);
    CHECK(res.fault.errorCode == 0);
    CHECK_FALSE(f.cpu.cr3Written);
    CHECK(memcmp(&before, &f.cpu.regs, sizeof before) == 0);
  }
  Asm n;
  n.push(rbp);
  CHECK_FALSE(decodeOk(n).writesCr3());
}

TEST_CASE("emulator: a fault changes neither registers nor memory", "[emulator]") {
  Run r;
  r.cpu.regs.rsp = 0x100008;  // the push would land outside mapped memory
  auto before = r.cpu.regs;
  Asm p;
  p.push(rbp);
  vmm::EmuResult res = r.exec(p);
  REQUIRE(res.outcome == vmm::EmuOutcome::Fault);
  CHECK(res.fault.vector == 14);
  CHECK(res.fault.cr2 == 0x100000);
  CHECK(res.fault.errorCode == 2);  // not present, write
  CHECK(memcmp(&before, &r.cpu.regs, sizeof before) == 0);
  Asm st;
  st.mov(qword[rbx], rax);  // read-only page: present + write
  r.cpu.regs.rbx = TestMemory::kRo;
  before = r.cpu.regs;
  res = r.exec(st);
  REQUIRE(res.outcome == vmm::EmuOutcome::Fault);
  CHECK(res.fault.errorCode == 3);
  CHECK(memcmp(&before, &r.cpu.regs, sizeof before) == 0);
  Asm ret;
  ret.ret();  // ret from an unmapped stack: RSP and RIP unchanged
  r.cpu.regs.rsp = 0x200000;
  before = r.cpu.regs;
  res = r.exec(ret);
  REQUIRE(res.outcome == vmm::EmuOutcome::Fault);
  CHECK(res.fault.errorCode == 0);
  CHECK(memcmp(&before, &r.cpu.regs, sizeof before) == 0);
  CHECK(r.mem.writes == 0);
}

TEST_CASE("emulator: memory outside RAM is reported, not emulated", "[emulator]") {
  Run r;
  r.cpu.regs.rbx = TestMemory::kMmio;
  auto before = r.cpu.regs;
  Asm ld;
  ld.mov(rax, qword[rbx]);
  vmm::EmuResult res = r.exec(ld);
  CHECK(res.outcome == vmm::EmuOutcome::Unsupported);
  CHECK(memcmp(&before, &r.cpu.regs, sizeof before) == 0);
}

TEST_CASE("emulator: decode names the instructions it refuses", "[emulator]") {
  CHECK_THAT(refusal({0xf0, 0x01, 0x00}), Catch::Contains("'lock add [rax], eax'") &&
                                              Catch::Contains("lock prefix"));
  CHECK_THAT(refusal({0xf0, 0x03, 0x00}), Catch::Contains("(f0 03 00) do not decode"));
  CHECK_THAT(refusal({0xf3, 0xa4}), Catch::Contains("'rep movsb'"));
  CHECK_THAT(refusal({0x0f, 0x22, 0xc0}), Catch::Contains("'mov cr0, rax'"));
  CHECK_THAT(refusal({0x0f, 0x20, 0xd8}), Catch::Contains("'mov rax, cr3'"));
  CHECK_THAT(refusal({0x0f, 0x05}), Catch::Contains("'syscall'") &&
                                        Catch::Contains("does not emulate"));
  CHECK_THAT(refusal({0xcc}), Catch::Contains("'int3'"));
  CHECK_THAT(refusal({0x0f, 0x01, 0xf8}), Catch::Contains("'swapgs'"));
  CHECK_THAT(refusal({0xfb}), Catch::Contains("'sti'"));
  CHECK_THAT(refusal({0xf4}), Catch::Contains("'hlt'"));
  CHECK_THAT(refusal({0xff, 0x2c, 0x24}), Catch::Contains("far"));
  // Far returns, with REX.W too (found by fuzz/insn_emulator): run as a
  // near ret they left CS on the guest's stack.
  CHECK_THAT(refusal({0xcb}), Catch::Contains("far"));
  CHECK_THAT(refusal({0x48, 0xcb}), Catch::Contains("far"));
  CHECK_THAT(refusal({0x48, 0xca, 0x08, 0x00}), Catch::Contains("far"));
  CHECK_THAT(refusal({0x66, 0x55}), Catch::Contains("16-bit"));
  CHECK_THAT(refusal({0x8f, 0x00}), Catch::Contains("pop to memory"));
  CHECK_THAT(refusal({0x0f, 0x28, 0xc1}), Catch::Contains("'movaps"));
  CHECK_THAT(refusal({0x8e, 0xd8}), Catch::Contains("general-purpose"));  // mov ds, ax
  CHECK_THAT(refusal({0x0f, 0x0b}), Catch::Contains("'ud2'"));
  CHECK_THAT(refusal({0x06}), Catch::Contains("do not decode"));  // push es: not in 64-bit mode
}

TEST_CASE("emulator: the same instruction runs at another address", "[emulator]") {
  // A kernel mapped twice (identity and higher half): a call decoded at
  // one address runs relative to where it executes.
  Asm call;
  call.db(0xe8), call.dd(0x10);
  vmm::ProbeInsn insn = decodeOk(call, 0x100000);
  Run r;
  r.cpu.regs.rip = kCode;
  REQUIRE(r.exec(insn).outcome == vmm::EmuOutcome::Done);
  CHECK(r.cpu.regs.rip == kCode + 0x15);
  CHECK(insn.text() == "call 0x0000000000100015");
}

// Stores through an operand of the instruction's own are what a shadow-
// paging host cannot see the monitor make (host_paging.h); a push's or a
// call's store to the stack is not one of them.
TEST_CASE("emulator: storesToMemory tells explicit stores from stack pushes", "[emulator]") {
  auto stores = [](auto emit) {
    Asm a;
    emit(a);
    return decodeOk(a).storesToMemory();
  };
  CHECK(stores([](Asm& a) { a.mov(a.qword[a.rax], 0); }));
  CHECK(stores([](Asm& a) { a.add(a.dword[a.rbx + 8], a.ecx); }));
  CHECK(stores([](Asm& a) { a.inc(a.byte[a.rip + 0x10]); }));
  CHECK_FALSE(stores([](Asm& a) { a.push(a.rbp); }));
  CHECK_FALSE(stores([](Asm& a) { a.push(a.qword[a.rax]); }));
  CHECK_FALSE(stores([](Asm& a) { a.mov(a.rax, a.qword[a.rbx]); }));
  CHECK_FALSE(stores([](Asm& a) { a.cmp(a.qword[a.rbx], 1); }));
  CHECK_FALSE(stores([](Asm& a) { a.lea(a.rax, a.ptr[a.rbx + 8]); }));
}
