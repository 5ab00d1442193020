// The virtqueue's device side over plain guest RAM (no VM): chains as a
// driver builds them, and the rings a hostile guest can write — loops,
// indices out of range, buffers outside RAM, an available index far
// ahead — each breaking the queue with a reason instead of crashing.
#include <catch2/catch.hpp>
#include <cstring>

#include "vmm-engine/guest_memory.h"
#include "vmx-engine/virtqueue.h"

using vmx::VirtQueue;
using vmx::VirtqChain;
using Pop = VirtQueue::Pop;

namespace {
constexpr uint64_t kRam = 1 << 20;
constexpr uint32_t kPfn = 0x10;  // rings at 64 KiB
constexpr uint16_t kSize = 8;
constexpr uint64_t kDesc = uint64_t(kPfn) * 4096, kAvail = kDesc + 16 * kSize,
                   kUsed = kDesc + 4096;  // avail ends before 4 KiB
enum : uint16_t { kNext = 1, kWrite = 2, kIndirect = 4 };

struct Ring {
  vmm::GuestMemory mem{kRam};
  VirtQueue q{mem, kSize};
  uint16_t avail = 0;
  Ring() { REQUIRE(q.setPfn(kPfn)); }
  void desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
            uint16_t next = 0) {
    uint8_t d[16];
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
    REQUIRE(mem.write(kDesc + 16 * i, d, 16));
  }
  void offer(uint16_t head) {
    mem.write(kAvail + 4 + 2 * (avail % kSize), &head, 2);
    ++avail;
    mem.write(kAvail + 2, &avail, 2);
  }
  uint16_t u16(uint64_t gpa) {
    uint16_t v = 0;
    mem.read(gpa, &v, 2);
    return v;
  }
};
}  // namespace

TEST_CASE("virtqueue: a block request's chain comes out in order, and goes back as used") {
  Ring r;
  r.desc(3, 0x20000, 16, kNext, 5);
  r.desc(5, 0x21000, 4096, kNext | kWrite, 1);
  r.desc(1, 0x22000, 1, kWrite);
  VirtqChain c;
  CHECK(r.q.pop(c) == Pop::kEmpty);
  r.offer(3);
  REQUIRE(r.q.pop(c) == Pop::kChain);
  CHECK(c.head == 3);
  REQUIRE(c.buffers.size() == 3);
  CHECK((c.buffers[0].gpa == 0x20000 && c.buffers[0].len == 16 && !c.buffers[0].deviceWrites));
  CHECK((c.buffers[1].gpa == 0x21000 && c.buffers[1].len == 4096 && c.buffers[1].deviceWrites));
  CHECK((c.buffers[2].gpa == 0x22000 && c.buffers[2].deviceWrites));
  CHECK(r.q.pop(c) == Pop::kEmpty);
  REQUIRE(r.q.pushUsed(3, 4097));
  CHECK(r.u16(kUsed + 2) == 1);
  uint32_t elem[2];
  r.mem.read(kUsed + 4, elem, 8);
  CHECK((elem[0] == 3 && elem[1] == 4097));
}

TEST_CASE("virtqueue: indices wrap at 65536") {
  Ring r;
  r.desc(0, 0x20000, 8, 0);
  VirtqChain c;
  unsigned served = 0;
  for (unsigned i = 0; i < 70000; ++i) {
    r.offer(0);
    if (r.q.pop(c) == Pop::kChain && r.q.pushUsed(0, 0)) ++served;
  }
  CHECK(served == 70000);
  CHECK(r.u16(kUsed + 2) == uint16_t(70000));
  CHECK(r.q.ready());
}

TEST_CASE("virtqueue: hostile rings break the queue with a reason") {
  Ring r;
  VirtqChain c;
  std::string why;
  SECTION("a loop") {
    r.desc(0, 0x20000, 8, kNext, 1);
    r.desc(1, 0x20000, 8, kNext, 0);
    r.offer(0);
    why = "loop";
  }
  SECTION("a next index beyond the queue") {
    r.desc(0, 0x20000, 8, kNext, 200);
    r.offer(0);
    why = "beyond the queue size";
  }
  SECTION("a head beyond the queue") {
    r.offer(kSize);
    why = "beyond the queue size";
  }
  SECTION("a buffer outside RAM, or wrapping around") {
    r.desc(0, kRam - 8, 16, 0);
    r.desc(1, ~0ull - 3, 8, 0);
    r.offer(GENERATE(0, 1));
    why = "outside RAM";
  }
  SECTION("an available index far ahead") {
    r.avail = 1000;
    r.offer(0);
    why = "chains ahead";
  }
  SECTION("an indirect descriptor") {
    r.desc(0, 0x20000, 32, kIndirect);
    r.offer(0);
    why = "indirect";
  }
  SECTION("a read buffer after a written one") {
    r.desc(0, 0x20000, 8, kNext | kWrite, 1);
    r.desc(1, 0x21000, 8, 0);
    r.offer(0);
    why = "after a device-writable";
  }
  CHECK(r.q.pop(c) == Pop::kBroken);
  CHECK(r.q.broken());
  CHECK_THAT(r.q.error(), Catch::Contains(why));
  // Broken stays broken (nothing more is handed out) until a reset.
  r.desc(2, 0x20000, 8, 0);
  r.offer(2);
  CHECK(r.q.pop(c) == Pop::kBroken);
  CHECK_FALSE(r.q.pushUsed(0, 0));
  REQUIRE(r.q.setPfn(kPfn));
  CHECK(r.q.ready());
}

TEST_CASE("virtqueue: a queue address whose rings leave RAM is refused") {
  vmm::GuestMemory mem(kRam);
  VirtQueue q(mem, 256);
  CHECK_FALSE(q.setPfn(uint32_t(kRam / 4096) - 1));
  CHECK_FALSE(q.ready());
  CHECK_THAT(q.error(), Catch::Contains("outside RAM"));
  CHECK_FALSE(q.setPfn(0xffffffffu));
  CHECK(q.setPfn(uint32_t(kRam / 4096) - 3));  // 4 KiB descs, avail, used
}
