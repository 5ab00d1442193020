// A test-and-test-and-set lock. Aggregate shards and bags are locked for a
// few dozen nanoseconds at a time and almost never contended, where a
// futex-based mutex would cost more than the work it protects.
#pragma once

#include <atomic>

namespace vp {

class SpinLock {
 public:
  void lock() {
    while (locked_.exchange(true, std::memory_order_acquire)) {
      while (locked_.load(std::memory_order_relaxed)) __builtin_ia32_pause();
    }
  }
  void unlock() { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace vp
