// Charging the cost model: every built-in pays before it works.
#pragma once

#include "vp/src/builtins.h"
#include "vp/src/runtime/helpers.h"

namespace vp::rt {

inline bool charge(RtCtx* c, int64_t cost) {
  c->budget -= cost;
  return c->budget >= 0;
}

inline bool charge(RtCtx* c, BuiltinId id) {
  return charge(c, builtinInfo(id).cost);
}

#define VP_CHARGE(c, e, id) \
  if (!::vp::rt::charge(c, id)) return ::vp::rt::fail(c, ErrorCode::Budget, e)

}  // namespace vp::rt
