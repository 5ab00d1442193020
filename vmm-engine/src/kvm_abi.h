// ioctl numbers whose argument is a header with a flexible array. The
// number encodes sizeof(argument); linux-libc-dev 6.1 declares those
// arrays with __DECLARE_FLEX_ARRAY, which in C++ gives the headers a size
// different from C's (12 instead of 8 bytes), so the <linux/kvm.h> macros
// produce numbers the kernel does not know (EINVAL). These are the C
// numbers, computed from the C layout: two 32-bit words.
#pragma once

#include <cstdint>
#include <linux/kvm.h>

namespace vmm::kvm_abi {

struct FlexHeader {  // kvm_cpuid2 / kvm_msrs without their arrays
  uint32_t count, padding;
};
static_assert(sizeof(FlexHeader) == 8);

inline constexpr unsigned long kGetSupportedCpuid =
    _IOWR(KVMIO, 0x05, FlexHeader);
inline constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, FlexHeader);
inline constexpr unsigned long kGetMsrs = _IOWR(KVMIO, 0x88, FlexHeader);
inline constexpr unsigned long kSetMsrs = _IOW(KVMIO, 0x89, FlexHeader);

}  // namespace vmm::kvm_abi
