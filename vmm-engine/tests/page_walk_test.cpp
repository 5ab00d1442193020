// The guest page walker against well-formed and hostile page tables (no
// KVM needed).
#include <catch2/catch.hpp>
#include <cstring>

#include "vmm-engine/guest_memory.h"
#include "vmm-engine/page_walk.h"

namespace {

constexpr uint64_t P = 1, W = 2, PS = 0x80;
constexpr uint64_t kPml4 = 0x1000, kPdpt = 0x2000, kPd = 0x3000,
                   kPt = 0x4000;

struct Tables {
  vmm::GuestMemory mem{8 << 20};
  vmm::PagingState ps{0x80000011, kPml4, 0x20, 0x500};  // PG PE, PAE, LME LMA
  void set(uint64_t table, unsigned index, uint64_t entry) {
    REQUIRE(mem.write(table + index * 8, &entry, 8));
  }
  bool tr(uint64_t linear, uint64_t& gpa) {
    return vmm::translateLinear(mem, ps, linear, gpa);
  }
  Tables() {
    // 0x0000_0040_0000_0000 region: PML4[0] -> PDPT; PDPT[0] -> PD;
    // PD[0] -> PT; PT[1] -> 0x100000 (4 KiB), PT[2] -> 0x200000.
    set(kPml4, 0, kPdpt | P | W);
    set(kPdpt, 0, kPd | P | W);
    set(kPd, 0, kPt | P | W);
    set(kPt, 1, 0x100000 | P);
    set(kPt, 2, 0x200000 | P);
    // PD[1]: a 2 MiB page at 0x400000. PDPT[1]: a 1 GiB page at 0.
    set(kPd, 1, 0x400000 | P | PS);
    set(kPdpt, 1, 0x0 | P | PS);
  }
};

}  // namespace

TEST_CASE("4 KiB, 2 MiB and 1 GiB pages translate") {
  Tables t;
  uint64_t gpa;
  REQUIRE(t.tr(0x1abc, gpa));
  CHECK(gpa == 0x100abc);
  REQUIRE(t.tr(0x2fff, gpa));
  CHECK(gpa == 0x200fff);
  REQUIRE(t.tr(0x212345, gpa));
  CHECK(gpa == 0x412345);
  REQUIRE(t.tr(0x40000000 + 0x123456, gpa));
  CHECK(gpa == 0x123456);
}

TEST_CASE("absent and malformed entries are not mapped") {
  Tables t;
  uint64_t gpa;
  CHECK_FALSE(t.tr(0x0, gpa));            // PT[0] not present
  CHECK_FALSE(t.tr(0x3000, gpa));         // PT[3] not present
  CHECK_FALSE(t.tr(1ull << 39, gpa));     // PML4[1] not present
  t.set(kPd, 1, 0x400000 | P | PS | (1 << 13));  // reserved bit in 2 MiB
  CHECK_FALSE(t.tr(0x200000, gpa));
  t.set(kPdpt, 1, 0x200000 | P | PS);  // 1 GiB page not 1 GiB aligned
  CHECK_FALSE(t.tr(0x40000000, gpa));
  t.set(kPml4, 2, kPdpt | P | PS);  // PS in a PML4 entry is reserved
  CHECK_FALSE(t.tr(2ull << 39, gpa));
}

TEST_CASE("tables outside RAM and non-canonical addresses are not mapped") {
  Tables t;
  uint64_t gpa;
  t.set(kPd, 2, 0xfffff000 | P | W);  // PT far beyond 8 MiB of RAM
  CHECK_FALSE(t.tr(0x400000, gpa));
  t.set(kPml4, 3, 0x000ffffffffff000ull | P);  // max physical address
  CHECK_FALSE(t.tr(3ull << 39, gpa));
  t.ps.cr3 = 0x7ffffffff000;  // CR3 itself outside RAM
  CHECK_FALSE(t.tr(0x1000, gpa));
  Tables u;
  CHECK_FALSE(u.tr(0x0000800000000000ull, gpa));
  CHECK_FALSE(u.tr(0x8000000000001000ull, gpa));
}

TEST_CASE("paging off means linear = physical; unsupported modes fail") {
  Tables t;
  uint64_t gpa;
  t.ps.cr0 = 0x11;
  REQUIRE(t.tr(0x123456, gpa));
  CHECK(gpa == 0x123456);
  Tables l57;
  l57.ps.cr4 |= 1 << 12;  // LA57: 5-level paging is not walked
  CHECK_FALSE(l57.tr(0x1000, gpa));
  Tables legacy;
  legacy.ps.efer = 0;  // 32-bit paging
  CHECK_FALSE(legacy.tr(0x1000, gpa));
}

TEST_CASE("reads spanning pages follow each page's mapping") {
  Tables t;
  const char a[] = "ABCD", b[] = "EFGH";
  REQUIRE(t.mem.write(0x100ffc, a, 4));  // end of the page at 0x1000
  REQUIRE(t.mem.write(0x200000, b, 4));  // start of the page at 0x2000
  char out[9] = {};
  REQUIRE(vmm::readLinear(t.mem, t.ps, 0x1ffc, out, 8));
  CHECK(std::string(out) == "ABCDEFGH");
  // Running into an unmapped page fails the whole read.
  CHECK_FALSE(vmm::readLinear(t.mem, t.ps, 0x2ffc, out, 8));
  CHECK(vmm::readLinear(t.mem, t.ps, 0x2ffc, out, 4));
}

TEST_CASE("physical access is bounds-checked") {
  vmm::GuestMemory mem(1 << 20);
  uint8_t b[16];
  CHECK(mem.read((1 << 20) - 16, b, 16));
  CHECK_FALSE(mem.read((1 << 20) - 15, b, 16));
  CHECK_FALSE(mem.read(~0ull - 4, b, 16));
  CHECK_FALSE(mem.write(1 << 20, b, 1));
  CHECK(mem.contains(1 << 20, 0));
  CHECK(mem.hostPtr(0, 1 << 20) != nullptr);
  CHECK(mem.hostPtr(1, 1 << 20) == nullptr);
}

TEST_CASE("random page tables never crash the walker") {
  vmm::GuestMemory mem(1 << 20);
  uint64_t seed = 99;
  for (uint64_t off = 0; off < (1 << 20); off += 8) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t e = seed;
    // Mostly plausible entries: present, pointing into the first MiB.
    if (seed & (1ull << 60)) e = (seed & 0xff000) | 0x7 | (seed & 0x80);
    mem.write(off, &e, 8);
  }
  vmm::PagingState ps{0x80000011, 0x5000, 0x20, 0x500};
  int mapped = 0;
  for (int i = 0; i < 20000; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t gpa, lin = seed & 0x00007fffffffffffull;
    if (vmm::translateLinear(mem, ps, lin, gpa)) {
      ++mapped;
      CHECK(gpa < (1ull << 52));
    }
  }
  CHECK(mapped > 0);
}
