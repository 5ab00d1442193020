// The SMM probes fire only where the VM has SMM (vm_smm.cpp): elsewhere a
// load says so, once per probe, as for any probe that would never fire.
#include "vmx-engine/src/probes/probe_support.h"


namespace vmx {

void smmDiagnostics(const vp::Script& script, const std::string& file,
                    const std::string& refusal, std::vector<vp::Diagnostic>& diags) {
  if (refusal.empty()) return;
  for (const auto& p : script.probes()) {
    if (p.kind != vp::ProbePoint::Kind::Static) continue;
    if (vp::staticProbeInfo(p.staticId).source == vp::Source::Smm)
      diags.push_back({vp::Diagnostic::Severity::Warning, file, 0, 0,
                       "probe " + p.name + " is valid VP but this monitor never fires it here: " +
                           refusal + "; writes to port 0xb2 raise no SMI"});
  }
}

}  // namespace vmx
