// The VM process: what `vmx X.vmx` (started by `vmrun start`) does once
// the .vmx and the host configuration have been read.
//
//   1. checks what it can before building anything: the runtime directory,
//      and, if vprobe.vpFile is set, that it is readable and allowed
//      (vprobe.allow, vprobe.enable); failures are printed directly
//   2. detaches from the terminal (daemon.h); its log is vmx.log
//   3. takes the VM's lock (vm_lock.h): a second start of the same VM fails
//   4. creates the control socket (control_server.h)
//   5. opens vprobe.out / vprobe.err (probe_output.h), fed in time order
//      from the engine's sink (ordered_output.h)
//   6. powers on: the PowerOn step builds the Machine and the ProbeHost
//   7. loads vprobe.vpFile, if set
//   8. registers for `vmrun list` (vm_registry.h), serves the socket, and
//      tells the launcher the VM is up
//   9. waits for the machine to stop (guest power-off, `vmrun stop`,
//      SIGTERM/SIGINT), unloads the script, and removes its files.
// A failure at any step is reported to the launcher (so `vmrun start`
// prints it and exits 1) and undoes the steps before it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "vmx-engine/host_config.h"
#include "vmx-engine/machine.h"
#include "vmx-engine/probe_host.h"
#include "vmx-client/vmx_config.h"
#include "vp/vp.h"

namespace vmx {

struct PoweredOnVm {
  std::unique_ptr<Machine> machine;
  std::unique_ptr<ProbeHost> probes;  // destroyed before `machine`
};

// Builds the machine described by `config` and starts its vCPUs, and builds
// the probe host that loads scripts into it with config.vpOptions(),
// printing to `sink` (the vp::OrderedSink of an OrderedOutput, which lives
// until both are destroyed). Called on the main thread with SIGTERM and
// SIGINT blocked: threads it creates inherit that mask and must keep it
// (the control thread receives those signals). Returns false with `error`,
// a sentence for the user, when the VM cannot power on.
using PowerOn = std::function<bool(const VmxConfig& config, vp::Sink& sink,
                                   PoweredOnVm& out, std::string& error)>;

struct VmProcessOptions {
  bool detach = true;  // false: stay in the foreground, log to stderr
  std::chrono::seconds startTimeout{60};  // how long the launcher waits
};

// Runs the VM process. Returns the exit status for main(): in the launcher
// 0 once the VM is up or 1 if it failed to start; in the VM process
// itself, the machine's exit status (Machine::waitStopped) once it is over.
int runVmProcess(const VmxConfig& config, const HostConfig& host,
                 const PowerOn& powerOn, const VmProcessOptions& options);

}  // namespace vmx
