// The reference interpreter: walks the checked program directly. It is the
// oracle the JIT is tested against, so it favours plainness over speed, and
// shares every runtime helper with the JIT.
#pragma once

#include <cstdint>
#include <vector>

#include "vp/src/ast.h"
#include "vp/src/runtime/context_impl.h"

namespace vp {

// Runs probe body `fn` on `ctx`; returns false when the fire raised an
// error (ctx->rt()->errCode says which; Exit included).
bool interpretProbe(const Program& p, const Function& fn, ContextImpl& ctx);

}  // namespace vp
