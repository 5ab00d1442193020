// A Linux kernel's text cut at its symbols (Guest_CR3Write on a guest
// without an image): a range starts at each symbol inside [_stext,
// _etext) and ends at the next, whatever order and duplicates the symbol
// file has; symbols outside (init text, modules, per-cpu offsets) give
// nothing to decode.
#include <catch2/catch.hpp>

#include <vector>

#include "vmm-engine/symbol_code_map.h"

namespace {
constexpr uint64_t kText = 0xffffffff81000000, kEtext = 0xffffffff81e00000;
}

TEST_CASE("symbol code map: ranges between consecutive symbols of the text", "[cr3]") {
  std::vector<uint64_t> syms = {0xffffffff81000100, kText, 0x1fb80 /* a per-cpu 'A' */,
                                0xffffffff81000040, 0xffffffff81000100,
                                0xffffffff83000000 /* init text, freed */,
                                0xffffffffc0001000 /* a module */, kEtext};
  auto r = vmm::symbolCodeRanges(syms, kText, kEtext);
  REQUIRE(r.size() == 3);
  CHECK(r[0].start == kText);
  CHECK(r[0].end == 0xffffffff81000040);
  CHECK(r[1].start == 0xffffffff81000040);
  CHECK(r[1].end == 0xffffffff81000100);
  CHECK(r[2].start == 0xffffffff81000100);
  CHECK(r[2].end == kEtext);
}

TEST_CASE("symbol code map: no text, no ranges", "[cr3]") {
  std::vector<uint64_t> syms = {kText, kEtext};
  CHECK(vmm::symbolCodeRanges(syms, kEtext, kText).empty());
  CHECK(vmm::symbolCodeRanges(syms, kText, kText).empty());
  // Only _stext and _etext: the whole text is one range.
  auto one = vmm::symbolCodeRanges(syms, kText, kEtext);
  REQUIRE(one.size() == 1);
  CHECK(one[0].end - one[0].start == kEtext - kText);
}
