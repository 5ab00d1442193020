// Power off, I/O port 0x5f0 (32-bit write): the value is the VM's exit
// code (docs/platform.md).
#include <cstring>

#include "vmm-engine/vm.h"
#include "vmx-engine/devices.h"

namespace vmx {

void PowerOffPort::in(vmm::Vcpu&, uint16_t, uint8_t* data, unsigned size) {
  memset(data, 0xff, size);
}

void PowerOffPort::out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
                       unsigned size) {
  if (offset != 0) return;  // only the register's first byte starts it
  vm_.powerOff(ioValue(data, size));
}

}  // namespace vmx
