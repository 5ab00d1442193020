#include "vp/src/builtins.h"

#include <array>

namespace vp {

namespace {

static_assert(static_cast<size_t>(BuiltinId::Count) == kFunctionCount);

struct Cost {
  BuiltinId id;
  int64_t cost;
};

// Costs: a rough model in nanoseconds of what each call does, so that the
// 50,000-unit budget is about 50 us of real work.
constexpr Cost kCosts[] = {
    {BuiltinId::Logstr, 100},       {BuiltinId::Logint, 100},
    {BuiltinId::Printf, 300},       {BuiltinId::Sprintf, 300},
    {BuiltinId::Strcmp, 50},        {BuiltinId::Getguest, 200},
    {BuiltinId::Getgueststr, 400},  {BuiltinId::Gueststack, 2000},
    {BuiltinId::Getguestphys, 200}, {BuiltinId::Getsystemtime, 50},
    {BuiltinId::Exit, 0},           {BuiltinId::Offatret, 5000},
    {BuiltinId::Offatseg, 5000},    {BuiltinId::Offatstrcpy, 5000},
    {BuiltinId::Aggr, 40},          {BuiltinId::Logaggr, 5000},
    {BuiltinId::Clearaggr, 2000},   {BuiltinId::Baginsert, 40},
    {BuiltinId::Bagremove, 40},     {BuiltinId::Fetchadd, 20},
    {BuiltinId::Cmpxchg, 20},       {BuiltinId::Writeint, 50},
    {BuiltinId::Printa, 5000},      {BuiltinId::Bagput, 40},
    // A register change is a store to the vCPU's register cache; memory
    // and skipfunction walk the guest's page tables; an MCE is an ioctl.
    {BuiltinId::Setgpr, 100},       {BuiltinId::Setguest, 300},
    {BuiltinId::Skipfunction, 300}, {BuiltinId::Genmce, 2000},
};

// Every built-in has its cost, in BuiltinId order.
constexpr bool costsAreComplete() {
  if (std::size(kCosts) != kFunctionCount) return false;
  for (size_t i = 0; i < kFunctionCount; ++i) {
    if (static_cast<size_t>(kCosts[i].id) != i) return false;
  }
  return true;
}
static_assert(costsAreComplete());

constexpr auto kBuiltins = [] {
  std::array<BuiltinInfo, kFunctionCount> t{};
  for (size_t i = 0; i < kFunctionCount; ++i) {
    t[i] = {functionWord(i).name, functionWord(i).since, kCosts[i].cost};
  }
  return t;
}();

}  // namespace

const BuiltinInfo& builtinInfo(BuiltinId id) {
  return kBuiltins[static_cast<size_t>(id)];
}

const Word& builtinWord(BuiltinId id) { return functionWord(static_cast<size_t>(id)); }

bool findBuiltin(std::string_view name, BuiltinId& out) {
  const Word* w = findWord(name);
  if (!w || (w->kind != WordKind::Function && w->kind != WordKind::FunctionAlias)) {
    return false;
  }
  out = static_cast<BuiltinId>(w->id);
  return true;
}

}  // namespace vp
