// A test-and-test-and-set lock. Aggregate shards, bags and output buffers
// are locked for a few dozen nanoseconds at a time and almost never
// contended, where a futex-based mutex would cost more than the work it
// protects.
//
// A waiter that has spun for longer than any such section gives its core
// away (sched_yield) between further tries: the holder was preempted (a
// host with more busy threads than cores) or is in a long section (an
// output buffer growing). Spinning on would burn the core the holder may
// need to finish; perf on bench/vp_contention's printf case showed the VM's
// flusher spending 80% of its time spinning on a printing thread's buffer.
#pragma once

#include <atomic>
#include <thread>

namespace vp {

class SpinLock {
 public:
  void lock() {
    unsigned spins = 0;
    while (locked_.exchange(true, std::memory_order_acquire)) {
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins < kSpinsBeforeYield)
          __builtin_ia32_pause();
        else
          std::this_thread::yield();
      }
    }
  }
  void unlock() { locked_.store(false, std::memory_order_release); }

 private:
  // About 0.2-3 us of pause instructions, depending on the CPU.
  static constexpr unsigned kSpinsBeforeYield = 64;
  std::atomic<bool> locked_{false};
};

}  // namespace vp
