// vmrun vprobeReset X.vmx: unloads the running VP script, if any.
#include "tools/vmrun/commands.h"

namespace vmrun {

int vprobeReset(const vmx::VmrunArgs& args) {
  vmx::VprobeResetReply reply;
  return requestVm(args, vmx::VprobeResetRequest{}, reply) ? 0 : 1;
}

}  // namespace vmrun
