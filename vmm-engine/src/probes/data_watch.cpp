// GuestProbes: data probes (GUEST_READ:/GUEST_WRITE:) and the physical
// accesses the monitor performs for the guest: KVM's MMIO exits on pages
// the probes made read-only or unbacked, and the memory accesses of
// emulated instructions.
#include <cstring>

#include "vmm-engine/guest_probes.h"
#include "vmm-engine/src/probes/guest_probe_site.h"
#include "vmm-engine/vm.h"

namespace vmm {
namespace {

using Mode = MemoryLayout::PageMode;

// SAFETY: `p` points at `len` bytes inside RAM (checked by the caller).
// Aligned stores of 2, 4 or 8 bytes are single stores, as the guest's own
// instruction would be for other vCPUs reading the same word.
void storeToRam(uint8_t* p, const void* in, size_t len) {
  auto aligned = [&](size_t n) { return len == n && reinterpret_cast<uintptr_t>(p) % n == 0; };
  if (aligned(8)) {
    uint64_t v;
    memcpy(&v, in, 8);
    __atomic_store_n(reinterpret_cast<uint64_t*>(p), v, __ATOMIC_RELAXED);
  } else if (aligned(4)) {
    uint32_t v;
    memcpy(&v, in, 4);
    __atomic_store_n(reinterpret_cast<uint32_t*>(p), v, __ATOMIC_RELAXED);
  } else {
    memcpy(p, in, len);
  }
}

}  // namespace

bool GuestProbes::onRamAccess(Vcpu& v, uint64_t gpa, uint8_t* data, unsigned len, bool write) {
  if (vm_.memoryLayout().mode(gpa) == Mode::Normal) return false;
  return write ? writePhys(v, gpa, data, len) : readPhys(v, gpa, data, len);
}

bool GuestProbes::readPhys(Vcpu& v, uint64_t gpa, void* out, size_t len) {
  if (!vm_.memory().read(gpa, out, len)) return false;
  // Read probes live on unbacked pages only.
  if (vm_.memoryLayout().mode(gpa) == Mode::Unbacked) fireWatches(v, gpa, unsigned(len), false);
  return true;
}

bool GuestProbes::writePhys(Vcpu& v, uint64_t gpa, const void* in, size_t len) {
  MemoryLayout& layout = vm_.memoryLayout();
  Mode mode = layout.mode(gpa);
  if (mode == Mode::Normal && layout.readOnlySupported()) {
    // No int3 and no probe on this page (those pages are protected).
    uint8_t* p = vm_.memory().hostPtr(gpa, len);
    if (!p) return false;
    storeToRam(p, in, len);
    return true;
  }
  Breakpoints& bp = vm_.breakpoints();
  uint64_t before = bp.rewrites();
  if (!bp.guestWrite(gpa, in, len)) return false;
  if (bp.rewrites() != before) cancelRewritten(gpa, len);
  // Trap-like, as a hardware data breakpoint: the probe sees the new value.
  if (mode != Mode::Normal) fireWatches(v, gpa, unsigned(len), true);
  return true;
}

// The guest wrote within an instruction's reach of planted sites (self-
// modifying code, a loader reusing the page): a site whose instruction it
// changed is given back to the guest now, so that the guest reads and runs
// what it wrote, never our stop or the old instruction emulated, and its
// probes are cancelled with a message (current() does both). Runs on the
// writing vCPU's thread, where sites_ cannot change (see guest_probes.cpp).
void GuestProbes::cancelRewritten(uint64_t gpa, size_t len) {
  for (uint64_t a = gpa >= 14 ? gpa - 14 : 0; a < gpa + len; ++a)
    if (Site* s = siteAt(a); s && !s->dead.load(std::memory_order_acquire)) current(*s);
}

void GuestProbes::fireWatches(Vcpu& v, uint64_t gpa, unsigned len, bool write) {
  for (const auto& w : plan_.watches) {
    if (w.write != write || w.gpa < gpa || w.gpa >= gpa + len) continue;
    hits_.fetch_add(1, std::memory_order_relaxed);
    for (uint32_t p : w.probes) fire_(v, p, {}, nullptr);
  }
}

}  // namespace vmm
