// vmx: the VM process, as vmware-vmx is: one per running VM, started by
// `vmrun start X.vmx` (or by hand). It reads the .vmx and the host
// configuration, detaches, and runs the VM until it stops
// (vmx-engine/vm_process.h).
//
//   vmx [-f|--foreground] X.vmx       (options.h)
//
// -f keeps it in the foreground, logging to stderr (for debugging and for
// supervisors); Ctrl-C then stops the VM as `vmrun stop` does.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/vmx/options.h"
#include "tools/vmx/power_on.h"
#include "vmx-engine/host_config.h"
#include "vmx-engine/vm_process.h"
#include "vmx-client/vmx_config.h"

namespace {

bool printErrors(const std::vector<vmx::ConfigError>& errors) {
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.str().c_str());
  return errors.empty();
}

}  // namespace

int main(int argc, char** argv) {
  vmxtool::Args args;
  if (auto status = vmxtool::parseArgs(argc, argv, args)) return *status;
  std::vector<vmx::ConfigError> errors;
  vmx::VmxConfig config;
  vmx::HostConfig host;
  if (!vmx::loadVmxConfig(args.vmx, config, errors) ||
      !vmx::loadHostConfig(vmx::hostConfigPath(), host, errors)) {
    printErrors(errors);
    std::fprintf(stderr, "Error: The virtual machine was not started: %s\n", args.vmx.c_str());
    return 1;
  }
  vmx::VmProcessOptions options;
  options.detach = !args.foreground;
  return vmx::runVmProcess(config, host, vmxtool::powerOnMachine, options);
}
