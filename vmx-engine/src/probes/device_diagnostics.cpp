#include "vmx-engine/src/probes/probe_support.h"

namespace vmx {

void deviceDiagnostics(const vp::Script& script, const std::string& file, bool hasDisk,
                       bool hasNet, std::vector<vp::Diagnostic>& diags) {
  using SP = vp::StaticProbe;
  for (const auto& p : script.probes()) {
    if (p.kind != vp::ProbePoint::Kind::Static) continue;
    std::string why;
    if (!hasDisk && (p.staticId == SP::Disk_IOStart || p.staticId == SP::Disk_IOFinish))
      why = "this VM has no disk (disk0.fileName)";
    if (!hasNet && (p.staticId == SP::MAC_SendPacket || p.staticId == SP::MAC_ReceivePacket))
      why = "this VM has no network adapter (ethernet0.present = \"TRUE\")";
    if (!why.empty())
      diags.push_back({vp::Diagnostic::Severity::Warning, file, 0, 0,
                       "probe " + p.name + " is valid VP but this monitor never fires it here: " + why});
  }
}

}  // namespace vmx
