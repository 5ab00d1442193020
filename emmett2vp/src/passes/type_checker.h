// Pass: computes the type and value category of every expression and
// reports type errors (string/integer mismatches, aggregate keys, call
// arity and argument types, assignments to non-lvalues, struct members,
// printf formats) before any VP is produced. Implicit globals take the type
// of their first assignment. Requires: resolveNames.
#pragma once

#include "emmett2vp/src/ast/ast.h"
#include "emmett2vp/src/sema/symbols.h"
#include "emmett2vp/src/sema/type_resolver.h"
#include "emmett2vp/src/support/diagnostics.h"

namespace emmett {

void checkTypes(ast::Program& program, TypeResolver& types, SymbolTable& symbols, Diagnostics& diags);

}  // namespace emmett
