// Vcpu: construction, cross-thread requests (post, call, interrupts,
// kicks, stop). The run loop is in vcpu_loop.cpp, registers in
// vcpu_regs.cpp.
#include "vmm-engine/vcpu.h"

#include <csignal>
#include <linux/kvm.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm-engine/interrupt_source.h"
#include "vmm-engine/vm.h"

namespace vmm {

Vcpu::Vcpu(Vm& vm, unsigned index, int fd, kvm_run* run, size_t runSize)
    : vm_(vm), index_(index), fd_(fd), run_(run), runSize_(runSize) {}

Vcpu::~Vcpu() {
  // The thread was joined by Vm before the vCPUs are destroyed.
  munmap(run_, runSize_);
  close(fd_);
}

bool Vcpu::onThisThread() const {
  return threadLive_.load(std::memory_order_acquire) &&
         pthread_equal(pthread_self(), tid_);
}

// Wakes the vCPU thread wherever it is: parked on HLT (condition
// variable) or inside KVM_RUN (kick). On the vCPU thread itself (a device
// or hook raising an interrupt or posting work) there is nothing to wake:
// the loop looks at requests before its next entry. Caller holds mu_.
void Vcpu::wakeLocked() {
  if (halted_)
    cv_.notify_all();
  else if (threadLive_.load(std::memory_order_relaxed) && !finished_ &&
           !pthread_equal(pthread_self(), tid_))
    kick();
}

void Vcpu::post(std::function<void()> fn) {
  std::unique_lock l(mu_);
  if (!threadLive_.load(std::memory_order_relaxed) || finished_) {
    l.unlock();
    fn();  // no vCPU thread (not started, or ended): run here
    return;
  }
  promoteLaterLocked();
  work_.push_back(std::move(fn));
  attention_.fetch_or(kWork);
  wakeLocked();
}

void Vcpu::postAtNextKick(std::function<void()> fn) {
  std::unique_lock l(mu_);
  if (!threadLive_.load(std::memory_order_relaxed) || finished_) {
    l.unlock();
    fn();
    return;
  }
  later_.push_back(std::move(fn));
  anyLater_.store(true, std::memory_order_relaxed);
}

void Vcpu::hurry() {
  std::lock_guard l(mu_);
  if (later_.empty()) return;
  promoteLaterLocked();
  wakeLocked();
}

void Vcpu::promoteLaterLocked() {
  if (later_.empty()) return;
  for (auto& fn : later_) work_.push_back(std::move(fn));
  later_.clear();
  anyLater_.store(false, std::memory_order_relaxed);
  attention_.fetch_or(kWork);
}

void Vcpu::promoteLater() {
  std::lock_guard l(mu_);
  promoteLaterLocked();
}

void Vcpu::call(const std::function<void()>& fn) {
  if (onThisThread()) {
    fn();
    return;
  }
  std::mutex doneMu;
  std::condition_variable doneCv;
  bool done = false;
  post([&] {
    fn();
    std::lock_guard g(doneMu);
    done = true;
    doneCv.notify_all();
  });
  std::unique_lock l(doneMu);
  doneCv.wait(l, [&] { return done; });
}

void Vcpu::raiseInterrupt(uint8_t vector) {
  pending_[vector >> 6].fetch_or(1ull << (vector & 63));
  std::lock_guard l(mu_);
  wakeLocked();
}

void Vcpu::interruptLineRaised() {
  std::lock_guard l(mu_);
  wakeLocked();
}

void Vcpu::requestStop() {
  attention_.fetch_or(kStop);
  std::lock_guard l(mu_);
  wakeLocked();
}

void Vcpu::kick() {
  // Order matters (see runLoop): the request was published before this
  // store, and the loop clears immediate_exit before it looks at requests.
  // SAFETY: run_ is the vCPU's kvm_run mapping, alive as long as *this;
  // immediate_exit is a byte KVM reads at entry.
  __atomic_store_n(&run_->immediate_exit, 1, __ATOMIC_SEQ_CST);
  pthread_kill(tid_, kickSignal());
}

bool Vcpu::anyRaised() const {
  return (pending_[0].load(std::memory_order_relaxed) |
          pending_[1].load(std::memory_order_relaxed) |
          pending_[2].load(std::memory_order_relaxed) |
          pending_[3].load(std::memory_order_relaxed)) != 0;
}

bool Vcpu::anyPending() const {
  return anyRaised() || (source_ && source_->interruptRequested());
}

int Vcpu::takeHighestPending() {
  // Highest vector first, as a local APIC would prioritize.
  for (int w = 3; w >= 0; --w) {
    uint64_t bits = pending_[w].load();
    while (bits) {
      int bit = 63 - __builtin_clzll(bits);
      uint64_t mask = 1ull << bit;
      if (pending_[w].fetch_and(~mask) & mask) return w * 64 + bit;
      bits = pending_[w].load();
    }
  }
  return -1;
}

}  // namespace vmm
