// The guest page walks (vmm-engine/page_walk.h) on hostile page tables.
// The guest writes its tables and registers, so the walkers must never
// crash, and the three entry points must agree with their contracts and
// with each other:
//   - checkedTranslate Ok: the page is in RAM, translateLinear gives the
//     same gpa (it checks presence only, a subset of what the checked walk
//     checks), and walking again gives the same answer (the accessed and
//     dirty bits it set do not change the translation);
//   - translateLinear succeeding on a walked address into RAM: the checked
//     walk has tables to walk, so it may fault only on a present entry;
//   - a fault's error code says what the access was (W, U, I/D bits) and
//     RSVD only with P;
//   - memory changes only as promised: nothing for markAccessed=false or a
//     failed walk, else only A/D bits being set (D only for writes);
//   - readLinear succeeds exactly when every page of the range translates
//     into RAM, and then returns those bytes.
//
// Input: a header (paging registers, biased towards long mode), 8-byte
// table entries placed in RAM, then linear addresses with access kinds.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "fuzz/support/input_bytes.h"
#include "vmm-engine/guest_memory.h"
#include "vmm-engine/page_walk.h"

namespace {

constexpr uint64_t kRam = 1 << 20, kPage = 4096;
constexpr uint64_t kCr0Pe = 1, kCr0Pg = 1ull << 31, kCr4Pae = 1 << 5,
                   kCr4La57 = 1 << 12, kEferLme = 1 << 8, kEferLma = 1 << 10;
constexpr uint64_t kA = 1 << 5, kD = 1 << 6;
constexpr size_t kMaxEntries = 64, kMaxAddresses = 24, kMaxRead = 3 * kPage;

[[noreturn]] void broken(const char* what, uint64_t at) {
  std::fprintf(stderr, "page_walk: %s (at 0x%llx)\n", what,
               static_cast<unsigned long long>(at));
  std::abort();
}

using Input = fuzz::InputBytes;

// One RAM for every input: mapping it each time would dominate the run.
// Each input leaves it all zero again (checked in finish()).
vmm::GuestMemory& ram() {
  static vmm::GuestMemory mem(kRam);
  if (!mem.valid()) broken("cannot map guest RAM", 0);
  return mem;
}

uint64_t load(uint64_t gpa) {
  uint64_t v = 0;
  ram().read(gpa, &v, 8);
  return v;
}

vmm::PagingState pagingState(Input& in) {
  unsigned mode = unsigned(in.take(1));
  vmm::PagingState ps{in.take(4), in.take(4), in.take(4), in.take(2)};
  // Mostly 4-level paging with CR3 in RAM, the only mode that is walked;
  // mode 0 keeps the raw registers (paging off, unsupported modes).
  if (mode & 7) {
    ps.cr0 |= kCr0Pg | kCr0Pe;
    ps.efer |= kEferLme | kEferLma;
    ps.cr4 = (ps.cr4 | kCr4Pae) & ~kCr4La57;
    ps.cr3 %= kRam;
  }
  return ps;
}

// The table entries the input wrote, by gpa, with their expected values.
using Entries = std::map<uint64_t, uint64_t>;

Entries placeEntries(Input& in) {
  Entries e;
  size_t count = std::min<size_t>(in.take(1), kMaxEntries);
  for (size_t i = 0; i < count && in.n > 0; ++i) {
    uint64_t spec = in.take(2);
    uint64_t gpa = ((spec >> 9) % (kRam / kPage)) * kPage + (spec & 511) * 8;
    e[gpa] = in.take(8);
    ram().write(gpa, &e[gpa], 8);
  }
  return e;
}

// A walk may only set A and D bits in entries, and only when it succeeded
// and was asked to; the expected values follow.
void checkMarks(Entries& e, vmm::WalkStatus st, const vmm::AccessCheck& a,
                uint64_t linear) {
  bool mayMark = st == vmm::WalkStatus::Ok && a.markAccessed;
  for (auto& [gpa, expected] : e) {
    uint64_t now = load(gpa);
    if (now == expected) continue;
    if (!mayMark) broken("a walk that may not mark changed an entry", linear);
    uint64_t set = now & ~expected;
    if ((expected & ~now) != 0 || (set & ~(kA | kD)) != 0)
      broken("a walk changed entry bits other than setting A/D", linear);
    if ((set & kD) && a.kind != vmm::AccessCheck::Write)
      broken("a walk for a non-write set a dirty bit", linear);
    expected = now;
  }
}

void checkErrorCode(uint32_t err, const vmm::AccessCheck& a, uint64_t linear) {
  namespace pf = vmm::pf;
  if (bool(err & pf::kWrite) != (a.kind == vmm::AccessCheck::Write))
    broken("error code W bit does not match the access", linear);
  if (bool(err & pf::kUser) != (a.cpl == 3))
    broken("error code U bit does not match the CPL", linear);
  if ((err & pf::kFetch) && a.kind != vmm::AccessCheck::Fetch)
    broken("error code I/D bit on a data access", linear);
  if ((err & pf::kReserved) && !(err & pf::kPresent))
    broken("error code RSVD without P", linear);
  if (err & ~uint32_t(pf::kPresent | pf::kWrite | pf::kUser | pf::kReserved | pf::kFetch))
    broken("error code has unknown bits", linear);
}

bool walkedMode(const vmm::PagingState& ps) {
  return (ps.cr0 & kCr0Pg) && (ps.efer & kEferLma) && (ps.cr4 & kCr4Pae) &&
         !(ps.cr4 & kCr4La57);
}

// The walk as the SDM describes it (vol. 3, 4.5 to 4.7), written apart
// from checked_walk.cpp as the oracle for its status, gpa and error code.
// Not modelled, as in the library: MAXPHYADDR reserved bits, protection
// keys, 5-level paging.
struct Reference {
  vmm::WalkStatus status = vmm::WalkStatus::NotInRam;
  uint64_t gpa = 0;
  uint32_t err = 0;
};

constexpr uint64_t kCr0Wp = 1 << 16, kCr4Smep = 1 << 20, kCr4Smap = 1 << 21,
                   kEferNxe = 1 << 11, kXd = 1ull << 63, kPs = 1 << 7;

bool entryReserved(uint64_t e, int level, bool nxe) {
  if ((e & kXd) && !nxe) return true;
  if (!(e & kPs) || level == 0) return false;
  if (level == 3) return true;
  uint64_t align = (1ull << (12 + 9 * level)) - 1;
  return (e & align & ~0x1fffull) != 0;  // bit 12 is PAT, above it must be 0
}

bool permitted(bool user, bool writable, bool xd, const vmm::PagingState& ps,
               const vmm::AccessCheck& a) {
  using K = vmm::AccessCheck;
  if (a.cpl == 3) return user && (a.kind != K::Write || writable) && (a.kind != K::Fetch || !xd);
  if (a.kind == K::Fetch) return !xd && !(user && (ps.cr4 & kCr4Smep));
  if (user && (ps.cr4 & kCr4Smap) && !a.rflagsAc) return false;
  return a.kind != K::Write || writable || !(ps.cr0 & kCr0Wp);
}

Reference referenceWalk(const vmm::PagingState& ps, uint64_t linear, const vmm::AccessCheck& a) {
  Reference r;
  bool idBit = a.kind == vmm::AccessCheck::Fetch && ((ps.efer & kEferNxe) || (ps.cr4 & kCr4Smep));
  uint32_t base = (a.kind == vmm::AccessCheck::Write ? vmm::pf::kWrite : 0) |
                  (a.cpl == 3 ? vmm::pf::kUser : 0) | (idBit ? vmm::pf::kFetch : 0);
  if (!(ps.cr0 & kCr0Pg)) {
    r.gpa = linear;
    r.status = ram().contains(linear, 1) ? vmm::WalkStatus::Ok : vmm::WalkStatus::NotInRam;
    return r;
  }
  uint64_t top = linear >> 47;
  if (!walkedMode(ps) || (top != 0 && top != 0x1ffff)) return r;
  bool nxe = ps.efer & kEferNxe, user = true, writable = true, xd = false;
  uint64_t table = ps.cr3 & 0x000ffffffffff000ull;
  for (int level = 3; level >= 0; --level) {
    unsigned shift = 12 + 9 * unsigned(level);
    uint64_t at = table + ((linear >> shift) & 511) * 8;
    if (!ram().contains(at, 8)) return Reference{};
    uint64_t e = load(at);
    r.status = vmm::WalkStatus::Fault;
    r.err = base;
    if (!(e & 1)) return r;
    r.err |= vmm::pf::kPresent;
    if (entryReserved(e, level, nxe)) {
      r.err |= vmm::pf::kReserved;
      return r;
    }
    user = user && (e & 4), writable = writable && (e & 2), xd = xd || (nxe && (e & kXd));
    table = e & 0x000ffffffffff000ull;
    if (level > 0 && !(e & kPs)) continue;
    if (!permitted(user, writable, xd, ps, a)) return r;
    uint64_t size = 1ull << shift;
    r.gpa = (table & ~(size - 1)) | (linear & (size - 1));
    r.status = ram().contains(r.gpa, 1) ? vmm::WalkStatus::Ok : vmm::WalkStatus::NotInRam;
    return r;
  }
  return r;
}

void checkAgainstReference(const Reference& want, vmm::WalkStatus st, uint64_t gpa,
                           uint32_t err, uint64_t linear) {
  if (st != want.status) broken("checked walk status differs from the SDM's", linear);
  if (st == vmm::WalkStatus::Ok && gpa != want.gpa) broken("checked walk gpa differs from the SDM's", linear);
  if (st == vmm::WalkStatus::Fault && err != want.err)
    broken("checked walk error code differs from the SDM's", linear);
}

void checkTranslate(Entries& e, const vmm::PagingState& ps, uint64_t linear,
                    const vmm::AccessCheck& a) {
  uint64_t plain = 0, gpa = 0, again = 0;
  bool mapped = vmm::translateLinear(ram(), ps, linear, plain);
  uint32_t err = 0, errAgain = 0;
  Reference want = referenceWalk(ps, linear, a);  // before A/D bits change
  auto st = vmm::checkedTranslate(ram(), ps, linear, a, gpa, err);
  checkAgainstReference(want, st, gpa, err, linear);
  checkMarks(e, st, a, linear);
  if (st == vmm::WalkStatus::Ok) {
    if (!ram().contains(gpa, 1)) broken("checked walk Ok outside RAM", linear);
    if (!mapped || plain != gpa) broken("checked walk Ok, translateLinear differs", linear);
  }
  if (st == vmm::WalkStatus::Fault) checkErrorCode(err, a, linear);
  bool tablesInRam = mapped && walkedMode(ps) && ram().contains(plain, 1);
  if (tablesInRam && st == vmm::WalkStatus::NotInRam)
    broken("translateLinear walked RAM tables, checked walk says not in RAM", linear);
  if (tablesInRam && st == vmm::WalkStatus::Fault && !(err & vmm::pf::kPresent))
    broken("checked walk: not present, translateLinear found it present", linear);
  vmm::AccessCheck look = a;
  look.markAccessed = false;
  auto st2 = vmm::checkedTranslate(ram(), ps, linear, look, again, errAgain);
  checkMarks(e, st2, look, linear);
  if (st2 != st || (st == vmm::WalkStatus::Ok && again != gpa) ||
      (st == vmm::WalkStatus::Fault && errAgain != err))
    broken("walking again after marking gives another answer", linear);
}

// What readLinear must return: each page of the range through its own
// translation, or failure if any page does not translate into RAM.
bool expectedRead(const vmm::PagingState& ps, uint64_t linear, uint8_t* out,
                  size_t len) {
  while (len > 0) {
    size_t chunk = std::min<uint64_t>(len, kPage - (linear % kPage));
    uint64_t gpa;
    if (!vmm::translateLinear(ram(), ps, linear, gpa)) return false;
    if (!ram().contains(gpa, chunk)) return false;
    std::memcpy(out, ram().hostBase() + gpa, chunk);
    out += chunk, len -= chunk, linear += chunk;
  }
  return true;
}

void checkRead(const vmm::PagingState& ps, uint64_t linear, size_t len) {
  static uint8_t got[kMaxRead], want[kMaxRead];
  bool ok = vmm::readLinear(ram(), ps, linear, got, len);
  if (ok != expectedRead(ps, linear, want, len))
    broken(ok ? "readLinear succeeded over an unmapped byte"
              : "readLinear failed on a mapped range",
           linear);
  if (ok && std::memcmp(got, want, len) != 0)
    broken("readLinear returned other bytes than RAM holds", linear);
}

vmm::AccessCheck accessOf(unsigned bits) {
  vmm::AccessCheck a;
  a.kind = static_cast<vmm::AccessCheck::Kind>((bits & 3) == 3 ? 0 : bits & 3);
  a.cpl = (bits & 4) ? 3 : 0;
  a.rflagsAc = bits & 8;
  a.markAccessed = bits & 16;
  return a;
}

// Zeroes the entries (checking they hold what the walks left) and checks
// that nothing else in RAM was written.
void finish(const Entries& e) {
  static const uint8_t zero[kPage] = {};
  for (const auto& [gpa, expected] : e) {
    if (load(gpa) != expected) broken("an entry changed behind the checks", gpa);
    ram().write(gpa, zero, 8);
  }
  for (uint64_t at = 0; at < kRam; at += kPage)
    if (std::memcmp(ram().hostBase() + at, zero, kPage) != 0)
      broken("a walk wrote RAM outside the table entries", at);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  vmm::PagingState ps = pagingState(in);
  Entries entries = placeEntries(in);
  for (size_t i = 0; i < kMaxAddresses && in.n > 0; ++i) {
    uint64_t linear = in.take(8);
    unsigned bits = unsigned(in.take(1));
    size_t len = size_t(in.take(2)) % (kMaxRead + 1);
    // Random 64-bit values are rarely canonical: sign-extend bit 47 often.
    if (bits & 0x80) linear = uint64_t(int64_t(linear << 16) >> 16);
    checkTranslate(entries, ps, linear, accessOf(bits));
    checkRead(ps, linear, len);
  }
  finish(entries);
  return 0;
}
