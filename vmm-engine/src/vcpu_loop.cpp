// The vCPU thread: KVM_RUN, then one switch on the exit reason. Devices
// are reached through the I/O bus; probes through the hooks pointer, one
// branch per call site when none are installed.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vmm-engine/hooks.h"
#include "vmm-engine/interrupt_source.h"
#include "vmm-engine/traps.h"
#include "vmm-engine/vcpu.h"
#include "vmm-engine/vm.h"

namespace vmm {
namespace {

ExitKind kindOf(uint32_t kvmReason) {
  switch (kvmReason) {
    case KVM_EXIT_IO: return ExitKind::Io;
    case KVM_EXIT_HLT: return ExitKind::Hlt;
    case KVM_EXIT_MMIO: return ExitKind::Mmio;
    case KVM_EXIT_SHUTDOWN: return ExitKind::Shutdown;
    case KVM_EXIT_IRQ_WINDOW_OPEN: return ExitKind::IrqWindowOpen;
    case KVM_EXIT_INTERNAL_ERROR: return ExitKind::InternalError;
    case KVM_EXIT_FAIL_ENTRY: return ExitKind::FailEntry;
    case KVM_EXIT_DEBUG: return ExitKind::Debug;
    case KVM_EXIT_SYSTEM_EVENT: return ExitKind::SystemEvent;
    default: return ExitKind::Other;
  }
}

void unblockKickSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, kickSignal());
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

}  // namespace

void Vcpu::threadMain() {
  { std::lock_guard l(mu_); }  // start() has published tid_ and state
  unblockKickSignal();
  runLoop();
  std::deque<std::function<void()>> left;
  {
    std::lock_guard l(mu_);
    finished_ = true;  // from now on post() runs work on the caller
    promoteLaterLocked();
    left.swap(work_);
  }
  for (auto& fn : left) fn();  // callers of call() are waiting for these
  vm_.vcpuFinished();
}

void Vcpu::runLoop() {
  for (;;) {
    if (attention_.load(std::memory_order_relaxed)) [[unlikely]]
      if (!serveAttention()) return;
    injectPending();
    if (hooks_) [[unlikely]] hooks_->onResume(*this);
    if (mcePending_) [[unlikely]] raiseMachineCheck();
    // SAFETY: fd_ is this vCPU; run_ is its mapping, used only by this
    // thread while KVM_RUN may write it.
    int r = ioctl(fd_, KVM_RUN, 0);
    int err = errno;
    if (!handleExit(r, err)) return;
  }
}

bool Vcpu::serveAttention() {
  if (attention_.load() & kStop) return false;
  drainWork();
  return !(attention_.load() & kStop);
}

void Vcpu::drainWork() {
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard l(mu_);
    batch.swap(work_);
    attention_.fetch_and(~kWork);
  }
  for (auto& fn : batch) fn();
}

void Vcpu::injectPending() {
  if (!anyPending()) {
    run_->request_interrupt_window = 0;
    return;
  }
  // Without an in-kernel irqchip, KVM says when the guest can take an
  // interrupt (IF=1, no interrupt shadow, nothing queued).
  if (!run_->ready_for_interrupt_injection || !run_->if_flag) {
    run_->request_interrupt_window = 1;
    return;
  }
  // Vectors raised directly first; else the controller's INTA.
  int v = anyRaised() ? takeHighestPending() : source_->acknowledge();
  if (v < 0) {
    run_->request_interrupt_window = anyPending();
    return;
  }
  kvm_interrupt irq{uint32_t(v)};
  // SAFETY: kvm_interrupt is the argument KVM_INTERRUPT takes.
  if (ioctl(fd_, KVM_INTERRUPT, &irq) < 0) {
    raiseInterrupt(uint8_t(v));  // keep it; retry at the next window
    run_->request_interrupt_window = 1;
    return;
  }
  lastInjected_ = v;
  counters_.countInterrupt();
  if (hooks_) [[unlikely]] hooks_->onInterrupt(*this, uint8_t(v));
  run_->request_interrupt_window = anyPending();
}

