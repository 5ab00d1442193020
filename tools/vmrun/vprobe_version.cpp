// vmrun vprobeVersion X.vmx: "VProbes version: 1.0 (enabled)", the VP
// version the VM's engine runs as, and whether scripts may load
// (vprobe.allow and vprobe.enable both TRUE), and ", fault injection on"
// when destructive built-ins may run too (vprobe.allowFaultInjection and
// vprobe.faultInjection).
#include <cstdio>

#include "tools/vmrun/commands.h"

namespace vmrun {

int vprobeVersion(const vmx::VmrunArgs& args) {
  vmx::VprobeVersionReply reply;
  if (!requestVm(args, vmx::VprobeVersionRequest{}, reply)) return 1;
  std::printf("VProbes version: %s (%s%s)\n", reply.version.c_str(),
              reply.enabled ? "enabled" : "disabled",
              reply.faultInjection ? ", fault injection on" : "");
  return 0;
}

}  // namespace vmrun
