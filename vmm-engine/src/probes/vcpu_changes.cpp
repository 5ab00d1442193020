// What the destructive built-ins (VP 1.3) do to a vCPU: register writes
// through the register cache (KVM gets them before the vCPU resumes),
// memory writes through the vCPU's page tables and the breakpoint table
// (a planted byte keeps the guest's new byte as its original), a return
// from the function at whose entry the probe fired, a machine check.
// Each one is logged, so that a post-mortem tells an injected fault from
// a real one.
#include <cstdio>

#include "vmm-engine/breakpoints.h"
#include "vmm-engine/vcpu_target.h"
#include "vmm-engine/vm.h"

namespace vmm {

namespace {

constexpr const char* kGprNames[16] = {"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RSP", "RBP",
                                       "R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15"};
constexpr uint64_t kPage = 4096;

std::string hex(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

uint64_t* slot(Gprs& g, unsigned reg) {
  static_assert(sizeof(Gprs) == 18 * 8, "Gprs is RAX..R15, RIP, RFLAGS");
  return reinterpret_cast<uint64_t*>(&g) + reg;
}

// The registers a probe shows may not be the ones the vCPU resumes with.
const char* kViewRefusal =
    "this probe shows the registers of an interrupted context (an exception probe, or a "
    "user-mode probe caught at the guest's handler), not the ones the vCPU resumes with";

}  // namespace

vp::ChangeStatus VcpuTarget::change(const vp::GuestChange& c, std::string& why) {
  std::string what;
  vp::ChangeStatus s = vp::ChangeStatus::Refused;
  switch (c.kind) {
    case vp::GuestChange::Kind::Register: s = setRegister(c, what, why); break;
    case vp::GuestChange::Kind::Memory: s = writeMemory(c, what); break;
    case vp::GuestChange::Kind::SkipFunction: s = skipFunction(c, what, why); break;
    case vp::GuestChange::Kind::MachineCheck: s = machineCheck(c, what, why); break;
  }
  if (s == vp::ChangeStatus::Done && log_)
    log_("vprobe fault injection: " + std::string(c.probe) + " on vCPU " +
         std::to_string(vcpu_.index()) + ": " + what);
  return s;
}

vp::ChangeStatus VcpuTarget::setRegister(const vp::GuestChange& c, std::string& what,
                                         std::string& why) {
  const Gprs* now = vcpu_.gprs();
  if (view_ || !now || c.reg >= 16) {
    why = view_ ? kViewRefusal : "cannot read the vCPU's registers";
    return vp::ChangeStatus::Refused;
  }
  Gprs g = *now;
  uint64_t before = *slot(g, c.reg);
  *slot(g, c.reg) = c.value;
  if (!vcpu_.setGprs(g)) {
    why = "KVM refused the registers";
    return vp::ChangeStatus::Refused;
  }
  what = std::string("setgpr ") + kGprNames[c.reg] + " " + hex(before) + " -> " + hex(c.value);
  return vp::ChangeStatus::Done;
}

// All or nothing: every page is translated before a byte is written.
vp::ChangeStatus VcpuTarget::writeMemory(const vp::GuestChange& c, std::string& what) {
  uint64_t gpa[2] = {};
  uint64_t first = std::min<uint64_t>(c.size, kPage - c.addr % kPage);
  if (!vcpu_.translate(c.addr, gpa[0]) ||
      (first < c.size && !vcpu_.translate(c.addr + first, gpa[1])))
    return vp::ChangeStatus::BadAddress;
  GuestMemory& ram = vcpu_.vm().memory();
  if (!ram.contains(gpa[0], first) || (first < c.size && !ram.contains(gpa[1], c.size - first)))
    return vp::ChangeStatus::BadAddress;
  const auto* bytes = reinterpret_cast<const uint8_t*>(&c.value);
  Breakpoints& bp = vcpu_.vm().breakpoints();
  if (!bp.guestWrite(gpa[0], bytes, first) ||
      (first < c.size && !bp.guestWrite(gpa[1], bytes + first, c.size - first)))
    return vp::ChangeStatus::BadAddress;
  what = "setguest " + hex(c.addr) + " (guest-physical " + hex(gpa[0]) + ", " +
         std::to_string(c.size) + " bytes) = " + hex(c.value);
  return vp::ChangeStatus::Done;
}

// A near `ret` as the function would have run it: SysV x86-64 (and the
// demo kernel's assembly) returns in RAX, the return address on top of
// the stack and no arguments to pop.
vp::ChangeStatus VcpuTarget::skipFunction(const vp::GuestChange& c, std::string& what,
                                          std::string& why) {
  const Gprs* now = vcpu_.gprs();
  const SpecialRegs* s = vcpu_.sregs();
  if (view_ || !now || !s) {
    why = view_ ? kViewRefusal : "cannot read the vCPU's registers";
    return vp::ChangeStatus::Refused;
  }
  if (!(s->cs.ar & ar::kL)) {
    why = "the vCPU is not running 64-bit code";
    return vp::ChangeStatus::Refused;
  }
  Gprs g = *now;
  uint64_t ret = 0;
  if (!vcpu_.readLinear(g.rsp, &ret, 8)) {
    why = "the return address at RSP " + hex(g.rsp) + " is not mapped";
    return vp::ChangeStatus::Refused;
  }
  uint64_t from = g.rip;
  g.rip = ret;
  g.rsp += 8;
  if (c.hasValue) g.rax = c.value;
  if (!vcpu_.setGprs(g)) {
    why = "KVM refused the registers";
    return vp::ChangeStatus::Refused;
  }
  what = "skipfunction at " + hex(from) + ": returns to " + hex(ret) + " with RAX " + hex(g.rax);
  return vp::ChangeStatus::Done;
}

vp::ChangeStatus VcpuTarget::machineCheck(const vp::GuestChange& c, std::string& what,
                                          std::string& why) {
  MachineCheck mc{c.bank, c.value, c.addr, 0};
  if (!vcpu_.injectMachineCheck(mc, why)) return vp::ChangeStatus::Refused;
  what = "genmce bank " + std::to_string(c.bank) + " MCi_STATUS " + hex(c.value) + " MCi_ADDR " +
         hex(c.addr);
  return vp::ChangeStatus::Done;
}

}  // namespace vmm
