// vmrun vprobeReset X.vmx: unloads the running VP script, if any.
#include "tools/vmrun/commands.h"

namespace vmrun {

int vprobeReset(const vmx::VmrunArgs& args) {
  nlohmann::json reply;
  return requestVm(args, vmx::MessageType::VprobeReset, nlohmann::json::object(), reply) ? 0 : 1;
}

}  // namespace vmrun
