// The one place where the VM process builds what it runs: the KVM machine
// (vmm-engine) and the probe host joining it to the VP engine (vp/vp.h).
#pragma once

#include <string>

#include "vmx-engine/vm_process.h"

namespace vmxtool {

// A vmx::PowerOn (see vmx-engine/vm_process.h for the contract).
bool powerOnMachine(const vmx::VmxConfig& config, vp::Sink& sink,
                    vmx::PoweredOnVm& out, std::string& error);

}  // namespace vmxtool
