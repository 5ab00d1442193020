// APM control (0xb2) and status (0xb3): the platform's SMI source.
#include "vmm-engine/vcpu.h"
#include "vmx-engine/devices.h"

namespace vmx {

// Accesses wider than a byte touch the following port too, as the bus
// would split them; bytes past 0xb3 are not ours.
void ApmPort::in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) {
  for (unsigned i = 0; i < size; ++i)
    data[i] = offset + i < kPorts ? regs_[offset + i].load(std::memory_order_relaxed) : 0xff;
}

void ApmPort::out(vmm::Vcpu& vcpu, uint16_t offset, const uint8_t* data, unsigned size) {
  for (unsigned i = 0; i < size && offset + i < kPorts; ++i)
    regs_[offset + i].store(data[i], std::memory_order_relaxed);
  if (offset != 0) return;  // only the control port raises an SMI
  if (vcpu.raiseSmi())
    smis_.fetch_add(1, std::memory_order_relaxed);
  else
    ignored_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace vmx
