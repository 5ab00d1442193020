// Register access for the current exit: one ioctl per group, cached until
// the next exit (Vcpu::handleExit invalidates).
#include <cstddef>
#include <cstring>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "kvm_abi.h"
#include "vmm-engine/src/one_msr.h"
#include "vmm-engine/page_walk.h"
#include "vmm-engine/vcpu.h"
#include "vmm-engine/vm.h"

namespace vmm {
namespace {

static_assert(sizeof(Gprs) == sizeof(kvm_regs),
              "Gprs mirrors struct kvm_regs field by field");

Segment fromKvm(const kvm_segment& k) {
  Segment s;
  s.selector = k.selector;
  s.base = k.base;
  s.limit = k.limit;
  s.ar = (k.type & ar::kTypeMask) | (k.s ? ar::kS : 0) |
         (uint32_t(k.dpl & 3) << ar::kDplShift) | (k.present ? ar::kP : 0) |
         (k.avl ? ar::kAvl : 0) | (k.l ? ar::kL : 0) | (k.db ? ar::kDb : 0) |
         (k.g ? ar::kG : 0) | (k.unusable ? ar::kUnusable : 0);
  return s;
}

void toKvm(const Segment& s, kvm_segment& k) {
  k.selector = s.selector;
  k.base = s.base;
  k.limit = s.limit;
  k.type = s.ar & ar::kTypeMask;
  k.s = !!(s.ar & ar::kS);
  k.dpl = (s.ar >> ar::kDplShift) & 3;
  k.present = !!(s.ar & ar::kP);
  k.avl = !!(s.ar & ar::kAvl);
  k.l = !!(s.ar & ar::kL);
  k.db = !!(s.ar & ar::kDb);
  k.g = !!(s.ar & ar::kG);
  k.unusable = !!(s.ar & ar::kUnusable);
}

void fromKvm(const kvm_sregs& k, SpecialRegs& s) {
  s.cs = fromKvm(k.cs), s.ss = fromKvm(k.ss), s.ds = fromKvm(k.ds);
  s.es = fromKvm(k.es), s.fs = fromKvm(k.fs), s.gs = fromKvm(k.gs);
  s.tr = fromKvm(k.tr), s.ldtr = fromKvm(k.ldt);
  s.gdtrBase = k.gdt.base, s.gdtrLimit = k.gdt.limit;
  s.idtrBase = k.idt.base, s.idtrLimit = k.idt.limit;
  s.cr0 = k.cr0, s.cr2 = k.cr2, s.cr3 = k.cr3, s.cr4 = k.cr4, s.cr8 = k.cr8;
  s.efer = k.efer, s.apicBase = k.apic_base;
}

void toKvm(const SpecialRegs& s, kvm_sregs& k) {
  toKvm(s.cs, k.cs), toKvm(s.ss, k.ss), toKvm(s.ds, k.ds);
  toKvm(s.es, k.es), toKvm(s.fs, k.fs), toKvm(s.gs, k.gs);
  toKvm(s.tr, k.tr), toKvm(s.ldtr, k.ldt);
  k.gdt.base = s.gdtrBase, k.gdt.limit = s.gdtrLimit;
  k.idt.base = s.idtrBase, k.idt.limit = s.idtrLimit;
  k.cr0 = s.cr0, k.cr2 = s.cr2, k.cr3 = s.cr3, k.cr4 = s.cr4, k.cr8 = s.cr8;
  k.efer = s.efer, k.apic_base = s.apicBase;
}

}  // namespace

void Vcpu::setSyncRegs(bool gprs, bool sregs) {
  uint64_t want = ((gprs ? KVM_SYNC_X86_REGS : 0) | (sregs ? KVM_SYNC_X86_SREGS : 0)) &
                  vm_.syncRegsCap();
  syncMask_ = want;
  // KVM reads the mask at each KVM_RUN and stores the registers at its end.
  run_->kvm_valid_regs = want;
  invalidateCache();
}

const Gprs* Vcpu::gprs() {
  if (!(cached_ & kGprs)) {
    if (syncMask_ & KVM_SYNC_X86_REGS) {
      // SAFETY: KVM filled s.regs at the end of the last KVM_RUN; only this
      // thread reads the page between runs.
      memcpy(&gprs_, &run_->s.regs.regs, sizeof gprs_);
    } else {
      kvm_regs k;
      // SAFETY: kvm_regs is what KVM_GET_REGS fills.
      if (ioctl(fd_, KVM_GET_REGS, &k) < 0) return nullptr;
      memcpy(&gprs_, &k, sizeof k);
    }
    cached_ |= kGprs;
  }
  return &gprs_;
}

bool Vcpu::setGprs(const Gprs& r) {
  if (syncMask_ & KVM_SYNC_X86_REGS) {
    // SAFETY: the sync area belongs to this thread between runs; KVM reads
    // it at the next KVM_RUN because of the dirty bit (before it looks at
    // immediate_exit, so a kick does not lose it).
    memcpy(&run_->s.regs.regs, &r, sizeof r);
    run_->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
  } else {
    kvm_regs k;
    memcpy(&k, &r, sizeof k);
    // SAFETY: as in gprs().
    if (ioctl(fd_, KVM_SET_REGS, &k) < 0) return false;
  }
  gprs_ = r;
  cached_ |= kGprs;
  return true;
}

const SpecialRegs* Vcpu::sregs() {
  if (!(cached_ & kSregs)) {
    if (syncMask_ & KVM_SYNC_X86_SREGS) {
      // SAFETY: as for s.regs in gprs().
      fromKvm(run_->s.regs.sregs, sregs_);
    } else {
      kvm_sregs k;
      // SAFETY: kvm_sregs is what KVM_GET_SREGS fills.
      if (ioctl(fd_, KVM_GET_SREGS, &k) < 0) return nullptr;
      fromKvm(k, sregs_);
    }
    cached_ |= kSregs;
  }
  return &sregs_;
}

// The interrupt bitmap of kvm_sregs is not state to hand back: setting it
// makes KVM queue that interrupt (again), and KVM keeps its own interrupt
// state through a KVM_SET_SREGS anyway. A KVM that still reports an
// interrupt it already delivered (this host does) would have the guest
// take it twice: every user-mode probe hit a timer tick more.
namespace {
void clearInterruptBitmap(kvm_sregs& k) { memset(k.interrupt_bitmap, 0, sizeof k.interrupt_bitmap); }
}  // namespace

bool Vcpu::setSregs(const SpecialRegs& s) {
  if (syncMask_ & KVM_SYNC_X86_SREGS) {
    // SAFETY: as in setGprs(). The synced copy is KVM's own from this
    // exit, so the other fields we do not model round-trip unchanged.
    toKvm(s, run_->s.regs.sregs);
    clearInterruptBitmap(run_->s.regs.sregs);
    run_->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
    sregs_ = s;
    cached_ |= kSregs;
    return true;
  }
  kvm_sregs k;
  // Start from KVM's copy so the other fields we do not model round-trip
  // unchanged.
  if (ioctl(fd_, KVM_GET_SREGS, &k) < 0) return false;
  toKvm(s, k);
  clearInterruptBitmap(k);
  if (ioctl(fd_, KVM_SET_SREGS, &k) < 0) return false;
  sregs_ = s;
  cached_ |= kSregs;
  return true;
}

bool Vcpu::flushTlb() {
  constexpr uint64_t kPwt = 1ull << 3;  // a CR3 bit any value may have
  kvm_sregs k;
  // SAFETY: kvm_sregs is what KVM_GET/SET_SREGS take. Whatever the sync
  // area holds is applied at the next entry, after these.
  if (ioctl(fd_, KVM_GET_SREGS, &k) < 0) return false;
  clearInterruptBitmap(k);
  k.cr3 ^= kPwt;
  if (ioctl(fd_, KVM_SET_SREGS, &k) < 0) return false;
  k.cr3 ^= kPwt;
  return ioctl(fd_, KVM_SET_SREGS, &k) == 0;
}

bool Vcpu::injectException(const GuestException& e) {
  if (e.vector == 14) {
    const SpecialRegs* s = sregs();
    if (!s) return false;
    SpecialRegs withCr2 = *s;
    withCr2.cr2 = e.cr2;
    if (!setSregs(withCr2)) return false;
  }
  kvm_vcpu_events ev;
  // SAFETY: kvm_vcpu_events is what KVM_GET/SET_VCPU_EVENTS take.
  if (ioctl(fd_, KVM_GET_VCPU_EVENTS, &ev) < 0) return false;
  ev.exception.injected = 1;
  ev.exception.nr = e.vector;
  ev.exception.has_error_code = e.hasErrorCode;
  ev.exception.error_code = e.errorCode;
  ev.flags = 0;  // leave NMI, SIPI, shadow and SMM state as they are
  if ((syncMask_ & KVM_SYNC_X86_SREGS) && (vm_.syncRegsCap() & KVM_SYNC_X86_EVENTS)) {
    // Through the sync area, after the synced CR2 above: KVM applies
    // registers, then special registers, then events.
    run_->s.regs.events = ev;
    run_->kvm_dirty_regs |= KVM_SYNC_X86_EVENTS;
    return true;
  }
  return ioctl(fd_, KVM_SET_VCPU_EVENTS, &ev) == 0;
}

bool Vcpu::setSoftwareBreakpoints(bool on) {
  kvm_guest_debug d{};
  d.control = on ? (KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP) : 0;
  if (singleStep_) d.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
  // SAFETY: kvm_guest_debug is what KVM_SET_GUEST_DEBUG takes; the vCPU is
  // not in KVM_RUN (its own thread, or stopped).
  if (ioctl(fd_, KVM_SET_GUEST_DEBUG, &d) < 0) return false;
  guestDebug_ = d.control;
  return true;
}

bool Vcpu::setSingleStep(bool on) {
  kvm_guest_debug d{};
  uint32_t keep = guestDebug_ & KVM_GUESTDBG_USE_SW_BP;
  d.control = keep | (on ? KVM_GUESTDBG_SINGLESTEP : 0);
  if (d.control) d.control |= KVM_GUESTDBG_ENABLE;
  // SAFETY: as in setSoftwareBreakpoints().
  if (ioctl(fd_, KVM_SET_GUEST_DEBUG, &d) < 0) return false;
  guestDebug_ = d.control;
  singleStep_ = on;
  return true;
}

bool Vcpu::reinjectBreakpoint() {
  kvm_guest_debug d{};
  d.control = guestDebug_ | KVM_GUESTDBG_INJECT_BP;
  // SAFETY: as in setSoftwareBreakpoints(). KVM queues the #BP with the
  // instruction length of the exit, so the guest's handler sees RIP after
  // its int3, as without the monitor.
  return ioctl(fd_, KVM_SET_GUEST_DEBUG, &d) == 0;
}

const DebugRegs* Vcpu::debugRegs() {
  if (!(cached_ & kDebug)) {
    kvm_debugregs k;
    // SAFETY: kvm_debugregs is what KVM_GET_DEBUGREGS fills.
    if (ioctl(fd_, KVM_GET_DEBUGREGS, &k) < 0) return nullptr;
    debug_.dr6 = k.dr6;
    debug_.dr7 = k.dr7;
    cached_ |= kDebug;
  }
  return &debug_;
}

bool Vcpu::setDebugRegs(const DebugRegs& d) {
  kvm_debugregs k;
  if (ioctl(fd_, KVM_GET_DEBUGREGS, &k) < 0) return false;  // keep DR0-3
  k.dr6 = d.dr6;
  k.dr7 = d.dr7;
  if (ioctl(fd_, KVM_SET_DEBUGREGS, &k) < 0) return false;
  debug_ = d;
  cached_ |= kDebug;
  return true;
}

const uint64_t* Vcpu::kernelGsBase() {
  if (!(cached_ & kKgs)) {
    OneMsr m(kMsrKernelGsBase, 0);
    // SAFETY: `m` is a kvm_msrs header (C layout) followed by its one entry; KVM
    // returns the number of MSRs read.
    if (ioctl(fd_, kvm_abi::kGetMsrs, m.arg()) != 1) return nullptr;
    kgs_ = m.data();
    cached_ |= kKgs;
  }
  return &kgs_;
}

bool Vcpu::setKernelGsBase(uint64_t v) {
  OneMsr m(kMsrKernelGsBase, v);
  // SAFETY: as in kernelGsBase().
  if (ioctl(fd_, kvm_abi::kSetMsrs, m.arg()) != 1) return false;
  kgs_ = v;
  cached_ |= kKgs;
  return true;
}

const bool* Vcpu::inSmm() {
  if (!(cached_ & kSmm)) {
    kvm_vcpu_events e;
    // SAFETY: kvm_vcpu_events is what KVM_GET_VCPU_EVENTS fills.
    if (ioctl(fd_, KVM_GET_VCPU_EVENTS, &e) < 0) return nullptr;
    smm_ = e.smi.smm != 0;
    cached_ |= kSmm;
  }
  return &smm_;
}

const ExitFields& Vcpu::exitFields() {
  if (!(cached_ & kExit)) {
    bool kick = exitCtx_.kvmExitReason == kExitKick;
    exitFields_ = computeExitFields(vm_.vendor(), exitCtx_,
                                    kick ? nullptr : run_);
    cached_ |= kExit;
  }
  return exitFields_;
}

bool Vcpu::translate(uint64_t linear, uint64_t& gpa) {
  const SpecialRegs* s = sregs();
  if (!s) return false;
  PagingState ps{s->cr0, s->cr3, s->cr4, s->efer};
  return translateLinear(vm_.memory(), ps, linear, gpa);
}

bool Vcpu::readLinear(uint64_t linear, void* out, size_t len) {
  const SpecialRegs* s = sregs();
  if (!s) return false;
  PagingState ps{s->cr0, s->cr3, s->cr4, s->efer};
  return vmm::readLinear(vm_.memory(), ps, linear, out, len);
}

}  // namespace vmm
