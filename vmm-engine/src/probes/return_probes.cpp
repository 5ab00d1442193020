// GuestProbes: return probes (GUEST:EXIT:). At a probed function's entry
// the return address is read at [RSP], a stop is planted there (the first
// time that address is seen) and the call remembered by its stack slot
// (return_pairing.h); a later stop at the return address with the slot
// just popped is the return.
//
// Why a stop at the return address, not a trampoline address written over
// the return address (as Linux's kretprobes do): the guest reads its own
// stack (unwinders, __builtin_return_address, shadow stacks), and the
// return slot keeps what the guest put there.
//
// Return sites are planted by the vCPU thread at the entry while the other
// vCPUs run (a one-byte write, as text_poke plants an int3 in live code: a
// vCPU that runs the old byte once misses one return, the call then goes
// stale and is swept). They stay until unload, so that a vCPU on its way to
// one (its exit in flight) always finds it. Their pages are not
// write-protected (that needs the vCPUs stopped); a guest write over the
// planted byte makes the site the guest's again (stillPlanted fails).
#include <chrono>
#include <cstring>

#include "vmm-engine/guest_probes.h"
#include "vmm-engine/src/probes/guest_lookup.h"
#include "vmm-engine/src/probes/guest_probe_site.h"
#include "vmm-engine/vm.h"

