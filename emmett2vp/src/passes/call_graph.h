// Pass: finds the functions on call cycles (Symbol::recursive). Their
// locals must be real VP 1.1 `let` locals; everyone else's locals can be
// per-thread globals, which VP 1.0 has, because a probe fire never
// re-enters a non-recursive function. Requires: resolveNames.
#pragma once

#include "emmett2vp/src/ast/ast.h"
#include "emmett2vp/src/sema/symbols.h"

namespace emmett {

void markRecursion(ast::Program& program, SymbolTable& symbols);

}  // namespace emmett
