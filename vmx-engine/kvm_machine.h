// The Machine (machine.h) of the VM process: a KVM virtual machine
// (vmm-engine) with the platform's devices (devices.h), built from a .vmx.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "vmm-engine/vm.h"
#include "vmx-engine/devices.h"
#include "vmx-engine/machine.h"
#include "vmx-client/vmx_config.h"

namespace vmx {

class KvmMachine : public Machine {
 public:
  // Creates the VM and its devices, vCPUs not started yet; null with
  // `error` (a sentence for the user) when it cannot.
  static std::unique_ptr<KvmMachine> create(const VmxConfig& config, std::string& error);
  ~KvmMachine() override;

  bool start(std::string& error) override { return vm_->start(error); }
  void requestStop() override;
  // The guest's power-off code; 0 after a requested stop; 3 after a triple
  // fault; 1 after a monitor error. The reason goes to stderr (vmx.log).
  int waitStopped() override;
  MachineState state() const override;
  // The monitor's counts, then KVM's (exit_statistics.h) where the host has them.
  std::string exitSummary() const override;
  std::vector<std::pair<std::string, uint64_t>> exitStatistics() const override;

  vmm::Vm& vm() { return *vm_; }
  DeviceSet& devices() { return *devices_; }

 private:
  KvmMachine() = default;
  std::unique_ptr<vmm::Vm> vm_;
  std::unique_ptr<DeviceSet> devices_;  // destroyed before vm_
  std::atomic<bool> stopping_{false}, stopped_{false};
};

}  // namespace vmx