namespace vmm {
namespace {

constexpr uint64_t kPage = 4096;
// How far below a vCPU's RSP stale calls are looked for, and how many
// slots at most per stop (bounds the cost of a hit).
constexpr uint64_t kSweepWindow = 64 * 1024;
constexpr size_t kSweepLimit = 8;

uint64_t nowNs() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

// Kernel stacks are at one place in every address space; user stacks are
// told apart by the page-table root (without the PCID and no-flush bits).
uint64_t stackSpace(const SpecialRegs& s) {
  return (s.cs.selector & 3) == 3 ? (s.cr3 & 0x000ffffffffff000ull) : 0;
}

}  // namespace

GuestProbes::Site* GuestProbes::siteAt(uint64_t gpa) {
  if (auto it = sites_.find(gpa); it != sites_.end()) return it->second.get();
  std::lock_guard l(retMu_);
  auto it = retSites_.find(gpa);
  return it == retSites_.end() ? nullptr : it->second.get();
}

size_t GuestProbes::returnSites() const {
  std::lock_guard l(retMu_);
  return retSites_.size();
}

// The site at the return address `returnTo`: an existing one (a probe
// there, or planted at an earlier entry), or a new one planted now. Null
// when the instruction there cannot be run by the monitor (reported once
// for `probes`, the exit probes that then miss those returns).
GuestProbes::Site* GuestProbes::returnSite(Hit& h, uint64_t returnTo, const std::string& probes) {
  uint64_t gpa;
  if (!h.v.translate(returnTo, gpa)) {
    reportOnce("guest probes:" + probes + ": the return address " + hexAddr(returnTo) +
               " is not mapped; returns there are not seen");
    return nullptr;
  }
  if (Site* s = siteAt(gpa)) return s;
  auto fresh = std::make_unique<Site>();
  fresh->gpa = gpa;
  fresh->stop = vm_.breakpointSupport().stop();
  fresh->returnSite = true;
  fresh->userCode = (h.sregs.cs.selector & 3) == 3;
  size_t inPage = std::min<uint64_t>(15, kPage - gpa % kPage);
  Breakpoints& bp = vm_.breakpoints();
  std::string why;
  if (!bp.readOriginal(gpa, fresh->bytes, inPage) ||
      !ProbeInsn::decode(fresh->bytes, inPage, returnTo, fresh->insn, why)) {
    reportOnce("guest probes:" + probes + ": the instruction at the return address " +
               hexAddr(returnTo) + ": " + (why.empty() ? "outside RAM" : why) +
               "; returns there are not seen");
    return nullptr;
  }
  fresh->len = std::min(inPage, fresh->insn.length());
  fresh->checkedAt.store(bp.rewrites());
  std::lock_guard l(retMu_);
  auto& slot = retSites_[gpa];
  if (slot) return slot.get();  // another vCPU planted it meanwhile
  // Published before the byte is written: a vCPU that stops there must
  // find it.
  slot = std::move(fresh);
  if (bp.plant(gpa, slot->stop)) retPlanted_.push_back(gpa);
  else slot->dead.store(true);
  return slot.get();
}

void GuestProbes::noteEntry(Hit& h, const Site& s, uint64_t linear, const Gprs& regs) {
  std::string names;
  for (auto& [at, probe] : s.exitProbes)
    if (at == linear) names += " GUEST:EXIT:" + hexAddr(at);
  if (names.empty()) return;
  uint64_t returnTo = 0;
  if (!h.v.readLinear(regs.rsp, &returnTo, sizeof returnTo)) {
    reportOnce("guest probes:" + names + ": the stack at " + hexAddr(regs.rsp) +
               " is not readable at an entry; that call's return is not seen");
    return;
  }
  if (!returnSite(h, returnTo, names)) return;
  uint64_t space = stackSpace(h.sregs), now = nowNs();
  for (auto& [at, probe] : s.exitProbes)
    if (at == linear) returns_.enter({space, regs.rsp, returnTo, probe, now});
  sweepStale(h.v, space, regs.rsp);
  if (returns_.evicted() > 0)
    reportOnce("guest probes: more than " + std::to_string(kMaxPendingCalls) +
               " calls of GUEST:EXIT: functions are waiting for their returns; the oldest are "
               "forgotten (their returns do not fire)");
}

// At any stop: the calls that return here now (RSP one slot above their
// entry's), each firing its GUEST:EXIT: probe with the return value, the
// time since the entry and the entry's RSP.
void GuestProbes::fireReturns(Hit& h, uint64_t linear, const Gprs& regs,
                              const RegisterView* view) {
  if (returns_.empty()) return;
  uint64_t space = stackSpace(h.sregs);
  std::vector<ReturnPairing::Call> calls = returns_.leave(space, linear, regs.rsp);
  uint64_t now = calls.empty() ? 0 : nowNs();
  for (const auto& c : calls) {
    const uint64_t args[3] = {regs.rax, now - c.enteredNs, c.slot};
    fire_(h.v, c.probe, args, view);
  }
  sweepStale(h.v, space, regs.rsp);
}

// Calls in slots below `rsp` whose frame is gone: the slot no longer holds
// their return address (longjmp, an exception, ... left them).
void GuestProbes::sweepStale(Vcpu& v, uint64_t space, uint64_t rsp) {
  returns_.sweep(space, rsp, kSweepWindow, kSweepLimit, [&](const ReturnPairing::Call& c) {
    uint64_t word = 0;
    return !v.readLinear(c.slot, &word, sizeof word) || word != c.returnTo;
  });
}

// Inside stopWorld: removes the planted return addresses (user-mode ones
// only, with `userOnly`), their sites marked dead; with `into`, the sites
// move there (disarm: finishUserTrap still needs them) and calls pending
// are forgotten.
void GuestProbes::retireReturnSites(bool userOnly, SiteMap* into) {
  std::lock_guard l(retMu_);
  std::vector<uint64_t> keep;
  for (uint64_t gpa : retPlanted_) {
    Site& s = *retSites_.at(gpa);
    if (userOnly && !s.userCode) {
      keep.push_back(gpa);
      continue;
    }
    s.dead.store(true);
    vm_.breakpoints().remove(gpa);
  }
  retPlanted_ = std::move(keep);
  if (!into) return;
  for (auto& [gpa, s] : retSites_) into->try_emplace(gpa, std::move(s));
  retSites_.clear();
  returns_.clear();
}

}  // namespace vmm
