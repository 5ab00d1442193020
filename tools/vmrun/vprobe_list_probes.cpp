// vmrun vprobeListProbes X.vmx: the probe points the VM offers, one a line.
#include <cstdio>

#include "tools/vmrun/commands.h"

namespace vmrun {

int vprobeListProbes(const vmx::VmrunArgs& args) {
  vmx::VprobeListProbesReply reply;
  if (!requestVm(args, vmx::VprobeListProbesRequest{}, reply)) return 1;
  printLines(reply.probes, stdout);
  return 0;
}

}  // namespace vmrun
