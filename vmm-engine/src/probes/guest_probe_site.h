// Private types of GuestProbes (guest_probes.h): a planted address and
// everything that happens there, and one hit being handled.
#pragma once

#include <atomic>
#include <utility>
#include <vector>

#include "vmm-engine/guest_probes.h"
#include "vmm-engine/registers.h"

namespace vmm {

// One planted address (guest-physical) and its roles. Built inside
// Vm::stopWorld, read by vCPU threads; only `dead` and `checkedAt` change
// while the vCPUs run.
struct GuestProbes::Site {
  uint64_t gpa = 0;
  uint8_t stop = 0;            // the byte planted (Breakpoints::kInt3/kHlt)
  ProbeInsn insn;              // the guest's instruction there
  uint8_t bytes[15] = {};      // its bytes (`len`: those in the same page)
  size_t len = 0;
  std::atomic<uint64_t> checkedAt{0};  // Breakpoints::rewrites() when verified
  std::vector<std::pair<uint64_t, uint32_t>> probes;  // GUEST: (linear, probe)
  std::vector<uint32_t> cr3Probes;  // Guest_CR3Write (insn: a mov cr3)
  std::vector<std::pair<uint64_t, uint32_t>> exitProbes;  // GUEST:EXIT: (linear, probe)
  bool returnSite = false;  // a return address planted for GUEST:EXIT:
  bool userCode = false;  // has user-mode GUEST: probes
  uint32_t vectors = 0;   // exception handlers planted here (bit per vector)
  uint32_t userTraps = 0;  // the #BP or #GP handler, where user-mode int3s
                           // arrive (bit per vector)
  std::atomic<bool> dead{false};  // abandoned: the guest's byte is back
};

// A vCPU stopped at a site.
struct GuestProbes::Hit {
  Vcpu& v;
  Gprs regs;          // at the planted byte
  SpecialRegs sregs;
  uint64_t linear;    // of the planted byte
  Site& site;
};

}  // namespace vmm
