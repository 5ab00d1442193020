// How a vCPU that reaches a planted byte comes back to the monitor.
//
// KVM hosts differ here (shared/HOST-KVM.md, docs/host-notes.md):
//   - hardware VT-x/AMD-V: with KVM_GUESTDBG_USE_SW_BP every guest int3
//     is a KVM_EXIT_DEBUG, at any privilege level;
//   - hosts that emulate guest kernel code (PVM): an int3 in CPL0 code is
//     an emulation failure (KVM_EXIT_INTERNAL_ERROR) with RIP at it; a
//     CPL3 int3 goes to the guest's #BP handler;
//   - nested SVM under QEMU's emulator: no int3 ever leaves the guest (the
//     emulation checks it against the software-interrupt intercept, not
//     the #BP one), but a CPL0 hlt does: with no in-kernel irqchip KVM
//     hands every hlt to user space as KVM_EXIT_HLT, RIP past it.
// So a stop is an int3 where an int3 exits and a hlt where only a hlt
// does. In user code (CPL3) neither exits on the last two hosts: an int3
// raises #BP, a hlt #GP(0), and the monitor catches them with a stop at
// the entry of the guest's handler for that vector (guest_probes.h).
// A user-mode int3 is not used with the hlt mechanism: through a gate the
// guest closed to user code it becomes a #GP of its own, and under QEMU a
// VM exit during that #GP's delivery makes KVM replay the int3 one byte
// later, so the guest would see a #GP there.
//
// The choice is made by a self-test: a throwaway one-vCPU VM runs
// `int3; hlt` in long mode at CPL0, with a #BP handler that is a hlt, and
// the exits it gets decide. Done once per process (the host does not
// change under it).
#pragma once

#include <cstdint>
#include <string>

namespace vmm {

enum class BreakpointMechanism : uint8_t {
  DebugExit,      // int3, KVM_EXIT_DEBUG (KVM_GUESTDBG_USE_SW_BP)
  EmulationExit,  // int3, KVM_EXIT_INTERNAL_ERROR (emulation) at the int3
  HaltExit,       // hlt in kernel code, KVM_EXIT_HLT one byte past it
  None,           // neither reaches the monitor: no GUEST: probes
};

struct BreakpointSupport {
  BreakpointMechanism mechanism = BreakpointMechanism::None;
  bool hltExits = false;  // the self-test saw a CPL0 hlt exit past it
  std::string detail;     // what the self-test saw, for vmx.log
  // The byte planted (int3 or hlt), in kernel and user code; 0 for None.
  uint8_t stop() const;
  // The exception a stop raises in user mode where it does not exit by
  // itself: #BP (3) for an int3, #GP (13) for a hlt.
  unsigned userTrapVector() const;
  // "int3 (KVM_EXIT_DEBUG)", "hlt (KVM_EXIT_HLT)", ...
  const char* describe() const;
};

// What a new VM uses: the self-test's choice (the test runs on `kvmFd`
// the first time, its result is kept for the process). With `preferHlt`,
// or the environment variable VPROBE_BREAKPOINTS=hlt, the hlt mechanism
// wherever the host's hlt exits, to test that path on hosts that would
// choose another.
BreakpointSupport chooseBreakpointSupport(int kvmFd, bool preferHlt);

// The self-test itself (no caching, no override), for tests.
BreakpointSupport probeBreakpointSupport(int kvmFd);

}  // namespace vmm
