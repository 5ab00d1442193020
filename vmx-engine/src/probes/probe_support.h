// What this monitor can fire, for vprobeListProbes, vprobeListGlobals and
// the warnings a load gives about probes that would never fire here.
#pragma once

#include <string>
#include <vector>

#include "vp/vp.h"

namespace vmx {

// Whether the monitor fires `p` at all.
bool monitorFires(const vp::ProbePoint& p);
// The periodic probes' shortest period (the timer's resolution).
inline constexpr uint64_t kMinUsecPeriod = 100;

// Adds errors and warnings about probes the monitor cannot honour.
void monitorDiagnostics(const vp::Script& script, const std::string& file,
                        std::vector<vp::Diagnostic>& diags);

// Warnings for SMM_* probes where this VM has no System Management Mode:
// `refusal` says why (Vm::smmRefusal), "" when it has SMM.
void smmDiagnostics(const vp::Script& script, const std::string& file,
                    const std::string& refusal, std::vector<vp::Diagnostic>& diags);

// Warnings for device probes where this VM lacks the device: Disk_IO*
// without disk0, MAC_* without ethernet0.
void deviceDiagnostics(const vp::Script& script, const std::string& file, bool hasDisk,
                       bool hasNet, std::vector<vp::Diagnostic>& diags);

std::vector<std::string> monitorProbeNames();
std::vector<std::string> builtinGlobalNames();

}  // namespace vmx
