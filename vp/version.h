// VP language versions (table 3-1 of the reference) and what each adds.
#pragma once

#include <string>
#include <string_view>

namespace vp {

struct Version {
  int major = 1;
  int minor = 0;
  auto operator<=>(const Version&) const = default;
  std::string str() const {
    return std::to_string(major) + "." + std::to_string(minor);
  }
};

// 1.0: the reference. 1.1: let, loops, return, try/catch, bagforeach,
// sized getguest. 1.2: shared integers, fetchadd, cmpxchg, writeint, printa.
// 1.3: return probes (GUEST:EXIT:) and the destructive built-ins (setgpr,
// setguest, skipfunction, genmce), histogram aggregates (defhist).
inline constexpr Version kEngineVersion{1, 3};
inline constexpr Version kOldestVersion{1, 0};

// Parses "M.N"; false if malformed.
bool parseVersion(std::string_view text, Version& out);

}  // namespace vp
