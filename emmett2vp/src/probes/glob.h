// Shell-style matching for probe globbing: `*` any run, `?` one byte.
#pragma once

#include <string_view>

namespace emmett {

bool isGlob(std::string_view pattern);
// Linear in practice: backtracks only to the last `*`.
bool globMatch(std::string_view pattern, std::string_view text);

}  // namespace emmett
