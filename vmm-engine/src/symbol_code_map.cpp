#include "vmm-engine/symbol_code_map.h"

#include <algorithm>

namespace vmm {

std::vector<CodeRange> symbolCodeRanges(std::span<const uint64_t> addresses, uint64_t textStart,
                                        uint64_t textEnd) {
  std::vector<CodeRange> out;
  if (textStart >= textEnd) return out;
  std::vector<uint64_t> starts{textStart};
  for (uint64_t a : addresses)
    if (a > textStart && a < textEnd) starts.push_back(a);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  out.reserve(starts.size());
  for (size_t i = 0; i < starts.size(); ++i)
    out.push_back({starts[i], i + 1 < starts.size() ? starts[i + 1] : textEnd});
  return out;
}

}  // namespace vmm
