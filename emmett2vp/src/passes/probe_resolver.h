// Pass: resolves probe names to VP probe points. Static probes are checked
// against table 3-3 (globs expand to every match), GUEST: names resolve
// symbols through the symbol file, TIMER: periods become USEC:n. Line
// probes (GUEST:OFFSET:fn:L123, GUEST:file.c:123) resolve through the
// symbol databases to one GUEST:ADDRESS target per place the line's code
// is, the same way a symbol does, so later passes see only addresses.
#pragma once

#include "emmett2vp/src/ast/ast.h"
#include "emmett2vp/src/probes/symbol_file.h"
#include "emmett2vp/src/sema/external_types.h"
#include "emmett2vp/src/support/diagnostics.h"

namespace emmett {

void resolveProbes(ast::Program& program, const SymbolFile& symbols, const ExternalTypes& databases, Diagnostics& diags);

}  // namespace emmett
