// Names a script cannot define: special forms, operators and built-in
// functions (they would be shadowed or shadow them), as VP's vocabulary
// (vp/vocabulary.h) lists them.
#pragma once

#include <string_view>

#include "vp/version.h"

namespace vp {

// Reserved in a script of version `v`: a VP 1.0 script may name a
// variable `while`, as VP 1.0 had no such form. (Names in all capitals are
// refused separately, with their own message.)
bool isReservedName(std::string_view name, Version v);
bool isOperatorName(std::string_view name);

}  // namespace vp
