// vmrun vprobeListGlobals X.vmx: the VM's global variables, one a line.
#include <cstdio>

#include "tools/vmrun/commands.h"

namespace vmrun {

int vprobeListGlobals(const vmx::VmrunArgs& args) {
  vmx::VprobeListGlobalsReply reply;
  if (!requestVm(args, vmx::VprobeListGlobalsRequest{}, reply)) return 1;
  printLines(reply.globals, stdout);
  return 0;
}

}  // namespace vmrun
