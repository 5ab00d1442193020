#include "vp/synthetic_target.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>

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

const uint8_t* SyntheticTarget::mappedAt(uint64_t addr, uint64_t& avail) const {
  // The region starting at or before addr, if it covers addr.
  auto it = memory_.upper_bound(addr);
  if (it == memory_.begin()) return nullptr;
  --it;
  uint64_t off = addr - it->first;
  if (off >= it->second.size()) return nullptr;
  avail = it->second.size() - off;
  return it->second.data() + off;
}

bool SyntheticTarget::readLinear(uint64_t addr, void* buf, size_t len) {
  // Checked before anything is copied: a read that fails (guest code
  // scans try a whole page first) then costs no copying.
  uint64_t avail = 0;
  for (uint64_t at = addr, left = len; left > 0; at += avail, left -= std::min(left, avail))
    if (!mappedAt(at, avail)) return false;
  auto* out = static_cast<uint8_t*>(buf);
  while (len > 0) {
    const uint8_t* from = mappedAt(addr, avail);
    size_t n = std::min<uint64_t>(len, avail);
    std::memcpy(out, from, n);
    out += n;
    addr += n;
    len -= n;
  }
  return true;
}

uint64_t SyntheticTarget::get(Global g) const {
  const GlobalInfo& info = globalInfo(g);
  return info.group >= 0 ? values_[kGroupBase[info.group] + info.slot] : 0;
}

uint64_t& SyntheticTarget::gpr(Global g) {
  return values_[kGroupBase[unsigned(RegGroup::Gpr)] + globalInfo(g).slot];
}

bool SyntheticTarget::writeLinear(uint64_t addr, const void* buf, size_t len) {
  // All or nothing: check every byte is in a region first.
  uint8_t probe[8];
  if (len > sizeof probe || !readLinear(addr, probe, len)) return false;
  const auto* in = static_cast<const uint8_t*>(buf);
  for (size_t i = 0; i < len; ++i) {
    auto it = std::prev(memory_.upper_bound(addr + i));
    it->second[addr + i - it->first] = in[i];
  }
  return true;
}

ChangeStatus SyntheticTarget::change(const GuestChange& c, std::string& why) {
  char line[160];
  std::string probe(c.probe);
  switch (c.kind) {
    case GuestChange::Kind::Register: {
      uint64_t& r = values_[kGroupBase[unsigned(RegGroup::Gpr)] + c.reg];
      snprintf(line, sizeof line, "register %u: %#llx -> %#llx", c.reg,
               static_cast<unsigned long long>(r), static_cast<unsigned long long>(c.value));
      r = c.value;
      break;
    }
    case GuestChange::Kind::Memory:
      if (!writeLinear(c.addr, &c.value, c.size)) return ChangeStatus::BadAddress;
      snprintf(line, sizeof line, "memory %#llx (%u bytes) = %#llx",
               static_cast<unsigned long long>(c.addr), c.size,
               static_cast<unsigned long long>(c.value));
      break;
    case GuestChange::Kind::SkipFunction: {
      uint64_t ret = 0;
      if (!readLinear(gpr(Global::RSP), &ret, 8)) {
        why = "the return address on the stack is not mapped";
        return ChangeStatus::Refused;
      }
      gpr(Global::RIP) = ret;
      gpr(Global::RSP) += 8;
      if (c.hasValue) gpr(Global::RAX) = c.value;
      snprintf(line, sizeof line, "skipfunction: return to %#llx, RAX = %#llx",
               static_cast<unsigned long long>(ret),
               static_cast<unsigned long long>(gpr(Global::RAX)));
      break;
    }
    case GuestChange::Kind::MachineCheck:
      snprintf(line, sizeof line, "machine check: bank %u status %#llx addr %#llx", c.bank,
               static_cast<unsigned long long>(c.value), static_cast<unsigned long long>(c.addr));
      break;
  }
  changes_.push_back(probe + ": " + line);
  return ChangeStatus::Done;
}

bool SyntheticTarget::readPhysical(uint64_t addr, void* buf, size_t len) {
  return readLinear(addr, buf, len);
}

}  // namespace vp
