// Evaluates the integer constant expression of an `#if` or `#elif` after
// `defined` has been resolved and macros expanded: C's operators and
// precedence on 64-bit signed values; identifiers left over count as 0 (as
// in C).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace emmett {

struct EppValue {
  bool ok = false;
  int64_t value = 0;
  std::string error;  // when !ok
  size_t errorOffset = 0;  // byte offset of the problem in the text
};

EppValue evaluateEppExpression(std::string_view text);

}  // namespace emmett
