// Small KVM setup steps shared by Vm::create: each wraps one ioctl
// sequence and turns a failure into a message.
#pragma once

#include <cstdint>
#include <string>

#include "boot_state.h"

struct kvm_run;

namespace vmm {

class GuestMemory;

// Opens /dev/kvm and checks the API version; -1 with `error` on failure.
int openKvm(std::string& error);
// KVM_CREATE_VM plus the RAM memslot at guest-physical 0.
int createVmWithRam(int kvmFd, GuestMemory& mem, std::string& error);

struct VcpuHandles {
  int fd = -1;
  kvm_run* run = nullptr;
  size_t runSize = 0;
};
// KVM_CREATE_VCPU, maps its kvm_run page, installs the host's supported
// CPUID (with this vCPU's APIC id) and the boot registers of `kind`. A
// Linux guest's CPUID says what this platform has: a hypervisor (bit 31
// of leaf 1 ECX, without which Linux ignores KVM's leaves), no local APIC
// (no APIC, x2APIC, TSC-deadline bits), no 5-level paging (the monitor
// walks 4-level page tables), and of KVM's paravirtual features
// only the clock (kvmclock gives Linux the TSC rate, so it needs no PIT
// calibration) and the no-op I/O delay; the others (async page faults,
// PV EOI, PV IPIs, steal time) need an in-kernel local APIC.
bool createBootVcpu(int kvmFd, int vmFd, unsigned index, uint64_t entry,
                    BootKind kind, VcpuHandles& out, std::string& error);

}  // namespace vmm
