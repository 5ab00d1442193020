#include "vp/src/builtins.h"

#include <array>

namespace vp {

namespace {

constexpr Version v10{1, 0}, v12{1, 2};

// Costs: a rough model in nanoseconds of what each call does, so that the
// 50,000-unit budget is about 50 us of real work.
constexpr std::array<BuiltinInfo, static_cast<size_t>(BuiltinId::Count)>
    kBuiltins{{
        {"logstr", v10, 100},       {"logint", v10, 100},
        {"printf", v10, 300},       {"sprintf", v10, 300},
        {"strcmp", v10, 50},        {"getguest", v10, 200},
        {"getgueststr", v10, 400},  {"gueststack", v10, 2000},
        {"getguestphys", v10, 200}, {"getsystemtime", v10, 50},
        {"exit", v10, 0},           {"offatret", v10, 5000},
        {"offatseg", v10, 5000},    {"offatstrcpy", v10, 5000},
        {"aggr", v10, 40},          {"logaggr", v10, 5000},
        {"clearaggr", v10, 2000},   {"baginsert", v10, 40},
        {"bagremove", v10, 40},     {"fetchadd", v12, 20},
        {"cmpxchg", v12, 20},       {"writeint", v12, 50},
        {"printa", v12, 5000},      {"bagput", v12, 40},
    }};

}  // namespace

const BuiltinInfo& builtinInfo(BuiltinId id) {
  return kBuiltins[static_cast<size_t>(id)];
}

bool findBuiltin(std::string_view name, BuiltinId& out) {
  for (size_t i = 0; i < kBuiltins.size(); ++i) {
    if (kBuiltins[i].name == name) {
      out = static_cast<BuiltinId>(i);
      return true;
    }
  }
  if (name == "offatstrncpy") {  // the reference's chapter 4 spelling
    out = BuiltinId::Offatstrcpy;
    return true;
  }
  return false;
}

}  // namespace vp
