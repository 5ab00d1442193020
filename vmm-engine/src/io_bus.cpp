#include "vmm-engine/io_bus.h"

#include <cstring>

namespace vmm {

IoBus::IoBus() = default;

bool IoBus::add(uint16_t base, uint32_t count, IoDevice* device,
                std::string& error) {
  if (count == 0 || base + count > 0x10000 || !device) {
    error = "bad I/O port range";
    return false;
  }
  if (ranges_.size() >= 255) {
    error = "too many I/O devices";
    return false;
  }
  for (uint32_t p = base; p < base + count; ++p) {
    if (owner_[p]) {
      error = "I/O port " + std::to_string(p) + " is already claimed";
      return false;
    }
  }
  ranges_.push_back({base, device});
  memset(&owner_[base], int(ranges_.size()), count);
  return true;
}

void IoBus::in(Vcpu& vcpu, uint16_t port, uint8_t* data, unsigned size,
               uint32_t count) const {
  uint8_t o = owner_[port];
  if (!o) {
    memset(data, 0xff, size_t(size) * count);
    return;
  }
  const Range& r = ranges_[o - 1];
  uint16_t offset = uint16_t(port - r.base);
  if (count == 1)
    r.device->in(vcpu, offset, data, size);
  else
    r.device->inRep(vcpu, offset, data, size, count);
}

void IoBus::out(Vcpu& vcpu, uint16_t port, const uint8_t* data,
                unsigned size, uint32_t count) const {
  uint8_t o = owner_[port];
  if (!o) return;
  const Range& r = ranges_[o - 1];
  uint16_t offset = uint16_t(port - r.base);
  if (count == 1)
    r.device->out(vcpu, offset, data, size);
  else
    r.device->outRep(vcpu, offset, data, size, count);
}

}  // namespace vmm
