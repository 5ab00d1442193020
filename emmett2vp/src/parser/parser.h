// Parses EPP's output into an AST. Syntax errors stop the parse (the first
// one is reported); positions are mapped back through the line map.
#pragma once

#include <string_view>

#include "emmett2vp/src/ast/ast.h"
#include "emmett2vp/src/support/diagnostics.h"
#include "emmett2vp/src/support/line_map.h"

namespace emmett {

// Returns false if errors were reported (the program may be partial).
bool parse(std::string_view text, const LineMap& map, Diagnostics& diags, ast::Program& out);

// Deepest nesting of statements or expressions the parser accepts; deeper
// input is an error rather than a stack overflow.
inline constexpr int kMaxNesting = 200;

}  // namespace emmett
