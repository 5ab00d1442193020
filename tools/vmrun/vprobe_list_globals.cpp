// vmrun vprobeListGlobals X.vmx: the VM's global variables, one a line.
#include <cstdio>

#include "tools/vmrun/commands.h"

namespace vmrun {

int vprobeListGlobals(const vmx::VmrunArgs& args) {
  nlohmann::json reply;
  if (!requestVm(args, vmx::MessageType::VprobeListGlobals, nlohmann::json::object(), reply)) {
    return 1;
  }
  printLines(reply, "globals", stdout);
  return 0;
}

}  // namespace vmrun
