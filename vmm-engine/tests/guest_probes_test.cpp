// Dynamic probes on tiny CPL0 guests through a real KVM VM: exact hit
// counts with the right registers, several vCPUs, faults raised by the
// displaced instruction, data probes, exception probes, refusals, and
// guest memory byte for byte as it was once the probes are gone.
#include <catch2/catch.hpp>
#include <cstring>

#include "probe_run.h"

using namespace vmm_test;
using namespace Xbyak::util;

namespace {

std::string hex(uint64_t v) {
  char b[24];
  snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

uint64_t at(const Xbyak::CodeGenerator& g, const Xbyak::Label& l) {
  return kTinyBase + uint64_t(l.getAddress() - g.getCode());
}

std::vector<uint8_t> ram(vmm::Vm& vm, uint64_t gpa, size_t n) {
  std::vector<uint8_t> v(n);
  vm.memory().read(gpa, v.data(), n);
  return v;
}

// fn(rdi, rsi) = 2 * rdi + rsi, called for rdi = N..1 with rsi = 7 on each
// vCPU; the guest checks the sum itself and powers off with 0 when right
// (1 when not). vCPUs other than 0 halt when done.
struct CallLoop {
  Xbyak::CodeGenerator g{3 * 4096};
  Xbyak::Label fn, fnRet, loop, bad, done;
  static constexpr uint32_t kN = 150;
  explicit CallLoop(unsigned vcpus = 1) {
    g.mov(r12, rdi);  // vCPU index (boot state)
    g.xor_(ebx, ebx);
    g.mov(ecx, kN);
    g.L(loop);
    g.mov(rdi, rcx);
    g.mov(esi, 7);
    g.call(fn);
    g.add(rbx, rax);
    g.dec(ecx);
    g.jnz(loop);
    g.mov(rax, uint64_t(kN) * (kN + 1) + 7 * kN);
    g.cmp(rbx, rax);
    g.jne(bad);
    if (vcpus > 1) {  // vCPU 0 waits for the others, then powers off
      g.lock();
      g.inc(dword[rip + done]);
      Xbyak::Label wait, halt;
      g.test(r12, r12);
      g.jnz(halt);
      g.L(wait);
      g.pause();
      g.cmp(dword[rip + done], vcpus);
      g.jne(wait);
      emitPowerOff(g, 0);
      g.L(halt);
      g.hlt();
      g.jmp(halt);
    } else {
      emitPowerOff(g, 0);
    }
    g.L(bad);
    emitPowerOff(g, 1);
    g.align(16);
    g.L(fn);
    g.push(rbp);
    g.mov(rbp, rsp);
    g.lea(rax, ptr[rdi + rdi]);
    g.add(rax, rsi);
    g.pop(rbp);
    g.L(fnRet);
    g.ret();
    // The counter has a page of its own: the probed page is write-protected,
    // and KVM performs a locked increment there as a plain read and a write
    // exit, so two vCPUs finishing together could both write 1 (seen once
    // under nested KVM: the guest never powered off).
    g.align(4096);
    g.L(done);
    g.dd(0);
  }
};

const char* kCountScript = R"(
  (definteger calls) (definteger argsum) (definteger bad) (definteger rets)
  (vprobe GUEST:%FN%
    (setint calls (+ calls 1)) (setint argsum (+ argsum RDI))
    (cond ((== RSI 7) 0) (1 (setint bad (+ bad 1)))))
  (vprobe GUEST:%RET%
    (setint rets (+ rets 1))
    (cond ((== RAX (+ (* 2 RDI) 7)) 0) (1 (setint bad (+ bad 1)))))
  (vprobe VMMUnload (printf "vcpu %d calls %d argsum %d rets %d bad %d\n" VCPUID calls argsum rets bad)))";

std::string fill(std::string s, const std::string& key, uint64_t v) {
  for (size_t p; (p = s.find(key)) != std::string::npos;) s.replace(p, key.size(), hex(v));
  return s;
}

}  // namespace

