// vmrun vprobeListProbes X.vmx: the probe points the VM offers, one a line.
#include <cstdio>

#include "tools/vmrun/commands.h"

namespace vmrun {

int vprobeListProbes(const vmx::VmrunArgs& args) {
  nlohmann::json reply;
  if (!requestVm(args, vmx::MessageType::VprobeListProbes, nlohmann::json::object(), reply)) {
    return 1;
  }
  printLines(reply, "probes", stdout);
  return 0;
}

}  // namespace vmrun
