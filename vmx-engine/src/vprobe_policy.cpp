#include "vmx-engine/vprobe_policy.h"

namespace vmx {

VprobePolicy VprobePolicy::from(const HostConfig& host, const VmxConfig& vm) {
  return {host.vprobeAllow, host.path, vm.vprobeEnable, vm.vmxPath,
          host.allowFaultInjection, vm.faultInjection};
}

std::string VprobePolicy::faultInjectionOff() const {
  if (!faultInjectionAllowed)
    return "fault injection is not allowed on this host: add "
           "vprobe.allowFaultInjection = \"TRUE\" to " + hostConfigPath +
           " and restart the virtual machine";
  if (!faultInjectionEnabled)
    return "fault injection is not enabled for this virtual machine: add "
           "vprobe.faultInjection = \"TRUE\" to " + vmxPath +
           " and restart the virtual machine";
  return "";
}

bool VprobePolicy::mayLoad(std::string& why) const {
  if (!allowed) {
    why = "VProbes are not allowed on this host: add vprobe.allow = \"TRUE\" "
          "to " + hostConfigPath + " and restart the virtual machine";
    return false;
  }
  if (!enabled) {
    why = "VProbes are not enabled for this virtual machine: add "
          "vprobe.enable = \"TRUE\" to " + vmxPath +
          " and restart the virtual machine";
    return false;
  }
  return true;
}

}  // namespace vmx