TEST_CASE("dynamic probes: exact hits with the right registers, memory restored",
          "[kvm][guest-probes]") {
  if (!kvmOrSkip("dynamic probe guest")) return;
  CallLoop c;
  Booted b = boot("dynprobe", c.g);
  auto pristine = ram(*b.vm, kTinyBase, c.g.getSize());
  ProbeRun run(*b.vm);
  std::string src = fill(fill(kCountScript, "%FN%", at(c.g, c.fn)), "%RET%", at(c.g, c.fnRet));
  REQUIRE(run.load(src));
  CHECK(ram(*b.vm, at(c.g, c.fn), 1)[0] == b.vm->breakpointSupport().stop());
  vmm::StopInfo si = runToEnd(b);
  CHECK(si.reason == vmm::StopReason::PowerOff);
  CHECK(si.exitCode == 0);  // the guest's own check of its results
  std::string out = run.unload();
  CHECK(out == "vcpu 0 calls 150 argsum 11325 rets 150 bad 0\n");
  CHECK(ram(*b.vm, kTinyBase, c.g.getSize()) == pristine);
  CHECK(run.reports.empty());
}

TEST_CASE("dynamic probes: two vCPUs hit the same address at once", "[kvm][guest-probes]") {
  if (!kvmOrSkip("dynamic probe guest, 2 vCPUs")) return;
  CallLoop c(2);
  Booted b = boot("dynprobe2", c.g, 2);
  auto pristine = ram(*b.vm, kTinyBase, c.g.getSize() - 16);
  ProbeRun run(*b.vm);
  std::string src = fill(fill(kCountScript, "%FN%", at(c.g, c.fn)), "%RET%", at(c.g, c.fnRet));
  REQUIRE(run.load(src));
  vmm::StopInfo si = runToEnd(b);
  CHECK(si.exitCode == 0);
  std::string out = run.unload();
  CHECK_THAT(out, Catch::Contains("vcpu 0 calls 150 argsum 11325 rets 150 bad 0\n"));
  CHECK_THAT(out, Catch::Contains("vcpu 1 calls 150 argsum 11325 rets 150 bad 0\n"));
  CHECK(run.sink.err() == "");
  CHECK(joined(run.reports) == "");
  CHECK(ram(*b.vm, kTinyBase, c.g.getSize() - 16) == pristine);
}

// Hosts where a guest int3 never exits plant a hlt instead
// (breakpoint_mechanism.h); where the host's hlt exits, that path is tested
// on every host.
bool hltStops(const Booted& b) {
  if (b.vm->breakpointSupport().mechanism == vmm::BreakpointMechanism::HaltExit) return true;
  WARN("hlt stops not tested: this host's hlt does not exit to the monitor ("
       << b.vm->breakpointSupport().detail << ")");
  return false;
}

TEST_CASE("hlt stops: two vCPUs hit, registers right, memory restored", "[kvm][guest-probes]") {
  if (!kvmOrSkip("dynamic probe guest, hlt stops")) return;
  CallLoop c(2);
  Booted b = boot("dynprobe-hlt", c.g, 2, 0, true);
  if (!hltStops(b)) return;
  auto pristine = ram(*b.vm, kTinyBase, c.g.getSize() - 16);
  ProbeRun run(*b.vm);
  REQUIRE(run.load(fill(fill(kCountScript, "%FN%", at(c.g, c.fn)), "%RET%", at(c.g, c.fnRet))));
  CHECK(ram(*b.vm, at(c.g, c.fn), 1)[0] == 0xf4);
  CHECK(runToEnd(b).exitCode == 0);
  std::string out = run.unload();
  CHECK_THAT(out, Catch::Contains("vcpu 0 calls 150 argsum 11325 rets 150 bad 0\n"));
  CHECK_THAT(out, Catch::Contains("vcpu 1 calls 150 argsum 11325 rets 150 bad 0\n"));
  CHECK(joined(run.reports) == "");
  CHECK(ram(*b.vm, kTinyBase, c.g.getSize() - 16) == pristine);
  // A hit is reported as the #BP exit every host gives for a probe stop.
  CHECK(b.vm->counts()[vmm::ExitKind::Debug] == 2 * 300);
}

