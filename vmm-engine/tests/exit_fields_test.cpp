// Exit-field encodings and the I/O bus (no KVM needed).
#include <catch2/catch.hpp>
#include <cstring>
#include <linux/kvm.h>

#include "vmm-engine/exit_fields.h"
#include "vmm-engine/io_bus.h"

TEST_CASE("Intel I/O exit qualification layout") {
  // out dx, al to 0x3f8: size-1 = 0, out, not string.
  CHECK(vmm::vmxIoQualification(0x3f8, 1, false, false) == 0x3f80000);
  // in eax, dx from 0x524: size-1 = 3, bit 3 in.
  CHECK(vmm::vmxIoQualification(0x524, 4, true, false) == 0x5240000 + 8 + 3);
  // rep outsb: bits 4 (string) and 5 (rep).
  CHECK(vmm::vmxIoQualification(0x3f8, 1, false, true) == 0x3f80030);
}

TEST_CASE("AMD IOIO EXITINFO1 layout") {
  // in: bit 0; SZ32 bit 6; A64 bit 9; port in 16-31.
  CHECK(vmm::svmIoExitInfo1(0x524, 4, true, false) ==
        (0x5240000ull | 1 | 0x40 | 0x200));
  CHECK(vmm::svmIoExitInfo1(0x80, 1, false, false) ==
        (0x800000ull | 0x10 | 0x200));
  CHECK(vmm::svmIoExitInfo1(0x80, 2, false, true) ==
        (0x800000ull | 0x20 | 0x200 | 0x4 | 0x8));
}

TEST_CASE("KVM exits map to the vendor's exit codes") {
  kvm_run run;
  memset(&run, 0, sizeof run);
  run.io.port = 0x80;
  run.io.size = 1;
  run.io.count = 1;
  run.io.direction = KVM_EXIT_IO_OUT;
  vmm::ExitContext io{KVM_EXIT_IO, 0x20};
  auto i = vmm::computeExitFields(vmm::CpuVendor::Intel, io, &run);
  CHECK(i.vmcsExitReason == 30);
  CHECK(i.vmcsExitQual == 0x800000);
  CHECK(i.vmcsVmentryIntrInfo == (0x20 | 0x80000000u));
  CHECK(i.vmcbExitCode == 0);  // the other vendor's fields read 0
  auto a = vmm::computeExitFields(vmm::CpuVendor::Amd, io, &run);
  CHECK(a.vmcbExitCode == 0x7b);
  CHECK(a.vmcbExitInfo1 == (0x800000ull | 0x10 | 0x200));
  CHECK(a.vmcbEventInj == (0x20 | 0x80000000u));
  CHECK(a.vmcsExitReason == 0);

  // An EPT violation reports the guest-physical address (VT_PHYSICAL_ADDR).
  run.mmio.phys_addr = 0xfee00030;
  vmm::ExitContext mmio{KVM_EXIT_MMIO, -1};
  CHECK(vmm::computeExitFields(vmm::CpuVendor::Intel, mmio, &run).vmcsGuestPhysAddr ==
        0xfee00030);
  CHECK(vmm::computeExitFields(vmm::CpuVendor::Amd, mmio, &run).vmcsGuestPhysAddr == 0);

  struct Case { int kvm; uint64_t intel, amd; };
  for (Case c : {Case{KVM_EXIT_HLT, 12, 0x78}, Case{KVM_EXIT_MMIO, 48, 0x400},
                 Case{KVM_EXIT_SHUTDOWN, 2, 0x7f},
                 Case{KVM_EXIT_IRQ_WINDOW_OPEN, 7, 0x64},
                 Case{vmm::kExitKick, 1, 0x60},
                 Case{KVM_EXIT_INTERNAL_ERROR, 0, 0x43}}) {
    vmm::ExitContext ctx{c.kvm, -1};
    const kvm_run* r = c.kvm == vmm::kExitKick ? nullptr : &run;
    CHECK(vmm::computeExitFields(vmm::CpuVendor::Intel, ctx, r)
              .vmcsExitReason == c.intel);
    CHECK(vmm::computeExitFields(vmm::CpuVendor::Amd, ctx, r).vmcbExitCode ==
          c.amd);
  }
}

namespace {
struct Recorder : vmm::IoDevice {
  std::vector<std::string> log;
  void in(vmm::Vcpu&, uint16_t off, uint8_t* d, unsigned size) override {
    log.push_back("in " + std::to_string(off) + "/" + std::to_string(size));
    memset(d, 0x42, size);
  }
  void out(vmm::Vcpu&, uint16_t off, const uint8_t* d, unsigned size) override {
    log.push_back("out " + std::to_string(off) + "/" + std::to_string(size) +
                  "=" + std::to_string(d[0]));
  }
};
}  // namespace

TEST_CASE("the I/O bus routes by port and refuses overlaps") {
  vmm::IoBus bus;
  Recorder a, b;
  std::string err;
  REQUIRE(bus.add(0x500, 8, &a, err));
  REQUIRE(bus.add(0x510, 0x20, &b, err));
  CHECK_FALSE(bus.add(0x507, 2, &b, err));
  CHECK(err.find("1287") != std::string::npos);  // port 0x507 named
  CHECK_FALSE(bus.add(0xffff, 2, &b, err));      // wraps past 0xffff
  CHECK_FALSE(bus.add(0x600, 0, &b, err));
  // The bus never dereferences the vCPU; a reference is all it passes on.
  alignas(64) static char fake[4096];
  auto& v = *reinterpret_cast<vmm::Vcpu*>(fake);
  uint8_t d[8] = {7, 8, 9, 10};
  bus.out(v, 0x504, d, 1);
  bus.in(v, 0x52c, d, 4);
  CHECK(d[0] == 0x42);
  bus.out(v, 0x510, d, 1, 3);  // a string write: element by element
  bus.in(v, 0x700, d, 2);      // nobody: all ones
  CHECK(d[0] == 0xff);
  CHECK(d[1] == 0xff);
  CHECK(a.log == std::vector<std::string>{"out 4/1=7"});
  CHECK(b.log == std::vector<std::string>{"in 28/4", "out 0/1=66",
                                          "out 0/1=66", "out 0/1=66"});
}
