#include "flamegraph/symbolizer.h"

#include <algorithm>

#include "flamegraph/folded_stacks.h"

namespace flamegraph {

Symbolizer::Symbolizer(const vp::GuestSymbols& symbols) {
  for (const auto& [name, address] : symbols.all()) byAddress_.emplace_back(address, name);
  // Stable: of several names for one address the file's first wins.
  std::stable_sort(byAddress_.begin(), byAddress_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

std::string Symbolizer::name(uint64_t address, bool returnAddress) const {
  uint64_t at = returnAddress && address > 0 ? address - 1 : address;
  auto above = std::upper_bound(byAddress_.begin(), byAddress_.end(), at,
                                [](uint64_t a, const auto& s) { return a < s.first; });
  if (above != byAddress_.begin()) {
    const auto& [start, symbol] = *(above - 1);
    if (at - start < kMaxDistance) return symbol;
  }
  return hexFrame(address);
}

std::vector<std::string> Symbolizer::frames(const std::vector<uint64_t>& leafFirst) const {
  size_t n = leafFirst.size();
  while (n > 1 && leafFirst[n - 1] == 0) --n;
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = n; i-- > 0;) out.push_back(frameName(name(leafFirst[i], i > 0)));
  return out;
}

}  // namespace flamegraph
