// Breakpoint bookkeeping: planting, sharing, guest writes over planted
// code, and a restore that leaves memory as the guest would have it.
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "vmm-engine/breakpoints.h"
#include "vmm-engine/guest_memory.h"

namespace {

struct Ram {
  vmm::GuestMemory mem{1 << 20};
  std::vector<uint8_t> pristine;
  Ram() {
    for (uint64_t a = 0; a < 0x3000; ++a) {
      uint8_t b = uint8_t(a * 7 + 3);
      mem.write(a, &b, 1);
    }
    pristine = bytes(0, 0x3000);
  }
  std::vector<uint8_t> bytes(uint64_t at, size_t n) {
    std::vector<uint8_t> v(n);
    mem.read(at, v.data(), n);
    return v;
  }
  uint8_t at(uint64_t a) { return bytes(a, 1)[0]; }
};

}  // namespace

TEST_CASE("breakpoints: plant puts int3, remove restores the byte", "[breakpoints]") {
  Ram r;
  vmm::Breakpoints bp(r.mem);
  REQUIRE(bp.plant(0x1000));
  CHECK(r.at(0x1000) == 0xcc);
  CHECK(bp.armed(0x1000));
  uint8_t orig[4];
  REQUIRE(bp.readOriginal(0xffe, orig, 4));
  CHECK(memcmp(orig, r.pristine.data() + 0xffe, 4) == 0);
  bp.remove(0x1000);
  CHECK(bp.size() == 0);
  CHECK(r.bytes(0, 0x3000) == r.pristine);
  CHECK_FALSE(bp.plant(1 << 20));  // outside RAM
}

TEST_CASE("breakpoints: shared addresses are reference counted", "[breakpoints]") {
  Ram r;
  vmm::Breakpoints bp(r.mem);
  bp.plant(0x1000);
  bp.plant(0x1000);  // a second probe at the same address
  bp.plant(0x2005);
  CHECK(bp.pages() == std::vector<uint64_t>{1, 2});
  bp.remove(0x1000);
  CHECK(r.at(0x1000) == 0xcc);  // still planted for the other probe
  bp.remove(0x1000);
  CHECK(r.at(0x1000) == r.pristine[0x1000]);
  bp.remove(0x2005);
  bp.remove(0x2005);  // one too many: harmless
  CHECK(r.bytes(0, 0x3000) == r.pristine);
}

TEST_CASE("breakpoints: guest writes over planted bytes are kept for the restore",
          "[breakpoints]") {
  Ram r;
  vmm::Breakpoints bp(r.mem);
  bp.plant(0x1001);
  bp.plant(0x1003);
  uint64_t before = bp.rewrites();
  const uint8_t data[4] = {0x11, 0x22, 0x33, 0x44};
  REQUIRE(bp.guestWrite(0x1000, data, 4));
  // The guest's bytes land, except on the planted addresses, which keep
  // the int3 and remember what the guest wrote.
  CHECK(r.bytes(0x1000, 4) == std::vector<uint8_t>{0x11, 0xcc, 0x33, 0xcc});
  uint8_t seen[4];
  REQUIRE(bp.readOriginal(0x1000, seen, 4));
  CHECK(memcmp(seen, data, 4) == 0);
  CHECK(bp.rewrites() > before);
  bp.remove(0x1001);
  bp.remove(0x1003);
  CHECK(r.bytes(0x1000, 4) == std::vector<uint8_t>{0x11, 0x22, 0x33, 0x44});
  std::vector<uint8_t> want = r.pristine;
  memcpy(want.data() + 0x1000, data, 4);
  CHECK(r.bytes(0, 0x3000) == want);
}

TEST_CASE("breakpoints: far writes do not count as rewrites", "[breakpoints]") {
  Ram r;
  vmm::Breakpoints bp(r.mem);
  bp.plant(0x1800);
  uint64_t before = bp.rewrites();
  uint64_t v = 42;
  bp.guestWrite(0x1000, &v, 8);
  CHECK(bp.rewrites() == before);
  bp.guestWrite(0x17f8, &v, 8);  // ends right before the planted address
  CHECK(bp.rewrites() == before);
  bp.guestWrite(0x1808, &v, 8);  // may be the tail of its instruction
  CHECK(bp.rewrites() == before + 1);
  CHECK(r.at(0x1800) == 0xcc);
}

TEST_CASE("breakpoints: bytes rewritten behind the monitor's back stay", "[breakpoints]") {
  Ram r;
  vmm::Breakpoints bp(r.mem);
  bp.plant(0x1234);
  uint8_t dma = 0x90;
  r.mem.write(0x1234, &dma, 1);  // e.g. a disk read into the page
  bp.remove(0x1234);
  CHECK(r.at(0x1234) == 0x90);
}

