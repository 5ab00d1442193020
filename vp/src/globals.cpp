#include "vp/globals.h"

#include <array>

#include "vp/vocabulary.h"

namespace vp {

namespace {

enum GroupNo { Gpr, Sreg, Debug, Msr, Exit, Misc, Host, None = -1 };

constexpr std::array<GlobalInfo, static_cast<size_t>(Global::Count)> kInfo{{
#define VP_GLOBAL_INFO(name, group, slot) \
  {#name, group, slot, false, group != Host && group != None},
    VP_GLOBALS(VP_GLOBAL_INFO)
#undef VP_GLOBAL_INFO
}};

static_assert(kGroupBase[6] + kGroupSlots[6] == kCachedSlots);
constexpr bool groupsAreContiguous() {
  for (unsigned g = 0; g + 1 < kGroupCount; ++g) {
    if (kGroupBase[g] + kGroupSlots[g] != kGroupBase[g + 1]) return false;
  }
  return true;
}
static_assert(groupsAreContiguous());

}  // namespace

const GlobalInfo& globalInfo(Global g) {
  static const auto table = [] {
    auto t = kInfo;
    for (auto& g : t) g.isString = findWord(g.name)->sig.result == Result::Str;
    return t;
  }();
  return table[static_cast<size_t>(g)];
}

bool findGlobal(std::string_view name, Global& out) {
  const Word* w = findWord(name);
  if (!w || (w->kind != WordKind::Global && w->kind != WordKind::GlobalAlias)) return false;
  out = static_cast<Global>(w->id);
  return true;
}

}  // namespace vp
