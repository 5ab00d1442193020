#include "vmm-engine/memory_layout.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vmm-engine/guest_memory.h"

namespace vmm {

namespace {
constexpr uint64_t kPage = 4096;
}  // namespace

std::vector<MemoryLayout::Slot> MemoryLayout::slotsFor(
    uint64_t ramBytes, const std::map<uint64_t, PageMode>& special) {
  std::vector<Slot> out;
  auto add = [&](uint64_t from, uint64_t to, bool ro) {
    if (to <= from) return;
    if (!out.empty() && out.back().readOnly == ro && out.back().gpa + out.back().bytes == from)
      out.back().bytes += to - from;
    else
      out.push_back({from, to - from, ro});
  };
  uint64_t at = 0;
  for (auto [page, mode] : special) {
    uint64_t gpa = page * kPage;
    if (gpa >= ramBytes) break;
    if (mode == PageMode::Normal) continue;
    add(at, gpa, false);
    if (mode == PageMode::ReadOnly) add(gpa, gpa + kPage, true);
    at = gpa + kPage;
  }
  add(at, ramBytes, false);
  return out;
}

MemoryLayout::MemoryLayout(int vmFd, GuestMemory& mem, bool readOnlySupported)
    : vmFd_(vmFd), mem_(mem), readOnlyOk_(readOnlySupported) {
  slots_.push_back({0, mem.size(), false});  // what createVmWithRam made
}

void MemoryLayout::request(uint64_t page, PageMode mode) {
  if (mode != PageMode::Normal) ++refs_[page][mode == PageMode::Unbacked];
}

void MemoryLayout::release(uint64_t page, PageMode mode) {
  auto it = refs_.find(page);
  if (mode == PageMode::Normal || it == refs_.end()) return;
  uint32_t& n = it->second[mode == PageMode::Unbacked];
  if (n > 0) --n;
  if (it->second[0] == 0 && it->second[1] == 0) refs_.erase(it);
}

std::map<uint64_t, MemoryLayout::PageMode> MemoryLayout::requested() const {
  std::map<uint64_t, PageMode> m;
  for (auto& [page, n] : refs_) m[page] = n[1] ? PageMode::Unbacked : PageMode::ReadOnly;
  return m;
}

bool MemoryLayout::program(const std::vector<Slot>& slots, std::string& error) {
  kvm_userspace_memory_region r{};
  // SAFETY: deleting our own slots (size 0); the vCPUs are stopped, so no
  // guest access is in flight while RAM is briefly unmapped.
  for (size_t i = 0; i < slots_.size(); ++i) {
    r.slot = uint32_t(i);
    ioctl(vmFd_, KVM_SET_USER_MEMORY_REGION, &r);
  }
  slots_.clear();
  for (const Slot& s : slots) {
    r.slot = uint32_t(slots_.size());
    r.flags = s.readOnly ? KVM_MEM_READONLY : 0;
    r.guest_phys_addr = s.gpa;
    r.memory_size = s.bytes;
    // SAFETY: [gpa, gpa+bytes) lies in RAM (slotsFor stays below its
    // size), page aligned; the host range is the same offset into the RAM
    // mapping, which outlives the VM fd.
    r.userspace_addr = reinterpret_cast<uint64_t>(mem_.hostPtr(s.gpa, s.bytes));
    if (ioctl(vmFd_, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
      error = std::string("KVM_SET_USER_MEMORY_REGION: ") + strerror(errno);
      return false;
    }
    slots_.push_back(s);
  }
  return true;
}

bool MemoryLayout::apply(std::string& error) {
  std::map<uint64_t, PageMode> want = requested();
  // Without KVM_MEM_READONLY a read-only page stays normal: callers check
  // readOnlySupported() before relying on one (write probes are refused).
  if (!readOnlyOk_) std::erase_if(want, [](auto& kv) { return kv.second == PageMode::ReadOnly; });
  std::vector<Slot> slots = slotsFor(mem_.size(), want);
  if (slots == slots_) return true;
  applied_.clear();
  if (!program(slots, error)) {
    std::string ignored;
    program({{0, mem_.size(), false}}, ignored);
    return false;
  }
  for (auto& [page, mode] : want) applied_.push_back({page, mode});
  return true;
}

MemoryLayout::PageMode MemoryLayout::mode(uint64_t gpa) const {
  uint64_t page = gpa / kPage;
  auto it = std::lower_bound(applied_.begin(), applied_.end(), std::make_pair(page, PageMode::Normal));
  return it != applied_.end() && it->first == page ? it->second : PageMode::Normal;
}

}  // namespace vmm