// Found by fuzz/guest_stops.cpp: the guest's write was kept as the
// "original" while memory kept the device's byte, and remove() then left
// the device's byte: the guest's write was lost.
TEST_CASE("breakpoints: a guest write after a device overwrote the stop reaches memory",
          "[breakpoints]") {
  Ram r;
  vmm::Breakpoints bp(r.mem);
  REQUIRE(bp.plant(0x1234));
  uint8_t dma = 0x90, w = 0x66;
  r.mem.write(0x1234, &dma, 1);
  uint64_t before = bp.rewrites();
  REQUIRE(bp.guestWrite(0x1234, &w, 1));
  CHECK(r.at(0x1234) == 0x66);
  CHECK_FALSE(bp.armed(0x1234));
  CHECK(bp.rewrites() > before);
  bp.remove(0x1234);
  CHECK(r.at(0x1234) == 0x66);
  CHECK(bp.size() == 0);
}

TEST_CASE("breakpoints: abandon hands the byte back, remove still balances", "[breakpoints]") {
  Ram r;
  vmm::Breakpoints bp(r.mem);
  bp.plant(0x2000);
  bp.abandon(0x2000);
  CHECK_FALSE(bp.armed(0x2000));
  CHECK(r.at(0x2000) == r.pristine[0x2000]);
  uint8_t w = 0x55;
  bp.guestWrite(0x2000, &w, 1);  // no longer ours: goes to memory
  CHECK(r.at(0x2000) == 0x55);
  bp.remove(0x2000);
  CHECK(r.at(0x2000) == 0x55);
  CHECK(bp.size() == 0);
}

TEST_CASE("breakpoints: destruction restores what is left", "[breakpoints]") {
  Ram r;
  {
    vmm::Breakpoints bp(r.mem);
    bp.plant(0x10);
    bp.plant(0x2fff);
  }
  CHECK(r.bytes(0, 0x3000) == r.pristine);
}

TEST_CASE("breakpoints: a hlt stop is planted, shared and restored like an int3",
          "[breakpoints]") {
  Ram r;
  vmm::Breakpoints bp(r.mem);
  REQUIRE(bp.plant(0x1000, vmm::Breakpoints::kHlt));
  CHECK(r.at(0x1000) == 0xf4);
  CHECK(bp.stopAt(0x1000) == vmm::Breakpoints::kHlt);
  CHECK(bp.stopAt(0x1001) == 0);
  REQUIRE(bp.plant(0x1000, vmm::Breakpoints::kHlt));  // a second probe
  bp.remove(0x1000);
  CHECK(r.at(0x1000) == 0xf4);
  bp.abandon(0x1000);  // the guest's byte back; the entry stays
  CHECK(r.at(0x1000) == r.pristine[0x1000]);
  CHECK(bp.stopAt(0x1000) == vmm::Breakpoints::kHlt);
  bp.remove(0x1000);
  CHECK(bp.size() == 0);
  CHECK(r.bytes(0, 0x3000) == r.pristine);
}

TEST_CASE("breakpoints: no stop over the guest's own copy of it", "[breakpoints]") {
  // The guest's own hlt there could not be told from a planted one.
  Ram r;
  uint8_t hlt = 0xf4;
  r.mem.write(0x1800, &hlt, 1);
  vmm::Breakpoints bp(r.mem);
  CHECK_FALSE(bp.plant(0x1800, vmm::Breakpoints::kHlt));
  CHECK(bp.size() == 0);
  CHECK(bp.plant(0x1800, vmm::Breakpoints::kInt3));  // an int3 is another byte
  CHECK(r.at(0x1800) == 0xcc);
  bp.remove(0x1800);
  CHECK(r.at(0x1800) == 0xf4);
}

TEST_CASE("breakpoints: a rewritten address given back holds the guest's bytes at once",
          "[breakpoints]") {
  // What GuestProbes does when a guest write changes a probed
  // instruction: abandon() right after guestWrite(), so that the guest
  // reads (and runs) what it wrote, not the stop; remove() later, at
  // unload, leaves it so.
  Ram r;
  vmm::Breakpoints bp(r.mem);
  REQUIRE(bp.plant(0x1000, vmm::Breakpoints::kHlt));
  const uint8_t code[8] = {0x68, 2, 0, 0, 0, 0x58, 0xc3, 0x90};  // push 2; pop rax; ret
  REQUIRE(bp.guestWrite(0x1000, code, 8));
  CHECK(r.at(0x1000) == vmm::Breakpoints::kHlt);
  bp.abandon(0x1000);
  CHECK_FALSE(bp.armed(0x1000));
  CHECK(r.bytes(0x1000, 8) == std::vector<uint8_t>(code, code + 8));
  const uint8_t again[1] = {0xb8};  // later writes go straight to memory
  REQUIRE(bp.guestWrite(0x1000, again, 1));
  CHECK(r.at(0x1000) == 0xb8);
  bp.remove(0x1000);
  CHECK(bp.size() == 0);
  CHECK(r.at(0x1000) == 0xb8);
}
