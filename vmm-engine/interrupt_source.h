// An interrupt controller outside the vCPU (the PIC pair of a Linux
// guest, vmx-engine/devices.h): the vCPU asks it, when the guest can take
// an interrupt, whether its INTR line is up, and acknowledges it (the
// CPU's INTA cycle) to learn the vector, as a CPU does with an 8259A.
// Vectors raised directly (Vcpu::raiseInterrupt) go first.
#pragma once

namespace vmm {

class InterruptSource {
 public:
  virtual ~InterruptSource() = default;
  // Whether INTR is asserted. Any thread (the vCPU asks while halted).
  virtual bool interruptRequested() = 0;
  // INTA: the vector to deliver now, the request moving to in-service;
  // -1 when none. On the vCPU thread, only when the guest can take it.
  virtual int acknowledge() = 0;
};

}  // namespace vmm
