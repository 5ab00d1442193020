// Vm::dropShadowPageTables (vm.h).
//
// KVM has no call that says "guest memory changed behind your back". But
// deleting a memslot makes x86 KVM zap every shadow page it keeps
// (kvm_arch_flush_shadow_memslot; KVM_X86_QUIRK_SLOT_ZAP_ALL, on unless a
// VMM turns it off), so a scratch slot made and deleted again does it. The
// slot lies far above RAM and the platform's devices, and exists only for
// the two ioctls.
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <linux/kvm.h>

#include "vmm-engine/vm.h"

namespace vmm {
namespace {

constexpr uint32_t kScratchSlot = 500;  // below KVM_USER_MEM_SLOTS (509), far above ours
constexpr uint64_t kScratchGpa = 1ull << 37;

}  // namespace

bool Vm::dropShadowPageTables(std::string& error) {
  std::lock_guard l(shadowMu_);
  if (!scratchPage_) {
    void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      error = std::string("mmap: ") + strerror(errno);
      return false;
    }
    scratchPage_ = p;
  }
  kvm_userspace_memory_region r{};
  r.slot = kScratchSlot;
  r.guest_phys_addr = kScratchGpa;
  r.memory_size = 4096;
  r.userspace_addr = reinterpret_cast<uint64_t>(scratchPage_);
  // SAFETY: a slot of our own over a page we keep for the VM's life, at a
  // guest-physical address no other slot or device uses; deleted at once.
  if (ioctl(vmFd_, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
    error = std::string("KVM_SET_USER_MEMORY_REGION (scratch slot): ") + strerror(errno);
    return false;
  }
  r.memory_size = 0;
  if (ioctl(vmFd_, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
    error = std::string("KVM_SET_USER_MEMORY_REGION (deleting the scratch slot): ") + strerror(errno);
    return false;
  }
  return true;
}

}  // namespace vmm
