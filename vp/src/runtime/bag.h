// Bags: global multimaps of integer keys to integer values, bounded by the
// bag's declared size and by the storage of all bags (vprobe.bagBytes).
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include "vp/src/runtime/spin_lock.h"

namespace vp {

// Storage shared by all bags of a script; each pair costs kPairBytes.
class BagStorage {
 public:
  static constexpr uint64_t kPairBytes = 16;
  explicit BagStorage(uint64_t bytes) : limit_(bytes) {}
  bool take() {
    if (used_.fetch_add(kPairBytes, std::memory_order_relaxed) + kPairBytes <= limit_) {
      return true;
    }
    used_.fetch_sub(kPairBytes, std::memory_order_relaxed);
    return false;
  }
  void give() { used_.fetch_sub(kPairBytes, std::memory_order_relaxed); }

 private:
  uint64_t limit_;
  std::atomic<uint64_t> used_{0};
};

class Bag {
 public:
  Bag(uint64_t size, BagStorage& storage) : size_(size), storage_(storage) {}
  ~Bag();
  // False when the bag holds `size` pairs or the storage is exhausted.
  bool insert(uint64_t key, uint64_t value);
  // Removes one pair with `key` (normally the oldest); false when there is
  // none.
  bool remove(uint64_t key, uint64_t& value);
  std::vector<std::pair<uint64_t, uint64_t>> snapshot();

 private:
  enum : uint8_t { Empty, Full, Removed };
  void rehash(size_t slots);

  uint64_t size_;
  BagStorage& storage_;
  SpinLock lock_;
  std::vector<uint64_t> keys_, values_;
  std::vector<uint8_t> state_;
  uint64_t count_ = 0, removed_ = 0;
};

}  // namespace vp
