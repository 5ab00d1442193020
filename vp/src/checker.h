// The checker: resolves names, infers and checks types, enforces the
// reference's limits and the version rules, and builds the typed Program.
#pragma once

#include <memory>
#include <vector>

#include "vp/guest_symbols.h"
#include "vp/src/ast.h"
#include "vp/src/sexpr.h"

namespace vp {

// `engine` is the version the engine behaves as (Options::version);
// `symbols` (may be null) resolve GUEST:symbol probe names.
std::unique_ptr<Program> checkProgram(const std::vector<SExpr>& forms,
                                      Version engine, Diagnostics& diags,
                                      const GuestSymbols* symbols = nullptr);

}  // namespace vp
