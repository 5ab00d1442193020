// GuestProbes: a vCPU stopped at one of the planted stops. Fires the
// probes of the address, then makes the displaced instruction take effect
// exactly once (emulated) and lets the vCPU go on past it. See
// guest_probes.h for what each kind of probe sees.
#include <cstdio>
#include <cstring>

#include "vmm-engine/guest_probes.h"
#include "vmm-engine/host_paging.h"
#include "vmm-engine/src/probes/exception_vectors.h"
#include "vmm-engine/src/probes/guest_access.h"
#include "vmm-engine/src/probes/guest_lookup.h"
#include "vmm-engine/src/probes/guest_probe_site.h"
#include "vmm-engine/src/probes/segment_loader.h"
#include "vmm-engine/src/probes/user_return.h"
#include "vmm-engine/vm.h"

namespace vmm {
namespace {

constexpr uint64_t kRflagsAc = 1ull << 18;

// 64-bit code ignores the CS base; compatibility mode adds it.
uint64_t codeLinear(const Gprs& g, const SpecialRegs& s) {
  return (s.cs.ar & ar::kL) ? g.rip : (s.cs.base + g.rip) & 0xffffffffull;
}

bool stillPlanted(Vm& vm, const GuestProbes::Site& s) {
  const uint8_t* p = vm.memory().hostPtr(s.gpa, 1);
  // SAFETY: one byte inside RAM; the guest cannot change it without the
  // monitor (the page is write-protected) but a device could: atomic load.
  return p && __atomic_load_n(p, __ATOMIC_RELAXED) == s.stop;
}

}  // namespace

// Sites are found without a lock (they change only inside stopWorld); an
// abandoned site still counts: the vCPU ran our hlt before the guest's
// byte came back, and must run that byte now.
bool GuestProbes::plantedHaltBefore(Vcpu& v) {
  const Gprs* g = v.gprs();
  const SpecialRegs* s = v.sregs();
  uint64_t gpa;
  if (!g || !s || !v.translate(codeLinear(*g, *s) - 1, gpa)) return false;
  Site* site = siteAt(gpa);
  return site && site->stop == Breakpoints::kHlt;
}

bool GuestProbes::onBreakpoint(Vcpu& v) {
  const Gprs* g = v.gprs();
  const SpecialRegs* s = v.sregs();
  if (!g || !s) return false;
  uint64_t linear = codeLinear(*g, *s), gpa;
  if (!v.translate(linear, gpa)) return false;
  Site* at = siteAt(gpa);
  if (!at) return false;
  hits_.fetch_add(1, std::memory_order_relaxed);
  Site& site = *at;
  // Abandoned, or restored while this exit was on its way: the guest's
  // own byte is back, the vCPU simply runs it.
  if (site.dead.load(std::memory_order_acquire) || !stillPlanted(vm_, site)) return true;
  Hit h{v, *g, *s, linear, site};
  if (site.userTraps && userTrapHit(h)) return true;
  return kernelHit(h);
}

// The instruction of `s` as the guest has it now: a guest write near the
// address (the page is write-protected, see Breakpoints) may have changed
// it since it was decoded.
bool GuestProbes::current(Site& s) {
  Breakpoints& bp = vm_.breakpoints();
  uint64_t now = bp.rewrites();
  if (now == s.checkedAt.load(std::memory_order_acquire)) return true;
  uint8_t bytes[15];
  if (bp.readOriginal(s.gpa, bytes, s.len) && memcmp(bytes, s.bytes, s.len) == 0) {
    s.checkedAt.store(now, std::memory_order_release);
    return true;
  }
  abandon(s, "the guest rewrote the instruction there");
  return false;
}

void GuestProbes::abandon(Site& s, const std::string& why) {
  if (s.dead.exchange(true)) return;
  vm_.breakpoints().abandon(s.gpa);
  {
    std::lock_guard l(reportMu_);
    abandoned_.insert(s.gpa);
  }
  std::string what;
  for (auto& [linear, probe] : s.probes) what += " GUEST:" + hexAddr(linear);
  for (auto& [linear, probe] : s.exitProbes) what += " GUEST:EXIT:" + hexAddr(linear);
  if (!s.cr3Probes.empty()) what += " Guest_CR3Write (the mov cr3 there)";
  if (s.returnSite) what += " (a return address of GUEST:EXIT: probes)";
  for (unsigned v = 0; v < exc::kVectors; ++v)
    if (s.vectors & (1u << v)) what += std::string(" ") + exc::probeName(v);
  if (s.userTraps) what += " (user-mode probes)";
  reportOnce("guest probes:" + what + ": " + why + "; the planted byte at guest-physical " +
             hexAddr(s.gpa) + " is removed and these probes no longer fire");
}

// The hit that follows a fault the monitor delivered for this same
// instruction (same vCPU, address, stack and address space) is the guest
// retrying it: its probes fired already.
bool GuestProbes::isRetry(Hit& h, const Gprs& regs) {
  Retry& r = retry_[h.v.index()];
  if (!r.valid || r.gpa != h.site.gpa) return false;
  r.valid = false;
  return r.rsp == regs.rsp && r.cr3 == h.sregs.cr3;
}

// Returns first (the function returned before this instruction runs),
// then the address's own probes, then the entry of a GUEST:EXIT: function.
void GuestProbes::fireCode(Hit& h, const Site& s, uint64_t linear, const RegisterView* view) {
  const Gprs& regs = view ? view->gprs : h.regs;
  fireReturns(h, linear, regs, view);
  for (auto& [at, probe] : s.probes)
    if (at == linear) fire_(h.v, probe, {}, view);
  if (!s.exitProbes.empty()) noteEntry(h, s, linear, regs);
  // Guest_CR3Write, before the write: CR3 still reads the old value, ARG0
  // is the source register (as written: with PCIDs, bit 63 is the
  // no-flush request).
  if (s.cr3Probes.empty()) return;
  const uint64_t args[1] = {s.insn.cr3Source(regs)};
  for (uint32_t p : s.cr3Probes) fire_(h.v, p, args, view);
}

// The CR3 an emulated `mov cr3` computed, loaded as the CPU would. KVM
// resets its MMU (and flushes the vCPU's TLB) when a KVM_SET_SREGS changes
// CR3; a write of the same value must flush too (the guest reloads CR3 to
// drop stale translations), unless the guest asked for no flush.
void GuestProbes::loadCr3(Vcpu& v, const EmuCpu& cpu) {
  const SpecialRegs* now = v.sregs();
  if (!now) return abandonCr3(v, "cannot read the vCPU's special registers");
  SpecialRegs s = *now;
  if (s.cr3 == cpu.cr3 && !cpu.cr3NoFlush && !v.flushTlb())
    return abandonCr3(v, "cannot make KVM flush the vCPU's TLB");
  s.cr3 = cpu.cr3;
  if (!v.setSregs(s)) abandonCr3(v, "KVM refused the new CR3 " + hexAddr(cpu.cr3));
}

// The store KVM did not see may have changed a guest page table: its
// shadow of the guest's tables goes, to be built again from them.
void GuestProbes::dropShadows() {
  std::string error;
  if (!vm_.dropShadowPageTables(error))
    reportOnce("guest probes: after a store the monitor made for the guest, " + error +
               "; the guest may keep a stale translation");
}

void GuestProbes::abandonCr3(Vcpu& v, const std::string& why) {
  reportOnce("guest probes: Guest_CR3Write on vCPU " + std::to_string(v.index()) + ": " + why +
             "; the VM stops (the guest's CR3 write cannot be completed)");
  vm_.fail("emulating a guest mov cr3: " + why);
}

// Guest_<vector>: what the exception interrupted, from the frame the CPU
// pushed (error code first, for the vectors that have one).
void GuestProbes::fireException(Hit& h, unsigned vector) {
  bool withError = exc::hasErrorCode(vector);
  uint64_t f[6] = {};
  RegisterView view;
  bool ok = h.v.readLinear(h.regs.rsp, f, withError ? 48 : 40);
  const uint64_t* frame = withError ? f + 1 : f;
  if (ok) {
    view.gprs = h.regs;
    view.gprs.rip = frame[0];
    view.gprs.rflags = frame[2];
    view.gprs.rsp = frame[3];
    view.cs = h.sregs.cs, view.ss = h.sregs.ss;
    if (!loadSegment(h.v, uint16_t(frame[1]), view.cs)) view.cs.selector = uint16_t(frame[1]);
    if (!loadSegment(h.v, uint16_t(frame[4]), view.ss)) view.ss.selector = uint16_t(frame[4]);
  }
  const uint64_t args[1] = {ok && withError ? f[0] : 0};
  std::span<const uint64_t> a(args, withError ? 1 : 0);
  for (uint32_t p : plan_.exceptions[vector]) fire_(h.v, p, a, ok ? &view : nullptr);
}

bool GuestProbes::kernelHit(Hit& h) {
  bool retry = isRetry(h, h.regs);
  // A rewritten instruction is the guest's: no probe fires on it.
  if (!current(h.site)) return true;
  if (!retry) {
    fireCode(h, h.site, h.linear, nullptr);
    for (unsigned v = 0; v < exc::kVectors; ++v)
      if (h.site.vectors & (1u << v)) fireException(h, v);
  }
  if (!(h.sregs.cs.ar & ar::kL)) {
    abandon(h.site, "the vCPU reached it outside 64-bit mode");
    return true;
  }
  // The probes may have changed registers (setgpr): the instruction runs
  // with them. One that moved RIP (skipfunction) took the vCPU elsewhere:
  // the instruction here does not run.
  const Gprs* now = h.v.gprs();
  if (!now || now->rip != h.regs.rip) return true;
  unsigned cpl = h.sregs.cs.selector & 3;
  EmuCpu cpu{*now, cpl, h.sregs.fs.base, h.sregs.gs.base};
  cpu.cr4 = h.sregs.cr4;
  GuestAccess mem(*this, vm_, h.v, h.sregs, cpl, h.regs.rflags & kRflagsAc);
  EmuResult r = h.site.insn.execute(cpu, mem);
  switch (r.outcome) {
    case EmuOutcome::Done:
      h.v.setGprs(cpu.regs);
      if (cpu.cr3Written) loadCr3(h.v, cpu);
      if (kvmShadowsGuestPageTables() && h.site.insn.storesToMemory()) dropShadows();
      break;
    case EmuOutcome::Fault:
      retry_[h.v.index()] = {h.site.gpa, h.regs.rsp, h.sregs.cr3, true};
      h.v.injectException(r.fault);
      break;
    case EmuOutcome::Unsupported: abandon(h.site, r.why); break;
  }
  return true;
}

// A stop in user mode that reached the guest's #BP or #GP handler
// (user_return.h). When it is one of ours (planted for a user-mode
// probe), the guest must never see it: fire, emulate the instruction in
// user mode, and return to user mode as iretq would. Otherwise the
// guest's handler runs.
bool GuestProbes::userTrapHit(Hit& h) {
  UserReturn u;
  std::string problem;
  unsigned vector = unsigned(__builtin_ctz(h.site.userTraps));
  if (!userStateAtTrap(h.v, vector, h.regs, h.sregs, u, problem)) {
    if (!problem.empty())
      reportOnce("guest probes: " + problem + "; the guest's " + exc::probeName(vector) +
                 " handler gets it");
    return false;
  }
  uint64_t ugpa;
  if (!h.v.translate(u.stop, ugpa)) return false;
  Site* found = siteAt(ugpa);
  if (!found || !found->userCode) return false;
  Site& us = *found;
  if (isHandBack(h.v, us.gpa, u)) return false;
  Gprs next = u.view.gprs;
  Hit uh{h.v, u.view.gprs, u.sregs, u.stop, us};
  // Ours but given back to the guest: return to the instruction itself.
  if (us.dead.load(std::memory_order_acquire) || !stillPlanted(vm_, us) || !current(us)) {
    markHandBack(h.v, us.gpa, u);
    returnToUser(h.v, u, next);
    return true;
  }
  if (!isRetry(uh, u.view.gprs)) fireCode(uh, us, u.stop, &u.view);
  EmuCpu cpu{u.view.gprs, 3, u.sregs.fs.base, u.sregs.gs.base};
  GuestAccess mem(*this, vm_, h.v, u.sregs, 3, u.view.gprs.rflags & kRflagsAc);
  EmuResult r = us.insn.execute(cpu, mem);
  if (r.outcome == EmuOutcome::Done) next = cpu.regs;
  if (r.outcome == EmuOutcome::Unsupported) abandon(us, r.why);
  returnToUser(h.v, u, next);
  if (r.outcome == EmuOutcome::Fault) {
    retry_[h.v.index()] = {us.gpa, u.view.gprs.rsp, u.sregs.cr3, true};
    markHandBack(h.v, us.gpa, u);
    h.v.injectException(r.fault);
  }
  return true;
}

// A #GP(0) at a user-mode site is also what the guest's own instruction
// there raises: the fault the monitor injected for it, or the instruction
// itself once its byte is back. The next such #GP after the monitor
// returned the vCPU there (same site, stack and address space) is the
// guest's. A #BP cannot be the guest's (its instruction is not an int3).
void GuestProbes::markHandBack(Vcpu& v, uint64_t gpa, const UserReturn& u) {
  handBack_[v.index()] = {gpa, u.view.gprs.rsp, u.sregs.cr3, true};
}

bool GuestProbes::isHandBack(Vcpu& v, uint64_t gpa, const UserReturn& u) {
  Retry& r = handBack_[v.index()];
  bool mine = r.valid && r.gpa == gpa && r.rsp == u.view.gprs.rsp && r.cr3 == u.sregs.cr3;
  r.valid = false;
  return mine && vm_.breakpointSupport().userTrapVector() == exc::kGeneralProtection;
}

// After the stops move or go (vCPUs stopped): a vCPU may have been
// stopped right after the CPU delivered the exception of one of our
// user-mode stops and before it reached the trapped handler entry. With
// the trap gone the guest would see it: return it to the user
// instruction (its original byte is back, or it is trapped again).
void GuestProbes::finishUserTrap(Vcpu& v, const SiteMap& before) {
  handBack_[v.index()].valid = false;  // the sites it names may be gone
  const Gprs* g = v.gprs();
  const SpecialRegs* s = v.sregs();
  uint64_t gpa, ugpa;
  if (!g || !s || (s->cs.selector & 3) || !v.translate(codeLinear(*g, *s), gpa)) return;
  auto was = before.find(gpa);
  if (was == before.end() || !was->second->userTraps) return;
  auto now = sites_.find(gpa);
  if (now != sites_.end() && now->second->userTraps && stillPlanted(vm_, *now->second)) return;  // still trapped
  UserReturn u;
  std::string problem;
  unsigned vector = unsigned(__builtin_ctz(was->second->userTraps));
  if (!userStateAtTrap(v, vector, *g, *s, u, problem) || !v.translate(u.stop, ugpa)) return;
  auto site = before.find(ugpa);
  Site* ours = site != before.end() ? site->second.get() : siteAt(ugpa);
  if (ours && ours->userCode) returnToUser(v, u, u.view.gprs);
}

}  // namespace vmm
