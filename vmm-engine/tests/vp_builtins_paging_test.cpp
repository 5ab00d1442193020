// The VP built-ins that read guest memory (gueststack, getguest,
// getgueststr, getguestphys, offatret, offatseg, offatstrcpy) through the
// monitor's page walker, on every page size x86-64 4-level paging has: 4
// KiB pages mapped out of order (reads and frames that cross them), a 2
// MiB page and a 1 GiB page. The demo guest uses 4 KiB (user) and 2 MiB
// (kernel) pages; the 1 GiB mapping of real guests is covered here.
#include <catch2/catch.hpp>
#include <cstring>

#include "vmm-engine/guest_memory.h"
#include "vmm-engine/page_walk.h"
#include "vp/synthetic_target.h"
#include "vp/vp.h"

namespace {

constexpr uint64_t P = 1, W = 2, PS = 0x80;
constexpr uint64_t kPml4 = 0x1000, kPdpt = 0x2000, kPd = 0x3000, kPt = 0x4000;
constexpr uint64_t kGiB = 1ull << 30;

// Linear 0x600000-0x603fff: 4 KiB pages at physical 0x800000, 0x700000,
// 0x900000, 0xa00000 (out of order). Linear 0x200000: a 2 MiB page at 0x400000.
// Linear 1 GiB up: a 1 GiB page at physical 0.
class PagedTarget : public vp::SyntheticTarget {
 public:
  vmm::GuestMemory mem{16 << 20};
  vmm::PagingState ps{0x80000011, kPml4, 0x20, 0x500};

  PagedTarget() {
    entry(kPml4, 0, kPdpt | P | W);
    entry(kPdpt, 0, kPd | P | W);
    entry(kPdpt, 1, 0 | P | W | PS);
    entry(kPd, 1, 0x400000 | P | W | PS);
    entry(kPd, 3, kPt | P | W);
    entry(kPt, 0, 0x800000 | P | W);
    entry(kPt, 1, 0x700000 | P | W);
    entry(kPt, 2, 0x900000 | P | W);
    entry(kPt, 3, 0xa00000 | P | W);
    set(vp::Global::EFER, 0x500);
    set(vp::Global::CSAR, 0xa09b);  // 64-bit code (L)
  }
  void entry(uint64_t table, unsigned i, uint64_t e) { REQUIRE(mem.write(table + 8 * i, &e, 8)); }
  // Writes at a linear address through the tables, as the guest would.
  void put(uint64_t linear, const void* data, size_t n) {
    auto* b = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < n; ++i) {
      uint64_t gpa;
      REQUIRE(vmm::translateLinear(mem, ps, linear + i, gpa));
      REQUIRE(mem.write(gpa, b + i, 1));
    }
  }
  void put64(uint64_t linear, uint64_t v) { put(linear, &v, 8); }
  bool readLinear(uint64_t a, void* buf, size_t len) override {
    return vmm::readLinear(mem, ps, a, buf, len);
  }
  bool readPhysical(uint64_t a, void* buf, size_t len) override { return mem.read(a, buf, len); }
};

class Capture : public vp::Sink {
 public:
  std::string out, err;
  void output(uint64_t, std::string_view t) override { out += t; }
  void error(uint64_t, std::string_view l) override { err += l; }
};

std::string run(PagedTarget& t, const std::string& src, Capture& sink) {
  std::vector<vp::Diagnostic> diags;
  auto script = vp::Script::load(src, "paging.vp", vp::Options{}, sink, diags);
  for (auto& d : diags) INFO(d.render(src));
  REQUIRE(script);
  auto ctx = script->newContext(t, 0, true);
  script->fire(*ctx, 0, {});
  ctx->flush();
  return sink.out;
}

}  // namespace

TEST_CASE("VP guest-memory built-ins across 4 KiB, 2 MiB and 1 GiB pages") {
  PagedTarget t;
  // A frame chain from the 2 MiB page, through a frame that straddles two
  // 4 KiB pages mapped out of order, into the 1 GiB page.
  t.set(vp::Global::RIP, kGiB + 0x1234);
  t.set(vp::Global::RBP, 0x200800);
  t.put64(0x200800, 0x601ff8), t.put64(0x200808, 0x1111);
  t.put64(0x601ff8, kGiB + 0x50000), t.put64(0x602000, 0x2222);  // crosses 4 KiB
  t.put64(kGiB + 0x50000, 0), t.put64(kGiB + 0x50008, 0x3333);
  // A string and a word that cross 4 KiB pages.
  t.put(0x600ffa, "hello, paging", 14);
  t.put64(0x602ffc, 0x0807060504030201ull);
  // sys_getpid's shape in a 4 KiB page: mov rax, gs:[0]; mov eax,
  // [rax+0x1a8]; ret. offatseg on a gs-relative load in the 2 MiB page.
  const uint8_t getpid[] = {0x65, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0,
                            0x8b, 0x80, 0xa8, 0x01, 0, 0, 0xc3};
  t.put(0x602100, getpid, sizeof getpid);
  const uint8_t seg[] = {0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0, 0xc3};
  t.put(0x202000, seg, sizeof seg);
  // get_task_comm's shape in the 1 GiB page: lea rsi, [rsi+0x3f0]; call
  // strncpy (rel32 to +0x1000).
  uint64_t comm = kGiB + 0x123000, strncpy = kGiB + 0x124000;
  uint8_t call[12] = {0x48, 0x8d, 0xb6, 0xf0, 0x03, 0, 0, 0xe8};
  int32_t rel = int32_t(strncpy - (comm + 12));
  memcpy(call + 8, &rel, 4);
  t.put(comm, call, sizeof call);
  Capture sink;
  std::string out = run(t, R"((defstring s) (defstring n)
    (vprobe VMM1Hz
      (gueststack s)
      (getgueststr n 64 0x600ffa)
      (printf "%s\n%s\n%x\n%x %x %x\n%x\n" s n (getguest 0x602ffc)
        (offatret 0x602100) (offatseg 0x202000) (offatstrcpy 0x40123000 0x40124000)
        (getguestphys 0x900ffc))
      (printf "%x\n" (getguest 0x400000ff8))))", sink);
  INFO(sink.err);
  CHECK(out ==
        "GUEST_0x40001234_0x1111_0x2222_0x3333\n"
        "hello, paging\n"
        "807060504030201\n"
        "1a8 28 3f0\n"
        "4030201\n");  // 0x602ffc is physical 0x900ffc
  // Linear 16 GiB + 0xff8: no PDPT entry there.
  CHECK_THAT(sink.err, Catch::Contains("guest memory at 0x400000ff8 is not mapped"));
}
