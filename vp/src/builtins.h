// Built-in functions: the reference's, plus the forms added in VP 1.1/1.2.
// Their names, versions and argument counts are VP's vocabulary
// (vp/vocabulary.h); this adds what the engine needs to run them.
// The checker gives each call's kids this shape (the same for both back ends):
//   Logstr: str            Logint: int         Strcmp: str, str
//   Printf: [fmt,] args    (fmt kid present only when not a literal; the
//   Sprintf: dest, [fmt,] args    literal is Expr::imm = format index + 1)
//   Getguest: addr [, n]   Getguestphys: addr  Getgueststr: dest, n, addr
//   Gueststack: dest, depth (0: no limit)    Getsystemtime, Exit: none
//   Offatret/Offatseg: addr   Offatstrcpy: addr, fn
//   Aggr (index = aggr): int keys..., str keys..., value
//   Logaggr/Clearaggr (index = aggr)   Printa (index = aggr): [fmt]
//   Baginsert, Bagput (index = bag): key, value   Bagremove (index = bag): key
//   Fetchadd (var = shared): delta    Cmpxchg (var = shared): old, new
//   Writeint: value, nbytes
//   Setgpr (index = the register's Global): value
//   Setguest: addr, nbytes, value    Skipfunction: value, has value (0/1)
//   Genmce: status, addr, bank (0 when absent)
#pragma once

#include <cstdint>
#include <string_view>

#include "vp/version.h"
#include "vp/vocabulary.h"

namespace vp {

enum class BuiltinId : uint8_t {
#define VP_BUILTIN_ID(id, ...) id,
  VP_FUNCTIONS(VP_BUILTIN_ID)
#undef VP_BUILTIN_ID
  Count
};

struct BuiltinInfo {
  std::string_view name;
  Version since;
  // Budget units (about a nanosecond each) charged per call.
  int64_t cost;
};

const BuiltinInfo& builtinInfo(BuiltinId id);
// The vocabulary's word of a built-in function.
const Word& builtinWord(BuiltinId id);
// The built-ins that change the guest (VP 1.3): they load only with fault
// injection on (Options::faultInjectionOff) and run only on vCPU threads.
constexpr bool isDestructive(BuiltinId id) {
  return id == BuiltinId::Setgpr || id == BuiltinId::Setguest ||
         id == BuiltinId::Skipfunction || id == BuiltinId::Genmce;
}
// A built-in function or another spelling of one (offatstrncpy).
bool findBuiltin(std::string_view name, BuiltinId& out);

// The time budget of one probe fire, and the other costs of the model.
inline constexpr int64_t kFireBudget = 50000;
inline constexpr int64_t kCallCost = 10;
inline constexpr int64_t kLoopCost = 5;
// logaggr and printa pay this per row printed, on top of their call cost,
// except in the load and unload probes (see rowsAffordable in charge.h).
inline constexpr int64_t kRowCost = 1000;
// The VP stack of one fire.
inline constexpr uint64_t kStackBytes = 65536;
inline constexpr unsigned kStrBytes = 256;  // 255 bytes and the NUL
inline constexpr unsigned kMaxArgs = 16;    // user function parameters

}  // namespace vp
