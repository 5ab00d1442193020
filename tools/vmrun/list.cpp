// vmrun list: the running VMs of this user, as VMware's vmrun prints them.
#include <cstdio>

#include "tools/vmrun/commands.h"
#include "vmx-client/vm_paths.h"
#include "vmx-client/vm_registry.h"

namespace vmrun {

int list(const vmx::VmrunArgs&) {
  std::string dir = vmx::defaultRuntimeDir(), error;
  if (!vmx::prepareRuntimeDir(dir, error)) {
    std::fprintf(stderr, "Error: %s\n", error.c_str());
    return 1;
  }
  auto vms = vmx::VmRegistry(dir).running();
  std::printf("Total running VMs: %zu\n", vms.size());
  for (const auto& vm : vms) std::printf("%s\n", vm.vmx.c_str());
  return 0;
}

}  // namespace vmrun
