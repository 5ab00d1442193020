// The static probes of table 3-3 of the reference as this platform offers
// them, and the built-in global variables of tables 2-1 to 2-5. Both come
// from the VP engine's public headers (vp/probe_point.h, vp/globals.h) so
// that the compiler and the engine cannot disagree.
#pragma once

#include <span>
#include <string_view>

namespace emmett {

struct StaticProbeDesc {
  std::string_view name;
  bool vmx;  // fires in the VMX domain (else VMM)
  unsigned nargs;
};

std::span<const StaticProbeDesc> staticProbes();
const StaticProbeDesc* findStaticProbe(std::string_view name);

struct BuiltinGlobalDesc {
  std::string_view name;
  bool isString;  // PROBENAME
};
const BuiltinGlobalDesc* findBuiltinGlobal(std::string_view name);

}  // namespace emmett
