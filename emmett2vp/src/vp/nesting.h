// The VP engine refuses lists nested more than 200 deep (vp/src/parser.cpp).
// Emmett's own limits keep its passes safe, not its output within the
// engine's: an expression of 150 levels in statements nested 60 deep prints
// 210 levels of VP. The compiler checks the text it prints and refuses such
// a script itself, pointing at the Emmett code, rather than emitting VP that
// the engine rejects.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "emmett2vp/src/vp/printer.h"

namespace emmett {

inline constexpr size_t kMaxVpNesting = 200;

// The byte offset of the first `(` of `vp` that opens a list more than
// `limit` deep, or npos if there is none.
size_t firstTooDeep(std::string_view vp, size_t limit = kMaxVpNesting);

// The Emmett code printed at byte `offset`: the innermost span holding it
// (spans come outer forms first, as printVp records them).
Location codeAt(const std::vector<PrintedSpan>& spans, size_t offset);

}  // namespace emmett
