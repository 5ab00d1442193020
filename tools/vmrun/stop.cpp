// vmrun stop X.vmx [hard|soft]: the VM unloads its VP script (the unload
// probes fire) and powers off; vmrun waits until the VM process has
// released its lock, i.e. has exited. There are no guest tools to ask for
// a guest shutdown, so hard and soft mean the same.
#include <cstdio>

#include "tools/vmrun/commands.h"
#include "vmx-client/vm_lock.h"

namespace vmrun {

int stop(const vmx::VmrunArgs& args) {
  vmx::StopReply reply;
  if (!requestVm(args, vmx::StopRequest{}, reply)) return 1;
  vmx::VmPaths paths;
  if (!locateVm(args.vmx, paths)) return 1;
  if (!vmx::VmLock::waitReleased(paths.lock, std::chrono::seconds(60))) {
    std::fprintf(stderr, "Error: The virtual machine did not power off within 60 s: %s\n",
                 args.vmx.c_str());
    return 1;
  }
  return 0;
}

}  // namespace vmrun