// The guest's own hlt right before a probed instruction: its exit has RIP
// at the planted byte, which must not be taken for a hit (the byte before
// RIP decides), and the wake-up must run the probed instruction, once.
TEST_CASE("hlt stops: the guest's own hlt just before a probe stays the guest's",
          "[kvm][guest-probes]") {
  if (!kvmOrSkip("hlt before a probe guest")) return;
  constexpr uint64_t kIdt = 0x200000;
  constexpr uint32_t kRounds = 40;
  Xbyak::CodeGenerator g;
  Xbyak::Label handler, loop, site, bad;
  emitIdtGate(g, kIdt, 0x40, handler);
  g.mov(dx, 0x504);  // the platform timer: vector 0x40, every 2 ms
  g.mov(al, 0x40);
  g.out_(dx, al);
  g.mov(dx, 0x500);
  g.mov(eax, 2000);
  g.out_(dx, eax);
  g.xor_(ebx, ebx);
  g.mov(ecx, kRounds);
  g.L(loop);
  g.sti();
  g.hlt();
  g.L(site);
  g.inc(rbx);
  g.cli();
  g.dec(ecx);
  g.jnz(loop);
  g.cmp(rbx, kRounds);
  g.jne(bad);
  emitPowerOff(g, 0);
  g.L(bad);
  emitPowerOff(g, 1);
  g.L(handler);
  g.db(0x48); g.db(0xcf);  // iretq
  Booted b = boot("hlt-before-probe", g, 1, 0, true);
  if (!hltStops(b)) return;
  ProbeRun run(*b.vm);
  REQUIRE(run.load("(definteger n) (vprobe GUEST:" + hex(at(g, site)) +
                   " (setint n (+ n 1))) (vprobe VMMUnload (printf \"%d\\n\" n))"));
  CHECK(runToEnd(b).exitCode == 0);
  CHECK(run.unload() == std::to_string(kRounds) + "\n");
  CHECK(b.vm->counts()[vmm::ExitKind::Hlt] >= kRounds);  // its own, each woken
}

TEST_CASE("dynamic probes: the same address twice in a script fires both",
          "[kvm][guest-probes]") {
  if (!kvmOrSkip("dynamic probe guest")) return;
  CallLoop c;
  Booted b = boot("dynprobe-twice", c.g);
  ProbeRun run(*b.vm);
  std::string src = fill(R"((definteger a) (definteger b)
    (vprobe GUEST:%FN% (setint a (+ a 1)))
    (vprobe GUEST:%FN% (setint b (+ b RDI)))
    (vprobe VMMUnload (printf "%d %d\n" a b)))",
                         "%FN%", at(c.g, c.fn));
  REQUIRE(run.load(src));
  CHECK(runToEnd(b).exitCode == 0);
  CHECK(run.unload() == "150 11325\n");
}

