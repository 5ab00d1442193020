// Tiny CPL0 guests for the timer, the disk and triple faults.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "booted.h"
#include "vmm-engine/hooks.h"

using namespace vmm_test;
using namespace Xbyak::util;

namespace {

constexpr uint64_t kIdt = 0x200000, kCounter = 0x300000;

struct IrqCounter : vmm::VmmHooks {
  std::atomic<uint64_t> irqs{0}, lastVector{0}, tripleFaults{0};
  void onInterrupt(vmm::Vcpu&, uint8_t v) override {
    irqs++;
    lastVector = v;
  }
  void onTripleFault(vmm::Vcpu&) override { tripleFaults++; }
};

uint64_t guestQword(vmm::Vm& vm, uint64_t gpa) {
  uint64_t v = 0;
  vm.memory().read(gpa, &v, 8);
  return v;
}

}  // namespace

TEST_CASE("timer interrupts arrive at about the programmed rate", "[kvm]") {
  if (!kvmOrSkip("timer guest")) return;
  Xbyak::CodeGenerator g;
  Xbyak::Label handler, idle;
  emitIdtGate(g, kIdt, 0x40, handler);
  g.mov(dx, 0x504);
  g.mov(al, 0x40);
  g.out_(dx, al);
  g.mov(dx, 0x500);
  g.mov(eax, 2000);  // 2 ms: 500 Hz
  g.out_(dx, eax);
  g.L(idle);
  g.sti();
  g.hlt();
  g.jmp(idle);
  g.L(handler);
  g.mov(rax, kCounter);  // handlers may clobber: the idle loop keeps nothing
  g.inc(qword[rax]);
  g.db(0x48); g.db(0xcf);  // iretq
  Booted b = boot("timer", g);
  IrqCounter hooks;
  b.vm->setHooks(&hooks);
  std::string err;
  REQUIRE(b.vm->start(err));
  auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  b.vm->requestStop();
  vmm::StopInfo si = b.vm->wait();
  double secs = std::chrono::duration<double>(
                    std::chrono::steady_clock::now() - t0).count();
  CHECK(si.reason == vmm::StopReason::StopRequest);
  uint64_t handled = guestQword(*b.vm, kCounter);
  double expected = secs * 500;
  INFO("handled " << handled << " injected " << hooks.irqs << " raised "
                  << b.devs->timer().ticks(0) << " in " << secs << " s; "
                  << b.vm->counts().summary());
  CHECK(handled >= expected * 0.6);
  CHECK(handled <= expected * 1.05 + 2);
  CHECK(hooks.lastVector == 0x40);
  CHECK(hooks.irqs >= handled);  // at most the one in flight not handled
  CHECK(hooks.irqs <= handled + 1);
  // It idled: each interrupt came at an entry after a wake-up from hlt,
  // or after the kick that raised it when it found the guest between its
  // iretq and its next hlt (a wider window on an emulated host).
  vmm::ExitCounts c = b.vm->counts();
  CHECK(c[vmm::ExitKind::Hlt] + c[vmm::ExitKind::Kick] >= handled);
}

namespace {

// Issues one disk command and polls the status until it is final; stores
// the final status at `statusAt`.
void emitDiskPoll(Xbyak::CodeGenerator& g, uint32_t lba, uint32_t count,
                  uint32_t buf, uint8_t cmd, uint64_t statusAt) {
  Xbyak::Label poll;
  auto out32 = [&](uint16_t port, uint32_t v) {
    g.mov(dx, port);
    g.mov(eax, v);
    g.out_(dx, eax);
  };
  out32(0x510, lba);
  out32(0x514, 0);
  out32(0x518, count);
  out32(0x51c, buf);
  g.mov(dx, 0x520);
  g.mov(al, cmd);
  g.out_(dx, al);
  g.mov(dx, 0x524);
  g.L(poll);
  g.in_(eax, dx);
  g.cmp(eax, 1);
  g.je(poll);
  g.mov(rdi, statusAt);
  g.mov(qword[rdi], rax);
}

struct DiskRecorder : vmx::DiskHooks {
  std::mutex mu;
  std::vector<std::pair<bool, vmx::DiskIoEvent>> events;
  std::thread::id thread;
  void onIoStart(const vmx::DiskIoEvent& e) override { add(true, e); }
  void onIoFinish(const vmx::DiskIoEvent& e) override { add(false, e); }
  void add(bool start, const vmx::DiskIoEvent& e) {
    std::lock_guard l(mu);
    events.push_back({start, e});
    thread = std::this_thread::get_id();
  }
};

}  // namespace

