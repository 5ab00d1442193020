#include "emmett2vp/src/probes/static_probes.h"

#include <array>

#include "vp/globals.h"
#include "vp/probe_point.h"
#include "vp/vocabulary.h"

namespace emmett {
namespace {

constexpr StaticProbeDesc kProbes[] = {
#define EMMETT_PROBE(name, domain, nargs, source, param) {#name, std::string_view(#domain) == "Vmx", nargs},
    VP_STATIC_PROBES(EMMETT_PROBE)
#undef EMMETT_PROBE
};

constexpr BuiltinGlobalDesc kGlobals[] = {
#define EMMETT_GLOBAL(name, group, slot) {#name, vp::kVocabulary[vp::wordIndex(#name)].sig.result == vp::Result::Str},
    VP_GLOBALS(EMMETT_GLOBAL)
#undef EMMETT_GLOBAL
};

}  // namespace

std::span<const StaticProbeDesc> staticProbes() { return kProbes; }

const StaticProbeDesc* findStaticProbe(std::string_view name) {
  for (const auto& p : kProbes)
    if (p.name == name) return &p;
  return nullptr;
}

const BuiltinGlobalDesc* findBuiltinGlobal(std::string_view name) {
  for (const auto& g : kGlobals)
    if (g.name == name) return &g;
  return nullptr;
}

}  // namespace emmett
