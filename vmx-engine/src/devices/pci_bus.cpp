// PCI configuration mechanism #1 (PCI Local Bus spec 3.0, 3.2.2.3.2):
// 0xcf8 holds enable (bit 31), bus (23-16), device (15-11), function
// (10-8) and register (7-2); 0xcfc-0xcff reach that register's bytes.
#include "vmx-engine/devices.h"
#include "vmx-engine/pci_bus.h"

namespace vmx {
namespace {
// 00:00.0: an Intel 440FX host bridge, as QEMU's pc machine has, the one
// Linux knows best.
const PciIds kBridge{0x8086, 0x1237, 0x02, 0x060000};
}  // namespace

PciBus::PciBus() : bridge_(kBridge) { slots_[0] = &bridge_; }

bool PciBus::add(unsigned slot, PciFunction* fn) {
  if (slot == 0 || slot >= kSlots || slots_[slot] || !fn) return false;
  slots_[slot] = fn;
  return true;
}

// The function the address register selects for a data-port access at
// `offset` (4-7) of `size`, with the register offset; null when none.
PciFunction* PciBus::selected(uint16_t offset, unsigned size,
                              uint8_t& reg) const {
  unsigned byte = offset - 4u;
  if (!(address_ & 0x80000000u) || (byte & (size - 1)) != 0) return nullptr;
  unsigned bus = (address_ >> 16) & 0xff, dev = (address_ >> 11) & 0x1f,
           fn = (address_ >> 8) & 7;
  if (bus != 0 || fn != 0) return nullptr;
  reg = uint8_t((address_ & 0xfc) + byte);
  return slots_[dev];
}

uint32_t PciBus::read(uint16_t offset, unsigned size) {
  uint32_t ones = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  if (size != 1 && size != 2 && size != 4) return ones;
  std::lock_guard l(mu_);
  if (offset == 0) return size == 4 ? address_ : ones;
  if (offset < 4) return ones;  // 0xcf9-0xcfb: not ours (reset control)
  uint8_t reg;
  PciFunction* f = selected(offset, size, reg);
  return f ? f->configRead(reg, size) : ones;
}

void PciBus::write(uint16_t offset, unsigned size, uint32_t value) {
  if (size != 1 && size != 2 && size != 4) return;
  std::lock_guard l(mu_);
  // Only a 32-bit access at 0xcf8 is the address register: Linux's probe
  // writes a byte to 0xcfb first and expects it not to land there.
  if (offset == 0) {
    if (size == 4) address_ = value & 0x80fffffcu;
    return;
  }
  if (offset < 4) return;
  uint8_t reg;
  if (PciFunction* f = selected(offset, size, reg))
    f->configWrite(reg, size, value);
}

void PciBus::in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) {
  ioStore(data, size, read(offset, size));
}

void PciBus::out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
                 unsigned size) {
  write(offset, size, ioValue(data, size));
}

}  // namespace vmx
