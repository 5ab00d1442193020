// System Management Mode for the guest (docs/platform.md, "SMM").
//
// KVM runs SMM code in memory address space 1 (KVM_CAP_MULTI_ADDRESS_SPACE;
// a slot id carries the space in its upper 16 bits). A space with no
// slots would leave the handler with no RAM at all, so the whole of RAM is
// mapped there once, writable: SMRAM is ordinary RAM that SMM code shares
// with the rest of the guest (there is no SMRAM lock), and the probes'
// read-only pages (memory_layout.h) apply to address space 0 only.
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "kvm_abi.h"
#include "vmm-engine/guest_memory.h"
#include "vmm-engine/hooks.h"
#include "vmm-engine/vm.h"

namespace vmm {

void Vm::setupSmm() {
  const char* env = getenv("VPROBE_SMM");
  if (config_.disableSmm || (env && !strcmp(env, "off"))) {
    smmRefusal_ = "SMM disabled for this VM (VPROBE_SMM=off)";
    return;
  }
  // SAFETY: capability queries on our VM fd; negative means absent.
  if (ioctl(vmFd_, KVM_CHECK_EXTENSION, KVM_CAP_X86_SMM) <= 0) {
    smmRefusal_ = "the host's KVM refuses System Management Mode (no KVM_CAP_X86_SMM)";
    return;
  }
  if (ioctl(vmFd_, KVM_CHECK_EXTENSION, KVM_CAP_MULTI_ADDRESS_SPACE) < 2) {
    smmRefusal_ = "the host's KVM has no SMM address space (KVM_CAP_MULTI_ADDRESS_SPACE < 2)";
    return;
  }
  kvm_userspace_memory_region r{};
  r.slot = 1u << 16;  // slot 0 of address space 1
  r.memory_size = memory_->size();
  r.userspace_addr = reinterpret_cast<uint64_t>(memory_->hostBase());
  // SAFETY: the whole RAM mapping, which outlives the VM fd, as slot 0 of
  // address space 0 (createVmWithRam).
  if (ioctl(vmFd_, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
    smmRefusal_ = std::string("KVM_SET_USER_MEMORY_REGION for SMM: ") + strerror(errno);
    return;
  }
  smm_ = true;
}

}  // namespace vmm

namespace vmm {

namespace {
constexpr uint32_t kMsrSmbase = 0x9e;
}  // namespace

bool Vcpu::raiseSmi() {
  if (!vm_.smmSupported()) return false;
  if (hooks_) [[unlikely]] hooks_->onSmi(*this);
  // SAFETY: KVM_SMI takes no argument; our vCPU fd, not in KVM_RUN.
  return ioctl(fd_, KVM_SMI, 0) == 0;
}

bool Vcpu::smbase(uint64_t& out) {
  struct {
    kvm_abi::FlexHeader header{1, 0};
    kvm_msr_entry entry{};
  } m;
  static_assert(offsetof(decltype(m), entry) == sizeof(kvm_abi::FlexHeader));
  m.entry.index = kMsrSmbase;
  // SAFETY: a kvm_msrs header (C layout, kvm_abi.h) with its one entry
  // right after it; KVM returns the number of MSRs read.
  if (ioctl(fd_, kvm_abi::kGetMsrs, &m.header) != 1) return false;
  out = m.entry.data;
  return true;
}

}  // namespace vmm
