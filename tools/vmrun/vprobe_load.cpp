// vmrun vprobeLoad X.vmx 'SCRIPT': loads a VP script given on the command
// line. Warnings go to stderr; errors come back as the engine's
// "FILE:LINE:COL: error:" lines and exit 1.
#include <cstdio>

#include "tools/vmrun/commands.h"

namespace vmrun {

int vprobeLoad(const vmx::VmrunArgs& args) {
  vmx::VprobeLoadReply reply;
  if (!requestVm(args, vmx::VprobeLoadRequest{.script = args.args[0]}, reply)) return 1;
  printLines(reply.diagnostics, stderr);
  return 0;
}

}  // namespace vmrun
