#include "vmm-engine/page_walk.h"

#include <algorithm>

#include "vmm-engine/guest_memory.h"

namespace vmm {
namespace {

constexpr uint64_t kCr0Pg = 1ull << 31;
constexpr uint64_t kCr4Pae = 1ull << 5, kCr4La57 = 1ull << 12;
constexpr uint64_t kEferLma = 1ull << 10;
constexpr uint64_t kPresent = 1, kPageSize = 1ull << 7;
// Physical address bits of an entry: 12..51 (MAXPHYADDR 52 at most).
constexpr uint64_t kAddrMask = 0x000ffffffffff000ull;

bool canonical(uint64_t a) {
  uint64_t top = a >> 47;
  return top == 0 || top == 0x1ffff;
}

// Reads the 8-byte entry `index` of the table at `table`; false when the
// table lies outside RAM.
bool readEntry(const GuestMemory& mem, uint64_t table, uint64_t index,
               uint64_t& entry) {
  return mem.read(table + index * 8, &entry, sizeof entry);
}

// Reserved bits of a large-page entry between bit 13 and the page's own
// alignment must be zero (the PAT bit is bit 12); else the entry is
// malformed and the hardware would fault.
bool largeEntryWellFormed(uint64_t entry, uint64_t pageBytes) {
  uint64_t reserved = (pageBytes - 1) & ~0x1fffull;
  return (entry & reserved) == 0;
}

}  // namespace

bool translateLinear(const GuestMemory& mem, const PagingState& ps,
                     uint64_t linear, uint64_t& gpa) {
  if (!(ps.cr0 & kCr0Pg)) {
    gpa = linear;
    return true;
  }
  if (!(ps.efer & kEferLma) || !(ps.cr4 & kCr4Pae) || (ps.cr4 & kCr4La57))
    return false;  // 32-bit, PAE-legacy or 5-level paging: not supported
  if (!canonical(linear)) return false;
  uint64_t table = ps.cr3 & kAddrMask;
  for (int level = 3; level >= 0; --level) {
    unsigned shift = 12 + 9 * unsigned(level);
    uint64_t entry;
    if (!readEntry(mem, table, (linear >> shift) & 511, entry)) return false;
    if (!(entry & kPresent)) return false;
    bool large = (entry & kPageSize) && (level == 1 || level == 2);
    if ((entry & kPageSize) && level == 3) return false;  // reserved in PML4
    if (large || level == 0) {
      uint64_t pageBytes = 1ull << shift;
      if (large && !largeEntryWellFormed(entry, pageBytes)) return false;
      uint64_t base = entry & kAddrMask & ~(pageBytes - 1);
      gpa = base | (linear & (pageBytes - 1));
      return true;
    }
    table = entry & kAddrMask;
  }
  return false;  // not reached: level 0 always returns
}

bool readLinear(const GuestMemory& mem, const PagingState& ps,
                uint64_t linear, void* out, size_t len) {
  auto* dst = static_cast<uint8_t*>(out);
  while (len > 0) {
    uint64_t gpa;
    if (!translateLinear(mem, ps, linear, gpa)) return false;
    // Stay within one 4 KiB page: the next page may map elsewhere.
    size_t chunk = std::min<uint64_t>(len, 4096 - (linear & 4095));
    if (!mem.read(gpa, dst, chunk)) return false;
    dst += chunk;
    len -= chunk;
    linear += chunk;
  }
  return true;
}

}  // namespace vmm
