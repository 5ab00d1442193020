// checkedTranslate: the CPU's permission checks and accessed/dirty
// updates, on 4 KiB, 2 MiB and 1 GiB pages (no KVM needed).
#include <catch2/catch.hpp>

#include "vmm-engine/guest_memory.h"
#include "vmm-engine/page_walk.h"

namespace {

constexpr uint64_t P = 1, W = 2, U = 4, A = 0x20, D = 0x40, PS = 0x80, NX = 1ull << 63;
constexpr uint64_t kPml4 = 0x1000, kPdpt = 0x2000, kPd = 0x3000, kPt = 0x4000;
constexpr uint64_t kWp = 1 << 16, kPg = 1ull << 31;

struct Tables {
  vmm::GuestMemory mem{8 << 20};
  vmm::PagingState ps{kPg | kWp | 1, kPml4, 0x20, 0xd00};  // PAE; LME LMA NXE
  void set(uint64_t table, unsigned index, uint64_t entry) {
    REQUIRE(mem.write(table + index * 8, &entry, 8));
  }
  uint64_t get(uint64_t table, unsigned index) {
    uint64_t e = 0;
    mem.read(table + index * 8, &e, 8);
    return e;
  }
  Tables() {
    set(kPml4, 0, kPdpt | P | W | U);
    set(kPdpt, 0, kPd | P | W | U);
    set(kPd, 0, kPt | P | W | U);
    set(kPt, 1, 0x100000 | P | U);          // 0x1000: user, read-only
    set(kPt, 2, 0x101000 | P | W);          // 0x2000: supervisor, writable
    set(kPt, 3, 0x102000 | P | W | U | NX); // 0x3000: user data, no execute
    set(kPd, 1, 0x400000 | P | W | PS);     // 0x200000: 2 MiB supervisor
    set(kPdpt, 1, 0x0 | P | W | U | PS);    // 0x40000000: 1 GiB user
  }
  vmm::WalkStatus walk(uint64_t linear, vmm::AccessCheck::Kind k, unsigned cpl,
                       uint64_t& gpa, uint32_t& err, bool ac = false) {
    return vmm::checkedTranslate(mem, ps, linear, {k, cpl, ac}, gpa, err);
  }
};

using K = vmm::AccessCheck;

}  // namespace

TEST_CASE("checked walk: permitted accesses translate and mark the entries") {
  Tables t;
  uint64_t gpa;
  uint32_t err;
  REQUIRE(t.walk(0x1234, K::Read, 3, gpa, err) == vmm::WalkStatus::Ok);
  CHECK(gpa == 0x100234);
  CHECK((t.get(kPt, 1) & (A | D)) == A);  // read: accessed, not dirty
  CHECK((t.get(kPml4, 0) & A) == A);
  REQUIRE(t.walk(0x2008, K::Write, 0, gpa, err) == vmm::WalkStatus::Ok);
  CHECK(gpa == 0x101008);
  CHECK((t.get(kPt, 2) & (A | D)) == (A | D));
  REQUIRE(t.walk(0x212345, K::Write, 0, gpa, err) == vmm::WalkStatus::Ok);
  CHECK(gpa == 0x412345);
  CHECK((t.get(kPd, 1) & D) == D);
  REQUIRE(t.walk(0x40000000 + 0x123456, K::Write, 3, gpa, err) == vmm::WalkStatus::Ok);
  CHECK(gpa == 0x123456);
  CHECK((t.get(kPdpt, 1) & (A | D)) == (A | D));
}

TEST_CASE("checked walk: faults carry the error code the CPU would give") {
  Tables t;
  uint64_t gpa;
  uint32_t err;
  using namespace vmm::pf;
  CHECK(t.walk(0x2000, K::Read, 3, gpa, err) == vmm::WalkStatus::Fault);
  CHECK(err == (kPresent | kUser));  // user read of a supervisor page
  CHECK(t.walk(0x1000, K::Write, 3, gpa, err) == vmm::WalkStatus::Fault);
  CHECK(err == (kPresent | kWrite | kUser));  // read-only page
  CHECK(t.walk(0x1000, K::Write, 0, gpa, err) == vmm::WalkStatus::Fault);
  CHECK(err == (kPresent | kWrite));  // CR0.WP applies to the kernel
  t.ps.cr0 &= ~kWp;
  CHECK(t.walk(0x1000, K::Write, 0, gpa, err) == vmm::WalkStatus::Ok);
  CHECK(t.walk(0x3000, K::Fetch, 3, gpa, err) == vmm::WalkStatus::Fault);
  CHECK(err == (kPresent | kUser | kFetch));  // NX
  CHECK(t.walk(0x5000, K::Write, 3, gpa, err) == vmm::WalkStatus::Fault);
  CHECK(err == (kWrite | kUser));  // not present
  CHECK((t.get(kPt, 5) & A) == 0);
  t.set(kPt, 6, 0x106000 | P | (1ull << 51));  // a page beyond RAM: no fault to give
  CHECK(t.walk(0x6000, K::Read, 0, gpa, err) == vmm::WalkStatus::NotInRam);
  t.set(kPd, 2, 0x600000 | P | PS | (1 << 13));  // reserved bit in a 2 MiB entry
  CHECK(t.walk(0x400000, K::Read, 0, gpa, err) == vmm::WalkStatus::Fault);
  CHECK(err == (kPresent | kReserved));
  t.ps.efer &= ~0x800ull;  // without NXE, bit 63 is reserved
  CHECK(t.walk(0x3000, K::Read, 3, gpa, err) == vmm::WalkStatus::Fault);
  CHECK(err == (kPresent | kReserved | kUser));
}

TEST_CASE("checked walk: SMEP and SMAP for supervisor accesses to user pages") {
  Tables t;
  uint64_t gpa;
  uint32_t err;
  t.ps.cr4 |= 1 << 21;  // SMAP
  CHECK(t.walk(0x1000, K::Read, 0, gpa, err) == vmm::WalkStatus::Fault);
  CHECK(t.walk(0x1000, K::Read, 0, gpa, err, true) == vmm::WalkStatus::Ok);  // AC set
  t.ps.cr4 |= 1 << 20;  // SMEP
  CHECK(t.walk(0x1000, K::Fetch, 0, gpa, err) == vmm::WalkStatus::Fault);
  CHECK(err == (vmm::pf::kPresent | vmm::pf::kFetch));
}

TEST_CASE("checked walk: tables outside RAM and odd modes are not walked") {
  Tables t;
  uint64_t gpa;
  uint32_t err;
  t.set(kPml4, 2, (1ull << 40) | P | W);  // PDPT far outside 8 MiB of RAM
  CHECK(t.walk(2ull << 39, K::Read, 0, gpa, err) == vmm::WalkStatus::NotInRam);
  CHECK(t.walk(0x0000800000000000ull, K::Read, 0, gpa, err) == vmm::WalkStatus::NotInRam);
  t.ps.cr0 &= ~kPg;
  REQUIRE(t.walk(0x7000, K::Write, 0, gpa, err) == vmm::WalkStatus::Ok);
  CHECK(gpa == 0x7000);
}
