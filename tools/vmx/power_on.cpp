#include "tools/vmx/power_on.h"

namespace vmxtool {

bool powerOnMachine(const vmx::VmxConfig& config, vp::Sink& sink,
                    vmx::PoweredOnVm& out, std::string& error) {
  (void)config;
  (void)sink;
  (void)out;
  // TODO(integration): construct the real machine and probe host here, once
  // vmm-engine offers them:
  //   - out.machine: a vmx::Machine (vmx-engine/machine.h) built by the KVM
  //     monitor from `config` (numVcpus, memsizeMiB, guestImage,
  //     guestCmdline, disk0File/disk0SizeMB, serial0File, devices of
  //     vmx-engine/devices.h), with its vCPU threads started;
  //   - out.probes: a vmx::ProbeHost (vmx-engine/probe_host.h) that loads
  //     scripts with vp::Script::load(source, name, config.vpOptions(),
  //     sink, diags), creates a vp::Context per vCPU thread and VMX thread,
  //     and fires the probes the monitor and devices report.
  // Until then the VM cannot power on, and says so.
  error = "this build has no virtual machine monitor: the KVM machine and "
          "the VP probe host are not wired into tools/vmx yet "
          "(tools/vmx/power_on.cpp)";
  return false;
}

}  // namespace vmxtool
