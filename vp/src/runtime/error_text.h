// The words of runtime error messages, and the names `catch` uses.
#pragma once

#include <string>
#include <string_view>

#include "vp/src/runtime/rt_ctx.h"

namespace vp {

class ContextImpl;

std::string describeError(const ContextImpl& ctx, ErrorCode code,
                          const Expr* where, uint64_t arg);

// VP 1.1 catch names (MemAccessError, ...); false if unknown.
bool findErrorName(std::string_view name, ErrorCode& out);
std::string_view errorName(ErrorCode code);

}  // namespace vp
