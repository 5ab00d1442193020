// Guest_CR3Write's sites: the `mov cr3, r64` instructions of the guest
// kernel. KVM does not report guest CR3 writes to user space (with EPT/NPT
// the CPU does not even exit on them), so the monitor finds the
// instructions itself and plants its guest-code stop on each.
//
// Found by decoding (not by a byte search, which matches inside other
// instructions): each code range of the guest image (elf_code_map.h) is
// decoded linearly from its start, reading the guest's memory through a
// vCPU's page tables, so what is checked is the code the guest runs. A
// range is abandoned at the first byte that does not decode (data, or
// code the symbols do not cut right): a stop planted at a mis-decoded
// offset would corrupt the guest.
#pragma once

#include <cstdint>
#include <vector>

#include "vmm-engine/elf_code_map.h"

namespace vmm {

class Vcpu;

struct Cr3Scan {
  std::vector<uint64_t> sites;  // linear addresses, each a `mov cr3, r64`
  uint64_t bytes = 0;           // decoded
  size_t unmapped = 0;          // ranges cut short by an unmapped page
  size_t undecodable = 0;       // ranges cut short by a byte that does not decode
};

// On `v`'s thread (Vcpu::call), through its page tables.
Cr3Scan findCr3Writes(Vcpu& v, const std::vector<CodeRange>& code);

}  // namespace vmm
