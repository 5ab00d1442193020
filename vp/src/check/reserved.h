// Names a script cannot define: special forms, operators and built-in
// functions (they would be shadowed or shadow them).
#pragma once

#include <string_view>

namespace vp {

bool isReservedName(std::string_view name);
bool isOperatorName(std::string_view name);

}  // namespace vp
