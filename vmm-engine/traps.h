// What the vCPU loop hands to the dynamic probes (guest_probes.h): the
// exits that exist only because probes planted stops (int3 or hlt, see
// breakpoint_mechanism.h) or changed the memslots. Installed with Vm::setTraps while every vCPU is stopped
// (Vm::stopWorld), so a vCPU thread reads the pointer without a lock.
#pragma once

#include <cstdint>

namespace vmm {

class Vcpu;

class TrapHandler {
 public:
  virtual ~TrapHandler() = default;
  // The vCPU stopped at a planted byte, RIP at it: KVM_EXIT_DEBUG for a
  // #BP (hosts with KVM_GUESTDBG_USE_SW_BP), the emulation failure of
  // hosts that emulate guest kernel code (see shared/HOST-KVM.md), or a
  // planted hlt (plantedHaltBefore() said so; the loop has moved RIP back
  // onto it). Returns true when the stop was one of the handler's and the
  // vCPU may go on (its registers set as the handler decided); false when
  // it is not: the guest's own int3 (KVM_EXIT_DEBUG) or a real emulation
  // failure.
  virtual bool onBreakpoint(Vcpu& vcpu) = 0;
  // KVM_EXIT_HLT, RIP past the hlt: true when the byte before RIP is a
  // hlt the handler planted (live or given back to the guest since the
  // exit began), false for the guest's own hlt.
  virtual bool plantedHaltBefore(Vcpu& vcpu) = 0;
  // KVM_EXIT_MMIO at a guest-physical address inside RAM: a page the
  // handler made read-only or unbacked (memory_layout.h). Performs the
  // access on RAM (fills `data` for a read, KVM completes the
  // instruction). False when the address is none of the handler's.
  virtual bool onRamAccess(Vcpu& vcpu, uint64_t gpa, uint8_t* data,
                           unsigned len, bool write) = 0;
};

}  // namespace vmm
