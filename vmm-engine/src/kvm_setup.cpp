#include "kvm_setup.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/kvm.h>
#include <memory>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot_state.h"
#include "kvm_abi.h"
#include "vmm-engine/guest_memory.h"

namespace vmm {
namespace {

std::string sysError(const char* what) {
  return std::string(what) + ": " + strerror(errno);
}

// KVM_SET_CPUID2 before the special registers: KVM refuses EFER.NXE/LME
// unless the guest's CPUID advertises NX and long mode.
// Leaf 1 and the KVM leaves for a Linux guest: see createBootVcpu.
void linuxCpuid(kvm_cpuid_entry2& e) {
  constexpr uint32_t kEdxApic = 1u << 9, kEcxX2apic = 1u << 21,
                     kEcxTscDeadline = 1u << 24, kEcxHypervisor = 1u << 31;
  // KVM_FEATURE_CLOCKSOURCE, NOP_IO_DELAY, CLOCKSOURCE2, CLOCKSOURCE_STABLE.
  constexpr uint32_t kKvmFeatures = 1u << 0 | 1u << 1 | 1u << 3 | 1u << 24;
  if (e.function == 1) {
    e.edx &= ~kEdxApic;
    e.ecx &= ~(kEcxX2apic | kEcxTscDeadline);
    e.ecx |= kEcxHypervisor;  // Linux looks for KVM's leaves only then
  }
  // 5-level paging: the monitor's page walks (probes, getguest) are
  // 4-level, and a kernel uses LA57 whenever CPUID offers it.
  if (e.function == 7 && e.index == 0) e.ecx &= ~(1u << 16);
  if (e.function == 0x40000001) {
    e.eax &= kKvmFeatures;
    e.edx = 0;  // no hints (KVM_HINTS_REALTIME)
  }
}

bool setCpuid(int kvmFd, int vcpuFd, unsigned index, BootKind kind,
              std::string& error) {
  constexpr unsigned kMax = 256;
  // The C layout (kvm_abi.h): an 8-byte header, the entries right after
  // it. C++'s kvm_cpuid2 puts `entries` 4 bytes further, where KVM has
  // not written them.
  using Header = kvm_abi::FlexHeader;
  size_t bytes = sizeof(Header) + kMax * sizeof(kvm_cpuid_entry2);
  std::unique_ptr<uint8_t[]> buf(new uint8_t[bytes]());
  auto* header = reinterpret_cast<Header*>(buf.get());
  auto* entries = reinterpret_cast<kvm_cpuid_entry2*>(buf.get() + sizeof(Header));
  header->count = kMax;
  // SAFETY: the buffer has room for count entries after the header, which
  // KVM will not exceed (E2BIG instead).
  if (ioctl(kvmFd, kvm_abi::kGetSupportedCpuid, header) < 0) {
    error = sysError("KVM_GET_SUPPORTED_CPUID");
    return false;
  }
  for (unsigned i = 0; i < header->count && i < kMax; ++i) {
    kvm_cpuid_entry2& e = entries[i];
    if (e.function == 1)  // initial APIC id in EBX[31:24]
      e.ebx = (e.ebx & 0x00ffffff) | (index << 24);
    if (e.function == 0xb || e.function == 0x1f) e.edx = index;  // x2APIC id
    if (kind == BootKind::Linux) linuxCpuid(e);
  }
  // SAFETY: the table KVM just filled, count within bounds.
  if (ioctl(vcpuFd, kvm_abi::kSetCpuid2, header) < 0) {
    error = sysError("KVM_SET_CPUID2");
    return false;
  }
  return true;
}

bool setBootRegisters(int vcpuFd, unsigned index, uint64_t entry,
                      BootKind kind, std::string& error) {
  kvm_sregs sregs;
  // SAFETY: kvm_sregs is the structure these ioctls take.
  if (ioctl(vcpuFd, KVM_GET_SREGS, &sregs) < 0) {
    error = sysError("KVM_GET_SREGS");
    return false;
  }
  bootSregs(sregs, kind);
  if (ioctl(vcpuFd, KVM_SET_SREGS, &sregs) < 0) {
    error = sysError("KVM_SET_SREGS (long-mode boot state)");
    return false;
  }
  kvm_regs regs;
  bootRegs(regs, entry, index);
  if (ioctl(vcpuFd, KVM_SET_REGS, &regs) < 0) {
    error = sysError("KVM_SET_REGS");
    return false;
  }
  return true;
}

}  // namespace

int openKvm(std::string& error) {
  int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    error = sysError("/dev/kvm");
    return -1;
  }
  if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
    error = "/dev/kvm: unsupported KVM API version";
    close(fd);
    return -1;
  }
  return fd;
}

int createVmWithRam(int kvmFd, GuestMemory& mem, std::string& error) {
  int vmFd = ioctl(kvmFd, KVM_CREATE_VM, 0);
  if (vmFd < 0) {
    error = sysError("KVM_CREATE_VM");
    return -1;
  }
  kvm_userspace_memory_region region{};
  region.slot = 0;
  region.guest_phys_addr = 0;
  region.memory_size = mem.size();
  region.userspace_addr = reinterpret_cast<uint64_t>(mem.hostBase());
  // SAFETY: the region describes the whole RAM mapping, which outlives the
  // VM fd (Vm destroys the fd before the GuestMemory).
  if (ioctl(vmFd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
    error = sysError("KVM_SET_USER_MEMORY_REGION");
    close(vmFd);
    return -1;
  }
  return vmFd;
}

bool createBootVcpu(int kvmFd, int vmFd, unsigned index, uint64_t entry,
                    BootKind kind, VcpuHandles& out, std::string& error) {
  int fd = ioctl(vmFd, KVM_CREATE_VCPU, index);
  if (fd < 0) {
    error = sysError("KVM_CREATE_VCPU");
    return false;
  }
  int size = ioctl(kvmFd, KVM_GET_VCPU_MMAP_SIZE, 0);
  void* run = size < int(sizeof(kvm_run))
                  ? MAP_FAILED
                  : mmap(nullptr, size_t(size), PROT_READ | PROT_WRITE,
                         MAP_SHARED, fd, 0);
  if (run == MAP_FAILED) {
    error = sysError("mapping kvm_run");
    close(fd);
    return false;
  }
  out = {fd, static_cast<kvm_run*>(run), size_t(size)};
  if (!setCpuid(kvmFd, fd, index, kind, error) ||
      !setBootRegisters(fd, index, entry, kind, error)) {
    munmap(run, size_t(size));
    close(fd);
    out = {};
    return false;
  }
  return true;
}

}  // namespace vmm
