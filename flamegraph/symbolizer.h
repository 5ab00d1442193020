// Names guest code addresses with the guest's symbols (vp::GuestSymbols:
// nm output, System.map, kallsyms), for stacks from `gueststack`. Built
// once per run; const afterwards, so any thread may use it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "vp/guest_symbols.h"

namespace flamegraph {

class Symbolizer {
 public:
  // Without symbols every address is named by its hex value.
  Symbolizer() = default;
  explicit Symbolizer(const vp::GuestSymbols& symbols);

  // The symbol at or below `address`, without an offset (a flame graph
  // merges a function's samples); "0x<hex>" when no symbol lies within
  // kMaxDistance below it. A return address is looked up one byte back,
  // at the call: a call that ends its function returns to the next one.
  std::string name(uint64_t address, bool returnAddress) const;

  // Symbol files carry no sizes: this bounds how far past its start a
  // symbol is taken to reach, so that an address in a region without
  // symbols (user code named with a kernel's kallsyms) stays hex rather
  // than take the name of the last data symbol below it.
  static constexpr uint64_t kMaxDistance = 1 << 20;

  // Frames for a stack, root first: `leafFirst` as gueststack gives it
  // (RIP, then return addresses), each named; the zero return addresses
  // that end a walk at a thread's first frame are dropped.
  std::vector<std::string> frames(const std::vector<uint64_t>& leafFirst) const;

 private:
  std::vector<std::pair<uint64_t, std::string>> byAddress_;  // sorted
};

}  // namespace flamegraph
