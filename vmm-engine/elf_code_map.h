// Where a guest image's code is: the linear ranges of its executable
// sections, cut at every symbol inside them, so that each range starts at
// an instruction boundary (a function or a label) and decoding it
// linearly stays in step with the instructions. Used to find the guest
// kernel's `mov cr3` instructions (Guest_CR3Write, docs/probes.md).
//
// The file is untrusted: every header, table and string bound is checked,
// and a malformed or stripped file gives fewer ranges (a stripped one: one
// per executable section), never a crash.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace vmm {

struct CodeRange {
  uint64_t start = 0, end = 0;  // linear, [start, end)
};

// Sorted by start, not overlapping. Empty when the image has no section
// headers or no executable section.
std::vector<CodeRange> elfCodeRanges(std::span<const uint8_t> image);

}  // namespace vmm
