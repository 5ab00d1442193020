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

// How many of `rows` rows of an aggregate a fire may print, charging
// kRowCost for each. The budget bounds the time a probe stalls its thread
// while the guest runs; the load and unload probes fire once per script
// (when it is loaded or unloaded, as DTrace's END), so there an aggregate
// prints in full, whatever its size: that is where the final report goes.
inline size_t rowsAffordable(RtCtx* c, size_t rows) {
  if (c->loadOrUnload) return rows;
  size_t can = c->budget > 0 ? static_cast<size_t>(c->budget / kRowCost) : 0;
  size_t n = rows < can ? rows : can;
  c->budget -= static_cast<int64_t>(n) * kRowCost;
  return n;
}

#define VP_CHARGE(c, e, id) \
  if (!::vp::rt::charge(c, id)) return ::vp::rt::fail(c, ErrorCode::Budget, e)

}  // namespace vp::rt
