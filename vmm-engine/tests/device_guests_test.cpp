// Tiny CPL0 guests poking each device through a real KVM VM.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

#include "booted.h"
#include "vmm-engine/hooks.h"

using namespace vmm_test;
using namespace Xbyak::util;

namespace {

// Counts Out hooks per port.
struct OutCounter : vmm::VmmHooks {
  std::atomic<uint64_t> port80{0}, exits{0}, resumes{0};
  void onIo(vmm::Vcpu&, bool in, uint16_t port, unsigned, uint32_t) override {
    if (!in && port == 0x80) port80++;
  }
  void onExit(vmm::Vcpu&) override { exits++; }
  void onResume(vmm::Vcpu&) override { resumes++; }
};

}  // namespace

TEST_CASE("power-off port stops the VM with the written code", "[kvm]") {
  if (!kvmOrSkip("power-off guest")) return;
  Xbyak::CodeGenerator g;
  emitPowerOff(g, 42);
  Booted b = boot("poweroff", g);
  vmm::StopInfo si = runToEnd(b);
  CHECK(si.reason == vmm::StopReason::PowerOff);
  CHECK(si.exitCode == 42);
  CHECK(si.describe() == "power off (code 42)");
}

TEST_CASE("serial bytes reach the log, string I/O included", "[kvm]") {
  if (!kvmOrSkip("serial guest")) return;
  Xbyak::CodeGenerator g;
  Xbyak::Label msg;
  g.mov(dx, 0x3f8);
  for (char c : std::string("hi\n")) {
    g.mov(al, c);
    g.out_(dx, al);
  }
  g.lea(rsi, ptr[rip + msg]);
  g.mov(ecx, 6);
  g.rep();
  g.outsb();
  g.mov(dx, 0x3fd);  // LSR reads 0x60: echo it to POST for the hook
  g.in_(al, dx);
  g.movzx(eax, al);
  emitPowerOff(g, 0);
  g.L(msg);
  g.db(reinterpret_cast<const uint8_t*>("rep!\nX"), 6);
  Booted b = boot("serial", g);
  vmm::StopInfo si = runToEnd(b);
  CHECK(si.reason == vmm::StopReason::PowerOff);
  b.devs.reset();  // flushes the partial line
  CHECK(slurp(tempDir() + "/serial.serial.log") == "hi\nrep!\nX");
}

TEST_CASE("port I/O exits are counted exactly", "[kvm]") {
  if (!kvmOrSkip("port I/O guest")) return;
  Xbyak::CodeGenerator g;
  Xbyak::Label loop;
  g.mov(ecx, 100);
  g.L(loop);
  g.out_(0x80, al);
  g.dec(ecx);
  g.jnz(loop);
  emitPowerOff(g, 7);
  Booted b = boot("portio", g);
  OutCounter hooks;
  b.vm->setHooks(&hooks);
  vmm::StopInfo si = runToEnd(b);
  CHECK(si.exitCode == 7);
  CHECK(hooks.port80 == 100);
  CHECK(b.devs->post().writes() == 100);
  vmm::ExitCounts c = b.vm->counts();
  CHECK(c.ioOut == 101);  // 100 POST writes + the power-off write
  CHECK(c[vmm::ExitKind::Io] == 101);
  CHECK(hooks.exits == c.total);
  CHECK(hooks.resumes == c.total);  // every exit but the last resumed
}

TEST_CASE("serial lines from two vCPUs do not interleave", "[kvm]") {
  if (!kvmOrSkip("two-vCPU serial guest")) return;
  Xbyak::CodeGenerator g;
  Xbyak::Label line0, line1, print, loop, wait;
  constexpr uint64_t kDone = 0x300000;
  g.lea(rsi, ptr[rip + line0]);
  g.test(edi, edi);
  g.jz(print);
  g.lea(rsi, ptr[rip + line1]);
  g.L(print);
  g.mov(r8, rsi);
  g.mov(r9d, 40);
  g.mov(dx, 0x3f8);
  g.L(loop);
  g.mov(rsi, r8);
  g.mov(ecx, 24);
  g.rep();
  g.outsb();
  g.dec(r9d);
  g.jnz(loop);
  g.mov(rax, kDone);
  g.lock();
  g.inc(qword[rax]);
  g.test(edi, edi);
  g.jnz(wait);  // vCPU 1 halts; vCPU 0 waits for it, then powers off
  g.L(wait);
  g.cmp(qword[rax], 2);
  g.jne(wait);
  emitPowerOff(g, 0);
  g.L(line0);
  g.db(reinterpret_cast<const uint8_t*>("vcpu0 aaaaaaaaaaaaaaaaa\n"), 24);
  g.L(line1);
  g.db(reinterpret_cast<const uint8_t*>("vcpu1 bbbbbbbbbbbbbbbbb\n"), 24);
  Booted b = boot("serial2", g, 2);
  runToEnd(b);
  b.devs.reset();
  std::istringstream log(slurp(tempDir() + "/serial2.serial.log"));
  std::string line;
  int n0 = 0, n1 = 0;
  while (std::getline(log, line)) {
    n0 += line == "vcpu0 aaaaaaaaaaaaaaaaa";
    n1 += line == "vcpu1 bbbbbbbbbbbbbbbbb";
  }
  CHECK(n0 == 40);
  CHECK(n1 == 40);
}
