// POST code register, I/O port 0x80. Nothing to emulate: it exists so the
// guest (and benchmarks) have the cheapest possible exit.
#include <cstring>

#include "vmx-engine/devices.h"

namespace vmx {

void PostPort::in(vmm::Vcpu&, uint16_t, uint8_t* data, unsigned size) {
  memset(data, 0xff, size);
}

void PostPort::out(vmm::Vcpu&, uint16_t, const uint8_t*, unsigned) {
  writes_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace vmx
