// What a VP probe reads on a vCPU thread: that vCPU's registers (fetched
// from KVM once per exit, see Vcpu), its exit fields, guest memory through
// its page tables. Used only on the vCPU's own thread.
#pragma once

#include <functional>
#include <string>

#include "vmm-engine/vcpu.h"
#include "vp/vp.h"

namespace vmm {

class VcpuTarget : public vp::Target {
 public:
  VcpuTarget(Vcpu& vcpu, unsigned numVcpus) : vcpu_(vcpu), numVcpus_(numVcpus) {}
  // Registers to show instead of the vCPU's own (general registers, CS and
  // SS), for the fire in progress; null: the vCPU's. See registers.h.
  void setView(const RegisterView* view) { view_ = view; }
  bool fetch(vp::RegGroup group, uint64_t* out) override;
  bool readLinear(uint64_t addr, void* buf, size_t len) override;
  bool readPhysical(uint64_t addr, void* buf, size_t len) override;
  uint64_t tsc() override;
  uint64_t systemTimeUs() override;
  // Destructive built-ins (vcpu_changes.cpp). Each change made is one line
  // to the change log (vmx.log), naming the probe, the vCPU and the change.
  vp::ChangeStatus change(const vp::GuestChange& c, std::string& why) override;
  using ChangeLog = std::function<void(const std::string& line)>;
  void setChangeLog(ChangeLog log) { log_ = std::move(log); }

 private:
  vp::ChangeStatus setRegister(const vp::GuestChange& c, std::string& what, std::string& why);
  vp::ChangeStatus writeMemory(const vp::GuestChange& c, std::string& what);
  vp::ChangeStatus skipFunction(const vp::GuestChange& c, std::string& what, std::string& why);
  vp::ChangeStatus machineCheck(const vp::GuestChange& c, std::string& what, std::string& why);

  Vcpu& vcpu_;
  unsigned numVcpus_;
  const RegisterView* view_ = nullptr;
  ChangeLog log_;
};

// The Host group (TSC_HZ, PCPUID, THREADID, NUMVCPUS, BRCNT) for any
// thread; shared by vCPU and VMX-thread targets.
void fillHostGroup(uint64_t* out, unsigned numVcpus);

}  // namespace vmm
