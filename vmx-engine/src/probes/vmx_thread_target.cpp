#include "vmx-engine/src/probes/vmx_thread_target.h"

#include "vmm-engine/host_clock.h"
#include "vmm-engine/vcpu_target.h"

namespace vmx {

bool VmxThreadTarget::fetch(vp::RegGroup group, uint64_t* out) {
  if (group != vp::RegGroup::Host) return false;
  vmm::fillHostGroup(out, vm_.numVcpus());
  return true;
}

bool VmxThreadTarget::readPhysical(uint64_t addr, void* buf, size_t len) {
  return vm_.memory().read(addr, buf, len);
}

uint64_t VmxThreadTarget::tsc() { return vmm::readTsc(); }

uint64_t VmxThreadTarget::systemTimeUs() { return vmm::hostTimeUs(); }

}  // namespace vmx
