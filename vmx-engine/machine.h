// The running virtual machine, as the VM process's control plane sees it:
// something that runs until the guest powers off or it is asked to stop.
//
// Implemented by the KVM monitor (vmm-engine) and handed to the VM process
// by its power-on step (vm_process.h, PowerOn). The control plane never
// looks inside: it only asks for a stop and waits for the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vmx {

enum class MachineState {
  Running,   // vCPUs run the guest
  Stopping,  // requestStop() was called; vCPUs are winding down
  Stopped,   // every vCPU thread has finished
};

std::string_view machineStateName(MachineState state);

class Machine {
 public:
  virtual ~Machine() = default;

  // Starts the vCPUs. The VM process calls it once, after the probe host is
  // ready and vprobe.vpFile is loaded, so a power-on script sees the guest
  // from its first instruction. False with `error` when it cannot.
  virtual bool start(std::string& error) = 0;

  // Asks every vCPU to stop. Returns at once; may be called more than once
  // and from any thread (the control thread calls it for `vmrun stop` and
  // on SIGTERM, after the probe host has unloaded the script so that the
  // unload probes still found the vCPUs running).
  virtual void requestStop() = 0;

  // Blocks until the machine has stopped, whether asked to or because the
  // guest powered off or failed. Returns the VM process's exit status: the
  // value the guest wrote to the power-off port, or nonzero after a failure
  // (a triple fault, a KVM error), which the machine logs to stderr (vmx.log)
  // itself. Called once, by the VM process's main thread.
  virtual int waitStopped() = 0;

  // Thread safe; for `status` replies.
  virtual MachineState state() const = 0;

  // Thread safe: the VM exits taken so far, by kind, on one line
  // ("exits=N io=N kick=N ... irqs=N"). vmx.log gets it with each script
  // load and unload and at the stop, so the exits a script caused (or rode
  // on) can be read off the log; bench/vm_exits.sh does.
  virtual std::string exitSummary() const = 0;

  // Thread safe: every exit counted, as (name, value) rows: the exits that
  // reached the monitor and KVM's own counts, in-kernel exits included
  // (vmm-engine/exit_statistics.h). For `vmrun vprobeExitStats`.
  virtual std::vector<std::pair<std::string, uint64_t>> exitStatistics() const { return {}; }
};

}  // namespace vmx
