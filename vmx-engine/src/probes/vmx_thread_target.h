// What a VP probe reads on a VMX-domain thread (control, timer, disk):
// host values and guest physical memory, but no vCPU state, so reading a
// register fails as the reference says ("non-vcpu vmx threads").
#pragma once

#include "vmm-engine/vm.h"
#include "vp/vp.h"

namespace vmx {

class VmxThreadTarget : public vp::Target {
 public:
  explicit VmxThreadTarget(vmm::Vm& vm) : vm_(vm) {}
  bool fetch(vp::RegGroup group, uint64_t* out) override;
  bool readLinear(uint64_t, void*, size_t) override { return false; }
  bool readPhysical(uint64_t addr, void* buf, size_t len) override;
  uint64_t tsc() override;
  uint64_t systemTimeUs() override;

 private:
  vmm::Vm& vm_;
};

}  // namespace vmx
