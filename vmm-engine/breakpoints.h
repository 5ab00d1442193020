// The one-byte stops planted in guest RAM for dynamic probes, and what the
// guest would see without them.
//
// A stop is an int3 (0xcc) or, on hosts where a guest int3 never leaves
// the guest, a hlt (0xf4) in kernel code (see BreakpointMechanism in
// breakpoint_mechanism.h); the caller chooses per address. Each planted
// address (guest-physical) keeps the original byte, the byte planted and
// a reference count (several probes, or a probe and an exception trap,
// may share an address). Unload leaves no trace: remove() puts the
// original back, byte for byte.
//
// The guest may write to a page that holds a planted byte (self-modifying
// code, a loader reusing memory). The monitor sees such writes because it
// write-protects those pages (MemoryLayout::PageMode::ReadOnly; the write
// exits as MMIO) and performs them through guestWrite(): a byte landing on
// a planted address updates the remembered original and the stop stays,
// so the probe keeps firing and the restore writes what the guest wrote.
// Writes the monitor cannot see (a device's DMA into a code page) are
// covered by the check in remove(): an address that no longer holds the
// planted byte was rewritten behind our back and is left as it is.
//
// Threads: plant() and remove() with every vCPU out of KVM_RUN
// (Vm::stopWorld); the rest from any thread (vCPU threads performing guest
// writes, or abandoning a probe), under the internal lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace vmm {

class GuestMemory;

class Breakpoints {
 public:
  static constexpr uint8_t kInt3 = 0xcc;
  static constexpr uint8_t kHlt = 0xf4;

  explicit Breakpoints(GuestMemory& mem) : mem_(mem) {}
  ~Breakpoints();  // removes whatever is still planted
  Breakpoints(const Breakpoints&) = delete;
  Breakpoints& operator=(const Breakpoints&) = delete;

  // Plants `stop` (kInt3 or kHlt) at `gpa`, or takes one more reference
  // to what is planted there already. False when `gpa` is outside RAM, or
  // when the guest's own byte there is the stop itself (a planted hlt over
  // the guest's hlt could not be told from it).
  bool plant(uint64_t gpa, uint8_t stop = kInt3);
  // Drops one reference; the last one restores the original byte.
  void remove(uint64_t gpa);
  // Gives the address back to the guest at once, from any thread, for a
  // probe that cannot go on (its instruction can no longer be emulated).
  // The entry stays (remove() still balances plant()) but holds nothing.
  void abandon(uint64_t gpa);

  // True when `gpa` holds a live stop of ours.
  bool armed(uint64_t gpa) const;
  // The byte planted at `gpa` (armed or abandoned), or 0 when none is.
  uint8_t stopAt(uint64_t gpa) const;
  // The guest's own bytes: memory with every armed address replaced by its
  // original. False when any byte is outside RAM.
  bool readOriginal(uint64_t gpa, void* out, size_t len) const;
  // Performs a guest write of `len` bytes at `gpa` (see above). False when
  // any byte is outside RAM (nothing written).
  bool guestWrite(uint64_t gpa, const void* data, size_t len);
  // Counts guestWrite() calls that changed an original: a dynamic probe
  // compares it with the value it decoded at to notice a rewritten
  // instruction.
  uint64_t rewrites() const { return rewrites_.load(std::memory_order_acquire); }

  // 4 KiB pages (gpa >> 12) holding an entry, armed or abandoned.
  std::vector<uint64_t> pages() const;
  size_t size() const;

 private:
  struct Entry {
    uint8_t original;
    uint8_t stop;
    uint32_t refs;
    bool armed;
  };
  void restoreLocked(uint64_t gpa, Entry& e);

  GuestMemory& mem_;
  mutable std::mutex mu_;
  std::map<uint64_t, Entry> entries_;
  std::atomic<uint64_t> rewrites_{0};
};

}  // namespace vmm
