// The memslot layout around read-only and unbacked pages (no KVM needed;
// the vmm-engine suite's guests exercise the ioctls).
#include <catch2/catch.hpp>

#include "vmm-engine/memory_layout.h"

using Mode = vmm::MemoryLayout::PageMode;
using Slot = vmm::MemoryLayout::Slot;

TEST_CASE("memory layout: one slot without special pages") {
  CHECK(vmm::MemoryLayout::slotsFor(64 << 20, {}) ==
        std::vector<Slot>{{0, 64 << 20, false}});
}

TEST_CASE("memory layout: read-only pages split RAM, neighbours merge") {
  std::map<uint64_t, Mode> special{{0x100, Mode::ReadOnly}, {0x101, Mode::ReadOnly},
                                   {0x200, Mode::Unbacked}, {0x201, Mode::ReadOnly}};
  auto slots = vmm::MemoryLayout::slotsFor(0x400000, special);
  CHECK(slots == std::vector<Slot>{{0, 0x100000, false},
                                   {0x100000, 0x2000, true},
                                   {0x102000, 0xfe000, false},
                                   {0x201000, 0x1000, true},
                                   {0x202000, 0x1fe000, false}});
}

TEST_CASE("memory layout: pages at the edges and beyond RAM") {
  std::map<uint64_t, Mode> special{{0, Mode::Unbacked}, {0x3ff, Mode::ReadOnly},
                                   {0x5000, Mode::ReadOnly}};
  auto slots = vmm::MemoryLayout::slotsFor(0x400000, special);
  CHECK(slots == std::vector<Slot>{{0x1000, 0x3fe000, false}, {0x3ff000, 0x1000, true}});
}