TEST_CASE("dynamic probes: the guest rewriting a probed instruction wins, the probe is cancelled",
          "[kvm][guest-probes][smc]") {
  if (!kvmOrSkip("self-modifying guest")) return;
  // fn returns 1; the guest calls it, rewrites its first instruction (one
  // 8-byte store over the planted byte) to return 2, reads the bytes back
  // and calls it twice more. The guest checks each step itself (exit code
  // 0 when all held): it must read back and run its own bytes.
  Xbyak::CodeGenerator g;
  Xbyak::Label fn, bad;
  const uint64_t rewritten = 0x9090c300000002b8ull;  // mov eax, 2; ret; nop; nop
  g.call(fn);
  g.cmp(eax, 1);
  g.jne(bad);
  g.mov(rax, rewritten);
  g.mov(qword[rip + fn], rax);
  g.mov(rcx, qword[rip + fn]);
  g.cmp(rcx, rax);
  g.jne(bad);
  for (int i = 0; i < 2; ++i) {
    g.call(fn);
    g.cmp(eax, 2);
    g.jne(bad);
  }
  emitPowerOff(g, 0);
  g.L(bad);
  emitPowerOff(g, 1);
  g.align(8);
  g.L(fn);
  g.mov(eax, 1);
  g.ret();
  g.nop(), g.nop();
  Booted b = boot("dynprobe-smc", g);
  ProbeRun run(*b.vm);
  std::string src = fill(R"((definteger n)
    (vprobe GUEST:%FN% (setint n (+ n 1)))
    (vprobe VMMUnload (printf "hits %d\n" n)))",
                         "%FN%", at(g, fn));
  REQUIRE(run.load(src));
  CHECK(runToEnd(b).exitCode == 0);
  CHECK(run.unload() == "hits 1\n");
  std::string want = "guest probes: GUEST:" + hex(at(g, fn)) +
                     ": the guest rewrote the instruction there; the planted byte at guest-physical " +
                     hex(at(g, fn));
  INFO(joined(run.reports));
  REQUIRE(run.reports.size() == 1);
  CHECK(run.reports[0].rfind(want, 0) == 0);
  uint64_t now = 0;
  b.vm->memory().read(at(g, fn), &now, 8);
  CHECK(now == rewritten);
}

TEST_CASE("dynamic probes: the emulated instruction's write fires a data probe",
          "[kvm][guest-probes]") {
  if (!kvmOrSkip("dynamic probe guest")) return;
  // fn's push rbp (emulated by the monitor at each hit) writes 0x6ff0 on
  // vCPU 0's boot stack, which a write probe watches; the calls' return
  // addresses (written by the guest) go to 0x6ff8, on the same page.
  CallLoop c;
  Booted b = boot("dynprobe-side-effect", c.g);
  ProbeRun run(*b.vm);
  std::string src = fill(R"((definteger hits) (definteger pushes) (definteger other)
    (vprobe GUEST:%FN% (setint hits (+ hits 1)))
    (vprobe GUEST_WRITE:0x6ff0
      (cond ((== (getguest 0x6ff0) RBP) (setint pushes (+ pushes 1))) (1 (setint other (+ other 1)))))
    (vprobe VMMUnload (printf "%d %d %d\n" hits pushes other)))",
                         "%FN%", at(c.g, c.fn));
  REQUIRE(run.load(src));
  CHECK(runToEnd(b).exitCode == 0);
  CHECK(run.unload() == "150 150 0\n");
}

TEST_CASE("dynamic probes: a fault of the displaced instruction reaches the guest once",
          "[kvm][guest-probes]") {
  if (!kvmOrSkip("dynamic probe fault guest")) return;
  // A store through RBX = 0x800000, above the 8 MiB the boot tables map:
  // #PF, not present, write. The guest's handler points RBX at good memory
  // and returns: the store is retried there, and the probe on it must
  // fire once.
  Xbyak::CodeGenerator g;
  Xbyak::Label handler, site, bad, wait;
  const uint64_t idt = 0x200000;
  emitIdtGate(g, idt, 14, handler);
  g.mov(ecx, 30000);  // time for the monitor to trap the new handler
  g.L(wait);
  g.out_(0x80, al);
  g.dec(ecx);
  g.jnz(wait);
  g.mov(rbp, 0x1234);
  g.mov(ebx, 0x800000);
  g.L(site);
  g.mov(qword[rbx], rbp);
  g.mov(rax, qword[rbx]);
  g.cmp(rax, 0x1234);
  g.jne(bad);
  g.cmp(rbx, 0x180000);
  g.jne(bad);
  emitPowerOff(g, 0);
  g.L(bad);
  emitPowerOff(g, 1);
  g.L(handler);
  g.mov(ebx, 0x180000);
  g.add(rsp, 8);  // the error code
  g.db(0x48), g.db(0xcf);  // iretq
  Booted b = boot("dynprobe-fault", g);
  ProbeRun run(*b.vm);
  std::string src = fill(R"((definteger n) (definteger pf) (definteger err) (definteger cr2)
    (vprobe GUEST:%SITE% (setint n (+ n 1)))
    (vprobe Guest_PF (setint pf (+ pf 1)) (setint err ARG0) (setint cr2 CR2))
    (vprobe VMMUnload (printf "hits %d pf %d err %d cr2 %x\n" n pf err cr2)))",
                         "%SITE%", at(g, site));
  REQUIRE(run.load(src));
  std::string err;
  REQUIRE(b.vm->start(err));
  vmm::StopInfo si;
  while (!b.vm->waitFor(std::chrono::milliseconds(5), si)) run.probes->refreshGuestProbes();
  CHECK(si.exitCode == 0);
  CHECK(run.unload() == "hits 1 pf 1 err 2 cr2 800000\n");
}

