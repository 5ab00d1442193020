#include "emmett2vp/vp_source_map.h"

#include <tuple>

namespace emmett {
namespace {

bool before(VpPosition a, VpPosition b) { return std::tie(a.line, a.col) < std::tie(b.line, b.col); }

}  // namespace

void VpSourceMap::add(VpPosition begin, VpPosition end, SourcePosition from) {
  spans_.push_back({begin, end, std::move(from)});
}

std::optional<SourcePosition> VpSourceMap::find(VpPosition at) const {
  // Spans are properly nested or disjoint and outer ones come first, so
  // the last span that contains `at` is the innermost.
  const Span* best = nullptr;
  for (const auto& s : spans_)
    if (!before(at, s.begin) && before(at, s.end)) best = &s;
  if (!best) return std::nullopt;
  return best->from;
}

}  // namespace emmett
