// Pass: declares every global, function, aggregate and bag, resolves types
// of declarations (laying out structs, defining typedefs and enums), and
// binds every identifier and call to its symbol. An undeclared name that is
// assigned (`lat = TSC - t;`) declares an implicit global, typed by the type
// checker from its first assignment. Requires: resolveProbes (parameters of
// probes are named after what the probe provides).
#pragma once

#include "emmett2vp/src/ast/ast.h"
#include "emmett2vp/src/probes/symbol_file.h"
#include "emmett2vp/src/sema/symbols.h"
#include "emmett2vp/src/sema/type_resolver.h"
#include "emmett2vp/src/support/diagnostics.h"

namespace emmett {

// The default number of pairs of `bag b;` without a size.
inline constexpr uint64_t kDefaultBagSize = 1024;

void resolveNames(ast::Program& program, TypeResolver& types, SymbolTable& symbols,
                  const SymbolFile& guestSymbols, Diagnostics& diags);

}  // namespace emmett