bool Vcpu::handleExit(int r, int err) {
  invalidateCache();
  exitCtx_.injectedVector = lastInjected_;
  lastInjected_ = -1;
  if (r < 0) {
    if (err != EINTR && err != EAGAIN) {
      exitCtx_.kvmExitReason = kExitKick;
      return fail((std::string("KVM_RUN failed: ") + strerror(err)).c_str());
    }
    // A kick. Clear immediate_exit before looking at requests (runLoop):
    // a kick published after this store makes the next KVM_RUN return.
    __atomic_store_n(&run_->immediate_exit, 0, __ATOMIC_SEQ_CST);
    // Work that waits for an asynchronous exit rides on this one. A
    // relaxed load may miss an item queued just now: it takes the next.
    if (anyLater_.load(std::memory_order_relaxed)) promoteLater();
    exitCtx_.kvmExitReason = kExitKick;
    counters_.countExit(ExitKind::Kick);
    if (hooks_) [[unlikely]] hooks_->onExit(*this);
    return true;
  }
  // A planted hlt stands for a #BP: scripts and counters see the exit
  // every host gives for a probe stop, whatever byte this host needs.
  exitCtx_.kvmExitReason = int(run_->exit_reason);  // what atSmmStop() sees
  bool smmStop = hooks_ && (run_->exit_reason == KVM_EXIT_HLT ||
                            run_->exit_reason == KVM_EXIT_DEBUG) &&
                 hooks_->atSmmStop(*this);
  bool plantedHlt = !smmStop && run_->exit_reason == KVM_EXIT_HLT && atPlantedHalt();
  exitCtx_.kvmExitReason = plantedHlt || smmStop ? KVM_EXIT_DEBUG : int(run_->exit_reason);
  counters_.countExit(kindOf(uint32_t(exitCtx_.kvmExitReason)));
  if (hooks_) [[unlikely]] hooks_->onExit(*this);
  if (smmStop) {
    hooks_->onSmmStop(*this);
    return true;
  }
  if (plantedHlt) return handleStopAtInt3(false) || fail("a planted hlt was not handled");
  switch (run_->exit_reason) {
    case KVM_EXIT_IO: return handleIo();
    case KVM_EXIT_HLT: return handleHlt();
    case KVM_EXIT_IRQ_WINDOW_OPEN: return true;  // injectPending() acts
    case KVM_EXIT_MMIO: return handleMmio();
    case KVM_EXIT_SHUTDOWN:
      if (hooks_) [[unlikely]] hooks_->onTripleFault(*this);
      vm_.tripleFault();
      return false;
    case KVM_EXIT_DEBUG: return handleStopAtInt3(true);
    case KVM_EXIT_INTERNAL_ERROR: {
      // Hosts that emulate guest kernel code report a planted int3 as an
      // emulation failure with RIP at it: the probes decide whether it is
      // theirs; anything else is a real error.
      if (run_->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
          handleStopAtInt3(false))
        return true;
      char m[96];
      snprintf(m, sizeof m, "KVM internal error (suberror %u)",
               run_->internal.suberror);
      return fail(m);
    }
    case KVM_EXIT_FAIL_ENTRY: {
      char m[96];
      snprintf(m, sizeof m, "VM entry failed (hardware reason 0x%llx)",
               (unsigned long long)run_->fail_entry.hardware_entry_failure_reason);
      return fail(m);
    }
    case KVM_EXIT_SYSTEM_EVENT:
      vm_.fail("guest requested a system event (reset or shutdown)");
      return false;
    default: {
      char m[64];
      snprintf(m, sizeof m, "unexpected KVM exit %u", run_->exit_reason);
      return fail(m);
    }
  }
}

bool Vcpu::handleIo() {
  const auto& io = run_->io;
  unsigned size = io.size;
  uint32_t count = io.count;
  if (size != 1 && size != 2 && size != 4) return fail("bad I/O exit size");
  uint64_t bytes = uint64_t(size) * count;
  if (io.data_offset > runSize_ || bytes > runSize_ - io.data_offset)
    return fail("I/O exit data outside the kvm_run mapping");
  // SAFETY: [data_offset, data_offset + size*count) was checked to lie in
  // the kvm_run mapping.
  uint8_t* data = reinterpret_cast<uint8_t*>(run_) + io.data_offset;
  bool in = io.direction == KVM_EXIT_IO_IN;
  counters_.countIo(in);
  if (hooks_) [[unlikely]] hooks_->onIo(*this, in, io.port, size, count);
  if (in)
    vm_.ioBus().in(*this, io.port, data, size, count);
  else
    vm_.ioBus().out(*this, io.port, data, size, count);
  return true;
}

bool Vcpu::handleStopAtInt3(bool debugExit) {
  TrapHandler* traps = vm_.traps_;
  if (traps && traps->onBreakpoint(*this)) return true;
  if (!debugExit) return false;
  // KVM_EXIT_DEBUG: a #BP that is the guest's own goes back to it; any
  // other debug exit was never asked for.
  if (run_->debug.arch.exception == 3 && reinjectBreakpoint()) return true;
  return fail("unexpected debug exit");
}

// With the hlt mechanism (breakpoint_mechanism.h), a hlt exit may be a
// probe stop: then RIP goes back onto the planted byte, so that what
// follows sees the stop as every other mechanism reports it.
bool Vcpu::atPlantedHalt() {
  TrapHandler* traps = vm_.traps_;
  if (!traps || vm_.breakpointSupport().mechanism != BreakpointMechanism::HaltExit ||
      !traps->plantedHaltBefore(*this))
    return false;
  Gprs g = *gprs();  // plantedHaltBefore() read them
  g.rip -= 1;
  return setGprs(g);
}

bool Vcpu::handleMmio() {
  auto& m = run_->mmio;
  // Probes may have made RAM pages read-only or unbacked: those accesses
  // are the probes' to perform. KVM bounds len by sizeof(data).
  TrapHandler* traps = vm_.traps_;
  unsigned len = std::min<unsigned>(m.len, sizeof m.data);
  if (hooks_) [[unlikely]] hooks_->onMmio(*this, m.phys_addr, len, m.is_write);
  if (traps && vm_.memory().contains(m.phys_addr, len) &&
      traps->onRamAccess(*this, m.phys_addr, m.data, len, m.is_write))
    return true;
  // No MMIO device on this platform: like an unclaimed port, reads are all
  // ones and writes vanish.
  if (!m.is_write) memset(m.data, 0xff, std::min<size_t>(m.len, 8));
  return true;
}

bool Vcpu::handleHlt() {
  std::unique_lock l(mu_);
  halted_ = true;
  cv_.wait(l, [&] { return anyPending() || attention_.load() != 0; });
  halted_ = false;
  promoteLaterLocked();  // a wake-up is asynchronous too
  return true;
}

bool Vcpu::fail(const char* what) {
  std::string msg = std::string("vcpu ") + std::to_string(index_) + ": " +
                    what;
  if (const Gprs* g = gprs()) {
    char rip[40];
    snprintf(rip, sizeof rip, " at RIP 0x%llx", (unsigned long long)g->rip);
    msg += rip;
  }
  vm_.fail(msg);
  return false;
}

}  // namespace vmm
