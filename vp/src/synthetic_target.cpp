#include "vp/synthetic_target.h"

#include <cstring>

namespace vp {

SyntheticTarget::SyntheticTarget(int vcpu, bool isVcpu) : isVcpu_(isVcpu) {
  set(Global::VCPUID, static_cast<uint64_t>(vcpu));
}

void SyntheticTarget::set(Global g, uint64_t value) {
  if (g == Global::TSC) {
    tsc_ = value;
    return;
  }
  const GlobalInfo& info = globalInfo(g);
  if (info.group >= 0) values_[kGroupBase[info.group] + info.slot] = value;
}

void SyntheticTarget::addMemory(uint64_t addr, std::vector<uint8_t> bytes) {
  memory_[addr] = std::move(bytes);
}

bool SyntheticTarget::fetch(RegGroup group, uint64_t* out) {
  auto g = static_cast<unsigned>(group);
  if (!isVcpu_ && group != RegGroup::Host) return false;
  std::memcpy(out, &values_[kGroupBase[g]], 8 * kGroupSlots[g]);
  return true;
}

bool SyntheticTarget::readLinear(uint64_t addr, void* buf, size_t len) {
  auto* out = static_cast<uint8_t*>(buf);
  while (len > 0) {
    // The region starting at or before addr, if it covers addr.
    auto it = memory_.upper_bound(addr);
    if (it == memory_.begin()) return false;
    --it;
    uint64_t off = addr - it->first;
    if (off >= it->second.size()) return false;
    size_t n = std::min<uint64_t>(len, it->second.size() - off);
    std::memcpy(out, it->second.data() + off, n);
    out += n;
    addr += n;
    len -= n;
  }
  return true;
}

bool SyntheticTarget::readPhysical(uint64_t addr, void* buf, size_t len) {
  return readLinear(addr, buf, len);
}

}  // namespace vp
