#include "vp/globals.h"

#include <array>

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

struct Alias {
  std::string_view name;
  Global global;
};
constexpr Alias kAliases[] = {
#define VP_GLOBAL_ALIAS(alias, global) {#alias, Global::global},
    VP_GLOBAL_ALIASES(VP_GLOBAL_ALIAS)
#undef VP_GLOBAL_ALIAS
};

}  // namespace

const GlobalInfo& globalInfo(Global g) {
  static const auto table = [] {
    auto t = kInfo;
    t[static_cast<size_t>(Global::PROBENAME)].isString = true;
    return t;
  }();
  return table[static_cast<size_t>(g)];
}

bool findGlobal(std::string_view name, Global& out) {
  for (size_t i = 0; i < kInfo.size(); ++i) {
    if (kInfo[i].name == name) {
      out = static_cast<Global>(i);
      return true;
    }
  }
  for (const auto& a : kAliases) {
    if (a.name == name) {
      out = a.global;
      return true;
    }
  }
  return false;
}

}  // namespace vp
