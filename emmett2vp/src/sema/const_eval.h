// Folds integer constant expressions: array dimensions, field offsets,
// enum values, aggregate and bag sizes, global initializers. Arithmetic is
// VP's (unsigned 64-bit), so a folded value is what VP would compute.
#pragma once

#include <cstdint>
#include <optional>

#include "emmett2vp/src/ast/ast.h"
#include "emmett2vp/src/sema/types.h"

namespace emmett {

class TypeResolver;

// Returns the value, or nothing if `e` is not constant (or divides by
// zero). `types` resolves sizeof(type); it may be null.
std::optional<uint64_t> evalConst(const ast::Expr& e, const TypeTable& table, TypeResolver* types);

}  // namespace emmett
