#include "vmx-engine/src/probes/probe_support.h"

namespace vmx {

namespace {

using SP = vp::StaticProbe;

// The sources this monitor fires probes from (vmm_probes.h,
// loaded_script.h). No default: a new vp::Source does not compile here
// until it is decided whether the monitor fires it.
bool firesFrom(vp::Source s) {
  switch (s) {
    case vp::Source::Control:
    case vp::Source::Periodic:
    case vp::Source::Exit:
    case vp::Source::Smm:  // where the host has SMM (smmDiagnostics)
    case vp::Source::Exception:
    case vp::Source::Breakpoint:
    case vp::Source::Disk:
    case vp::Source::Net:
      return true;
  }
  return false;
}

}  // namespace

bool monitorFires(const vp::ProbePoint& p) {
  if (p.kind != vp::ProbePoint::Kind::Static) return true;  // GUEST*:, USEC:
  return firesFrom(vp::staticProbeInfo(p.staticId).source);
}

void monitorDiagnostics(const vp::Script& script, const std::string& file,
                        std::vector<vp::Diagnostic>& diags) {
  for (const auto& p : script.probes()) {
    if (p.kind == vp::ProbePoint::Kind::Usec && p.value < kMinUsecPeriod) {
      diags.push_back({vp::Diagnostic::Severity::Error, file, 0, 0,
                       p.name + ": this monitor fires periodic probes at most every " +
                           std::to_string(kMinUsecPeriod) + " us"});
    } else if (!monitorFires(p)) {
      diags.push_back({vp::Diagnostic::Severity::Warning, file, 0, 0,
                       "probe " + p.name + " is valid VP but this monitor never fires it"});
    }
  }
}

std::vector<std::string> monitorProbeNames() {
  std::vector<std::string> names;
  for (size_t i = 0; i < size_t(SP::Count); ++i) {
    const vp::StaticProbeInfo& info = vp::staticProbeInfo(SP(i));
    if (firesFrom(info.source)) names.emplace_back(info.name);
  }
  names.push_back("USEC:<microseconds>");
  names.push_back("GUEST:<linear address>");
  names.push_back("GUEST_READ:<linear address>");
  names.push_back("GUEST_WRITE:<linear address>");
  return names;
}

std::vector<std::string> builtinGlobalNames() {
  std::vector<std::string> names;
  for (size_t i = 0; i < size_t(vp::Global::Count); ++i) {
    const auto& g = vp::globalInfo(vp::Global(i));
    names.push_back(std::string(g.name) + (g.isString ? " string" : " integer"));
  }
  return names;
}

}  // namespace vmx
