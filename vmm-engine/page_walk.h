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

namespace vmm {

// A guest access as the CPU would check it (Intel SDM vol. 3, "Access
// Rights"), for instructions the monitor emulates on the guest's behalf.
struct AccessCheck {
  enum Kind : uint8_t { Read, Write, Fetch } kind = Read;
  unsigned cpl = 0;       // 3: user-mode access
  bool rflagsAc = false;  // RFLAGS.AC: lifts SMAP for supervisor accesses
  bool markAccessed = true;  // false: only look (no accessed/dirty bits)
};

// x86 page-fault error code bits.
namespace pf {
inline constexpr uint32_t kPresent = 1, kWrite = 2, kUser = 4, kReserved = 8,
                          kFetch = 16;
}  // namespace pf

enum class WalkStatus : uint8_t {
  Ok,
  Fault,     // the guest would take #PF with `errorCode` (CR2 = linear)
  NotInRam,  // the tables or the page are outside RAM (no fault to give)
};

// Translates `linear` for `access` through 4-level paging (identity when
// paging is off), checking presence, reserved bits, U/S, R/W (with
// CR0.WP), NX (with EFER.NXE), SMEP and SMAP. On success, sets the
// accessed bits of the entries it used, and the dirty bit of the final
// one for a write, as the CPU does (atomically: other vCPUs may update the
// same entries). The tables are hostile guest memory: anything malformed
// is a reserved-bit fault, never a crash.
WalkStatus checkedTranslate(GuestMemory& mem, const PagingState& ps,
                            uint64_t linear, const AccessCheck& access,
                            uint64_t& gpa, uint32_t& errorCode);

}  // namespace vmm
