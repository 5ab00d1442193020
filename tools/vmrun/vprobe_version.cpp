// vmrun vprobeVersion X.vmx: "VProbes version: 1.0 (enabled)", the VP
// version the VM's engine runs as, and whether scripts may load
// (vprobe.allow and vprobe.enable both TRUE), and ", fault injection on"
// when destructive built-ins may run too (vprobe.allowFaultInjection and
// vprobe.faultInjection).
#include <cstdio>

#include "tools/vmrun/commands.h"

namespace vmrun {

int vprobeVersion(const vmx::VmrunArgs& args) {
  nlohmann::json reply;
  if (!requestVm(args, vmx::MessageType::VprobeVersion, nlohmann::json::object(), reply)) {
    return 1;
  }
  auto version = reply.value("version", std::string("?"));
  bool enabled = reply.value("enabled", false);
  bool faults = reply.value("faultInjection", false);
  std::printf("VProbes version: %s (%s%s)\n", version.c_str(), enabled ? "enabled" : "disabled",
              faults ? ", fault injection on" : "");
  return 0;
}

}  // namespace vmrun
