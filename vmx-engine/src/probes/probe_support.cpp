#include "vmx-engine/src/probes/probe_support.h"

namespace vmx {

namespace {

using SP = vp::StaticProbe;

// The static probes this monitor fires (README, "Probes").
constexpr SP kFired[] = {SP::VMM1Hz,  SP::VMM10Hz,   SP::VMX1Hz,   SP::HV_Exit,
                         SP::HV_Resume, SP::In,      SP::Out,      SP::Guest_IRQ,
                         SP::Guest_TripleFault, SP::Disk_IOStart, SP::Disk_IOFinish,
                         SP::MAC_SendPacket, SP::MAC_ReceivePacket,
                         SP::VMMLoad, SP::VMMUnload, SP::VMXLoad,  SP::VMXUnload,
                         SP::Guest_CR3Write,  // traps at its mov cr3s (guest_probes.h)
                         SP::HV_NPF,  // every KVM_EXIT_MMIO (vcpu_loop.cpp)
                         // Exceptions: a trap at the guest's IDT handler
                         // (vmm-engine/guest_probes.h).
                         SP::Guest_DE, SP::Guest_DB, SP::Guest_NMI, SP::Guest_BP,
                         SP::Guest_OF, SP::Guest_BR, SP::Guest_UD, SP::Guest_NM,
                         SP::Guest_DF, SP::Guest_TS, SP::Guest_RESERVED_FAULT,
                         SP::Guest_NP, SP::Guest_SS, SP::Guest_GP, SP::Guest_PF,
                         SP::Guest_MF, SP::Guest_AC, SP::Guest_MC, SP::Guest_XF,
                         SP::SMM_SMIPre, SP::SMM_SMIPost, SP::SMM_RSMPre, SP::SMM_RSMPost};  // where the host has SMM

}  // namespace

bool monitorFires(const vp::ProbePoint& p) {
  if (p.kind != vp::ProbePoint::Kind::Static) return true;  // GUEST*:, USEC:
  for (SP s : kFired) {
    if (s == p.staticId) return true;
  }
  return false;
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
  for (SP s : kFired) names.emplace_back(vp::staticProbeInfo(s).name);
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
