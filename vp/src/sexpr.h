// The untyped S-expression tree the parser produces; the checker turns it
// into a typed program.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vp/src/diagnostics.h"

namespace vp {

struct SExpr {
  enum class Kind : uint8_t { List, Symbol, Integer, String };
  Kind kind = Kind::List;
  Loc loc;
  std::string text;  // symbol name, or decoded string literal
  uint64_t value = 0;
  std::vector<SExpr> items;

  bool isList() const { return kind == Kind::List; }
  bool isSymbol() const { return kind == Kind::Symbol; }
  bool isSymbol(std::string_view name) const {
    return kind == Kind::Symbol && text == name;
  }
  // The head symbol of a non-empty list whose first item is a symbol, else "".
  std::string_view head() const {
    return isList() && !items.empty() && items[0].isSymbol()
               ? std::string_view(items[0].text)
               : std::string_view();
  }
};

// Parses a whole script into its top-level forms. Syntax errors go to
// `diags`; the result is then incomplete.
std::vector<SExpr> parseSExprs(std::string_view source, Diagnostics& diags);

// Integer literal syntax of the reference: decimal with optional sign, or
// 0x hex (sign allowed too). Returns false if `text` is not one; sets
// `overflow` when it is one but does not fit in 64 bits.
bool parseIntegerLiteral(std::string_view text, uint64_t& value,
                         bool& overflow);

}  // namespace vp
