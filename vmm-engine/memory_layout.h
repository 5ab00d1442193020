// Guest RAM as KVM sees it: the memslots. Normally one slot maps all of
// RAM. Probes can ask for single 4 KiB pages to be
//   ReadOnly  the guest reads them at full speed, its writes exit as MMIO
//             (KVM_MEM_READONLY) and the monitor performs them: write
//             data probes, and tracking writes to pages holding planted
//             int3s;
//   Unbacked  no slot at all: every guest access exits as MMIO and the
//             monitor performs it on the RAM behind: read data probes.
// The RAM slot is split around such pages while they are requested and
// merged back when the last request goes.
//
// Cost: every guest write to a ReadOnly page, and every access to an
// Unbacked one, is an exit, whatever address in the page it touches (a
// data probe on one variable slows down its neighbours on the page too).
// Unbacked pages cannot hold code the guest executes, nor its page
// tables: KVM cannot fetch or walk through MMIO.
//
// The monitor's own accesses (GuestMemory) always reach the RAM behind.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vmm {

class GuestMemory;

class MemoryLayout {
 public:
  enum class PageMode : uint8_t { Normal, ReadOnly, Unbacked };
  struct Slot {
    uint64_t gpa, bytes;
    bool readOnly;
    bool operator==(const Slot&) const = default;
  };

  // The slots for RAM of `ramBytes` with `special` pages (page number ->
  // mode): maximal runs of normal pages, runs of read-only pages, no slot
  // for unbacked pages. Pure, for tests.
  static std::vector<Slot> slotsFor(uint64_t ramBytes,
                                    const std::map<uint64_t, PageMode>& special);

  // `vmFd` already has slot 0 mapping all of `mem`.
  MemoryLayout(int vmFd, GuestMemory& mem, bool readOnlySupported);

  // Whether the host has KVM_MEM_READONLY (KVM_CAP_READONLY_MEM).
  bool readOnlySupported() const { return readOnlyOk_; }

  // Reference-counted requests on page `page` (gpa >> 12); a page's mode
  // is the strongest requested (Unbacked over ReadOnly). Take effect at
  // the next apply(). Any thread that is not a vCPU thread, one at a time.
  void request(uint64_t page, PageMode mode);
  void release(uint64_t page, PageMode mode);
  // The mode each page with a request would get at the next apply().
  std::map<uint64_t, PageMode> requested() const;

  // Programs KVM's memslots for the current requests. Only with every vCPU
  // out of KVM_RUN (Vm::stopWorld): between deleting a slot and creating
  // its replacement the guest would find no RAM there. On failure the
  // layout falls back to one slot for all RAM and says why.
  bool apply(std::string& error);

  // The applied mode of the page holding `gpa`. vCPU threads: the applied
  // state only changes while they are stopped.
  PageMode mode(uint64_t gpa) const;
  size_t slotCount() const { return slots_.size(); }

 private:
  bool program(const std::vector<Slot>& slots, std::string& error);

  int vmFd_;
  GuestMemory& mem_;
  bool readOnlyOk_;
  std::map<uint64_t, std::array<uint32_t, 2>> refs_;  // [ReadOnly, Unbacked]
  std::vector<std::pair<uint64_t, PageMode>> applied_;  // sorted by page
  std::vector<Slot> slots_;
};

}  // namespace vmm
