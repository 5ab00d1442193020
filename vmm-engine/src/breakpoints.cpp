#include "vmm-engine/breakpoints.h"

#include <cstring>

#include "vmm-engine/guest_memory.h"

namespace vmm {

namespace {

// SAFETY (all byte accesses below): `p` comes from GuestMemory::hostPtr,
// which checked the range lies in RAM. The guest may run concurrently on
// other vCPUs; single-byte loads and stores are atomic, and a vCPU that
// fetches the old or the new byte is handled either way (a stale int3 hit
// finds the address no longer armed and re-executes).
uint8_t loadByte(const uint8_t* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
void storeByte(uint8_t* p, uint8_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

}  // namespace

Breakpoints::~Breakpoints() {
  std::lock_guard l(mu_);
  for (auto& [gpa, e] : entries_) restoreLocked(gpa, e);
}

bool Breakpoints::plant(uint64_t gpa, uint8_t stop) {
  uint8_t* p = mem_.hostPtr(gpa, 1);
  if (!p) return false;
  std::lock_guard l(mu_);
  auto it = entries_.find(gpa);
  if (it == entries_.end()) {
    uint8_t original = loadByte(p);
    if (original == stop) return false;
    it = entries_.emplace(gpa, Entry{original, stop, 0, true}).first;
    storeByte(p, stop);
  }
  ++it->second.refs;
  return true;
}

void Breakpoints::restoreLocked(uint64_t gpa, Entry& e) {
  uint8_t* p = mem_.hostPtr(gpa, 1);
  // Only our own stop is replaced: anything else was written behind the
  // monitor's back (device DMA) after planting and is the guest's now.
  if (e.armed && p && loadByte(p) == e.stop) storeByte(p, e.original);
  e.armed = false;
}

void Breakpoints::remove(uint64_t gpa) {
  std::lock_guard l(mu_);
  auto it = entries_.find(gpa);
  if (it == entries_.end()) return;
  if (--it->second.refs > 0) return;
  restoreLocked(gpa, it->second);
  entries_.erase(it);
}

void Breakpoints::abandon(uint64_t gpa) {
  std::lock_guard l(mu_);
  auto it = entries_.find(gpa);
  if (it != entries_.end()) restoreLocked(gpa, it->second);
}

bool Breakpoints::armed(uint64_t gpa) const {
  std::lock_guard l(mu_);
  auto it = entries_.find(gpa);
  return it != entries_.end() && it->second.armed;
}

uint8_t Breakpoints::stopAt(uint64_t gpa) const {
  std::lock_guard l(mu_);
  auto it = entries_.find(gpa);
  return it == entries_.end() ? 0 : it->second.stop;
}

bool Breakpoints::readOriginal(uint64_t gpa, void* out, size_t len) const {
  std::lock_guard l(mu_);
  if (!mem_.read(gpa, out, len)) return false;
  auto* bytes = static_cast<uint8_t*>(out);
  for (auto it = entries_.lower_bound(gpa); it != entries_.end() && it->first < gpa + len; ++it)
    if (it->second.armed) bytes[it->first - gpa] = it->second.original;
  return true;
}

bool Breakpoints::guestWrite(uint64_t gpa, const void* data, size_t len) {
  uint8_t* p = mem_.hostPtr(gpa, len);
  if (!p) return false;
  const auto* in = static_cast<const uint8_t*>(data);
  std::lock_guard l(mu_);
  auto it = entries_.lower_bound(gpa);
  bool changed = false;
  for (size_t i = 0; i < len; ++i) {
    while (it != entries_.end() && it->first < gpa + i) ++it;
    bool planted = it != entries_.end() && it->first == gpa + i && it->second.armed;
    // A stop a device overwrote behind our back is gone (as remove()
    // finds): keeping it armed would leave the device's byte in memory and
    // lose the guest's write. It is disarmed and the write goes through.
    if (planted && loadByte(p + i) != it->second.stop) {
      it->second.armed = false;
      planted = false;
      changed = true;
    }
    if (planted) {
      changed = changed || it->second.original != in[i];
      it->second.original = in[i];  // the stop stays in memory
    } else {
      storeByte(p + i, in[i]);
    }
  }
  // A write within an instruction's reach (15 bytes) of a planted address
  // may have changed that instruction: count it.
  auto near = entries_.lower_bound(gpa >= 14 ? gpa - 14 : 0);
  if (changed || (near != entries_.end() && near->first < gpa + len))
    rewrites_.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

std::vector<uint64_t> Breakpoints::pages() const {
  std::lock_guard l(mu_);
  std::vector<uint64_t> out;
  for (auto& [gpa, e] : entries_)
    if (out.empty() || out.back() != gpa >> 12) out.push_back(gpa >> 12);
  return out;
}

size_t Breakpoints::size() const {
  std::lock_guard l(mu_);
  return entries_.size();
}

}  // namespace vmm
