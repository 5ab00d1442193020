// The ProbeHost of a running VM (probe_host.h), made of the VP engine and
// the KVM monitor: compiles scripts with the .vmx's engine options, arms
// them on the VM's vCPU and VMX threads, and unloads a script that calls
// (exit) on its own (from a thread of its own, since the probe that asked
// may be running on a vCPU).
#pragma once

#include <memory>
#include <string>

#include "vmm-engine/vm.h"
#include "vmx-engine/devices.h"
#include "vmx-engine/probe_host.h"
#include "vp/vp.h"

namespace vmx {

// `vm`, `devices` and `sink` must outlive the probe host. `guestSymsFile`
// (vprobe.guestSyms; empty: none) is read again at each load when it
// changed (guest_symbols_file.h); while it is missing, scripts load
// without guest symbols (a GUEST:symbol probe is refused, with a note
// naming the file), and a malformed one refuses every load.
std::unique_ptr<ProbeHost> makeVpProbeHost(vmm::Vm& vm, DeviceSet& devices,
                                           const vp::Options& options, vp::Sink& sink,
                                           const std::string& guestSymsFile = {});

}  // namespace vmx
