// Pass: lowers the checked AST to VP text. Emits the lowest VP version the
// script needs: 1.0 unless it uses a 1.1 form (loops, break/continue, a
// return that is not at the end, try/catch, foreach, locals of recursive
// functions) or a 1.2 form (shared integers, fetchadd, cmpxchg, writeint,
// printa). Narrow guest reads use (getguest ADDR N) only when the script
// needs 1.1 anyway; a 1.0 script reads 8 bytes and masks.
// Requires: checkTypes, markRecursion, and no errors so far.
#pragma once

#include <string>

#include "emmett2vp/src/ast/ast.h"
#include "emmett2vp/vp_source_map.h"
#include "emmett2vp/src/sema/symbols.h"
#include "emmett2vp/src/support/diagnostics.h"
#include "vp/version.h"

namespace emmett {

struct LoweredVp {
  std::string text;
  vp::Version version;
  VpSourceMap map;  // VP positions in `text` back to the Emmett source
};

// `target` is the newest VP the engine accepts; needing more is an error.
// `scriptName` is the script's (first) file, named in the VP's header.
bool lowerToVp(ast::Program& program, SymbolTable& symbols, TypeTable& types, const SourceManager& sm,
               vp::Version target, const std::string& scriptName, Diagnostics& diags, LoweredVp& out);

}  // namespace emmett