TEST_CASE("disk write/read round trip reaches the file", "[kvm]") {
  if (!kvmOrSkip("disk guest")) return;
  Xbyak::CodeGenerator g;
  Xbyak::Label handler, wait;
  // Pattern: 1 KiB of 0x5a at 0x200000, one rep stosb.
  g.mov(rdi, 0x200000);
  g.mov(al, 0x5a);
  g.mov(ecx, 1024);
  g.rep();
  g.stosb();
  emitDiskPoll(g, 3, 2, 0x200000, 2, kCounter + 0);      // write
  emitDiskPoll(g, 3, 2, 0x280000, 1, kCounter + 8);      // read back
  emitDiskPoll(g, 1000, 1, 0x280000, 1, kCounter + 16);  // past the end
  emitDiskPoll(g, 0, 1, 0x7ffe00 + 0x400, 1, kCounter + 24);  // beyond RAM
  // Interrupt mode: vector 0x41, the handler counts; the guest halts.
  emitIdtGate(g, kIdt, 0x41, handler);
  g.mov(dx, 0x521);
  g.mov(al, 0x41);
  g.out_(dx, al);
  g.mov(dx, 0x518);
  g.mov(eax, 1);
  g.out_(dx, eax);
  g.mov(dx, 0x51c);
  g.mov(eax, 0x2c0000);
  g.out_(dx, eax);
  g.mov(dx, 0x520);
  g.mov(al, 1);
  g.out_(dx, al);
  g.L(wait);
  g.sti();
  g.hlt();
  g.mov(rax, kCounter + 32);
  g.cmp(qword[rax], 0);
  g.je(wait);
  emitPowerOff(g, 0);
  g.L(handler);
  g.mov(dx, 0x524);
  g.in_(eax, dx);
  g.mov(rdi, kCounter + 32);
  g.mov(qword[rdi], rax);
  g.db(0x48); g.db(0xcf);  // iretq

  Booted b = boot("disk", g, 1, 64);
  DiskRecorder rec;
  b.devs->disk()->setHooks(&rec);
  IrqCounter irqs;
  b.vm->setHooks(&irqs);
  vmm::StopInfo si = runToEnd(b);
  REQUIRE(si.reason == vmm::StopReason::PowerOff);
  CHECK(guestQword(*b.vm, kCounter + 0) == 2);
  CHECK(guestQword(*b.vm, kCounter + 8) == 2);
  CHECK(guestQword(*b.vm, kCounter + 16) == 3);
  CHECK(guestQword(*b.vm, kCounter + 24) == 3);
  CHECK(guestQword(*b.vm, kCounter + 32) == 2);
  CHECK(irqs.lastVector == 0x41);
  uint8_t back[1024];
  REQUIRE(b.vm->memory().read(0x280000, back, sizeof back));
  CHECK(std::count(back, back + 1024, 0x5a) == 1024);
  b.devs.reset();
  std::ifstream f(tempDir() + "/disk.disk.img", std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(f)), {});
  REQUIRE(file.size() == 64 * 512);
  CHECK(std::count(file.begin() + 3 * 512, file.begin() + 5 * 512, 0x5a) ==
        1024);
  CHECK(std::count(file.begin(), file.begin() + 3 * 512, 0) == 3 * 512);
  // Hooks: 3 good requests, start then finish each, ids increasing, on
  // the device thread.
  REQUIRE(rec.events.size() == 6);
  CHECK(rec.thread != std::this_thread::get_id());
  auto& w = rec.events[0].second;
  CHECK(rec.events[0].first);
  CHECK_FALSE(rec.events[1].first);
  CHECK(w.args() == std::array<uint64_t, 8>{vmx::kAdapterType, 0, 0, 0,
                                            w.ioId, 3, 2, 1});
  CHECK(rec.events[2].second.isRead == 1);
  CHECK(rec.events[2].second.ioId > w.ioId);
  CHECK(rec.events[4].second.ioId > rec.events[2].second.ioId);
}

TEST_CASE("a triple fault stops the VM with reason triple fault", "[kvm]") {
  if (!kvmOrSkip("triple-fault guest")) return;
  Xbyak::CodeGenerator g;
  emitLidt(g, kIdt, 0);  // no usable IDT: any exception escalates
  g.mov(rax, 0x8000000000000000ull);
  g.mov(rax, qword[rax]);  // non-canonical: #GP -> #DF -> shutdown
  emitPowerOff(g, 1);
  Booted b = boot("triple", g);
  IrqCounter hooks;
  b.vm->setHooks(&hooks);
  vmm::StopInfo si = runToEnd(b);
  CHECK(si.reason == vmm::StopReason::TripleFault);
  CHECK(si.describe() == "triple fault");
  CHECK(hooks.tripleFaults == 1);
}
