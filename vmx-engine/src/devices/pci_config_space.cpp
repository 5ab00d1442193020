// A type-0 PCI configuration header (PCI Local Bus spec 3.0, 6.1).
#include "vmx-engine/pci_bus.h"

namespace vmx {
namespace {
enum : uint8_t {
  kVendor = 0x00, kDevice = 0x02, kCommand = 0x04, kRevision = 0x08,
  kClass = 0x09, kCacheLine = 0x0c, kLatency = 0x0d, kBar0 = 0x10,
  kSubVendor = 0x2c, kSubsystem = 0x2e, kIrqLine = 0x3c, kIrqPin = 0x3d
};
// Command bits a driver may change: I/O space, memory space, bus master,
// interrupt disable.
constexpr uint16_t kCommandWritable = 0x0007 | 0x0400;

void put16(std::array<uint8_t, 256>& b, uint8_t at, uint16_t v) {
  b[at] = uint8_t(v);
  b[at + 1] = uint8_t(v >> 8);
}
}  // namespace

PciConfigSpace::PciConfigSpace(const PciIds& ids, uint16_t ioBase,
                               uint16_t ioSize, uint8_t irq)
    : ioBase_(ioBase), ioSize_(ioSize) {
  put16(bytes_, kVendor, ids.vendor);
  put16(bytes_, kDevice, ids.device);
  bytes_[kRevision] = ids.revision;
  bytes_[kClass] = uint8_t(ids.classCode);
  bytes_[kClass + 1] = uint8_t(ids.classCode >> 8);
  bytes_[kClass + 2] = uint8_t(ids.classCode >> 16);
  put16(bytes_, kSubVendor, ids.subsystemVendor);
  put16(bytes_, kSubsystem, ids.subsystem);
  put16(bytes_, kCommand, ioSize ? 0x0005 : 0x0006);  // as a BIOS leaves it
  if (irq != 0xff) {
    bytes_[kIrqLine] = irq;
    bytes_[kIrqPin] = 1;  // INTA#
  }
}

uint16_t PciConfigSpace::command() const {
  return uint16_t(bytes_[kCommand] | bytes_[kCommand + 1] << 8);
}

uint32_t PciConfigSpace::bar0() const {
  if (!ioSize_) return 0;
  return sizing_ ? (~uint32_t(ioSize_ - 1u)) | 1u : uint32_t(ioBase_) | 1u;
}

uint32_t PciConfigSpace::configRead(uint8_t offset, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) {
    unsigned at = offset + i;
    uint8_t b = at >= kBar0 && at < kBar0 + 4 ? uint8_t(bar0() >> (8 * (at - kBar0)))
                                             : bytes_[at & 0xff];
    v |= uint32_t(b) << (8 * i);
  }
  return v;
}

void PciConfigSpace::configWrite(uint8_t offset, unsigned size,
                                 uint32_t value) {
  if (offset == kBar0 && size == 4) {
    sizing_ = ioSize_ && value == 0xffffffffu;
    return;
  }
  for (unsigned i = 0; i < size; ++i) {
    unsigned at = offset + i;
    uint8_t b = uint8_t(value >> (8 * i));
    if (at == kCommand || at == kCommand + 1) {
      uint8_t mask = uint8_t(kCommandWritable >> (8 * (at - kCommand)));
      bytes_[at] = uint8_t((bytes_[at] & ~mask) | (b & mask));
    } else if (at == kCacheLine || at == kLatency || at == kIrqLine) {
      bytes_[at] = b;
    } else if (at >= kBar0 && at < kBar0 + 4) {
      sizing_ = false;  // a partial BAR write: back to the fixed address
    }
  }
}

}  // namespace vmx