TEST_CASE("exception probes: Guest_PF and Guest_UD see the frame, ARG0 and CR2",
          "[kvm][guest-probes]") {
  if (!kvmOrSkip("exception probe guest")) return;
  // Loads its IDT after the script is armed: the probes follow it.
  Xbyak::CodeGenerator g;
  Xbyak::Label pf, ud, fault, undef, wait;
  const uint64_t idt = 0x200000;
  emitIdtGate(g, idt, 14, pf);
  emitIdtGate(g, idt, 6, ud);
  g.mov(ecx, 30000);  // time for the monitor to notice the new IDT
  g.L(wait);
  g.out_(0x80, al);
  g.dec(ecx);
  g.jnz(wait);
  g.mov(rbx, 0x40001000);  // above 8 MiB: not mapped
  g.L(fault);
  g.mov(rax, qword[rbx]);
  g.L(undef);
  g.ud2();
  emitPowerOff(g, 0);
  g.L(pf);  // skip the 3-byte load
  g.add(qword[rsp + 8], 3);
  g.add(rsp, 8);
  g.db(0x48), g.db(0xcf);  // iretq
  g.L(ud);  // skip the 2-byte ud2
  g.add(qword[rsp], 2);
  g.db(0x48), g.db(0xcf);  // iretq
  Booted b = boot("excprobe", g);
  ProbeRun run(*b.vm);
  REQUIRE(run.load(R"(
    (vprobe Guest_PF (printf "PF err %d cr2 %x rip %x\n" ARG0 CR2 RIP))
    (vprobe Guest_UD (printf "UD rip %x cs %x\n" RIP CS)))"));
  std::string err;
  REQUIRE(b.vm->start(err));
  // What the VM process's timer does every 200 ms.
  vmm::StopInfo si;
  while (!b.vm->waitFor(std::chrono::milliseconds(20), si)) run.probes->refreshGuestProbes();
  CHECK(si.exitCode == 0);
  CHECK(run.unload() == "PF err 0 cr2 40001000 rip " + hex(at(g, fault)).substr(2) +
                            "\nUD rip " + hex(at(g, undef)).substr(2) + " cs 8\n");
  CHECK(run.reports.empty());
}

TEST_CASE("data probes: writes and reads of one variable, not of its neighbours",
          "[kvm][guest-probes]") {
  if (!kvmOrSkip("data probe guest")) return;
  // vars[0..2] on their own page: 100 rounds of writing vars[1] (value =
  // round) and vars[0], vars[2] three times each, then reading vars[1]
  // back. The guest checks every read and the final values.
  Xbyak::CodeGenerator g;
  Xbyak::Label loop, bad;
  const uint64_t vars = 0x300000;
  g.mov(rbx, vars);
  g.mov(ecx, 100);
  g.L(loop);
  g.mov(qword[rbx + 8], rcx);
  for (int i = 0; i < 3; ++i) {
    g.mov(qword[rbx], rcx);
    g.mov(qword[rbx + 16], rcx);
  }
  g.mov(rax, qword[rbx + 8]);
  g.cmp(rax, rcx);
  g.jne(bad);
  g.dec(ecx);
  g.jnz(loop);
  g.cmp(qword[rbx + 8], 1);
  g.jne(bad);
  g.cmp(qword[rbx + 16], 1);
  g.jne(bad);
  emitPowerOff(g, 0);
  g.L(bad);
  emitPowerOff(g, 1);
  Booted b = boot("dataprobe", g);
  ProbeRun run(*b.vm);
  REQUIRE(run.load(R"((definteger w) (definteger r) (definteger sum)
    (vprobe GUEST_WRITE:0x300008 (setint w (+ w 1)) (setint sum (+ sum (getguest 0x300008))))
    (vprobe GUEST_READ:0x30000c (setint r (+ r 1)))
    (vprobe VMMUnload (printf "writes %d sum %d reads %d\n" w sum r)))"));
  CHECK(b.vm->memoryLayout().slotCount() == 2);  // RAM split around the page
  vmm::StopInfo si = runToEnd(b);
  CHECK(si.exitCode == 0);
  // The write probe sees the value written (sum of 1..100); the read of
  // vars[1] covers 0x30000c too.
  // 100 reads back, and the final check of vars[1].
  CHECK(run.unload() == "writes 100 sum 5050 reads 101\n");
  CHECK(b.vm->memoryLayout().slotCount() == 1);  // merged back
  uint64_t v1 = 0;
  b.vm->memory().read(vars + 8, &v1, 8);
  CHECK(v1 == 1);
}

TEST_CASE("guest probes: refusals name the probe and why, nothing is planted",
          "[kvm][guest-probes]") {
  if (!kvmOrSkip("refusal guest")) return;
  CallLoop c;
  Booted b = boot("refusals", c.g);
  auto pristine = ram(*b.vm, kTinyBase, c.g.getSize());
  ProbeRun run(*b.vm);
  CHECK_FALSE(run.load("(vprobe GUEST:0x40000000 1)"));
  REQUIRE(run.errors.size() == 1);
  CHECK_THAT(run.errors[0], Catch::Contains("GUEST:0x40000000: address 0x40000000 is not mapped"));
  ProbeRun mid(*b.vm);  // inside "lea rax, [rdi+rdi]" (48 8d 04 3f): 3f
  REQUIRE(ram(*b.vm, at(c.g, c.fn) + 7, 1)[0] == 0x3f);
  CHECK_FALSE(mid.load("(vprobe GUEST:" + hex(at(c.g, c.fn) + 7) + " 1)"));
  REQUIRE(mid.errors.size() == 1);
  CHECK_THAT(mid.errors[0], Catch::Contains("start of an instruction"));
  ProbeRun hard(*b.vm);  // the hlt of the power-off sequence
  uint64_t hlt = at(c.g, c.bad) + 5 + 4 + 1;
  REQUIRE(ram(*b.vm, hlt, 1)[0] == 0xf4);
  CHECK_FALSE(hard.load("(vprobe GUEST:" + hex(hlt) + " 1)"));
  REQUIRE(hard.errors.size() == 1);
  CHECK_THAT(hard.errors[0], Catch::Contains("'hlt' (f4), cannot be emulated"));
  CHECK(ram(*b.vm, kTinyBase, c.g.getSize()) == pristine);
}

TEST_CASE("dynamic probes: a VM that stops while armed is restored on unload",
          "[kvm][guest-probes]") {
  if (!kvmOrSkip("dynamic probe guest")) return;
  CallLoop c;
  Booted b = boot("stop-armed", c.g);
  auto pristine = ram(*b.vm, kTinyBase, c.g.getSize());
  ProbeRun run(*b.vm);
  std::string src = fill(fill(kCountScript, "%FN%", at(c.g, c.fn)), "%RET%", at(c.g, c.fnRet));
  REQUIRE(run.load(src));
  std::string err;
  REQUIRE(b.vm->start(err));
  b.vm->requestStop();  // mid-run
  b.vm->wait();
  CHECK(ram(*b.vm, at(c.g, c.fn), 1)[0] == b.vm->breakpointSupport().stop());
  run.unload();
  CHECK(ram(*b.vm, kTinyBase, c.g.getSize()) == pristine);
}
