// Types that contain themselves by value cannot be laid out.
#pragma once

#include <string>

#include "symdb/symdb.h"

namespace symdb {

// "" when every type can be laid out; otherwise which type contains
// itself (an array of itself, a typedef of itself, a struct member of its
// own type). Iterative, so a long chain of types cannot overflow the stack.
std::string selfContainingType(const Database& db);

}  // namespace symdb
