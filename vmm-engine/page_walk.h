// Translation of guest linear addresses through the guest's own page
// tables (x86-64 4-level paging: 4 KiB, 2 MiB and 1 GiB pages), for probes
// reading guest memory. The tables are guest memory, hence hostile: a
// malformed entry (reserved bits set), a table outside RAM or a
// non-canonical address all mean "not mapped", never a crash.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vmm {

class GuestMemory;

// The control registers that decide how the guest translates.
struct PagingState {
  uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
};

// Linear -> guest-physical. CR0.PG clear: identity. Long mode 4-level
// paging: walked. Anything else (32-bit paging, 5-level paging): false.
// Only presence is checked, not permissions: probes read what the guest's
// kernel could read.
bool translateLinear(const GuestMemory& mem, const PagingState& ps,
                     uint64_t linear, uint64_t& gpa);

// Reads `len` bytes at `linear`, page by page (a read may span pages with
// different physical backing). False if any byte is unmapped or outside
// RAM; `out` may then be partly written.
bool readLinear(const GuestMemory& mem, const PagingState& ps,
                uint64_t linear, void* out, size_t len);

}  // namespace vmm
