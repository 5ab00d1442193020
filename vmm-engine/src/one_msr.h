// One MSR through KVM_GET_MSRS / KVM_SET_MSRS, in the C layout the kernel
// reads (kvm_abi.h): the 8-byte header, the entry right after it. (C++'s
// kvm_msrs puts `entries` at offset 16, where KVM does not look.)
#pragma once

#include <cstddef>
#include <cstdint>

#include "vmm-engine/src/kvm_abi.h"

namespace vmm {

struct OneMsr {
  kvm_abi::FlexHeader header{1, 0};
  kvm_msr_entry entry{};
  OneMsr(uint32_t index, uint64_t data) {
    entry.index = index;
    entry.data = data;
  }
  void* arg() { return &header; }
  uint64_t data() const { return entry.data; }
};
static_assert(offsetof(OneMsr, entry) == sizeof(kvm_abi::FlexHeader));

}  // namespace vmm
