// Pass: resolves probe names to VP probe points. Static probes are checked
// against table 3-3 (globs expand to every match), GUEST: names resolve
// symbols through the symbol file, TIMER: periods become USEC:n.
#pragma once

#include "emmett2vp/src/ast/ast.h"
#include "emmett2vp/src/probes/symbol_file.h"
#include "emmett2vp/src/support/diagnostics.h"

namespace emmett {

void resolveProbes(ast::Program& program, const SymbolFile& symbols, Diagnostics& diags);

}  // namespace emmett
