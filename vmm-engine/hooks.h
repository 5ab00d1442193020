// Hooks for the VMM-domain static probes (HV_Exit, HV_Resume, In, Out,
// HV_NPF, Guest_IRQ, Guest_TripleFault, SMM_*), called on the vCPU's own thread with the
// vCPU stopped, so its registers can be read (and set) through the Vcpu.
//
// Cost when no hooks are installed: each call site is one branch on a
// per-vCPU pointer that only that vCPU's thread reads.
//
// Installing or removing: Vm::setHooks(), which stores the pointer on each
// vCPU through Vcpu::call(), i.e. on the vCPU thread between two exits.
// When setHooks() returns, no vCPU is inside or will enter the old hooks,
// so the caller may destroy them. See vm.h.
#pragma once

#include <cstdint>

namespace vmm {

class Vcpu;

class VmmHooks {
 public:
  virtual ~VmmHooks() = default;
  // After every return from KVM_RUN, including kicks (HV_Exit).
  virtual void onExit(Vcpu&) {}
  // Right before every KVM_RUN (HV_Resume).
  virtual void onResume(Vcpu&) {}
  // A port access (In/Out), before the device handles it. `size` is the
  // operand size in bytes, `count` the repeat count of a string
  // instruction (1 otherwise).
  virtual void onIo(Vcpu&, bool in, uint16_t port, unsigned size,
                    uint32_t count) {
    (void)in, (void)port, (void)size, (void)count;
  }
  // A KVM_EXIT_MMIO (HV_NPF): a guest access to a guest-physical address
  // with no memslot or to a read-only one (unbacked platform addresses,
  // pages held back for data probes), before the monitor performs it.
  // `len` is KVM's access size (at most 8), bounded already.
  virtual void onMmio(Vcpu&, uint64_t gpa, unsigned len, bool write) {
    (void)gpa, (void)len, (void)write;
  }
  // An interrupt was just queued for delivery with KVM_INTERRUPT and will be
  // delivered at the next entry (Guest_IRQ).
  virtual void onInterrupt(Vcpu&, uint8_t vector) { (void)vector; }
  // KVM_EXIT_SHUTDOWN (Guest_TripleFault). The VM then stops with reason
  // "triple fault".
  virtual void onTripleFault(Vcpu&) {}
  // An SMI is about to be queued with KVM_SMI (SMM_SMIPre); delivered at
  // the next entry.
  virtual void onSmi(Vcpu&) {}
  // On a KVM_EXIT_HLT or KVM_EXIT_DEBUG, before the monitor's other
  // handling of it: true when the exit is a stop the SMM probes planted
  // (then RIP is already back on the stopped-at instruction, and
  // onSmmStop() follows, after HV_Exit). Cheap when no SMI is in flight.
  virtual bool atSmmStop(Vcpu&) { return false; }
  virtual void onSmmStop(Vcpu&) {}
};

}  // namespace vmm
