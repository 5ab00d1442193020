// Registers handed over by KVM at each exit (KVM_CAP_SYNC_REGS) must be
// the registers of that exit: a guest that counts in a register, kicked
// repeatedly, shows the same values through the sync area as through
// KVM_GET_REGS, and they move between kicks.
#include <catch2/catch.hpp>
#include <linux/kvm.h>
#include <thread>

#include "booted.h"

using namespace vmm_test;
using namespace Xbyak::util;

TEST_CASE("synced registers are those of the current exit, kicks included", "[kvm]") {
  if (!kvmOrSkip("sync regs guest")) return;
  Xbyak::CodeGenerator g;
  Xbyak::Label spin;
  g.xor_(ecx, ecx);
  g.L(spin);
  g.inc(rcx);  // CPL0 loop: only kicks exit
  g.jmp(spin);
  Booted b = boot("syncregs", g);
  std::string err;
  REQUIRE(b.vm->start(err));
  vmm::Vcpu& v = b.vm->vcpu(0);
  if (!(b.vm->syncRegsCap() & KVM_SYNC_X86_REGS)) {
    WARN("host without KVM_CAP_SYNC_REGS: the ioctl path is what runs");
  }
  b.vm->setSyncRegs(true, true);
  uint64_t last = 0;
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    uint64_t synced = 0, fetched = 0, cr0Synced = 0, cr0Fetched = 0;
    v.call([&] {
      synced = v.gprs()->rcx;
      cr0Synced = v.sregs()->cr0;
      v.setSyncRegs(false, false);  // re-read the same exit with the ioctls
      fetched = v.gprs()->rcx;
      cr0Fetched = v.sregs()->cr0;
      v.setSyncRegs(true, true);
    });
    CHECK(synced == fetched);
    CHECK(cr0Synced == cr0Fetched);
    CHECK(synced > last);
    last = synced;
  }
  b.vm->requestStop();
}
