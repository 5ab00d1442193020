// checkedTranslate (page_walk.h): the page walk the CPU does for an
// access, with its permission checks and accessed/dirty updates. Used for
// the memory accesses of instructions the monitor emulates (the displaced
// instruction of a dynamic probe), so that they fault, and mark pages,
// exactly as the guest's own execution would have.

#include "vmm-engine/guest_memory.h"
#include "vmm-engine/page_walk.h"

namespace vmm {
namespace {

constexpr uint64_t kCr0Pg = 1ull << 31, kCr0Wp = 1ull << 16;
constexpr uint64_t kCr4Pae = 1ull << 5, kCr4La57 = 1ull << 12,
                   kCr4Smep = 1ull << 20, kCr4Smap = 1ull << 21;
constexpr uint64_t kEferLma = 1ull << 10, kEferNxe = 1ull << 11;
constexpr uint64_t kP = 1, kW = 2, kU = 4, kA = 1ull << 5, kD = 1ull << 6,
                   kPs = 1ull << 7, kNx = 1ull << 63;
constexpr uint64_t kAddrMask = 0x000ffffffffff000ull;

bool canonical(uint64_t a) {
  uint64_t top = a >> 47;
  return top == 0 || top == 0x1ffff;
}

// Where the walk found each entry, to set A/D bits once it succeeded.
struct Path {
  uint64_t entryGpa[4];
  int n = 0;
};

struct Rights {
  bool user = true, writable = true, nx = false;
};

// Reserved bits an entry must not have at `level` (3 = PML4 ... 0 = PT).
bool reservedBits(uint64_t e, int level, bool nxe) {
  if (!nxe && (e & kNx)) return true;
  if (level == 3 && (e & kPs)) return true;
  if ((e & kPs) && (level == 1 || level == 2)) {
    uint64_t pageBytes = 1ull << (12 + 9 * level);
    return (e & (pageBytes - 1) & ~0x1fffull) != 0;  // bits 13..align-1
  }
  return false;
}

uint32_t baseError(const AccessCheck& a, const PagingState& ps) {
  uint32_t e = 0;
  if (a.kind == AccessCheck::Write) e |= pf::kWrite;
  // The SDM sets I/D for a fetch only when NX or SMEP is enabled (PAE is,
  // in the only mode walked): without either, fetches report as reads.
  bool idBit = (ps.efer & kEferNxe) || (ps.cr4 & kCr4Smep);
  if (a.kind == AccessCheck::Fetch && idBit) e |= pf::kFetch;
  if (a.cpl == 3) e |= pf::kUser;
  return e;
}

bool allowed(const Rights& r, const PagingState& ps, const AccessCheck& a) {
  bool user = a.cpl == 3;
  if (user && !r.user) return false;
  if (a.kind == AccessCheck::Write && !r.writable && (user || (ps.cr0 & kCr0Wp)))
    return false;
  if (a.kind == AccessCheck::Fetch) {
    if (r.nx) return false;
    if (!user && r.user && (ps.cr4 & kCr4Smep)) return false;
  } else if (!user && r.user && (ps.cr4 & kCr4Smap) && !a.rflagsAc) {
    return false;
  }
  return true;
}

// SAFETY: `gpa` is an 8-byte-aligned entry inside RAM (the walk read it);
// the OR is atomic because other vCPUs' walks update the same entries.
void setBits(GuestMemory& mem, uint64_t gpa, uint64_t bits) {
  auto* p = reinterpret_cast<uint64_t*>(mem.hostPtr(gpa, 8));
  if (p && (__atomic_load_n(p, __ATOMIC_RELAXED) & bits) != bits)
    __atomic_fetch_or(p, bits, __ATOMIC_RELAXED);
}

}  // namespace

WalkStatus checkedTranslate(GuestMemory& mem, const PagingState& ps,
                            uint64_t linear, const AccessCheck& access,
                            uint64_t& gpa, uint32_t& errorCode) {
  errorCode = baseError(access, ps);
  if (!(ps.cr0 & kCr0Pg)) {
    gpa = linear;
    return mem.contains(gpa, 1) ? WalkStatus::Ok : WalkStatus::NotInRam;
  }
  if (!(ps.efer & kEferLma) || !(ps.cr4 & kCr4Pae) || (ps.cr4 & kCr4La57))
    return WalkStatus::NotInRam;  // paging modes the monitor does not walk
  if (!canonical(linear)) return WalkStatus::NotInRam;  // #GP, not #PF
  bool nxe = ps.efer & kEferNxe;
  uint64_t table = ps.cr3 & kAddrMask;
  Path path;
  Rights rights;
  for (int level = 3; level >= 0; --level) {
    unsigned shift = 12 + 9 * unsigned(level);
    uint64_t at = table + ((linear >> shift) & 511) * 8, e;
    if (!mem.read(at, &e, 8)) return WalkStatus::NotInRam;
    if (!(e & kP)) return WalkStatus::Fault;
    if (reservedBits(e, level, nxe)) {
      errorCode |= pf::kPresent | pf::kReserved;
      return WalkStatus::Fault;
    }
    path.entryGpa[path.n++] = at;
    rights.user = rights.user && (e & kU);
    rights.writable = rights.writable && (e & kW);
    rights.nx = rights.nx || (nxe && (e & kNx));
    bool leaf = level == 0 || (e & kPs);
    if (!leaf) {
      table = e & kAddrMask;
      continue;
    }
    uint64_t pageBytes = 1ull << shift;
    if (!allowed(rights, ps, access)) {
      errorCode |= pf::kPresent;
      return WalkStatus::Fault;
    }
    gpa = (e & kAddrMask & ~(pageBytes - 1)) | (linear & (pageBytes - 1));
    if (!mem.contains(gpa, 1)) return WalkStatus::NotInRam;
    if (!access.markAccessed) return WalkStatus::Ok;
    for (int i = 0; i < path.n; ++i) setBits(mem, path.entryGpa[i], kA);
    if (access.kind == AccessCheck::Write) setBits(mem, at, kD);
    return WalkStatus::Ok;
  }
  return WalkStatus::NotInRam;  // not reached: level 0 is always a leaf
}

}  // namespace vmm
