// vmrun vprobeLoadFile X.vmx FILE: loads a VP script from a file, read
// here (relative to the current directory) and sent to the VM under its
// name, so that diagnostics name it.
#include <cstdio>

#include "tools/vmrun/commands.h"
#include "vmx-client/config_file.h"

namespace vmrun {

int vprobeLoadFile(const vmx::VmrunArgs& args) {
  const std::string& file = args.args[0];
  std::string script, error;
  if (!vmx::readTextFile(file, script, error)) {
    std::fprintf(stderr, "Error: Cannot read %s: %s\n", file.c_str(), error.c_str());
    return 1;
  }
  vmx::VprobeLoadReply reply;
  if (!requestVm(args, vmx::VprobeLoadRequest{.script = script, .source = file}, reply)) return 1;
  printLines(reply.diagnostics, stderr);
  return 0;
}

}  // namespace vmrun
