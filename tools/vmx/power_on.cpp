#include "tools/vmx/power_on.h"

#include "vmx-engine/kvm_machine.h"
#include "vmx-engine/vp_probe_host.h"

namespace vmxtool {

bool powerOnMachine(const vmx::VmxConfig& config, vp::Sink& sink, vmx::PoweredOnVm& out,
                    std::string& error) {
  auto machine = vmx::KvmMachine::create(config, error);
  if (!machine) return false;
  out.probes = vmx::makeVpProbeHost(machine->vm(), machine->devices(), config.vpOptions(), sink,
                                          config.guestSymsFile);
  out.machine = std::move(machine);
  return true;
}

}  // namespace vmxtool
