// Parses EPP's output into an AST. Syntax errors stop the parse (the first
// one is reported); positions are mapped back through the line map.
#pragma once

#include <string_view>

#include "emmett2vp/src/ast/ast.h"
#include "emmett2vp/src/support/diagnostics.h"
#include "emmett2vp/src/support/line_map.h"

namespace emmett {

class ExternalTypes;

// Returns false if errors were reported (the program may be partial).
// `externals` (may be null) tells `$module.CONST` values from types.
bool parse(std::string_view text, const LineMap& map, Diagnostics& diags, ast::Program& out,
           const ExternalTypes* externals = nullptr);

// Deepest nesting of statements or expressions the parser accepts; deeper
// input is an error rather than a stack overflow.
inline constexpr int kMaxNesting = 200;

// Deepest statement tree the parser builds: nesting plus the arms of
// enclosing else-if chains (which are not nesting for kMaxNesting: they are
// read in a loop, but each arm is an If inside the previous one's else).
inline constexpr int kMaxStatementDepth = 1000;

// Deepest expression tree the parser builds. Left-associative chains
// (`a + b + c ...`, `a, b, c ...`, `p->n->n ...`, `a[0][0] ...`, `x++ ++`)
// are built without recursing, so kMaxNesting does not see them; every pass
// after the parser recurses over the tree, so its height is bounded here.
// (Chains of one associative operator such as `+` become one flat VP form,
// so they may be far longer than the VP engine's 200 levels of lists.)
inline constexpr uint32_t kMaxExprDepth = 500;

}  // namespace emmett
